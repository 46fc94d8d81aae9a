//! `db.check::<E>()`: the entity against the live table (columns, types,
//! nullability, primary key, extra required columns, and the collation
//! foal's text comparison needs), every difference in one error.

use crate::dialects::{Dialect, Type};
use crate::entity::{ColumnMeta, Entity, EntityMeta};
use crate::error::{CallSite, Error, Result};
use crate::exec::Executor;
use crate::query::raw::raw;

/// A column as the server describes it.
struct Live {
    name: String,
    /// The declared type, lower case (`bigint`, `character varying`).
    ty: String,
    nullable: bool,
    primary_key: bool,
    has_default: bool,
    /// The text collation, where the server reports one per column.
    collation: Option<String>,
}

pub(crate) fn check<E: Entity>(ex: &impl Executor, site: CallSite) -> Result<()> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let live = describe(ex, meta.table, dialect).map_err(|e| match e {
        Error::Database {
            message, fault, code, ..
        } => Error::Database {
            message: format!("reading the shape of table {}: {message}", meta.table),
            fault,
            code,
            site,
        },
        other => other,
    })?;
    let differences = if live.is_empty() {
        vec![format!(
            "there is no table {} (create_table::<{}>() makes it)",
            meta.table, meta.name
        )]
    } else {
        let default_collation = match dialect {
            Dialect::Postgres => raw::<String>("SELECT datcollate FROM pg_database WHERE datname = current_database()")
                .fetch_optional(ex)?,
            _ => None,
        };
        compare(meta, &live, dialect, default_collation.as_deref())
    };
    if differences.is_empty() {
        return Ok(());
    }
    Err(Error::Schema {
        entity: meta.name,
        table: meta.table.to_owned(),
        differences,
        site,
    })
}

/// A row of PostgreSQL's `information_schema.columns` as read here.
type PgColumn = (String, String, String, Option<String>, Option<String>, bool);
/// A row of MySQL's `information_schema.COLUMNS` as read here.
type MyColumn = (String, String, String, Option<String>, Option<String>, String, String);

fn describe(ex: &impl Executor, table: &str, dialect: Dialect) -> Result<Vec<Live>> {
    Ok(match dialect {
        Dialect::Sqlite => {
            // PRAGMA table_info: cid, name, type, notnull, dflt_value, pk.
            let rows: Vec<(i64, String, String, bool, Option<String>, i64)> =
                raw("SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)")
                    .bind(table)
                    .fetch_all(ex)?;
            rows.into_iter()
                .map(|(_, name, ty, not_null, default, pk)| Live {
                    name,
                    ty: ty.to_lowercase(),
                    nullable: !not_null && pk == 0,
                    primary_key: pk > 0,
                    has_default: default.is_some(),
                    collation: None,
                })
                .collect()
        }
        Dialect::Postgres => {
            let rows: Vec<PgColumn> = raw(
                "SELECT c.column_name::text, c.data_type::text, c.is_nullable::text, c.column_default::text, \
                 c.collation_name::text, EXISTS (SELECT 1 FROM information_schema.table_constraints t \
                 JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
                 AND k.table_schema = t.table_schema AND k.table_name = t.table_name \
                 WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema \
                 AND t.table_name = c.table_name AND k.column_name = c.column_name) \
                 FROM information_schema.columns c \
                 WHERE c.table_schema = current_schema() AND c.table_name = ? ORDER BY c.ordinal_position",
            )
            .bind(table)
            .fetch_all(ex)?;
            rows.into_iter()
                .map(|(name, ty, nullable, default, collation, primary_key)| Live {
                    name,
                    ty,
                    nullable: nullable == "YES",
                    primary_key,
                    // An identity column has no default text but is generated.
                    has_default: default.is_some(),
                    collation,
                })
                .collect()
        }
        Dialect::Mysql => {
            let rows: Vec<MyColumn> = raw(
                "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLLATION_NAME, COLUMN_KEY, EXTRA \
                 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
                 ORDER BY ORDINAL_POSITION",
            )
            .bind(table)
            .fetch_all(ex)?;
            rows.into_iter()
                .map(|(name, ty, nullable, default, collation, key, extra)| Live {
                    name,
                    ty: ty.to_lowercase(),
                    nullable: nullable == "YES",
                    primary_key: key == "PRI",
                    has_default: default.is_some() || extra.contains("auto_increment"),
                    collation,
                })
                .collect()
        }
    })
}

/// Whether a column declared `ty` holds what foal writes for `want`.
fn type_fits(dialect: Dialect, want: Type, ty: &str) -> bool {
    let any = |names: &[&str]| names.contains(&ty);
    match dialect {
        // SQLite keeps any value in any column; what matters is the
        // affinity the declared type gives (its rules, by substring).
        Dialect::Sqlite => {
            let has = |part: &str| ty.contains(part);
            match want {
                Type::Bool | Type::I16 | Type::I32 | Type::I64 => has("int") || has("bool"),
                Type::F32 | Type::F64 => has("real") || has("floa") || has("doub"),
                Type::Text => has("char") || has("clob") || has("text"),
                Type::Bytes => has("blob") || ty.is_empty(),
                Type::Date | Type::DateTime | Type::Timestamp | Type::Time => has("text") || has("date") || has("time"),
                #[allow(unreachable_patterns)]
                _ => true,
            }
        }
        Dialect::Postgres => match want {
            Type::Bool => any(&["boolean"]),
            Type::I16 => any(&["smallint"]),
            Type::I32 => any(&["integer"]),
            Type::I64 => any(&["bigint"]),
            Type::F32 => any(&["real"]),
            Type::F64 => any(&["double precision"]),
            Type::Text => any(&["text", "character varying", "character"]),
            Type::Bytes => any(&["bytea"]),
            Type::Date => any(&["date"]),
            Type::DateTime => any(&["timestamp without time zone"]),
            Type::Timestamp => any(&["timestamp with time zone"]),
            Type::Time => any(&["time without time zone"]),
            #[allow(unreachable_patterns)]
            _ => true,
        },
        Dialect::Mysql => match want {
            Type::Bool => any(&["tinyint", "boolean", "bit"]),
            Type::I16 => any(&["smallint"]),
            Type::I32 => any(&["int", "integer", "mediumint"]),
            Type::I64 => any(&["bigint"]),
            Type::F32 => any(&["float"]),
            Type::F64 => any(&["double"]),
            Type::Text => any(&["longtext", "mediumtext", "text", "tinytext", "varchar", "char"]),
            Type::Bytes => any(&["longblob", "mediumblob", "blob", "tinyblob", "varbinary", "binary"]),
            Type::Date => any(&["date"]),
            Type::DateTime | Type::Timestamp => any(&["datetime", "timestamp"]),
            Type::Time => any(&["time"]),
            #[allow(unreachable_patterns)]
            _ => true,
        },
    }
}

/// Why a text column's collation breaks foal's meaning of text comparison
/// (Rust's: code point order, `"a" != "a "`, case-sensitive), if it does.
fn collation_problem(dialect: Dialect, collation: Option<&str>, database_default: Option<&str>) -> Option<String> {
    match dialect {
        Dialect::Postgres => {
            let (name, whose) = match collation {
                Some(c) if c != "default" => (c, "the column's"),
                _ => (database_default.unwrap_or("?"), "the database's default"),
            };
            (!matches!(name, "C" | "POSIX" | "ucs_basic")).then(|| {
                format!(
                    "collates text by {whose} collation `{name}`, not by code point (`C`): `<`, ORDER BY, min and max \
                     may differ from Rust's order"
                )
            })
        }
        Dialect::Mysql => {
            let name = collation?;
            if name.ends_with("_nopad_bin") || name.ends_with("_0900_bin") || name == "binary" {
                None
            } else if name.ends_with("_bin") {
                Some(format!(
                    "collates text by `{name}`, which ignores trailing spaces (`'a' = 'a '`); foal's tables use \
                     utf8mb4_nopad_bin"
                ))
            } else {
                Some(format!(
                    "collates text by `{name}`, which is not binary: `==` may ignore case or accents where Rust does \
                     not, and order differs; foal's tables use utf8mb4_nopad_bin"
                ))
            }
        }
        Dialect::Sqlite => None,
    }
}

fn compare(meta: &EntityMeta, live: &[Live], dialect: Dialect, default_collation: Option<&str>) -> Vec<String> {
    let mut differences = Vec::new();
    let find = |c: &ColumnMeta| live.iter().find(|l| l.name == c.name);
    for column in &meta.columns {
        let Some(found) = find(column) else {
            differences.push(format!("column {} is missing ({:?})", column.name, column.ty));
            continue;
        };
        if !type_fits(dialect, column.ty, &found.ty) {
            differences.push(format!(
                "column {} is `{}`, where the entity keeps a {:?}",
                column.name, found.ty, column.ty
            ));
        }
        if found.nullable && !column.nullable {
            differences.push(format!(
                "column {} may hold NULL but its field is not an Option: a NULL would be a decode error",
                column.name
            ));
        } else if !found.nullable && column.nullable && !column.primary_key {
            differences.push(format!(
                "column {} is NOT NULL but its field is an Option: writing None fails",
                column.name
            ));
        }
        if found.primary_key != column.primary_key {
            differences.push(if column.primary_key {
                format!(
                    "column {} is part of the entity's primary key, not of the table's",
                    column.name
                )
            } else {
                format!(
                    "column {} is part of the table's primary key, not of the entity's",
                    column.name
                )
            });
        }
        if column.ty == Type::Text
            && let Some(problem) = collation_problem(dialect, found.collation.as_deref(), default_collation)
        {
            differences.push(format!("column {} {problem}", column.name));
        }
    }
    for extra in live {
        if !meta.columns.iter().any(|c| c.name == extra.name) && !extra.nullable && !extra.has_default {
            differences.push(format!(
                "column {} is NOT NULL without a default and the entity has no field for it: every insert fails",
                extra.name
            ));
        }
    }
    differences
}

//! Writing entities: insert, insert_all, get, update, delete, upsert.
//!
//! Every statement is rendered once per entity and dialect and kept in the
//! entity's metadata; multi-row inserts are rendered per chunk size.

use std::sync::OnceLock;

use crate::db::Executor;
use crate::dialects::{self as sql, BinaryOp, Dialect, Insert, OnConflict, Rendered, Select, SelectItem, Statement};
use crate::driver::Decoder;
use crate::entity::{ColumnMeta, Entity, EntityMeta};
use crate::error::{CallSite, Error, Result};
use crate::types::ToValues;
use crate::value::Value;

#[derive(Clone, Copy)]
enum Kind {
    Insert = 0,
    Get = 1,
    Update = 2,
    Delete = 3,
    Upsert = 4,
}

/// Rendered write statements of one entity, per kind and dialect.
#[derive(Default)]
pub(crate) struct WriteCache {
    statements: [[OnceLock<Rendered>; 3]; 5],
}

impl std::fmt::Debug for WriteCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteCache")
    }
}

fn cached(
    meta: &'static EntityMeta,
    kind: Kind,
    dialect: Dialect,
    build: impl FnOnce() -> Statement,
) -> &'static Rendered {
    meta.writes.statements[kind as usize][dialect.index()].get_or_init(|| dialect.render(&build()))
}

fn param(index: usize, column: &ColumnMeta) -> sql::Expr {
    sql::Expr::Param {
        index: u16::try_from(index).unwrap_or(u16::MAX),
        ty: column.ty,
    }
}

/// `key1 = ? AND key2 = ? [AND version = ?]`, parameters numbered from `first`.
fn key_filter(meta: &EntityMeta, alias: &str, first: usize, with_version: bool) -> sql::Expr {
    let mut columns: Vec<usize> = meta.key.clone();
    if with_version {
        columns.extend(meta.version_column());
    }
    columns
        .iter()
        .enumerate()
        .map(|(n, &c)| {
            let column = &meta.columns[c];
            sql::Expr::binary(
                BinaryOp::Eq,
                sql::Expr::column(alias, column.name.clone()),
                param(first + n, column),
            )
        })
        .reduce(sql::Expr::and)
        .unwrap_or(sql::Expr::bool(true))
}

fn key_values<E: Entity>(value: &E) -> Vec<Value> {
    let mut out = Vec::new();
    value.key().push_values(&mut out);
    out
}

fn key_text<E: Entity>(value: &E) -> String {
    format!("{:?}", value.key())
}

/// The columns an insert writes: all but the generated key.
fn insert_columns(meta: &EntityMeta) -> Vec<usize> {
    (0..meta.columns.len()).filter(|&i| !meta.columns[i].auto).collect()
}

fn insert_statement(meta: &EntityMeta, rows: usize, dialect: Dialect) -> Statement {
    let columns = insert_columns(meta);
    let auto = meta.auto_column();
    let returning = match auto {
        Some(a) if dialect.provider().capabilities().returning => vec![meta.columns[a].name.clone()],
        _ => Vec::new(),
    };
    Statement::Insert(Insert {
        table: meta.table.to_owned(),
        columns: columns.iter().map(|&c| meta.columns[c].name.clone()).collect(),
        rows: (0..rows)
            .map(|r| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(n, &c)| param(r * columns.len() + n, &meta.columns[c]))
                    .collect()
            })
            .collect(),
        on_conflict: None,
        returning,
    })
}

/// The values of `value`'s inserted columns, appended to `out`.
fn push_insert_values<E: Entity>(meta: &EntityMeta, value: &E, out: &mut Vec<Value>) {
    let mut all = Vec::with_capacity(meta.columns.len());
    value.push_values(&mut all);
    out.extend(
        all.into_iter()
            .zip(&meta.columns)
            .filter(|(_, c)| !c.auto)
            .map(|(v, _)| v),
    );
}

/// Inserts one row; fills in the generated key.
pub(crate) fn insert<E: Entity>(ex: &impl Executor, mut value: E, site: CallSite) -> Result<E> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let rendered = cached(meta, Kind::Insert, dialect, || insert_statement(meta, 1, dialect));
    let mut params = Vec::with_capacity(meta.columns.len());
    push_insert_values(meta, &value, &mut params);
    if meta.auto_column().is_none() {
        ex.run(site, &mut |c| c.execute(rendered, &params, site))?;
        return Ok(value);
    }
    let id = ex.run(site, &mut |c| {
        if rendered.sql.contains(" RETURNING ") {
            let ids = c.query(rendered, &params, &Decoder::<i64>::from_row(), Some(1), site)?;
            Ok(ids.first().copied().unwrap_or_default())
        } else {
            c.execute(rendered, &params, site)?;
            Ok(c.last_insert_id())
        }
    })?;
    value.set_generated_key(id);
    Ok(value)
}

/// Inserts many rows with multi-row INSERTs, each under the backend's
/// parameter limit, all or none (inside one transaction or savepoint).
pub(crate) fn insert_all<E: Entity>(ex: &impl Executor, mut values: Vec<E>, site: CallSite) -> Result<Vec<E>> {
    if values.is_empty() {
        return Ok(values);
    }
    let meta = E::meta();
    let dialect = ex.dialect();
    let width = insert_columns(meta).len().max(1);
    let max_rows = (dialect.provider().capabilities().max_params / width).clamp(1, 1000);
    let auto = meta.auto_column().is_some();
    let returning = dialect.provider().capabilities().returning;
    let mut ids: Vec<i64> = Vec::with_capacity(if auto { values.len() } else { 0 });
    ex.atomic(site, &mut |c| {
        ids.clear();
        for chunk in values.chunks(max_rows) {
            let statement = insert_statement(meta, chunk.len(), dialect);
            let rendered = dialect.render(&statement);
            let mut params = Vec::with_capacity(chunk.len() * width);
            for value in chunk {
                push_insert_values(meta, value, &mut params);
            }
            if auto && returning {
                let mut chunk_ids = c.query(&rendered, &params, &Decoder::<i64>::from_row(), None, site)?;
                // Keys are drawn in VALUES order; RETURNING's order is not promised.
                chunk_ids.sort_unstable();
                ids.extend(chunk_ids);
            } else {
                c.execute(&rendered, &params, site)?;
                if auto {
                    // MySQL reports the first key of a multi-row insert; the
                    // rest are consecutive (innodb_autoinc_lock_mode 0 or 1).
                    let first = c.last_insert_id();
                    ids.extend((0..chunk.len()).map(|i| first + i as i64));
                }
            }
        }
        Ok(())
    })?;
    if auto {
        for (value, id) in values.iter_mut().zip(ids) {
            value.set_generated_key(id);
        }
    }
    Ok(values)
}

/// The row with the given key.
pub(crate) fn get<E: Entity>(ex: &impl Executor, key: &E::Key, site: CallSite) -> Result<Option<E>> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let rendered = cached(meta, Kind::Get, dialect, || {
        Statement::Select(Select {
            items: meta
                .columns
                .iter()
                .map(|c| SelectItem {
                    expr: sql::Expr::column("t", c.name.clone()),
                    alias: None,
                })
                .collect(),
            from: vec![sql::Join {
                kind: sql::JoinKind::Cross,
                source: sql::TableSource::Table(meta.table.to_owned()),
                alias: "t".to_owned(),
                on: None,
            }],
            filter: Some(key_filter(meta, "t", 0, false)),
            ..Select::default()
        })
    });
    let mut params = Vec::new();
    key.push_values(&mut params);
    let mut rows = ex.run(site, &mut |c| {
        c.query(rendered, &params, &Decoder::<E>::from_row(), Some(1), site)
    })?;
    Ok(rows.pop())
}

/// Updates every non-key column of the row with `value`'s key. With a
/// version field, only if the stored version is `value`'s, and increments it.
pub(crate) fn update<E: Entity + Clone>(ex: &impl Executor, value: &E, site: CallSite) -> Result<E> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let version = meta.version_column();
    let settable: Vec<usize> = (0..meta.columns.len())
        .filter(|&i| !meta.columns[i].primary_key && !meta.columns[i].auto && Some(i) != version)
        .collect();
    let rendered = cached(meta, Kind::Update, dialect, || {
        let mut set: Vec<(String, sql::Expr)> = settable
            .iter()
            .enumerate()
            .map(|(n, &c)| (meta.columns[c].name.clone(), param(n, &meta.columns[c])))
            .collect();
        if let Some(v) = version {
            let name = meta.columns[v].name.clone();
            let bumped = sql::Expr::binary(BinaryOp::Add, sql::Expr::column("t", name.clone()), sql::Expr::int(1));
            set.push((name, bumped));
        }
        Statement::Update(sql::Update {
            table: meta.table.to_owned(),
            alias: "t".to_owned(),
            set,
            from: Vec::new(),
            filter: Some(key_filter(meta, "t", settable.len(), version.is_some())),
        })
    });
    let mut all = Vec::with_capacity(meta.columns.len());
    value.push_values(&mut all);
    let mut params: Vec<Value> = settable.iter().map(|&c| all[c].clone()).collect();
    params.extend(key_values(value));
    if let Some(v) = version {
        params.push(all[v].clone());
    }
    let changed = ex.run(site, &mut |c| c.execute(rendered, &params, site))?;
    if changed == 0 {
        return Err(missing::<E>(value, version.is_some(), site));
    }
    let mut updated = value.clone();
    if let Some(v) = value.version() {
        updated.set_version(v + 1);
    }
    Ok(updated)
}

fn missing<E: Entity>(value: &E, versioned: bool, site: CallSite) -> Error {
    if versioned {
        Error::Conflict {
            entity: E::NAME,
            key: key_text(value),
            site,
        }
    } else {
        Error::NotFound { site }
    }
}

/// Deletes the row with `value`'s key (and version, if it has one).
pub(crate) fn delete<E: Entity>(ex: &impl Executor, value: &E, site: CallSite) -> Result<u64> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let version = meta.version_column();
    let rendered = cached(meta, Kind::Delete, dialect, || {
        Statement::Delete(sql::Delete {
            table: meta.table.to_owned(),
            alias: "t".to_owned(),
            from: Vec::new(),
            filter: Some(key_filter(meta, "t", 0, version.is_some())),
        })
    });
    let mut params = key_values(value);
    if let Some(v) = version {
        let mut all = Vec::with_capacity(meta.columns.len());
        value.push_values(&mut all);
        params.push(all[v].clone());
    }
    let deleted = ex.run(site, &mut |c| c.execute(rendered, &params, site))?;
    if deleted == 0 && version.is_some() {
        return Err(missing::<E>(value, true, site));
    }
    Ok(deleted)
}

/// Inserts `value`, or updates the row with its key if there is one.
pub(crate) fn upsert<E: Entity>(ex: &impl Executor, value: E, site: CallSite) -> Result<E> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let rendered = cached(meta, Kind::Upsert, dialect, || {
        let target: Vec<String> = meta.key_columns().map(str::to_owned).collect();
        Statement::Insert(Insert {
            table: meta.table.to_owned(),
            columns: meta.columns.iter().map(|c| c.name.clone()).collect(),
            rows: vec![meta.columns.iter().enumerate().map(|(i, c)| param(i, c)).collect()],
            on_conflict: Some(OnConflict {
                target,
                update: meta
                    .columns
                    .iter()
                    .filter(|c| !c.primary_key)
                    .map(|c| c.name.clone())
                    .collect(),
            }),
            returning: Vec::new(),
        })
    });
    let mut params = Vec::with_capacity(meta.columns.len());
    value.push_values(&mut params);
    ex.run(site, &mut |c| c.execute(rendered, &params, site))?;
    Ok(value)
}

//! SQLite: `?` placeholders, dynamic typing, `IS` for null-safe equality.

use crate::Dialect;
use crate::provider::{Capabilities, Provider};
use crate::render;
use crate::tree::{AggFunc, ColumnDef, Expr, Func, Lock, Type, WHOLE_LIST};
use crate::writer::Writer;

/// The SQLite provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Provider for Sqlite {
    /// A list too long for placeholders is one JSON array, read as a
    /// table: one statement serves every length, and no length reaches
    /// SQLite's limit of 32 766 variables.
    fn in_param(&self, w: &mut Writer<'_>, e: &Expr, param: u16, ty: Type, len: u32, negated: bool) {
        if len != WHOLE_LIST || w.is_inline() {
            return render::in_param(w, e, param, ty, len, negated);
        }
        w.expr_grouped(e);
        w.push(if negated { " NOT IN (SELECT " } else { " IN (SELECT " });
        // Bytes travel as hex text.
        w.push(if matches!(ty, Type::Bytes | Type::Uuid) {
            "unhex(value)"
        } else {
            "value"
        });
        w.push(" FROM json_each(");
        let _ = w.bind_whole(param);
        w.push("?))");
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    /// SQLite keeps the tables of a `CROSS JOIN` in the order written (its
    /// documented way to force a join order); a plain `JOIN` without `ON`
    /// is the same product, which its planner may reorder as it would a
    /// comma. TPC-H Q9 ran 265× slower than the spec with `CROSS JOIN`.
    fn cross_join(&self) -> &'static str {
        " JOIN "
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            returning: true,
            for_update: false,
            max_params: 32766,
            indexes_foreign_keys: false,
        }
    }

    fn is_not_distinct(&self, w: &mut Writer<'_>, left: &Expr, right: &Expr, negated: bool) {
        w.expr_grouped(left);
        w.push(if negated { " IS NOT " } else { " IS " });
        w.expr_grouped(right);
    }

    fn func(&self, w: &mut Writer<'_>, f: Func, args: &[Expr]) {
        match f {
            Func::ByteLength => {
                w.push("length(CAST(");
                w.exprs(args);
                w.push(" AS BLOB))");
            }
            Func::CharLength => render::call(w, "length", args),
            // Dates are ISO text; foal registers these functions on each
            // connection (SQLite's own date functions keep milliseconds only).
            Func::AddMicros => render::call(w, "foal_add_micros", args),
            Func::AddDays => render::call(w, "foal_add_days", args),
            // Registered in Rust on each connection, as the date functions.
            Func::MicrosBetween | Func::DaysBetween => render::call(w, "foal_micros_between", args),
            // Decimals are text; their order is a key's, computed in Rust.
            Func::DecimalKey => render::call(w, "foal_decimal_key", args),

            Func::Greatest => render::call(w, "max", args),
            Func::Least => render::call(w, "min", args),
            Func::Year | Func::Month | Func::Day | Func::Hour | Func::Minute | Func::Second => {
                let format = match f {
                    Func::Year => "%Y",
                    Func::Month => "%m",
                    Func::Day => "%d",
                    Func::Hour => "%H",
                    Func::Minute => "%M",
                    _ => "%S",
                };
                w.push("CAST(strftime('");
                w.push(format);
                w.push("', ");
                w.exprs(args);
                w.push(") AS INTEGER)");
            }
            _ => render::func(w, f, args),
        }
    }

    fn cast_type(&self, ty: Type) -> &'static str {
        match ty {
            Type::Bool | Type::I16 | Type::I32 | Type::I64 => "INTEGER",
            Type::F32 | Type::F64 => "REAL",
            Type::Bytes | Type::Uuid => "BLOB",
            Type::Text | Type::Date | Type::DateTime | Type::Timestamp | Type::Time | Type::Decimal | Type::Json => {
                "TEXT"
            }
        }
    }

    fn aggregate(&self, w: &mut Writer<'_>, f: AggFunc, distinct: bool, arg: Option<&Expr>, separator: Option<&str>) {
        // Exact decimal aggregates, registered in Rust on each connection.
        let decimal = match f {
            AggFunc::DecimalSum => Some("foal_decimal_sum("),
            AggFunc::DecimalMin => Some("foal_decimal_min("),
            AggFunc::DecimalMax => Some("foal_decimal_max("),
            _ => None,
        };
        if let (Some(name), Some(arg)) = (decimal, arg) {
            w.push(name);
            if distinct {
                w.push("DISTINCT ");
            }
            w.expr(arg);
            w.push(")");
            return;
        }
        if let (AggFunc::GroupConcat, Some(arg)) = (f, arg) {
            w.push("group_concat(");
            w.expr(arg);
            w.push(", ");
            w.string_constant(separator.unwrap_or(","));
            w.push(" ORDER BY ");
            w.expr(arg);
            w.push(")");
            return;
        }
        render::aggregate(w, f, distinct, arg, separator);
    }

    fn limit_offset(&self, w: &mut Writer<'_>, limit: Option<&Expr>, offset: Option<&Expr>) {
        w.push(" LIMIT ");
        match limit {
            Some(limit) => w.expr(limit),
            None => w.push("-1"),
        }
        if let Some(offset) = offset {
            w.push(" OFFSET ");
            w.expr(offset);
        }
    }

    /// SQLite has no row locks; the runtime takes the write lock for the
    /// whole transaction (`BEGIN IMMEDIATE`) instead.
    fn lock(&self, _w: &mut Writer<'_>, _lock: Lock) {}

    fn column_type(&self, column: &ColumnDef) -> String {
        match column.ty {
            Type::Bool => "BOOLEAN",
            Type::I16 | Type::I32 | Type::I64 => "INTEGER",
            Type::F32 | Type::F64 => "REAL",
            Type::Bytes | Type::Uuid => "BLOB",
            Type::Text | Type::Date | Type::DateTime | Type::Timestamp | Type::Time | Type::Decimal | Type::Json => {
                "TEXT"
            }
        }
        .to_owned()
    }

    fn column_def(&self, w: &mut Writer<'_>, column: &ColumnDef, single_key: bool) {
        if column.auto && single_key {
            w.push("INTEGER PRIMARY KEY");
        } else {
            render::column_def(w, column, single_key);
        }
    }

    fn inline_auto_key(&self) -> bool {
        true
    }
}

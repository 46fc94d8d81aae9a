//! MySQL and MariaDB: backtick quoting, `CONCAT`, `DIV`, `<=>`, and a
//! session set up by the runtime with `NO_BACKSLASH_ESCAPES` and a binary,
//! no-padding collation.

use crate::Dialect;
use crate::provider::{Capabilities, Provider};
use crate::render;
use crate::tree::{AggFunc, BinaryOp, ColumnDef, Delete, Expr, Func, OnConflict, Select, Type, WHOLE_LIST};
use crate::writer::Writer;

/// The column type of an exact decimal: every `rust_decimal` value (at
/// most 29 digits before the point and 28 after) fits, as do sums up to
/// 37 digits before the point.
const DECIMAL: &str = "DECIMAL(65,28)";

/// The MySQL / MariaDB provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mysql;

/// Pattern of the whitespace Rust's `trim` removes, for `REGEXP_REPLACE`.
const TRIM_PATTERN: &str = "^[\\x{9}-\\x{D}\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]+|[\\x{9}-\\x{D}\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]+$";

fn concat_operands<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Binary {
            op: BinaryOp::Concat,
            left,
            right,
        } => {
            concat_operands(left, out);
            concat_operands(right, out);
        }
        other => out.push(other),
    }
}

impl Provider for Mysql {
    /// Text with a backslash is written in hex: under MySQL's default mode
    /// a backslash in quotes is an escape, under foal's
    /// (`NO_BACKSLASH_ESCAPES`) it is itself; the hex form means the same
    /// text in both (`sql_inline` output is pasted into any session).
    fn string_literal(&self, out: &mut String, text: &str) {
        if !text.contains('\\') {
            out.push('\'');
            out.push_str(&text.replace('\'', "''"));
            out.push('\'');
            return;
        }
        out.push_str("CONVERT(X'");
        for b in text.as_bytes() {
            out.push_str(&format!("{b:02X}"));
        }
        out.push_str("' USING utf8mb4) COLLATE utf8mb4_nopad_bin");
    }

    /// A list too long for placeholders (MySQL takes 65 535 per
    /// statement) is one JSON array, read with `JSON_TABLE` as a column of
    /// the list's type (text with the columns' own collation): one
    /// statement serves every length.
    fn in_param(&self, w: &mut Writer<'_>, e: &Expr, param: u16, ty: Type, len: u32, negated: bool) {
        if len != WHOLE_LIST || w.is_inline() {
            return render::in_param(w, e, param, ty, len, negated);
        }
        let column = match ty {
            Type::F32 | Type::F64 => "DOUBLE",
            Type::Text | Type::Bytes | Type::Uuid => "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin",
            Type::Date => "DATE",
            Type::DateTime | Type::Timestamp => "DATETIME(6)",
            Type::Time => "TIME(6)",
            Type::Decimal => DECIMAL,
            Type::Json => "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin",
            _ => "BIGINT",
        };
        w.expr_grouped(e);
        w.push(if negated { " NOT IN (SELECT " } else { " IN (SELECT " });
        w.push(if matches!(ty, Type::Bytes | Type::Uuid) {
            "UNHEX(`v`)"
        } else {
            "`v`"
        });
        w.push(" FROM JSON_TABLE(");
        let _ = w.bind_whole(param);
        w.push("?, '$[*]' COLUMNS (`v` ");
        w.push(column);
        w.push(" PATH '$')) AS `foal_list`)");
    }

    /// A date travels as a DATETIME value in the binary protocol; cast
    /// back to DATE, a comparison with a DATE column compares dates instead
    /// of converting the column on every row (TPC-H Q6 ran 1.6× slower).
    ///
    /// A decimal travels as its text; cast, it compares as a decimal (MySQL
    /// compares a DECIMAL column with a string as doubles).
    fn placeholder(&self, w: &mut Writer<'_>, n: usize, ty: Type) {
        let _ = n;
        w.push(match ty {
            Type::Date => "CAST(? AS DATE)",
            Type::Decimal => "CAST(? AS DECIMAL(65,28))",
            _ => "?",
        });
    }

    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            returning: false,
            for_update: true,
            max_params: 65535,
            indexes_foreign_keys: true,
        }
    }

    fn quote_char(&self) -> char {
        '`'
    }

    fn literal(&self, w: &mut Writer<'_>, lit: &crate::Literal) {
        render::literal(w, lit);
        // `1.5` is DECIMAL in MySQL; an exponent makes it a DOUBLE.
        if let crate::Literal::Float(v) = lit
            && !format!("{v:?}").contains(['e', 'E'])
        {
            w.push("e0");
        }
    }

    /// A FULL JOIN is emulated: the LEFT JOIN, then the unmatched rows of the
    /// right side (`emulate.rs`).
    fn select(&self, w: &mut Writer<'_>, s: &Select) {
        match crate::emulate::without_full_joins(s) {
            Some(emulated) => render::select(w, &emulated),
            None => render::select(w, s),
        }
    }

    fn binary(&self, w: &mut Writer<'_>, op: BinaryOp, left: &Expr, right: &Expr) {
        match op {
            BinaryOp::Concat => {
                let mut parts = Vec::new();
                concat_operands(left, &mut parts);
                concat_operands(right, &mut parts);
                w.push("CONCAT(");
                for (i, part) in parts.into_iter().enumerate() {
                    if i > 0 {
                        w.push(", ");
                    }
                    w.expr(part);
                }
                w.push(")");
            }
            BinaryOp::IntDiv => {
                render::operand(w, op, left, false);
                w.push(" DIV ");
                render::operand(w, op, right, true);
            }
            _ => render::binary(w, op, left, right),
        }
    }

    fn is_not_distinct(&self, w: &mut Writer<'_>, left: &Expr, right: &Expr, negated: bool) {
        if negated {
            w.push("NOT (");
        }
        w.expr_grouped(left);
        w.push(" <=> ");
        w.expr_grouped(right);
        if negated {
            w.push(")");
        }
    }

    fn func(&self, w: &mut Writer<'_>, f: Func, args: &[Expr]) {
        match f {
            Func::ByteLength => render::call(w, "LENGTH", args),
            Func::CharLength => render::call(w, "CHAR_LENGTH", args),
            Func::Trim => {
                w.push("REGEXP_REPLACE(");
                w.exprs(args);
                w.push(", ");
                w.string_constant(TRIM_PATTERN);
                w.push(", '')");
            }
            Func::Year | Func::Month | Func::Day | Func::Hour | Func::Minute | Func::Second => {
                render::call(w, render::date_part(f), args)
            }
            Func::MicrosBetween | Func::DaysBetween => {
                if let [a, b] = args {
                    w.push("TIMESTAMPDIFF(MICROSECOND, ");
                    w.expr(b);
                    w.push(", ");
                    w.expr(a);
                    w.push(")");
                }
            }
            Func::AddMicros | Func::AddDays => {
                if let [a, b] = args {
                    w.push("DATE_ADD(");
                    w.expr(a);
                    w.push(", INTERVAL ");
                    w.expr(b);
                    w.push(if f == Func::AddDays { " DAY)" } else { " MICROSECOND)" });
                }
            }

            _ => render::func(w, f, args),
        }
    }

    fn cast_type(&self, ty: Type) -> &'static str {
        match ty {
            Type::Bool | Type::I16 | Type::I32 | Type::I64 => "SIGNED",
            Type::F32 | Type::F64 => "DOUBLE",
            Type::Text | Type::Json => "CHAR",
            Type::Bytes => "BINARY",
            Type::Uuid => "BINARY(16)",
            Type::Decimal => DECIMAL,
            Type::Date => "DATE",
            Type::DateTime | Type::Timestamp => "DATETIME(6)",
            Type::Time => "TIME(6)",
        }
    }

    /// Float to integer truncates toward zero as Rust's `as` does.
    fn cast(&self, w: &mut Writer<'_>, e: &Expr, from: Type, to: Type) {
        w.push("CAST(");
        if from.is_float() && to.is_integer() {
            w.push("TRUNCATE(");
            w.expr(e);
            w.push(", 0)");
        } else {
            w.expr(e);
        }
        w.push(" AS ");
        w.push(self.cast_type(to));
        w.push(")");
    }

    fn aggregate(&self, w: &mut Writer<'_>, f: AggFunc, distinct: bool, arg: Option<&Expr>, separator: Option<&str>) {
        if let (AggFunc::GroupConcat, Some(arg)) = (f, arg) {
            w.push("GROUP_CONCAT(");
            if distinct {
                w.push("DISTINCT ");
            }
            w.expr(arg);
            w.push(" ORDER BY ");
            w.expr(arg);
            w.push(" SEPARATOR ");
            w.string_constant(separator.unwrap_or(","));
            w.push(")");
            return;
        }
        render::aggregate(w, f, distinct, arg, separator);
    }

    fn limit_offset(&self, w: &mut Writer<'_>, limit: Option<&Expr>, offset: Option<&Expr>) {
        w.push(" LIMIT ");
        match limit {
            Some(limit) => w.expr(limit),
            None => w.push("18446744073709551615"),
        }
        if let Some(offset) = offset {
            w.push(" OFFSET ");
            w.expr(offset);
        }
    }

    fn column_type(&self, column: &ColumnDef) -> String {
        let text = match (column.ty, column.max_len) {
            (Type::Text, Some(n)) => return format!("VARCHAR({n})"),
            (Type::Text, None) if column.indexed => "VARCHAR(255)",
            (Type::Text, None) => "LONGTEXT",
            (Type::Bytes, _) if column.indexed => "VARBINARY(255)",
            (Type::Bytes, _) => "LONGBLOB",
            (Type::Uuid, _) => "BINARY(16)",
            (Type::Decimal, _) => DECIMAL,
            // MariaDB's JSON is LONGTEXT checked by JSON_VALID.
            (Type::Json, _) => "JSON",
            (Type::Bool, _) => "BOOLEAN",
            (Type::I16, _) => "SMALLINT",
            (Type::I32, _) => "INT",
            (Type::I64, _) => "BIGINT",
            (Type::F32, _) => "FLOAT",
            (Type::F64, _) => "DOUBLE",
            (Type::Date, _) => "DATE",
            (Type::DateTime, _) | (Type::Timestamp, _) => "DATETIME(6)",
            (Type::Time, _) => "TIME(6)",
        };
        text.to_owned()
    }

    fn column_def(&self, w: &mut Writer<'_>, column: &ColumnDef, single_key: bool) {
        render::column_def(w, column, single_key);
        if column.auto {
            w.push(" AUTO_INCREMENT");
        }
    }

    /// Byte order without padding (`utf8mb4_bin` would find `'a' = 'a '`).
    /// This is MariaDB's name; the runtime swaps in `utf8mb4_0900_bin` on
    /// MySQL 8.
    fn table_options(&self) -> &'static str {
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"
    }

    fn on_conflict(&self, w: &mut Writer<'_>, _table: &str, c: &OnConflict) {
        w.push(" ON DUPLICATE KEY UPDATE ");
        if c.update.is_empty() && c.bump.is_none() {
            if let Some(first) = c.target.first() {
                w.ident(first);
                w.push(" = ");
                w.ident(first);
            }
            return;
        }
        for (n, column) in c.update.iter().enumerate() {
            if n > 0 {
                w.push(", ");
            }
            w.ident(column);
            w.push(" = VALUES(");
            w.ident(column);
            w.push(")");
        }
        render::bump(w, None, c);
    }

    /// MySQL spells an aliased (and a joined) delete as `DELETE a FROM t AS a`.
    fn delete(&self, w: &mut Writer<'_>, d: &Delete) {
        w.push("DELETE ");
        w.ident(&d.alias);
        w.push(" FROM ");
        w.ident(&d.table);
        w.push(" AS ");
        w.ident(&d.alias);
        for join in &d.from {
            w.push(", ");
            if let crate::tree::TableSource::Table(name) = &join.source {
                w.ident(name);
            }
            w.push(" AS ");
            w.ident(&join.alias);
        }
        let mut first = true;
        for cond in d.from.iter().filter_map(|j| j.on.as_ref()).chain(d.filter.as_ref()) {
            w.push(if first { " WHERE " } else { " AND " });
            first = false;
            w.expr_grouped(cond);
        }
    }
}

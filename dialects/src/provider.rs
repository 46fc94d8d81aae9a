//! The one trait every dialect implements. Each method has the standard SQL
//! rendering as its default; a provider overrides only what its backend spells
//! differently.

use crate::Dialect;
use crate::render;
use crate::tree::{
    AggFunc, BinaryOp, ColumnDef, Compound, CreateIndex, CreateTable, Delete, Expr, Func, Insert, Literal, Lock,
    OnConflict, OrderBy, Select, Type, Update, WindowFunc, WindowSpec,
};
use crate::writer::Writer;

/// Capabilities that change what the runtime asks of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// `INSERT … RETURNING` is available.
    pub returning: bool,
    /// `SELECT … FOR UPDATE` is available.
    pub for_update: bool,
    /// Largest number of bound parameters in one statement.
    pub max_params: usize,
    /// A `FOREIGN KEY` creates its own index (MySQL's InnoDB); elsewhere
    /// foal creates one (see [`crate::tree::CreateTable::foreign_key_indexes`]).
    pub indexes_foreign_keys: bool,
}

pub trait Provider: Sync {
    fn dialect(&self) -> Dialect;

    fn capabilities(&self) -> Capabilities;

    /// The identifier quote character.
    fn quote_char(&self) -> char {
        '"'
    }

    /// Writes the `n`th placeholder (1-based) of a statement.
    fn placeholder(&self, w: &mut Writer<'_>, n: usize, ty: Type) {
        let _ = (n, ty);
        w.push("?");
    }

    /// Writes a string constant, doubling single quotes.
    fn string_literal(&self, out: &mut String, text: &str) {
        out.push('\'');
        for c in text.chars() {
            if c == '\'' {
                out.push('\'');
            }
            out.push(c);
        }
        out.push('\'');
    }

    /// Writes a byte-string constant (only used by `sql_inline`).
    fn bytes_literal(&self, out: &mut String, bytes: &[u8]) {
        out.push_str("X'");
        for b in bytes {
            out.push_str(&format!("{b:02X}"));
        }
        out.push('\'');
    }

    fn literal(&self, w: &mut Writer<'_>, lit: &Literal) {
        render::literal(w, lit);
    }

    fn expr(&self, w: &mut Writer<'_>, e: &Expr) {
        render::expr(w, e);
    }

    fn binary(&self, w: &mut Writer<'_>, op: BinaryOp, left: &Expr, right: &Expr) {
        render::binary(w, op, left, right);
    }

    /// Null-safe equality.
    fn is_not_distinct(&self, w: &mut Writer<'_>, left: &Expr, right: &Expr, negated: bool) {
        w.expr_grouped(left);
        w.push(if negated {
            " IS DISTINCT FROM "
        } else {
            " IS NOT DISTINCT FROM "
        });
        w.expr_grouped(right);
    }

    /// The keyword of a join without a condition of its own (the
    /// conditions are in WHERE).
    fn cross_join(&self) -> &'static str {
        " CROSS JOIN "
    }

    fn like(&self, w: &mut Writer<'_>, e: &Expr, pattern: &Expr, negated: bool) {
        w.expr_grouped(e);
        w.push(if negated { " NOT LIKE " } else { " LIKE " });
        w.expr_grouped(pattern);
        // `!`, not `\`: a backslash in a literal means something else with
        // MySQL's default mode and PostgreSQL's old string syntax, and
        // `sql_inline` text must mean the same under every setting.
        w.push(" ESCAPE '!'");
    }

    fn in_param(&self, w: &mut Writer<'_>, e: &Expr, param: u16, ty: Type, len: u32, negated: bool) {
        render::in_param(w, e, param, ty, len, negated);
    }

    fn func(&self, w: &mut Writer<'_>, f: Func, args: &[Expr]) {
        render::func(w, f, args);
    }

    /// The type name used in `CAST(x AS …)`.
    fn cast_type(&self, ty: Type) -> &'static str;

    fn cast(&self, w: &mut Writer<'_>, e: &Expr, from: Type, to: Type) {
        let _ = from;
        w.push("CAST(");
        w.expr(e);
        w.push(" AS ");
        w.push(self.cast_type(to));
        w.push(")");
    }

    fn aggregate(&self, w: &mut Writer<'_>, f: AggFunc, distinct: bool, arg: Option<&Expr>, separator: Option<&str>) {
        render::aggregate(w, f, distinct, arg, separator);
    }

    fn select(&self, w: &mut Writer<'_>, s: &Select) {
        render::select(w, s);
    }

    /// A set operation (see [`Compound`]).
    fn compound(&self, w: &mut Writer<'_>, c: &Compound) {
        render::compound(w, c);
    }

    /// `func OVER (window)`.
    fn window(&self, w: &mut Writer<'_>, func: &Expr, spec: &WindowSpec) {
        render::window(w, func, spec);
    }

    /// A ranking or offset function (inside a window).
    fn window_call(&self, w: &mut Writer<'_>, func: WindowFunc, args: &[Expr]) {
        render::window_call(w, func, args);
    }

    /// One ORDER BY key. Rust sorts `None` before `Some`; this default
    /// assumes the backend sorts NULL as the smallest value.
    fn order_item(&self, w: &mut Writer<'_>, o: &OrderBy) {
        w.expr(&o.expr);
        if o.desc {
            w.push(" DESC");
        }
    }

    fn limit_offset(&self, w: &mut Writer<'_>, limit: Option<&Expr>, offset: Option<&Expr>) {
        if let Some(limit) = limit {
            w.push(" LIMIT ");
            w.expr(limit);
        }
        if let Some(offset) = offset {
            w.push(" OFFSET ");
            w.expr(offset);
        }
    }

    fn lock(&self, w: &mut Writer<'_>, lock: Lock) {
        w.push(match lock {
            Lock::ForUpdate => " FOR UPDATE",
            Lock::ForUpdateNowait => " FOR UPDATE NOWAIT",
            Lock::ForUpdateSkipLocked => " FOR UPDATE SKIP LOCKED",
        });
    }

    /// The column type in `CREATE TABLE`.
    fn column_type(&self, column: &ColumnDef) -> String;

    /// A column definition of `CREATE TABLE`, without the name.
    fn column_def(&self, w: &mut Writer<'_>, column: &ColumnDef, single_key: bool) {
        render::column_def(w, column, single_key);
    }

    /// Whether a single auto-generated key is declared inline
    /// (`INTEGER PRIMARY KEY`) rather than as a table constraint.
    fn inline_auto_key(&self) -> bool {
        false
    }

    fn create_table(&self, w: &mut Writer<'_>, t: &CreateTable) {
        render::create_table(w, t);
    }

    fn create_index(&self, w: &mut Writer<'_>, i: &CreateIndex) {
        render::create_index(w, i);
    }

    fn drop_table(&self, w: &mut Writer<'_>, table: &str, if_exists: bool) {
        render::drop_table(w, table, if_exists);
    }

    /// Text after the closing parenthesis of `CREATE TABLE`.
    fn table_options(&self) -> &'static str {
        ""
    }

    fn insert(&self, w: &mut Writer<'_>, i: &Insert) {
        render::insert(w, i);
    }

    /// `table` is the table inserted into.
    fn on_conflict(&self, w: &mut Writer<'_>, table: &str, c: &OnConflict) {
        render::on_conflict(w, table, c);
    }

    fn update(&self, w: &mut Writer<'_>, u: &Update) {
        render::update(w, u);
    }

    fn delete(&self, w: &mut Writer<'_>, d: &Delete) {
        render::delete(w, d);
    }
}

/// Shortest text that reads back as the same double, always with a decimal
/// point or exponent so no backend takes it for an integer.
pub fn float_text(v: f64) -> String {
    let text = format!("{v:?}");
    if text.contains(['.', 'e', 'E']) || !v.is_finite() {
        text
    } else {
        format!("{text}.0")
    }
}

//! Default rendering of expressions and SELECT, shared by every provider.
//! A provider overrides a hook of [`Provider`](crate::Provider) where its
//! dialect differs; everything else lands here.

use crate::tree::{AggFunc, BinaryOp, Expr, Func, JoinKind, Literal, Select, TableSource, UnaryOp};
use crate::writer::{Bind, Writer};

/// Precedence of an atom: never needs parentheses.
pub(crate) const ATOM: u8 = 9;
const COMPARISON: u8 = 4;

/// Binding strength of the node at the top of `expr`, higher binds tighter.
pub(crate) fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::Binary { op, .. } => binary_precedence(*op),
        Expr::Unary { op: UnaryOp::Not, .. } => 3,
        Expr::Unary { op: UnaryOp::Neg, .. } => 8,
        Expr::Literal(Literal::Int(v)) if *v < 0 => 8,
        Expr::Literal(Literal::Float(v)) if v.is_sign_negative() => 8,
        Expr::IsNull { .. }
        | Expr::IsNotDistinct { .. }
        | Expr::Like { .. }
        | Expr::InList { .. }
        | Expr::InParam { .. }
        | Expr::InSubquery { .. } => COMPARISON,
        Expr::Exists { negated: true, .. } => 3,
        _ => ATOM,
    }
}

fn binary_precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => COMPARISON,
        BinaryOp::Concat => 5,
        BinaryOp::Add | BinaryOp::Sub => 6,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::IntDiv | BinaryOp::Rem => 7,
    }
}

fn associative(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::And | BinaryOp::Or | BinaryOp::Add | BinaryOp::Mul | BinaryOp::Concat
    )
}

/// Writes an operand of `op`, adding parentheses where precedence requires.
pub(crate) fn operand(w: &mut Writer<'_>, op: BinaryOp, child: &Expr, right: bool) {
    let parent = binary_precedence(op);
    let child_prec = precedence(child);
    let same_chain = matches!(child, Expr::Binary { op: c, .. } if *c == op && associative(op));
    let wrap = child_prec < parent
        || (child_prec == parent && parent == COMPARISON)
        || (right && child_prec == parent && !same_chain);
    if wrap {
        w.push("(");
        w.expr(child);
        w.push(")");
    } else {
        w.expr(child);
    }
}

pub(crate) fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Eq => " = ",
        BinaryOp::Ne => " <> ",
        BinaryOp::Lt => " < ",
        BinaryOp::Le => " <= ",
        BinaryOp::Gt => " > ",
        BinaryOp::Ge => " >= ",
        BinaryOp::And => " AND ",
        BinaryOp::Or => " OR ",
        BinaryOp::Add => " + ",
        BinaryOp::Sub => " - ",
        BinaryOp::Mul => " * ",
        BinaryOp::Div | BinaryOp::IntDiv => " / ",
        BinaryOp::Rem => " % ",
        BinaryOp::Concat => " || ",
    }
}

/// `left <op> right` with the standard operator spelling.
pub fn binary(w: &mut Writer<'_>, op: BinaryOp, left: &Expr, right: &Expr) {
    operand(w, op, left, false);
    w.push(binary_symbol(op));
    operand(w, op, right, true);
}

/// The standard spelling of a literal.
pub fn literal(w: &mut Writer<'_>, lit: &Literal) {
    match lit {
        Literal::Null => w.push("NULL"),
        Literal::Bool(true) => w.push("TRUE"),
        Literal::Bool(false) => w.push("FALSE"),
        Literal::Int(i64::MIN) => w.push("(-9223372036854775807 - 1)"),
        Literal::Int(v) => w.push(&v.to_string()),
        Literal::Float(v) => w.push(&crate::provider::float_text(*v)),
        Literal::Text(t) => w.string_constant(t),
    }
}

/// The default walk over an expression; providers call back into `w` for
/// children, so overriding one hook changes it everywhere.
pub fn expr(w: &mut Writer<'_>, e: &Expr) {
    let p = w.provider();
    match e {
        Expr::Column(c) => w.qualified(&c.table, &c.column),
        Expr::Param { index, ty } => w.bind(Bind::Param(*index), *ty),
        Expr::Literal(lit) => p.literal(w, lit),
        Expr::Unary { op: UnaryOp::Not, expr } => {
            w.push("NOT ");
            w.expr_grouped(expr);
        }
        Expr::Unary { op: UnaryOp::Neg, expr } => {
            w.push("-");
            w.expr_grouped(expr);
        }
        Expr::Binary { op, left, right } => p.binary(w, *op, left, right),
        Expr::IsNull { expr, negated } => {
            w.expr_grouped(expr);
            w.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
        }
        Expr::IsNotDistinct { left, right, negated } => p.is_not_distinct(w, left, right, *negated),
        Expr::Like { expr, pattern, negated } => p.like(w, expr, pattern, *negated),
        Expr::InList { expr, items, negated } => {
            if items.is_empty() {
                return p.literal(w, &Literal::Bool(*negated));
            }
            w.expr_grouped(expr);
            w.push(if *negated { " NOT IN (" } else { " IN (" });
            w.exprs(items);
            w.push(")");
        }
        Expr::InParam {
            expr,
            param,
            ty,
            len,
            negated,
        } => p.in_param(w, expr, *param, *ty, *len, *negated),
        Expr::InSubquery { expr, query, negated } => {
            w.expr_grouped(expr);
            w.push(if *negated { " NOT IN (" } else { " IN (" });
            w.select(query);
            w.push(")");
        }
        Expr::Exists { query, negated } => {
            w.push(if *negated { "NOT EXISTS (" } else { "EXISTS (" });
            w.select(query);
            w.push(")");
        }
        Expr::Subquery(query) => {
            w.push("(");
            w.select(query);
            w.push(")");
        }
        Expr::Case { branches, otherwise } => {
            w.push("CASE");
            for (when, then) in branches {
                w.push(" WHEN ");
                w.expr(when);
                w.push(" THEN ");
                w.expr(then);
            }
            if let Some(otherwise) = otherwise {
                w.push(" ELSE ");
                w.expr(otherwise);
            }
            w.push(" END");
        }
        Expr::Func { func, args } => p.func(w, *func, args),
        Expr::Cast { expr, from, to } => p.cast(w, expr, *from, *to),
        Expr::Aggregate {
            func,
            distinct,
            arg,
            separator,
        } => p.aggregate(w, *func, *distinct, arg.as_deref(), separator.as_deref()),
        Expr::Tuple(items) => {
            w.push("(");
            w.exprs(items);
            w.push(")");
        }
    }
}

/// `expr IN (?, ?, …)` over the elements of a list parameter.
pub fn in_param(w: &mut Writer<'_>, e: &Expr, param: u16, ty: crate::Type, len: u32, negated: bool) {
    if len == 0 {
        return w.provider().literal(w, &Literal::Bool(negated));
    }
    w.expr_grouped(e);
    w.push(if negated { " NOT IN (" } else { " IN (" });
    for item in 0..len {
        if item > 0 {
            w.push(", ");
        }
        w.bind(Bind::Item { param, item }, ty);
    }
    w.push(")");
}

/// Standard spelling of a call `name(a, b, …)`.
pub fn call(w: &mut Writer<'_>, name: &str, args: &[Expr]) {
    w.push(name);
    w.push("(");
    w.exprs(args);
    w.push(")");
}

/// Characters Rust's `char::is_whitespace` accepts, which `trim` removes.
pub const WHITESPACE: &str = "\u{9}\u{A}\u{B}\u{C}\u{D}\u{20}\u{85}\u{A0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}";

/// Functions whose spelling is the same on most backends.
pub fn func(w: &mut Writer<'_>, f: Func, args: &[Expr]) {
    match f {
        Func::Lower => call(w, "lower", args),
        Func::Upper => call(w, "upper", args),
        Func::ByteLength => call(w, "octet_length", args),
        Func::CharLength => call(w, "char_length", args),
        Func::Trim => {
            w.push("trim(");
            w.exprs(args);
            w.push(", ");
            w.string_constant(WHITESPACE);
            w.push(")");
        }
        Func::Abs => call(w, "abs", args),
        Func::Round => round(w, args),
        Func::Coalesce => call(w, "COALESCE", args),
        Func::NullIf => call(w, "NULLIF", args),
        Func::Greatest => call(w, "GREATEST", args),
        Func::Least => call(w, "LEAST", args),
        Func::LikeEscape => {
            w.push("replace(replace(replace(");
            w.exprs(args);
            w.push(", '\\', '\\\\'), '%', '\\%'), '_', '\\_')");
        }
        Func::Year | Func::Month | Func::Day | Func::Hour | Func::Minute | Func::Second => {
            w.push("EXTRACT(");
            w.push(date_part(f));
            w.push(" FROM ");
            w.exprs(args);
            w.push(")");
        }
        Func::AddMicros | Func::AddDays => {
            // Standard SQL: `x + n * INTERVAL '1' UNIT`.
            if let [a, b] = args {
                w.push("(");
                w.expr(a);
                w.push(" + ");
                w.expr_grouped(b);
                w.push(if f == Func::AddDays {
                    " * INTERVAL '1 day')"
                } else {
                    " * INTERVAL '1 microsecond')"
                });
            }
        }
    }
}

pub(crate) fn date_part(f: Func) -> &'static str {
    match f {
        Func::Year => "YEAR",
        Func::Month => "MONTH",
        Func::Day => "DAY",
        Func::Hour => "HOUR",
        Func::Minute => "MINUTE",
        _ => "SECOND",
    }
}

/// Rounds half away from zero exactly as `f64::round` does, from `floor`
/// alone: `x - floor(x)` is exact for every double, so the comparison with
/// 0.5 never suffers the `x + 0.5` rounding error.
fn round(w: &mut Writer<'_>, args: &[Expr]) {
    let Some(x) = args.first() else { return };
    let neg = Expr::unary(UnaryOp::Neg, x.clone());
    w.push("CASE WHEN ");
    w.expr_grouped(x);
    w.push(" < 0 THEN -(");
    half_up(w, &neg);
    w.push(") ELSE ");
    half_up(w, x);
    w.push(" END");
}

fn half_up(w: &mut Writer<'_>, x: &Expr) {
    w.push("floor(");
    w.expr(x);
    w.push(") + CASE WHEN ");
    w.expr_grouped(x);
    w.push(" - floor(");
    w.expr(x);
    w.push(") >= 0.5 THEN 1 ELSE 0 END");
}

/// Standard aggregate spelling.
pub fn aggregate(w: &mut Writer<'_>, f: AggFunc, distinct: bool, arg: Option<&Expr>, separator: Option<&str>) {
    let name = match f {
        AggFunc::CountRows => return w.push("COUNT(*)"),
        AggFunc::Count => "COUNT",
        AggFunc::Sum => "SUM",
        AggFunc::Avg => "AVG",
        AggFunc::Min => "MIN",
        AggFunc::Max => "MAX",
        AggFunc::GroupConcat => "string_agg",
    };
    w.push(name);
    w.push("(");
    if distinct {
        w.push("DISTINCT ");
    }
    if let Some(arg) = arg {
        w.expr(arg);
    }
    if let Some(sep) = separator {
        w.push(", ");
        w.string_constant(sep);
    }
    w.push(")");
}

/// The standard SELECT.
pub fn select(w: &mut Writer<'_>, s: &Select) {
    let p = w.provider();
    w.push("SELECT ");
    if s.distinct {
        w.push("DISTINCT ");
    }
    for (i, item) in s.items.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.expr(&item.expr);
        if let Some(alias) = &item.alias {
            w.push(" AS ");
            w.ident(alias);
        }
    }
    if !s.from.is_empty() {
        w.push(" FROM ");
        for (i, join) in s.from.iter().enumerate() {
            if i > 0 {
                // `CROSS JOIN` rather than a comma: a later `JOIN … ON` may
                // then refer to any earlier table (PostgreSQL and MySQL
                // bind a comma looser than JOIN).
                w.push(match join.kind {
                    JoinKind::Cross => " CROSS JOIN ",

                    JoinKind::Inner => " INNER JOIN ",
                    JoinKind::Left => " LEFT JOIN ",
                });
            }
            match &join.source {
                TableSource::Table(name) => w.ident(name),
                TableSource::Query(q) => {
                    w.push("(");
                    w.select(q);
                    w.push(")");
                }
            }
            w.push(" AS ");
            w.ident(&join.alias);
            if i > 0 && join.kind != JoinKind::Cross {
                w.push(" ON ");
                match &join.on {
                    Some(on) => w.expr(on),
                    None => p.literal(w, &Literal::Bool(true)),
                }
            }
        }
    }
    // A first table has no ON of its own; a condition given for it still
    // holds, as part of WHERE (never dropped).
    let first_on = s.from.first().and_then(|j| j.on.as_ref());
    match (first_on, &s.filter) {
        (None, None) => {}
        (Some(on), None) | (None, Some(on)) => {
            w.push(" WHERE ");
            w.expr(on);
        }
        (Some(on), Some(filter)) => {
            w.push(" WHERE ");
            w.expr(&on.clone().and(filter.clone()));
        }
    }
    if !s.group_by.is_empty() {
        w.push(" GROUP BY ");
        w.exprs(&s.group_by);
    }
    if let Some(having) = &s.having {
        w.push(" HAVING ");
        w.expr(having);
    }
    if !s.order_by.is_empty() {
        w.push(" ORDER BY ");
        for (i, o) in s.order_by.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            p.order_item(w, o);
        }
    }
    if s.limit.is_some() || s.offset.is_some() {
        p.limit_offset(w, s.limit.as_ref(), s.offset.as_ref());
    }
    if let Some(lock) = s.lock {
        p.lock(w, lock);
    }
}

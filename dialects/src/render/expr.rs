//! Default rendering of expressions, shared by every provider. A provider
//! overrides a hook of [`Provider`](crate::Provider) where its dialect
//! differs; everything else lands here.

use crate::tree::{
    AggFunc, BinaryOp, Expr, FrameBound, FrameUnits, Func, Literal, UnaryOp, WindowFunc, WindowSpec, precedence,
};
use crate::writer::{Bind, Writer};

/// Writes an operand of `op`, adding parentheses where precedence requires.
pub(crate) fn operand(w: &mut Writer<'_>, op: BinaryOp, child: &Expr, right: bool) {
    let parent = op.precedence();
    let child_prec = child.precedence();
    let same_chain = matches!(child, Expr::Binary { op: c, .. } if *c == op && op.is_associative());
    let wrap = child_prec < parent
        || (child_prec == parent && parent == precedence::COMPARISON)
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
        Literal::Str(t) => w.string_constant(t),
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
        Expr::Window { func, spec } => p.window(w, func, spec),
        Expr::WindowCall { func, args } => p.window_call(w, *func, args),
    }
}

/// `expr IN (?, ?, …)` over the elements of a list parameter.
pub fn in_param(w: &mut Writer<'_>, e: &Expr, param: u16, ty: crate::Type, len: u32, negated: bool) {
    if len == 0 {
        return w.provider().literal(w, &Literal::Bool(negated));
    }
    w.expr_grouped(e);
    if len == crate::tree::WHOLE_LIST {
        // Only `sql_inline` gets here: the list's values, as a literal list.
        w.push(if negated { " NOT IN " } else { " IN " });
        w.bind(Bind::Param(param), ty);
        return;
    }
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
            w.push(", '!', '!!'), '%', '!%'), '_', '!_')");
        }
        Func::Year | Func::Month | Func::Day | Func::Hour | Func::Minute | Func::Second => {
            w.push("EXTRACT(");
            w.push(date_part(f));
            w.push(" FROM ");
            w.exprs(args);
            w.push(")");
        }
        Func::Substring => {
            // `start` from 0 in Rust, from 1 in SQL; both already clamped.
            if let [text, start, len] = args {
                w.push("substr(");
                w.expr(text);
                w.push(", ");
                match start {
                    Expr::Literal(Literal::Int(n)) => w.expr(&Expr::int(n.saturating_add(1))),
                    start => {
                        w.expr_grouped(start);
                        w.push(" + 1");
                    }
                }
                w.push(", ");
                w.expr(len);
                w.push(")");
            }
        }
        Func::Power => call(w, "power", args),
        Func::Sqrt => {
            if let [x] = args {
                w.push("CASE WHEN ");
                w.expr_grouped(x);
                w.push(" < 0 THEN NULL ELSE sqrt(");
                w.expr(x);
                w.push(") END");
            }
        }
        Func::DecimalKey => w.exprs(args),
        Func::MicrosBetween => {
            // PostgreSQL: an interval's seconds, exactly (numeric).
            if let [a, b] = args {
                w.push("CAST(EXTRACT(EPOCH FROM (");
                w.expr(a);
                w.push(" - ");
                w.expr_grouped(b);
                w.push(")) * 1000000 AS int8)");
            }
        }
        Func::DaysBetween => {
            if let [a, b] = args {
                w.push("(CAST((");
                w.expr(a);
                w.push(" - ");
                w.expr_grouped(b);
                w.push(") AS int8) * 86400000000)");
            }
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
        AggFunc::DecimalSum => "SUM",
        AggFunc::DecimalMin => "MIN",
        AggFunc::DecimalMax => "MAX",
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

/// `func OVER (PARTITION BY … ORDER BY … frame)`.
pub fn window(w: &mut Writer<'_>, func: &Expr, spec: &WindowSpec) {
    let p = w.provider();
    w.expr(func);
    w.push(" OVER (");
    let mut space = "";
    if !spec.partition.is_empty() {
        w.push("PARTITION BY ");
        w.exprs(&spec.partition);
        space = " ";
    }
    if !spec.order.is_empty() {
        w.push(space);
        w.push("ORDER BY ");
        for (i, o) in spec.order.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            p.order_item(w, o);
        }
        space = " ";
    }
    if let Some(frame) = &spec.frame {
        w.push(space);
        w.push(match frame.units {
            FrameUnits::Rows => "ROWS BETWEEN ",
            FrameUnits::Range => "RANGE BETWEEN ",
        });
        frame_bound(w, frame.start);
        w.push(" AND ");
        frame_bound(w, frame.end);
    }
    w.push(")");
}

fn frame_bound(w: &mut Writer<'_>, bound: FrameBound) {
    match bound {
        FrameBound::UnboundedPreceding => w.push("UNBOUNDED PRECEDING"),
        FrameBound::Preceding(n) => {
            w.push(&n.to_string());
            w.push(" PRECEDING");
        }
        FrameBound::CurrentRow => w.push("CURRENT ROW"),
        FrameBound::Following(n) => {
            w.push(&n.to_string());
            w.push(" FOLLOWING");
        }
        FrameBound::UnboundedFollowing => w.push("UNBOUNDED FOLLOWING"),
    }
}

/// A ranking or offset function's call (without its OVER).
pub fn window_call(w: &mut Writer<'_>, func: WindowFunc, args: &[Expr]) {
    let name = match func {
        WindowFunc::RowNumber => "ROW_NUMBER",
        WindowFunc::Rank => "RANK",
        WindowFunc::DenseRank => "DENSE_RANK",
        WindowFunc::Ntile => "NTILE",
        WindowFunc::PercentRank => "PERCENT_RANK",
        WindowFunc::CumeDist => "CUME_DIST",
        WindowFunc::Lag => "LAG",
        WindowFunc::Lead => "LEAD",
        WindowFunc::FirstValue => "FIRST_VALUE",
        WindowFunc::LastValue => "LAST_VALUE",
        WindowFunc::NthValue => "NTH_VALUE",
    };
    call(w, name, args);
}

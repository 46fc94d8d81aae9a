//! `Option` methods (`is_none`, `unwrap_or`, …), `Some(x)`, and
//! `if`/`else` as CASE.

use crate::dialects::{self as sql, Func, Literal};
use crate::types::Typed;

use super::func;
use crate::dsl::Expr;

/// `is_none()` / `is_some()` need an `Option`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an `Option`, so it is never missing",
    label = "this value is declared without `Option`, so it cannot be NULL",
    note = "`is_none`, `is_some`, `unwrap_or` and `unwrap_or_default` apply to `Option<T>` columns"
)]
pub trait SqlOption {
    type Inner;
}

impl<T> SqlOption for Option<T> {
    type Inner = T;
}

pub fn is_none<T: SqlOption>(e: Expr<T>) -> Expr<bool> {
    Expr::with(sql::Expr::is_null(e.node, false), e.agg, false)
}

pub fn is_some<T: SqlOption>(e: Expr<T>) -> Expr<bool> {
    Expr::with(sql::Expr::is_null(e.node, true), e.agg, false)
}

/// A value that can stand where a `T` is expected (`unwrap_or`, branches of
/// `if`, `coalesce`).
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be used where a `{T}` is expected in a query",
    label = "expected `{T}`, found `{Self}`",
    note = "both values must have the same type; convert one with `as` or write a literal of the right type"
)]
pub trait SqlCoerce<T> {}

impl<T> SqlCoerce<T> for T {}

impl<T> SqlCoerce<T> for &T {}

impl SqlCoerce<String> for &str {}

impl SqlCoerce<String> for &&str {}

impl SqlCoerce<Option<String>> for Option<&str> {}

/// `x.unwrap_or(d)`: `COALESCE(x, d)`.
pub fn unwrap_or<T, D>(e: Expr<Option<T>>, default: Expr<D>) -> Expr<T>
where
    D: SqlCoerce<T>,
{
    let agg = e.agg || default.agg;
    let nullable = default.nullable;
    func(Func::Coalesce, vec![e.node, default.node], agg, nullable)
}

/// The SQL constant for `T::default()`.
pub trait SqlDefault {
    fn default_literal() -> sql::Expr;
}

macro_rules! sql_default {
    ($($t:ty => $lit:expr),*) => {$(
        impl SqlDefault for $t {
            fn default_literal() -> sql::Expr {
                sql::Expr::Literal($lit)
            }
        }
    )*};
}

sql_default!(
    bool => Literal::Bool(false),
    i16 => Literal::Int(0),
    i32 => Literal::Int(0),
    i64 => Literal::Int(0),
    f32 => Literal::Float(0.0),
    f64 => Literal::Float(0.0),
    String => Literal::Text("")
);

/// `x.unwrap_or_default()`.
pub fn unwrap_or_default<T: SqlDefault>(e: Expr<Option<T>>) -> Expr<T> {
    func(Func::Coalesce, vec![e.node, T::default_literal()], e.agg, false)
}

/// `if c { a } else { b }`: `CASE WHEN c THEN a ELSE b END`.
pub fn case<C: crate::dsl::ops::SqlBool, T: Typed, E>(cond: Expr<C>, then: Expr<T>, otherwise: Expr<E>) -> Expr<T>
where
    E: SqlCoerce<T> + Typed,
{
    let agg = cond.agg || then.agg || otherwise.agg;
    let nullable = then.nullable || otherwise.nullable;
    let then = then.value_node();
    let otherwise = otherwise.value_node();
    let node = match otherwise {
        // `else if` chains flatten into one CASE.
        sql::Expr::Case {
            mut branches,
            otherwise,
        } => {
            branches.insert(0, (cond.node, then));
            sql::Expr::Case { branches, otherwise }
        }
        otherwise => sql::Expr::Case {
            branches: vec![(cond.node, then)],
            otherwise: Some(Box::new(otherwise)),
        },
    };
    Expr::with(node, agg, nullable)
}

/// `Some(x)`.
pub fn some<T>(e: Expr<T>) -> Expr<Option<T>> {
    Expr::with(e.node, e.agg, e.nullable)
}

/// The value inside `opt`, for the closure of `opt.map(|x| …)`: the same
/// SQL, typed as the inner value.
#[doc(hidden)]
pub fn option_inner<T: SqlOption<Inner = I>, I>(opt: &Expr<T>) -> Expr<I> {
    Expr::with(opt.node.clone(), opt.agg, true)
}

/// `opt.map(|x| body)`: `None` when `opt` is, else `body`. Where `body`
/// is NULL whenever `x` is (arithmetic on it, a comparison, a cast) the
/// SQL is `body` itself, so a subquery in `opt` runs once; otherwise
/// `CASE WHEN opt IS NULL THEN NULL ELSE body END`.
#[doc(hidden)]
pub fn map_option<T, U: crate::dsl::MaybeNull>(opt: Expr<T>, body: Expr<U>) -> Expr<U::Opt> {
    let agg = opt.agg || body.agg;
    if propagates_null(&body.node, &opt.node) {
        return Expr::with(body.node, agg, true);
    }
    let node = sql::Expr::Case {
        branches: vec![(sql::Expr::is_null(opt.node, false), sql::Expr::Literal(Literal::Null))],
        otherwise: Some(Box::new(body.node)),
    };
    Expr::with(node, agg, true)
}

/// Whether `e` is NULL whenever `x` is: `x` itself, or a strict operation
/// with `x` among its operands.
fn propagates_null(e: &sql::Expr, x: &sql::Expr) -> bool {
    use sql::BinaryOp as B;
    if e == x {
        return true;
    }
    match e {
        sql::Expr::Binary { op, left, right } => {
            matches!(
                op,
                B::Add | B::Sub | B::Mul | B::Div | B::IntDiv | B::Rem | B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge
            ) && (propagates_null(left, x) || propagates_null(right, x))
        }
        sql::Expr::Unary {
            op: sql::UnaryOp::Neg,
            expr,
        } => propagates_null(expr, x),
        sql::Expr::Cast { expr, .. } => propagates_null(expr, x),
        _ => false,
    }
}

//! Numbers: `as` casts, `abs`, `round`, `min`/`max` of two values.

use crate::dialects as sql;
use crate::types::Typed;

use super::func;
use crate::dsl::Expr;
use crate::dsl::ops::SqlOrd;

/// `x as T` between numeric types (and from `bool`).
#[diagnostic::on_unimplemented(
    message = "cannot convert `{Self}` to `{To}` with `as` in a query",
    label = "`as` converts between numeric types (and from `bool` to integers) only"
)]
pub trait SqlCast<To> {}

macro_rules! casts {
    ($($from:ty => [$($to:ty),*]),*) => {$($(
        impl SqlCast<$to> for $from {}
    )*)*};
}

casts!(
    i16 => [i16, i32, i64, f32, f64],
    i32 => [i16, i32, i64, f32, f64],
    i64 => [i16, i32, i64, f32, f64],
    usize => [i16, i32, i64, f32, f64, usize],
    f32 => [i16, i32, i64, f32, f64],
    f64 => [i16, i32, i64, f32, f64],
    bool => [i16, i32, i64]
);

/// The operand of `x as T` with its target type.
pub struct CastTo<From, To> {
    e: Expr<From>,
    _to: std::marker::PhantomData<fn() -> To>,
}

/// `x as T`, first step: names the target type.
pub fn cast_to<To, From>(e: Expr<From>) -> CastTo<From, To> {
    CastTo {
        e,
        _to: std::marker::PhantomData,
    }
}

/// `x as T`. Float to integer truncates toward zero as Rust does.
pub fn cast<To: Typed, From: Typed + SqlCast<To>>(operand: CastTo<From, To>) -> Expr<To> {
    let e = operand.e;
    let (agg, nullable) = (e.agg, e.nullable);
    let from = From::TYPE;
    let to = To::TYPE;
    // A cast to the same SQL type is a no-op; a widening one is kept, as
    // PostgreSQL computes `int4 * int4` in 32 bits.
    let node = if from == to {
        e.value_node()
    } else {
        sql::Expr::Cast {
            expr: Box::new(e.value_node()),
            from,
            to,
        }
    };
    Expr::with(node, agg, nullable)
}

/// Numbers `abs` applies to.
#[diagnostic::on_unimplemented(
    message = "`abs` cannot be applied to `{Self}`",
    label = "`abs` needs a signed number"
)]
pub trait SqlAbs {}

impl SqlAbs for i16 {}

impl SqlAbs for i32 {}

impl SqlAbs for i64 {}

impl SqlAbs for f32 {}

impl SqlAbs for f64 {}

pub fn abs<T: SqlAbs>(e: Expr<T>) -> Expr<T> {
    func(sql::Func::Abs, vec![e.node], e.agg, e.nullable)
}

/// Floats `round` applies to.
#[diagnostic::on_unimplemented(
    message = "`round` cannot be applied to `{Self}`",
    label = "`round` needs an f32 or f64"
)]
pub trait SqlRound {}

impl SqlRound for f32 {}

impl SqlRound for f64 {}

/// Rounds half away from zero, as `f64::round`.
pub fn round<T: SqlRound>(e: Expr<T>) -> Expr<T> {
    func(sql::Func::Round, vec![e.node], e.agg, e.nullable)
}

/// `a.min(b)`: the smaller of two values.
pub fn least<T: SqlOrd<U> + Typed, U>(a: Expr<T>, b: Expr<U>) -> Expr<T> {
    let (agg, nullable) = (a.agg || b.agg, a.nullable || b.nullable);
    func(sql::Func::Least, vec![a.node, b.node], agg, nullable)
}

/// `a.max(b)`: the larger of two values.
pub fn greatest<T: SqlOrd<U> + Typed, U>(a: Expr<T>, b: Expr<U>) -> Expr<T> {
    let (agg, nullable) = (a.agg || b.agg, a.nullable || b.nullable);
    func(sql::Func::Greatest, vec![a.node, b.node], agg, nullable)
}

/// Floats `powi`, `powf` and `sqrt` apply to.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no powers or roots in a query",
    label = "`powi`, `powf` and `sqrt` need an f32 or f64",
    note = "convert an integer with `as f64` first"
)]
pub trait SqlPower {}

impl SqlPower for f32 {}

impl SqlPower for f64 {}

/// `x.powi(n)`, computed in double precision by the database.
pub fn powi<T: SqlPower, N: Into<i64> + crate::types::Typed>(x: Expr<T>, n: Expr<N>) -> Expr<T> {
    let (agg, nullable) = (x.agg || n.agg, x.nullable || n.nullable);
    func(sql::Func::Power, vec![x.node, n.node], agg, nullable)
}

/// `x.powf(y)`. Where Rust gives NaN or an infinity (a negative base with
/// a fractional exponent, zero to a negative power) the databases refuse
/// or give NULL: the query fails rather than return a wrong row.
pub fn powf<T: SqlPower, U: SqlPower>(x: Expr<T>, y: Expr<U>) -> Expr<T> {
    let (agg, nullable) = (x.agg || y.agg, x.nullable || y.nullable);
    func(sql::Func::Power, vec![x.node, y.node], agg, nullable)
}

/// `x.sqrt()`; the square root of a negative number (NaN in Rust) is
/// NULL, so reading it as a float fails.
pub fn sqrt<T: SqlPower>(x: Expr<T>) -> Expr<T> {
    func(sql::Func::Sqrt, vec![x.node], x.agg, x.nullable)
}

//! The functions available inside `select!`: aggregates, `exists`, `desc`
//! and `coalesce`. `select!` translates calls of these names; the functions
//! themselves define what each call type-checks against and the SQL it
//! becomes.
//!
//! | call | SQL |
//! |---|---|
//! | `count(p)` (a query variable) | `COUNT(*)` (`COUNT(DISTINCT key)` when the query has several sources) |
//! | `count(p.price > 10)` | `COUNT(CASE WHEN … THEN 1 END)`: rows where the condition holds |
//! | `count(p.email)` | `COUNT(email)`: rows where the value is present |
//! | `count_distinct(p.country)` | `COUNT(DISTINCT country)` |
//! | `sum(p.price)` | `COALESCE(SUM(price), 0)`: the sum of no rows is 0, as in Rust |
//! | `avg(p.price)` | `AVG(price)` as `Option<f64>`: `None` for no rows |
//! | `min(p.price)`, `max(p.price)` | `MIN`/`MAX` as `Option<T>` |
//! | `group_concat(p.name, ", ")` | the values joined in ascending order, `""` for none |
//! | `exists(o for o in Order if …)` | `EXISTS (SELECT …)` |
//! | `coalesce(p.email, "none")` | `COALESCE(email, ?)` |
//! | `desc(p.price)` | `ORDER BY price DESC` |

use crate::dialects::{self as sql, AggFunc, Func, Literal, Type};
use crate::dsl::Sub;
use crate::dsl::{Expr, OrderKey};
use crate::types::Typed;

fn aggregate<T>(func: AggFunc, distinct: bool, arg: Option<sql::Expr>, nullable: bool) -> Expr<T> {
    let node = sql::Expr::Aggregate {
        func,
        distinct,
        arg: arg.map(Box::new),
        separator: None,
    };
    Expr::with(node, true, nullable)
}

/// What `count` can count: rows of a query variable, rows where a condition
/// holds, or present values of an expression.
#[diagnostic::on_unimplemented(
    message = "`count` cannot count `{Self}`",
    label = "count a query variable, a condition or a column"
)]
pub trait Countable {
    #[doc(hidden)]
    fn count_node(self) -> sql::Expr;
}

impl<T: Typed> Countable for Expr<T> {
    fn count_node(self) -> sql::Expr {
        let conditional = T::TYPE == Type::Bool && !T::NULLABLE;
        let arg = if conditional {
            sql::Expr::Case {
                branches: vec![(self.node, sql::Expr::int(1))],
                otherwise: None,
            }
        } else {
            self.node
        };
        sql::Expr::Aggregate {
            func: AggFunc::Count,
            distinct: false,
            arg: Some(Box::new(arg)),
            separator: None,
        }
    }
}

/// Number of rows, of rows where a condition holds, or of present values.
pub fn count<C: Countable>(x: C) -> Expr<i64> {
    Expr::with(x.count_node(), true, false)
}

/// Number of distinct present values.
pub fn count_distinct<T: Typed>(x: Expr<T>) -> Expr<i64> {
    aggregate(AggFunc::Count, true, Some(x.node), false)
}

/// Values `sum` adds: numbers, or `Option`s of numbers (missing ones skipped).
#[diagnostic::on_unimplemented(
    message = "`sum` cannot add values of type `{Self}`",
    label = "`sum` needs a number, found `{Self}`",
    note = "to join text use `group_concat(x, \", \")`; to count rows use `count(..)`"
)]
pub trait SqlSum {
    type Output: Typed;
}

macro_rules! summable {
    ($($t:ty),*) => {$(
        impl SqlSum for $t { type Output = $t; }
        impl SqlSum for Option<$t> { type Output = $t; }
    )*};
}
summable!(i16, i32, i64, f32, f64);

/// The sum of the values; 0 for no rows, as Rust's `Iterator::sum`.
pub fn sum<T: SqlSum + Typed>(x: Expr<T>) -> Expr<T::Output> {
    let ty = T::TYPE;
    let zero = if ty.is_float() {
        Literal::Float(0.0)
    } else {
        Literal::Int(0)
    };
    let total = sql::Expr::Aggregate {
        func: AggFunc::Sum,
        distinct: false,
        arg: Some(Box::new(x.node)),
        separator: None,
    };
    let mut node = sql::Expr::func(Func::Coalesce, vec![total, sql::Expr::Literal(zero)]);
    if ty.is_integer() {
        // PostgreSQL sums bigints as numeric, MySQL integers as DECIMAL.
        node = sql::Expr::Cast {
            expr: Box::new(node),
            from: Type::I64,
            to: ty,
        };
    }
    Expr::with(node, true, false)
}

/// Values `avg`, `min` and `max` accept, with the type of their result.
#[diagnostic::on_unimplemented(
    message = "`{Self}` values cannot be aggregated with this function",
    label = "`avg` needs a number; `min` and `max` need an ordered value"
)]
pub trait SqlAggregate {
    type Min: Typed;
}

macro_rules! aggregatable {
    ($($t:ty),*) => {$(
        impl SqlAggregate for $t { type Min = Option<$t>; }
        impl SqlAggregate for Option<$t> { type Min = Option<$t>; }
    )*};
}
// Also used by the column types of optional features.
#[cfg_attr(not(feature = "chrono"), allow(unused_imports))]
pub(crate) use aggregatable;
aggregatable!(bool, i16, i32, i64, f32, f64, String);

/// Numbers `avg` accepts.
#[diagnostic::on_unimplemented(
    message = "`avg` cannot average values of type `{Self}`",
    label = "`avg` needs a number, found `{Self}`"
)]
pub trait SqlNumber {}
macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl SqlNumber for $t {}
        impl SqlNumber for Option<$t> {}
    )*};
}
numbers!(i16, i32, i64, f32, f64);

/// The mean of the values, `None` for no rows.
pub fn avg<T: SqlNumber + Typed>(x: Expr<T>) -> Expr<Option<f64>> {
    let arg = if T::TYPE == Type::F64 {
        x.node
    } else {
        sql::Expr::Cast {
            expr: Box::new(x.node),
            from: T::TYPE,
            to: Type::F64,
        }
    };
    aggregate(AggFunc::Avg, false, Some(arg), true)
}

/// The smallest value, `None` for no rows.
pub fn min<T: SqlAggregate>(x: Expr<T>) -> Expr<T::Min> {
    aggregate(AggFunc::Min, false, Some(x.node), true)
}

/// The largest value, `None` for no rows.
pub fn max<T: SqlAggregate>(x: Expr<T>) -> Expr<T::Min> {
    aggregate(AggFunc::Max, false, Some(x.node), true)
}

/// The values joined with `separator`, in ascending order of the values;
/// `""` for no rows.
pub fn group_concat<T: Typed>(x: Expr<T>, separator: &'static str) -> Expr<String> {
    let agg = sql::Expr::Aggregate {
        func: AggFunc::GroupConcat,
        distinct: false,
        arg: Some(Box::new(x.node)),
        separator: Some(separator.to_owned()),
    };
    let node = sql::Expr::func(Func::Coalesce, vec![agg, sql::Expr::Literal(Literal::Text(""))]);
    Expr::with(node, true, false)
}

/// A one-value subquery as an expression: `count(o for o in …)`,
/// `max(x.price for x in Product)`.
#[doc(hidden)]
pub fn scalar<T>(sub: Sub<T>) -> Expr<T> {
    Expr::with(sql::Expr::Subquery(Box::new(sub.select)), false, sub.nullable)
}

/// Whether the subquery has rows.
pub fn exists<T>(sub: Sub<T>) -> Expr<bool> {
    Expr::plain(sql::Expr::Exists {
        query: Box::new(sub.select),
        negated: false,
    })
}

/// Descending order of a key: `order_by(|p| (desc(p.price), p.name))`.
pub fn desc<T: Typed>(x: Expr<T>) -> OrderKey {
    let mut key = crate::dsl::IntoOrderKey::into_key(x);
    key.desc = true;
    key
}

/// The result of `coalesce(x, d)`: `T` when `d` is a value, `Option<T>` when
/// `d` may be missing too.
#[diagnostic::on_unimplemented(
    message = "`coalesce` cannot fall back from `Option<{T}>` to `{Self}`",
    label = "expected `{T}` or `Option<{T}>`, found `{Self}`"
)]
pub trait CoalesceWith<T> {
    type Output;
}
impl<T> CoalesceWith<T> for T {
    type Output = T;
}
impl<T> CoalesceWith<T> for Option<T> {
    type Output = Option<T>;
}
impl<T> CoalesceWith<T> for &T {
    type Output = T;
}
impl CoalesceWith<String> for &str {
    type Output = String;
}
impl CoalesceWith<String> for &&str {
    type Output = String;
}

/// The first present value of `x` and `d`.
pub fn coalesce<T, D: CoalesceWith<T>>(x: Expr<Option<T>>, d: Expr<D>) -> Expr<D::Output> {
    let agg = x.agg || d.agg;
    let nullable = d.nullable;
    Expr::with(sql::Expr::func(Func::Coalesce, vec![x.node, d.node]), agg, nullable)
}

/// `(x for x in …).contains(&y)`: whether `y` is among the subquery's rows
/// (`y IN (SELECT …)`, a row value for tuples).
#[doc(hidden)]
pub fn in_rows<T: crate::dsl::ops::SqlEq<U>, U>(x: Expr<T>, sub: Sub<U>) -> Expr<bool> {
    let agg = x.agg;
    Expr::with(
        sql::Expr::InSubquery {
            expr: Box::new(x.node),
            query: Box::new(sub.select),
            negated: false,
        },
        agg,
        x.nullable,
    )
}

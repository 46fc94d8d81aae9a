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
        #[diagnostic::do_not_recommend]
        impl SqlSum for $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl SqlSum for Option<$t> { type Output = $t; }
    )*};
}
summable!(i16, i32, i64, f32, f64);

/// `SUM(x)` (of the distinct values), cast back to an integer type: the
/// sum of bigints is a numeric on PostgreSQL, a DECIMAL on MySQL.
fn total<T: Typed>(x: sql::Expr, distinct: bool, zero_for_none: bool) -> sql::Expr {
    let ty = T::TYPE;
    let mut node = sql::Expr::Aggregate {
        func: if ty == Type::Decimal {
            AggFunc::DecimalSum
        } else {
            AggFunc::Sum
        },
        distinct,
        arg: Some(Box::new(x)),
        separator: None,
    };
    if zero_for_none {
        let zero = if ty.is_float() {
            Literal::Float(0.0)
        } else {
            Literal::Int(0)
        };
        node = sql::Expr::func(Func::Coalesce, vec![node, sql::Expr::Literal(zero)]);
    }
    if ty.is_integer() {
        node = sql::Expr::Cast {
            expr: Box::new(node),
            from: Type::I64,
            to: ty,
        };
    }
    node
}

/// The sum of the values; 0 for no rows, as Rust's `Iterator::sum`.
pub fn sum<T: SqlSum<Output = O> + Typed, O>(x: Expr<T>) -> Expr<O> {
    Expr::with(total::<T>(x.node, false, true), true, false)
}

/// The sum of the distinct values (SQL's `SUM(DISTINCT x)`); 0 for no rows.
pub fn sum_distinct<T: SqlSum<Output = O> + Typed, O>(x: Expr<T>) -> Expr<O> {
    Expr::with(total::<T>(x.node, true, true), true, false)
}

/// The sum of the values as SQL has it: `None` for no rows (or only
/// missing values), where [`sum`] gives 0. TPC-H's queries are written
/// against this meaning.
pub fn sum_or_none<T: SqlSum<Output = O> + Typed, O>(x: Expr<T>) -> Expr<Option<O>> {
    Expr::with(total::<T>(x.node, false, false), true, true)
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
        #[diagnostic::do_not_recommend]
        impl SqlAggregate for $t { type Min = Option<$t>; }
        #[diagnostic::do_not_recommend]
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
        #[diagnostic::do_not_recommend]
        impl SqlNumber for $t {}
        #[diagnostic::do_not_recommend]
        impl SqlNumber for Option<$t> {}
    )*};
}
numbers!(i16, i32, i64, f32, f64);

/// `AVG(x)` as a double, of the distinct values or of all.
fn mean<T: SqlNumber + Typed>(x: Expr<T>, distinct: bool) -> Expr<Option<f64>> {
    let arg = if T::TYPE == Type::F64 {
        x.node
    } else {
        sql::Expr::Cast {
            expr: Box::new(x.node),
            from: T::TYPE,
            to: Type::F64,
        }
    };
    aggregate(AggFunc::Avg, distinct, Some(arg), true)
}

/// The mean of the values, `None` for no rows.
pub fn avg<T: SqlNumber + Typed>(x: Expr<T>) -> Expr<Option<f64>> {
    mean(x, false)
}

/// The mean of the distinct values (SQL's `AVG(DISTINCT x)`), `None` for
/// no rows.
pub fn avg_distinct<T: SqlNumber + Typed>(x: Expr<T>) -> Expr<Option<f64>> {
    mean(x, true)
}

/// The smallest value, `None` for no rows.
pub fn min<T: SqlAggregate<Min = M>, M: Typed>(x: Expr<T>) -> Expr<M> {
    let func = if M::TYPE == Type::Decimal {
        AggFunc::DecimalMin
    } else {
        AggFunc::Min
    };
    aggregate(func, false, Some(x.node), true)
}

/// The largest value, `None` for no rows.
pub fn max<T: SqlAggregate<Min = M>, M: Typed>(x: Expr<T>) -> Expr<M> {
    let func = if M::TYPE == Type::Decimal {
        AggFunc::DecimalMax
    } else {
        AggFunc::Max
    };
    aggregate(func, false, Some(x.node), true)
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
pub fn coalesce<T, D: CoalesceWith<T, Output = O>, O>(x: Expr<Option<T>>, d: Expr<D>) -> Expr<O> {
    let agg = x.agg || d.agg;
    let nullable = d.nullable;
    Expr::with(sql::Expr::func(Func::Coalesce, vec![x.node, d.node]), agg, nullable)
}

/// `(x for x in …).contains(&y)`: whether `y` is among the subquery's rows,
/// with Rust's equality, where `None` equals `None`.
///
/// SQL's `y IN (SELECT …)` is NULL rather than false when no row equals `y`
/// and one is NULL, and NULL when `y` is: under `!` that loses rows Rust
/// keeps. A value that is never missing is tested as
/// `COALESCE(y IN (SELECT …), FALSE)` (plain `IN` where NULL counts as
/// false, see `Expr::simplify_condition`); one that may be is tested as
/// `EXISTS (SELECT 1 FROM (SELECT …) AS s WHERE s.c0 IS NOT DISTINCT FROM
/// y)`, component by component for a row value.
#[doc(hidden)]
pub fn in_rows<T: crate::dsl::ops::SqlEq<U>, U>(x: Expr<T>, sub: Sub<U>) -> Expr<bool> {
    let agg = x.agg;
    let node = if x.nullable {
        let parts = match x.node {
            sql::Expr::Tuple(items) => items,
            single => vec![single],
        };
        let mut select = sub.select;
        let plain = select.group_by.is_empty()
            && select.having.is_none()
            && select.limit.is_none()
            && select.offset.is_none()
            && select.with.is_empty()
            && !select
                .items
                .iter()
                .any(|i| has_aggregate(&i.expr) || i.expr.contains_window());
        let alias = "contained";
        // The rows' values: the items themselves when the subquery is a
        // plain one (MySQL reads no outer column inside a derived table),
        // else the columns of the subquery as a derived table.
        let values: Vec<sql::Expr> = if plain {
            select.items.drain(..).map(|i| i.expr).collect()
        } else {
            let derived = crate::dsl::builder::positional(select);
            let values = (0..derived.items.len())
                .map(|k| sql::Expr::column(alias, format!("c{k}")))
                .collect();
            select = sql::Select {
                from: vec![sql::Join {
                    kind: sql::JoinKind::Cross,
                    source: sql::TableSource::Query(Box::new(derived)),
                    alias: alias.to_owned(),
                    on: None,
                }],
                ..sql::Select::default()
            };
            values
        };
        let condition = values
            .into_iter()
            .zip(parts)
            .map(|(value, part)| sql::Expr::IsNotDistinct {
                left: Box::new(value),
                right: Box::new(part),
                negated: false,
            })
            .reduce(sql::Expr::and)
            .unwrap_or(sql::Expr::bool(true));
        select.and_where(condition);
        select.distinct = false;
        select.order_by.clear();
        select.items = vec![sql::SelectItem {
            expr: sql::Expr::int(1),
            alias: None,
        }];
        sql::Expr::Exists {
            query: Box::new(select),
            negated: false,
        }
    } else {
        let test = sql::Expr::InSubquery {
            expr: Box::new(x.node),
            query: Box::new(sub.select),
            negated: false,
        };
        sql::Expr::func(Func::Coalesce, vec![test, sql::Expr::bool(false)])
    };
    Expr::with(node, agg, false)
}

/// Whether `e` has an aggregate of its own query level.
fn has_aggregate(e: &sql::Expr) -> bool {
    let mut found = false;
    e.clone()
        .walk_level_mut(&mut |x| found |= matches!(x, sql::Expr::Aggregate { .. }));
    found
}

/// Integer types a character position or count can be given in.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a position or a length of text",
    label = "expected an integer"
)]
pub trait SqlIndex: Typed {}
impl SqlIndex for i16 {}
impl SqlIndex for i32 {}
impl SqlIndex for i64 {}
impl SqlIndex for u32 {}
impl SqlIndex for usize {}

/// What `substring` takes: text in a query, or text in Rust.
pub trait Substring<I, L> {
    type Output;
    #[doc(hidden)]
    fn substring(self, start: I, len: L) -> Self::Output;
}

/// `len` characters of `text` from character `start` (counted from 0), as
/// `text.chars().skip(start).take(len)`: in a query and in plain Rust
/// alike.
///
/// ```
/// assert_eq!(foal::functions::substring("Ünïcödé", 1, 3), "nïc");
/// ```
pub fn substring<S: Substring<I, L>, I, L>(text: S, start: I, len: L) -> S::Output {
    text.substring(start, len)
}

impl<S: crate::dsl::methods::SqlText, I: SqlIndex, L: SqlIndex> Substring<Expr<I>, Expr<L>> for Expr<S> {
    type Output = Expr<String>;
    fn substring(self, start: Expr<I>, len: Expr<L>) -> Expr<String> {
        let (agg, nullable) = (
            self.agg || start.agg || len.agg,
            self.nullable || start.nullable || len.nullable,
        );
        // Rust's `skip` and `take` cannot go below zero; SQL's positions
        // can. PostgreSQL's `substr` takes `int`s.
        fn position<N: Typed>(e: sql::Expr) -> sql::Expr {
            match e {
                sql::Expr::Literal(Literal::Int(n)) => sql::Expr::int(n.clamp(0, i64::from(i32::MAX))),
                e => sql::Expr::Cast {
                    expr: Box::new(sql::Expr::func(Func::Greatest, vec![e, sql::Expr::int(0)])),
                    from: N::TYPE,
                    to: Type::I32,
                },
            }
        }
        let node = sql::Expr::func(
            Func::Substring,
            vec![self.node, position::<I>(start.node), position::<L>(len.node)],
        );
        Expr::with(node, agg, nullable)
    }
}

impl<T: AsRef<str>> Substring<usize, usize> for T {
    type Output = String;
    fn substring(self, start: usize, len: usize) -> String {
        self.as_ref().chars().skip(start).take(len).collect()
    }
}

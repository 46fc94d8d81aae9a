//! Methods callable inside queries: text, `Option`, casts, `if`/`else`, and
//! `contains` on a list computed in Rust.

use crate::builder::ListParam;
use crate::dialects::{self as sql, BinaryOp, Func, Literal, Type};
use crate::expr::Expr;
use crate::ops::SqlEq;
use crate::types::Typed;

/// Text methods (`starts_with`, `to_lowercase`, `len`, …) need a `String`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not text, so this string method cannot be used on it in a query",
    label = "expected a `String` value, found `{Self}`",
    note = "for an `Option<String>` column, write `x.unwrap_or_default()` or compare with `==` instead"
)]
pub trait SqlText {}
impl SqlText for String {}

fn func<T>(f: Func, args: Vec<sql::Expr>, agg: bool, nullable: bool) -> Expr<T> {
    Expr::with(sql::Expr::func(f, args), agg, nullable)
}

pub fn to_lowercase<S: SqlText>(s: Expr<S>) -> Expr<String> {
    func(Func::Lower, vec![s.node], s.agg, s.nullable)
}

pub fn to_uppercase<S: SqlText>(s: Expr<S>) -> Expr<String> {
    func(Func::Upper, vec![s.node], s.agg, s.nullable)
}

pub fn trim<S: SqlText>(s: Expr<S>) -> Expr<String> {
    func(Func::Trim, vec![s.node], s.agg, s.nullable)
}

/// `len()`: bytes of the UTF-8 encoding, as in Rust.
pub fn len<S: SqlText>(s: Expr<S>) -> Expr<usize> {
    func(Func::ByteLength, vec![s.node], s.agg, s.nullable)
}

/// `chars().count()`: characters.
pub fn char_count<S: SqlText>(s: Expr<S>) -> Expr<usize> {
    func(Func::CharLength, vec![s.node], s.agg, s.nullable)
}

/// A text argument of `starts_with`, `ends_with` or `contains`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not text, so it cannot be searched for in a string",
    label = "expected `&str`, `String` or `char`, found `{Self}`"
)]
pub trait LikeText {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R;
}

impl LikeText for str {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self)
    }
}

impl LikeText for String {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self)
    }
}

impl LikeText for char {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self.encode_utf8(&mut [0; 4]))
    }
}

impl<T: LikeText + ?Sized> LikeText for &T {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        (**self).with_text(f)
    }
}

/// Where the searched text must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LikeKind {
    Prefix,
    Suffix,
    Anywhere,
}

/// Escapes `\`, `%` and `_` so `text` matches only itself in a LIKE pattern.
pub fn escape_like(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The LIKE pattern of a text searched for with `kind`; computed in Rust
/// and bound as a parameter.
pub fn like_pattern<A: LikeText + ?Sized>(text: &A, kind: LikeKind) -> String {
    text.with_text(|text| {
        let mut out = String::with_capacity(text.len() + 2);
        if kind != LikeKind::Prefix {
            out.push('%');
        }
        escape_like(text, &mut out);
        if kind != LikeKind::Suffix {
            out.push('%');
        }
        out
    })
}

/// `s.starts_with(x)` and friends where the pattern was computed in Rust.
pub fn like<S: SqlText, P>(s: Expr<S>, pattern: Expr<P>) -> Expr<bool> {
    let node = sql::Expr::Like {
        expr: Box::new(s.node),
        pattern: Box::new(pattern.node),
        negated: false,
    };
    Expr::with(node, s.agg, s.nullable)
}

/// `s.starts_with(t)` where `t` is itself a query expression: the pattern is
/// escaped in SQL.
pub fn like_expr<S: SqlText, T: SqlText>(s: Expr<S>, text: Expr<T>, kind: LikeKind) -> Expr<bool> {
    let (agg, nullable) = (s.agg || text.agg, s.nullable || text.nullable);
    let mut pattern = sql::Expr::func(Func::LikeEscape, vec![text.node]);
    let percent = || sql::Expr::Literal(Literal::Text("%"));
    if kind != LikeKind::Prefix {
        pattern = sql::Expr::binary(BinaryOp::Concat, percent(), pattern);
    }
    if kind != LikeKind::Suffix {
        pattern = sql::Expr::binary(BinaryOp::Concat, pattern, percent());
    }
    let node = sql::Expr::Like {
        expr: Box::new(s.node),
        pattern: Box::new(pattern),
        negated: false,
    };
    Expr::with(node, agg, nullable)
}

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
pub fn case<C: crate::ops::SqlBool, T: Typed, E>(cond: Expr<C>, then: Expr<T>, otherwise: Expr<E>) -> Expr<T>
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

/// A collection computed in Rust that `contains` can test membership in:
/// `ids.contains(&p.id)` becomes `p.id IN (…)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a list in a query",
    label = "`contains` on a value computed in Rust needs a Vec, slice, array or set of values",
    note = "to search text, call `contains` on the query's column: `p.name.contains(\"x\")`"
)]
pub trait HostList {
    type Elem;
    fn values(&self) -> Vec<crate::value::Value>;
}

fn list_values<'a, T: crate::value::ToValue + 'a>(items: impl Iterator<Item = &'a T>) -> Vec<crate::value::Value> {
    items.map(crate::value::ToValue::to_value).collect()
}

impl<T: crate::value::ToValue> HostList for Vec<T> {
    type Elem = T;
    fn values(&self) -> Vec<crate::value::Value> {
        list_values(self.iter())
    }
}

impl<T: crate::value::ToValue> HostList for [T] {
    type Elem = T;
    fn values(&self) -> Vec<crate::value::Value> {
        list_values(self.iter())
    }
}

impl<T: crate::value::ToValue, const N: usize> HostList for [T; N] {
    type Elem = T;
    fn values(&self) -> Vec<crate::value::Value> {
        list_values(self.iter())
    }
}

impl<T: crate::value::ToValue, S> HostList for std::collections::HashSet<T, S> {
    type Elem = T;
    fn values(&self) -> Vec<crate::value::Value> {
        list_values(self.iter())
    }
}

impl<T: crate::value::ToValue> HostList for std::collections::BTreeSet<T> {
    type Elem = T;
    fn values(&self) -> Vec<crate::value::Value> {
        list_values(self.iter())
    }
}

impl<L: HostList + ?Sized> HostList for &L {
    type Elem = L::Elem;
    fn values(&self) -> Vec<crate::value::Value> {
        (**self).values()
    }
}

/// `list.contains(&x)` for a list computed in Rust.
pub fn in_list<T: Typed + SqlEq<E>, E>(list: ListParam<E>, x: Expr<T>) -> Expr<bool> {
    let node = sql::Expr::InParam {
        expr: Box::new(x.node),
        param: list.index,
        ty: list.ty,
        len: list.len,
        negated: false,
    };
    let nullable = x.nullable && list.len > 0;
    Expr::with(node, x.agg, nullable)
}

/// `Some(x)`.
pub fn some<T>(e: Expr<T>) -> Expr<Option<T>> {
    Expr::with(e.node, e.agg, e.nullable)
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
    func(Func::Abs, vec![e.node], e.agg, e.nullable)
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
    func(Func::Round, vec![e.node], e.agg, e.nullable)
}

/// `a.min(b)`: the smaller of two values.
pub fn least<T: crate::ops::SqlOrd<U> + Typed, U>(a: Expr<T>, b: Expr<U>) -> Expr<T> {
    let (agg, nullable) = (a.agg || b.agg, a.nullable || b.nullable);
    func(Func::Least, vec![a.node, b.node], agg, nullable)
}

/// `a.max(b)`: the larger of two values.
pub fn greatest<T: crate::ops::SqlOrd<U> + Typed, U>(a: Expr<T>, b: Expr<U>) -> Expr<T> {
    let (agg, nullable) = (a.agg || b.agg, a.nullable || b.nullable);
    func(Func::Greatest, vec![a.node, b.node], agg, nullable)
}

/// Values `to_string()` can turn into text identically on every backend.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be turned into text inside a query",
    label = "`to_string()` works on text and integers in queries",
    note = "floats print differently on each database; format them in Rust after fetching"
)]
pub trait SqlToText {}
impl SqlToText for String {}
impl SqlToText for i16 {}
impl SqlToText for i32 {}
impl SqlToText for i64 {}

pub fn to_string<T: SqlToText + Typed>(e: Expr<T>) -> Expr<String> {
    let (agg, nullable) = (e.agg, e.nullable);
    if T::TYPE == Type::Text {
        return Expr::with(e.node, agg, nullable);
    }
    let node = sql::Expr::Cast {
        expr: Box::new(e.node),
        from: T::TYPE,
        to: Type::Text,
    };
    Expr::with(node, agg, nullable)
}

/// `r.key()` of a reference: the referenced row's key.
pub fn key<E: crate::entity::Entity>(r: Expr<crate::entity::Ref<E>>) -> Expr<E::Key> {
    Expr::with(r.node, r.agg, r.nullable)
}

/// Several values as one row value: `(p.a, p.b)` compared with a subquery's
/// rows.
pub trait RowValue {
    type Row;
    #[doc(hidden)]
    fn nodes(self) -> (Vec<sql::Expr>, bool);
}

macro_rules! row_values {
    ($(($($n:ident),+))*) => {$(
        impl<$($n),+> RowValue for ($(Expr<$n>,)+) {
            type Row = ($($n,)+);
            #[allow(non_snake_case)]
            fn nodes(self) -> (Vec<sql::Expr>, bool) {
                let ($($n,)+) = self;
                let agg = false $(|| $n.agg)+;
                (vec![$($n.node),+], agg)
            }
        }
    )*};
}
row_values! {
    (A, B)
    (A, B, C)
    (A, B, C, D)
}

/// `(a, b)` as a row value.
pub fn row<R: RowValue>(values: R) -> Expr<R::Row> {
    let (nodes, agg) = values.nodes();
    Expr::with(sql::Expr::Tuple(nodes), agg, false)
}

/// Dates and times whose calendar parts can be read: `.year()`, `.month()`,
/// `.day()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a date, so it has no calendar parts in a query",
    label = "`year()`, `month()` and `day()` need a date or date-time column"
)]
pub trait SqlDate {}

/// Date-times whose clock parts can be read: `.hour()`, `.minute()`,
/// `.second()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no time of day in a query",
    label = "`hour()`, `minute()` and `second()` need a date-time column, not a date"
)]
pub trait SqlTime {}

#[cfg(feature = "chrono")]
mod dates {
    impl super::SqlDate for chrono::NaiveDate {}
    impl super::SqlDate for chrono::NaiveDateTime {}
    impl super::SqlDate for chrono::DateTime<chrono::Utc> {}
    impl super::SqlTime for chrono::NaiveDateTime {}
    impl super::SqlTime for chrono::DateTime<chrono::Utc> {}
}

fn part<T, O>(f: Func, e: Expr<T>) -> Expr<O> {
    func(f, vec![e.node], e.agg, e.nullable)
}

/// `.year()`, as chrono's `Datelike::year`.
pub fn year<T: SqlDate>(e: Expr<T>) -> Expr<i32> {
    part(Func::Year, e)
}

/// `.month()`, 1 to 12.
pub fn month<T: SqlDate>(e: Expr<T>) -> Expr<u32> {
    part(Func::Month, e)
}

/// `.day()`, 1 to 31.
pub fn day<T: SqlDate>(e: Expr<T>) -> Expr<u32> {
    part(Func::Day, e)
}

/// `.hour()`, 0 to 23.
pub fn hour<T: SqlTime>(e: Expr<T>) -> Expr<u32> {
    part(Func::Hour, e)
}

/// `.minute()`, 0 to 59.
pub fn minute<T: SqlTime>(e: Expr<T>) -> Expr<u32> {
    part(Func::Minute, e)
}

/// `.second()`, 0 to 59 (the fraction is dropped, as in chrono).
pub fn second<T: SqlTime>(e: Expr<T>) -> Expr<u32> {
    part(Func::Second, e)
}

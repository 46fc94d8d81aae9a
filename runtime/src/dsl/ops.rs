//! Operators inside queries. Each is a trait over the Rust types of its
//! operands, so a mistyped query fails to compile with a message that names
//! the query's own types.

use crate::dialects::{self as sql, BinaryOp, Literal, Type, UnaryOp};
use crate::dsl::Expr;
use crate::entity::{Entity, Ref};
use crate::types::Typed;

/// `==` and `!=` inside a query.
#[diagnostic::on_unimplemented(
    message = "cannot compare `{Self}` with `{R}` in a query",
    label = "`{Self}` and `{R}` cannot be compared for equality",
    note = "both sides must have the same type (an `Option` may be compared with its inner type): a float column compares with a float literal (`3.0`, not `3`), an integer of another width converts with `as`",
    note = "a reference compares with a variable of its entity (`o.customer == c`) or with a `Ref`; its key is `o.customer.key()`"
)]
pub trait SqlEq<R: ?Sized> {}

/// `<`, `<=`, `>` and `>=` inside a query.
#[diagnostic::on_unimplemented(
    message = "cannot order `{Self}` against `{R}` in a query",
    label = "`{Self}` and `{R}` cannot be compared by order",
    note = "both sides must have the same type: a float column compares with a float literal (`3.0`, not `3`), an integer of another width converts with `as`",
    note = "for an `Option` column use `x.unwrap_or(default)` or test `x.is_some()` first",
    note = "a hand-written `SqlValue` type has an order only under `#[foal::sql_value(ordered)]`, when its stored values order as the type does"
)]
pub trait SqlOrd<R: ?Sized> {}

macro_rules! comparable {
    ($($t:ty),*) => {$(
        #[diagnostic::do_not_recommend]
        impl SqlEq<$t> for $t {}
        #[diagnostic::do_not_recommend]
        impl SqlEq<$t> for Option<$t> {}
        #[diagnostic::do_not_recommend]
        impl SqlEq<Option<$t>> for $t {}
        #[diagnostic::do_not_recommend]
        impl SqlEq<Option<$t>> for Option<$t> {}
        #[diagnostic::do_not_recommend]
        impl<'a> SqlEq<Option<&'a $t>> for Option<$t> {}
        #[diagnostic::do_not_recommend]
        impl SqlOrd<$t> for $t {}
        #[diagnostic::do_not_recommend]
        impl SqlOrd<Option<$t>> for $t {}
        #[diagnostic::do_not_recommend]
        impl SqlOrd<$t> for Option<$t> {}
    )*};
}
// Also used by the column types of optional features.
#[cfg_attr(not(any(feature = "chrono", feature = "uuid")), allow(unused_imports))]
pub(crate) use comparable;
comparable!(bool, i16, i32, i64, u32, usize, f32, f64, String, Vec<u8>);

#[diagnostic::do_not_recommend]
impl SqlEq<str> for String {}
#[diagnostic::do_not_recommend]
impl SqlEq<str> for Option<String> {}
#[diagnostic::do_not_recommend]
impl SqlEq<Option<&str>> for Option<String> {}
#[diagnostic::do_not_recommend]
impl SqlEq<Option<&str>> for String {}
#[diagnostic::do_not_recommend]
impl SqlOrd<str> for String {}
#[diagnostic::do_not_recommend]
impl SqlOrd<str> for Option<String> {}
#[diagnostic::do_not_recommend]
impl SqlEq<[u8]> for Vec<u8> {}
#[diagnostic::do_not_recommend]
impl SqlEq<[u8]> for Option<Vec<u8>> {}

#[diagnostic::do_not_recommend]
impl<L, R: ?Sized> SqlEq<&R> for L where L: SqlEq<R> {}
#[diagnostic::do_not_recommend]
impl<L, R: ?Sized> SqlOrd<&R> for L where L: SqlOrd<R> {}

/// Row values compare element by element.
macro_rules! row_eq {
    ($(($($a:ident $b:ident),+))*) => {$(
        impl<$($a: SqlEq<$b>, $b),+> SqlEq<($($b,)+)> for ($($a,)+) {}
    )*};
}
row_eq! {
    (A1 A2, B1 B2)
    (A1 A2, B1 B2, C1 C2)
    (A1 A2, B1 B2, C1 C2, D1 D2)
}

#[diagnostic::do_not_recommend]
impl<E: Entity> SqlEq<Ref<E>> for Ref<E> {}

#[diagnostic::do_not_recommend]
impl<E: Entity> SqlEq<Ref<E>> for Option<Ref<E>> {}
#[diagnostic::do_not_recommend]
impl<E: Entity> SqlEq<Option<Ref<E>>> for Ref<E> {}
#[diagnostic::do_not_recommend]
impl<E: Entity> SqlEq<Option<Ref<E>>> for Option<Ref<E>> {}

fn binary<T>(op: BinaryOp, l: sql::Expr, r: sql::Expr, agg: bool, nullable: bool) -> Expr<T> {
    Expr::with(sql::Expr::binary(op, l, r), agg, nullable)
}

/// The node of an operand whose value matters as such, and whether it can
/// still be NULL there (a boolean that may be NULL becomes FALSE).
fn operand<T: Typed>(e: Expr<T>) -> (sql::Expr, bool) {
    let may_be_null = e.nullable && (T::NULLABLE || T::TYPE != Type::Bool);
    (e.value_node(), may_be_null)
}

fn equality<L: Typed, R: Typed>(l: Expr<L>, r: Expr<R>, negated: bool) -> Expr<bool> {
    let agg = l.agg || r.agg;
    if r.is_null_literal() || l.is_null_literal() {
        let other = if r.is_null_literal() { l.node } else { r.node };
        return Expr::with(sql::Expr::is_null(other, negated), agg, false);
    }
    let (ln, l_null) = operand(l);
    let (rn, r_null) = operand(r);
    match (l_null, r_null) {
        (false, false) => {
            let op = if negated { BinaryOp::Ne } else { BinaryOp::Eq };
            binary(op, ln, rn, agg, false)
        }
        (true, true) => Expr::with(
            sql::Expr::IsNotDistinct {
                left: Box::new(ln),
                right: Box::new(rn),
                negated,
            },
            agg,
            false,
        ),
        // One side may be missing: `=` is false there (the comparison stays
        // indexable); `<>` must be true there, as `Some(a) != None` is.
        (_, _) if !negated => binary(BinaryOp::Eq, ln, rn, agg, true),
        (l_missing, _) => {
            let missing = if l_missing { ln.clone() } else { rn.clone() };
            let ne = sql::Expr::binary(BinaryOp::Ne, ln, rn);
            binary(BinaryOp::Or, ne, sql::Expr::is_null(missing, false), agg, false)
        }
    }
}

/// A value an operator can take.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value that can be compared or computed in a query",
    label = "a to-many relation is a set of rows, not a value",
    note = "count its rows with `c.orders.count()` or `count(o for o in c.orders if …)`, test them with `exists(..)` or `c.orders.is_empty()`"
)]
pub trait Operand {
    type Type;
    fn into_expr(self) -> Expr<Self::Type>;
}

impl<T> Operand for Expr<T> {
    type Type = T;
    fn into_expr(self) -> Expr<T> {
        self
    }
}

/// Both operands of a binary operator, as one argument: a type error about
/// the operation then points at the whole `a op b` in the user's query.
/// The two operands of a binary operator. (The types are parameters rather
/// than `L::Type`: a wrong operand then makes one error, not two.)
pub fn pair<L: Operand<Type = A>, R: Operand<Type = B>, A, B>(l: L, r: R) -> (Expr<A>, Expr<B>) {
    (l.into_expr(), r.into_expr())
}

/// `l == r`.
pub fn eq<L: Typed + SqlEq<R>, R: Typed>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    equality(l, r, false)
}

/// `l != r`.
pub fn ne<L: Typed + SqlEq<R>, R: Typed>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    equality(l, r, true)
}

fn ordering<L: Typed, R: Typed>(op: BinaryOp, l: Expr<L>, r: Expr<R>) -> Expr<bool> {
    let agg = l.agg || r.agg;
    if l.is_null_literal() || r.is_null_literal() {
        // A comparison with a missing value is false.
        return Expr::with(sql::Expr::bool(false), agg, false);
    }
    let (ln, l_null) = operand(l);
    let (rn, r_null) = operand(r);
    let (ln, rn) = (super::expr::in_order::<L>(ln), super::expr::in_order::<R>(rn));
    binary(op, ln, rn, agg, l_null || r_null)
}

pub fn lt<L: Typed + SqlOrd<R>, R: Typed>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    ordering(BinaryOp::Lt, l, r)
}

pub fn le<L: Typed + SqlOrd<R>, R: Typed>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    ordering(BinaryOp::Le, l, r)
}

pub fn gt<L: Typed + SqlOrd<R>, R: Typed>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    ordering(BinaryOp::Gt, l, r)
}

pub fn ge<L: Typed + SqlOrd<R>, R: Typed>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    ordering(BinaryOp::Ge, l, r)
}

/// `&&`, `||` and `!` take booleans only.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a boolean, so it cannot be used with `&&`, `||` or `!` in a query",
    label = "expected a `bool` condition, found `{Self}`",
    note = "compare the value to get a condition, for example `p.quantity > 0`"
)]
pub trait SqlBool {}
impl SqlBool for bool {}
impl<T: SqlBool + ?Sized> SqlBool for &T {}

pub fn and<L: SqlBool, R: SqlBool>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    binary(BinaryOp::And, l.node, r.node, l.agg || r.agg, l.nullable || r.nullable)
}

pub fn or<L: SqlBool, R: SqlBool>((l, r): (Expr<L>, Expr<R>)) -> Expr<bool> {
    binary(BinaryOp::Or, l.node, r.node, l.agg || r.agg, l.nullable || r.nullable)
}

pub fn not<T: SqlBool + Typed>(e: Expr<T>) -> Expr<bool> {
    let agg = e.agg;
    let node = match e.value_node() {
        sql::Expr::Literal(Literal::Bool(b)) => sql::Expr::bool(!b),
        sql::Expr::IsNull { expr, negated } => sql::Expr::IsNull {
            expr,
            negated: !negated,
        },
        sql::Expr::Exists { query, negated } => sql::Expr::Exists {
            query,
            negated: !negated,
        },
        // Already two-valued (`value_node` settled NULL), so `!!x` is `x`.
        sql::Expr::Unary { op: UnaryOp::Not, expr } => *expr,
        node => sql::Expr::unary(UnaryOp::Not, node),
    };
    Expr::with(node, agg, false)
}

macro_rules! arithmetic_trait {
    ($trait:ident, $doc:literal, $message:literal, $label:literal) => {
        #[doc = $doc]
        #[diagnostic::on_unimplemented(
            message = $message,
            label = $label,
            note = "both operands must have the same type: convert a number with `as` (`p.quantity as f64`), write a float literal with its point (`2.0`), turn a number into text with `to_string()`; a date moves by a `Duration` (`d + Duration::days(1)`), and two dates of the same type subtract to a `Duration`"
        )]
        pub trait $trait<R: ?Sized> {
            type Output;
        }
        impl<'a, L, R: ?Sized> $trait<&'a R> for L
        where
            L: $trait<R>,
        {
            type Output = L::Output;
        }
    };
}
arithmetic_trait!(
    SqlAdd,
    "`+` inside a query (numbers, or concatenation of text).",
    "cannot add `{Self}` and `{R}` in a query",
    "no `+` between `{Self}` and `{R}`"
);
arithmetic_trait!(
    SqlSub,
    "`-` inside a query.",
    "cannot subtract `{R}` from `{Self}` in a query",
    "no `-` between `{Self}` and `{R}`"
);
arithmetic_trait!(
    SqlMul,
    "`*` inside a query.",
    "cannot multiply `{Self}` by `{R}` in a query",
    "no `*` between `{Self}` and `{R}`"
);
arithmetic_trait!(
    SqlDiv,
    "`/` inside a query.",
    "cannot divide `{Self}` by `{R}` in a query",
    "no `/` between `{Self}` and `{R}`"
);
arithmetic_trait!(
    SqlRem,
    "`%` inside a query (integers only).",
    "cannot take the remainder of `{Self}` by `{R}` in a query",
    "no `%` between `{Self}` and `{R}` (the remainder is defined for integers only)"
);

macro_rules! numeric {
    ($($t:ty),*) => {$(
        #[diagnostic::do_not_recommend]
        impl SqlAdd<$t> for $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl SqlSub<$t> for $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl SqlMul<$t> for $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl SqlDiv<$t> for $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl<'a> SqlAdd<$t> for &'a $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl<'a> SqlSub<$t> for &'a $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl<'a> SqlMul<$t> for &'a $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl<'a> SqlDiv<$t> for &'a $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl SqlNeg for $t {}
    )*};
}
numeric!(i16, i32, i64, f32, f64);
#[diagnostic::do_not_recommend]
impl SqlAdd<usize> for usize {
    type Output = usize;
}
#[diagnostic::do_not_recommend]
impl SqlSub<usize> for usize {
    type Output = usize;
}
#[diagnostic::do_not_recommend]
impl SqlAdd<u32> for u32 {
    type Output = u32;
}
#[diagnostic::do_not_recommend]
impl SqlSub<u32> for u32 {
    type Output = u32;
}
#[diagnostic::do_not_recommend]
impl SqlMul<u32> for u32 {
    type Output = u32;
}

macro_rules! remainder {
    ($($t:ty),*) => {$(
        #[diagnostic::do_not_recommend]
        impl SqlRem<$t> for $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl<'a> SqlRem<$t> for &'a $t { type Output = $t; }
    )*};
}
remainder!(i16, i32, i64);

// Concatenation with `+`, as `String + &str` in Rust.
#[diagnostic::do_not_recommend]
impl SqlAdd<str> for String {
    type Output = String;
}
#[diagnostic::do_not_recommend]
impl SqlAdd<String> for String {
    type Output = String;
}

/// Unary `-` inside a query.
#[diagnostic::on_unimplemented(
    message = "cannot negate `{Self}` in a query",
    label = "`-` needs a signed number, found `{Self}`"
)]
pub trait SqlNeg {}

fn arith<L: Typed, R: Typed, O>(op: BinaryOp, l: Expr<L>, r: Expr<R>) -> Expr<O> {
    let agg = l.agg || r.agg;
    let nullable = l.nullable || r.nullable;
    binary(op, l.node, r.node, agg, nullable)
}

pub fn add<L: Typed + SqlAdd<R, Output = O>, R: Typed, O>((l, r): (Expr<L>, Expr<R>)) -> Expr<O> {
    match L::TYPE {
        Type::Text => arith(BinaryOp::Concat, l, r),
        Type::Date | Type::DateTime | Type::Timestamp => shift_time::<L, R, O>(l, r, false),
        _ => arith(BinaryOp::Add, l, r),
    }
}

pub fn sub<L: Typed + SqlSub<R, Output = O>, R: Typed, O>((l, r): (Expr<L>, Expr<R>)) -> Expr<O> {
    match (L::TYPE, R::TYPE) {
        (Type::Date, Type::Date) => between(sql::Func::DaysBetween, l, r),
        (Type::DateTime, Type::DateTime) | (Type::Timestamp, Type::Timestamp) => {
            between(sql::Func::MicrosBetween, l, r)
        }
        (Type::Date | Type::DateTime | Type::Timestamp, _) => shift_time::<L, R, O>(l, r, true),
        _ => arith(BinaryOp::Sub, l, r),
    }
}

/// `l - r` of two dates or times: the microseconds between them.
fn between<L, R, O>(func: sql::Func, l: Expr<L>, r: Expr<R>) -> Expr<O> {
    let (agg, nullable) = (l.agg || r.agg, l.nullable || r.nullable);
    Expr::with(sql::Expr::func(func, vec![l.node, r.node]), agg, nullable)
}

/// A date or time plus (or minus) a duration bound in microseconds.
fn shift_time<L: Typed, R, O>(l: Expr<L>, r: Expr<R>, minus: bool) -> Expr<O> {
    let (agg, nullable) = (l.agg || r.agg, l.nullable || r.nullable);
    let mut amount = if minus {
        sql::Expr::unary(UnaryOp::Neg, r.node)
    } else {
        r.node
    };
    let func = if L::TYPE == Type::Date {
        // Whole days, truncated toward zero as chrono's `num_days`.
        amount = sql::Expr::binary(BinaryOp::IntDiv, amount, sql::Expr::int(86_400_000_000));
        sql::Func::AddDays
    } else {
        sql::Func::AddMicros
    };
    Expr::with(sql::Expr::func(func, vec![l.node, amount]), agg, nullable)
}

pub fn mul<L: Typed + SqlMul<R, Output = O>, R: Typed, O>((l, r): (Expr<L>, Expr<R>)) -> Expr<O> {
    arith(BinaryOp::Mul, l, r)
}

/// Integer division truncates toward zero, as in Rust. Division by zero
/// yields NULL on every backend (Rust would panic).
pub fn div<L: Typed + SqlDiv<R, Output = O>, R: Typed, O>((l, r): (Expr<L>, Expr<R>)) -> Expr<O> {
    let op = if L::TYPE.is_integer() {
        BinaryOp::IntDiv
    } else {
        BinaryOp::Div
    };
    let mut e: Expr<L::Output> = arith(op, l, r);
    e.nullable = true;
    e
}

pub fn rem<L: Typed + SqlRem<R, Output = O>, R: Typed, O>((l, r): (Expr<L>, Expr<R>)) -> Expr<O> {
    let mut e: Expr<L::Output> = arith(BinaryOp::Rem, l, r);
    e.nullable = true;
    e
}

pub fn neg<T: SqlNeg>(e: Expr<T>) -> Expr<T> {
    let (agg, nullable) = (e.agg, e.nullable);
    let node = match e.node {
        sql::Expr::Literal(Literal::Int(v)) if v != i64::MIN => sql::Expr::int(-v),
        sql::Expr::Literal(Literal::Float(v)) => sql::Expr::Literal(Literal::Float(-v)),
        node => sql::Expr::unary(UnaryOp::Neg, node),
    };
    Expr::with(node, agg, nullable)
}

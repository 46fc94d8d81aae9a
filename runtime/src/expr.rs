//! Typed query expressions: the values `select!` builds its SQL tree from.
//!
//! `Expr<T>` is an SQL expression whose Rust value type is `T`; the operator
//! traits of [`ops`](crate::ops) decide which combinations type-check. A
//! query variable is a [`Var<E>`](crate::Var), and `p.field` resolves through the
//! entity's field descriptors to an `Expr` of the field's type.

use std::marker::PhantomData;

use crate::builder::Builder;
use crate::dialects::{self as sql, Literal};
use crate::error::DecodeError;
use crate::types::{FromRow, RowAccess, Typed};

/// An SQL expression of Rust type `T`.
pub struct Expr<T> {
    pub(crate) node: sql::Expr,
    /// Contains an aggregate of the query it belongs to.
    pub(crate) agg: bool,
    /// SQL may yield NULL here.
    pub(crate) nullable: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Expr::with(self.node.clone(), self.agg, self.nullable)
    }
}

impl<T> Expr<T> {
    pub(crate) fn with(node: sql::Expr, agg: bool, nullable: bool) -> Self {
        Expr {
            node,
            agg,
            nullable,
            _t: PhantomData,
        }
    }

    pub(crate) fn plain(node: sql::Expr) -> Self {
        Expr::with(node, false, false)
    }

    pub(crate) fn is_null_literal(&self) -> bool {
        matches!(self.node, sql::Expr::Literal(Literal::Null))
    }

    /// The node for a value context (projection, operand of NOT or of an
    /// equality): a boolean that may be NULL becomes FALSE there, since foal
    /// treats a comparison with a missing value as false.
    pub(crate) fn value_node(self) -> sql::Expr
    where
        T: Typed,
    {
        if self.nullable && T::TYPE == sql::Type::Bool && !T::NULLABLE {
            sql::Expr::func(sql::Func::Coalesce, vec![self.node, sql::Expr::bool(false)])
        } else {
            self.node
        }
    }
}

/// A literal of the query's source written into the SQL text.
pub trait LiteralValue {
    fn literal(self) -> Literal;
}

macro_rules! literal_int {
    ($($t:ty),*) => {$(
        impl LiteralValue for $t {
            fn literal(self) -> Literal {
                Literal::Int(i64::from(self))
            }
        }
    )*};
}
literal_int!(i8, i16, i32, i64, u8, u16, u32);

impl LiteralValue for usize {
    fn literal(self) -> Literal {
        Literal::Int(i64::try_from(self).unwrap_or(i64::MAX))
    }
}

impl LiteralValue for f64 {
    fn literal(self) -> Literal {
        Literal::Float(self)
    }
}

impl LiteralValue for f32 {
    fn literal(self) -> Literal {
        Literal::Float(f64::from(self))
    }
}

impl LiteralValue for bool {
    fn literal(self) -> Literal {
        Literal::Bool(self)
    }
}

/// A numeric or boolean literal.
pub fn lit<T: LiteralValue>(value: T) -> Expr<T> {
    Expr::plain(sql::Expr::Literal(value.literal()))
}

/// One ORDER BY key.
pub struct OrderKey {
    pub(crate) expr: sql::Expr,
    pub(crate) desc: bool,
    pub(crate) nullable: bool,
}

/// Something that can be an ORDER BY key: an expression, or `desc(e)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an ordering key",
    label = "order by a column or expression, or `desc(..)` of one",
    note = "`order_by(|p| (desc(p.price), p.name))` orders by several keys"
)]
pub trait IntoOrderKey {
    fn into_key(self) -> OrderKey;
}

impl<T: Typed> IntoOrderKey for Expr<T> {
    fn into_key(self) -> OrderKey {
        OrderKey {
            nullable: self.nullable || T::NULLABLE,
            expr: self.value_node(),
            desc: false,
        }
    }
}

impl IntoOrderKey for OrderKey {
    fn into_key(self) -> OrderKey {
        self
    }
}

/// One projected column and whether it aggregates.
#[doc(hidden)]
pub struct Item {
    pub(crate) expr: sql::Expr,
    pub(crate) agg: bool,
}

/// What a query returns: its SQL items and how to decode a row of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the result of a query",
    label = "select a query variable, a column or expression, a tuple of those, or a struct literal",
    note = "values computed only in Rust cannot be selected; compute them after fetching"
)]
pub trait Projection {
    type Row: 'static;
    #[doc(hidden)]
    fn items(self, b: &Builder, out: &mut Vec<Item>);
    #[doc(hidden)]
    fn decode<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self::Row, DecodeError>;
    /// The entity this projection returns whole, when it is one query variable.
    #[doc(hidden)]
    fn root(&self) -> Option<u16> {
        None
    }
}

impl<T: Typed + FromRow + 'static> Projection for Expr<T> {
    type Row = T;
    fn items(self, _b: &Builder, out: &mut Vec<Item>) {
        let agg = self.agg;
        out.push(Item {
            expr: self.value_node(),
            agg,
        });
    }
    #[inline]
    fn decode<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<T, DecodeError> {
        T::from_row(row, idx)
    }
}

macro_rules! projection_tuples {
    ($(($($n:ident),+))*) => {$(
        impl<$($n: Projection),+> Projection for ($($n,)+) {
            type Row = ($($n::Row,)+);
            #[allow(non_snake_case)]
            fn items(self, b: &Builder, out: &mut Vec<Item>) {
                let ($($n,)+) = self;
                $($n.items(b, out);)+
            }
            #[inline]
            fn decode<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self::Row, DecodeError> {
                Ok(($($n::decode(row, idx)?,)+))
            }
        }
    )*};
}
projection_tuples! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
    (A, B, C, D, E, F, G, H, I)
    (A, B, C, D, E, F, G, H, I, J)
    (A, B, C, D, E, F, G, H, I, J, K)
    (A, B, C, D, E, F, G, H, I, J, K, L)
}

/// Decodes a struct literal projection: generated by `select!` for
/// `Summary { name: p.name, .. } for p in Product`.
pub trait RowDecoder {
    type Row: 'static;
    fn decode<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self::Row, DecodeError>;
}

/// A projection whose items come from `P` and whose rows are built by `D`.
pub struct Mapped<P, D> {
    items: P,
    _d: PhantomData<fn() -> D>,
}

impl<P, D> Mapped<P, D> {
    pub fn new(items: P) -> Self {
        Mapped { items, _d: PhantomData }
    }
}

impl<P: Projection, D: RowDecoder> Projection for Mapped<P, D> {
    type Row = D::Row;
    fn items(self, b: &Builder, out: &mut Vec<Item>) {
        self.items.items(b, out);
    }
    #[inline]
    fn decode<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<D::Row, DecodeError> {
        D::decode(row, idx)
    }
}

/// A query value of Rust type `Self` can fill a struct field of type `F`.
#[diagnostic::on_unimplemented(
    message = "a query value of type `{Self}` cannot fill a field of type `{F}`",
    label = "this expression has type `{Self}`",
    note = "convert inside the query (for example with `as`), or change the field's type"
)]
pub trait StoreAs<F> {}

impl<T> StoreAs<T> for T {}
impl<T> StoreAs<Option<T>> for T {}

/// Checks that a projected value fits the struct field it fills; returns
/// the value.
pub fn check_field<S, P, F>(value: P, _field: fn(&S) -> &F) -> P
where
    P: Projection,
    P::Row: StoreAs<F>,
{
    value
}

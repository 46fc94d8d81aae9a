//! Typed query expressions: the values `select!` builds its SQL tree from.
//!
//! `Expr<T>` is an SQL expression whose Rust value type is `T`; the operator
//! traits of [`ops`](crate::dsl::ops) decide which combinations type-check. A
//! query variable is a [`Var<E>`](crate::Var), and `p.field` resolves through the
//! entity's field descriptors to an `Expr` of the field's type.

use std::marker::PhantomData;

use crate::dialects::{self as sql, Literal};
use crate::types::Typed;

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
            expr: in_order::<T>(self.value_node()),
            desc: false,
        }
    }
}

/// A value as it orders: itself, or for an enum stored as its variants'
/// names the position of its variant (`CASE WHEN x = 'Created' THEN 0 …
/// END`), so that it orders as `#[derive(PartialOrd)]` orders it.
/// A decimal orders through a key where it is text (SQLite).
pub(crate) fn in_order<T: Typed + ?Sized>(node: sql::Expr) -> sql::Expr {
    if T::TYPE == sql::Type::Decimal {
        return sql::Expr::func(sql::Func::DecimalKey, vec![node]);
    }
    if T::VARIANTS.is_empty() {
        return node;
    }
    let branches = T::VARIANTS
        .iter()
        .zip(0i64..)
        .map(|(name, position)| {
            let is = sql::Expr::binary(sql::BinaryOp::Eq, node.clone(), sql::Expr::Literal(Literal::Text(name)));
            (is, sql::Expr::Literal(Literal::Int(position)))
        })
        .collect();
    sql::Expr::Case {
        branches,
        otherwise: None,
    }
}

impl IntoOrderKey for OrderKey {
    fn into_key(self) -> OrderKey {
        self
    }
}

//! Membership in a list computed in Rust (`ids.contains(&p.id)`), row
//! values, and `key()` of a reference.

use crate::dialects as sql;
use crate::dsl::ops::SqlEq;
use crate::dsl::{Expr, ListParam};
use crate::entity::{Entity, Ref};
use crate::types::{ToValue, Typed, Value};

/// A collection computed in Rust that `contains` can test membership in:
/// `ids.contains(&p.id)` becomes `p.id IN (…)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a list in a query",
    label = "`contains` on a value computed in Rust needs a Vec, slice, array or set of values",
    note = "to search text, call `contains` on the query's column: `p.name.contains(\"x\")`"
)]
pub trait HostList {
    type Elem;
    fn values(&self) -> Vec<Value>;
}

fn list_values<'a, T: ToValue + 'a>(items: impl Iterator<Item = &'a T>) -> Vec<Value> {
    items.map(ToValue::to_value).collect()
}

impl<T: ToValue> HostList for Vec<T> {
    type Elem = T;
    fn values(&self) -> Vec<Value> {
        list_values(self.iter())
    }
}

impl<T: ToValue> HostList for [T] {
    type Elem = T;
    fn values(&self) -> Vec<Value> {
        list_values(self.iter())
    }
}

impl<T: ToValue, const N: usize> HostList for [T; N] {
    type Elem = T;
    fn values(&self) -> Vec<Value> {
        list_values(self.iter())
    }
}

impl<T: ToValue, S> HostList for std::collections::HashSet<T, S> {
    type Elem = T;
    fn values(&self) -> Vec<Value> {
        list_values(self.iter())
    }
}

impl<T: ToValue> HostList for std::collections::BTreeSet<T> {
    type Elem = T;
    fn values(&self) -> Vec<Value> {
        list_values(self.iter())
    }
}

impl<L: HostList + ?Sized> HostList for &L {
    type Elem = L::Elem;
    fn values(&self) -> Vec<Value> {
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

/// `r.key()` of a reference: the referenced row's key.
pub fn key<E: Entity>(r: Expr<Ref<E>>) -> Expr<E::Key> {
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

//! To-many relations: `#[foal(has_many(orders: Order = customer))]` gives a
//! `Customer` variable a path `c.orders`, the `Order` rows whose `customer`
//! references it. A path is a source (`for o in c.orders`, a join; inside
//! an aggregate, a correlated subquery) and has `count()` and `is_empty()`.

use std::marker::PhantomData;

use crate::dialects::{self as sql, AggFunc};
use crate::dsl::Builder;
use crate::dsl::Expr;
use crate::dsl::{FieldAccess, Nullability, Var, field_node};
use crate::entity::{Entity, Field, Ref};

/// The descriptor of a to-many relation: which field of `E` links back.
pub struct Many<E: Entity> {
    link: fn(&E::Columns) -> usize,
}

impl<E: Entity> Many<E> {
    #[doc(hidden)]
    pub const fn new(link: fn(&E::Columns) -> usize) -> Self {
        Many { link }
    }

    /// The field of `E` that references the parent.
    pub(crate) fn link_index(&self) -> usize {
        (self.link)(&E::COLUMNS)
    }
}

impl<E: Entity> Clone for Many<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E: Entity> Copy for Many<E> {}

/// A field that references entity `O`: what `has_many(.. = field)` names.
#[diagnostic::on_unimplemented(
    message = "`has_many` must name a field that references `{O}`",
    label = "this field is not a `Ref<{O}>` or `Option<Ref<{O}>>`",
    note = "`#[foal(has_many(orders: Order = customer))]` needs `Order::customer: Ref<Customer>`"
)]
pub trait LinkTo<O> {
    fn link_index(&self) -> usize;
}

impl<O: Entity> LinkTo<O> for Field<Ref<O>> {
    fn link_index(&self) -> usize {
        self.index()
    }
}

impl<O: Entity> LinkTo<O> for Field<Option<Ref<O>>> {
    fn link_index(&self) -> usize {
        self.index()
    }
}

/// The field index a `has_many` declaration links through (checked at
/// compile time to reference the declaring entity).
#[doc(hidden)]
pub fn link<O: Entity, F: LinkTo<O>>(field: &F) -> usize {
    field.link_index()
}

/// `c.orders` read from a variable: the `E` rows linked to that row.
pub struct ManyPath<E: Entity, N = crate::dsl::Required> {
    /// The variable the path starts from.
    pub(crate) parent: u16,
    /// The parent row's key columns.
    pub(crate) parent_key: Vec<sql::Expr>,
    /// The field of `E` that references the parent.
    pub(crate) link: usize,
    _e: PhantomData<fn() -> (E, N)>,
}

impl<E: Entity> FieldAccess for Many<E> {
    type Output<N: Nullability> = ManyPath<E, N>;
    fn access<P: Entity, N: Nullability>(&self, b: &Builder, var: Var<P, N>) -> ManyPath<E, N> {
        let columns = E::COLUMNS;
        ManyPath {
            parent: var.id,
            parent_key: b.var_key::<P>(var.id),
            link: (self.link)(&columns),
            _e: PhantomData,
        }
    }
}

impl<E: Entity, N> ManyPath<E, N> {
    /// `child.link = parent.key` for the child row at `alias`.
    #[allow(clippy::expect_used)]
    pub(crate) fn condition(&self, alias: &str) -> sql::Expr {
        let link = field_node::<E>(alias, self.link);
        let links = match link {
            sql::Expr::Tuple(items) => items,
            single => vec![single],
        };
        links
            .into_iter()
            .zip(self.parent_key.iter().cloned())
            .map(|(l, k)| sql::Expr::binary(sql::BinaryOp::Eq, l, k))
            .reduce(sql::Expr::and)
            .expect("invariant: a reference has at least one column")
    }

    /// `SELECT <item> FROM E WHERE link = parent` as a subquery.
    fn subquery(&self, b: &Builder, item: impl FnOnce(&str) -> sql::Expr) -> sql::Select {
        let alias = b.scratch_alias(E::TABLE);
        sql::Select {
            items: vec![sql::SelectItem {
                expr: item(&alias),
                alias: None,
            }],
            from: vec![sql::Join {
                kind: sql::JoinKind::Cross,
                source: sql::TableSource::Table(E::TABLE.to_owned()),
                alias: alias.clone(),
                on: None,
            }],
            filter: Some(self.condition(&alias)),
            ..sql::Select::default()
        }
    }
}

/// What `.is_empty()` applies to: text, or a to-many path.
#[diagnostic::on_unimplemented(
    message = "`is_empty()` cannot be used on `{Self}` in a query",
    label = "`is_empty()` applies to text and to to-many relations"
)]
pub trait HasEmpty {
    #[doc(hidden)]
    fn empty(self, b: &Builder) -> Expr<bool>;
}

impl<E: Entity, N> HasEmpty for ManyPath<E, N> {
    fn empty(self, b: &Builder) -> Expr<bool> {
        let select = self.subquery(b, |_| sql::Expr::int(1));
        Expr::plain(sql::Expr::Exists {
            query: Box::new(select),
            negated: true,
        })
    }
}

impl HasEmpty for Expr<String> {
    fn empty(self, _b: &Builder) -> Expr<bool> {
        let empty = sql::Expr::Literal(sql::Literal::Text(""));
        let (agg, nullable) = (self.agg, self.nullable);
        Expr::with(sql::Expr::binary(sql::BinaryOp::Eq, self.node, empty), agg, nullable)
    }
}

/// `x.is_empty()`.
pub fn is_empty<X: HasEmpty>(b: &Builder, x: X) -> Expr<bool> {
    x.empty(b)
}

/// `c.orders.count()`: the number of linked rows.
pub fn count_of<E: Entity, N>(b: &Builder, path: ManyPath<E, N>) -> Expr<i64> {
    let select = path.subquery(b, |_| sql::Expr::Aggregate {
        func: AggFunc::CountRows,
        distinct: false,
        arg: None,
        separator: None,
    });
    Expr::plain(sql::Expr::Subquery(Box::new(select)))
}

/// `for o in c.orders`: the linked rows (see [`Builder::join`]).
pub fn join<E: Entity, N: Nullability>(b: &Builder, path: ManyPath<E, N>, name: &str) -> Var<E, N> {
    b.join(path, name)
}

/// `for o in c.orders.left()`: the linked rows, or a missing row when there
/// are none.
pub fn join_left<E: Entity, N: Nullability>(
    b: &Builder,
    path: ManyPath<E, N>,
    name: &str,
) -> Var<E, crate::dsl::Optional> {
    b.join_left(path, name)
}

/// `for o in c.orders.left_join(|o| cond)` (and `join`, `right_join`,
/// `full_join`): the relation's rows joined on its own match and `cond`,
/// which the caller gives next (`Builder::on`).
pub fn join_path<E: Entity, N: Nullability>(
    b: &Builder,
    path: ManyPath<E, N>,
    name: &str,
    kind: sql::JoinKind,
) -> Var<E> {
    b.join_path(path, name, kind)
}

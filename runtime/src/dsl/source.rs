//! Query values as sources of other queries: `for x in q`, `for (who,
//! total) in per_customer`. A query's rows are read as a derived table (or
//! a CTE) whose columns are named by position, `c0, c1, …`; each element
//! of the row type binds a variable: an entity a query variable, a column
//! value an expression.

use crate::dialects::{self as sql, Select};
use crate::dsl::{Builder, Expr, MaybeNull, Nullability, Optional, Var};
use crate::entity::{Entity, Ref};
use crate::types::{FromRow, Typed};

/// A row type whose rows another query can read: the row types of
/// queries (column types, references, entities, tuples of those).
#[diagnostic::on_unimplemented(
    message = "the rows of `{Self}` cannot be read as a source of another query",
    label = "a query of these rows cannot be a source",
    note = "a query value is a source when its rows are an entity, a column type, a reference, or a tuple of those"
)]
pub trait SourceRow: FromRow + 'static {
    /// What a `for` pattern over these rows binds.
    type Vars: Clone;
    /// The variables of one row whose first column is column `first` of
    /// the derived table `table`.
    #[doc(hidden)]
    fn vars(b: &Builder, table: u16, first: usize) -> Self::Vars;

    /// A builder refining `base` in place, when these rows are an entity
    /// whose conditions can join the base's own; `None` reads the base as
    /// a derived table.
    #[doc(hidden)]
    fn merged(base: &Select, root: Option<&str>, param_offset: u16) -> Option<(Builder, Self::Vars)> {
        let _ = (base, root, param_offset);
        None
    }
}

/// Column `column` of the derived table `table`.
pub(crate) fn cell(b: &Builder, table: u16, column: usize) -> sql::Expr {
    sql::Expr::column(b.alias(table), format!("c{column}"))
}

macro_rules! column_sources {
    ($($t:ty),*) => {$(
        impl SourceRow for $t {
            type Vars = Expr<$t>;
            fn vars(b: &Builder, table: u16, first: usize) -> Expr<$t> {
                Expr::with($crate::dsl::source::cell(b, table, first), false, false)
            }
        }
        impl SourceRow for Option<$t> {
            type Vars = Expr<Option<$t>>;
            fn vars(b: &Builder, table: u16, first: usize) -> Expr<Option<$t>> {
                Expr::with($crate::dsl::source::cell(b, table, first), false, true)
            }
        }
    )*};
}
column_sources!(bool, i16, i32, i64, f32, f64, String, Vec<u8>);
// Also used by the column types of optional features.
#[cfg_attr(not(any(feature = "chrono", feature = "uuid")), allow(unused_imports))]
pub(crate) use column_sources;

/// The key columns of a reference, from column `first` on.
fn key_cells<E: Entity>(b: &Builder, table: u16, first: usize) -> sql::Expr {
    let width = <E::Key as FromRow>::WIDTH;
    let mut cells: Vec<sql::Expr> = (first..first + width).map(|c| cell(b, table, c)).collect();
    if cells.len() == 1 {
        cells.remove(0)
    } else {
        sql::Expr::Tuple(cells)
    }
}

impl<E: Entity> SourceRow for Ref<E> {
    type Vars = Expr<Ref<E>>;
    fn vars(b: &Builder, table: u16, first: usize) -> Expr<Ref<E>> {
        Expr::with(key_cells::<E>(b, table, first), false, false)
    }
}

impl<E: Entity> SourceRow for Option<Ref<E>> {
    type Vars = Expr<Option<Ref<E>>>;
    fn vars(b: &Builder, table: u16, first: usize) -> Expr<Option<Ref<E>>> {
        Expr::with(key_cells::<E>(b, table, first), false, true)
    }
}

/// The variable of an entity in a query value's rows (the derive's
/// `SourceRow` impl calls it).
#[doc(hidden)]
pub fn entity_vars<E: Entity>(b: &Builder, table: u16, first: usize) -> Var<E> {
    Var::new(b.positional_var(table, first))
}

/// An entity query refined in place (the derive's `SourceRow` impl).
#[doc(hidden)]
pub fn entity_merged<E: Entity>(base: &Select, root: Option<&str>, param_offset: u16) -> Option<(Builder, Var<E>)> {
    Builder::merged::<E>(base, root, param_offset)
}

macro_rules! tuple_sources {
    ($(($($n:ident $v:ident),+))*) => {$(
        impl<$($n: SourceRow),+> SourceRow for ($($n,)+) {
            type Vars = ($($n::Vars,)+);
            #[allow(unused_assignments)]
            fn vars(b: &Builder, table: u16, first: usize) -> Self::Vars {
                let mut at = first;
                $(
                    let $v = $n::vars(b, table, at);
                    at += <$n as FromRow>::WIDTH;
                )+
                ($($v,)+)
            }
        }
    )*};
}
tuple_sources! {
    (A a)
    (A a, B b2)
    (A a, B b2, C c)
    (A a, B b2, C c, D d)
    (A a, B b2, C c, D d, E e)
    (A a, B b2, C c, D d, E e, F f)
    (A a, B b2, C c, D d, E e, F f, G g)
    (A a, B b2, C c, D d, E e, F f, G g, H h)
}

/// A name bound by a `for` clause, used as a value: a query variable
/// stands for its row's key (`o.customer == c`), an element of a query
/// value's rows for itself.
pub trait RowVar {
    type Value;
    #[doc(hidden)]
    fn value(&self, b: &Builder) -> Expr<Self::Value>;
    /// `count(x)`: rows of a variable, present values of an expression.
    #[doc(hidden)]
    fn count(&self, b: &Builder, distinct: bool) -> Expr<i64>;
}

impl<E: Entity, N: Nullability> RowVar for Var<E, N> {
    type Value = N::Of<Ref<E>>;
    fn value(&self, b: &Builder) -> Expr<Self::Value> {
        crate::dsl::row_ref(b, self)
    }
    fn count(&self, b: &Builder, distinct: bool) -> Expr<i64> {
        crate::dsl::count_var(b, *self, distinct)
    }
}

impl<T: Typed> RowVar for Expr<T> {
    type Value = T;
    fn value(&self, _b: &Builder) -> Expr<T> {
        self.clone()
    }
    fn count(&self, _b: &Builder, _distinct: bool) -> Expr<i64> {
        crate::dsl::functions::count(self.clone())
    }
}

/// `x` as a value (see [`RowVar`]).
#[doc(hidden)]
pub fn value_of<V: RowVar>(b: &Builder, v: &V) -> Expr<V::Value> {
    v.value(b)
}

/// `count(x)` of a name bound by a `for` clause.
#[doc(hidden)]
pub fn count_row<V: RowVar>(b: &Builder, v: &V, distinct: bool) -> Expr<i64> {
    v.count(b, distinct)
}

/// A variable after a right or full join: its row may be missing.
pub trait MakeOptional {
    type Optional;
    #[doc(hidden)]
    fn optional(self) -> Self::Optional;
}

impl<E, N> MakeOptional for Var<E, N> {
    type Optional = Var<E, Optional>;
    fn optional(self) -> Var<E, Optional> {
        Var::new(self.id)
    }
}

impl<T: MaybeNull> MakeOptional for Expr<T> {
    type Optional = Expr<T::Opt>;
    fn optional(self) -> Expr<T::Opt> {
        Expr::with(self.node, self.agg, true)
    }
}

/// Makes a variable optional (after a right or full join).
#[doc(hidden)]
pub fn optional<V: MakeOptional>(v: V) -> V::Optional {
    v.optional()
}

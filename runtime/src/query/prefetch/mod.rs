//! Loading related rows without one query per row:
//! `select!(Order.filter(..).prefetch(|o| o.customer))` runs the query, then
//! one more query per relation (`WHERE key IN (…)`, in chunks under the
//! backend's parameter limit), all on the same connection. The rows come
//! back in a [`Loaded`], which answers `loaded.one(&o.customer)` and
//! `loaded.many(&c, |c| c.orders)` from memory.

mod plan;

use std::any::TypeId;
use std::sync::Arc;

use crate::dialects::Dialect;
use crate::dsl::relations::Many;
use crate::entity::{Entity, Field, Ref};
use crate::error::Result;
use crate::exec::Executor;
use crate::query::Query;

use plan::{Groups, Plan, Plans, Related, ToMany, ToOne, key_of, load_nested};

/// A relation that `.prefetch(|row| row.relation)` can load: a
/// `Ref<T>` or `Option<Ref<T>>` field, or a `has_many` relation.
#[diagnostic::on_unimplemented(
    message = "`prefetch` needs a relation, and this field is not one",
    label = "not a `Ref<T>`, `Option<Ref<T>>` or `has_many` relation",
    note = "prefetch a reference (`|o| o.customer`) or a to-many relation (`|c| c.orders`)"
)]
pub trait Prefetch<E> {
    /// The entity the relation leads to.
    type Target: Entity + Send + Sync;
    /// The plan loading this relation, then `nested` relations of what it
    /// loaded.
    #[doc(hidden)]
    fn plan(&self, nested: Plans<Self::Target>) -> Arc<dyn Plan<E>>;
}

impl<E: Entity, C: Entity + Send + Sync> Prefetch<E> for Field<Ref<C>> {
    type Target = C;
    fn plan(&self, nested: Plans<C>) -> Arc<dyn Plan<E>> {
        Arc::new(ToOne {
            field: self.index(),
            nested,
        })
    }
}

impl<E: Entity, C: Entity + Send + Sync> Prefetch<E> for Field<Option<Ref<C>>> {
    type Target = C;
    fn plan(&self, nested: Plans<C>) -> Arc<dyn Plan<E>> {
        Arc::new(ToOne {
            field: self.index(),
            nested,
        })
    }
}

impl<E: Entity, C: Entity + Send + Sync> Prefetch<E> for Many<C> {
    type Target = C;
    fn plan(&self, nested: Plans<C>) -> Arc<dyn Plan<E>> {
        Arc::new(ToMany {
            link: self.link_index(),
            nested,
        })
    }
}

pub struct Prefetching<E: Entity> {
    query: Query<E>,
    plans: Vec<Arc<dyn Plan<E>>>,
}

impl<E: Entity> Clone for Prefetching<E> {
    fn clone(&self) -> Self {
        Prefetching {
            query: self.query.clone(),
            plans: self.plans.clone(),
        }
    }
}

/// A query that `prefetch` can extend: a plain one or one already
/// prefetching.
#[doc(hidden)]
pub trait IntoPrefetching<E: Entity> {
    fn into_prefetching(self) -> Prefetching<E>;
}

impl<E: Entity> IntoPrefetching<E> for Query<E> {
    fn into_prefetching(self) -> Prefetching<E> {
        Prefetching {
            query: self,
            plans: Vec::new(),
        }
    }
}

impl<E: Entity> IntoPrefetching<E> for Prefetching<E> {
    fn into_prefetching(self) -> Prefetching<E> {
        self
    }
}

/// `.prefetch(|o| o.customer)` in `select!`.
#[doc(hidden)]
pub fn prefetch<E: Entity, Q: IntoPrefetching<E>, P: Prefetch<E>>(
    query: Q,
    relation: impl FnOnce(&E::Columns) -> &P,
) -> Prefetching<E> {
    let mut q = query.into_prefetching();
    q.plans.push(relation(&E::COLUMNS).plan(Vec::new()));
    q
}

/// `.prefetch(|u| u.posts.comments)` in `select!`: a relation, then one
/// of the rows it leads to.
#[doc(hidden)]
pub fn prefetch2<E, Q, P1, P2>(
    query: Q,
    first: impl FnOnce(&E::Columns) -> &P1,
    second: impl FnOnce(&<P1::Target as Entity>::Columns) -> &P2,
) -> Prefetching<E>
where
    E: Entity,
    Q: IntoPrefetching<E>,
    P1: Prefetch<E>,
    P2: Prefetch<P1::Target>,
{
    let inner = second(&<P1::Target as Entity>::COLUMNS).plan(Vec::new());
    let mut q = query.into_prefetching();
    q.plans.push(first(&E::COLUMNS).plan(vec![inner]));
    q
}

/// Three relations deep: `.prefetch(|c| c.orders.items.product)`.
#[doc(hidden)]
pub fn prefetch3<E, Q, P1, P2, P3>(
    query: Q,
    first: impl FnOnce(&E::Columns) -> &P1,
    second: impl FnOnce(&<P1::Target as Entity>::Columns) -> &P2,
    third: impl FnOnce(&<P2::Target as Entity>::Columns) -> &P3,
) -> Prefetching<E>
where
    E: Entity,
    Q: IntoPrefetching<E>,
    P1: Prefetch<E>,
    P2: Prefetch<P1::Target>,
    P3: Prefetch<P2::Target>,
{
    let innermost = third(&<P2::Target as Entity>::COLUMNS).plan(Vec::new());
    let inner = second(&<P1::Target as Entity>::COLUMNS).plan(vec![innermost]);
    let mut q = query.into_prefetching();
    q.plans.push(first(&E::COLUMNS).plan(vec![inner]));
    q
}

impl<E: Entity> Query<E> {
    /// Loads a relation of the rows along with them. Usually written inside
    /// `select!`: `select!(Order.filter(..).prefetch(|o| o.customer))`.
    pub fn prefetch<P: Prefetch<E>>(self, relation: impl FnOnce(&E::Columns) -> &P) -> Prefetching<E> {
        prefetch(self, relation)
    }
}

impl<E: Entity> Prefetching<E> {
    /// Loads one more relation.
    pub fn prefetch<P: Prefetch<E>>(self, relation: impl FnOnce(&E::Columns) -> &P) -> Prefetching<E> {
        prefetch(self, relation)
    }

    /// The query of the rows themselves.
    pub fn query(&self) -> &Query<E> {
        &self.query
    }

    /// The SQL of the rows' query (the relations' queries are
    /// `SELECT … WHERE key IN (…)`).
    pub fn sql(&self, dialect: Dialect) -> String {
        self.query.sql(dialect)
    }

    /// The rows, and every prefetched relation of them: one query for the
    /// rows, then one per relation (per 512 keys), on one connection. In a
    /// transaction they read one consistent state; outside one, each
    /// statement reads the latest committed data.
    ///
    /// # Errors
    /// A database or decoding error.
    pub fn fetch_all(&self, ex: &impl Executor) -> Result<Loaded<E>> {
        let site = self.query.call_site();
        ex.run_read(site, |conn| {
            let rows = self.query.rows_on(conn, None)?;
            let mut related = Related::default();
            load_nested(&self.plans, conn, &rows, &mut related, site)?;
            Ok(Loaded { rows, related })
        })
    }
}

/// Rows with their prefetched relations. Derefs to the rows.
pub struct Loaded<E> {
    rows: Vec<E>,
    related: Related,
}

impl<E> std::ops::Deref for Loaded<E> {
    type Target = [E];
    fn deref(&self) -> &[E] {
        &self.rows
    }
}

impl<'a, E> IntoIterator for &'a Loaded<E> {
    type Item = &'a E;
    type IntoIter = std::slice::Iter<'a, E>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

impl<E: std::fmt::Debug> std::fmt::Debug for Loaded<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.rows).finish()
    }
}

/// A reference that may be absent: `Ref<T>` or `Option<Ref<T>>`.
pub trait MaybeRef<T: Entity> {
    fn as_ref_to(&self) -> Option<&Ref<T>>;
}

impl<T: Entity> MaybeRef<T> for Ref<T> {
    fn as_ref_to(&self) -> Option<&Ref<T>> {
        Some(self)
    }
}

impl<T: Entity> MaybeRef<T> for Option<Ref<T>> {
    fn as_ref_to(&self) -> Option<&Ref<T>> {
        self.as_ref()
    }
}

impl<E: Entity> Loaded<E> {
    /// The rows.
    pub fn rows(&self) -> &[E] {
        &self.rows
    }

    /// The rows, giving up the related ones.
    pub fn into_rows(self) -> Vec<E> {
        self.rows
    }

    /// The row a reference points to, if it was prefetched (`None` for an
    /// absent `Option<Ref<T>>` too).
    pub fn one<C: Entity>(&self, reference: &impl MaybeRef<C>) -> Option<&C> {
        let r = reference.as_ref_to()?;
        self.related.ones::<C>()?.get(&key_of(&r.key()))
    }

    /// The rows of a to-many relation of `row`: `loaded.many(&c, |c|
    /// c.orders)`. `row` is one of the rows or a row loaded with them (the
    /// posts of `.prefetch(|u| u.posts.comments)` have their comments).
    /// `None` when that relation was not prefetched.
    pub fn many<R: Entity, C: Entity>(&self, row: &R, relation: impl FnOnce(&R::Columns) -> Many<C>) -> Option<&[C]> {
        let link = relation(&R::COLUMNS).link_index();
        let map: &Groups<C> = self.related.manys.get(&(TypeId::of::<C>(), link))?.downcast_ref()?;
        Some(map.get(&key_of(&row.key())).map_or(&[], Vec::as_slice))
    }
}

//! Loading related rows without one query per row:
//! `select!(Order.filter(..).prefetch(|o| o.customer))` runs the query, then
//! one more query per relation (`WHERE key IN (…)`, in chunks under the
//! backend's parameter limit), all on the same connection. The rows come
//! back in a [`Loaded`], which answers `loaded.one(&o.customer)` and
//! `loaded.many(&c, |c| c.orders)` from memory.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::db::Executor;
use crate::dialects::{self as sql, Dialect, Rendered, Statement};
use crate::driver::{Conn, Decoder};
use crate::entity::{Entity, EntityMeta, Field, Ref};
use crate::error::{CallSite, Result};
use crate::query::Query;
use crate::relations::Many;
use crate::types::ToValues;
use crate::value::{KeyHash, KeyMap, Value, ValueKey, key_with};

/// Keys fetched per statement at most (padded by `list_length`, so
/// a few SQL texts serve every batch size).
const CHUNK: usize = 512;

/// What was loaded besides the rows: an identity map per entity type for
/// to-one relations, and the children per parent for to-many ones.
#[doc(hidden)]
#[derive(Default)]
pub struct Related {
    ones: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    manys: HashMap<(TypeId, usize), Box<dyn Any + Send + Sync>>,
}

impl Related {
    fn ones<C: Entity>(&self) -> Option<&KeyMap<C>> {
        self.ones.get(&TypeId::of::<C>())?.downcast_ref()
    }

    /// The identity map of `C` (the entry of `C`'s TypeId is always created
    /// as a map of `C`, so the downcast succeeds).
    fn ones_mut<C: Entity + Send + Sync>(&mut self) -> Option<&mut KeyMap<C>> {
        self.ones
            .entry(TypeId::of::<C>())
            .or_insert_with(|| Box::new(KeyMap::<C>::with_hasher(key_hash::<C>())))
            .downcast_mut()
    }
}

/// The children of each parent: keyed by a plain integer when the parent
/// key is one (the usual case), else by [`ValueKey`].
enum Groups<C> {
    Int(HashMap<i64, Vec<C>, crate::driver::IdHash>),
    Any(KeyMap<Vec<C>>),
}

impl<C> Groups<C> {
    /// Adds an empty group for `key`; false if it was there.
    fn add(&mut self, key: &ValueKey) -> bool {
        match (self, key) {
            (Groups::Int(m), ValueKey::One(Value::Int(i))) => m.insert(*i, Vec::new()).is_none(),
            (Groups::Any(m), _) => m.insert(key.clone(), Vec::new()).is_none(),
            _ => false,
        }
    }

    fn get(&self, key: &ValueKey) -> Option<&Vec<C>> {
        match (self, key) {
            (Groups::Int(m), ValueKey::One(Value::Int(i))) => m.get(i),
            (Groups::Any(m), _) => m.get(key),
            _ => None,
        }
    }

    /// The group of the parent that field `link` of `child` points to. An
    /// integer key is read and looked up as it is, without making a key
    /// value.
    fn group_of<E: Entity>(&mut self, buf: &mut Vec<Value>, child: &E, link: usize) -> Option<&mut Vec<C>> {
        match self {
            Groups::Int(m) => m.get_mut(&child.field_int(link)?),
            Groups::Any(m) => m.get_mut(&field_of(buf, child, link)),
        }
    }
}

/// The hasher for maps keyed by `C`'s primary key.
fn key_hash<C: Entity>() -> KeyHash {
    KeyHash::for_type(<C::Key as crate::types::Typed>::TYPE)
}

fn key_of(value: &impl ToValues) -> ValueKey {
    key_with(&mut Vec::with_capacity(2), value)
}

/// The values of field number `field` of `row`, reusing `buf`.
fn field_of<E: Entity>(buf: &mut Vec<Value>, row: &E, field: usize) -> ValueKey {
    buf.clear();
    row.push_field(field, buf);
    if buf.len() == 1 {
        ValueKey::One(buf.pop().unwrap_or(Value::Null))
    } else {
        ValueKey::Many(buf.clone())
    }
}

/// One relation to load for rows of `E`, and the relations to load for the
/// rows it loads in turn.
#[doc(hidden)]
pub trait Plan<E>: Send + Sync {
    fn load(&self, conn: &mut Conn, rows: &[E], related: &mut Related, site: CallSite) -> Result<()>;
}

type Plans<E> = Vec<Arc<dyn Plan<E>>>;

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

struct ToOne<C> {
    field: usize,
    nested: Plans<C>,
}

struct ToMany<C> {
    link: usize,
    nested: Plans<C>,
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

fn load_nested<C>(plans: &Plans<C>, conn: &mut Conn, rows: &[C], related: &mut Related, site: CallSite) -> Result<()> {
    plans.iter().try_for_each(|plan| plan.load(conn, rows, related, site))
}

impl<E: Entity, C: Entity + Send + Sync> Plan<E> for ToOne<C> {
    fn load(&self, conn: &mut Conn, rows: &[E], related: &mut Related, site: CallSite) -> Result<()> {
        let loaded = related.ones::<C>();
        let mut seen = HashSet::with_hasher(key_hash::<C>());
        let mut buf = Vec::with_capacity(2);
        let keys: Vec<ValueKey> = rows
            .iter()
            .map(|row| field_of(&mut buf, row, self.field))
            .filter(|k| !k.values().iter().any(|v| matches!(v, Value::Null)))
            .filter(|k| loaded.is_none_or(|m| !m.contains_key(k)))
            .filter(|k| seen.insert(k.clone()))
            .collect();
        let meta = C::meta();
        let found: Vec<C> = load_by(conn, meta, &meta.key, &keys, site)?;
        load_nested(&self.nested, conn, &found, related, site)?;
        if let Some(map) = related.ones_mut::<C>() {
            map.reserve(found.len());
            for row in found {
                map.insert(key_with(&mut buf, &row.key()), row);
            }
        }
        Ok(())
    }
}

impl<E: Entity, C: Entity + Send + Sync> Plan<E> for ToMany<C> {
    fn load(&self, conn: &mut Conn, rows: &[E], related: &mut Related, site: CallSite) -> Result<()> {
        let int_keys = <E::Key as crate::types::FromRow>::WIDTH == 1 && matches!(key_hash::<E>(), KeyHash::Integers);
        let mut children = if int_keys {
            Groups::Int(HashMap::with_capacity_and_hasher(rows.len(), crate::driver::IdHash))
        } else {
            Groups::Any(KeyMap::with_capacity_and_hasher(rows.len(), key_hash::<E>()))
        };
        let mut keys = Vec::with_capacity(rows.len());
        let mut buf = Vec::with_capacity(2);
        for row in rows {
            let key = key_with(&mut buf, &row.key());
            if children.add(&key) {
                keys.push(key);
            }
        }
        let meta = C::meta();
        let link_columns: Vec<usize> = meta.fields.get(self.link).map_or(0..0, |f| f.columns.clone()).collect();
        let found = load_by::<C>(conn, meta, &link_columns, &keys, site)?;
        load_nested(&self.nested, conn, &found, related, site)?;
        for child in found {
            if let Some(list) = children.group_of(&mut buf, &child, self.link) {
                list.push(child);
            }
        }
        related.manys.insert((TypeId::of::<C>(), self.link), Box::new(children));
        Ok(())
    }
}

/// `SELECT <all columns> FROM t WHERE (columns) IN (…)` for `len` keys.
fn select_in(meta: &EntityMeta, columns: &[usize], len: usize) -> Statement {
    let target = |c: usize| sql::Expr::column("t", meta.columns[c].name.clone());
    let param = |n: usize, c: usize| sql::Expr::Param {
        index: u16::try_from(n).unwrap_or(u16::MAX),
        ty: meta.columns[c].ty,
    };
    let width = columns.len();
    let filter = if width == 1 {
        // One list parameter: `IN (?, …)` padded to `len` places, or one
        // array on PostgreSQL (`= ANY($1)`).
        sql::Expr::InParam {
            expr: Box::new(target(columns[0])),
            param: 0,
            ty: meta.columns[columns[0]].ty,
            len: u32::try_from(len).unwrap_or(u32::MAX),
            negated: false,
        }
    } else {
        let expr = sql::Expr::Tuple(columns.iter().map(|&c| target(c)).collect());
        let items = (0..len)
            .map(|n| {
                sql::Expr::Tuple(
                    columns
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| param(n * width + i, c))
                        .collect(),
                )
            })
            .collect();
        sql::Expr::InList {
            expr: Box::new(expr),
            items,
            negated: false,
        }
    };
    crate::write::select_rows(meta, filter)
}

/// How many placeholders a list of `n` keys is sent with: exactly `n` up to
/// 16, then rounded up to a multiple of 16 up to 128 and of 64 beyond, so
/// at most 29 statement texts serve every size up to a chunk (the extra
/// places repeat the last key).
fn list_length(n: usize) -> usize {
    match n {
        0..=16 => n,
        17..=128 => n.div_ceil(16) * 16,
        _ => n.div_ceil(64) * 64,
    }
}

/// The rows of `C` whose `columns` hold one of `keys`, in chunks.
fn load_by<C: Entity>(
    conn: &mut Conn,
    meta: &'static EntityMeta,
    columns: &[usize],
    keys: &[ValueKey],
    site: CallSite,
) -> Result<Vec<C>> {
    let dialect: Dialect = conn.dialect();
    let width = columns.len().max(1);
    let chunk = (dialect.provider().capabilities().max_params / width).clamp(1, CHUNK);
    let decoder = Decoder::<C>::from_row();
    let mut out = Vec::new();
    for keys in keys.chunks(chunk) {
        let params: Vec<Value> = if width == 1 {
            // One list parameter; its binding pads it as needed.
            vec![Value::List(
                keys.iter().flat_map(|k| k.values().iter().cloned()).collect(),
            )]
        } else {
            let padded = list_length(keys.len()).min(chunk);
            (0..padded)
                // Padding repeats the last key, which changes nothing.
                .flat_map(|n| keys[n.min(keys.len() - 1)].values().iter().cloned())
                .collect()
        };
        // PostgreSQL binds a one-column list as one array: one statement
        // serves every length.
        let padded = if width == 1 && dialect == Dialect::Postgres {
            1
        } else {
            list_length(keys.len()).min(chunk)
        };
        let rendered: Arc<Rendered> = meta.writes.select_in(columns, dialect, padded, || {
            dialect.render(&select_in(meta, columns, padded))
        });
        conn.query_into(&rendered, &params, &decoder, None, site, &mut out)?;
    }
    Ok(out)
}

/// A query whose rows are loaded with related rows; made by
/// `.prefetch(…)` in `select!`.
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

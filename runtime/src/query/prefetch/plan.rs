//! How prefetched relations are loaded: one `SELECT … WHERE key IN (…)`
//! per relation and chunk of keys, the rows kept in an identity map per
//! entity type (to-one) or grouped by parent (to-many).

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::dialects::{self as sql, Dialect, Rendered, Statement};
use crate::driver::{Conn, Decoder};
use crate::entity::{Entity, EntityMeta};
use crate::error::{CallSite, Result};
use crate::types::{KeyHash, KeyMap, ToValues, Value, ValueKey, Whole, key_with};
use crate::util::hash::IdHash;

/// Keys fetched per statement at most (padded by `list_length`, so
/// a few SQL texts serve every batch size).
const CHUNK: usize = 512;

/// What was loaded besides the rows: an identity map per entity type for
/// to-one relations, and the children per parent for to-many ones.
#[doc(hidden)]
#[derive(Default)]
pub struct Related {
    ones: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    pub(super) manys: HashMap<(TypeId, usize), Box<dyn Any + Send + Sync>>,
}

impl Related {
    pub(super) fn ones<C: Entity>(&self) -> Option<&KeyMap<C>> {
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
pub(super) enum Groups<C> {
    Int(HashMap<i64, Vec<C>, IdHash>),
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

    pub(super) fn get(&self, key: &ValueKey) -> Option<&Vec<C>> {
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

pub(super) fn key_of(value: &impl ToValues) -> ValueKey {
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

pub(super) type Plans<E> = Vec<Arc<dyn Plan<E>>>;

/// Loads a `Ref<C>` field's rows.
pub(super) struct ToOne<C> {
    pub(super) field: usize,
    pub(super) nested: Plans<C>,
}

/// Loads a `has_many` relation's rows.
pub(super) struct ToMany<C> {
    pub(super) link: usize,
    pub(super) nested: Plans<C>,
}

pub(super) fn load_nested<C>(
    plans: &Plans<C>,
    conn: &mut Conn,
    rows: &[C],
    related: &mut Related,
    site: CallSite,
) -> Result<()> {
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
            Groups::Int(HashMap::with_capacity_and_hasher(rows.len(), IdHash))
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
#[allow(clippy::expect_used)]
fn select_in(meta: &EntityMeta, columns: &[usize], len: usize) -> Statement {
    let target = |c: usize| sql::Expr::column("t", meta.columns[c].name.clone());
    let param = |n: usize, c: usize| sql::Expr::Param {
        index: u16::try_from(n).expect("invariant: a chunk has at most 65 535 parameters"),
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
    crate::query::memo::select_rows(meta, filter)
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
    let decoder = Decoder::<C>::of::<Whole<C>>();
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
        let rendered: Arc<Rendered> = crate::query::memo::statements(meta).select_in(columns, dialect, padded, || {
            dialect.render(&select_in(meta, columns, padded))
        });
        conn.query_into(&rendered, &params, &decoder, None, site, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::list_length;

    #[test]
    fn list_lengths_are_exact_up_to_16_then_rounded_in_steps() {
        assert_eq!(
            (0..=16).map(list_length).collect::<Vec<_>>(),
            (0..=16).collect::<Vec<_>>()
        );
        assert_eq!(list_length(17), 32);
        assert_eq!(list_length(128), 128);
        assert_eq!(list_length(129), 192);
        assert_eq!(list_length(512), 512);
        // Never fewer places than keys, and few distinct texts in all.
        let lengths: std::collections::BTreeSet<usize> = (1..=512).map(list_length).collect();
        assert!((1..=512).all(|n| list_length(n) >= n));
        assert!(lengths.len() <= 29, "{} texts", lengths.len());
    }
}

//! The statements foal renders for each entity (inserts by row count,
//! reads and writes by key, upserts by conflict target, prefetch reads by
//! list length), rendered once per dialect and kept in the entity's
//! metadata.

use std::sync::{Arc, Mutex, OnceLock};

use crate::dialects::{self as sql, Dialect, Rendered, Select, SelectItem, Statement};
use crate::entity::EntityMeta;

/// The statements of a write by primary key.
#[derive(Clone, Copy)]
pub(crate) enum ByKey {
    Get = 0,
    Update = 1,
    Delete = 2,
}

/// A few values built on first use and shared after: a short list
/// searched by key (an entity has a handful of upsert targets and prefetch
/// shapes).
struct Memo<K, V>(Mutex<Vec<(K, Arc<V>)>>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo(Mutex::new(Vec::new()))
    }
}

impl<K: PartialEq, V> Memo<K, V> {
    fn get(&self, key: K, build: impl FnOnce() -> V) -> Arc<V> {
        self.get_bounded(key, usize::MAX, build)
    }

    /// As `get`, keeping at most `bound` values (later ones are built for
    /// each call).
    fn get_bounded(&self, key: K, bound: usize, build: impl FnOnce() -> V) -> Arc<V> {
        let mut built = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, found)) = built.iter().find(|(k, _)| *k == key) {
            return Arc::clone(found);
        }
        let value = Arc::new(build());
        if built.len() < bound {
            built.push((key, Arc::clone(&value)));
        }
        value
    }
}

/// The rendered statements of one upsert target: the upsert, and the
/// select that reads the stored row back where RETURNING cannot.
pub(crate) struct UpsertStatements {
    pub(crate) upsert: Rendered,
    pub(crate) read_back: Rendered,
    /// Columns whose values the upsert binds, in order.
    pub(crate) inserted: Vec<usize>,
}

/// Rendered write statements of one entity, per kind and dialect.
pub(crate) struct EntityStatements {
    statements: [[OnceLock<Rendered>; 3]; 3],
    /// Upserts, per conflict target (column numbers) and dialect.
    upserts: Memo<(Vec<usize>, Dialect), UpsertStatements>,
    /// Prefetch reads: rows whose columns are in a list of `len` keys.
    select_in: Memo<(Vec<usize>, Dialect, usize), Rendered>,
    /// Multi-row inserts of up to `SMALL_INSERTS` rows, by size and
    /// dialect: found without a lock.
    small_inserts: Vec<[OnceLock<Rendered>; 3]>,
    /// Larger multi-row inserts, per dialect and number of rows.
    insert_rows: Memo<(Dialect, usize), Rendered>,
    /// MySQL multi-row inserts with RETURNING (MariaDB 10.5 and later),
    /// by number of rows.
    insert_returning: Memo<usize, Rendered>,
    /// Bulk loads: multi-row inserts of every column, per dialect and
    /// number of rows.
    loads: Memo<(Dialect, usize), Rendered>,
}

/// Row counts whose INSERT has its own lock-free slot.
const SMALL_INSERTS: usize = 64;
/// Larger multi-row INSERTs of this many different sizes are kept per
/// entity; others are rendered for each call.
const INSERT_SIZES: usize = 32;

/// A rendering from a cache slot or a shared one.
pub(crate) enum RenderedRef<'c> {
    Slot(&'c Rendered),
    Shared(Arc<Rendered>),
}

impl std::ops::Deref for RenderedRef<'_> {
    type Target = Rendered;
    fn deref(&self) -> &Rendered {
        match self {
            RenderedRef::Slot(r) => r,
            RenderedRef::Shared(r) => r,
        }
    }
}

impl EntityStatements {
    pub(crate) fn insert_rows(
        &self,
        dialect: Dialect,
        rows: usize,
        build: impl FnOnce() -> Rendered,
    ) -> RenderedRef<'_> {
        match self.small_inserts.get(rows) {
            Some(slots) => RenderedRef::Slot(slots[dialect.index()].get_or_init(build)),
            None => RenderedRef::Shared(self.insert_rows.get_bounded((dialect, rows), INSERT_SIZES, build)),
        }
    }

    /// A MySQL-dialect INSERT of `rows` rows with RETURNING (for MariaDB).
    pub(crate) fn insert_returning(&self, rows: usize, build: impl FnOnce() -> Rendered) -> RenderedRef<'_> {
        RenderedRef::Shared(self.insert_returning.get_bounded(rows, INSERT_SIZES, build))
    }

    /// A bulk load's INSERT of every column for `rows` rows.
    pub(crate) fn load_rows(&self, dialect: Dialect, rows: usize, build: impl FnOnce() -> Rendered) -> Arc<Rendered> {
        self.loads.get_bounded((dialect, rows), INSERT_SIZES, build)
    }

    pub(crate) fn select_in(
        &self,
        columns: &[usize],
        dialect: Dialect,
        len: usize,
        build: impl FnOnce() -> Rendered,
    ) -> Arc<Rendered> {
        self.select_in.get((columns.to_vec(), dialect, len), build)
    }

    pub(crate) fn upsert(
        &self,
        target: &[usize],
        dialect: Dialect,
        build: impl FnOnce() -> UpsertStatements,
    ) -> Arc<UpsertStatements> {
        self.upserts.get((target.to_vec(), dialect), build)
    }
}

impl Default for EntityStatements {
    fn default() -> Self {
        EntityStatements {
            statements: Default::default(),
            upserts: Memo::default(),
            select_in: Memo::default(),
            small_inserts: (0..SMALL_INSERTS).map(|_| Default::default()).collect(),
            insert_rows: Memo::default(),
            insert_returning: Memo::default(),
            loads: Memo::default(),
        }
    }
}

impl std::fmt::Debug for EntityStatements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EntityStatements")
    }
}

/// The statements of `meta`'s entity.
pub(crate) fn statements(meta: &EntityMeta) -> &EntityStatements {
    meta.statements.get::<EntityStatements>()
}

impl EntityStatements {
    /// The statement of a write by key, rendered on first use.
    pub(crate) fn by_key(&self, kind: ByKey, dialect: Dialect, build: impl FnOnce() -> Statement) -> &Rendered {
        self.statements[kind as usize][dialect.index()].get_or_init(|| dialect.render(&build()))
    }
}

/// `SELECT <every column> FROM t AS "t" WHERE filter`: how foal reads whole
/// rows by key, by conflict target and by prefetch lists.
pub(crate) fn select_rows(meta: &EntityMeta, filter: sql::Expr) -> Statement {
    Statement::Select(Select {
        items: meta
            .columns
            .iter()
            .map(|c| SelectItem {
                expr: sql::Expr::column("t", c.name.clone()),
                alias: None,
            })
            .collect(),
        from: vec![sql::Join {
            kind: sql::JoinKind::Cross,
            source: sql::TableSource::Table(meta.table.to_owned()),
            alias: "t".to_owned(),
            on: None,
        }],
        filter: Some(filter),
        ..Select::default()
    })
}

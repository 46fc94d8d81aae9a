//! Writing entities: insert, insert_all, get, update, delete, upsert.
//!
//! Every statement is rendered once per entity and dialect and kept in the
//! entity's metadata; multi-row inserts are rendered per chunk size.

use std::sync::{Arc, Mutex, OnceLock};

use crate::db::Executor;
use crate::dialects::{self as sql, BinaryOp, Dialect, Insert, OnConflict, Rendered, Select, SelectItem, Statement};
use crate::driver::Decoder;
use crate::entity::{ColumnMeta, Entity, EntityMeta};
use crate::error::{CallSite, Error, Result};
use crate::types::ToValues;
use crate::value::Value;

#[derive(Clone, Copy)]
enum Kind {
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

/// Rendered write statements of one entity, per kind and dialect.
pub(crate) struct WriteCache {
    statements: [[OnceLock<Rendered>; 3]; 3],
    /// Upserts, per conflict target (column numbers) and dialect.
    upserts: Memo<(Vec<usize>, Dialect), Upsert>,
    /// Prefetch reads: rows whose columns are in a list of `len` keys.
    select_in: Memo<(Vec<usize>, Dialect, usize), Rendered>,
    /// Multi-row inserts of up to `SMALL_INSERTS` rows, by size and
    /// dialect: found without a lock.
    small_inserts: Vec<[OnceLock<Rendered>; 3]>,
    /// Larger multi-row inserts, per dialect and number of rows.
    insert_rows: Memo<(Dialect, usize), Rendered>,
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

impl WriteCache {
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

    pub(crate) fn select_in(
        &self,
        columns: &[usize],
        dialect: Dialect,
        len: usize,
        build: impl FnOnce() -> Rendered,
    ) -> Arc<Rendered> {
        self.select_in.get((columns.to_vec(), dialect, len), build)
    }

    fn upsert(&self, target: &[usize], dialect: Dialect, build: impl FnOnce() -> Upsert) -> Arc<Upsert> {
        self.upserts.get((target.to_vec(), dialect), build)
    }
}

impl Default for WriteCache {
    fn default() -> Self {
        WriteCache {
            statements: Default::default(),
            upserts: Memo::default(),
            select_in: Memo::default(),
            small_inserts: (0..SMALL_INSERTS).map(|_| Default::default()).collect(),
            insert_rows: Memo::default(),
        }
    }
}

impl std::fmt::Debug for WriteCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteCache")
    }
}

fn cached(
    meta: &'static EntityMeta,
    kind: Kind,
    dialect: Dialect,
    build: impl FnOnce() -> Statement,
) -> &'static Rendered {
    meta.writes.statements[kind as usize][dialect.index()].get_or_init(|| dialect.render(&build()))
}

fn param(index: usize, column: &ColumnMeta) -> sql::Expr {
    sql::Expr::Param {
        index: u16::try_from(index).unwrap_or(u16::MAX),
        ty: column.ty,
    }
}

/// `c1 = ? AND c2 = ? …` over `columns`, parameters numbered from `first`.
fn columns_equal(meta: &EntityMeta, alias: &str, columns: &[usize], first: usize) -> sql::Expr {
    columns
        .iter()
        .enumerate()
        .map(|(n, &c)| {
            let column = &meta.columns[c];
            sql::Expr::binary(
                BinaryOp::Eq,
                sql::Expr::column(alias, column.name.clone()),
                param(first + n, column),
            )
        })
        .reduce(sql::Expr::and)
        .unwrap_or(sql::Expr::bool(true))
}

/// `key1 = ? AND key2 = ? [AND version = ?]`, parameters numbered from `first`.
fn key_filter(meta: &EntityMeta, alias: &str, first: usize, with_version: bool) -> sql::Expr {
    let mut columns: Vec<usize> = meta.key.clone();
    if with_version {
        columns.extend(meta.version_column());
    }
    columns_equal(meta, alias, &columns, first)
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

fn key_values<E: Entity>(value: &E) -> Vec<Value> {
    let mut out = Vec::new();
    value.key().push_values(&mut out);
    out
}

fn key_text<E: Entity>(value: &E) -> String {
    format!("{:?}", value.key())
}

/// The columns an insert writes: all but the generated key.
fn insert_columns(meta: &EntityMeta) -> Vec<usize> {
    (0..meta.columns.len()).filter(|&i| !meta.columns[i].auto).collect()
}

/// `INSERT INTO t (<columns but the generated key>) VALUES (…), …` for
/// `rows` rows. Parameters are numbered over all columns of each row (the
/// generated key's value is sent nowhere), so a row's values go in as
/// `Entity::into_values` lays them out.
fn insert_statement(meta: &EntityMeta, rows: usize, dialect: Dialect) -> Statement {
    let columns = insert_columns(meta);
    let stride = meta.columns.len();
    let auto = meta.auto_column();
    let returning = match auto {
        Some(a) if dialect.provider().capabilities().returning => vec![meta.columns[a].name.clone()],
        _ => Vec::new(),
    };
    Statement::Insert(Insert {
        table: meta.table.to_owned(),
        columns: columns.iter().map(|&c| meta.columns[c].name.clone()).collect(),
        rows: (0..rows)
            .map(|r| {
                columns
                    .iter()
                    .map(|&c| param(r * stride + c, &meta.columns[c]))
                    .collect()
            })
            .collect(),
        on_conflict: None,
        returning,
    })
}

/// Inserts one row; fills in the generated key.
pub(crate) fn insert<E: Entity>(ex: &impl Executor, value: E, site: CallSite) -> Result<E> {
    let (rows, ids) = insert_chunked(ex, vec![value], Rows::Kept, site)?;
    with_keys(rows, &ids).pop().ok_or(Error::NotFound { site })
}

/// Inserts many rows with multi-row INSERTs, each under the backend's
/// parameter limit, all or none (inside one transaction or savepoint when
/// it takes several statements).
pub(crate) fn insert_all<E: Entity>(ex: &impl Executor, values: Vec<E>, site: CallSite) -> Result<Vec<E>> {
    if values.is_empty() {
        return Ok(values);
    }
    let (rows, ids) = insert_chunked(ex, values, Rows::Kept, site)?;
    Ok(with_keys(rows, &ids))
}

/// `rows` with the keys the database generated for them, if it did.
fn with_keys<E: Entity>(mut rows: Vec<E>, ids: &[i64]) -> Vec<E> {
    for (row, id) in rows.iter_mut().zip(ids) {
        row.set_generated_key(*id);
    }
    rows
}

/// Inserts `values` as `insert_all` does and returns only their keys: the
/// rows are given up, so a driver that takes its values owned gets their
/// text moved instead of copied.
pub(crate) fn insert_keys<E: Entity>(ex: &impl Executor, values: Vec<E>, site: CallSite) -> Result<Vec<E::Key>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    // A generated key is an integer, which nothing takes; any other key
    // is read before its text may be moved out.
    let given: Option<Vec<E::Key>> = E::meta()
        .auto_column()
        .is_none()
        .then(|| values.iter().map(Entity::key).collect());
    let (rows, ids) = insert_chunked(ex, values, Rows::GivenUp, site)?;
    if let Some(keys) = given {
        return Ok(keys);
    }
    // A generated key of type i64 (the usual one): the keys are the ids
    // as they came, without a second vector.
    let mut ids = Some(ids);
    if let Some(keys) = (&mut ids as &mut dyn std::any::Any).downcast_mut::<Option<Vec<E::Key>>>() {
        return Ok(keys.take().unwrap_or_default());
    }
    let ids = ids.unwrap_or_default();
    Ok(with_keys(rows, &ids).iter().map(Entity::key).collect())
}

/// What becomes of the rows an insert sends.
#[derive(Clone, Copy, PartialEq)]
enum Rows {
    /// Returned to the caller: bound by reference.
    Kept,
    /// Dropped after the insert: their text may be moved to the driver.
    GivenUp,
}

/// The rows are bound by reference, straight from their fields (see
/// `ParamSink`): nothing is copied into intermediate values. Rows given up
/// lend their text to a driver that takes values owned.
/// Returns the rows and the keys generated for them, in row order (none
/// for a table without a generated key); the caller sets them where it
/// keeps the rows.
fn insert_chunked<E: Entity>(
    ex: &impl Executor,
    mut values: Vec<E>,
    rows: Rows,
    site: CallSite,
) -> Result<(Vec<E>, Vec<i64>)> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let stride = meta.columns.len();
    let width = meta.columns.iter().filter(|c| !c.auto).count().max(1);
    let max_rows = (dialect.provider().capabilities().max_params / width).clamp(1, 1000);
    let auto = meta.auto_column();
    let returning = auto.is_some() && dialect.provider().capabilities().returning;
    let mut ids: Vec<i64> = Vec::new();
    let mut sent = false;
    let one_statement = values.len() <= max_rows;
    let all = &mut values;
    let mut write = |c: &mut crate::driver::Conn| -> Result<()> {
        if sent && rows == Rows::GivenUp {
            // Their text went to the driver the first time.
            return Err(Error::Usage {
                message: "rows given up to an insert cannot be sent twice".to_owned(),
                site,
            });
        }
        sent = true;
        ids.clear();
        for chunk in all.chunks_mut(max_rows) {
            let n = chunk.len();
            let rendered = meta
                .writes
                .insert_rows(dialect, n, || dialect.render(&insert_statement(meta, n, dialect)));
            let taken = match rows {
                Rows::GivenUp if !returning => c.insert_taken(&rendered, chunk, (stride, auto), site),
                _ => None,
            };
            let mut chunk_ids = match taken {
                Some(done) => done?,
                None => c.insert_rows(&rendered, chunk, (stride, auto), returning, site)?,
            };
            if returning {
                // Keys are drawn in VALUES order; RETURNING's order is not promised.
                chunk_ids.sort_unstable();
                if ids.is_empty() {
                    ids = chunk_ids;
                } else {
                    ids.extend(chunk_ids);
                }
            } else if auto.is_some() {
                // MySQL reports the first key of a multi-row insert. A plain
                // multi-row INSERT is a "simple insert": InnoDB reserves all
                // its keys at once in every innodb_autoinc_lock_mode,
                // `auto_increment_increment` apart.
                let first = c.last_insert_id();
                let step = c.key_step();
                ids.extend((0..n).map(|i| first + i as i64 * step));
            }
        }
        Ok(())
    };
    if one_statement {
        // One statement is all or nothing by itself.
        ex.run(site, &mut write)?;
    } else {
        ex.atomic(site, &mut write)?;
    }
    Ok((values, ids))
}

/// The row with the given key.
pub(crate) fn get<E: Entity>(ex: &impl Executor, key: &E::Key, site: CallSite) -> Result<Option<E>> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let rendered = cached(meta, Kind::Get, dialect, || {
        select_rows(meta, key_filter(meta, "t", 0, false))
    });
    let mut params = Vec::new();
    key.push_values(&mut params);
    let mut rows = ex.run_read(site, |c| {
        c.query(rendered, &params, &Decoder::<E>::from_row(), Some(1), site)
    })?;
    Ok(rows.pop())
}

/// Updates every non-key column of the row with `value`'s key. With a
/// version field, only if the stored version is `value`'s, and increments it.
pub(crate) fn update<E: Entity + Clone>(ex: &impl Executor, value: &E, site: CallSite) -> Result<E> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let version = meta.version_column();
    let settable: Vec<usize> = (0..meta.columns.len())
        .filter(|&i| !meta.columns[i].primary_key && !meta.columns[i].auto && Some(i) != version)
        .collect();
    let rendered = cached(meta, Kind::Update, dialect, || {
        let mut set: Vec<(String, sql::Expr)> = settable
            .iter()
            .enumerate()
            .map(|(n, &c)| (meta.columns[c].name.clone(), param(n, &meta.columns[c])))
            .collect();
        if let Some(v) = version {
            let name = meta.columns[v].name.clone();
            let bumped = sql::Expr::binary(BinaryOp::Add, sql::Expr::column("t", name.clone()), sql::Expr::int(1));
            set.push((name, bumped));
        }
        Statement::Update(sql::Update {
            table: meta.table.to_owned(),
            alias: "t".to_owned(),
            set,
            from: Vec::new(),
            filter: Some(key_filter(meta, "t", settable.len(), version.is_some())),
        })
    });
    let mut all = Vec::with_capacity(meta.columns.len());
    value.push_values(&mut all);
    let mut params: Vec<Value> = settable.iter().map(|&c| all[c].clone()).collect();
    params.extend(key_values(value));
    if let Some(v) = version {
        params.push(all[v].clone());
    }
    let changed = ex.run(site, |c| c.execute(rendered, &params, site))?;
    if changed == 0 {
        return Err(missing::<E>(value, version.is_some(), site));
    }
    let mut updated = value.clone();
    if let Some(v) = value.version() {
        updated.set_version(v + 1);
    }
    Ok(updated)
}

fn missing<E: Entity>(value: &E, versioned: bool, site: CallSite) -> Error {
    if versioned {
        Error::Conflict {
            entity: E::NAME,
            key: key_text(value),
            site,
        }
    } else {
        Error::NotFound { site }
    }
}

/// Deletes the row with `value`'s key (and version, if it has one).
pub(crate) fn delete<E: Entity>(ex: &impl Executor, value: &E, site: CallSite) -> Result<u64> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let version = meta.version_column();
    let rendered = cached(meta, Kind::Delete, dialect, || {
        Statement::Delete(sql::Delete {
            table: meta.table.to_owned(),
            alias: "t".to_owned(),
            from: Vec::new(),
            filter: Some(key_filter(meta, "t", 0, version.is_some())),
        })
    });
    let mut params = key_values(value);
    if let Some(v) = version {
        let mut all = Vec::with_capacity(meta.columns.len());
        value.push_values(&mut all);
        params.push(all[v].clone());
    }
    let deleted = ex.run(site, |c| c.execute(rendered, &params, site))?;
    if deleted == 0 && version.is_some() {
        return Err(missing::<E>(value, true, site));
    }
    Ok(deleted)
}

/// The conflict target of an upsert: a field of the entity (`|c| c.email`)
/// or a tuple of fields (`|c| (c.owner, c.currency)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not name fields of the entity",
    label = "return a field (`|c| c.email`) or a tuple of fields",
    note = "the fields must be the primary key or a `#[foal(unique)]` field"
)]
pub trait ConflictKey {
    /// Appends the field numbers.
    fn fields(&self, out: &mut Vec<usize>);
}

impl<T: ?Sized> ConflictKey for crate::entity::Field<T> {
    fn fields(&self, out: &mut Vec<usize>) {
        out.push(self.index());
    }
}

macro_rules! conflict_tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: ConflictKey),*> ConflictKey for ($($t,)*) {
            fn fields(&self, out: &mut Vec<usize>) {
                $(self.$i.fields(out);)*
            }
        }
    };
}
conflict_tuple!(A 0, B 1);
conflict_tuple!(A 0, B 1, C 2);
conflict_tuple!(A 0, B 1, C 2, D 3);

/// The rendered statements of one upsert target: the upsert, and the
/// select that reads the stored row back where RETURNING cannot.
pub(crate) struct Upsert {
    upsert: Rendered,
    read_back: Rendered,
    /// Columns whose values the upsert binds, in order.
    inserted: Vec<usize>,
}

fn upsert_statements(meta: &EntityMeta, target: &[usize], by_key: bool, dialect: Dialect) -> Upsert {
    // Upserting by key writes the key given; by another unique key, a new
    // row gets a generated key.
    let inserted: Vec<usize> = (0..meta.columns.len())
        .filter(|&i| by_key || !meta.columns[i].auto)
        .collect();
    let version = meta.version_column();
    let update = inserted
        .iter()
        .filter(|&&i| !meta.columns[i].primary_key && !target.contains(&i) && Some(i) != version)
        .map(|&i| meta.columns[i].name.clone())
        .collect();
    let returning = if dialect.provider().capabilities().returning {
        meta.columns.iter().map(|c| c.name.clone()).collect()
    } else {
        Vec::new()
    };
    let statement = Statement::Insert(Insert {
        table: meta.table.to_owned(),
        columns: inserted.iter().map(|&i| meta.columns[i].name.clone()).collect(),
        rows: vec![
            inserted
                .iter()
                .enumerate()
                .map(|(n, &i)| param(n, &meta.columns[i]))
                .collect(),
        ],
        on_conflict: Some(OnConflict {
            target: target.iter().map(|&i| meta.columns[i].name.clone()).collect(),
            update,
            bump: version.map(|v| meta.columns[v].name.clone()),
        }),
        returning,
    });
    Upsert {
        upsert: dialect.render(&statement),
        read_back: dialect.render(&select_rows(meta, columns_equal(meta, "t", target, 0))),
        inserted,
    }
}

/// Inserts `value`, or updates the row that has the same values in the
/// fields `fields` (the primary key or a unique field); returns the row as
/// stored, with its generated key and version.
pub(crate) fn upsert<E: Entity>(ex: &impl Executor, value: E, fields: &[usize], site: CallSite) -> Result<E> {
    let meta = E::meta();
    let target: Vec<usize> = fields
        .iter()
        .flat_map(|&f| meta.fields.get(f).map(|f| f.columns.clone()).unwrap_or(0..0))
        .collect();
    let mut sorted_target = target.clone();
    sorted_target.sort_unstable();
    let mut key = meta.key.clone();
    key.sort_unstable();
    let by_key = sorted_target == key;
    let unique = fields.len() == 1 && target.iter().all(|&c| meta.columns[c].unique);
    if target.is_empty() || !(by_key || unique) {
        let names: Vec<&str> = fields
            .iter()
            .filter_map(|&f| meta.fields.get(f).map(|f| f.name))
            .collect();
        return Err(Error::Usage {
            message: format!(
                "an upsert of {} must be keyed by its primary key or by one #[foal(unique)] field, not by ({})",
                E::NAME,
                names.join(", ")
            ),
            site,
        });
    }
    let dialect = ex.dialect();
    let statements = meta
        .writes
        .upsert(&target, dialect, || upsert_statements(meta, &target, by_key, dialect));
    let mut all = Vec::with_capacity(meta.columns.len());
    value.push_values(&mut all);
    let params: Vec<Value> = statements.inserted.iter().map(|&i| all[i].clone()).collect();
    let lookup: Vec<Value> = target.iter().map(|&i| all[i].clone()).collect();
    let decoder = Decoder::<E>::from_row();
    let stored = if dialect.provider().capabilities().returning {
        ex.run(site, |c| {
            let mut rows = c.query(&statements.upsert, &params, &decoder, Some(1), site)?;
            match rows.pop() {
                Some(row) => Ok(Some(row)),
                // Nothing to update (every column is in the key): the row
                // was left as it is, so read it.
                None => Ok(c.query(&statements.read_back, &lookup, &decoder, Some(1), site)?.pop()),
            }
        })?
    } else {
        ex.atomic(site, |c| {
            c.execute(&statements.upsert, &params, site)?;
            Ok(c.query(&statements.read_back, &lookup, &decoder, Some(1), site)?.pop())
        })?
    };
    stored.ok_or(Error::NotFound { site })
}

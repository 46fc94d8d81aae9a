//! Inserts: one row, many rows in multi-row statements (chunked under the
//! backend's parameter limit, all or none), or many rows for their keys.

use crate::dialects::{Insert, Statement};
use crate::entity::{Entity, EntityMeta};
use crate::error::{CallSite, Error, Result};
use crate::exec::Executor;
use crate::query::memo::statements;

use super::keys::param;

/// The columns an insert writes: all but the generated key.
fn insert_columns(meta: &EntityMeta) -> Vec<usize> {
    (0..meta.columns.len()).filter(|&i| !meta.columns[i].auto).collect()
}

/// `INSERT INTO t (<columns but the generated key>) VALUES (…), …` for
/// `rows` rows. Parameters are numbered over all columns of each row (the
/// generated key's value is sent nowhere), so a row's values go in as
/// `ToValues::bind_values` hands them over.
fn insert_statement(meta: &EntityMeta, rows: usize, returning: bool) -> Statement {
    let columns = insert_columns(meta);
    let stride = meta.columns.len();
    let auto = meta.auto_column();
    let returning = match auto {
        Some(a) if returning => vec![meta.columns[a].name.clone()],
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
        // Keys come back with RETURNING where the server has it (MariaDB
        // from 10.5 too); elsewhere from LAST_INSERT_ID() and the server's
        // increment, which a Galera cluster changes as nodes come and go,
        // so it is asked for each multi-row insert.
        let with_keys = auto.is_some() && c.returns_keys();
        for chunk in all.chunks_mut(max_rows) {
            let n = chunk.len();
            let returning = with_keys && (n > 1 || dialect.provider().capabilities().returning);
            let build = || dialect.render(&insert_statement(meta, n, returning));
            let rendered = if returning && !dialect.provider().capabilities().returning {
                statements(meta).insert_returning(n, build)
            } else {
                statements(meta).insert_rows(dialect, n, build)
            };
            let taken = match rows {
                Rows::GivenUp if !returning => c.insert_taken(&rendered, chunk, (stride, auto), site),
                _ => None,
            };
            let mut chunk_ids = match taken {
                Some(done) => {
                    done?;
                    Vec::new()
                }
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
                let step = if n > 1 { c.current_key_step(site)? } else { 1 };
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

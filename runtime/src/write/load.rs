//! Bulk load: rows with every column (keys as the rows carry them),
//! through each backend's fastest path, all or nothing.
//!
//! PostgreSQL: `COPY … FROM STDIN (FORMAT binary)`, each value in its
//! type's binary form, 10 000 rows per COPY. SQLite and MySQL: prepared
//! multi-row INSERTs as wide as the placeholder limit allows (the same
//! statement for every full chunk, so it is prepared once), text moved to
//! the mysql driver rather than copied. All inside one transaction (a
//! savepoint inside one).

use crate::dialects::{Dialect, Insert, Statement, Writer};
use crate::driver::Conn;
use crate::entity::{Entity, EntityMeta};
use crate::error::{CallSite, Result};
use crate::exec::Executor;
use crate::query::memo::statements;

use super::keys::param;

/// Rows taken from the caller's iterator at a time: at most this many
/// are held in memory.
const CHUNK: usize = 10_000;
/// Rows per INSERT at most (SQLite and MySQL).
const MAX_ROWS: usize = 1_000;

/// `INSERT INTO t (<every column>) VALUES (…), …` for `rows` rows.
fn load_statement(meta: &EntityMeta, rows: usize) -> Statement {
    let stride = meta.columns.len();
    Statement::Insert(Insert {
        table: meta.table.to_owned(),
        columns: meta.columns.iter().map(|c| c.name.clone()).collect(),
        rows: (0..rows)
            .map(|r| (0..stride).map(|c| param(r * stride + c, &meta.columns[c])).collect())
            .collect(),
        on_conflict: None,
        returning: Vec::new(),
    })
}

/// `COPY "t" ("a", "b") FROM STDIN (FORMAT binary)`.
fn copy_statement(meta: &EntityMeta) -> String {
    let mut w = Writer::new(Dialect::Postgres.provider());
    w.push("COPY ");
    w.ident(meta.table);
    w.push(" ");
    let names: Vec<String> = meta.columns.iter().map(|c| c.name.clone()).collect();
    w.ident_list(&names);
    w.push(" FROM STDIN (FORMAT binary)");
    w.sql
}

/// After rows with their own keys went into a table whose key PostgreSQL
/// generates, its sequence continues after the largest one (SQLite and
/// MySQL do this by themselves).
fn advance_sequence(c: &mut Conn, meta: &EntityMeta, site: CallSite) -> Result<()> {
    let Some(auto) = meta.auto_column() else { return Ok(()) };
    let mut table = Writer::new(Dialect::Postgres.provider());
    table.ident(meta.table);
    let mut column = Writer::new(Dialect::Postgres.provider());
    column.ident(&meta.columns[auto].name);
    let literal = |s: &str| s.replace('\'', "''");
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence('{}', '{}'), m) FROM (SELECT MAX({}) AS m FROM {}) AS t \
         WHERE m IS NOT NULL",
        literal(&table.sql),
        literal(&meta.columns[auto].name),
        column.sql,
        table.sql
    );
    c.batch(&sql, site)
}

pub(crate) fn load<E: Entity>(ex: &impl Executor, rows: impl IntoIterator<Item = E>, site: CallSite) -> Result<u64> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let stride = meta.columns.len().max(1);
    let per_statement = (dialect.provider().capabilities().max_params / stride).clamp(1, MAX_ROWS);
    let mut rows = rows.into_iter();
    let mut loaded = 0u64;
    let mut chunk: Vec<E> = Vec::new();
    let copy = (dialect == Dialect::Postgres).then(|| copy_statement(meta));
    ex.atomic(site, |c| {
        loop {
            chunk.clear();
            chunk.extend(rows.by_ref().take(CHUNK));
            if chunk.is_empty() {
                break;
            }
            let full = chunk.len() == CHUNK;
            if let Some(copy) = &copy {
                let insert = statements(meta).load_rows(dialect, 1, || dialect.render(&load_statement(meta, 1)));
                if let Some(done) = c.copy_rows(&insert, copy, &chunk, stride, site) {
                    loaded += done?;
                    if !full {
                        break;
                    }
                    continue;
                }
            }
            for part in chunk.chunks_mut(per_statement) {
                let n = part.len();
                let rendered = statements(meta).load_rows(dialect, n, || dialect.render(&load_statement(meta, n)));
                match c.insert_taken(&rendered, part, (stride, None), site) {
                    Some(done) => done?,
                    None => {
                        c.insert_rows(&rendered, part, (stride, None), false, site)?;
                    }
                }
                loaded += n as u64;
            }
            if !full {
                break;
            }
        }
        if copy.is_some() && loaded > 0 {
            advance_sequence(c, meta, site)?;
        }
        Ok(())
    })?;
    Ok(loaded)
}

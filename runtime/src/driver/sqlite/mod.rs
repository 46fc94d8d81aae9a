//! SQLite through rusqlite (bundled).
//!
//! Each connection: `PRAGMA case_sensitive_like = ON` (LIKE compares bytes,
//! as Rust's `starts_with` does), foreign keys on, a busy timeout, a bounded
//! statement cache, the query planner stability guarantee (so cached
//! statements stay compiled whatever is bound to them), and functions
//! registered in Rust so that SQLite computes exactly what Rust would
//! (`setup.rs`): `lower`/`upper` with Rust's Unicode case mapping
//! (SQLite's own are ASCII-only), `floor` (absent from the bundled build),
//! and, with the `chrono` feature, `foal_add_micros`/`foal_add_days` (date
//! arithmetic with microseconds, which SQLite's own date functions drop).

#[cfg(feature = "decimal")]
mod decimal;
mod row;
mod setup;

use std::time::Duration;

use rusqlite::Connection;

use super::bind::RowBinder;
use super::rows::{decoded, keep_row};
use super::statements;
use super::traits::{Driver, RowLayout};
use crate::dialects::{Dialect, Rendered};
use crate::error::{CallSite, DecodeError, Error, Result};
use crate::types::{ToValues, Value};

use row::Binder;
pub(crate) use row::map_error;

/// The connection's prepared statements, by rendering id.
type Statements<'c> = statements::Statements<rusqlite::Statement<'c>>;

self_cell::self_cell!(
    /// A connection and the statements prepared on it (which borrow it).
    struct Prepared {
        owner: Connection,
        #[not_covariant]
        dependent: Statements,
    }
);

/// A connection and its prepared statements, kept between executions
/// (bindings and all) and looked up by rendering id: a cached query costs
/// no hashing of its text and no re-binding of unchanged state.
pub(crate) struct SqliteConn {
    cell: Prepared,
    /// Raw SQL ran since the connection was last seen outside a
    /// transaction: only raw SQL can open one (foal's own statements are
    /// single SELECT, INSERT, UPDATE and DELETE statements).
    raw_since_check: bool,
}

// SAFETY: `rusqlite::Statement` is not `Send` because it holds the raw
// statement handle and a reference to its `Connection` (which is `Send` but
// not `Sync`). Here the connection and every statement prepared on it live
// in one owned value and move between threads together: no statement can
// be used on one thread while its connection is used on another (the value
// is not `Sync`, and every use goes through `&mut self`), and the
// connection's address is stable (self_cell keeps it on the heap; the
// statements are dropped first). rusqlite opens connections with
// `SQLITE_OPEN_NO_MUTEX`: safety comes from one thread at a time having
// access, which is exactly what moving the whole value gives. This is the
// reasoning behind `rusqlite::Connection: Send`, extended to the
// statements it owns.
#[allow(unsafe_code)]
unsafe impl Send for SqliteConn {}

/// Where an SQLite database lives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    Memory,
    File(String),
}

/// Prepares the statement of `r` (out of the way of the path that finds
/// it cached).
#[cold]
#[inline(never)]
fn prepare<'c>(conn: &'c Connection, r: &Rendered, site: CallSite) -> Result<rusqlite::Statement<'c>> {
    conn.prepare(&r.sql).map_err(|e| map_error(e, site))
}

impl SqliteConn {
    pub(crate) fn open(target: &Target) -> Result<SqliteConn> {
        let site = CallSite::caller();
        let conn = match target {
            Target::Memory => Connection::open_in_memory(),
            Target::File(path) => Connection::open(path),
        }
        .map_err(|e| map_error(e, site))?;
        let setup = || -> rusqlite::Result<()> {
            setup::widen_lookaside(&conn);
            conn.busy_timeout(Duration::from_secs(10))?;
            // The query planner stability guarantee: a statement's plan does
            // not depend on the values bound to it. Without it SQLite
            // compiles again, on every execution, each cached statement
            // whose plan looked at a parameter (any join with one).
            conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
            conn.execute_batch("PRAGMA case_sensitive_like = ON; PRAGMA foreign_keys = ON;")?;
            if matches!(target, Target::File(_)) {
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
            }
            setup::register_functions(&conn)
        };
        setup().map_err(|e| map_error(e, site))?;
        Ok(SqliteConn {
            cell: Prepared::new(conn, |_| statements::Statements::new()),
            raw_since_check: false,
        })
    }

    /// Runs `f` on the statement of `r`, prepared on first use.
    #[inline(always)]
    fn with_statement<R>(
        &mut self,
        r: &Rendered,
        site: CallSite,
        f: impl FnOnce(&mut rusqlite::Statement<'_>) -> Result<R>,
    ) -> Result<R> {
        self.cell.with_dependent_mut(|conn, statements| {
            if let Some(stmt) = statements.get_mut(r.id) {
                return f(stmt);
            }
            let mut prepared = prepare(conn, r, site)?;
            let result = f(&mut prepared);
            // The statement pushed out is finalized as it drops.
            drop(statements.push(r.id, prepared));
            result
        })
    }

    #[inline(always)]
    fn bind(stmt: &mut rusqlite::Statement<'_>, r: &Rendered, params: &[Value], site: CallSite) -> Result<()> {
        for (i, bind) in r.binds.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, Value::resolve(params, *bind))
                .map_err(|e| map_error(e, site))?;
        }
        Ok(())
    }
}

impl Driver for SqliteConn {
    const DIALECT: Dialect = Dialect::Sqlite;
    type Row<'r> = rusqlite::Row<'r>;
    type Config = Target;

    /// `sqlite::memory:` or `sqlite://path/to/file.db`: SQLite takes no
    /// options. An in-memory database is private to its one connection.
    fn config(url: &str) -> Result<(Target, usize)> {
        let rest = url.strip_prefix("sqlite:").unwrap_or(url);
        if let Some((_, option)) = rest.split_once('?') {
            return Err(Error::Config(format!(
                "unknown SQLite option `{option}` in the database URL"
            )));
        }
        let target = match rest.trim_start_matches("//") {
            ":memory:" | "" => Target::Memory,
            path => Target::File(path.to_owned()),
        };
        let pool = if target == Target::Memory { 1 } else { 4 };
        Ok((target, pool))
    }

    fn connect(target: &Target) -> Result<SqliteConn> {
        SqliteConn::open(target)
    }

    fn query_into<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decode: fn(&rusqlite::Row<'_>) -> std::result::Result<T, DecodeError>,
        max: Option<usize>,
        site: CallSite,
        out: &mut Vec<T>,
    ) -> Result<()> {
        self.with_statement(
            r,
            site,
            #[inline(always)]
            |stmt| {
                Self::bind(stmt, r, params, site)?;
                let mut rows = stmt.raw_query();
                while let Some(row) = rows.next().map_err(|e| map_error(e, site))? {
                    if keep_row(out, decode(row), row, max, site)? {
                        break;
                    }
                }
                Ok(())
            },
        )
    }

    fn query_each<T, F: FnMut(T) -> Result<bool>>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decode: fn(&rusqlite::Row<'_>) -> std::result::Result<T, DecodeError>,
        site: CallSite,
        each: &mut F,
    ) -> Result<()> {
        self.with_statement(r, site, |stmt| {
            Self::bind(stmt, r, params, site)?;
            // Stepped one row at a time; dropping `rows` resets the
            // statement, so stopping early leaves nothing behind.
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next().map_err(|e| map_error(e, site))? {
                if each(decoded(decode(row), row, site)?)? {
                    break;
                }
            }
            Ok(())
        })
    }

    fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        self.with_statement(r, site, |stmt| {
            Self::bind(stmt, r, params, site)?;
            let n = stmt.raw_execute().map_err(|e| map_error(e, site))?;
            Ok(n as u64)
        })
    }

    fn insert_rows<E: ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        (stride, skip): RowLayout,
        returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        self.with_statement(r, site, |stmt| {
            let mut binder = Binder {
                stmt,
                next: 1,
                error: None,
            };
            RowBinder::bind(rows, stride, skip, &mut binder, site)?;
            if let Some(e) = binder.error {
                return Err(map_error(e, site));
            }
            if !returning {
                stmt.raw_execute().map_err(|e| map_error(e, site))?;
                return Ok(Vec::new());
            }
            let mut ids = Vec::with_capacity(rows.len());
            let mut found = stmt.raw_query();
            while let Some(row) = found.next().map_err(|e| map_error(e, site))? {
                ids.push(row.get::<_, i64>(0).map_err(|e| map_error(e, site))?);
            }
            Ok(ids)
        })
    }

    fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        self.raw_since_check = true;
        self.cell
            .borrow_owner()
            .execute_batch(sql)
            .map_err(|e| map_error(e, site))
    }

    /// Whether the connection can go back to the pool: not left inside a
    /// transaction (asked of SQLite only after raw SQL ran).
    #[inline]
    fn is_healthy(&mut self) -> bool {
        if !self.raw_since_check {
            return true;
        }
        let outside = self.cell.borrow_owner().is_autocommit();
        self.raw_since_check = !outside;
        outside
    }
}

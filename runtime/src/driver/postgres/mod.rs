//! PostgreSQL through foal's own blocking wire-protocol client
//! ([`pgwire`](super::pgwire)).
//!
//! Statements are prepared once per connection under a name and kept in an
//! LRU of [`STATEMENT_CACHE`](super::STATEMENT_CACHE) entries (the least
//! recently used is closed on the server); every placeholder carries an
//! explicit type (`$1::int8`), so binding never depends on what the server
//! infers. Values travel in the binary format.

mod config;
mod error;
mod reply;
mod row;
mod wire;

use std::sync::Arc;

use postgres_types::ToSql;

use super::bind::RowBinder;
use super::rows::keep_row;
use super::statements::Statements;
use super::traits::{Driver, RowLayout};
use crate::dialects::{Dialect, Rendered};
use crate::error::{CallSite, DecodeError, Error, Result};
use crate::types::{ToValues, Value};

use config::Config;
use error::{WireError, map_error};
use row::{AnyInt, Refs, get};
pub(crate) use wire::RowView;
use wire::{Encode, Prepared, Wire};

pub(crate) struct PgConn {
    wire: Wire,
    /// Prepared statements by rendering id.
    statements: Statements<Arc<Prepared>>,
    broken: bool,
}

impl PgConn {
    fn open(config: &Config) -> Result<PgConn> {
        let site = CallSite::caller();
        let wire = Wire::connect(config).map_err(|e| map_error(e, site))?;
        Ok(PgConn {
            wire,
            statements: Statements::new(),
            broken: false,
        })
    }

    /// Maps an error; a lost connection, or one out of step with the
    /// server (a reply it did not understand), is broken.
    fn fail(&mut self, e: WireError, site: CallSite) -> Error {
        let out_of_step = matches!(e, WireError::Protocol(_));
        let error = map_error(e, site);
        if out_of_step || matches!(error, Error::ConnectionLost { .. }) {
            self.broken = true;
        }
        error
    }

    /// As `fail`, for an error running the statement of `r`. When the
    /// server no longer runs that statement as prepared (its result changed
    /// after a schema change, `0A000`, or it was deallocated, `26000`), it
    /// leaves the cache: the next call prepares it again.
    fn fail_running(&mut self, r: &Rendered, e: WireError, site: CallSite) -> Error {
        if let WireError::Db(db) = &e
            && matches!(db.code.as_str(), "0A000" | "26000")
            && let Some(stale) = self.statements.remove(r.id)
        {
            let _ = self.wire.close(&stale.name);
        }
        self.fail(e, site)
    }

    fn statement(&mut self, r: &Rendered, site: CallSite) -> Result<Arc<Prepared>> {
        if let Some(statement) = self.statements.get_mut(r.id) {
            return Ok(Arc::clone(statement));
        }
        let prepared = match self.wire.prepare(&format!("foal{}", r.id), &r.sql) {
            Ok(p) => Arc::new(p),
            Err(e) => return Err(self.fail(e, site)),
        };
        if let Some((_, evicted)) = self.statements.push(r.id, Arc::clone(&prepared))
            && let Err(e) = self.wire.close(&evicted.name)
        {
            return Err(self.fail(e, site));
        }
        Ok(prepared)
    }

    fn params<'a>(r: &Rendered, params: &'a [Value]) -> Vec<&'a (dyn ToSql + Sync)> {
        r.binds
            .iter()
            .map(|b| Value::resolve(params, *b) as &(dyn ToSql + Sync))
            .collect()
    }

    /// Runs the statement of `r`, decoding each row with `decode` into
    /// `out` (the first failure is kept and returned once the statement is
    /// over).
    fn run<T, P: Encode>(
        &mut self,
        r: &Rendered,
        refs: &[P],
        max: Option<usize>,
        decode: impl Fn(&RowView<'_>) -> std::result::Result<T, DecodeError>,
        site: CallSite,
        out: &mut Vec<T>,
    ) -> Result<()> {
        let statement = self.statement(r, site)?;
        let mut failed: Option<Error> = None;
        let replan = r.plan_per_run.then_some(r.sql.as_str());
        let result = self.wire.execute(&statement, refs, max, replan, &mut |row| {
            if failed.is_some() {
                return;
            }
            if let Err(e) = keep_row(out, decode(row), row, None, site) {
                failed = Some(e);
            }
        });
        if let Err(e) = result {
            return Err(self.fail_running(r, e, site));
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Driver for PgConn {
    const DIALECT: Dialect = Dialect::Postgres;
    type Row<'r> = RowView<'r>;
    type Config = Config;

    /// `postgres://user[:password]@host[:port][/dbname][?option=…]`.
    fn config(url: &str) -> Result<(Config, usize)> {
        let config = Config::parse(url).map_err(|e| Error::Config(format!("invalid PostgreSQL URL: {e}")))?;
        Ok((config, 10))
    }

    fn connect(config: &Config) -> Result<PgConn> {
        PgConn::open(config)
    }

    fn query_into<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decode: fn(&RowView<'_>) -> std::result::Result<T, DecodeError>,
        max: Option<usize>,
        site: CallSite,
        out: &mut Vec<T>,
    ) -> Result<()> {
        let refs = Self::params(r, params);
        self.run(r, &refs, max, decode, site, out)
    }

    fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        let statement = self.statement(r, site)?;
        let refs = Self::params(r, params);
        match self.wire.execute(&statement, &refs, None, None, &mut |_| {}) {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail_running(r, e, site)),
        }
    }

    fn insert_rows<E: ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        (stride, skip): RowLayout,
        returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        let mut refs = Refs(Vec::with_capacity(rows.len() * stride));
        RowBinder::bind(rows, stride, skip, &mut refs, site)?;
        if !returning {
            let statement = self.statement(r, site)?;
            return match self.wire.execute(&statement, &refs.0, None, None, &mut |_| {}) {
                Ok(_) => Ok(Vec::new()),
                Err(e) => Err(self.fail_running(r, e, site)),
            };
        }
        let mut keys = Vec::with_capacity(rows.len());
        self.run(
            r,
            &refs.0,
            None,
            |row| match get::<AnyInt>(row, 0, "a key")? {
                Some(key) => Ok(key.0),
                None => Err(DecodeError::null::<i64>(0)),
            },
            site,
            &mut keys,
        )?;
        Ok(keys)
    }

    fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        match self.wire.simple_query(sql) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e, site)),
        }
    }

    fn is_healthy(&mut self) -> bool {
        !self.broken && self.wire.is_idle()
    }
}

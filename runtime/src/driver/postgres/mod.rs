//! PostgreSQL through foal's own blocking wire-protocol client
//! ([`wire`]), with TLS ([`tls`], [`stream`]), libpq's authentication
//! options ([`auth`]), multi-host URLs ([`hosts`]) and deadlines
//! ([`cancel`]).
//!
//! Statements are prepared once per connection under a name and kept in an
//! LRU of [`STATEMENT_CACHE`](super::STATEMENT_CACHE) entries (the least
//! recently used is closed on the server); every placeholder carries an
//! explicit type (`$1::int8`), so binding never depends on what the server
//! infers. Values travel in the binary format.
//!
//! A name is never used twice: it is a random prefix of the connection's
//! and a counter (`f3a9…_17`), so two processes, or two connections
//! sharing a server connection behind a pooler, never run each other's
//! statements. When the server says a statement does not exist (26000: a
//! pooler in transaction mode sent the request to another server, or
//! someone ran `DEALLOCATE`), the connection stops naming statements: the
//! call runs again as an unnamed statement, parsed in the same exchange
//! as its run, and so does every later one. `statement_cache_size=0` asks
//! for that from the start.

mod auth;
mod cancel;
mod config;
mod error;
mod hosts;
mod reply;
mod row;
mod stream;
mod tls;
mod wire;

use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use postgres_types::ToSql;

use super::bind::RowBinder;
use super::rows::{decoded, keep_row};
use super::statements::Statements;
use super::traits::{Driver, RowLayout};
use crate::dialects::{Dialect, Rendered};
use crate::error::{CallSite, DecodeError, Error, Result};
use crate::types::{ToValues, Value};

use config::Config;
use error::{WireError, map_error};
use row::{AnyInt, Refs, get};
pub(crate) use wire::RowView;
use wire::{Encode, Prepared, Run, Wire};

/// SQLSTATE: the named statement does not exist.
const NO_SUCH_STATEMENT: &str = "26000";
/// SQLSTATE: a statement of that name already exists.
const DUPLICATE_STATEMENT: &str = "42P05";

pub(crate) struct PgConn {
    wire: Wire,
    /// Prepared statements by rendering id.
    statements: Statements<Arc<Prepared>>,
    /// The start of this connection's statement names: random, so that
    /// no other connection's names are the same.
    prefix: String,
    /// The number of the next statement name.
    next_name: u64,
    /// Whether statements are named on the server; off with
    /// `statement_cache_size=0` and once the server lost one.
    named: bool,
    broken: bool,
}

/// `f` and 16 hex digits of a random number, `_`: 64 random bits per
/// connection (std's `RandomState` draws its keys from the operating
/// system), mixed with the time, the process id and a counter.
fn random_prefix() -> String {
    static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(now);
    hasher.write_u32(std::process::id());
    hasher.write_u64(CONNECTIONS.fetch_add(1, Ordering::Relaxed));
    format!("f{:016x}_", hasher.finish())
}

impl PgConn {
    fn open(config: &Config) -> Result<PgConn> {
        let site = CallSite::caller();
        let wire = hosts::connect(config).map_err(|e| map_error(e, site))?;
        Ok(PgConn {
            wire,
            statements: Statements::new(),
            prefix: random_prefix(),
            next_name: 0,
            named: config.named_statements,
            broken: false,
        })
    }

    /// Maps an error; a lost connection, one that timed out, or one out
    /// of step with the server (a reply it did not understand), is broken.
    fn fail(&mut self, e: WireError, site: CallSite) -> Error {
        let out_of_step = matches!(e, WireError::Protocol(_) | WireError::Timeout(_));
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
            && matches!(db.code.as_str(), "0A000" | NO_SUCH_STATEMENT)
            && let Some(stale) = self.statements.remove(r.id)
            && !stale.name.is_empty()
            && db.code != NO_SUCH_STATEMENT
        {
            let _ = self.wire.close(&stale.name);
        }
        self.fail(e, site)
    }

    /// The statement of `r`: from the cache, else prepared (named), or
    /// described (unnamed: only its types are kept).
    fn statement(&mut self, r: &Rendered, site: CallSite) -> Result<Arc<Prepared>> {
        if let Some(statement) = self.statements.get_mut(r.id) {
            return Ok(Arc::clone(statement));
        }
        let prepared = match self.prepare(&r.sql) {
            Ok(p) => Arc::new(p),
            Err(e) => return Err(self.fail(e, site)),
        };
        if let Some((_, evicted)) = self.statements.push(r.id, Arc::clone(&prepared))
            && !evicted.name.is_empty()
            && let Err(e) = self.wire.close(&evicted.name)
        {
            return Err(self.fail(e, site));
        }
        Ok(prepared)
    }

    /// Prepares `sql` under a name never used before on this connection;
    /// a name the server already has (42P05, another client's: it cannot
    /// be ours) is given up for the next one.
    fn prepare(&mut self, sql: &str) -> std::result::Result<Prepared, WireError> {
        if !self.named {
            return self.wire.prepare("", sql);
        }
        let mut tries = 0;
        loop {
            let name = format!("{}{}", self.prefix, self.next_name);
            self.next_name += 1;
            match self.wire.prepare(&name, sql) {
                Err(WireError::Db(db)) if db.code == DUPLICATE_STATEMENT && tries < 3 && self.wire.status() == b'I' => {
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    fn params<'a>(r: &Rendered, params: &'a [Value]) -> Vec<&'a (dyn ToSql + Sync)> {
        r.binds
            .iter()
            .map(|b| Value::resolve(params, *b) as &(dyn ToSql + Sync))
            .collect()
    }

    /// Runs the statement of `r` with `params`, handing each row to `row`.
    /// A named statement the server lost (26000) is run again unnamed,
    /// and the connection names no more statements; inside a transaction
    /// the error stands (the transaction failed with it).
    fn exchange<P: Encode>(
        &mut self,
        r: &Rendered,
        params: &[P],
        max: Option<usize>,
        site: CallSite,
        row: &mut dyn FnMut(&RowView<'_>),
    ) -> Result<u64> {
        let statement = self.statement(r, site)?;
        let run = if !self.named || statement.name.is_empty() {
            Run::Unnamed(&r.sql)
        } else if r.plan_per_run {
            Run::Replan(&r.sql)
        } else {
            Run::Named
        };
        match self.wire.execute(&statement, params, max, run, row) {
            Ok(n) => Ok(n),
            Err(WireError::Db(mut db)) if db.code == NO_SUCH_STATEMENT && matches!(run, Run::Named) => {
                self.named = false;
                self.statements.remove(r.id);
                if self.wire.status() != b'I' {
                    db.message = format!(
                        "{} (the server lost foal's prepared statement inside a transaction: behind a pooler in \
                         transaction mode, add statement_cache_size=0 to the URL; this connection now uses \
                         unnamed statements)",
                        db.message
                    );
                    let e = WireError::Db(db);
                    return Err(self.fail(e, site));
                }
                let unnamed = Arc::new(Prepared {
                    name: String::new(),
                    params: statement.params.clone(),
                    columns: statement.columns.clone(),
                });
                if let Some((_, evicted)) = self.statements.push(r.id, Arc::clone(&unnamed))
                    && !evicted.name.is_empty()
                {
                    let _ = self.wire.close(&evicted.name);
                }
                match self.wire.execute(&unnamed, params, max, Run::Unnamed(&r.sql), row) {
                    Ok(n) => Ok(n),
                    Err(e) => Err(self.fail_running(r, e, site)),
                }
            }
            Err(e) => Err(self.fail_running(r, e, site)),
        }
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
        let mut failed: Option<Error> = None;
        self.exchange(r, refs, max, site, &mut |row| {
            if failed.is_some() {
                return;
            }
            if let Err(e) = keep_row(out, decode(row), row, None, site) {
                failed = Some(e);
            }
        })?;
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Rows per CopyData message are added until it holds this many bytes.
const COPY_MESSAGE: usize = 256 * 1024;

impl PgConn {
    /// `COPY … FROM STDIN (FORMAT binary)`: each value in the binary form
    /// of its column's type, which the prepared one-row `insert` reports,
    /// so nothing is parsed from text on either side.
    fn copy_binary<E: ToValues>(
        &mut self,
        insert: &Rendered,
        copy: &str,
        rows: &[E],
        stride: usize,
        site: CallSite,
    ) -> Result<u64> {
        let statement = self.statement(insert, site)?;
        let types = &statement.params;
        let fields = i16::try_from(stride)
            .ok()
            .filter(|_| types.len() == stride)
            .ok_or_else(|| Error::Usage {
                message: format!("COPY of {stride} columns, the INSERT takes {}", types.len()),
                site,
            })?;
        let mut refs = Refs(Vec::with_capacity(rows.len() * stride));
        RowBinder::bind(rows, stride, None, &mut refs, site)?;
        let values = &refs.0;
        let mut header = true;
        let mut next = 0;
        let mut fill = |out: &mut bytes::BytesMut| -> std::result::Result<bool, String> {
            if header {
                out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
                out.extend_from_slice(&[0; 8]); // flags, header extension length
                header = false;
            }
            let start = out.len();
            while next < rows.len() && out.len() - start < COPY_MESSAGE {
                out.extend_from_slice(&fields.to_be_bytes());
                for (value, ty) in values[next * stride..(next + 1) * stride].iter().zip(types) {
                    let at = out.len();
                    out.extend_from_slice(&[0; 4]);
                    let length = match value.encode(ty, out) {
                        Ok(postgres_types::IsNull::Yes) => -1,
                        Ok(postgres_types::IsNull::No) => {
                            i32::try_from(out.len() - at - 4).map_err(|_| format!("row {next}: a value over 2 GiB"))?
                        }
                        Err(e) => return Err(format!("row {next}: {e}")),
                    };
                    out[at..at + 4].copy_from_slice(&length.to_be_bytes());
                }
                next += 1;
            }
            if next < rows.len() {
                return Ok(true);
            }
            out.extend_from_slice(&(-1i16).to_be_bytes());
            Ok(false)
        };
        match self.wire.copy_in(copy, &mut fill) {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(e, site)),
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

    fn query_each<T, F: FnMut(T) -> Result<bool>>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decode: fn(&RowView<'_>) -> std::result::Result<T, DecodeError>,
        site: CallSite,
        each: &mut F,
    ) -> Result<()> {
        let refs = Self::params(r, params);
        // The rows arrive one message at a time and are decoded in place.
        // After a stop or a failure the rest of the reply is still read
        // (and skipped), so the connection stays in step.
        let mut done = false;
        let mut failed: Option<Error> = None;
        self.exchange(r, &refs, None, site, &mut |row| {
            if done {
                return;
            }
            match decoded(decode(row), row, site).and_then(&mut *each) {
                Ok(stop) => done = stop,
                Err(e) => {
                    failed = Some(e);
                    done = true;
                }
            }
        })?;
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        let refs = Self::params(r, params);
        self.exchange(r, &refs, None, site, &mut |_| {})
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
            self.exchange(r, &refs.0, None, site, &mut |_| {})?;
            return Ok(Vec::new());
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

    fn copy_rows<E: ToValues>(
        &mut self,
        insert: &Rendered,
        copy: &str,
        rows: &[E],
        stride: usize,
        site: CallSite,
    ) -> Option<Result<u64>> {
        Some(self.copy_binary(insert, copy, rows, stride, site))
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

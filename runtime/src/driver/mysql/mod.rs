//! MySQL and MariaDB through the `mysql` crate.
//!
//! Each connection's session is set up so the SQL foal renders means the same
//! as elsewhere: strict mode, `NO_BACKSLASH_ESCAPES` (a backslash in a
//! string constant is just a backslash, as in standard SQL), the
//! no-padding binary collation (every byte compared, `utf8mb4_nopad_bin`), UTC, and a
//! `group_concat` limit large enough never to truncate. Statements are
//! prepared once per connection through the driver's statement cache.
//!
//! TLS follows the URL's `ssl-mode` (`tls.rs`); a connection is opened
//! within `connect_timeout`, and a statement that outlives
//! `read_timeout_ms` is killed on the server and its connection closed
//! (`connect.rs`).

mod config;
mod connect;
mod error;
mod row;
mod tls;

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Opts, Params};

use config::{Config, Deadlines};

use super::bind::{RowBinder, check_params};
use super::rows::{decoded, keep_row};
use super::statements::Statements;
use super::traits::{Driver, RowLayout};
use crate::dialects::{Dialect, Rendered};
use crate::error::{CallSite, DecodeError, Error, Result};
use crate::types::{ToValues, Value};

pub(crate) use error::map_error;
pub(crate) use row::MyRow;
use row::{Owned, into_mysql, to_mysql};

pub(crate) struct MyConn {
    conn: mysql::Conn,
    broken: bool,
    deadlines: Deadlines,
    /// The crate's options the connection was made with: a statement past
    /// `read_timeout_ms` is killed from a second connection of them.
    opts: Opts,
    /// The byte-order, no-padding collation of this server.
    collation: &'static str,
    /// `@@auto_increment_increment`: the distance between the keys one
    /// multi-row INSERT generates (1 unless the server is set up for
    /// multi-primary replication). Read again after a `SET` foal runs.
    key_step: i64,
    /// Prepared statements by rendering id (the driver's own cache, keyed
    /// by the SQL text, is off).
    statements: Statements<mysql::Statement>,
    /// Inside a transaction foal began (BEGIN until COMMIT or ROLLBACK).
    in_transaction: bool,
    /// Raw SQL ran, or ending a transaction failed: whether a transaction
    /// is open is asked of the server before the connection is reused.
    unsure: bool,
    /// MariaDB 10.5 or later: INSERT … RETURNING gives the keys.
    returning: bool,
}

/// Whether a server of `version` (`SELECT VERSION()`, "10.11.19-MariaDB…")
/// has INSERT … RETURNING: MariaDB from 10.5; MySQL has none.
fn returns_keys(version: &str) -> bool {
    if !version.contains("MariaDB") {
        return false;
    }
    let mut parts = version.split(['.', '-']).map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (10, 5)
}

/// The transaction control statements foal itself sends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Control {
    Begin,
    End,
    /// SAVEPOINT, RELEASE and ROLLBACK TO a savepoint: inside a transaction.
    Nested,
    /// SET TRANSACTION: the next transaction's isolation level.
    Next,
}

impl Control {
    fn of(sql: &str) -> Option<Control> {
        match sql {
            "BEGIN" | "START TRANSACTION READ ONLY" => Some(Control::Begin),
            "COMMIT" | "ROLLBACK" => Some(Control::End),
            s if s.starts_with("SAVEPOINT foal")
                || s.starts_with("RELEASE SAVEPOINT foal")
                || s.starts_with("ROLLBACK TO SAVEPOINT foal") =>
            {
                Some(Control::Nested)
            }
            s if s.starts_with("SET TRANSACTION ISOLATION LEVEL ") => Some(Control::Next),
            _ => None,
        }
    }
}

fn key_step(conn: &mut mysql::Conn) -> std::result::Result<i64, mysql::Error> {
    let step: Option<i64> = conn.query_first("SELECT @@auto_increment_increment")?;
    Ok(step.unwrap_or(1).max(1))
}

/// The session setting of `statement_timeout`: MariaDB's
/// `max_statement_time` (seconds, every statement), MySQL's
/// `max_execution_time` (milliseconds, SELECTs only, at most 2³² - 1).
fn statement_limit(mariadb: bool, limit: Duration) -> String {
    let ms = limit.as_millis();
    match mariadb {
        true => format!("SET SESSION max_statement_time = {}.{:03}", ms / 1000, ms % 1000),
        false => format!("SET SESSION max_execution_time = {}", ms.min(u128::from(u32::MAX))),
    }
}

/// The collation foal renders in DDL (MariaDB's name). `utf8mb4_bin` pads:
/// it finds `'a' = 'a '`; Rust compares every byte, and so do these.
const MARIADB_COLLATION: &str = "utf8mb4_nopad_bin";
const MYSQL_COLLATION: &str = "utf8mb4_0900_bin";

/// Why `fetch` stopped: the driver failed (the connection may need
/// care), or a row did not decode.
enum Failure {
    Driver(mysql::Error),
    Row(Error),
}

fn fetch<T>(
    conn: &mut mysql::Conn,
    stmt: &mysql::Statement,
    params: Params,
    decode: fn(&MyRow) -> std::result::Result<T, DecodeError>,
    max: Option<usize>,
    site: CallSite,
    out: &mut Vec<T>,
) -> std::result::Result<(), Failure> {
    let rows = conn.exec_iter(stmt, params).map_err(Failure::Driver)?;
    for row in rows {
        let row = MyRow(std::cell::RefCell::new(row.map_err(Failure::Driver)?));
        if keep_row(out, decode(&row), &row, max, site).map_err(Failure::Row)? {
            break;
        }
    }
    Ok(())
}

#[cold]
fn lost_before(site: CallSite) -> Error {
    Error::ConnectionLost {
        message: "the connection was closed after an earlier error (a lost connection, or a statement past \
                  read_timeout_ms)"
            .to_owned(),
        site,
    }
}

impl MyConn {
    fn open(config: &Config) -> Result<MyConn> {
        let site = CallSite::caller();
        let (mut conn, opts) = connect::establish(config, site)?;
        let setup = |e| connect::connect_error(e, config, site);
        let version: Option<String> = conn.query_first("SELECT VERSION()").map_err(setup)?;
        let version = version.unwrap_or_default();
        let mariadb = version.contains("MariaDB");
        let collation = if mariadb { MARIADB_COLLATION } else { MYSQL_COLLATION };
        conn.query_drop(format!("SET NAMES utf8mb4 COLLATE {collation}"))
            .map_err(setup)?;
        if let Some(limit) = config.deadlines.statement {
            conn.query_drop(statement_limit(mariadb, limit)).map_err(|e| match e {
                mysql::Error::MySqlError(e) => Error::Unsupported {
                    backend: if mariadb { "MariaDB" } else { "MySQL" },
                    message: format!(
                        "`statement_timeout` needs MariaDB 10.1 or MySQL 5.7.8 and later: {}",
                        e.message
                    ),
                    site,
                },
                other => setup(other),
            })?;
        }
        let key_step = key_step(&mut conn).map_err(setup)?;
        // The connect deadline was on the socket until now.
        if config.deadlines.connect.is_some() && config.deadlines.connect != config.deadlines.read {
            connect::set_socket_timeouts(&conn, config.deadlines.read).map_err(|e| Error::ConnectionLost {
                message: format!("cannot set the socket's timeouts: {e}"),
                site,
            })?;
        }
        let returning = returns_keys(&version);
        Ok(MyConn {
            conn,
            broken: false,
            deadlines: config.deadlines,
            opts,
            collation,
            key_step,
            statements: Statements::new(),
            in_transaction: false,
            unsure: false,
            returning,
        })
    }

    /// DDL rendered by the provider, with this server's collation.
    fn adapt_ddl(&self, sql: &str) -> String {
        sql.replace(MARIADB_COLLATION, self.collation)
    }

    fn params(r: &Rendered, params: &[Value]) -> Params {
        if r.binds.is_empty() {
            return Params::Empty;
        }
        Params::Positional(r.binds.iter().map(|b| to_mysql(Value::resolve(params, *b))).collect())
    }

    /// The prepared statement of `r`, prepared on first use; the least
    /// recently used one is closed when the cache is full.
    fn statement(&mut self, r: &Rendered, site: CallSite) -> Result<mysql::Statement> {
        self.usable(site)?;
        if let Some(stmt) = self.statements.get_mut(r.id) {
            return Ok(stmt.clone());
        }
        let stmt = match self.conn.prep(r.sql.as_str()) {
            Ok(stmt) => stmt,
            Err(e) => return Err(self.fail(e, site)),
        };
        if let Some((_, evicted)) = self.statements.push(r.id, stmt.clone())
            && let Err(e) = self.conn.close(evicted)
        {
            return Err(self.fail(e, site));
        }
        Ok(stmt)
    }

    /// A connection that broke is never used again: after a statement cut
    /// off at `read_timeout_ms`, the reply still to come is the killed
    /// statement's, and would be read as the next one's (a transaction
    /// holds its connection after an error it may ignore).
    fn usable(&self, site: CallSite) -> Result<()> {
        if self.broken {
            return Err(lost_before(site));
        }
        Ok(())
    }

    fn fail(&mut self, e: mysql::Error, site: CallSite) -> Error {
        if self.deadlines.read.is_some() && tls::io_error(&e).is_some_and(connect::is_timeout) {
            return self.cancel(site);
        }
        let error = map_error(e, site);
        if matches!(error, Error::ConnectionLost { .. }) {
            self.broken = true;
        }
        error
    }

    /// The statement outlived `read_timeout_ms`: it is killed on the
    /// server, from a second connection, and this one, out of step with
    /// its reply, is closed.
    #[cold]
    fn cancel(&mut self, site: CallSite) -> Error {
        self.broken = true;
        let waited = self.deadlines.read.unwrap_or_default();
        let id = self.conn.connection_id();
        let bound = self.deadlines.connect.unwrap_or(waited);
        let outcome = match connect::kill_query(&self.opts, id, bound) {
            Ok(()) => format!("the statement was cancelled (KILL QUERY {id}) and the connection closed"),
            Err(e) => format!(
                "the connection is closed, but KILL QUERY {id} failed, so the statement may still run on the \
                 server: {e}"
            ),
        };
        Error::Timeout {
            message: format!(
                "no reply from the server within read_timeout_ms ({} ms): {outcome}",
                waited.as_millis()
            ),
            site,
        }
    }

    /// Runs `r` with `values` moved into the driver's parameters: one per
    /// placeholder, in the order they appear (as `insert_rows` binds an
    /// INSERT's).
    fn execute_owned(&mut self, r: &Rendered, values: Vec<Value>, site: CallSite) -> Result<u64> {
        if r.binds.len() != values.len() {
            return Err(Error::Usage {
                message: format!("{} values for {} placeholders", values.len(), r.binds.len()),
                site,
            });
        }
        let stmt = self.statement(r, site)?;
        let params = Params::Positional(values.into_iter().map(into_mysql).collect());
        match self.conn.exec_drop(&stmt, params) {
            Ok(()) => Ok(self.conn.affected_rows()),
            Err(e) => Err(self.fail(e, site)),
        }
    }
}

impl Driver for MyConn {
    const DIALECT: Dialect = Dialect::Mysql;
    type Row<'r> = MyRow;
    type Config = Config;

    /// `mysql://user:password@host:port/dbname` (also `mariadb://`), with
    /// foal's TLS and deadline options and the `mysql` crate's others
    /// except its TLS ones (`config.rs`).
    fn config(url: &str) -> Result<(Config, usize)> {
        Ok((config::parse(url)?, 10))
    }

    fn connect(config: &Config) -> Result<MyConn> {
        MyConn::open(config)
    }

    fn query_into<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decode: fn(&MyRow) -> std::result::Result<T, DecodeError>,
        max: Option<usize>,
        site: CallSite,
        out: &mut Vec<T>,
    ) -> Result<()> {
        let stmt = self.statement(r, site)?;
        match fetch(&mut self.conn, &stmt, Self::params(r, params), decode, max, site, out) {
            Ok(()) => Ok(()),
            Err(Failure::Driver(e)) => Err(self.fail(e, site)),
            Err(Failure::Row(e)) => Err(e),
        }
    }

    fn query_each<T, F: FnMut(T) -> Result<bool>>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decode: fn(&MyRow) -> std::result::Result<T, DecodeError>,
        site: CallSite,
        each: &mut F,
    ) -> Result<()> {
        let stmt = self.statement(r, site)?;
        let streamed = (|| {
            // The mysql crate reads a row from the socket per `next`; the
            // result dropped early reads (and skips) the rest.
            let rows = self
                .conn
                .exec_iter(&stmt, Self::params(r, params))
                .map_err(Failure::Driver)?;
            for row in rows {
                let row = MyRow(std::cell::RefCell::new(row.map_err(Failure::Driver)?));
                if decoded(decode(&row), &row, site)
                    .and_then(&mut *each)
                    .map_err(Failure::Row)?
                {
                    break;
                }
            }
            Ok(())
        })();
        match streamed {
            Ok(()) => Ok(()),
            Err(Failure::Driver(e)) => Err(self.fail(e, site)),
            Err(Failure::Row(e)) => Err(e),
        }
    }

    fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        let stmt = self.statement(r, site)?;
        let params = Self::params(r, params);
        match self.conn.exec_drop(&stmt, params) {
            Ok(()) => Ok(self.conn.affected_rows()),
            Err(e) => Err(self.fail(e, site)),
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
        let stmt = self.statement(r, site)?;
        let mut values = Owned(Vec::with_capacity(rows.len() * stride));
        RowBinder::bind(rows, stride, skip, &mut values, site)?;
        if !returning {
            return match self.conn.exec_drop(&stmt, Params::Positional(values.0)) {
                Ok(()) => Ok(Vec::new()),
                Err(e) => Err(self.fail(e, site)),
            };
        }
        let keys: std::result::Result<Vec<i64>, mysql::Error> = self.conn.exec(&stmt, Params::Positional(values.0));
        keys.map_err(|e| self.fail(e, site))
    }

    fn returns_keys(&self) -> bool {
        self.returning
    }

    fn current_key_step(&mut self, site: CallSite) -> Result<i64> {
        self.usable(site)?;
        self.key_step = key_step(&mut self.conn).map_err(|e| self.fail(e, site))?;
        Ok(self.key_step)
    }

    fn ddl(&mut self, sql: &str, site: CallSite) -> Result<()> {
        let sql = self.adapt_ddl(sql);
        self.batch(&sql, site)
    }

    fn insert_taken<E: ToValues>(
        &mut self,
        r: &Rendered,
        rows: &mut [E],
        (stride, skip): RowLayout,
        site: CallSite,
    ) -> Option<Result<()>> {
        let mut values = Vec::with_capacity(rows.len() * stride);
        for row in rows.iter_mut() {
            row.take_values(&mut values);
        }
        if let Some(skip) = skip {
            let stride = stride.max(1);
            let mut column = 0;
            values.retain(|_| {
                let keep = column % stride != skip;
                column += 1;
                keep
            });
        }
        if let Err(e) = check_params(&values, site) {
            return Some(Err(e));
        }
        // MySQL's keys come from `last_insert_id`, not a reply.
        Some(self.execute_owned(r, values, site).map(|_| ()))
    }

    fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        self.usable(site)?;
        // foal's own transaction control is tracked; anything else may open
        // or end a transaction the pool must know about.
        let control = Control::of(sql);
        if control.is_none() {
            self.unsure = true;
        }
        let outcome = self.conn.query_drop(sql);
        match (control, &outcome) {
            (Some(Control::Begin), Ok(())) => self.in_transaction = true,
            (Some(Control::End), Ok(())) => self.in_transaction = false,
            (Some(Control::End), Err(_)) => self.unsure = true,
            _ => {}
        }
        match outcome {
            Ok(()) => {
                if control.is_none()
                    && sql
                        .trim_start()
                        .get(..4)
                        .is_some_and(|s| s.eq_ignore_ascii_case("SET "))
                {
                    self.key_step = key_step(&mut self.conn).map_err(|e| self.fail(e, site))?;
                }
                Ok(())
            }
            Err(e) => Err(self.fail(e, site)),
        }
    }

    fn key_step(&mut self) -> i64 {
        self.key_step
    }

    fn last_insert_id(&mut self) -> i64 {
        i64::try_from(self.conn.last_insert_id()).unwrap_or(i64::MAX)
    }

    /// Open, outside any transaction, with no result pending (the driver
    /// reads a result to its end before the next request). After raw SQL
    /// the server is asked: MariaDB's `@@in_transaction`.
    fn is_healthy(&mut self) -> bool {
        if self.broken || self.in_transaction {
            return false;
        }
        if self.unsure {
            let open: std::result::Result<Option<i64>, _> = self.conn.query_first("SELECT @@in_transaction");
            match open {
                Ok(Some(0)) => self.unsure = false,
                _ => return false,
            }
        }
        true
    }
}

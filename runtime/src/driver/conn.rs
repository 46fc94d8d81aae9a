//! [`Conn`]: a connection to one of the backends, and everything that
//! names them all: the enum of connections, the decoder of a row on each,
//! and the connector a URL's scheme picks. With the module list of
//! `mod.rs`, this is the one place backends are gated by their features.

use std::marker::PhantomData;

use crate::dialects::{Dialect, Rendered};
use crate::error::{CallSite, DecodeError, Error, Result};
use crate::types::{DecodeRow, ToValues, Value};

use super::bind::check_params;
#[cfg(feature = "mysql")]
use super::mysql;
#[cfg(feature = "postgres")]
use super::postgres;
#[cfg(feature = "sqlite")]
use super::sqlite;
use super::traits::{Driver, RowLayout};

/// Opens one connection of a database.
pub(crate) type Connect = Box<dyn Fn() -> Result<Conn> + Send + Sync>;

/// How to open connections to one database, as a backend read it from its
/// URL.
pub(crate) struct Connector {
    pub(crate) dialect: Dialect,
    /// The pool size when the URL names none.
    pub(crate) default_pool: usize,
    pub(crate) connect: Connect,
}

/// How rows of `T` are decoded on each backend: one monomorphized function
/// per backend, called once per row.
pub struct Decoder<T> {
    #[cfg(feature = "sqlite")]
    pub(crate) sqlite: fn(&rusqlite::Row<'_>) -> Result<T, DecodeError>,
    #[cfg(feature = "postgres")]
    pub(crate) postgres: fn(&postgres::RowView<'_>) -> Result<T, DecodeError>,
    #[cfg(feature = "mysql")]
    pub(crate) mysql: fn(&mysql::MyRow) -> Result<T, DecodeError>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Decoder<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Decoder<T> {}

impl<T> Decoder<T> {
    /// The decoder of rows that `D` reads.
    pub(crate) fn of<D: DecodeRow<Row = T>>() -> Self {
        Decoder {
            #[cfg(feature = "sqlite")]
            sqlite: |row| D::decode(row, &mut 0),
            #[cfg(feature = "postgres")]
            postgres: |row| D::decode(row, &mut 0),
            #[cfg(feature = "mysql")]
            mysql: |row| D::decode(row, &mut 0),
            _t: PhantomData,
        }
    }
}

/// A connection to one of the backends (opaque outside foal).
pub struct Conn {
    backend: Backend,
    /// Statements sent on this connection (and the ones it replaced in
    /// its pool slot); the pool publishes the count for
    /// [`Database::statement_count`](crate::Database::statement_count) as
    /// the connection goes back.
    pub(crate) sent: u64,
    /// `slow_ms` of the URL: statements slower than this are logged.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) slow: Option<std::time::Duration>,
}

/// `body`, inside a `foal.query` span of `sql` with the `tracing` feature
/// (`rows` says from the result how many rows it stands for, `None` for a
/// failure).
macro_rules! traced {
    ($self:expr, $sql:expr, $site:expr, $rows:expr, $body:expr) => {{
        #[cfg(feature = "tracing")]
        let statement = super::trace::Statement::begin($self.dialect(), $sql, $site, $self.slow);
        #[cfg(feature = "tracing")]
        let entered = statement.span().clone().entered();
        let result = $body;
        #[cfg(feature = "tracing")]
        {
            drop(entered);
            statement.end(($rows)(&result));
        }
        #[cfg(not(feature = "tracing"))]
        let _ = &$rows;
        result
    }};
}

pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::SqliteConn),
    #[cfg(feature = "postgres")]
    Postgres(Box<postgres::PgConn>),
    #[cfg(feature = "mysql")]
    Mysql(mysql::MyConn),
    /// Without a backend there is no connection (and `compile_error!` above
    /// says which feature to enable).
    #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    #[allow(dead_code)]
    None(std::convert::Infallible),
}

/// Calls the same method on whichever backend the connection is.
macro_rules! dispatch {
    ($self:expr, $c:ident => $body:expr) => {
        match &mut $self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            Backend::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            Backend::Mysql($c) => $body,
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Backend::None(never) => match *never {},
        }
    };
}

/// A driver's result with its error's message cut to a readable length
/// (servers quote whole statements in their messages).
#[inline(always)]
fn readable<T>(result: Result<T>) -> Result<T> {
    result.map_err(Error::readable)
}

impl Conn {
    pub(crate) fn new(backend: Backend) -> Conn {
        Conn {
            backend,
            sent: 0,
            slow: None,
        }
    }

    #[inline]
    fn count(&mut self) {
        self.sent += 1;
    }

    #[inline]
    pub(crate) fn dialect(&self) -> Dialect {
        match self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => sqlite::SqliteConn::DIALECT,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => postgres::PgConn::DIALECT,
            #[cfg(feature = "mysql")]
            Backend::Mysql(_) => mysql::MyConn::DIALECT,
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Backend::None(never) => match never {},
        }
    }

    /// Runs a SELECT (or a statement with RETURNING) and decodes up to `max` rows.
    pub(crate) fn query<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decoder: &Decoder<T>,
        max: Option<usize>,
        site: CallSite,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.query_into(r, params, decoder, max, site, &mut out)?;
        Ok(out)
    }

    /// As [`query`](Self::query), appending the rows to `out`: the rows
    /// stay where the caller keeps them instead of being moved out through
    /// every layer.
    #[inline(always)]
    pub(crate) fn query_into<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decoder: &Decoder<T>,
        max: Option<usize>,
        site: CallSite,
        out: &mut Vec<T>,
    ) -> Result<()> {
        check_params(params, site)?;
        self.count();
        let before = out.len();
        traced!(
            self,
            &r.sql,
            site,
            |done: &Result<()>| done.as_ref().ok().map(|()| (out.len() - before) as u64),
            readable(match &mut self.backend {
                #[cfg(feature = "sqlite")]
                Backend::Sqlite(c) => c.query_into(r, params, decoder.sqlite, max, site, out),
                #[cfg(feature = "postgres")]
                Backend::Postgres(c) => c.query_into(r, params, decoder.postgres, max, site, out),
                #[cfg(feature = "mysql")]
                Backend::Mysql(c) => c.query_into(r, params, decoder.mysql, max, site, out),
                #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
                Backend::None(never) => match *never {},
            })
        )
    }

    /// Runs a SELECT, handing each row to `each` as it is read; `each`
    /// returning `Ok(true)` stops. See [`Driver::query_each`].
    pub(crate) fn query_each<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decoder: &Decoder<T>,
        site: CallSite,
        each: &mut impl FnMut(T) -> Result<bool>,
    ) -> Result<()> {
        check_params(params, site)?;
        self.count();
        let mut passed = 0u64;
        let mut counted = |row: T| {
            passed += 1;
            each(row)
        };
        traced!(
            self,
            &r.sql,
            site,
            |done: &Result<()>| done.as_ref().ok().map(|()| passed),
            readable(match &mut self.backend {
                #[cfg(feature = "sqlite")]
                Backend::Sqlite(c) => c.query_each(r, params, decoder.sqlite, site, &mut counted),
                #[cfg(feature = "postgres")]
                Backend::Postgres(c) => c.query_each(r, params, decoder.postgres, site, &mut counted),
                #[cfg(feature = "mysql")]
                Backend::Mysql(c) => c.query_each(r, params, decoder.mysql, site, &mut counted),
                #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
                Backend::None(never) => match *never {},
            })
        )
    }

    /// Runs a statement; returns the number of rows it changed.
    pub(crate) fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        check_params(params, site)?;
        self.count();
        traced!(
            self,
            &r.sql,
            site,
            |done: &Result<u64>| done.as_ref().ok().copied(),
            readable(dispatch!(self, c => c.execute(r, params, site)))
        )
    }

    /// Runs SQL without parameters (DDL, transaction control).
    pub(crate) fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        self.count();
        traced!(
            self,
            sql,
            site,
            |done: &Result<()>| done.as_ref().ok().map(|()| 0),
            readable(dispatch!(self, c => c.batch(sql, site)))
        )
    }

    /// Runs DDL a provider rendered, adapted to this server.
    pub(crate) fn ddl(&mut self, sql: &str, site: CallSite) -> Result<()> {
        self.count();
        traced!(
            self,
            sql,
            site,
            |done: &Result<()>| done.as_ref().ok().map(|()| 0),
            readable(dispatch!(self, c => c.ddl(sql, site)))
        )
    }

    /// See [`Driver::insert_rows`].
    pub(crate) fn insert_rows<E: ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        layout: RowLayout,
        returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        self.count();
        let n = rows.len() as u64;
        traced!(
            self,
            &r.sql,
            site,
            |done: &Result<Vec<i64>>| done.as_ref().ok().map(|_| n),
            readable(dispatch!(self, c => c.insert_rows(r, rows, layout, returning, site)))
        )
    }

    /// See [`Driver::insert_taken`]. Kept out of line, so that the
    /// by-reference path it sits next to stays small.
    #[inline(never)]
    pub(crate) fn insert_taken<E: ToValues>(
        &mut self,
        r: &Rendered,
        rows: &mut [E],
        layout: RowLayout,
        site: CallSite,
    ) -> Option<Result<()>> {
        let n = rows.len() as u64;
        let done: Option<Result<()>> = traced!(
            self,
            &r.sql,
            site,
            |done: &Option<Result<()>>| done.as_ref().and_then(|d| d.as_ref().ok()).map(|()| n),
            dispatch!(self, c => c.insert_taken(r, rows, layout, site))
        )
        .map(readable);
        if done.is_some() {
            self.count();
        }
        done
    }

    /// See [`Driver::copy_rows`].
    pub(crate) fn copy_rows<E: ToValues>(
        &mut self,
        insert: &Rendered,
        copy: &str,
        rows: &[E],
        stride: usize,
        site: CallSite,
    ) -> Option<Result<u64>> {
        let done: Option<Result<u64>> = traced!(
            self,
            copy,
            site,
            |done: &Option<Result<u64>>| done.as_ref().and_then(|d| d.as_ref().ok()).copied(),
            dispatch!(self, c => c.copy_rows(insert, copy, rows, stride, site))
        )
        .map(readable);
        if done.is_some() {
            self.count();
        }
        done
    }

    /// See [`Driver::last_insert_id`].
    pub(crate) fn last_insert_id(&mut self) -> i64 {
        dispatch!(self, c => c.last_insert_id())
    }

    /// See [`Driver::ping`].
    #[cold]
    pub(crate) fn ping(&mut self) -> bool {
        dispatch!(self, c => c.ping())
    }

    /// See [`Driver::returns_keys`].
    pub(crate) fn returns_keys(&mut self) -> bool {
        dispatch!(self, c => c.returns_keys())
    }

    /// See [`Driver::current_key_step`].
    pub(crate) fn current_key_step(&mut self, site: CallSite) -> Result<i64> {
        readable(dispatch!(self, c => c.current_key_step(site)))
    }

    /// Whether the connection can be reused: open, and not inside a
    /// transaction someone forgot.
    #[inline]
    pub(crate) fn is_healthy(&mut self) -> bool {
        dispatch!(self, c => c.is_healthy())
    }
}

#[cfg(feature = "sqlite")]
impl From<sqlite::SqliteConn> for Backend {
    fn from(c: sqlite::SqliteConn) -> Backend {
        Backend::Sqlite(c)
    }
}

#[cfg(feature = "postgres")]
impl From<postgres::PgConn> for Backend {
    fn from(c: postgres::PgConn) -> Backend {
        Backend::Postgres(Box::new(c))
    }
}

#[cfg(feature = "mysql")]
impl From<mysql::MyConn> for Backend {
    fn from(c: mysql::MyConn) -> Backend {
        Backend::Mysql(c)
    }
}

/// The schemes of the URLs foal knows.
const SCHEMES: &[&str] = &["sqlite", "postgres", "postgresql", "mysql", "mariadb"];

/// The connector of `url` (without foal's own options), by its scheme.
pub(crate) fn connector(url: &str) -> Result<Connector> {
    let Some((scheme, _)) = url.split_once(':') else {
        return Err(Error::Config(format!("`{url}` is not a database URL")));
    };
    match scheme {
        #[cfg(feature = "sqlite")]
        "sqlite" => connector_of::<sqlite::SqliteConn>(url),
        #[cfg(feature = "postgres")]
        "postgres" | "postgresql" => connector_of::<postgres::PgConn>(url),
        #[cfg(feature = "mysql")]
        "mysql" | "mariadb" => connector_of::<mysql::MyConn>(url),
        known if SCHEMES.contains(&known) => Err(Error::Config(format!(
            "foal was built without the feature for `{known}` URLs (`sqlite`, `postgres` or `mysql`)"
        ))),
        other => Err(Error::Config(format!("unknown database scheme `{other}`"))),
    }
}

/// A connector opening connections of driver `D`.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code)
)]
fn connector_of<D>(url: &str) -> Result<Connector>
where
    D: Driver + 'static,
    Backend: From<D>,
{
    let (config, default_pool) = D::config(url)?;
    Ok(Connector {
        dialect: D::DIALECT,
        default_pool,
        connect: Box::new(move || D::connect(&config).map(|c| Conn::new(Backend::from(c)))),
    })
}

//! Connections to the three backends behind one enum.

#[cfg(feature = "mysql")]
pub(crate) mod mysql;
#[cfg(feature = "postgres")]
pub(crate) mod pgwire;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

use std::marker::PhantomData;

use crate::dialects::{Dialect, Rendered};
use crate::error::{CallSite, DecodeError, Result};
use crate::expr::Projection;
use crate::types::FromRow;
use crate::value::Value;

/// Prepared statements kept per connection (an LRU: the least recently used
/// statement is finalized when a new one would exceed it).
pub const STATEMENT_CACHE: usize = 256;

/// Hashes the ids of renderings (`Rendered::id`), which are distinct
/// counters: one multiplication spreads them, where hashing the SQL text
/// would cost a pass over it on every execution. Also the hasher of the
/// composed-query cache, whose keys fold into one word (made by foal from
/// ids, a site's address and a shape, never by a user, so there is no
/// flooding to guard against).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHash;

pub(crate) struct IdHasher(u64);

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A connection's prepared statements, keyed by rendering id, at most
/// [`STATEMENT_CACHE`] of them. The statement used last is found by one
/// comparison: a query run again does not touch the index, whose memory
/// the database's own work in between tends to push out of the CPU cache.
/// Any other hit is one probe of a hash table. The least recently used
/// statement is found by a scan only when a new one is prepared into a
/// full cache (preparing costs far more than the scan).
pub(crate) struct Statements<S> {
    kept: Vec<Kept<S>>,
    /// Where each id's statement is in `kept`.
    index: std::collections::HashMap<u64, usize, IdHash>,
    /// The place in `kept` of the statement used last (checked by id, so a
    /// place that moved since is only a miss).
    last: usize,
    uses: u64,
}

struct Kept<S> {
    id: u64,
    statement: S,
    used: u64,
}

impl<S> Statements<S> {
    pub(crate) fn new() -> Self {
        Statements {
            kept: Vec::with_capacity(16),
            index: std::collections::HashMap::with_capacity_and_hasher(16, IdHash),
            last: 0,
            uses: 0,
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut S> {
        self.uses += 1;
        let at = match self.kept.get(self.last) {
            Some(kept) if kept.id == id => self.last,
            _ => {
                let at = *self.index.get(&id)?;
                self.last = at;
                at
            }
        };
        let kept = self.kept.get_mut(at)?;
        kept.used = self.uses;
        Some(&mut kept.statement)
    }

    /// Adds a statement; returns the one it pushed out, if the cache was full.
    pub(crate) fn push(&mut self, id: u64, statement: S) -> Option<(u64, S)> {
        let evicted = if self.kept.len() >= STATEMENT_CACHE && !self.index.contains_key(&id) {
            let oldest = (0..self.kept.len()).min_by_key(|&at| self.kept[at].used);
            oldest.map(|at| self.take(at))
        } else {
            None
        };
        self.uses += 1;
        let kept = Kept {
            id,
            statement,
            used: self.uses,
        };
        match self.index.get(&id) {
            Some(&at) => {
                self.kept[at] = kept;
                self.last = at;
            }
            None => {
                self.last = self.kept.len();
                self.index.insert(id, self.last);
                self.kept.push(kept);
            }
        }
        evicted
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn remove(&mut self, id: u64) -> Option<S> {
        let at = *self.index.get(&id)?;
        Some(self.take(at).1)
    }

    /// Takes the statement at `at` out; the last one moves into its place.
    fn take(&mut self, at: usize) -> (u64, S) {
        let kept = self.kept.swap_remove(at);
        self.index.remove(&kept.id);
        if let Some(moved) = self.kept.get(at) {
            self.index.insert(moved.id, at);
        }
        (kept.id, kept.statement)
    }
}

#[cfg(feature = "chrono")]
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";
#[cfg(feature = "chrono")]
pub(crate) const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

#[cfg(feature = "chrono")]
pub(crate) fn parse_date(text: &str, i: usize) -> Result<chrono::NaiveDate, DecodeError> {
    chrono::NaiveDate::parse_from_str(text, DATE_FORMAT)
        .map_err(|e| DecodeError::new(i, format!("`{text}` is not a date: {e}")))
}

#[cfg(feature = "chrono")]
pub(crate) fn parse_datetime(text: &str, i: usize) -> Result<chrono::NaiveDateTime, DecodeError> {
    let text = text.trim_end_matches('Z');
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| parse_date(text, i).ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
        .ok_or_else(|| DecodeError::new(i, format!("`{text}` is not a date and time")))
}

/// Keeps a decoded row of a driver's result, or turns its decoding error
/// into foal's, naming the column; returns whether `max` rows are in.
#[inline(always)]
pub(crate) fn keep_row<T, R: crate::types::RowAccess + ?Sized>(
    out: &mut Vec<T>,
    decoded: std::result::Result<T, DecodeError>,
    row: &R,
    max: Option<usize>,
    site: CallSite,
) -> Result<bool> {
    match decoded {
        Ok(v) => push_row(out, v),
        Err(e) => {
            let name = row.column_name(e.column);
            return Err(e.into_error(name.as_deref(), site));
        }
    }
    Ok(max.is_some_and(|m| out.len() >= m))
}

/// Appends a decoded row: the first one allocates room for a few at once
/// (as `collect` would) instead of going through the growth path.
#[inline(always)]
pub(crate) fn push_row<T>(out: &mut Vec<T>, row: T) {
    if out.len() == out.capacity() {
        grow(out);
    }
    out.push(row);
}

#[inline(never)]
fn grow<T>(out: &mut Vec<T>) {
    if out.capacity() == 0 {
        *out = Vec::with_capacity(4);
    } else {
        out.reserve(out.len());
    }
}

/// How rows of `T` are decoded on each backend: one monomorphized function
/// per backend, called once per row.
pub struct Decoder<T> {
    #[cfg(feature = "sqlite")]
    pub(crate) sqlite: fn(&rusqlite::Row<'_>) -> Result<T, DecodeError>,
    #[cfg(feature = "postgres")]
    pub(crate) postgres: fn(&pgwire::RowView<'_>) -> Result<T, DecodeError>,
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
    /// The decoder of a projection's rows.
    pub(crate) fn of<P: Projection<Row = T>>() -> Self {
        Decoder {
            #[cfg(feature = "sqlite")]
            sqlite: |row| P::decode(row, &mut 0),
            #[cfg(feature = "postgres")]
            postgres: |row| P::decode(row, &mut 0),
            #[cfg(feature = "mysql")]
            mysql: |row| P::decode(row, &mut 0),
            _t: PhantomData,
        }
    }
}

impl<T: FromRow> Decoder<T> {
    /// The decoder of rows that are one `FromRow` value.
    pub(crate) fn from_row() -> Self {
        Decoder {
            #[cfg(feature = "sqlite")]
            sqlite: |row| T::from_row(row, &mut 0),
            #[cfg(feature = "postgres")]
            postgres: |row| T::from_row(row, &mut 0),
            #[cfg(feature = "mysql")]
            mysql: |row| T::from_row(row, &mut 0),
            _t: PhantomData,
        }
    }
}

/// A connection to one of the backends (opaque outside foal).
pub struct Conn {
    pub(crate) backend: Backend,
    /// Statements sent on this connection (and the ones it replaced in
    /// its pool slot); the pool publishes the count for
    /// [`Database::statement_count`](crate::Database::statement_count) as
    /// the connection goes back.
    pub(crate) sent: u64,
}

pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::SqliteConn),
    #[cfg(feature = "postgres")]
    Postgres(Box<postgres::PgConn>),
    #[cfg(feature = "mysql")]
    Mysql(mysql::MyConn),
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
        }
    };
}

/// Refuses values no backend-independent meaning exists for: text holding
/// NUL (PostgreSQL cannot store it) and NaN or infinite floats (SQLite
/// stores NaN as NULL, MySQL refuses both).
#[inline]
fn check_params(params: &[Value], site: CallSite) -> Result<()> {
    if params.is_empty() {
        return Ok(());
    }
    check_values(params, site)
}

fn check_values(params: &[Value], site: CallSite) -> Result<()> {
    for value in params {
        let problem = match value {
            Value::Text(_) | Value::StaticText(_) if value.as_str().is_some_and(|s| s.as_bytes().contains(&0)) => {
                NUL_TEXT
            }
            Value::Float(f) if !f.is_finite() => NOT_FINITE,
            Value::List(items) => {
                check_values(items, site)?;
                continue;
            }
            _ => continue,
        };
        return Err(crate::error::Error::Parameter {
            message: problem.to_owned(),
            site,
        });
    }
    Ok(())
}

impl Conn {
    pub(crate) fn new(backend: Backend) -> Conn {
        Conn { backend, sent: 0 }
    }

    #[inline]
    fn count(&mut self) {
        self.sent += 1;
    }

    #[inline]
    pub(crate) fn dialect(&self) -> Dialect {
        match self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            Backend::Mysql(_) => Dialect::Mysql,
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
        dispatch!(self, c => c.query_into(r, params, decoder, max, site, out))
    }

    /// Runs a statement; returns the number of rows it changed.
    pub(crate) fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        check_params(params, site)?;
        self.count();
        dispatch!(self, c => c.execute(r, params, site))
    }

    /// Runs SQL without parameters (DDL, transaction control).
    pub(crate) fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        self.count();
        dispatch!(self, c => c.batch(sql, site))
    }

    /// Runs DDL a provider rendered, adapted to this server.
    pub(crate) fn ddl(&mut self, sql: &str, site: CallSite) -> Result<()> {
        match &mut self.backend {
            #[cfg(feature = "mysql")]
            Backend::Mysql(c) => {
                let sql = c.adapt_ddl(sql);
                self.sent += 1;
                c.batch(&sql, site)
            }
            #[allow(unreachable_patterns)]
            _ => self.batch(sql, site),
        }
    }

    /// Inserts `rows` with `r` (a multi-row INSERT whose placeholders take
    /// each row's columns but the generated key, `skip`), binding their
    /// values by reference. With `returning`, reads the generated keys the
    /// statement returns.
    pub(crate) fn insert_rows<E: crate::types::ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        (stride, skip): (usize, Option<usize>),
        returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        self.count();
        dispatch!(self, c => c.insert_rows(r, rows, (stride, skip), returning, site))
    }

    /// As [`insert_rows`](Conn::insert_rows) without `returning`, for rows
    /// the caller gives up, on a driver that takes its values owned
    /// (MySQL's): their text and bytes are moved to it instead of copied,
    /// leaving them empty. `None` from a driver that binds by reference,
    /// for which `insert_rows` is the way. Kept out of line, so that the
    /// by-reference path it sits next to stays small.
    #[inline(never)]
    pub(crate) fn insert_taken<E: crate::types::ToValues>(
        &mut self,
        r: &Rendered,
        rows: &mut [E],
        (stride, skip): (usize, Option<usize>),
        site: CallSite,
    ) -> Option<Result<Vec<i64>>> {
        match &mut self.backend {
            #[cfg(feature = "mysql")]
            Backend::Mysql(c) => {
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
                // `count()` would borrow all of `self`, `c` is borrowed.
                self.sent += 1;
                // MySQL's keys come from `last_insert_id`, not a reply.
                Some(c.execute_owned(r, values, site).map(|_| Vec::new()))
            }
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The key generated by the last insert (MySQL and SQLite).
    pub(crate) fn last_insert_id(&mut self) -> i64 {
        dispatch!(self, c => c.last_insert_id())
    }

    /// The distance between consecutive generated keys of one multi-row
    /// INSERT (MySQL's `auto_increment_increment`; 1 elsewhere).
    pub(crate) fn key_step(&mut self) -> i64 {
        match &mut self.backend {
            #[cfg(feature = "mysql")]
            Backend::Mysql(c) => c.key_step(),
            #[allow(unreachable_patterns)]
            _ => 1,
        }
    }

    /// Whether the connection can be reused: open, and not inside a
    /// transaction someone forgot.
    #[inline]
    pub(crate) fn is_healthy(&mut self) -> bool {
        dispatch!(self, c => c.is_healthy())
    }
}

/// Hands every value of `rows` but the generated key's (column `skip` of
/// each row of `stride` columns) to `sink`, refusing, as `check_params`
/// does, text with NUL and floats that are not finite.
pub(crate) struct RowBinder<'s, 'a> {
    sink: &'s mut dyn crate::types::ParamSink<'a>,
    stride: usize,
    skip: Option<usize>,
    column: usize,
    problem: Option<&'static str>,
}

impl<'s, 'a> RowBinder<'s, 'a> {
    /// Binds `rows` to `sink`; an error names a value no backend can take.
    pub(crate) fn bind<E: crate::types::ToValues>(
        rows: &'a [E],
        stride: usize,
        skip: Option<usize>,
        sink: &'s mut dyn crate::types::ParamSink<'a>,
        site: CallSite,
    ) -> Result<()> {
        let mut binder = RowBinder {
            sink,
            stride: stride.max(1),
            skip,
            column: 0,
            problem: None,
        };
        for row in rows {
            row.bind_values(&mut binder);
        }
        match binder.problem {
            None => Ok(()),
            Some(problem) => Err(crate::error::Error::Parameter {
                message: problem.to_owned(),
                site,
            }),
        }
    }

    /// Whether the next value is the generated key's (and moves on).
    #[inline]
    fn skipped(&mut self) -> bool {
        let column = self.column;
        self.column = if column + 1 == self.stride { 0 } else { column + 1 };
        self.skip == Some(column)
    }
}

const NUL_TEXT: &str = "text containing NUL (U+0000) cannot be stored on every backend; store it as Vec<u8>";
const NOT_FINITE: &str = "NaN and infinite floats cannot be stored alike on every backend";

impl<'a> crate::types::ParamSink<'a> for RowBinder<'_, 'a> {
    fn null(&mut self) {
        if !self.skipped() {
            self.sink.null();
        }
    }
    fn bool(&mut self, v: &'a bool) {
        if !self.skipped() {
            self.sink.bool(v);
        }
    }
    fn i16(&mut self, v: &'a i16) {
        if !self.skipped() {
            self.sink.i16(v);
        }
    }
    fn i32(&mut self, v: &'a i32) {
        if !self.skipped() {
            self.sink.i32(v);
        }
    }
    fn i64(&mut self, v: &'a i64) {
        if !self.skipped() {
            self.sink.i64(v);
        }
    }
    fn f32(&mut self, v: &'a f32) {
        if !self.skipped() {
            if !v.is_finite() {
                self.problem.get_or_insert(NOT_FINITE);
            }
            self.sink.f32(v);
        }
    }
    fn f64(&mut self, v: &'a f64) {
        if !self.skipped() {
            if !v.is_finite() {
                self.problem.get_or_insert(NOT_FINITE);
            }
            self.sink.f64(v);
        }
    }
    fn text(&mut self, v: &'a String) {
        if !self.skipped() {
            if v.as_bytes().contains(&0) {
                self.problem.get_or_insert(NUL_TEXT);
            }
            self.sink.text(v);
        }
    }
    fn bytes(&mut self, v: &'a Vec<u8>) {
        if !self.skipped() {
            self.sink.bytes(v);
        }
    }
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a chrono::NaiveDate) {
        if !self.skipped() {
            self.sink.date(v);
        }
    }
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a chrono::NaiveDateTime) {
        if !self.skipped() {
            self.sink.datetime(v);
        }
    }
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a chrono::DateTime<chrono::Utc>) {
        if !self.skipped() {
            self.sink.timestamp(v);
        }
    }
}

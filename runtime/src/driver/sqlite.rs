//! SQLite through rusqlite (bundled).
//!
//! Each connection: `PRAGMA case_sensitive_like = ON` (LIKE compares bytes,
//! as Rust's `starts_with` does), foreign keys on, a busy timeout, a bounded
//! statement cache, the query planner stability guarantee (so cached
//! statements stay compiled whatever is bound to them), and three functions registered in Rust so that SQLite
//! computes exactly what Rust would: `lower`/`upper` with Rust's Unicode case
//! mapping (SQLite's own are ASCII-only) and `floor` (absent from the
//! bundled build).

use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode};

use super::Decoder;
use crate::dialects::Rendered;
use crate::error::{CallSite, DbFault, DecodeError, Error, Result};
use crate::types::RowAccess;
use crate::value::Value;

/// The connection's prepared statements, by rendering id.
type Statements<'c> = super::Statements<rusqlite::Statement<'c>>;

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

fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let case = |to_upper: bool| {
        move |ctx: &rusqlite::functions::Context<'_>| -> rusqlite::Result<rusqlite::types::Value> {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(t) => {
                    let s = String::from_utf8_lossy(t);
                    rusqlite::types::Value::Text(if to_upper { s.to_uppercase() } else { s.to_lowercase() })
                }
                ValueRef::Null => rusqlite::types::Value::Null,
                ValueRef::Integer(i) => rusqlite::types::Value::Text(i.to_string()),
                ValueRef::Real(r) => rusqlite::types::Value::Text(r.to_string()),
                ValueRef::Blob(b) => rusqlite::types::Value::Blob(b.to_vec()),
            })
        }
    };
    conn.create_scalar_function("lower", 1, flags, case(false))?;
    conn.create_scalar_function("upper", 1, flags, case(true))?;
    #[cfg(feature = "chrono")]
    {
        conn.create_scalar_function("foal_add_micros", 2, flags, |ctx| {
            let (text, micros): (Option<String>, Option<i64>) = (ctx.get(0)?, ctx.get(1)?);
            Ok(text.zip(micros).and_then(|(text, micros)| {
                let at = super::parse_datetime(&text, 0).ok()?;
                let moved = at.checked_add_signed(chrono::TimeDelta::microseconds(micros))?;
                Some(moved.format(super::DATETIME_FORMAT).to_string())
            }))
        })?;
        conn.create_scalar_function("foal_add_days", 2, flags, |ctx| {
            let (text, days): (Option<String>, Option<i64>) = (ctx.get(0)?, ctx.get(1)?);
            Ok(text.zip(days).and_then(|(text, days)| {
                let date = super::parse_date(&text, 0).ok()?;
                let moved = date.checked_add_signed(chrono::TimeDelta::try_days(days)?)?;
                Some(moved.format(super::DATE_FORMAT).to_string())
            }))
        })?;
    }
    conn.create_scalar_function("floor", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Real(r) => rusqlite::types::Value::Real(r.floor()),
            ValueRef::Integer(i) => rusqlite::types::Value::Integer(i),
            _ => rusqlite::types::Value::Null,
        })
    })?;
    Ok(())
}

/// Bytes and number of the lookaside slots of a connection.
const LOOKASIDE: (i32, i32) = (1200, 256);

/// Gives the connection a lookaside (SQLite's per-connection pool for its
/// small allocations) of `LOOKASIDE`, about 300 KiB, instead of the 48 KiB
/// SQLite starts with. Each cached statement keeps some of its memory
/// there, so with the default the cache filled it and every allocation of
/// a later statement went through the global allocator and its mutex: a
/// 100-row insert ran 9% slower after the other benchmark workloads had
/// prepared theirs (`docs/performance.md`). Best effort: on failure the
/// connection keeps SQLite's default.
#[allow(unsafe_code)]
fn widen_lookaside(conn: &Connection) {
    let (size, slots) = LOOKASIDE;
    // SAFETY: the handle is that of `conn`, open and used only here; with
    // a null buffer SQLite allocates the slots itself, and it refuses
    // (SQLITE_BUSY) rather than resize a lookaside in use. The variadic
    // arguments are the `void*, int, int` SQLITE_DBCONFIG_LOOKASIDE takes.
    let _ = unsafe {
        rusqlite::ffi::sqlite3_db_config(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            std::ffi::c_int::from(size),
            std::ffi::c_int::from(slots),
        )
    };
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
            widen_lookaside(&conn);
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
            register_functions(&conn)
        };
        setup().map_err(|e| map_error(e, site))?;
        Ok(SqliteConn {
            cell: Prepared::new(conn, |_| super::Statements::new()),
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

    pub(crate) fn query_into<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decoder: &Decoder<T>,
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
                    if super::keep_row(out, (decoder.sqlite)(row), row, max, site)? {
                        break;
                    }
                }
                Ok(())
            },
        )
    }

    pub(crate) fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        self.with_statement(r, site, |stmt| {
            Self::bind(stmt, r, params, site)?;
            let n = stmt.raw_execute().map_err(|e| map_error(e, site))?;
            Ok(n as u64)
        })
    }

    pub(crate) fn insert_rows<E: crate::types::ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        (stride, skip): (usize, Option<usize>),
        returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        self.with_statement(r, site, |stmt| {
            let mut binder = Binder {
                stmt,
                next: 1,
                error: None,
            };
            super::RowBinder::bind(rows, stride, skip, &mut binder, site)?;
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

    pub(crate) fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        self.raw_since_check = true;
        self.cell
            .borrow_owner()
            .execute_batch(sql)
            .map_err(|e| map_error(e, site))
    }

    pub(crate) fn last_insert_id(&self) -> i64 {
        self.cell.borrow_owner().last_insert_rowid()
    }

    /// Whether the connection can go back to the pool: not left inside a
    /// transaction (asked of SQLite only after raw SQL ran).
    #[inline]
    pub(crate) fn is_healthy(&mut self) -> bool {
        if !self.raw_since_check {
            return true;
        }
        let outside = self.cell.borrow_owner().is_autocommit();
        self.raw_since_check = !outside;
        outside
    }
}

/// Binds values straight to a statement, in placeholder order.
struct Binder<'s, 'c> {
    stmt: &'s mut rusqlite::Statement<'c>,
    next: usize,
    error: Option<rusqlite::Error>,
}

impl Binder<'_, '_> {
    #[inline]
    fn put<T: rusqlite::ToSql>(&mut self, v: T) {
        if self.error.is_none()
            && let Err(e) = self.stmt.raw_bind_parameter(self.next, v)
        {
            self.error = Some(e);
        }
        self.next += 1;
    }
}

impl<'a> crate::types::ParamSink<'a> for Binder<'_, '_> {
    fn null(&mut self) {
        self.put(rusqlite::types::Null);
    }
    fn bool(&mut self, v: &'a bool) {
        self.put(*v);
    }
    fn i16(&mut self, v: &'a i16) {
        self.put(*v);
    }
    fn i32(&mut self, v: &'a i32) {
        self.put(*v);
    }
    fn i64(&mut self, v: &'a i64) {
        self.put(*v);
    }
    fn f32(&mut self, v: &'a f32) {
        self.put(f64::from(*v));
    }
    fn f64(&mut self, v: &'a f64) {
        self.put(*v);
    }
    fn text(&mut self, v: &'a String) {
        self.put(v.as_str());
    }
    fn bytes(&mut self, v: &'a Vec<u8>) {
        self.put(v.as_slice());
    }
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a chrono::NaiveDate) {
        self.put(Value::Date(*v));
    }
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a chrono::NaiveDateTime) {
        self.put(Value::DateTime(*v));
    }
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a chrono::DateTime<chrono::Utc>) {
        self.put(Value::Timestamp(*v));
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Float(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::StaticText(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            #[cfg(feature = "chrono")]
            Value::Date(d) => ToSqlOutput::from(d.format(super::DATE_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::DateTime(d) => ToSqlOutput::from(d.format(super::DATETIME_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::Timestamp(d) => ToSqlOutput::from(d.naive_utc().format(super::DATETIME_FORMAT).to_string()),
            Value::List(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "a list cannot be bound as one value".into(),
                ));
            }
        })
    }
}

#[cold]
fn unreadable_text(i: usize, e: &std::string::FromUtf8Error) -> DecodeError {
    DecodeError::new(i, e.to_string())
}

#[cold]
fn wrong_type(i: usize, expected: &str, found: &ValueRef<'_>) -> DecodeError {
    let found = match found {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    };
    DecodeError::new(i, format!("expected {expected}, found {found}"))
}

#[inline]
fn get<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<ValueRef<'r>, DecodeError> {
    row.get_ref(i).map_err(|e| unreadable(i, &e))
}

/// Kept out of line, so that the reads stay small enough to inline.
#[cold]
fn unreadable(i: usize, e: &rusqlite::Error) -> DecodeError {
    DecodeError::new(i, e.to_string())
}

#[cfg(feature = "chrono")]
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize, what: &str) -> Result<Option<&'r str>, DecodeError> {
    match get(row, i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(Some)
            .map_err(|e| DecodeError::new(i, e.to_string())),
        other => Err(wrong_type(i, what, &other)),
    }
}

impl RowAccess for rusqlite::Row<'_> {
    #[inline]
    fn get_bool(&self, i: usize) -> Result<Option<bool>, DecodeError> {
        match get(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(v) => Ok(Some(v != 0)),
            other => Err(wrong_type(i, "a boolean", &other)),
        }
    }

    #[inline]
    fn get_i64(&self, i: usize) -> Result<Option<i64>, DecodeError> {
        match get(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(v) => Ok(Some(v)),
            other => Err(wrong_type(i, "an integer", &other)),
        }
    }

    #[allow(clippy::cast_precision_loss)]
    #[inline]
    fn get_f64(&self, i: usize) -> Result<Option<f64>, DecodeError> {
        match get(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Real(v) => Ok(Some(v)),
            ValueRef::Integer(v) => Ok(Some(v as f64)),
            other => Err(wrong_type(i, "a number", &other)),
        }
    }

    #[inline]
    fn get_string(&self, i: usize) -> Result<Option<String>, DecodeError> {
        match get(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => String::from_utf8(t.to_vec())
                .map(Some)
                .map_err(|e| unreadable_text(i, &e)),
            other => Err(wrong_type(i, "text", &other)),
        }
    }

    #[inline]
    fn get_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, DecodeError> {
        match get(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(b) => Ok(Some(b.to_vec())),
            other => Err(wrong_type(i, "a blob", &other)),
        }
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_date(&self, i: usize) -> Result<Option<chrono::NaiveDate>, DecodeError> {
        text(self, i, "a date")?.map(|t| super::parse_date(t, i)).transpose()
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_datetime(&self, i: usize) -> Result<Option<chrono::NaiveDateTime>, DecodeError> {
        text(self, i, "a date-time")?
            .map(|t| super::parse_datetime(t, i))
            .transpose()
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_timestamp(&self, i: usize) -> Result<Option<chrono::DateTime<chrono::Utc>>, DecodeError> {
        Ok(self.get_datetime(i)?.map(|d| d.and_utc()))
    }

    #[inline]
    fn is_null(&self, i: usize) -> bool {
        matches!(self.get_ref(i), Ok(ValueRef::Null))
    }

    fn column_name(&self, i: usize) -> Option<String> {
        self.as_ref().column_name(i).ok().map(str::to_owned)
    }
}

/// Maps a rusqlite error to foal's, keeping the constraint name SQLite
/// reports (`UNIQUE constraint failed: t.c` names `t.c`).
pub(crate) fn map_error(e: rusqlite::Error, site: CallSite) -> Error {
    if let rusqlite::Error::SqliteFailure(err, message) = &e {
        let message = message.clone().unwrap_or_else(|| err.to_string());
        return match err.code {
            ErrorCode::ConstraintViolation => Error::Constraint {
                constraint: message.split_once(": ").map(|(_, name)| name.to_owned()),
                message,
                site,
            },
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::Database {
                message,
                fault: DbFault::Retryable,
                site,
            },
            _ => Error::Database {
                message,
                fault: DbFault::Other,
                site,
            },
        };
    }
    Error::Database {
        message: e.to_string(),
        fault: DbFault::Other,
        site,
    }
}

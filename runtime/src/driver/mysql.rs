//! MySQL and MariaDB through the `mysql` crate.
//!
//! Each connection's session is set up so the SQL foal renders means the same
//! as elsewhere: strict mode, `NO_BACKSLASH_ESCAPES` (a backslash in a
//! string constant is just a backslash, as in standard SQL), the
//! no-padding binary collation (every byte compared, `utf8mb4_nopad_bin`), UTC, and a
//! `group_concat` limit large enough never to truncate. Statements are
//! prepared once per connection through the driver's statement cache.

use mysql::prelude::Queryable;
use mysql::{Opts, OptsBuilder, Params};

use super::Decoder;
use crate::dialects::Rendered;
use crate::error::{CallSite, DbFault, DecodeError, Error, Result};
use crate::types::RowAccess;
use crate::value::Value;

pub(crate) struct MyConn {
    conn: mysql::Conn,
    broken: bool,
    /// The byte-order, no-padding collation of this server.
    collation: &'static str,
    /// `@@auto_increment_increment`: the distance between the keys one
    /// multi-row INSERT generates (1 unless the server is set up for
    /// multi-primary replication). Read again after a `SET` foal runs.
    key_step: i64,
    /// Prepared statements by rendering id (the driver's own cache, keyed
    /// by the SQL text, is off).
    statements: super::Statements<mysql::Statement>,
}

fn key_step(conn: &mut mysql::Conn, site: CallSite) -> Result<i64> {
    let step: Option<i64> = conn
        .query_first("SELECT @@auto_increment_increment")
        .map_err(|e| map_error(e, site))?;
    Ok(step.unwrap_or(1).max(1))
}

/// Session settings every connection starts with.
const SESSION: &[&str] = &[
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
    "SET SESSION time_zone = '+00:00'",
    "SET SESSION group_concat_max_len = 1073741824",
];

/// The collation foal renders in DDL (MariaDB's name). `utf8mb4_bin` pads:
/// it finds `'a' = 'a '`; Rust compares every byte, and so do these.
const MARIADB_COLLATION: &str = "utf8mb4_nopad_bin";
const MYSQL_COLLATION: &str = "utf8mb4_0900_bin";

fn fetch<T>(
    conn: &mut mysql::Conn,
    stmt: &mysql::Statement,
    params: Params,
    decoder: &Decoder<T>,
    max: Option<usize>,
    site: CallSite,
    out: &mut Vec<T>,
) -> Result<()> {
    let rows = conn.exec_iter(stmt, params).map_err(|e| map_error(e, site))?;
    for row in rows {
        let row = row.map_err(|e| map_error(e, site))?;
        let row = MyRow(std::cell::RefCell::new(row));
        if super::keep_row(out, (decoder.mysql)(&row), &row, max, site)? {
            break;
        }
    }
    Ok(())
}

impl MyConn {
    pub(crate) fn connect(opts: Opts) -> Result<MyConn> {
        let site = CallSite::caller();
        let opts = OptsBuilder::from_opts(opts).stmt_cache_size(0).init(SESSION.to_vec());
        let mut conn = mysql::Conn::new(opts).map_err(|e| map_error(e, site))?;
        let version: Option<String> = conn.query_first("SELECT VERSION()").map_err(|e| map_error(e, site))?;
        let collation = if version.unwrap_or_default().contains("MariaDB") {
            MARIADB_COLLATION
        } else {
            MYSQL_COLLATION
        };
        conn.query_drop(format!("SET NAMES utf8mb4 COLLATE {collation}"))
            .map_err(|e| map_error(e, site))?;
        let key_step = key_step(&mut conn, site)?;
        Ok(MyConn {
            conn,
            broken: false,
            collation,
            key_step,
            statements: super::Statements::new(),
        })
    }

    /// DDL rendered by the provider, with this server's collation.
    pub(crate) fn adapt_ddl(&self, sql: &str) -> String {
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

    fn fail(&mut self, e: mysql::Error, site: CallSite) -> Error {
        let error = map_error(e, site);
        if matches!(error, Error::ConnectionLost { .. }) {
            self.broken = true;
        }
        error
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
        let stmt = self.statement(r, site)?;
        let result = fetch(&mut self.conn, &stmt, Self::params(r, params), decoder, max, site, out);
        if matches!(result, Err(Error::ConnectionLost { .. })) {
            self.broken = true;
        }
        result
    }

    pub(crate) fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        let stmt = self.statement(r, site)?;
        let params = Self::params(r, params);
        match self.conn.exec_drop(&stmt, params) {
            Ok(()) => Ok(self.conn.affected_rows()),
            Err(e) => Err(self.fail(e, site)),
        }
    }

    pub(crate) fn insert_rows<E: crate::types::ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        (stride, skip): (usize, Option<usize>),
        _returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        let stmt = self.statement(r, site)?;
        let mut values = Owned(Vec::with_capacity(rows.len() * stride));
        super::RowBinder::bind(rows, stride, skip, &mut values, site)?;
        match self.conn.exec_drop(&stmt, Params::Positional(values.0)) {
            Ok(()) => Ok(Vec::new()),
            Err(e) => Err(self.fail(e, site)),
        }
    }

    /// Runs `r` with `values` moved into the driver's parameters: one per
    /// placeholder, in the order they appear (as `insert_rows` binds an
    /// INSERT's).
    pub(crate) fn execute_owned(&mut self, r: &Rendered, values: Vec<Value>, site: CallSite) -> Result<u64> {
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

    pub(crate) fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        match self.conn.query_drop(sql) {
            Ok(()) => {
                if sql
                    .trim_start()
                    .get(..4)
                    .is_some_and(|s| s.eq_ignore_ascii_case("SET "))
                {
                    self.key_step = key_step(&mut self.conn, site)?;
                }
                Ok(())
            }
            Err(e) => Err(self.fail(e, site)),
        }
    }

    pub(crate) fn key_step(&self) -> i64 {
        self.key_step
    }

    pub(crate) fn last_insert_id(&self) -> i64 {
        i64::try_from(self.conn.last_insert_id()).unwrap_or(i64::MAX)
    }

    pub(crate) fn is_healthy(&self) -> bool {
        !self.broken
    }
}

/// A row's values for the driver, which takes them owned.
struct Owned(Vec<mysql::Value>);

impl<'a> crate::types::ParamSink<'a> for Owned {
    fn null(&mut self) {
        self.0.push(mysql::Value::NULL);
    }
    fn bool(&mut self, v: &'a bool) {
        self.0.push(mysql::Value::Int(i64::from(*v)));
    }
    fn i16(&mut self, v: &'a i16) {
        self.0.push(mysql::Value::Int(i64::from(*v)));
    }
    fn i32(&mut self, v: &'a i32) {
        self.0.push(mysql::Value::Int(i64::from(*v)));
    }
    fn i64(&mut self, v: &'a i64) {
        self.0.push(mysql::Value::Int(*v));
    }
    fn f32(&mut self, v: &'a f32) {
        self.0.push(mysql::Value::Float(*v));
    }
    fn f64(&mut self, v: &'a f64) {
        self.0.push(mysql::Value::Double(*v));
    }
    fn text(&mut self, v: &'a String) {
        self.0.push(mysql::Value::Bytes(v.as_bytes().to_vec()));
    }
    fn bytes(&mut self, v: &'a Vec<u8>) {
        self.0.push(mysql::Value::Bytes(v.clone()));
    }
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a chrono::NaiveDate) {
        self.0.push(date_value(v.and_time(chrono::NaiveTime::MIN)));
    }
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a chrono::NaiveDateTime) {
        self.0.push(date_value(*v));
    }
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a chrono::DateTime<chrono::Utc>) {
        self.0.push(date_value(v.naive_utc()));
    }
}

fn to_mysql(value: &Value) -> mysql::Value {
    match value {
        Value::Null => mysql::Value::NULL,
        Value::Bool(b) => mysql::Value::Int(i64::from(*b)),
        Value::Int(i) => mysql::Value::Int(*i),
        Value::Float(f) => mysql::Value::Double(*f),
        Value::Text(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
        Value::StaticText(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(b) => mysql::Value::Bytes(b.clone()),
        #[cfg(feature = "chrono")]
        Value::Date(d) => date_value(d.and_time(chrono::NaiveTime::MIN)),
        #[cfg(feature = "chrono")]
        Value::DateTime(d) => date_value(*d),
        #[cfg(feature = "chrono")]
        Value::Timestamp(d) => date_value(d.naive_utc()),
        Value::List(_) => mysql::Value::NULL,
    }
}

/// As `to_mysql`, moving text and bytes instead of copying them.
fn into_mysql(value: Value) -> mysql::Value {
    match value {
        Value::Text(s) => mysql::Value::Bytes(s.into_bytes()),
        Value::Bytes(b) => mysql::Value::Bytes(b),
        other => to_mysql(&other),
    }
}

#[cfg(feature = "chrono")]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn date_value(d: chrono::NaiveDateTime) -> mysql::Value {
    use chrono::{Datelike, Timelike};
    mysql::Value::Date(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
        d.hour() as u8,
        d.minute() as u8,
        d.second() as u8,
        d.nanosecond() / 1000,
    )
}

fn describe(v: &mysql::Value) -> &'static str {
    match v {
        mysql::Value::NULL => "NULL",
        mysql::Value::Bytes(_) => "bytes",
        mysql::Value::Int(_) | mysql::Value::UInt(_) => "an integer",
        mysql::Value::Float(_) | mysql::Value::Double(_) => "a float",
        mysql::Value::Date(..) => "a date",
        mysql::Value::Time(..) => "a time",
    }
}

#[cold]
fn wrong(i: usize, expected: &str, found: &mysql::Value) -> DecodeError {
    DecodeError::new(i, format!("expected {expected}, found {}", describe(found)))
}

/// A row whose values are taken out as they are decoded: text and bytes
/// move into the result instead of being copied. Each value can be read
/// once (the decoders do).
pub(crate) struct MyRow(std::cell::RefCell<mysql::Row>);

impl MyRow {
    #[inline]
    fn take(&self, i: usize) -> Result<mysql::Value, DecodeError> {
        self.0
            .borrow_mut()
            .take::<mysql::Value, usize>(i)
            .ok_or_else(|| missing(i))
    }
}

#[cold]
fn missing(i: usize) -> DecodeError {
    DecodeError::new(i, "the row has no such column, or it was already read")
}

/// Text of a DECIMAL or other number MySQL sends as bytes.
fn number_text(bytes: &[u8], i: usize) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| DecodeError::new(i, e.to_string()))
}

impl RowAccess for MyRow {
    #[inline]
    fn get_bool(&self, i: usize) -> Result<Option<bool>, DecodeError> {
        Ok(self.get_i64(i)?.map(|v| v != 0))
    }

    #[inline]
    fn get_i64(&self, i: usize) -> Result<Option<i64>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            mysql::Value::Int(v) => Ok(Some(v)),
            mysql::Value::UInt(v) => i64::try_from(v)
                .map(Some)
                .map_err(|_| DecodeError::new(i, format!("value {v} does not fit in `i64`"))),
            mysql::Value::Bytes(b) => {
                let text = number_text(&b, i)?;
                text.parse::<i64>()
                    .map(Some)
                    .map_err(|_| DecodeError::new(i, format!("expected an integer, found `{text}`")))
            }
            other => Err(wrong(i, "an integer", &other)),
        }
    }

    #[allow(clippy::cast_precision_loss)]
    #[inline]
    fn get_f64(&self, i: usize) -> Result<Option<f64>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            mysql::Value::Double(v) => Ok(Some(v)),
            mysql::Value::Float(v) => Ok(Some(f64::from(v))),
            mysql::Value::Int(v) => Ok(Some(v as f64)),
            mysql::Value::UInt(v) => Ok(Some(v as f64)),
            mysql::Value::Bytes(b) => {
                let text = number_text(&b, i)?;
                text.parse::<f64>()
                    .map(Some)
                    .map_err(|_| DecodeError::new(i, format!("expected a number, found `{text}`")))
            }
            other => Err(wrong(i, "a number", &other)),
        }
    }

    #[inline]
    fn get_string(&self, i: usize) -> Result<Option<String>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            mysql::Value::Bytes(b) => String::from_utf8(b)
                .map(Some)
                .map_err(|e| DecodeError::new(i, e.to_string())),
            other => Err(wrong(i, "text", &other)),
        }
    }

    #[inline]
    fn get_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            mysql::Value::Bytes(b) => Ok(Some(b)),
            other => Err(wrong(i, "bytes", &other)),
        }
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_date(&self, i: usize) -> Result<Option<chrono::NaiveDate>, DecodeError> {
        Ok(self.get_datetime(i)?.map(|d| d.date()))
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_datetime(&self, i: usize) -> Result<Option<chrono::NaiveDateTime>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            mysql::Value::Date(y, mo, d, h, mi, s, us) => {
                chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                    .and_then(|date| date.and_hms_micro_opt(u32::from(h), u32::from(mi), u32::from(s), us))
                    .map(Some)
                    .ok_or_else(|| DecodeError::new(i, "invalid date"))
            }
            mysql::Value::Bytes(b) => super::parse_datetime(number_text(&b, i)?, i).map(Some),
            other => Err(wrong(i, "a date", &other)),
        }
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_timestamp(&self, i: usize) -> Result<Option<chrono::DateTime<chrono::Utc>>, DecodeError> {
        Ok(self.get_datetime(i)?.map(|d| d.and_utc()))
    }

    fn column_name(&self, i: usize) -> Option<String> {
        self.0.borrow().columns_ref().get(i).map(|c| c.name_str().into_owned())
    }

    #[inline]
    fn is_null(&self, i: usize) -> bool {
        matches!(self.0.borrow().as_ref(i), Some(mysql::Value::NULL))
    }
}

/// The constraint a MySQL message names: `… for key 'name'` or
/// `… CONSTRAINT `name` FOREIGN KEY …`.
fn constraint_name(message: &str) -> Option<String> {
    if let Some(rest) = message.split("for key '").nth(1) {
        return rest
            .split('\'')
            .next()
            .map(|s| s.rsplit('.').next().unwrap_or(s).to_owned());
    }
    if let Some(rest) = message.split("CONSTRAINT `").nth(1) {
        return rest.split('`').next().map(str::to_owned);
    }
    if let Some(rest) = message.split("Column '").nth(1) {
        return rest.split('\'').next().map(str::to_owned);
    }
    None
}

pub(crate) fn map_error(e: mysql::Error, site: CallSite) -> Error {
    match e {
        mysql::Error::MySqlError(err) => match err.code {
            // Duplicate key, foreign key (parent and child), NULL into NOT NULL, check.
            1062 | 1451 | 1452 | 1048 | 3819 | 4025 => Error::Constraint {
                constraint: constraint_name(&err.message),
                message: err.message,
                site,
            },
            // Deadlock, lock wait timeout.
            1213 | 1205 => Error::Database {
                message: err.message,
                fault: DbFault::Retryable,
                site,
            },
            // Server shutdown, connection killed.
            1053 | 1927 | 2006 | 2013 => Error::ConnectionLost {
                message: err.message,
                site,
            },
            _ => Error::Database {
                message: format!("{} ({})", err.message, err.code),
                fault: DbFault::Other,
                site,
            },
        },
        mysql::Error::IoError(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        mysql::Error::CodecError(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        mysql::Error::DriverError(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        other => Error::Database {
            message: other.to_string(),
            fault: DbFault::Other,
            site,
        },
    }
}

//! Values in and out of SQLite: binding foal's values, reading rows, and
//! SQLite's errors as foal's.

use rusqlite::ErrorCode;
use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::error::{CallSite, DbCode, DbFault, DecodeError, Error};
use crate::types::{ParamSink, RowAccess, Value};

/// Binds values straight to a statement, in placeholder order.
pub(super) struct Binder<'s, 'c> {
    pub(super) stmt: &'s mut rusqlite::Statement<'c>,
    pub(super) next: usize,
    pub(super) error: Option<rusqlite::Error>,
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

impl<'a> ParamSink<'a> for Binder<'_, '_> {
    fn value(&mut self, v: Value) {
        self.put(v);
    }
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
            Value::Date(d) => ToSqlOutput::from(d.format(crate::types::dates::DATE_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::DateTime(d) => ToSqlOutput::from(d.format(crate::types::dates::DATETIME_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::Timestamp(d) => {
                ToSqlOutput::from(d.naive_utc().format(crate::types::dates::DATETIME_FORMAT).to_string())
            }
            #[cfg(feature = "chrono")]
            Value::Time(t) => ToSqlOutput::from(t.format(crate::types::dates::TIME_FORMAT).to_string()),
            // Its 16 bytes.
            #[cfg(feature = "uuid")]
            Value::Uuid(u) => ToSqlOutput::Borrowed(ValueRef::Blob(u.as_bytes())),
            // Its one text (`1.5`, never `1.50`): text equality is equality.
            #[cfg(feature = "decimal")]
            Value::Decimal(d) => ToSqlOutput::from(crate::types::decimal_text::canonical(*d)),
            #[cfg(feature = "json")]
            Value::Json(doc) => ToSqlOutput::from(crate::types::json_text::text(doc)),
            // A long IN list, read by `json_each`.
            Value::List(items) => ToSqlOutput::from(Value::json_array(items)),
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
        text(self, i, "a date")?
            .map(|t| crate::types::dates::parse_date(t, i))
            .transpose()
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_datetime(&self, i: usize) -> Result<Option<chrono::NaiveDateTime>, DecodeError> {
        text(self, i, "a date-time")?
            .map(|t| crate::types::dates::parse_datetime(t, i))
            .transpose()
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_timestamp(&self, i: usize) -> Result<Option<chrono::DateTime<chrono::Utc>>, DecodeError> {
        Ok(self.get_datetime(i)?.map(|d| d.and_utc()))
    }

    #[cfg(feature = "decimal")]
    #[inline]
    fn get_decimal(&self, i: usize) -> Result<Option<rust_decimal::Decimal>, DecodeError> {
        match get(self, i)? {
            ValueRef::Null => Ok(None),
            // `sum` of no rows is the integer 0.
            ValueRef::Integer(n) => Ok(Some(rust_decimal::Decimal::from(n))),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map_err(|e| e.to_string())
                .and_then(crate::types::decimal_text::parse)
                .map(Some)
                .map_err(|e| DecodeError::new(i, e)),
            other => Err(wrong_type(i, "a decimal (as text)", &other)),
        }
    }

    #[cfg(feature = "uuid")]
    #[inline]
    fn get_uuid(&self, i: usize) -> Result<Option<uuid::Uuid>, DecodeError> {
        match get(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(b) => uuid::Uuid::from_slice(b)
                .map(Some)
                .map_err(|_| DecodeError::new(i, format!("expected a UUID, found {} bytes", b.len()))),
            other => Err(wrong_type(i, "a UUID (16 bytes)", &other)),
        }
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
        let code = DbCode {
            // SQLite has no SQLSTATE; constraint failures share one with
            // the other backends.
            sqlstate: match err.extended_code {
                2067 | 1555 => Some("23505".to_owned()),
                787 => Some("23503".to_owned()),
                1299 => Some("23502".to_owned()),
                275 => Some("23514".to_owned()),
                _ => None,
            },
            number: Some(i64::from(err.extended_code)),
        };
        return match err.code {
            ErrorCode::ConstraintViolation => Error::Constraint {
                constraint: message.split_once(": ").map(|(_, name)| name.to_owned()),
                message,
                code,
                site,
            },
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::Database {
                message,
                fault: DbFault::Retryable,
                code,
                site,
            },
            _ => Error::Database {
                message,
                fault: DbFault::Other,
                code,
                site,
            },
        };
    }
    Error::Database {
        message: e.to_string(),
        fault: DbFault::Other,
        code: DbCode::default(),
        site,
    }
}

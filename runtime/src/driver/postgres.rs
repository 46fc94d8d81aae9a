//! PostgreSQL through the `postgres` crate.
//!
//! Statements are prepared once per connection and kept in an LRU of
//! [`STATEMENT_CACHE`](super::STATEMENT_CACHE) entries; every placeholder
//! carries an explicit type (`$1::int8`), so binding never depends on what
//! the server infers.

use std::error::Error as StdError;

use lru::LruCache;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, IsNull, ToSql, Type, private::BytesMut};
use postgres::{Client, NoTls, Statement};

use super::Decoder;
use crate::dialects::Rendered;
use crate::error::{CallSite, DbFault, DecodeError, Error, Result};
use crate::types::RowAccess;
use crate::value::Value;

pub(crate) struct PgConn {
    client: Client,
    /// Prepared statements by rendering id.
    statements: LruCache<u64, Statement, super::IdHash>,
}

impl PgConn {
    pub(crate) fn connect(config: &postgres::Config) -> Result<PgConn> {
        let site = CallSite::caller();
        let mut client = config.connect(NoTls).map_err(|e| map_error(&e, site))?;
        client
            .batch_execute("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'")
            .map_err(|e| map_error(&e, site))?;
        Ok(PgConn {
            client,
            statements: super::statement_lru(),
        })
    }

    fn statement(&mut self, r: &Rendered, site: CallSite) -> Result<Statement> {
        if let Some(statement) = self.statements.get(&r.id) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&r.sql).map_err(|e| map_error(&e, site))?;
        self.statements.put(r.id, statement.clone());
        Ok(statement)
    }

    fn params<'a>(r: &Rendered, params: &'a [Value]) -> Vec<&'a Value> {
        r.binds.iter().map(|b| Value::resolve(params, *b)).collect()
    }

    pub(crate) fn query<T>(
        &mut self,
        r: &Rendered,
        params: &[Value],
        decoder: &Decoder<T>,
        max: Option<usize>,
        site: CallSite,
    ) -> Result<Vec<T>> {
        let statement = self.statement(r, site)?;
        let values = Self::params(r, params);
        let decode = |row: &postgres::Row| {
            (decoder.postgres)(row).map_err(|e| {
                let name = row.columns().get(e.column).map(|c| c.name().to_owned());
                e.into_error(name.as_deref(), site)
            })
        };
        let Some(max) = max else {
            // All rows in one round of the driver's runtime: iterating
            // `query_raw` enters it once per row.
            let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| *v as &(dyn ToSql + Sync)).collect();
            let rows = self.client.query(&statement, &refs).map_err(|e| map_error(&e, site))?;
            return rows.iter().map(decode).collect();
        };
        // At most `max` rows: stream, and stop reading early.
        let mut rows = self
            .client
            .query_raw(&statement, values)
            .map_err(|e| map_error(&e, site))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| map_error(&e, site))? {
            out.push(decode(&row)?);
            if out.len() >= max {
                break;
            }
        }
        Ok(out)
    }

    pub(crate) fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        let statement = self.statement(r, site)?;
        let values = Self::params(r, params);
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| *v as &(dyn ToSql + Sync)).collect();
        self.client.execute(&statement, &refs).map_err(|e| map_error(&e, site))
    }

    pub(crate) fn insert_rows<E: crate::types::ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        (stride, skip): (usize, Option<usize>),
        returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        let statement = self.statement(r, site)?;
        let mut refs = Refs(Vec::with_capacity(rows.len() * stride));
        super::RowBinder::bind(rows, stride, skip, &mut refs, site)?;
        if !returning {
            self.client
                .execute(&statement, &refs.0)
                .map_err(|e| map_error(&e, site))?;
            return Ok(Vec::new());
        }
        let found = self
            .client
            .query(&statement, &refs.0)
            .map_err(|e| map_error(&e, site))?;
        found
            .iter()
            .map(|row| {
                row.try_get::<_, AnyInt>(0)
                    .map(|v| v.0)
                    .map_err(|e| map_error(&e, site))
            })
            .collect()
    }

    pub(crate) fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        self.client.batch_execute(sql).map_err(|e| map_error(&e, site))
    }

    pub(crate) fn last_insert_id(&self) -> i64 {
        // PostgreSQL returns generated keys with RETURNING.
        0
    }

    pub(crate) fn is_healthy(&self) -> bool {
        !self.client.is_closed()
    }
}

type BoxError = Box<dyn StdError + Sync + Send>;

/// NULL of any type, bound by reference.
static NULL: Value = Value::Null;

/// A row's values as references to the fields they come from.
struct Refs<'a>(Vec<&'a (dyn ToSql + Sync)>);

impl<'a> crate::types::ParamSink<'a> for Refs<'a> {
    fn null(&mut self) {
        self.0.push(&NULL);
    }
    fn bool(&mut self, v: &'a bool) {
        self.0.push(v);
    }
    fn i16(&mut self, v: &'a i16) {
        self.0.push(v);
    }
    fn i32(&mut self, v: &'a i32) {
        self.0.push(v);
    }
    fn i64(&mut self, v: &'a i64) {
        self.0.push(v);
    }
    fn f32(&mut self, v: &'a f32) {
        self.0.push(v);
    }
    fn f64(&mut self, v: &'a f64) {
        self.0.push(v);
    }
    fn text(&mut self, v: &'a String) {
        self.0.push(v);
    }
    fn bytes(&mut self, v: &'a Vec<u8>) {
        self.0.push(v);
    }
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a chrono::NaiveDate) {
        self.0.push(v);
    }
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a chrono::NaiveDateTime) {
        self.0.push(v);
    }
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a chrono::DateTime<chrono::Utc>) {
        self.0.push(v);
    }
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                #[allow(clippy::cast_precision_loss)]
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Float(f) => match *ty {
                #[allow(clippy::cast_possible_truncation)]
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::StaticText(s) => s.to_sql(ty, out),
            Value::Bytes(b) => b.as_slice().to_sql(ty, out),
            #[cfg(feature = "chrono")]
            Value::Date(d) => d.to_sql(ty, out),
            #[cfg(feature = "chrono")]
            Value::DateTime(d) => d.to_sql(ty, out),
            #[cfg(feature = "chrono")]
            Value::Timestamp(d) => d.to_sql(ty, out),
            Value::List(_) => Err("a list cannot be bound as one value".into()),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// Any integer column, read as i64.
struct AnyInt(i64);

impl<'a> FromSql<'a> for AnyInt {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(AnyInt(match *ty {
            Type::INT2 => i64::from(i16::from_sql(ty, raw)?),
            Type::INT4 => i64::from(i32::from_sql(ty, raw)?),
            _ => i64::from_sql(ty, raw)?,
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8)
    }
}

/// Any float or integer column, read as f64.
struct AnyFloat(f64);

impl<'a> FromSql<'a> for AnyFloat {
    #[allow(clippy::cast_precision_loss)]
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(AnyFloat(match *ty {
            Type::FLOAT4 => f64::from(f32::from_sql(ty, raw)?),
            Type::FLOAT8 => f64::from_sql(ty, raw)?,
            _ => AnyInt::from_sql(ty, raw)?.0 as f64,
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::FLOAT4 | Type::FLOAT8) || AnyInt::accepts(ty)
    }
}

#[inline]
fn get<'r, T: FromSql<'r>>(row: &'r postgres::Row, i: usize, what: &str) -> Result<Option<T>, DecodeError> {
    row.try_get::<_, Option<T>>(i).map_err(|e| {
        let found = row
            .columns()
            .get(i)
            .map(|c| c.type_().name().to_owned())
            .unwrap_or_default();
        let detail = e.source().map(ToString::to_string).unwrap_or_default();
        DecodeError::new(
            i,
            format!("expected {what}, found PostgreSQL type `{found}` {detail}")
                .trim_end()
                .to_owned(),
        )
    })
}

impl RowAccess for postgres::Row {
    #[inline]
    fn get_bool(&self, i: usize) -> Result<Option<bool>, DecodeError> {
        get::<bool>(self, i, "a boolean")
    }

    #[inline]
    fn get_i64(&self, i: usize) -> Result<Option<i64>, DecodeError> {
        Ok(get::<AnyInt>(self, i, "an integer")?.map(|v| v.0))
    }

    #[inline]
    fn get_f64(&self, i: usize) -> Result<Option<f64>, DecodeError> {
        Ok(get::<AnyFloat>(self, i, "a number")?.map(|v| v.0))
    }

    #[inline]
    fn get_string(&self, i: usize) -> Result<Option<String>, DecodeError> {
        get::<String>(self, i, "text")
    }

    #[inline]
    fn get_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, DecodeError> {
        get::<Vec<u8>>(self, i, "bytes")
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_date(&self, i: usize) -> Result<Option<chrono::NaiveDate>, DecodeError> {
        get::<chrono::NaiveDate>(self, i, "a date")
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_datetime(&self, i: usize) -> Result<Option<chrono::NaiveDateTime>, DecodeError> {
        get::<chrono::NaiveDateTime>(self, i, "a date-time")
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_timestamp(&self, i: usize) -> Result<Option<chrono::DateTime<chrono::Utc>>, DecodeError> {
        get::<chrono::DateTime<chrono::Utc>>(self, i, "a timestamp")
    }

    fn column_name(&self, i: usize) -> Option<String> {
        self.columns().get(i).map(|c| c.name().to_owned())
    }
}

/// Maps a driver error, keeping the SQLSTATE's meaning and the name of a
/// violated constraint.
pub(crate) fn map_error(e: &postgres::Error, site: CallSite) -> Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        let message = db.message().to_owned();
        if code == &SqlState::UNIQUE_VIOLATION
            || code == &SqlState::FOREIGN_KEY_VIOLATION
            || code == &SqlState::NOT_NULL_VIOLATION
            || code == &SqlState::CHECK_VIOLATION
        {
            return Error::Constraint {
                constraint: db.constraint().map(str::to_owned),
                message,
                site,
            };
        }
        let retryable = code == &SqlState::T_R_SERIALIZATION_FAILURE || code == &SqlState::T_R_DEADLOCK_DETECTED;
        let lost = code == &SqlState::ADMIN_SHUTDOWN || code == &SqlState::CRASH_SHUTDOWN;
        if lost {
            return Error::ConnectionLost { message, site };
        }
        return Error::Database {
            message,
            fault: if retryable { DbFault::Retryable } else { DbFault::Other },
            site,
        };
    }
    let message = match e.source() {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    };
    if e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>()) {
        return Error::ConnectionLost { message, site };
    }
    Error::Database {
        message,
        fault: DbFault::Other,
        site,
    }
}

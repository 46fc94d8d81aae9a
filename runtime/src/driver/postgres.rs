//! PostgreSQL through foal's own blocking wire-protocol client
//! ([`pgwire`](super::pgwire)).
//!
//! Statements are prepared once per connection under a name and kept in an
//! LRU of [`STATEMENT_CACHE`](super::STATEMENT_CACHE) entries (the least
//! recently used is closed on the server); every placeholder carries an
//! explicit type (`$1::int8`), so binding never depends on what the server
//! infers. Values travel in the binary format.

use std::error::Error as StdError;
use std::sync::Arc;

use postgres_types::{FromSql, IsNull, ToSql, Type};

use super::Decoder;
use super::pgwire::{Config, DbError, Null, Prepared, RowView, Wire, WireError};
use crate::dialects::Rendered;
use crate::error::{CallSite, DbFault, DecodeError, Error, Result};
use crate::types::RowAccess;
use crate::value::Value;

use bytes::BytesMut;

pub(crate) struct PgConn {
    wire: Wire,
    /// Prepared statements by rendering id.
    statements: super::Statements<Arc<Prepared>>,
    broken: bool,
}

impl PgConn {
    pub(crate) fn connect(config: &Config) -> Result<PgConn> {
        let site = CallSite::caller();
        let wire = Wire::connect(config).map_err(|e| map_error(e, site))?;
        Ok(PgConn {
            wire,
            statements: super::Statements::new(),
            broken: false,
        })
    }

    fn fail(&mut self, e: WireError, site: CallSite) -> Error {
        let error = map_error(e, site);
        if matches!(error, Error::ConnectionLost { .. }) {
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
    fn run<T>(
        &mut self,
        r: &Rendered,
        refs: &[&(dyn ToSql + Sync)],
        max: Option<usize>,
        decode: impl Fn(&RowView<'_>) -> std::result::Result<T, DecodeError>,
        site: CallSite,
        out: &mut Vec<T>,
    ) -> Result<()> {
        let statement = self.statement(r, site)?;
        let mut failed: Option<Error> = None;
        let result = self.wire.execute(&statement, refs, max, &mut |row| {
            if failed.is_some() {
                return Ok(());
            }
            match decode(row) {
                Ok(v) => super::push_row(out, v),
                Err(e) => {
                    let name = row.columns.get(e.column).map(|c| c.name.clone());
                    failed = Some(e.into_error(name.as_deref(), site));
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            return Err(self.fail_running(r, e, site));
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
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
        let refs = Self::params(r, params);
        self.run(r, &refs, max, decoder.postgres, site, out)
    }

    pub(crate) fn execute(&mut self, r: &Rendered, params: &[Value], site: CallSite) -> Result<u64> {
        let statement = self.statement(r, site)?;
        let refs = Self::params(r, params);
        match self.wire.execute(&statement, &refs, None, &mut |_| Ok(())) {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail_running(r, e, site)),
        }
    }

    pub(crate) fn insert_rows<E: crate::types::ToValues>(
        &mut self,
        r: &Rendered,
        rows: &[E],
        (stride, skip): (usize, Option<usize>),
        returning: bool,
        site: CallSite,
    ) -> Result<Vec<i64>> {
        let mut refs = Refs(Vec::with_capacity(rows.len() * stride));
        super::RowBinder::bind(rows, stride, skip, &mut refs, site)?;
        if !returning {
            let statement = self.statement(r, site)?;
            return match self.wire.execute(&statement, &refs.0, None, &mut |_| Ok(())) {
                Ok(_) => Ok(Vec::new()),
                Err(e) => Err(self.fail_running(r, e, site)),
            };
        }
        let mut keys = Vec::with_capacity(rows.len());
        self.run(
            r,
            &refs.0,
            None,
            |row| Ok(get::<AnyInt>(row, 0, "a key")?.map_or(0, |v| v.0)),
            site,
            &mut keys,
        )?;
        Ok(keys)
    }

    pub(crate) fn batch(&mut self, sql: &str, site: CallSite) -> Result<()> {
        match self.wire.simple_query(sql) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e, site)),
        }
    }

    pub(crate) fn last_insert_id(&self) -> i64 {
        // PostgreSQL returns generated keys with RETURNING.
        0
    }

    pub(crate) fn is_healthy(&self) -> bool {
        !self.broken && self.wire.is_idle()
    }
}

type BoxError = Box<dyn StdError + Sync + Send>;

/// NULL of any type, bound by reference.
static NULL: Null = Null;

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
            Value::Bool(b) => b.to_sql_checked(ty, out),
            Value::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql_checked(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql_checked(ty, out),
                #[allow(clippy::cast_precision_loss)]
                Type::FLOAT8 => (*i as f64).to_sql_checked(ty, out),
                _ => i.to_sql_checked(ty, out),
            },
            Value::Float(f) => match *ty {
                #[allow(clippy::cast_possible_truncation)]
                Type::FLOAT4 => (*f as f32).to_sql_checked(ty, out),
                _ => f.to_sql_checked(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql_checked(ty, out),
            Value::StaticText(s) => s.to_sql_checked(ty, out),
            Value::Bytes(b) => b.as_slice().to_sql_checked(ty, out),
            #[cfg(feature = "chrono")]
            Value::Date(d) => d.to_sql_checked(ty, out),
            #[cfg(feature = "chrono")]
            Value::DateTime(d) => d.to_sql_checked(ty, out),
            #[cfg(feature = "chrono")]
            Value::Timestamp(d) => d.to_sql_checked(ty, out),
            // An IN list, bound as one array (`x = ANY($1::int8[])`).
            Value::List(items) => {
                let postgres_types::Kind::Array(member) = ty.kind() else {
                    return Err("a list needs an array parameter".into());
                };
                let dimension = postgres_protocol::types::ArrayDimension {
                    len: i32::try_from(items.len())?,
                    lower_bound: 1,
                };
                postgres_protocol::types::array_to_sql(
                    Some(dimension),
                    member.oid(),
                    items.iter(),
                    |item, buf| match item.to_sql_checked(member, buf)? {
                        IsNull::Yes => Ok(postgres_protocol::IsNull::Yes),
                        IsNull::No => Ok(postgres_protocol::IsNull::No),
                    },
                    out,
                )?;
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    postgres_types::to_sql_checked!();
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
fn get<'r, T: FromSql<'r>>(row: &'r RowView<'_>, i: usize, what: &str) -> Result<Option<T>, DecodeError> {
    let Some((ty, raw)) = row.raw(i).map_err(|e| DecodeError::new(i, e))? else {
        return Ok(None);
    };
    if !T::accepts(ty) {
        return Err(DecodeError::new(
            i,
            format!("expected {what}, found PostgreSQL type `{}`", ty.name()),
        ));
    }
    T::from_sql(ty, raw)
        .map(Some)
        .map_err(|e| DecodeError::new(i, format!("expected {what}: {e}")))
}

impl RowAccess for RowView<'_> {
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
        self.columns.get(i).map(|c| c.name.clone())
    }

    #[inline]
    fn is_null(&self, i: usize) -> bool {
        matches!(self.ranges.get(i), Some(None))
    }
}

/// Maps a client error, keeping the SQLSTATE's meaning and the name of a
/// violated constraint.
pub(crate) fn map_error(e: WireError, site: CallSite) -> Error {
    match e {
        WireError::Io(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        WireError::Encode(message) => Error::Parameter { message, site },
        WireError::Protocol(message) => Error::Database {
            message,
            fault: DbFault::Other,
            site,
        },
        WireError::Db(DbError {
            code,
            message,
            constraint,
            detail,
        }) => {
            let message = match detail {
                Some(detail) => format!("{message} ({detail})"),
                None => message,
            };
            match code.as_str() {
                // unique, foreign key, not null, check
                "23505" | "23503" | "23502" | "23514" => Error::Constraint {
                    constraint,
                    message,
                    site,
                },
                // admin shutdown, crash shutdown, cannot connect now
                "57P01" | "57P02" | "57P03" => Error::ConnectionLost { message, site },
                // serialization failure, deadlock
                "40001" | "40P01" => Error::Database {
                    message,
                    fault: DbFault::Retryable,
                    site,
                },
                _ => Error::Database {
                    message: format!("{message} [{code}]"),
                    fault: DbFault::Other,
                    site,
                },
            }
        }
    }
}

//! The traits every column type implements: its SQL type, how it is read
//! from a row, how it is bound, and how a whole row is decoded.

use std::marker::PhantomData;

use crate::dialects::Type;
use crate::error::DecodeError;

use super::Value;
#[cfg(feature = "chrono")]
use super::dates;

/// Reads one column of a result row. Implemented by each driver's row type,
/// so decoding is monomorphized per backend and reads columns by index.
///
/// Every method a cargo feature adds has a default, so switching a feature
/// on never breaks an implementation written without it.
pub trait RowAccess {
    fn get_bool(&self, i: usize) -> Result<Option<bool>, DecodeError>;
    fn get_i64(&self, i: usize) -> Result<Option<i64>, DecodeError>;
    fn get_f64(&self, i: usize) -> Result<Option<f64>, DecodeError>;
    fn get_string(&self, i: usize) -> Result<Option<String>, DecodeError>;
    fn get_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, DecodeError>;
    /// A date. By default read from its ISO text (`2026-12-02`), as SQLite
    /// stores it; drivers with a binary date type override it.
    #[cfg(feature = "chrono")]
    fn get_date(&self, i: usize) -> Result<Option<::chrono::NaiveDate>, DecodeError> {
        self.get_string(i)?.map(|text| dates::parse_date(&text, i)).transpose()
    }
    /// A date and time, by default from its ISO text.
    #[cfg(feature = "chrono")]
    fn get_datetime(&self, i: usize) -> Result<Option<::chrono::NaiveDateTime>, DecodeError> {
        self.get_string(i)?
            .map(|text| dates::parse_datetime(&text, i))
            .transpose()
    }
    /// An instant in UTC, by default from the ISO text of its UTC date and time.
    #[cfg(feature = "chrono")]
    fn get_timestamp(&self, i: usize) -> Result<Option<::chrono::DateTime<::chrono::Utc>>, DecodeError> {
        Ok(self.get_datetime(i)?.map(|d| d.and_utc()))
    }
    /// A time of day, by default from its text (`HH:MM:SS.ffffff`).
    #[cfg(feature = "chrono")]
    fn get_time(&self, i: usize) -> Result<Option<::chrono::NaiveTime>, DecodeError> {
        self.get_string(i)?.map(|text| dates::parse_time(&text, i)).transpose()
    }
    /// A UUID, by default from its 16 bytes.
    #[cfg(feature = "uuid")]
    fn get_uuid(&self, i: usize) -> Result<Option<::uuid::Uuid>, DecodeError> {
        self.get_bytes(i)?
            .map(|b| {
                ::uuid::Uuid::from_slice(&b)
                    .map_err(|_| DecodeError::new(i, format!("{} bytes are not a UUID", b.len())))
            })
            .transpose()
    }
    /// An exact decimal, by default from its text (never through a float).
    #[cfg(feature = "decimal")]
    fn get_decimal(&self, i: usize) -> Result<Option<::rust_decimal::Decimal>, DecodeError> {
        self.get_string(i)?
            .map(|text| super::decimal_text::parse(&text).map_err(|e| DecodeError::new(i, e)))
            .transpose()
    }
    /// A JSON document, by default parsed from its text.
    #[cfg(feature = "json")]
    fn get_json(&self, i: usize) -> Result<Option<::serde_json::Value>, DecodeError> {
        self.get_string(i)?
            .map(|text| {
                ::serde_json::from_str(&text)
                    .map_err(|e| DecodeError::new(i, format!("the column holds no JSON document: {e}")))
            })
            .transpose()
    }
    /// The column's name, for error messages.
    fn column_name(&self, i: usize) -> Option<String>;
    /// Whether column `i` is NULL, without reading its value (a value may
    /// be read only once: MySQL's rows hand their text over).
    fn is_null(&self, i: usize) -> bool;
}

/// The SQL type of a Rust type used in queries, and whether it is nullable.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no SQL type",
    label = "foal cannot store or compute a `{Self}` in SQL",
    note = "columns and query values can be bool, i16, i32, i64, f32, f64, String, Vec<u8>, chrono dates, `Ref<T>`, a `#[derive(SqlValue)]` type (or one whose `impl SqlValue` is under `#[foal::sql_value]`), or an Option of those"
)]
pub trait Typed {
    const TYPE: Type;
    const NULLABLE: bool = false;
    /// The stored names of an enum's variants in declaration order, which
    /// is how queries order it (see [`SqlValue`](crate::SqlValue)); empty
    /// for every other type.
    #[doc(hidden)]
    const VARIANTS: &'static [&'static str] = &[];
}

/// A type stored in exactly one column.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a column",
    label = "foal has no column type for `{Self}`",
    note = "columns can be bool, i16, i32, i64, f32, f64, String, Vec<u8>, chrono dates, `Ref<T>`, a `#[derive(SqlValue)]` type (or one whose `impl SqlValue` is under `#[foal::sql_value]`), or an Option of those"
)]
pub trait SqlType: Typed + Sized + 'static {
    /// Reads the column, `None` for NULL.
    fn decode_opt<R: RowAccess + ?Sized>(row: &R, i: usize) -> Result<Option<Self>, DecodeError>;
    fn to_value(&self) -> Value;
}

/// A value read from one or more consecutive columns of a row: column types,
/// entities, `Ref`s and tuples of those.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from a query result row",
    label = "this is not a column type, an entity or a tuple of those",
    note = "project columns, entities, tuples of them, or a struct literal whose fields have column types"
)]
pub trait FromRow: Sized {
    /// The number of columns read.
    const WIDTH: usize;
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError>;
    /// Reads a value that may be absent as a whole (an optional reference,
    /// the missing side of an outer join): `None` when its leading column is
    /// NULL. Always advances `idx` by `WIDTH`.
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError>;
    /// A whole row of a raw query (`raw::<T>(sql)`): by position, except an
    /// entity, whose columns are found by name.
    #[doc(hidden)]
    #[inline]
    fn from_raw_row<R: RowAccess + ?Sized>(row: &R) -> Result<Self, DecodeError> {
        Self::from_row(row, &mut 0)
    }
}

/// Receives a row's values by reference, one column after the other, to
/// bind them to a statement without copying them into [`Value`]s first
/// (how inserts send rows). Text and bytes come as `&String`/`&Vec<u8>`:
/// PostgreSQL's driver needs a reference to a sized value to bind.
#[allow(clippy::ptr_arg)]
pub trait ParamSink<'a> {
    fn null(&mut self);
    fn bool(&mut self, v: &'a bool);
    fn i16(&mut self, v: &'a i16);
    fn i32(&mut self, v: &'a i32);
    fn i64(&mut self, v: &'a i64);
    fn f32(&mut self, v: &'a f32);
    fn f64(&mut self, v: &'a f64);
    fn text(&mut self, v: &'a String);
    fn bytes(&mut self, v: &'a Vec<u8>);
    /// Any other value, owned: how types without a method of their own are
    /// bound.
    fn value(&mut self, v: Value);
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a ::chrono::NaiveDate) {
        self.value(Value::Date(*v));
    }
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a ::chrono::NaiveDateTime) {
        self.value(Value::DateTime(*v));
    }
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a ::chrono::DateTime<::chrono::Utc>) {
        self.value(Value::Timestamp(*v));
    }
}

/// A column type a [`ParamSink`] takes by reference.
pub trait SinkScalar {
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>);
}

/// A value written as one or more consecutive parameters (insert, update).
pub trait ToValues {
    fn push_values(&self, out: &mut Vec<Value>);

    /// Hands the values to `sink` by reference, in the order of
    /// `push_values`.
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>);

    /// The value as one integer, when it is exactly one (an integer
    /// column, or a reference by an integer key): how loaded children are
    /// matched to their parents without making a [`Value`] first.
    #[inline]
    fn as_int(&self) -> Option<i64> {
        None
    }

    /// As [`push_values`](ToValues::push_values), but text and bytes are
    /// moved out, leaving them empty: for rows that are sent and not given
    /// back ([`insert_keys`](crate::Database::insert_keys)), to a driver
    /// that takes its values owned.
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        self.push_values(out);
    }
}

/// How a row of a result is read: one value from consecutive columns.
/// Drivers decode through it (their `Decoder`); what a
/// query's rows are (a projection, an entity) says how.
pub trait DecodeRow {
    type Row: 'static;
    fn decode<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self::Row, DecodeError>;
}

/// Rows that are one [`FromRow`] value.
pub(crate) struct Whole<T>(PhantomData<fn() -> T>);

impl<T: FromRow + 'static> DecodeRow for Whole<T> {
    type Row = T;
    #[inline]
    fn decode<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<T, DecodeError> {
        T::from_row(row, idx)
    }
}

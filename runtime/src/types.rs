//! Column types: their SQL type, how they are read from a row and how they
//! are written as parameters.

use crate::dialects::Type;
use crate::error::{DecodeError, short_type_name};
use crate::value::Value;

/// Reads one column of a result row. Implemented by each driver's row type,
/// so decoding is monomorphized per backend and reads columns by index.
pub trait RowAccess {
    fn get_bool(&self, i: usize) -> Result<Option<bool>, DecodeError>;
    fn get_i64(&self, i: usize) -> Result<Option<i64>, DecodeError>;
    fn get_f64(&self, i: usize) -> Result<Option<f64>, DecodeError>;
    fn get_string(&self, i: usize) -> Result<Option<String>, DecodeError>;
    fn get_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, DecodeError>;
    #[cfg(feature = "chrono")]
    fn get_date(&self, i: usize) -> Result<Option<chrono::NaiveDate>, DecodeError>;
    #[cfg(feature = "chrono")]
    fn get_datetime(&self, i: usize) -> Result<Option<chrono::NaiveDateTime>, DecodeError>;
    #[cfg(feature = "chrono")]
    fn get_timestamp(&self, i: usize) -> Result<Option<chrono::DateTime<chrono::Utc>>, DecodeError>;
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
    note = "columns and query values can be bool, i16, i32, i64, f32, f64, String, Vec<u8>, chrono dates, `Ref<T>`, or an Option of those"
)]
pub trait Typed {
    const TYPE: Type;
    const NULLABLE: bool = false;
}

/// A type stored in exactly one column.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a column",
    label = "foal has no column type for `{Self}`",
    note = "columns can be bool, i16, i32, i64, f32, f64, String, Vec<u8>, chrono dates, `Ref<T>`, or an Option of those"
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
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a chrono::NaiveDate);
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a chrono::NaiveDateTime);
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a chrono::DateTime<chrono::Utc>);
}

/// A column type a [`ParamSink`] takes by reference.
pub trait SinkScalar {
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>);
}

macro_rules! sink_scalar {
    ($($t:ty => $m:ident),*) => {$(
        impl SinkScalar for $t {
            #[inline]
            fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
                sink.$m(self);
            }
        }
    )*};
}
sink_scalar!(bool => bool, i16 => i16, i32 => i32, i64 => i64, f32 => f32, f64 => f64, String => text, Vec<u8> => bytes);
#[cfg(feature = "chrono")]
sink_scalar!(
    chrono::NaiveDate => date,
    chrono::NaiveDateTime => datetime,
    chrono::DateTime<chrono::Utc> => timestamp
);

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

impl ToValues for String {
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        out.push(Value::Text(std::mem::take(self)));
    }
    fn push_values(&self, out: &mut Vec<Value>) {
        out.push(Value::Text(self.clone()));
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.text(self);
    }
}

impl ToValues for Option<String> {
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        out.push(self.take().map_or(Value::Null, Value::Text));
    }
    fn push_values(&self, out: &mut Vec<Value>) {
        out.push(self.clone().map_or(Value::Null, Value::Text));
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        match self {
            Some(v) => sink.text(v),
            None => sink.null(),
        }
    }
}

impl ToValues for Vec<u8> {
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        out.push(Value::Bytes(std::mem::take(self)));
    }
    fn push_values(&self, out: &mut Vec<Value>) {
        out.push(Value::Bytes(self.clone()));
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.bytes(self);
    }
}

impl ToValues for Option<Vec<u8>> {
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        out.push(self.take().map_or(Value::Null, Value::Bytes));
    }
    fn push_values(&self, out: &mut Vec<Value>) {
        out.push(self.clone().map_or(Value::Null, Value::Bytes));
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        match self {
            Some(v) => sink.bytes(v),
            None => sink.null(),
        }
    }
}

#[cold]
fn out_of_range<T>(i: usize, v: impl std::fmt::Display) -> DecodeError {
    DecodeError::new(i, format!("value {v} does not fit in `{}`", short_type_name::<T>()))
}

macro_rules! scalar {
    ($t:ty, $ty:expr, |$row:ident, $i:ident| $decode:expr, |$v:ident| $value:expr) => {
        scalar!(moved $t, $ty, |$row, $i| $decode, |$v| $value);
        impl ToValues for $t {
            #[inline]
            fn push_values(&self, out: &mut Vec<Value>) {
                out.push(SqlType::to_value(self));
            }
            #[inline]
            fn as_int(&self) -> Option<i64> {
                // A constant variant once `to_value` is inlined.
                match SqlType::to_value(self) {
                    Value::Int(i) => Some(i),
                    _ => None,
                }
            }
            #[inline]
            fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
                SinkScalar::sink(self, sink);
            }
        }
        impl ToValues for Option<$t> {
            #[inline]
            fn push_values(&self, out: &mut Vec<Value>) {
                out.push(match self {
                    Some(v) => SqlType::to_value(v),
                    None => Value::Null,
                });
            }
            #[inline]
            fn as_int(&self) -> Option<i64> {
                self.as_ref().and_then(ToValues::as_int)
            }
            #[inline]
            fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
                match self {
                    Some(v) => SinkScalar::sink(v, sink),
                    None => sink.null(),
                }
            }
        }
    };
    // Types whose ToValues is written by hand above, or that have none.
    (moved $t:ty, $ty:expr, |$row:ident, $i:ident| $decode:expr, |$v:ident| $value:expr) => {
        impl Typed for $t {
            const TYPE: Type = $ty;
        }
        impl SqlType for $t {
            #[inline]
            fn decode_opt<R: RowAccess + ?Sized>($row: &R, $i: usize) -> Result<Option<Self>, DecodeError> {
                $decode
            }
            #[inline]
            fn to_value(&self) -> Value {
                let $v = self;
                $value
            }
        }
        impl FromRow for $t {
            const WIDTH: usize = 1;
            #[inline]
            fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
                let i = *idx;
                *idx += 1;
                <$t as SqlType>::decode_opt(row, i)?.ok_or_else(|| DecodeError::null::<$t>(i))
            }
            #[inline]
            fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
                let i = *idx;
                *idx += 1;
                <$t as SqlType>::decode_opt(row, i)
            }
        }
        impl FromRow for Option<$t> {
            const WIDTH: usize = 1;
            #[inline]
            fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
                let i = *idx;
                *idx += 1;
                <$t as SqlType>::decode_opt(row, i)
            }
            #[inline]
            fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
                Ok(Some(Self::from_row(row, idx)?))
            }
        }
    };
}

scalar!(bool, Type::Bool, |row, i| row.get_bool(i), |v| Value::Bool(*v));
scalar!(i64, Type::I64, |row, i| row.get_i64(i), |v| Value::Int(*v));
scalar!(
    i32,
    Type::I32,
    |row, i| row
        .get_i64(i)?
        .map(|v| i32::try_from(v).map_err(|_| out_of_range::<i32>(i, v)))
        .transpose(),
    |v| Value::Int(i64::from(*v))
);
scalar!(
    i16,
    Type::I16,
    |row, i| row
        .get_i64(i)?
        .map(|v| i16::try_from(v).map_err(|_| out_of_range::<i16>(i, v)))
        .transpose(),
    |v| Value::Int(i64::from(*v))
);
// Query results only (lengths, counts): never bound, so no ToValues.
scalar!(
    moved usize,
    Type::I64,
    |row, i| row
        .get_i64(i)?
        .map(|v| usize::try_from(v).map_err(|_| out_of_range::<usize>(i, v)))
        .transpose(),
    |v| Value::Int(i64::try_from(*v).unwrap_or(i64::MAX))
);
scalar!(
    moved u32,
    Type::I64,
    |row, i| row
        .get_i64(i)?
        .map(|v| u32::try_from(v).map_err(|_| out_of_range::<u32>(i, v)))
        .transpose(),
    |v| Value::Int(i64::from(*v))
);
scalar!(f64, Type::F64, |row, i| row.get_f64(i), |v| Value::Float(*v));
#[allow(clippy::cast_possible_truncation)]
fn narrow(v: f64) -> f32 {
    v as f32
}
scalar!(f32, Type::F32, |row, i| Ok(row.get_f64(i)?.map(narrow)), |v| {
    Value::Float(f64::from(*v))
});
scalar!(moved String, Type::Text, |row, i| row.get_string(i), |v| Value::Text(
    v.clone()
));
scalar!(moved Vec<u8>, Type::Bytes, |row, i| row.get_bytes(i), |v| Value::Bytes(
    v.clone()
));
#[cfg(feature = "chrono")]
scalar!(
    chrono::NaiveDate,
    Type::Date,
    |row, i| row.get_date(i),
    |v| Value::Date(*v)
);
#[cfg(feature = "chrono")]
scalar!(
    chrono::NaiveDateTime,
    Type::DateTime,
    |row, i| row.get_datetime(i),
    |v| Value::DateTime(*v)
);
#[cfg(feature = "chrono")]
scalar!(
    chrono::DateTime<chrono::Utc>,
    Type::Timestamp,
    |row, i| row.get_timestamp(i),
    |v| Value::Timestamp(*v)
);

impl<T: Typed> Typed for Option<T> {
    const TYPE: Type = T::TYPE;
    const NULLABLE: bool = true;
}

impl<T: Typed + ?Sized> Typed for &T {
    const TYPE: Type = T::TYPE;
    const NULLABLE: bool = T::NULLABLE;
}

impl Typed for str {
    const TYPE: Type = Type::Text;
}

impl Typed for [u8] {
    const TYPE: Type = Type::Bytes;
}

impl Typed for char {
    const TYPE: Type = Type::Text;
}

macro_rules! host_int {
    ($($t:ty),*) => {$(
        impl Typed for $t {
            const TYPE: Type = Type::I64;
        }
    )*};
}
host_int!(i8, u8, u16);

#[cfg(feature = "chrono")]
impl Typed for chrono::TimeDelta {
    const TYPE: Type = Type::I64;
}

macro_rules! tuples {
    ($(($($n:ident),+))*) => {$(
        impl<$($n: FromRow),+> FromRow for ($($n,)+) {
            const WIDTH: usize = 0 $(+ $n::WIDTH)+;
            #[inline]
            fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
                Ok(($($n::from_row(row, idx)?,)+))
            }
            #[inline]
            #[allow(non_snake_case)]
            fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
                let start = *idx;
                $(let $n = $n::from_row_opt(row, idx)?;)+
                match ($($n,)+) {
                    ($(Some($n),)+) => Ok(Some(($($n,)+))),
                    _ => {
                        *idx = start + Self::WIDTH;
                        Ok(None)
                    }
                }
            }
        }
    )*};
}
/// A composite key's type is, for rendering purposes, its first column's.
macro_rules! typed_tuples {
    ($(($first:ident $(, $rest:ident)*))*) => {$(
        impl<$first: Typed $(, $rest: Typed)*> Typed for ($first, $($rest,)*) {
            const TYPE: Type = $first::TYPE;
        }
    )*};
}
typed_tuples! {
    (A, B)
    (A, B, C)
    (A, B, C, D)
}

macro_rules! to_values_tuples {

    ($(($($n:ident $i:tt),+))*) => {$(
        impl<$($n: ToValues),+> ToValues for ($($n,)+) {
            fn push_values(&self, out: &mut Vec<Value>) {
                $(self.$i.push_values(out);)+
            }
            fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
                $(self.$i.bind_values(sink);)+
            }
        }
    )*};
}
to_values_tuples! {
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
}

tuples! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
    (A, B, C, D, E, F, G, H, I)
    (A, B, C, D, E, F, G, H, I, J)
    (A, B, C, D, E, F, G, H, I, J, K)
    (A, B, C, D, E, F, G, H, I, J, K, L)
}

//! The built-in column types and host types: how each is typed, read,
//! written and bound, and tuples of them.

use crate::dialects::Type;
use crate::error::{DecodeError, short_type_name};

use super::traits::{FromRow, ParamSink, RowAccess, SinkScalar, SqlType, ToValues, Typed};
use super::value::Value;

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
// Also used by the column types of optional features.
#[cfg_attr(not(feature = "chrono"), allow(unused_imports))]
pub(crate) use sink_scalar;

sink_scalar!(bool => bool, i16 => i16, i32 => i32, i64 => i64, f32 => f32, f64 => f64, String => text, Vec<u8> => bytes);

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
pub(crate) fn out_of_range<T>(i: usize, v: impl std::fmt::Display) -> DecodeError {
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
#[cfg_attr(not(any(feature = "chrono", feature = "uuid")), allow(unused_imports))]
pub(crate) use scalar;

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

impl<T: Typed> Typed for Option<T> {
    const TYPE: Type = T::TYPE;
    const NULLABLE: bool = true;
    const VARIANTS: &'static [&'static str] = T::VARIANTS;
}

impl<T: Typed + ?Sized> Typed for &T {
    const TYPE: Type = T::TYPE;
    const NULLABLE: bool = T::NULLABLE;
    const VARIANTS: &'static [&'static str] = T::VARIANTS;
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

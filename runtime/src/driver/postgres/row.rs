//! Values in and out of PostgreSQL: foal's values as binary parameters,
//! and rows read in place from the server's messages.

use std::error::Error as StdError;

use bytes::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type};

use super::wire::{Encode, Null, RowView};
use crate::error::DecodeError;
use crate::types::{ParamSink, RowAccess, Value};

type BoxError = Box<dyn StdError + Sync + Send>;

/// NULL of any type, bound by reference.
static NULL: Null = Null;

/// One parameter of a row: a reference to the field it comes from, or a
/// value made for it.
#[derive(Debug)]
pub(super) enum Bound<'a> {
    Ref(&'a (dyn ToSql + Sync)),
    Owned(Value),
}

impl Encode for Bound<'_> {
    #[inline]
    fn encode(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self {
            Bound::Ref(v) => v.to_sql_checked(ty, out),
            Bound::Owned(v) => v.to_sql_checked(ty, out),
        }
    }
}

/// A row's values, by reference where they can be.
pub(super) struct Refs<'a>(pub(super) Vec<Bound<'a>>);

impl<'a> ParamSink<'a> for Refs<'a> {
    fn value(&mut self, v: Value) {
        self.0.push(Bound::Owned(v));
    }
    fn null(&mut self) {
        self.0.push(Bound::Ref(&NULL));
    }
    fn bool(&mut self, v: &'a bool) {
        self.0.push(Bound::Ref(v));
    }
    fn i16(&mut self, v: &'a i16) {
        self.0.push(Bound::Ref(v));
    }
    fn i32(&mut self, v: &'a i32) {
        self.0.push(Bound::Ref(v));
    }
    fn i64(&mut self, v: &'a i64) {
        self.0.push(Bound::Ref(v));
    }
    fn f32(&mut self, v: &'a f32) {
        self.0.push(Bound::Ref(v));
    }
    fn f64(&mut self, v: &'a f64) {
        self.0.push(Bound::Ref(v));
    }
    fn text(&mut self, v: &'a String) {
        self.0.push(Bound::Ref(v));
    }
    fn bytes(&mut self, v: &'a Vec<u8>) {
        self.0.push(Bound::Ref(v));
    }
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a chrono::NaiveDate) {
        self.0.push(Bound::Ref(v));
    }
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a chrono::NaiveDateTime) {
        self.0.push(Bound::Ref(v));
    }
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a chrono::DateTime<chrono::Utc>) {
        self.0.push(Bound::Ref(v));
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
            #[cfg(feature = "chrono")]
            Value::Time(t) => t.to_sql_checked(ty, out),
            #[cfg(feature = "uuid")]
            Value::Uuid(u) => u.to_sql_checked(ty, out),
            #[cfg(feature = "decimal")]
            Value::Decimal(d) => d.to_sql_checked(ty, out),
            #[cfg(feature = "json")]
            Value::Json(Ok(doc)) => doc.to_sql_checked(ty, out),
            #[cfg(feature = "json")]
            Value::Json(Err(e)) => Err(e.clone().into()),
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
pub(super) struct AnyInt(pub(super) i64);

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

/// A NUMERIC as its exact decimal text, to be parsed exactly: rust_decimal's
/// own `FromSql` rounds a value with more digits than it holds (a sum),
/// where foal reports it.
#[cfg(feature = "decimal")]
struct NumericText(String);

#[cfg(feature = "decimal")]
impl<'a> FromSql<'a> for NumericText {
    fn from_sql(_: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        let word = |k: usize| -> std::result::Result<u16, BoxError> {
            match raw.get(2 * k..2 * k + 2) {
                Some(&[hi, lo]) => Ok(u16::from_be_bytes([hi, lo])),
                _ => Err("a truncated numeric".into()),
            }
        };
        let groups = usize::from(word(0)?);
        #[allow(clippy::cast_possible_wrap)]
        let weight = i64::from(word(1)? as i16);
        let negative = match word(2)? {
            0x0000 => false,
            0x4000 => true,
            _ => return Err("NaN and infinities are not decimals".into()),
        };
        let mut digits = String::with_capacity(4 * groups);
        for k in 0..groups {
            digits.push_str(&format!("{:04}", word(4 + k)?));
        }
        // The point comes after weight + 1 groups of four digits.
        let point = 4 * (weight + 1);
        let len = i64::try_from(digits.len())?;
        let mut text = String::from(if negative { "-" } else { "" });
        if point <= 0 {
            text.push_str("0.");
            text.push_str(&"0".repeat(usize::try_from(-point)?));
            text.push_str(&digits);
        } else if point >= len {
            text.push_str(if digits.is_empty() { "0" } else { &digits });
            text.push_str(&"0".repeat(usize::try_from(point - len)?));
        } else {
            let (int, fraction) = digits.split_at(usize::try_from(point)?);
            text.push_str(int);
            text.push('.');
            text.push_str(fraction);
        }
        Ok(NumericText(text))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
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
pub(super) fn get<'r, T: FromSql<'r>>(row: &'r RowView<'_>, i: usize, what: &str) -> Result<Option<T>, DecodeError> {
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
    fn get_time(&self, i: usize) -> Result<Option<chrono::NaiveTime>, DecodeError> {
        get::<chrono::NaiveTime>(self, i, "a time of day")
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_timestamp(&self, i: usize) -> Result<Option<chrono::DateTime<chrono::Utc>>, DecodeError> {
        get::<chrono::DateTime<chrono::Utc>>(self, i, "a timestamp")
    }

    #[cfg(feature = "decimal")]
    #[inline]
    fn get_decimal(&self, i: usize) -> Result<Option<rust_decimal::Decimal>, DecodeError> {
        get::<NumericText>(self, i, "a numeric")?
            .map(|text| crate::types::decimal_text::parse(&text.0).map_err(|e| DecodeError::new(i, e)))
            .transpose()
    }

    #[cfg(feature = "json")]
    #[inline]
    fn get_json(&self, i: usize) -> Result<Option<serde_json::Value>, DecodeError> {
        get::<serde_json::Value>(self, i, "a JSON document")
    }

    #[cfg(feature = "uuid")]
    #[inline]
    fn get_uuid(&self, i: usize) -> Result<Option<uuid::Uuid>, DecodeError> {
        get::<uuid::Uuid>(self, i, "a UUID")
    }

    fn column_name(&self, i: usize) -> Option<String> {
        self.columns.get(i).map(|c| c.name.clone())
    }

    #[inline]
    fn is_null(&self, i: usize) -> bool {
        matches!(self.ranges.get(i), Some(None))
    }
}

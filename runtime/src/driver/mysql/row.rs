//! Values in and out of MySQL: foal's values as the driver's, and rows
//! whose values are moved out as they are decoded.

use crate::error::DecodeError;
use crate::types::{ParamSink, RowAccess, Value};

/// A row's values for the driver, which takes them owned.
pub(super) struct Owned(pub(super) Vec<mysql::Value>);

impl<'a> ParamSink<'a> for Owned {
    fn value(&mut self, v: Value) {
        self.0.push(into_mysql(v));
    }
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

pub(super) fn to_mysql(value: &Value) -> mysql::Value {
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
        #[cfg(feature = "chrono")]
        Value::Time(t) => {
            use chrono::Timelike;
            mysql::Value::Time(
                false,
                0,
                t.hour() as u8,
                t.minute() as u8,
                t.second() as u8,
                t.nanosecond() / 1000,
            )
        }
        // Its 16 bytes, as the mysql crate sends it.
        #[cfg(feature = "uuid")]
        Value::Uuid(u) => mysql::Value::from(*u),
        // Its text, as the mysql crate sends it (cast to DECIMAL in the SQL).
        #[cfg(feature = "decimal")]
        Value::Decimal(d) => mysql::Value::from(*d),
        #[cfg(feature = "json")]
        Value::Json(doc) => mysql::Value::Bytes(crate::types::json_text::text(doc).into_bytes()),
        // A long IN list, read by `JSON_TABLE`.
        Value::List(items) => mysql::Value::Bytes(Value::json_array(items).into_bytes()),
    }
}

/// As `to_mysql`, moving text and bytes instead of copying them.
pub(super) fn into_mysql(value: Value) -> mysql::Value {
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
pub(crate) struct MyRow(pub(super) std::cell::RefCell<mysql::Row>);

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
            mysql::Value::Bytes(b) => crate::types::dates::parse_datetime(number_text(&b, i)?, i).map(Some),
            other => Err(wrong(i, "a date", &other)),
        }
    }

    #[cfg(feature = "chrono")]
    #[inline]
    fn get_timestamp(&self, i: usize) -> Result<Option<chrono::DateTime<chrono::Utc>>, DecodeError> {
        Ok(self.get_datetime(i)?.map(|d| d.and_utc()))
    }

    #[cfg(feature = "chrono")]
    fn get_time(&self, i: usize) -> Result<Option<chrono::NaiveTime>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            mysql::Value::Time(false, 0, h, mi, s, us) => {
                chrono::NaiveTime::from_hms_micro_opt(u32::from(h), u32::from(mi), u32::from(s), us)
                    .map(Some)
                    .ok_or_else(|| DecodeError::new(i, "invalid time of day"))
            }
            mysql::Value::Time(..) => Err(DecodeError::new(
                i,
                "a TIME outside 00:00:00..24:00:00 (negative, or over a day) is not a time of day",
            )),
            mysql::Value::Bytes(b) => crate::types::dates::parse_time(number_text(&b, i)?, i).map(Some),
            other => Err(wrong(i, "a time of day", &other)),
        }
    }

    /// From the DECIMAL's exact text, never through a float.
    #[cfg(feature = "decimal")]
    #[inline]
    fn get_decimal(&self, i: usize) -> Result<Option<rust_decimal::Decimal>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            mysql::Value::Bytes(b) => crate::types::decimal_text::parse(number_text(&b, i)?)
                .map(Some)
                .map_err(|e| DecodeError::new(i, e)),
            value @ (mysql::Value::Int(_) | mysql::Value::UInt(_)) => {
                mysql::from_value_opt::<rust_decimal::Decimal>(value)
                    .map(|d| Some(crate::types::decimal_text::normal(d)))
                    .map_err(|e| DecodeError::new(i, format!("expected a decimal: {e}")))
            }
            other => Err(wrong(i, "a decimal", &other)),
        }
    }

    #[cfg(feature = "uuid")]
    #[inline]
    fn get_uuid(&self, i: usize) -> Result<Option<uuid::Uuid>, DecodeError> {
        match self.take(i)? {
            mysql::Value::NULL => Ok(None),
            value => mysql::from_value_opt::<uuid::Uuid>(value)
                .map(Some)
                .map_err(|e| DecodeError::new(i, format!("expected a UUID: {e}"))),
        }
    }

    fn column_name(&self, i: usize) -> Option<String> {
        self.0.borrow().columns_ref().get(i).map(|c| c.name_str().into_owned())
    }

    #[inline]
    fn is_null(&self, i: usize) -> bool {
        matches!(self.0.borrow().as_ref(i), Some(mysql::Value::NULL))
    }
}

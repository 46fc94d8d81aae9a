//! The `time` crate's dates as column types: `Date`, `PrimitiveDateTime`
//! and `OffsetDateTime`, stored exactly as chrono's `NaiveDate`,
//! `NaiveDateTime` and `DateTime<Utc>` are (they travel as those values),
//! so both crates read the same columns. An `OffsetDateTime` is stored as
//! its instant in UTC and read back with offset UTC.

use chrono::{Datelike as _, Timelike as _};

use crate::dialects::Type;
use crate::error::DecodeError;

use super::scalars::scalar;
use super::traits::{FromRow, ParamSink, RowAccess, SinkScalar, SqlType, ToValues, Typed};
use super::value::{ToValue, Value};

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn to_chrono_date(d: time::Date) -> chrono::NaiveDate {
    // Every `time` date (years ±9999) is a chrono date (years ±262 143).
    chrono::NaiveDate::from_ymd_opt(d.year(), u32::from(u8::from(d.month())), u32::from(d.day()))
        .unwrap_or(chrono::NaiveDate::MIN)
}

fn to_chrono_datetime(d: time::PrimitiveDateTime) -> chrono::NaiveDateTime {
    let t = d.time();
    let clock = chrono::NaiveTime::from_hms_nano_opt(
        u32::from(t.hour()),
        u32::from(t.minute()),
        u32::from(t.second()),
        t.nanosecond(),
    )
    .unwrap_or(chrono::NaiveTime::MIN);
    to_chrono_date(d.date()).and_time(clock)
}

fn to_chrono_time(t: time::Time) -> chrono::NaiveTime {
    chrono::NaiveTime::from_hms_nano_opt(
        u32::from(t.hour()),
        u32::from(t.minute()),
        u32::from(t.second()),
        t.nanosecond(),
    )
    .unwrap_or(chrono::NaiveTime::MIN)
}

#[allow(clippy::cast_possible_truncation)]
fn from_chrono_time(t: chrono::NaiveTime, i: usize) -> Result<time::Time, DecodeError> {
    // chrono's leap second (nanoseconds past 10^9) has no `time` form.
    time::Time::from_hms_nano(t.hour() as u8, t.minute() as u8, t.second() as u8, t.nanosecond())
        .map_err(|_| DecodeError::new(i, format!("{t} is not a `time::Time`")))
}

fn to_chrono_timestamp(d: time::OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    let utc = d.to_offset(time::UtcOffset::UTC);
    to_chrono_datetime(time::PrimitiveDateTime::new(utc.date(), utc.time())).and_utc()
}

#[cold]
fn out_of_range(i: usize, what: impl std::fmt::Display) -> DecodeError {
    DecodeError::new(i, format!("{what} is outside the years the `time` crate holds (±9999)"))
}

#[allow(clippy::cast_possible_truncation)]
fn from_chrono_date(d: chrono::NaiveDate, i: usize) -> Result<time::Date, DecodeError> {
    let month = time::Month::try_from(d.month() as u8).map_err(|_| out_of_range(i, d))?;
    time::Date::from_calendar_date(d.year(), month, d.day() as u8).map_err(|_| out_of_range(i, d))
}

#[allow(clippy::cast_possible_truncation)]
fn from_chrono_datetime(d: chrono::NaiveDateTime, i: usize) -> Result<time::PrimitiveDateTime, DecodeError> {
    let clock = time::Time::from_hms_nano(d.hour() as u8, d.minute() as u8, d.second() as u8, d.nanosecond())
        .map_err(|_| out_of_range(i, d))?;
    Ok(time::PrimitiveDateTime::new(from_chrono_date(d.date(), i)?, clock))
}

fn from_chrono_timestamp(d: chrono::DateTime<chrono::Utc>, i: usize) -> Result<time::OffsetDateTime, DecodeError> {
    Ok(from_chrono_datetime(d.naive_utc(), i)?.assume_utc())
}

scalar!(
    time::Date,
    Type::Date,
    |row, i| row.get_date(i)?.map(|d| from_chrono_date(d, i)).transpose(),
    |v| Value::Date(to_chrono_date(*v))
);
scalar!(
    time::PrimitiveDateTime,
    Type::DateTime,
    |row, i| row.get_datetime(i)?.map(|d| from_chrono_datetime(d, i)).transpose(),
    |v| Value::DateTime(to_chrono_datetime(*v))
);
scalar!(
    time::Time,
    Type::Time,
    |row, i| row.get_time(i)?.map(|t| from_chrono_time(t, i)).transpose(),
    |v| Value::Time(to_chrono_time(*v))
);
scalar!(
    time::OffsetDateTime,
    Type::Timestamp,
    |row, i| row.get_timestamp(i)?.map(|d| from_chrono_timestamp(d, i)).transpose(),
    |v| Value::Timestamp(to_chrono_timestamp(*v))
);

macro_rules! time_values {
    ($($t:ty => $ty:expr),*) => {$(
        impl SinkScalar for $t {
            #[inline]
            fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
                sink.value(SqlType::to_value(self));
            }
        }
        impl ToValue for $t {
            const TYPE: Type = $ty;
            fn to_value(&self) -> Value {
                SqlType::to_value(self)
            }
        }
    )*};
}
time_values!(
    time::Date => Type::Date,
    time::PrimitiveDateTime => Type::DateTime,
    time::OffsetDateTime => Type::Timestamp,
    time::Time => Type::Time
);

//! chrono's dates and times as column types: `NaiveDate`, `NaiveDateTime`
//! and `DateTime<Utc>`, and `TimeDelta` (a BIGINT of microseconds: a
//! parameter, a column, and what the difference of two dates is).

use crate::dialects::Type;
use crate::error::DecodeError;

use super::scalars::{scalar, sink_scalar};
use super::traits::{FromRow, ParamSink, RowAccess, SinkScalar, SqlType, ToValues, Typed};
use super::value::{ToValue, Value};

sink_scalar!(
    chrono::NaiveDate => date,
    chrono::NaiveDateTime => datetime,
    chrono::DateTime<chrono::Utc> => timestamp
);

scalar!(
    chrono::NaiveDate,
    Type::Date,
    |row, i| row.get_date(i),
    |v| Value::Date(*v)
);
scalar!(
    chrono::NaiveDateTime,
    Type::DateTime,
    |row, i| row.get_datetime(i),
    |v| Value::DateTime(*v)
);
scalar!(
    chrono::DateTime<chrono::Utc>,
    Type::Timestamp,
    |row, i| row.get_timestamp(i),
    |v| Value::Timestamp(*v)
);

scalar!(
    chrono::TimeDelta,
    Type::I64,
    |row, i| Ok(row.get_i64(i)?.map(chrono::TimeDelta::microseconds)),
    |v| ToValue::to_value(v)
);

impl SinkScalar for chrono::TimeDelta {
    #[inline]
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.value(ToValue::to_value(self));
    }
}

impl ToValue for chrono::NaiveDate {
    const TYPE: Type = Type::Date;
    fn to_value(&self) -> Value {
        Value::Date(*self)
    }
}

impl ToValue for chrono::NaiveDateTime {
    const TYPE: Type = Type::DateTime;
    fn to_value(&self) -> Value {
        Value::DateTime(*self)
    }
}

impl ToValue for chrono::DateTime<chrono::Utc> {
    const TYPE: Type = Type::Timestamp;
    fn to_value(&self) -> Value {
        Value::Timestamp(*self)
    }
}

/// A duration is bound as its microseconds (saturating beyond about
/// 292 000 years).
impl ToValue for chrono::TimeDelta {
    const TYPE: Type = Type::I64;
    fn to_value(&self) -> Value {
        let saturated = if *self < chrono::TimeDelta::zero() {
            i64::MIN
        } else {
            i64::MAX
        };
        Value::Int(self.num_microseconds().unwrap_or(saturated))
    }
}

// A date-time with an offset is stored as its instant (as
// `DateTime<Utc>`): equal and ordered by the instant, read back at UTC
// (offset +00:00), as PostgreSQL's `timestamptz` itself does.
scalar!(
    chrono::DateTime<chrono::FixedOffset>,
    Type::Timestamp,
    |row, i| Ok(row.get_timestamp(i)?.map(|d| d.fixed_offset())),
    |v| Value::Timestamp(v.with_timezone(&chrono::Utc))
);

impl SinkScalar for chrono::DateTime<chrono::FixedOffset> {
    #[inline]
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.value(ToValue::to_value(self));
    }
}

impl ToValue for chrono::DateTime<chrono::FixedOffset> {
    const TYPE: Type = Type::Timestamp;
    fn to_value(&self) -> Value {
        Value::Timestamp(self.with_timezone(&chrono::Utc))
    }
}

scalar!(
    chrono::NaiveTime,
    Type::Time,
    |row, i| row.get_time(i),
    |v| Value::Time(*v)
);

impl SinkScalar for chrono::NaiveTime {
    #[inline]
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.value(Value::Time(*self));
    }
}

impl ToValue for chrono::NaiveTime {
    const TYPE: Type = Type::Time;
    fn to_value(&self) -> Value {
        Value::Time(*self)
    }
}

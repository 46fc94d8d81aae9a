//! What queries can do with chrono's dates and times: compare and order
//! them, aggregate them, read their parts, and move them by a duration
//! (a date by its whole days, as chrono's `NaiveDate + Duration` does).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::functions::{SqlAggregate, aggregatable};
use super::methods::{SqlDate, SqlTime};
use super::ops::{SqlAdd, SqlEq, SqlOrd, SqlSub, comparable};
use super::source::{SourceRow, column_sources};
use super::vars::{MaybeNull, maybe_null};
use super::{Builder, Expr};

maybe_null!(
    NaiveDate,
    NaiveDateTime,
    DateTime<Utc>,
    DateTime<FixedOffset>,
    NaiveTime
);
comparable!(
    NaiveDate,
    NaiveDateTime,
    DateTime<Utc>,
    DateTime<FixedOffset>,
    NaiveTime
);
aggregatable!(
    NaiveDate,
    NaiveDateTime,
    DateTime<Utc>,
    DateTime<FixedOffset>,
    NaiveTime
);
column_sources!(
    NaiveDate,
    NaiveDateTime,
    DateTime<Utc>,
    DateTime<FixedOffset>,
    NaiveTime
);

macro_rules! moves_in_time {
    ($($t:ty),*) => {$(
        #[diagnostic::do_not_recommend]
        impl SqlAdd<TimeDelta> for $t { type Output = $t; }
        #[diagnostic::do_not_recommend]
        impl SqlSub<TimeDelta> for $t { type Output = $t; }
    )*};
}
moves_in_time!(NaiveDate, NaiveDateTime, DateTime<Utc>, DateTime<FixedOffset>);

// The difference of two dates or times is a duration, as in chrono: whole
// days between dates, microseconds between times.
macro_rules! differences {
    ($($t:ty),*) => {$(
        #[diagnostic::do_not_recommend]
        impl SqlSub<$t> for $t { type Output = TimeDelta; }
    )*};
}
differences!(NaiveDate, NaiveDateTime, DateTime<Utc>, DateTime<FixedOffset>);

// Durations compare, add up and sum like the microseconds they are.
maybe_null!(TimeDelta);
comparable!(TimeDelta);
aggregatable!(TimeDelta);
column_sources!(TimeDelta);
#[diagnostic::do_not_recommend]
impl SqlAdd<TimeDelta> for TimeDelta {
    type Output = TimeDelta;
}
#[diagnostic::do_not_recommend]
impl SqlSub<TimeDelta> for TimeDelta {
    type Output = TimeDelta;
}
impl super::ops::SqlNeg for TimeDelta {}
impl super::functions::SqlSum for TimeDelta {
    type Output = TimeDelta;
}
impl super::functions::SqlSum for Option<TimeDelta> {
    type Output = TimeDelta;
}

impl SqlDate for NaiveDate {}
impl SqlDate for NaiveDateTime {}
impl SqlDate for DateTime<Utc> {}
impl SqlTime for NaiveDateTime {}
impl SqlTime for DateTime<Utc> {}
// No calendar or clock parts of a `DateTime<FixedOffset>`: stored as its
// instant, the server would give the parts at UTC where Rust gives them at
// the value's own offset.

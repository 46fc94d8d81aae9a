//! What queries can do with the `time` crate's dates: what they can do
//! with chrono's, which they are stored as (compare, order, `min`/`max`,
//! the calendar and clock parts), but no arithmetic with durations.

use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use super::functions::{SqlAggregate, aggregatable};
use super::methods::{SqlDate, SqlTime};
use super::ops::{SqlEq, SqlOrd, comparable};
use super::source::{SourceRow, column_sources};
use super::vars::{MaybeNull, maybe_null};
use super::{Builder, Expr};

maybe_null!(Date, PrimitiveDateTime, OffsetDateTime, Time);
comparable!(Date, PrimitiveDateTime, OffsetDateTime, Time);
aggregatable!(Date, PrimitiveDateTime, OffsetDateTime, Time);
column_sources!(Date, PrimitiveDateTime, OffsetDateTime, Time);

impl SqlDate for Date {}
impl SqlDate for PrimitiveDateTime {}
impl SqlDate for OffsetDateTime {}
impl SqlTime for PrimitiveDateTime {}
impl SqlTime for OffsetDateTime {}

//! `rust_decimal::Decimal` as a column type, exact on every backend:
//! NUMERIC on PostgreSQL, DECIMAL(65,28) on MySQL, and on SQLite, which
//! has no decimal type, its canonical text (see `decimal_text`).

use rust_decimal::Decimal;

use crate::dialects::Type;
use crate::error::DecodeError;

use super::scalars::scalar;
use super::traits::{FromRow, ParamSink, RowAccess, SinkScalar, SqlType, ToValues, Typed};
use super::value::Value;

scalar!(Decimal, Type::Decimal, |row, i| row.get_decimal(i), |v| Value::Decimal(
    *v
));

impl SinkScalar for Decimal {
    #[inline]
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.value(Value::Decimal(*self));
    }
}

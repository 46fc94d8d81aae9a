//! `uuid::Uuid` as a column type: `UUID` on PostgreSQL, its 16 bytes
//! (BLOB, BINARY(16)) on SQLite and MySQL, so that every backend orders it
//! bytewise, as `Uuid`'s `Ord` does.

use crate::dialects::Type;
use crate::error::DecodeError;

use super::scalars::scalar;
use super::traits::{FromRow, ParamSink, RowAccess, SinkScalar, SqlType, ToValues, Typed};
use super::value::Value;

scalar!(uuid::Uuid, Type::Uuid, |row, i| row.get_uuid(i), |v| Value::Uuid(*v));

impl SinkScalar for uuid::Uuid {
    #[inline]
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.value(Value::Uuid(*self));
    }
}

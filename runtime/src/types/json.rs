//! JSON documents as column types: `serde_json::Value`, and `Json<T>` for
//! any `T` serde reads and writes. `JSONB` on PostgreSQL, `JSON` on
//! MySQL/MariaDB, text on SQLite. A document that is not a `T` is a decode
//! error naming the column and the query's call site.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::dialects::Type;
use crate::error::{DecodeError, short_type_name};

use super::scalars::scalar;
use super::traits::{FromRow, ParamSink, RowAccess, SinkScalar, SqlType, ToValues, Typed};
use super::value::{ToValue, Value};

/// A value stored as a JSON document: serialized with serde when written,
/// deserialized when read.
///
/// ```
/// use foal::Json;
/// let tags = Json(vec!["new".to_owned(), "sale".to_owned()]);
/// assert_eq!(tags.0.len(), 2);
/// ```
///
/// There is no `==` or `<` on JSON inside queries (a compile error):
/// PostgreSQL compares `jsonb` by content, MySQL and SQLite by text, so no
/// one meaning exists. Filter on other columns, or compare in Rust.
#[derive(Debug, Clone, PartialEq)]
pub struct Json<T>(pub T);

scalar!(
    serde_json::Value,
    Type::Json,
    |row, i| row.get_json(i),
    |v| Value::Json(Ok(v.clone()))
);

impl SinkScalar for serde_json::Value {
    #[inline]
    fn sink<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.value(Value::Json(Ok(self.clone())));
    }
}

impl ToValue for serde_json::Value {
    const TYPE: Type = Type::Json;
    fn to_value(&self) -> Value {
        Value::Json(Ok(self.clone()))
    }
}

fn document<T: Serialize>(v: &T) -> Value {
    Value::Json(serde_json::to_value(v).map_err(|e| e.to_string()))
}

impl<T> Typed for Json<T> {
    const TYPE: Type = Type::Json;
}

impl<T: Serialize + DeserializeOwned + 'static> SqlType for Json<T> {
    fn decode_opt<R: RowAccess + ?Sized>(row: &R, i: usize) -> Result<Option<Self>, DecodeError> {
        row.get_json(i)?
            .map(|doc| {
                serde_json::from_value(doc).map(Json).map_err(|e| {
                    DecodeError::new(
                        i,
                        format!("the JSON document is not a `{}`: {e}", short_type_name::<T>()),
                    )
                })
            })
            .transpose()
    }
    fn to_value(&self) -> Value {
        document(&self.0)
    }
}

impl<T: Serialize> ToValue for Json<T> {
    const TYPE: Type = Type::Json;
    fn to_value(&self) -> Value {
        document(&self.0)
    }
}

impl<T: Serialize + DeserializeOwned + 'static> FromRow for Json<T> {
    const WIDTH: usize = 1;
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
        let i = *idx;
        *idx += 1;
        Self::decode_opt(row, i)?.ok_or_else(|| DecodeError::null::<Self>(i))
    }
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
        let i = *idx;
        *idx += 1;
        Self::decode_opt(row, i)
    }
}

impl<T: Serialize + DeserializeOwned + 'static> FromRow for Option<Json<T>> {
    const WIDTH: usize = 1;
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
        let i = *idx;
        *idx += 1;
        Json::<T>::decode_opt(row, i)
    }
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
        Ok(Some(Self::from_row(row, idx)?))
    }
}

impl<T: Serialize> ToValues for Json<T> {
    fn push_values(&self, out: &mut Vec<Value>) {
        out.push(document(&self.0));
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        sink.value(document(&self.0));
    }
}

impl<T: Serialize> ToValues for Option<Json<T>> {
    fn push_values(&self, out: &mut Vec<Value>) {
        out.push(self.as_ref().map_or(Value::Null, |v| document(&v.0)));
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        match self {
            Some(v) => sink.value(document(&v.0)),
            None => sink.null(),
        }
    }
}

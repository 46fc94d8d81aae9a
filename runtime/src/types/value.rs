//! `Value`: what a host expression becomes before it is bound, and
//! `ToValue`, the Rust types that can become one.

use crate::dialects::{Bind, Type};

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    /// A string literal of the query's source: bound without copying.
    StaticText(&'static str),
    Bytes(Vec<u8>),
    #[cfg(feature = "chrono")]
    Date(chrono::NaiveDate),
    #[cfg(feature = "chrono")]
    DateTime(chrono::NaiveDateTime),
    #[cfg(feature = "chrono")]
    Timestamp(chrono::DateTime<chrono::Utc>),
    #[cfg(feature = "chrono")]
    Time(chrono::NaiveTime),
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
    #[cfg(feature = "decimal")]
    Decimal(rust_decimal::Decimal),
    /// A JSON document, or why the value could not be serialized (refused
    /// before anything is sent).
    #[cfg(feature = "json")]
    Json(Result<serde_json::Value, String>),
    /// The elements of an `IN` list, or the columns of a composite key.
    List(Vec<Value>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            Value::StaticText(s) => Some(s),
            _ => None,
        }
    }

    /// The value bound at `bind`, with list padding: an index past the end of
    /// a list repeats its last element.
    #[allow(clippy::expect_used)]
    pub(crate) fn resolve(params: &[Value], bind: Bind) -> &Value {
        let index = match bind {
            Bind::Param(i) | Bind::Item { param: i, .. } => usize::from(i),
        };
        let value = params
            .get(index)
            .expect("invariant: every placeholder's parameter is bound");
        match (bind, value) {
            (Bind::Item { item, .. }, Value::List(items)) => {
                let i = (item as usize).min(items.len().saturating_sub(1));
                items.get(i).expect("invariant: an empty list renders no placeholder")
            }
            (_, value) => value,
        }
    }

    /// This value's shape digit: what about it changes the SQL text.
    /// 0: nothing; 1: NULL; 2: empty list; 3 + k: a list of up to 2^k items.
    pub(crate) fn shape_digit(&self) -> Option<u8> {
        match self {
            Value::Null => Some(1),
            Value::List(items) if items.is_empty() => Some(2),
            // One shape for every list bound whole.
            Value::List(items) if items.len() > LONG_LIST => Some(14),
            Value::List(items) => {
                let k = items.len().next_power_of_two().trailing_zeros();
                u8::try_from(k + 3).ok().filter(|d| *d <= 13)
            }
            _ => Some(0),
        }
    }

    /// The number of placeholders a list renders to: its length rounded up
    /// to a power of two, so the number of cached variants stays small; a
    /// list longer than [`LONG_LIST`] is one parameter
    /// ([`WHOLE_LIST`](crate::dialects::WHOLE_LIST)).
    pub(crate) fn padded_len(&self) -> u32 {
        match self {
            Value::List(items) if items.is_empty() => 0,
            Value::List(items) if items.len() > LONG_LIST => crate::dialects::WHOLE_LIST,
            Value::List(items) => u32::try_from(items.len().next_power_of_two()).unwrap_or(u32::MAX),
            _ => 1,
        }
    }
}

/// The longest `IN` list sent as one placeholder per element. A longer one
/// is bound as one value (an array on PostgreSQL, a JSON array read as a
/// table on SQLite and MySQL), so no length reaches a backend's limit on
/// placeholders (32 766 on SQLite, 65 535 on MySQL) and one statement
/// serves every length.
pub const LONG_LIST: usize = 1024;

#[cfg(any(feature = "sqlite", feature = "mysql"))]
impl Value {
    /// A list as the JSON array SQLite's `json_each` and MySQL's
    /// `JSON_TABLE` read: numbers as numbers, text as strings, dates in the
    /// text form SQLite stores, bytes as hex, `true` as 1.
    pub(crate) fn json_array(items: &[Value]) -> String {
        let mut out = String::with_capacity(items.len() * 8 + 2);
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(&mut out);
        }
        out.push(']');
        out
    }

    fn write_json(&self, out: &mut String) {
        use std::fmt::Write as _;
        let text = |out: &mut String, s: &str| {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if u32::from(c) < 0x20 => {
                        let _ = write!(out, "\\u{:04x}", u32::from(c));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        };
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            // Shortest text that reads back as the same double; finite
            // (`check_params` refuses the others).
            Value::Float(f) => {
                let _ = write!(out, "{f:?}");
            }
            Value::Text(s) => text(out, s),
            Value::StaticText(s) => text(out, s),
            Value::Bytes(b) => {
                out.push('"');
                for byte in b {
                    let _ = write!(out, "{byte:02X}");
                }
                out.push('"');
            }
            #[cfg(feature = "chrono")]
            Value::Date(d) => text(out, &d.format(super::dates::DATE_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::DateTime(d) => text(out, &d.format(super::dates::DATETIME_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::Timestamp(d) => text(out, &d.naive_utc().format(super::dates::DATETIME_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::Time(t) => text(out, &t.format(super::dates::TIME_FORMAT).to_string()),
            // As bytes: hex, read back with `unhex`.
            #[cfg(feature = "uuid")]
            Value::Uuid(u) => {
                let _ = write!(out, "\"{}\"", u.simple().encode_upper(&mut uuid::Uuid::encode_buffer()));
            }
            // As the text SQLite stores; MySQL reads it as a DECIMAL.
            #[cfg(feature = "decimal")]
            Value::Decimal(d) => text(out, &super::decimal_text::canonical(*d)),
            #[cfg(feature = "json")]
            Value::Json(doc) => text(out, &super::json_text::text(doc)),
            Value::List(items) => out.push_str(&Value::json_array(items)),
        }
    }
}

#[cfg(feature = "uuid")]
impl ToValue for uuid::Uuid {
    const TYPE: Type = Type::Uuid;
    fn to_value(&self) -> Value {
        Value::Uuid(*self)
    }
}

#[cfg(feature = "decimal")]
impl ToValue for rust_decimal::Decimal {
    const TYPE: Type = Type::Decimal;
    fn to_value(&self) -> Value {
        Value::Decimal(*self)
    }
}

/// A Rust value that can be bound as a query parameter.
///
/// Implemented for the column types, references to them, `str`, `[u8]`,
/// `Option`s of them, and (as `IN` lists) `Vec`s, slices and arrays.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to the database as a query parameter",
    label = "this value is computed in Rust and bound as a parameter, but its type has no SQL form",
    note = "parameters can be bool, integers, floats, String/&str, Vec<u8>/&[u8], chrono dates, `Ref<T>`, `SqlValue` types, Options of those, or lists of those for `contains`"
)]
pub trait ToValue {
    /// The SQL type of the parameter.
    const TYPE: Type;
    fn to_value(&self) -> Value;
}

macro_rules! to_value_int {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            const TYPE: Type = Type::I64;
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
to_value_int!(i8, i16, i32, i64, u8, u16, u32);

impl ToValue for usize {
    const TYPE: Type = Type::I64;
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for bool {
    const TYPE: Type = Type::Bool;
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for f64 {
    const TYPE: Type = Type::F64;
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
}

impl ToValue for f32 {
    const TYPE: Type = Type::F64;
    fn to_value(&self) -> Value {
        Value::Float(f64::from(*self))
    }
}

impl ToValue for str {
    const TYPE: Type = Type::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    const TYPE: Type = Type::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for char {
    const TYPE: Type = Type::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for [u8] {
    const TYPE: Type = Type::Bytes;
    fn to_value(&self) -> Value {
        Value::Bytes(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    const TYPE: Type = Type::Bytes;
    fn to_value(&self) -> Value {
        Value::Bytes(self.clone())
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    const TYPE: Type = T::TYPE;
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    const TYPE: Type = T::TYPE;
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Value;
    use crate::dialects::Bind;

    fn list(items: &[i64]) -> Value {
        Value::List(items.iter().map(|&i| Value::Int(i)).collect())
    }

    #[test]
    fn a_list_is_padded_to_a_power_of_two_by_repeating_its_last_item() {
        assert_eq!(list(&[]).padded_len(), 0);
        assert_eq!(list(&[1]).padded_len(), 1);
        assert_eq!(list(&[1, 2, 3]).padded_len(), 4);
        assert_eq!(list(&[1, 2, 3, 4, 5]).padded_len(), 8);
        let params = [Value::Text("x".into()), list(&[10, 20, 30])];
        let bound: Vec<&Value> = (0..4)
            .map(|item| Value::resolve(&params, Bind::Item { param: 1, item }))
            .collect();
        assert_eq!(
            bound,
            [&Value::Int(10), &Value::Int(20), &Value::Int(30), &Value::Int(30)]
        );
        assert_eq!(Value::resolve(&params, Bind::Param(0)), &Value::Text("x".into()));
    }
}

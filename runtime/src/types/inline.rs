//! Values written as SQL literals, for `sql_inline`: reading and debugging
//! only, never executed by foal.

use crate::dialects::{Bind, InlineValues, Provider};

use super::value::Value;

impl Value {
    /// Writes the value as a SQL literal of `provider`'s dialect.
    pub fn write_literal(&self, provider: &dyn Provider, out: &mut String) {
        match self {
            Value::Null => out.push_str("NULL"),
            Value::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&crate::dialects::float_text(*f)),
            Value::Text(s) => provider.string_literal(out, s),
            Value::StaticText(s) => provider.string_literal(out, s),
            Value::Bytes(b) => provider.bytes_literal(out, b),
            #[cfg(feature = "chrono")]
            Value::Date(d) => provider.string_literal(out, &d.format(super::dates::DATE_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::DateTime(d) => provider.string_literal(out, &d.format(super::dates::DATETIME_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::Timestamp(d) => provider.string_literal(out, &d.format(super::dates::DATETIME_FORMAT).to_string()),
            #[cfg(feature = "chrono")]
            Value::Time(t) => provider.string_literal(out, &t.format(super::dates::TIME_FORMAT).to_string()),
            // PostgreSQL reads a UUID from its text; elsewhere it is bytes.
            #[cfg(feature = "uuid")]
            Value::Uuid(u) if provider.dialect() == crate::Dialect::Postgres => {
                provider.string_literal(out, &u.hyphenated().to_string());
            }
            #[cfg(feature = "uuid")]
            Value::Uuid(u) => provider.bytes_literal(out, u.as_bytes()),
            // SQLite stores a decimal as its text.
            #[cfg(feature = "decimal")]
            Value::Decimal(d) if provider.dialect() == crate::Dialect::Sqlite => {
                provider.string_literal(out, &super::decimal_text::canonical(*d));
            }
            #[cfg(feature = "decimal")]
            Value::Decimal(d) => out.push_str(&super::decimal_text::canonical(*d)),
            #[cfg(feature = "json")]
            Value::Json(doc) => provider.string_literal(out, &super::json_text::text(doc)),
            Value::List(items) => {
                out.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_literal(provider, out);
                }
                out.push(')');
            }
        }
    }
}

/// The parameters of one query, for `sql_inline`.
pub(crate) struct Inline<'a>(pub &'a [Value]);

impl InlineValues for Inline<'_> {
    fn write_value(&self, provider: &dyn Provider, out: &mut String, bind: Bind) {
        Value::resolve(self.0, bind).write_literal(provider, out);
    }
}

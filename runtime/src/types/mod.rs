//! Column types: their SQL type, how they are read from a row, and how
//! they are written as parameters. The lowest layer of the runtime: it
//! knows values, not queries, entities or connections.

#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "chrono")]
pub(crate) mod dates;
#[cfg(feature = "decimal")]
mod decimal;
#[cfg(feature = "decimal")]
pub(crate) mod decimal_text;
mod inline;
#[cfg(feature = "json")]
mod json;
#[cfg(feature = "json")]
pub(crate) mod json_text;
mod key;
mod params;
mod scalars;
mod sql_value;
#[cfg(feature = "time")]
mod time;
mod traits;
#[cfg(feature = "uuid")]
mod uuid;
mod value;

pub(crate) use inline::Inline;
#[cfg(feature = "json")]
pub use json::Json;
pub(crate) use key::{KeyHash, KeyMap, ValueKey, key_with};
pub use params::Params;
pub use sql_value::SqlValue;
pub(crate) use traits::Whole;
pub use traits::{DecodeRow, FromRow, ParamSink, RowAccess, SqlType, ToValues, Typed};
pub use value::{LONG_LIST, ToValue, Value};

//! What queries can do with JSON documents: read them as fields and
//! projections, test an optional one with `is_none`/`is_some`. No `==` or
//! ordering: PostgreSQL compares `jsonb` by content, MySQL and SQLite by
//! text, so no comparison means the same on every backend.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::types::Json;

use super::source::{SourceRow, cell, column_sources};
use super::vars::{MaybeNull, maybe_null};
use super::{Builder, Expr};

maybe_null!(serde_json::Value);
column_sources!(serde_json::Value);

impl<T> MaybeNull for Json<T> {
    type Opt = Option<Json<T>>;
}

impl<T> MaybeNull for Option<Json<T>> {
    type Opt = Option<Json<T>>;
}

impl<T: Serialize + DeserializeOwned + 'static> SourceRow for Json<T> {
    type Vars = Expr<Json<T>>;
    fn vars(b: &Builder, table: u16, first: usize) -> Expr<Json<T>> {
        Expr::with(cell(b, table, first), false, false)
    }
}

impl<T: Serialize + DeserializeOwned + 'static> SourceRow for Option<Json<T>> {
    type Vars = Expr<Option<Json<T>>>;
    fn vars(b: &Builder, table: u16, first: usize) -> Expr<Option<Json<T>>> {
        Expr::with(cell(b, table, first), false, true)
    }
}

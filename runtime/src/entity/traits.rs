//! `Entity`: a struct stored as a table row.

use std::fmt;

use crate::types::{FromRow, ToValues, Typed, Value};

use super::meta::{ColumnMeta, EntityMeta};

/// A struct stored as a table row. Derive it with `#[derive(Entity)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an entity",
    label = "this needs a struct with `#[derive(Entity)]`",
    note = "only queries whose rows are whole entities can be refined with `filter`, or written with insert/update/delete"
)]
pub trait Entity: FromRow + ToValues + Sized + 'static {
    /// The primary key: one column type, or a tuple for a composite key.
    type Key: FromRow + ToValues + Typed + Clone + PartialEq + fmt::Debug + 'static;
    /// The field descriptors a query variable of this entity resolves
    /// `p.field` through.
    type Columns: 'static;
    /// The descriptors' value.
    const COLUMNS: Self::Columns;
    /// The Rust name of the entity.
    const NAME: &'static str;
    /// The table name.
    const TABLE: &'static str;

    /// Table metadata, built on first use.
    fn meta() -> &'static EntityMeta;

    /// The key's columns alone. References to this entity need only these,
    /// so an entity can refer to itself without its metadata depending on
    /// itself.
    fn key_meta() -> &'static [ColumnMeta];

    /// This row's primary key.
    fn key(&self) -> Self::Key;

    /// Appends the values of field number `field` (its columns).
    fn push_field(&self, field: usize, out: &mut Vec<Value>) {
        let mut all = Vec::new();
        self.push_values(&mut all);
        if let Some(f) = Self::meta().fields.get(field) {
            out.extend(all.drain(f.columns.clone()));
        }
    }

    /// Field number `field` as one integer, when it is one (see
    /// [`ToValues::as_int`]). The derive reads the field directly; this
    /// default goes through [`push_field`](Entity::push_field).
    fn field_int(&self, field: usize) -> Option<i64> {
        let mut values = Vec::new();
        self.push_field(field, &mut values);
        match values.as_slice() {
            [Value::Int(i)] => Some(*i),
            _ => None,
        }
    }

    /// Stores a key the database generated (the `auto` field).
    fn set_generated_key(&mut self, id: i64) {
        let _ = id;
    }

    /// The optimistic-concurrency version (the `version` field).
    fn version(&self) -> Option<i64> {
        None
    }

    /// Stores a new version.
    fn set_version(&mut self, version: i64) {
        let _ = version;
    }
}

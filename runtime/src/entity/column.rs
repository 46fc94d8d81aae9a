//! `Column`: the Rust types an entity field can have, and the columns
//! each one occupies.

use crate::dialects::Type;
use crate::types::{SqlType, ToValues, Typed};

use super::meta::{ColumnMeta, EntityMeta, FieldAttrs, FieldMeta};
use super::reference::Ref;
use super::traits::Entity;

/// A Rust type that can be a field of an entity: decides the field's columns.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of an entity",
    label = "foal has no column type for `{Self}`",
    note = "fields can be bool, i16, i32, i64, f32, f64, String, Vec<u8>, chrono dates, `Ref<T>`, a `#[derive(SqlValue)]` type (or one whose `impl SqlValue` is under `#[foal::sql_value]`), or an Option of those"
)]
pub trait Column {
    /// Appends the field's columns; returns the referenced table and key
    /// columns for a reference.
    fn describe(attrs: &FieldAttrs, out: &mut Vec<ColumnMeta>) -> Option<(&'static str, Vec<String>)>;
}

fn column(attrs: &FieldAttrs, ty: Type, nullable: bool) -> ColumnMeta {
    ColumnMeta {
        name: attrs.column.unwrap_or(attrs.name).to_owned(),
        ty,
        nullable,
        primary_key: attrs.primary_key,
        auto: attrs.auto,
        version: attrs.version,
        unique: attrs.unique,
        max_len: attrs.max_len,
    }
}

/// Every column type is a column; `Option` of one is a nullable column.
impl<T: SqlType + ToValues> Column for T {
    fn describe(attrs: &FieldAttrs, out: &mut Vec<ColumnMeta>) -> Option<(&'static str, Vec<String>)> {
        out.push(column(attrs, <T as Typed>::TYPE, false));
        None
    }
}

impl<T: SqlType + ToValues> Column for Option<T> {
    fn describe(attrs: &FieldAttrs, out: &mut Vec<ColumnMeta>) -> Option<(&'static str, Vec<String>)> {
        out.push(column(attrs, <T as Typed>::TYPE, true));
        None
    }
}

fn describe_ref<T: Entity>(
    attrs: &FieldAttrs,
    out: &mut Vec<ColumnMeta>,
    nullable: bool,
) -> Option<(&'static str, Vec<String>)> {
    let key_columns = T::key_meta();
    let single = key_columns.len() == 1;
    let mut references = Vec::new();
    for key in key_columns {
        let base = attrs.column.unwrap_or(attrs.name);
        let name = if single {
            base.to_owned()
        } else {
            format!("{base}_{}", key.name)
        };
        out.push(ColumnMeta {
            name,
            ty: key.ty,
            nullable,
            primary_key: attrs.primary_key,
            auto: false,
            version: false,
            unique: attrs.unique,
            max_len: key.max_len,
        });
        references.push(key.name.clone());
    }
    Some((T::TABLE, references))
}

impl<T: Entity> Column for Ref<T> {
    fn describe(attrs: &FieldAttrs, out: &mut Vec<ColumnMeta>) -> Option<(&'static str, Vec<String>)> {
        describe_ref::<T>(attrs, out, false)
    }
}

impl<T: Entity> Column for Option<Ref<T>> {
    fn describe(attrs: &FieldAttrs, out: &mut Vec<ColumnMeta>) -> Option<(&'static str, Vec<String>)> {
        describe_ref::<T>(attrs, out, true)
    }
}

impl EntityMeta {
    /// Adds a field; its type decides its columns.
    pub fn field<C: Column + ?Sized>(&mut self, attrs: FieldAttrs) {
        let start = self.columns.len();
        let references = C::describe(&attrs, &mut self.columns);
        if attrs.primary_key {
            self.key.extend(start..self.columns.len());
        }
        self.fields.push(FieldMeta {
            name: attrs.name,
            columns: start..self.columns.len(),
            references,
            on_delete: attrs.on_delete,
        });
    }
}

//! The metadata of an entity's table: its fields, columns, key and
//! relations, built by the derive on first use.

use std::marker::PhantomData;

use crate::dialects::Type;
use crate::util::Slot;

/// What the derive knows about one field of an entity.
#[derive(Debug, Clone, Default)]
pub struct FieldAttrs {
    pub name: &'static str,
    pub column: Option<&'static str>,
    pub primary_key: bool,
    pub auto: bool,
    pub version: bool,
    pub unique: bool,
    pub max_len: Option<u32>,
    /// `#[foal(on_delete = "…")]` of a `Ref` field.
    pub on_delete: Option<crate::dialects::OnDelete>,
}

/// One column of an entity's table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMeta {
    pub name: String,
    pub ty: Type,
    pub nullable: bool,
    pub primary_key: bool,
    pub auto: bool,
    pub version: bool,
    pub unique: bool,
    pub max_len: Option<u32>,
}

/// One Rust field of an entity and the columns it occupies.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMeta {
    pub name: &'static str,
    pub columns: std::ops::Range<usize>,
    /// For a `Ref<T>` field: the referenced table and its key columns.
    pub references: Option<(&'static str, Vec<String>)>,
    /// What deleting the referenced row does (`#[foal(on_delete = "…")]`).
    pub on_delete: Option<crate::dialects::OnDelete>,
}

/// A to-many relation declared with `#[foal(has_many(name: Target = field))]`.
#[derive(Debug, Clone, PartialEq)]
pub struct HasManyMeta {
    pub name: &'static str,
    pub target_table: &'static str,
    pub target_field: &'static str,
}

/// Everything foal knows about an entity's table.
#[derive(Debug)]
pub struct EntityMeta {
    pub name: &'static str,
    pub table: &'static str,
    pub fields: Vec<FieldMeta>,
    pub columns: Vec<ColumnMeta>,
    /// Indices into `columns` of the primary key, in key order.
    pub key: Vec<usize>,
    pub has_many: Vec<HasManyMeta>,
    /// The statements foal renders for this entity (writes, prefetch
    /// reads), kept by the layer that renders them.
    pub(crate) statements: Slot,
}

impl EntityMeta {
    pub fn new(name: &'static str, table: &'static str) -> Self {
        EntityMeta {
            name,
            table,
            fields: Vec::new(),
            columns: Vec::new(),
            key: Vec::new(),
            has_many: Vec::new(),
            statements: Slot::default(),
        }
    }

    /// Declares a to-many relation.
    pub fn has_many(&mut self, name: &'static str, target_table: &'static str, target_field: &'static str) {
        self.has_many.push(HasManyMeta {
            name,
            target_table,
            target_field,
        });
    }

    /// The column names of field number `field`.
    pub fn field_columns(&self, field: usize) -> impl Iterator<Item = &str> {
        let range = self.fields.get(field).map(|f| f.columns.clone()).unwrap_or(0..0);
        self.columns[range].iter().map(|c| c.name.as_str())
    }

    pub fn key_columns(&self) -> impl Iterator<Item = &str> {
        self.key.iter().map(|&i| self.columns[i].name.as_str())
    }

    /// The auto-generated key column, if any.
    pub fn auto_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.auto)
    }

    /// The version column of optimistic concurrency, if any.
    pub fn version_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.version)
    }
}

/// The descriptor of field number `index` of an entity, of Rust type `T`.
/// `p.name` in a query resolves to one of these, then to an expression.
pub struct Field<T: ?Sized> {
    index: u16,
    _t: PhantomData<fn() -> Box<T>>,
}

impl<T: ?Sized> Clone for Field<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Field<T> {}

impl<T: ?Sized> Field<T> {
    #[doc(hidden)]
    pub const fn new(index: u16) -> Self {
        Field { index, _t: PhantomData }
    }

    pub(crate) fn index(&self) -> usize {
        usize::from(self.index)
    }
}

//! Entities (`#[derive(Entity)]`), references between them, and the
//! metadata foal keeps about their tables.

use std::fmt;
use std::marker::PhantomData;

use crate::dialects::{ColumnDef, CreateTable, ForeignKey, Type};
use crate::error::DecodeError;
use crate::types::{FromRow, RowAccess, ToValues, Typed};
use crate::value::{ToValue, Value};

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

/// A to-one reference: holds the key of a `T` row.
///
/// ```
/// # use foal::prelude::*;
/// # #[derive(Entity, Debug, Clone, PartialEq)]
/// # pub struct Customer { #[foal(primary_key, auto)] pub id: i64, pub name: String }
/// let ann = Customer { id: 7, name: "Ann".into() };
/// let r: Ref<Customer> = Ref::to(&ann);
/// assert_eq!(r.key(), 7);
/// assert_eq!(r, Ref::new(7));
/// ```
pub struct Ref<T: Entity> {
    key: T::Key,
    _entity: PhantomData<fn() -> T>,
}

impl<T: Entity> Ref<T> {
    /// A reference to the `T` whose key is `key`.
    pub fn new(key: T::Key) -> Self {
        Ref {
            key,
            _entity: PhantomData,
        }
    }

    /// A reference to `entity`.
    pub fn to(entity: &T) -> Self {
        Ref::new(entity.key())
    }

    /// The referenced row's key.
    pub fn key(&self) -> T::Key {
        self.key.clone()
    }
}

impl<T: Entity> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref::new(self.key.clone())
    }
}

impl<T: Entity> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<T: Entity> Eq for Ref<T> where T::Key: Eq {}

impl<T: Entity> std::hash::Hash for Ref<T>
where
    T::Key: std::hash::Hash,
{
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl<T: Entity> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref<{}>({:?})", T::NAME, self.key)
    }
}

impl<T: Entity> FromRow for Ref<T> {
    const WIDTH: usize = <T::Key as FromRow>::WIDTH;
    #[inline]
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
        Ok(Ref::new(T::Key::from_row(row, idx)?))
    }
    #[inline]
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
        Ok(T::Key::from_row_opt(row, idx)?.map(Ref::new))
    }
}

impl<T: Entity> FromRow for Option<Ref<T>> {
    const WIDTH: usize = <T::Key as FromRow>::WIDTH;
    #[inline]
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
        Ref::from_row_opt(row, idx)
    }
    #[inline]
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
        Ok(Some(Ref::from_row_opt(row, idx)?))
    }
}

impl<T: Entity> ToValues for Ref<T> {
    #[inline]
    fn push_values(&self, out: &mut Vec<Value>) {
        self.key.push_values(out);
    }
    #[inline]
    fn as_int(&self) -> Option<i64> {
        self.key.as_int()
    }
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        self.key.take_values(out);
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn crate::types::ParamSink<'a>) {
        self.key.bind_values(sink);
    }
}

impl<T: Entity> ToValues for Option<Ref<T>> {
    #[inline]
    fn push_values(&self, out: &mut Vec<Value>) {
        match self {
            Some(r) => r.key.push_values(out),
            None => out.extend((0..<T::Key as FromRow>::WIDTH).map(|_| Value::Null)),
        }
    }
    #[inline]
    fn as_int(&self) -> Option<i64> {
        self.as_ref().and_then(|r| r.key.as_int())
    }
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        match self {
            Some(r) => r.key.take_values(out),
            None => self.push_values(out),
        }
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn crate::types::ParamSink<'a>) {
        match self {
            Some(r) => r.key.bind_values(sink),
            None => (0..<T::Key as FromRow>::WIDTH).for_each(|_| sink.null()),
        }
    }
}

impl<T: Entity> Typed for Ref<T> {
    const TYPE: Type = <T::Key as Typed>::TYPE;
}

impl<T: Entity> ToValue for Ref<T>
where
    T::Key: ToValue,
{
    const TYPE: Type = <T::Key as ToValue>::TYPE;
    fn to_value(&self) -> Value {
        self.key.to_value()
    }
}

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
    pub(crate) writes: crate::write::WriteCache,
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
            writes: crate::write::WriteCache::default(),
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

    /// The `CREATE TABLE` statement of this entity.
    pub fn create_table(&self) -> CreateTable {
        let key: Vec<String> = self.key_columns().map(str::to_owned).collect();
        let foreign_keys = self
            .fields
            .iter()
            .filter_map(|f| {
                let (table, references) = f.references.clone()?;
                Some(ForeignKey {
                    columns: self.columns[f.columns.clone()].iter().map(|c| c.name.clone()).collect(),
                    table: table.to_owned(),
                    references,
                })
            })
            .collect();
        let referencing: Vec<usize> = self
            .fields
            .iter()
            .filter(|f| f.references.is_some())
            .flat_map(|f| f.columns.clone())
            .collect();
        CreateTable {
            table: self.table.to_owned(),
            columns: self
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| ColumnDef {
                    name: c.name.clone(),
                    ty: c.ty,
                    nullable: c.nullable,
                    auto: c.auto,
                    max_len: c.max_len,
                    indexed: c.primary_key || c.unique || referencing.contains(&i),
                })
                .collect(),
            primary_key: key,
            unique: self
                .columns
                .iter()
                .filter(|c| c.unique)
                .map(|c| vec![c.name.clone()])
                .collect(),
            foreign_keys,
            if_not_exists: true,
        }
    }
}

/// A Rust type that can be a field of an entity: decides the field's columns.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of an entity",
    label = "foal has no column type for `{Self}`",
    note = "fields can be bool, i16, i32, i64, f32, f64, String, Vec<u8>, chrono dates, `Ref<T>`, or an Option of those"
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

macro_rules! column_types {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn describe(attrs: &FieldAttrs, out: &mut Vec<ColumnMeta>) -> Option<(&'static str, Vec<String>)> {
                out.push(column(attrs, <$t as Typed>::TYPE, false));
                None
            }
        }
        impl Column for Option<$t> {
            fn describe(attrs: &FieldAttrs, out: &mut Vec<ColumnMeta>) -> Option<(&'static str, Vec<String>)> {
                out.push(column(attrs, <$t as Typed>::TYPE, true));
                None
            }
        }
    )*};
}
column_types!(bool, i16, i32, i64, f32, f64, String, Vec<u8>);
#[cfg(feature = "chrono")]
column_types!(chrono::NaiveDate, chrono::NaiveDateTime, chrono::DateTime<chrono::Utc>);

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

//! Entities (`#[derive(Entity)]`), references between them, and what foal
//! knows about their tables.

mod column;
mod ddl;
mod meta;
mod reference;
mod traits;

pub use column::Column;
pub use meta::{ColumnMeta, EntityMeta, Field, FieldAttrs, FieldMeta};
pub use reference::Ref;
pub use traits::Entity;

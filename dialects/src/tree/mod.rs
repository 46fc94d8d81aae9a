//! The dialect-neutral SQL tree.
//!
//! Plain data: every node derives `Debug, Clone, PartialEq`, and nothing here
//! knows how a backend spells it. The runtime builds these values once per call
//! site and shape; a [`Provider`](crate::Provider) turns them into text.

mod expr;
mod query;
mod schema;
mod walk;
mod window;
mod write;

pub use expr::*;
pub use query::*;
pub use schema::*;
pub use walk::*;
pub use window::*;
pub use write::*;

/// Any statement a provider can render.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Statement {
    Select(Select),
    Insert(Insert),
    Update(Update),
    Delete(Delete),
    CreateTable(CreateTable),
    CreateIndex(CreateIndex),
    DropTable { table: String, if_exists: bool },
}

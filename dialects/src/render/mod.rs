//! The standard rendering of every statement, split by what it renders.
//! Each function is the default of a [`Provider`](crate::Provider) hook;
//! providers call them for the parts their dialect spells the standard way.

mod expr;
mod schema;
mod select;
mod write;

pub use expr::*;
pub use schema::*;
pub use select::*;
pub use write::*;

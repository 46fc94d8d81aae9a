//! The typed query layer: the expressions, operators, methods and
//! functions that the closures `select!` generates call, and the builder
//! that turns them into an SQL tree. rustc type-checks a query through
//! these signatures, so a query that cannot become SQL does not compile.
//!
//! The files of this folder call each other freely (an operator builds
//! expressions, a relation asks the builder to join); nothing outside the
//! folder is imported but `types`, `entity` and the dialects.

pub(crate) mod builder;
#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "decimal")]
mod decimal;
pub(crate) mod expr;
pub mod functions;
#[cfg(feature = "json")]
mod json;
pub mod methods;
pub mod ops;
pub(crate) mod projection;
pub mod relations;
pub(crate) mod source;
mod sql_value;
#[cfg(feature = "time")]
mod time;
#[cfg(feature = "uuid")]
mod uuid;
pub(crate) mod vars;
pub mod window;

pub use builder::*;
pub use expr::*;
pub use projection::*;
pub use source::*;
pub use vars::*;

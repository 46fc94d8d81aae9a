//! Running statements: the [`Executor`] trait queries run against, the
//! [`Database`] (a pool of connections) and its [`Transaction`]s.

mod database;
mod executor;
mod options;
pub(crate) mod pool;
mod transaction;

pub use database::{Database, DatabaseBuilder};
pub use executor::Executor;
pub(crate) use executor::Lent;
pub use transaction::{Isolation, Transaction, TxOptions};

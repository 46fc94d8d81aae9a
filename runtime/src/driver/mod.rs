//! Connections to the backends. Each backend's connection implements
//! `Driver` (`traits.rs`); [`Conn`] (`conn.rs`) holds one of them and only
//! dispatches.
//!
//! Backends are gated by their features in exactly two places: the module
//! list below, and `conn.rs` (the enum of connections, the decoder, the
//! connector of each URL scheme).

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("foal needs at least one backend: enable its feature `sqlite` (the default), `postgres` or `mysql`");

mod bind;
mod conn;
#[cfg(feature = "mysql")]
pub(crate) mod mysql;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod rows;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;
mod statements;
#[cfg(feature = "tracing")]
mod trace;
mod traits;

pub use conn::{Conn, Decoder};
pub(crate) use conn::{Connect, Connector, connector};
pub use statements::STATEMENT_CACHE;

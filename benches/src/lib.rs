//! The workloads of Diesel's benchmark suite, written with foal and by hand
//! with the same drivers, for the comparison runner (`src/bin/compare.rs`)
//! and the criterion benchmarks (`benches/`).
//!
//! Every workload runs a pair of closures, foal's and the hand-written
//! one, each returning how many rows it produced; a [`Runner`] decides how
//! to time them. The hand-written side prepares its statements once,
//! outside the timed closure, and reads columns by index.

pub mod baseline;
pub mod harness;
pub mod schema;
pub mod tpch;
pub mod workloads;

pub use harness::{BoxError, Result, Runner, Side};

pub use baseline::Backend;

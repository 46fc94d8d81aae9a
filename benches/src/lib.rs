//! The workloads of Diesel's benchmark suite, written with foal and by hand
//! with the same drivers, for the comparison runner (`src/bin/compare.rs`)
//! and the criterion benchmarks (`benches/`).
//!
//! Every workload runs a pair of closures, foal's and the hand-written
//! one, each returning how many rows it produced; a [`Runner`] decides how
//! to time them. The hand-written side prepares its statements once,
//! outside the timed closure, and reads columns by index.

pub mod schema;
pub mod workloads;

use std::fmt;

/// Errors of a benchmark run: whatever a driver or foal reported.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = BoxError> = std::result::Result<T, E>;

/// A backend the workloads run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

    pub fn parse(name: &str) -> Option<Backend> {
        match name {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" | "pg" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::Mysql),
            _ => None,
        }
    }

    /// The server's URL: `FOAL_BENCH_POSTGRES_URL` / `FOAL_BENCH_MYSQL_URL`
    /// (`scripts/bench.sh` starts servers and sets them), else the test
    /// servers' `FOAL_TEST_*_URL`. SQLite runs in memory.
    pub fn url(self) -> Result<String> {
        let vars = match self {
            Backend::Sqlite => return Ok("sqlite::memory:".into()),
            Backend::Postgres => ["FOAL_BENCH_POSTGRES_URL", "FOAL_TEST_POSTGRES_URL"],
            Backend::Mysql => ["FOAL_BENCH_MYSQL_URL", "FOAL_TEST_MYSQL_URL"],
        };
        vars.iter()
            .find_map(|v| std::env::var(v).ok())
            .ok_or_else(|| format!("{} is not set: run scripts/bench.sh, which starts the servers", vars[0]).into())
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        })
    }
}

/// A timed closure: runs the workload once and returns how many rows it
/// produced (both sides must agree).
pub type Side<'a> = &'a mut dyn FnMut() -> Result<usize>;

/// Decides how the two sides of a workload are timed.
pub trait Runner {
    /// Times `foal` against `hand` for `workload` at `size`. `reset`
    /// restores the starting state (untimed), for workloads that write.
    fn pair(&mut self, workload: &str, size: usize, foal: Side<'_>, hand: Side<'_>, reset: Side<'_>) -> Result<()>;
}

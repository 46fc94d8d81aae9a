//! Shared support of foal's integration tests: one fresh, isolated database
//! per backend and test.
//!
//! PostgreSQL and MariaDB are the throwaway servers `scripts/test.sh` starts;
//! their URLs arrive in `FOAL_TEST_POSTGRES_URL` and `FOAL_TEST_MYSQL_URL`.
//! A missing URL fails the test: no backend is skipped silently.

pub mod estore;
pub mod fixture;
pub mod university;

use std::sync::atomic::{AtomicUsize, Ordering};

use foal::{Database, Dialect};

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn server_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the PostgreSQL and MariaDB tests need the servers that \
             `scripts/test.sh` starts (run that instead of bare `cargo test`)"
        )
    })
}

/// A fresh empty database of `dialect`, private to the caller.
pub fn fresh(dialect: Dialect) -> Database {
    let name = unique_name();
    let result = match dialect {
        Dialect::Sqlite => Database::open("sqlite::memory:"),
        Dialect::Postgres => {
            let url = server_url("FOAL_TEST_POSTGRES_URL");
            let admin = Database::open(&format!("{url}?pool_size=1")).unwrap_or_else(|e| panic!("PostgreSQL: {e}"));
            admin
                .execute_sql(&format!("CREATE SCHEMA {name}"))
                .unwrap_or_else(|e| panic!("PostgreSQL: {e}"));
            Database::open(&format!("{url}?options=-c%20search_path%3D{name}"))
        }
        Dialect::Mysql => {
            let url = server_url("FOAL_TEST_MYSQL_URL");
            let admin = Database::open(&format!("{url}?pool_size=1")).unwrap_or_else(|e| panic!("MySQL: {e}"));
            admin
                .execute_sql(&format!("CREATE DATABASE {name}"))
                .unwrap_or_else(|e| panic!("MySQL: {e}"));
            let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
            Database::open(&format!("{base}/{name}"))
        }
    };
    result.unwrap_or_else(|e| panic!("cannot open a {dialect} test database: {e}"))
}

/// A fresh database of each backend.
pub fn all() -> Vec<Database> {
    Dialect::ALL.iter().map(|&d| fresh(d)).collect()
}

/// Runs `check` on a fresh database of each backend; a failure names the
/// backend it happened on.
pub fn on_each(check: impl Fn(&Database) -> foal::Result<()>) {
    for db in all() {
        if let Err(e) = check(&db) {
            panic!("on {}: {e}", db.dialect());
        }
    }
}

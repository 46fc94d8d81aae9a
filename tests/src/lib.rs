//! Shared support of foal's integration tests: one fresh, isolated database
//! per backend and test.
//!
//! PostgreSQL and MariaDB are the throwaway servers `scripts/test.sh` starts;
//! their URLs arrive in `FOAL_TEST_POSTGRES_URL` and `FOAL_TEST_MYSQL_URL`.
//! A missing URL fails the test: no backend is skipped silently.

pub mod estore;
pub mod fixture;
pub mod servers;
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
    fresh_with(dialect, "")
}

/// A private SQLite file database in the temporary directory (several
/// connections, WAL mode), removed when the returned guard drops.
pub fn sqlite_file(options: &str) -> (Database, TempFile) {
    let path = std::env::temp_dir().join(format!("foal-{}.db", unique_name()));
    let file = TempFile(path.clone());
    let separator = if options.is_empty() { "" } else { "?" };
    let db = Database::open(&format!("sqlite://{}{separator}{options}", path.display()))
        .unwrap_or_else(|e| panic!("cannot open a SQLite file: {e}"));
    (db, file)
}

/// A file deleted (with SQLite's companions) on drop.
pub struct TempFile(pub std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A fresh empty database of `dialect` opened with extra URL options
/// (`"pool_size=1"`, `"application_name=x"`), and the name of its schema
/// (PostgreSQL) or database (MySQL).
pub fn fresh_named(dialect: Dialect, options: &str) -> (Database, String) {
    let name = unique_name();
    let and = |sep: &str| {
        if options.is_empty() {
            String::new()
        } else {
            format!("{sep}{options}")
        }
    };
    let result = match dialect {
        Dialect::Sqlite => Database::open(&format!("sqlite::memory:{}", and("?"))),
        Dialect::Postgres => {
            let url = server_url("FOAL_TEST_POSTGRES_URL");
            let admin = Database::open(&format!("{url}?pool_size=1")).unwrap_or_else(|e| panic!("PostgreSQL: {e}"));
            admin
                .execute_sql(&format!("CREATE SCHEMA {name}"))
                .unwrap_or_else(|e| panic!("PostgreSQL: {e}"));
            Database::open(&format!("{url}?options=-c%20search_path%3D{name}{}", and("&")))
        }
        Dialect::Mysql => {
            let url = server_url("FOAL_TEST_MYSQL_URL");
            let admin = Database::open(&format!("{url}?pool_size=1")).unwrap_or_else(|e| panic!("MySQL: {e}"));
            admin
                .execute_sql(&format!("CREATE DATABASE {name}"))
                .unwrap_or_else(|e| panic!("MySQL: {e}"));
            let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
            Database::open(&format!("{base}/{name}{}", and("?")))
        }
    };
    let db = result.unwrap_or_else(|e| panic!("cannot open a {dialect} test database: {e}"));
    (db, name)
}

/// A fresh empty database of `dialect` opened with extra URL options.
pub fn fresh_with(dialect: Dialect, options: &str) -> Database {
    fresh_named(dialect, options).0
}

/// The admin URL of a test server (`FOAL_TEST_POSTGRES_URL`,
/// `FOAL_TEST_MYSQL_URL`); SQLite has none.
pub fn admin_url(dialect: Dialect) -> Option<String> {
    match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some(server_url("FOAL_TEST_POSTGRES_URL")),
        Dialect::Mysql => Some(server_url("FOAL_TEST_MYSQL_URL")),
    }
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

//! Shared support of foal's integration tests: one fresh, isolated database
//! per backend and test.
//!
//! PostgreSQL and MariaDB are the throwaway servers `scripts/test.sh` starts;
//! their URLs arrive in `FOAL_TEST_POSTGRES_URL` and `FOAL_TEST_MYSQL_URL`.
//! A missing URL fails the test: no backend is skipped silently.
//!
//! `FOAL_BACKENDS` (a comma-separated list of `sqlite`, `postgres`,
//! `mysql`) narrows the backends on purpose: `FOAL_BACKENDS=sqlite cargo
//! test` runs every test that can run without a server. Unset, it is all
//! three.

pub mod analytics;
pub mod estore;
pub mod fake_pg;
pub mod fixture;
pub mod random_queries;
pub mod servers;
pub mod university;

use std::sync::atomic::{AtomicUsize, Ordering};

use foal::{Database, Dialect};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The backends the tests run on: `FOAL_BACKENDS`, or all three.
pub fn backends() -> Vec<Dialect> {
    static CHOSEN: std::sync::OnceLock<Vec<Dialect>> = std::sync::OnceLock::new();
    CHOSEN
        .get_or_init(|| match std::env::var("FOAL_BACKENDS") {
            Err(_) => Dialect::ALL.to_vec(),
            Ok(list) => list
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(|name| match name {
                    "sqlite" => Dialect::Sqlite,
                    "postgres" | "postgresql" => Dialect::Postgres,
                    "mysql" | "mariadb" => Dialect::Mysql,
                    other => panic!("FOAL_BACKENDS names `{other}`; use sqlite, postgres and mysql"),
                })
                .collect(),
        })
        .clone()
}

/// Whether the tests run on `dialect`. A test of one backend only starts
/// with `if !foal_tests::runs_on(Dialect::Postgres) { return; }`: it says
/// so on stderr, and it can only be left out on purpose (`FOAL_BACKENDS`).
pub fn runs_on(dialect: Dialect) -> bool {
    let on = backends().contains(&dialect);
    if !on {
        eprintln!("FOAL_BACKENDS leaves out {dialect}: this check does not run");
    }
    on
}

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

/// A fresh database of each backend the tests run on.
pub fn all() -> Vec<Database> {
    backends().into_iter().map(fresh).collect()
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

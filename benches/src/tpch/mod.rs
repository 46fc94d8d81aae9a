//! TPC-H at a small scale factor: the data from `tpchgen` loaded through
//! foal, the 22 queries written in foal ([`queries`]) and the spec's SQL
//! run by hand ([`spec`]), on one database per backend.
//!
//! `cargo run --release -p foal-benches --bin tpch` checks that every
//! foal query returns the spec's rows and prints the time of each against
//! the spec's; `benches/tests/tpch.rs` runs the check on every backend.

pub mod cells;
pub mod load;
pub mod queries;
pub mod schema;
pub mod spec;

use foal::Database;

use crate::Backend;
use crate::harness::Result;
use spec::Hand;

/// A private database of one backend, loaded, with a driver connection to
/// it for the spec's SQL; dropped with it.
pub struct Loaded {
    pub backend: Backend,
    pub db: Database,
    pub hand: Hand,
    pub rows: usize,
    cleanup: Cleanup,
}

enum Cleanup {
    Keep,
    File(std::path::PathBuf),
    Schema(String, String),
    Database(String, String),
}

impl Loaded {
    /// Creates the database and loads scale factor `sf` into it.
    pub fn new(backend: Backend, sf: f64) -> Result<Loaded> {
        let name = format!("tpch_{}_{}", std::process::id(), next());
        let (db, hand, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("foal-{name}.db"));
                let _ = std::fs::remove_file(&path);
                let db = Database::open(&format!("sqlite://{}", path.display()))?;
                let hand = Hand::sqlite(&path.display().to_string())?;
                (db, hand, Cleanup::File(path))
            }
            Backend::Postgres => {
                let url = backend.url()?;
                let admin = Database::open(&format!("{url}?pool_size=1"))?;
                admin.execute_sql(&format!("CREATE SCHEMA {name}"))?;
                let db = Database::open(&format!("{url}?options=-c%20search_path%3D{name}"))?;
                let hand = Hand::postgres(&url, &name)?;
                (db, hand, Cleanup::Schema(url, name))
            }
            Backend::Mysql => {
                let url = backend.url()?;
                let admin = Database::open(&format!("{url}?pool_size=1"))?;
                admin.execute_sql(&format!("CREATE DATABASE {name}"))?;
                let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
                let own = format!("{base}/{name}");
                let db = Database::open(&own)?;
                let hand = Hand::mysql(&own)?;
                (db, hand, Cleanup::Database(url, name))
            }
        };
        let mut loaded = Loaded {
            backend,
            db,
            hand,
            rows: 0,
            cleanup,
        };
        loaded.rows = load::load(&loaded.db, sf)?;
        // Statistics before any plan, so autovacuum's ANALYZE does not
        // change plans in the middle of a measurement.
        loaded.db.execute_sql(match backend {
            Backend::Sqlite | Backend::Postgres => "ANALYZE",
            Backend::Mysql => "ANALYZE TABLE region, nation, supplier, customer, part, partsupp, orders, lineitem",
        })?;
        Ok(loaded)
    }
}

impl Loaded {
    /// Leaves the database in place (to inspect plans); returns its name.
    pub fn keep(&mut self) -> String {
        let name = match &self.cleanup {
            Cleanup::Keep => String::new(),
            Cleanup::File(path) => path.display().to_string(),
            Cleanup::Schema(_, name) | Cleanup::Database(_, name) => name.clone(),
        };
        self.cleanup = Cleanup::Keep;
        name
    }
}

fn next() -> usize {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Drop for Loaded {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Keep => {}
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Schema(url, name) => {
                if let Ok(admin) = Database::open(&format!("{url}?pool_size=1")) {
                    let _ = admin.execute_sql(&format!("DROP SCHEMA {name} CASCADE"));
                }
            }
            Cleanup::Database(url, name) => {
                if let Ok(admin) = Database::open(&format!("{url}?pool_size=1")) {
                    let _ = admin.execute_sql(&format!("DROP DATABASE {name}"));
                }
            }
        }
    }
}

/// Where query `n`'s rows differ from the spec's, if they do.
pub fn check(loaded: &mut Loaded, n: usize, query: &dyn queries::Runs) -> Result<Option<String>> {
    let ours = query.cells(&loaded.db)?;
    let theirs = loaded.hand.run(n)?;
    Ok(cells::difference(&ours, &theirs))
}

//! Read replicas: `Database::builder(primary).replica(url).open()` sends
//! reads outside transactions to a replica and everything else (writes,
//! transactions and their reads, raw SQL) to the primary, and falls back to
//! the primary when no replica answers. On every backend the "replica" is a
//! second database with different rows, so where a read went is visible
//! in its answer; `a_streaming_standby_serves_reads` uses a real
//! PostgreSQL hot standby (FOAL_TOPOLOGIES=replica).

use std::time::{Duration, Instant};

use foal::prelude::*;
use foal::{Dialect, Error};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Item {
    #[foal(primary_key)]
    pub id: i64,
    pub place: String,
}

/// A fresh database of `dialect` and a URL that opens it, keeping `file`
/// (SQLite) alive.
fn database(dialect: Dialect) -> (String, Option<foal_tests::TempFile>) {
    match dialect {
        Dialect::Sqlite => {
            let (_, file) = foal_tests::sqlite_file("");
            (format!("sqlite://{}", file.0.display()), Some(file))
        }
        Dialect::Postgres => {
            let (_, name) = foal_tests::fresh_named(dialect, "");
            let url = foal_tests::admin_url(dialect).unwrap_or_default();
            (format!("{url}?options=-c%20search_path%3D{name}"), None)
        }
        Dialect::Mysql => {
            let (_, name) = foal_tests::fresh_named(dialect, "");
            let url = foal_tests::admin_url(dialect).unwrap_or_default();
            let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base).to_owned();
            (format!("{base}/{name}"), None)
        }
    }
}

fn fill(url: &str, place: &str, n: i64) -> foal::Result<()> {
    let db = Database::open(url)?;
    db.create_table::<Item>()?;
    db.insert_all(
        (1..=n)
            .map(|id| Item {
                id,
                place: place.into(),
            })
            .collect(),
    )?;
    Ok(())
}

fn places(ex: &impl Executor) -> foal::Result<Vec<String>> {
    select!(Item.map(|i| i.place).distinct()).fetch_all(ex)
}

#[test]
fn reads_go_to_the_replica_and_the_rest_to_the_primary() {
    for dialect in foal_tests::backends() {
        let (primary, _a) = database(dialect);
        let (replica, _b) = database(dialect);
        fill(&primary, "primary", 10).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        fill(&replica, "replica", 20).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let db = Database::builder(&primary)
            .replica(&replica)
            .open()
            .unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let run = || -> foal::Result<()> {
            assert_eq!(places(&db)?, ["replica"], "{dialect}: a read outside a transaction");
            assert_eq!(select!(i for i in Item).count(&db)?, 20, "{dialect}: count");
            let mut seen = 0;
            select!(i.id for i in Item).for_each(&db, |_| {
                seen += 1;
                Ok(())
            })?;
            assert_eq!(seen, 20, "{dialect}: for_each reads the replica");

            // Writes, and reads inside transactions, are the primary's.
            db.insert(Item {
                id: 11,
                place: "primary".into(),
            })?;
            let inside = db.transaction(|tx| {
                tx.insert(Item {
                    id: 12,
                    place: "primary".into(),
                })?;
                Ok((places(tx)?, select!(i for i in Item).count(tx)?))
            })?;
            assert_eq!(
                inside,
                (vec!["primary".to_owned()], 12),
                "{dialect}: read-your-writes in a transaction"
            );
            let raw_count: i64 = raw("SELECT COUNT(*) FROM item").fetch_one(&db)?;
            assert_eq!(raw_count, 12, "{dialect}: raw SQL runs on the primary");
            assert_eq!(
                select!(i for i in Item).count(&Database::open(&replica)?)?,
                20,
                "{dialect}: nothing was written to the replica"
            );
            let status = db.replica_status();
            assert_eq!(status.len(), 1);
            assert!(status[0].opened >= 1, "{dialect}: {status:?}");
            Ok(())
        };
        run().unwrap_or_else(|e| panic!("{dialect}: {e}"));
    }
}

#[test]
fn a_replica_that_does_not_answer_leaves_reads_to_the_primary() {
    for dialect in foal_tests::backends() {
        let (primary, _a) = database(dialect);
        fill(&primary, "primary", 3).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let dead = match dialect {
            Dialect::Sqlite => "sqlite:///nonexistent-dir/for/foal/replica.db".to_owned(),
            Dialect::Postgres => format!("postgres://postgres@127.0.0.1:{closed}/foal?connect_timeout=2"),
            Dialect::Mysql => format!("mysql://root@127.0.0.1:{closed}/foal?connect_timeout=2"),
        };
        let db = Database::builder(&primary)
            .replica(&dead)
            .open()
            .unwrap_or_else(|e| panic!("{dialect}: a dead replica does not stop open: {e}"));
        let started = Instant::now();
        for _ in 0..20 {
            let found = places(&db).unwrap_or_else(|e| panic!("{dialect}: {e}"));
            assert_eq!(found, ["primary"], "{dialect}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{dialect}: the dead replica is passed over, not tried for each read ({:?})",
            started.elapsed()
        );
    }
}

#[test]
fn a_replica_of_another_backend_is_a_configuration_error() {
    let (primary, _a) = database(Dialect::Sqlite);
    match Database::builder(&primary)
        .replica("postgres://postgres@127.0.0.1:1/foal")
        .open()
    {
        Err(Error::Config(message)) => assert!(message.contains("replica 1"), "{message}"),
        other => panic!("{other:?}"),
    }
    match Database::builder(&primary).replica("nosuch://x").open() {
        Err(Error::Config(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_streaming_standby_serves_reads() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let standby = std::env::var("FOAL_TEST_PG_REPLICA_URL").unwrap_or_else(|_| {
        panic!("FOAL_TEST_PG_REPLICA_URL is not set: run `FOAL_TOPOLOGIES=replica scripts/test.sh -p foal-tests --test replicas`")
    });
    let (_, name) = foal_tests::fresh_named(Dialect::Postgres, "");
    let url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    let options = format!("options=-c%20search_path%3D{name}");
    let db = Database::builder(&format!("{url}?{options}"))
        .replica(&format!("{standby}?{options}&connect_timeout=3"))
        .open()
        .unwrap_or_else(|e| panic!("{e}"));
    let run = || -> foal::Result<()> {
        // DDL and writes go to the primary (the standby refuses them).
        db.create_table::<Item>()?;
        db.insert_all((1..=50).map(|id| Item { id, place: "p".into() }).collect())?;
        // The standby catches up: its reads see the rows within seconds.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match select!(i for i in Item).count(&db) {
                Ok(50) => break,
                Ok(_) | Err(Error::Database { .. }) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                other => panic!("the standby did not catch up: {other:?}"),
            }
        }
        let before = db.statement_count();
        for _ in 0..10 {
            assert_eq!(select!(i for i in Item).count(&db)?, 50);
        }
        assert_eq!(
            db.statement_count(),
            before,
            "the reads ran on the standby, not the primary"
        );
        // Inside a transaction a write is read back at once, on the primary.
        let n = db.transaction(|tx| {
            tx.insert(Item {
                id: 51,
                place: "p".into(),
            })?;
            select!(i for i in Item).count(tx)
        })?;
        assert_eq!(n, 51);
        let standby_db = Database::open(&format!("{standby}?{options}"))?;
        let in_recovery: bool = raw("SELECT pg_catalog.pg_is_in_recovery()").fetch_one(&standby_db)?;
        assert!(in_recovery, "the replica is a standby");
        Ok(())
    };
    run().unwrap_or_else(|e| panic!("{e}"));
}

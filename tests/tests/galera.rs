//! A three-node MariaDB Galera cluster (`scripts/topologies.sh`): the keys
//! `insert_all` returns are the stored rows' keys, row by row, before and
//! after a node leaves (Galera then changes `auto_increment_increment`
//! from 3 to 2; foal once kept the old step, returned keys three apart for
//! rows stored two apart, and a later `update` through a returned key
//! overwrote another row).

use std::time::{Duration, Instant};

use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Ticket {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub label: String,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: the Galera tests need the cluster scripts/test.sh starts (FOAL_TOPOLOGIES=galera)")
    })
}

fn tickets(prefix: &str, n: usize) -> Vec<Ticket> {
    (0..n)
        .map(|i| Ticket {
            id: 0,
            label: format!("{prefix}-{i}"),
        })
        .collect()
}

/// Every returned row is stored under its key, with its own label.
fn check_keys(db: &Database, rows: &[Ticket]) -> foal::Result<()> {
    for row in rows {
        let stored = db.get::<Ticket>(row.id)?;
        assert_eq!(stored.as_ref(), Some(row), "the row stored under key {}", row.id);
    }
    Ok(())
}

fn cluster_size(db: &Database) -> foal::Result<i64> {
    let (_, size): (String, String) = raw("SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'").fetch_one(db)?;
    Ok(size.parse().unwrap_or(0))
}

#[test]
fn insert_keys_are_the_stored_keys_when_a_node_leaves() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let urls: Vec<String> = env("FOAL_TEST_GALERA_URLS").split(',').map(str::to_owned).collect();
    let pids: Vec<String> = env("FOAL_TEST_GALERA_PIDS").split(' ').map(str::to_owned).collect();
    assert_eq!((urls.len(), pids.len()), (3, 3));
    let run = || -> foal::Result<()> {
        let db = Database::open(&urls[0])?;
        db.create_table::<Ticket>()?;
        let step: i64 = raw("SELECT @@auto_increment_increment").fetch_one(&db)?;
        assert_eq!(step, 3, "three nodes");
        let before = db.insert_all(tickets("three", 40))?;
        check_keys(&db, &before)?;
        // The third node leaves.
        let killed = std::process::Command::new("kill").args(["-KILL", &pids[2]]).status();
        assert!(killed.is_ok_and(|s| s.success()), "kill node 3");
        let deadline = Instant::now() + Duration::from_secs(60);
        while cluster_size(&db)? != 2 || raw::<i64>("SELECT @@auto_increment_increment").fetch_one(&db)? != 2 {
            assert!(Instant::now() < deadline, "the cluster did not shrink to two nodes");
            std::thread::sleep(Duration::from_millis(200));
        }
        // The pooled connections were opened when the step was 3.
        let after = db.insert_all(tickets("two", 40))?;
        check_keys(&db, &after)?;
        let keys = db.insert_keys(tickets("keys", 25))?;
        for (i, key) in keys.iter().enumerate() {
            let stored = db.get::<Ticket>(*key)?;
            assert_eq!(stored.map(|t| t.label), Some(format!("keys-{i}")));
        }
        // An update through a returned key changes that row only.
        let mut first = after[0].clone();
        first.label = "changed".into();
        db.update(&first)?;
        check_keys(&db, &after[1..])?;
        assert_eq!(select!(t for t in Ticket if t.label == "changed").count(&db)?, 1);
        // The other node agrees.
        let other = Database::open(&urls[1])?;
        assert_eq!(select!(t for t in Ticket).count(&other)?, 105);
        Ok(())
    };
    if let Err(e) = run() {
        panic!("{e}");
    }
}

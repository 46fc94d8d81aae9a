//! Faults: the server dies in the middle of a transaction, a connection is
//! killed, a constraint fails in the middle of a batch. Each must come back
//! as an error, leave all or none of the transaction's writes, and leave
//! the pool able to serve the next call.
//!
//! The crash tests run on private servers (`foal_tests::servers`), since
//! the shared ones must stay up. SQLite is embedded: there is no server to
//! stop or connection to kill, so those two faults do not exist for it; the
//! constraint fault runs on all three backends (here and in `writing.rs`).

use foal::prelude::*;
use foal::{Dialect, Error};
use foal_tests::servers;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Entry {
    #[foal(primary_key, auto)]
    pub id: i64,
    #[foal(unique)]
    pub label: String,
}

fn entry(label: &str) -> Entry {
    Entry {
        id: 0,
        label: label.into(),
    }
}

fn labels(db: &Database) -> foal::Result<Vec<String>> {
    select!(Entry.order_by(|e| e.label).map(|e| e.label)).fetch_all(db)
}

fn assert_lost<T: std::fmt::Debug>(outcome: foal::Result<T>) {
    match outcome {
        Err(Error::ConnectionLost { site, .. }) => assert!(site.file().ends_with("faults.rs"), "{site}"),
        other => panic!("expected a lost connection, got {other:?}"),
    }
}

/// The server crashes between two writes of a transaction.
fn crash_in_transaction(db: &Database, crash: impl FnOnce(), resume: impl FnOnce()) -> foal::Result<()> {
    db.create_table::<Entry>()?;
    db.insert(entry("committed before"))?;
    let mut crash = Some(crash);
    let outcome = db.transaction(|tx| {
        tx.insert(entry("lost 1"))?;
        if let Some(crash) = crash.take() {
            crash();
        }
        tx.insert(entry("lost 2"))?;
        Ok(())
    });
    assert_lost(outcome);
    resume();
    // Nothing of the transaction survived, and the pool serves the next
    // call with a fresh connection.
    assert_eq!(labels(db)?, ["committed before"]);
    db.insert(entry("after"))?;
    Ok(())
}

#[test]
fn postgres_crash_in_the_middle_of_a_transaction() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let server = servers::Postgres::start();
    let db = Database::open(&format!("{}?pool_size=4&pool_timeout_ms=10000", server.url()))
        .unwrap_or_else(|e| panic!("{e}"));
    let run = || -> foal::Result<()> {
        crash_in_transaction(&db, || server.crash(), || server.resume())?;
        // The server dies while the pool holds idle connections: a read on
        // one of them is retried once on a fresh connection, so it succeeds.
        server.crash();
        server.resume();
        assert_eq!(labels(&db)?, ["after", "committed before"]);
        db.insert(entry("and again"))?;
        Ok(())
    };
    run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn mariadb_crash_in_the_middle_of_a_transaction() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let server = std::cell::RefCell::new(servers::Mariadb::start());
    let admin = Database::open(&server.borrow().url()).unwrap_or_else(|e| panic!("{e}"));
    admin
        .execute_sql("CREATE DATABASE crash")
        .unwrap_or_else(|e| panic!("{e}"));
    let url = server.borrow().url().replace("/mysql", "/crash");
    let db = Database::open(&format!("{url}?pool_size=4&pool_timeout_ms=10000")).unwrap_or_else(|e| panic!("{e}"));
    let run = || -> foal::Result<()> {
        crash_in_transaction(&db, || server.borrow_mut().crash(), || server.borrow_mut().resume())?;
        // As above: the idle connections died with the server.
        server.borrow_mut().crash();
        server.borrow_mut().resume();
        assert_eq!(labels(&db)?, ["after", "committed before"]);
        db.insert(entry("and again"))?;
        Ok(())
    };
    run().unwrap_or_else(|e| panic!("{e}"));
}

/// A connection is killed from another session in the middle of a
/// transaction.
fn killed_in_transaction(victim: &Database, kill: impl FnOnce() -> foal::Result<()>) -> foal::Result<()> {
    victim.create_table::<Entry>()?;
    victim.insert(entry("committed before"))?;
    let mut kill = Some(kill);
    let outcome = victim.transaction(|tx| {
        tx.insert(entry("lost 1"))?;
        if let Some(kill) = kill.take() {
            kill()?;
        }
        tx.insert(entry("lost 2"))?;
        Ok(())
    });
    assert_lost(outcome);
    assert_eq!(labels(victim)?, ["committed before"]);
    victim.insert(entry("after"))?;
    assert_eq!(labels(victim)?, ["after", "committed before"]);
    Ok(())
}

#[test]
fn a_killed_connection_loses_its_transaction_only() {
    if foal_tests::runs_on(Dialect::Postgres) {
        killed_on_postgres();
    }
    if foal_tests::runs_on(Dialect::Mysql) {
        killed_on_mariadb();
    }
}

/// PostgreSQL: terminate the backends that carry the victim's name.
fn killed_on_postgres() {
    let name = format!("foal_victim_{}", std::process::id());
    let victim = foal_tests::fresh_with(Dialect::Postgres, &format!("application_name={name}"));
    let admin_url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    let admin = Database::open(&admin_url).unwrap_or_else(|e| panic!("{e}"));
    killed_in_transaction(&victim, || {
        admin.execute_sql(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{name}'"
        ))
    })
    .unwrap_or_else(|e| panic!("on PostgreSQL: {e}"));
}

/// MariaDB: kill the connections of a user made for the victim.
fn killed_on_mariadb() {
    let (owner, database) = foal_tests::fresh_named(Dialect::Mysql, "");
    let user = format!("victim_{}", std::process::id());
    owner
        .execute_sql(&format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'"))
        .and_then(|()| owner.execute_sql(&format!("GRANT ALL ON {database}.* TO '{user}'@'%'")))
        .unwrap_or_else(|e| panic!("{e}"));
    let admin_url = foal_tests::admin_url(Dialect::Mysql).unwrap_or_default();
    let (_, rest) = admin_url.split_once('@').unwrap_or_default();
    let host = rest.split('/').next().unwrap_or_default();
    let victim = Database::open(&format!("mysql://{user}:pw@{host}/{database}")).unwrap_or_else(|e| panic!("{e}"));
    killed_in_transaction(&victim, || owner.execute_sql(&format!("KILL CONNECTION USER '{user}'")))
        .unwrap_or_else(|e| panic!("on MySQL: {e}"));
    let _ = owner.execute_sql(&format!("DROP USER '{user}'@'%'"));
}

#[test]
fn a_failed_statement_keeps_the_transaction_all_or_nothing() {
    foal_tests::on_each(|db| {
        db.create_table::<Entry>()?;
        db.insert(entry("a"))?;
        // The batch fails halfway, and the transaction it is part of fails
        // with it: none of the transaction's writes remain.
        let outcome = db.transaction(|tx| {
            tx.insert(entry("b"))?;
            tx.insert_all(vec![entry("c"), entry("a"), entry("d")])?;
            Ok(())
        });
        assert!(matches!(outcome, Err(Error::Constraint { .. })), "{outcome:?}");
        assert_eq!(labels(db)?, ["a"]);
        // The connection that saw the failure serves the next call.
        db.insert_all(vec![entry("b"), entry("c")])?;
        assert_eq!(labels(db)?, ["a", "b", "c"]);
        Ok(())
    });
}

#[test]
fn a_statement_that_cannot_be_sent_leaves_the_pool_intact() {
    foal_tests::on_each(|db| {
        db.create_table::<Entry>()?;
        db.insert(entry("kept"))?;
        // PostgreSQL's protocol cannot carry a NUL byte in SQL text: the
        // client refuses it before sending anything.
        let outcome = db.execute_sql("SELECT 'a\0b'");
        assert!(!matches!(outcome, Err(Error::ConnectionLost { .. })), "{outcome:?}");
        if db.dialect() == Dialect::Postgres {
            assert!(matches!(outcome, Err(Error::Parameter { .. })), "{outcome:?}");
        }
        assert_eq!(labels(db)?, ["kept"]);
        Ok(())
    });
}

#[test]
fn postgres_statements_the_server_dropped_are_prepared_again() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    // Only PostgreSQL names prepared statements on the server, where
    // `DISCARD ALL` or a column type change can invalidate them.
    let db = foal_tests::fresh_with(Dialect::Postgres, "pool_size=1");
    let run = || -> foal::Result<()> {
        db.create_table::<Entry>()?;
        db.insert(entry("a"))?;
        assert_eq!(labels(&db)?, ["a"]);
        // Every prepared statement of the session is deallocated: the call
        // after may fail, the one after that prepares afresh.
        db.execute_sql("DISCARD ALL")?;
        let _ = labels(&db);
        assert_eq!(labels(&db)?, ["a"]);
        // The cached plan's result type changes.
        db.execute_sql("ALTER TABLE entry ALTER COLUMN label TYPE varchar(200)")?;
        let _ = labels(&db);
        assert_eq!(labels(&db)?, ["a"]);
        Ok(())
    };
    run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn an_error_quotes_a_readable_part_of_a_long_statement() {
    use foal_tests::estore::Product;
    for db in foal_tests::all() {
        // No table yet: preparing the statement fails, and the drivers
        // quote it (SQLite's whole text: 20 000 placeholders).
        let ids: Vec<i64> = (0..20_000).collect();
        let q = select!(p for p in Product if ids.contains(&p.id) && p.name.starts_with("x"));
        let e = match q.fetch_all(&db) {
            Err(e) => e,
            Ok(rows) => panic!("on {}: {} rows from a missing table", db.dialect(), rows.len()),
        };
        let text = e.to_string();
        assert!(
            text.len() <= foal::MESSAGE_LIMIT + 200,
            "on {}: {} bytes: {}…",
            db.dialect(),
            text.len(),
            &text[..200.min(text.len())]
        );
        assert!(text.contains("faults.rs"), "the call site stays: {text}");
        let debug = format!("{e:?}");
        assert!(debug.len() <= foal::MESSAGE_LIMIT + 400, "Debug: {} bytes", debug.len());
        // A query's Debug shows its first values, not all 20 000.
        let shown = format!("{q:?}");
        assert!(shown.len() < 2_000, "{} bytes", shown.len());
        assert!(shown.contains("19984 more"), "{shown}");
    }
}

//! The pool's lifecycle on each backend: idle connections reused before new
//! ones are opened, fair waiting in line, max lifetime, idle timeout and
//! min idle, a liveness check of idle connections, and the counters
//! `Database::pool_status` reports.

use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use foal::prelude::*;
use foal::{Dialect, Error};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Beat {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub n: i64,
}

/// A database of `dialect` with extra URL options (a file for SQLite, so
/// the pool can have several connections).
fn open(dialect: Dialect, options: &str) -> (Database, Option<foal_tests::TempFile>) {
    match dialect {
        Dialect::Sqlite => {
            let (db, file) = foal_tests::sqlite_file(options);
            (db, Some(file))
        }
        other => (foal_tests::fresh_with(other, options), None),
    }
}

fn beat(db: &Database) -> foal::Result<i64> {
    select!(b for b in Beat).count(db)
}

fn wait_for(what: &str, db: &Database, mut done: impl FnMut(&foal::PoolStatus) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(&db.pool_status()) {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen: {:?}",
            db.pool_status()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_idle_connection_is_reused_before_a_new_one_is_opened() {
    for dialect in foal_tests::backends() {
        let (db, _file) = open(dialect, "pool_size=8");
        db.create_table::<Beat>().unwrap_or_else(|e| panic!("{e}"));
        // Threads one after the other: each finds the first one's
        // connection idle, whatever slot its own thread would pick.
        for _ in 0..8 {
            let db = db.clone();
            thread::spawn(move || beat(&db).unwrap_or_else(|e| panic!("{e}")))
                .join()
                .unwrap_or_else(|_| panic!("a thread panicked"));
        }
        let status = db.pool_status();
        assert_eq!((status.open, status.opened), (1, 1), "on {dialect}: {status:?}");
    }
}

#[test]
fn waiters_are_served_in_the_order_they_came() {
    for dialect in foal_tests::backends() {
        let (db, _file) = open(dialect, "pool_size=1");
        db.create_table::<Beat>().unwrap_or_else(|e| panic!("{e}"));
        let order = Arc::new(Mutex::new(Vec::new()));
        let started = Arc::new(Barrier::new(2));
        let holder = {
            let (db, started) = (db.clone(), Arc::clone(&started));
            thread::spawn(move || {
                db.transaction(|tx| {
                    started.wait();
                    thread::sleep(Duration::from_millis(300));
                    select!(b for b in Beat).count(tx)
                })
            })
        };
        started.wait();
        let mut waiters = Vec::new();
        for i in 0..5 {
            let (mine, order) = (db.clone(), Arc::clone(&order));
            waiters.push(thread::spawn(move || {
                // Noted while the connection is held.
                mine.transaction(|tx| {
                    order.lock().unwrap_or_else(|e| e.into_inner()).push(i);
                    select!(b for b in Beat).count(tx)
                })
            }));
            // Each waiter is in line before the next one comes.
            wait_for("waiting", &db, |s| s.waiting == i + 1);
        }
        assert!(holder.join().is_ok_and(|r| r.is_ok()));
        for w in waiters {
            assert!(w.join().is_ok_and(|r| r.is_ok()));
        }
        assert_eq!(
            *order.lock().unwrap_or_else(|e| e.into_inner()),
            vec![0, 1, 2, 3, 4],
            "on {dialect}"
        );
        assert_eq!(db.pool_status().waiting, 0);
    }
}

#[test]
fn a_caller_that_waits_too_long_is_counted() {
    for dialect in foal_tests::backends() {
        let (db, _file) = open(dialect, "pool_size=1&pool_timeout_ms=50");
        db.create_table::<Beat>().unwrap_or_else(|e| panic!("{e}"));
        let outcome = db.transaction(|_| {
            let db = db.clone();
            Ok(thread::spawn(move || beat(&db)).join())
        });
        let inner = outcome.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(inner, Ok(Err(Error::PoolTimeout { .. }))), "on {dialect}");
        assert_eq!(db.pool_status().timeouts, 1);
        // The pool still works.
        assert_eq!(beat(&db).unwrap_or_else(|e| panic!("{e}")), 0);
    }
}

#[test]
fn connections_are_replaced_after_their_lifetime() {
    for dialect in foal_tests::backends() {
        let (db, _file) = open(dialect, "pool_size=2&pool_max_lifetime_ms=150");
        db.create_table::<Beat>().unwrap_or_else(|e| panic!("{e}"));
        beat(&db).unwrap_or_else(|e| panic!("{e}"));
        let first = db.pool_status().opened;
        thread::sleep(Duration::from_millis(250));
        beat(&db).unwrap_or_else(|e| panic!("{e}"));
        let status = db.pool_status();
        assert!(status.opened > first && status.closed >= 1, "on {dialect}: {status:?}");
    }
}

#[test]
fn idle_connections_above_min_idle_are_closed() {
    for dialect in foal_tests::backends() {
        let (db, _file) = open(dialect, "pool_size=4&pool_idle_timeout_ms=100&pool_min_idle=2");
        db.create_table::<Beat>().unwrap_or_else(|e| panic!("{e}"));
        // min_idle: two open without anyone asking.
        wait_for("min_idle", &db, |s| s.open >= 2);
        if dialect == Dialect::Sqlite {
            // Holding four connections at once takes four transactions,
            // and SQLite's (BEGIN IMMEDIATE) exclude each other.
            continue;
        }
        // Four at once, then idle.
        let all = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (db, all) = (db.clone(), Arc::clone(&all));
                thread::spawn(move || {
                    db.transaction(|tx| {
                        all.wait();
                        select!(b for b in Beat).count(tx)
                    })
                })
            })
            .collect();
        for h in handles {
            assert!(h.join().is_ok_and(|r| r.is_ok()));
        }
        assert_eq!(db.pool_status().open, 4, "on {dialect}");
        wait_for("closing idle connections", &db, |s| s.open == 2);
        assert_eq!(beat(&db).unwrap_or_else(|e| panic!("{e}")), 0);
    }
}

/// A server that dropped an idle connection: the pool pings it before
/// handing it out, and the caller never sees the dead one.
#[test]
fn a_dead_idle_connection_is_replaced_before_use() {
    for dialect in foal_tests::backends() {
        if dialect == Dialect::Sqlite {
            continue; // SQLite has no server to drop a connection.
        }
        let (db, _file) = open(dialect, "pool_size=2&pool_check_after_ms=0");
        db.create_table::<Beat>().unwrap_or_else(|e| panic!("{e}"));
        let (pid, kill): (i64, &str) = match dialect {
            Dialect::Postgres => (
                raw("SELECT CAST(pg_backend_pid() AS int8)")
                    .fetch_one(&db)
                    .unwrap_or_else(|e| panic!("{e}")),
                "SELECT pg_terminate_backend(CAST(? AS int4))",
            ),
            _ => (
                raw("SELECT CAST(CONNECTION_ID() AS SIGNED)")
                    .fetch_one(&db)
                    .unwrap_or_else(|e| panic!("{e}")),
                "KILL ?",
            ),
        };
        let admin =
            Database::open(&foal_tests::admin_url(dialect).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        match dialect {
            Dialect::Postgres => {
                let _: bool = raw(kill).bind(&pid).fetch_one(&admin).unwrap_or_else(|e| panic!("{e}"));
            }
            _ => {
                raw(kill).bind(&pid).execute(&admin).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        thread::sleep(Duration::from_millis(100));
        assert_eq!(beat(&db).unwrap_or_else(|e| panic!("on {dialect}: {e}")), 0);
        let status = db.pool_status();
        assert_eq!((status.opened, status.closed), (2, 1), "on {dialect}: {status:?}");
    }
}

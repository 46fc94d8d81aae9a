//! One `Database` shared by many threads, on each backend: a mixed load of
//! 32 threads × 200 operations, version-checked increments of one counter
//! with retries, and deadlocks resolved by `transaction_retry`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};

use foal::prelude::*;
use foal::{Dialect, Error};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Job {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub owner: i32,
    pub step: i32,
    #[foal(version)]
    pub version: i64,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Counter {
    #[foal(primary_key)]
    pub id: i64,
    pub value: i64,
    #[foal(version)]
    pub version: i64,
}

/// A database of each backend that several connections can use at once
/// (SQLite: a file in WAL mode, since an in-memory database is one
/// connection).
fn each_shared(check: impl Fn(&Database) -> foal::Result<()>) {
    for dialect in foal_tests::backends() {
        let (db, _file) = match dialect {
            Dialect::Sqlite => {
                let (db, file) = foal_tests::sqlite_file("pool_size=8");
                (db, Some(file))
            }
            _ => (foal_tests::fresh_with(dialect, "pool_size=16"), None),
        };
        if let Err(e) = check(&db) {
            panic!("on {dialect}: {e}");
        }
    }
}

fn join_all<T>(handles: Vec<std::thread::ScopedJoinHandle<'_, foal::Result<T>>>) -> foal::Result<Vec<T>> {
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|_| panic!("a worker thread panicked")))
        .collect()
}

#[test]
fn thirty_two_threads_two_hundred_operations_each() {
    const THREADS: i32 = 32;
    const OPS: i32 = 200;
    each_shared(|db| {
        db.create_table::<Job>()?;
        std::thread::scope(|scope| {
            let workers = (0..THREADS)
                .map(|owner| {
                    scope.spawn(move || -> foal::Result<()> {
                        let mut mine: Vec<Job> = Vec::new();
                        for step in 0..OPS {
                            match step % 5 {
                                0 => mine.push(db.insert(Job {
                                    id: 0,
                                    owner,
                                    step,
                                    version: 0,
                                })?),
                                1 => {
                                    let last = mine.last().map_or(0, |j| j.id);
                                    let read = db.get::<Job>(last)?;
                                    assert_eq!(read.as_ref(), mine.last());
                                }
                                2 => {
                                    if let Some(last) = mine.last_mut() {
                                        *last = db.update(last)?;
                                    }
                                }
                                3 => {
                                    let n = select!(j for j in Job if j.owner == owner).count(db)?;
                                    assert_eq!(n, mine.len() as i64);
                                }
                                _ => {
                                    let job = db.transaction(|tx| {
                                        let job = tx.insert(Job {
                                            id: 0,
                                            owner,
                                            step,
                                            version: 0,
                                        })?;
                                        let n = select!(j for j in Job if j.owner == owner).count(tx)?;
                                        assert_eq!(n, mine.len() as i64 + 1);
                                        Ok(job)
                                    })?;
                                    mine.push(job);
                                }
                            }
                        }
                        Ok(())
                    })
                })
                .collect();
            join_all(workers)
        })?;
        let per_owner = select!((j.owner, count(j), sum(j.version)) for j in Job).fetch_all(db)?;
        assert_eq!(per_owner.len(), THREADS as usize);
        // Each thread inserted 2 rows per 5 steps and bumped the version of
        // the row it had just inserted with `insert`, once per 5 steps.
        for (owner, rows, versions) in per_owner {
            assert_eq!((rows, versions), (80, 40), "owner {owner}");
        }
        Ok(())
    });
}

#[test]
fn version_checked_increments_with_retry_lose_nothing() {
    const THREADS: usize = 16;
    const ROUNDS: usize = 25;
    each_shared(|db| {
        db.create_table::<Counter>()?;
        db.insert(Counter {
            id: 1,
            value: 0,
            version: 0,
        })?;
        let attempts = AtomicU32::new(0);
        std::thread::scope(|scope| {
            let workers = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| -> foal::Result<()> {
                        for _ in 0..ROUNDS {
                            db.transaction_retry(1000, |tx| {
                                attempts.fetch_add(1, Ordering::Relaxed);
                                let c = tx.get::<Counter>(1)?.ok_or(Error::Config("counter vanished".into()))?;
                                tx.update(&Counter {
                                    value: c.value + 1,
                                    ..c
                                })?;
                                Ok(())
                            })?;
                        }
                        Ok(())
                    })
                })
                .collect();
            join_all(workers)
        })?;
        let c = db.get::<Counter>(1)?.ok_or(Error::Config("counter vanished".into()))?;
        let total = (THREADS * ROUNDS) as i64;
        assert_eq!((c.value, c.version), (total, total));
        eprintln!(
            "{}: {total} increments took {} attempts",
            db.dialect(),
            attempts.load(Ordering::Relaxed)
        );
        Ok(())
    });
}

#[test]
fn deadlocks_are_retried() {
    each_shared(|db| {
        db.create_table::<Counter>()?;
        db.insert_all(vec![
            Counter {
                id: 1,
                value: 0,
                version: 0,
            },
            Counter {
                id: 2,
                value: 0,
                version: 0,
            },
        ])?;
        // Two transactions lock the two rows in opposite orders, and wait
        // for each other before taking the second: the server must break
        // the deadlock, and the loser is retried.
        let barrier = Arc::new(Barrier::new(2));
        let attempts = AtomicU32::new(0);
        let bump = |tx: &foal::Transaction<'_>, id: i64| -> foal::Result<()> {
            let locked = select!(Counter.filter(|c| c.id == id).for_update());
            let c = locked.fetch_one(tx)?;
            tx.update(&Counter {
                value: c.value + 1,
                ..c
            })
            .map(|_| ())
        };
        std::thread::scope(|scope| {
            let workers = [(1, 2), (2, 1)]
                .into_iter()
                .map(|(first, second)| {
                    let (barrier, attempts, bump) = (Arc::clone(&barrier), &attempts, &bump);
                    scope.spawn(move || -> foal::Result<()> {
                        let mut tries = 0;
                        db.transaction_retry(10, |tx| {
                            tries += 1;
                            attempts.fetch_add(1, Ordering::Relaxed);
                            bump(tx, first)?;
                            if tries == 1 && tx.dialect() != Dialect::Sqlite {
                                barrier.wait();
                            }
                            bump(tx, second)
                        })
                    })
                })
                .collect();
            join_all(workers)
        })?;
        let values = select!(Counter.order_by(|c| c.id).map(|c| c.value)).fetch_all(db)?;
        assert_eq!(values, [2, 2]);
        let attempts = attempts.load(Ordering::Relaxed);
        if db.dialect() == Dialect::Sqlite {
            // BEGIN IMMEDIATE serializes SQLite's writers: no deadlock.
            assert_eq!(attempts, 2);
        } else {
            assert!(
                attempts >= 3,
                "one transaction should have been retried ({attempts} attempts)"
            );
        }
        Ok(())
    });
}

//! Streaming: `for_each` and `fetch_iter` give exactly the rows `fetch_all`
//! gives (entities, tuples, filters, order), stop at the first error,
//! leave the connection healthy when stopped or dropped half way, and hold
//! a transaction's connection while they run, on every backend.

use foal::prelude::*;
use foal::{Error, Executor};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Reading {
    #[foal(primary_key)]
    pub id: i64,
    pub sensor: String,
    pub amount: i64,
    pub note: Option<String>,
}

const ROWS: i64 = 3000;

fn readings() -> Vec<Reading> {
    (1..=ROWS)
        .map(|id| Reading {
            id,
            sensor: format!("sensor-{}", id % 7),
            amount: (id * 37) % 101 - 50,
            note: (id % 3 == 0).then(|| format!("note {id}")),
        })
        .collect()
}

fn setup(db: &Database) -> foal::Result<Vec<Reading>> {
    db.create_table::<Reading>()?;
    let rows = readings();
    db.insert_all(rows.clone())?;
    Ok(rows)
}

fn streamed<T: Send + 'static>(q: &foal::Query<T>, ex: &impl Executor) -> foal::Result<(Vec<T>, Vec<T>)> {
    let mut each = Vec::new();
    q.for_each(ex, |row| {
        each.push(row);
        Ok(())
    })?;
    let iterated = q.fetch_iter(ex)?.collect::<foal::Result<Vec<T>>>()?;
    Ok((each, iterated))
}

#[test]
fn streamed_rows_are_the_rows_of_fetch_all() {
    foal_tests::on_each(|db| {
        let rows = setup(db)?;
        let d = db.dialect();

        let all = select!(Reading.order_by(|r| r.id));
        let (each, iterated) = streamed(&all, db)?;
        assert_eq!(each, rows, "{d}: for_each over entities");
        assert_eq!(iterated, rows, "{d}: fetch_iter over entities");

        let low = -10;
        let q = select!(
            Reading
                .filter(|r| r.amount > low && r.note.is_some())
                .order_by(|r| (desc(r.amount), r.id))
                .map(|r| (r.id, r.sensor, r.note))
        );
        let mut want: Vec<&Reading> = rows.iter().filter(|r| r.amount > low && r.note.is_some()).collect();
        want.sort_by_key(|r| (-r.amount, r.id));
        let want: Vec<(i64, String, Option<String>)> = want
            .into_iter()
            .map(|r| (r.id, r.sensor.clone(), r.note.clone()))
            .collect();
        assert!(want.len() > 500, "{d}: the filter keeps many chunks' worth");
        let (each, iterated) = streamed(&q, db)?;
        assert_eq!(each, want, "{d}: for_each over a filtered tuple");
        assert_eq!(iterated, want, "{d}: fetch_iter over a filtered tuple");
        assert_eq!(q.fetch_all(db)?, want, "{d}: fetch_all agrees");

        let none = select!(r.id for r in Reading if r.amount > 1000);
        let (each, iterated) = streamed(&none, db)?;
        assert!(each.is_empty() && iterated.is_empty(), "{d}: no rows");

        // Grouped rows stream too.
        let per_sensor = select!(Reading.order_by(|r| r.sensor).map(|r| (r.sensor, count(r))));
        let (each, iterated) = streamed(&per_sensor, db)?;
        assert_eq!(each, per_sensor.fetch_all(db)?, "{d}: grouped");
        assert_eq!(iterated.len(), 7, "{d}: grouped");
        Ok(())
    });
}

#[test]
fn for_each_stops_at_the_first_error_and_the_connection_stays_usable() {
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh_with(dialect, "pool_size=1");
        setup(&db).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let mut seen = 0;
        let stopped = select!(Reading.order_by(|r| r.id)).for_each(&db, |r| {
            seen += 1;
            if r.id == 1000 {
                return Err(Error::Usage {
                    message: "enough".into(),
                    site: foal::CallSite::caller(),
                });
            }
            Ok(())
        });
        match stopped {
            Err(Error::Usage { message, .. }) => assert_eq!(message, "enough", "{dialect}"),
            other => panic!("{dialect}: {other:?}"),
        }
        assert_eq!(seen, 1000, "{dialect}: no row after the error");
        let before = db.pool_status();
        // The one connection is back and in step: the next statements read
        // their own replies.
        let count = select!(r for r in Reading)
            .count(&db)
            .unwrap_or_else(|e| panic!("{dialect}: {e}"));
        assert_eq!(count, ROWS, "{dialect}");
        let last = select!(Reading.order_by(|r| desc(r.id)).map(|r| r.id)).first(&db);
        assert_eq!(last.ok().flatten(), Some(ROWS), "{dialect}");
        assert_eq!(
            db.pool_status().closed,
            before.closed,
            "{dialect}: the connection was kept"
        );
    }
}

#[test]
fn an_iterator_dropped_half_way_leaves_the_pool_healthy() {
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh_with(dialect, "pool_size=1&pool_timeout_ms=5000");
        let rows = setup(&db).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let q = select!(Reading.order_by(|r| r.id).map(|r| (r.id, r.sensor)));
        for take in [0, 1, 10, 700, 2999] {
            let opened = db.pool_status().opened;
            let mut iter = q.fetch_iter(&db).unwrap_or_else(|e| panic!("{dialect}: {e}"));
            let first: Vec<(i64, String)> = iter
                .by_ref()
                .take(take)
                .collect::<foal::Result<_>>()
                .unwrap_or_else(|e| panic!("{dialect}: {e}"));
            assert_eq!(first.len(), take, "{dialect}");
            assert!(
                first.iter().zip(&rows).all(|((id, _), r)| *id == r.id),
                "{dialect}: the first rows in order"
            );
            // While the iterator lives, it holds the only connection.
            let status = db.pool_status();
            assert_eq!(status.idle, 0, "{dialect}: the connection is lent");
            drop(iter);
            let status = db.pool_status();
            assert_eq!(status.idle, 1, "{dialect}: back in the pool after {take} rows");
            let n = select!(r for r in Reading)
                .count(&db)
                .unwrap_or_else(|e| panic!("{dialect}: {e}"));
            assert_eq!(n, ROWS, "{dialect}: the connection answers the next statement");
            assert_eq!(
                db.pool_status().opened,
                opened,
                "{dialect}: no new connection was needed"
            );
        }
        // Exhausted, the iterator has given the connection back already.
        let mut iter = q.fetch_iter(&db).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        assert_eq!(iter.by_ref().count(), ROWS as usize, "{dialect}");
        assert!(iter.next().is_none(), "{dialect}: fused");
        assert_eq!(db.pool_status().idle, 1, "{dialect}");
    }
}

#[test]
fn an_error_before_the_first_row_is_fetch_iters_own() {
    foal_tests::on_each(|db| {
        // The table does not exist yet.
        let q = select!(r.id for r in Reading);
        match q.fetch_iter(db) {
            Err(Error::Database { .. }) => {}
            Err(other) => panic!("{}: {other:?}", db.dialect()),
            Ok(_) => panic!("{}: a missing table streamed", db.dialect()),
        }
        let mut called = false;
        assert!(
            q.for_each(db, |_| {
                called = true;
                Ok(())
            })
            .is_err()
        );
        assert!(!called);
        // Nothing is left behind.
        setup(db)?;
        assert_eq!(q.fetch_iter(db)?.count(), ROWS as usize);
        Ok(())
    });
}

#[test]
fn streaming_in_a_transaction_sees_its_writes_and_holds_its_connection() {
    foal_tests::on_each(|db| {
        setup(db)?;
        let d = db.dialect();
        db.transaction(|tx| {
            select!(Reading.filter(|r| r.id <= 100)).delete(tx)?;
            let q = select!(Reading.order_by(|r| r.id).map(|r| r.id));
            let mut iter = q.fetch_iter(tx)?;
            assert_eq!(
                iter.next().transpose()?,
                Some(101),
                "{d}: the transaction's own delete is seen"
            );
            // The transaction's connection is the iterator's until it is dropped.
            match select!(r for r in Reading).count(tx) {
                Err(Error::Database { message, .. }) => assert!(message.contains("fetch_iter"), "{d}: {message}"),
                other => panic!("{d}: {other:?}"),
            }
            drop(iter);
            assert_eq!(select!(r for r in Reading).count(tx)?, ROWS - 100, "{d}");
            let mut sum = 0;
            q.for_each(tx, |id| {
                sum += id;
                Ok(())
            })?;
            assert_eq!(sum, (101..=ROWS).sum::<i64>(), "{d}");
            Ok(())
        })?;
        assert_eq!(select!(r for r in Reading).count(db)?, ROWS - 100, "{d}: committed");
        Ok(())
    });
}

#[derive(SqlValue, Debug, Clone, Copy, PartialEq)]
pub enum Level {
    Low,
    High,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Tagged {
    #[foal(primary_key)]
    pub id: i64,
    pub level: Level,
}

#[test]
fn a_stored_value_that_cannot_be_decoded_ends_the_stream_with_an_error() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        db.create_table::<Tagged>()?;
        db.insert_all(
            (1..=1000)
                .map(|id| Tagged {
                    id,
                    level: if id % 2 == 0 { Level::Low } else { Level::High },
                })
                .collect(),
        )?;
        // Written by another program: not a variant.
        assert_eq!(raw("UPDATE tagged SET level = 'Bogus' WHERE id = 600").execute(db)?, 1);
        let q = select!(Tagged.order_by(|t| t.id));
        let results: Vec<foal::Result<Tagged>> = q.fetch_iter(db)?.collect();
        assert_eq!(results.len(), 600, "{d}: 599 rows, then the error, then nothing");
        assert!(results[..599].iter().all(|r| r.is_ok()), "{d}");
        match &results[599] {
            Err(Error::Decode { message, .. }) => {
                assert!(message.contains("`Bogus` is not a variant"), "{d}: {message}")
            }
            other => panic!("{d}: {other:?}"),
        }
        let mut seen = 0;
        let stopped = q.for_each(db, |_| {
            seen += 1;
            Ok(())
        });
        assert!(matches!(stopped, Err(Error::Decode { .. })), "{d}: {stopped:?}");
        assert_eq!(seen, 599, "{d}");
        // And the connections are fine afterwards.
        assert_eq!(select!(t for t in Tagged if t.id < 600).count(db)?, 599, "{d}");
        Ok(())
    });
}

//! The pool never hands out a connection inside a transaction, whatever
//! way the last user left it: raw `BEGIN`, a transaction closure that
//! fails, panics (the panic caught by the caller) or ignores an error, a
//! nested transaction that fails. Each case runs on a pool of one
//! connection, then writes a row outside any transaction, which a second
//! handle on the same database must see: a reused connection still inside
//! the old transaction would hide it (and lose it).

use foal::prelude::*;
use foal::{Dialect, Error};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Mark {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub label: String,
}

/// An entity whose table is never created.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Never {
    #[foal(primary_key, auto)]
    pub id: i64,
}

/// A pool of one connection, and a second handle on the same database.
fn two_handles(dialect: Dialect) -> (Database, Database, Option<foal_tests::TempFile>) {
    match dialect {
        Dialect::Sqlite => {
            let (db, file) = foal_tests::sqlite_file("pool_size=1");
            let other = Database::open(&format!("sqlite://{}", file.0.display())).unwrap_or_else(|e| panic!("{e}"));
            (db, other, Some(file))
        }
        Dialect::Postgres => {
            let (db, name) = foal_tests::fresh_named(dialect, "pool_size=1");
            let url = foal_tests::admin_url(dialect).unwrap_or_default();
            let other =
                Database::open(&format!("{url}?options=-c%20search_path%3D{name}")).unwrap_or_else(|e| panic!("{e}"));
            (db, other, None)
        }
        Dialect::Mysql => {
            let (db, name) = foal_tests::fresh_named(dialect, "pool_size=1");
            let url = foal_tests::admin_url(dialect).unwrap_or_default();
            let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b).to_owned();
            let other = Database::open(&format!("{base}/{name}")).unwrap_or_else(|e| panic!("{e}"));
            (db, other, None)
        }
    }
}

/// One way of leaving a transaction behind.
type Way = Box<dyn Fn(&Database)>;

fn visible(other: &Database, label: &str) -> foal::Result<bool> {
    select!(m for m in Mark if m.label == label).exists(other)
}

fn mark(label: &str) -> Mark {
    Mark {
        id: 0,
        label: label.to_owned(),
    }
}

#[test]
fn no_way_out_of_a_transaction_leaves_it_open_on_a_pooled_connection() {
    for dialect in foal_tests::backends() {
        let (db, other, _file) = two_handles(dialect);
        db.create_table::<Mark>().unwrap_or_else(|e| panic!("{e}"));
        let mut ways: Vec<(&str, Way)> = vec![
            (
                "raw BEGIN",
                Box::new(|db: &Database| {
                    db.execute_sql("BEGIN").unwrap_or_else(|e| panic!("{e}"));
                }),
            ),
            (
                "raw BEGIN and a write",
                Box::new(|db: &Database| {
                    let both = if db.dialect() == Dialect::Mysql {
                        "START TRANSACTION; INSERT INTO mark (label) VALUES ('lost')"
                    } else {
                        "BEGIN; INSERT INTO mark (label) VALUES ('lost')"
                    };
                    db.execute_sql(both).unwrap_or_else(|e| panic!("{e}"));
                }),
            ),
            (
                "a closure that fails",
                Box::new(|db: &Database| {
                    let r: foal::Result<()> = db.transaction(|tx| {
                        tx.insert(mark("rolled back"))?;
                        Err(Error::Usage {
                            message: "no".into(),
                            site: foal::CallSite::caller(),
                        })
                    });
                    assert!(r.is_err());
                }),
            ),
            (
                "a closure that panics, caught",
                Box::new(|db: &Database| {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let _ = db.transaction(|tx| -> foal::Result<()> {
                            tx.insert(mark("rolled back"))?;
                            panic!("in the middle of a transaction");
                        });
                    }));
                    assert!(r.is_err());
                }),
            ),
            (
                "a closure that ignores a failed statement",
                Box::new(|db: &Database| {
                    let _ = db.transaction(|tx| {
                        assert!(select!(n for n in Never).fetch_all(tx).is_err());
                        Ok(())
                    });
                }),
            ),
            (
                "a nested transaction that fails",
                Box::new(|db: &Database| {
                    let _ = db.transaction(|tx| {
                        let inner: foal::Result<()> = tx.transaction(|tx2| {
                            tx2.insert(mark("inner"))?;
                            Err(Error::Usage {
                                message: "no".into(),
                                site: foal::CallSite::caller(),
                            })
                        });
                        assert!(inner.is_err());
                        Ok(())
                    });
                }),
            ),
        ];
        for (n, (way, leave)) in ways.drain(..).enumerate() {
            leave(&db);
            let label = format!("after {n}");
            db.insert(mark(&label))
                .unwrap_or_else(|e| panic!("on {dialect} after {way}: {e}"));
            assert!(
                visible(&other, &label).unwrap_or_else(|e| panic!("{e}")),
                "on {dialect}: after {way}, the next write was inside a transaction still open"
            );
        }
        assert!(!visible(&other, "rolled back").unwrap_or(true), "on {dialect}");
    }
}

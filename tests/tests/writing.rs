//! Writing rows on SQLite, PostgreSQL and MariaDB: inserts with generated
//! keys, chunked multi-row inserts that keep all or nothing, get, update,
//! delete, upserts by key and by a unique field, transactions with
//! savepoints, and the error each failure becomes.

use foal::prelude::*;
use foal::{Dialect, Error};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Subscriber {
    #[foal(primary_key, auto)]
    pub id: i64,
    #[foal(unique)]
    pub email: String,
    pub name: String,
    #[foal(version)]
    pub version: i64,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Message {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub to: Ref<Subscriber>,
    pub text: String,
}

/// A natural text key, no generated one.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Setting {
    #[foal(primary_key)]
    pub name: String,
    pub value: String,
}

fn subscriber(n: usize) -> Subscriber {
    Subscriber {
        id: 0,
        email: format!("s{n}@example.org"),
        name: format!("S{n}"),
        version: 0,
    }
}

fn setup(db: &Database) -> foal::Result<()> {
    db.create_table::<Subscriber>()?;
    db.create_table::<Message>()?;
    db.create_table::<Setting>()
}

fn count(db: &impl foal::Executor) -> foal::Result<i64> {
    select!(s for s in Subscriber).count(db)
}

#[test]
fn insert_fills_in_keys_and_get_reads_them_back() {
    foal_tests::on_each(|db| {
        setup(db)?;
        let a = db.insert(subscriber(1))?;
        let b = db.insert(subscriber(2))?;
        assert!(a.id > 0 && b.id > a.id, "{a:?} {b:?}");
        assert_eq!(db.get::<Subscriber>(b.id)?, Some(b.clone()));
        assert_eq!(db.get::<Subscriber>(b.id + 100)?, None);
        let s = db.insert(Setting {
            name: "theme".into(),
            value: "dark".into(),
        })?;
        assert_eq!(db.get::<Setting>("theme".to_string())?, Some(s));
        Ok(())
    });
}

#[test]
fn insert_all_is_chunked_and_returns_every_key() {
    foal_tests::on_each(|db| {
        setup(db)?;
        // More rows than one statement takes (1000 per chunk).
        let rows: Vec<Subscriber> = (0..2500).map(subscriber).collect();
        let before = db.statement_count();
        let stored = db.insert_all(rows)?;
        let sent = db.statement_count() - before;
        // BEGIN, three INSERTs, COMMIT.
        assert_eq!(sent, 5, "statements sent by insert_all");
        let read = select!(Subscriber.order_by(|s| s.id).map(|s| (s.id, s.email))).fetch_all(db)?;
        let returned: Vec<(i64, String)> = stored.iter().map(|s| (s.id, s.email.clone())).collect();
        assert_eq!(read, returned);
        assert_eq!(stored.last().map(|s| s.email.as_str()), Some("s2499@example.org"));
        Ok(())
    });
}

#[test]
fn insert_keys_returns_the_keys_of_rows_it_consumes() {
    foal_tests::on_each(|db| {
        setup(db)?;
        // Generated keys, over three chunks; the text arrives whole although
        // MySQL's driver is handed it by move.
        let keys = db.insert_keys((0..2500).map(subscriber).collect())?;
        let read = select!(Subscriber.order_by(|s| s.id).map(|s| (s.id, s.email, s.name))).fetch_all(db)?;
        let expected: Vec<(i64, String, String)> = keys
            .iter()
            .enumerate()
            .map(|(n, id)| (*id, format!("s{n}@example.org"), format!("S{n}")))
            .collect();
        assert_eq!(read, expected);
        // A natural text key is returned as given, although its text was
        // sent by move too.
        let settings = vec![
            Setting {
                name: "theme".into(),
                value: "dark".into(),
            },
            Setting {
                name: "ünïcode".into(),
                value: String::new(),
            },
        ];
        assert_eq!(db.insert_keys(settings.clone())?, ["theme", "ünïcode"]);
        let stored = select!(Setting.order_by(|s| s.name)).fetch_all(db)?;
        assert_eq!(stored, settings);
        // Nothing is kept when one row fails, in a later chunk or not.
        let mut rows: Vec<Subscriber> = (3000..4500).map(subscriber).collect();
        rows[1200].email = "s7@example.org".into();
        assert!(matches!(db.insert_keys(rows), Err(Error::Constraint { .. })));
        let bad = vec![Setting {
            name: "nul".into(),
            value: "a\0b".into(),
        }];
        assert!(matches!(db.insert_keys(bad), Err(Error::Parameter { .. })));
        assert_eq!(count(db)?, 2500);
        assert_eq!(select!(s for s in Setting).count(db)?, 2);
        assert!(db.insert_keys(Vec::<Setting>::new())?.is_empty());
        Ok(())
    });
}

#[test]
fn a_transaction_s_statements_are_counted_when_it_ends() {
    foal_tests::on_each(|db| {
        setup(db)?;
        let before = db.statement_count();
        db.transaction(|tx| {
            tx.insert(subscriber(1))?;
            tx.insert(subscriber(2))?;
            // The connection is still out: its statements are not in yet.
            assert_eq!(db.statement_count(), before, "counted while the transaction runs");
            Ok(())
        })?;
        // BEGIN, two INSERTs, COMMIT.
        assert_eq!(db.statement_count() - before, 4);
        let count = select!(s for s in Subscriber).count(db)?;
        assert_eq!(count, 2);
        assert_eq!(db.statement_count() - before, 5);
        Ok(())
    });
}

#[test]
fn insert_all_keeps_nothing_when_a_row_fails() {
    foal_tests::on_each(|db| {
        setup(db)?;
        db.insert(subscriber(5))?;
        // Row 1800 (in the second chunk) repeats a unique email.
        let mut rows: Vec<Subscriber> = (10..2500).map(subscriber).collect();
        rows[1800].email = "s5@example.org".into();
        match db.insert_all(rows) {
            Err(Error::Constraint { constraint, site, .. }) => {
                let name = constraint.unwrap_or_default();
                assert!(name.contains("email"), "constraint name `{name}`");
                assert!(site.file().ends_with("writing.rs"), "{site}");
            }
            other => panic!("expected a constraint violation, got {other:?}"),
        }
        assert_eq!(count(db)?, 1, "the first chunk was rolled back too");
        // Inside a transaction, a nested transaction (a savepoint) undoes
        // the failed insert_all and the transaction goes on (PostgreSQL
        // refuses any statement after an error until the savepoint is
        // rolled back).
        db.transaction(|tx| {
            tx.insert(subscriber(6))?;
            let failed = tx.transaction(|tx| tx.insert_all(vec![subscriber(7), subscriber(5)]));
            assert!(matches!(failed, Err(Error::Constraint { .. })), "{failed:?}");
            tx.insert(subscriber(8))?;
            Ok(())
        })?;
        let emails = select!(Subscriber.order_by(|s| s.email).map(|s| s.email)).fetch_all(db)?;
        assert_eq!(emails, ["s5@example.org", "s6@example.org", "s8@example.org"]);
        Ok(())
    });
}

#[test]
fn generated_keys_follow_the_servers_increment() {
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh_with(dialect, "pool_size=1");
        let step = if dialect == Dialect::Mysql {
            // MySQL draws a multi-row INSERT's keys `auto_increment_increment` apart.
            db.execute_sql("SET SESSION auto_increment_increment = 3")
                .unwrap_or_else(|e| panic!("{e}"));
            3
        } else {
            1
        };
        let run = || -> foal::Result<()> {
            setup(&db)?;
            let stored = db.insert_all((0..5).map(subscriber).collect())?;
            let ids: Vec<i64> = stored.iter().map(|s| s.id).collect();
            let read = select!(Subscriber.order_by(|s| s.id).map(|s| s.id)).fetch_all(&db)?;
            assert_eq!(ids, read);
            assert!(ids.windows(2).all(|w| w[1] - w[0] == step), "{ids:?}");
            Ok(())
        };
        run().unwrap_or_else(|e| panic!("on {dialect}: {e}"));
    }
}

#[test]
fn update_and_delete_check_versions() {
    foal_tests::on_each(|db| {
        setup(db)?;
        let a = db.insert(subscriber(1))?;
        let renamed = db.update(&Subscriber {
            name: "Ann".into(),
            ..a.clone()
        })?;
        assert_eq!(renamed.version, a.version + 1);
        assert_eq!(db.get::<Subscriber>(a.id)?, Some(renamed.clone()));
        // The copy read before the rename is stale.
        let stale = db.update(&Subscriber {
            name: "Bob".into(),
            ..a.clone()
        });
        assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
        assert!(matches!(db.delete(&a), Err(Error::Conflict { .. })));
        assert_eq!(db.delete(&renamed)?, 1);
        assert_eq!(db.get::<Subscriber>(a.id)?, None);
        // Without a version, a missing row is NotFound for update and 0 for delete.
        let ghost = Setting {
            name: "ghost".into(),
            value: String::new(),
        };
        assert!(matches!(db.update(&ghost), Err(Error::NotFound { .. })));
        assert_eq!(db.delete(&ghost)?, 0);
        Ok(())
    });
}

#[test]
fn upsert_by_key_and_by_a_unique_field() {
    foal_tests::on_each(|db| {
        setup(db)?;
        // By the primary key.
        let s = db.upsert(Setting {
            name: "lang".into(),
            value: "en".into(),
        })?;
        assert_eq!(s.value, "en");
        let s = db.upsert(Setting {
            name: "lang".into(),
            value: "fr".into(),
        })?;
        assert_eq!(s.value, "fr");
        assert_eq!(select!(s for s in Setting).count(db)?, 1);

        // By a unique field: a new row gets a generated key, an existing one
        // keeps its key and its version goes up.
        let first = db.upsert_by(subscriber(1), |s| s.email)?;
        assert!(first.id > 0);
        assert_eq!(first.version, 0);
        let again = db.upsert_by(
            Subscriber {
                name: "Renamed".into(),
                ..subscriber(1)
            },
            |s| s.email,
        )?;
        assert_eq!((again.id, again.name.as_str(), again.version), (first.id, "Renamed", 1));
        let other = db.upsert_by(subscriber(2), |s| s.email)?;
        assert_ne!(other.id, first.id);
        assert_eq!(count(db)?, 2);
        assert_eq!(db.get::<Subscriber>(first.id)?, Some(again));

        // By the key of a versioned row: overwritten, version bumped.
        let by_key = db.upsert(Subscriber {
            name: "By key".into(),
            ..other.clone()
        })?;
        assert_eq!((by_key.id, by_key.version), (other.id, other.version + 1));

        // A field that is not unique cannot be a conflict key.
        match db.upsert_by(subscriber(3), |s| s.name) {
            Err(Error::Usage { message, .. }) => assert!(message.contains("unique"), "{message}"),
            other => panic!("expected a usage error, got {other:?}"),
        }
        Ok(())
    });
}

#[test]
fn transactions_commit_roll_back_and_nest() {
    foal_tests::on_each(|db| {
        setup(db)?;
        db.transaction(|tx| {
            tx.insert(subscriber(1))?;
            // A nested transaction is a savepoint: its failure undoes only its writes.
            let inner: foal::Result<()> = tx.transaction(|tx| {
                tx.insert(subscriber(2))?;
                Err(Error::Config("changed my mind".into()))
            });
            assert!(inner.is_err());
            tx.transaction(|tx| tx.insert(subscriber(3)).map(|_| ()))?;
            assert_eq!(count(tx)?, 2);
            Ok(())
        })?;
        assert_eq!(count(db)?, 2);

        let failed: foal::Result<()> = db.transaction(|tx| {
            tx.insert(subscriber(4))?;
            Err(Error::Config("rolled back".into()))
        });
        assert!(failed.is_err());
        assert_eq!(count(db)?, 2);

        // A panic rolls back, then goes on unwinding.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = db.transaction(|tx| -> foal::Result<()> {
                tx.insert(subscriber(5))?;
                panic!("boom");
            });
        }));
        assert!(panicked.is_err(), "the panic must reach the caller");
        assert_eq!(count(db)?, 2);
        // The connection went back to the pool in a usable state.
        db.insert(subscriber(6))?;
        assert_eq!(count(db)?, 3);
        Ok(())
    });
}

#[test]
fn each_failure_has_its_own_error() {
    foal_tests::on_each(|db| {
        setup(db)?;
        let a = db.insert(subscriber(1))?;
        // Not found, with the call site of the query.
        let q = select!(s for s in Subscriber if s.id == a.id + 1);
        match q.fetch_one(db) {
            Err(e @ Error::NotFound { .. }) => {
                let site = e.site().unwrap_or_else(|| panic!("no site in {e}"));
                assert!(site.file().ends_with("writing.rs") && site.line() > 0, "{site}");
                assert!(e.to_string().contains("writing.rs"), "{e}");
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        // Too many rows.
        db.insert(subscriber(2))?;
        assert!(matches!(
            select!(s for s in Subscriber).fetch_one(db),
            Err(Error::TooManyRows { .. })
        ));
        // A unique key, named.
        match db.insert(subscriber(1)) {
            Err(Error::Constraint { constraint, .. }) => {
                assert!(constraint.unwrap_or_default().contains("email"));
            }
            other => panic!("expected a unique violation, got {other:?}"),
        }
        // A reference to a missing row. SQLite does not name foreign keys.
        let orphan = db.insert(Message {
            id: 0,
            to: Ref::new(a.id + 100),
            text: "hello".into(),
        });
        match orphan {
            Err(Error::Constraint { constraint, .. }) => {
                if db.dialect() != Dialect::Sqlite {
                    assert!(constraint.is_some(), "foreign key name missing");
                }
            }
            other => panic!("expected a foreign key violation, got {other:?}"),
        }
        // Decoding: a NULL read into a type without room for it.
        let q = select!(max(s.id) for s in Subscriber if s.id < 0);
        assert_eq!(q.fetch_one(db)?, None);
        // A value with no meaning on every backend is refused before it
        // reaches the server.
        let bad = db.insert(Setting {
            name: "nul".into(),
            value: "a\0b".into(),
        });
        assert!(matches!(bad, Err(Error::Parameter { .. })), "{bad:?}");
        Ok(())
    });
}

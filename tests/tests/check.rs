//! `db.check::<E>()` on every backend: a table foal created matches its
//! entity; a table made by hand with five kinds of difference gets all of
//! them in one `Error::Schema`; no table at all is one difference.

use foal::Error;
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Account {
    #[foal(primary_key)]
    pub id: i64,
    pub name: String,
    pub balance: f64,
    pub note: Option<String>,
    pub opened: i32,
}

fn differences(result: foal::Result<()>, dialect: Dialect) -> Vec<String> {
    match result {
        Err(Error::Schema {
            entity,
            table,
            differences,
            ..
        }) => {
            assert_eq!((entity, table.as_str()), ("Account", "account"), "{dialect}");
            differences
        }
        other => panic!("{dialect}: {other:?}"),
    }
}

#[test]
fn tables_foal_creates_match_their_entities() {
    foal_tests::on_each(|db| {
        db.create_table::<Account>()?;
        db.check::<Account>()?;
        foal_tests::estore::fill(db)?;
        db.check::<foal_tests::estore::Customer>()?;
        db.check::<foal_tests::estore::Order>()?;
        db.check::<foal_tests::estore::Product>()?;
        db.check::<foal_tests::estore::OrderItem>()?;
        db.check::<foal_tests::estore::Category>()?;
        Ok(())
    });
}

#[test]
fn every_difference_of_a_hand_made_table_is_reported() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        let ddl = match d {
            Dialect::Sqlite => {
                "CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT, balance BLOB NOT NULL, \
                 opened INTEGER NOT NULL, extra TEXT NOT NULL)"
            }
            Dialect::Postgres => {
                "CREATE TABLE account (id BIGINT PRIMARY KEY, name TEXT COLLATE \"und-x-icu\", \
                 balance TEXT NOT NULL, opened INTEGER NOT NULL, extra TEXT NOT NULL)"
            }
            Dialect::Mysql => {
                "CREATE TABLE account (id BIGINT PRIMARY KEY, name VARCHAR(100) COLLATE utf8mb4_general_ci, \
                 balance TEXT NOT NULL, opened INT NOT NULL, extra TEXT NOT NULL) \
                 DEFAULT CHARSET=utf8mb4"
            }
        };
        db.execute_sql(ddl)?;
        let found = differences(db.check::<Account>(), d);
        let has = |what: &str| found.iter().any(|f| f.contains(what));
        assert!(has("column note is missing"), "{d}: {found:#?}");
        assert!(has("column balance is `"), "{d}: {found:#?}");
        assert!(has("column name may hold NULL"), "{d}: {found:#?}");
        assert!(has("column extra is NOT NULL without a default"), "{d}: {found:#?}");
        let collation = has("column name collates text");
        assert_eq!(collation, d != Dialect::Sqlite, "{d}: {found:#?}");
        assert_eq!(found.len(), if d == Dialect::Sqlite { 4 } else { 5 }, "{d}: {found:#?}");
        // The message lists them all.
        let message = db.check::<Account>().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("column note is missing") && message.contains("extra"),
            "{d}: {message}"
        );
        Ok(())
    });
}

#[test]
fn a_key_the_table_does_not_share_is_reported() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        let text = if d == Dialect::Mysql { "VARCHAR(100)" } else { "TEXT" };
        let collate = match d {
            Dialect::Postgres => " COLLATE \"C\"",
            Dialect::Mysql => " COLLATE utf8mb4_nopad_bin",
            Dialect::Sqlite => "",
        };
        db.execute_sql(&format!(
            "CREATE TABLE account (id BIGINT NOT NULL, name {text}{collate} NOT NULL, \
             balance DOUBLE PRECISION NOT NULL, note {text}{collate}, opened INTEGER NOT NULL, PRIMARY KEY (name))"
        ))
        .or_else(|_| {
            // MySQL spells the float type DOUBLE.
            db.execute_sql(&format!(
                "CREATE TABLE account (id BIGINT NOT NULL, name {text}{collate} NOT NULL, \
                 balance DOUBLE NOT NULL, note {text}{collate}, opened INTEGER NOT NULL, PRIMARY KEY (name))"
            ))
        })?;
        let found = differences(db.check::<Account>(), d);
        assert_eq!(found.len(), 2, "{d}: {found:#?}");
        assert!(
            found[0].contains("column id is part of the entity's primary key"),
            "{d}: {found:#?}"
        );
        assert!(
            found[1].contains("column name is part of the table's primary key"),
            "{d}: {found:#?}"
        );
        Ok(())
    });
}

#[test]
fn no_table_is_one_difference() {
    foal_tests::on_each(|db| {
        let found = differences(db.check::<Account>(), db.dialect());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("there is no table account"), "{found:?}");
        Ok(())
    });
}

//! Raw SQL: `?` placeholders on every backend, values bound, rows read as
//! scalars, tuples or entities by column name.

use foal::prelude::*;
use foal::{Dialect, Error};
use foal_tests::estore::{self, Customer};

#[test]
fn rows_of_scalars_tuples_and_entities() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let country = "USA";
        let rows: Vec<(i64, String)> = raw("SELECT id, name FROM customers WHERE country = ? ORDER BY id")
            .bind(country)
            .fetch_all(db)?;
        assert_eq!(rows, vec![(1, "Ann".to_string()), (4, "Dan".to_string())]);
        let n: i64 = raw("SELECT COUNT(*) FROM customers WHERE email IS NULL").fetch_one(db)?;
        assert_eq!(n, 2);
        let none: Option<String> = None;
        let emails: Vec<Option<String>> =
            raw("SELECT email FROM customers WHERE (email = ? OR ? IS NULL) AND id < ? ORDER BY id")
                .bind(&none)
                .bind(&none)
                .bind(&3_i64)
                .fetch_all(db)?;
        assert_eq!(emails, vec![Some("ann@example.com".to_string()), None]);
        // An entity by column name: reordered, with an extra column.
        let people: Vec<Customer> =
            raw("SELECT 'x' AS extra, email, country, name, id FROM customers WHERE id IN (?, ?) ORDER BY id")
                .bind(&2_i64)
                .bind(&5_i64)
                .fetch_all(db)?;
        let expected = select!(c for c in Customer if c.id == 2 || c.id == 5).fetch_all(db)?;
        let mut expected = expected;
        expected.sort_by_key(|c| c.id);
        assert_eq!(people, expected);
        // A missing column is a decode error naming it.
        let missing: foal::Result<Vec<Customer>> = raw("SELECT id, name FROM customers").fetch_all(db);
        match missing {
            Err(Error::Decode { message, .. }) => assert!(message.contains("country"), "{message}"),
            other => panic!("on {}: {other:?}", db.dialect()),
        }
        assert!(
            raw::<i64>("SELECT id FROM customers WHERE id = ?")
                .bind(&99_i64)
                .fetch_optional(db)?
                .is_none()
        );
        assert!(matches!(
            raw::<i64>("SELECT id FROM customers").fetch_one(db),
            Err(Error::TooManyRows { .. })
        ));
        Ok(())
    });
}

#[test]
fn statements_without_rows_return_the_rows_changed() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let n = raw("UPDATE customers SET email = NULL WHERE country = ?")
            .bind("USA")
            .execute(db)?;
        assert!(
            n == 2 || (db.dialect() == Dialect::Mysql && n == 1),
            "{n} on {}",
            db.dialect()
        );
        let n = raw("DELETE FROM customers WHERE id = ?").bind(&5_i64).execute(db)?;
        assert_eq!(n, 1);
        assert_eq!(select!(c for c in Customer).count(db)?, 4);
        // Quoted `?`, comments and `??` are not placeholders.
        let text: String = raw("SELECT 'a?b' -- is it?\n").fetch_one(db)?;
        assert_eq!(text, "a?b");
        Ok(())
    });
}

#[test]
fn the_values_must_match_the_placeholders_before_anything_is_sent() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let before = db.statement_count();
        let few = raw::<i64>("SELECT id FROM customers WHERE id = ? OR id = ?")
            .bind(&1_i64)
            .fetch_all(db);
        match few {
            Err(Error::Usage { message, .. }) => assert!(message.contains("2 placeholders and 1 value"), "{message}"),
            other => panic!("{other:?}"),
        }
        let many = raw("DELETE FROM customers").bind(&1_i64).execute(db);
        assert!(matches!(many, Err(Error::Usage { .. })));
        assert_eq!(db.statement_count(), before, "nothing was sent");
        // Values are bound, never spliced: a hostile one is just text.
        let hostile = "'; DROP TABLE customers; --";
        let found: Vec<i64> = raw("SELECT id FROM customers WHERE name = ?")
            .bind(hostile)
            .fetch_all(db)?;
        assert!(found.is_empty());
        assert_eq!(select!(c for c in Customer).count(db)?, 5);
        Ok(())
    });
}

#[test]
fn a_double_question_mark_is_postgresql_s_jsonb_operator() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let db = foal_tests::fresh(Dialect::Postgres);
    let has: bool = raw("SELECT CAST(? AS jsonb) ?? 'a'")
        .bind(r#"{"a": 1}"#)
        .fetch_one(&db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(has);
    assert_eq!(
        raw::<bool>("SELECT '{}'::jsonb ?? ?").sql(Dialect::Postgres),
        "SELECT '{}'::jsonb ? $1"
    );
}

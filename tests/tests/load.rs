//! Bulk load: `db.load(rows)` stores exactly the rows given (every column
//! type, NULLs, hostile text, the keys they carry), across several COPYs or
//! INSERTs, all or nothing, on every backend; a generated key continues
//! after the loaded ones.

use chrono::{NaiveDate, NaiveDateTime};
use foal::Error;
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Event {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub weight: f64,
    pub small: i16,
    pub medium: i32,
    pub flag: bool,
    pub payload: Vec<u8>,
    pub day: NaiveDate,
    pub at: NaiveDateTime,
    pub note: Option<String>,
    pub rank: Option<i64>,
}

/// A table whose key is not generated.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Word {
    #[foal(primary_key)]
    pub text: String,
    pub count: i64,
}

fn event(i: i64) -> Event {
    let base = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let names = [
        "plain",
        "it's",
        "back\\slash",
        "ünïcødé ✓",
        "",
        "tab\tand\nnewline",
        "%_!",
    ];
    Event {
        id: i * 3 + 1,
        name: format!("{} {i}", names[(i % 7) as usize]),
        weight: i as f64 / 7.0 - 100.0,
        small: (i % 30_000) as i16 - 15_000,
        medium: (i * 7919 % 2_000_000) as i32 - 1_000_000,
        flag: i % 2 == 0,
        payload: (0..(i % 5) as u8).map(|b| b.wrapping_mul(61)).collect(),
        day: base + chrono::Duration::days(i % 3000),
        at: base.and_hms_micro_opt(0, 0, 0, 0).unwrap_or_default() + chrono::Duration::microseconds(i * 1_234_567),
        note: (i % 3 != 0).then(|| format!("note {i}")),
        rank: (i % 4 != 0).then_some(i * 11 - 500),
    }
}

#[test]
fn loaded_rows_are_the_rows_given() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        db.create_table::<Event>()?;
        // More than one COPY (10 000 rows each) and one INSERT (1 000 rows).
        let n = 23_456;
        let before = db.statement_count();
        let loaded = db.load((0..n).map(event))?;
        assert_eq!(loaded, n as u64, "{d}: the count");
        // PostgreSQL: BEGIN, three COPYs, the sequence, COMMIT; elsewhere
        // BEGIN, 24 INSERTs of up to 1 000 rows, COMMIT.
        let sent = db.statement_count() - before;
        let most = if d == Dialect::Postgres { 6 } else { 26 };
        assert!(sent <= most, "{d}: {sent} statements for {n} rows");
        let stored = select!(Event.order_by(|e| e.id)).fetch_all(db)?;
        let want: Vec<Event> = (0..n).map(event).collect();
        assert_eq!(stored.len(), want.len(), "{d}");
        for (got, want) in stored.iter().zip(&want) {
            assert_eq!(got, want, "{d}: row {}", want.id);
        }
        // The keys were the rows' own; a generated one comes after them.
        let next = db.insert(Event { id: 0, ..event(1) })?;
        assert!(
            next.id > want.last().map_or(0, |e| e.id),
            "{d}: generated {} after the loaded keys",
            next.id
        );
        assert_eq!(db.load(Vec::<Event>::new())?, 0, "{d}: nothing to load");
        Ok(())
    });
}

#[test]
fn a_failing_row_loads_nothing() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        db.create_table::<Word>()?;
        db.insert(Word {
            text: "kept".into(),
            count: 1,
        })?;
        // The duplicate comes in the second chunk, after a whole one went in.
        let rows = (0..15_000).map(|i| Word {
            text: if i == 12_345 { "w 17".into() } else { format!("w {i}") },
            count: i,
        });
        match db.load(rows) {
            Err(Error::Constraint { .. }) => {}
            other => panic!("{d}: {other:?}"),
        }
        let left = select!(w.text for w in Word).fetch_all(db)?;
        assert_eq!(left, vec!["kept".to_owned()], "{d}: all or nothing");
        Ok(())
    });
}

#[test]
fn a_load_inside_a_transaction_is_rolled_back_with_it() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        db.create_table::<Word>()?;
        let rolled: foal::Result<()> = db.transaction(|tx| {
            let n = tx.load((0..2_500).map(|i| Word {
                text: format!("t {i}"),
                count: i,
            }))?;
            assert_eq!(n, 2_500, "{d}");
            assert_eq!(select!(w for w in Word).count(tx)?, 2_500, "{d}: seen inside");
            Err(Error::Usage {
                message: "roll back".into(),
                site: foal::CallSite::caller(),
            })
        });
        assert!(rolled.is_err());
        assert_eq!(select!(w for w in Word).count(db)?, 0, "{d}: rolled back");
        db.transaction(|tx| {
            tx.load((0..10).map(|i| Word {
                text: format!("c {i}"),
                count: i,
            }))
        })?;
        let total: i64 = select!(sum(w.count) for w in Word).fetch_one(db)?;
        assert_eq!(total, 45, "{d}: committed");
        Ok(())
    });
}

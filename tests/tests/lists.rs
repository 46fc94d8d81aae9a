//! `list.contains(&x)` with lists of any length: short ones are one
//! placeholder per element, long ones (over `foal::LONG_LIST`) one value —
//! an array on PostgreSQL, a JSON array read as a table on SQLite and
//! MariaDB. Each answer is compared with Rust's over the fixture, for every
//! column type and for NOT IN, and a long list of another length reuses the
//! statement.

use std::collections::BTreeSet;

use chrono::Duration;
use foal::prelude::*;
use foal_tests::fixture::{self, Item};

fn each(check: impl Fn(&Database, &fixture::Rows) -> foal::Result<()>) {
    let rows = fixture::rows();
    foal_tests::on_each(|db| {
        fixture::load(db, &rows)?;
        check(db, &rows)
    });
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

const LENGTHS: [usize; 6] = [3, 1_000, 1_024, 1_025, 40_000, 70_000];

#[test]
fn integer_lists_of_any_length() {
    each(|db, rows| {
        for n in LENGTHS {
            // Every third key, so some items match and most keys do not.
            let ids: Vec<i64> = (0..n as i64).map(|i| i * 3 - 30).collect();
            let wanted: BTreeSet<i64> = ids.iter().copied().collect();
            let q = select!(i.id for i in Item if ids.contains(&i.id));
            let expected: Vec<i64> = rows
                .items
                .iter()
                .filter(|i| wanted.contains(&i.id))
                .map(|i| i.id)
                .collect();
            assert_eq!(sorted(q.fetch_all(db)?), expected, "{n} keys on {}", db.dialect());
            let q = select!(i.id for i in Item if !ids.contains(&i.id));
            let expected: Vec<i64> = rows
                .items
                .iter()
                .filter(|i| !wanted.contains(&i.id))
                .map(|i| i.id)
                .collect();
            assert_eq!(
                sorted(q.fetch_all(db)?),
                expected,
                "NOT IN {n} keys on {}",
                db.dialect()
            );
            // Two lists in one query.
            let prices: Vec<i64> = (0..n as i64).map(|i| i % 2000).collect();
            let q = select!(i.id for i in Item if ids.contains(&i.id) && prices.contains(&i.price));
            let all_prices: BTreeSet<i64> = prices.iter().copied().collect();
            let expected: Vec<i64> = rows
                .items
                .iter()
                .filter(|i| wanted.contains(&i.id) && all_prices.contains(&i.price))
                .map(|i| i.id)
                .collect();
            assert_eq!(
                sorted(q.fetch_all(db)?),
                expected,
                "two lists of {n} on {}",
                db.dialect()
            );
        }
        Ok(())
    });
}

#[test]
fn lists_of_every_column_type() {
    each(|db, rows| {
        let n = 5_000;
        let items = &rows.items;
        // Text: the fixture's names and their case and space variants (which
        // must not match), repeated to a long list.
        let mut names: Vec<String> = Vec::new();
        for i in items.iter().step_by(2) {
            names.push(i.name.clone());
            names.push(i.name.to_uppercase());
            names.push(format!("{} ", i.name));
        }
        while names.len() < n {
            names.push(format!("filler {}", names.len()));
        }
        let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let q = select!(i.id for i in Item if names.contains(&i.name));
        let expected: Vec<i64> = items
            .iter()
            .filter(|i| set.contains(i.name.as_str()))
            .map(|i| i.id)
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), expected, "text on {}", db.dialect());
        // Floats, exactly.
        let mut costs: Vec<f64> = items.iter().step_by(3).map(|i| i.cost).collect();
        costs.extend((0..n).map(|k| k as f64 * 0.1 + 0.05));
        let q = select!(i.id for i in Item if costs.contains(&i.cost));
        let expected: Vec<i64> = items.iter().filter(|i| costs.contains(&i.cost)).map(|i| i.id).collect();
        assert_eq!(sorted(q.fetch_all(db)?), expected, "floats on {}", db.dialect());
        // Dates and date-times.
        let mut days: Vec<chrono::NaiveDate> = items.iter().step_by(4).map(|i| i.added).collect();
        let epoch = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
        days.extend((0..n as i64).map(|k| epoch + Duration::days(k)));
        let q = select!(i.id for i in Item if days.contains(&i.added));
        let expected: Vec<i64> = items.iter().filter(|i| days.contains(&i.added)).map(|i| i.id).collect();
        assert_eq!(sorted(q.fetch_all(db)?), expected, "dates on {}", db.dialect());
        let mut times: Vec<chrono::NaiveDateTime> = items.iter().step_by(5).map(|i| i.updated).collect();
        let base = items[0].updated;
        times.extend((1..=n as i64).map(|k| base + Duration::microseconds(k)));
        let q = select!(i.id for i in Item if times.contains(&i.updated));
        let expected: Vec<i64> = items
            .iter()
            .filter(|i| times.contains(&i.updated))
            .map(|i| i.id)
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), expected, "date-times on {}", db.dialect());
        // Small integers and booleans.
        let ranks: Vec<i16> = (0..n).map(|k| (k % 7) as i16 - 3).collect();
        let q = select!(i.id for i in Item if ranks.contains(&i.rank));
        let expected: Vec<i64> = items.iter().filter(|i| ranks.contains(&i.rank)).map(|i| i.id).collect();
        assert_eq!(sorted(q.fetch_all(db)?), expected, "i16 on {}", db.dialect());
        let flags: Vec<bool> = (0..n).map(|_| true).collect();
        let q = select!(i.id for i in Item if flags.contains(&i.active));
        let expected: Vec<i64> = items.iter().filter(|i| i.active).map(|i| i.id).collect();
        assert_eq!(sorted(q.fetch_all(db)?), expected, "bools on {}", db.dialect());
        Ok(())
    });
}

#[test]
fn a_long_list_of_another_length_reuses_the_statement() {
    each(|db, rows| {
        let mut work = Vec::new();
        for n in [1_500, 9_999, 65_536, 100_000, 2_000] {
            let ids: Vec<i64> = (1..=n).collect();
            let before = foal::cache::translation_counts();
            let q = select!(i.id for i in Item if ids.contains(&i.id));
            assert_eq!(q.fetch_all(db)?.len(), rows.items.len());
            let after = foal::cache::translation_counts();
            work.push((after.0 - before.0, after.1 - before.1));
        }
        // The first run may translate and render (once per backend); every
        // later length runs the same statement.
        assert!(work[1..].iter().all(|w| *w == (0, 0)), "on {}: {work:?}", db.dialect());
        Ok(())
    });
}

#[derive(Entity, Debug, Clone, PartialEq)]
struct Blob {
    #[foal(primary_key, auto)]
    id: i64,
    data: Vec<u8>,
}

#[test]
fn lists_of_bytes() {
    foal_tests::on_each(|db| {
        db.create_table::<Blob>()?;
        let stored: Vec<Vec<u8>> = (0..64_u8).map(|k| vec![k, 255 - k, 0, k.wrapping_mul(7)]).collect();
        db.insert_all(stored.iter().map(|d| Blob { id: 0, data: d.clone() }).collect())?;
        for n in [10, 3_000] {
            let mut wanted: Vec<Vec<u8>> = stored.iter().step_by(3).cloned().collect();
            wanted.extend((0..n).map(|k: usize| k.to_be_bytes().to_vec()));
            let q = select!(b.data for b in Blob if wanted.contains(&b.data));
            let mut got = q.fetch_all(db)?;
            got.sort();
            let mut expected: Vec<Vec<u8>> = stored.iter().filter(|d| wanted.contains(d)).cloned().collect();
            expected.sort();
            assert_eq!(got, expected, "{n} byte strings on {}", db.dialect());
        }
        Ok(())
    });
}

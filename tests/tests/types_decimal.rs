//! `rust_decimal::Decimal` columns (feature `decimal`), exact on every
//! backend: fields, an optional field, a primary key, parameters, `==`,
//! `<`, ORDER BY, IN lists short and long, GROUP BY, and `sum`, `min`,
//! `max`, each checked against the same computation with `Decimal` in
//! plain Rust: 0.1 + 0.2 is 0.3, 28- and 29-digit values keep every
//! digit, and values with trailing zeros (`1200000`, `1.50`) compare
//! equal to their shorter forms.

use std::collections::BTreeMap;

use foal::prelude::*;
use foal::rust_decimal::Decimal;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Entry {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub account: String,
    pub amount: Decimal,
    pub fee: Option<Decimal>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Rate {
    #[foal(primary_key)]
    pub rate: Decimal,
    pub name: String,
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// (account, amount): each account's sum is exact in `Decimal`.
const AMOUNTS: [(&str, &str); 15] = [
    ("a", "0.1"),
    ("a", "0.2"),
    ("b", "7922816251426433759354395033.5"),
    ("g", "-0.0000000000000000000000000001"),
    ("c", "1200000"),
    ("c", "-1.50"),
    ("h", "0.0000000000000000000000000001"),
    ("d", "79228162514264337593543950335"),
    ("d", "-1"),
    ("e", "-79228162514264337593543950335"),
    ("e", "3"),
    ("h", "3.1415926535897932384626433832"),
    ("f", "1.5"),
    ("f", "0.3"),
    ("f", "-2.25"),
];

fn setup(db: &Database) -> foal::Result<Vec<Entry>> {
    db.create_table::<Entry>()?;
    db.create_table::<Rate>()?;
    let rows: Vec<Entry> = AMOUNTS
        .iter()
        .enumerate()
        .map(|(i, (account, amount))| Entry {
            id: i as i64 + 1,
            account: (*account).to_owned(),
            amount: dec(amount),
            fee: (i % 3 != 0).then(|| dec(AMOUNTS[(i * 5) % AMOUNTS.len()].1)),
        })
        .collect();
    db.insert_all(rows.clone())?;
    Ok(rows)
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn decimals_compare_order_and_sum_exactly_as_in_rust() {
    foal_tests::on_each(|db| {
        let rows = setup(db)?;
        let d = db.dialect();

        // Every digit survives the round trip.
        let all = select!(Entry.order_by(|e| e.id)).fetch_all(db)?;
        assert_eq!(all, rows, "{d}: entities round-trip");
        for (got, want) in all.iter().zip(&rows) {
            assert_eq!(
                got.amount.to_string(),
                want.amount.normalize().to_string(),
                "{d}: digits"
            );
        }

        // 0.1 + 0.2 == 0.3, in the database as in Rust.
        let a = select!(sum(e.amount) for e in Entry if e.account == "a").fetch_one(db)?;
        assert_eq!(a, dec("0.1") + dec("0.2"), "{d}: sum");
        assert_eq!(a, dec("0.3"), "{d}: 0.1 + 0.2");
        let three = dec("0.3");
        let equal = select!(e.id for e in Entry if e.amount == three).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|e| e.amount == three).map(|e| e.id).collect();
        assert_eq!(want.len(), 1);
        assert_eq!(equal, want, "{d}: ==");

        let sums = select!((e.account, sum(e.amount)) for e in Entry).fetch_all(db)?;
        let mut want: BTreeMap<String, Decimal> = BTreeMap::new();
        for e in &rows {
            let total = want.entry(e.account.clone()).or_default();
            *total = total
                .checked_add(e.amount)
                .unwrap_or_else(|| panic!("test data overflows"));
        }
        assert_eq!(sorted(sums), want.into_iter().collect::<Vec<_>>(), "{d}: sum per group");

        // A sum whose exact value has more digits than rust_decimal holds
        // (Decimal's `+` would round it) is an error on every backend.
        let inexact = select!(sum(e.amount) for e in Entry if e.account == "b" || e.account == "g").fetch_one(db);
        assert!(inexact.is_err(), "{d}: an inexact sum read as {inexact:?}");

        let nothing = select!(sum(e.amount) for e in Entry if e.account == "none").fetch_one(db)?;
        assert_eq!(nothing, Decimal::ZERO, "{d}: sum of nothing");

        // Order: `<`, ORDER BY, min and max.
        let pivot = dec("0.25");
        let below = select!(e.id for e in Entry if e.amount < pivot).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|e| e.amount < pivot).map(|e| e.id).collect();
        assert_eq!(sorted(below), want, "{d}: <");
        let ordered = select!(Entry.order_by(|e| (desc(e.amount), e.id)).map(|e| e.amount)).fetch_all(db)?;
        let mut want: Vec<Decimal> = rows.iter().map(|e| e.amount).collect();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(ordered, want, "{d}: ORDER BY desc");
        let extremes = select!((min(e.amount), max(e.amount)) for e in Entry).fetch_one(db)?;
        let amounts = rows.iter().map(|e| e.amount);
        assert_eq!(extremes, (amounts.clone().min(), amounts.max()), "{d}: min/max");
        let fees = select!((min(e.fee), max(e.fee)) for e in Entry).fetch_one(db)?;
        let present = rows.iter().filter_map(|e| e.fee);
        assert_eq!(
            fees,
            (present.clone().min(), present.max()),
            "{d}: min/max of an Option"
        );

        // IN: 1.50 is 1.5, 1200000.00 is 1200000.
        let some = vec![dec("1.50"), dec("1200000.00"), dec("-2.250"), dec("42")];
        let listed = select!(e.id for e in Entry if some.contains(&e.amount)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|e| some.contains(&e.amount)).map(|e| e.id).collect();
        assert_eq!(want.len(), 3);
        assert_eq!(sorted(listed), want, "{d}: IN");
        let many: Vec<Decimal> = (0..foal::LONG_LIST as i64 + 10)
            .map(|i| Decimal::new(i, 1))
            .chain(some.iter().copied())
            .collect();
        let listed = select!(e.id for e in Entry if many.contains(&e.amount)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|e| many.contains(&e.amount)).map(|e| e.id).collect();
        assert_eq!(sorted(listed), want, "{d}: a long IN list");

        // GROUP BY a decimal: equal values are one group.
        let per_fee = select!((e.fee, count(e)) for e in Entry if e.fee.is_some()).fetch_all(db)?;
        let mut want: BTreeMap<Option<Decimal>, i64> = BTreeMap::new();
        for e in rows.iter().filter(|e| e.fee.is_some()) {
            *want.entry(e.fee).or_default() += 1;
        }
        assert_eq!(sorted(per_fee), want.into_iter().collect::<Vec<_>>(), "{d}: GROUP BY");
        let fee = Some(dec("0.30"));
        let with_fee = select!(e.id for e in Entry if e.fee == fee).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|e| e.fee == fee).map(|e| e.id).collect();
        assert_eq!(sorted(with_fee), want, "{d}: Option ==");

        // A decimal primary key; raw SQL reads and binds one.
        for (rate, name) in [("0.05", "low"), ("0.050000001", "odd"), ("12.5", "high")] {
            db.insert(Rate {
                rate: dec(rate),
                name: name.into(),
            })?;
        }
        let low = db.get::<Rate>(dec("0.0500"))?;
        assert_eq!(low.map(|r| r.name), Some("low".to_owned()), "{d}: get by a decimal key");
        let read: Vec<Decimal> = raw("SELECT amount FROM entry WHERE amount = ?")
            .bind(&dec("-1.5"))
            .fetch_all(db)?;
        assert_eq!(read, vec![dec("-1.5")], "{d}: raw");
        Ok(())
    });
}

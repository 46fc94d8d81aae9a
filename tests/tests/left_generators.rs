//! `.left()` as a generator's first source: a missing row where the
//! relation has none, as the same loop in Rust gives (bug 5 of the
//! random-query report on issue 12: `exists(o for o in c.orders.left())`
//! was false for a customer without orders, because the first source of a
//! subquery was joined as an inner one). Checked against plain Rust on
//! every backend, with a customer who has no orders.

use std::collections::BTreeMap;

use foal::prelude::*;
use foal_tests::estore::{self, Customer, Order};

#[test]
fn a_left_generator_has_a_missing_row_where_the_relation_has_none() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let d = db.dialect();
        let lonely = db.insert(Customer {
            id: 0,
            name: "Nobody".into(),
            country: "Iceland".into(),
            email: None,
        })?;
        let customers = select!(c for c in Customer).fetch_all(db)?;
        let orders = select!(o for o in Order).fetch_all(db)?;
        let mut per: BTreeMap<i64, Vec<&Order>> = customers.iter().map(|c| (c.id, Vec::new())).collect();
        for o in &orders {
            per.entry(o.customer.key()).or_default().push(o);
        }
        // In Rust: the orders of each customer, or one `None`.
        let left = |id: i64| -> Vec<Option<&Order>> {
            let mine = &per[&id];
            if mine.is_empty() {
                vec![None]
            } else {
                mine.iter().map(|o| Some(*o)).collect()
            }
        };

        let got = select!((c.id, exists(o for o in c.orders.left())) for c in Customer).fetch_all(db)?;
        let want: Vec<(i64, bool)> = per.keys().map(|&id| (id, !left(id).is_empty())).collect();
        assert_eq!(sorted(got), want, "{d}: exists over a left generator");

        let got = select!((c.id, exists(o for o in c.orders.left() if o.is_none())) for c in Customer).fetch_all(db)?;
        let want: Vec<(i64, bool)> = per
            .keys()
            .map(|&id| (id, left(id).iter().any(Option::is_none)))
            .collect();
        assert_eq!(sorted(got), want, "{d}: the missing row is there");
        assert!(want.contains(&(lonely.id, true)), "{d}: the customer without orders");

        // `count` of a row that may be missing counts the present ones
        // (docs/semantics.md), so the missing row adds nothing.
        let got = select!((c.id, count(o for o in c.orders.left())) for c in Customer).fetch_all(db)?;
        let want: Vec<(i64, i64)> = per
            .keys()
            .map(|&id| (id, left(id).iter().filter(|o| o.is_some()).count() as i64))
            .collect();
        assert_eq!(sorted(got), want, "{d}: count over a left generator");
        let got = select!((c.id, count(o.is_none() for o in c.orders.left())) for c in Customer).fetch_all(db)?;
        let want: Vec<(i64, i64)> = per
            .keys()
            .map(|&id| (id, left(id).iter().filter(|o| o.is_none()).count() as i64))
            .collect();
        assert_eq!(sorted(got), want, "{d}: the missing row is counted where asked for");
        Ok(())
    });
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

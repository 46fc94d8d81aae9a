//! `.left()` as a generator's first source: a missing row where the
//! relation has none, as the same loop in Rust gives (bug 5 of the
//! random-query report on issue 12: `exists(o for o in c.orders.left())`
//! was false for a customer without orders, because the first source of a
//! subquery was joined as an inner one). Checked against plain Rust on
//! every backend, with a customer who has no orders.

use std::collections::BTreeMap;

use foal::prelude::*;
use foal_tests::estore::{self, Category, Customer, Order, Product};

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

/// The other side (bug 3 of the same report): a generator over the rows of
/// a row reached through an optional reference has no rows when that row is
/// missing or has none, as the loop in Rust has none. It had one missing
/// row, so `exists(x for x in p.category.children)` was true for every
/// product.
#[test]
fn a_generator_through_a_missing_reference_has_no_rows() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let d = db.dialect();
        let products = select!(p for p in Product).fetch_all(db)?;
        let categories = select!(k for k in Category).fetch_all(db)?;
        let children = |k: Option<i64>| -> Vec<&Category> {
            categories
                .iter()
                .filter(|c| k.is_some() && c.parent.as_ref().map(|r| r.key()) == k)
                .collect()
        };
        assert!(
            products.iter().any(|p| p.category.is_none()),
            "{d}: the fixture has a product without a category"
        );
        assert!(
            products
                .iter()
                .any(|p| p.category.is_some() && children(p.category.as_ref().map(|r| r.key())).is_empty()),
            "{d}: and one whose category has no children"
        );
        let key = |p: &Product| p.category.as_ref().map(|r| r.key());

        let got = select!((p.id, exists(x for x in p.category.children)) for p in Product).fetch_all(db)?;
        let want: Vec<(i64, bool)> = products.iter().map(|p| (p.id, !children(key(p)).is_empty())).collect();
        assert_eq!(sorted(got), sorted(want), "{d}: exists over a missing reference's rows");

        let got = select!((p.id, count(x for x in p.category.children)) for p in Product).fetch_all(db)?;
        let want: Vec<(i64, i64)> = products.iter().map(|p| (p.id, children(key(p)).len() as i64)).collect();
        assert_eq!(sorted(got), sorted(want), "{d}: count over a missing reference's rows");

        let got = select!((p.id, count(x.is_none() for x in p.category.children)) for p in Product).fetch_all(db)?;
        let want: Vec<(i64, i64)> = products.iter().map(|p| (p.id, 0)).collect();
        assert_eq!(sorted(got), sorted(want), "{d}: no missing row is among them");
        Ok(())
    });
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

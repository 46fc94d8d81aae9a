//! `(… for x in …).contains(&v)` means Rust's `contains`, where `None`
//! equals `None` (bug 7 of the random-query report on issue 12). SQL's
//! `v IN (SELECT …)` is NULL when `v` is NULL, or when no row equals `v` and
//! one is NULL, so `contains(&p.category)` missed products without a
//! category and `!contains` lost every row once a NULL was among the rows.
//! Checked against plain Rust on every backend.

use foal::prelude::*;
use foal_tests::estore::{self, Category, Product};

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn contains_finds_none_among_rows_that_may_be_none() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let d = db.dialect();
        let products = select!(p for p in Product).fetch_all(db)?;
        let categories = select!(k for k in Category).fetch_all(db)?;
        let used: Vec<Option<i64>> = products.iter().map(|p| p.category.as_ref().map(|r| r.key())).collect();
        assert!(
            used.contains(&None),
            "{d}: the fixture has a product without a category"
        );

        let got =
            select!(p.id for p in Product if (x.category for x in Product).contains(&p.category)).fetch_all(db)?;
        let want: Vec<i64> = products.iter().map(|p| p.id).collect();
        assert_eq!(
            sorted(got),
            sorted(want),
            "{d}: every product's category is among them, None too"
        );

        let got = select!(k.id for k in Category if !(x.category.map(|c| c.key()) for x in Product).contains(&k.id))
            .fetch_all(db)?;
        let want: Vec<i64> = categories
            .iter()
            .filter(|k| !used.contains(&Some(k.id)))
            .map(|k| k.id)
            .collect();
        assert!(!want.is_empty(), "{d}: some category has no products");
        assert_eq!(sorted(got), sorted(want), "{d}: !contains with a None among the rows");

        // A correlated subquery whose rows may be None, tested for None.
        let none: Option<i64> = None;
        let got = select!(k.id for k in Category if (x.category.map(|c| c.key()) for x in Product if x.price > k.id).contains(&none))
            .fetch_all(db)?;
        let want: Vec<i64> = categories
            .iter()
            .filter(|k| products.iter().any(|x| x.price > k.id && x.category.is_none()))
            .map(|k| k.id)
            .collect();
        assert_eq!(sorted(got), sorted(want), "{d}: None among correlated rows");
        Ok(())
    });
}

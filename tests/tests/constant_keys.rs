//! A literal or a value computed in Rust as a grouping or ordering key is a
//! constant, never an item's position (bug 4 of the random-query report on
//! issue 12: `GROUP BY 2` grouped by the second item, an aggregate, and
//! `ORDER BY 1` sorted by the first column; MariaDB did so for a bound
//! integer too). Checked against plain Rust on every backend.

use foal::prelude::*;
use foal_tests::estore::{self, Customer, Product};

#[test]
fn constant_keys_group_and_order_nothing() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let d = db.dialect();
        let customers = select!(c for c in Customer).fetch_all(db)?;
        let mut products = select!(p for p in Product).fetch_all(db)?;
        products.sort_by_key(|p| p.id);
        let ids: Vec<i64> = products.iter().map(|p| p.id).collect();

        let got = select!((2, count(c)) for c in Customer).fetch_all(db)?;
        assert_eq!(
            got,
            vec![(2, customers.len() as i64)],
            "{d}: one group of every customer"
        );

        let got = select!((2, count(c)) for c in Customer if c.id < 0).fetch_all(db)?;
        assert_eq!(got, Vec::<(i32, i64)>::new(), "{d}: no rows, no groups");

        let got = select!(((p.price, p.id) for p in Product).order_by(|p| (1, p.id))).fetch_all(db)?;
        let got: Vec<i64> = got.into_iter().map(|(_, id)| id).collect();
        assert_eq!(got, ids, "{d}: a literal key orders nothing, the next key does");

        let one = 1_i64;
        let got = select!(((p.price, p.id) for p in Product).order_by(|p| (one, p.id))).fetch_all(db)?;
        let got: Vec<i64> = got.into_iter().map(|(_, id)| id).collect();
        assert_eq!(got, ids, "{d}: nor does a value computed in Rust");
        Ok(())
    });
}

//! An aggregate belongs to the generator it is written in, whatever its
//! argument reads (bug 2 of the random-query report on issue 12, and the
//! extra MariaDB row of seed 1796237219481287059).
//!
//! SQL gives an aggregate to the innermost query whose columns its argument
//! reads: `(SELECT SUM(o.id) FROM product AS x)` sums `o.id` over the
//! *outer* rows, so PostgreSQL refused `sum(o.id for x in Product)` and
//! MySQL made the whole query an aggregate of one row. MariaDB does the same
//! when the generator's own columns are read only inside a subquery of the
//! argument, which gave a query filtering out every row one row of NULLs.
//! Each query here is checked against the same loops in plain Rust.

use foal::prelude::*;
use foal_tests::estore::{self, Customer, Order, OrderItem, Product};

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn an_aggregate_of_outer_columns_is_computed_per_outer_row() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let d = db.dialect();
        let orders = select!(o for o in Order).fetch_all(db)?;
        let products = select!(p for p in Product).fetch_all(db)?;
        let customers = select!(c for c in Customer).fetch_all(db)?;
        let n_products = products.len() as i64;

        let got = select!((o.id, sum(o.id for x in Product)) for o in Order).fetch_all(db)?;
        let want: Vec<(i64, i64)> = orders.iter().map(|o| (o.id, o.id * n_products)).collect();
        assert_eq!(sorted(got), sorted(want), "{d}: sum of an outer column");

        let got = select!((o.id, count(o.id > 1 for x in Customer)) for o in Order).fetch_all(db)?;
        let want: Vec<(i64, i64)> = orders
            .iter()
            .map(|o| (o.id, if o.id > 1 { customers.len() as i64 } else { 0 }))
            .collect();
        assert_eq!(sorted(got), sorted(want), "{d}: count of an outer condition");

        let got = select!((o.id, max(o.total for x in Product)) for o in Order).fetch_all(db)?;
        let want: Vec<(i64, Option<f64>)> = orders
            .iter()
            .map(|o| (o.id, (!products.is_empty()).then_some(o.total)))
            .collect();
        let mut got = got;
        got.sort_by_key(|r| r.0);
        let mut want = want;
        want.sort_by_key(|r| r.0);
        assert_eq!(got, want, "{d}: max of an outer column");
        Ok(())
    });
}

#[test]
fn an_aggregate_reading_its_rows_only_inside_a_subquery_stays_in_its_generator() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let d = db.dialect();
        let products = select!(p for p in Product).fetch_all(db)?;
        let items = select!(i for i in OrderItem).fetch_all(db)?;
        let of = |p: i64| items.iter().filter(move |i| i.product.key() == p);

        // A filter no product passes, and a projection whose aggregate reads
        // its own rows only inside the generator it adds up: no rows, not
        // one row of NULLs.
        let got = select!(
            (a.id, sum(count(b.order == x.order for x in a.items.left()) for b in a.items.left()))
                for a in Product if a.price < 0
        )
        .fetch_all(db)?;
        assert_eq!(got, Vec::<(i64, i64)>::new(), "{d}: no product has a negative price");

        let got = select!(
            (a.id, sum(count(b.order == x.order for x in a.items) for b in a.items.left())) for a in Product
        )
        .fetch_all(db)?;
        let want: Vec<(i64, i64)> = products
            .iter()
            .map(|p| {
                let total = of(p.id)
                    .map(|b| of(p.id).filter(|x| x.order == b.order).count() as i64)
                    .sum();
                (p.id, total)
            })
            .collect();
        assert_eq!(
            sorted(got),
            sorted(want),
            "{d}: per product, pairs of items of one order"
        );
        Ok(())
    });
}

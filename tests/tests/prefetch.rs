//! N+1-free loading: `.prefetch(..)` loads each relation with one more
//! query, counted with `Database::statement_count`, on all three backends.

use foal::prelude::*;
use foal_tests::estore::{self, Category, Customer, Order, OrderItem, Product};
use foal_tests::university::{self, Enrollment, Exam};

/// The ids of `rows`, sorted (the order of loaded children is not part of
/// what prefetch promises).
fn sorted_ids<'r, T: 'r>(rows: impl IntoIterator<Item = &'r T>, id: impl Fn(&T) -> i64) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.into_iter().map(id).collect();
    ids.sort_unstable();
    ids
}

#[test]
fn to_one_references_load_in_one_query_each() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let q = select!(
            Order
                .filter(|o| o.total > 50.0)
                .order_by(|o| o.id)
                .prefetch(|o| o.customer)
        );
        let before = db.statement_count();
        let orders = q.fetch_all(db)?;
        assert_eq!(db.statement_count() - before, 2, "the orders, then their customers");
        let names: Vec<(i64, &str)> = orders
            .iter()
            .map(|o| (o.id, orders.one(&o.customer).map_or("?", |c| c.name.as_str())))
            .collect();
        assert_eq!(names, [(1, "Ann"), (2, "Ann"), (3, "Bob"), (5, "Dan")]);
        // Reading them issued no statement.
        assert_eq!(db.statement_count() - before, 2);

        // An optional reference: products without a category have none.
        let products = select!(Product.order_by(|p| p.id).prefetch(|p| p.category)).fetch_all(db)?;
        let categories: Vec<Option<&str>> = products
            .iter()
            .map(|p| products.one(&p.category).map(|c| c.name.as_str()))
            .collect();
        assert_eq!(
            categories,
            [
                Some("Tablets"),
                Some("Tablets"),
                Some("Accessories"),
                Some("Electronics"),
                Some("Stationery"),
                None
            ]
        );
        Ok(())
    });
}

#[test]
fn to_many_relations_load_in_one_query_each() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let q = select!(
            (c for c in Customer if c.country != "France")
                .order_by(|c| c.id)
                .prefetch(|c| c.orders)
        );
        let before = db.statement_count();
        let customers = q.fetch_all(db)?;
        assert_eq!(db.statement_count() - before, 2);
        let orders: Vec<(&str, Vec<i64>)> = customers
            .iter()
            .map(|c| {
                let orders = customers.many(c, |c| c.orders).unwrap_or_default();
                (c.name.as_str(), sorted_ids(orders, |o| o.id))
            })
            .collect();
        assert_eq!(
            orders,
            [("Ann", vec![1, 2]), ("Bob", vec![3]), ("Dan", vec![5]), ("Eve", vec![])]
        );
        assert_eq!(db.statement_count() - before, 2);
        // A relation that was not prefetched is not silently empty.
        let plain = select!(Category.prefetch(|c| c.products)).fetch_all(db)?;
        assert!(plain.many(&plain[0], |c| c.children).is_none());
        assert!(plain.many(&plain[0], |c| c.products).is_some());
        // Children linked by an optional reference land with their parent;
        // a product without a category belongs to none.
        let products = select!(Product).fetch_all(db)?;
        for category in plain.iter() {
            let got = sorted_ids(plain.many(category, |c| c.products).unwrap_or_default(), |p| p.id);
            let linked = products
                .iter()
                .filter(|p| p.category.as_ref().map(Ref::key) == Some(category.id));
            let want = sorted_ids(linked, |p| p.id);
            assert_eq!(got, want, "products of {}", category.name);
        }
        let placed: usize = plain
            .iter()
            .map(|c| plain.many(c, |c| c.products).map_or(0, <[_]>::len))
            .sum();
        assert_eq!(placed, products.iter().filter(|p| p.category.is_some()).count());
        assert!(placed > 0);
        Ok(())
    });
}

#[test]
fn several_relations_and_composite_keys() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let q = select!(OrderItem.prefetch(|i| i.order).prefetch(|i| i.product));
        let before = db.statement_count();
        let items = q.fetch_all(db)?;
        assert_eq!(db.statement_count() - before, 3);
        let mut lines: Vec<(i64, String)> = items
            .iter()
            .filter_map(|i| Some((items.one(&i.order)?.id, items.one(&i.product)?.name.clone())))
            .collect();
        lines.sort();
        assert_eq!(lines.len(), items.len());
        assert_eq!(lines[0], (1, "Cable 100%".to_string()));
        Ok(())
    });
    foal_tests::on_each(|db| {
        university::fill(db)?;
        // Exams reference enrollments, whose key is (student, course).
        let exams = select!(Exam.order_by(|x| x.id).prefetch(|x| x.enrollment)).fetch_all(db)?;
        let grades: Vec<Option<i32>> = exams
            .iter()
            .map(|x| exams.one(&x.enrollment).and_then(|e| e.grade))
            .collect();
        assert_eq!(grades, [Some(4), Some(4), Some(2), Some(3)]);
        // And the other way: the exams of each enrollment.
        let q = select!(e for e in Enrollment if e.student.key() == 1).prefetch(|e| &e.exams);
        let enrollments = q.fetch_all(db)?;
        let counts: Vec<usize> = enrollments
            .iter()
            .map(|e| enrollments.many(e, |e| e.exams).map_or(0, <[Exam]>::len))
            .collect();
        assert_eq!(counts.iter().sum::<usize>(), 2);
        Ok(())
    });
}

#[test]
fn many_keys_are_fetched_in_chunks() {
    foal_tests::on_each(|db| {
        estore::create(db)?;
        let customers: Vec<Customer> = (0..1200)
            .map(|n| Customer {
                id: 0,
                name: format!("c{n}"),
                country: "X".into(),
                email: None,
            })
            .collect();
        let customers = db.insert_all(customers)?;
        let orders: Vec<Order> = customers
            .iter()
            .map(|c| Order {
                id: 0,
                customer: Ref::to(c),
                total: 1.0,
                state: "NEW".into(),
                placed: estore::at(2026, 1, 1, 0, 0, 0, 0),
                shipped: None,
            })
            .collect();
        db.insert_all(orders)?;
        let before = db.statement_count();
        let orders = select!(Order.prefetch(|o| o.customer)).fetch_all(db)?;
        // 1200 keys: chunks of 512, 512 and 176.
        assert_eq!(db.statement_count() - before, 4);
        assert!(orders.iter().all(|o| orders.one(&o.customer).is_some()));
        Ok(())
    });
}

#[test]
fn paths_of_relations_load_level_by_level() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let q = select!(
            Customer
                .filter(|c| c.name == "Ann")
                .prefetch(|c| c.orders.items.product)
        );
        let before = db.statement_count();
        let customers = q.fetch_all(db)?;
        assert_eq!(db.statement_count() - before, 4, "customers, orders, items, products");
        let ann = &customers[0];
        let mut bought: Vec<(i64, String)> = Vec::new();
        for order in customers.many(ann, |c| c.orders).unwrap_or_default() {
            for item in customers.many(order, |o| o.items).unwrap_or_default() {
                let product = customers.one(&item.product).map(|p| p.name.clone());
                bought.push((order.id, product.unwrap_or_default()));
            }
        }
        bought.sort();
        assert_eq!(
            bought,
            [
                (1, "Cable 100%".to_string()),
                (1, "Sticker".to_string()),
                (2, "Écran".to_string())
            ]
        );
        assert_eq!(db.statement_count() - before, 4);
        Ok(())
    });
}

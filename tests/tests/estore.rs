//! The e-store suite: the contract's relations, joins, aggregates and
//! subqueries on SQLite, PostgreSQL and MariaDB, each query checked against
//! rows written by hand from the fixture (see `foal_tests::estore::fill`).

use foal::prelude::*;
use foal_tests::estore::{self, Category, Customer, Order, OrderItem, Product};

fn each(check: impl Fn(&Database) -> foal::Result<()>) {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        check(db)
    });
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn navigating_a_reference_joins() {
    each(|db| {
        let q = select!(o.id for o in Order if o.customer.country == "USA");
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 2, 5]);
        let q =
            select!((o.id, o.customer.name) for o in Order if o.customer.country == "USA" && o.customer.name != "Dan");
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![(1, "Ann".to_string()), (2, "Ann".to_string())]
        );
        let sql = q.sql(Dialect::Postgres);
        assert_eq!(sql.matches("JOIN").count(), 1, "one join per path: {sql}");
        // Through an optional reference: a left join, and Option values.
        let q = select!((p.name, p.category.name) for p in Product if p.price > 200);
        let expected = vec![
            ("Mac Pro".to_string(), Some("Electronics".to_string())),
            ("iPad Air".to_string(), Some("Tablets".to_string())),
            ("iPad mini".to_string(), Some("Tablets".to_string())),
            ("Écran".to_string(), None),
        ];
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        let q = select!(p.name for p in Product if p.category.parent.name == "Electronics");
        assert_eq!(sorted(q.fetch_all(db)?), s(&["Cable 100%", "iPad Air", "iPad mini"]));
        let q = select!(i.order.customer.name for i in OrderItem if i.product.name.starts_with("iPad"));
        assert_eq!(q.fetch_all(db)?, s(&["Bob", "Bob"]));
        Ok(())
    });
}

#[test]
fn several_sources_and_to_many_paths() {
    each(|db| {
        let q = select!((c.name, o.id) for c in Customer for o in Order if o.customer == c && o.total > 100.0);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![("Ann".into(), 1), ("Bob".into(), 3), ("Dan".to_string(), 5)]
        );
        let q = select!((c.name, o.id) for c in Customer for o in c.orders if o.total > 100.0);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![("Ann".into(), 1), ("Bob".into(), 3), ("Dan".to_string(), 5)]
        );
        let q = select!((c.name, count(o)) for c in Customer for o in c.orders.left());
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![
                ("Ann".into(), 2),
                ("Bob".into(), 1),
                ("Chloé".into(), 1),
                ("Dan".into(), 1),
                ("Eve".to_string(), 0)
            ]
        );
        let q = select!(c.name for c in Customer if c.orders.is_empty());
        assert_eq!(q.fetch_all(db)?, s(&["Eve"]));
        let q = select!((c.name, c.orders.count()) for c in Customer if c.country == "USA");
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![("Ann".into(), 2), ("Dan".to_string(), 1)]
        );
        Ok(())
    });
}

#[test]
fn aggregates_over_relations() {
    each(|db| {
        let q = select!(c.name for c in Customer if count(o for o in c.orders if o.total > 100.0) > 0);
        assert_eq!(sorted(q.fetch_all(db)?), s(&["Ann", "Bob", "Dan"]));
        let q = select!(c.name for c in Customer if exists(o for o in c.orders if o.state == "SHIPPED"));
        assert_eq!(sorted(q.fetch_all(db)?), s(&["Ann", "Bob", "Dan"]));
        let q = select!((c.country, sum(o.total)) for c in Customer for o in c.orders if sum(o.total) > 500.0);
        let rows = sorted(
            q.fetch_all(db)?
                .into_iter()
                .map(|(c, t)| (c, (t * 100.0).round() as i64))
                .collect(),
        );
        assert_eq!(rows, vec![("UK".to_string(), 99999), ("USA".to_string(), 50050)]);
        let q = select!((c.name, sum(o.total for o in c.orders)) for c in Customer);
        let rows = sorted(
            q.fetch_all(db)?
                .into_iter()
                .map(|(c, t)| (c, (t * 100.0).round() as i64))
                .collect(),
        );
        let expected = vec![
            ("Ann".into(), 20050),
            ("Bob".into(), 99999),
            ("Chloé".into(), 1525),
            ("Dan".into(), 30000),
            ("Eve".to_string(), 0),
        ];
        assert_eq!(rows, expected);
        Ok(())
    });
}

#[allow(dead_code)]
fn unused(_: Category) {}

#[test]
fn chains_after_a_comprehension_name_its_variables() {
    each(|db| {
        let q = select!(((c.country, count(c)) for c in Customer).order_by(|c| (desc(count(c)), c.country)));
        let expected = vec![
            ("USA".to_string(), 2),
            ("France".into(), 1),
            ("Germany".into(), 1),
            ("UK".into(), 1),
        ];
        assert_eq!(q.fetch_all(db)?, expected);
        let q = select!(((c.name, o.total) for c in Customer for o in c.orders).order_by(|(c, o)| (desc(o.total), c.name)).limit(2));
        assert_eq!(
            q.fetch_all(db)?,
            vec![("Bob".to_string(), 999.99), ("Dan".to_string(), 300.0)]
        );
        let q = select!(((c.country, sum(o.total)) for c in Customer for o in c.orders).filter(|c| c.country != "UK").order_by(|(_, o)| desc(sum(o.total))));
        let rows = q.fetch_all(db)?;
        assert_eq!(
            rows.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
            vec!["USA", "France"]
        );
        Ok(())
    });
}

#[test]
fn in_a_subquery() {
    each(|db| {
        let q = select!(c.name for c in Customer if (o.customer for o in Order if o.state == "SHIPPED").contains(&c));
        assert_eq!(sorted(q.fetch_all(db)?), s(&["Ann", "Bob", "Dan"]));
        let q = select!(p.name for p in Product if (i.product for i in OrderItem if i.quantity > 1).contains(&p));
        assert_eq!(sorted(q.fetch_all(db)?), s(&["Cable 100%", "Sticker"]));
        let q = select!(p.name for p in Product if !(i.product.key() for i in OrderItem).contains(&p.id));
        assert_eq!(q.fetch_all(db)?, Vec::<String>::new());
        // A row value: pairs of (order, product) that were bought twice or more.
        let q = select!((i.order.key(), i.product.key()) for i in OrderItem if ((j.order.key(), j.product.key()) for j in OrderItem if j.quantity >= 2).contains(&(i.order.key(), i.product.key())));
        assert_eq!(sorted(q.fetch_all(db)?), vec![(1, 3), (1, 5), (4, 5)]);
        Ok(())
    });
}

/// A generator over a to-many path reached through a reference stays
/// correlated with the outer row: following `o.customer` inside the
/// subquery makes it the subquery's first table, whose join condition is
/// the only link back to `o`.
#[test]
fn a_generator_through_a_reference_stays_correlated() {
    each(|db| {
        let q = select!((o.id, count(x for x in o.customer.orders)) for o in Order);
        assert_eq!(sorted(q.fetch_all(db)?), vec![(1, 2), (2, 2), (3, 1), (4, 1), (5, 1)]);
        let q = select!(o.id for o in Order if exists(x for x in o.customer.orders if x.state == "NEW"));
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 2]);
        let q = select!((i.order.id, i.product.id, count(j for j in i.order.items)) for i in OrderItem);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![
                (1, 3, 2),
                (1, 5, 2),
                (2, 6, 1),
                (3, 1, 2),
                (3, 2, 2),
                (4, 5, 1),
                (5, 3, 2),
                (5, 4, 2)
            ]
        );
        // Through an optional reference: a product without a category has
        // no siblings.
        let q = select!((p.id, count(x for x in p.category.products)) for p in Product);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![(1, 2), (2, 2), (3, 1), (4, 1), (5, 1), (6, 0)]
        );
        let q = select!((o.id, sum(x.total for x in o.customer.orders if x.id != o.id)) for o in Order);
        let got = sorted(
            q.fetch_all(db)?
                .into_iter()
                .map(|(id, t)| (id, (t * 100.0).round() as i64))
                .collect(),
        );
        assert_eq!(got, vec![(1, 8000), (2, 12050), (3, 0), (4, 0), (5, 0)]);
        Ok(())
    });
}

#[test]
fn a_query_value_as_a_source() {
    each(|db| {
        let min = 100.0;
        let big = select!(o for o in Order if o.total > min);
        let state = "SHIPPED";
        let q = select!(x.id for x in big if x.state == state);
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 3, 5]);
        // The source keeps its own parameters; the outer ones come first.
        let q = select!((c.name, x.total) for c in Customer for x in big if x.customer == c && c.country == "USA");
        assert_eq!(
            sorted(q.fetch_all(db)?.into_iter().map(|(n, t)| (n, t as i64)).collect()),
            vec![("Ann".to_string(), 120), ("Dan".to_string(), 300)]
        );
        // A limited query read as a source keeps its limit.
        let top = select!(Product.order_by(|p| desc(p.price)).limit(3));
        let q = select!(t.name for t in top if t.active);
        assert_eq!(sorted(q.fetch_all(db)?), s(&["iPad Air", "iPad mini"]));
        Ok(())
    });
}

#[test]
fn dates_and_times() {
    use chrono::{Datelike, Duration, NaiveDate};
    use foal_tests::estore::at;
    each(|db| {
        let q = select!(o.id for o in Order if o.placed.year() == 2026 && o.placed.month() >= 2);
        assert_eq!(sorted(q.fetch_all(db)?), vec![2, 4, 5]);
        let q = select!((o.placed.day(), o.placed.hour(), o.placed.minute(), o.placed.second()) for o in Order if o.id == 3);
        assert_eq!(q.fetch_one(db)?, (24, 23, 59, 59));
        let since = at(2026, 1, 1, 0, 0, 0, 0);
        let q = select!(o.id for o in Order if o.placed >= since);
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 2, 4, 5]);
        // Microseconds survive arithmetic: 23:59:59.999999 plus one
        // microsecond is midnight of the next day.
        let q = select!(o.placed + Duration::microseconds(1) for o in Order if o.id == 3);
        assert_eq!(q.fetch_one(db)?, at(2025, 12, 25, 0, 0, 0, 0));
        let q = select!(o.placed - Duration::days(31) for o in Order if o.id == 1);
        assert_eq!(q.fetch_one(db)?, at(2025, 12, 5, 10, 30, 0, 123_456));
        let week = Duration::weeks(1);
        let q = select!(o.id for o in Order if o.shipped.is_some() && o.placed + week < o.shipped.unwrap_or(since));
        assert_eq!(q.fetch_all(db)?, Vec::<i64>::new());
        let q = select!(o.id for o in Order if o.placed + Duration::days(2) < o.shipped.unwrap_or(since));
        assert_eq!(sorted(q.fetch_all(db)?), vec![3, 5]);

        // A date moves by whole days.
        let d = NaiveDate::from_ymd_opt(2026, 2, 27).unwrap_or_default();
        let q = select!(o.id for o in Order if o.placed.year() == d.year() && o.id == 5);
        assert_eq!(q.fetch_all(db)?, vec![5]);
        Ok(())
    });
}

#[test]
fn bulk_updates_and_deletes() {
    each(|db| {
        // A plain single-table update.
        let u = select!(Product.filter(|p| p.quantity == 0).update(|p| {
            p.active = false;
            p.price = p.price - 1;
        }));
        assert_eq!(u.execute(db)?, 1);
        assert_eq!(
            select!((p.active, p.price) for p in Product if p.id == 2).fetch_one(db)?,
            (false, 498)
        );
        // A condition through references: the rows are named by key.
        let u = select!(
            OrderItem
                .filter(|i| i.order.customer.name == "Ann")
                .update(|i| i.quantity *= 2)
        );
        assert!(u.sql(db.dialect()).contains(" IN (SELECT"), "{}", u.sql(db.dialect()));
        assert_eq!(u.execute(db)?, 3);
        let q =
            select!((i.order.key(), i.product.key(), i.quantity) for i in OrderItem if i.order.customer.name == "Ann");
        assert_eq!(sorted(q.fetch_all(db)?), vec![(1, 3, 4), (1, 5, 20), (2, 6, 2)]);
        // A subquery reading the table being deleted from (MySQL needs the
        // derived table for this).
        let items = select!(i for i in OrderItem if i.product.price == max(x.price for x in Product));
        assert_eq!(items.delete(db)?, 1);
        let top = select!(p for p in Product if p.price == max(x.price for x in Product));
        assert_eq!(top.delete(db)?, 1);
        assert!(select!(p for p in Product if p.name == "Mac Pro").first(db)?.is_none());
        // Relations in the condition, and a limited delete.
        assert_eq!(
            select!(c for c in Category if c.products.is_empty() && c.children.is_empty()).delete(db)?,
            1
        );
        let lonely = select!(Customer.filter(|c| c.orders.is_empty()).order_by(|c| c.id).limit(1));
        assert_eq!(lonely.delete(db)?, 1);
        assert_eq!(select!(c for c in Customer).count(db)?, 4);
        assert_eq!(select!(o for o in Order if o.state == "NEVER").delete(db)?, 0);
        Ok(())
    });
}

#[test]
fn for_update_locks_the_rows_read_until_commit() {
    each(|db| {
        let id = 1_i64;
        let locked = select!(Product.filter(|p| p.id == id).for_update());
        let sql = locked.sql(db.dialect());
        match db.dialect() {
            // SQLite has no row locks: every foal transaction starts with
            // BEGIN IMMEDIATE, which takes the database's write lock.
            Dialect::Sqlite => assert!(!sql.contains("FOR UPDATE"), "{sql}"),
            _ => assert!(sql.ends_with(" FOR UPDATE"), "{sql}"),
        }
        // Read-modify-write from several threads: without the lock, two
        // transactions could read the same quantity and one increment would
        // be lost (READ COMMITTED on PostgreSQL, REPEATABLE READ on MariaDB).
        let before = select!(p.quantity for p in Product if p.id == id).fetch_one(db)?;
        let (threads, rounds) = (4, 25);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| -> foal::Result<()> {
                        for _ in 0..rounds {
                            db.transaction(|tx| {
                                let mut p = locked.fetch_one(tx)?;
                                p.quantity += 1;
                                tx.update(&p)?;
                                Ok(())
                            })?;
                        }
                        Ok(())
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|w| w.join().unwrap_or_else(|_| panic!("worker panicked")))
        })?;
        let after = select!(p.quantity for p in Product if p.id == id).fetch_one(db)?;
        assert_eq!(after, before + threads * rounds);
        Ok(())
    });
}

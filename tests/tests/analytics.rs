//! The analytics contract (DESIGN §6) on SQLite, PostgreSQL and MariaDB:
//! query values as sources, every kind of join, window functions, set
//! operations, shared and recursive CTEs. Each query's rows are compared
//! with the same question answered in plain Rust over the rows read back
//! (`foal_tests::analytics::Data`).

use std::collections::{BTreeMap, BTreeSet};

use foal::prelude::*;
use foal_tests::analytics::{self, DEPTS, Data, Employee, Link, Supplier};
use foal_tests::estore::{Category, Customer, Order};

fn each(check: impl Fn(&Database, &Data) -> foal::Result<()>) {
    foal_tests::on_each(|db| {
        analytics::fill(db)?;
        let data = Data::load(db)?;
        check(db, &data)
    });
}

fn sorted<T: PartialOrd>(mut v: Vec<T>) -> Vec<T> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v
}

/// Money as whole cents: every total has at most two decimals, so sums in
/// any order round to the same cents.
fn cents(v: f64) -> i64 {
    let scaled = v * 100.0;
    assert!((scaled - scaled.round()).abs() < 1e-3, "{v} is not a sum of cents");
    scaled.round() as i64
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

// ---- query values as sources ------------------------------------------------

#[test]
fn a_query_of_tuples_is_a_source() {
    each(|db, data| {
        let per_customer = select!((o.customer, sum(o.total)) for o in Order);
        let q =
            select!((c.name, total) for c in Customer for (who, total) in per_customer if who == c && total > 1000.0);
        let got: Vec<(String, i64)> = q.fetch_all(db)?.into_iter().map(|(n, t)| (n, cents(t))).collect();
        let mut sums: BTreeMap<i64, f64> = BTreeMap::new();
        for o in &data.orders {
            *sums.entry(o.customer.key()).or_default() += o.total;
        }
        let expected: Vec<(String, i64)> = sums
            .iter()
            .filter(|(_, t)| **t > 1000.0)
            .map(|(id, t)| (data.customer(*id).name.clone(), cents(*t)))
            .collect();
        assert!(
            expected.len() >= 3,
            "the fixture must make this interesting: {expected:?}"
        );
        assert_eq!(sorted(got), sorted(expected));
        Ok(())
    });
}

#[test]
fn limit_before_join_is_a_derived_table() {
    each(|db, data| {
        let first5 = select!(Customer.filter(|c| c.name.starts_with("A")).order_by(|c| c.id).limit(5));
        let q = select!((c.name, o.total) for c in first5 for o in Order if o.customer == c);
        let mut a_names: Vec<&Customer> = data.customers.iter().filter(|c| c.name.starts_with('A')).collect();
        a_names.sort_by_key(|c| c.id);
        assert!(a_names.len() > 5, "the LIMIT must matter");
        let chosen: BTreeSet<i64> = a_names.iter().take(5).map(|c| c.id).collect();
        let expected: Vec<(String, i64)> = data
            .orders
            .iter()
            .filter(|o| chosen.contains(&o.customer.key()))
            .map(|o| (data.customer(o.customer.key()).name.clone(), cents(o.total)))
            .collect();
        let got: Vec<(String, i64)> = q.fetch_all(db)?.into_iter().map(|(n, t)| (n, cents(t))).collect();
        assert_eq!(sorted(got), sorted(expected));
        let sql = q.sql(db.dialect());
        assert!(sql.contains("LIMIT"), "{sql}");
        Ok(())
    });
}

// ---- joins -----------------------------------------------------------------

#[test]
fn an_inner_join_takes_any_condition() {
    each(|db, data| {
        let q = select!((c.name, o.id) for c in Customer for o in Order.join(|o| o.customer == c || o.total > 550.0));
        let mut expected = Vec::new();
        for c in &data.customers {
            for o in &data.orders {
                if o.customer.key() == c.id || o.total > 550.0 {
                    expected.push((c.name.clone(), o.id));
                }
            }
        }
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        Ok(())
    });
}

#[test]
fn a_left_join_keeps_the_unmatched_rows() {
    each(|db, data| {
        let q = select!((c.name, o.id) for c in Customer for o in Order.left_join(|o| o.customer == c && o.state == "SHIPPED"));
        let mut expected = Vec::new();
        for c in &data.customers {
            let matched: Vec<i64> = data
                .orders
                .iter()
                .filter(|o| o.customer.key() == c.id && o.state == "SHIPPED")
                .map(|o| o.id)
                .collect();
            if matched.is_empty() {
                expected.push((c.name.clone(), None));
            }
            expected.extend(matched.into_iter().map(|id| (c.name.clone(), Some(id))));
        }
        assert!(expected.iter().any(|(_, o)| o.is_none()));
        let got: Vec<(String, Option<i64>)> = q.fetch_all(db)?;
        assert_eq!(sorted(got), sorted(expected));
        // The missing row tests as `is_none()`; its fields read as options.
        let q = select!(c.name for c in Customer for o in Order.left_join(|o| o.customer == c) if o.is_none());
        let lonely: Vec<String> = data
            .customers
            .iter()
            .filter(|c| data.orders.iter().all(|o| o.customer.key() != c.id))
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(lonely));
        let q =
            select!((c.id, o.total) for c in Customer for o in Order.left_join(|o| o.customer == c && o.total > 590.0));
        let got: Vec<(i64, Option<f64>)> = q.fetch_all(db)?;
        let mut expected = Vec::new();
        for c in &data.customers {
            let m: Vec<f64> = data
                .orders
                .iter()
                .filter(|o| o.customer.key() == c.id && o.total > 590.0)
                .map(|o| o.total)
                .collect();
            if m.is_empty() {
                expected.push((c.id, None));
            }
            expected.extend(m.into_iter().map(|t| (c.id, Some(t))));
        }
        assert_eq!(sorted(got), sorted(expected));
        Ok(())
    });
}

#[test]
fn a_right_join_makes_the_earlier_rows_optional() {
    each(|db, data| {
        let q = select!((c.name, o.id) for c in Customer for o in Order.right_join(|o| o.customer == c && c.country == "USA"));
        let got: Vec<(Option<String>, i64)> = q.fetch_all(db)?;
        let expected: Vec<(Option<String>, i64)> = data
            .orders
            .iter()
            .map(|o| {
                let c = data.customer(o.customer.key());
                ((c.country == "USA").then(|| c.name.clone()), o.id)
            })
            .collect();
        assert!(expected.iter().any(|(c, _)| c.is_none()) && expected.iter().any(|(c, _)| c.is_some()));
        assert_eq!(sorted(got), sorted(expected));
        Ok(())
    });
}

#[test]
fn a_full_join_keeps_both_sides() {
    each(|db, data| {
        let q =
            select!((c.name, o.id) for c in Customer for o in Order.full_join(|o| o.customer == c && o.total > 500.0));
        let got: Vec<(Option<String>, Option<i64>)> = q.fetch_all(db)?;
        let mut expected = Vec::new();
        for c in &data.customers {
            let m: Vec<i64> = data
                .orders
                .iter()
                .filter(|o| o.customer.key() == c.id && o.total > 500.0)
                .map(|o| o.id)
                .collect();
            if m.is_empty() {
                expected.push((Some(c.name.clone()), None));
            }
            expected.extend(m.into_iter().map(|id| (Some(c.name.clone()), Some(id))));
        }
        for o in data.orders.iter().filter(|o| o.total <= 500.0) {
            expected.push((None, Some(o.id)));
        }
        assert_eq!(sorted(got), sorted(expected));
        Ok(())
    });
}

/// A condition PostgreSQL cannot run a FULL JOIN on (no equality of
/// columns: an OR, a comparison): emulated there as on MySQL (bug 12 of
/// the random-query report).
#[test]
fn a_full_join_on_any_condition() {
    each(|db, data| {
        let q =
            select!((c.id, o.id) for c in Customer for o in Order.full_join(|o| o.customer == c || o.total < 100.0));
        let got: Vec<(Option<i64>, Option<i64>)> = q.fetch_all(db)?;
        let on = |c: &Customer, o: &Order| o.customer.key() == c.id || o.total < 100.0;
        let mut expected = Vec::new();
        for c in &data.customers {
            let m: Vec<i64> = data.orders.iter().filter(|o| on(c, o)).map(|o| o.id).collect();
            if m.is_empty() {
                expected.push((Some(c.id), None));
            }
            expected.extend(m.into_iter().map(|id| (Some(c.id), Some(id))));
        }
        for o in data.orders.iter().filter(|o| !data.customers.iter().any(|c| on(c, o))) {
            expected.push((None, Some(o.id)));
        }
        assert_eq!(sorted(got), sorted(expected), "{}", db.dialect());
        let q = select!((c.id, o.id) for c in Customer for o in Order.full_join(|o| o.customer.key() < c.id));
        let got: Vec<(Option<i64>, Option<i64>)> = q.fetch_all(db)?;
        let mut expected = Vec::new();
        for c in &data.customers {
            let m: Vec<i64> = data
                .orders
                .iter()
                .filter(|o| o.customer.key() < c.id)
                .map(|o| o.id)
                .collect();
            if m.is_empty() {
                expected.push((Some(c.id), None));
            }
            expected.extend(m.into_iter().map(|id| (Some(c.id), Some(id))));
        }
        for o in data
            .orders
            .iter()
            .filter(|o| !data.customers.iter().any(|c| o.customer.key() < c.id))
        {
            expected.push((None, Some(o.id)));
        }
        assert_eq!(sorted(got), sorted(expected), "{}", db.dialect());
        Ok(())
    });
}

#[test]
fn a_left_join_on_a_relation_adds_to_its_match() {
    each(|db, data| {
        let q = select!((c.name, count(o)) for c in Customer for o in c.orders.left_join(|o| o.state != "CANCELLED"));
        let expected: Vec<(String, i64)> = data
            .customers
            .iter()
            .map(|c| {
                let n = data
                    .orders
                    .iter()
                    .filter(|o| o.customer.key() == c.id && o.state != "CANCELLED")
                    .count();
                (c.name.clone(), n as i64)
            })
            .collect();
        assert!(expected.iter().any(|(_, n)| *n == 0));
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        Ok(())
    });
}

// ---- window functions ---------------------------------------------------------

/// SQL's RANK of `e` among its department by descending salary.
fn salary_rank(data: &Data, e: &Employee) -> i64 {
    1 + data
        .employees
        .iter()
        .filter(|x| x.dept == e.dept && x.salary > e.salary)
        .count() as i64
}

#[test]
fn ranking_functions() {
    each(|db, data| {
        let q = select!((e.name, rank().over(partition_by(e.dept).order_by(desc(e.salary)))) for e in Employee);
        let expected: Vec<(String, i64)> = data
            .employees
            .iter()
            .map(|e| (e.name.clone(), salary_rank(data, e)))
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));

        let q = select!((e.name, dense_rank().over(partition_by(e.dept).order_by(desc(e.salary)))) for e in Employee);
        let expected: Vec<(String, i64)> = data
            .employees
            .iter()
            .map(|e| {
                let above: BTreeSet<i64> = data
                    .employees
                    .iter()
                    .filter(|x| x.dept == e.dept && x.salary > e.salary)
                    .map(|x| x.salary)
                    .collect();
                (e.name.clone(), 1 + above.len() as i64)
            })
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));

        // row_number with a total order (salary, then id) is exact.
        let q =
            select!((e.id, row_number().over(partition_by(e.dept).order_by((desc(e.salary), e.id)))) for e in Employee);
        let expected: Vec<(i64, i64)> = data
            .employees
            .iter()
            .map(|e| {
                let before = data
                    .employees
                    .iter()
                    .filter(|x| x.dept == e.dept && (x.salary > e.salary || (x.salary == e.salary && x.id < e.id)))
                    .count();
                (e.id, 1 + before as i64)
            })
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));

        // percent_rank and cume_dist over the whole table.
        let q = select!((e.id, percent_rank().over(order_by(e.salary)), cume_dist().over(order_by(e.salary))) for e in Employee);
        let n = data.employees.len() as f64;
        for (id, pr, cd) in q.fetch_all(db)? {
            let e = data.employees.iter().find(|e| e.id == id).expect("a known id");
            let below = data.employees.iter().filter(|x| x.salary < e.salary).count() as f64;
            let upto = data.employees.iter().filter(|x| x.salary <= e.salary).count() as f64;
            assert!(close(pr, below / (n - 1.0)), "percent_rank of {id}: {pr}");
            assert!(close(cd, upto / n), "cume_dist of {id}: {cd}");
        }

        // ntile: 4 buckets of the 30 employees by id, the first two larger.
        let q = select!((e.id, ntile(4).over(order_by(e.id))) for e in Employee);
        let mut ids: Vec<i64> = data.employees.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        let sizes = [8, 8, 7, 7];
        let mut expected = Vec::new();
        let mut at = 0;
        for (bucket, size) in sizes.iter().enumerate() {
            for id in &ids[at..at + size] {
                expected.push((*id, bucket as i64 + 1));
            }
            at += size;
        }
        assert_eq!(sorted(q.fetch_all(db)?), expected);
        Ok(())
    });
}

/// Orders sorted by when they were placed (no ties).
fn by_placed(data: &Data) -> Vec<&Order> {
    let mut orders: Vec<&Order> = data.orders.iter().collect();
    orders.sort_by_key(|o| o.placed);
    orders
}

#[test]
fn aggregates_over_windows() {
    each(|db, data| {
        // A running total per customer.
        let q =
            select!((o.id, sum(o.total).over(partition_by(o.customer).order_by(o.placed).rows(..=0))) for o in Order);
        let expected: Vec<(i64, i64)> = data
            .orders
            .iter()
            .map(|o| {
                let total: f64 = data
                    .orders
                    .iter()
                    .filter(|x| x.customer == o.customer && x.placed <= o.placed)
                    .map(|x| x.total)
                    .sum();
                (o.id, cents(total))
            })
            .collect();
        let got: Vec<(i64, i64)> = q.fetch_all(db)?.into_iter().map(|(id, t)| (id, cents(t))).collect();
        assert_eq!(sorted(got), sorted(expected));

        // OVER (): the mean of every row, on every row.
        let q = select!((o.id, avg(o.total).over(window())) for o in Order);
        let mean = data.orders.iter().map(|o| o.total).sum::<f64>() / data.orders.len() as f64;
        let rows = q.fetch_all(db)?;
        assert_eq!(rows.len(), data.orders.len());
        for (id, avg) in rows {
            assert!(avg.is_some_and(|a| close(a, mean)), "order {id}: {avg:?} is not {mean}");
        }

        // A moving window of five rows, and count/min/max over partitions.
        let q = select!((o.id, sum(o.total).over(order_by(o.placed).rows(-2..=2)), count(o).over(partition_by(o.state)), max(o.total).over(partition_by(o.state))) for o in Order);
        let sorted_orders = by_placed(data);
        let mut expected = Vec::new();
        for (i, o) in sorted_orders.iter().enumerate() {
            let lo = i.saturating_sub(2);
            let hi = (i + 2).min(sorted_orders.len() - 1);
            let moving: f64 = sorted_orders[lo..=hi].iter().map(|x| x.total).sum();
            let same: Vec<&Order> = data.orders.iter().filter(|x| x.state == o.state).collect();
            let top = same.iter().map(|x| cents(x.total)).max();
            expected.push((o.id, cents(moving), same.len() as i64, top));
        }
        let got: Vec<(i64, i64, i64, Option<i64>)> = q
            .fetch_all(db)?
            .into_iter()
            .map(|(id, s, n, m)| (id, cents(s), n, m.map(cents)))
            .collect();
        assert_eq!(sorted(got), sorted(expected));

        // From this row to the last: the remaining total.
        let q = select!((o.id, sum(o.total).over(order_by(o.placed).rows(0..))) for o in Order);
        let expected: Vec<(i64, i64)> = sorted_orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id, cents(sorted_orders[i..].iter().map(|x| x.total).sum())))
            .collect();
        let got: Vec<(i64, i64)> = q.fetch_all(db)?.into_iter().map(|(id, t)| (id, cents(t))).collect();
        assert_eq!(sorted(got), sorted(expected));
        Ok(())
    });
}

#[test]
fn offset_functions() {
    each(|db, data| {
        let q = select!((o.id, o.total - lag(o.total, 1).over(order_by(o.placed)).unwrap_or(0.0)) for o in Order);
        let orders = by_placed(data);
        let expected: Vec<(i64, i64)> = orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id, cents(o.total - if i == 0 { 0.0 } else { orders[i - 1].total })))
            .collect();
        let got: Vec<(i64, i64)> = q.fetch_all(db)?.into_iter().map(|(id, d)| (id, cents(d))).collect();
        assert_eq!(sorted(got), sorted(expected));

        let q = select!((o.id, lead(o.id, 2).over(order_by(o.placed)), first_value(o.id).over(partition_by(o.customer).order_by(o.placed)), nth_value(o.id, 2).over(order_by(o.placed).rows(..)), last_value(o.id).over(order_by(o.placed).rows(..))) for o in Order);
        let mut expected = Vec::new();
        for (i, o) in orders.iter().enumerate() {
            let first = orders.iter().find(|x| x.customer == o.customer).map(|x| x.id);
            expected.push((
                o.id,
                orders.get(i + 2).map(|x| x.id),
                first,
                Some(orders[1].id),
                orders.last().map(|x| x.id),
            ));
        }
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        Ok(())
    });
}

#[test]
fn a_condition_on_a_window_filters_its_result() {
    each(|db, data| {
        let q = select!(e for e in Employee if rank().over(partition_by(e.dept).order_by(desc(e.salary))) <= 3);
        let expected: Vec<i64> = data
            .employees
            .iter()
            .filter(|e| salary_rank(data, e) <= 3)
            .map(|e| e.id)
            .collect();
        let got: Vec<i64> = q.fetch_all(db)?.into_iter().map(|e| e.id).collect();
        assert_eq!(sorted(got), sorted(expected));

        // The window sees the rows that pass the plain conditions: the top
        // two earners hired after 2017 in each department.
        let since = chrono::NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default();
        let q = select!(e.id for e in Employee if e.hired >= since && row_number().over(partition_by(e.dept).order_by((desc(e.salary), e.id))) <= 2);
        let mut expected = Vec::new();
        for dept in DEPTS {
            let mut staff: Vec<&Employee> = data
                .employees
                .iter()
                .filter(|e| e.dept == dept && e.hired >= since)
                .collect();
            staff.sort_by_key(|e| (std::cmp::Reverse(e.salary), e.id));
            expected.extend(staff.iter().take(2).map(|e| e.id));
        }
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        Ok(())
    });
}

#[test]
fn windows_over_grouped_rows() {
    each(|db, data| {
        // Rank the customers by what they spent.
        let q = select!((o.customer, sum(o.total), rank().over(order_by(desc(sum(o.total))))) for o in Order);
        let mut sums: BTreeMap<i64, f64> = BTreeMap::new();
        for o in &data.orders {
            *sums.entry(o.customer.key()).or_default() += o.total;
        }
        let expected: Vec<(i64, i64, i64)> = sums
            .iter()
            .map(|(id, t)| (*id, cents(*t), 1 + sums.values().filter(|x| **x > *t).count() as i64))
            .collect();
        let got: Vec<(i64, i64, i64)> = q
            .fetch_all(db)?
            .into_iter()
            .map(|(c, t, r)| (c.key(), cents(t), r))
            .collect();
        assert_eq!(sorted(got), sorted(expected));
        Ok(())
    });
}

// ---- set operations --------------------------------------------------------------

#[test]
fn set_operations() {
    each(|db, data| {
        let a = select!(c.country for c in Customer);
        let b = select!(s.country for s in Supplier);
        let ca: Vec<String> = data.customers.iter().map(|c| c.country.clone()).collect();
        let sa: Vec<String> = data.suppliers.iter().map(|s| s.country.clone()).collect();
        let set_a: BTreeSet<String> = ca.iter().cloned().collect();
        let set_b: BTreeSet<String> = sa.iter().cloned().collect();

        let union: Vec<String> = set_a.union(&set_b).cloned().collect();
        assert_eq!(sorted(a.union(&b).fetch_all(db)?), union);
        let all: Vec<String> = ca.iter().chain(&sa).cloned().collect();
        assert_eq!(sorted(a.union_all(&b).fetch_all(db)?), sorted(all));
        let both: Vec<String> = set_a.intersection(&set_b).cloned().collect();
        assert!(!both.is_empty());
        assert_eq!(sorted(a.intersect(&b).fetch_all(db)?), both);
        let only: Vec<String> = set_a.difference(&set_b).cloned().collect();
        assert_eq!(sorted(a.except(&b).fetch_all(db)?), only);

        // A set operation is a query value: ordered, limited, a source.
        let all = a.union(&b);
        let q = select!(all.order_by(|x| x).limit(3));
        assert_eq!(q.fetch_all(db)?, union.iter().take(3).cloned().collect::<Vec<_>>());
        let q = select!(c.name for c in Customer for x in all if c.country == x && x.starts_with("U"));
        let expected: Vec<String> = data
            .customers
            .iter()
            .filter(|c| c.country.starts_with('U'))
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        // And a generator's rows, for IN.
        let shared = a.intersect(&b);
        let q = select!(s.name for s in Supplier if (x for x in shared).contains(&s.country));
        let expected: Vec<String> = data
            .suppliers
            .iter()
            .filter(|s| both.contains(&s.country))
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        // Rows of tuples.
        let a = select!((c.country, c.name) for c in Customer if c.country == "USA");
        let b = select!((s.country, s.name) for s in Supplier);
        let mut expected: Vec<(String, String)> = data
            .customers
            .iter()
            .filter(|c| c.country == "USA")
            .map(|c| (c.country.clone(), c.name.clone()))
            .chain(data.suppliers.iter().map(|s| (s.country.clone(), s.name.clone())))
            .collect();
        expected.sort();
        let u = a.union_all(&b);
        let q = select!(u.order_by(|(country, name)| (desc(country), name)));
        expected.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        assert_eq!(q.fetch_all(db)?, expected);
        Ok(())
    });
}

// ---- shared and recursive CTEs -------------------------------------------------------

#[test]
fn a_query_value_used_twice_is_one_cte() {
    each(|db, data| {
        let revenue = select!((o.customer, sum(o.total)) for o in Order);
        let q = select!(who for (who, total) in revenue if total == max(t for (_, t) in revenue));
        let sql = q.sql(db.dialect());
        assert!(sql.starts_with("WITH"), "{sql}");
        let mut sums: BTreeMap<i64, f64> = BTreeMap::new();
        for o in &data.orders {
            *sums.entry(o.customer.key()).or_default() += o.total;
        }
        let top = sums.values().copied().fold(f64::MIN, f64::max);
        let expected: Vec<i64> = sums.iter().filter(|(_, t)| **t == top).map(|(id, _)| *id).collect();
        let got: Vec<i64> = q.fetch_all(db)?.into_iter().map(|r| r.key()).collect();
        assert_eq!(got, expected);
        Ok(())
    });
}

#[test]
fn recursive_queries() {
    each(|db, data| {
        let root = select!((c, 0_i64) for c in Category if c.parent.is_none());
        let tree = root.union_all_recursive(
            |prev| select!((c, depth + 1) for c in Category for (p, depth) in prev if c.parent == p),
        );
        let got: Vec<(i64, i64)> = tree.fetch_all(db)?.into_iter().map(|(c, d)| (c.id, d)).collect();
        let depth = |c: &Category| {
            let mut d = 0;
            let mut at = c.parent.as_ref().map(Ref::key);
            while let Some(id) = at {
                d += 1;
                at = data
                    .categories
                    .iter()
                    .find(|x| x.id == id)
                    .and_then(|x| x.parent.as_ref().map(Ref::key));
            }
            d
        };
        let expected: Vec<(i64, i64)> = data.categories.iter().map(|c| (c.id, depth(c))).collect();
        assert!(expected.iter().any(|(_, d)| *d > 0));
        assert_eq!(sorted(got), sorted(expected));

        // On a graph with cycles, union_recursive stops: what 1 reaches.
        let start = select!(l.target for l in Link if l.source == 1);
        let reach = start.union_recursive(|prev| select!(l.target for l in Link for n in prev if l.source == n));
        let mut seen = BTreeSet::new();
        let mut frontier: Vec<i64> = vec![1];
        while let Some(n) = frontier.pop() {
            for l in data.links.iter().filter(|l| l.source == n) {
                if seen.insert(l.target) {
                    frontier.push(l.target);
                }
            }
        }
        assert_eq!(sorted(reach.fetch_all(db)?), seen.into_iter().collect::<Vec<_>>());
        Ok(())
    });
}

// ---- functions inside queries -----------------------------------------------------------

#[test]
fn substring_distinct_counts_and_conditional_aggregates() {
    each(|db, data| {
        let q = select!((c.id, substring(c.name, 1, 3)) for c in Customer);
        let expected: Vec<(i64, String)> = data
            .customers
            .iter()
            .map(|c| (c.id, c.name.chars().skip(1).take(3).collect()))
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));

        let q = select!((o.customer, count_distinct(o.state)) for o in Order);
        let mut states: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
        for o in &data.orders {
            states.entry(o.customer.key()).or_default().insert(&o.state);
        }
        let expected: Vec<(i64, i64)> = states.iter().map(|(c, s)| (*c, s.len() as i64)).collect();
        let got: Vec<(i64, i64)> = q.fetch_all(db)?.into_iter().map(|(c, n)| (c.key(), n)).collect();
        assert_eq!(sorted(got), expected);

        let q = select!((o.state, sum(if o.total > 300.0 { o.total } else { 0.0 }), max(if o.customer.country == "USA" { o.total } else { 0.0 })) for o in Order);
        let mut expected: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for o in &data.orders {
            let e = expected.entry(o.state.clone()).or_insert((0.0, 0.0));
            if o.total > 300.0 {
                e.0 += o.total;
            }
            if data.customer(o.customer.key()).country == "USA" {
                e.1 = e.1.max(o.total);
            }
        }
        let got: Vec<(String, i64, Option<i64>)> = q
            .fetch_all(db)?
            .into_iter()
            .map(|(s, a, b)| (s, cents(a), b.map(cents)))
            .collect();
        let expected: Vec<(String, i64, Option<i64>)> = expected
            .into_iter()
            .map(|(s, (a, b))| (s, cents(a), Some(cents(b))))
            .collect();
        assert_eq!(sorted(got), expected);

        let q = select!((o.placed.year(), o.placed.month(), count(o)) for o in Order);
        let mut months: BTreeMap<(i32, u32), i64> = BTreeMap::new();
        for o in &data.orders {
            use chrono::Datelike;
            *months.entry((o.placed.year(), o.placed.month())).or_default() += 1;
        }
        let got: Vec<((i32, u32), i64)> = q.fetch_all(db)?.into_iter().map(|(y, m, n)| ((y, m), n)).collect();
        assert_eq!(sorted(got), months.into_iter().collect::<Vec<_>>());
        Ok(())
    });
}

#[test]
fn like_patterns_with_several_wildcards() {
    use foal::methods::Like;
    each(|db, data| {
        let q = select!(c.name for c in Customer if c.name.like("A%a_"));
        let expected: Vec<String> = data
            .customers
            .iter()
            .filter(|c| c.name.like("A%a_"))
            .map(|c| c.name.clone())
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        let sql = q.sql(db.dialect());
        assert!(
            sql.contains("'A%a_'"),
            "a literal pattern is written into the SQL: {sql}"
        );
        // A pattern computed in Rust is bound; `\` escapes a wildcard, and
        // the match is case-sensitive.
        for pattern in ["%e%", "_o_", "%\\%%", "a%", "A%", "%", "", "Ann\\"] {
            let q = select!(c.name for c in Customer if c.name.like(pattern));
            let expected: Vec<String> = data
                .customers
                .iter()
                .filter(|c| c.name.like(pattern))
                .map(|c| c.name.clone())
                .collect();
            assert_eq!(sorted(q.fetch_all(db)?), sorted(expected), "pattern {pattern:?}");
        }
        let q = select!(s.name for s in Supplier if !s.name.like("%o%n%"));
        let expected: Vec<String> = data
            .suppliers
            .iter()
            .filter(|s| !s.name.like("%o%n%"))
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        Ok(())
    });
}

#[test]
fn substring_counts_characters_from_zero() {
    each(|db, data| {
        for (start, len) in [(0_i64, 2_i64), (2, 10), (5, 0), (40, 3), (-2, 3), (1, -1)] {
            let q = select!((c.id, substring(c.name, start, len)) for c in Customer);
            let expected: Vec<(i64, String)> = data
                .customers
                .iter()
                .map(|c| {
                    let (s, l) = (start.max(0) as usize, len.max(0) as usize);
                    (c.id, c.name.chars().skip(s).take(l).collect())
                })
                .collect();
            assert_eq!(
                sorted(q.fetch_all(db)?),
                sorted(expected),
                "substring from {start}, {len}"
            );
        }
        // Non-ASCII text counts characters, not bytes.
        let q = select!(substring(c.name, 2, 2) for c in Customer if c.name == "Chloé");
        assert_eq!(q.fetch_all(db)?, vec!["lo".to_string()]);
        let q = select!(substring(c.name, 3, 5) for c in Customer if c.name == "Chloé");
        assert_eq!(q.fetch_all(db)?, vec!["oé".to_string()]);
        Ok(())
    });
}

#[test]
fn date_differences_are_durations() {
    use chrono::Duration;
    each(|db, data| {
        let q = select!((o.id, o.placed - o.placed) for o in Order if o.id < 3);
        for (_, d) in q.fetch_all(db)? {
            assert_eq!(d, Duration::zero());
        }
        let since = estore_start();
        let q = select!((o.id, o.placed - since) for o in Order);
        let expected: Vec<(i64, Duration)> = data.orders.iter().map(|o| (o.id, o.placed - since)).collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        // Comparable with a chrono duration, in a condition.
        let q = select!(o.id for o in Order if o.placed - since > Duration::days(20));
        let expected: Vec<i64> = data
            .orders
            .iter()
            .filter(|o| o.placed - since > Duration::days(20))
            .map(|o| o.id)
            .collect();
        assert!(!expected.is_empty() && expected.len() < data.orders.len());
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        // Between two dates: whole days; the longest tenure per department.
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
        let q = select!((e.dept, max(today - e.hired)) for e in Employee);
        let mut expected: BTreeMap<String, Duration> = BTreeMap::new();
        for e in &data.employees {
            let d = today - e.hired;
            let best = expected.entry(e.dept.clone()).or_insert(d);
            *best = (*best).max(d);
        }
        let got: Vec<(String, Option<Duration>)> = q.fetch_all(db)?;
        let expected: Vec<(String, Option<Duration>)> = expected.into_iter().map(|(k, v)| (k, Some(v))).collect();
        assert_eq!(sorted(got), expected);
        let q = select!(e.id for e in Employee if today - e.hired <= Duration::days(1000));
        let expected: Vec<i64> = data
            .employees
            .iter()
            .filter(|e| today - e.hired <= Duration::days(1000))
            .map(|e| e.id)
            .collect();
        assert_eq!(sorted(q.fetch_all(db)?), sorted(expected));
        Ok(())
    });
}

fn estore_start() -> chrono::NaiveDateTime {
    foal_tests::estore::at(2024, 2, 1, 12, 0, 0, 250_000)
}

#[test]
fn powers_roots_and_distinct_sums() {
    each(|db, data| {
        let q = select!((o.id, o.total.powi(2), o.total.sqrt(), (o.total + 1.0).powf(0.5)) for o in Order);
        for (id, sq, root, half) in q.fetch_all(db)? {
            let t = data
                .orders
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.total)
                .unwrap_or_default();
            assert!(close(sq, t.powi(2)), "{t}² = {sq}");
            assert!(close(root, t.sqrt()), "√{t} = {root}");
            assert!(close(half, (t + 1.0).powf(0.5)), "({t} + 1)^0.5 = {half}");
        }
        let q = select!((o.state, sum_distinct(o.customer.id), avg_distinct(o.customer.id)) for o in Order);
        let mut ids: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        for o in &data.orders {
            ids.entry(o.state.clone()).or_default().insert(o.customer.key());
        }
        for (state, total, mean) in q.fetch_all(db)? {
            let set = &ids[&state];
            assert_eq!(total, set.iter().sum::<i64>(), "{state}");
            let m = set.iter().sum::<i64>() as f64 / set.len() as f64;
            assert!(mean.is_some_and(|x| close(x, m)), "{state}: {mean:?}");
        }
        // `sum` of no rows is 0 (Rust's meaning); `sum_or_none` is SQL's NULL.
        let q = select!((c.id, sum(o.total), sum_or_none(o.total)) for c in Customer for o in c.orders.left());
        for (id, total, or_none) in q.fetch_all(db)? {
            let mine: Vec<f64> = data
                .orders
                .iter()
                .filter(|o| o.customer.key() == id)
                .map(|o| o.total)
                .collect();
            assert_eq!(cents(total), cents(mine.iter().sum()));
            assert_eq!(or_none.map(cents), (!mine.is_empty()).then(|| cents(mine.iter().sum())));
        }
        Ok(())
    });
}

#[test]
fn the_first_five_properties_are_limited_before_the_join() {
    use foal_tests::analytics::{Owner, Ownership, Property};
    each(|db, data| {
        let first5 = select!(Property.filter(|p| p.city.starts_with("K")).order_by(|p| p.id).limit(5));
        let q = select!((p.id, o.name) for p in first5 for s in Ownership if s.property == p for o in Owner if s.owner == o);
        let mut chosen: Vec<&foal_tests::analytics::Property> =
            data.properties.iter().filter(|p| p.city.starts_with('K')).collect();
        chosen.sort_by_key(|p| p.id);
        chosen.truncate(5);
        let mut expected = Vec::new();
        for p in &chosen {
            for s in data.ownerships.iter().filter(|s| s.property.key() == p.id) {
                let owner = data
                    .owners
                    .iter()
                    .find(|o| o.id == s.owner.key())
                    .map(|o| o.name.clone());
                expected.push((p.id, owner.unwrap_or_default()));
            }
        }
        let got = q.fetch_all(db)?;
        assert_eq!(sorted(got.clone()), sorted(expected.clone()));
        let properties: BTreeSet<i64> = got.iter().map(|(id, _)| *id).collect();
        assert_eq!(properties.len(), 5, "five properties, each with all its owners");
        // Limiting after the join, as an ORM that joins first would, cuts
        // the rows, not the properties: fewer than five properties.
        let naive = select!(((p.id, o.name) for p in Property for s in Ownership if s.property == p && p.city.starts_with("K") for o in Owner if s.owner == o).order_by(|(p, s, o)| p.id).limit(5));
        let cut: BTreeSet<i64> = naive.fetch_all(db)?.iter().map(|(id, _)| *id).collect();
        assert!(cut.len() < 5, "the fixture must show the difference: {cut:?}");
        Ok(())
    });
}

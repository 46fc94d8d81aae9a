//! Every single-entity construct of `select!`, on SQLite, PostgreSQL and
//! MariaDB, against rows written by hand (see `foal_tests::estore::fill`).

use foal::Error;
use foal::prelude::*;
use foal_tests::estore::{self, Customer, Order, Product};

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

fn names(products: Vec<Product>) -> Vec<String> {
    sorted(products.into_iter().map(|p| p.name).collect())
}

fn strings(items: &[&str]) -> Vec<String> {
    sorted(items.iter().map(|s| (*s).to_owned()).collect())
}

#[test]
fn the_entity_itself_is_selected_whole() {
    each(|db| {
        let rows = select!(p for p in Product if p.price >= 500).fetch_all(db)?;
        assert_eq!(names(rows.clone()), strings(&["iPad Air", "Mac Pro"]));
        let air = rows.into_iter().find(|p| p.id == 1);
        assert_eq!(
            air,
            Some(Product {
                id: 1,
                name: "iPad Air".into(),
                price: 599,
                quantity: 3,
                description: Some("Tablet".into()),
                rating: Some(4.5),
                active: true,
                category: Some(Ref::new(2)),
            })
        );
        Ok(())
    });
}

#[test]
fn comparisons() {
    each(|db| {
        assert_eq!(select!(p.id for p in Product if p.price == 9).fetch_all(db)?, vec![3]);
        assert_eq!(
            sorted(select!(p.id for p in Product if p.price != 9).fetch_all(db)?),
            vec![1, 2, 4, 5, 6]
        );
        assert_eq!(
            sorted(select!(p.id for p in Product if p.price < 300).fetch_all(db)?),
            vec![3, 5]
        );
        assert_eq!(
            sorted(select!(p.id for p in Product if p.price <= 300).fetch_all(db)?),
            vec![3, 5, 6]
        );
        assert_eq!(
            sorted(select!(p.id for p in Product if p.price > 599).fetch_all(db)?),
            vec![4]
        );
        assert_eq!(
            sorted(select!(p.id for p in Product if p.price >= 599).fetch_all(db)?),
            vec![1, 4]
        );
        // A value on the left is the same comparison turned around.
        assert_eq!(
            sorted(select!(p.id for p in Product if 300 >= p.price).fetch_all(db)?),
            vec![3, 5, 6]
        );
        // Text compares by bytes, as in Rust: "É" (0xC3 0x89) sorts after "i".
        assert_eq!(
            sorted(select!(p.id for p in Product if p.name > "iPad mini").fetch_all(db)?),
            vec![6]
        );
        assert_eq!(
            sorted(select!(p.id for p in Product if p.name < "Mac").fetch_all(db)?),
            vec![3]
        );
        Ok(())
    });
}

#[test]
fn logic() {
    each(|db| {
        let q = select!(p.id for p in Product if p.price > 100 && !p.active || p.quantity == 0);
        assert_eq!(sorted(q.fetch_all(db)?), vec![2, 4]);
        let q = select!(p.id for p in Product if !(p.price > 100 || p.quantity > 100));
        assert_eq!(sorted(q.fetch_all(db)?), Vec::<i64>::new());
        let q = select!(p.id for p in Product if p.active && p.price < 10);
        assert_eq!(sorted(q.fetch_all(db)?), vec![3, 5]);
        assert_eq!(
            sorted(select!(p.id for p in Product if !p.active).fetch_all(db)?),
            vec![4]
        );
        assert_eq!(
            select!(p.id for p in Product if p.active == false).fetch_all(db)?,
            vec![4]
        );
        Ok(())
    });
}

#[test]
fn arithmetic() {
    each(|db| {
        let q = select!((p.id, p.price * p.quantity as i64) for p in Product if p.price * p.quantity as i64 > 1000);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![(1, 1797), (3, 1080), (4, 5999), (6, 2100)]
        );
        // Integer division truncates toward zero and % keeps the dividend's sign.
        let q = select!((p.price / 7, -p.price / 7, p.price % 7, -p.price % 7) for p in Product if p.id == 1);
        assert_eq!(q.fetch_one(db)?, (85, -85, 4, -4));
        let q = select!((p.price + 1 - 2, -(p.price), 2 * (p.price - 1)) for p in Product if p.id == 3);
        assert_eq!(q.fetch_one(db)?, (8, -9, 16));
        let q = select!(p.quantity as f64 / 2.0 for p in Product if p.id == 1);
        assert_eq!(q.fetch_one(db)?, 1.5);
        Ok(())
    });
}

#[test]
fn division_by_zero_is_null() {
    each(|db| {
        // Rust would panic; every backend yields NULL, so the filter is false.
        let q = select!(p.id for p in Product if p.price / p.quantity as i64 > 0);
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 4, 6]);
        let err = select!(p.price / p.quantity as i64 for p in Product if p.id == 2).fetch_one(db);
        assert!(matches!(err, Err(Error::Decode { .. })), "{err:?}");
        Ok(())
    });
}

#[test]
fn captured_values_and_rust_expressions_are_parameters() {
    each(|db| {
        let min_price = 500;
        let q = select!(p.id for p in Product if p.price >= min_price);
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 4]);
        assert!(q.params().len() == 1 && !q.sql(db.dialect()).contains("500"));
        let limits = (10_i64, 2_i64);
        let q = select!(p.id for p in Product if p.price < limits.0 * limits.1 + 1);
        assert_eq!(sorted(q.fetch_all(db)?), vec![3, 5]);
        let wanted = String::from("Sticker");
        let q = select!(p.id for p in Product if p.name == wanted);
        assert_eq!(q.fetch_all(db)?, vec![5]);
        let wanted: &str = "Mac Pro";
        assert_eq!(
            select!(p.id for p in Product if p.name == wanted).fetch_all(db)?,
            vec![4]
        );
        assert_eq!(wanted.len(), 7, "the captured value is only borrowed");
        Ok(())
    });
}

#[test]
fn in_lists_computed_in_rust() {
    each(|db| {
        let ids = vec![2, 4, 6, 8];
        assert_eq!(
            sorted(select!(p.name for p in Product if ids.contains(&p.id)).fetch_all(db)?),
            strings(&["Mac Pro", "iPad mini", "Écran"])
        );
        let empty: Vec<i64> = Vec::new();
        assert!(
            select!(p for p in Product if empty.contains(&p.id))
                .fetch_all(db)?
                .is_empty()
        );
        assert_eq!(select!(p for p in Product if !empty.contains(&p.id)).count(db)?, 6);
        let wanted = ["Sticker", "Mac Pro", "nothing"];
        assert_eq!(
            sorted(select!(p.id for p in Product if wanted.contains(&p.name)).fetch_all(db)?),
            vec![4, 5]
        );
        // Three values are padded to four placeholders (the last repeated);
        // PostgreSQL binds the list as one array.
        let three = [1_i64, 3, 5];
        let q = select!(p.id for p in Product if three.contains(&p.id));
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 3, 5]);
        let placeholders = if db.dialect() == Dialect::Postgres { 1 } else { 4 };
        assert_eq!(q.sql(db.dialect()).matches(['?', '$']).count(), placeholders);
        Ok(())
    });
}

#[test]
fn text_search_escapes_wildcards() {
    each(|db| {
        assert_eq!(
            sorted(select!(p.id for p in Product if p.name.starts_with("iPad")).fetch_all(db)?),
            vec![1, 2]
        );
        // Case-sensitive, as in Rust.
        assert!(
            select!(p.id for p in Product if p.name.starts_with("ipad"))
                .fetch_all(db)?
                .is_empty()
        );
        assert_eq!(
            select!(p.id for p in Product if p.name.ends_with("100%")).fetch_all(db)?,
            vec![3]
        );
        // `%` and `_` match only themselves.
        assert!(
            select!(p.id for p in Product if p.name.ends_with("0%%"))
                .fetch_all(db)?
                .is_empty()
        );
        let underscore = "_";
        let q = select!(p.id for p in Product if p.description.unwrap_or_default().contains(underscore));
        assert_eq!(q.fetch_all(db)?, vec![3]);
        let percent = '%';
        assert_eq!(
            select!(p.id for p in Product if p.name.contains(percent)).fetch_all(db)?,
            vec![3]
        );
        assert_eq!(
            select!(p.id for p in Product if p.name.contains("cran")).fetch_all(db)?,
            vec![6]
        );
        // The searched text may itself be a column.
        let q = select!(p.id for p in Product if p.name.starts_with(p.description.unwrap_or_default()));
        assert_eq!(sorted(q.fetch_all(db)?), vec![2, 5]);
        Ok(())
    });
}

#[test]
fn text_functions() {
    each(|db| {
        let q = select!((p.name.to_lowercase(), p.name.to_uppercase(), p.name.len()) for p in Product if p.id == 6);
        assert_eq!(q.fetch_one(db)?, ("écran".to_string(), "ÉCRAN".to_string(), 6));
        let q = select!(p.description.unwrap_or_default().trim() for p in Product if p.id == 6);
        assert_eq!(q.fetch_one(db)?, "Monitor");
        let q = select!(p.name.chars().count() for p in Product if p.id == 6);
        assert_eq!(q.fetch_one(db)?, 5);
        assert_eq!(
            select!(p.id for p in Product if p.description.unwrap_or_default().is_empty())
                .fetch_all(db)?
                .len(),
            2
        );
        let q = select!(c.id for c in Customer if c.email.unwrap_or_default().to_lowercase().ends_with("example.com"));
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 5]);
        Ok(())
    });
}

#[test]
fn optional_columns() {
    each(|db| {
        assert_eq!(
            sorted(select!(c.id for c in Customer if c.email.is_none()).fetch_all(db)?),
            vec![2, 4]
        );
        assert_eq!(
            sorted(select!(c.id for c in Customer if c.email.is_some()).fetch_all(db)?),
            vec![1, 3, 5]
        );
        assert_eq!(
            sorted(select!(c.id for c in Customer if c.email == None).fetch_all(db)?),
            vec![2, 4]
        );
        let q = select!(c.email.unwrap_or("none") for c in Customer if c.id == 2);
        assert_eq!(q.fetch_one(db)?, "none");
        assert_eq!(select!(c.email for c in Customer if c.id == 2).fetch_one(db)?, None);
        // `Option == value`: false where the value is missing, as `Some(a) == b`.
        assert_eq!(
            select!(c.id for c in Customer if c.email == "ann@example.com").fetch_all(db)?,
            vec![1]
        );
        assert_eq!(
            sorted(select!(c.id for c in Customer if c.email != "ann@example.com").fetch_all(db)?),
            vec![2, 3, 4, 5]
        );
        let q = select!(c.id for c in Customer if !(c.email == "ann@example.com"));
        assert_eq!(sorted(q.fetch_all(db)?), vec![2, 3, 4, 5]);
        // A `None` parameter compares like Rust's `==` on Options.
        let missing: Option<&str> = None;
        assert_eq!(
            sorted(select!(c.id for c in Customer if c.email == missing).fetch_all(db)?),
            vec![2, 4]
        );
        let present = Some("chloe@example.fr");
        assert_eq!(
            select!(c.id for c in Customer if c.email == present).fetch_all(db)?,
            vec![3]
        );
        Ok(())
    });
}

#[test]
fn conditional_values() {
    each(|db| {
        let q = select!((p.id, if p.price > 500 { "expensive" } else if p.price > 100 { "fair" } else { "cheap" }) for p in Product);
        let rows: Vec<(i64, String)> = sorted(q.fetch_all(db)?);
        let expected = [
            (1, "expensive"),
            (2, "fair"),
            (3, "cheap"),
            (4, "expensive"),
            (5, "cheap"),
            (6, "fair"),
        ];
        assert_eq!(rows, expected.map(|(i, s)| (i, s.to_string())).to_vec());
        let q = select!(if p.active { p.price } else { 0 } for p in Product if p.id == 4);
        assert_eq!(q.fetch_one(db)?, 0);
        Ok(())
    });
}

#[test]
fn casts_between_numbers() {
    each(|db| {
        let q = select!((p.quantity as i64, p.price as f64, p.rating.unwrap_or(0.0) as i64, p.active as i32) for p in Product if p.id == 1);
        assert_eq!(q.fetch_one(db)?, (3, 599.0, 4, 1));
        // Float to integer truncates toward zero.
        let q = select!((p.rating.unwrap_or(0.0) * -1.0) as i64 for p in Product if p.id == 4);
        assert_eq!(q.fetch_one(db)?, -4);
        Ok(())
    });
}

#[test]
fn projections() {
    #[derive(Debug, PartialEq)]
    struct Line {
        name: String,
        stock_value: i64,
        rated: Option<f64>,
    }
    each(|db| {
        assert_eq!(
            select!(p.name for p in Product if p.id == 2).fetch_one(db)?,
            "iPad mini"
        );
        assert_eq!(
            select!((p.name, p.price) for p in Product if p.id == 2).fetch_one(db)?,
            ("iPad mini".to_string(), 499)
        );
        let q = select!(Line { name: p.name, stock_value: p.price * p.quantity as i64, rated: p.rating } for p in Product if p.id == 3);
        assert_eq!(
            q.fetch_one(db)?,
            Line {
                name: "Cable 100%".into(),
                stock_value: 1080,
                rated: None
            }
        );
        let q = select!((p, p.price * 2) for p in Product if p.id == 5);
        let (product, double) = q.fetch_one(db)?;
        assert_eq!((product.name.as_str(), double), ("Sticker", 2));
        Ok(())
    });
}

#[test]
fn chains() {
    each(|db| {
        let q = select!(Product.filter(|p| p.price >= 500).map(|p| p.name));
        assert_eq!(sorted(q.fetch_all(db)?), strings(&["Mac Pro", "iPad Air"]));
        let q = select!(
            Product
                .filter(|p| p.active)
                .order_by(|p| (desc(p.price), p.name))
                .limit(3)
        );
        assert_eq!(
            q.fetch_all(db)?.into_iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![1, 2, 6]
        );
        let q = select!(Product.order_by(|p| p.price.desc()).offset(4).map(|p| p.id));
        assert_eq!(q.fetch_all(db)?, vec![3, 5]);
        let q = select!(Product.order_by(|p| p.id).page(2, 4).map(|p| p.id));
        assert_eq!(q.fetch_all(db)?, vec![5, 6]);
        let q = select!(Customer.order_by(|c| c.country).map(|c| c.country).distinct());
        assert_eq!(q.fetch_all(db)?, strings(&["France", "Germany", "UK", "USA"]));
        // Several filters combine with AND; the comprehension form is the same.
        let a = select!(Product.filter(|p| p.price > 5).filter(|x| x.quantity > 5).map(|p| p.id));
        let b = select!(p.id for p in Product if p.price > 5 if p.quantity > 5);
        assert_eq!(sorted(a.fetch_all(db)?), sorted(b.fetch_all(db)?));
        assert_eq!(sorted(b.fetch_all(db)?), vec![3, 6]);
        Ok(())
    });
}

#[test]
fn ordering_puts_none_first_as_rust_does() {
    each(|db| {
        let q = select!(Product.order_by(|p| (p.rating, p.id)).map(|p| p.id));
        assert_eq!(q.fetch_all(db)?, vec![3, 5, 6, 2, 1, 4]);
        let q = select!(Product.order_by(|p| (desc(p.rating), p.id)).map(|p| p.id));
        assert_eq!(q.fetch_all(db)?, vec![4, 1, 2, 6, 5, 3]);
        Ok(())
    });
}

#[test]
fn refining_a_query_value() {
    each(|db| {
        let in_stock = select!(p for p in Product if p.quantity > 0);
        let cheap = select!(in_stock.filter(|p| p.price < 400));
        assert_eq!(
            names(cheap.fetch_all(db)?),
            strings(&["Cable 100%", "Sticker", "Écran"])
        );
        // Refining borrows the base, which stays usable, and composes further.
        let cheapest = select!(cheap.order_by(|p| p.price).limit(1).map(|p| p.name));
        assert_eq!(cheapest.fetch_one(db)?, "Sticker");
        // A limited query becomes a subquery: the filter applies after the limit.
        let top2 = select!(Product.order_by(|p| desc(p.price)).limit(2));
        let active_of_top2 = select!(top2.filter(|p| p.active).map(|p| p.id));
        assert_eq!(active_of_top2.fetch_all(db)?, vec![1]);
        // Later ordering keys take precedence, as a later stable sort would.
        let by_name = select!(Product.order_by(|p| p.name));
        let by_active = select!(by_name.order_by(|p| p.active).map(|p| p.id));
        assert_eq!(by_active.fetch_all(db)?, vec![4, 3, 5, 1, 2, 6]);
        Ok(())
    });
}

#[test]
fn aggregates_and_inferred_grouping() {
    each(|db| {
        assert_eq!(select!(sum(p.price) for p in Product).fetch_one(db)?, 7407);
        assert_eq!(select!(count(p) for p in Product).fetch_one(db)?, 6);
        assert_eq!(select!(max(p.price) for p in Product).fetch_one(db)?, Some(5999));
        assert_eq!(
            select!(min(p.name) for p in Product).fetch_one(db)?,
            Some("Cable 100%".to_string())
        );
        // Sum of nothing is 0; avg, min and max of nothing are None.
        let q = select!((sum(p.price), avg(p.price), min(p.price), count(p)) for p in Product if p.price < 0);
        assert_eq!(q.fetch_one(db)?, (0, None, None, 0));
        let avg_rating = select!(avg(p.rating) for p in Product)
            .fetch_one(db)?
            .unwrap_or_default();
        assert!((avg_rating - 3.88).abs() < 1e-9, "{avg_rating}");
        // GROUP BY the items that do not aggregate.
        let q = select!((c.country, count(c)) for c in Customer);
        assert_eq!(
            sorted(q.fetch_all(db)?),
            vec![
                ("France".into(), 1),
                ("Germany".into(), 1),
                ("UK".into(), 1),
                ("USA".to_string(), 2)
            ]
        );
        // A condition on an aggregate goes to HAVING.
        let q = select!(c.country for c in Customer if count(c) > 1);
        assert_eq!(q.fetch_all(db)?, vec!["USA".to_string()]);
        // `a && b` splits: the row condition filters before grouping.
        let q = select!((o.state, sum(o.total)) for o in Order if o.total > 50.0 && sum(o.total) > 1000.0);
        let rows = q.fetch_all(db)?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "SHIPPED");
        assert!((rows[0].1 - 1420.49).abs() < 1e-9, "{rows:?}");
        let q = select!((count(p.active), count(p.rating), count_distinct(p.active)) for p in Product);
        assert_eq!(q.fetch_one(db)?, (5, 5, 2));
        let q = select!(group_concat(c.name, ", ") for c in Customer if c.country == "USA");
        assert_eq!(q.fetch_one(db)?, "Ann, Dan");
        Ok(())
    });
}

#[test]
fn subqueries_over_the_same_entity() {
    each(|db| {
        let q = select!(p.name for p in Product if p.price == max(x.price for x in Product));
        assert_eq!(q.fetch_one(db)?, "Mac Pro");
        let q = select!(p.id for p in Product if p.price as f64 > avg(x.price as f64 for x in Product if x.active));
        assert_eq!(sorted(q.fetch_all(db)?), vec![1, 2, 4, 6]);
        let q = select!(c.name for c in Customer if count(d for d in Customer if d.country == c.country) > 1);
        assert_eq!(sorted(q.fetch_all(db)?), strings(&["Ann", "Dan"]));
        let q =
            select!(c.name for c in Customer if exists(d for d in Customer if d.country == c.country && d.id != c.id));
        assert_eq!(sorted(q.fetch_all(db)?), strings(&["Ann", "Dan"]));
        Ok(())
    });
}

#[test]
fn fetch_methods() {
    each(|db| {
        let q = select!(p for p in Product if p.price > 400);
        assert_eq!(q.count(db)?, 3);
        assert!(q.exists(db)?);
        assert!(!select!(p for p in Product if p.price > 10_000).exists(db)?);
        assert_eq!(select!(Product.order_by(|p| p.price)).first(db)?.map(|p| p.id), Some(5));
        assert!(select!(p for p in Product if p.price > 10_000).first(db)?.is_none());
        assert!(matches!(q.fetch_one(db), Err(Error::TooManyRows { .. })));
        assert!(matches!(q.fetch_optional(db), Err(Error::TooManyRows { .. })));
        let none = select!(p for p in Product if p.price > 10_000);
        assert!(matches!(none.fetch_one(db), Err(Error::NotFound { .. })));
        assert_eq!(none.fetch_optional(db)?, None);
        // count() of a grouped or limited query counts its rows.
        assert_eq!(select!((c.country, count(c)) for c in Customer).count(db)?, 4);
        assert_eq!(select!(Product.order_by(|p| p.id).limit(4)).count(db)?, 4);
        assert!(select!(Customer.map(|c| c.country).distinct()).exists(db)?);
        Ok(())
    });
}

#[test]
fn decode_errors_name_the_query_and_column() {
    each(|db| {
        let line = line!() + 1;
        let err = select!(p.price / p.quantity as i64 for p in Product if p.id == 2).fetch_one(db);
        match err {
            Err(Error::Decode { site, message, .. }) => {
                assert_eq!(site.line(), line);
                assert!(site.file().ends_with("single_entity.rs"), "{site}");
                assert!(message.contains("NULL cannot be stored in `i64`"), "{message}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        Ok(())
    });
}

/// Only SQLite can store a value wider than the column's declared type, so
/// this one runs there: the decoder must refuse it rather than truncate.
#[test]
fn an_integer_out_of_range_is_a_decode_error() -> foal::Result<()> {
    let db = foal_tests::fresh(Dialect::Sqlite);
    estore::fill(&db)?;
    db.execute_sql("UPDATE product SET quantity = 3000000000 WHERE id = 1")?;
    let err = select!(p.quantity for p in Product if p.id == 1).fetch_one(&db);
    match err {
        Err(Error::Decode { message, column, .. }) => {
            assert!(message.contains("3000000000 does not fit in `i32`"), "{message}");
            assert!(column.contains("quantity"), "{column}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    Ok(())
}

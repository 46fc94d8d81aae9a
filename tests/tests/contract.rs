//! DESIGN.md §3, the contract: each example line, written as it is there,
//! compiles and returns the right rows on SQLite, PostgreSQL and MariaDB.

use foal::Error;
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "customers")] // default table: snake_case of the struct name
#[foal(has_many(orders: Order = customer))] // c.orders: the Orders whose `customer` is c
pub struct Customer {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub country: String,
    pub email: Option<String>, // Option<T> = nullable column
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Order {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub customer: Ref<Customer>, // to-one: stores Customer's key
    pub total: f64,
    pub state: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Product {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub price: i64,
    pub quantity: i64,
}

#[derive(Debug, PartialEq)]
pub struct Summary {
    pub name: String,
    pub value: i64,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Account {
    #[foal(primary_key)]
    pub owner: String,
    #[foal(primary_key)]
    pub currency: String,
    pub balance: i64,
    #[foal(version)]
    pub version: i64,
}

fn fill(db: &Database) -> foal::Result<()> {
    db.create_table::<Customer>()?;
    db.create_table::<Order>()?;
    db.create_table::<Product>()?;
    let c = db.insert(Customer {
        id: 0,
        name: "Ann".into(),
        country: "USA".into(),
        email: None,
    })?; // key filled in
    assert_eq!(c.id, 1);
    let rows = db.insert_all(vec![
        Customer {
            id: 0,
            name: "Bob".into(),
            country: "UK".into(),
            email: Some("bob@example.com".into()),
        },
        Customer {
            id: 0,
            name: "Cid".into(),
            country: "USA".into(),
            email: None,
        },
    ])?;
    assert_eq!(rows.iter().map(|c| c.id).collect::<Vec<_>>(), vec![2, 3]);
    let order = |customer: i64, total: f64, state: &str| Order {
        id: 0,
        customer: Ref::new(customer),
        total,
        state: state.into(),
    };
    db.insert_all(vec![
        order(1, 150.0, "SHIPPED"),
        order(1, 250.0, "NEW"),
        order(1, 101.0, "SHIPPED"),
        order(2, 900.0, "SHIPPED"),
        order(2, 200.0, "NEW"),
        order(3, 50.0, "NEW"),
    ])?;
    let product = |name: &str, price: i64, quantity: i64| Product {
        id: 0,
        name: name.into(),
        price,
        quantity,
    };
    db.insert_all(vec![
        product("iPad Air", 599, 2),
        product("iPad mini", 499, 0),
        product("Mac Pro", 5999, 1),
        product("Cable", 9, 40),
    ])?;
    Ok(())
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn names(customers: Vec<Customer>) -> Vec<String> {
    sorted(customers.into_iter().map(|c| c.name).collect())
}

#[test]
fn every_query_line_of_the_contract() {
    foal_tests::on_each(|db| {
        fill(db)?;
        let min_price = 500;

        let r = select!(p for p in Product if p.price >= 500).fetch_all(db)?;
        assert_eq!(
            sorted(r.into_iter().map(|p| p.name).collect()),
            vec!["Mac Pro".to_string(), "iPad Air".to_string()]
        );

        let r = select!((p.name, p.price) for p in Product if p.price >= min_price && p.name.starts_with("iPad"))
            .fetch_all(db)?;
        assert_eq!(r, vec![("iPad Air".to_string(), 599)]);

        let r = select!((c, o) for c in Customer for o in Order if o.customer == c && o.total > 100.0).fetch_all(db)?;
        let pairs = sorted(r.into_iter().map(|(c, o)| (c.name, o.id)).collect());
        assert_eq!(
            pairs,
            vec![
                ("Ann".into(), 1),
                ("Ann".into(), 2),
                ("Ann".into(), 3),
                ("Bob".into(), 4),
                ("Bob".to_string(), 5)
            ]
        );

        let r = select!(o for o in Order if o.customer.country == "USA").fetch_all(db)?; // to-one navigation = join
        assert_eq!(sorted(r.into_iter().map(|o| o.id).collect()), vec![1, 2, 3, 6]);

        let r = select!(c for c in Customer if count(o for o in c.orders if o.total > 100.0) > 2).fetch_all(db)?;
        assert_eq!(names(r), vec!["Ann".to_string()]);

        let r = select!(c for c in Customer if exists(o for o in c.orders if o.state == "SHIPPED")).fetch_all(db)?;
        assert_eq!(names(r), vec!["Ann".to_string(), "Bob".to_string()]);

        let r = select!((c.country, count(c)) for c in Customer).fetch_all(db)?; // GROUP BY inferred
        assert_eq!(sorted(r), vec![("UK".to_string(), 1), ("USA".to_string(), 2)]);

        let r = select!((c.country, sum(o.total)) for c in Customer for o in c.orders if sum(o.total) > 1000.0)
            .fetch_all(db)?; // HAVING inferred
        assert_eq!(r, vec![("UK".to_string(), 1100.0)]);

        let r = select!(p for p in Product if p.price == max(x.price for x in Product)).fetch_all(db)?;
        assert_eq!(r.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["Mac Pro"]);

        let r = select!(sum(p.price) for p in Product).fetch_one(db)?; // one row
        assert_eq!(r, 599 + 499 + 5999 + 9);

        let r = select!(Product.filter(|p| p.price >= 500).map(|p| p.name)).fetch_all(db)?;
        assert_eq!(sorted(r), vec!["Mac Pro".to_string(), "iPad Air".to_string()]);

        let r = select!(
            Product
                .filter(|p| p.price >= 500)
                .order_by(|p| (desc(p.price), p.name))
                .limit(10)
        )
        .fetch_all(db)?;
        assert_eq!(r.iter().map(|p| p.price).collect::<Vec<_>>(), vec![5999, 599]);

        let q = select!(p for p in Product if p.price < 1000);
        let r = select!(q.filter(|p| p.quantity > 0)).fetch_all(db)?; // q is a Query value: runtime composition
        assert_eq!(
            sorted(r.into_iter().map(|p| p.name).collect()),
            vec!["Cable".to_string(), "iPad Air".to_string()]
        );

        let r = select!(Summary { name: p.name, value: p.price * p.quantity } for p in Product).fetch_all(db)?; // any struct
        assert!(
            r.contains(&Summary {
                name: "Cable".into(),
                value: 360
            }),
            "{r:?}"
        );
        Ok(())
    });
}

#[test]
fn every_running_method_of_the_contract() {
    foal_tests::on_each(|db| {
        fill(db)?;
        // A value from Rust is bound (a literal of the source would be
        // written into the SQL).
        let shipped = "SHIPPED";
        let q = select!(o for o in Order if o.state == shipped);
        assert_eq!(q.fetch_all(db)?.len(), 3); // Vec<T>
        assert!(matches!(q.fetch_one(db), Err(Error::TooManyRows { .. }))); // error if zero or more than one row
        assert!(matches!(q.fetch_optional(db), Err(Error::TooManyRows { .. }))); // error if more than one row
        assert!(q.first(db)?.is_some()); // Option<T>, LIMIT 1
        assert_eq!(q.count(db)?, 3); // i64
        assert!(q.exists(db)?); // bool
        assert!(q.sql(Dialect::Postgres).contains("$1")); // String with placeholders
        assert!(q.sql_inline(Dialect::Mysql).contains("'SHIPPED'")); // values rendered as literals
        let one = select!(c for c in Customer if c.name == "Bob");
        assert_eq!(one.fetch_one(db)?.country, "UK");
        assert!(
            select!(c for c in Customer if c.name == "Nobody")
                .fetch_optional(db)?
                .is_none()
        );
        Ok(())
    });
}

#[test]
fn every_database_method_of_the_contract() {
    foal_tests::on_each(|db| {
        fill(db)?;
        let c = db
            .get::<Customer>(1)?
            .ok_or(Error::Config("customer 1 missing".into()))?;
        assert_eq!(c.name, "Ann");
        let moved = Customer {
            country: "Canada".into(),
            ..c.clone()
        };
        db.update(&moved)?;
        assert_eq!(db.get::<Customer>(c.id)?.map(|c| c.country), Some("Canada".into()));
        let c = db.upsert(Customer {
            id: c.id,
            name: "Ann".into(),
            country: "UK".into(),
            email: None,
        })?; // insert or update by key
        assert_eq!(db.get::<Customer>(c.id)?.map(|c| c.country), Some("UK".into()));
        db.transaction(|tx| {
            let d = tx.insert(Customer {
                id: 0,
                name: "Dee".into(),
                country: "USA".into(),
                email: None,
            })?;
            assert_eq!(tx.get::<Customer>(d.id)?.map(|c| c.name), Some("Dee".into()));
            Ok(())
        })?; // commit on Ok
        let failed: foal::Result<()> = db.transaction(|tx| {
            tx.insert(Customer {
                id: 0,
                name: "Eve".into(),
                country: "USA".into(),
                email: None,
            })?;
            Err(Error::Config("changed my mind".into()))
        }); // rollback on Err
        assert!(failed.is_err());
        assert!(select!(c for c in Customer if c.name == "Eve").first(db)?.is_none());
        assert!(select!(c for c in Customer if c.name == "Dee").exists(db)?);
        let o = db.get::<Order>(6)?.ok_or(Error::Config("order 6 missing".into()))?;
        assert_eq!(db.delete(&o)?, 1);
        assert!(db.get::<Order>(6)?.is_none());
        Ok(())
    });
}

#[test]
fn references_and_versions_of_the_contract() {
    foal_tests::on_each(|db| {
        fill(db)?;
        let ann = db
            .get::<Customer>(1)?
            .ok_or(Error::Config("customer 1 missing".into()))?;
        assert_eq!(Ref::to(&ann), Ref::<Customer>::new(1));
        assert_eq!(Ref::<Customer>::new(1).key(), 1);
        // Several primary_key fields make a composite key; a version field
        // makes a stale update a Conflict.
        db.create_table::<Account>()?;
        let a = db.insert(Account {
            owner: "ann".into(),
            currency: "EUR".into(),
            balance: 10,
            version: 0,
        })?;
        assert_eq!(
            db.get::<Account>(("ann".to_string(), "EUR".to_string()))?,
            Some(a.clone())
        );
        let a2 = db.update(&Account {
            balance: 20,
            ..a.clone()
        })?;
        assert_eq!(a2.version, 1);
        let stale = db.update(&Account {
            balance: 30,
            ..a.clone()
        });
        assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
        assert!(matches!(db.delete(&a), Err(Error::Conflict { .. })));
        assert_eq!(db.delete(&a2)?, 1);
        Ok(())
    });
}

#[test]
fn a_database_is_shared_by_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Database>();
    let db = foal_tests::fresh(Dialect::Sqlite);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || db.dialect())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().ok(), Some(Dialect::Sqlite));
    }
}

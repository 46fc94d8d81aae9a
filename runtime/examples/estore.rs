//! The foal demo: an e-store in embedded SQLite and a tour of the query
//! language. For each query it prints the Rust, the SQL it became and the
//! rows.
//!
//! ```text
//! cargo run -p foal --example estore
//! FOAL_DATABASE_URL=postgres://user@127.0.0.1/shop cargo run -p foal --example estore --features postgres
//! ```

use std::fmt::Debug;

use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "customers")]
pub struct Customer {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub country: String,
    pub email: Option<String>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Product {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub price: i64,
    pub quantity: i32,
    pub rating: Option<f64>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "orders")]
pub struct Order {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub customer: Ref<Customer>,
    pub total: f64,
    pub state: String,
}

/// A struct built in a projection: any struct will do.
#[derive(Debug)]
pub struct StockValue {
    pub name: String,
    pub value: i64,
}

struct Show<'a> {
    db: &'a Database,
    n: usize,
}

impl Show<'_> {
    fn query<T: Debug + 'static>(&mut self, title: &str, q: &Query<T>) -> foal::Result<()> {
        self.n += 1;
        println!("── {}. {title}", self.n);
        println!("   Rust │ select!({})", q.source());
        println!("   SQL  │ {}", q.sql(self.db.dialect()));
        let rows = q.fetch_all(self.db)?;
        for row in &rows {
            println!("   row  │ {row:?}");
        }
        if rows.is_empty() {
            println!("   row  │ (none)");
        }
        println!();
        Ok(())
    }
}

fn fill(db: &Database) -> foal::Result<()> {
    db.create_table::<Customer>()?;
    db.create_table::<Product>()?;
    db.create_table::<Order>()?;
    let customer = |name: &str, country: &str, email: Option<&str>| Customer {
        id: 0,
        name: name.into(),
        country: country.into(),
        email: email.map(Into::into),
    };
    let customers = db.insert_all(vec![
        customer("Ann", "USA", Some("ann@example.com")),
        customer("Bob", "UK", None),
        customer("Chloé", "France", Some("chloe@example.fr")),
        customer("Dan", "USA", None),
        customer("Eve", "Germany", Some("eve@example.de")),
    ])?;
    let product = |name: &str, price: i64, quantity: i32, rating: Option<f64>| Product {
        id: 0,
        name: name.into(),
        price,
        quantity,
        rating,
    };
    db.insert_all(vec![
        product("iPad Air", 599, 3, Some(4.5)),
        product("iPad mini", 499, 0, Some(4.0)),
        product("USB-C cable", 19, 120, None),
        product("Mac Pro", 5999, 1, Some(4.9)),
        product("Sticker 100%", 1, 1000, Some(2.5)),
        product("Écran 27\"", 300, 7, Some(3.5)),
    ])?;
    let order = |c: usize, total: f64, state: &str| Order {
        id: 0,
        customer: Ref::to(&customers[c]),
        total,
        state: state.into(),
    };
    db.insert_all(vec![
        order(0, 620.0, "SHIPPED"),
        order(0, 80.0, "NEW"),
        order(1, 999.99, "SHIPPED"),
        order(2, 15.25, "CANCELLED"),
        order(3, 300.0, "SHIPPED"),
        order(3, 1200.0, "SHIPPED"),
    ])?;
    Ok(())
}

fn main() -> foal::Result<()> {
    let url = std::env::var("FOAL_DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
    let db = Database::open(&url)?;
    println!("foal demo on {} ({url})\n", db.dialect());
    fill(&db)?;
    let mut show = Show { db: &db, n: 0 };

    show.query(
        "Products priced at 500 or more",
        &select!(p for p in Product if p.price >= 500),
    )?;

    let min_price = 400;
    show.query(
        "A tuple, a captured variable and a prefix search",
        &select!((p.name, p.price) for p in Product if p.price >= min_price && p.name.starts_with("iPad")),
    )?;

    show.query(
        "The same language as a method chain",
        &select!(
            Product
                .filter(|p| p.quantity > 0)
                .order_by(|p| (desc(p.price), p.name))
                .limit(3)
                .map(|p| p.name)
        ),
    )?;

    show.query(
        "Any struct as a row",
        &select!(StockValue { name: p.name, value: p.price * p.quantity as i64 } for p in Product if p.quantity > 0),
    )?;

    show.query(
        "Customers per country: GROUP BY inferred",
        &select!((c.country, count(c)) for c in Customer),
    )?;

    show.query(
        "A condition on an aggregate goes to HAVING",
        &select!((o.state, sum(o.total)) for o in Order if sum(o.total) > 500.0),
    )?;

    show.query(
        "One row: a scalar aggregate",
        &select!((sum(p.price), avg(p.rating), max(p.price)) for p in Product),
    )?;

    show.query(
        "A subquery: the most expensive product",
        &select!(p.name for p in Product if p.price == max(x.price for x in Product)),
    )?;

    show.query(
        "Correlated: customers sharing a country",
        &select!(c.name for c in Customer if exists(d for d in Customer if d.country == c.country && d.id != c.id)),
    )?;

    let wanted = vec![1, 3, 5];
    show.query(
        "An IN list computed in Rust",
        &select!(p.name for p in Product if wanted.contains(&p.id)),
    )?;

    show.query(
        "Options: missing e-mails, with a default",
        &select!((c.name, c.email.unwrap_or("(none)")) for c in Customer if c.email.is_none() || c.country == "USA"),
    )?;

    show.query(
        "if/else becomes CASE; % and _ in searches match themselves",
        &select!((p.name, if p.price > 500 { "premium" } else { "standard" }) for p in Product if p.name.contains("100%")),
    )?;

    let in_stock = select!(p for p in Product if p.quantity > 0);
    show.query(
        "Refining a query value at run time",
        &select!(in_stock.filter(|p| p.rating.unwrap_or(0.0) >= 4.0).map(|p| p.name)),
    )?;

    show.query(
        "Pages of results",
        &select!(Product.order_by(|p| p.id).page(2, 2).map(|p| (p.id, p.name))),
    )?;

    let q = select!(c.name for c in Customer if c.country == "USA" && c.name.to_lowercase().starts_with("d"));
    println!("── {}. The same query on every backend", show.n + 1);
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        println!("   {:<10} │ {}", dialect.name(), q.sql(dialect));
    }
    println!("   inlined    │ {}", q.sql_inline(Dialect::Postgres));
    println!("   row        │ {:?}", q.fetch_one(&db)?);
    Ok(())
}

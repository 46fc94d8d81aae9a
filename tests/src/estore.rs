//! The e-store domain of the contract, with a fixture full of edge cases.

use chrono::{NaiveDate, NaiveDateTime};
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "customers")]
#[foal(has_many(orders: Order = customer))]
pub struct Customer {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub country: String,
    pub email: Option<String>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(products: Product = category))]
#[foal(has_many(children: Category = parent))]
pub struct Category {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub parent: Option<Ref<Category>>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(items: OrderItem = product))]
pub struct Product {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub price: i64,
    pub quantity: i32,
    pub description: Option<String>,
    pub rating: Option<f64>,
    pub active: bool,
    pub category: Option<Ref<Category>>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(items: OrderItem = order))]
pub struct Order {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub customer: Ref<Customer>,
    pub total: f64,
    pub state: String,
    pub placed: NaiveDateTime,
    pub shipped: Option<NaiveDateTime>,
}

/// A line of an order: the link between orders and products, keyed by both.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct OrderItem {
    #[foal(primary_key)]
    pub order: Ref<Order>,
    #[foal(primary_key)]
    pub product: Ref<Product>,
    pub quantity: i32,
    pub price: i64,
}

/// Creates the tables.
pub fn create(db: &Database) -> foal::Result<()> {
    db.create_table::<Customer>()?;
    db.create_table::<Category>()?;
    db.create_table::<Product>()?;
    db.create_table::<Order>()?;
    db.create_table::<OrderItem>()?;
    Ok(())
}

/// A date and time, for fixtures.
pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_micro_opt(h, mi, s, micro))
        .unwrap_or_default()
}

fn product(
    name: &str,
    price: i64,
    quantity: i32,
    description: Option<&str>,
    rating: Option<f64>,
    active: bool,
    category: Option<i64>,
) -> Product {
    Product {
        id: 0,
        name: name.into(),
        price,
        quantity,
        description: description.map(str::to_owned),
        rating,
        active,
        category: category.map(Ref::new),
    }
}

fn customer(name: &str, country: &str, email: Option<&str>) -> Customer {
    Customer {
        id: 0,
        name: name.into(),
        country: country.into(),
        email: email.map(str::to_owned),
    }
}

/// Creates the tables and fills them with a small data set (ids from 1, in
/// the order below):
///
/// | id | product      | price | quantity | description       | rating | active |
/// |----|--------------|-------|----------|-------------------|--------|--------|
/// | 1  | iPad Air     | 599   | 3        | Tablet            | 4.5    | yes    |
/// | 2  | iPad mini    | 499   | 0        | —                 | 4.0    | yes    |
/// | 3  | Cable 100%   | 9     | 120      | USB_C cable       | —      | yes    |
/// | 4  | Mac Pro      | 5999  | 1        | Desktop           | 4.9    | no     |
/// | 5  | Sticker      | 1     | 1000     | (empty)           | 2.5    | yes    |
/// | 6  | Écran        | 300   | 7        | "  Monitor  "     | 3.5    | yes    |
///
/// Product categories: 1 iPad Air, 2 iPad mini → Tablets (2); 3 Cable →
/// Accessories (3); 4 Mac Pro → Electronics (1); 5 Sticker → Stationery (4);
/// 6 Écran → none. Categories: 1 Electronics, 2 Tablets (in 1), 3
/// Accessories (in 1), 4 Stationery, 5 Toys (empty).
///
/// Customers: 1 Ann (USA, ann@example.com), 2 Bob (UK, —), 3 Chloé (France,
/// chloe@example.fr), 4 Dan (USA, —), 5 Eve (Germany, EVE@EXAMPLE.COM).
///
/// | order | customer | total  | state     | placed                     | shipped          |
/// |-------|----------|--------|-----------|----------------------------|------------------|
/// | 1     | Ann      | 120.5  | SHIPPED   | 2026-01-05 10:30:00.123456 | 2026-01-07 09:00 |
/// | 2     | Ann      | 80.0   | NEW       | 2026-03-01 18:45:30        | —                |
/// | 3     | Bob      | 999.99 | SHIPPED   | 2025-12-24 23:59:59.999999 | 2025-12-27 12:00 |
/// | 4     | Chloé    | 15.25  | CANCELLED | 2026-02-14 08:00:00        | —                |
/// | 5     | Dan      | 300.0  | SHIPPED   | 2026-02-28 12:00:00.5      | 2026-03-02 15:30 |
///
/// Eve has no order. Order items (order, product, quantity, price): (1, 3,
/// 2, 9), (1, 5, 10, 1), (2, 6, 1, 300), (3, 1, 1, 599), (3, 2, 1, 499),
/// (4, 5, 3, 1), (5, 4, 1, 5999), (5, 3, 1, 9).
pub fn fill(db: &Database) -> foal::Result<()> {
    create(db)?;
    let category = |name: &str, parent: Option<i64>| Category {
        id: 0,
        name: name.into(),
        parent: parent.map(Ref::new),
    };
    db.insert_all(vec![
        category("Electronics", None),
        category("Tablets", Some(1)),
        category("Accessories", Some(1)),
        category("Stationery", None),
        category("Toys", None),
    ])?;
    db.insert_all(vec![
        product("iPad Air", 599, 3, Some("Tablet"), Some(4.5), true, Some(2)),
        product("iPad mini", 499, 0, None, Some(4.0), true, Some(2)),
        product("Cable 100%", 9, 120, Some("USB_C cable"), None, true, Some(3)),
        product("Mac Pro", 5999, 1, Some("Desktop"), Some(4.9), false, Some(1)),
        product("Sticker", 1, 1000, Some(""), Some(2.5), true, Some(4)),
        product("Écran", 300, 7, Some("  Monitor  "), Some(3.5), true, None),
    ])?;
    let customers = db.insert_all(vec![
        customer("Ann", "USA", Some("ann@example.com")),
        customer("Bob", "UK", None),
        customer("Chloé", "France", Some("chloe@example.fr")),
        customer("Dan", "USA", None),
        customer("Eve", "Germany", Some("EVE@EXAMPLE.COM")),
    ])?;
    let order = |c: usize, total: f64, state: &str, placed: NaiveDateTime, shipped: Option<NaiveDateTime>| Order {
        id: 0,
        customer: Ref::to(&customers[c]),
        total,
        state: state.into(),
        placed,
        shipped,
    };
    db.insert_all(vec![
        order(
            0,
            120.5,
            "SHIPPED",
            at(2026, 1, 5, 10, 30, 0, 123_456),
            Some(at(2026, 1, 7, 9, 0, 0, 0)),
        ),
        order(0, 80.0, "NEW", at(2026, 3, 1, 18, 45, 30, 0), None),
        order(
            1,
            999.99,
            "SHIPPED",
            at(2025, 12, 24, 23, 59, 59, 999_999),
            Some(at(2025, 12, 27, 12, 0, 0, 0)),
        ),
        order(2, 15.25, "CANCELLED", at(2026, 2, 14, 8, 0, 0, 0), None),
        order(
            3,
            300.0,
            "SHIPPED",
            at(2026, 2, 28, 12, 0, 0, 500_000),
            Some(at(2026, 3, 2, 15, 30, 0, 0)),
        ),
    ])?;
    let item = |order: i64, product: i64, quantity: i32, price: i64| OrderItem {
        order: Ref::new(order),
        product: Ref::new(product),
        quantity,
        price,
    };
    db.insert_all(vec![
        item(1, 3, 2, 9),
        item(1, 5, 10, 1),
        item(2, 6, 1, 300),
        item(3, 1, 1, 599),
        item(3, 2, 1, 499),
        item(4, 5, 3, 1),
        item(5, 4, 1, 5999),
        item(5, 3, 1, 9),
    ])?;
    Ok(())
}

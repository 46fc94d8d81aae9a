//! The e-store domain of the contract, with a fixture full of edge cases.

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
    pub description: Option<String>,
    pub rating: Option<f64>,
    pub active: bool,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Order {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub customer: Ref<Customer>,
    pub total: f64,
    pub state: String,
}

/// Creates the tables.
pub fn create(db: &Database) -> foal::Result<()> {
    db.create_table::<Customer>()?;
    db.create_table::<Product>()?;
    db.create_table::<Order>()?;
    Ok(())
}

fn product(
    name: &str,
    price: i64,
    quantity: i32,
    description: Option<&str>,
    rating: Option<f64>,
    active: bool,
) -> Product {
    Product {
        id: 0,
        name: name.into(),
        price,
        quantity,
        description: description.map(str::to_owned),
        rating,
        active,
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
/// Customers: 1 Ann (USA, ann@example.com), 2 Bob (UK, —), 3 Chloé (France,
/// chloe@example.fr), 4 Dan (USA, —), 5 Eve (Germany, EVE@EXAMPLE.COM).
///
/// Orders: 1 Ann 120.5 SHIPPED, 2 Ann 80.0 NEW, 3 Bob 999.99 SHIPPED,
/// 4 Chloé 15.25 CANCELLED, 5 Dan 300.0 SHIPPED.
pub fn fill(db: &Database) -> foal::Result<()> {
    create(db)?;
    db.insert_all(vec![
        product("iPad Air", 599, 3, Some("Tablet"), Some(4.5), true),
        product("iPad mini", 499, 0, None, Some(4.0), true),
        product("Cable 100%", 9, 120, Some("USB_C cable"), None, true),
        product("Mac Pro", 5999, 1, Some("Desktop"), Some(4.9), false),
        product("Sticker", 1, 1000, Some(""), Some(2.5), true),
        product("Écran", 300, 7, Some("  Monitor  "), Some(3.5), true),
    ])?;
    let customers = db.insert_all(vec![
        customer("Ann", "USA", Some("ann@example.com")),
        customer("Bob", "UK", None),
        customer("Chloé", "France", Some("chloe@example.fr")),
        customer("Dan", "USA", None),
        customer("Eve", "Germany", Some("EVE@EXAMPLE.COM")),
    ])?;
    let order = |c: usize, total: f64, state: &str| Order {
        id: 0,
        customer: Ref::to(&customers[c]),
        total,
        state: state.into(),
    };
    db.insert_all(vec![
        order(0, 120.5, "SHIPPED"),
        order(0, 80.0, "NEW"),
        order(1, 999.99, "SHIPPED"),
        order(2, 15.25, "CANCELLED"),
        order(3, 300.0, "SHIPPED"),
    ])?;
    Ok(())
}

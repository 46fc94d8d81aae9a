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

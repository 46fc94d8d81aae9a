//! The analytics domain: the e-store's customers, orders and categories
//! with many more rows, plus employees (for windows), suppliers (for set
//! operations), a graph with cycles (for recursive queries) and properties
//! with their owners (a to-many join that a LIMIT must not cut).
//!
//! The rows are generated from a fixed seed, and every test reads them back
//! with [`Data::load`] to compute its expected answer in plain Rust. Order
//! totals are whole cents (multiples of 0.25 here), so sums in any order round alike; every
//! order has its own `placed` time, so orders by it have no ties.

use chrono::{Duration, NaiveDate};
use foal::prelude::*;

use crate::estore::{self, Category, Customer, Order};

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "employees")]
pub struct Employee {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub dept: String,
    pub salary: i64,
    pub manager: Option<Ref<Employee>>,
    pub hired: NaiveDate,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "suppliers")]
pub struct Supplier {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub country: String,
}

/// An edge of a directed graph (`source → target`), with cycles.
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "links")]
pub struct Link {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub source: i64,
    pub target: i64,
}

/// A property for sale, in a city; owned by one or more owners.
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "properties")]
pub struct Property {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub city: String,
    pub address: String,
    pub price: i64,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "owners")]
pub struct Owner {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

/// Who owns a property (a property often has two owners).
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "ownerships")]
pub struct Ownership {
    #[foal(primary_key)]
    pub property: Ref<Property>,
    #[foal(primary_key)]
    pub owner: Ref<Owner>,
}

/// A small deterministic generator (64-bit LCG).
struct Seq(u64);

impl Seq {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

pub const DEPTS: [&str; 4] = ["Sales", "Eng", "Ops", "HR"];

/// The e-store fixture, then 10 more customers (six of them named with an
/// A), 90 more orders (none for Eve, customer 5), 30 employees with tied
/// salaries, 8 suppliers and a graph of 9 nodes.
pub fn fill(db: &Database) -> foal::Result<()> {
    estore::fill(db)?;
    db.create_table::<Employee>()?;
    db.create_table::<Supplier>()?;
    db.create_table::<Link>()?;
    db.create_table::<Property>()?;
    db.create_table::<Owner>()?;
    db.create_table::<Ownership>()?;
    let mut seq = Seq(0x5eed);
    let countries = ["USA", "UK", "France", "Germany", "Japan", "Brazil"];
    let names = [
        "Aaron", "Abby", "Ada", "Adam", "Aiko", "Alan", "Zoe", "Yuki", "Xavier", "Ali",
    ];
    let customers: Vec<Customer> = names
        .iter()
        .map(|name| Customer {
            id: 0,
            name: (*name).into(),
            country: countries[seq.next(6) as usize].into(),
            email: (seq.next(3) > 0).then(|| format!("{}@example.com", name.to_lowercase())),
        })
        .collect();
    db.insert_all(customers)?;
    let states = ["NEW", "SHIPPED", "SHIPPED", "CANCELLED"];
    let start = estore::at(2024, 1, 1, 0, 0, 0, 0);
    let orders: Vec<Order> = (0..90_i64)
        .map(|i| {
            let mut customer = 1 + seq.next(15) as i64;
            if customer == 5 {
                customer = 6;
            }
            let placed = start + Duration::hours(i * 7 + 3) + Duration::minutes(seq.next(60) as i64);
            Order {
                id: 0,
                customer: Ref::new(customer),
                total: seq.next(2400) as f64 * 0.25,
                state: states[seq.next(4) as usize].into(),
                placed,
                shipped: (seq.next(2) == 0).then(|| placed + Duration::days(1 + seq.next(5) as i64)),
            }
        })
        .collect();
    db.insert_all(orders)?;
    let hired = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default();
    let employees: Vec<Employee> = (0..30_i64)
        .map(|i| Employee {
            id: 0,
            name: format!("E{i:02}"),
            dept: DEPTS[(i % 4) as usize].into(),
            salary: 3000 + seq.next(6) as i64 * 500,
            manager: (i >= 4).then(|| Ref::new(1 + (i % 4) + 4 * (seq.next(2) as i64) * i64::from(i >= 8))),
            hired: hired + Duration::days(i * 41 + seq.next(30) as i64),
        })
        .collect();
    db.insert_all(employees)?;
    let suppliers = [
        ("Kyoto Parts", "Japan"),
        ("Acme", "USA"),
        ("Shenzhen Co", "China"),
        ("Bosch", "Germany"),
        ("Foxconn", "China"),
        ("Samsung", "Korea"),
        ("Globex", "USA"),
        ("Vale", "Brazil"),
    ];
    db.insert_all(
        suppliers
            .iter()
            .map(|(name, country)| Supplier {
                id: 0,
                name: (*name).into(),
                country: (*country).into(),
            })
            .collect(),
    )?;
    let edges = [
        (1, 2),
        (2, 3),
        (3, 1),
        (3, 4),
        (4, 5),
        (5, 5),
        (6, 7),
        (7, 8),
        (8, 6),
        (9, 1),
    ];
    db.insert_all(
        edges
            .iter()
            .map(|&(source, target)| Link { id: 0, source, target })
            .collect(),
    )?;
    let cities = ["Kyoto", "Lyon", "Kraków", "Oslo", "Kampala", "Kyiv", "Lima", "Kobe"];
    let properties: Vec<Property> = (0..24_i64)
        .map(|i| Property {
            id: 0,
            city: cities[(i % 8) as usize].into(),
            address: format!("{} {} Street", 10 + i, ["Oak", "Elm", "Pine"][(i % 3) as usize]),
            price: 100_000 + seq.next(40) as i64 * 10_000,
        })
        .collect();
    db.insert_all(properties)?;
    let owners = ["Kim", "Lee", "Sato", "Nowak", "Okello", "Shevchenko"];
    db.insert_all(
        owners
            .iter()
            .map(|name| Owner {
                id: 0,
                name: (*name).into(),
            })
            .collect(),
    )?;
    let mut ownerships = Vec::new();
    for property in 1..=24_i64 {
        let first = 1 + seq.next(6) as i64;
        ownerships.push(Ownership {
            property: Ref::new(property),
            owner: Ref::new(first),
        });
        // Most properties have a second owner.
        if seq.next(4) > 0 {
            ownerships.push(Ownership {
                property: Ref::new(property),
                owner: Ref::new(1 + first % 6),
            });
        }
    }
    db.insert_all(ownerships)?;
    Ok(())
}

/// Every row of the analytics tables, read back for plain-Rust answers.
pub struct Data {
    pub customers: Vec<Customer>,
    pub orders: Vec<Order>,
    pub categories: Vec<Category>,
    pub employees: Vec<Employee>,
    pub suppliers: Vec<Supplier>,
    pub links: Vec<Link>,
    pub properties: Vec<Property>,
    pub owners: Vec<Owner>,
    pub ownerships: Vec<Ownership>,
}

impl Data {
    pub fn load(db: &Database) -> foal::Result<Data> {
        Ok(Data {
            customers: select!(c for c in Customer).fetch_all(db)?,
            orders: select!(o for o in Order).fetch_all(db)?,
            categories: select!(c for c in Category).fetch_all(db)?,
            employees: select!(e for e in Employee).fetch_all(db)?,
            suppliers: select!(s for s in Supplier).fetch_all(db)?,
            links: select!(l for l in Link).fetch_all(db)?,
            properties: select!(p for p in Property).fetch_all(db)?,
            owners: select!(o for o in Owner).fetch_all(db)?,
            ownerships: select!(s for s in Ownership).fetch_all(db)?,
        })
    }

    pub fn customer(&self, id: i64) -> &Customer {
        self.customers
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no customer {id}"))
    }
}

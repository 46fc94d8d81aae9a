use foal::prelude::*;
use foal_tests::estore::{Customer, Order};

fn main() {
    let _ = select!((c.name, o.id) for c in Customer if c.country == "UK" for o in Order.full_join(|o| o.customer == c));
}

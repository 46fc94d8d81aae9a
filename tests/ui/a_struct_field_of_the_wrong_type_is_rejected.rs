use foal::prelude::*;
use foal_tests::estore::Product;

pub struct Label {
    pub name: String,
    pub price: f64,
}

fn main() {
    let _ = select!(Label { name: p.name, price: p.price } for p in Product);
}

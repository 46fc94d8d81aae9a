use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(Product.filter(|p| p.price > 1).limit(2.5));
}

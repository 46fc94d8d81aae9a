use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(Product.update(|p| p.price = "cheap"));
}

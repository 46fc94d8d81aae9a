use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(Product.map(|p| p.name).filter(|name| name.len() > 3));
}

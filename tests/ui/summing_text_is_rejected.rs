use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(sum(p.name) for p in Product);
}

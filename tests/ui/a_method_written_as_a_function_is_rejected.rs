use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(p for p in Product if len(p.name) > 3);
}

use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(p.name as i64 for p in Product);
}

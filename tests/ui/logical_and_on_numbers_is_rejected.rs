use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!((p.name, p.quantity && p.active) for p in Product);
}

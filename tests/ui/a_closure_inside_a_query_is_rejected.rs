use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!((p.name, |x: i64| x + p.price) for p in Product);
}

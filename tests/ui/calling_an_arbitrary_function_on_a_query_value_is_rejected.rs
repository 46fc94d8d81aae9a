use foal::prelude::*;
use foal_tests::estore::Product;

fn discounted(price: i64) -> i64 {
    price * 9 / 10
}

fn main() {
    let _ = select!(p for p in Product if discounted(p.price) > 100);
}

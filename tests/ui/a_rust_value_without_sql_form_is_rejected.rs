use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let since = std::time::Instant::now();
    let _ = select!(p for p in Product if p.price == since);
}

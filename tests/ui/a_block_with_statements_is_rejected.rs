use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(Product.filter(|p| {
        let doubled = p.price * 2;
        doubled > 10
    }));
}

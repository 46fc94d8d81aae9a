use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(Product.order_by(|p| p.id).limit(-1));
}

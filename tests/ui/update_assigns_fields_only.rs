use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(Product.filter(|p| p.quantity == 0).update(|p| {
        p.active = false;
        println!("{}", p.price);
    }));
}

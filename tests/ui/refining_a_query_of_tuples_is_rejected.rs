use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let pairs = select!((p.name, p.price) for p in Product);
    let _ = select!(pairs.filter(|x| x.price > 1));
}

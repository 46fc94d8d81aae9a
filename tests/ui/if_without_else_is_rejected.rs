use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!((if p.price > 100 { p.name }) for p in Product);
}

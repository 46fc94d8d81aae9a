use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!((match p.quantity { n if n > 3 => 1, _ => 0 }) for p in Product);
}

use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(p for p in Product if &p.name[0..2] == "iP");
}

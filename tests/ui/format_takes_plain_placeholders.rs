use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let _ = select!(format!("{:>8}", p.name) for p in Product);
}

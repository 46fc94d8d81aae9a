use foal::prelude::*;
use foal_tests::estore::Customer;

fn main() {
    let _ = select!(c for c in Customer if c.ordrs.is_empty());
}

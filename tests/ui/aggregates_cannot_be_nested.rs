use foal::prelude::*;
use foal_tests::estore::Customer;

fn main() {
    let _ = select!(max(count(c)) for c in Customer);
}

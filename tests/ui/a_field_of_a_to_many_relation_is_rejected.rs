use foal::prelude::*;
use foal_tests::estore::Customer;

fn main() {
    let _ = select!((c.name, sum(c.orders.total)) for c in Customer);
}

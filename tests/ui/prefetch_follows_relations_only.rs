use foal::prelude::*;
use foal_tests::estore::Customer;

fn main() {
    let _ = select!(Customer.prefetch(|c| c.orders.total));
}

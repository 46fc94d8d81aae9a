use foal::prelude::*;
use foal_tests::estore::Order;

fn main() {
    let _ = select!(Order.prefetch(|o| o.customer.country));
}

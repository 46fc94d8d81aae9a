use foal::prelude::*;
use foal_tests::estore::Order;

fn main() {
    let _ = select!(Order.filter(|o| o.total > 1.0).prefetch(|o| o.total));
}

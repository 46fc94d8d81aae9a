use foal::prelude::*;
use foal_tests::estore::Order;

fn main() {
    let _ = select!(o for o in Order if o.total > 100);
}

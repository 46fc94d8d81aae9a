use foal::prelude::*;
use foal_tests::fixture::Item;

fn main() {
    let _ = select!(i for i in Item if i.added.hour() == 3);
}

use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let _ = select!((e.name, rank().over(desc(e.salary))) for e in Employee);
}

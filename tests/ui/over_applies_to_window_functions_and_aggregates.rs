use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let _ = select!((e.name, e.salary.over(window())) for e in Employee);
}

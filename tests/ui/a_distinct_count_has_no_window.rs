use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let _ = select!((e.name, count_distinct(e.dept).over(window())) for e in Employee);
}

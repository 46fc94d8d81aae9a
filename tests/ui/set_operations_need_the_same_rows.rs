use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let names = select!(e.name for e in Employee);
    let salaries = select!(e.salary for e in Employee);
    let _ = names.union(&salaries);
}

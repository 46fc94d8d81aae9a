use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let _ = select!((e.name, partition_by(e.dept)) for e in Employee);
}

use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let _ = select!((e.dept, sum(row_number().over(order_by(e.salary)))) for e in Employee);
}

use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let _ = select!((e.name, sum(e.salary).over(order_by(e.hired).range(-3..=0))) for e in Employee);
}

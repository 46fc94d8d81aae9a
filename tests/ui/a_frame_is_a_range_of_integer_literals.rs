use foal::prelude::*;
use foal_tests::analytics::Employee;

fn main() {
    let n = 2;
    let _ = select!((e.name, sum(e.salary).over(order_by(e.hired).rows(-n..=0))) for e in Employee);
}

use foal::prelude::*;
use foal_tests::estore::Order;

fn main() {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let _ = select!(o.placed - day for o in Order);
}

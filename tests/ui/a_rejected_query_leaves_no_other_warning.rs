use foal::prelude::*;
use foal_tests::estore::Product;

fn main() {
    let q = select!(p for p in Product if p.name.frobnicate());
    let n = q.sql(foal::Dialect::Sqlite).len();
    println!("{n}");
}

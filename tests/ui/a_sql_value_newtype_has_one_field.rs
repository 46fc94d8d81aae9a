use foal::prelude::*;

#[derive(SqlValue, Debug, Clone, PartialEq)]
pub struct Point(pub i64, pub i64);

fn main() {}

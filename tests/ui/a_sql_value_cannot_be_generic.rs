use foal::prelude::*;

#[derive(SqlValue, Debug, Clone, PartialEq)]
pub struct Wrapped<T>(pub T);

fn main() {}

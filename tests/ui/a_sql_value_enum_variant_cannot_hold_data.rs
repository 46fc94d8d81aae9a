use foal::prelude::*;

#[derive(SqlValue, Debug, Clone, PartialEq)]
pub enum Payment {
    Cash,
    Card(String),
}

fn main() {}

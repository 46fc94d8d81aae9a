use foal::prelude::*;

#[derive(SqlValue, Debug, Clone, Copy, PartialEq)]
pub enum State {
    Open,
    #[foal(rename = "Open")]
    Reopened,
}

fn main() {}

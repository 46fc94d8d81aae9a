use foal::prelude::*;

#[derive(Entity)]
pub struct Link {
    pub id: i64,
    pub target: dyn ToString,
}

fn main() {}

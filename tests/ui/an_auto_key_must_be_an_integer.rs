use foal::prelude::*;

#[derive(Entity)]
pub struct Tag {
    #[foal(primary_key, auto)]
    pub name: String,
}

fn main() {}

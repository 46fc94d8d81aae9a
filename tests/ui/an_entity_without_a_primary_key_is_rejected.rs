use foal::prelude::*;

#[derive(Entity)]
pub struct Note {
    pub text: String,
}

fn main() {}

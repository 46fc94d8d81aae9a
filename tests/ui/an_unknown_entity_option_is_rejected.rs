use foal::prelude::*;

#[derive(Entity)]
#[foal(tabel = "notes")]
pub struct Note {
    #[foal(primary_key, autoincrement)]
    pub id: i64,
}

fn main() {}

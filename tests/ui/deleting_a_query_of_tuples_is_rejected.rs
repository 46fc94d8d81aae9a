use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Gadget {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

fn main() -> foal::Result<()> {
    let db = Database::open("sqlite::memory:")?;
    let names = select!((g.id, g.name) for g in Gadget);
    names.delete(&db)?;
    Ok(())
}

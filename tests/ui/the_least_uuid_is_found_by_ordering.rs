// PostgreSQL has no min(uuid)/max(uuid): the least UUID is the first row
// of a query ordered by it.
use foal::prelude::*;
use foal::uuid::Uuid;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Device {
    #[foal(primary_key)]
    pub id: Uuid,
}

fn main() {
    let _ = select!(min(d.id) for d in Device);
}

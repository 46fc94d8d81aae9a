use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(has_many(pets: Pet = name))]
pub struct Owner {
    #[foal(primary_key, auto)]
    pub id: i64,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Pet {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub owner: Ref<Owner>,
}

fn main() {}

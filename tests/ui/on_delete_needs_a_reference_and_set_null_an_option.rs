use foal::prelude::*;

#[derive(Entity)]
pub struct Team {
    pub id: i64,
}

#[derive(Entity)]
pub struct Player {
    pub id: i64,
    #[foal(on_delete = "set_null")]
    pub team: Ref<Team>,
    #[foal(on_delete = "cascade")]
    pub number: i32,
}

fn main() {}

// PostgreSQL compares jsonb by content, MySQL and SQLite by text: no `==`
// on JSON means the same everywhere, so there is none.
use foal::prelude::*;
use foal::serde_json::{self, json};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Profile {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub extra: serde_json::Value,
}

fn main() {
    let wanted = json!({"a": 1});
    let _ = select!(p for p in Profile if p.extra == wanted);
}

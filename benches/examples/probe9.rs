#![allow(clippy::unwrap_used)]
use foal::prelude::*;
use foal_benches::schema::{self, User};
fn main() {
    let db = Database::open("sqlite::memory:").unwrap();
    for sql in schema::create_sql(foal_benches::Backend::Sqlite) {
        db.execute_sql(sql).unwrap();
    }
    for round in 0..400000 {
        let rows: Vec<User> = (0..10).map(|i| schema::new_user(i, Some("hair_color"))).collect();
        std::hint::black_box(db.insert_all(rows).unwrap().len());
        if round % 1000 == 0 {
            db.execute_sql("DELETE FROM users").unwrap();
        }
    }
}

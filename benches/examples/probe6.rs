#![allow(clippy::unwrap_used)]
use foal::prelude::*;
use foal_benches::schema::{self, Post, User};
use std::time::Instant;
fn main() {
    let db = Database::open("sqlite::memory:").unwrap();
    for sql in schema::create_sql(foal_benches::Backend::Sqlite) {
        db.execute_sql(sql).unwrap();
    }
    db.insert_all(vec![schema::new_user(0, Some("black"))]).unwrap();
    let run = || {
        let q = select!((u, p) for u in User for p in u.posts.left() if u.hair_color == "black");
        let rows: Vec<(User, Option<Post>)> = q.fetch_all(&db).unwrap();
        rows.len()
    };
    run();
    let t = Instant::now();
    for _ in 0..500000 {
        std::hint::black_box(run());
    }
    println!("foal medium: {:?}", t.elapsed() / 500000);
}

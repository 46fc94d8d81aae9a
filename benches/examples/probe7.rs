#![allow(clippy::unwrap_used)]
use foal::prelude::*;
use foal_benches::schema::{self, User};
use std::time::Instant;
fn main() {
    let db = Database::open("sqlite::memory:").unwrap();
    let hand = rusqlite::Connection::open_in_memory().unwrap();
    for sql in schema::create_sql(foal_benches::Backend::Sqlite) {
        db.execute_sql(sql).unwrap();
        hand.execute_batch(sql).unwrap();
    }
    db.insert_all(vec![schema::new_user(0, None)]).unwrap();
    hand.execute_batch("INSERT INTO users (name, hair_color) VALUES ('User 0', NULL)")
        .unwrap();
    let mut stmt = hand.prepare("SELECT id, name, hair_color FROM users").unwrap();
    let n = 2_000_000;
    for round in 0..3 {
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(select!(u for u in User).fetch_all(&db).unwrap().len());
        }
        let f = t.elapsed() / n;
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(
                stmt.query_map([], |r| {
                    Ok(User {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        hair_color: r.get(2)?,
                    })
                })
                .unwrap()
                .collect::<rusqlite::Result<Vec<User>>>()
                .unwrap()
                .len(),
            );
        }
        let h = t.elapsed() / n;
        println!(
            "round {round}: foal {f:?} hand {h:?} ratio {:.3}",
            f.as_secs_f64() / h.as_secs_f64()
        );
    }
}

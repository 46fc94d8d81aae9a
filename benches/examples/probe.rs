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
    for _ in 0..20000 {
        std::hint::black_box(run());
    }
    println!(
        "foal medium: {:?} {:?}",
        t.elapsed() / 20000,
        foal::cache::translation_counts()
    );
    let run2 = || {
        let q = select!(u for u in User if u.hair_color == "black");
        q.fetch_all(&db).unwrap().len()
    };
    run2();
    let t = Instant::now();
    for _ in 0..20000 {
        std::hint::black_box(run2());
    }
    println!("foal filter only: {:?}", t.elapsed() / 20000);
    let hand = rusqlite::Connection::open_in_memory().unwrap();
    for sql in schema::create_sql(foal_benches::Backend::Sqlite) {
        hand.execute_batch(sql).unwrap();
    }
    hand.execute_batch("INSERT INTO users (name, hair_color) VALUES ('User 0', 'black')")
        .unwrap();
    let mut stmt = hand.prepare(&q_sql()).unwrap();
    let t = Instant::now();
    for _ in 0..20000 {
        std::hint::black_box(stmt.query_map(["black"], |r| r.get::<_, i32>(0)).unwrap().count());
    }
    println!("hand same sql: {:?}", t.elapsed() / 20000);
    hand.execute_batch("PRAGMA foreign_keys = ON; PRAGMA case_sensitive_like = ON;")
        .unwrap();
    let mut stmt = hand.prepare(&q_sql()).unwrap();
    let t = Instant::now();
    for _ in 0..20000 {
        std::hint::black_box(stmt.query_map(["black"], |r| r.get::<_, i32>(0)).unwrap().count());
    }
    println!("hand with pragmas: {:?}", t.elapsed() / 20000);
    drop(stmt);
    let t = Instant::now();
    for _ in 0..20000 {
        let mut stmt = hand.prepare_cached(&q_sql()).unwrap();
        std::hint::black_box(stmt.query_map(["black"], |r| r.get::<_, i32>(0)).unwrap().count());
    }
    println!("hand prepare_cached: {:?}", t.elapsed() / 20000);
    hand.create_scalar_function(
        "lower",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let s: String = ctx.get(0)?;
            Ok(s.to_lowercase())
        },
    )
    .unwrap();
    let t = Instant::now();
    for _ in 0..20000 {
        let mut stmt = hand.prepare_cached(&q_sql()).unwrap();
        std::hint::black_box(stmt.query_map(["black"], |r| r.get::<_, i32>(0)).unwrap().count());
    }
    println!("hand prepare_cached + fn: {:?}", t.elapsed() / 20000);
}
fn q_sql() -> String {
    r#"SELECT "u"."id", "u"."name", "u"."hair_color", "p"."id", "p"."user_id", "p"."title", "p"."body" FROM "users" AS "u" LEFT JOIN "posts" AS "p" ON "p"."user_id" = "u"."id" WHERE "u"."hair_color" = ?"#.into()
}
#[allow(dead_code)]
fn counts() {}

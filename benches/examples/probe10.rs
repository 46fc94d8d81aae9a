#![allow(clippy::unwrap_used)]
use foal::prelude::*;
use foal_benches::schema::User;
use std::time::Instant;
fn main() {
    let url = std::env::var("FOAL_TEST_POSTGRES_URL").unwrap();
    let db = Database::open(&url).unwrap();
    let _ = db.execute_sql("DROP TABLE IF EXISTS comments, posts, users");
    for sql in foal_benches::schema::create_sql(foal_benches::Backend::Postgres) {
        db.execute_sql(sql).unwrap();
    }
    db.insert_all(vec![foal_benches::schema::new_user(0, None)]).unwrap();
    let run = || select!(u for u in User).fetch_all(&db).unwrap().len();
    run();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let stmt = client.prepare("SELECT id, name, hair_color FROM users").unwrap();
    for round in 0..4 {
        let t = Instant::now();
        for _ in 0..2000 {
            std::hint::black_box(run());
        }
        let f = t.elapsed() / 2000;
        let t = Instant::now();
        for _ in 0..2000 {
            std::hint::black_box(client.query(&stmt, &[]).unwrap().len());
        }
        let h = t.elapsed() / 2000;
        println!("round {round}: foal {f:?} hand {h:?}");
    }
}

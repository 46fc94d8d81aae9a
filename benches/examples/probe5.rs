#![allow(clippy::unwrap_used)]
use std::time::Instant;
fn main() {
    for setup in ["none", "fk", "csl", "both"] {
        let hand = rusqlite::Connection::open_in_memory().unwrap();
        hand.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .unwrap();
        match setup {
            "fk" => hand.execute_batch("PRAGMA foreign_keys = ON").unwrap(),
            "csl" => hand.execute_batch("PRAGMA case_sensitive_like = ON").unwrap(),
            "both" => hand
                .execute_batch("PRAGMA foreign_keys = ON; PRAGMA case_sensitive_like = ON")
                .unwrap(),
            _ => {}
        }
        for sql in foal_benches::schema::create_sql(foal_benches::Backend::Sqlite) {
            hand.execute_batch(sql).unwrap();
        }
        hand.execute_batch("INSERT INTO users (name, hair_color) VALUES ('User 0', 'black')")
            .unwrap();
        let sql = r#"SELECT "u"."id", "u"."name", "u"."hair_color", "p"."id", "p"."user_id", "p"."title", "p"."body" FROM "users" AS "u" LEFT JOIN "posts" AS "p" ON "p"."user_id" = "u"."id" WHERE "u"."hair_color" = ?"#;
        let mut stmt = hand.prepare(sql).unwrap();
        for _ in 0..10000 {
            std::hint::black_box(stmt.query_map(["black"], |r| r.get::<_, i32>(0)).unwrap().count());
        }
        let t = Instant::now();
        for _ in 0..200000 {
            std::hint::black_box(stmt.query_map(["black"], |r| r.get::<_, i32>(0)).unwrap().count());
        }
        println!("{setup}: {:?}", t.elapsed() / 200000);
    }
}

//! foal's own costs, without I/O where possible:
//! `cargo bench -p foal-benches --features criterion --bench overhead`.
//!
//! - translate + render: what the first execution of a call site pays;
//! - cached lookup + binding: what every later execution pays before I/O;
//! - composed query, LRU hit: `select!(q.filter(..))` on a known shape;
//! - row decoding: 1 000 users read from in-memory SQLite, foal against a
//!   hand-written `row.get` loop on the same statement text.

// A benchmark that cannot run has nothing to report: it stops with the error.
#![allow(clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use foal::prelude::*;
use foal_benches::baseline;
use foal_benches::schema::User;

fn query(hair: &str, min: i32) -> foal::Query<User> {
    select!(u for u in User if u.hair_color == hair && u.id > min && u.name.starts_with("User"))
}

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("overhead");
    group.bench_function("translate + render (first execution)", |b| {
        foal::cache::translate_every_time(true);
        b.iter(|| query("black", 10).sql_ref(Dialect::Postgres).len());
        foal::cache::translate_every_time(false);
    });
    group.bench_function("cached lookup + binding", |b| {
        b.iter(|| {
            let q = query("black", 10);
            q.sql_ref(Dialect::Postgres).len() + q.params().len()
        })
    });
    let base = select!(u for u in User if u.id > 0);
    group.bench_function("composed query (LRU hit)", |b| {
        b.iter(|| {
            let limit = 10;
            let q = select!(base.filter(|u| u.id < limit));
            q.sql_ref(Dialect::Postgres).len()
        })
    });

    let db = Database::open("sqlite::memory:").unwrap_or_else(|e| panic!("{e}"));
    let hand = rusqlite::Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    for sql in baseline::create_sql(foal_benches::Backend::Sqlite) {
        db.execute_sql(sql).unwrap_or_else(|e| panic!("{e}"));
        hand.execute_batch(sql).unwrap_or_else(|e| panic!("{e}"));
    }
    for sql in baseline::seed_users_sql(1000, baseline::alternating_hair) {
        db.execute_sql(&sql).unwrap_or_else(|e| panic!("{e}"));
        hand.execute_batch(&sql).unwrap_or_else(|e| panic!("{e}"));
    }
    group.bench_function("decode 1000 rows: foal", |b| {
        b.iter(|| select!(u for u in User).fetch_all(&db).map(|v| v.len()).unwrap_or(0))
    });
    let mut stmt = hand
        .prepare("SELECT \"u\".\"id\", \"u\".\"name\", \"u\".\"hair_color\" FROM \"users\" AS \"u\"")
        .unwrap_or_else(|e| panic!("{e}"));
    group.bench_function("decode 1000 rows: by hand", |b| {
        b.iter(|| {
            stmt.query_map([], |r| {
                Ok(User {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    hair_color: r.get(2)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<User>>>())
            .map(|rows| rows.len())
            .unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(overhead_benches, overhead);
criterion_main!(overhead_benches);

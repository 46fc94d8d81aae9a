//! Translation happens once per call site and shape; rendering once per
//! dialect; statements are prepared once per connection.

use foal::cache::translation_counts;
use foal::prelude::*;
use foal_tests::estore::{self, Customer, Product};

fn delta(before: (u64, u64)) -> (u64, u64) {
    let now = translation_counts();
    (now.0 - before.0, now.1 - before.1)
}

fn ids_at_least(db: &Database, min: i64) -> foal::Result<Vec<i64>> {
    select!(p.id for p in Product if p.price >= min).fetch_all(db)
}

/// Called by one test only: the counts are per thread, and a site another
/// test (another thread) has already built is not built again here.
fn ids_below(db: &Database, max: i64) -> foal::Result<Vec<i64>> {
    select!(p.id for p in Product if p.price < max).fetch_all(db)
}

#[test]
fn a_call_site_is_translated_and_rendered_once() -> foal::Result<()> {
    let db = foal_tests::fresh(Dialect::Sqlite);
    estore::fill(&db)?;
    let start = translation_counts();
    assert_eq!(ids_below(&db, 10_000)?.len(), 6);
    assert_eq!(delta(start), (1, 1), "the first execution builds and renders");
    let after_first = translation_counts();
    for max in [100, 500, 6000] {
        ids_below(&db, max)?;
    }
    assert_eq!(delta(after_first), (0, 0), "later executions only bind");
    Ok(())
}

fn by_email(db: &Database, email: Option<&str>) -> foal::Result<Vec<i64>> {
    select!(c.id for c in Customer if c.email == email).fetch_all(db)
}

#[test]
fn a_none_parameter_is_a_shape_of_its_own() -> foal::Result<()> {
    let db = foal_tests::fresh(Dialect::Sqlite);
    estore::fill(&db)?;
    let start = translation_counts();
    assert_eq!(by_email(&db, Some("ann@example.com"))?, vec![1]);
    assert_eq!(delta(start), (1, 1));
    let some = translation_counts();
    assert_eq!(by_email(&db, None)?, vec![2, 4]);
    assert_eq!(delta(some), (1, 1), "`IS NULL` is another SQL text");
    let both = translation_counts();
    by_email(&db, None)?;
    by_email(&db, Some("x"))?;
    assert_eq!(delta(both), (0, 0), "both shapes are cached");
    Ok(())
}

fn in_list(db: &Database, ids: &[i64]) -> foal::Result<Vec<i64>> {
    let mut found = select!(p.id for p in Product if ids.contains(&p.id)).fetch_all(db)?;
    found.sort_unstable();
    Ok(found)
}

#[test]
fn list_lengths_share_shapes_by_powers_of_two() -> foal::Result<()> {
    let db = foal_tests::fresh(Dialect::Sqlite);
    estore::fill(&db)?;
    in_list(&db, &[1, 2, 3])?;
    let three = translation_counts();
    assert_eq!(in_list(&db, &[4, 5, 6, 1])?, vec![1, 4, 5, 6]);
    assert_eq!(delta(three), (0, 0), "3 and 4 items both render 4 placeholders");
    assert_eq!(in_list(&db, &[1, 2, 3, 4, 5])?, vec![1, 2, 3, 4, 5]);
    assert_eq!(delta(three), (1, 1), "5 items need 8 placeholders");
    assert!(in_list(&db, &[])?.is_empty());
    Ok(())
}

#[test]
fn each_dialect_is_rendered_once() {
    let q = select!(p.name for p in Product if p.quantity > 2);
    let start = translation_counts();
    let sql = q.sql(Dialect::Postgres);
    assert_eq!(q.sql(Dialect::Postgres), sql);
    assert_eq!(
        delta(start),
        (0, 1),
        "built when the query was made, rendered once for PostgreSQL"
    );
    let _ = q.sql(Dialect::Mysql);
    assert_eq!(delta(start), (0, 2));
}

#[test]
fn composed_queries_are_cached_in_the_lru() -> foal::Result<()> {
    let db = foal_tests::fresh(Dialect::Sqlite);
    estore::fill(&db)?;
    let refine = |max: i64| {
        let base = select!(p for p in Product if p.active);
        select!(base.filter(|p| p.price < max).map(|p| p.id)).fetch_all(&db)
    };
    refine(100)?;
    let first = translation_counts();
    let mut cheap = refine(400)?;
    cheap.sort_unstable();
    assert_eq!(cheap, vec![3, 5, 6]);
    assert_eq!(delta(first), (0, 0), "the refined query is found in the LRU");
    Ok(())
}

/// PostgreSQL shows a connection's prepared statements: running a query many
/// times prepares it once.
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "pg_prepared_statements")]
struct PreparedStatement {
    #[foal(primary_key)]
    name: String,
    statement: String,
}

#[test]
fn statements_are_prepared_once_per_connection() -> foal::Result<()> {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return Ok(());
    }
    let db = foal_tests::fresh(Dialect::Postgres);
    estore::fill(&db)?;
    // Serial calls get the same idle connection back from the pool.
    for min in 0..20 {
        ids_at_least(&db, min)?;
    }
    let prepared = select!(s.statement for s in PreparedStatement).fetch_all(&db)?;
    let ours = prepared
        .iter()
        .filter(|s| s.contains(r#"WHERE "p"."price" >= $1"#))
        .count();
    // The pool may have used more than one connection, but never more than
    // one preparation per connection: far fewer than 20.
    assert!(
        (1..=db.pool_size()).contains(&ours),
        "{ours} preparations: {prepared:#?}"
    );
    Ok(())
}

/// Past `STATEMENT_CACHE` statements on one connection, the least recently
/// used is closed (on PostgreSQL the server's own list stays bounded) and
/// prepared again when next needed; every answer stays right.
#[test]
fn a_connection_keeps_a_bounded_number_of_statements() {
    const PRICES: [i64; 6] = [599, 499, 9, 5999, 1, 300];
    let limit = foal::driver::STATEMENT_CACHE;
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh_with(dialect, "pool_size=1");
        let check = || -> foal::Result<()> {
            estore::fill(&db)?;
            // Translated afresh on every call: each execution is a new
            // rendering, so a new statement on the connection.
            let mins: Vec<i64> = (0..limit as i64 + 40).map(|m| m % 700).collect();
            foal::cache::translate_every_time(true);
            let mut answers = Vec::new();
            for &min in &mins {
                answers.push(ids_at_least(&db, min)?.len());
            }
            foal::cache::translate_every_time(false);
            let expected: Vec<usize> = mins
                .iter()
                .map(|&min| PRICES.iter().filter(|&&p| p >= min).count())
                .collect();
            assert_eq!(answers, expected);
            if dialect == Dialect::Postgres {
                let prepared = select!(s.statement for s in PreparedStatement).fetch_all(&db)?;
                assert!(
                    prepared.len() <= limit + 1,
                    "{} statements prepared on one connection",
                    prepared.len()
                );
            }
            // The statement of this site (kept in use) is still prepared.
            assert_eq!(ids_at_least(&db, 0)?.len(), 6);
            Ok(())
        };
        let outcome = check();
        foal::cache::translate_every_time(false);
        if let Err(e) = outcome {
            panic!("on {dialect}: {e}");
        }
    }
}

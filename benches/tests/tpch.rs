//! TPC-H at scale factor 0.01 on SQLite, PostgreSQL and MariaDB: each of the
//! 22 queries written in foal returns the rows of the spec's SQL run by hand
//! on the same data (numbers within 1e-9 relative). Timing is the
//! benchmark's job (`cargo run --release -p foal-benches --bin tpch`).
//!
//! `FOAL_BACKENDS` narrows the backends as for the other tests; the servers
//! are the ones `scripts/test.sh` starts.

// A test reports a failure by panicking.
#![allow(clippy::panic)]

use foal_benches::Backend;
use foal_benches::tpch::{self, Loaded, queries};

fn backends() -> Vec<Backend> {
    match std::env::var("FOAL_BACKENDS") {
        Err(_) => Backend::ALL.to_vec(),
        Ok(list) => list
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Backend::parse(n).unwrap_or_else(|| panic!("FOAL_BACKENDS names `{n}`")))
            .collect(),
    }
}

#[test]
fn every_query_returns_the_rows_of_the_spec() {
    let mut failures = Vec::new();
    for backend in backends() {
        let mut loaded = Loaded::new(backend, 0.01).unwrap_or_else(|e| panic!("loading TPC-H on {backend}: {e}"));
        assert_eq!(loaded.rows, 86_805, "the scale factor 0.01 data set on {backend}");
        let all = queries::all();
        assert_eq!(all.len(), 22);
        for (n, query) in all {
            match tpch::check(&mut loaded, n, query.as_ref()) {
                Ok(None) => {}
                Ok(Some(diff)) => failures.push(format!("{backend} Q{n}: {diff}")),
                Err(e) => failures.push(format!("{backend} Q{n}: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} queries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_wrong_row_is_found() {
    // The comparison itself: a foal query that is not the spec's differs.
    let mut loaded = Loaded::new(Backend::Sqlite, 0.01).unwrap_or_else(|e| panic!("{e}"));
    let q6 = queries::q6();
    assert_eq!(tpch::check(&mut loaded, 6, &q6).ok().flatten(), None);
    let q1 = queries::q1();
    let diff = tpch::check(&mut loaded, 6, &q1).unwrap_or_else(|e| panic!("{e}"));
    assert!(diff.is_some(), "Q1's rows are not Q6's");
}

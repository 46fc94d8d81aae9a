//! Streaming 2 million rows keeps memory flat: the resident set of this
//! process (its own test binary, so no other test allocates beside it)
//! grows by a small constant while `for_each` and `fetch_iter` read every
//! row, where collecting the same rows would take hundreds of megabytes.
//! The rows are made by the server (`generate_series`, MariaDB's sequence
//! engine, a recursive CTE on SQLite); SQLite reads a file, not memory.

use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Sample {
    #[foal(primary_key)]
    pub id: i64,
    pub label: String,
    pub amount: i64,
}

const ROWS: i64 = 2_000_000;
/// The width of each row's text: 2 million rows of it collected would be
/// over 300 MB.
const LABEL: usize = 100;
/// How far the resident set may grow while streaming.
const ALLOWED_MB: f64 = 48.0;

/// The resident set, in megabytes.
fn resident_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_else(|e| panic!("{e}"));
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmRSS in /proc/self/status"));
    kb / 1024.0
}

fn fill(db: &Database) -> foal::Result<()> {
    db.create_table::<Sample>()?;
    let sql = match db.dialect() {
        Dialect::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             INSERT INTO sample (id, label, amount) SELECT i, printf('%0{LABEL}d', i), i % 1000 FROM n"
        ),
        Dialect::Postgres => format!(
            "INSERT INTO sample (id, label, amount) SELECT i, lpad(i::text, {LABEL}, '0'), i % 1000 \
             FROM generate_series(1, {ROWS}) AS i"
        ),
        Dialect::Mysql => format!(
            "INSERT INTO sample (id, label, amount) SELECT seq, LPAD(seq, {LABEL}, '0'), seq % 1000 \
             FROM seq_1_to_{ROWS}"
        ),
    };
    let n = raw(&sql).execute(db)?;
    assert_eq!(n, ROWS as u64, "{}", db.dialect());
    Ok(())
}

#[test]
fn two_million_rows_stream_in_constant_memory() {
    for dialect in foal_tests::backends() {
        let (db, _file) = match dialect {
            Dialect::Sqlite => {
                let (db, file) = foal_tests::sqlite_file("");
                (db, Some(file))
            }
            _ => (foal_tests::fresh(dialect), None),
        };
        fill(&db).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let q = select!(Sample.map(|s| (s.id, s.label, s.amount)));

        let base = resident_mb();
        let mut peak = base;
        let (mut rows, mut sum) = (0i64, 0i64);
        q.for_each(&db, |(id, label, amount)| {
            rows += 1;
            sum += id + amount;
            assert_eq!(label.len(), LABEL);
            if rows % 100_000 == 0 {
                peak = peak.max(resident_mb());
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let each_growth = peak - base;
        let want_sum = (1..=ROWS).map(|i| i + i % 1000).sum::<i64>();
        assert_eq!((rows, sum), (ROWS, want_sum), "{dialect}: for_each read every row");

        let base = resident_mb();
        let mut peak = base;
        let (mut rows, mut sum) = (0i64, 0i64);
        for row in q.fetch_iter(&db).unwrap_or_else(|e| panic!("{dialect}: {e}")) {
            let (id, label, amount) = row.unwrap_or_else(|e| panic!("{dialect}: {e}"));
            rows += 1;
            sum += id + amount;
            assert_eq!(label.len(), LABEL);
            if rows % 100_000 == 0 {
                peak = peak.max(resident_mb());
            }
        }
        let iter_growth = peak - base;
        assert_eq!((rows, sum), (ROWS, want_sum), "{dialect}: fetch_iter read every row");

        let collected_mb = ROWS as f64 * (std::mem::size_of::<(i64, String, i64)>() + LABEL) as f64 / 1e6;
        eprintln!(
            "streaming_memory {dialect}: {ROWS} rows; resident set grew {each_growth:.1} MB with for_each, \
             {iter_growth:.1} MB with fetch_iter (collected: about {collected_mb:.0} MB)"
        );
        assert!(
            each_growth < ALLOWED_MB && iter_growth < ALLOWED_MB,
            "{dialect}: grew {each_growth:.1} / {iter_growth:.1} MB while streaming"
        );
    }
}

//! foal behind pgbouncer 1.18 (`FOAL_TOPOLOGIES=pgbouncer`: transaction
//! and session pooling, two server connections per pool, in front of the
//! test server). In transaction mode consecutive requests of one client
//! connection reach different server connections, and several client
//! connections, of several processes, share each server connection:
//! statement names must never collide, a statement the server does not
//! have must be recovered from, and every answer must be the right one.
//!
//! Each test makes its own table through the direct URL (pgbouncer 1.18
//! refuses the `options` startup parameter that `foal_tests::fresh` uses
//! for a private schema) and drops it at the end. The second process is
//! this test binary again, started with `FOAL_PGBOUNCER_CHILD` naming the
//! test and its table.
//!
//! Run with `FOAL_TOPOLOGIES=pgbouncer scripts/test.sh -p foal-tests --test pgbouncer`.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use foal::{Database, Dialect, Error, Executor, raw};

const THREADS: usize = 8;
const CALLS: usize = 200;
const KEYS: i64 = 100;

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run `FOAL_TOPOLOGIES=pgbouncer scripts/test.sh -p foal-tests --test pgbouncer`")
    })
}

/// A statement and its right answer for a key.
struct Shape {
    sql: String,
    answer: fn(i64) -> i64,
}

/// The statements of one process: different in each, so that a statement
/// run under another's name gives a wrong number (or a wrong type), never
/// the same one by chance.
fn shapes(child: bool, table: &str) -> Vec<Shape> {
    let shape = |sql: String, answer: fn(i64) -> i64| Shape { sql, answer };
    if child {
        vec![
            shape(format!("SELECT v * 2 FROM {table} WHERE k = ?"), |k| k * 20),
            shape("SELECT ? + 1000".into(), |k| k + 1000),
            shape(format!("SELECT max(v) FROM {table} WHERE k <= ?"), |k| k * 10),
            shape("SELECT ? * 7".into(), |k| k * 7),
        ]
    } else {
        vec![
            shape(format!("SELECT v FROM {table} WHERE k = ?"), |k| k * 10),
            shape(format!("SELECT v + 1 FROM {table} WHERE k = ?"), |k| k * 10 + 1),
            shape(format!("SELECT count(*) FROM {table} WHERE k <= ?"), |k| k + 1),
            shape("SELECT ? * 3".into(), |k| k * 3),
        ]
    }
}

/// The table of a test, made and filled through the direct URL.
struct Table {
    name: String,
    direct: Database,
}

impl Table {
    fn new(test: &str) -> Table {
        let name = format!("pgbouncer_{test}_{}", std::process::id());
        let url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
        let direct = Database::open(&format!("{url}?pool_size=1")).unwrap_or_else(|e| panic!("{e}"));
        direct
            .execute_sql(&format!(
                "DROP TABLE IF EXISTS {name}; CREATE TABLE {name} (k int8 PRIMARY KEY, v int8 NOT NULL); \
                 INSERT INTO {name} SELECT k, k * 10 FROM generate_series(0, {}) AS k",
                KEYS - 1
            ))
            .unwrap_or_else(|e| panic!("creating {name}: {e}"));
        Table { name, direct }
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        let _ = self.direct.execute_sql(&format!("DROP TABLE IF EXISTS {}", self.name));
    }
}

/// What a workload saw.
#[derive(Debug, Default)]
struct Tally {
    right: usize,
    wrong: Vec<String>,
    errors: Vec<String>,
    timeouts: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.right += other.right;
        self.wrong.extend(other.wrong);
        self.errors.extend(other.errors);
        self.timeouts += other.timeouts;
    }
}

fn ask(ex: &impl Executor, shape: &Shape, k: i64, tally: &mut Tally) -> foal::Result<()> {
    let v = raw::<i64>(&shape.sql).bind(&k).fetch_one(ex)?;
    if v == (shape.answer)(k) {
        tally.right += 1;
    } else {
        tally
            .wrong
            .push(format!("{} with {k}: {v}, not {}", shape.sql, (shape.answer)(k)));
    }
    Ok(())
}

impl Tally {
    fn failed(&mut self, what: &str, e: Error) {
        match e {
            Error::Timeout { .. } | Error::PoolTimeout { .. } => self.timeouts += 1,
            e => self.errors.push(format!("{what}: {e}")),
        }
    }
}

/// `THREADS` threads each making `calls` calls (in transactions of four
/// when `transactions`), every answer checked.
fn workload(db: &Arc<Database>, child: bool, table: &str, calls: usize, transactions: bool) -> Tally {
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = Arc::clone(db);
            let shapes = shapes(child, table);
            std::thread::spawn(move || {
                let mut tally = Tally::default();
                let key = |i: usize| ((t * 31 + i * 7) as i64) % KEYS;
                if transactions {
                    for i in (0..calls).step_by(4) {
                        let mut inner = Tally::default();
                        let result = db.transaction(|tx| {
                            for j in i..i + 4 {
                                ask(tx, &shapes[(t + j) % shapes.len()], key(j), &mut inner)?;
                            }
                            Ok(())
                        });
                        if let Err(e) = result {
                            inner.failed("a transaction", e);
                        }
                        tally.add(inner);
                    }
                } else {
                    for i in 0..calls {
                        let shape = &shapes[(t + i) % shapes.len()];
                        if let Err(e) = ask(&*db, shape, key(i), &mut tally) {
                            tally.failed(&shape.sql, e);
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for thread in threads {
        match thread.join() {
            Ok(t) => tally.add(t),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    tally
}

fn open(url: &str, options: &str) -> Arc<Database> {
    let sep = if url.contains('?') { '&' } else { '?' };
    Arc::new(Database::open(&format!("{url}{sep}{options}")).unwrap_or_else(|e| panic!("{options}: {e}")))
}

/// Runs a test's workload here and, at the same time, in a second process
/// (this binary again) with statements of its own.
fn two_processes(test: &str, options: &str, transactions: bool) -> (Tally, Duration) {
    let url = env("FOAL_TEST_PGBOUNCER_URL");
    if let Ok(table) = std::env::var("FOAL_PGBOUNCER_CHILD") {
        // The child: its workload, then a line the parent reads.
        let db = open(&url, options);
        let tally = workload(&db, true, &table, CALLS, transactions);
        println!(
            "CHILD right={} wrong={} errors={} timeouts={}",
            tally.right,
            tally.wrong.len(),
            tally.errors.len(),
            tally.timeouts
        );
        for line in tally.wrong.iter().chain(&tally.errors).take(10) {
            println!("CHILD {line}");
        }
        return (tally, Duration::ZERO);
    }
    let table = Table::new(test);
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("FOAL_PGBOUNCER_CHILD", &table.name)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the second process: {e}"));
    let start = Instant::now();
    let db = open(&url, options);
    let mut tally = workload(&db, false, &table.name, CALLS, transactions);
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("the second process: {e}"));
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The harness may print the test's name on the same line.
    let report: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.find("CHILD ").map(|at| &l[at..]))
        .collect();
    assert!(
        output.status.success() && !report.is_empty(),
        "the second process failed:\n{stdout}"
    );
    let number = |key: &str| -> usize {
        report[0]
            .split(' ')
            .find_map(|w| w.strip_prefix(key))
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX)
    };
    tally.right += number("right=");
    for line in &report[1..] {
        tally.errors.push(format!("second process: {line}"));
    }
    tally
        .errors
        .extend((0..number("errors=")).map(|_| "an error in the second process".to_owned()));
    tally
        .wrong
        .extend((0..number("wrong=")).map(|_| "a wrong answer in the second process".to_owned()));
    (tally, took)
}

fn is_child() -> bool {
    std::env::var("FOAL_PGBOUNCER_CHILD").is_ok()
}

#[track_caller]
fn all_right(what: &str, tally: &Tally, took: Duration) {
    eprintln!(
        "{what}: {} right, {} wrong, {} errors, {} timeouts in {took:.1?}",
        tally.right,
        tally.wrong.len(),
        tally.errors.len(),
        tally.timeouts
    );
    assert!(
        tally.wrong.is_empty(),
        "{what}: wrong answers:\n{}",
        tally.wrong.join("\n")
    );
    assert!(tally.errors.is_empty(), "{what}: errors:\n{}", tally.errors.join("\n"));
    assert_eq!(tally.timeouts, 0, "{what}: timeouts");
}

#[test]
fn named_statements_behind_transaction_pooling() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let (tally, took) = two_processes("named_statements_behind_transaction_pooling", "pool_size=8", false);
    if !is_child() {
        all_right("named statements, 2 processes x 8 threads x 200", &tally, took);
        assert_eq!(tally.right, 2 * THREADS * CALLS);
    }
}

#[test]
fn unnamed_statements_behind_transaction_pooling() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let (tally, took) = two_processes(
        "unnamed_statements_behind_transaction_pooling",
        "pool_size=8&statement_cache_size=0",
        false,
    );
    if !is_child() {
        all_right("statement_cache_size=0, 2 processes x 8 threads x 200", &tally, took);
        assert_eq!(tally.right, 2 * THREADS * CALLS);
    }
}

#[test]
fn transactions_behind_transaction_pooling() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let (tally, took) = two_processes(
        "transactions_behind_transaction_pooling",
        "pool_size=8&statement_cache_size=0",
        true,
    );
    if !is_child() {
        all_right("transactions of 4, statement_cache_size=0, 2 processes", &tally, took);
        assert_eq!(tally.right, 2 * THREADS * CALLS);
    }
}

/// Named statements inside transactions cannot work behind transaction
/// pooling (the transaction's server may not have the statement); they
/// fail with the server's 26000 and a hint, the connection switches to
/// unnamed statements, and no answer is ever wrong.
#[test]
fn named_statements_in_transactions_fail_cleanly_never_wrongly() {
    if !foal_tests::runs_on(Dialect::Postgres) || is_child() {
        return;
    }
    let table = Table::new("named_in_transactions");
    let db = open(&env("FOAL_TEST_PGBOUNCER_URL"), "pool_size=8");
    let start = Instant::now();
    let tally = workload(&db, false, &table.name, CALLS, true);
    eprintln!(
        "named statements in transactions: {} right, {} wrong, {} errors in {:.1?}",
        tally.right,
        tally.wrong.len(),
        tally.errors.len(),
        start.elapsed()
    );
    assert!(tally.wrong.is_empty(), "wrong answers:\n{}", tally.wrong.join("\n"));
    for e in &tally.errors {
        assert!(
            e.contains("26000") && e.contains("statement_cache_size=0"),
            "an unexpected error: {e}"
        );
    }
    // Each connection fails at most once before it stops naming statements.
    assert!(tally.errors.len() <= 8, "{} errors", tally.errors.len());
}

/// A foal pool larger than pgbouncer's (2 server connections in session
/// mode): the connections beyond two wait in pgbouncer for a server that
/// never frees up. With read_timeout_ms they time out and are replaced;
/// nothing hangs and no answer is wrong.
#[test]
fn session_pooling_with_a_larger_foal_pool_does_not_hang() {
    if !foal_tests::runs_on(Dialect::Postgres) || is_child() {
        return;
    }
    let table = Table::new("session");
    let db = open(
        &env("FOAL_TEST_PGBOUNCER_SESSION_URL"),
        "pool_size=4&read_timeout_ms=1000&pool_timeout_ms=5000",
    );
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let name = table.name.clone();
    std::thread::spawn(move || {
        let _ = tx.send(workload(&db, false, &name, 10, false));
    });
    let tally = rx
        .recv_timeout(Duration::from_secs(90))
        .unwrap_or_else(|_| panic!("8 threads x 10 calls through session pooling hang"));
    eprintln!(
        "session pooling, foal pool 4 > pgbouncer's 2: {} right, {} timeouts, {} errors in {:.1?}",
        tally.right,
        tally.timeouts,
        tally.errors.len(),
        start.elapsed()
    );
    for e in tally.errors.iter().take(5) {
        eprintln!("  {e}");
    }
    assert!(tally.wrong.is_empty(), "wrong answers:\n{}", tally.wrong.join("\n"));
    assert!(tally.right > 0, "no call succeeded");
}

//! TPC-H: loads scale factor 0.01 (or `--sf`) through foal, checks that
//! each of the 22 queries written in foal returns the spec's rows, then
//! times both in alternation and prints the ratio per query.
//!
//! ```text
//! cargo run --release -p foal-benches --bin tpch                      # SQLite
//! cargo run --release -p foal-benches --bin tpch -- --backend all     # servers from scripts/bench.sh
//! cargo run --release -p foal-benches --bin tpch -- --only 9 --sql    # one query and its SQL
//! cargo run --release -p foal-benches --bin tpch -- --check           # agreement only
//! cargo run --release -p foal-benches --bin tpch -- --keep            # leave the database, to study plans
//! ```

use std::time::{Duration, Instant};

use foal::Dialect;
use foal_benches::tpch::{self, Loaded, queries};
use foal_benches::{Backend, Result};

struct Options {
    backends: Vec<Backend>,
    sf: f64,
    rounds: usize,
    only: Option<usize>,
    check_only: bool,
    show_sql: bool,
    keep: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        backends: Vec::new(),
        sf: 0.01,
        rounds: 7,
        only: None,
        check_only: false,
        show_sql: false,
        keep: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                let name = args.next().ok_or("--backend needs sqlite, postgres, mysql or all")?;
                if name == "all" {
                    o.backends.extend(Backend::ALL);
                } else {
                    o.backends
                        .push(Backend::parse(&name).ok_or_else(|| format!("unknown backend `{name}`"))?);
                }
            }
            "--sf" => o.sf = args.next().ok_or("--sf needs a scale factor")?.parse()?,
            "--rounds" => o.rounds = args.next().ok_or("--rounds needs a number")?.parse()?,
            "--only" => o.only = Some(args.next().ok_or("--only needs a query number")?.parse()?),
            "--check" => o.check_only = true,
            "--sql" => o.show_sql = true,
            "--keep" => o.keep = true,
            other => return Err(format!("unknown option `{other}`").into()),
        }
    }
    if o.backends.is_empty() {
        o.backends.push(Backend::Sqlite);
    }
    Ok(o)
}

fn dialect(backend: Backend) -> Dialect {
    match backend {
        Backend::Sqlite => Dialect::Sqlite,
        Backend::Postgres => Dialect::Postgres,
        Backend::Mysql => Dialect::Mysql,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Runs `side` until at least 20 ms have passed; the time of one run.
fn timed(mut side: impl FnMut() -> Result<usize>) -> Result<Duration> {
    let start = Instant::now();
    let mut n = 0_u32;
    while n == 0 || start.elapsed() < Duration::from_millis(20) {
        std::hint::black_box(side()?);
        n += 1;
    }
    Ok(start.elapsed() / n)
}

fn main() -> Result<()> {
    let o = options()?;
    let mut failures = Vec::new();
    for &backend in &o.backends {
        let start = Instant::now();
        let mut loaded = Loaded::new(backend, o.sf)?;
        if o.keep {
            println!("{backend}: the database stays: {}", loaded.keep());
        }
        println!(
            "{backend}: scale factor {} loaded through foal, {} rows in {:.1} s",
            o.sf,
            loaded.rows,
            start.elapsed().as_secs_f64()
        );
        println!(
            "{:<7} {:>6} {:>12} {:>12} {:>7}",
            "query", "rows", "foal ms", "spec ms", "ratio"
        );
        let mut worst = 0.0_f64;
        for (n, query) in queries::all() {
            if o.only.is_some_and(|only| only != n) {
                continue;
            }
            if o.show_sql {
                println!("-- Q{n}, foal:\n{}\n", query.sql(dialect(backend)));
            }
            let rows = loaded.hand.run(n)?.len();
            if let Some(diff) = tpch::check(&mut loaded, n, query.as_ref())? {
                println!("Q{n:<6} differs from the spec: {diff}");
                failures.push(format!("{backend} Q{n}: {diff}"));
                continue;
            }
            if o.check_only {
                println!("Q{n:<6} {rows:>6}   agrees");
                continue;
            }
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            for round in 0..o.rounds {
                let foal = |loaded: &mut Loaded| timed(|| Ok(query.rows(&loaded.db)?));
                let spec = |loaded: &mut Loaded| timed(|| Ok(loaded.hand.run(n)?.len()));
                if round % 2 == 0 {
                    ours.push(foal(&mut loaded)?);
                    theirs.push(spec(&mut loaded)?);
                } else {
                    theirs.push(spec(&mut loaded)?);
                    ours.push(foal(&mut loaded)?);
                }
            }
            let (a, b) = (median(ours), median(theirs));
            let ratio = a.as_secs_f64() / b.as_secs_f64().max(1e-12);
            worst = worst.max(ratio);
            println!(
                "Q{n:<6} {rows:>6} {:>12.3} {:>12.3} {ratio:>7.3}",
                a.as_secs_f64() * 1e3,
                b.as_secs_f64() * 1e3
            );
        }
        if !o.check_only {
            println!("{backend}: worst ratio {worst:.3}");
        }
    }
    if !failures.is_empty() {
        return Err(format!(
            "{} queries differ from the spec:\n{}",
            failures.len(),
            failures.join("\n")
        )
        .into());
    }
    Ok(())
}

//! Diesel, SQLx and SeaORM on the workloads of foal's comparison runner, timed the
//! same way (`benches/src/harness.rs`) against the same hand-written
//! baseline (`benches/src/baseline.rs`), included here as they are. Each
//! library is written as its documentation recommends: Diesel's typed DSL
//! with `Selectable` models and `belonging_to`/`grouped_by`, SQLx's
//! `query_as` with `FromRow` and `QueryBuilder`, SeaORM's entities with
//! `find_also_related` and `load_many`; the async ones run on a
//! current-thread Tokio runtime.
//!
//! ```text
//! cargo run --release --manifest-path benches/peers/Cargo.toml --target-dir target/peers -- --backend sqlite --quick
//! ```
//!
//! `scripts/bench.sh --peers` runs it next to foal's runner.

// The rows' fields are decoded to be measured, not read.
#![allow(dead_code)]

#[path = "../../src/baseline.rs"]
mod baseline;
#[path = "../../src/harness.rs"]
mod harness;

mod diesel_side;
mod seaorm_side;
mod sqlx_side;

use baseline::{Backend, Hand};
use harness::{Alternating, Result, Runner, Settings};

/// A library's side of each workload: `prepare` runs untimed (seeding the
/// library's own database where it has one), the returned closure is timed.
pub trait Library {
    fn name(&self) -> &'static str;
    /// Runs SQL without parameters on the library's connection.
    fn execute(&mut self, sql: &str) -> Result<()>;
    fn trivial(&mut self) -> Result<usize>;
    fn medium(&mut self) -> Result<usize>;
    fn insert(&mut self, n: usize) -> Result<usize>;
    fn associations(&mut self) -> Result<usize>;
}

fn no_reset() -> Result<usize> {
    Ok(0)
}

/// Runs every workload for `lib` against the baseline on `backend`.
fn run_all(backend: Backend, lib: &mut dyn Library, runner: &mut dyn Runner) -> Result<()> {
    let mut hand = Hand::connect(backend)?;
    let sqlite = backend == Backend::Sqlite;
    // The library's SQLite database is its own; on a server both sides
    // share one.
    let both = |hand: &mut Hand, lib: &mut dyn Library, sql: &str| -> Result<()> {
        hand.execute(sql)?;
        if sqlite {
            lib.execute(sql)?;
        }
        Ok(())
    };
    for sql in baseline::DROP_SQL.iter().chain(baseline::create_sql(backend)) {
        both(&mut hand, lib, sql)?;
    }
    let clear = baseline::clear_sql(backend);
    for n in baseline::TRIVIAL_SIZES {
        for sql in clear
            .iter()
            .map(|s| s.to_string())
            .chain(baseline::seed_users_sql(n, |_| None))
        {
            both(&mut hand, lib, &sql)?;
        }
        let mut candidate = || lib.trivial();
        hand.trivial(&mut |h| runner.pair("trivial query", n, &mut candidate, h, &mut no_reset))?;
    }
    for n in baseline::MEDIUM_SIZES {
        for sql in clear
            .iter()
            .map(|s| s.to_string())
            .chain(baseline::seed_users_sql(n, baseline::alternating_hair))
        {
            both(&mut hand, lib, &sql)?;
        }
        let mut candidate = || lib.medium();
        hand.medium(&mut |h| runner.pair("medium complex query", n, &mut candidate, h, &mut no_reset))?;
    }
    for n in baseline::INSERT_SIZES {
        for sql in clear {
            both(&mut hand, lib, sql)?;
        }
        let lib_cell = std::cell::RefCell::new(&mut *lib);
        let mut candidate = || lib_cell.borrow_mut().insert(n);
        hand.insert(n, &mut |h, hand_reset| {
            let mut reset = || -> Result<usize> {
                if sqlite {
                    hand_reset()?;
                }
                for sql in clear {
                    lib_cell.borrow_mut().execute(sql)?;
                }
                Ok(0)
            };
            runner.pair("insert", n, &mut candidate, h, &mut reset)
        })?;
    }
    let seed = clear
        .iter()
        .map(|s| s.to_string())
        .chain(baseline::seed_users_sql(
            baseline::ASSOCIATION_USERS,
            baseline::alternating_hair,
        ))
        .chain(baseline::seed_associations_sql());
    for sql in seed {
        both(&mut hand, lib, &sql)?;
    }
    let mut candidate = || lib.associations();
    hand.associations(&mut |h| {
        runner.pair(
            "loading associations",
            baseline::ASSOCIATION_USERS,
            &mut candidate,
            h,
            &mut no_reset,
        )
    })
}

fn main() -> Result<()> {
    let mut backends = Vec::new();
    let mut settings = Settings::full();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                let name = args.next().ok_or("--backend needs sqlite, postgres, mysql or all")?;
                if name == "all" {
                    backends.extend(Backend::ALL);
                } else {
                    backends.push(Backend::parse(&name).ok_or_else(|| format!("unknown backend `{name}`"))?);
                }
            }
            "--quick" => {
                settings = Settings {
                    only: settings.only.take(),
                    ..Settings::quick()
                }
            }
            "--only" => settings.only = Some(args.next().ok_or("--only needs a workload name")?),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    if backends.is_empty() {
        backends.push(Backend::Sqlite);
    }
    println!("{}", harness::header());
    for backend in backends {
        let libraries: Vec<Box<dyn Library>> = vec![
            Box::new(diesel_side::Diesel::connect(backend)?),
            Box::new(sqlx_side::Sqlx::connect(backend)?),
            Box::new(seaorm_side::SeaOrm::connect(backend)?),
        ];
        for mut lib in libraries {
            let mut runner = Alternating {
                settings: settings.clone(),
                backend: backend.to_string(),
                candidate: lib.name().into(),
                results: Vec::new(),
            };
            run_all(backend, lib.as_mut(), &mut runner)?;
        }
    }
    Ok(())
}

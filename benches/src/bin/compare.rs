//! Runs each workload for foal and for the hand-written baseline in
//! alternation, in one process, and prints their times and ratios.
//!
//! ```text
//! cargo run --release -p foal-benches --bin compare -- --backend sqlite --quick
//! scripts/bench.sh            # every backend, with servers started for it
//! ```
//!
//! Method: after a warm-up run of each side (which also checks they
//! produce the same number of rows), the runner finds a batch size that
//! takes about `batch` time, then runs `rounds` rounds; each round times a
//! batch of foal and a batch of hand-written code, in alternating order.
//! The reported time of each side is its median per-iteration time over
//! the rounds, and the ratio is foal's median over the baseline's. The last
//! line is the worst ratio.

use std::time::{Duration, Instant};

use foal_benches::{Backend, Result, Runner, Side, workloads};

struct Options {
    backends: Vec<Backend>,
    rounds: usize,
    batch: Duration,
    only: Option<String>,
}

fn options() -> Result<Options> {
    let mut options = Options {
        backends: Vec::new(),
        rounds: 41,
        batch: Duration::from_millis(20),
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                let name = args.next().ok_or("--backend needs sqlite, postgres, mysql or all")?;
                if name == "all" {
                    options.backends.extend(Backend::ALL);
                } else {
                    options
                        .backends
                        .push(Backend::parse(&name).ok_or_else(|| format!("unknown backend `{name}`"))?);
                }
            }
            "--quick" => {
                options.rounds = 15;
                options.batch = Duration::from_millis(8);
            }
            "--rounds" => options.rounds = args.next().ok_or("--rounds needs a number")?.parse()?,
            "--only" => options.only = Some(args.next().ok_or("--only needs a workload name")?),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    if options.backends.is_empty() {
        options.backends.push(Backend::Sqlite);
    }
    Ok(options)
}

struct Measured {
    backend: Backend,
    workload: String,
    size: usize,
    foal: Duration,
    hand: Duration,
}

impl Measured {
    fn ratio(&self) -> f64 {
        self.foal.as_secs_f64() / self.hand.as_secs_f64()
    }
}

struct Alternating<'o> {
    options: &'o Options,
    backend: Backend,
    results: Vec<Measured>,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_batch(side: Side<'_>, n: usize) -> Result<Duration> {
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(side()?);
    }
    Ok(start.elapsed() / n as u32)
}

impl Runner for Alternating<'_> {
    fn pair(&mut self, workload: &str, size: usize, foal: Side<'_>, hand: Side<'_>, reset: Side<'_>) -> Result<()> {
        if self
            .options
            .only
            .as_deref()
            .is_some_and(|only| !workload.contains(only))
        {
            return Ok(());
        }
        // Warm-up: the first run of foal's call sites translates them.
        let (a, b) = (foal()?, hand()?);
        if a != b {
            return Err(format!("{workload} ({size}): foal produced {a} rows, the baseline {b}").into());
        }
        reset()?;
        let probe = time_batch(hand, 3)?;
        let n = (self.options.batch.as_nanos() / probe.as_nanos().max(1)).clamp(1, 100_000) as usize;
        let (mut f, mut h) = (Vec::new(), Vec::new());
        for round in 0..self.options.rounds {
            reset()?;
            if round % 2 == 0 {
                f.push(time_batch(foal, n)?);
                reset()?;
                h.push(time_batch(hand, n)?);
            } else {
                h.push(time_batch(hand, n)?);
                reset()?;
                f.push(time_batch(foal, n)?);
            }
        }
        let m = Measured {
            backend: self.backend,
            workload: workload.to_owned(),
            size,
            foal: median(f),
            hand: median(h),
        };
        println!(
            "{:<9} {:<22} {:>6} {:>12.2} {:>12.2} {:>7.3}",
            m.backend,
            m.workload,
            m.size,
            m.foal.as_secs_f64() * 1e6,
            m.hand.as_secs_f64() * 1e6,
            m.ratio()
        );
        self.results.push(m);
        Ok(())
    }
}

fn main() -> Result<()> {
    let options = options()?;
    println!(
        "{:<9} {:<22} {:>6} {:>12} {:>12} {:>7}",
        "backend", "workload", "size", "foal µs", "by hand µs", "ratio"
    );
    let mut all = Vec::new();
    for &backend in &options.backends {
        let mut runner = Alternating {
            options: &options,
            backend,
            results: Vec::new(),
        };
        workloads::run_all(backend, &mut runner)?;
        all.extend(runner.results);
    }
    let worst = all.iter().map(Measured::ratio).fold(0.0, f64::max);
    println!("max ratio: {worst:.2}");
    Ok(())
}

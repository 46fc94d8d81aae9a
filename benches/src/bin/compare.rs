//! Runs each workload for foal and for the hand-written baseline in
//! alternation, in one process, and prints their times and ratios (the
//! method is in `harness.rs`). The last line is the worst ratio.
//!
//! ```text
//! cargo run --release -p foal-benches --bin compare -- --backend sqlite --quick
//! scripts/bench.sh                  # every backend, servers started for it
//! scripts/bench.sh --peers          # and Diesel, SQLx and SeaORM (benches/peers)
//! ```

use std::process::Command;

use foal_benches::harness::{self, Alternating, Settings};
use foal_benches::{Backend, Result, workloads};

struct Options {
    backends: Vec<Backend>,
    settings: Settings,
    quick: bool,
    peers: bool,
}

fn options() -> Result<Options> {
    let mut options = Options {
        backends: Vec::new(),
        settings: Settings::full(),
        quick: false,
        peers: false,
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
                options.quick = true;
                options.settings = Settings {
                    only: options.settings.only.take(),
                    ..Settings::quick()
                };
            }
            "--rounds" => options.settings.rounds = args.next().ok_or("--rounds needs a number")?.parse()?,
            "--only" => options.settings.only = Some(args.next().ok_or("--only needs a workload name")?),
            "--peers" => options.peers = true,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    if options.backends.is_empty() {
        options.backends.push(Backend::Sqlite);
    }
    Ok(options)
}

/// Runs the peers' runner (a separate crate: its SQLite cannot share a
/// build with foal's) on `backend`; returns its table lines.
fn peers(options: &Options, backend: Backend) -> Result<Vec<String>> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/Cargo.toml");
    // Beside foal's own build: the benchmark's target folder when
    // scripts/bench.sh set one (with its build flags), else the workspace's.
    let target = match std::env::var("CARGO_TARGET_DIR") {
        Ok(dir) => format!("{dir}/peers"),
        Err(_) => concat!(env!("CARGO_MANIFEST_DIR"), "/../target/peers").to_owned(),
    };
    let mut command = Command::new(env!("CARGO"));
    command
        .args([
            "run",
            "--release",
            "-q",
            "--manifest-path",
            manifest,
            "--target-dir",
            &target,
        ])
        .args(["--", "--backend"])
        .arg(backend.to_string());
    if options.quick {
        command.arg("--quick");
    }
    if let Some(only) = &options.settings.only {
        command.args(["--only", only]);
    }
    let output = command.output()?;
    if !output.status.success() {
        return Err(format!("the peers' runner failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with(&backend.to_string()))
        .map(str::to_owned)
        .collect())
}

fn main() -> Result<()> {
    let options = options()?;
    println!("{}", harness::header());
    let mut worst: f64 = 0.0;
    for &backend in &options.backends {
        let mut runner = Alternating {
            settings: options.settings.clone(),
            backend: backend.to_string(),
            candidate: "foal".into(),
            results: Vec::new(),
        };
        workloads::run_all(backend, &mut runner)?;
        worst = runner
            .results
            .iter()
            .map(harness::Measured::ratio)
            .fold(worst, f64::max);
        if options.peers {
            for line in peers(&options, backend)? {
                println!("{line}");
            }
        }
    }
    println!("max ratio: {worst:.2}");
    Ok(())
}

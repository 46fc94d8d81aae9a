//! Criterion benchmarks of Diesel's workloads, foal and hand-written side
//! by side: `cargo bench -p foal-benches --features criterion --bench workloads`.
//! The PostgreSQL and MySQL groups need the servers `scripts/bench.sh`
//! starts (they are skipped, with a message, when their URL is unset).

// A benchmark that cannot run has nothing to report: it stops with the error.
#![allow(clippy::panic)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use foal_benches::{Backend, Result, Runner, Side, workloads};

struct Bench<'c> {
    c: &'c mut Criterion,
    backend: Backend,
}

impl Runner for Bench<'_> {
    fn pair(&mut self, workload: &str, size: usize, foal: Side<'_>, hand: Side<'_>, reset: Side<'_>) -> Result<()> {
        let mut group = self.c.benchmark_group(format!("{}/{workload}", self.backend));
        reset()?;
        group.bench_function(BenchmarkId::new("foal", size), |b| {
            b.iter(|| foal().unwrap_or_else(|e| panic!("{e}")))
        });
        reset()?;
        group.bench_function(BenchmarkId::new("by hand", size), |b| {
            b.iter(|| hand().unwrap_or_else(|e| panic!("{e}")))
        });
        group.finish();
        Ok(())
    }
}

fn benches(c: &mut Criterion) {
    for backend in Backend::ALL {
        if backend.url().is_err() {
            eprintln!("{backend}: no server URL, skipped (run scripts/bench.sh)");
            continue;
        }
        let mut runner = Bench { c, backend };
        if let Err(e) = workloads::run_all(backend, &mut runner) {
            panic!("{backend}: {e}");
        }
    }
}

criterion_group!(workload_benches, benches);
criterion_main!(workload_benches);

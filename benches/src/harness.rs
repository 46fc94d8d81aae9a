//! The alternating timer of the comparison runners, with no dependency
//! beyond std: `benches/peers` includes this file as it is, so foal, the
//! hand-written baselines and the peer ORMs are all measured the same way.
//!
//! Method: after a warm-up run of each side (which also checks they
//! produce the same number of rows), the runner finds a batch size that
//! takes about `batch` time, then runs `rounds` rounds; each round times a
//! batch of the candidate and a batch of the hand-written baseline, in
//! alternating order. The reported time of each side is its median
//! per-iteration time over the rounds, and the ratio is the candidate's
//! median over the baseline's.

use std::time::{Duration, Instant};

/// Errors of a benchmark run: whatever a driver or library reported.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = BoxError> = std::result::Result<T, E>;

/// A timed closure: runs the workload once and returns how many rows it
/// produced (both sides must agree).
pub type Side<'a> = &'a mut dyn FnMut() -> Result<usize>;

/// Decides how the two sides of a workload are timed.
pub trait Runner {
    /// Times `candidate` against `hand` for `workload` at `size`. `reset`
    /// restores the starting state (untimed), for workloads that write.
    fn pair(&mut self, workload: &str, size: usize, candidate: Side<'_>, hand: Side<'_>, reset: Side<'_>)
    -> Result<()>;
}

/// How long and how often to measure.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rounds: usize,
    pub batch: Duration,
    /// Only workloads whose name contains this.
    pub only: Option<String>,
}

impl Settings {
    pub fn full() -> Settings {
        Settings {
            rounds: 41,
            batch: Duration::from_millis(20),
            only: None,
        }
    }

    pub fn quick() -> Settings {
        Settings {
            rounds: 15,
            batch: Duration::from_millis(8),
            only: None,
        }
    }
}

/// One measured pair.
#[derive(Debug, Clone)]
pub struct Measured {
    pub backend: String,
    pub candidate: String,
    pub workload: String,
    pub size: usize,
    pub time: Duration,
    pub hand: Duration,
}

impl Measured {
    pub fn ratio(&self) -> f64 {
        self.time.as_secs_f64() / self.hand.as_secs_f64()
    }

    /// A line of the runners' tables.
    pub fn line(&self) -> String {
        format!(
            "{:<9} {:<8} {:<22} {:>6} {:>12.2} {:>12.2} {:>7.3}",
            self.backend,
            self.candidate,
            self.workload,
            self.size,
            self.time.as_secs_f64() * 1e6,
            self.hand.as_secs_f64() * 1e6,
            self.ratio()
        )
    }
}

/// The header of the runners' tables.
pub fn header() -> String {
    format!(
        "{:<9} {:<8} {:<22} {:>6} {:>12} {:>12} {:>7}",
        "backend", "library", "workload", "size", "time µs", "by hand µs", "ratio"
    )
}

/// Times pairs in alternation and prints each result as it comes.
pub struct Alternating {
    pub settings: Settings,
    pub backend: String,
    pub candidate: String,
    pub results: Vec<Measured>,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn time_batch(side: Side<'_>, n: usize) -> Result<Duration> {
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(side()?);
    }
    Ok(start.elapsed() / u32::try_from(n).unwrap_or(u32::MAX))
}

impl Runner for Alternating {
    fn pair(
        &mut self,
        workload: &str,
        size: usize,
        candidate: Side<'_>,
        hand: Side<'_>,
        reset: Side<'_>,
    ) -> Result<()> {
        if self
            .settings
            .only
            .as_deref()
            .is_some_and(|only| !workload.contains(only))
        {
            return Ok(());
        }
        // Warm-up: a call site's first run translates it, drivers prepare.
        let (a, b) = (candidate()?, hand()?);
        if a != b {
            return Err(format!(
                "{workload} ({size}): {} produced {a} rows, the baseline {b}",
                self.candidate
            )
            .into());
        }
        reset()?;
        let probe = time_batch(hand, 3)?;
        let n = (self.settings.batch.as_nanos() / probe.as_nanos().max(1)).clamp(1, 100_000);
        let n = usize::try_from(n).unwrap_or(1);
        let (mut c, mut h) = (Vec::new(), Vec::new());
        for round in 0..self.settings.rounds {
            reset()?;
            if round % 2 == 0 {
                c.push(time_batch(candidate, n)?);
                reset()?;
                h.push(time_batch(hand, n)?);
            } else {
                h.push(time_batch(hand, n)?);
                reset()?;
                c.push(time_batch(candidate, n)?);
            }
        }
        let m = Measured {
            backend: self.backend.clone(),
            candidate: self.candidate.clone(),
            workload: workload.to_owned(),
            size,
            time: median(c),
            hand: median(h),
        };
        println!("{}", m.line());
        self.results.push(m);
        Ok(())
    }
}

//! The macros never panic: a property test that feeds valid queries and
//! entities, mutated at the token level, to `expand_select` and to the
//! derive, and asserts that each input yields an error or an expansion
//! that parses back, never a panic.
//!
//! The corpus is read from the workspace at test time: every `select!(…)`
//! in the tests, benches, examples, README and docs, and every
//! `#[derive(Entity)]` struct there (the trybuild cases' wrong attributes
//! included), plus a few hand-written entities with malformed options.
//! Mutations work on token trees, at any depth: delete, duplicate or swap
//! tokens, replace an identifier (from the corpus, a keyword, a raw
//! identifier), a literal (with one of another kind) or a punctuation,
//! change a group's delimiter, truncate, splice tokens of another input;
//! some inputs are random concatenations of corpus tokens.
//!
//! The run's seed is printed; rerun one with `FOAL_PROPTEST_SEED=<seed>`.
//! `FOAL_PROPTEST_CASES` changes the number of inputs per macro (default
//! 10 000). A panic is reported with its input shrunk to a minimal one.

#![allow(clippy::panic, clippy::expect_used)]

mod corpus;
mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use proc_macro2::{TokenStream, TokenTree};

use corpus::Corpus;
use mutate::{concatenation, edit_sequence, mutate, sequences, smaller};

/// xorshift64*: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so that 0 and nearby seeds start apart.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed of this run: `FOAL_PROPTEST_SEED`, or the clock.
fn seed() -> u64 {
    std::env::var("FOAL_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        })
}

fn cases() -> usize {
    std::env::var("FOAL_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}

/// What one input did.
enum Outcome {
    /// A `compile_error!` expansion.
    Error,
    /// An expansion without errors.
    Expansion,
    /// Not an expression or items: a defect of the macro (the text says what).
    Malformed(String),
    Panic(String),
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

fn has_compile_error(stream: &TokenStream) -> bool {
    stream.clone().into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "compile_error",
        TokenTree::Group(g) => has_compile_error(&g.stream()),
        _ => false,
    })
}

fn classify(output: TokenStream, parses: fn(TokenStream) -> syn::Result<()>) -> Outcome {
    let error = has_compile_error(&output);
    match parses(output.clone()) {
        Ok(()) if error => Outcome::Error,
        Ok(()) => Outcome::Expansion,
        Err(e) => Outcome::Malformed(format!("the output does not parse ({e}): {output}")),
    }
}

/// `select!` as `lib.rs` runs it.
fn run_select(input: &TokenStream) -> Outcome {
    let input = input.clone();
    match catch_unwind(AssertUnwindSafe(|| crate::select::expand_select(input))) {
        Err(payload) => Outcome::Panic(panic_text(&*payload)),
        Ok(output) => classify(output, |o| syn::parse2::<syn::Expr>(o).map(drop)),
    }
}

/// `#[derive(Entity)]` as `lib.rs` runs it: syn parses the item first.
fn run_derive(input: &TokenStream) -> Outcome {
    let input = input.clone();
    let expanded = catch_unwind(AssertUnwindSafe(|| {
        syn::parse2::<syn::DeriveInput>(input).map(|item| crate::derive::expand(&item))
    }));
    match expanded {
        Err(payload) => Outcome::Panic(panic_text(&*payload)),
        Ok(Err(_)) => Outcome::Error,
        Ok(Ok(Err(e))) => classify(e.into_compile_error(), |o| syn::parse2::<syn::File>(o).map(drop)),
        Ok(Ok(Ok(output))) => classify(output, |o| syn::parse2::<syn::File>(o).map(drop)),
    }
}

/// The kind of a defect, which shrinking keeps.
fn defect_kind(outcome: &Outcome) -> Option<bool> {
    match outcome {
        Outcome::Panic(_) => Some(true),
        Outcome::Malformed(_) => Some(false),
        _ => None,
    }
}

/// A smaller input that still shows the same kind of defect: ranges of
/// tokens deleted and groups flattened while the defect stays.
fn shrink(input: &TokenStream, run: fn(&TokenStream) -> Outcome) -> TokenStream {
    let kind = defect_kind(&run(input));
    let mut best = input.clone();
    let mut budget = 5000;
    'progress: loop {
        for target in 0..sequences(&best) {
            let mut len = 0;
            edit_sequence(best.clone(), target, &mut |t| len = t.len());
            for width in [4, 3, 2, 1, 0] {
                for at in 0..len {
                    budget -= 1;
                    if budget == 0 {
                        return best;
                    }
                    let candidate = edit_sequence(best.clone(), target, &mut |t| smaller(t, at, width));
                    if candidate.to_string() != best.to_string() && defect_kind(&run(&candidate)) == kind {
                        best = candidate;
                        continue 'progress;
                    }
                }
            }
        }
        return best;
    }
}

/// Feeds `cases` inputs to `run`, mutated from `bases`, and fails with
/// every defect found (each input shrunk).
fn never_panics(name: &str, bases: &[TokenStream], run: fn(&TokenStream) -> Outcome, corpus: &Corpus) {
    let seed = seed();
    let cases = cases();
    println!(
        "{name}: seed {seed} (rerun with FOAL_PROPTEST_SEED={seed}), {cases} inputs from {} in the corpus",
        bases.len()
    );
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let (mut errors, mut expansions) = (0usize, 0usize);
    let mut defects: Vec<String> = Vec::new();
    for case in 0..cases {
        let input = if case < bases.len() {
            // Every corpus input once, unmutated.
            bases[case].clone()
        } else if rng.one_in(10) {
            concatenation(&mut rng, corpus)
        } else {
            let base = rng.pick(bases).clone();
            mutate(&mut rng, corpus, &base)
        };
        match run(&input) {
            Outcome::Error => errors += 1,
            Outcome::Expansion => expansions += 1,
            defect => {
                let kind = match defect {
                    Outcome::Panic(message) => format!("panic: {message}"),
                    Outcome::Malformed(message) => message,
                    _ => String::new(),
                };
                if defects.len() < 10 {
                    let small = shrink(&input, run);
                    defects.push(format!("{kind}\n  input:  {input}\n  shrunk: {small}"));
                } else {
                    defects.push(kind);
                }
            }
        }
    }
    println!(
        "{name}: {cases} inputs in {:.1?}: {expansions} expansions, {errors} errors, {} defects",
        started.elapsed(),
        defects.len()
    );
    assert!(
        defects.is_empty(),
        "{name}, seed {seed}: {} of {cases} inputs panicked or expanded to what does not parse:\n{}",
        defects.len(),
        defects.join("\n")
    );
}

#[test]
fn select_never_panics() {
    let corpus = Corpus::load();
    assert!(
        corpus.queries.len() >= 100,
        "only {} queries found",
        corpus.queries.len()
    );
    never_panics("select!", &corpus.queries, run_select, &corpus);
}

#[test]
fn derive_never_panics() {
    let corpus = Corpus::load();
    assert!(
        corpus.entities.len() >= 30,
        "only {} entities found",
        corpus.entities.len()
    );
    never_panics("derive(Entity)", &corpus.entities, run_derive, &corpus);
}

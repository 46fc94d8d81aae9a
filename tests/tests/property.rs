//! Random filters over the fixture: each is built through the same typed
//! functions `select!` expands to, rendered for and run on SQLite,
//! PostgreSQL and MariaDB, and compared with plain Rust evaluating the same
//! predicate over the rows in memory.
//!
//! The run's seed is printed; rerun one with `FOAL_PROPTEST_SEED=<seed>`.
//! `FOAL_PROPTEST_CASES` changes the number of cases (default 300).

use std::cell::Cell;
use std::sync::OnceLock;

use chrono::NaiveDate;
use foal::__private::{Builder, Expr, LikeKind, Site, ToValue, Value, Var, field, methods, ops};
use foal::ops::{SqlEq, SqlOrd};
use foal::{Database, Query, Typed};
use foal_tests::fixture::{self, Item, TEXTS};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy)]
enum IntCol {
    Id,
    Price,
    Stock,
    Rank,
}

#[derive(Debug, Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy)]
enum Search {
    Starts,
    Ends,
    Contains,
}

#[derive(Debug, Clone)]
enum Pred {
    Int(IntCol, Op, i64),
    IntArith(IntCol, Arith, i64, Op, i64),
    IntCols(IntCol, Op, IntCol),
    Cost(Op, f64),
    Rating(f64, Op, f64),
    RatingMissing(bool),
    Name(Op, usize),
    NameSearch(Search, usize),
    NameLower(Op, usize),
    NameLen(Op, usize),
    Code(Option<usize>, bool),
    CodeSearch(Search, usize),
    Active,
    InIds(Vec<i64>),
    Added(Op, NaiveDate),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
    If(Box<Pred>, Box<Pred>, Box<Pred>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Eq),
        Just(Op::Ne),
        Just(Op::Lt),
        Just(Op::Le),
        Just(Op::Gt),
        Just(Op::Ge)
    ]
}

fn int_col() -> impl Strategy<Value = IntCol> {
    prop_oneof![
        Just(IntCol::Id),
        Just(IntCol::Price),
        Just(IntCol::Stock),
        Just(IntCol::Rank)
    ]
}

fn search() -> impl Strategy<Value = Search> {
    prop_oneof![Just(Search::Starts), Just(Search::Ends), Just(Search::Contains)]
}

fn text() -> impl Strategy<Value = usize> {
    0..TEXTS.len()
}

fn leaf() -> impl Strategy<Value = Pred> {
    let arith = prop_oneof![
        Just(Arith::Add),
        Just(Arith::Sub),
        Just(Arith::Mul),
        Just(Arith::Div),
        Just(Arith::Rem)
    ];
    prop_oneof![
        (int_col(), op(), -30_i64..2100).prop_map(|(c, o, v)| Pred::Int(c, o, v)),
        (
            int_col(),
            arith,
            prop_oneof![-9_i64..=-1, 1_i64..=9],
            op(),
            -200_i64..200
        )
            .prop_map(|(c, a, k, o, v)| Pred::IntArith(c, a, k, o, v)),
        (int_col(), op(), int_col()).prop_map(|(a, o, b)| Pred::IntCols(a, o, b)),
        (op(), -60_000_i64..600_000).prop_map(|(o, v)| Pred::Cost(o, v as f64 / 100.0)),
        (-1_i64..6, op(), 0_i64..60).prop_map(|(d, o, v)| Pred::Rating(d as f64, o, v as f64 / 10.0)),
        any::<bool>().prop_map(Pred::RatingMissing),
        (op(), text()).prop_map(|(o, t)| Pred::Name(o, t)),
        (search(), text()).prop_map(|(s, t)| Pred::NameSearch(s, t)),
        (op(), text()).prop_map(|(o, t)| Pred::NameLower(o, t)),
        (op(), 0_usize..16).prop_map(|(o, n)| Pred::NameLen(o, n)),
        (proptest::option::of(0_usize..6), any::<bool>()).prop_map(|(c, n)| Pred::Code(c, n)),
        (search(), 0_usize..6).prop_map(|(s, c)| Pred::CodeSearch(s, c)),
        Just(Pred::Active),
        proptest::collection::vec(-2_i64..130, 0..9).prop_map(Pred::InIds),
        (op(), 1990_i32..2031, 1_u32..13)
            .prop_map(|(o, y, m)| Pred::Added(o, NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default())),
    ]
}

fn pred() -> impl Strategy<Value = Pred> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Pred::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Pred::Or(Box::new(a), Box::new(b))),
            inner.clone().prop_map(|a| Pred::Not(Box::new(a))),
            (inner.clone(), inner.clone(), inner).prop_map(|(a, b, c)| Pred::If(Box::new(a), Box::new(b), Box::new(c))),
        ]
    })
}

/// Codes the `Code` predicates compare with (the fixture's codes look like
/// `AB-7`).
const CODES: [&str; 6] = ["AB-7", "ab-12", "X_-3", "%%-50", "Zz-0", ""];

// ---------------------------------------------------------------- Rust ---

fn compare<T: PartialOrd>(op: Op, a: T, b: T) -> bool {
    match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
    }
}

fn int_of(c: IntCol, i: &Item) -> i64 {
    match c {
        IntCol::Id => i.id,
        IntCol::Price => i.price,
        IntCol::Stock => i64::from(i.stock),
        IntCol::Rank => i64::from(i.rank),
    }
}

fn searched(s: Search, hay: &str, needle: &str) -> bool {
    match s {
        Search::Starts => hay.starts_with(needle),
        Search::Ends => hay.ends_with(needle),
        Search::Contains => hay.contains(needle),
    }
}

/// The predicate as Rust means it.
fn eval(p: &Pred, i: &Item) -> bool {
    match p {
        Pred::Int(c, o, v) => compare(*o, int_of(*c, i), *v),
        Pred::IntArith(c, a, k, o, v) => {
            let x = int_of(*c, i);
            let y = match a {
                Arith::Add => x + k,
                Arith::Sub => x - k,
                Arith::Mul => x * k,
                Arith::Div => x / k,
                Arith::Rem => x % k,
            };
            compare(*o, y, *v)
        }
        Pred::IntCols(a, o, b) => compare(*o, int_of(*a, i), int_of(*b, i)),
        Pred::Cost(o, v) => compare(*o, i.cost, *v),
        Pred::Rating(d, o, v) => compare(*o, i.rating.unwrap_or(*d), *v),
        Pred::RatingMissing(missing) => i.rating.is_none() == *missing,
        Pred::Name(o, t) => compare(*o, i.name.as_str(), TEXTS[*t]),
        Pred::NameSearch(s, t) => searched(*s, &i.name, TEXTS[*t]),
        Pred::NameLower(o, t) => compare(*o, i.name.to_lowercase().as_str(), TEXTS[*t]),
        Pred::NameLen(o, n) => compare(*o, i.name.len(), *n),
        Pred::Code(c, negated) => (i.code.as_deref() == c.map(|c| CODES[c])) != *negated,
        Pred::CodeSearch(s, c) => searched(
            *s,
            i.code.as_deref().unwrap_or_default(),
            &CODES[*c][..CODES[*c].len().min(2)],
        ),
        Pred::Active => i.active,
        Pred::InIds(ids) => ids.contains(&i.id),
        Pred::Added(o, d) => compare(*o, i.added, *d),
        Pred::And(a, b) => eval(a, i) && eval(b, i),
        Pred::Or(a, b) => eval(a, i) || eval(b, i),
        Pred::Not(a) => !eval(a, i),
        Pred::If(c, a, b) => {
            if eval(c, i) {
                eval(a, i)
            } else {
                eval(b, i)
            }
        }
    }
}

// ----------------------------------------------------------------- SQL ---

/// The parameters of `p`, in the order `expr` binds them.
fn params(p: &Pred, out: &mut Vec<Value>) {
    match p {
        Pred::Int(_, _, v) => out.push(v.to_value()),
        Pred::IntArith(_, _, k, _, v) => {
            out.push(k.to_value());
            out.push(v.to_value());
        }
        Pred::IntCols(..) | Pred::RatingMissing(_) | Pred::Active => {}
        Pred::Cost(_, v) => out.push(v.to_value()),
        Pred::Rating(d, _, v) => {
            out.push(d.to_value());
            out.push(v.to_value());
        }
        Pred::Name(_, t) | Pred::NameLower(_, t) => out.push(TEXTS[*t].to_value()),
        Pred::NameSearch(s, t) => out.push(pattern(*s, TEXTS[*t]).to_value()),
        Pred::NameLen(_, n) => out.push(n.to_value()),
        Pred::Code(c, _) => out.push(c.map(|c| CODES[c]).to_value()),
        Pred::CodeSearch(s, c) => out.push(pattern(*s, &CODES[*c][..CODES[*c].len().min(2)]).to_value()),
        Pred::InIds(ids) => out.push(Value::List(ids.iter().map(ToValue::to_value).collect())),
        Pred::Added(_, d) => out.push(d.to_value()),
        Pred::And(a, b) | Pred::Or(a, b) => {
            params(a, out);
            params(b, out);
        }
        Pred::Not(a) => params(a, out),
        Pred::If(c, a, b) => {
            params(c, out);
            params(a, out);
            params(b, out);
        }
    }
}

fn pattern(s: Search, text: &str) -> String {
    let kind = match s {
        Search::Starts => LikeKind::Prefix,
        Search::Ends => LikeKind::Suffix,
        Search::Contains => LikeKind::Anywhere,
    };
    methods::like_pattern(text, kind)
}

fn cmp<L: Typed + SqlEq<R> + SqlOrd<R>, R: Typed>(o: Op, l: Expr<L>, r: Expr<R>) -> Expr<bool> {
    let pair = ops::pair(l, r);
    match o {
        Op::Eq => ops::eq(pair),
        Op::Ne => ops::ne(pair),
        Op::Lt => ops::lt(pair),
        Op::Le => ops::le(pair),
        Op::Gt => ops::gt(pair),
        Op::Ge => ops::ge(pair),
    }
}

fn int_expr(b: &Builder, v: &Var<Item>, c: IntCol) -> Expr<i64> {
    match c {
        IntCol::Id => field(b, v, |f| &f.id),
        IntCol::Price => field(b, v, |f| &f.price),
        IntCol::Stock => methods::cast(methods::cast_to::<i64, _>(field(b, v, |f| &f.stock))),
        IntCol::Rank => methods::cast(methods::cast_to::<i64, _>(field(b, v, |f| &f.rank))),
    }
}

fn like_of<S: methods::SqlText>(s: Expr<S>, p: Expr<String>) -> Expr<bool> {
    methods::like(s, p)
}

/// The predicate as a typed expression, as `select!` would build it.
fn expr(p: &Pred, b: &Builder, v: &Var<Item>, next: &Cell<u16>) -> Expr<bool> {
    let param = || {
        let i = next.get();
        next.set(i + 1);
        i
    };
    match p {
        Pred::Int(c, o, value) => {
            let col = int_expr(b, v, *c);
            cmp(*o, col, b.param(param(), value))
        }
        Pred::IntArith(c, a, k, o, value) => {
            let col = int_expr(b, v, *c);
            let k = b.param(param(), k);
            let pair = ops::pair(col, k);
            let x = match a {
                Arith::Add => ops::add(pair),
                Arith::Sub => ops::sub(pair),
                Arith::Mul => ops::mul(pair),
                Arith::Div => ops::div(pair),
                Arith::Rem => ops::rem(pair),
            };
            cmp(*o, x, b.param(param(), value))
        }
        Pred::IntCols(a, o, c) => cmp(*o, int_expr(b, v, *a), int_expr(b, v, *c)),
        Pred::Cost(o, value) => cmp(*o, field(b, v, |f| &f.cost), b.param(param(), value)),
        Pred::Rating(d, o, value) => {
            let rating = methods::unwrap_or(field(b, v, |f| &f.rating), b.param(param(), d));
            cmp(*o, rating, b.param(param(), value))
        }
        Pred::RatingMissing(true) => methods::is_none(field(b, v, |f| &f.rating)),
        Pred::RatingMissing(false) => methods::is_some(field(b, v, |f| &f.rating)),
        Pred::Name(o, t) => cmp(*o, field(b, v, |f| &f.name), b.param(param(), &TEXTS[*t])),
        Pred::NameSearch(_, _) => like_of(field(b, v, |f| &f.name), b.param(param(), &String::new())),
        Pred::NameLower(o, t) => cmp(
            *o,
            methods::to_lowercase(field(b, v, |f| &f.name)),
            b.param(param(), &TEXTS[*t]),
        ),
        Pred::NameLen(o, n) => cmp(*o, methods::len(field(b, v, |f| &f.name)), b.param(param(), n)),
        Pred::Code(c, negated) => {
            let code = field(b, v, |f| &f.code);
            let value = b.param(param(), &c.map(|c| CODES[c]));
            if *negated {
                ops::ne(ops::pair(code, value))
            } else {
                ops::eq(ops::pair(code, value))
            }
        }
        Pred::CodeSearch(_, _) => {
            let code = methods::unwrap_or_default(field(b, v, |f| &f.code));
            like_of(code, b.param(param(), &String::new()))
        }
        Pred::Active => field(b, v, |f| &f.active),
        Pred::InIds(ids) => methods::in_list(b.list(param(), ids), field(b, v, |f| &f.id)),
        Pred::Added(o, d) => cmp(*o, field(b, v, |f| &f.added), b.param(param(), d)),
        Pred::And(x, y) => {
            let x = expr(x, b, v, next);
            ops::and(ops::pair(x, expr(y, b, v, next)))
        }
        Pred::Or(x, y) => {
            let x = expr(x, b, v, next);
            ops::or(ops::pair(x, expr(y, b, v, next)))
        }
        Pred::Not(x) => ops::not(expr(x, b, v, next)),
        Pred::If(c, x, y) => {
            let c = expr(c, b, v, next);
            let x = expr(x, b, v, next);
            methods::case(c, x, expr(y, b, v, next))
        }
    }
}

static SITE: Site = Site::new("random filter over Item");

fn query(p: &Pred) -> Query<i64> {
    let mut values = Vec::new();
    params(p, &mut values);
    Query::uncached(&SITE, values, |b| {
        let v = b.source::<Item>("i");
        let next = Cell::new(0);
        b.filter(expr(p, b, &v, &next));
        field(b, &v, |f| &f.id)
    })
}

struct World {
    dbs: Vec<Database>,
    items: Vec<Item>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rows = fixture::rows();
        let dbs = foal_tests::all();
        for db in &dbs {
            fixture::load(db, &rows).unwrap_or_else(|e| panic!("loading the fixture on {}: {e}", db.dialect()));
        }
        World { dbs, items: rows.items }
    })
}

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

#[test]
fn random_filters_agree_on_every_backend() {
    let seed = seed();
    let cases: u32 = std::env::var("FOAL_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    println!("property seed: {seed} (rerun with FOAL_PROPTEST_SEED={seed})");
    let world = world();
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let runs = Cell::new(0usize);
    let result = runner.run(&pred(), |p| {
        let mut expected: Vec<i64> = world.items.iter().filter(|i| eval(&p, i)).map(|i| i.id).collect();
        expected.sort_unstable();
        let q = query(&p);
        for db in &world.dbs {
            runs.set(runs.get() + 1);
            let mut got = q
                .fetch_all(db)
                .map_err(|e| TestCaseError::fail(format!("{} failed: {e}\n{}", db.dialect(), q.sql(db.dialect()))))?;
            got.sort_unstable();
            prop_assert_eq!(&got, &expected, "on {}: {}", db.dialect(), q.sql(db.dialect()));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("seed {seed}: {e}");
    }
    println!(
        "property: {cases} random filters × {} backends = {} runs, 0 mismatches",
        world.dbs.len(),
        runs.get()
    );
}

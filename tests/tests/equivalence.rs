//! One meaning on every backend: each query of this suite runs on SQLite,
//! PostgreSQL and MariaDB over the same fixture, and every result is
//! compared with plain Rust evaluating the *same expression* over the
//! fixture's rows in memory. Most checks are written once: the macro feeds
//! the same tokens to `select!` and to a Rust closure.

// The queries spell conditions the way users may (`x == false`,
// `s == ""`, `o == None`, `x == x`): the lints would rewrite the very forms
// under test.
#![allow(
    clippy::bool_comparison,
    clippy::comparison_to_empty,
    clippy::partialeq_to_none,
    clippy::eq_op,
    clippy::manual_range_patterns,
    clippy::nonminimal_bool
)]

use std::fmt::Debug;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use foal::Query;
use foal::prelude::*;
use foal_tests::fixture::{self, Category, Item, Person, Rows, Sale, Tag};

/// The fixture, loaded once per test process into a fresh database of
/// each backend; every group reads it.
struct World {
    dbs: Vec<Database>,
    rows: Rows,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rows = fixture::rows();
        let dbs = foal_tests::all();
        for db in &dbs {
            fixture::load(db, &rows).unwrap_or_else(|e| panic!("loading the fixture on {}: {e}", db.dialect()));
        }
        World { dbs, rows }
    })
}

/// The checks of one group, and what they found.
struct Suite {
    dbs: &'static [Database],
    rows: &'static Rows,
    queries: usize,
    runs: usize,
    mismatches: Vec<String>,
}

fn sort_debug<T: Debug>(v: &mut [T]) {
    v.sort_by_cached_key(|x| format!("{x:?}"));
}

impl Suite {
    fn new() -> Suite {
        let world = world();
        Suite {
            dbs: &world.dbs,
            rows: &world.rows,
            queries: 0,
            runs: 0,
            mismatches: Vec::new(),
        }
    }

    /// Reports the group: every mismatch at once, and a group that lost
    /// queries fails too.
    fn finish(self, group: &str, at_least: usize) {
        println!(
            "{group}: {} queries × {} backends = {} runs, {} mismatches",
            self.queries,
            self.dbs.len(),
            self.runs,
            self.mismatches.len()
        );
        assert!(
            self.queries >= at_least,
            "the group {group} must keep at least {at_least} queries, has {}",
            self.queries
        );
        assert!(
            self.mismatches.is_empty(),
            "{} mismatches:\n\n{}",
            self.mismatches.len(),
            self.mismatches.join("\n\n")
        );
    }

    /// Runs `q` on every backend; each result must equal `expected`
    /// (compared in order when `ordered`, as multisets otherwise).
    fn check<T: PartialEq + Debug + 'static>(&mut self, name: &str, q: &Query<T>, mut expected: Vec<T>, ordered: bool) {
        self.queries += 1;
        if !ordered {
            sort_debug(&mut expected);
        }
        for db in self.dbs {
            self.runs += 1;
            match q.fetch_all(db) {
                Ok(mut got) => {
                    if !ordered {
                        sort_debug(&mut got);
                    }
                    if got != expected {
                        self.mismatches.push(format!(
                            "{name} on {}:\n  expected {}\n  got      {}\n  sql      {}",
                            db.dialect(),
                            short(&expected),
                            short(&got),
                            q.sql(db.dialect())
                        ));
                    }
                }
                Err(e) => self.mismatches.push(format!(
                    "{name} on {}: error {e}\n  sql {}",
                    db.dialect(),
                    q.sql(db.dialect())
                )),
            }
        }
    }

    /// Like `check` for one float, equal within `tolerance` (aggregates add
    /// in an order SQL does not promise).
    fn check_close(&mut self, name: &str, q: &Query<f64>, expected: f64, tolerance: f64) {
        self.queries += 1;
        for db in self.dbs {
            self.runs += 1;
            match q.fetch_one(db) {
                Ok(got) if (got - expected).abs() <= tolerance => {}
                Ok(got) => self
                    .mismatches
                    .push(format!("{name} on {}: expected {expected}, got {got}", db.dialect())),
                Err(e) => self.mismatches.push(format!("{name} on {}: error {e}", db.dialect())),
            }
        }
    }
}

impl Suite {
    /// `(key, float)` rows, floats equal within `tolerance`.
    fn check_pairs_close(&mut self, name: &str, q: &Query<(i64, f64)>, expected: Vec<(i64, f64)>, tolerance: f64) {
        self.queries += 1;
        for db in self.dbs {
            self.runs += 1;
            let mut got = match q.fetch_all(db) {
                Ok(got) => got,
                Err(e) => {
                    self.mismatches.push(format!("{name} on {}: error {e}", db.dialect()));
                    continue;
                }
            };
            got.sort_by_key(|(k, _)| *k);
            let same = got.len() == expected.len()
                && got
                    .iter()
                    .zip(&expected)
                    .all(|((k, v), (ek, ev))| k == ek && (v - ev).abs() <= tolerance);
            if !same {
                self.mismatches.push(format!(
                    "{name} on {}:\n  expected {}\n  got      {}",
                    db.dialect(),
                    short(&expected),
                    short(&got)
                ));
            }
        }
    }
}

fn short<T: Debug>(v: &[T]) -> String {
    let text = format!("{v:?}");
    if text.len() > 400 {
        format!(
            "{}… ({} rows)",
            &text[..text.char_indices().nth(400).map_or(text.len(), |(i, _)| i)],
            v.len()
        )
    } else {
        text
    }
}

/// `filter!(suite, Entity, key, |p| condition)`: the keys of the rows where
/// the condition holds, in SQL and in Rust.
macro_rules! filter {
    ($s:ident, $E:ident, $rows:ident, $key:ident, |$p:ident| $cond:expr) => {{
        let q = select!($E.filter(|$p| $cond).map(|$p| $p.$key));
        let expected = $s
            .rows
            .$rows
            .iter()
            .filter(|row| {
                let $p: $E = (*row).clone();
                $cond
            })
            .map(|row| row.$key.clone())
            .collect();
        $s.check(stringify!($E: $cond), &q, expected, false);
    }};
}

/// `project!(suite, Entity, key, |p| value)`: `(key, value)` of every row.
macro_rules! project {
    ($s:ident, $E:ident, $rows:ident, $key:ident, |$p:ident| $value:expr) => {{
        let q = select!($E.map(|$p| ($p.$key, $value)));
        let expected = $s
            .rows
            .$rows
            .iter()
            .map(|row| {
                let $p: $E = row.clone();
                ($p.$key.clone(), $value)
            })
            .collect();
        $s.check(stringify!($E => $value), &q, expected, false);
    }};
}

/// `ordered!(suite, Entity, key, |p| sort key)`: keys in ascending order of
/// the sort key (then the key), compared in order.
macro_rules! ordered {
    ($s:ident, $E:ident, $rows:ident, $key:ident, desc |$p:ident| $sort:expr) => {{
        let q = select!($E.order_by(|$p| (desc($sort), $p.$key)).map(|$p| $p.$key));
        let mut rows: Vec<$E> = $s.rows.$rows.clone();
        rows.sort_by(|a, b| {
            let ka = {
                let $p = a.clone();
                $sort
            };
            let kb = {
                let $p = b.clone();
                $sort
            };
            kb.partial_cmp(&ka).unwrap_or(std::cmp::Ordering::Equal).then(a.$key.cmp(&b.$key))
        });
        let expected = rows.into_iter().map(|r| r.$key).collect();
        $s.check(stringify!($E order by desc $sort), &q, expected, true);
    }};
    ($s:ident, $E:ident, $rows:ident, $key:ident, |$p:ident| $sort:expr) => {{
        let q = select!($E.order_by(|$p| ($sort, $p.$key)).map(|$p| $p.$key));
        let mut rows: Vec<$E> = $s.rows.$rows.clone();
        rows.sort_by(|a, b| {
            let ka = {
                let $p = a.clone();
                $sort
            };
            let kb = {
                let $p = b.clone();
                $sort
            };
            ka.partial_cmp(&kb).unwrap_or(std::cmp::Ordering::Equal).then(a.$key.cmp(&b.$key))
        });
        let expected = rows.into_iter().map(|r| r.$key).collect();
        $s.check(stringify!($E order by $sort), &q, expected, true);
    }};
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn datetime(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, 0, 0).unwrap_or_default()
}

fn comparisons_and_logic(s: &mut Suite) {
    filter!(s, Item, items, id, |i| i.price == 100);
    filter!(s, Item, items, id, |i| i.price != 100);
    filter!(s, Item, items, id, |i| i.price < 0);
    filter!(s, Item, items, id, |i| i.price <= 0);
    filter!(s, Item, items, id, |i| i.price > 1500);
    filter!(s, Item, items, id, |i| i.price >= 1500);
    filter!(s, Item, items, id, |i| 1500 <= i.price);
    filter!(s, Item, items, id, |i| i.stock < i.rank as i32);
    filter!(s, Item, items, id, |i| i.cost > 1000.5);
    filter!(s, Item, items, id, |i| i.cost <= -100.25);
    filter!(s, Item, items, id, |i| i.weight >= 250.5);
    filter!(s, Item, items, id, |i| i.rank == -3);
    filter!(s, Item, items, id, |i| i.active);
    filter!(s, Item, items, id, |i| !i.active);
    filter!(s, Item, items, id, |i| i.active == false);
    filter!(s, Item, items, id, |i| i.active && i.stock > 100);
    filter!(s, Item, items, id, |i| i.active || i.stock > 100);
    filter!(s, Item, items, id, |i| !(i.active || i.stock > 100));
    filter!(s, Item, items, id, |i| i.price > 100
        && (i.stock < 10 || !i.active)
        && i.rank != 0);
    filter!(s, Person, people, id, |p| p.vip);
    filter!(s, Person, people, id, |p| p.balance < 0.0 && !p.vip);
    filter!(s, Person, people, id, |p| p.country == "USA" || p.country == "");
    filter!(s, Sale, sales, id, |x| x.quantity == 0);
    filter!(s, Sale, sales, id, |x| x.amount > 1000.0 && x.quantity > 10);
    filter!(s, Category, categories, code, |c| c.position < 0);
    filter!(s, Tag, tags, weight, |t| t.weight > 0 && t.label == "sale");
}

fn text(s: &mut Suite) {
    // Equality and ordering compare bytes, case-sensitively.
    filter!(s, Item, items, id, |i| i.name == "apple");
    filter!(s, Item, items, id, |i| i.name == "Apple");
    filter!(s, Item, items, id, |i| i.name != "apple");
    filter!(s, Item, items, id, |i| i.name.as_str() < "a");
    filter!(s, Item, items, id, |i| i.name.as_str() > "Z");
    filter!(s, Item, items, id, |i| i.name.as_str() >= "zeta");
    filter!(s, Item, items, id, |i| i.name.as_str() < "É");
    filter!(s, Item, items, id, |i| i.name.as_str() > "école");
    filter!(s, Item, items, id, |i| i.name == "");
    filter!(s, Item, items, id, |i| i.name.is_empty());
    filter!(s, Tag, tags, weight, |t| t.label.as_str() < "a");
    // LIKE: case-sensitive, with `%`, `_` and `\` matching themselves.
    filter!(s, Item, items, id, |i| i.name.starts_with("a"));
    filter!(s, Item, items, id, |i| i.name.starts_with("A"));
    filter!(s, Item, items, id, |i| i.name.starts_with("App"));
    filter!(s, Item, items, id, |i| i.name.ends_with("e"));
    filter!(s, Item, items, id, |i| i.name.ends_with("%"));
    filter!(s, Item, items, id, |i| i.name.contains("%"));
    filter!(s, Item, items, id, |i| i.name.contains("_"));
    filter!(s, Item, items, id, |i| i.name.contains("a_b"));
    filter!(s, Item, items, id, |i| i.name.contains("a%b"));
    filter!(s, Item, items, id, |i| i.name.contains("\\"));
    filter!(s, Item, items, id, |i| i.name.contains("'"));
    filter!(s, Item, items, id, |i| i.name.contains("\""));
    filter!(s, Item, items, id, |i| i.name.contains("🦀"));
    filter!(s, Item, items, id, |i| i.name.contains("ï"));
    filter!(s, Item, items, id, |i| i.name.contains(""));
    filter!(s, Item, items, id, |i| i.name.starts_with(""));
    filter!(s, Item, items, id, |i| !i.name.contains("a"));
    filter!(s, Person, people, id, |p| p
        .email
        .clone()
        .unwrap_or_default()
        .ends_with("example.com"));
    filter!(s, Person, people, id, |p| p
        .email
        .clone()
        .unwrap_or_default()
        .contains("_"));
    filter!(s, Person, people, id, |p| p
        .email
        .clone()
        .unwrap_or_default()
        .contains("%"));
    filter!(s, Item, items, id, |i| i
        .code
        .clone()
        .unwrap_or_default()
        .starts_with("X_"));
    filter!(s, Item, items, id, |i| i
        .code
        .clone()
        .unwrap_or_default()
        .starts_with("%%"));
    filter!(s, Item, items, id, |i| i
        .name
        .starts_with(&i.code.clone().unwrap_or_default()));
    filter!(s, Person, people, id, |p| p.name.contains(&p.country));
    let searched = String::from("pp");
    filter!(s, Item, items, id, |i| i.name.contains(searched.as_str()));
    let prefix = "ab";
    filter!(s, Item, items, id, |i| i
        .code
        .clone()
        .unwrap_or_default()
        .starts_with(prefix));
    // Functions.
    filter!(s, Item, items, id, |i| i.name.to_lowercase() == "apple");
    filter!(s, Item, items, id, |i| i.name.to_uppercase() == "ÉCOLE");
    filter!(s, Item, items, id, |i| i.name.to_lowercase().starts_with("é"));
    filter!(s, Item, items, id, |i| i.name.len() > 6);
    filter!(s, Item, items, id, |i| i.name.len() == 9);
    filter!(s, Item, items, id, |i| i.name.chars().count() == 5);
    filter!(s, Item, items, id, |i| i.name.trim() == "padded");
    filter!(s, Item, items, id, |i| i.name.trim().len() < i.name.len());
    project!(s, Item, items, id, |i| i.name.to_lowercase());
    project!(s, Item, items, id, |i| i.name.to_uppercase());
    project!(s, Item, items, id, |i| i.name.trim().to_string());
    project!(s, Item, items, id, |i| i.name.len());
    project!(s, Item, items, id, |i| i.name.chars().count());
    project!(s, Item, items, id, |i| i.name.clone() + "!");
    project!(s, Item, items, id, |i| i.name.clone() + &i.name);
    project!(s, Item, items, id, |i| i.price.to_string());
    project!(s, Person, people, id, |p| p.country.to_lowercase());
    project!(s, Tag, tags, weight, |t| t.label.to_uppercase());
}

fn numbers(s: &mut Suite) {
    project!(s, Item, items, id, |i| i.price + 7);
    project!(s, Item, items, id, |i| i.price - i.stock as i64);
    project!(s, Item, items, id, |i| i.price * 3);
    project!(s, Item, items, id, |i| i.price / 7);
    project!(s, Item, items, id, |i| i.price % 7);
    project!(s, Item, items, id, |i| -i.price / 7);
    project!(s, Item, items, id, |i| -i.price % 7);
    project!(s, Item, items, id, |i| (i.price - 10) / -3);
    project!(s, Item, items, id, |i| i.stock / 4);
    project!(s, Item, items, id, |i| i.stock % 4);
    project!(s, Item, items, id, |i| i.rank * 100);
    project!(s, Item, items, id, |i| -i.rank);
    project!(s, Item, items, id, |i| i.cost * 2.0);
    project!(s, Item, items, id, |i| i.cost / 4.0);
    project!(s, Item, items, id, |i| i.cost - 0.5);
    project!(s, Item, items, id, |i| -i.cost);
    project!(s, Item, items, id, |i| i.cost as i64);
    project!(s, Item, items, id, |i| i.price as f64 / 8.0);
    project!(s, Item, items, id, |i| i.stock as i64 * i.price);
    project!(s, Item, items, id, |i| i.active as i64);
    project!(s, Item, items, id, |i| i.weight as f64);
    project!(s, Item, items, id, |i| i.rank as i64);
    project!(s, Item, items, id, |i| i.price.abs());
    project!(s, Item, items, id, |i| i.cost.abs());
    project!(s, Item, items, id, |i| i.cost.round());
    project!(s, Item, items, id, |i| (i.cost / 3.0).round());
    project!(s, Item, items, id, |i| i.price.min(100));
    project!(s, Item, items, id, |i| i.price.max(i.stock as i64));
    project!(s, Person, people, id, |p| p.balance.round() as i64);
    project!(s, Sale, sales, id, |x| x.amount * x.quantity as f64);
    filter!(s, Item, items, id, |i| i.price % 2 == 0);
    filter!(s, Item, items, id, |i| i.price % 3 == -1);
    filter!(s, Item, items, id, |i| i.price / 10 == -1);
    filter!(s, Item, items, id, |i| i.cost * 2.0 > i.price as f64);
    filter!(s, Item, items, id, |i| i.price - 100 > i.stock as i64 * 2);
    filter!(s, Item, items, id, |i| (100..=500).contains(&i.price));
    filter!(s, Item, items, id, |i| (100..500).contains(&i.price));
    filter!(s, Item, items, id, |i| (-1.5..=1.5).contains(&i.cost));
    filter!(s, Item, items, id, |i| i.cost.round() == 0.0);
}

fn options(s: &mut Suite) {
    filter!(s, Item, items, id, |i| i.code.is_none());
    filter!(s, Item, items, id, |i| i.code.is_some());
    filter!(s, Item, items, id, |i| i.code == None);
    filter!(s, Item, items, id, |i| i.code != None);
    filter!(s, Item, items, id, |i| i.rating.is_some() && i.active);
    filter!(s, Item, items, id, |i| i.rating.unwrap_or(0.0) > 2.5);
    filter!(s, Item, items, id, |i| i.rating.unwrap_or(-1.0) == -1.0);
    filter!(s, Item, items, id, |i| i.code == Some(String::from("AB-7")));
    filter!(s, Item, items, id, |i| i.code != Some(String::from("AB-7")));
    filter!(s, Item, items, id, |i| !(i.code == Some(String::from("AB-7"))));
    filter!(s, Person, people, id, |p| p.age.unwrap_or(0) >= 18);
    filter!(s, Person, people, id, |p| p.age.is_none() || p.age.unwrap_or(0) > 90);
    filter!(s, Person, people, id, |p| p.email.is_none() && p.vip);
    filter!(s, Person, people, id, |p| p.age == Some(42));
    filter!(s, Person, people, id, |p| p.age != Some(42));
    let none: Option<i32> = None;
    filter!(s, Person, people, id, |p| p.age == none);
    filter!(s, Person, people, id, |p| p.age != none);
    let some_age = Some(30);
    filter!(s, Person, people, id, |p| p.age == some_age);
    filter!(s, Person, people, id, |p| p.age == p.age);
    filter!(s, Category, categories, code, |c| c.parent.is_none());
    filter!(s, Category, categories, code, |c| c.parent
        == Some(Ref::new(String::from("cat-1"))));
    filter!(s, Sale, sales, id, |x| x.note.is_some()
        && x.note.clone().unwrap_or_default().is_empty());
    project!(s, Item, items, id, |i| i.rating.unwrap_or(0.0));
    project!(s, Item, items, id, |i| i.code.clone().unwrap_or_default());
    project!(s, Item, items, id, |i| i.code.clone().unwrap_or(String::from("none")));
    project!(s, Person, people, id, |p| p.age.unwrap_or(-1) + 1);
    project!(s, Item, items, id, |i| i.rating.is_none());
    project!(s, Item, items, id, |i| i.code == Some(String::from("ab-5")));
    project!(s, Item, items, id, |i| i.code != Some(String::from("ab-5")));
    project!(s, Item, items, id, |i| i.rating);
    project!(s, Person, people, id, |p| p.email);
}

fn conditionals_and_lists(s: &mut Suite) {
    project!(s, Item, items, id, |i| if i.price > 1000 {
        3
    } else if i.price > 100 {
        2
    } else {
        1
    });
    project!(s, Item, items, id, |i| if i.active {
        i.name.clone()
    } else {
        String::from("(inactive)")
    });
    project!(s, Item, items, id, |i| if i.rating.is_none() {
        0.0
    } else {
        i.rating.unwrap_or(0.0) * 2.0
    });
    project!(s, Person, people, id, |p| if p.vip && p.balance > 0.0 {
        p.balance
    } else {
        0.0
    });
    filter!(s, Item, items, id, |i| if i.active { i.stock > 0 } else { i.price < 0 });
    project!(s, Item, items, id, |i| format!("{} costs {}", i.name, i.price));
    project!(s, Item, items, id, |i| format!("#{}:{}{{}}", i.id, i.rank));
    project!(s, Person, people, id, |p| format!("{} ({})", p.name, p.country));
    project!(s, Item, items, id, |i| match i.rank {
        0 => "zero".to_string(),
        1 | 2 | 3 => "low".to_string(),
        -3 => "lowest".to_string(),
        _ => "other".to_string(),
    });
    project!(s, Item, items, id, |i| match i.name.as_str() {
        "apple" | "Apple" => 1,
        "" => 2,
        _ => 0,
    });
    filter!(s, Item, items, id, |i| match i.active {
        true => i.stock > 10,
        _ => i.price < 0,
    });
    let ids = vec![3_i64, 5, 8, 13, 21, 34, 55, 89, 144];
    filter!(s, Item, items, id, |i| ids.contains(&i.id));
    filter!(s, Item, items, id, |i| !ids.contains(&i.id));
    let empty: Vec<i64> = Vec::new();
    filter!(s, Item, items, id, |i| empty.contains(&i.id));
    filter!(s, Item, items, id, |i| !empty.contains(&i.id));
    let names = vec![
        String::from("apple"),
        String::from("%"),
        String::from("日本語"),
        String::from(""),
    ];
    filter!(s, Item, items, id, |i| names.contains(&i.name));
    let countries = ["UK", "Japan", ""];
    filter!(s, Person, people, id, |p| countries.contains(&p.country.as_str()));
    let ranks: &[i16] = &[-3, 0, 7];
    filter!(s, Item, items, id, |i| ranks.contains(&i.rank));
    let one = [42_i64];
    filter!(s, Item, items, id, |i| one.contains(&i.price));
    let flags = [true];
    filter!(s, Item, items, id, |i| flags.contains(&i.active));
    let min_price = 250;
    filter!(s, Item, items, id, |i| i.price >= min_price);
    let bounds = (0_i64, 50_i64);
    filter!(s, Item, items, id, |i| i.price > bounds.0 * 2
        && i.price < bounds.1 + bounds.0);
    let threshold = 99.5_f64;
    filter!(s, Sale, sales, id, |x| x.amount > threshold);
    let person = Ref::new(17);
    filter!(s, Sale, sales, id, |x| x.person == person);
    filter!(s, Sale, sales, id, |x| x.item.key() > 100);
    project!(s, Sale, sales, id, |x| x.person.key());
    project!(s, Sale, sales, id, |x| x.item.clone());
}

fn dates_and_bytes(s: &mut Suite) {
    let d = date(2010, 6, 15);
    filter!(s, Item, items, id, |i| i.added > d);
    filter!(s, Item, items, id, |i| i.added <= d);
    filter!(s, Item, items, id, |i| i.added == date(1990, 1, 1));
    let t = datetime(2015, 3, 1, 12);
    filter!(s, Item, items, id, |i| i.updated < t);
    filter!(s, Sale, sales, id, |x| x.at >= t);
    filter!(s, Person, people, id, |p| p.born.is_some() && p.born.unwrap_or(d) < d);
    filter!(s, Person, people, id, |p| p.last_seen.is_none());
    let stamp = datetime(2020, 1, 1, 0).and_utc();
    filter!(s, Person, people, id, |p| p.last_seen.unwrap_or(stamp) > stamp);
    project!(s, Item, items, id, |i| i.added);
    project!(s, Item, items, id, |i| i.updated);
    project!(s, Person, people, id, |p| p.last_seen);
    project!(s, Item, items, id, |i| i.image.clone());
    filter!(s, Item, items, id, |i| i.image.is_some());
    let bytes: Vec<u8> = vec![0, 37, 74];
    filter!(s, Item, items, id, |i| i.image == Some(bytes.clone()));
    project!(s, Item, items, id, |i| i.added + chrono::Duration::days(45));
    project!(s, Item, items, id, |i| i.added - chrono::Duration::hours(49));
    project!(s, Item, items, id, |i| i.updated
        + chrono::Duration::microseconds(999_999));
    project!(s, Item, items, id, |i| i.updated - chrono::Duration::weeks(3));
    project!(s, Item, items, id, |i| (i.added.year(), i.added.month(), i.added.day()));
    project!(s, Item, items, id, |i| (
        i.updated.hour(),
        i.updated.minute(),
        i.updated.second()
    ));
    filter!(s, Item, items, id, |i| i.updated.month() == 2 && i.updated.day() > 14);
    filter!(s, Person, people, id, |p| p.last_seen.is_some()
        && p.last_seen.unwrap_or(stamp).year() >= 2020);
    ordered!(s, Item, items, id, |i| i.added);
    ordered!(s, Item, items, id, desc | i | i.updated);
    ordered!(s, Person, people, id, |p| p.last_seen);
}

fn ordering(s: &mut Suite) {
    ordered!(s, Item, items, id, |i| i.price);
    ordered!(s, Item, items, id, desc | i | i.price);
    ordered!(s, Item, items, id, |i| i.name.clone());
    ordered!(s, Item, items, id, desc | i | i.name.clone());
    ordered!(s, Item, items, id, |i| i.rating);
    ordered!(s, Item, items, id, desc | i | i.rating);
    ordered!(s, Item, items, id, |i| i.code.clone());
    ordered!(s, Item, items, id, |i| i.cost);
    ordered!(s, Item, items, id, |i| i.weight);
    ordered!(s, Item, items, id, |i| i.active);
    ordered!(s, Item, items, id, |i| i.name.to_lowercase());
    ordered!(s, Item, items, id, |i| i.name.len());
    ordered!(s, Person, people, id, |p| p.age);
    ordered!(s, Person, people, id, desc | p | p.age);
    ordered!(s, Person, people, id, |p| p.country.clone());
    ordered!(s, Person, people, id, |p| p.email.clone());
    ordered!(s, Category, categories, code, |c| c.position);
    ordered!(s, Tag, tags, weight, |t| t.label.clone());
    // Limits and pages over a total order.
    let page: Vec<i64> = {
        let mut r = s.rows.items.clone();
        r.sort_by_key(|i| (i.price, i.id));
        r.into_iter().skip(20).take(10).map(|i| i.id).collect()
    };
    let q = select!(Item.order_by(|i| (i.price, i.id)).page(3, 10).map(|i| i.id));
    s.check("page 3 of 10 by price", &q, page, true);
    let top: Vec<i64> = {
        let mut r = s.rows.items.clone();
        r.sort_by_key(|i| (std::cmp::Reverse(i.stock), i.id));
        r.into_iter().take(7).map(|i| i.id).collect()
    };
    let q = select!(Item.order_by(|i| (desc(i.stock), i.id)).limit(7).map(|i| i.id));
    s.check("top 7 by stock", &q, top, true);
    let rest: Vec<i64> = {
        let mut r = s.rows.items.clone();
        r.sort_by_key(|i| i.id);
        r.into_iter().skip(115).map(|i| i.id).collect()
    };
    let q = select!(Item.order_by(|i| i.id).offset(115).map(|i| i.id));
    s.check("offset without limit", &q, rest, true);
    let mut countries: Vec<String> = s.rows.people.iter().map(|p| p.country.clone()).collect();
    countries.sort();
    countries.dedup();
    let q = select!(Person.order_by(|p| p.country).map(|p| p.country).distinct());
    s.check("distinct countries", &q, countries, true);
}

fn aggregates(s: &mut Suite) {
    let items = s.rows.items.clone();
    let people = s.rows.people.clone();
    let sales = s.rows.sales.clone();
    let q = select!(count(i) for i in Item);
    s.check("count(i)", &q, vec![items.len() as i64], false);
    let q = select!(count(i) for i in Item if i.active);
    s.check(
        "count(i) if active",
        &q,
        vec![items.iter().filter(|i| i.active).count() as i64],
        false,
    );
    let q = select!(count(i.active) for i in Item);
    s.check(
        "count(condition)",
        &q,
        vec![items.iter().filter(|i| i.active).count() as i64],
        false,
    );
    let q = select!(count(i.code) for i in Item);
    s.check(
        "count(present values)",
        &q,
        vec![items.iter().filter(|i| i.code.is_some()).count() as i64],
        false,
    );
    let q = select!(count_distinct(p.country) for p in Person);
    let mut distinct: Vec<&str> = people.iter().map(|p| p.country.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    s.check("count_distinct(country)", &q, vec![distinct.len() as i64], false);
    let q = select!(sum(i.price) for i in Item);
    s.check(
        "sum(price)",
        &q,
        vec![items.iter().map(|i| i.price).sum::<i64>()],
        false,
    );
    let q = select!(sum(i.stock) for i in Item if i.price > 1000);
    s.check(
        "sum(stock) filtered",
        &q,
        vec![items.iter().filter(|i| i.price > 1000).map(|i| i.stock).sum::<i32>()],
        false,
    );
    let q = select!(sum(i.price) for i in Item if i.price > 100_000);
    s.check("sum of no rows", &q, vec![0], false);
    let q = select!(sum(p.age) for p in Person);
    s.check(
        "sum of optional values",
        &q,
        vec![people.iter().filter_map(|p| p.age).sum::<i32>()],
        false,
    );
    let q = select!(sum(i.cost) for i in Item);
    s.check_close("sum(cost)", &q, items.iter().map(|i| i.cost).sum(), 1e-6);
    let q = select!(max(i.price) for i in Item);
    s.check("max(price)", &q, vec![items.iter().map(|i| i.price).max()], false);
    let q = select!(min(i.price) for i in Item if i.active);
    s.check(
        "min(price)",
        &q,
        vec![items.iter().filter(|i| i.active).map(|i| i.price).min()],
        false,
    );
    let q = select!(min(i.name) for i in Item);
    s.check("min(name)", &q, vec![items.iter().map(|i| i.name.clone()).min()], false);
    let q = select!(max(i.name) for i in Item);
    s.check("max(name)", &q, vec![items.iter().map(|i| i.name.clone()).max()], false);
    let q = select!(max(i.code) for i in Item);
    s.check(
        "max(optional)",
        &q,
        vec![items.iter().filter_map(|i| i.code.clone()).max()],
        false,
    );
    let q = select!(max(i.price) for i in Item if i.price > 100_000);
    s.check("max of no rows", &q, vec![None], false);
    let q = select!(avg(i.price) for i in Item if i.price > 100_000);
    s.check("avg of no rows", &q, vec![None], false);
    let mean = items.iter().map(|i| i.price as f64).sum::<f64>() / items.len() as f64;
    s.check_close(
        "avg(price)",
        &select!(avg(i.price).unwrap_or(0.0) for i in Item),
        mean,
        1e-9,
    );
    s.check_close(
        "avg(rating)",
        &select!(avg(i.rating).unwrap_or(0.0) for i in Item),
        {
            let r: Vec<f64> = items.iter().filter_map(|i| i.rating).collect();
            r.iter().sum::<f64>() / r.len() as f64
        },
        1e-9,
    );
    let q = select!(max(i.added) for i in Item);
    s.check("max(date)", &q, vec![items.iter().map(|i| i.added).max()], false);
    let q = select!(min(x.at) for x in Sale);
    s.check("min(datetime)", &q, vec![sales.iter().map(|x| x.at).min()], false);
    let mut joined: Vec<String> = people
        .iter()
        .filter(|p| p.country == "UK")
        .map(|p| p.name.clone())
        .collect();
    joined.sort();
    let q = select!(group_concat(p.name, "|") for p in Person if p.country == "UK");
    s.check("group_concat", &q, vec![joined.join("|")], false);
    let q = select!(group_concat(p.name, ", ") for p in Person if p.country == "nowhere");
    s.check("group_concat of no rows", &q, vec![String::new()], false);
    // Grouping.
    let q = select!((p.country, count(p)) for p in Person);
    let mut expected: Vec<(String, i64)> = distinct
        .iter()
        .map(|c| {
            (
                (*c).to_owned(),
                people.iter().filter(|p| p.country == *c).count() as i64,
            )
        })
        .collect();
    s.check("count per country", &q, expected.clone(), false);
    expected.retain(|(_, n)| *n > 20);
    let q = select!((p.country, count(p)) for p in Person if count(p) > 20);
    s.check("having count", &q, expected, false);
    let q = select!((p.vip, max(p.balance), min(p.age)) for p in Person);
    let expected: Vec<(bool, Option<f64>, Option<i32>)> = [false, true]
        .iter()
        .map(|&v| {
            let group = people.iter().filter(|p| p.vip == v);
            let max = group
                .clone()
                .map(|p| p.balance)
                .fold(None, |m: Option<f64>, b| Some(m.map_or(b, |m| m.max(b))));
            (v, max, group.filter_map(|p| p.age).min())
        })
        .collect();
    s.check("aggregates per flag", &q, expected, false);
    let q = select!((x.quantity, sum(x.quantity)) for x in Sale if x.quantity > 15);
    let mut expected: Vec<(i32, i32)> = (16..=20)
        .map(|q| (q, sales.iter().filter(|x| x.quantity == q).map(|x| x.quantity).sum()))
        .filter(|(q, _)| sales.iter().any(|x| x.quantity == *q))
        .collect();
    expected.sort();
    s.check("sum per quantity", &q, expected, false);
    let q = select!(i.rank for i in Item if sum(i.stock) > 1500);
    let mut expected: Vec<i16> = items.iter().map(|i| i.rank).collect();
    expected.sort_unstable();
    expected.dedup();
    expected.retain(|r| {
        items
            .iter()
            .filter(|i| i.rank == *r)
            .map(|i| i64::from(i.stock))
            .sum::<i64>()
            > 1500
    });
    s.check("having sum", &q, expected, false);
}

fn subqueries(s: &mut Suite) {
    let items = s.rows.items.clone();
    let people = s.rows.people.clone();
    let max_price = items.iter().map(|i| i.price).max();
    let q = select!(i.id for i in Item if i.price == max(j.price for j in Item));
    s.check(
        "price == max",
        &q,
        items
            .iter()
            .filter(|i| Some(i.price) == max_price)
            .map(|i| i.id)
            .collect(),
        false,
    );
    let mean = items.iter().map(|i| i.price as f64).sum::<f64>() / items.len() as f64;
    let q = select!(i.id for i in Item if i.price as f64 > avg(j.price as f64 for j in Item));
    s.check(
        "above average",
        &q,
        items.iter().filter(|i| i.price as f64 > mean).map(|i| i.id).collect(),
        false,
    );
    let q = select!(p.id for p in Person if count(o for o in Person if o.country == p.country) == 1);
    let expected = people
        .iter()
        .filter(|p| people.iter().filter(|o| o.country == p.country).count() == 1)
        .map(|p| p.id)
        .collect();
    s.check("alone in their country", &q, expected, false);
    let q =
        select!(p.id for p in Person if exists(o for o in Person if o.country == p.country && o.vip && o.id != p.id));
    let expected = people
        .iter()
        .filter(|p| people.iter().any(|o| o.country == p.country && o.vip && o.id != p.id))
        .map(|p| p.id)
        .collect();
    s.check("a vip compatriot exists", &q, expected, false);
    let q = select!(p.id for p in Person if !exists(o for o in Person if o.age.unwrap_or(0) > p.age.unwrap_or(0)));
    let oldest = people.iter().map(|p| p.age.unwrap_or(0)).max().unwrap_or(0);
    s.check(
        "nobody older",
        &q,
        people
            .iter()
            .filter(|p| p.age.unwrap_or(0) == oldest)
            .map(|p| p.id)
            .collect(),
        false,
    );
    let q = select!((p.id, sum(o.balance for o in Person if o.country == p.country)) for p in Person if p.id <= 10);
    let expected: Vec<(i64, f64)> = people
        .iter()
        .filter(|p| p.id <= 10)
        .map(|p| {
            (
                p.id,
                people
                    .iter()
                    .filter(|o| o.country == p.country)
                    .map(|o| o.balance)
                    .sum(),
            )
        })
        .collect();
    s.check_pairs_close("correlated sum per row", &q, expected, 1e-6);
}

fn refinement(s: &mut Suite) {
    let items = s.rows.items.clone();
    let base = select!(i for i in Item if i.active);
    let q = select!(base.filter(|i| i.price > 500).map(|i| i.id));
    s.check(
        "refined filter",
        &q,
        items
            .iter()
            .filter(|i| i.active && i.price > 500)
            .map(|i| i.id)
            .collect(),
        false,
    );
    let limited = select!(Item.order_by(|i| (desc(i.price), i.id)).limit(10));
    let q = select!(limited.filter(|i| i.active).map(|i| i.id));
    let mut top: Vec<Item> = items.clone();
    top.sort_by_key(|i| (std::cmp::Reverse(i.price), i.id));
    let expected = top.iter().take(10).filter(|i| i.active).map(|i| i.id).collect();
    s.check("filter after limit", &q, expected, false);
    let q = select!(base.order_by(|i| (i.stock, i.id)).limit(5).map(|i| i.id));
    let mut active: Vec<Item> = items.iter().filter(|i| i.active).cloned().collect();
    active.sort_by_key(|i| (i.stock, i.id));
    s.check(
        "refined order and limit",
        &q,
        active.iter().take(5).map(|i| i.id).collect(),
        true,
    );
    let counted = select!(base.filter(|i| i.stock > 100));
    for db in s.dbs {
        let n = counted.count(db).unwrap_or(-1);
        assert_eq!(
            n,
            items.iter().filter(|i| i.active && i.stock > 100).count() as i64,
            "on {}",
            db.dialect()
        );
    }
}

/// Joins of each kind on conditions mixing both sides, optional columns
/// included.
fn joins(s: &mut Suite) {
    let people = s.rows.people.clone();
    let sales = s.rows.sales.clone();
    let items = s.rows.items.clone();
    let inner = |cond: &dyn Fn(&Person, &Sale) -> bool| {
        let mut out = Vec::new();
        for p in &people {
            for x in &sales {
                if cond(p, x) {
                    out.push((p.id, x.id));
                }
            }
        }
        out
    };
    let q = select!((p.id, x.id) for p in Person for x in Sale.join(|x| x.person == p && x.quantity > 10));
    s.check(
        "inner join",
        &q,
        inner(&|p, x| x.person.key() == p.id && x.quantity > 10),
        false,
    );
    let q = select!((p.id, x.id) for p in Person for x in Sale.join(|x| x.person == p || (x.amount > 990.0 && p.vip)));
    s.check(
        "inner join on an OR",
        &q,
        inner(&|p, x| x.person.key() == p.id || (x.amount > 990.0 && p.vip)),
        false,
    );
    let q =
        select!((p.id, x.id) for p in Person for x in Sale.join(|x| x.person == p && p.age.unwrap_or(0) > x.quantity));
    s.check(
        "inner join reading an option",
        &q,
        inner(&|p, x| x.person.key() == p.id && p.age.unwrap_or(0) > x.quantity),
        false,
    );
    // Left: every person, with their big sales or None.
    let left = |cond: &dyn Fn(&Person, &Sale) -> bool| {
        let mut out = Vec::new();
        for p in &people {
            let m: Vec<i64> = sales.iter().filter(|x| cond(p, x)).map(|x| x.id).collect();
            if m.is_empty() {
                out.push((p.id, None));
            }
            out.extend(m.into_iter().map(|id| (p.id, Some(id))));
        }
        out
    };
    let q = select!((p.id, x.id) for p in Person for x in Sale.left_join(|x| x.person == p && x.amount > 500.0));
    s.check(
        "left join",
        &q,
        left(&|p, x| x.person.key() == p.id && x.amount > 500.0),
        false,
    );
    let q = select!((p.id, x.id) for p in Person for x in Sale.left_join(|x| x.person == p && x.note.is_some() && p.age.is_none()));
    s.check(
        "left join on options",
        &q,
        left(&|p, x| x.person.key() == p.id && x.note.is_some() && p.age.is_none()),
        false,
    );
    let q = select!(p.id for p in Person for x in Sale.left_join(|x| x.person == p) if x.is_none());
    s.check(
        "anti join",
        &q,
        people
            .iter()
            .filter(|p| sales.iter().all(|x| x.person.key() != p.id))
            .map(|p| p.id)
            .collect(),
        false,
    );
    let q = select!((p.id, x.quantity) for p in Person for x in Sale.left_join(|x| x.person == p && x.quantity > 18));
    let mut expected = Vec::new();
    for p in &people {
        let m: Vec<i32> = sales
            .iter()
            .filter(|x| x.person.key() == p.id && x.quantity > 18)
            .map(|x| x.quantity)
            .collect();
        if m.is_empty() {
            expected.push((p.id, None));
        }
        expected.extend(m.into_iter().map(|n| (p.id, Some(n))));
    }
    s.check("left join fields are options", &q, expected, false);
    // Right: every sale, its person only when a VIP.
    let q = select!((p.id, x.id) for p in Person for x in Sale.right_join(|x| x.person == p && p.vip));
    let expected: Vec<(Option<i64>, i64)> = sales
        .iter()
        .map(|x| {
            let vip = people.iter().any(|p| p.id == x.person.key() && p.vip);
            (vip.then(|| x.person.key()), x.id)
        })
        .collect();
    s.check("right join", &q, expected, false);
    // Full: people and items matched on a price band, both sides kept.
    let q =
        select!((p.id, i.id) for p in Person for i in Item.full_join(|i| i.price == p.age.unwrap_or(-1) as i64 * 20));
    let mut expected = Vec::new();
    for p in &people {
        let m: Vec<i64> = items
            .iter()
            .filter(|i| i.price == i64::from(p.age.unwrap_or(-1)) * 20)
            .map(|i| i.id)
            .collect();
        if m.is_empty() {
            expected.push((Some(p.id), None));
        }
        expected.extend(m.into_iter().map(|id| (Some(p.id), Some(id))));
    }
    for i in &items {
        if !people.iter().any(|p| i.price == i64::from(p.age.unwrap_or(-1)) * 20) {
            expected.push((None, Some(i.id)));
        }
    }
    s.check("full join", &q, expected, false);
    // A filter after a full join applies to its rows.
    let q = select!((p.id, i.id) for p in Person for i in Item.full_join(|i| i.price == p.age.unwrap_or(-1) as i64 * 20) if i.is_none());
    let expected: Vec<(Option<i64>, Option<i64>)> = people
        .iter()
        .filter(|p| !items.iter().any(|i| i.price == i64::from(p.age.unwrap_or(-1)) * 20))
        .map(|p| (Some(p.id), None))
        .collect();
    s.check("filter after a full join", &q, expected, false);
}

/// `rank` of `key(x)` among `rows` in the order of `key` (SQL's RANK).
fn rank_of<T, K: PartialOrd>(rows: &[T], x: &T, key: impl Fn(&T) -> K, same: impl Fn(&T, &T) -> bool) -> i64 {
    1 + rows.iter().filter(|y| same(x, y) && key(y) < key(x)).count() as i64
}

/// Window functions, over orders with ties and missing values.
fn windows(s: &mut Suite) {
    let items = s.rows.items.clone();
    let people = s.rows.people.clone();
    let sales = s.rows.sales.clone();
    let q = select!((i.id, rank().over(order_by(i.rank))) for i in Item);
    let expected = items
        .iter()
        .map(|i| (i.id, rank_of(&items, i, |x| x.rank, |_, _| true)))
        .collect();
    s.check("rank with ties", &q, expected, false);
    let q = select!((p.id, rank().over(order_by(p.age))) for p in Person);
    let expected = people
        .iter()
        .map(|p| (p.id, rank_of(&people, p, |x| x.age, |_, _| true)))
        .collect();
    s.check("rank over an option (None first)", &q, expected, false);
    let q = select!((p.id, rank().over(order_by(desc(p.age)))) for p in Person);
    let expected = people
        .iter()
        .map(|p| (p.id, rank_of(&people, p, |x| std::cmp::Reverse(x.age), |_, _| true)))
        .collect();
    s.check("rank over an option descending (None last)", &q, expected, false);
    let q = select!((p.id, dense_rank().over(partition_by(p.country).order_by(p.vip))) for p in Person);
    let expected = people
        .iter()
        .map(|p| {
            let below = people
                .iter()
                .filter(|x| x.country == p.country && !x.vip && p.vip)
                .count();
            (p.id, if below > 0 { 2 } else { 1 })
        })
        .collect();
    s.check("dense_rank of a bool per partition", &q, expected, false);
    let q = select!((x.id, row_number().over(partition_by(x.person).order_by((x.at, x.id)))) for x in Sale);
    let expected = sales
        .iter()
        .map(|x| {
            let before = sales
                .iter()
                .filter(|y| y.person == x.person && (y.at, y.id) < (x.at, x.id))
                .count();
            (x.id, 1 + before as i64)
        })
        .collect();
    s.check("row_number per partition", &q, expected, false);
    let mut by_id = items.clone();
    by_id.sort_by_key(|i| i.id);
    let q = select!((i.id, lag(i.price, 1).over(order_by(i.id)), lead(i.rating, 2).over(order_by(i.id))) for i in Item);
    let expected = by_id
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let prev = n.checked_sub(1).map(|k| by_id[k].price);
            let next = by_id.get(n + 2).and_then(|x| x.rating);
            (i.id, prev, next)
        })
        .collect();
    s.check("lag and lead (of an option)", &q, expected, false);
    let q = select!((i.id, sum(i.price).over(order_by(i.id).rows(..=0)), count(i).over(partition_by(i.active)), min(i.rating).over(partition_by(i.active))) for i in Item);
    let expected = by_id
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let running: i64 = by_id[..=n].iter().map(|x| x.price).sum();
            let same: Vec<&Item> = items.iter().filter(|x| x.active == i.active).collect();
            let least = same
                .iter()
                .filter_map(|x| x.rating)
                .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.min(r))));
            (i.id, running, same.len() as i64, least)
        })
        .collect();
    s.check("running sum, counts and min over partitions", &q, expected, false);
    let q = select!((i.id, sum(i.stock).over(order_by(i.id).rows(-3..=1)), max(i.price).over(order_by(i.id).rows(1..=4))) for i in Item);
    let expected = by_id
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let lo = n.saturating_sub(3);
            let hi = (n + 1).min(by_id.len() - 1);
            let sum: i32 = by_id[lo..=hi].iter().map(|x| x.stock).sum();
            let ahead = by_id.iter().skip(n + 1).take(4).map(|x| x.price).max();
            (i.id, sum, ahead)
        })
        .collect();
    s.check("moving frames, one ahead of the row", &q, expected, false);
    let q = select!((i.id, first_value(i.name).over(partition_by(i.rank).order_by((i.price, i.id))), last_value(i.id).over(partition_by(i.rank).order_by((i.price, i.id)).rows(..))) for i in Item);
    let expected = items
        .iter()
        .map(|i| {
            let mut group: Vec<&Item> = items.iter().filter(|x| x.rank == i.rank).collect();
            group.sort_by_key(|x| (x.price, x.id));
            (i.id, group.first().map(|x| x.name.clone()), group.last().map(|x| x.id))
        })
        .collect();
    s.check("first and last values per partition", &q, expected, false);
    let q = select!((i.id, ntile(3).over(partition_by(i.active).order_by(i.id))) for i in Item);
    let expected = items
        .iter()
        .map(|i| {
            let group: Vec<i64> = by_id.iter().filter(|x| x.active == i.active).map(|x| x.id).collect();
            let (n, at) = (group.len(), group.iter().position(|x| *x == i.id).unwrap_or(0));
            // NTILE: the first n % 3 buckets get one more row.
            let (size, extra) = (n / 3, n % 3);
            let mut bucket = 0;
            let mut end = 0;
            while end <= at {
                end += size + usize::from(bucket < extra);
                bucket += 1;
            }
            (i.id, bucket as i64)
        })
        .collect();
    s.check("ntile per partition", &q, expected, false);
    let q =
        select!(i.id for i in Item if i.active && dense_rank().over(partition_by(i.rank).order_by(desc(i.price))) == 1);
    let expected = items
        .iter()
        .filter(|i| i.active && !items.iter().any(|x| x.active && x.rank == i.rank && x.price > i.price))
        .map(|i| i.id)
        .collect();
    s.check(
        "the best per partition, after the plain conditions",
        &q,
        expected,
        false,
    );
    let q = select!((x.person, sum(x.quantity), rank().over(order_by(desc(sum(x.quantity))))) for x in Sale);
    let mut totals: std::collections::BTreeMap<i64, i32> = std::collections::BTreeMap::new();
    for x in &sales {
        *totals.entry(x.person.key()).or_default() += x.quantity;
    }
    let expected = totals
        .iter()
        .map(|(p, t)| (Ref::new(*p), *t, 1 + totals.values().filter(|o| *o > t).count() as i64))
        .collect();
    s.check("a window over groups", &q, expected, false);
}

/// Set operations with duplicates, missing values and tuple rows.
fn set_operations(s: &mut Suite) {
    use std::collections::BTreeSet;
    let people = s.rows.people.clone();
    let items = s.rows.items.clone();
    let a = select!(p.age for p in Person if p.vip);
    let b = select!(p.age for p in Person if p.balance > 500.0);
    let va: Vec<Option<i32>> = people.iter().filter(|p| p.vip).map(|p| p.age).collect();
    let vb: Vec<Option<i32>> = people.iter().filter(|p| p.balance > 500.0).map(|p| p.age).collect();
    let (sa, sb): (BTreeSet<_>, BTreeSet<_>) = (va.iter().copied().collect(), vb.iter().copied().collect());
    s.check(
        "union (None is one value)",
        &a.union(&b),
        sa.union(&sb).copied().collect(),
        false,
    );
    s.check(
        "union all",
        &a.union_all(&b),
        va.iter().chain(&vb).copied().collect(),
        false,
    );
    s.check(
        "intersect",
        &a.intersect(&b),
        sa.intersection(&sb).copied().collect(),
        false,
    );
    s.check("except", &a.except(&b), sa.difference(&sb).copied().collect(), false);
    let c = select!((i.rank, i.active) for i in Item if i.price > 1000);
    let d = select!((i.rank, i.active) for i in Item if i.stock < 50);
    let sc: BTreeSet<(i16, bool)> = items
        .iter()
        .filter(|i| i.price > 1000)
        .map(|i| (i.rank, i.active))
        .collect();
    let sd: BTreeSet<(i16, bool)> = items
        .iter()
        .filter(|i| i.stock < 50)
        .map(|i| (i.rank, i.active))
        .collect();
    s.check("union of tuples", &c.union(&d), sc.union(&sd).copied().collect(), false);
    s.check(
        "except of tuples",
        &c.except(&d),
        sc.difference(&sd).copied().collect(),
        false,
    );
    let u = c.intersect(&d);
    let q = select!(u.order_by(|(r, a)| (desc(r), a)).limit(4));
    let mut ordered: Vec<(i16, bool)> = sc.intersection(&sd).copied().collect();
    ordered.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    ordered.truncate(4);
    s.check("ordered and limited", &q, ordered, true);
    let q = select!(i.id for i in Item for (r, a) in u if i.rank == r && i.active == a);
    let both: BTreeSet<(i16, bool)> = sc.intersection(&sd).copied().collect();
    s.check(
        "as a source",
        &q,
        items
            .iter()
            .filter(|i| both.contains(&(i.rank, i.active)))
            .map(|i| i.id)
            .collect(),
        false,
    );
    let ages = a.union(&b);
    let q = select!(p.id for p in Person if (x for x in ages).contains(&p.age));
    s.check(
        "in an IN test (None finds None, as `==` on Options)",
        &q,
        people
            .iter()
            .filter(|p| sa.union(&sb).any(|x| *x == p.age))
            .map(|p| p.id)
            .collect(),
        false,
    );
}

/// One test per group: a failure in one hides nothing of the others, and
/// `cargo test --test equivalence text` runs one group.
mod every_backend_agrees_with_rust {
    macro_rules! groups {
        ($($group:ident: at least $n:literal),* $(,)?) => {$(
            #[test]
            fn $group() {
                let mut s = super::Suite::new();
                super::$group(&mut s);
                s.finish(stringify!($group), $n);
            }
        )*};
    }

    groups! {
        comparisons_and_logic: at least 26,
        text: at least 55,
        numbers: at least 39,
        options: at least 31,
        conditionals_and_lists: at least 27,
        dates_and_bytes: at least 25,
        ordering: at least 22,
        aggregates: at least 28,
        subqueries: at least 6,
        refinement: at least 3,
        joins: at least 10,
        windows: at least 12,
        set_operations: at least 9,
    }
}

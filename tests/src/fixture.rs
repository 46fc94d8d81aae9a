//! A larger deterministic fixture for the cross-backend equivalence and
//! property suites: five entities, every column type, several hundred rows
//! with NULLs, empty strings, Unicode, `%` and `_` in text, negative numbers
//! and zeros. The same rows are kept in memory so plain Rust can evaluate
//! each query as the oracle.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Item {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    pub price: i64,
    pub cost: f64,
    pub weight: f32,
    pub stock: i32,
    pub rank: i16,
    pub active: bool,
    pub rating: Option<f64>,
    pub added: NaiveDate,
    pub updated: NaiveDateTime,
    pub image: Option<Vec<u8>>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Person {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub country: String,
    pub age: Option<i32>,
    pub balance: f64,
    pub vip: bool,
    pub born: Option<NaiveDate>,
    pub last_seen: Option<DateTime<Utc>>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Sale {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub person: Ref<Person>,
    pub item: Ref<Item>,
    pub quantity: i32,
    pub amount: f64,
    pub note: Option<String>,
    pub at: NaiveDateTime,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Category {
    #[foal(primary_key, max_len = 40)]
    pub code: String,
    pub title: String,
    pub parent: Option<Ref<Category>>,
    pub position: i32,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Tag {
    #[foal(primary_key)]
    pub item: Ref<Item>,
    #[foal(primary_key, max_len = 60)]
    pub label: String,
    pub weight: i16,
}

/// Texts that tend to break SQL: empty, padded, mixed case, Unicode, LIKE
/// wildcards, the escape character, quotes.
pub const TEXTS: &[&str] = &[
    "",
    "a",
    "A",
    "apple",
    "Apple",
    "APPLE pie",
    "banana",
    "  padded  ",
    "tab\tand\nnewline",
    "100% pure",
    "50%",
    "%",
    "_",
    "a_b",
    "a%b",
    "back\\slash",
    "quote's",
    "\"double\"",
    "Ünïcödé",
    "ÉCOLE",
    "école",
    "日本語",
    "emoji 🦀 crab",
    "Zeta",
    "zeta",
    "ÀÉÎÕÜ",
    "ωmega",
    "Ωmega",
    "x",
    "xyz",
    "x ",
    "apple ",
];

const COUNTRIES: &[&str] = &["USA", "UK", "France", "Germany", "Japan", "Brazil", "", "Côte d'Ivoire"];

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next_u64() % span).unwrap_or(0)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.next_u64() % items.len() as u64).unwrap_or(0);
        &items[i]
    }

    fn text(&mut self) -> String {
        (*self.pick(TEXTS)).to_owned()
    }

    /// Cents as a float, exactly representable decimals avoided on purpose.
    fn money(&mut self) -> f64 {
        self.range(-50_000, 500_000) as f64 / 100.0
    }

    fn date(&mut self) -> NaiveDate {
        NaiveDate::from_ymd_opt(
            i32::try_from(self.range(1990, 2030)).unwrap_or(2000),
            u32::try_from(self.range(1, 12)).unwrap_or(1),
            u32::try_from(self.range(1, 28)).unwrap_or(1),
        )
        .unwrap_or_default()
    }

    fn datetime(&mut self) -> NaiveDateTime {
        let micros = u32::try_from(self.range(0, 999_999)).unwrap_or(0);
        self.date()
            .and_hms_micro_opt(
                u32::try_from(self.range(0, 23)).unwrap_or(0),
                u32::try_from(self.range(0, 59)).unwrap_or(0),
                u32::try_from(self.range(0, 59)).unwrap_or(0),
                micros,
            )
            .unwrap_or_default()
    }
}

/// The rows, as inserted (with keys).
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub items: Vec<Item>,
    pub people: Vec<Person>,
    pub sales: Vec<Sale>,
    pub categories: Vec<Category>,
    pub tags: Vec<Tag>,
}

/// The fixture's rows, generated from a fixed seed (keys as the database
/// will assign them: 1, 2, …).
pub fn rows() -> Rows {
    let mut r = Rng::new(20_261_121);
    let mut rows = Rows::default();
    for id in 1..=120 {
        let name = if id <= TEXTS.len() as i64 {
            TEXTS[usize::try_from(id - 1).unwrap_or(0)].to_owned()
        } else {
            r.text()
        };
        rows.items.push(Item {
            id,
            name,
            code: r
                .chance(70)
                .then(|| format!("{}-{}", r.pick(&["AB", "ab", "X_", "%%", "Zz"]), r.range(0, 99))),
            price: r.range(-20, 2000),
            cost: r.money(),
            weight: r.range(0, 4000) as f32 / 8.0,
            stock: i32::try_from(r.range(-5, 300)).unwrap_or(0),
            rank: i16::try_from(r.range(-3, 12)).unwrap_or(0),
            active: r.chance(75),
            rating: r.chance(80).then(|| r.range(0, 50) as f64 / 10.0),
            added: r.date(),
            updated: r.datetime(),
            image: r.chance(30).then(|| {
                (0..r.range(0, 12))
                    .map(|i| u8::try_from((i * 37) % 256).unwrap_or(0))
                    .collect()
            }),
        });
    }
    for id in 1..=150 {
        rows.people.push(Person {
            id,
            name: r.text(),
            email: r.chance(65).then(|| {
                format!(
                    "{}@{}",
                    r.pick(&["ann", "Bob", "c_d", "e%f", "ü"]),
                    r.pick(&["example.com", "EXAMPLE.com", "mail.fr"])
                )
            }),
            country: (*r.pick(COUNTRIES)).to_owned(),
            age: r.chance(85).then(|| i32::try_from(r.range(0, 99)).unwrap_or(0)),
            balance: r.money(),
            vip: r.chance(20),
            born: r.chance(60).then(|| r.date()),
            last_seen: r.chance(50).then(|| r.datetime().and_utc()),
        });
    }
    for id in 1..=300 {
        rows.sales.push(Sale {
            id,
            person: Ref::new(r.range(1, 150)),
            item: Ref::new(r.range(1, 120)),
            quantity: i32::try_from(r.range(0, 20)).unwrap_or(0),
            amount: r.money(),
            note: r.chance(40).then(|| r.text()),
            at: r.datetime(),
        });
    }
    for n in 0..20_i32 {
        let parent = (n >= 4).then(|| Ref::new(format!("cat-{}", n % 4)));
        rows.categories.push(Category {
            code: format!("cat-{n}"),
            title: r.text(),
            parent,
            position: n * 3 - 20,
        });
    }
    let labels = ["new", "sale", "Sale", "50%", "a_b", "ünï", "", "x"];
    for item in 1..=60_i64 {
        for label in labels.iter().take(usize::try_from(item % 4).unwrap_or(0)) {
            rows.tags.push(Tag {
                item: Ref::new(item),
                label: (*label).to_owned(),
                weight: i16::try_from(r.range(-10, 10)).unwrap_or(0),
            });
        }
    }
    rows
}

/// Creates the fixture's tables in `db` and inserts `rows`.
pub fn load(db: &Database, rows: &Rows) -> foal::Result<()> {
    db.create_table::<Item>()?;
    db.create_table::<Person>()?;
    db.create_table::<Sale>()?;
    db.create_table::<Category>()?;
    db.create_table::<Tag>()?;
    let inserted = db.insert_all(rows.items.clone())?;
    assert_eq!(inserted, rows.items, "generated keys follow insertion order");
    db.insert_all(rows.people.clone())?;
    db.insert_all(rows.sales.clone())?;
    // Parents first: a category references an earlier one.
    db.insert_all(rows.categories.clone())?;
    db.insert_all(rows.tags.clone())?;
    Ok(())
}

//! Caches of translated queries.
//!
//! Each `select!` call site owns a static [`Site`]. The first execution of a
//! site with a given *shape* (which parameters are `None`, how long each
//! `IN` list is, rounded up to a power of two) runs the generated builder
//! once and keeps the tree; each dialect and mode (rows, count, exists,
//! first) is rendered once, on first use. Later executions cost one atomic
//! load (or a short scan of the site's variants) and no translation.
//!
//! Bounds and failure modes:
//! - a site keeps at most [`MAX_VARIANTS`] shapes; further shapes are built
//!   and rendered on every call (correct, slower);
//! - a shape is cached only when the query has at most 32 parameters that
//!   are `None` or lists, and each list has at most 4096 items;
//! - queries composed at run time (`select!(q.filter(..))`) are cached in
//!   one process-wide LRU of [`COMPOSED_CAPACITY`] entries keyed by the
//!   base query's entry, the composing site and the shape; evicted entries
//!   are rebuilt on next use.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use crate::dialects::{Dialect, Expr, Rendered, Select, SelectItem, Statement};
use crate::dsl::Built;
use crate::error::CallSite;
use crate::types::Value;

/// Shapes kept per call site.
pub const MAX_VARIANTS: usize = 64;
/// Entries of the LRU of runtime-composed queries.
pub const COMPOSED_CAPACITY: usize = 512;

thread_local! {
    static BUILDS: Cell<u64> = const { Cell::new(0) };
    static RENDERS: Cell<u64> = const { Cell::new(0) };
    static UNCACHED: Cell<bool> = const { Cell::new(false) };
}

/// While on, this thread's `select!` calls translate and render as on
/// their first execution (for benchmarks of that cost).
#[doc(hidden)]
pub fn translate_every_time(on: bool) {
    UNCACHED.with(|u| u.set(on));
}

/// How many query translations and renderings this thread has performed so
/// far. A cached execution changes neither.
pub fn translation_counts() -> (u64, u64) {
    (BUILDS.with(Cell::get), RENDERS.with(Cell::get))
}

/// What a rendering is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Rows = 0,
    Count = 1,
    Exists = 2,
    First = 3,
    /// `DELETE` of the rows (`q.delete(..)`).
    Delete = 4,
    /// `UPDATE` of the rows (`.update(|p| …)`).
    Update = 5,
}

const MODES: usize = 6;

/// A translated query of one shape: its tree and its renderings.
pub(crate) struct Entry {
    pub(crate) id: u64,
    pub(crate) select: Select,
    /// Alias of the entity the rows are, when the projection is one entity.
    pub(crate) root: Option<String>,
    /// Assignments of a bulk update.
    pub(crate) sets: Vec<(String, Expr)>,
    /// The CTE this entry's rows are, when it stands for the rows a
    /// recursive query found so far (`prev`): a source reads the CTE by name.
    pub(crate) cte: Option<String>,
    /// Why the query cannot run, found as it was composed (a recursive
    /// step that does not read `prev`): running it returns this error.
    pub(crate) problem: Option<String>,
    /// The parameters that count rows (LIMIT, OFFSET), anywhere in the
    /// statement: each run checks that none is negative.
    pub(crate) counts: Vec<u16>,
    rendered: [[OnceLock<Rendered>; 3]; MODES],
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Entry {
    pub(crate) fn new(built: Built) -> Entry {
        BUILDS.with(|b| b.set(b.get() + 1));
        let mut select = built.select;
        // A query value read twice in the statement is rendered once.
        select.share_repeated();
        select.number_ctes();
        select.factor_conditions();
        let (counts, negative) = select.row_counts();
        let problem = built
            .problem
            .or_else(|| negative.map(|n| format!("LIMIT and OFFSET count rows and cannot be negative, found {n}")));
        Entry {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            select,
            root: built.root,
            sets: built.sets,
            cte: built.cte,
            problem,
            counts,
            rendered: Default::default(),
        }
    }

    #[inline]
    pub(crate) fn rendered(&self, mode: Mode, dialect: Dialect) -> &Rendered {
        match self.rendered[mode as usize][dialect.index()].get() {
            Some(r) => r,
            None => self.rendered_with(mode, dialect, || Statement::Select(self.statement(mode))),
        }
    }

    /// The rendering of `mode`, building its statement on first use.
    pub(crate) fn rendered_with(
        &self,
        mode: Mode,
        dialect: Dialect,
        statement: impl FnOnce() -> Statement,
    ) -> &Rendered {
        self.rendered[mode as usize][dialect.index()].get_or_init(|| {
            RENDERS.with(|r| r.set(r.get() + 1));
            dialect.render(&statement())
        })
    }

    /// The SELECT of `mode`.
    pub(crate) fn statement(&self, mode: Mode) -> Select {
        let s = &self.select;
        let plain =
            !s.distinct && s.group_by.is_empty() && s.having.is_none() && s.limit.is_none() && s.offset.is_none();
        match mode {
            Mode::Rows | Mode::Delete | Mode::Update => s.clone(),
            Mode::First if s.limit.is_none() => Select {
                limit: Some(Expr::int(1)),
                ..s.clone()
            },
            Mode::First => s.clone(),
            Mode::Count if plain => Select {
                items: vec![item(count_rows())],
                order_by: Vec::new(),
                ..s.clone()
            },
            Mode::Count => Select {
                items: vec![item(count_rows())],
                from: vec![derived(s)],
                ..Select::default()
            },
            Mode::Exists => {
                let mut inner = s.clone();
                if plain {
                    inner.items = vec![item(Expr::int(1))];
                    inner.order_by.clear();
                }
                Select {
                    items: vec![item(Expr::Exists {
                        query: Box::new(inner),
                        negated: false,
                    })],
                    ..Select::default()
                }
            }
        }
    }

    /// The SQL text of `mode` with values inlined.
    pub(crate) fn inline(&self, mode: Mode, dialect: Dialect, params: &[Value]) -> String {
        let statement = Statement::Select(self.statement(mode));
        dialect.render_inline(&statement, &crate::types::Inline(params))
    }
}

fn item(expr: Expr) -> SelectItem {
    SelectItem { expr, alias: None }
}

fn count_rows() -> Expr {
    Expr::Aggregate {
        func: crate::dialects::AggFunc::CountRows,
        distinct: false,
        arg: None,
        separator: None,
    }
}

/// `(select) AS t`, with every column named so MySQL accepts duplicates.
fn derived(s: &Select) -> crate::dialects::Join {
    let mut inner = s.clone();
    for (i, item) in inner.items.iter_mut().enumerate() {
        item.alias = Some(format!("c{i}"));
    }
    crate::dialects::Join {
        kind: crate::dialects::JoinKind::Cross,
        source: crate::dialects::TableSource::Query(Box::new(inner)),
        alias: "t".to_owned(),
        on: None,
    }
}

/// A cached entry: leaked for the life of the program when it belongs to a
/// call site (bounded per site), shared otherwise.
#[derive(Clone)]
pub(crate) enum EntryRef {
    Static(&'static Entry),
    Shared(Arc<Entry>),
}

impl std::ops::Deref for EntryRef {
    type Target = Entry;
    #[inline]
    fn deref(&self) -> &Entry {
        match self {
            EntryRef::Static(e) => e,
            EntryRef::Shared(e) => e,
        }
    }
}

/// The static state of one `select!` call site.
pub struct Site {
    pub(crate) at: CallSite,
    /// The query as written, for messages and the demo.
    pub source: &'static str,
    plain: OnceLock<&'static Entry>,
    variants: RwLock<Vec<(u128, &'static Entry)>>,
}

impl Site {
    /// The site of the `select!` this is called from (in a `static`).
    #[doc(hidden)]
    #[track_caller]
    pub const fn new(source: &'static str) -> Site {
        Site {
            at: CallSite::caller(),
            source,
            plain: OnceLock::new(),
            variants: RwLock::new(Vec::new()),
        }
    }

    /// Where the query is written.
    pub fn call_site(&self) -> CallSite {
        self.at
    }

    /// The entry of `shape`, building it with `build` on first use. The
    /// common case (no parameter changes the SQL, already built) is a load.
    #[inline]
    pub(crate) fn entry(&'static self, shape: Option<u128>, build: &mut dyn FnMut() -> Built) -> EntryRef {
        if shape == Some(0)
            && let Some(e) = self.plain.get()
            && !UNCACHED.with(Cell::get)
        {
            return EntryRef::Static(e);
        }
        self.entry_slow(shape, build)
    }

    /// `build` is a `dyn` so that this code exists once, not once per call
    /// site (each site's builder is its own closure type).
    #[inline(never)]
    fn entry_slow(&'static self, shape: Option<u128>, build: &mut dyn FnMut() -> Built) -> EntryRef {
        if UNCACHED.with(Cell::get) {
            return EntryRef::Shared(Arc::new(Entry::new(build())));
        }
        match shape {
            Some(0) => EntryRef::Static(self.plain.get_or_init(|| Box::leak(Box::new(Entry::new(build()))))),
            Some(key) => {
                if let Ok(variants) = self.variants.read()
                    && let Some((_, e)) = variants.iter().find(|(k, _)| *k == key)
                {
                    return EntryRef::Static(e);
                }
                let entry = Entry::new(build());
                match self.variants.write() {
                    Ok(mut variants) if variants.len() < MAX_VARIANTS => {
                        if let Some((_, e)) = variants.iter().find(|(k, _)| *k == key) {
                            return EntryRef::Static(e);
                        }
                        let leaked: &'static Entry = Box::leak(Box::new(entry));
                        variants.push((key, leaked));
                        EntryRef::Static(leaked)
                    }
                    _ => EntryRef::Shared(Arc::new(entry)),
                }
            }
            None => EntryRef::Shared(Arc::new(Entry::new(build()))),
        }
    }
}

/// The shape key of a parameter list: one 4-bit digit per parameter.
/// `None` when the shape is not cacheable.
#[inline]
pub(crate) fn shape_of(params: &[Value]) -> Option<u128> {
    let mut key = 0u128;
    for (i, value) in params.iter().enumerate() {
        let digit = value.shape_digit()?;
        if digit != 0 {
            if i >= 32 {
                return None;
            }
            key |= u128::from(digit) << (4 * i);
        }
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::shape_of;
    use crate::types::Value;

    fn list(n: usize) -> Value {
        Value::List((0..n).map(|i| Value::Int(i as i64)).collect())
    }

    #[test]
    fn values_that_do_not_change_the_sql_have_shape_zero() {
        assert_eq!(shape_of(&[]), Some(0));
        assert_eq!(
            shape_of(&[Value::Int(3), Value::Text("x".into()), Value::Bool(true)]),
            Some(0)
        );
    }

    #[test]
    fn a_none_and_each_list_length_class_have_a_digit_of_their_own() {
        assert_eq!(shape_of(&[Value::Null]), Some(1));
        assert_eq!(shape_of(&[Value::Int(1), Value::Null]), Some(1 << 4));
        assert_eq!(shape_of(&[list(0)]), Some(2));
        // 1, 2, 3..=4, 5..=8 items: 2^0, 2^1, 2^2, 2^3 placeholders.
        let digits: Vec<Option<u128>> = [1, 2, 3, 4, 5, 8, 9].iter().map(|&n| shape_of(&[list(n)])).collect();
        assert_eq!(digits, [Some(3), Some(4), Some(5), Some(5), Some(6), Some(6), Some(7)]);
        assert_ne!(shape_of(&[list(3), Value::Null]), shape_of(&[Value::Null, list(3)]));
    }

    #[test]
    fn shapes_beyond_what_a_key_holds_are_not_cached() {
        // Up to LONG_LIST items a list has placeholders of its own (padded
        // to a power of two); longer ones are one parameter, one shape
        // whatever their length.
        assert_eq!(shape_of(&[list(crate::types::LONG_LIST)]), Some(13));
        assert_eq!(shape_of(&[list(crate::types::LONG_LIST + 1)]), Some(14));
        assert_eq!(shape_of(&[list(100_000)]), Some(14));
        // A changing parameter past the 32nd is not cached.
        let mut many = vec![Value::Int(0); 32];
        assert_eq!(shape_of(&many), Some(0));
        many.push(Value::Null);
        assert_eq!(shape_of(&many), None);
    }
}

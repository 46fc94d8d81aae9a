//! The builder a `select!` call site runs once per shape: it collects the
//! sources, conditions, ordering and projection into an SQL tree.
//!
//! `sources.rs` adds tables, joins and query values, and names the columns
//! of each variable; `subquery.rs` opens the scopes of generators;
//! `qualify.rs` applies conditions on window functions after them.

mod qualify;
mod sources;
mod subquery;

use std::cell::RefCell;

use crate::dialects::{self as sql, JoinKind, OrderBy, Select, SelectItem, Type};
use crate::dsl::methods::HostList;
use crate::dsl::ops::SqlBool;
use crate::dsl::{Expr, IntoOrderKey, Item, Projection};
use crate::types::{ToValue, Value};

pub(crate) use sources::positional;
pub use subquery::Sub;

/// One SELECT being built (the query, or a subquery inside it).
#[derive(Default)]
struct Scope {
    select: Select,
    /// Where the next ORDER BY key goes: keys of a composed query come
    /// before the keys of the query it refines, as a later stable sort wins.
    order_at: usize,
    /// References already followed in this scope: (the referencing
    /// columns, whether the join is a left join, the joined variable), so a
    /// path appearing many times joins once.
    follows: Vec<(sql::Expr, bool, u16)>,
    /// Conditions on window functions: applied after the window is
    /// computed, by a query around this one.
    qualify: Option<sql::Expr>,
    /// A column of the scope's first source, which every aggregate of a
    /// subquery reads so that it belongs to the subquery
    /// ([`Select::anchor_aggregates`]).
    anchor: Option<sql::Expr>,
    /// Whether a `for` variable of the scope's own was declared (rows
    /// followed through references are not).
    looped: bool,
}

/// How the columns of a variable's row are named.
#[derive(Debug, Clone, PartialEq)]
enum Naming {
    /// By the entity's column names: a table, or a query merged in place.
    Named,
    /// Positionally, `c{first + k}` for the entity's column `k`: the rows of
    /// a query value (a derived table or CTE).
    Positional(usize),
    /// Looked up through a reference, one scalar subquery per column: a
    /// reference followed inside the condition of an explicit join, where a
    /// join of its own would come after the condition that reads it.
    Lookup {
        table: &'static str,
        key: Vec<String>,
        reference: Vec<sql::Expr>,
    },
}

/// An explicit join whose condition is being built (`Order.join(|o| …)`):
/// its table enters the FROM clause with the condition.
struct Pending {
    var: u16,
    kind: JoinKind,
    source: sql::TableSource,
    /// A condition the join has before the user's (a relation's link).
    link: Option<sql::Expr>,
    /// A column of its rows (see `Scope::anchor`).
    anchor: String,
}

#[derive(Default)]
struct State {
    /// Alias of each variable (and each internal alias), by id.
    aliases: Vec<String>,
    /// The scope depth each alias was declared in.
    depths: Vec<usize>,
    /// How each variable's columns are named.
    naming: Vec<Naming>,
    scopes: Vec<Scope>,
    /// Assignments of a bulk update.
    sets: Vec<(String, sql::Expr)>,
    pending: Option<Pending>,
}

/// Collects a query's parts. Generated code calls its methods; users never
/// see it.
pub struct Builder {
    state: RefCell<State>,
    param_offset: u16,
}

/// The result of building: the tree, and which variable the rows are, when
/// they are one entity (so the query can be refined further in place).
pub(crate) struct Built {
    pub(crate) select: Select,
    pub(crate) root: Option<String>,
    /// Assignments of a bulk update (`.update(|p| { p.x = … })`).
    pub(crate) sets: Vec<(String, sql::Expr)>,
    /// The CTE the rows are, for the rows a recursive query has found so
    /// far (`prev`): a query reading them reads the CTE by name.
    pub(crate) cte: Option<String>,
    /// Why the query cannot run, when it was composed wrongly.
    pub(crate) problem: Option<String>,
}

impl Built {
    /// A tree made by foal rather than by a builder (set operations,
    /// recursive queries): rows of no one entity, nothing to update.
    pub(crate) fn of(select: Select) -> Built {
        Built {
            select,
            root: None,
            sets: Vec::new(),
            cte: None,
            problem: None,
        }
    }
}

/// A list computed in Rust, bound as one parameter.
pub struct ListParam<E> {
    pub(crate) index: u16,
    pub(crate) ty: Type,
    pub(crate) len: u32,
    _e: std::marker::PhantomData<fn() -> E>,
}

/// Whether `e` is a literal or a parameter: the same on every row.
fn is_constant(e: &sql::Expr) -> bool {
    matches!(e, sql::Expr::Literal(_) | sql::Expr::Param { .. })
}

/// A variable's id. A query has far fewer than 65 536 tables.
#[allow(clippy::expect_used)]
fn id16(index: usize) -> u16 {
    u16::try_from(index).expect("invariant: a query has fewer than 65 536 variables")
}

/// Integer types accepted by `limit`, `offset` and `page`.
#[diagnostic::on_unimplemented(
    message = "`limit`, `offset` and `page` take an integer, found `{Self}`",
    label = "expected an integer"
)]
pub trait SqlInt {}
impl SqlInt for i32 {}
impl SqlInt for i64 {}
impl SqlInt for u32 {}
impl SqlInt for usize {}
impl<T: SqlInt> SqlInt for &T {}

impl Builder {
    pub(crate) fn new(param_offset: u16) -> Self {
        Builder {
            state: RefCell::new(State {
                scopes: vec![Scope::default()],
                ..State::default()
            }),
            param_offset,
        }
    }

    /// The alias of variable `id`.
    #[allow(clippy::expect_used)]
    pub fn alias(&self, id: u16) -> String {
        self.state
            .borrow()
            .aliases
            .get(usize::from(id))
            .cloned()
            .expect("invariant: every variable has an alias")
    }

    fn fresh_alias(st: &mut State, name: &str) -> u16 {
        let mut alias = name.to_owned();
        let mut n = 2;
        while st.aliases.contains(&alias) {
            alias = format!("{name}{n}");
            n += 1;
        }
        st.aliases.push(alias);
        st.depths.push(st.scopes.len().saturating_sub(1));
        st.naming.push(Naming::Named);
        id16(st.aliases.len() - 1)
    }

    /// An alias no other table of the query uses, for subqueries foal adds.
    pub(crate) fn scratch_alias(&self, name: &str) -> String {
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        st.aliases[usize::from(id)].clone()
    }

    /// Runs `f` on the innermost scope (the query's, or a subquery's).
    #[allow(clippy::expect_used)]
    fn with_scope<R>(&self, f: impl FnOnce(&mut Scope) -> R) -> R {
        let mut st = self.state.borrow_mut();
        let scope = st
            .scopes
            .last_mut()
            .expect("invariant: the query's own scope is never popped");
        f(scope)
    }

    /// `if cond` / `.filter(|p| cond)`: WHERE, HAVING when the condition
    /// aggregates, or after the window when it reads a window function.
    pub fn filter<C: SqlBool>(&self, cond: Expr<C>) {
        let (node, agg) = (cond.node, cond.agg);
        self.with_scope(|s| {
            if node.contains_window() {
                s.qualify = Some(match s.qualify.take() {
                    Some(existing) => existing.and(node),
                    None => node,
                });
            } else if agg {
                s.select.and_having(node);
            } else {
                s.select.and_where(node);
            }
        });
    }

    pub fn order<K: IntoOrderKey>(&self, key: K) {
        let key = key.into_key();
        if is_constant(&key.expr) {
            // The same on every row, it orders nothing; written out, an
            // integer would be read as an item's position (bug 4 of
            // issue 12), on MySQL even a bound one.
            return;
        }
        self.with_scope(|s| {
            let at = s.order_at.min(s.select.order_by.len());
            s.select.order_by.insert(
                at,
                OrderBy {
                    expr: key.expr,
                    desc: key.desc,
                    nullable: key.nullable,
                },
            );
            s.order_at = at + 1;
        });
    }

    pub fn limit<T: SqlInt>(&self, n: Expr<T>) {
        self.with_scope(|s| s.select.limit = Some(n.node));
    }

    pub fn offset<T: SqlInt>(&self, n: Expr<T>) {
        self.with_scope(|s| s.select.offset = Some(n.node));
    }

    pub fn distinct(&self) {
        self.with_scope(|s| s.select.distinct = true);
    }

    /// A value computed in Rust, bound as parameter `index`. A `None`
    /// becomes NULL in the tree (the shape key tells the variants apart),
    /// an expression that is missing wherever it goes (`if c { None } else
    /// { x } == y` compares null-safely).
    pub fn param<V: ToValue>(&self, index: u16, value: &V) -> Expr<V> {
        match value.to_value() {
            Value::Null => Expr::with(sql::Expr::Literal(sql::Literal::Null), false, true),
            _ => Expr::plain(sql::Expr::Param {
                index: self.param_offset + index,
                ty: V::TYPE,
            }),
        }
    }

    /// A string literal of the query's source, bound as parameter `index`.
    /// It is typed `String`, so it can be compared, selected or be a branch
    /// wherever a text column can.
    pub fn text(&self, index: u16) -> Expr<String> {
        Expr::plain(sql::Expr::Param {
            index: self.param_offset + index,
            ty: Type::Text,
        })
    }

    /// A text constant of the query's source (`o.state == "SHIPPED"`, the
    /// pattern of `starts_with("iPad")`): code, not data, so it is written
    /// into the SQL as an escaped constant, where a planner sees it: SQLite
    /// plans without looking at bound values, and PostgreSQL's generic plan
    /// of a prepared statement estimates a constant better than a
    /// parameter.
    pub fn source_text(&self, text: &'static str) -> Expr<String> {
        Expr::plain(sql::Expr::Literal(sql::Literal::Str(text.to_owned())))
    }

    /// A list computed in Rust for `contains`, bound as parameter `index`.
    pub fn list<L>(&self, index: u16, list: &L) -> ListParam<L::Elem>
    where
        L: HostList + ?Sized,
        L::Elem: ToValue,
    {
        let len = Value::List(list.values()).padded_len();
        ListParam {
            index: self.param_offset + index,
            ty: <L::Elem as ToValue>::TYPE,
            len,
            _e: std::marker::PhantomData,
        }
    }

    /// Completes the current scope with its projection, inferring GROUP BY:
    /// when some items aggregate (or a condition went to HAVING), the others
    /// are the grouping keys.
    pub(crate) fn project<P: Projection>(&self, projection: P) -> Built {
        let root = projection
            .root()
            .filter(|&id| self.is_named(id))
            .map(|id| self.alias(id));
        let mut items: Vec<Item> = Vec::new();
        projection.items(self, &mut items);
        self.finish(root, items)
    }

    /// A query with nothing selected (what a builder run twice would give;
    /// the caches never do that).
    pub(crate) fn finish_empty(&self) -> Built {
        self.finish(None, Vec::new())
    }

    /// The tree, once the projection's items are known (not generic, so it
    /// is compiled once rather than per projection type).
    fn finish(&self, root: Option<String>, items: Vec<Item>) -> Built {
        let (mut select, qualify) = self.with_scope(|s| (std::mem::take(&mut s.select), s.qualify.take()));
        let aggregates = items.iter().any(|i| i.agg) || select.having.is_some();
        if aggregates {
            // Window values are computed after grouping: never keys.
            let keys: Vec<sql::Expr> = items
                .iter()
                .filter(|i| !i.agg && !i.expr.contains_window())
                .map(|i| i.expr.clone())
                .collect();
            // A constant key splits no group, and an integer one would be
            // read as an item's position (bug 4 of issue 12); when every key
            // is constant, `NULL IS NULL` keeps the query grouped (no rows,
            // no groups) without naming a position.
            let varying: Vec<sql::Expr> = keys.iter().filter(|k| !is_constant(k)).cloned().collect();
            select.group_by = if varying.is_empty() && !keys.is_empty() {
                vec![sql::Expr::is_null(sql::Expr::Literal(sql::Literal::Null), false)]
            } else {
                varying
            };
        }
        select.items = items
            .into_iter()
            .map(|i| SelectItem {
                expr: i.expr,
                alias: None,
            })
            .collect();
        let qualified = qualify.is_some();
        if let Some(condition) = qualify {
            let alias = self.scratch_alias("foal_w");
            select = qualify::after_windows(select, condition, &alias);
        }
        let root = if aggregates || select.distinct || qualified {
            None
        } else {
            root
        };
        let sets = std::mem::take(&mut self.state.borrow_mut().sets);
        Built {
            select,
            root,
            sets,
            cte: None,
            problem: None,
        }
    }

    /// `.for_update()`: locks the rows read until the transaction ends.
    pub fn lock(&self, lock: sql::Lock) {
        self.with_scope(|s| s.select.lock = Some(lock));
    }

    /// `p.field = value` in `.update(|p| { … })`.
    pub(crate) fn assign(&self, column: sql::Expr, value: sql::Expr) {
        let mut st = self.state.borrow_mut();
        let pairs: Vec<(sql::Expr, sql::Expr)> = match (column, value) {
            (sql::Expr::Tuple(cs), sql::Expr::Tuple(vs)) => cs.into_iter().zip(vs).collect(),
            (c, v) => vec![(c, v)],
        };
        for (c, v) in pairs {
            if let sql::Expr::Column(c) = c {
                st.sets.retain(|(name, _)| *name != c.column);
                st.sets.push((c.column, v));
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::Builder;
    use crate::dialects::{self as sql, AggFunc};
    use crate::dsl::Expr;

    fn column(name: &str) -> Expr<i64> {
        Expr::plain(sql::Expr::column("t", name))
    }

    fn total(name: &str) -> Expr<i64> {
        let sum = sql::Expr::Aggregate {
            func: AggFunc::Sum,
            distinct: false,
            arg: Some(Box::new(sql::Expr::column("t", name))),
            separator: None,
        };
        Expr::with(sum, true, false)
    }

    #[test]
    fn the_items_that_do_not_aggregate_are_the_grouping_keys() {
        let b = Builder::new(0);
        let built = b.project((column("country"), total("amount"), column("city")));
        assert_eq!(
            built.select.group_by,
            [sql::Expr::column("t", "country"), sql::Expr::column("t", "city")]
        );
        assert!(built.root.is_none(), "grouped rows are not one entity's");
    }

    #[test]
    fn a_none_parameter_may_be_missing_wherever_it_goes() {
        let b = Builder::new(0);
        let none = b.param(0, &None::<i64>);
        assert!(none.nullable);
        // `(if c { None } else { None }) == x` compares null-safely, as
        // `None == None` holds in Rust: `=` would be false.
        let cond = Expr::<bool>::plain(sql::Expr::column("t", "flag"));
        let case = crate::dsl::methods::case(cond, none.clone(), none);
        let x = Expr::<Option<i64>>::with(sql::Expr::column("t", "x"), false, true);
        let eq = crate::dsl::ops::eq(crate::dsl::ops::pair(case, x));
        assert!(matches!(eq.node, sql::Expr::IsNotDistinct { .. }), "{:?}", eq.node);
    }

    #[test]
    fn without_an_aggregate_nothing_is_grouped() {
        let b = Builder::new(0);
        let built = b.project((column("country"), column("city")));
        assert!(built.select.group_by.is_empty());
    }

    #[test]
    fn a_condition_on_an_aggregate_goes_to_having_and_groups_by_the_items() {
        let b = Builder::new(0);
        let positive = Expr::<bool>::with(
            sql::Expr::binary(sql::BinaryOp::Gt, total("amount").node, sql::Expr::int(0)),
            true,
            false,
        );
        b.filter(positive);
        let built = b.project(column("country"));
        assert!(built.select.having.is_some());
        assert!(built.select.filter.is_none());
        assert_eq!(built.select.group_by, [sql::Expr::column("t", "country")]);
    }
}

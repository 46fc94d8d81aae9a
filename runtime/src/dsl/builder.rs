//! The builder a `select!` call site runs once per shape: it collects the
//! sources, conditions, ordering and projection into an SQL tree.

use std::cell::RefCell;

use crate::dialects::{self as sql, Join, JoinKind, OrderBy, Select, SelectItem, TableSource, Type};
use crate::dsl::methods::HostList;
use crate::dsl::ops::SqlBool;
use crate::dsl::relations::ManyPath;
use crate::dsl::{Expr, IntoOrderKey, Item, Projection};
use crate::dsl::{Nullability, Optional, Var};
use crate::entity::Entity;
use crate::types::{ToValue, Value};

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
}

#[derive(Default)]
struct State {
    /// Alias of each variable (and each internal alias), by id.
    aliases: Vec<String>,
    /// The scope depth each alias was declared in.
    depths: Vec<usize>,
    scopes: Vec<Scope>,
    /// Assignments of a bulk update.
    sets: Vec<(String, sql::Expr)>,
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
}

/// A list computed in Rust, bound as one parameter.
pub struct ListParam<E> {
    pub(crate) index: u16,
    pub(crate) ty: Type,
    pub(crate) len: u32,
    _e: std::marker::PhantomData<fn() -> E>,
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
                aliases: Vec::new(),
                depths: Vec::new(),
                sets: Vec::new(),

                scopes: vec![Scope::default()],
            }),
            param_offset,
        }
    }

    /// A builder that refines an existing query whose rows are the entity
    /// at `root`. Returns the builder and the variable standing for a row.
    #[allow(clippy::expect_used)]
    pub(crate) fn refine<E>(base: &Select, root: Option<&str>, param_offset: u16) -> (Builder, Var<E>) {
        let b = Builder::new(param_offset);
        let mergeable = root.is_some()
            && !base.distinct
            && base.limit.is_none()
            && base.offset.is_none()
            && base.group_by.is_empty()
            && base.having.is_none();
        let var = {
            let mut st = b.state.borrow_mut();
            match root {
                Some(root) if mergeable => {
                    st.aliases.extend(base.from.iter().map(|j| j.alias.clone()));
                    st.depths.extend(base.from.iter().map(|_| 0));
                    let id = st
                        .aliases
                        .iter()
                        .position(|a| a == root)
                        .expect("invariant: a query's root variable is one of its tables");
                    st.scopes[0].select = base.clone();
                    Var::new(id16(id))
                }
                _ => {
                    let mut inner = base.clone();
                    for item in &mut inner.items {
                        if item.alias.is_none()
                            && let sql::Expr::Column(c) = &item.expr
                        {
                            item.alias = Some(c.column.clone());
                        }
                    }
                    st.aliases.push("q".to_owned());
                    st.depths.push(0);
                    st.scopes[0].select.from.push(Join {
                        kind: JoinKind::Cross,
                        source: TableSource::Query(Box::new(inner)),
                        alias: "q".to_owned(),
                        on: None,
                    });
                    Var::new(0)
                }
            }
        };
        (b, var)
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
        id16(st.aliases.len() - 1)
    }

    /// An alias no other table of the query uses, for subqueries foal adds.
    pub(crate) fn scratch_alias(&self, name: &str) -> String {
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        st.aliases[usize::from(id)].clone()
    }

    /// Adds a table joined on `on` to the current scope; returns its variable.
    fn add_join(&self, table: &str, name: &str, kind: JoinKind, on: impl FnOnce(&str) -> sql::Expr) -> u16 {
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        let alias = st.aliases[usize::from(id)].clone();
        let on = on(&alias);
        if let Some(scope) = st.scopes.last_mut() {
            let select = &mut scope.select;
            if select.from.is_empty() {
                // The first table of a FROM clause has no ON: its condition
                // is the scope's WHERE. In a subquery it is often the only
                // link back to the outer row (`count(x for x in
                // o.customer.orders)` follows `o.customer` first).
                select.from.push(Join {
                    kind: JoinKind::Cross,
                    source: TableSource::Table(table.to_owned()),
                    alias,
                    on: None,
                });
                select.and_where(on);
            } else {
                select.from.push(Join {
                    kind,
                    source: TableSource::Table(table.to_owned()),
                    alias,
                    on: Some(on),
                });
            }
        }
        id
    }

    /// Follows a reference (`o.customer`) to the row it points at: joins the
    /// referenced table once per path and scope, with an inner join for a
    /// required reference and a left join for an optional one.
    #[allow(clippy::expect_used)]
    pub(crate) fn follow<E: Entity, N: Nullability>(&self, reference: &sql::Expr) -> Var<E, N> {
        let existing = self.with_scope(|s| {
            s.follows
                .iter()
                .find(|(node, optional, _)| node == reference && *optional == N::OPTIONAL)
                .map(|(_, _, id)| *id)
        });
        if let Some(id) = existing {
            return Var::new(id);
        }
        let name = match reference {
            sql::Expr::Column(c) => c.column.clone(),
            _ => E::TABLE.to_owned(),
        };
        let kind = if N::OPTIONAL { JoinKind::Left } else { JoinKind::Inner };
        let referencing = match reference {
            sql::Expr::Tuple(items) => items.clone(),
            single => vec![single.clone()],
        };
        let id = self.add_join(E::TABLE, &name, kind, |alias| {
            crate::dsl::key_nodes::<E>(alias)
                .into_iter()
                .zip(referencing)
                .map(|(k, r)| sql::Expr::binary(sql::BinaryOp::Eq, k, r))
                .reduce(sql::Expr::and)
                .expect("invariant: an entity has a key")
        });
        self.with_scope(|s| s.follows.push((reference.clone(), N::OPTIONAL, id)));
        Var::new(id)
    }

    /// `for o in c.orders`: the linked rows. In the scope of `c` they join
    /// (inner join, or left join when `c` itself may be missing); from a
    /// subquery over an outer `c` they are the subquery's source, correlated
    /// by a condition.
    #[allow(clippy::expect_used)]
    pub fn join<E: Entity, N: Nullability>(&self, path: ManyPath<E, N>, name: &str) -> Var<E, N> {
        let (here, parent_depth) = {
            let st = self.state.borrow();
            let depth = st
                .depths
                .get(usize::from(path.parent))
                .copied()
                .expect("invariant: every variable has a depth");
            (st.scopes.len().saturating_sub(1), depth)
        };
        if parent_depth < here {
            let var = self.source::<E>(name);
            let alias = self.alias(var.id);
            self.with_scope(|s| s.select.and_where(path.condition(&alias)));
            return Var::new(var.id);
        }
        let kind = if N::OPTIONAL { JoinKind::Left } else { JoinKind::Inner };
        Var::new(self.add_join(E::TABLE, name, kind, |alias| path.condition(alias)))
    }

    /// `for o in c.orders.left()`: the linked rows, or one missing row when
    /// there are none (a left join).
    pub fn join_left<E: Entity, N: Nullability>(&self, path: ManyPath<E, N>, name: &str) -> Var<E, Optional> {
        Var::new(self.add_join(E::TABLE, name, JoinKind::Left, |alias| path.condition(alias)))
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

    /// `for p in Product`: the entity's table joins the current query.
    pub fn source<E: Entity>(&self, name: &str) -> Var<E> {
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        let alias = st.aliases[usize::from(id)].clone();
        if let Some(scope) = st.scopes.last_mut() {
            scope.select.from.push(Join {
                kind: JoinKind::Cross,
                source: TableSource::Table(E::TABLE.to_owned()),
                alias,
                on: None,
            });
        }
        Var::new(id)
    }

    /// A query's rows as a source (a derived table). Its columns keep the
    /// names of the entity's columns, so fields read as from the table.
    pub(crate) fn derived<E: Entity>(&self, mut select: Select, name: &str) -> Var<E> {
        for (item, column) in select.items.iter_mut().zip(&E::meta().columns) {
            item.alias = Some(column.name.clone());
        }
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        let alias = st.aliases[usize::from(id)].clone();
        if let Some(scope) = st.scopes.last_mut() {
            scope.select.from.push(Join {
                kind: JoinKind::Cross,
                source: TableSource::Query(Box::new(select)),
                alias,
                on: None,
            });
        }
        Var::new(id)
    }

    /// `if cond` / `.filter(|p| cond)`: WHERE, or HAVING when the condition
    /// aggregates.
    pub fn filter<C: SqlBool>(&self, cond: Expr<C>) {
        let (node, agg) = (cond.node, cond.agg);
        self.with_scope(|s| {
            if agg {
                s.select.and_having(node);
            } else {
                s.select.and_where(node);
            }
        });
    }

    pub fn order<K: IntoOrderKey>(&self, key: K) {
        let key = key.into_key();
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
    /// becomes NULL in the tree (the shape key tells the variants apart).
    pub fn param<V: ToValue>(&self, index: u16, value: &V) -> Expr<V> {
        match value.to_value() {
            Value::Null => Expr::plain(sql::Expr::Literal(sql::Literal::Null)),
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

    /// A subquery yielding one value: `f` adds sources and conditions to a
    /// fresh scope and returns the value (usually an aggregate).
    pub fn subquery<T>(&self, f: impl FnOnce() -> Expr<T>) -> Sub<T>
    where
        Expr<T>: Projection,
    {
        self.state.borrow_mut().scopes.push(Scope::default());
        let value = f();
        let nullable = value.nullable;
        let built = self.project(value);
        self.state.borrow_mut().scopes.pop();
        Sub {
            select: built.select,
            nullable,
            _t: std::marker::PhantomData,
        }
    }

    /// A subquery of rows (`IN (SELECT …)`): `f` adds sources and conditions
    /// and returns what each row is.
    pub fn rows_of<P: Projection>(&self, f: impl FnOnce() -> P) -> Sub<P::Row> {
        self.state.borrow_mut().scopes.push(Scope::default());
        let projection = f();
        let built = self.project(projection);
        self.state.borrow_mut().scopes.pop();
        Sub {
            select: built.select,
            nullable: false,
            _t: std::marker::PhantomData,
        }
    }

    /// A subquery whose rows only matter by existing (`exists(..)`).
    pub fn rows(&self, f: impl FnOnce()) -> Sub<()> {
        self.state.borrow_mut().scopes.push(Scope::default());
        f();
        let mut select = self.with_scope(|s| std::mem::take(&mut s.select));
        select.items = vec![SelectItem {
            expr: sql::Expr::int(1),
            alias: None,
        }];
        self.state.borrow_mut().scopes.pop();
        Sub {
            select,
            nullable: false,
            _t: std::marker::PhantomData,
        }
    }

    /// Completes the current scope with its projection, inferring GROUP BY:
    /// when some items aggregate (or a condition went to HAVING), the others
    /// are the grouping keys.
    pub(crate) fn project<P: Projection>(&self, projection: P) -> Built {
        let root = projection.root().map(|id| self.alias(id));
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
        let mut select = self.with_scope(|s| std::mem::take(&mut s.select));
        let aggregates = items.iter().any(|i| i.agg) || select.having.is_some();
        if aggregates {
            select.group_by = items.iter().filter(|i| !i.agg).map(|i| i.expr.clone()).collect();
        }
        select.items = items
            .into_iter()
            .map(|i| SelectItem {
                expr: i.expr,
                alias: None,
            })
            .collect();
        let root = if aggregates || select.distinct { None } else { root };
        let sets = std::mem::take(&mut self.state.borrow_mut().sets);
        Built { select, root, sets }
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

/// A subquery of rows of `T`.
pub struct Sub<T> {
    pub(crate) select: Select,
    pub(crate) nullable: bool,
    _t: std::marker::PhantomData<fn() -> T>,
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

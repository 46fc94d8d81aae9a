//! What a query reads from: tables, joins through references and to-many
//! relations, explicit joins, and the rows of query values (derived tables
//! and CTEs), with the naming of each variable's columns.

use crate::dialects::{self as sql, Join, JoinKind, Select, SelectItem, TableSource};
use crate::dsl::ops::SqlBool;
use crate::dsl::relations::ManyPath;
use crate::dsl::{Expr, Nullability, Optional, Var};
use crate::entity::{Entity, EntityMeta};

use super::{Builder, Naming, Pending, Scope, id16};

impl Builder {
    /// Whether variable `id` reads its columns by the entity's names (so a
    /// query whose rows it is can be refined in place).
    pub(crate) fn is_named(&self, id: u16) -> bool {
        matches!(self.state.borrow().naming.get(usize::from(id)), Some(Naming::Named))
    }

    /// Column `index` of `meta`'s entity, read through variable `id`.
    #[allow(clippy::expect_used)]
    pub(crate) fn column(&self, id: u16, meta: &EntityMeta, index: usize) -> sql::Expr {
        let (alias, naming) = {
            let st = self.state.borrow();
            let naming = st
                .naming
                .get(usize::from(id))
                .cloned()
                .expect("invariant: every variable has a naming");
            (st.aliases[usize::from(id)].clone(), naming)
        };
        let name = &meta.columns[index].name;
        match naming {
            Naming::Named => sql::Expr::column(alias, name.clone()),
            Naming::Positional(first) => sql::Expr::column(alias, format!("c{}", first + index)),
            Naming::Lookup { table, key, reference } => {
                let at = self.scratch_alias("l");
                let filter = key
                    .iter()
                    .zip(reference)
                    .map(|(k, r)| sql::Expr::binary(sql::BinaryOp::Eq, sql::Expr::column(at.clone(), k.clone()), r))
                    .reduce(sql::Expr::and);
                sql::Expr::Subquery(Box::new(Select {
                    items: vec![SelectItem {
                        expr: sql::Expr::column(at.clone(), name.clone()),
                        alias: None,
                    }],
                    from: vec![Join {
                        kind: JoinKind::Cross,
                        source: TableSource::Table(table.to_owned()),
                        alias: at,
                        on: None,
                    }],
                    filter,
                    ..Select::default()
                }))
            }
        }
    }

    /// The columns of field `field` of `E` through variable `id`: one
    /// column, or a row value for a composite reference.
    pub(crate) fn var_field<E: Entity>(&self, id: u16, field: usize) -> sql::Expr {
        let meta = E::meta();
        let range = meta.fields.get(field).map(|f| f.columns.clone()).unwrap_or(0..0);
        let mut columns: Vec<sql::Expr> = range.map(|c| self.column(id, meta, c)).collect();
        if columns.len() == 1 {
            columns.remove(0)
        } else {
            sql::Expr::Tuple(columns)
        }
    }

    /// The key columns of `E`'s row through variable `id`.
    pub(crate) fn var_key<E: Entity>(&self, id: u16) -> Vec<sql::Expr> {
        if let Some(Naming::Lookup { reference, .. }) = self.state.borrow().naming.get(usize::from(id)) {
            // A looked-up row's key is the reference it was found by.
            return reference.clone();
        }
        let meta = E::meta();
        meta.key.iter().map(|&c| self.column(id, meta, c)).collect()
    }

    /// Every column of `E`'s row through variable `id`.
    pub(crate) fn var_columns<E: Entity>(&self, id: u16) -> Vec<sql::Expr> {
        let meta = E::meta();
        (0..meta.columns.len()).map(|c| self.column(id, meta, c)).collect()
    }

    /// A builder refining `base`, whose rows are the entity at `root`, in
    /// place: the refinement's conditions and order join the base's own.
    /// `None` when the base cannot take them (a limit, grouping, DISTINCT).
    #[allow(clippy::expect_used)]
    pub(crate) fn merged<E>(base: &Select, root: Option<&str>, param_offset: u16) -> Option<(Builder, Var<E>)> {
        let root = root?;
        let mergeable = !base.distinct
            && base.limit.is_none()
            && base.offset.is_none()
            && base.group_by.is_empty()
            && base.having.is_none()
            && base.with.is_empty();
        if !mergeable {
            return None;
        }
        let b = Builder::new(param_offset);
        let id = {
            let mut st = b.state.borrow_mut();
            st.aliases.extend(base.from.iter().map(|j| j.alias.clone()));
            st.depths.extend(base.from.iter().map(|_| 0));
            st.naming.extend(base.from.iter().map(|_| Naming::Named));
            st.scopes[0].select = base.clone();
            st.aliases
                .iter()
                .position(|a| a == root)
                .expect("invariant: a query's root variable is one of its tables")
        };
        Some((b, Var::new(id16(id))))
    }

    /// A builder over the rows of `base` as a derived table; returns it and
    /// the table's variable (columns `c0, c1, …`).
    pub(crate) fn over_rows(base: &Select, param_offset: u16) -> (Builder, u16) {
        let b = Builder::new(param_offset);
        let table = b.rows_source(TableSource::Query(Box::new(positional(base.clone()))), "q");
        (b, table)
    }

    /// `for p in Product`: the entity's table joins the current query.
    pub fn source<E: Entity>(&self, name: &str) -> Var<E> {
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        let alias = st.aliases[usize::from(id)].clone();
        if let Some(scope) = st.scopes.last_mut() {
            scope.anchor_at(&alias, key_column::<E>());
            scope.looped = true;
            scope.select.from.push(Join {
                kind: JoinKind::Cross,
                source: TableSource::Table(E::TABLE.to_owned()),
                alias,
                on: None,
            });
        }
        Var::new(id)
    }

    /// The rows of a query value (a derived table or a CTE, its columns
    /// named `c0, c1, …`) as a source; returns the table's variable, which
    /// the row type's variables read their columns of.
    pub(crate) fn rows_source(&self, source: TableSource, name: &str) -> u16 {
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        st.naming[usize::from(id)] = Naming::Positional(0);
        let alias = st.aliases[usize::from(id)].clone();
        if let Some(scope) = st.scopes.last_mut() {
            scope.anchor_at(&alias, "c0");
            scope.looped = true;
            scope.select.from.push(Join {
                kind: JoinKind::Cross,
                source,
                alias,
                on: None,
            });
        }
        id
    }

    /// A variable reading `E`'s columns from table `table`, from its
    /// column `first` on (an entity in a query value's rows).
    pub(crate) fn positional_var(&self, table: u16, first: usize) -> u16 {
        let mut st = self.state.borrow_mut();
        let at = usize::from(table);
        let (alias, depth) = (st.aliases[at].clone(), st.depths[at]);
        st.aliases.push(alias);
        st.depths.push(depth);
        st.naming.push(Naming::Positional(first));
        id16(st.aliases.len() - 1)
    }

    /// Adds a table joined on `on` to the current scope; returns its variable.
    fn add_join<E: Entity>(&self, name: &str, kind: JoinKind, on: impl FnOnce(&str) -> sql::Expr) -> u16 {
        let mut st = self.state.borrow_mut();
        let id = Builder::fresh_alias(&mut st, name);
        let alias = st.aliases[usize::from(id)].clone();
        let on = on(&alias);
        if let Some(scope) = st.scopes.last_mut() {
            let source = TableSource::Table(E::TABLE.to_owned());
            push_join(scope, kind, source, alias, key_column::<E>(), on);
        }
        id
    }

    /// Follows a reference (`o.customer`) to the row it points at: joins the
    /// referenced table once per path and scope, with an inner join for a
    /// required reference and a left join for an optional one. Inside the
    /// condition of an explicit join, a reference of the row being joined
    /// is looked up instead (a join would come after the condition).
    #[allow(clippy::expect_used)]
    pub(crate) fn follow<E: Entity, N: Nullability>(&self, reference: &sql::Expr) -> Var<E, N> {
        let referencing = match reference {
            sql::Expr::Tuple(items) => items.clone(),
            single => vec![single.clone()],
        };
        if self.reads_pending(reference) {
            let mut st = self.state.borrow_mut();
            let depth = st.scopes.len().saturating_sub(1);
            st.aliases.push(String::new());
            st.depths.push(depth);
            st.naming.push(Naming::Lookup {
                table: E::TABLE,
                key: E::meta().key_columns().map(str::to_owned).collect(),
                reference: referencing,
            });
            return Var::new(id16(st.aliases.len() - 1));
        }
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
        let id = self.add_join::<E>(&name, kind, |alias| {
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

    /// Whether `node` reads the row of the explicit join being built.
    fn reads_pending(&self, node: &sql::Expr) -> bool {
        let alias = {
            let st = self.state.borrow();
            match &st.pending {
                Some(p) => st.aliases[usize::from(p.var)].clone(),
                None => return false,
            }
        };
        let mut found = false;
        let mut probe = node.clone();
        probe.walk_mut(&mut |e| {
            found |= matches!(e, sql::Expr::Column(c) if c.table == alias);
        });
        found
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
        // Rows of a missing row are one missing row (a left join), except
        // as the first source of a generator reached through references
        // (`exists(x for x in p.category.children)`): like the loop in Rust,
        // that generator has no rows when `p.category` is missing.
        // A parent of this scope that no `for` of it declared was reached
        // through references.
        let first_through_reference = here > 0 && self.with_scope(|s| !s.looped);
        let kind = if N::OPTIONAL && !first_through_reference {
            JoinKind::Left
        } else {
            JoinKind::Inner
        };
        let var = self.add_join::<E>(name, kind, |alias| path.condition(alias));
        self.with_scope(|s| s.looped = true);
        Var::new(var)
    }

    /// `for o in c.orders.left()`: the linked rows, or one missing row when
    /// there are none (a left join).
    pub fn join_left<E: Entity, N: Nullability>(&self, path: ManyPath<E, N>, name: &str) -> Var<E, Optional> {
        let var = self.add_join::<E>(name, JoinKind::Left, |alias| path.condition(alias));
        self.with_scope(|s| s.looped = true);
        Var::new(var)
    }

    /// `for o in Order.join(|o| cond)` (and `left_join`, `right_join`,
    /// `full_join`): `o`'s table joins with `kind` on the condition that
    /// follows ([`on`](Builder::on)). The variable is the row as the
    /// condition sees it; the caller makes it optional after an outer join.
    pub fn join_entity<E: Entity>(&self, name: &str, kind: JoinKind) -> Var<E> {
        Var::new(self.pending(
            name,
            kind,
            TableSource::Table(E::TABLE.to_owned()),
            key_column::<E>(),
            Naming::Named,
        ))
    }

    /// `for o in c.orders.left_join(|o| cond)`: the relation's own match,
    /// and the condition.
    pub fn join_path<E: Entity, N: Nullability>(&self, path: ManyPath<E, N>, name: &str, kind: JoinKind) -> Var<E> {
        let id = self.pending(
            name,
            kind,
            TableSource::Table(E::TABLE.to_owned()),
            key_column::<E>(),
            Naming::Named,
        );
        let link = path.condition(&self.alias(id));
        if let Some(p) = self.state.borrow_mut().pending.as_mut() {
            p.link = Some(link);
        }
        Var::new(id)
    }

    /// `for x in q.left_join(|x| cond)`: a query value's rows, joined.
    pub(crate) fn join_rows(&self, source: TableSource, name: &str, kind: JoinKind) -> u16 {
        self.pending(name, kind, source, "c0".to_owned(), Naming::Positional(0))
    }

    fn pending(&self, name: &str, kind: JoinKind, source: TableSource, anchor: String, naming: Naming) -> u16 {
        let mut st = self.state.borrow_mut();
        let var = Builder::fresh_alias(&mut st, name);
        st.naming[usize::from(var)] = naming;
        st.pending = Some(Pending {
            var,
            kind,
            source,
            link: None,
            anchor,
        });
        var
    }

    /// The condition of the explicit join being built: its table enters
    /// the FROM clause with it. Before a RIGHT JOIN, the conditions on the
    /// earlier sources move into its ON: they choose which of those rows
    /// match, and every joined row stays.
    pub fn on<C: SqlBool>(&self, cond: Expr<C>) {
        let mut st = self.state.borrow_mut();
        let Some(pending) = st.pending.take() else {
            return;
        };
        let alias = st.aliases[usize::from(pending.var)].clone();
        let mut condition = match pending.link {
            Some(link) => link.and(cond.node),
            None => cond.node,
        };
        if let Some(scope) = st.scopes.last_mut() {
            if pending.kind == JoinKind::Right
                && !scope.select.from.is_empty()
                && let Some(before) = scope.select.filter.take()
            {
                condition = before.and(condition);
            }
            scope.looped = true;
            push_join(scope, pending.kind, pending.source, alias, pending.anchor, condition);
        }
    }
}

/// Adds a join to `scope`. The first table of a FROM clause has no ON: its
/// condition is the scope's WHERE. In a subquery it is often the only link
/// back to the outer row (`count(x for x in o.customer.orders)` follows
/// `o.customer` first).
fn push_join(scope: &mut Scope, kind: JoinKind, source: TableSource, alias: String, anchor: String, on: sql::Expr) {
    if scope.select.from.is_empty() && kind == JoinKind::Left {
        scope.anchor = Some(sql::Expr::column(format!("{alias}_one"), "one"));
    } else {
        scope.anchor_at(&alias, anchor);
    }
    let select = &mut scope.select;
    if select.from.is_empty() && kind == JoinKind::Left {
        // `.left()` as a generator's first source (`exists(o for o in
        // c.orders.left())`): a missing row where the relation has none, as
        // in Rust, so the relation is left-joined to one row of nothing.
        select.from.push(Join {
            kind: JoinKind::Cross,
            source: TableSource::Query(Box::new(sql::Select {
                items: vec![sql::SelectItem {
                    expr: sql::Expr::Literal(sql::Literal::Int(1)),
                    alias: Some("one".to_owned()),
                }],
                ..sql::Select::default()
            })),
            alias: format!("{alias}_one"),
            on: None,
        });

        select.from.push(Join {
            kind,
            source,
            alias,
            on: Some(on),
        });
        return;
    }
    if select.from.is_empty() {
        select.from.push(Join {
            kind: JoinKind::Cross,
            source,
            alias,
            on: None,
        });
        select.and_where(on);
    } else {
        select.from.push(Join {
            kind,
            source,
            alias,
            on: Some(on),
        });
    }
}

/// The first key column of `E`, which every row has.
fn key_column<E: Entity>() -> String {
    E::meta().key_columns().next().unwrap_or_default().to_owned()
}

impl Scope {
    /// Records a column of `alias` as the scope's anchor when the scope has
    /// no source yet.
    fn anchor_at(&mut self, alias: &str, column: impl Into<String>) {
        if self.select.from.is_empty() {
            self.anchor = Some(sql::Expr::column(alias, column));
        }
    }
}

/// `select` with its items named `c0, c1, …`, as query values are read.
pub(crate) fn positional(mut select: Select) -> Select {
    for (i, item) in select.items.iter_mut().enumerate() {
        item.alias = Some(format!("c{i}"));
    }
    select
}

//! Deleting and updating every row a query selects, in one statement.
//!
//! When the query reads its entity's table alone (no join, subquery,
//! grouping or limit), the statement is the plain
//! `DELETE FROM t AS p WHERE …` / `UPDATE t AS p SET … WHERE …`. Otherwise
//! the rows are named by key: `WHERE (p.key) IN (SELECT x.k0 FROM (<the
//! query's keys>) AS x)`. The extra derived table is what MySQL needs to
//! read the table it writes (error 1093 otherwise); the others accept it.

use crate::dialects::{
    self as sql, BinaryOp, Delete, Join, JoinKind, Select, SelectItem, Statement, TableSource, Update,
};
use crate::entity::Entity;
use crate::error::Result;
use crate::exec::Executor;
use crate::query::Query;
use crate::query::cache::Mode;

/// Whether the expression contains a subquery.
fn has_subquery(e: &sql::Expr) -> bool {
    let mut found = false;
    let mut e = e.clone();
    e.walk_mut(&mut |n| {
        found |= matches!(
            n,
            sql::Expr::Subquery(_) | sql::Expr::Exists { .. } | sql::Expr::InSubquery { .. }
        );
    });
    found
}

/// The alias of the table a plain single-table query reads, if it is one.
fn plain_alias<E: Entity>(s: &Select) -> Option<String> {
    let [only] = s.from.as_slice() else { return None };
    let table_matches = matches!(&only.source, TableSource::Table(t) if t == E::TABLE);
    let plain = table_matches
        && !s.distinct
        && s.group_by.is_empty()
        && s.having.is_none()
        && s.limit.is_none()
        && s.offset.is_none()
        && !s.filter.as_ref().is_some_and(has_subquery);
    plain.then(|| only.alias.clone())
}

/// `(alias.k1, …) IN (SELECT x.k0, … FROM (<the query's key items>) AS x)`.
fn keys_in<E: Entity>(s: &Select, alias: &str) -> sql::Expr {
    let meta = E::meta();
    let mut inner = s.clone();
    inner.items = meta
        .key
        .iter()
        .enumerate()
        .filter_map(|(n, &k)| {
            s.items.get(k).map(|item| SelectItem {
                expr: item.expr.clone(),
                alias: Some(format!("k{n}")),
            })
        })
        .collect();
    let outer = Select {
        items: (0..meta.key.len())
            .map(|n| SelectItem {
                expr: sql::Expr::column("foal_keys", format!("k{n}")),
                alias: None,
            })
            .collect(),
        from: vec![Join {
            kind: JoinKind::Cross,
            source: TableSource::Query(Box::new(inner)),
            alias: "foal_keys".to_owned(),
            on: None,
        }],
        ..Select::default()
    };
    let mut keys: Vec<sql::Expr> = meta.key_columns().map(|k| sql::Expr::column(alias, k)).collect();
    let target = if keys.len() == 1 {
        keys.remove(0)
    } else {
        sql::Expr::Tuple(keys)
    };
    sql::Expr::InSubquery {
        expr: Box::new(target),
        query: Box::new(outer),
        negated: false,
    }
}

fn delete_statement<E: Entity>(s: &Select) -> Statement {
    let (alias, filter) = match plain_alias::<E>(s) {
        Some(alias) => (alias, s.filter.clone()),
        None => ("foal_target".to_owned(), Some(keys_in::<E>(s, "foal_target"))),
    };
    Statement::Delete(Delete {
        table: E::TABLE.to_owned(),
        alias,
        from: Vec::new(),
        filter,
    })
}

fn update_statement<E: Entity>(s: &Select, sets: &[(String, sql::Expr)], root: &str) -> Statement {
    let meta = E::meta();
    let mut set = sets.to_vec();
    if let Some(v) = meta.version_column() {
        let name = meta.columns[v].name.clone();
        let bumped = sql::Expr::binary(BinaryOp::Add, sql::Expr::column(root, name.clone()), sql::Expr::int(1));
        set.retain(|(c, _)| *c != name);
        set.push((name, bumped));
    }
    let filter = match plain_alias::<E>(s) {
        Some(_) => s.filter.clone(),
        None => Some(keys_in::<E>(s, root)),
    };
    Statement::Update(Update {
        table: E::TABLE.to_owned(),
        alias: root.to_owned(),
        set,
        from: Vec::new(),
        filter,
    })
}

impl<E> Query<E> {
    /// Deletes every row this query selects, in one statement; returns how
    /// many went. Versions are not checked: this is a bulk operation.
    ///
    /// ```
    /// # use foal::prelude::*;
    /// # #[derive(Entity, Debug, Clone, PartialEq)]
    /// # pub struct Product { #[foal(primary_key, auto)] pub id: i64, pub name: String, pub quantity: i32 }
    /// # fn main() -> foal::Result<()> {
    /// # let db = Database::open("sqlite::memory:")?;
    /// # db.create_table::<Product>()?;
    /// let sold_out = select!(p for p in Product if p.quantity == 0);
    /// assert_eq!(sold_out.delete(&db)?, 0);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A database error (a foreign key still referencing a row, …).
    pub fn delete(&self, ex: &impl Executor) -> Result<u64>
    where
        E: Entity,
    {
        let site = self.call_site();
        ex.run(site, |conn| {
            let rendered = self.entry().rendered_with(Mode::Delete, conn.dialect(), || {
                delete_statement::<E>(&self.entry().select)
            });
            conn.execute(rendered, self.params(), site)
        })
    }

    /// The `DELETE` statement `delete` runs, for `dialect`.
    pub fn delete_sql(&self, dialect: sql::Dialect) -> String
    where
        E: Entity,
    {
        self.entry()
            .rendered_with(Mode::Delete, dialect, || delete_statement::<E>(&self.entry().select))
            .sql
            .clone()
    }
}

/// A bulk update: every row a query selects, changed by its assignments.
/// Made by `select!(Product.filter(..).update(|p| { p.price = p.price * 2; }))`.
pub struct UpdateQuery<E> {
    query: Query<E>,
}

impl<E: Entity> UpdateQuery<E> {
    #[doc(hidden)]
    pub fn new(query: Query<E>) -> Self {
        UpdateQuery { query }
    }

    fn statement(&self) -> Statement {
        let entry = self.query.entry();
        let root = entry.root.clone().unwrap_or_else(|| "foal_target".to_owned());
        update_statement::<E>(&entry.select, &entry.sets, &root)
    }

    /// Runs the update; returns how many rows changed. A version field is
    /// incremented on every row written.
    ///
    /// # Errors
    /// A database error.
    pub fn execute(&self, ex: &impl Executor) -> Result<u64> {
        let site = self.query.call_site();
        ex.run(site, |conn| {
            let rendered = self
                .query
                .entry()
                .rendered_with(Mode::Update, conn.dialect(), || self.statement());
            conn.execute(rendered, self.query.params(), site)
        })
    }

    /// The `UPDATE` statement, for `dialect`.
    pub fn sql(&self, dialect: sql::Dialect) -> String {
        self.query
            .entry()
            .rendered_with(Mode::Update, dialect, || self.statement())
            .sql
            .clone()
    }
}

//! Queries made of other queries: a query value as a source (`for x in
//! q`), a refinement (`select!(q.filter(..))`), set operations
//! (`a.union(&b)`) and recursive queries (`root.union_all_recursive(..)`).
//! Each is cached in the composed-query LRU by the entries it is made of.

use crate::dialects::{self as sql, Compound, Cte, CteBody, Join, JoinKind, Select, SelectItem, SetOp, TableSource};
use crate::driver::Decoder;
use crate::dsl::{Builder, Built, Projection, Rows, SourceRow, positional};
use crate::error::CallSite;
use crate::types::{Params, Value};

use super::Query;
use super::cache::{Site, shape_of};
use super::composed::composed_entry;

#[allow(clippy::expect_used)]
fn offset_of(params: &[Value]) -> u16 {
    u16::try_from(params.len()).expect("invariant: a query has at most 65 535 parameters")
}

impl<T: SourceRow> Query<T> {
    /// The source another query reads these rows from: the CTE they are
    /// (`prev`), or a derived table of them whose parameters come after the
    /// reading query's own `offset`.
    fn as_source(&self, offset: u16) -> TableSource {
        if let Some(name) = &self.entry.cte {
            return TableSource::Cte(name.clone());
        }
        let mut select = positional(self.entry.select.clone());
        select.shift_params(offset);
        TableSource::Shared {
            key: (self.entry.id, offset),
            query: Box::new(select),
        }
    }

    /// `for pat in q`: this query's rows as a source of another, whose own
    /// parameters come first (`offset` of them). Returns what the pattern
    /// binds.
    #[doc(hidden)]
    pub fn source_in(&self, b: &Builder, offset: u16, name: &str) -> T::Vars {
        let table = b.rows_source(self.as_source(offset), name);
        T::vars(b, table, 0)
    }

    /// `for pat in q.left_join(|x| cond)`: this query's rows, joined with
    /// `kind` on the condition the caller gives next (`Builder::on`).
    #[doc(hidden)]
    pub fn join_in(&self, b: &Builder, offset: u16, name: &str, kind: JoinKind) -> T::Vars {
        let table = b.join_rows(self.as_source(offset), name, kind);
        T::vars(b, table, 0)
    }

    /// Called by `select!(q.filter(..))`: a query refining this one (which
    /// stays usable). When this query is a plain selection of entities its
    /// tree is extended in place; otherwise (limit, distinct, grouping, rows
    /// that are not one entity) its rows are read as a derived table.
    #[doc(hidden)]
    pub fn refine<P, F>(&self, site: &'static Site, params: impl Into<Params>, build: F) -> Query<P::Row>
    where
        P: Projection,
        F: FnOnce(&Builder, T::Vars) -> P,
    {
        let params: Params = params.into();
        let offset = offset_of(&self.params);
        let base = self.entry.clone();
        let mut build = Some(build);
        let entry = composed_entry(&[base.id], site, shape_of(&params), &mut || {
            let (b, vars) = match T::merged(&base.select, base.root.as_deref(), offset) {
                Some(merged) => merged,
                None => {
                    let (b, table) = Builder::over_rows(&base.select, offset);
                    let vars = T::vars(&b, table, 0);
                    (b, vars)
                }
            };
            match build.take() {
                Some(build) => b.project(build(&b, vars)),
                None => b.finish_empty(),
            }
        });
        Query {
            entry,
            params: params.after(&self.params),
            decoder: Decoder::of::<Rows<P>>(),
            site,
            at: site.at,
        }
    }
}

/// The sites of queries foal composes itself; errors name the caller.
static SET_OPERATION: Site = Site::new("a set operation");
static RECURSION: Site = Site::new("a recursive query");
static PREV: Site = Site::new("the rows a recursive query has found so far");

/// `SELECT u.c0, … FROM (left op right) AS u`.
fn compound_rows(op: SetOp, left: Select, right: Select, columns: usize) -> Select {
    Select {
        items: (0..columns)
            .map(|i| SelectItem {
                expr: sql::Expr::column("u", format!("c{i}")),
                alias: None,
            })
            .collect(),
        from: vec![Join {
            kind: JoinKind::Cross,
            source: TableSource::Compound(Box::new(Compound {
                op,
                left: Box::new(positional(left)),
                right: Box::new(positional(right)),
            })),
            alias: "u".to_owned(),
            on: None,
        }],
        ..Select::default()
    }
}

impl<T: 'static> Query<T> {
    /// The rows of this query or of `other`, each once (SQL's `UNION`; as
    /// a set, like collecting both into a `HashSet`). The result is a query
    /// value like any other: it can be ordered, limited, read as a source.
    ///
    /// ```
    /// # use foal::prelude::*;
    /// # #[derive(Entity, Debug, Clone, PartialEq)]
    /// # pub struct Customer { #[foal(primary_key, auto)] pub id: i64, pub country: String }
    /// # #[derive(Entity, Debug, Clone, PartialEq)]
    /// # pub struct Supplier { #[foal(primary_key, auto)] pub id: i64, pub country: String }
    /// # fn main() -> foal::Result<()> {
    /// # let db = Database::open("sqlite::memory:")?;
    /// # db.create_table::<Customer>()?;
    /// # db.create_table::<Supplier>()?;
    /// let a = select!(c.country for c in Customer);
    /// let b = select!(s.country for s in Supplier);
    /// let all = a.union(&b);
    /// let first = select!(all.order_by(|x| x).limit(10));
    /// assert!(first.fetch_all(&db)?.is_empty());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn union<U: SameRows<T>>(&self, other: &Query<U>) -> Query<T> {
        self.set_operation(SetOp::Union, other, CallSite::caller())
    }

    /// The rows of this query and then those of `other`, duplicates kept
    /// (SQL's `UNION ALL`; as `chain`).
    #[track_caller]
    pub fn union_all<U: SameRows<T>>(&self, other: &Query<U>) -> Query<T> {
        self.set_operation(SetOp::UnionAll, other, CallSite::caller())
    }

    /// The distinct rows found in both queries (SQL's `INTERSECT`).
    #[track_caller]
    pub fn intersect<U: SameRows<T>>(&self, other: &Query<U>) -> Query<T> {
        self.set_operation(SetOp::Intersect, other, CallSite::caller())
    }

    /// The distinct rows of this query not found in `other` (SQL's
    /// `EXCEPT`).
    #[track_caller]
    pub fn except<U: SameRows<T>>(&self, other: &Query<U>) -> Query<T> {
        self.set_operation(SetOp::Except, other, CallSite::caller())
    }

    fn set_operation<U>(&self, op: SetOp, other: &Query<U>, at: CallSite) -> Query<T> {
        let (left, right) = (self.entry.clone(), other.entry.clone());
        let shift = offset_of(&self.params);
        let entry = composed_entry(&[left.id, right.id, op as u64], &SET_OPERATION, Some(0), &mut || {
            let mut right_select = right.select.clone();
            right_select.shift_params(shift);
            let columns = left.select.items.len();
            Built::of(compound_rows(op, left.select.clone(), right_select, columns))
        });
        Query {
            entry,
            params: other.params.clone().after(&self.params),
            decoder: self.decoder,
            site: &SET_OPERATION,
            at,
        }
    }
}

/// Two queries a set operation can combine: rows of the same type.
#[diagnostic::on_unimplemented(
    message = "a set operation needs two queries of the same row type, found `{T}` and `{Self}`",
    label = "the rows of this query are `{Self}`",
    note = "select the same columns, in the same order and of the same types, in both queries"
)]
pub trait SameRows<T> {}
impl<T> SameRows<T> for T {}

impl<T: SourceRow> Query<T> {
    /// `WITH RECURSIVE`: this query's rows, then the rows `step` finds
    /// from the rows found so far, and so on until a step finds none.
    /// Duplicates are kept (SQL's `UNION ALL`): on data with cycles, bound
    /// the depth in the step's condition, or use
    /// [`union_recursive`](Query::union_recursive).
    ///
    /// `step` receives `prev`, a query of the rows found so far, and must
    /// read it as a source (`for (p, depth) in prev`); a step that does not
    /// makes the recursive query fail with [`Error::Usage`](crate::Error::Usage)
    /// when it runs.
    #[track_caller]
    pub fn union_all_recursive(&self, step: impl FnOnce(&Query<T>) -> Query<T>) -> Query<T> {
        self.recursive(SetOp::UnionAll, step, CallSite::caller())
    }

    /// As [`union_all_recursive`](Query::union_all_recursive), dropping
    /// duplicate rows (SQL's `UNION`): a row found again is not followed
    /// again, so the recursion ends on cyclic data.
    #[track_caller]
    pub fn union_recursive(&self, step: impl FnOnce(&Query<T>) -> Query<T>) -> Query<T> {
        self.recursive(SetOp::Union, step, CallSite::caller())
    }

    fn recursive(&self, op: SetOp, step: impl FnOnce(&Query<T>) -> Query<T>, at: CallSite) -> Query<T> {
        let root = self.entry.clone();
        let name = format!("foal_r{}", root.id);
        let columns = root.select.items.len();
        let prev_entry = composed_entry(&[root.id], &PREV, Some(0), &mut || {
            let mut built = Built::of(Select {
                items: (0..columns)
                    .map(|i| SelectItem {
                        expr: sql::Expr::column("r", format!("c{i}")),
                        alias: None,
                    })
                    .collect(),
                from: vec![Join {
                    kind: JoinKind::Cross,
                    source: TableSource::Cte(name.clone()),
                    alias: "r".to_owned(),
                    on: None,
                }],
                ..Select::default()
            });
            built.cte = Some(name.clone());
            built
        });
        let prev = Query {
            entry: prev_entry,
            params: Params::from([]),
            decoder: self.decoder,
            site: &PREV,
            at,
        };
        let step = step(&prev);
        let (next, shift) = (step.entry.clone(), offset_of(&self.params));
        let entry = composed_entry(&[root.id, next.id, op as u64], &RECURSION, Some(0), &mut || {
            let mut step_select = next.select.clone();
            step_select.shift_params(shift);
            let mut reads_prev = false;
            step_select.visit_selects_mut(&mut |s| {
                reads_prev |= s
                    .from
                    .iter()
                    .any(|j| matches!(&j.source, TableSource::Cte(n) if *n == name));
            });
            let select = Select {
                with: vec![Cte {
                    name: name.clone(),
                    columns: (0..columns).map(|i| format!("c{i}")).collect(),
                    recursive: true,
                    body: CteBody::Compound(Box::new(Compound {
                        op,
                        left: Box::new(positional(root.select.clone())),
                        right: Box::new(positional(step_select)),
                    })),
                }],
                items: (0..columns)
                    .map(|i| SelectItem {
                        expr: sql::Expr::column("r", format!("c{i}")),
                        alias: None,
                    })
                    .collect(),
                from: vec![Join {
                    kind: JoinKind::Cross,
                    source: TableSource::Cte(name.clone()),
                    alias: "r".to_owned(),
                    on: None,
                }],
                ..Select::default()
            };
            let mut built = Built::of(select);
            if !reads_prev {
                built.problem = Some(
                    "the step of a recursive query must read `prev`, the rows found so far: \
                     `root.union_all_recursive(|prev| select!(… for (p, depth) in prev …))`"
                        .to_owned(),
                );
            }
            built
        });
        Query {
            entry,
            params: step.params.clone().after(&self.params),
            decoder: self.decoder,
            site: &RECURSION,
            at,
        }
    }
}

/// A query value another query reads: a [`Query`], or a reference to one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a source of a query",
    label = "not an entity type, a to-many relation or a query value",
    note = "a source is an entity type (`for p in Product`), a to-many relation (`for o in c.orders`) or a query value (`for x in q`); to test membership in a list computed in Rust, write `list.contains(&x)`"
)]
pub trait QueryValue {
    type Row;
    #[doc(hidden)]
    fn query(&self) -> &Query<Self::Row>;
}

#[diagnostic::do_not_recommend]
impl<T> QueryValue for Query<T> {
    type Row = T;
    fn query(&self) -> &Query<T> {
        self
    }
}

#[diagnostic::do_not_recommend]
impl<Q: QueryValue + ?Sized> QueryValue for &Q {
    type Row = Q::Row;
    fn query(&self) -> &Query<Q::Row> {
        (**self).query()
    }
}

/// A query value used as a source (`for x in q`), checked to be one.
#[doc(hidden)]
pub fn query_value<Q: QueryValue<Row = R> + ?Sized, R>(q: &Q) -> &Query<R> {
    q.query()
}

//! SELECT and what it reads from: joins, derived tables, ordering, locks.

use super::expr::Expr;

/// How a table joins the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinKind {
    /// The first table of the FROM clause, or one joined with a comma.
    Cross,
    Inner,
    Left,
}

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TableSource {
    Table(String),
    Query(Box<Select>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub kind: JoinKind,
    pub source: TableSource,
    pub alias: String,
    pub on: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectItem {
    pub expr: Expr,
    /// Needed when the select is a derived table whose columns are referenced.
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub expr: Expr,
    pub desc: bool,
    /// Whether the key can be NULL. Rust orders `None` first; providers whose
    /// default differs say so explicitly.
    pub nullable: bool,
}

/// Row locking of a SELECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lock {
    ForUpdate,
    ForUpdateNowait,
    ForUpdateSkipLocked,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    pub distinct: bool,
    pub items: Vec<SelectItem>,
    pub from: Vec<Join>,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub order_by: Vec<OrderBy>,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
    pub lock: Option<Lock>,
}

impl Select {
    /// Adds a condition to WHERE, joined with AND.
    pub fn and_where(&mut self, cond: Expr) {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(cond),
            None => cond,
        });
    }

    /// Adds a condition to HAVING, joined with AND.
    pub fn and_having(&mut self, cond: Expr) {
        self.having = Some(match self.having.take() {
            Some(existing) => existing.and(cond),
            None => cond,
        });
    }
}

impl Select {
    /// Calls `f` on every expression of the statement, nested ones included.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        for item in &mut self.items {
            item.expr.walk_mut(f);
        }
        for join in &mut self.from {
            if let TableSource::Query(q) = &mut join.source {
                q.walk_mut(f);
            }
            if let Some(on) = &mut join.on {
                on.walk_mut(f);
            }
        }
        for e in self
            .filter
            .iter_mut()
            .chain(self.having.iter_mut())
            .chain(self.group_by.iter_mut())
        {
            e.walk_mut(f);
        }
        for o in &mut self.order_by {
            o.expr.walk_mut(f);
        }
        for e in self.limit.iter_mut().chain(self.offset.iter_mut()) {
            e.walk_mut(f);
        }
    }

    /// Renumbers every parameter by `by`, for embedding this statement in
    /// one whose own parameters come first.
    pub fn shift_params(&mut self, by: u16) {
        self.walk_mut(&mut |e| match e {
            Expr::Param { index, .. } => *index += by,
            Expr::InParam { param, .. } => *param += by,
            _ => {}
        });
    }
}

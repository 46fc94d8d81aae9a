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
    /// Every row of the joined table, with the rows before it where the
    /// condition holds (NULLs where none does).
    Right,
    /// Both sides' rows: matched, or with NULLs for the other side.
    Full,
}

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TableSource {
    Table(String),
    /// A derived table.
    Query(Box<Select>),
    /// A derived table of a query value: `key` names the value (its
    /// translation and where its parameters start), so that the same value
    /// used twice in one statement can be rendered once, as a CTE (see
    /// [`Select::share_repeated`]).
    Shared {
        key: (u64, u16),
        query: Box<Select>,
    },
    /// The rows of a set operation, as a derived table.
    Compound(Box<Compound>),
    /// A CTE of the statement's WITH clause, by name.
    Cte(String),
}

/// A set operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetOp {
    /// Rows of either side, duplicates removed.
    Union,
    /// Rows of both sides, duplicates kept.
    UnionAll,
    /// Distinct rows found on both sides.
    Intersect,
    /// Distinct rows of the left side not found on the right.
    Except,
}

/// `left <op> right`. Both sides have the same number of items; the
/// left's aliases name the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Compound {
    pub op: SetOp,
    pub left: Box<Select>,
    pub right: Box<Select>,
}

/// One entry of a WITH clause: `name (columns) AS (body)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cte {
    pub name: String,
    pub columns: Vec<String>,
    /// A recursive CTE's body is a compound whose right side reads the CTE.
    pub recursive: bool,
    pub body: CteBody,
}

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CteBody {
    Select(Box<Select>),
    Compound(Box<Compound>),
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
    /// The WITH clause (`WITH RECURSIVE` when one CTE is recursive).
    pub with: Vec<Cte>,
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
        for cte in &mut self.with {
            cte.body.walk_mut(f);
        }
        for item in &mut self.items {
            item.expr.walk_mut(f);
        }
        for join in &mut self.from {
            join.source.walk_mut(f);
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

    /// Calls `f` on this statement and on every SELECT nested in it (CTEs,
    /// derived tables, set operations, subqueries), outermost first.
    pub fn visit_selects_mut(&mut self, f: &mut dyn FnMut(&mut Select)) {
        f(self);
        for cte in &mut self.with {
            cte.body.visit_selects_mut(f);
        }
        for join in &mut self.from {
            join.source.visit_selects_mut(f);
            if let Some(on) = &mut join.on {
                on.visit_selects_mut(f);
            }
        }
        for item in &mut self.items {
            item.expr.visit_selects_mut(f);
        }
        for e in self
            .filter
            .iter_mut()
            .chain(self.having.iter_mut())
            .chain(self.group_by.iter_mut())
            .chain(self.limit.iter_mut())
            .chain(self.offset.iter_mut())
        {
            e.visit_selects_mut(f);
        }
        for o in &mut self.order_by {
            o.expr.visit_selects_mut(f);
        }
    }

    /// Factors what every branch of an OR repeats out of each condition
    /// (WHERE, HAVING, ON) of the statement and of those nested in it, and
    /// drops the `COALESCE` a WHERE or HAVING conjunct does not need.
    pub fn factor_conditions(&mut self) {
        self.visit_selects_mut(&mut |s| {
            for e in s.filter.iter_mut().chain(s.having.iter_mut()) {
                *e = std::mem::replace(e, Expr::bool(true)).factor_or().simplify_condition();
            }
            for join in &mut s.from {
                if let Some(on) = &mut join.on {
                    *on = std::mem::replace(on, Expr::bool(true)).factor_or();
                }
            }
        });
    }

    /// The parameters of every LIMIT and OFFSET of the statement (they
    /// must not be negative when it runs), and a negative constant among
    /// them, if there is one.
    pub fn row_counts(&self) -> (Vec<u16>, Option<i64>) {
        let mut copy = self.clone();
        let (mut params, mut negative) = (Vec::new(), None);
        copy.visit_selects_mut(&mut |s| {
            for e in s.limit.iter().chain(s.offset.iter()) {
                match e {
                    Expr::Param { index, .. } => params.push(*index),
                    Expr::Literal(super::expr::Literal::Int(n)) if *n < 0 => negative = Some(*n),
                    _ => {}
                }
            }
        });
        (params, negative)
    }

    /// Whether a plan made for the values at hand pays: the statement
    /// reads three tables or more, groups, or has a subquery, a CTE or a
    /// window. PostgreSQL caches a generic plan of a prepared statement
    /// after five runs when its estimate is no worse, and for such queries
    /// the estimate made without the values can be far off (TPC-H Q8 ran
    /// 8.3 ms on its generic plan, 2.6 ms planned for its dates). A
    /// lookup by key is planned once.
    pub fn plans_per_run(&self) -> bool {
        let mut copy = self.clone();
        let (mut tables, mut complex) = (0_usize, false);
        copy.visit_selects_mut(&mut |s| {
            tables += s.from.len();
            complex |= !s.group_by.is_empty() || s.having.is_some() || !s.with.is_empty();
        });
        if complex || tables >= 3 {
            return true;
        }
        copy.walk_mut(&mut |e| {
            complex |= matches!(
                e,
                Expr::Subquery(_)
                    | Expr::Exists { .. }
                    | Expr::InSubquery { .. }
                    | Expr::Window { .. }
                    | Expr::Aggregate { .. }
            );
        });
        complex
    }

    /// Renames the CTEs defined anywhere in the statement `foal_cte0`,
    /// `foal_cte1`, … in order of appearance, so the text does not depend
    /// on the ids the queries were given at run time. Distinct names stay
    /// distinct; a name without a definition here (the rows found so far,
    /// in the step of a recursive query being built) is left alone.
    pub fn number_ctes(&mut self) {
        let mut defined: Vec<String> = Vec::new();
        self.visit_selects_mut(&mut |s| {
            for cte in &s.with {
                if !defined.contains(&cte.name) {
                    defined.push(cte.name.clone());
                }
            }
        });
        if defined.iter().enumerate().all(|(i, n)| *n == format!("foal_cte{i}")) {
            return;
        }
        let renamed = |name: &str| defined.iter().position(|n| n == name).map(|i| format!("foal_cte{i}"));
        self.visit_selects_mut(&mut |s| {
            for cte in &mut s.with {
                if let Some(new) = renamed(&cte.name) {
                    cte.name = new;
                }
            }
            for join in &mut s.from {
                if let TableSource::Cte(name) = &mut join.source
                    && let Some(new) = renamed(name)
                {
                    *name = new;
                }
            }
        });
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

impl TableSource {
    /// Calls `f` on every expression of the source's own statements.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        match self {
            TableSource::Query(q) | TableSource::Shared { query: q, .. } => q.walk_mut(f),
            TableSource::Compound(c) => c.walk_mut(f),
            TableSource::Table(_) | TableSource::Cte(_) => {}
        }
    }

    /// Calls `f` on every SELECT of the source (see [`Select::visit_selects_mut`]).
    pub fn visit_selects_mut(&mut self, f: &mut dyn FnMut(&mut Select)) {
        match self {
            TableSource::Query(q) | TableSource::Shared { query: q, .. } => q.visit_selects_mut(f),
            TableSource::Compound(c) => c.visit_selects_mut(f),
            TableSource::Table(_) | TableSource::Cte(_) => {}
        }
    }
}

impl Compound {
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        self.left.walk_mut(f);
        self.right.walk_mut(f);
    }

    pub fn visit_selects_mut(&mut self, f: &mut dyn FnMut(&mut Select)) {
        self.left.visit_selects_mut(f);
        self.right.visit_selects_mut(f);
    }
}

impl CteBody {
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        match self {
            CteBody::Select(q) => q.walk_mut(f),
            CteBody::Compound(c) => c.walk_mut(f),
        }
    }

    pub fn visit_selects_mut(&mut self, f: &mut dyn FnMut(&mut Select)) {
        match self {
            CteBody::Select(q) => q.visit_selects_mut(f),
            CteBody::Compound(c) => c.visit_selects_mut(f),
        }
    }
}

impl Select {
    /// Renders once, as CTEs of this statement's WITH clause, the shared
    /// derived tables (query values) that occur more than once anywhere in
    /// it: each occurrence then reads the CTE. A value used once stays a
    /// derived table, where the planner can push conditions into it.
    pub fn share_repeated(&mut self) {
        let mut seen: Vec<((u64, u16), usize)> = Vec::new();
        self.visit_selects_mut(&mut |s| {
            for join in &s.from {
                if let TableSource::Shared { key, .. } = &join.source {
                    match seen.iter_mut().find(|(k, _)| k == key) {
                        Some((_, n)) => *n += 1,
                        None => seen.push((*key, 1)),
                    }
                }
            }
        });
        let repeated: Vec<(u64, u16)> = seen.into_iter().filter(|(_, n)| *n > 1).map(|(k, _)| k).collect();
        if repeated.is_empty() {
            return;
        }
        let mut ctes: Vec<Cte> = Vec::new();
        self.visit_selects_mut(&mut |s| {
            for join in &mut s.from {
                let TableSource::Shared { key, query } = &mut join.source else {
                    continue;
                };
                if !repeated.contains(key) {
                    continue;
                }
                let name = format!("foal_q{}_{}", key.0, key.1);
                if !ctes.iter().any(|c| c.name == name) {
                    let columns = query
                        .items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| item.alias.clone().unwrap_or_else(|| format!("c{i}")))
                        .collect();
                    ctes.push(Cte {
                        name: name.clone(),
                        columns,
                        recursive: false,
                        body: CteBody::Select(std::mem::take(query)),
                    });
                }
                join.source = TableSource::Cte(name);
            }
        });
        // A repeated value inside another repeated one was hoisted in the
        // inner CTE's body first (outermost first): CTEs that read others
        // come later in the list, as WITH requires.
        ctes.reverse();
        let mut with = std::mem::take(&mut self.with);
        with.extend(ctes);
        self.with = with;
    }
}

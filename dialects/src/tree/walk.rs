//! How an expression's nodes are visited and bound: walks over every node
//! (subqueries included), operator precedence, and where window functions
//! sit.

use super::expr::*;
use super::query::Select;

impl Expr {
    /// Calls `f` on this node and every node below it, including those of
    /// subqueries.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        self.walk(f, true);
    }

    /// Calls `f` on this node and every node below it that belongs to the
    /// same query level: not those of subqueries.
    pub fn walk_level_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        self.walk(f, false);
    }

    fn walk(&mut self, f: &mut impl FnMut(&mut Expr), nested: bool) {
        f(self);
        match self {
            Expr::Unary { expr, .. }
            | Expr::IsNull { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::InParam { expr, .. } => expr.walk(f, nested),
            Expr::Binary { left, right, .. } | Expr::IsNotDistinct { left, right, .. } => {
                left.walk(f, nested);
                right.walk(f, nested);
            }
            Expr::Like { expr, pattern, .. } => {
                expr.walk(f, nested);
                pattern.walk(f, nested);
            }
            Expr::InList { expr, items, .. } => {
                expr.walk(f, nested);
                items.iter_mut().for_each(|e| e.walk(f, nested));
            }
            Expr::InSubquery { expr, query, .. } => {
                expr.walk(f, nested);
                if nested {
                    query.walk_mut(f);
                }
            }
            Expr::Exists { query, .. } | Expr::Subquery(query) if nested => query.walk_mut(f),
            Expr::Exists { .. } | Expr::Subquery(_) => {}
            Expr::Case { branches, otherwise } => {
                for (when, then) in branches {
                    when.walk(f, nested);
                    then.walk(f, nested);
                }
                if let Some(e) = otherwise {
                    e.walk(f, nested);
                }
            }
            Expr::Func { args, .. } | Expr::Tuple(args) | Expr::WindowCall { args, .. } => {
                args.iter_mut().for_each(|e| e.walk(f, nested))
            }
            Expr::Window { func, spec } => {
                func.walk(f, nested);
                spec.partition.iter_mut().for_each(|e| e.walk(f, nested));
                spec.order.iter_mut().for_each(|o| o.expr.walk(f, nested));
            }
            Expr::Aggregate { arg, .. } => {
                if let Some(arg) = arg {
                    arg.walk(f, nested);
                }
            }
            Expr::Column(_) | Expr::Param { .. } | Expr::Literal(_) => {}
        }
    }
}

impl Select {
    /// Makes every aggregate of this query level read a column of it.
    ///
    /// SQL gives an aggregate to the innermost query whose columns its
    /// argument reads, so in `(SELECT SUM(o.id) FROM product AS x)` the sum
    /// belongs to the outer query of `o` (PostgreSQL then refuses, MySQL
    /// makes the outer query an aggregate of one row), and MariaDB does the
    /// same when the local columns are read only inside a subquery of the
    /// argument. An argument that reads no column of `local` directly is
    /// wrapped as `CASE WHEN (anchor IS NULL) IS NOT NULL THEN arg END`,
    /// the same value, read at this level.
    pub fn anchor_aggregates(&mut self, anchor: &Expr) {
        let local: Vec<String> = self.from.iter().map(|j| j.alias.clone()).collect();
        let mut fix = |e: &mut Expr| {
            let Expr::Aggregate { arg: Some(arg), .. } = e else {
                return;
            };
            let (mut direct, mut reads) = (false, false);
            arg.walk_mut(&mut |x| match x {
                Expr::Column(_) | Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => reads = true,
                _ => {}
            });
            arg.walk_level_mut(&mut |x| {
                direct |= matches!(x, Expr::Column(c) if local.contains(&c.table));
            });
            if reads && !direct {
                let value = std::mem::replace(arg.as_mut(), Expr::bool(true));
                let always = Expr::IsNull {
                    expr: Box::new(Expr::IsNull {
                        expr: Box::new(anchor.clone()),
                        negated: false,
                    }),
                    negated: true,
                };
                **arg = Expr::Case {
                    branches: vec![(always, value)],
                    otherwise: None,
                };
            }
        };
        for item in &mut self.items {
            item.expr.walk_level_mut(&mut fix);
        }
        if let Some(having) = &mut self.having {
            having.walk_level_mut(&mut fix);
        }
        for key in &mut self.order_by {
            key.expr.walk_level_mut(&mut fix);
        }
    }
}

/// Binding strengths of operators, as [`Expr::precedence`] reports them:
/// a higher number binds tighter.
pub mod precedence {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const NOT: u8 = 3;
    /// Comparisons, `IS NULL`, `LIKE`, `IN`: never chained without parentheses.
    pub const COMPARISON: u8 = 4;
    pub const CONCAT: u8 = 5;
    pub const ADD: u8 = 6;
    pub const MUL: u8 = 7;
    /// Unary minus, and negative numeric literals.
    pub const NEG: u8 = 8;
    /// Needs no parentheses anywhere.
    pub const ATOM: u8 = 9;
}

impl BinaryOp {
    /// How tightly the operator binds (see [`precedence`]).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => precedence::OR,
            BinaryOp::And => precedence::AND,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                precedence::COMPARISON
            }
            BinaryOp::Concat => precedence::CONCAT,
            BinaryOp::Add | BinaryOp::Sub => precedence::ADD,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::IntDiv | BinaryOp::Rem => precedence::MUL,
        }
    }

    /// Whether `a op (b op c)` means `(a op b) op c`, so a chain of it
    /// needs no parentheses.
    pub fn is_associative(self) -> bool {
        matches!(
            self,
            BinaryOp::And | BinaryOp::Or | BinaryOp::Add | BinaryOp::Mul | BinaryOp::Concat
        )
    }
}

impl Expr {
    /// How tightly the node at the top of this expression binds (see
    /// [`precedence`]): a child of a tighter operator is parenthesised.
    pub fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Unary { op: UnaryOp::Not, .. } => precedence::NOT,
            Expr::Unary { op: UnaryOp::Neg, .. } => precedence::NEG,
            Expr::Literal(Literal::Int(v)) if *v < 0 => precedence::NEG,
            Expr::Literal(Literal::Float(v)) if v.is_sign_negative() => precedence::NEG,
            Expr::IsNull { .. }
            | Expr::IsNotDistinct { .. }
            | Expr::Like { .. }
            | Expr::InList { .. }
            | Expr::InParam { .. }
            | Expr::InSubquery { .. } => precedence::COMPARISON,
            Expr::Exists { negated: true, .. } => precedence::NOT,
            _ => precedence::ATOM,
        }
    }
}

impl Expr {
    /// Whether a window function is computed at this level of the query
    /// (not inside a subquery, which has levels of its own).
    pub fn contains_window(&self) -> bool {
        match self {
            Expr::Window { .. } => true,
            Expr::Subquery(_) | Expr::Exists { .. } => false,
            Expr::InSubquery { expr, .. } => expr.contains_window(),
            Expr::Unary { expr, .. }
            | Expr::IsNull { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::InParam { expr, .. } => expr.contains_window(),
            Expr::Binary { left, right, .. } | Expr::IsNotDistinct { left, right, .. } => {
                left.contains_window() || right.contains_window()
            }
            Expr::Like { expr, pattern, .. } => expr.contains_window() || pattern.contains_window(),
            Expr::InList { expr, items, .. } => expr.contains_window() || items.iter().any(Expr::contains_window),
            Expr::Case { branches, otherwise } => {
                branches.iter().any(|(w, t)| w.contains_window() || t.contains_window())
                    || otherwise.as_ref().is_some_and(|e| e.contains_window())
            }
            Expr::Func { args, .. } | Expr::Tuple(args) | Expr::WindowCall { args, .. } => {
                args.iter().any(Expr::contains_window)
            }
            Expr::Aggregate { arg, .. } => arg.as_ref().is_some_and(|e| e.contains_window()),
            Expr::Column(_) | Expr::Param { .. } | Expr::Literal(_) => false,
        }
    }
}

impl Expr {
    /// Calls `f` on every SELECT nested in this expression (subqueries).
    pub fn visit_selects_mut(&mut self, f: &mut dyn FnMut(&mut Select)) {
        match self {
            Expr::Subquery(q) | Expr::Exists { query: q, .. } => q.visit_selects_mut(f),
            Expr::InSubquery { expr, query, .. } => {
                expr.visit_selects_mut(f);
                query.visit_selects_mut(f);
            }
            Expr::Unary { expr, .. }
            | Expr::IsNull { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::InParam { expr, .. } => expr.visit_selects_mut(f),
            Expr::Binary { left, right, .. } | Expr::IsNotDistinct { left, right, .. } => {
                left.visit_selects_mut(f);
                right.visit_selects_mut(f);
            }
            Expr::Like { expr, pattern, .. } => {
                expr.visit_selects_mut(f);
                pattern.visit_selects_mut(f);
            }
            Expr::InList { expr, items, .. } => {
                expr.visit_selects_mut(f);
                items.iter_mut().for_each(|e| e.visit_selects_mut(f));
            }
            Expr::Case { branches, otherwise } => {
                for (when, then) in branches {
                    when.visit_selects_mut(f);
                    then.visit_selects_mut(f);
                }
                if let Some(e) = otherwise {
                    e.visit_selects_mut(f);
                }
            }
            Expr::Func { args, .. } | Expr::Tuple(args) | Expr::WindowCall { args, .. } => {
                args.iter_mut().for_each(|e| e.visit_selects_mut(f))
            }
            Expr::Aggregate { arg, .. } => {
                if let Some(arg) = arg {
                    arg.visit_selects_mut(f);
                }
            }
            Expr::Window { func, spec } => {
                func.visit_selects_mut(f);
                spec.partition.iter_mut().for_each(|e| e.visit_selects_mut(f));
                spec.order.iter_mut().for_each(|o| o.expr.visit_selects_mut(f));
            }
            Expr::Column(_) | Expr::Param { .. } | Expr::Literal(_) => {}
        }
    }
}

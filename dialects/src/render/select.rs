//! The default rendering of SELECT.

use crate::tree::{Compound, Cte, CteBody, Expr, JoinKind, Literal, OrderBy, Select, SetOp, TableSource};
use crate::writer::Writer;

/// `WITH [RECURSIVE] name (columns) AS (body), … ` before a SELECT.
pub fn with(w: &mut Writer<'_>, ctes: &[Cte]) {
    if ctes.is_empty() {
        return;
    }
    w.push(if ctes.iter().any(|c| c.recursive) {
        "WITH RECURSIVE "
    } else {
        "WITH "
    });
    for (i, cte) in ctes.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(&cte.name);
        if !cte.columns.is_empty() {
            w.push(" ");
            w.ident_list(&cte.columns);
        }
        w.push(" AS (");
        match &cte.body {
            CteBody::Select(q) => w.select(q),
            CteBody::Compound(c) => w.provider().compound(w, c),
        }
        w.push(")");
    }
    w.push(" ");
}

/// One side of a set operation: a plain SELECT as it is, one with its own
/// ordering, limit or WITH as a derived table (no backend takes those in
/// an operand).
fn operand(w: &mut Writer<'_>, side: &Select) {
    if side.order_by.is_empty() && side.limit.is_none() && side.offset.is_none() && side.with.is_empty() {
        w.select(side);
    } else {
        w.push("SELECT * FROM (");
        w.select(side);
        w.push(") AS ");
        w.ident("foal_operand");
    }
}

/// `left UNION | UNION ALL | INTERSECT | EXCEPT right`.
pub fn compound(w: &mut Writer<'_>, c: &Compound) {
    operand(w, &c.left);
    w.push(match c.op {
        SetOp::Union => " UNION ",
        SetOp::UnionAll => " UNION ALL ",
        SetOp::Intersect => " INTERSECT ",
        SetOp::Except => " EXCEPT ",
    });
    operand(w, &c.right);
}

/// A table, CTE, derived table or set operation in a FROM clause.
pub fn table_source(w: &mut Writer<'_>, source: &TableSource) {
    match source {
        TableSource::Table(name) | TableSource::Cte(name) => w.ident(name),
        TableSource::Query(q) | TableSource::Shared { query: q, .. } => {
            w.push("(");
            w.select(q);
            w.push(")");
        }
        TableSource::Compound(c) => {
            w.push("(");
            w.provider().compound(w, c);
            w.push(")");
        }
    }
}

/// The standard SELECT.
pub fn select(w: &mut Writer<'_>, s: &Select) {
    let p = w.provider();
    with(w, &s.with);
    w.push("SELECT ");
    if s.distinct {
        w.push("DISTINCT ");
    }
    for (i, item) in s.items.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.expr(&item.expr);
        if let Some(alias) = &item.alias {
            w.push(" AS ");
            w.ident(alias);
        }
    }
    if !s.from.is_empty() {
        w.push(" FROM ");
        for (i, join) in s.from.iter().enumerate() {
            if i > 0 {
                // `CROSS JOIN` rather than a comma: a later `JOIN … ON` may
                // then refer to any earlier table (PostgreSQL and MySQL
                // bind a comma looser than JOIN).
                w.push(match join.kind {
                    JoinKind::Cross => p.cross_join(),
                    JoinKind::Inner => " INNER JOIN ",
                    JoinKind::Left => " LEFT JOIN ",
                    JoinKind::Right => " RIGHT JOIN ",
                    JoinKind::Full => " FULL JOIN ",
                });
            }
            table_source(w, &join.source);
            w.push(" AS ");
            w.ident(&join.alias);
            if i > 0 && join.kind != JoinKind::Cross {
                w.push(" ON ");
                match &join.on {
                    Some(on) => w.expr(on),
                    None => p.literal(w, &Literal::Bool(true)),
                }
            }
        }
    }
    // A first table has no ON of its own; a condition given for it still
    // holds, as part of WHERE (never dropped).
    let first_on = s.from.first().and_then(|j| j.on.as_ref());
    match (first_on, &s.filter) {
        (None, None) => {}
        (Some(on), None) | (None, Some(on)) => {
            w.push(" WHERE ");
            w.expr(on);
        }
        (Some(on), Some(filter)) => {
            w.push(" WHERE ");
            w.expr(&on.clone().and(filter.clone()));
        }
    }
    if !s.group_by.is_empty() {
        w.push(" GROUP BY ");
        w.exprs(&s.group_by);
    }
    if let Some(having) = &s.having {
        w.push(" HAVING ");
        w.expr(having);
    }
    if !s.order_by.is_empty() {
        w.push(" ORDER BY ");
        for (i, o) in s.order_by.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            // A key computed as one of the items (`desc(sum(x))`) is named
            // by its position: MySQL would compute it again for the sort.
            let item = (!matches!(o.expr, Expr::Column(_) | Expr::Literal(_) | Expr::Param { .. }))
                .then(|| s.items.iter().position(|item| item.expr == o.expr))
                .flatten();
            match item {
                Some(n) => p.order_item(
                    w,
                    &OrderBy {
                        expr: Expr::int(i64::try_from(n + 1).unwrap_or(i64::MAX)),
                        desc: o.desc,
                        nullable: o.nullable,
                    },
                ),
                None => p.order_item(w, o),
            }
        }
    }
    if s.limit.is_some() || s.offset.is_some() {
        p.limit_offset(w, s.limit.as_ref(), s.offset.as_ref());
    }
    if let Some(lock) = s.lock {
        p.lock(w, lock);
    }
}

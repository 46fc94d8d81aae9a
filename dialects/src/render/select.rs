//! The default rendering of SELECT.

use crate::tree::{JoinKind, Literal, Select, TableSource};
use crate::writer::Writer;

/// The standard SELECT.
pub fn select(w: &mut Writer<'_>, s: &Select) {
    let p = w.provider();
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
                    JoinKind::Cross => " CROSS JOIN ",

                    JoinKind::Inner => " INNER JOIN ",
                    JoinKind::Left => " LEFT JOIN ",
                });
            }
            match &join.source {
                TableSource::Table(name) => w.ident(name),
                TableSource::Query(q) => {
                    w.push("(");
                    w.select(q);
                    w.push(")");
                }
            }
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
            p.order_item(w, o);
        }
    }
    if s.limit.is_some() || s.offset.is_some() {
        p.limit_offset(w, s.limit.as_ref(), s.offset.as_ref());
    }
    if let Some(lock) = s.lock {
        p.lock(w, lock);
    }
}

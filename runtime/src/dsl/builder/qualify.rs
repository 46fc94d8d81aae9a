//! Conditions on window functions. SQL computes a window after WHERE, so a
//! condition on one (`if rank().over(..) <= 3`) needs a query around the
//! one that computes it: `SELECT … FROM (the query, the window values and
//! the columns the condition reads as extra columns) WHERE condition`, with
//! the ordering, limits and DISTINCT moved out to the wrapper.

use crate::dialects::{self as sql, Join, JoinKind, OrderBy, Select, SelectItem, TableSource};

/// `select`, its rows kept where `condition` holds once the windows are
/// computed. `alias` names the inner query in the wrapper.
pub(super) fn after_windows(mut select: Select, condition: sql::Expr, alias: &str) -> Select {
    let tables: Vec<String> = select.from.iter().map(|j| j.alias.clone()).collect();
    let mut extra: Vec<sql::Expr> = Vec::new();
    let column_of = |e: &sql::Expr, extra: &mut Vec<sql::Expr>| -> sql::Expr {
        let at = match extra.iter().position(|x| x == e) {
            Some(at) => at,
            None => {
                extra.push(e.clone());
                extra.len() - 1
            }
        };
        sql::Expr::column(alias, format!("w{at}"))
    };
    // The condition reads the window values, and the columns of this
    // query's tables, from the inner query.
    let mut condition = condition;
    condition.walk_mut(&mut |e| {
        let lifted = match e {
            sql::Expr::Window { .. } => true,
            sql::Expr::Column(c) => tables.contains(&c.table),
            _ => false,
        };
        if lifted {
            *e = column_of(e, &mut extra);
        }
    });
    let order: Vec<OrderBy> = std::mem::take(&mut select.order_by)
        .into_iter()
        .map(|o| OrderBy {
            expr: column_of(&o.expr, &mut extra),
            ..o
        })
        .collect();
    let outer_items: Vec<SelectItem> = (0..select.items.len())
        .map(|i| SelectItem {
            expr: sql::Expr::column(alias, format!("c{i}")),
            alias: None,
        })
        .collect();
    for (i, item) in select.items.iter_mut().enumerate() {
        item.alias = Some(format!("c{i}"));
    }
    for (i, e) in extra.into_iter().enumerate() {
        select.items.push(SelectItem {
            expr: e,
            alias: Some(format!("w{i}")),
        });
    }
    let distinct = std::mem::take(&mut select.distinct);
    let limit = select.limit.take();
    let offset = select.offset.take();
    let lock = select.lock.take();
    let with = std::mem::take(&mut select.with);
    Select {
        with,
        distinct,
        items: outer_items,
        from: vec![Join {
            kind: JoinKind::Cross,
            source: TableSource::Query(Box::new(select)),
            alias: alias.to_owned(),
            on: None,
        }],
        filter: Some(condition),
        order_by: order,
        limit,
        offset,
        lock,
        ..Select::default()
    }
}

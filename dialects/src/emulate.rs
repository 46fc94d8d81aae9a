//! Rewrites of the tree for a backend that lacks a construct, so that the
//! statement it runs means what the tree means.

use crate::tree::{
    BinaryOp, ColumnRef, Compound, Expr, Join, JoinKind, Literal, Select, SelectItem, SetOp, TableSource,
};

/// The alias of the derived table an emulated FULL JOIN becomes.
const FULL: &str = "foal_full";

/// Whether PostgreSQL runs every FULL JOIN of `s` as written. It needs a
/// merge- or hash-joinable condition ("FULL JOIN is only supported with
/// merge-joinable or hash-joinable join conditions" otherwise), which foal
/// takes to be an equality of a column of each side among the parts of
/// the condition joined by AND; any other FULL JOIN is emulated as on
/// MySQL, which means the same.
pub(crate) fn full_joins_run_on_postgres(s: &Select) -> bool {
    s.from.iter().enumerate().all(|(k, j)| {
        j.kind != JoinKind::Full
            || j.on
                .as_ref()
                .is_some_and(|on| equates_columns(on, &j.alias, &s.from[..k]))
    })
}

fn equates_columns(e: &Expr, right: &str, earlier: &[Join]) -> bool {
    let earlier_has = |table: &str| earlier.iter().any(|j| j.alias == table);
    match e {
        Expr::Binary {
            op: BinaryOp::And,
            left,
            right: other,
        } => equates_columns(left, right, earlier) || equates_columns(other, right, earlier),
        Expr::Binary {
            op: BinaryOp::Eq,
            left,
            right: other,
        } => match (&**left, &**other) {
            (Expr::Column(a), Expr::Column(b)) => {
                (a.table == right && earlier_has(&b.table)) || (b.table == right && earlier_has(&a.table))
            }
            _ => false,
        },
        _ => false,
    }
}

/// MySQL and MariaDB have no FULL JOIN. `… FULL JOIN b ON c` becomes one
/// derived table: the rows of the tables before it LEFT JOIN `b`, then
/// (UNION ALL, so duplicates are kept as a FULL JOIN keeps them) the rows of
/// `b` that match none of them, NULL for the left side's columns. Every
/// column of those tables the statement reads is renamed `alias__column`
/// in it. `None` when the statement has no FULL JOIN.
pub(crate) fn without_full_joins(s: &Select) -> Option<Select> {
    let k = s.from.iter().position(|j| j.kind == JoinKind::Full)?;
    let mut out = s.clone();
    let rest: Vec<Join> = out.from.split_off(k + 1);
    let mut right = out.from.pop()?;
    let left = std::mem::take(&mut out.from);
    let left_aliases: Vec<String> = left.iter().map(|j| j.alias.clone()).collect();
    let mut replaced: Vec<String> = left_aliases.clone();
    replaced.push(right.alias.clone());

    // The columns of those tables that the rest of the statement reads.
    out.from = rest;
    let mut columns: Vec<ColumnRef> = Vec::new();
    out.walk_mut(&mut |e| {
        if let Expr::Column(c) = e
            && replaced.contains(&c.table)
            && !columns.contains(c)
        {
            columns.push(c.clone());
        }
    });
    let renamed = |c: &ColumnRef| format!("{}__{}", c.table, c.column);
    let mut matched_items: Vec<SelectItem> = columns
        .iter()
        .map(|c| SelectItem {
            expr: Expr::Column(c.clone()),
            alias: Some(renamed(c)),
        })
        .collect();
    let mut unmatched_items: Vec<SelectItem> = columns
        .iter()
        .map(|c| SelectItem {
            expr: if c.table == right.alias {
                Expr::Column(c.clone())
            } else {
                Expr::Literal(Literal::Null)
            },
            alias: Some(renamed(c)),
        })
        .collect();
    if columns.is_empty() {
        // A derived table needs a column even when only rows are counted.
        for items in [&mut matched_items, &mut unmatched_items] {
            items.push(SelectItem {
                expr: Expr::int(1),
                alias: Some("foal_row".to_owned()),
            });
        }
    }
    let condition = right.on.take().unwrap_or(Expr::bool(true));
    let mut left_outer = right.clone();
    left_outer.kind = JoinKind::Left;
    left_outer.on = Some(condition.clone());
    let mut matched_from = left.clone();
    matched_from.push(left_outer);
    let matched = Select {
        items: matched_items,
        from: matched_from,
        ..Select::default()
    };
    let mut alone = right;
    alone.kind = JoinKind::Cross;
    let unmatched = Select {
        items: unmatched_items,
        from: vec![alone],
        filter: Some(Expr::Exists {
            query: Box::new(Select {
                items: vec![SelectItem {
                    expr: Expr::int(1),
                    alias: None,
                }],
                from: left,
                filter: Some(condition),
                ..Select::default()
            }),
            negated: true,
        }),
        ..Select::default()
    };
    out.walk_mut(&mut |e| {
        if let Expr::Column(c) = e
            && replaced.contains(&c.table)
        {
            *e = Expr::column(FULL, renamed(c));
        }
    });
    let derived = Join {
        kind: JoinKind::Cross,
        source: TableSource::Compound(Box::new(Compound {
            op: SetOp::UnionAll,
            left: Box::new(matched),
            right: Box::new(unmatched),
        })),
        alias: FULL.to_owned(),
        on: None,
    };
    out.from.insert(0, derived);
    // A second FULL JOIN further on joins this derived table in turn.
    Some(without_full_joins(&out).unwrap_or(out))
}

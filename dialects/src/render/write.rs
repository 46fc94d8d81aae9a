//! The default rendering of writing statements: INSERT (with upserts),
//! UPDATE, DELETE.

use crate::tree::{Delete, Expr, Insert, Join, JoinKind, OnConflict, Update};
use crate::writer::Writer;

/// `INSERT INTO t (…) VALUES (…), (…) [ON CONFLICT …] [RETURNING …]`.
pub fn insert(w: &mut Writer<'_>, i: &Insert) {
    let p = w.provider();
    w.push("INSERT INTO ");
    w.ident(&i.table);
    if i.columns.is_empty() {
        w.push(" DEFAULT VALUES");
    } else {
        w.push(" ");
        w.ident_list(&i.columns);
        w.push(" VALUES ");
        for (n, row) in i.rows.iter().enumerate() {
            if n > 0 {
                w.push(", ");
            }
            w.push("(");
            w.exprs(row);
            w.push(")");
        }
    }
    if let Some(conflict) = &i.on_conflict {
        p.on_conflict(w, &i.table, conflict);
    }
    // The caller asks for RETURNING only where the server has it (MariaDB
    // 10.5 has it; the provider cannot tell MariaDB from MySQL).
    if !i.returning.is_empty() {
        w.push(" RETURNING ");
        for (n, column) in i.returning.iter().enumerate() {
            if n > 0 {
                w.push(", ");
            }
            w.ident(column);
        }
    }
}

/// `ON CONFLICT (k) DO UPDATE SET c = excluded.c` (SQLite, PostgreSQL).
pub fn on_conflict(w: &mut Writer<'_>, table: &str, c: &OnConflict) {
    w.push(" ON CONFLICT ");
    w.ident_list(&c.target);
    if c.update.is_empty() && c.bump.is_none() {
        w.push(" DO NOTHING");
        return;
    }
    w.push(" DO UPDATE SET ");
    for (n, column) in c.update.iter().enumerate() {
        if n > 0 {
            w.push(", ");
        }
        w.ident(column);
        w.push(" = ");
        w.qualified("excluded", column);
    }
    bump(w, Some(table), c);
}

/// `, version = t.version + 1`: the stored row's version, qualified by the
/// table where `excluded` would make a bare name ambiguous.
pub(crate) fn bump(w: &mut Writer<'_>, table: Option<&str>, c: &OnConflict) {
    if let Some(version) = &c.bump {
        if !c.update.is_empty() {
            w.push(", ");
        }
        w.ident(version);
        w.push(" = ");
        match table {
            Some(table) => w.qualified(table, version),
            None => w.ident(version),
        }
        w.push(" + 1");
    }
}

fn joins(w: &mut Writer<'_>, keyword: &str, from: &[Join]) -> bool {
    let mut conditions = false;
    for (n, join) in from.iter().enumerate() {
        w.push(if n == 0 { keyword } else { ", " });
        super::table_source(w, &join.source);
        w.push(" AS ");
        w.ident(&join.alias);
        conditions |= join.on.is_some() && join.kind != JoinKind::Cross;
    }
    conditions
}

fn where_with_joins(w: &mut Writer<'_>, from: &[Join], filter: Option<&Expr>) {
    let mut first = true;
    let mut clause = |w: &mut Writer<'_>, e: &Expr| {
        w.push(if first { " WHERE " } else { " AND " });
        first = false;
        w.expr_grouped(e);
    };
    for join in from {
        if let Some(on) = &join.on {
            clause(w, on);
        }
    }
    if let Some(filter) = filter {
        clause(w, filter);
    }
}

/// `UPDATE t AS a SET c = … [FROM …] WHERE …`.
pub fn update(w: &mut Writer<'_>, u: &Update) {
    w.push("UPDATE ");
    w.ident(&u.table);
    w.push(" AS ");
    w.ident(&u.alias);
    w.push(" SET ");
    for (n, (column, value)) in u.set.iter().enumerate() {
        if n > 0 {
            w.push(", ");
        }
        w.ident(column);
        w.push(" = ");
        w.expr(value);
    }
    joins(w, " FROM ", &u.from);
    where_with_joins(w, &u.from, u.filter.as_ref());
}

/// `DELETE FROM t AS a [USING …] WHERE …`.
pub fn delete(w: &mut Writer<'_>, d: &Delete) {
    w.push("DELETE FROM ");
    w.ident(&d.table);
    w.push(" AS ");
    w.ident(&d.alias);
    joins(w, " USING ", &d.from);
    where_with_joins(w, &d.from, d.filter.as_ref());
}

//! Default rendering of CREATE TABLE and of the writing statements.

use crate::tree::{ColumnDef, CreateIndex, CreateTable, Delete, Insert, JoinKind, TableSource, Update};
use crate::writer::Writer;

fn ident_list(w: &mut Writer<'_>, names: &[String]) {
    w.push("(");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(name);
    }
    w.push(")");
}

/// `TYPE [NOT NULL]`; providers add their auto-increment spelling.
pub fn column_def(w: &mut Writer<'_>, column: &ColumnDef, single_key: bool) {
    let _ = single_key;
    let ty = w.provider().column_type(column);
    w.push(&ty);
    if !column.nullable {
        w.push(" NOT NULL");
    }
}

pub fn create_table(w: &mut Writer<'_>, t: &CreateTable) {
    let p = w.provider();
    w.push("CREATE TABLE ");
    if t.if_not_exists {
        w.push("IF NOT EXISTS ");
    }
    w.ident(&t.table);
    w.push(" (");
    let single_key = t.primary_key.len() == 1;
    for (i, column) in t.columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(&column.name);
        w.push(" ");
        let is_key = single_key && t.primary_key[0] == column.name;
        p.column_def(w, column, is_key);
    }
    // SQLite declares an auto key inline (INTEGER PRIMARY KEY).
    let inline_key =
        single_key && p.inline_auto_key() && t.columns.iter().any(|c| c.auto && c.name == t.primary_key[0]);
    if !t.primary_key.is_empty() && !inline_key {
        w.push(", PRIMARY KEY ");
        ident_list(w, &t.primary_key);
    }
    for unique in &t.unique {
        w.push(", UNIQUE ");
        ident_list(w, unique);
    }
    for fk in &t.foreign_keys {
        w.push(", FOREIGN KEY ");
        ident_list(w, &fk.columns);
        w.push(" REFERENCES ");
        w.ident(&fk.table);
        w.push(" ");
        ident_list(w, &fk.references);
    }
    w.push(")");
    w.push(p.table_options());
}

/// `CREATE INDEX [IF NOT EXISTS] name ON table (columns)`.
pub fn create_index(w: &mut Writer<'_>, i: &CreateIndex) {
    w.push("CREATE INDEX ");
    if i.if_not_exists {
        w.push("IF NOT EXISTS ");
    }
    w.ident(&i.name);
    w.push(" ON ");
    w.ident(&i.table);
    w.push(" ");
    ident_list(w, &i.columns);
}

/// `INSERT INTO t (…) VALUES (…), (…) [ON CONFLICT …] [RETURNING …]`.
pub fn insert(w: &mut Writer<'_>, i: &Insert) {
    let p = w.provider();
    w.push("INSERT INTO ");
    w.ident(&i.table);
    if i.columns.is_empty() {
        w.push(" DEFAULT VALUES");
    } else {
        w.push(" ");
        ident_list(w, &i.columns);
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
    if !i.returning.is_empty() && p.capabilities().returning {
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
pub fn on_conflict(w: &mut Writer<'_>, table: &str, c: &crate::tree::OnConflict) {
    w.push(" ON CONFLICT ");
    ident_list(w, &c.target);
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
pub(crate) fn bump(w: &mut Writer<'_>, table: Option<&str>, c: &crate::tree::OnConflict) {
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

fn joins(w: &mut Writer<'_>, keyword: &str, from: &[crate::tree::Join]) -> bool {
    let mut conditions = false;
    for (n, join) in from.iter().enumerate() {
        w.push(if n == 0 { keyword } else { ", " });
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
        conditions |= join.on.is_some() && join.kind != JoinKind::Cross;
    }
    conditions
}

fn where_with_joins(w: &mut Writer<'_>, from: &[crate::tree::Join], filter: Option<&crate::Expr>) {
    let mut first = true;
    let mut clause = |w: &mut Writer<'_>, e: &crate::Expr| {
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

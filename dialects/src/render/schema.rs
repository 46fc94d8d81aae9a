//! The default rendering of schema statements: CREATE TABLE, CREATE
//! INDEX, DROP TABLE.

use crate::tree::{ColumnDef, CreateIndex, CreateTable, OnDelete};
use crate::writer::Writer;

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
        w.ident_list(&t.primary_key);
    }
    for unique in &t.unique {
        w.push(", UNIQUE ");
        w.ident_list(unique);
    }
    for fk in &t.foreign_keys {
        w.push(", FOREIGN KEY ");
        w.ident_list(&fk.columns);
        w.push(" REFERENCES ");
        w.ident(&fk.table);
        w.push(" ");
        w.ident_list(&fk.references);
        match fk.on_delete {
            None => {}
            Some(OnDelete::Restrict) => w.push(" ON DELETE RESTRICT"),
            Some(OnDelete::Cascade) => w.push(" ON DELETE CASCADE"),
            Some(OnDelete::SetNull) => w.push(" ON DELETE SET NULL"),
        }
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
    w.ident_list(&i.columns);
}

/// `DROP TABLE [IF EXISTS] table`.
pub fn drop_table(w: &mut Writer<'_>, table: &str, if_exists: bool) {
    w.push("DROP TABLE ");
    if if_exists {
        w.push("IF EXISTS ");
    }
    w.ident(table);
}

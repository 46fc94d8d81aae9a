//! The parts write statements share: parameters of an entity's columns,
//! conditions on its key, and its key as values or text.

use crate::dialects::{self as sql, BinaryOp};
use crate::entity::{ColumnMeta, Entity, EntityMeta};
use crate::types::{ToValues, Value};

#[allow(clippy::expect_used)]
pub(super) fn param(index: usize, column: &ColumnMeta) -> sql::Expr {
    sql::Expr::Param {
        index: u16::try_from(index).expect("invariant: a statement has at most 65 535 parameters"),
        ty: column.ty,
    }
}

/// `c1 = ? AND c2 = ? …` over `columns`, parameters numbered from `first`.
#[allow(clippy::expect_used)]
pub(super) fn columns_equal(meta: &EntityMeta, alias: &str, columns: &[usize], first: usize) -> sql::Expr {
    columns
        .iter()
        .enumerate()
        .map(|(n, &c)| {
            let column = &meta.columns[c];
            sql::Expr::binary(
                BinaryOp::Eq,
                sql::Expr::column(alias, column.name.clone()),
                param(first + n, column),
            )
        })
        .reduce(sql::Expr::and)
        .expect("invariant: a key or conflict target has a column")
}

/// `key1 = ? AND key2 = ? [AND version = ?]`, parameters numbered from `first`.
pub(super) fn key_filter(meta: &EntityMeta, alias: &str, first: usize, with_version: bool) -> sql::Expr {
    let mut columns: Vec<usize> = meta.key.clone();
    if with_version {
        columns.extend(meta.version_column());
    }
    columns_equal(meta, alias, &columns, first)
}

pub(super) fn key_values<E: Entity>(value: &E) -> Vec<Value> {
    let mut out = Vec::new();
    value.key().push_values(&mut out);
    out
}

pub(super) fn key_text<E: Entity>(value: &E) -> String {
    format!("{:?}", value.key())
}

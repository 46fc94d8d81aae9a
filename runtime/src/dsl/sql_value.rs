//! What queries can do with an `Option` of a [`SqlValue`] type: a crate
//! cannot write these impls for an `Option` of its own type (the orphan
//! rule), so they are written here once; the rest comes from the type's
//! `#[derive(SqlValue)]` or `#[foal::sql_value]`.

use crate::types::SqlValue;

use super::functions::SqlAggregate;
use super::ops::SqlEq;
use super::source::{SourceRow, cell};
use super::vars::MaybeNull;
use super::{Builder, Expr};

impl<T: SqlValue> MaybeNull for Option<T> {
    type Opt = Option<T>;
}

impl<T: SqlValue> SourceRow for Option<T> {
    type Vars = Expr<Option<T>>;
    fn vars(b: &Builder, table: u16, first: usize) -> Expr<Option<T>> {
        Expr::with(cell(b, table, first), false, true)
    }
}

#[diagnostic::do_not_recommend]
impl<T: SqlValue> SqlEq<Option<T>> for Option<T> {}

#[diagnostic::do_not_recommend]
impl<T: SqlValue> SqlEq<Option<&T>> for Option<T> {}

/// `min` and `max` of an optional value whose type has them.
#[diagnostic::do_not_recommend]
impl<T: SqlValue + SqlAggregate> SqlAggregate for Option<T> {
    type Min = Option<T>;
}

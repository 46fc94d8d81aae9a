//! What queries can do with an exact decimal: compare and order it, list it
//! in IN, group by it, and take its `sum`, `min` and `max`, all exact. No
//! arithmetic: a product has more digits than `rust_decimal` keeps, and
//! SQLite has no decimal arithmetic.

use rust_decimal::Decimal;

use super::functions::{SqlAggregate, aggregatable};
use super::ops::{SqlEq, SqlOrd, comparable};
use super::source::{SourceRow, column_sources};
use super::vars::{MaybeNull, maybe_null};
use super::{Builder, Expr};

maybe_null!(Decimal);
comparable!(Decimal);
aggregatable!(Decimal);
column_sources!(Decimal);

impl super::functions::SqlSum for Decimal {
    type Output = Decimal;
}
impl super::functions::SqlSum for Option<Decimal> {
    type Output = Decimal;
}

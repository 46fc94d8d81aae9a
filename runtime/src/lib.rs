//! foal: database queries written as plain Rust.
//!
//! ```
//! use foal::prelude::*;
//!
//! #[derive(Entity, Debug, Clone, PartialEq)]
//! pub struct Product {
//!     #[foal(primary_key, auto)]
//!     pub id: i64,
//!     pub name: String,
//!     pub price: i64,
//!     pub quantity: i32,
//! }
//!
//! # fn main() -> foal::Result<()> {
//! let db = Database::open("sqlite::memory:")?;
//! db.create_table::<Product>()?;
//! db.insert_all(vec![
//!     Product { id: 0, name: "iPad Air".into(), price: 599, quantity: 3 },
//!     Product { id: 0, name: "Cable".into(), price: 9, quantity: 0 },
//! ])?;
//!
//! let min_price = 500;
//! let q = select!(p.name for p in Product if p.price >= min_price && p.name.starts_with("iPad"));
//! assert_eq!(q.fetch_all(&db)?, vec!["iPad Air".to_string()]);
//! assert_eq!(
//!     q.sql(Dialect::Postgres),
//!     r#"SELECT "p"."name" FROM "product" AS "p" WHERE "p"."price" >= $1::int8 AND "p"."name" LIKE 'iPad%'::text ESCAPE '!'"#
//! );
//! # Ok(()) }
//! ```
//!
//! `select!` is translated at compile time: anything that cannot become SQL
//! is a compile error pointing at your code. Each call site is translated to
//! an SQL tree once, rendered once per dialect, and then only binds values.
//! See the guide in `docs/` for every construct and the SQL it becomes.

// Lets the derive's `::foal::…` paths resolve inside this crate's own tests.
#[allow(unused_extern_crates)]
extern crate self as foal;

pub use foal_dialects as dialects;

// The crates whose types are column types, re-exported: an application
// names them through foal and gets the version foal was built with.
#[cfg(feature = "chrono")]
pub use chrono;
#[cfg(feature = "decimal")]
pub use rust_decimal;
#[cfg(feature = "json")]
pub use serde_json;
#[cfg(feature = "time")]
pub use time;
#[cfg(feature = "json")]
pub use types::Json;
#[cfg(feature = "uuid")]
pub use uuid;

// The layers, lowest first (see docs/architecture.md): each folder imports
// only from the ones above it in this list.
#[doc(hidden)]
pub mod driver;
mod dsl;
mod entity;
mod error;
mod exec;
mod query;
mod types;
mod util;
mod write;

pub use dsl::{functions, ops, window};
#[doc(hidden)]
pub use dsl::{methods, relations};
pub use query::cache;

pub use dialects::{Dialect, OnDelete};
pub use dsl::relations::{Many, ManyPath};
pub use dsl::{Expr, Nullability, Optional, Projection, Required, SourceRow, Var};
pub use entity::{Column, ColumnMeta, Entity, EntityMeta, FieldAttrs, FieldMeta, Ref};
pub use error::{CallSite, DbCode, DbFault, DecodeError, Error, MESSAGE_LIMIT, Result};
pub use exec::pool::PoolStatus;
pub use exec::{Database, DatabaseBuilder, Executor, Isolation, Transaction, TxOptions};
pub use foal_macros::{Entity, SqlValue, select, sql_value};
pub use query::Query;
pub use query::bulk::UpdateQuery;
pub use query::compose::{QueryValue, SameRows};
pub use query::prefetch::{Loaded, MaybeRef, Prefetch, Prefetching};
pub use query::raw::{Raw, raw};
pub use query::stream::RowIter;
pub use types::{FromRow, LONG_LIST, RowAccess, SqlType, SqlValue, ToValue, ToValues, Typed, Value};
pub use write::ConflictKey;

/// The README's example, compiled and run as a doctest.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Everything a program using foal needs in scope.
pub mod prelude {
    pub use crate::dsl::functions::{
        avg, avg_distinct, coalesce, count, count_distinct, desc, exists, group_concat, max, min, substring, sum,
        sum_distinct, sum_or_none,
    };
    pub use crate::dsl::window::{
        cume_dist, dense_rank, first_value, lag, last_value, lead, nth_value, ntile, order_by, partition_by,
        percent_rank, rank, row_number, window,
    };
    pub use crate::{Database, Dialect, Entity, Executor, Query, Ref, SqlValue, Transaction, raw, select};
}

/// What the macros' generated code uses. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::DecodeError;
    pub use crate::dialects::{FrameBound, JoinKind};
    pub use crate::driver::{Conn, Decoder};
    pub use crate::dsl::functions::scalar;
    pub use crate::dsl::methods::{self, LikeKind};
    pub use crate::dsl::ops;
    pub use crate::dsl::relations::{self, Many, link};
    pub use crate::dsl::vars::MaybeNull;
    pub use crate::dsl::window;
    pub use crate::dsl::{
        Builder, Expr, Item, ListParam, Mapped, Optional, Projection, Required, RowDecoder, SourceRow, Sub, Var,
        check_field, count_row, count_var, entity_merged, entity_vars, field, lit, optional, row_ref, value_of,
    };
    pub use crate::entity::{Column, EntityMeta, Field, FieldAttrs};
    pub use crate::query::Query;
    pub use crate::query::bulk::UpdateQuery;
    pub use crate::query::cache::Site;
    pub use crate::query::compose::query_value;
    pub use crate::query::prefetch::{prefetch, prefetch2, prefetch3};
    pub use crate::query::raw::entity_by_name;
    pub use crate::types::{FromRow, ParamSink, Params, RowAccess, ToValue, ToValues, Value};

    /// Column `first` of table `table`, as a source's column.
    pub fn column_cell<T>(b: &Builder, table: u16, first: usize, nullable: bool) -> Expr<T> {
        Expr::with(crate::dsl::source::cell(b, table, first), false, nullable)
    }

    /// `if cond` / `.filter(|p| cond)`.
    pub fn filter<C: crate::dsl::ops::SqlBool>(b: &Builder, cond: Expr<C>) {
        b.filter(cond);
    }

    /// `p.field = value` in `.update(|p| { … })`: the value must fit the
    /// field's type.
    pub fn assign<T, V: crate::dsl::methods::SqlCoerce<T>>(b: &Builder, field: Expr<T>, value: Expr<V>) {
        b.assign(field.node, value.node);
    }

    /// The value of a `select!` that did not compile (next to its
    /// `compile_error!`): typed as its use needs, never run.
    #[allow(clippy::unreachable)]
    pub fn failed<T>() -> T {
        unreachable!("a query that does not compile never runs")
    }

    /// A value computed in Rust, bound as parameter `index`.
    pub fn param<V: ToValue>(b: &Builder, index: u16, value: &V) -> Expr<V> {
        b.param(index, value)
    }

    /// The condition of an explicit join (`Order.join(|o| cond)`).
    pub fn on<C: crate::dsl::ops::SqlBool>(b: &Builder, cond: Expr<C>) {
        b.on(cond);
    }

    /// A string literal of the query, bound as parameter `index`.
    pub fn text(b: &Builder, index: u16) -> Expr<String> {
        b.text(index)
    }

    /// A list computed in Rust for `contains`, bound as parameter `index`.
    pub fn list<L>(b: &Builder, index: u16, list: &L) -> ListParam<L::Elem>
    where
        L: crate::dsl::methods::HostList + ?Sized,
        L::Elem: ToValue,
    {
        b.list(index, list)
    }

    /// `.for_update()`.
    pub fn for_update(b: &Builder) {
        b.lock(crate::dialects::Lock::ForUpdate);
    }

    /// `.limit(n)`.
    pub fn limit<T: crate::dsl::SqlInt>(b: &Builder, n: Expr<T>) {
        b.limit(n);
    }

    /// `.offset(n)`.
    pub fn offset<T: crate::dsl::SqlInt>(b: &Builder, n: Expr<T>) {
        b.offset(n);
    }

    /// `page(n, size)`: the offset of page `n` (numbered from 1); pages
    /// before the first are the first.
    pub fn page_offset<P: TryInto<i64>, S: TryInto<i64>>(page: P, size: S) -> i64 {
        let page: i64 = page.try_into().unwrap_or(i64::MAX);
        let size: i64 = size.try_into().unwrap_or(i64::MAX);
        page.saturating_sub(1).max(0).saturating_mul(size.max(0))
    }
}

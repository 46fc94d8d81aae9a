//! Methods callable inside queries: text, `Option`, casts, `if`/`else`,
//! numbers, dates, and `contains` on a list computed in Rust. Generated
//! code calls them as `methods::<name>`.

mod date;
mod list;
mod number;
mod option;
mod text;

pub use date::*;
pub use list::*;
pub use number::*;
pub use option::*;
pub use text::*;

use crate::dialects as sql;
use crate::dsl::Expr;

pub(crate) fn func<T>(f: sql::Func, args: Vec<sql::Expr>, agg: bool, nullable: bool) -> Expr<T> {
    Expr::with(sql::Expr::func(f, args), agg, nullable)
}

//! Calendar and clock parts of dates and times: `.year()` … `.second()`.

use crate::dialects::Func;

use super::func;
use crate::dsl::Expr;

/// Dates and times whose calendar parts can be read: `.year()`, `.month()`,
/// `.day()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a date, so it has no calendar parts in a query",
    label = "`year()`, `month()` and `day()` need a date or date-time column"
)]
pub trait SqlDate {}

/// Date-times whose clock parts can be read: `.hour()`, `.minute()`,
/// `.second()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no time of day in a query",
    label = "`hour()`, `minute()` and `second()` need a date-time column, not a date"
)]
pub trait SqlTime {}

fn part<T, O>(f: Func, e: Expr<T>) -> Expr<O> {
    func(f, vec![e.node], e.agg, e.nullable)
}

/// `.year()`, as chrono's `Datelike::year`.
pub fn year<T: SqlDate>(e: Expr<T>) -> Expr<i32> {
    part(Func::Year, e)
}

/// `.month()`, 1 to 12.
pub fn month<T: SqlDate>(e: Expr<T>) -> Expr<u32> {
    part(Func::Month, e)
}

/// `.day()`, 1 to 31.
pub fn day<T: SqlDate>(e: Expr<T>) -> Expr<u32> {
    part(Func::Day, e)
}

/// `.hour()`, 0 to 23.
pub fn hour<T: SqlTime>(e: Expr<T>) -> Expr<u32> {
    part(Func::Hour, e)
}

/// `.minute()`, 0 to 59.
pub fn minute<T: SqlTime>(e: Expr<T>) -> Expr<u32> {
    part(Func::Minute, e)
}

/// `.second()`, 0 to 59 (the fraction is dropped, as in chrono).
pub fn second<T: SqlTime>(e: Expr<T>) -> Expr<u32> {
    part(Func::Second, e)
}

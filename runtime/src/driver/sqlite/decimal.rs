//! SQLite's decimal functions, computed with `rust_decimal`: decimals are
//! text there, so their order (`foal_decimal_key`) and their `sum`, `min`
//! and `max` are registered on each connection, exact.

use rusqlite::Connection;
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rust_decimal::Decimal;

use crate::types::decimal_text::{canonical, order_key, parse};

/// A decimal argument: its text (or an integer); a float has no exact
/// decimal and is refused.
fn decimal(value: ValueRef<'_>) -> rusqlite::Result<Option<Decimal>> {
    let refuse = |message: String| rusqlite::Error::UserFunctionError(message.into());
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(Decimal::from(n))),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map_err(|e| e.to_string())
            .and_then(parse)
            .map(Some)
            .map_err(refuse),
        ValueRef::Real(_) | ValueRef::Blob(_) => Err(refuse("a decimal is stored as its text".to_owned())),
    }
}

/// `a + x` if rust_decimal holds it exactly: its `+` rounds instead, where
/// PostgreSQL and MySQL sum exactly (and foal then refuses to read the sum).
fn exact_sum(a: Decimal, x: Decimal) -> Option<Decimal> {
    let s = a.checked_add(x)?;
    if s.scale() >= a.scale().max(x.scale()) {
        return Some(s);
    }
    // Fewer places than the operands: exact only if the digits below the
    // sum's last place add up to nothing (those remainders are exact).
    let unit = Decimal::new(1, s.scale());
    let low = a.checked_rem(unit)?.checked_add(x.checked_rem(unit)?)?;
    low.checked_rem(unit)?.is_zero().then_some(s)
}

/// Which of `sum`, `min` and `max` an aggregate computes.
#[derive(Clone, Copy)]
enum Fold {
    Sum,
    Min,
    Max,
}

impl Aggregate<Option<Decimal>, Option<String>> for Fold {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<Decimal>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<Decimal>) -> rusqlite::Result<()> {
        let Some(x) = decimal(ctx.get_raw(0))? else {
            return Ok(());
        };
        *acc = Some(match (*self, *acc) {
            (_, None) => x,
            (Fold::Sum, Some(a)) => exact_sum(a, x).ok_or_else(|| {
                rusqlite::Error::UserFunctionError(
                    "the exact sum of these decimals has more digits than rust_decimal holds".into(),
                )
            })?,
            (Fold::Min, Some(a)) => a.min(x),
            (Fold::Max, Some(a)) => a.max(x),
        });
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<Decimal>>) -> rusqlite::Result<Option<String>> {
        Ok(acc.flatten().map(canonical))
    }
}

pub(super) fn register(conn: &Connection, flags: FunctionFlags) -> rusqlite::Result<()> {
    conn.create_scalar_function("foal_decimal_key", 1, flags, |ctx| {
        Ok(decimal(ctx.get_raw(0))?.map(order_key))
    })?;
    conn.create_aggregate_function("foal_decimal_sum", 1, flags, Fold::Sum)?;
    conn.create_aggregate_function("foal_decimal_min", 1, flags, Fold::Min)?;
    conn.create_aggregate_function("foal_decimal_max", 1, flags, Fold::Max)?;
    Ok(())
}

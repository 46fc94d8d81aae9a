//! Keeping decoded rows: into the caller's vector, a decoding error turned
//! into foal's, naming its column.

use crate::error::{CallSite, DecodeError, Result};
use crate::types::RowAccess;

/// A decoded row of a driver's result, or its decoding error turned into
/// foal's, naming the column.
#[inline(always)]
pub(crate) fn decoded<T, R: RowAccess + ?Sized>(
    decoded: std::result::Result<T, DecodeError>,
    row: &R,
    site: CallSite,
) -> Result<T> {
    match decoded {
        Ok(v) => Ok(v),
        Err(e) => Err(decode_failed(e, row, site)),
    }
}

/// A decoding error as foal's, naming the column by the row's names.
#[cold]
#[inline(never)]
fn decode_failed<R: RowAccess + ?Sized>(e: DecodeError, row: &R, site: CallSite) -> crate::error::Error {
    let name = row.column_name(e.column);
    e.into_error(name.as_deref(), site)
}

/// Keeps a decoded row of a driver's result, or turns its decoding error
/// into foal's, naming the column; returns whether `max` rows are in.
#[inline(always)]
pub(crate) fn keep_row<T, R: RowAccess + ?Sized>(
    out: &mut Vec<T>,
    decoded: std::result::Result<T, DecodeError>,
    row: &R,
    max: Option<usize>,
    site: CallSite,
) -> Result<bool> {
    match decoded {
        Ok(v) => push_row(out, v),
        Err(e) => return Err(decode_failed(e, row, site)),
    }
    Ok(max.is_some_and(|m| out.len() >= m))
}

/// Appends a decoded row: the first one allocates room for a few at once
/// (as `collect` would) instead of going through the growth path.
#[inline(always)]
pub(crate) fn push_row<T>(out: &mut Vec<T>, row: T) {
    if out.len() == out.capacity() {
        grow(out);
    }
    out.push(row);
}

#[inline(never)]
fn grow<T>(out: &mut Vec<T>) {
    if out.capacity() == 0 {
        *out = Vec::with_capacity(4);
    } else {
        out.reserve(out.len());
    }
}

//! What each SQLite connection is set up with: functions registered in
//! Rust so SQLite computes what Rust would, and a wider lookaside.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;

pub(super) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let case = |to_upper: bool| {
        move |ctx: &rusqlite::functions::Context<'_>| -> rusqlite::Result<rusqlite::types::Value> {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(t) => {
                    let s = String::from_utf8_lossy(t);
                    rusqlite::types::Value::Text(if to_upper { s.to_uppercase() } else { s.to_lowercase() })
                }
                ValueRef::Null => rusqlite::types::Value::Null,
                ValueRef::Integer(i) => rusqlite::types::Value::Text(i.to_string()),
                ValueRef::Real(r) => rusqlite::types::Value::Text(r.to_string()),
                ValueRef::Blob(b) => rusqlite::types::Value::Blob(b.to_vec()),
            })
        }
    };
    conn.create_scalar_function("lower", 1, flags, case(false))?;
    conn.create_scalar_function("upper", 1, flags, case(true))?;
    #[cfg(feature = "chrono")]
    {
        conn.create_scalar_function("foal_add_micros", 2, flags, |ctx| {
            let (text, micros): (Option<String>, Option<i64>) = (ctx.get(0)?, ctx.get(1)?);
            Ok(text.zip(micros).and_then(|(text, micros)| {
                let at = crate::types::dates::parse_datetime(&text, 0).ok()?;
                let moved = at.checked_add_signed(chrono::TimeDelta::microseconds(micros))?;
                Some(moved.format(crate::types::dates::DATETIME_FORMAT).to_string())
            }))
        })?;
        conn.create_scalar_function("foal_add_days", 2, flags, |ctx| {
            let (text, days): (Option<String>, Option<i64>) = (ctx.get(0)?, ctx.get(1)?);
            Ok(text.zip(days).and_then(|(text, days)| {
                let date = crate::types::dates::parse_date(&text, 0).ok()?;
                let moved = date.checked_add_signed(chrono::TimeDelta::try_days(days)?)?;
                Some(moved.format(crate::types::dates::DATE_FORMAT).to_string())
            }))
        })?;
        // `a - b` of two dates or times: the microseconds between them.
        conn.create_scalar_function("foal_micros_between", 2, flags, |ctx| {
            let (a, b): (Option<String>, Option<String>) = (ctx.get(0)?, ctx.get(1)?);
            Ok(a.zip(b).and_then(|(a, b)| {
                let a = crate::types::dates::parse_datetime(&a, 0).ok()?;
                let b = crate::types::dates::parse_datetime(&b, 0).ok()?;
                (a - b).num_microseconds()
            }))
        })?;
    }
    // Rust's `powf` and `sqrt`, whether or not SQLite was built with its
    // math functions.
    conn.create_scalar_function("power", 2, flags, |ctx| {
        let (x, y): (Option<f64>, Option<f64>) = (ctx.get(0)?, ctx.get(1)?);
        Ok(x.zip(y).map(|(x, y)| x.powf(y)))
    })?;
    conn.create_scalar_function("sqrt", 1, flags, |ctx| {
        let x: Option<f64> = ctx.get(0)?;
        Ok(x.map(f64::sqrt))
    })?;
    conn.create_scalar_function("floor", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Real(r) => rusqlite::types::Value::Real(r.floor()),
            ValueRef::Integer(i) => rusqlite::types::Value::Integer(i),
            _ => rusqlite::types::Value::Null,
        })
    })?;
    #[cfg(feature = "decimal")]
    super::decimal::register(conn, flags)?;
    Ok(())
}

/// Bytes and number of the lookaside slots of a connection.
const LOOKASIDE: (i32, i32) = (1200, 256);

/// Gives the connection a lookaside (SQLite's per-connection pool for its
/// small allocations) of `LOOKASIDE`, about 300 KiB, instead of the 48 KiB
/// SQLite starts with. Each cached statement keeps some of its memory
/// there, so with the default the cache filled it and every allocation of
/// a later statement went through the global allocator and its mutex: a
/// 100-row insert ran 9% slower after the other benchmark workloads had
/// prepared theirs (`docs/performance.md`). Best effort: on failure the
/// connection keeps SQLite's default.
#[allow(unsafe_code)]
pub(super) fn widen_lookaside(conn: &Connection) {
    let (size, slots) = LOOKASIDE;
    // SAFETY: the handle is that of `conn`, open and used only here; with
    // a null buffer SQLite allocates the slots itself, and it refuses
    // (SQLITE_BUSY) rather than resize a lookaside in use. The variadic
    // arguments are the `void*, int, int` SQLITE_DBCONFIG_LOOKASIDE takes.
    let _ = unsafe {
        rusqlite::ffi::sqlite3_db_config(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            std::ffi::c_int::from(size),
            std::ffi::c_int::from(slots),
        )
    };
}

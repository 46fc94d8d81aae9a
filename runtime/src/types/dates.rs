//! The text forms of dates and times: how SQLite stores them, how
//! `sql_inline` writes them, and how they are read back.

use crate::error::DecodeError;

/// The text form of a date (SQLite stores dates as text).
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";
/// The text form of a date and time, microseconds kept.
pub(crate) const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// The text form of a time of day, microseconds kept: fixed width, so
/// text order is time order.
pub(crate) const TIME_FORMAT: &str = "%H:%M:%S%.6f";

pub(crate) fn parse_time(text: &str, i: usize) -> Result<chrono::NaiveTime, DecodeError> {
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveTime::parse_from_str(text, f).ok())
        .ok_or_else(|| DecodeError::new(i, format!("`{text}` is not a time of day")))
}

pub(crate) fn parse_date(text: &str, i: usize) -> Result<chrono::NaiveDate, DecodeError> {
    chrono::NaiveDate::parse_from_str(text, DATE_FORMAT)
        .map_err(|e| DecodeError::new(i, format!("`{text}` is not a date: {e}")))
}

pub(crate) fn parse_datetime(text: &str, i: usize) -> Result<chrono::NaiveDateTime, DecodeError> {
    let text = text.trim_end_matches('Z');
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| parse_date(text, i).ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
        .ok_or_else(|| DecodeError::new(i, format!("`{text}` is not a date and time")))
}

//! Checking and binding parameters: values no backend-independent meaning
//! exists for are refused, and rows are handed to a driver's sink by
//! reference.

use crate::error::{CallSite, Error, Result};
use crate::types::{ParamSink, ToValues, Value};

/// Refuses values no backend-independent meaning exists for: text holding
/// NUL (PostgreSQL cannot store it) and NaN or infinite floats (SQLite
/// stores NaN as NULL, MySQL refuses both).
#[inline]
pub(crate) fn check_params(params: &[Value], site: CallSite) -> Result<()> {
    if params.is_empty() {
        return Ok(());
    }
    check_values(params, site)
}

fn check_values(params: &[Value], site: CallSite) -> Result<()> {
    for value in params {
        let problem = match value {
            Value::List(items) => {
                check_values(items, site)?;
                continue;
            }
            other => problem_of(other),
        };
        if let Some(problem) = problem {
            return Err(Error::Parameter {
                message: problem.to_owned(),
                site,
            });
        }
    }
    Ok(())
}

/// Why `value` cannot be stored alike on every backend, if it cannot.
fn problem_of(value: &Value) -> Option<&'static str> {
    match value {
        Value::Text(_) | Value::StaticText(_) if value.as_str().is_some_and(|s| s.as_bytes().contains(&0)) => {
            Some(NUL_TEXT)
        }
        Value::Float(f) if !f.is_finite() => Some(NOT_FINITE),
        #[cfg(feature = "json")]
        Value::Json(Err(_)) => Some(NOT_JSON),
        _ => None,
    }
}

/// Hands every value of `rows` but the generated key's (column `skip` of
/// each row of `stride` columns) to `sink`, refusing, as `check_params`
/// does, text with NUL and floats that are not finite.
pub(crate) struct RowBinder<'s, 'a> {
    sink: &'s mut dyn ParamSink<'a>,
    stride: usize,
    skip: Option<usize>,
    column: usize,
    problem: Option<&'static str>,
}

impl<'s, 'a> RowBinder<'s, 'a> {
    /// Binds `rows` to `sink`; an error names a value no backend can take.
    pub(crate) fn bind<E: ToValues>(
        rows: &'a [E],
        stride: usize,
        skip: Option<usize>,
        sink: &'s mut dyn ParamSink<'a>,
        site: CallSite,
    ) -> Result<()> {
        let mut binder = RowBinder {
            sink,
            stride: stride.max(1),
            skip,
            column: 0,
            problem: None,
        };
        for row in rows {
            row.bind_values(&mut binder);
        }
        match binder.problem {
            None => Ok(()),
            Some(problem) => Err(Error::Parameter {
                message: problem.to_owned(),
                site,
            }),
        }
    }

    /// Whether the next value is the generated key's (and moves on).
    #[inline]
    fn skipped(&mut self) -> bool {
        let column = self.column;
        self.column = if column + 1 == self.stride { 0 } else { column + 1 };
        self.skip == Some(column)
    }
}

const NUL_TEXT: &str = "text containing NUL (U+0000) cannot be stored on every backend; store it as Vec<u8>";
#[cfg(feature = "json")]
const NOT_JSON: &str = "a `Json` value could not be serialized to a JSON document (serde_json refused it)";
const NOT_FINITE: &str = "NaN and infinite floats cannot be stored alike on every backend";

impl<'a> ParamSink<'a> for RowBinder<'_, 'a> {
    fn value(&mut self, v: Value) {
        if !self.skipped() {
            if let Some(problem) = problem_of(&v) {
                self.problem.get_or_insert(problem);
            }
            self.sink.value(v);
        }
    }
    fn null(&mut self) {
        if !self.skipped() {
            self.sink.null();
        }
    }
    fn bool(&mut self, v: &'a bool) {
        if !self.skipped() {
            self.sink.bool(v);
        }
    }
    fn i16(&mut self, v: &'a i16) {
        if !self.skipped() {
            self.sink.i16(v);
        }
    }
    fn i32(&mut self, v: &'a i32) {
        if !self.skipped() {
            self.sink.i32(v);
        }
    }
    fn i64(&mut self, v: &'a i64) {
        if !self.skipped() {
            self.sink.i64(v);
        }
    }
    fn f32(&mut self, v: &'a f32) {
        if !self.skipped() {
            if !v.is_finite() {
                self.problem.get_or_insert(NOT_FINITE);
            }
            self.sink.f32(v);
        }
    }
    fn f64(&mut self, v: &'a f64) {
        if !self.skipped() {
            if !v.is_finite() {
                self.problem.get_or_insert(NOT_FINITE);
            }
            self.sink.f64(v);
        }
    }
    fn text(&mut self, v: &'a String) {
        if !self.skipped() {
            if v.as_bytes().contains(&0) {
                self.problem.get_or_insert(NUL_TEXT);
            }
            self.sink.text(v);
        }
    }
    fn bytes(&mut self, v: &'a Vec<u8>) {
        if !self.skipped() {
            self.sink.bytes(v);
        }
    }
    #[cfg(feature = "chrono")]
    fn date(&mut self, v: &'a chrono::NaiveDate) {
        if !self.skipped() {
            self.sink.date(v);
        }
    }
    #[cfg(feature = "chrono")]
    fn datetime(&mut self, v: &'a chrono::NaiveDateTime) {
        if !self.skipped() {
            self.sink.datetime(v);
        }
    }
    #[cfg(feature = "chrono")]
    fn timestamp(&mut self, v: &'a chrono::DateTime<chrono::Utc>) {
        if !self.skipped() {
            self.sink.timestamp(v);
        }
    }
}

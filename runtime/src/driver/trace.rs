//! `tracing` spans of statements (the `tracing` feature): every statement
//! a connection sends is a span `foal.query` with the OpenTelemetry
//! database fields, `db.statement` the SQL text (never the values), the
//! rows it returned or changed, and the call site of the query; one slower
//! than the URL's `slow_ms` is also a WARN event.

use std::time::{Duration, Instant};

use crate::dialects::Dialect;
use crate::error::CallSite;

/// A statement being run: its span, entered, and when it started.
pub(crate) struct Statement<'a> {
    span: tracing::Span,
    sql: &'a str,
    site: CallSite,
    /// When it started; `None` when no subscriber wants the span and no
    /// `slow_ms` is set: a clock read costs tens of nanoseconds (a system
    /// call on some VMs), a third of a one-row SQLite query.
    start: Option<Instant>,
    slow: Option<Duration>,
}

fn system(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgresql",
        Dialect::Mysql => "mysql",
    }
}

impl<'a> Statement<'a> {
    #[inline]
    pub(crate) fn begin(dialect: Dialect, sql: &'a str, site: CallSite, slow: Option<Duration>) -> Statement<'a> {
        let span = tracing::info_span!(
            target: "foal",
            "foal.query",
            db.system = system(dialect),
            db.statement = sql,
            db.rows = tracing::field::Empty,
            code.filepath = site.file(),
            code.lineno = site.line(),
            duration_us = tracing::field::Empty,
        );
        let timed = !span.is_disabled() || slow.is_some();
        Statement {
            span,
            sql,
            site,
            start: timed.then(Instant::now),
            slow,
        }
    }

    /// Closes the span with the number of rows (or none, for a failure).
    #[inline]
    pub(crate) fn end(self, rows: Option<u64>) {
        let Some(start) = self.start else { return };
        let elapsed = start.elapsed();
        if let Some(rows) = rows {
            self.span.record("db.rows", rows);
        }
        self.span
            .record("duration_us", u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
        if self.slow.is_some_and(|slow| elapsed > slow) {
            let _in = self.span.enter();
            // Inside the span, which carries the `db.*` and `code.*` fields.
            tracing::warn!(
                target: "foal",
                statement = self.sql,
                at = %self.site,
                elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                "slow statement"
            );
        }
    }

    /// The span, for the statement's own events.
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }
}

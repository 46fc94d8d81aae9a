//! The one error type of foal.

use std::fmt;
use std::panic::Location;

/// Where a query was written: the `select!` call site, or the public method
/// that issued a statement. One pointer, so that passing it along every
/// call of a query's path costs a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallSite(&'static Location<'static>);

impl CallSite {
    /// The caller of the function this is called in.
    #[track_caller]
    #[inline]
    pub const fn caller() -> CallSite {
        CallSite(Location::caller())
    }

    /// The source file.
    pub fn file(&self) -> &'static str {
        self.0.file()
    }

    /// The line, from 1.
    pub fn line(&self) -> u32 {
        self.0.line()
    }

    /// The column, from 1.
    pub fn column(&self) -> u32 {
        self.0.column()
    }
}

impl fmt::Display for CallSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

/// What kind of fault the database reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DbFault {
    /// Any other error the server or driver reported.
    Other,
    /// A serialization failure or deadlock: retrying the transaction may succeed.
    Retryable,
}

/// Every error foal returns. Each variant that comes from running a statement
/// names the call site of the query that ran it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `fetch_one` found no row, or `get` was asked for a key that is absent.
    #[error("no row found (query at {site})")]
    NotFound { site: CallSite },

    /// `fetch_one` or `fetch_optional` found more than one row.
    #[error("more than one row found where at most one was expected (query at {site})")]
    TooManyRows { site: CallSite },

    /// An update or delete lost an optimistic-concurrency race: the row's
    /// version changed (or the row vanished) since it was read.
    #[error("conflict: {entity} with key {key} was changed or deleted by another writer (at {site})")]
    Conflict {
        entity: &'static str,
        key: String,
        site: CallSite,
    },

    /// A unique, foreign-key, not-null or check constraint was violated.
    #[error("constraint {} violated: {message} (at {site})", constraint.as_deref().unwrap_or("(unnamed)"))]
    Constraint {
        /// The constraint's name, where the backend reports it.
        constraint: Option<String>,
        message: String,
        /// The server's code for it (see [`Error::code`]).
        code: DbCode,
        site: CallSite,
    },

    /// The connection to the server broke.
    #[error("connection lost: {message} (at {site})")]
    ConnectionLost { message: String, site: CallSite },

    /// A row value could not be turned into the Rust type asked for.
    #[error("cannot decode column {column} of the query at {site}: {message}")]
    Decode {
        column: String,
        message: String,
        site: CallSite,
    },

    /// Any other error reported by the database or its driver.
    #[error("database error: {message} (query at {site})")]
    Database {
        message: String,
        fault: DbFault,
        /// The server's code for it (see [`Error::code`]).
        code: DbCode,
        site: CallSite,
    },

    /// A statement ran past its deadline (`statement_timeout`,
    /// `read_timeout_ms`) and was cancelled on the server, or a connection
    /// could not be made within `connect_timeout`.
    #[error("timed out: {message} (at {site})")]
    Timeout { message: String, site: CallSite },

    /// Every connection of the pool stayed busy for the pool's timeout
    /// (`pool_timeout_ms`, 30 s by default).
    #[error("no connection became free within {waited:?} (pool of {size}; at {site})")]
    PoolTimeout {
        waited: std::time::Duration,
        size: usize,
        site: CallSite,
    },

    /// A call foal cannot carry out as written, found at run time (for
    /// example an upsert keyed by columns that are not unique).
    #[error("{message} (at {site})")]
    Usage { message: String, site: CallSite },

    /// The connection URL or an option is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The backend cannot do what was asked; the message names it.
    #[error("not supported on {backend}: {message} (at {site})")]
    Unsupported {
        backend: &'static str,
        message: String,
        site: CallSite,
    },

    /// A value cannot be sent as a parameter (for example an integer that
    /// does not fit the column).
    #[error("invalid parameter: {message} (query at {site})")]
    Parameter { message: String, site: CallSite },

    /// [`Database::check`](crate::Database::check) found the live table
    /// different from the entity: every difference, one per entry.
    #[error("table {table} does not match the entity {entity} (checked at {site}):\n  - {}", differences.join("\n  - "))]
    Schema {
        entity: &'static str,
        table: String,
        differences: Vec<String>,
        site: CallSite,
    },
}

impl Error {
    /// The call site of the query that failed, where there is one.
    pub fn site(&self) -> Option<CallSite> {
        match self {
            Error::NotFound { site }
            | Error::TooManyRows { site }
            | Error::Conflict { site, .. }
            | Error::Constraint { site, .. }
            | Error::ConnectionLost { site, .. }
            | Error::Decode { site, .. }
            | Error::Database { site, .. }
            | Error::Unsupported { site, .. }
            | Error::Parameter { site, .. }
            | Error::PoolTimeout { site, .. }
            | Error::Timeout { site, .. }
            | Error::Usage { site, .. }
            | Error::Schema { site, .. } => Some(*site),
            Error::Config(_) => None,
        }
    }

    /// The server's code for a database or constraint error: the SQLSTATE
    /// (PostgreSQL always, MySQL as it reports one) and the error number
    /// (MySQL's `1062`, SQLite's extended result code).
    pub fn code(&self) -> Option<&DbCode> {
        match self {
            Error::Constraint { code, .. } | Error::Database { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The SQLSTATE of a database error (`23505` for a unique violation on
    /// PostgreSQL and MySQL).
    pub fn sqlstate(&self) -> Option<&str> {
        self.code()?.sqlstate.as_deref()
    }

    /// Whether running the whole transaction again (reading afresh) may
    /// succeed: a serialization failure, a deadlock, a busy database, or an
    /// optimistic-concurrency [`Conflict`](Error::Conflict).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Database {
                fault: DbFault::Retryable,
                ..
            } | Error::Conflict { .. }
        )
    }
}

/// The longest message from a server or a driver an error keeps, in
/// bytes: a statement with a 20 000-key IN list made messages of hundreds
/// of kilobytes (servers and drivers quote the SQL). Longer ones keep
/// their start and their end around a note of what was left out.
pub const MESSAGE_LIMIT: usize = 1200;

/// `text` cut to [`MESSAGE_LIMIT`] bytes, on character boundaries.
pub(crate) fn readable(text: &mut String) {
    if text.len() <= MESSAGE_LIMIT {
        return;
    }
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let head = floor(MESSAGE_LIMIT * 3 / 4);
    let mut tail = text.len() - MESSAGE_LIMIT / 4;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    let cut = format!(
        "{} … [{} bytes left out] … {}",
        &text[..head],
        tail - head,
        &text[tail..]
    );
    *text = cut;
}

impl Error {
    /// The error with its message cut to [`MESSAGE_LIMIT`] bytes; the call
    /// site stays.
    #[cold]
    pub(crate) fn readable(mut self) -> Error {
        match &mut self {
            Error::Constraint { message, .. }
            | Error::ConnectionLost { message, .. }
            | Error::Decode { message, .. }
            | Error::Database { message, .. }
            | Error::Usage { message, .. }
            | Error::Unsupported { message, .. }
            | Error::Parameter { message, .. }
            | Error::Timeout { message, .. }
            | Error::Config(message) => readable(message),
            Error::Conflict { key, .. } => readable(key),
            Error::NotFound { .. } | Error::TooManyRows { .. } | Error::PoolTimeout { .. } | Error::Schema { .. } => {}
        }
        self
    }
}

/// A database error's code, as the server gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbCode {
    /// The five-character SQLSTATE (`23505`), where the backend sends one.
    pub sqlstate: Option<String>,
    /// The backend's own number: MySQL's error number (`1062`), SQLite's
    /// extended result code (`2067` for a unique constraint).
    pub number: Option<i64>,
}

impl DbCode {
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn state(sqlstate: &str) -> DbCode {
        DbCode {
            sqlstate: Some(sqlstate.to_owned()),
            number: None,
        }
    }
}

/// `Result` with foal's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A decoding failure before the call site is known.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub column: usize,
    pub message: String,
}

impl DecodeError {
    pub fn new(column: usize, message: impl Into<String>) -> Self {
        DecodeError {
            column,
            message: message.into(),
        }
    }

    /// NULL found where the Rust type has no room for it.
    #[cold]
    pub fn null<T: ?Sized>(column: usize) -> Self {
        DecodeError::new(
            column,
            format!(
                "NULL cannot be stored in `{}`; declare the field or projection as `Option<{}>`",
                short_type_name::<T>(),
                short_type_name::<T>()
            ),
        )
    }

    pub(crate) fn into_error(self, column_name: Option<&str>, site: CallSite) -> Error {
        let column = match column_name {
            Some(name) => format!("{} (`{name}`)", self.column),
            None => self.column.to_string(),
        };
        Error::Decode {
            column,
            message: self.message,
            site,
        }
    }
}

/// `alloc::string::String` → `String`, for messages.
pub(crate) fn short_type_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            segment.push(c);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
    out
}

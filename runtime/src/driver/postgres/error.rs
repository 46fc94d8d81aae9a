//! PostgreSQL's errors: what the server reports, what the client meets,
//! and how each becomes a foal [`Error`].

use std::io;

use fallible_iterator::FallibleIterator;
use postgres_protocol::message::backend::ErrorResponseBody;

use crate::error::{CallSite, DbCode, DbFault, Error};

/// An error the server reported.
#[derive(Debug, Clone)]
pub(crate) struct DbError {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) constraint: Option<String>,
    pub(crate) detail: Option<String>,
}

impl DbError {
    pub(crate) fn parse(body: &ErrorResponseBody) -> DbError {
        let mut e = DbError {
            code: String::new(),
            message: String::new(),
            constraint: None,
            detail: None,
        };
        let mut fields = body.fields();
        while let Ok(Some(field)) = fields.next() {
            let value = String::from_utf8_lossy(field.value_bytes()).into_owned();
            match field.type_() {
                b'C' => e.code = value,
                b'M' => e.message = value,
                b'n' => e.constraint = Some(value),
                b'D' => e.detail = Some(value),
                _ => {}
            }
        }
        e
    }
}

/// Why a call failed.
#[derive(Debug)]
pub(crate) enum WireError {
    /// The connection failed or closed.
    Io(io::Error),
    /// The server refused the statement; the connection is still usable.
    Db(DbError),
    /// A value could not be encoded for its parameter.
    Encode(String),
    /// The server said something this client does not understand, or
    /// something the protocol does not allow where it came: the
    /// connection is out of step and must be dropped.
    Protocol(String),
    /// A statement foal does not run this way (COPY through a simple
    /// query); the reply was read to its end, the connection is usable.
    Unsupported(String),
    /// A deadline passed (`connect_timeout`, `read_timeout_ms`); the
    /// connection is lost.
    Timeout(String),
    /// The connection could not be set up as the URL asks: TLS failed or
    /// was refused, no host matched `target_session_attrs`.
    Connect(String),
    /// foal refused the server's way of authenticating (`require_auth`,
    /// `channel_binding`, a downgrade, no password without TLS).
    Auth(String),
}

impl WireError {
    /// The message, for an error that lists several hosts'.
    pub(crate) fn text(&self) -> String {
        match self {
            WireError::Io(e) => e.to_string(),
            WireError::Db(e) => match &e.detail {
                Some(detail) => format!("{} ({detail})", e.message),
                None => e.message.clone(),
            },
            WireError::Encode(m)
            | WireError::Protocol(m)
            | WireError::Unsupported(m)
            | WireError::Timeout(m)
            | WireError::Connect(m)
            | WireError::Auth(m) => m.clone(),
        }
    }

    /// The same kind of error with `text` as its message.
    pub(crate) fn with_text(self, text: String) -> WireError {
        match self {
            WireError::Io(e) => WireError::Io(io::Error::new(e.kind(), text)),
            WireError::Db(e) => WireError::Db(DbError {
                message: text,
                detail: None,
                ..e
            }),
            WireError::Encode(_) => WireError::Encode(text),
            WireError::Protocol(_) => WireError::Protocol(text),
            WireError::Unsupported(_) => WireError::Unsupported(text),
            WireError::Timeout(_) => WireError::Timeout(text),
            WireError::Connect(_) => WireError::Connect(text),
            WireError::Auth(_) => WireError::Auth(text),
        }
    }
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        WireError::Io(e)
    }
}

pub(crate) type WireResult<T> = Result<T, WireError>;

/// Maps a client error, keeping the SQLSTATE's meaning and the name of a
/// violated constraint.
pub(crate) fn map_error(e: WireError, site: CallSite) -> Error {
    match e {
        WireError::Io(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        WireError::Encode(message) => Error::Parameter { message, site },
        WireError::Timeout(message) => Error::Timeout { message, site },
        WireError::Connect(message) => Error::ConnectionLost { message, site },
        WireError::Auth(message) => Error::Database {
            message,
            fault: DbFault::Other,
            code: DbCode::default(),
            site,
        },
        WireError::Protocol(message) => Error::Database {
            message,
            fault: DbFault::Other,
            code: DbCode::default(),
            site,
        },
        WireError::Unsupported(message) => Error::Unsupported {
            backend: "PostgreSQL",
            message,
            site,
        },
        WireError::Db(DbError {
            code,
            message,
            constraint,
            detail,
        }) => {
            let message = match detail {
                Some(detail) => format!("{message} ({detail})"),
                None => message,
            };
            match code.as_str() {
                // unique, foreign key, not null, check
                "23505" | "23503" | "23502" | "23514" => Error::Constraint {
                    constraint,
                    message,
                    code: DbCode::state(&code),
                    site,
                },
                // admin shutdown, crash shutdown, cannot connect now
                "57P01" | "57P02" | "57P03" => Error::ConnectionLost { message, site },
                // query_canceled: statement_timeout, or foal's CancelRequest
                // after read_timeout_ms
                "57014" => Error::Timeout {
                    message: format!("{message} [{code}]"),
                    site,
                },
                // serialization failure, deadlock
                "40001" | "40P01" => Error::Database {
                    message,
                    fault: DbFault::Retryable,
                    code: DbCode::state(&code),
                    site,
                },
                _ => Error::Database {
                    message: format!("{message} [{code}]"),
                    fault: DbFault::Other,
                    code: DbCode::state(&code),
                    site,
                },
            }
        }
    }
}

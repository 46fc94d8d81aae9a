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

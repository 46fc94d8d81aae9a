//! MySQL's errors as foal's: constraint violations with their names,
//! retryable deadlocks, lost connections, statements the server stopped
//! at `statement_timeout`.

use crate::error::{CallSite, DbCode, DbFault, Error};

/// The constraint a MySQL message names: `… for key 'name'` or
/// `… CONSTRAINT `name` FOREIGN KEY …`.
fn constraint_name(message: &str) -> Option<String> {
    if let Some(rest) = message.split("for key '").nth(1) {
        return rest
            .split('\'')
            .next()
            .map(|s| s.rsplit('.').next().unwrap_or(s).to_owned());
    }
    if let Some(rest) = message.split("CONSTRAINT `").nth(1) {
        return rest.split('`').next().map(str::to_owned);
    }
    if let Some(rest) = message.split("Column '").nth(1) {
        return rest.split('\'').next().map(str::to_owned);
    }
    None
}

pub(crate) fn map_error(e: mysql::Error, site: CallSite) -> Error {
    match e {
        mysql::Error::MySqlError(err) => {
            let code = DbCode {
                sqlstate: (!err.state.is_empty()).then(|| err.state.clone()),
                number: Some(i64::from(err.code)),
            };
            match err.code {
                // Duplicate key, foreign key (parent and child), NULL into NOT NULL, check.
                1062 | 1451 | 1452 | 1048 | 3819 | 4025 => Error::Constraint {
                    constraint: constraint_name(&err.message),
                    message: err.message,
                    code,
                    site,
                },
                // Deadlock, lock wait timeout.
                1213 | 1205 => Error::Database {
                    message: err.message,
                    fault: DbFault::Retryable,
                    code,
                    site,
                },
                // MariaDB's max_statement_time, MySQL's max_execution_time:
                // the statement stopped, the connection is fine.
                1969 | 3024 => Error::Timeout {
                    message: format!(
                        "{} ({}): the server stopped the statement at statement_timeout",
                        err.message, err.code
                    ),
                    site,
                },
                // Server shutdown, connection killed.
                1053 | 1927 | 2006 | 2013 => Error::ConnectionLost {
                    message: err.message,
                    site,
                },
                _ => Error::Database {
                    message: format!("{} ({})", err.message, err.code),
                    fault: DbFault::Other,
                    code,
                    site,
                },
            }
        }
        mysql::Error::IoError(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        mysql::Error::CodecError(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        mysql::Error::DriverError(e) => Error::ConnectionLost {
            message: e.to_string(),
            site,
        },
        other => Error::Database {
            message: other.to_string(),
            fault: DbFault::Other,
            code: DbCode::default(),
            site,
        },
    }
}

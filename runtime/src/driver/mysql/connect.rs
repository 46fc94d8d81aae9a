//! Opening a connection within `connect_timeout`, with TLS as `ssl-mode`
//! asks, and cancelling a statement that outlives `read_timeout_ms`.
//!
//! The crate bounds only the TCP connect with its own timeout; the
//! greeting, TLS, authentication and foal's session setup are bounded by
//! the socket's read and write timeouts, which it sets once, from its
//! options. So a connection starts with `connect_timeout` on its socket
//! and, once set up, gets the statement deadline (`read_timeout_ms`, or
//! none) instead.

use std::io;
use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{DriverError, Opts, OptsBuilder};

use super::config::Config;
use super::error::map_error;
use super::tls::{self, SslMode};
use crate::error::{CallSite, Error, Result};

/// Whether an I/O error is a socket timeout expiring.
pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// A connection as `config` asks for it, and the crate's options it was
/// made with. Under `PREFERRED`, a server that offers no TLS (the crate's
/// `TlsNotSupported`, found in its greeting before anything is sent) is
/// connected to again without it; any other failure is final.
///
/// # Errors
/// [`Error::Timeout`] past `connect_timeout`; [`Error::ConnectionLost`]
/// for a server that cannot be reached, has no TLS where it is required,
/// or whose certificate fails the checks; the server's own refusal.
pub(crate) fn establish(config: &Config, site: CallSite) -> Result<(mysql::Conn, Opts)> {
    if config.first.get_ssl_opts().is_some() {
        tls::install_provider();
    }
    match new_conn(config.first.clone()) {
        Ok(conn) => Ok((conn, config.first.clone())),
        Err(mysql::Error::DriverError(DriverError::TlsNotSupported)) if config.fallback.is_some() => {
            let plain = config.fallback.clone().unwrap_or_else(|| config.first.clone());
            match new_conn(plain.clone()) {
                Ok(conn) => Ok((conn, plain)),
                Err(e) => Err(connect_error(e, config, site)),
            }
        }
        Err(e) => Err(connect_error(e, config, site)),
    }
}

/// The crate's `Conn::new`, with a panic inside it as an error: the crate
/// unwraps some of a server's replies while connecting (a NULL
/// `@@socket` on a loopback address, which it asks to move to the Unix
/// socket), and a server's reply must never make foal panic. Nothing of
/// the half-made connection outlives the panic.
fn new_conn(opts: Opts) -> std::result::Result<mysql::Conn, mysql::Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mysql::Conn::new(opts))).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(mysql::Error::IoError(io::Error::other(format!(
            "the server's reply made the mysql driver fail while connecting: {what}"
        ))))
    })
}

/// A failure while connecting or setting the session up, as foal's error.
pub(crate) fn connect_error(e: mysql::Error, config: &Config, site: CallSite) -> Error {
    let address = &config.address;
    let mode = config.mode.name();
    let deadline = match (config.deadlines.connect, config.deadlines.read) {
        (Some(t), _) => format!("connect_timeout ({} s)", t.as_secs()),
        (None, Some(t)) => format!("read_timeout_ms ({} ms)", t.as_millis()),
        (None, None) => "the system's timeout".to_owned(),
    };
    if matches!(e, mysql::Error::DriverError(DriverError::ConnectTimeout)) {
        // Without connect_timeout, the crate's own tcp_connect_timeout_ms.
        let within = match (config.deadlines.connect, config.first.get_tcp_connect_timeout()) {
            (None, Some(t)) => format!("tcp_connect_timeout_ms ({} ms)", t.as_millis()),
            _ => deadline,
        };
        return Error::Timeout {
            message: format!("could not connect to {address} within {within}"),
            site,
        };
    }
    if tls::io_error(&e).is_some_and(is_timeout) {
        return Error::Timeout {
            message: format!("the server at {address} did not answer within {deadline} while connecting"),
            site,
        };
    }
    if matches!(e, mysql::Error::DriverError(DriverError::TlsNotSupported)) {
        return Error::ConnectionLost {
            message: format!(
                "the server at {address} does not offer TLS, which `ssl-mode={mode}` requires \
                 (`ssl-mode=PREFERRED` connects without TLS to a server that has none)"
            ),
            site,
        };
    }
    if config.mode != SslMode::Disabled
        && let Some(failure) = tls::tls_failure(&e)
    {
        return Error::ConnectionLost {
            message: format!("TLS with {address} failed (`ssl-mode={mode}`): {failure}"),
            site,
        };
    }
    map_error(e, site)
}

/// Gives the connection's socket its statement deadline: SO_RCVTIMEO and
/// SO_SNDTIMEO of `timeout` (none: wait as long as it takes).
#[cfg(unix)]
pub(crate) fn set_socket_timeouts(conn: &mysql::Conn, timeout: Option<Duration>) -> io::Result<()> {
    use std::os::fd::{AsRawFd, BorrowedFd};
    // SAFETY: the descriptor is that of the socket `conn` owns and keeps
    // open as long as it lives; `conn` is borrowed for longer than `fd` is
    // used, so the descriptor is open and refers to that socket throughout.
    #[allow(unsafe_code)]
    let fd = unsafe { BorrowedFd::borrow_raw(conn.as_raw_fd()) };
    // A second descriptor of the same socket, in a std type whose timeout
    // setters are `setsockopt(SOL_SOCKET, SO_RCVTIMEO/SO_SNDTIMEO)`, valid
    // for a TCP or a Unix socket alike. The options belong to the socket,
    // so `conn`'s descriptor has them too; dropping the copy closes only it.
    let socket = std::net::TcpStream::from(fd.try_clone_to_owned()?);
    socket.set_read_timeout(timeout)?;
    socket.set_write_timeout(timeout)
}

/// Where the crate's connection is not a file descriptor, the socket
/// keeps the timeouts it was opened with (`config.rs` then sets the
/// statement's from the start).
#[cfg(not(unix))]
pub(crate) fn set_socket_timeouts(_conn: &mysql::Conn, _timeout: Option<Duration>) -> io::Result<()> {
    Ok(())
}

/// Cancels the statement that connection `id` runs: `KILL QUERY id` from a
/// second connection of `opts`, each of whose waits is bounded by `bound`.
pub(crate) fn kill_query(opts: &Opts, id: u32, bound: Duration) -> std::result::Result<(), mysql::Error> {
    let opts = OptsBuilder::from_opts(opts.clone())
        .init(Vec::<String>::new())
        .prefer_socket(false)
        .tcp_connect_timeout(Some(bound))
        .read_timeout(Some(bound))
        .write_timeout(Some(bound));
    let mut conn = new_conn(opts.into())?;
    conn.query_drop(format!("KILL QUERY {id}"))
}

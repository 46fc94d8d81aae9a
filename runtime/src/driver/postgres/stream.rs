//! The socket under the protocol: TCP with libpq's keepalive options,
//! optionally wrapped in TLS after an SSLRequest, and the connect
//! deadline every step of opening a connection is held to.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use postgres_protocol::message::frontend;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::config::Keepalive;
use super::error::{WireError, WireResult};

/// The connection's byte stream. Plain TCP costs one predictable branch
/// per read and write over a bare `TcpStream`.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Stream::Tls(_))
    }

    /// The server's end-entity certificate, over TLS.
    pub(crate) fn peer_certificate(&self) -> Option<&[u8]> {
        match self {
            Stream::Plain(_) => None,
            Stream::Tls(s) => s.conn.peer_certificates()?.first().map(|c| c.as_ref()),
        }
    }

    /// Ends TLS with a close_notify (nothing for plain TCP); best effort.
    pub(crate) fn close_notify(&mut self) {
        if let Stream::Tls(s) = self {
            s.conn.send_close_notify();
            let _ = s.conn.write_tls(&mut s.sock);
        }
    }
}

impl Read for Stream {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(buf),
            Stream::Tls(s) => {
                s.write_all(buf)?;
                s.flush()
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Whether an I/O error is a socket timeout (`SO_RCVTIMEO`, `SO_SNDTIMEO`).
pub(crate) fn timed_out(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// The end of a connection attempt (`connect_timeout`) or of a
/// CancelRequest, if there is one, and what to call it in an error.
#[derive(Clone, Copy)]
pub(crate) struct Deadline {
    pub(crate) at: Option<Instant>,
    limit: Option<Duration>,
    /// The option that set the limit.
    option: &'static str,
}

impl Deadline {
    pub(crate) fn after(limit: Option<Duration>, option: &'static str) -> Deadline {
        Deadline {
            // A limit too far to add is no limit.
            at: limit.and_then(|l| Instant::now().checked_add(l)),
            limit,
            option,
        }
    }

    /// The time left, `None` without a deadline; an error once it passed.
    pub(crate) fn remaining(&self, addr: SocketAddr, step: &str) -> WireResult<Option<Duration>> {
        let Some(at) = self.at else { return Ok(None) };
        match at.checked_duration_since(Instant::now()) {
            Some(left) if left > Duration::ZERO => Ok(Some(left)),
            _ => Err(self.expired(addr, step)),
        }
    }

    #[cold]
    pub(crate) fn expired(&self, addr: SocketAddr, step: &str) -> WireError {
        let limit = self.limit.map_or(String::new(), |l| format!(" ({l:?})"));
        WireError::Timeout(format!("no answer from {addr} {step} within {}{limit}", self.option))
    }

    /// Sets the socket's read and write timeouts to the time left; `false`
    /// once the deadline passed.
    pub(crate) fn set(&self, tcp: &TcpStream) -> io::Result<bool> {
        let Some(at) = self.at else { return Ok(true) };
        match at.checked_duration_since(Instant::now()) {
            Some(left) if left > Duration::ZERO => {
                tcp.set_read_timeout(Some(left))?;
                tcp.set_write_timeout(Some(left))?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// As `set`, the deadline's passing an error.
    pub(crate) fn arm(&self, tcp: &TcpStream, addr: SocketAddr, step: &str) -> WireResult<()> {
        if self.set(tcp)? {
            Ok(())
        } else {
            Err(self.expired(addr, step))
        }
    }
}

/// A TCP connection to `addr` within the deadline, with Nagle off and the
/// keepalive settings applied.
pub(crate) fn tcp(addr: SocketAddr, deadline: &Deadline, keepalive: Option<&Keepalive>) -> WireResult<TcpStream> {
    let stream = match deadline.remaining(addr, "to the TCP connection")? {
        Some(left) => TcpStream::connect_timeout(&addr, left).map_err(|e| {
            if timed_out(&e) {
                deadline.expired(addr, "to the TCP connection")
            } else {
                WireError::Io(e)
            }
        })?,
        None => TcpStream::connect(addr)?,
    };
    stream.set_nodelay(true)?;
    if let Some(keepalive) = keepalive {
        keepalive.apply(&stream)?;
    }
    Ok(stream)
}

impl Keepalive {
    fn apply(&self, stream: &TcpStream) -> io::Result<()> {
        let socket = socket2::SockRef::from(stream);
        if !self.on {
            return socket.set_keepalive(false);
        }
        let mut keepalive = socket2::TcpKeepalive::new();
        if let Some(idle) = self.idle {
            keepalive = keepalive.with_time(idle);
        }
        #[cfg(any(
            target_os = "linux",
            target_os = "android",
            target_os = "macos",
            target_os = "ios",
            target_os = "freebsd",
            target_os = "netbsd",
            target_os = "windows"
        ))]
        if let Some(interval) = self.interval {
            keepalive = keepalive.with_interval(interval);
        }
        #[cfg(any(
            target_os = "linux",
            target_os = "android",
            target_os = "macos",
            target_os = "ios",
            target_os = "freebsd",
            target_os = "netbsd"
        ))]
        if let Some(count) = self.count {
            keepalive = keepalive.with_retries(count);
        }
        socket.set_tcp_keepalive(&keepalive)?;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(timeout) = self.user_timeout {
            socket.set_tcp_user_timeout(Some(timeout))?;
        }
        Ok(())
    }
}

/// The server's answer to an SSLRequest.
pub(crate) enum Offer {
    /// `S`: the TLS session, its handshake done.
    Accepted(Stream),
    /// `N`: no TLS; the socket goes on in plaintext.
    Refused(TcpStream),
    /// `E`: an error (a server too old to know the request), after which
    /// it closes the connection.
    Failed,
}

/// Asks for TLS on `tcp` and, if the server agrees, runs the handshake
/// within the deadline (so certificate errors come at connect time).
pub(crate) fn start_tls(
    mut tcp: TcpStream,
    client: &Arc<ClientConfig>,
    name: &ServerName<'static>,
    addr: SocketAddr,
    deadline: &Deadline,
) -> WireResult<Offer> {
    let mut request = BytesMut::with_capacity(8);
    frontend::ssl_request(&mut request);
    deadline.arm(&tcp, addr, "to the SSLRequest")?;
    write(&mut tcp, &request, deadline, addr, "to the SSLRequest")?;
    // Exactly one byte, straight from the socket: anything the server
    // sent after it belongs to the TLS session, never to the plaintext
    // protocol (CVE-2021-23222).
    let mut answer = [0u8];
    loop {
        match tcp.read(&mut answer) {
            Ok(0) => {
                return Err(WireError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection in answer to the SSLRequest",
                )));
            }
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => return Err(deadline.expired(addr, "to the SSLRequest")),
            Err(e) => return Err(WireError::Io(e)),
        }
    }
    match answer[0] {
        b'S' => {}
        b'N' => return Ok(Offer::Refused(tcp)),
        b'E' => return Ok(Offer::Failed),
        other => {
            return Err(WireError::Protocol(format!(
                "the server answered the SSLRequest with `{}`, neither S nor N",
                other.escape_ascii()
            )));
        }
    }
    let mut conn =
        ClientConnection::new(Arc::clone(client), name.clone()).map_err(|e| WireError::Connect(format!("TLS: {e}")))?;
    while conn.is_handshaking() {
        deadline.arm(&tcp, addr, "during the TLS handshake")?;
        let io = if conn.wants_write() {
            conn.write_tls(&mut tcp).map(|_| ())
        } else if conn.wants_read() {
            match conn.read_tls(&mut tcp) {
                Ok(0) => Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection during the TLS handshake",
                )),
                Ok(_) => conn
                    .process_new_packets()
                    .map(|_| ())
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, TlsFailure(e))),
                Err(e) => Err(e),
            }
        } else {
            break;
        };
        match io {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => return Err(deadline.expired(addr, "during the TLS handshake")),
            Err(e) => {
                // Tell the server why, as rustls queued an alert.
                let _ = conn.write_tls(&mut tcp);
                return Err(match e.get_ref().and_then(|inner| inner.downcast_ref::<TlsFailure>()) {
                    Some(TlsFailure(tls)) => WireError::Connect(format!("the TLS handshake failed: {tls}")),
                    None => WireError::Io(e),
                });
            }
        }
    }
    // What the handshake left to send (TLS 1.3's last flight).
    while conn.wants_write() {
        deadline.arm(&tcp, addr, "during the TLS handshake")?;
        conn.write_tls(&mut tcp)?;
    }
    Ok(Offer::Accepted(Stream::Tls(Box::new(StreamOwned::new(conn, tcp)))))
}

/// A rustls error carried through an `io::Error`.
#[derive(Debug)]
struct TlsFailure(rustls::Error);

impl std::fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TlsFailure {}

/// Writes `bytes`, a timeout being the deadline's error.
pub(crate) fn write(
    out: &mut impl Write,
    bytes: &[u8],
    deadline: &Deadline,
    addr: SocketAddr,
    step: &str,
) -> WireResult<()> {
    out.write_all(bytes).map_err(|e| {
        if timed_out(&e) {
            deadline.expired(addr, step)
        } else {
            WireError::Io(e)
        }
    })
}

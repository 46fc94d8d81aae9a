//! CancelRequest: on a fresh connection to the address the session uses,
//! with the session's TLS settings, the process id and secret key of its
//! BackendKeyData. The server closes that connection without a reply;
//! the cancelled statement then fails with SQLSTATE 57014.

use std::io::{self, Read};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use postgres_protocol::message::frontend;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use super::error::{WireError, WireResult};
use super::stream::{self, Deadline, Offer, Stream};

/// Where and how to cancel a session's running statement.
#[derive(Clone)]
pub(crate) struct Cancel {
    pub(crate) addr: SocketAddr,
    pub(crate) process_id: i32,
    pub(crate) secret_key: i32,
    /// The session's TLS configuration and server name, when it is
    /// encrypted: the CancelRequest is then sent over TLS too.
    pub(crate) tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    /// Whether the request may go in plaintext if the server refuses TLS
    /// (`sslmode` allows plaintext sessions).
    pub(crate) plaintext_ok: bool,
}

impl Cancel {
    /// Sends the request, waiting (within `limit`) until the server has
    /// read it and closed the connection, as libpq does.
    pub(crate) fn send(&self, limit: Duration) -> WireResult<()> {
        let deadline = Deadline::after(Some(limit), "read_timeout_ms");
        let addr = self.addr;
        let tcp = stream::tcp(addr, &deadline, None)?;
        let mut stream = match &self.tls {
            Some((client, name)) => match stream::start_tls(tcp, client, name, addr, &deadline)? {
                Offer::Accepted(s) => s,
                Offer::Refused(tcp) if self.plaintext_ok => Stream::Plain(tcp),
                _ => {
                    return Err(WireError::Connect(
                        "the server refused TLS for the CancelRequest".into(),
                    ));
                }
            },
            None => Stream::Plain(tcp),
        };
        let mut packet = BytesMut::with_capacity(16);
        frontend::cancel_request(self.process_id, self.secret_key, &mut packet);
        deadline.arm(stream.tcp(), addr, "to the CancelRequest")?;
        stream::write(&mut stream, &packet, &deadline, addr, "to the CancelRequest")?;
        let mut sink = [0u8; 64];
        loop {
            match stream.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A timeout, or a TLS session closed without close_notify.
                Err(_) => break,
            }
        }
        stream.close_notify();
        Ok(())
    }
}

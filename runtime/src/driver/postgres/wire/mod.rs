//! A blocking PostgreSQL client speaking the wire protocol directly
//! (message framing and authentication from `postgres-protocol`, value
//! encoding from `postgres-types`), with no async runtime: a statement is
//! one write and reads until `ReadyForQuery`, on TCP or TLS
//! ([`stream`](super::stream)).
//!
//! The `postgres` crate wraps an asynchronous client, and every statement
//! crosses its runtime and channels twice; Diesel's libpq does not, and
//! was a third faster on small queries. This client does only what foal
//! needs: the extended protocol with binary values, for named prepared
//! statements or for unnamed ones parsed in the same exchange as their
//! run (behind a pooler in transaction mode), and simple queries for DDL
//! and transaction control. Opening a connection is
//! [`hosts`](super::hosts) and [`auth`](super::auth).
//!
//! With `read_timeout_ms`, a request whose reply stops for that long is
//! cancelled on the server (a CancelRequest on a new connection,
//! [`cancel`](super::cancel)) and fails as a timeout; the connection is
//! lost.
//!
//! Each reply is read as a small state machine of what its request allows
//! (the rules are in [`reply`](super::reply)): a message that cannot come
//! where it does is a protocol error, never skipped, so no statement reads
//! another's rows. After one, or after a reply left unread, the connection
//! is out of step: every request is refused and the pool drops it.
//! COPY through a simple query is refused without waiting for data that
//! never comes.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::ops::Range;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use fallible_iterator::FallibleIterator;
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;
use postgres_types::{IsNull, ToSql, Type};

use super::auth::Session;
use super::cancel::Cancel;
use super::error::{DbError, WireError, WireResult};
use super::reply;
use super::stream::{Deadline, Stream, timed_out};

/// A result column: its name and type.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) ty: Type,
}

/// A statement prepared on the server under `name`, or, with an empty
/// name, one whose types were learned from the unnamed statement and that
/// is parsed again with each run.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) name: String,
    pub(crate) params: Vec<Type>,
    pub(crate) columns: Vec<Column>,
}

/// One row of a result: the message's bytes and where each value lies.
pub(crate) struct RowView<'a> {
    pub(crate) columns: &'a [Column],
    pub(crate) buf: &'a [u8],
    pub(crate) ranges: &'a [Option<Range<usize>>],
}

impl RowView<'_> {
    /// The raw value of column `i`, `None` for NULL; `Err` past the end.
    pub(crate) fn raw(&self, i: usize) -> Result<Option<(&Type, &[u8])>, String> {
        let column = self.columns.get(i).ok_or_else(|| format!("no column {i}"))?;
        match self.ranges.get(i) {
            Some(Some(r)) => Ok(Some((&column.ty, self.buf.get(r.clone()).unwrap_or_default()))),
            Some(None) => Ok(None),
            None => Err(format!("no column {i}")),
        }
    }
}

pub(crate) struct Wire {
    stream: Stream,
    /// The server's address, for errors and the CancelRequest.
    addr: SocketAddr,
    /// While connecting: the end of the attempt, to which every read and
    /// write is held.
    deadline: Option<Deadline>,
    /// `read_timeout_ms`, once connected.
    read_timeout: Option<Duration>,
    /// The request whose reply is read, for a timeout's message.
    request: &'static str,
    /// How to cancel the running statement (from BackendKeyData).
    pub(crate) cancel: Option<Cancel>,
    /// What the server reported at startup.
    pub(crate) session: Session,
    /// The row layout of an unnamed statement's run, from its exchange's
    /// RowDescription (kept for its allocation).
    columns: Vec<Column>,
    read: BytesMut,
    write: BytesMut,
    scratch: Box<[u8]>,
    /// The transaction status of the last `ReadyForQuery`: `I`dle, in a
    /// `T`ransaction, or in a failed one (`E`).
    status: u8,
    /// A request was sent whose reply has not been read to its
    /// `ReadyForQuery` (a panic, an I/O error or a reply the client does
    /// not understand interrupted the reading): the connection is out of
    /// step, every request is refused, and the pool drops it.
    pending: bool,
    /// Reading or writing the socket failed: the connection is lost.
    lost: bool,
    /// Reusable buffer of a row's value ranges.
    ranges: Vec<Option<Range<usize>>>,
    /// The read buffer grew past `KEEP_READ` for a large message; it is
    /// replaced by a buffer of the usual size once the reply is read.
    oversized: bool,
}

const BINARY: i16 = 1;

/// How [`Wire::execute`] runs a statement.
#[derive(Clone, Copy)]
pub(crate) enum Run<'a> {
    /// Bind the named statement (Bind, Execute, Sync).
    Named,
    /// Parse the text again as the unnamed statement in the same round
    /// trip (Parse, Bind, Execute, Sync): the server plans it for these
    /// values, never with a generic plan cached for the named one. Rows
    /// are laid out as the named statement's.
    Replan(&'a str),
    /// No named statement (`statement_cache_size=0`, or after the server
    /// lost one): Parse, Bind, Describe the portal, Execute, Sync, one
    /// exchange a pooler in transaction mode sends to one server. Rows
    /// are laid out as that exchange's RowDescription says.
    Unnamed(&'a str),
}

/// The read buffer's usual capacity.
const READ_CAPACITY: usize = 16 * 1024;

/// A message longer than this grows the read buffer past what it keeps
/// between statements (with the reads that fill it, the buffer then stays
/// under about 1 MiB).
const KEEP_READ: usize = 256 * 1024;

impl Wire {
    /// A connection on `stream` not started yet: its reads and writes are
    /// held to `deadline` until [`settle`](Wire::settle).
    pub(crate) fn new(stream: Stream, addr: SocketAddr, deadline: Deadline) -> Wire {
        Wire {
            stream,
            addr,
            deadline: Some(deadline),
            read_timeout: None,
            request: "starting up and authenticating",
            cancel: None,
            session: Session::default(),
            columns: Vec::new(),
            read: BytesMut::with_capacity(READ_CAPACITY),
            write: BytesMut::with_capacity(4 * 1024),
            scratch: vec![0; 32 * 1024].into_boxed_slice(),
            status: b'I',
            pending: false,
            lost: false,
            ranges: Vec::new(),
            oversized: false,
        }
    }

    /// The connection is up: from now on its reads and writes wait at most
    /// `read_timeout` (none: as long as the server takes).
    pub(crate) fn settle(&mut self, read_timeout: Option<Duration>) -> WireResult<()> {
        self.deadline = None;
        self.read_timeout = read_timeout;
        let tcp = self.stream.tcp();
        tcp.set_read_timeout(read_timeout)?;
        tcp.set_write_timeout(read_timeout)?;
        Ok(())
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// The server's certificate, over TLS.
    pub(crate) fn peer_certificate(&self) -> Option<&[u8]> {
        self.stream.peer_certificate()
    }

    /// The socket, for tests of its options.
    #[cfg(test)]
    pub(crate) fn tcp(&self) -> &std::net::TcpStream {
        self.stream.tcp()
    }

    /// The transaction status of the last ReadyForQuery.
    pub(crate) fn status(&self) -> u8 {
        self.status
    }

    /// Whether the connection is idle, outside a transaction, and has
    /// read every reply it asked for.
    pub(crate) fn is_idle(&self) -> bool {
        self.status == b'I' && !self.pending
    }

    /// Checks that `request` may be sent: every earlier reply was read to
    /// its end, and nothing but messages the server may send unasked came
    /// since.
    #[inline]
    fn start(&mut self, request: &'static str) -> WireResult<()> {
        self.request = request;
        if self.pending || !self.read.is_empty() {
            return self.out_of_step(request);
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn out_of_step(&mut self, request: &str) -> WireResult<()> {
        if self.lost {
            let e = io::Error::new(
                io::ErrorKind::NotConnected,
                "the connection was lost by an earlier call",
            );
            return Err(WireError::Io(e));
        }
        if self.pending {
            return Err(WireError::Protocol(format!(
                "the connection is out of step with the server (an earlier reply was not read to its end), \
                 so {request} was refused; the connection is closed"
            )));
        }
        // Bytes came after the last ReadyForQuery: a notice or a
        // notification is skipped, anything else puts the connection out
        // of step for good.
        self.pending = true;
        while let Some(&tag) = self.read.first() {
            match reply::length(&self.read)? {
                Some(length) if length <= self.read.len() => match self.next()? {
                    m if reply::asynchronous(&m) => {}
                    // A FATAL error before the server closes the connection.
                    Message::ErrorResponse(body) => return Err(WireError::Db(DbError::parse(&body))),
                    m => return Err(reply::unexpected(&m, &format!("unasked before {request}"))),
                },
                // The rest of a message that may come unasked: the reply's
                // reader skips it once it is whole.
                _ if matches!(tag, b'N' | b'S' | b'A' | b'E') => break,
                _ => {
                    return Err(WireError::Protocol(format!(
                        "the server sent part of a message (type `{}`) unasked before {request}",
                        tag.escape_ascii()
                    )));
                }
            }
        }
        self.pending = false;
        Ok(())
    }

    /// A `ReadyForQuery`: the reply is over.
    pub(crate) fn ready(&mut self, status: u8) -> WireResult<()> {
        if !matches!(status, b'I' | b'T' | b'E') {
            return Err(WireError::Protocol(format!(
                "the server sent ReadyForQuery with the unknown transaction status `{}`",
                status.escape_ascii()
            )));
        }
        self.status = status;
        self.pending = false;
        if self.oversized {
            self.shrink();
        }
        Ok(())
    }

    /// Gives back a read buffer that grew for a large message.
    #[cold]
    fn shrink(&mut self) {
        if self.read.is_empty() {
            self.read = BytesMut::with_capacity(READ_CAPACITY);
            self.oversized = false;
        }
    }

    /// Sends the buffered messages; their reply is pending until its
    /// `ReadyForQuery` is read.
    pub(crate) fn flush(&mut self) -> WireResult<()> {
        self.pending = true;
        if let Some(deadline) = self.deadline
            && !deadline.set(self.stream.tcp())?
        {
            return Err(deadline.expired(self.addr, &format!("while {}", self.request)));
        }
        if let Err(e) = self.stream.write_all(&self.write) {
            self.lost = true;
            return Err(self.failure(e));
        }
        self.write.clear();
        Ok(())
    }

    /// The error of a failed read or write. A timeout while connecting is
    /// `connect_timeout`'s; one during a request is `read_timeout_ms`'s,
    /// and the statement is cancelled on the server.
    #[cold]
    #[inline(never)]
    fn failure(&mut self, e: io::Error) -> WireError {
        if !timed_out(&e) {
            return WireError::Io(e);
        }
        if let Some(deadline) = self.deadline {
            return deadline.expired(self.addr, &format!("while {}", self.request));
        }
        let limit = self.read_timeout.unwrap_or(Duration::from_secs(1));
        let cancelled = match &self.cancel {
            Some(cancel) if self.pending => match cancel.send(limit) {
                Ok(()) => "the statement was cancelled on the server (CancelRequest)".to_owned(),
                Err(e) => format!("cancelling the statement failed: {}", e.text()),
            },
            _ => "the server gave no key to cancel it with".to_owned(),
        };
        WireError::Timeout(format!(
            "no answer from {} within read_timeout_ms ({limit:?}) while {}; {cancelled}; the connection is closed",
            self.addr, self.request
        ))
    }

    /// Appends messages with `frame`, or nothing if one of them cannot be
    /// written (a NUL byte in the SQL text, say).
    pub(crate) fn frame(&mut self, frame: impl FnOnce(&mut BytesMut) -> io::Result<()>) -> WireResult<()> {
        let start = self.write.len();
        frame(&mut self.write).map_err(|e| {
            self.write.truncate(start);
            WireError::Encode(e.to_string())
        })
    }

    /// The next message, reading from the socket as needed.
    pub(crate) fn next(&mut self) -> WireResult<Message> {
        // Whole before it is parsed, so its length is checked here and
        // `Message::parse` never reserves room for it.
        self.buffered()?;
        let tag = self.read[0];
        match Message::parse(&mut self.read) {
            Ok(Some(message)) => Ok(message),
            Ok(None) => Err(WireError::Protocol("a whole message did not parse".into())),
            Err(e) => Err(reply::malformed(tag, &e)),
        }
    }

    /// Reads to `ReadyForQuery` after an error, and returns the error.
    fn recover<T>(&mut self, error: DbError, during: &str) -> WireResult<T> {
        loop {
            match self.next()? {
                Message::ReadyForQuery(body) => {
                    self.ready(body.status())?;
                    return Err(WireError::Db(error));
                }
                Message::ErrorResponse(_) => {}
                m if reply::asynchronous(&m) => {}
                m => return Err(reply::unexpected(&m, during)),
            }
        }
    }

    /// Prepares `sql` as `name`, learning its parameter and column types.
    pub(crate) fn prepare(&mut self, name: &str, sql: &str) -> WireResult<Prepared> {
        const DURING: &str = "in the reply to Parse and Describe";
        self.start("preparing a statement")?;
        self.frame(|w| {
            frontend::parse(name, sql, std::iter::empty(), w)?;
            frontend::describe(b'S', name, w)?;
            frontend::sync(w);
            Ok(())
        })?;
        self.flush()?;
        let mut prepared = Prepared {
            name: name.to_owned(),
            params: Vec::new(),
            columns: Vec::new(),
        };
        // ParseComplete, ParameterDescription, RowDescription or NoData,
        // ReadyForQuery.
        let mut step = 0;
        loop {
            match (step, self.next()?) {
                (0, Message::ParseComplete) => step = 1,
                (1, Message::ParameterDescription(body)) => {
                    let mut oids = body.parameters();
                    while let Some(oid) = oids.next().map_err(|e| reply::malformed(b't', &e))? {
                        prepared.params.push(Type::from_oid(oid).unwrap_or(Type::UNKNOWN));
                    }
                    step = 2;
                }
                (2, Message::RowDescription(body)) => {
                    let mut fields = body.fields();
                    while let Some(field) = fields.next().map_err(|e| reply::malformed(b'T', &e))? {
                        prepared.columns.push(Column {
                            name: field.name().to_owned(),
                            ty: Type::from_oid(field.type_oid()).unwrap_or(Type::UNKNOWN),
                        });
                    }
                    step = 3;
                }
                (2, Message::NoData) => step = 3,
                (3, Message::ReadyForQuery(body)) => {
                    self.ready(body.status())?;
                    return Ok(prepared);
                }
                (_, Message::ErrorResponse(body)) => return self.recover(DbError::parse(&body), DURING),
                (_, m) if reply::asynchronous(&m) => {}
                (_, m) => return Err(reply::unexpected(&m, DURING)),
            }
        }
    }

    /// Forgets a prepared statement on the server.
    pub(crate) fn close(&mut self, name: &str) -> WireResult<()> {
        const DURING: &str = "in the reply to Close";
        self.start("closing a statement")?;
        self.frame(|w| {
            frontend::close(b'S', name, w)?;
            frontend::sync(w);
            Ok(())
        })?;
        self.flush()?;
        let mut closed = false;
        loop {
            match self.next()? {
                Message::CloseComplete if !closed => closed = true,
                Message::ReadyForQuery(body) if closed => return self.ready(body.status()),
                Message::ErrorResponse(body) => return self.recover(DbError::parse(&body), DURING),
                m if reply::asynchronous(&m) => {}
                m => return Err(reply::unexpected(&m, DURING)),
            }
        }
    }

    /// Appends what the socket has to the read buffer; the server closing
    /// the connection is an error.
    fn read_more(&mut self) -> WireResult<()> {
        if let Some(deadline) = self.deadline
            && !deadline.set(self.stream.tcp())?
        {
            return Err(deadline.expired(self.addr, &format!("while {}", self.request)));
        }
        loop {
            let error = match self.stream.read(&mut self.scratch) {
                Ok(0) => io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"),
                Ok(n) => {
                    self.read.extend_from_slice(&self.scratch[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => e,
            };
            self.lost = true;
            return Err(self.failure(error));
        }
    }

    /// Reads until one whole message is buffered; returns its length
    /// (tag and length field included).
    fn buffered(&mut self) -> WireResult<usize> {
        loop {
            if let Some(length) = reply::length(&self.read)? {
                if self.read.len() >= length {
                    return Ok(length);
                }
                if length > KEEP_READ {
                    self.oversized = true;
                }
                self.read.reserve(length - self.read.len());
            }
            self.read_more()?;
        }
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        // A lost connection (a timeout, say) is not written to: the write
        // could wait for its timeout again.
        if self.lost {
            return;
        }
        frontend::terminate(&mut self.write);
        if self.stream.write_all(&self.write).is_ok() {
            self.stream.close_notify();
        }
    }
}

/// A parameter the client can encode in the binary format, as the type
/// the server reported for its placeholder.
pub(crate) trait Encode {
    fn encode(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>>;
}

impl<T: ToSql + ?Sized> Encode for &T {
    #[inline]
    fn encode(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        (**self).to_sql_checked(ty, out)
    }
}

/// SQL NULL for a parameter of any type.
pub(crate) struct Null;

impl std::fmt::Debug for Null {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NULL")
    }
}

impl ToSql for Null {
    fn to_sql(&self, _ty: &Type, _out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(IsNull::Yes)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    postgres_types::to_sql_checked!();
}

mod exchange;
#[cfg(test)]
mod tests;

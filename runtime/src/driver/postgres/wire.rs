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

/// Where `execute` is in its reply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Waiting for ParseComplete (the statement is planned again).
    Parse,
    /// Waiting for BindComplete.
    Bind,
    /// Waiting for the portal's RowDescription or NoData.
    Describe,
    /// DataRows until CommandComplete, PortalSuspended or EmptyQueryResponse.
    Rows,
    /// Waiting for ReadyForQuery.
    Done,
    /// An ErrorResponse came; waiting for ReadyForQuery.
    Failed,
}

/// Where `simple_query` is in its reply (of one or more statements).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Simple {
    /// Before the first statement's reply (which always comes, if only
    /// as EmptyQueryResponse).
    Start,
    /// Between statements.
    Idle,
    /// DataRows after a RowDescription, until CommandComplete.
    Rows,
    /// CopyData of a `COPY … TO STDOUT` until CopyDone.
    CopyOut,
    /// CopyFail was sent for a `COPY … FROM STDIN`; its error comes next.
    CopyIn,
    /// An ErrorResponse came; waiting for ReadyForQuery.
    Failed,
}

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

    /// Runs SQL without parameters (several statements allowed), dropping
    /// the rows it returns. COPY is refused: `FROM STDIN` is answered with
    /// CopyFail, the data of `TO STDOUT` is read and dropped, and either
    /// is an error once the reply is over.
    pub(crate) fn simple_query(&mut self, sql: &str) -> WireResult<()> {
        self.simple(sql, None)
    }

    /// Runs a query without parameters; returns the first value of its
    /// first row, as text (`None` for no row or NULL).
    pub(crate) fn query_value(&mut self, sql: &str) -> WireResult<Option<String>> {
        let mut value = None;
        self.simple(sql, Some(&mut value))?;
        Ok(value)
    }

    fn simple(&mut self, sql: &str, mut first: Option<&mut Option<String>>) -> WireResult<()> {
        const DURING: &str = "in the reply to a simple query";
        self.start("running a simple query")?;
        self.frame(|w| frontend::query(sql, w))?;
        self.flush()?;
        let mut state = Simple::Start;
        let mut refused: Option<&'static str> = None;
        let mut error = None;
        loop {
            state = match (state, self.next()?) {
                (Simple::Start | Simple::Idle, Message::RowDescription(_)) => Simple::Rows,
                (Simple::Rows, Message::DataRow(body)) => {
                    if let Some(slot) = first.take() {
                        let mut ranges = body.ranges();
                        if let Ok(Some(Some(range))) = ranges.next() {
                            let bytes = body.buffer().get(range).unwrap_or_default();
                            *slot = Some(String::from_utf8_lossy(bytes).into_owned());
                        }
                    }
                    Simple::Rows
                }
                (Simple::Start | Simple::Idle | Simple::Rows, Message::CommandComplete(_)) => Simple::Idle,
                (Simple::Start | Simple::Idle, Message::EmptyQueryResponse) => Simple::Idle,
                (Simple::Start | Simple::Idle, Message::CopyInResponse(_)) => {
                    frontend::copy_fail("foal does not run COPY", &mut self.write)?;
                    self.flush()?;
                    refused.get_or_insert(
                        "`COPY … FROM STDIN` through execute_sql: foal sends no COPY data (insert_all writes rows)",
                    );
                    Simple::CopyIn
                }
                (Simple::Start | Simple::Idle, Message::CopyOutResponse(_)) => {
                    refused.get_or_insert("`COPY … TO STDOUT` through execute_sql: foal reads no COPY data (the rows were read and dropped; select! reads them)");
                    Simple::CopyOut
                }
                (Simple::CopyOut, Message::CopyData(_)) => Simple::CopyOut,
                (Simple::CopyOut, Message::CopyDone) => Simple::Idle,
                (_, Message::ErrorResponse(body)) => {
                    error.get_or_insert_with(|| DbError::parse(&body));
                    Simple::Failed
                }
                (Simple::Idle | Simple::Failed, Message::ReadyForQuery(body)) => {
                    self.ready(body.status())?;
                    return match (refused, error) {
                        (Some(what), _) => Err(WireError::Unsupported(what.into())),
                        (None, Some(e)) => Err(WireError::Db(e)),
                        (None, None) => Ok(()),
                    };
                }
                (state, m) if reply::asynchronous(&m) => state,
                (_, m) => return Err(reply::unexpected(&m, DURING)),
            };
        }
    }

    /// Runs `COPY … FROM STDIN` (`sql`) and sends the data `fill` writes,
    /// one CopyData message per call, until it returns `Ok(false)`; an
    /// `Err` from `fill` aborts the COPY (CopyFail) and is returned. Returns
    /// the number of rows the server reports.
    pub(crate) fn copy_in(
        &mut self,
        sql: &str,
        fill: &mut dyn FnMut(&mut BytesMut) -> Result<bool, String>,
    ) -> WireResult<u64> {
        const DURING: &str = "in the reply to COPY";
        self.start("copying rows in")?;
        self.frame(|w| frontend::query(sql, w))?;
        self.flush()?;
        loop {
            match self.next()? {
                Message::CopyInResponse(_) => break,
                Message::ErrorResponse(body) => return self.recover(DbError::parse(&body), DURING),
                m if reply::asynchronous(&m) => {}
                m => return Err(reply::unexpected(&m, DURING)),
            }
        }
        // The server reads CopyData without answering (a failing row is
        // reported after CopyDone), so the data goes out without waiting.
        let mut refused = None;
        loop {
            let start = self.write.len();
            self.write.extend_from_slice(&[b'd', 0, 0, 0, 0]);
            let more = fill(&mut self.write);
            let length = self.write.len() - start - 1;
            match (more, i32::try_from(length)) {
                (Ok(more), Ok(n)) => {
                    if length == 4 {
                        self.write.truncate(start);
                    } else {
                        self.write[start + 1..start + 5].copy_from_slice(&n.to_be_bytes());
                    }
                    if !more {
                        frontend::copy_done(&mut self.write);
                        break;
                    }
                    self.flush()?;
                }
                (Err(reason), _) => {
                    self.write.truncate(start);
                    self.frame(|w| frontend::copy_fail(&reason, w))?;
                    refused = Some(reason);
                    break;
                }
                (Ok(_), Err(_)) => {
                    self.write.truncate(start);
                    let reason = "a CopyData message over 2 GiB".to_owned();
                    self.frame(|w| frontend::copy_fail(&reason, w))?;
                    refused = Some(reason);
                    break;
                }
            }
        }
        self.flush()?;
        let mut rows = 0;
        let mut error = None;
        loop {
            match self.next()? {
                Message::CommandComplete(body) => rows = reply::check_count(&body, 0, false)?,
                Message::ErrorResponse(body) => {
                    error.get_or_insert_with(|| DbError::parse(&body));
                }
                Message::ReadyForQuery(body) => {
                    self.ready(body.status())?;
                    break;
                }
                m if reply::asynchronous(&m) => {}
                m => return Err(reply::unexpected(&m, DURING)),
            }
        }
        match (refused, error) {
            (Some(reason), _) => Err(WireError::Encode(reason)),
            (None, Some(e)) => Err(WireError::Db(e)),
            (None, None) => Ok(rows),
        }
    }

    /// Runs a statement with `params` (encoded as the types the server
    /// reported for it), handing each row to `row` (up to `max` rows);
    /// returns the number of rows the statement affected or returned.
    /// `run` says how: see [`Run`].
    pub(crate) fn execute<P: Encode>(
        &mut self,
        statement: &Prepared,
        params: &[P],
        max: Option<usize>,
        run: Run<'_>,
        row: &mut dyn FnMut(&RowView<'_>),
    ) -> WireResult<u64> {
        const DURING: &str = "in the reply to a statement";
        self.start("running a statement")?;
        if params.len() != statement.params.len() {
            return Err(WireError::Encode(format!(
                "the statement takes {} parameters, {} were given",
                statement.params.len(),
                params.len()
            )));
        }
        let start = self.write.len();
        let (parse, describe) = match run {
            Run::Named => (None, false),
            Run::Replan(sql) => (Some(sql), false),
            Run::Unnamed(sql) => (Some(sql), true),
        };
        if let Some(sql) = parse {
            let oids = statement.params.iter().map(Type::oid);
            if let Err(e) = frontend::parse("", sql, oids, &mut self.write) {
                self.write.truncate(start);
                return Err(WireError::Encode(e.to_string()));
            }
        }
        let source = if parse.is_some() { "" } else { statement.name.as_str() };
        let bound = frontend::bind(
            "",
            source,
            std::iter::once(BINARY),
            params.iter().zip(&statement.params),
            |(value, ty), buf| {
                value.encode(ty, buf).map(|null| match null {
                    IsNull::Yes => postgres_protocol::IsNull::Yes,
                    IsNull::No => postgres_protocol::IsNull::No,
                })
            },
            std::iter::once(BINARY),
            &mut self.write,
        );
        if let Err(e) = bound {
            self.write.truncate(start);
            return Err(WireError::Encode(match e {
                frontend::BindError::Conversion(e) => e.to_string(),
                frontend::BindError::Serialization(e) => e.to_string(),
            }));
        }
        let limit = max.and_then(|m| i32::try_from(m).ok()).unwrap_or(0);
        self.frame(|w| {
            if describe {
                frontend::describe(b'P', "", w)?;
            }
            frontend::execute("", limit, w)?;
            frontend::sync(w);
            Ok(())
        })?;
        self.flush()?;
        // An unnamed statement's rows are laid out as this exchange's
        // RowDescription says.
        let mut described = std::mem::take(&mut self.columns);
        described.clear();
        let mut step = if parse.is_some() { Step::Parse } else { Step::Bind };
        let mut rows = 0u64;
        let mut affected = None;
        let mut failure = None;
        loop {
            // Rows are read in place, without splitting the buffer into a
            // reference-counted message each.
            let length = self.buffered()?;
            if self.read[0] == b'D' && step == Step::Rows {
                let columns = if describe { &described } else { &statement.columns };
                let body = &self.read[5..length];
                reply::parse_ranges(body, columns.len(), &mut self.ranges)?;
                row(&RowView {
                    columns,
                    buf: body,
                    ranges: &self.ranges,
                });
                self.read.advance(length);
                rows += 1;
                continue;
            }
            step = match (step, self.next()?) {
                (Step::Parse, Message::ParseComplete) => Step::Bind,
                (Step::Bind, Message::BindComplete) if describe => Step::Describe,
                (Step::Bind, Message::BindComplete) => Step::Rows,
                (Step::Describe, Message::RowDescription(body)) => {
                    let mut fields = body.fields();
                    while let Some(field) = fields.next().map_err(|e| reply::malformed(b'T', &e))? {
                        described.push(Column {
                            name: field.name().to_owned(),
                            ty: Type::from_oid(field.type_oid()).unwrap_or(Type::UNKNOWN),
                        });
                    }
                    Step::Rows
                }
                (Step::Describe, Message::NoData) => Step::Rows,
                (Step::Rows, Message::CommandComplete(body)) => {
                    let columns = if describe { &described } else { &statement.columns };
                    let returns_rows = rows > 0 || !columns.is_empty();
                    affected = Some(reply::check_count(&body, rows, returns_rows)?);
                    Step::Done
                }
                (Step::Rows, Message::PortalSuspended) if limit > 0 => Step::Done,
                (Step::Rows, Message::EmptyQueryResponse) => Step::Done,
                (_, Message::ErrorResponse(body)) => {
                    failure.get_or_insert_with(|| DbError::parse(&body));
                    Step::Failed
                }
                (Step::Done | Step::Failed, Message::ReadyForQuery(body)) => {
                    self.ready(body.status())?;
                    self.columns = described;
                    return match failure {
                        Some(e) => Err(WireError::Db(e)),
                        None => Ok(affected.unwrap_or(rows)),
                    };
                }
                (step, m) if reply::asynchronous(&m) => step,
                (_, m) => return Err(reply::unexpected(&m, DURING)),
            };
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

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    use super::super::config::Config;
    use super::super::hosts;

    fn message(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![tag];
        m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    /// Reads one frontend message (or the startup packet, which has no
    /// tag); returns its body.
    fn read(s: &mut TcpStream, tagged: bool) -> Vec<u8> {
        let mut header = [0; 5];
        let header = if tagged { &mut header[..] } else { &mut header[1..] };
        s.read_exact(header).unwrap();
        let len = u32::from_be_bytes(header[header.len() - 4..].try_into().unwrap()) as usize;
        let mut body = vec![0; len - 4];
        s.read_exact(&mut body).unwrap();
        body
    }

    /// A server that accepts one connection (refusing TLS) and answers
    /// each simple query with the next of `replies`.
    fn server(replies: Vec<Vec<u8>>, options: &str) -> Config {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            if read(&mut s, false) == 80877103u32.to_be_bytes() {
                s.write_all(b"N").unwrap();
                read(&mut s, false);
            }
            s.write_all(&[message(b'R', &[0; 4]), message(b'Z', b"I")].concat())
                .unwrap();
            for reply in replies {
                read(&mut s, true);
                s.write_all(&reply).unwrap();
            }
            let _ = s.read(&mut [0; 16]);
        });
        Config::parse(&format!("postgres://u@127.0.0.1:{port}/db?{options}")).unwrap()
    }

    #[test]
    fn the_read_buffer_shrinks_back_after_a_large_row() {
        let mut row = 1u16.to_be_bytes().to_vec();
        row.extend_from_slice(&(4i32 << 20).to_be_bytes());
        row.resize(row.len() + (4 << 20), b'x');
        let description = [&1u16.to_be_bytes()[..], b"x\0", &[0; 6], &25u32.to_be_bytes(), &[0; 8]].concat();
        let big = [
            message(b'T', &description),
            message(b'D', &row),
            message(b'C', b"SELECT 1\0"),
            message(b'Z', b"I"),
        ]
        .concat();
        let small = [message(b'C', b"SET\0"), message(b'Z', b"I")].concat();
        let mut wire = hosts::connect(&server(vec![big, small.clone(), small], "")).unwrap();
        wire.simple_query("SELECT big").unwrap();
        wire.simple_query("SET small").unwrap();
        wire.simple_query("SET small").unwrap();
        assert!(wire.read.capacity() <= 1 << 20, "{}", wire.read.capacity());
    }

    #[test]
    fn keepalive_and_timeout_options_reach_the_socket() {
        let config = server(
            Vec::new(),
            "keepalives_idle=17&keepalives_interval=3&keepalives_count=4&tcp_user_timeout=9000&read_timeout_ms=1500",
        );
        let wire = hosts::connect(&config).unwrap();
        let socket = socket2::SockRef::from(wire.tcp());
        assert!(socket.keepalive().unwrap());
        #[cfg(target_os = "linux")]
        {
            assert_eq!(socket.tcp_keepalive_time().unwrap(), Duration::from_secs(17));
            assert_eq!(socket.tcp_keepalive_interval().unwrap(), Duration::from_secs(3));
            assert_eq!(socket.tcp_keepalive_retries().unwrap(), 4);
            assert_eq!(socket.tcp_user_timeout().unwrap(), Some(Duration::from_millis(9000)));
        }
        assert_eq!(wire.tcp().read_timeout().unwrap(), Some(Duration::from_millis(1500)));
        assert_eq!(wire.tcp().write_timeout().unwrap(), Some(Duration::from_millis(1500)));
        let off = hosts::connect(&server(Vec::new(), "keepalives=0")).unwrap();
        assert!(!socket2::SockRef::from(off.tcp()).keepalive().unwrap());
        assert_eq!(off.tcp().read_timeout().unwrap(), None);
    }
}

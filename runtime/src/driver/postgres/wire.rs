//! A blocking PostgreSQL client speaking the wire protocol directly
//! (message framing and authentication from `postgres-protocol`, value
//! encoding from `postgres-types`), with no async runtime: a statement is
//! one write and reads until `ReadyForQuery` on a plain `TcpStream`.
//!
//! The `postgres` crate wraps an asynchronous client, and every statement
//! crosses its runtime and channels twice; Diesel's libpq does not, and
//! was a third faster on small queries. This client does only what foal
//! needs: TCP (no TLS), trust, cleartext, MD5 and SCRAM-SHA-256
//! authentication, the extended protocol with binary values for named
//! prepared statements, and simple queries for DDL and transaction
//! control.
//!
//! Each reply is read as a small state machine of what its request allows
//! (the rules are in [`reply`](super::reply)): a message that cannot come
//! where it does is a protocol error, never skipped, so no statement reads
//! another's rows. After one, or after a reply left unread, the connection
//! is out of step: every request is refused and the pool drops it.
//! COPY through a simple query is refused without waiting for data that
//! never comes.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::ops::Range;

use bytes::{Buf, BytesMut};
use fallible_iterator::FallibleIterator;
use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256};
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;
use postgres_types::{IsNull, ToSql, Type};

use super::config::Config;
use super::error::{DbError, WireError, WireResult};
use super::reply;

/// A result column: its name and type.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) ty: Type,
}

/// A statement prepared on the server under `name`.
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
    stream: TcpStream,
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
    pub(crate) fn connect(config: &Config) -> WireResult<Wire> {
        let addrs: Vec<_> = (config.host.as_str(), config.port).to_socket_addrs()?.collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("no address for {}", config.host));
        let mut stream = None;
        for addr in addrs {
            let attempt = match config.connect_timeout {
                Some(t) => TcpStream::connect_timeout(&addr, t),
                None => TcpStream::connect(addr),
            };
            match attempt {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let stream = stream.ok_or(last)?;
        stream.set_nodelay(true)?;
        let mut wire = Wire {
            stream,
            read: BytesMut::with_capacity(READ_CAPACITY),
            write: BytesMut::with_capacity(4 * 1024),
            scratch: vec![0; 32 * 1024].into_boxed_slice(),
            status: b'I',
            pending: false,
            lost: false,
            ranges: Vec::new(),
            oversized: false,
        };
        wire.startup(config)?;
        Ok(wire)
    }

    fn startup(&mut self, config: &Config) -> WireResult<()> {
        const DURING: &str = "while connecting";
        let mut params: Vec<(&str, &str)> = vec![
            ("user", &config.user),
            ("database", &config.dbname),
            ("client_encoding", "UTF8"),
            ("TimeZone", "UTC"),
            ("DateStyle", "ISO"),
        ];
        params.extend(config.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        frontend::startup_message(params, &mut self.write)?;
        self.flush()?;
        let password = config.password.as_deref().unwrap_or_default().as_bytes();
        let mut scram: Option<ScramSha256> = None;
        let mut scram_verified = false;
        let mut authenticated = false;
        loop {
            match self.next()? {
                // After SCRAM, only once the server proved it knows the
                // password too.
                Message::AuthenticationOk if scram.is_some() && !scram_verified => {
                    return Err(WireError::Protocol("the server skipped SCRAM's final proof".into()));
                }
                Message::AuthenticationOk => authenticated = true,
                Message::AuthenticationCleartextPassword if !authenticated => {
                    frontend::password_message(password, &mut self.write)?;
                    self.flush()?;
                }
                Message::AuthenticationMd5Password(body) if !authenticated => {
                    let hash =
                        postgres_protocol::authentication::md5_hash(config.user.as_bytes(), password, body.salt());
                    frontend::password_message(hash.as_bytes(), &mut self.write)?;
                    self.flush()?;
                }
                Message::AuthenticationSasl(body) if !authenticated && scram.is_none() => {
                    let mut mechanisms = body.mechanisms();
                    let mut scram_offered = false;
                    while let Some(m) = mechanisms.next().map_err(|e| reply::malformed(b'R', &e))? {
                        scram_offered |= m == "SCRAM-SHA-256";
                    }
                    if !scram_offered {
                        return Err(WireError::Protocol(
                            "the server offers no SASL mechanism foal knows".into(),
                        ));
                    }
                    let state = ScramSha256::new(password, ChannelBinding::unsupported());
                    frontend::sasl_initial_response("SCRAM-SHA-256", state.message(), &mut self.write)?;
                    scram = Some(state);
                    self.flush()?;
                }
                Message::AuthenticationSaslContinue(body) if !authenticated => {
                    let state = scram
                        .as_mut()
                        .ok_or_else(|| WireError::Protocol("unexpected SASL message".into()))?;
                    state.update(body.data()).map_err(reply::scram)?;
                    frontend::sasl_response(state.message(), &mut self.write)?;
                    self.flush()?;
                }
                Message::AuthenticationSaslFinal(body) if !authenticated => {
                    let state = scram
                        .as_mut()
                        .ok_or_else(|| WireError::Protocol("unexpected SASL message".into()))?;
                    state.finish(body.data()).map_err(reply::scram)?;
                    scram_verified = true;
                }
                Message::ErrorResponse(body) => return Err(WireError::Db(DbError::parse(&body))),
                Message::ReadyForQuery(body) if authenticated => return self.ready(body.status()),
                Message::BackendKeyData(_) if authenticated => {}
                m if reply::asynchronous(&m) => {}
                Message::AuthenticationGss
                | Message::AuthenticationGssContinue(_)
                | Message::AuthenticationKerberosV5
                | Message::AuthenticationScmCredential
                | Message::AuthenticationSspi => {
                    return Err(WireError::Protocol(
                        "unsupported authentication method (foal speaks cleartext, MD5 and SCRAM-SHA-256)".into(),
                    ));
                }
                m => return Err(reply::unexpected(&m, DURING)),
            }
        }
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
    fn start(&mut self, request: &str) -> WireResult<()> {
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
    fn ready(&mut self, status: u8) -> WireResult<()> {
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
    fn flush(&mut self) -> io::Result<()> {
        self.pending = true;
        if let Err(e) = self.stream.write_all(&self.write) {
            self.lost = true;
            return Err(e);
        }
        self.write.clear();
        Ok(())
    }

    /// Appends messages with `frame`, or nothing if one of them cannot be
    /// written (a NUL byte in the SQL text, say).
    fn frame(&mut self, frame: impl FnOnce(&mut BytesMut) -> io::Result<()>) -> WireResult<()> {
        let start = self.write.len();
        frame(&mut self.write).map_err(|e| {
            self.write.truncate(start);
            WireError::Encode(e.to_string())
        })
    }

    /// The next message, reading from the socket as needed.
    fn next(&mut self) -> WireResult<Message> {
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
        const DURING: &str = "in the reply to a simple query";
        self.start("a simple query")?;
        self.frame(|w| frontend::query(sql, w))?;
        self.flush()?;
        let mut state = Simple::Start;
        let mut refused: Option<&'static str> = None;
        let mut error = None;
        loop {
            state = match (state, self.next()?) {
                (Simple::Start | Simple::Idle, Message::RowDescription(_)) => Simple::Rows,
                (Simple::Rows, Message::DataRow(_)) => Simple::Rows,
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

    /// Runs a prepared statement with `params` (encoded as the types the
    /// server reported), handing each row to `row` (up to `max` rows);
    /// returns the number of rows the statement affected or returned.
    ///
    /// With `replan`, the statement's text, it is parsed again as the
    /// unnamed statement in the same round trip (Parse, Bind, Execute,
    /// Sync): the server then plans it for these values, never with a
    /// generic plan cached for the named one.
    pub(crate) fn execute<P: Encode>(
        &mut self,
        statement: &Prepared,
        params: &[P],
        max: Option<usize>,
        replan: Option<&str>,
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
        if let Some(sql) = replan {
            let oids = statement.params.iter().map(Type::oid);
            if let Err(e) = frontend::parse("", sql, oids, &mut self.write) {
                self.write.truncate(start);
                return Err(WireError::Encode(e.to_string()));
            }
        }
        let source = if replan.is_some() { "" } else { statement.name.as_str() };
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
            frontend::execute("", limit, w)?;
            frontend::sync(w);
            Ok(())
        })?;
        self.flush()?;
        let mut step = if replan.is_some() { Step::Parse } else { Step::Bind };
        let mut rows = 0u64;
        let mut affected = None;
        let mut failure = None;
        loop {
            // Rows are read in place, without splitting the buffer into a
            // reference-counted message each.
            let length = self.buffered()?;
            if self.read[0] == b'D' && step == Step::Rows {
                let body = &self.read[5..length];
                reply::parse_ranges(body, statement.columns.len(), &mut self.ranges)?;
                row(&RowView {
                    columns: &statement.columns,
                    buf: body,
                    ranges: &self.ranges,
                });
                self.read.advance(length);
                rows += 1;
                continue;
            }
            step = match (step, self.next()?) {
                (Step::Parse, Message::ParseComplete) => Step::Bind,
                (Step::Bind, Message::BindComplete) => Step::Rows,
                (Step::Rows, Message::CommandComplete(body)) => {
                    let returns_rows = rows > 0 || !statement.columns.is_empty();
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
    fn read_more(&mut self) -> io::Result<()> {
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
            return Err(error);
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
        frontend::terminate(&mut self.write);
        let _ = self.flush();
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

    use super::{Config, Wire};

    fn message(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![tag];
        m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    /// Reads one frontend message (or the startup packet, which has no tag).
    fn read(s: &mut TcpStream, tagged: bool) {
        let mut header = [0; 5];
        let header = if tagged { &mut header[..] } else { &mut header[1..] };
        s.read_exact(header).unwrap();
        let len = u32::from_be_bytes(header[header.len() - 4..].try_into().unwrap()) as usize;
        s.read_exact(&mut vec![0; len - 4]).unwrap();
    }

    /// A server that accepts one connection and answers each simple query
    /// with the next of `replies`.
    fn server(replies: Vec<Vec<u8>>) -> Config {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            read(&mut s, false);
            s.write_all(&[message(b'R', &[0; 4]), message(b'Z', b"I")].concat())
                .unwrap();
            for reply in replies {
                read(&mut s, true);
                s.write_all(&reply).unwrap();
            }
            let _ = s.read(&mut [0; 16]);
        });
        Config::parse(&format!("postgres://u@127.0.0.1:{port}/db")).unwrap()
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
        let mut wire = Wire::connect(&server(vec![big, small.clone(), small])).unwrap();
        wire.simple_query("SELECT big").unwrap();
        wire.simple_query("SET small").unwrap();
        wire.simple_query("SET small").unwrap();
        assert!(wire.read.capacity() <= 1 << 20, "{}", wire.read.capacity());
    }
}

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
    /// `ReadyForQuery` (a panic or an I/O error interrupted the reading):
    /// the connection is out of step and must not be reused.
    pending: bool,
    /// Reusable buffer of a row's value ranges.
    ranges: Vec<Option<Range<usize>>>,
    /// The read buffer grew past `KEEP_READ` for a large message; it is
    /// replaced by a buffer of the usual size once the reply is read.
    oversized: bool,
}

const BINARY: i16 = 1;

/// The largest message accepted from the server, tag and length field
/// excluded: a longer declared length is a protocol error at once, before
/// anything is allocated for it. PostgreSQL's own limit on a value is
/// 1 GiB; foal reads a row whole into memory, and a row of 256 MiB is far
/// past what it is meant for.
const MAX_MESSAGE: usize = 256 << 20;

/// The read buffer's usual capacity.
const READ_CAPACITY: usize = 16 * 1024;

/// A message longer than this grows the read buffer past what it keeps
/// between statements (with the reads that fill it, the buffer then stays
/// under about 1 MiB).
const KEEP_READ: usize = 256 * 1024;

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
            ranges: Vec::new(),
            oversized: false,
        };
        wire.startup(config)?;
        Ok(wire)
    }

    fn startup(&mut self, config: &Config) -> WireResult<()> {
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
        loop {
            match self.next()? {
                // After SCRAM, only once the server proved it knows the
                // password too.
                Message::AuthenticationOk if scram.is_some() && !scram_verified => {
                    return Err(WireError::Protocol("the server skipped SCRAM's final proof".into()));
                }
                Message::AuthenticationOk => {}
                Message::AuthenticationCleartextPassword => {
                    frontend::password_message(password, &mut self.write)?;
                    self.flush()?;
                }
                Message::AuthenticationMd5Password(body) => {
                    let hash =
                        postgres_protocol::authentication::md5_hash(config.user.as_bytes(), password, body.salt());
                    frontend::password_message(hash.as_bytes(), &mut self.write)?;
                    self.flush()?;
                }
                Message::AuthenticationSasl(body) => {
                    let mut mechanisms = body.mechanisms();
                    let mut scram_offered = false;
                    while let Some(m) = mechanisms.next()? {
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
                Message::AuthenticationSaslContinue(body) => {
                    let state = scram
                        .as_mut()
                        .ok_or_else(|| WireError::Protocol("unexpected SASL message".into()))?;
                    state.update(body.data())?;
                    frontend::sasl_response(state.message(), &mut self.write)?;
                    self.flush()?;
                }
                Message::AuthenticationSaslFinal(body) => {
                    let state = scram
                        .as_mut()
                        .ok_or_else(|| WireError::Protocol("unexpected SASL message".into()))?;
                    state.finish(body.data())?;
                    scram_verified = true;
                }
                Message::ErrorResponse(body) => return Err(WireError::Db(DbError::parse(&body))),
                Message::ReadyForQuery(body) => {
                    self.ready(body.status());
                    return Ok(());
                }
                Message::ParameterStatus(_) | Message::BackendKeyData(_) | Message::NoticeResponse(_) => {}
                _ => return Err(WireError::Protocol("unsupported authentication method".into())),
            }
        }
    }

    /// Whether the connection is idle, outside a transaction, and has
    /// read every reply it asked for.
    pub(crate) fn is_idle(&self) -> bool {
        self.status == b'I' && !self.pending
    }

    fn ready(&mut self, status: u8) {
        self.status = status;
        self.pending = false;
        if self.oversized {
            self.shrink();
        }
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
        self.stream.write_all(&self.write)?;
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
        Message::parse(&mut self.read)?.ok_or_else(|| WireError::Protocol("a message was cut short".into()))
    }

    /// Reads to `ReadyForQuery` after an error, and returns the error.
    fn recover<T>(&mut self, error: DbError) -> WireResult<T> {
        loop {
            if let Message::ReadyForQuery(body) = self.next()? {
                self.ready(body.status());
                return Err(WireError::Db(error));
            }
        }
    }

    /// Prepares `sql` as `name`, learning its parameter and column types.
    pub(crate) fn prepare(&mut self, name: &str, sql: &str) -> WireResult<Prepared> {
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
        loop {
            match self.next()? {
                Message::ParseComplete | Message::NoData | Message::NoticeResponse(_) => {}
                Message::ParameterDescription(body) => {
                    let mut oids = body.parameters();
                    while let Some(oid) = oids.next()? {
                        prepared.params.push(Type::from_oid(oid).unwrap_or(Type::UNKNOWN));
                    }
                }
                Message::RowDescription(body) => {
                    let mut fields = body.fields();
                    while let Some(field) = fields.next()? {
                        prepared.columns.push(Column {
                            name: field.name().to_owned(),
                            ty: Type::from_oid(field.type_oid()).unwrap_or(Type::UNKNOWN),
                        });
                    }
                }
                Message::ErrorResponse(body) => return self.recover(DbError::parse(&body)),
                Message::ReadyForQuery(body) => {
                    self.ready(body.status());
                    return Ok(prepared);
                }
                _ => {}
            }
        }
    }

    /// Forgets a prepared statement on the server.
    pub(crate) fn close(&mut self, name: &str) -> WireResult<()> {
        self.frame(|w| {
            frontend::close(b'S', name, w)?;
            frontend::sync(w);
            Ok(())
        })?;
        self.flush()?;
        self.finish()
    }

    /// Reads to `ReadyForQuery`, failing with the first error seen.
    fn finish(&mut self) -> WireResult<()> {
        let mut error = None;
        loop {
            match self.next()? {
                Message::ErrorResponse(body) => {
                    error.get_or_insert_with(|| DbError::parse(&body));
                }
                Message::ReadyForQuery(body) => {
                    self.ready(body.status());
                    return match error {
                        Some(e) => Err(WireError::Db(e)),
                        None => Ok(()),
                    };
                }
                _ => {}
            }
        }
    }

    /// Runs SQL without parameters (several statements allowed).
    pub(crate) fn simple_query(&mut self, sql: &str) -> WireResult<()> {
        self.frame(|w| frontend::query(sql, w))?;
        self.flush()?;
        self.finish()
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
        row: &mut dyn FnMut(&RowView<'_>) -> Result<(), String>,
    ) -> WireResult<u64> {
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
        let mut affected = 0u64;
        let mut failure: Option<WireError> = None;
        let mut ranges = std::mem::take(&mut self.ranges);
        loop {
            // Rows are read in place, without splitting the buffer into a
            // reference-counted message each.
            let length = self.buffered()?;
            if self.read[0] == b'D' {
                if failure.is_none() {
                    let body = &self.read[5..length];
                    let delivered = parse_ranges(body, &mut ranges).and_then(|()| {
                        row(&RowView {
                            columns: &statement.columns,
                            buf: body,
                            ranges: &ranges,
                        })
                    });
                    if let Err(e) = delivered {
                        failure = Some(WireError::Protocol(e));
                    }
                }
                self.read.advance(length);
                affected += 1;
                continue;
            }
            match self.next()? {
                Message::DataRow(_) => affected += 1,
                Message::CommandComplete(body) => {
                    if let Some(n) = body.tag().ok().and_then(|t| t.rsplit(' ').next()?.parse().ok()) {
                        affected = n;
                    }
                }
                Message::ErrorResponse(body) => {
                    failure.get_or_insert(WireError::Db(DbError::parse(&body)));
                }
                Message::ReadyForQuery(body) => {
                    self.ready(body.status());
                    self.ranges = ranges;
                    return match failure {
                        Some(e) => Err(e),
                        None => Ok(affected),
                    };
                }
                _ => {}
            }
        }
    }

    /// Appends what the socket has to the read buffer; the server closing
    /// the connection is an error.
    fn read_more(&mut self) -> io::Result<()> {
        let n = self.stream.read(&mut self.scratch)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        self.read.extend_from_slice(&self.scratch[..n]);
        Ok(())
    }

    /// Reads until one whole message is buffered; returns its length
    /// (tag and length field included). A declared length below the
    /// length field's own 4 bytes or above `MAX_MESSAGE` is an error.
    fn buffered(&mut self) -> WireResult<usize> {
        loop {
            if let Some(header) = self.read.get(1..5) {
                let declared = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
                if !(4..=MAX_MESSAGE + 4).contains(&declared) {
                    return Err(bad_length(self.read[0], declared));
                }
                let length = declared + 1;
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

#[cold]
fn bad_length(tag: u8, declared: usize) -> WireError {
    let tag = tag.escape_ascii();
    WireError::Protocol(if declared < 4 {
        format!(
            "the server sent a message (type `{tag}`) with a message length of {declared}, less than the length field itself"
        )
    } else {
        format!(
            "the server sent a message (type `{tag}`) with a message length of {declared} bytes, over foal's limit of {} MiB",
            MAX_MESSAGE >> 20
        )
    })
}

/// The value ranges of a `DataRow` body: a count, then each value's
/// length (-1 for NULL) and bytes.
fn parse_ranges(body: &[u8], ranges: &mut Vec<Option<Range<usize>>>) -> Result<(), String> {
    let bad = || "malformed row from the server".to_owned();
    ranges.clear();
    let count = body.get(0..2).ok_or_else(bad)?;
    let count = u16::from_be_bytes([count[0], count[1]]);
    let mut at = 2;
    for _ in 0..count {
        let len = body.get(at..at + 4).ok_or_else(bad)?;
        let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        at += 4;
        if len < 0 {
            ranges.push(None);
        } else {
            let end = at + len as usize;
            if end > body.len() {
                return Err(bad());
            }
            ranges.push(Some(at..end));
            at = end;
        }
    }
    Ok(())
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

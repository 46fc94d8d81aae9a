//! What a reply from the server may hold: message lengths within a
//! limit, the messages that may come at any time, rows that match their
//! statement, and the protocol errors for everything else. A reply that
//! breaks these rules is never skipped over: the call fails and the
//! connection, out of step, is dropped.

use std::io;
use std::ops::Range;

use postgres_protocol::message::backend::{CommandCompleteBody, Message};

use super::error::{WireError, WireResult};

/// The largest message accepted from the server, tag and length field
/// excluded: a longer declared length is a protocol error at once, before
/// anything is allocated for it. PostgreSQL's own limit on a value is
/// 1 GiB; foal reads a row whole into memory, and a row of 256 MiB is far
/// past what it is meant for.
pub(super) const MAX_MESSAGE: usize = 256 << 20;

/// The length of the message at the start of `buf` (tag and length field
/// included), once its header is there.
#[inline]
pub(super) fn length(buf: &[u8]) -> WireResult<Option<usize>> {
    let Some(header) = buf.get(1..5) else {
        return Ok(None);
    };
    let declared = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
    if !(4..=MAX_MESSAGE + 4).contains(&declared) {
        return Err(bad_length(buf[0], declared));
    }
    Ok(Some(declared + 1))
}

#[cold]
fn bad_length(tag: u8, declared: usize) -> WireError {
    let tag = tag.escape_ascii();
    WireError::Protocol(if declared < 4 {
        format!(
            "the server sent a message (type `{tag}`) with a message length of {declared}, \
             less than the length field itself"
        )
    } else {
        format!(
            "the server sent a message (type `{tag}`) with a message length of {declared} bytes, \
             over foal's limit of {} MiB",
            MAX_MESSAGE >> 20
        )
    })
}

/// Whether the server may send `m` at any point of a reply (or between
/// replies): a notice, a changed parameter, a notification. The client
/// skips them.
#[inline]
pub(super) fn asynchronous(m: &Message) -> bool {
    matches!(
        m,
        Message::NoticeResponse(_) | Message::ParameterStatus(_) | Message::NotificationResponse(_)
    )
}

fn name(m: &Message) -> &'static str {
    match m {
        Message::AuthenticationOk
        | Message::AuthenticationCleartextPassword
        | Message::AuthenticationMd5Password(_)
        | Message::AuthenticationSasl(_)
        | Message::AuthenticationSaslContinue(_)
        | Message::AuthenticationSaslFinal(_)
        | Message::AuthenticationGss
        | Message::AuthenticationGssContinue(_)
        | Message::AuthenticationKerberosV5
        | Message::AuthenticationScmCredential
        | Message::AuthenticationSspi => "an authentication request",
        Message::BackendKeyData(_) => "BackendKeyData",
        Message::BindComplete => "BindComplete",
        Message::CloseComplete => "CloseComplete",
        Message::CommandComplete(_) => "CommandComplete",
        Message::CopyData(_) => "CopyData",
        Message::CopyDone => "CopyDone",
        Message::CopyInResponse(_) => "CopyInResponse",
        Message::CopyOutResponse(_) => "CopyOutResponse",
        Message::DataRow(_) => "DataRow",
        Message::EmptyQueryResponse => "EmptyQueryResponse",
        Message::ErrorResponse(_) => "ErrorResponse",
        Message::NoData => "NoData",
        Message::NoticeResponse(_) => "NoticeResponse",
        Message::NotificationResponse(_) => "NotificationResponse",
        Message::ParameterDescription(_) => "ParameterDescription",
        Message::ParameterStatus(_) => "ParameterStatus",
        Message::ParseComplete => "ParseComplete",
        Message::PortalSuspended => "PortalSuspended",
        Message::ReadyForQuery(_) => "ReadyForQuery",
        Message::RowDescription(_) => "RowDescription",
        _ => "a message foal does not know",
    }
}

/// `m` came where the protocol allows no such message.
#[cold]
pub(super) fn unexpected(m: &Message, during: &str) -> WireError {
    WireError::Protocol(format!(
        "the server sent {} {during}, where none can come; the connection is out of step and is closed",
        name(m)
    ))
}

/// A message of type `tag` that does not parse.
#[cold]
pub(super) fn malformed(tag: u8, e: &io::Error) -> WireError {
    WireError::Protocol(format!(
        "the server sent a malformed message (type `{}`): {e}; the connection is closed",
        tag.escape_ascii()
    ))
}

/// The server's part of SCRAM does not check out.
#[cold]
pub(super) fn scram(e: io::Error) -> WireError {
    WireError::Protocol(format!("SCRAM authentication failed: {e}"))
}

#[cold]
fn bad_row(why: String) -> WireError {
    WireError::Protocol(format!(
        "the server sent a malformed DataRow: {why}; the connection is closed"
    ))
}

/// The value ranges of a `DataRow` body: a count (the statement's number
/// of columns), then each value's length (-1 for NULL) and bytes, which
/// end where the body ends.
#[inline]
pub(super) fn parse_ranges(body: &[u8], columns: usize, ranges: &mut Vec<Option<Range<usize>>>) -> WireResult<()> {
    ranges.clear();
    let Some(&[a, b]) = body.get(0..2) else {
        return Err(bad_row("no value count".into()));
    };
    let count = usize::from(u16::from_be_bytes([a, b]));
    if count != columns {
        return Err(bad_row(format!("{count} values for {columns} columns")));
    }
    let mut at = 2;
    for _ in 0..count {
        let Some(&[a, b, c, d]) = body.get(at..at + 4) else {
            return Err(bad_row("a value's length is cut short".into()));
        };
        at += 4;
        match i32::from_be_bytes([a, b, c, d]) {
            -1 => ranges.push(None),
            len => {
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|len| at.checked_add(len))
                    .filter(|&end| end <= body.len())
                    .ok_or_else(|| bad_row(format!("a value's length of {len} bytes")))?;
                ranges.push(Some(at..end));
                at = end;
            }
        }
    }
    if at != body.len() {
        return Err(bad_row(format!("{} bytes after the last value", body.len() - at)));
    }
    Ok(())
}

/// The count of a `CommandComplete` (`SELECT 3`, `INSERT 0 1`), or `rows`
/// when its tag has none. For a statement that returns rows the count
/// must be the number of rows sent: a row lost on the way is an error.
pub(super) fn check_count(body: &CommandCompleteBody, rows: u64, returns_rows: bool) -> WireResult<u64> {
    let tag = body.tag().map_err(|e| malformed(b'C', &e))?;
    let count = tag.rsplit(' ').next().and_then(|n| n.parse::<u64>().ok());
    match count {
        Some(n) if returns_rows && n != rows => Err(WireError::Protocol(format!(
            "the server sent {rows} rows for a statement it reports as `{tag}`; the connection is closed"
        ))),
        _ => Ok(count.unwrap_or(rows)),
    }
}

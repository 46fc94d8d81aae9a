//! Deadlines of MySQL/MariaDB connections: `statement_timeout` enforced by
//! the server, `read_timeout_ms` by foal (the statement is killed with
//! `KILL QUERY` from a second connection and its connection closed), and
//! `connect_timeout` against servers that accept a connection and then
//! never answer. The stalled servers are scripted here on 127.0.0.1; the
//! rest runs on the test MariaDB of `scripts/test.sh`.
//!
//! Every call that could hang runs under a watchdog that fails the test
//! after 20 s instead.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use foal::prelude::*;
use foal::{Database, Dialect, Error};

/// `f`'s result, or a failure if it takes longer than 20 s: a hang.
fn watched<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(value) => value,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer in 20 s (a hang)"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// `Err(Error::Timeout)`'s message; anything else fails the test.
fn timeout_message<T: std::fmt::Debug>(what: &str, outcome: foal::Result<T>) -> String {
    match outcome {
        Err(Error::Timeout { message, site }) => {
            println!("{what}: {message} (at {site})");
            message
        }
        other => panic!("{what}: expected Error::Timeout, got {other:?}"),
    }
}

// ------------------------------------------------------ stalled servers

/// A listener on 127.0.0.1 that accepts connections, keeps them open and
/// never sends a byte.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot listen: {e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn a_server_that_never_answers_fails_the_connect_within_connect_timeout() {
    let port = silent_server();
    for options in [
        "connect_timeout=1",
        "connect_timeout=1&ssl-mode=REQUIRED",
        "read_timeout_ms=500",
    ] {
        let url = format!("mysql://foal:foal@127.0.0.1:{port}/foal?{options}");
        let started = Instant::now();
        let outcome = watched(&url.clone(), move || Database::open(&url).map(|_| ()));
        let took = started.elapsed();
        let message = timeout_message(options, outcome);
        assert!(message.contains("did not answer"), "{options}: {message}");
        assert!(took < Duration::from_millis(2500), "{options}: the error took {took:?}");
    }
}

/// A MySQL packet: 3-byte length, sequence number, payload.
fn packet(seq: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_le_bytes()[..3].to_vec();
    out.push(seq);
    out.extend_from_slice(payload);
    out
}

fn read_packet(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).ok()?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some(body)
}

fn lenenc(text: &[u8]) -> Vec<u8> {
    let mut out = vec![text.len() as u8];
    out.extend_from_slice(text);
    out
}

const OK: &[u8] = &[0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00];
const EOF: &[u8] = &[0xfe, 0x00, 0x00, 0x02, 0x00];

/// A greeting without TLS: PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH,
/// LONG_PASSWORD, TRANSACTIONS, MULTI_RESULTS.
fn greeting(id: u32) -> Vec<u8> {
    let capabilities: u32 = 0x0001 | 0x0200 | 0x2000 | 0x8000 | 0x0002_0000 | 0x0008_0000;
    let mut payload = vec![10];
    payload.extend_from_slice(b"8.0.99-stand-in\0");
    payload.extend_from_slice(&id.to_le_bytes());
    payload.extend_from_slice(b"abcdefgh\0");
    payload.extend_from_slice(&(capabilities as u16).to_le_bytes());
    payload.push(45);
    payload.extend_from_slice(&2u16.to_le_bytes());
    payload.extend_from_slice(&((capabilities >> 16) as u16).to_le_bytes());
    payload.push(21);
    payload.extend_from_slice(&[0; 10]);
    payload.extend_from_slice(b"ijklmnopqrst\0");
    payload.extend_from_slice(b"mysql_native_password\0");
    payload
}

/// A text result of one column and one row (`None`: NULL).
fn one_value(stream: &mut TcpStream, value: Option<&str>) -> std::io::Result<()> {
    let mut column = Vec::new();
    for part in [&b"def"[..], b"", b"", b"", b"v", b""] {
        column.extend(lenenc(part));
    }
    column.push(0x0c);
    column.extend_from_slice(&33u16.to_le_bytes());
    column.extend_from_slice(&255u32.to_le_bytes());
    column.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0]);
    let row = value.map_or(vec![0xfb], |v| lenenc(v.as_bytes()));
    let mut out = packet(1, &[1]);
    out.extend(packet(2, &column));
    out.extend(packet(3, EOF));
    out.extend(packet(4, &row));
    out.extend(packet(5, EOF));
    stream.write_all(&out)
}

/// What the scripted server saw: the statements it was asked to run.
#[derive(Default)]
struct Seen {
    statements: Vec<String>,
    connections: u32,
    /// Answer NULL for `@@socket` (no real server does; the crate used to
    /// panic on it).
    null_socket: bool,
}

/// Serves one connection as a MariaDB would foal's setup (the crate's
/// `SELECT @@…`, foal's `SET`s, `SELECT VERSION()`), answers `KILL` and
/// `SET` with OK, and never answers a statement that mentions `stall`,
/// whether sent as text or to be prepared.
fn scripted(mut stream: TcpStream, id: u32, seen: Arc<Mutex<Seen>>) -> std::io::Result<()> {
    stream.write_all(&packet(0, &greeting(id)))?;
    if read_packet(&mut stream).is_none() {
        return Ok(());
    }
    stream.write_all(&packet(2, OK))?;
    while let Some(command) = read_packet(&mut stream) {
        let text = String::from_utf8_lossy(command.get(1..).unwrap_or_default()).into_owned();
        let null_socket = match seen.lock() {
            Ok(mut seen) => {
                seen.statements.push(text.clone());
                seen.null_socket
            }
            Err(_) => return Ok(()),
        };
        match command.first() {
            Some(0x01) => return Ok(()),
            Some(0x03 | 0x16) if text.contains("stall") => {
                // Never answers; the client gives up and closes.
                while read_packet(&mut stream).is_some() {}
                return Ok(());
            }
            Some(0x03) if text.starts_with("SELECT") => {
                let value = match text.as_str() {
                    "SELECT @@max_allowed_packet" => Some("16777216"),
                    "SELECT VERSION()" => Some("10.11.99-MariaDB-stand-in"),
                    "SELECT @@auto_increment_increment" => Some("1"),
                    "SELECT @@in_transaction" => Some("0"),
                    // No socket to move to.
                    "SELECT @@socket" if !null_socket => Some(""),
                    _ => None,
                };
                one_value(&mut stream, value)?;
            }
            Some(0x03) => stream.write_all(&packet(1, OK))?,
            _ => {
                let mut error = vec![0xff, 0x2f, 0x04, b'#'];
                error.extend_from_slice(b"HY000not supported by the stand-in");
                stream.write_all(&packet(1, &error))?;
            }
        }
    }
    Ok(())
}

/// A scripted server on 127.0.0.1: its port and what it saw.
fn stalling_server(null_socket: bool) -> (u16, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot listen: {e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let seen = Arc::new(Mutex::new(Seen {
        null_socket,
        ..Seen::default()
    }));
    let shared = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let id = match shared.lock() {
                Ok(mut seen) => {
                    seen.connections += 1;
                    100 + seen.connections
                }
                Err(_) => return,
            };
            let seen = shared.clone();
            std::thread::spawn(move || scripted(stream, id, seen));
        }
    });
    (port, seen)
}

fn kills(seen: &Mutex<Seen>) -> Vec<String> {
    seen.lock()
        .map(|s| s.statements.iter().filter(|s| s.starts_with("KILL")).cloned().collect())
        .unwrap_or_default()
}

#[test]
fn a_server_that_stalls_on_a_statement_is_cut_off_at_read_timeout_ms() {
    // With and without a (longer) connect deadline: the statement's
    // replaces it once connected.
    for options in ["read_timeout_ms=300", "read_timeout_ms=300&connect_timeout=5"] {
        let (port, seen) = stalling_server(false);
        let url = format!("mysql://foal:foal@127.0.0.1:{port}/foal?ssl-mode=DISABLED&pool_size=1&{options}");
        let db = watched(options, move || Database::open(&url)).unwrap_or_else(|e| panic!("{options}: {e}"));
        let db = Arc::new(db);

        // Text (raw SQL through execute_sql) and a prepared statement.
        let (first, second) = (db.clone(), db.clone());
        let started = Instant::now();
        let text = watched(options, move || first.execute_sql("SELECT 'stall'"));
        let took = started.elapsed();
        let message = timeout_message(options, text);
        assert!(message.contains("read_timeout_ms (300 ms)"), "{message}");
        assert!(message.contains("KILL QUERY 101"), "{message}");
        assert!(took < Duration::from_millis(1500), "{options}: the error took {took:?}");
        assert_eq!(kills(&seen), ["KILL QUERY 101"], "{options}");

        let started = Instant::now();
        let prepared = watched(options, move || raw::<i64>("SELECT 'stall' AS x").fetch_one(&*second));
        let took = started.elapsed();
        let message = timeout_message(options, prepared);
        // The pool replaced the closed connection (101; 102 sent the KILL).
        assert!(message.contains("KILL QUERY 103"), "{message}");
        assert!(took < Duration::from_millis(1500), "{options}: the error took {took:?}");

        // And it goes on working.
        let third = db.clone();
        watched(options, move || third.execute_sql("SET @x = 1")).unwrap_or_else(|e| panic!("{options}: {e}"));
        assert_eq!(kills(&seen), ["KILL QUERY 101", "KILL QUERY 103"], "{options}");
    }
}

/// The crate unwraps the server's `@@socket` when it may move a loopback
/// connection to the Unix socket: a NULL is an error, not a panic.
#[test]
fn a_null_socket_from_the_server_is_an_error() {
    let (port, _) = stalling_server(true);
    let url = format!("mysql://foal:foal@127.0.0.1:{port}/foal?ssl-mode=DISABLED&connect_timeout=5");
    match watched("NULL @@socket", move || Database::open(&url).map(|_| ())) {
        Err(Error::ConnectionLost { message, .. }) => assert!(message.contains("while connecting"), "{message}"),
        other => panic!("expected a lost connection, got {other:?}"),
    }
}

// ---------------------------------------------------- the real MariaDB

fn connection_id(db: &Database) -> i64 {
    raw::<i64>("SELECT CONNECTION_ID()")
        .fetch_one(db)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn statement_timeout_is_enforced_by_the_server() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let db = Arc::new(foal_tests::fresh_with(
        Dialect::Mysql,
        "statement_timeout=200&pool_size=1",
    ));
    let id = connection_id(&db);
    let started = Instant::now();
    let sleeper = db.clone();
    let outcome = watched("SLEEP(5)", move || raw::<i64>("SELECT SLEEP(5)").fetch_one(&*sleeper));
    let took = started.elapsed();
    let message = timeout_message("statement_timeout=200", outcome);
    assert!(
        message.contains("1969") && message.contains("statement_timeout"),
        "{message}"
    );
    assert!(took < Duration::from_millis(1000), "the error took {took:?}");
    // The server stopped the statement, not the connection: the same one
    // goes on.
    assert_eq!(connection_id(&db), id);
    let n: i64 = raw("SELECT ? + 1")
        .bind(&41_i64)
        .fetch_one(&*db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 42);
    // Without the option, no limit is set.
    let plain = foal_tests::fresh_with(Dialect::Mysql, "pool_size=1");
    let limit: f64 = raw("SELECT @@max_statement_time")
        .fetch_one(&plain)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(limit, 0.0);
    let limit: f64 = raw("SELECT @@max_statement_time")
        .fetch_one(&*db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(limit, 0.2);
}

#[test]
fn read_timeout_kills_the_statement_on_the_server() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let db = Arc::new(foal_tests::fresh_with(
        Dialect::Mysql,
        "read_timeout_ms=300&pool_size=1",
    ));
    let admin = foal_tests::fresh(Dialect::Mysql);
    let id = connection_id(&db);
    let started = Instant::now();
    let sleeper = db.clone();
    let outcome = watched("SLEEP(5)", move || {
        raw::<i64>("SELECT SLEEP(5) AS foal_kill_probe").fetch_one(&*sleeper)
    });
    let took = started.elapsed();
    let message = timeout_message("read_timeout_ms=300", outcome);
    assert!(message.contains(&format!("KILL QUERY {id}")), "{message}");
    assert!(took < Duration::from_millis(1500), "the error took {took:?}");
    // Gone from the server, not only given up on by the client.
    let running: i64 = raw("SELECT COUNT(*) FROM information_schema.PROCESSLIST \
         WHERE INFO LIKE '%foal_kill_probe%' AND ID <> CONNECTION_ID()")
    .fetch_one(&admin)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(running, 0, "the killed statement still runs");
    // The pool replaced the closed connection, and statements within the
    // deadline run as before.
    assert_ne!(connection_id(&db), id);
    let quick: i64 = raw("SELECT SLEEP(0.05)")
        .fetch_one(&*db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(quick, 0);
    // Inside a transaction, which keeps its connection: after the timeout
    // nothing more runs on it (the next reply would be the killed
    // statement's), and the transaction fails.
    let outcome = db.transaction(|tx| {
        let slow = raw::<i64>("SELECT SLEEP(5)").fetch_one(tx);
        timeout_message("in a transaction", slow);
        match raw::<i64>("SELECT 1").fetch_one(tx) {
            Err(Error::ConnectionLost { message, .. }) => assert!(message.contains("closed"), "{message}"),
            other => panic!("after the timeout: {other:?}"),
        }
        Ok(())
    });
    assert!(matches!(outcome, Err(Error::ConnectionLost { .. })), "{outcome:?}");
    assert_eq!(
        raw::<i64>("SELECT 1").fetch_one(&*db).unwrap_or_else(|e| panic!("{e}")),
        1
    );
}

#[test]
fn connect_timeout_and_keepalive_on_the_server() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    // The connect deadline gives way to none (or the statement's) once
    // connected: a statement may take longer than connect_timeout.
    let db = foal_tests::fresh_with(
        Dialect::Mysql,
        "connect_timeout=1&tcp_keepalive_time_ms=30000&tcp_keepalive_probe_interval_secs=5&tcp_keepalive_probe_count=3",
    );
    let slept: i64 = raw("SELECT SLEEP(1.3)")
        .fetch_one(&db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(slept, 0);
    let db = foal_tests::fresh_with(Dialect::Mysql, "connect_timeout=1&read_timeout_ms=2000");
    let slept: i64 = raw("SELECT SLEEP(1.3)")
        .fetch_one(&db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(slept, 0);
}

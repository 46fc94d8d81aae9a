//! PostgreSQL deadlines: a server that accepts and never answers (at the
//! SSLRequest, at the startup, during authentication, in the middle of a
//! query) fails the call within its deadline, never hangs it; a read
//! deadline sends a CancelRequest with the session's key to a fresh
//! connection; `statement_timeout` and `read_timeout_ms` on the real
//! server end `pg_sleep(5)` within about a second, as `Error::Timeout`.
//!
//! The fake servers need nothing; the real-server tests need the test
//! server of `scripts/test.sh`, and `FOAL_TOPOLOGIES=pg_tls` for the
//! cancel over TLS.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use foal::{Database, Dialect, Error, raw};

use foal_tests::fake_pg::{message, read_packet};

const SSL_REQUEST: u32 = 80877103;
const CANCEL_REQUEST: u32 = 80877102;
/// The process id and secret key the fake server gives its sessions.
const KEY: (i32, i32) = (4242, 0x5eed_f00d);

/// Where the fake server stops answering.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stall {
    /// Never answers the SSLRequest.
    SslRequest,
    /// Refuses TLS, never answers the startup message.
    Startup,
    /// Offers SCRAM, never answers the client's first SCRAM message.
    Authentication,
    /// Starts the session (with BackendKeyData), never answers the first
    /// request on it; later connections answer `SELECT 1`.
    FirstRequest,
}

struct Fake {
    port: u16,
    /// The keys of the CancelRequests received.
    cancels: mpsc::Receiver<(i32, i32)>,
}

/// A fake server stalling at `stall`; a stalled connection stays open,
/// read and never written to, until the client closes it.
fn fake(stall: Stall) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let (tx, cancels) = mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let _ = serve(stream, stall, n == 0, &tx);
            });
        }
    });
    Fake { port, cancels }
}

/// Reads until the client closes: the server has stalled.
fn hang(s: &mut TcpStream) -> io::Result<()> {
    let mut sink = [0; 1024];
    while s.read(&mut sink)? > 0 {}
    Ok(())
}

fn serve(mut s: TcpStream, stall: Stall, first: bool, cancels: &mpsc::Sender<(i32, i32)>) -> io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let (_, mut body) = read_packet(&mut s, false)?;
    let code = |b: &[u8]| b.get(..4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
    if code(&body) == Some(CANCEL_REQUEST) {
        let int = |at: usize| i32::from_be_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
        if body.len() == 12 {
            let _ = cancels.send((int(4), int(8)));
        }
        return Ok(());
    }
    if code(&body) == Some(SSL_REQUEST) {
        if stall == Stall::SslRequest {
            return hang(&mut s);
        }
        s.write_all(b"N")?;
        body = read_packet(&mut s, false)?.1;
    }
    let _ = body;
    match stall {
        Stall::Startup => return hang(&mut s),
        Stall::Authentication => {
            let mut sasl = 10i32.to_be_bytes().to_vec();
            sasl.extend_from_slice(b"SCRAM-SHA-256\0\0");
            s.write_all(&message(b'R', &sasl))?;
            return hang(&mut s);
        }
        _ => {}
    }
    let mut key = KEY.0.to_be_bytes().to_vec();
    key.extend_from_slice(&KEY.1.to_be_bytes());
    s.write_all(
        &[
            message(b'R', &0i32.to_be_bytes()),
            message(b'K', &key),
            message(b'Z', b"I"),
        ]
        .concat(),
    )?;
    if first {
        return hang(&mut s);
    }
    // `SELECT 1` as a simple query.
    loop {
        let (tag, _) = read_packet(&mut s, true)?;
        match tag {
            b'Q' => {
                let mut description = 1u16.to_be_bytes().to_vec();
                description.extend_from_slice(b"?column?\0");
                description.extend_from_slice(&[0; 6]);
                description.extend_from_slice(&23u32.to_be_bytes());
                description.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0]);
                let mut row = 1u16.to_be_bytes().to_vec();
                row.extend_from_slice(&1i32.to_be_bytes());
                row.push(b'1');
                s.write_all(
                    &[
                        message(b'T', &description),
                        message(b'D', &row),
                        message(b'C', b"SELECT 1\0"),
                        message(b'Z', b"I"),
                    ]
                    .concat(),
                )?;
            }
            b'X' => return Ok(()),
            _ => {}
        }
    }
}

/// Runs `f` on a thread and fails the test if it takes longer than
/// `within`; returns its result and how long it took.
fn timed<T: Send + 'static>(what: &str, within: Duration, f: impl FnOnce() -> T + Send + 'static) -> (T, Duration) {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(within) {
        Ok(value) => (value, start.elapsed()),
        Err(_) => panic!("{what}: still running after {within:?} (a hang)"),
    }
}

#[track_caller]
fn timeout_error<T: std::fmt::Debug>(what: &str, result: foal::Result<T>) -> String {
    match result {
        Err(Error::Timeout { message, site }) => {
            eprintln!("{what}: {message} (at {site})");
            message
        }
        other => panic!("{what}: expected Error::Timeout, got {other:?}"),
    }
}

#[test]
fn a_server_that_never_answers_fails_the_connection_within_connect_timeout() {
    let cases = [
        (Stall::SslRequest, ""),
        (Stall::Startup, ""),
        (Stall::Startup, "&sslmode=disable"),
        (Stall::Authentication, "&sslmode=disable"),
    ];
    // In parallel: each takes connect_timeout's 2 s.
    let runs: Vec<_> = cases
        .into_iter()
        .map(|(stall, options)| {
            let server = fake(stall);
            let url = format!(
                "postgres://u:secret@127.0.0.1:{}/db?pool_size=1&connect_timeout=2{options}",
                server.port
            );
            std::thread::spawn(move || {
                let what = format!("{stall:?}{options}");
                let (result, took) = timed(&what, Duration::from_secs(6), move || Database::open(&url).map(|_| ()));
                let message = timeout_error(&what, result);
                assert!(message.contains("connect_timeout"), "{what}: {message}");
                assert!(!message.contains("secret"), "{message}");
                assert!(
                    took >= Duration::from_millis(1900) && took < Duration::from_millis(3500),
                    "{what}: took {took:?}"
                );
            })
        })
        .collect();
    for run in runs {
        if let Err(panic) = run.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

#[test]
fn a_server_that_stops_answering_mid_query_is_cancelled_within_read_timeout() {
    let server = fake(Stall::FirstRequest);
    let url = format!(
        "postgres://u@127.0.0.1:{}/db?pool_size=1&read_timeout_ms=500&connect_timeout=5",
        server.port
    );
    let db = Database::open(&url).unwrap_or_else(|e| panic!("open: {e}"));
    let db = std::sync::Arc::new(db);
    let shared = std::sync::Arc::clone(&db);
    let (result, took) = timed("a stalled query", Duration::from_secs(5), move || {
        shared.execute_sql("SELECT 1")
    });
    let message = timeout_error("execute_sql", result);
    assert!(message.contains("read_timeout_ms"), "{message}");
    assert!(message.contains("cancelled"), "{message}");
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(2500),
        "took {took:?}"
    );
    let cancel = server.cancels.recv_timeout(Duration::from_secs(2));
    assert_eq!(cancel, Ok(KEY), "the CancelRequest, with BackendKeyData's key");
    // The connection was dropped: the next call gets a new one, which
    // the fake server answers.
    let (again, _) = timed("the next call", Duration::from_secs(5), move || {
        db.execute_sql("SELECT 1")
    });
    again.unwrap_or_else(|e| panic!("after the timeout: {e}"));
}

#[test]
fn a_stalled_prepared_statement_is_cancelled_too() {
    let server = fake(Stall::FirstRequest);
    let url = format!(
        "postgres://u@127.0.0.1:{}/db?pool_size=1&read_timeout_ms=300&statement_cache_size=0",
        server.port
    );
    let db = Database::open(&url).unwrap_or_else(|e| panic!("open: {e}"));
    let (result, took) = timed("a stalled prepare", Duration::from_secs(5), move || {
        raw::<i64>("SELECT ?").bind(&1i64).fetch_all(&db)
    });
    timeout_error("raw fetch_all", result);
    assert!(took < Duration::from_millis(2000), "took {took:?}");
    assert_eq!(server.cancels.recv_timeout(Duration::from_secs(2)), Ok(KEY));
}

fn admin() -> Database {
    let url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    Database::open(&format!("{url}?pool_size=1")).unwrap_or_else(|e| panic!("{e}"))
}

/// Whether a `pg_sleep(5)` of `application_name` still runs on the server
/// after `wait`.
fn still_sleeping(admin: &Database, application: &str, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        let running: i64 = raw("SELECT count(*) FROM pg_catalog.pg_stat_activity \
             WHERE application_name = ? AND state = 'active' AND query LIKE '%pg_sleep(5)%'")
        .bind(application)
        .fetch_one(admin)
        .unwrap_or_else(|e| panic!("pg_stat_activity: {e}"));
        if running == 0 || Instant::now() > deadline {
            return running > 0;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn statement_timeout_ends_a_slow_statement_as_a_timeout() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    let db = Database::open(&format!("{url}?pool_size=1&statement_timeout=200")).unwrap_or_else(|e| panic!("{e}"));
    let db = std::sync::Arc::new(db);
    let shared = std::sync::Arc::clone(&db);
    let (result, took) = timed("pg_sleep(5) as a simple query", Duration::from_secs(4), move || {
        shared.execute_sql("SELECT pg_sleep(5)")
    });
    let message = timeout_error("execute_sql", result);
    assert!(message.contains("57014"), "{message}");
    assert!(took < Duration::from_millis(1000), "took {took:?}");
    let shared = std::sync::Arc::clone(&db);
    let (result, took) = timed(
        "pg_sleep(5) as a prepared statement",
        Duration::from_secs(4),
        move || raw::<i64>("SELECT 1 FROM pg_sleep(5)").fetch_all(&*shared),
    );
    timeout_error("raw fetch_all", result);
    assert!(took < Duration::from_millis(1000), "took {took:?}");
    // The connection survives a statement timeout.
    assert_eq!(raw::<i64>("SELECT 7").fetch_one(&*db).ok(), Some(7));
}

#[test]
fn read_timeout_cancels_a_slow_statement_on_the_server() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    let mut cases = vec![(url, admin(), "foal_read_timeout_plain")];
    if let Ok(tls) = std::env::var("FOAL_TEST_PG_TLS_URL") {
        let admin = Database::open(&format!("{tls}?pool_size=1&sslmode=require")).unwrap_or_else(|e| panic!("{e}"));
        cases.push((format!("{tls}?sslmode=require"), admin, "foal_read_timeout_tls"));
    } else {
        eprintln!("FOAL_TEST_PG_TLS_URL is not set (FOAL_TOPOLOGIES=pg_tls): the cancel over TLS is not checked");
    }
    for (url, admin, application) in cases {
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}pool_size=1&read_timeout_ms=300&application_name={application}");
        let db = Database::open(&url).unwrap_or_else(|e| panic!("{application}: {e}"));
        let (result, took) = timed(application, Duration::from_secs(4), move || {
            db.execute_sql("SELECT pg_sleep(5)")
        });
        let message = timeout_error(application, result);
        assert!(message.contains("cancelled"), "{application}: {message}");
        assert!(took < Duration::from_millis(1500), "{application}: took {took:?}");
        // Without the CancelRequest the server would sleep on for 5 s.
        assert!(
            !still_sleeping(&admin, application, Duration::from_millis(1000)),
            "{application}: pg_sleep(5) still runs on the server"
        );
    }
}

#[test]
fn keepalive_options_are_accepted_by_the_server() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    let db = Database::open(&format!(
        "{url}?pool_size=1&keepalives=1&keepalives_idle=30&keepalives_interval=5&keepalives_count=3&tcp_user_timeout=10000"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw::<i64>("SELECT 1").fetch_one(&db).ok(), Some(1));
    let db = Database::open(&format!("{url}?pool_size=1&keepalives=0")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw::<i64>("SELECT 1").fetch_one(&db).ok(), Some(1));
}

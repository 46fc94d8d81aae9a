//! PostgreSQL over TLS, and who may authenticate how: every `sslmode`
//! against the server of `FOAL_TOPOLOGIES=pg_tls` (TLS required, SCRAM,
//! a throwaway CA) and against the plain test server, certificates
//! checked and refused, a client certificate, SCRAM with channel binding,
//! `require_auth`, and no password without TLS. A fake server checks
//! that foal never answers a cleartext or MD5 request once SCRAM began.
//!
//! Run with `FOAL_TOPOLOGIES=pg_tls scripts/test.sh -p foal-tests --test pg_tls`.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use foal::{Database, Dialect, Error, raw};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run `FOAL_TOPOLOGIES=pg_tls scripts/test.sh -p foal-tests --test pg_tls`")
    })
}

/// `url` with `options` added to its query string, and a pool of one.
fn with(url: &str, options: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}pool_size=1&{options}")
}

fn open(url: &str, options: &str) -> foal::Result<Database> {
    Database::open(&with(url, options))
}

/// Whether the session is encrypted, as the server sees it.
fn encrypted(db: &Database) -> bool {
    raw::<bool>("SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()")
        .fetch_one(db)
        .unwrap_or_else(|e| panic!("pg_stat_ssl: {e}"))
}

fn current_user(db: &Database) -> String {
    raw::<String>("SELECT current_user::text")
        .fetch_one(db)
        .unwrap_or_else(|e| panic!("current_user: {e}"))
}

#[track_caller]
fn opens(url: &str, options: &str) -> Database {
    open(url, options).unwrap_or_else(|e| panic!("{options}: {e}"))
}

#[track_caller]
fn refused(url: &str, options: &str, says: &str) -> Error {
    match open(url, options) {
        Ok(db) => panic!("{options}: opened (encrypted: {})", encrypted(&db)),
        Err(e) => {
            eprintln!("{options}: {e}");
            assert!(
                e.to_string().contains(says),
                "{options}: the error should say `{says}`: {e}"
            );
            assert!(
                !e.to_string().contains("foal_clear:") && !e.to_string().contains(":foal@"),
                "{e}"
            );
            e
        }
    }
}

fn tls_url() -> String {
    env("FOAL_TEST_PG_TLS_URL")
}

fn ca() -> String {
    env("FOAL_TEST_TLS_CA")
}

#[test]
fn every_sslmode_against_the_tls_server() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let url = tls_url();
    let e = refused(&url, "sslmode=disable", "pg_hba.conf");
    assert_eq!(e.sqlstate(), Some("28000"), "{e}");
    for mode in ["allow", "prefer", "require"] {
        let db = opens(&url, &format!("sslmode={mode}"));
        assert!(encrypted(&db), "sslmode={mode}");
        assert_eq!(current_user(&db), "foal");
    }
    // The default is prefer.
    assert!(encrypted(&opens(&url, "")));
    for mode in ["verify-ca", "verify-full"] {
        let db = opens(&url, &format!("sslmode={mode}&sslrootcert={}", ca()));
        assert!(encrypted(&db), "sslmode={mode}");
    }
    // The certificate names localhost as well as 127.0.0.1.
    let by_name = url.replace("127.0.0.1", "localhost");
    assert!(encrypted(&opens(
        &by_name,
        &format!("sslmode=verify-full&sslrootcert={}", ca())
    )));
}

#[test]
fn every_sslmode_against_the_plain_server() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let url = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    for mode in ["disable", "allow", "prefer"] {
        assert!(!encrypted(&opens(&url, &format!("sslmode={mode}"))), "sslmode={mode}");
    }
    for options in [
        "sslmode=require".to_owned(),
        format!("sslmode=verify-ca&sslrootcert={}", ca()),
        format!("sslmode=verify-full&sslrootcert={}", ca()),
    ] {
        let e = refused(&url, &options, "does not accept TLS");
        assert!(matches!(e, Error::ConnectionLost { .. }), "{e:?}");
    }
}

#[test]
fn a_certificate_from_another_ca_is_refused() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let wrong = env("FOAL_TEST_TLS_WRONG_CA");
    // `require` with a CA file checks the chain too, as libpq does.
    for mode in ["require", "verify-ca", "verify-full"] {
        let e = refused(
            &tls_url(),
            &format!("sslmode={mode}&sslrootcert={wrong}"),
            "certificate",
        );
        assert!(matches!(e, Error::ConnectionLost { .. }), "{e:?}");
    }
    // `prefer` never falls back to plaintext over a refused certificate.
    refused(
        &tls_url(),
        &format!("sslmode=prefer&sslrootcert={wrong}"),
        "certificate",
    );
}

#[test]
fn verify_full_checks_the_host_name() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    // Connect to 127.0.0.1 (hostaddr), but expect a certificate for a
    // name the server's does not hold.
    let url = tls_url().replace("127.0.0.1", "db.wrong.invalid");
    let options = format!("hostaddr=127.0.0.1&sslrootcert={}", ca());
    refused(&url, &format!("{options}&sslmode=verify-full"), "certificate");
    // verify-ca checks only the chain.
    assert!(encrypted(&opens(&url, &format!("{options}&sslmode=verify-ca"))));
}

#[test]
fn a_client_certificate_authenticates() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let url = env("FOAL_TEST_PG_TLS_CERT_URL");
    let (cert, key) = (env("FOAL_TEST_TLS_CLIENT_CERT"), env("FOAL_TEST_TLS_CLIENT_KEY"));
    let db = opens(
        &url,
        &format!("sslmode=verify-full&sslrootcert={}&sslcert={cert}&sslkey={key}", ca()),
    );
    assert!(encrypted(&db));
    assert_eq!(current_user(&db), "foal_cert");
    refused(
        &url,
        &format!("sslmode=verify-full&sslrootcert={}", ca()),
        "certificate",
    );
    // A missing file is a configuration error naming its option.
    let e = refused(
        &url,
        &format!("sslmode=require&sslcert={cert}&sslkey=/nonexistent/k.pem"),
        "sslkey",
    );
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

#[test]
fn scram_binds_to_the_tls_session() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    // channel_binding=require succeeds only with SCRAM-SHA-256-PLUS over
    // tls-server-end-point: the server checks the certificate hash.
    let db = opens(
        &tls_url(),
        &format!("sslmode=verify-full&sslrootcert={}&channel_binding=require", ca()),
    );
    assert_eq!(current_user(&db), "foal");
    assert!(encrypted(&opens(&tls_url(), "sslmode=require&channel_binding=disable")));
    // MD5 cannot bind; neither can a connection without TLS.
    refused(
        &env("FOAL_TEST_PG_TLS_MD5_URL"),
        "sslmode=require&channel_binding=require",
        "channel_binding",
    );
    let plain = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    refused(&plain, "channel_binding=require", "channel_binding");
}

#[test]
fn no_password_in_cleartext_or_md5_without_tls() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let clear = env("FOAL_TEST_PG_TLS_CLEARTEXT_URL");
    let md5 = env("FOAL_TEST_PG_TLS_MD5_URL");
    refused(&clear, "sslmode=disable", "without TLS");
    refused(&md5, "sslmode=disable", "without TLS");
    // Named in require_auth, they are allowed.
    assert_eq!(
        current_user(&opens(&clear, "sslmode=disable&require_auth=password")),
        "foal_clear"
    );
    assert_eq!(
        current_user(&opens(&md5, "sslmode=disable&require_auth=md5,scram-sha-256")),
        "foal_md5"
    );
    // Over TLS they need nothing; sslmode=allow moves on to TLS when
    // foal will not send the password in plaintext.
    assert!(encrypted(&opens(&clear, "sslmode=require")));
    assert!(encrypted(&opens(&clear, "sslmode=allow")));
    assert!(encrypted(&opens(&md5, "")));
}

#[test]
fn require_auth_allows_and_refuses_methods() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let scram = tls_url();
    opens(&scram, "require_auth=scram-sha-256");
    opens(&scram, "require_auth=!password,!md5");
    refused(&scram, "require_auth=md5", "require_auth=md5");
    refused(&scram, "require_auth=!scram-sha-256", "does not allow");
    refused(
        &env("FOAL_TEST_PG_TLS_CLEARTEXT_URL"),
        "sslmode=require&require_auth=scram-sha-256",
        "does not allow",
    );
    // The plain server trusts every connection: `none` is the method.
    let trust = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    opens(&trust, "require_auth=none");
    refused(&trust, "require_auth=scram-sha-256", "without a challenge");
    refused(&trust, "require_auth=!none", "without a challenge");
    let e = refused(&trust, "require_auth=md5,!none", "require_auth");
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

// ---------------------------------------------------------------------
// A fake server that starts SCRAM and then asks for something weaker.

use foal_tests::fake_pg::{message, read_packet};

/// Accepts one connection: refuses TLS, reads the startup, offers SCRAM,
/// reads the client's first SCRAM message, sends `then`, and reports the
/// tags of every message the client sent after it (until it closed).
fn downgrading_server(then: Vec<u8>) -> (u16, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else { return };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let run = |s: &mut TcpStream| -> io::Result<Vec<u8>> {
            let (_, first) = read_packet(s, false)?;
            if first == 80877103u32.to_be_bytes() {
                s.write_all(b"N")?;
                read_packet(s, false)?;
            }
            let mut sasl = 10i32.to_be_bytes().to_vec();
            sasl.extend_from_slice(b"SCRAM-SHA-256\0\0");
            s.write_all(&message(b'R', &sasl))?;
            let (tag, _) = read_packet(s, true)?;
            assert_eq!(tag, b'p', "SASLInitialResponse");
            s.write_all(&then)?;
            let mut after = Vec::new();
            while let Ok((tag, _)) = read_packet(s, true) {
                after.push(tag);
            }
            Ok(after)
        };
        let _ = tx.send(run(&mut s).unwrap_or_default());
    });
    (port, rx)
}

#[test]
fn nothing_weaker_is_answered_once_scram_began() {
    let cleartext = message(b'R', &3i32.to_be_bytes());
    let md5 = message(b'R', &[&5i32.to_be_bytes()[..], b"salt"].concat());
    let skipped_proof = [message(b'R', &0i32.to_be_bytes()), message(b'Z', b"I")].concat();
    for (what, then, says) in [
        ("cleartext", cleartext, "after SCRAM"),
        ("md5", md5, "after SCRAM"),
        ("AuthenticationOk", skipped_proof, "final proof"),
    ] {
        let (port, sent) = downgrading_server(then);
        // Cleartext and MD5 are allowed here, even without TLS: only the
        // downgrade refuses them.
        let url = format!(
            "postgres://u:secret@127.0.0.1:{port}/db?pool_size=1&require_auth=password,md5,scram-sha-256&connect_timeout=5"
        );
        let e = match Database::open(&url) {
            Ok(_) => panic!("{what}: the connection opened"),
            Err(e) => e,
        };
        assert!(e.to_string().contains(says), "{what}: {e}");
        assert!(!e.to_string().contains("secret"), "{e}");
        let after = sent.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        assert!(!after.contains(&b'p'), "{what}: the client answered with {after:?}");
    }
}

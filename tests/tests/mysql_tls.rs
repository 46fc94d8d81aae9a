//! TLS to MariaDB: every `ssl-mode` against the MariaDB with TLS of
//! `scripts/topologies.sh` (`FOAL_TOPOLOGIES=mysql_tls`) and against the
//! main test MariaDB, which has none; certificate checks (the right CA, a
//! wrong one, a host name the certificate does not name); the client
//! certificate of a `REQUIRE X509` user; and that statements do run
//! encrypted (the session's `Ssl_cipher`).
//!
//! ```text
//! FOAL_TOPOLOGIES=mysql_tls scripts/test.sh -p foal-tests --test mysql_tls
//! ```

use std::net::{TcpListener, TcpStream};

use foal::prelude::*;
use foal::{Database, Dialect, Error};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the TLS tests need the MariaDB with TLS of scripts/topologies.sh \
             (FOAL_TOPOLOGIES=mysql_tls scripts/test.sh -p foal-tests --test mysql_tls)"
        )
    })
}

/// `url` with `options` added to its query string.
fn with(url: &str, options: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{options}")
}

/// The CA, the unrelated CA, the client certificate and its key.
struct Files {
    ca: String,
    wrong_ca: String,
    cert: String,
    key: String,
}

fn files() -> Files {
    Files {
        ca: env("FOAL_TEST_TLS_CA"),
        wrong_ca: env("FOAL_TEST_TLS_WRONG_CA"),
        cert: env("FOAL_TEST_TLS_CLIENT_CERT"),
        key: env("FOAL_TEST_TLS_CLIENT_KEY"),
    }
}

/// The cipher of the session's connection: empty without TLS.
fn cipher(db: &Database) -> String {
    raw::<String>("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_CIPHER'")
        .fetch_one(db)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Opens `url` (one connection) and returns its cipher.
fn opened(url: &str) -> String {
    let db = Database::open(&with(url, "pool_size=1")).unwrap_or_else(|e| panic!("{url}: {e}"));
    cipher(&db)
}

fn encrypted(url: &str) {
    let cipher = opened(url);
    assert!(!cipher.is_empty(), "{url}: not encrypted");
    println!("{url}: {cipher}");
}

fn plaintext(url: &str) {
    let cipher = opened(url);
    assert!(cipher.is_empty(), "{url}: encrypted with {cipher}");
    println!("{url}: plaintext");
}

/// Opening `url` fails with an error whose text has each of `words`; its
/// text is returned.
fn refused(url: &str, words: &[&str]) -> String {
    let error = match Database::open(&with(url, "pool_size=1")) {
        Ok(_) => panic!("{url}: connected"),
        Err(e) => e,
    };
    assert!(
        !matches!(error, Error::Config(_)),
        "{url}: a configuration error: {error}"
    );
    let text = error.to_string();
    for word in words {
        assert!(text.contains(word), "{url}: `{word}` is not in: {text}");
    }
    println!("{url}: {text}");
    text
}

#[test]
fn every_mode_against_the_server_with_tls() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let (url, f) = (env("FOAL_TEST_MYSQL_TLS_URL"), files());
    // User foal is REQUIRE SSL.
    refused(&with(&url, "ssl-mode=DISABLED"), &["Access denied"]);
    encrypted(&url);
    encrypted(&with(&url, "ssl-mode=preferred"));
    encrypted(&with(&url, "ssl-mode=REQUIRED"));
    encrypted(&with(&url, &format!("ssl-mode=REQUIRED&ssl-ca={}", f.ca)));
    encrypted(&with(&url, &format!("ssl-mode=VERIFY_CA&ssl-ca={}", f.ca)));
    encrypted(&with(&url, &format!("ssl-ca={}", f.ca)));
    encrypted(&with(&url, &format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", f.ca)));
    encrypted(&with(
        &url.replace("127.0.0.1", "localhost"),
        &format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", f.ca),
    ));
    // A CA that did not sign the server's certificate.
    for mode in ["REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] {
        let text = refused(
            &with(&url, &format!("ssl-mode={mode}&ssl-ca={}", f.wrong_ca)),
            &["TLS with 127.0.0.1", "not signed by `ssl-ca`", mode],
        );
        assert!(!text.contains(":foal@"), "{text}");
    }
    // The certificate is for localhost and 127.0.0.1: reached as ::1, the
    // host name is wrong, and only VERIFY_CA (and REQUIRED) accept it.
    let port = url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap_or_else(|| panic!("no port in {url}"));
    let v6 = forward_from_ipv6(port);
    let other_name = url.replace(&format!("127.0.0.1:{port}"), &format!("[::1]:{v6}"));
    refused(
        &with(&other_name, &format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", f.ca)),
        &["not for this host name", "VERIFY_IDENTITY"],
    );
    encrypted(&with(&other_name, &format!("ssl-mode=VERIFY_CA&ssl-ca={}", f.ca)));
    encrypted(&with(&other_name, "ssl-mode=REQUIRED"));
    // The public roots the crate trusts do not sign a throwaway CA's.
    refused(&with(&url, "ssl-mode=VERIFY_IDENTITY"), &["not signed by `ssl-ca`"]);
}

#[test]
fn every_mode_against_the_server_without_tls() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let (url, f) = (env("FOAL_TEST_MYSQL_URL"), files());
    plaintext(&url);
    plaintext(&with(&url, "ssl-mode=DISABLED"));
    plaintext(&with(&url, "ssl-mode=PREFERRED"));
    plaintext(&with(
        &url,
        &format!("ssl-mode=PREFERRED&ssl-cert={}&ssl-key={}", f.cert, f.key),
    ));
    for options in [
        "ssl-mode=REQUIRED".to_owned(),
        format!("ssl-mode=VERIFY_CA&ssl-ca={}", f.ca),
        format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}", f.ca),
        format!("ssl-ca={}", f.ca),
    ] {
        refused(&with(&url, &options), &["does not offer TLS", "PREFERRED"]);
    }
}

#[test]
fn a_user_without_require_ssl_connects_either_way() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let url = env("FOAL_TEST_MYSQL_TLS_PLAIN_URL");
    plaintext(&with(&url, "ssl-mode=DISABLED"));
    encrypted(&url);
    // On a loopback address the crate would move to the Unix socket, which
    // is never encrypted; with TLS, foal stays on TCP unless told.
    plaintext(&with(&url, "prefer_socket=true"));
    encrypted(&with(&url, "prefer_socket=false&ssl-mode=REQUIRED"));
}

#[test]
fn a_require_x509_user_needs_the_client_certificate() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let (url, f) = (env("FOAL_TEST_MYSQL_TLS_X509_URL"), files());
    let identity = format!("ssl-cert={}&ssl-key={}", f.cert, f.key);
    refused(&with(&url, "ssl-mode=REQUIRED"), &["Access denied"]);
    encrypted(&with(&url, &identity));
    encrypted(&with(&url, &format!("ssl-mode=REQUIRED&{identity}")));
    encrypted(&with(
        &url,
        &format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={}&{identity}", f.ca),
    ));
    // A key that is not the certificate's is found before connecting.
    let mixed = format!("ssl-cert={}&ssl-key={}", f.cert, f.ca.replace("ca.pem", "server.key"));
    match Database::open(&with(&url, &mixed)) {
        Err(Error::Config(message)) => assert!(message.contains("ssl-cert` and `ssl-key"), "{message}"),
        other => panic!("{mixed}: {other:?}"),
    }
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "secrets")]
struct Secret {
    #[foal(primary_key, auto)]
    id: i64,
    text: String,
}

#[test]
fn statements_run_encrypted_on_every_pooled_connection() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let (url, f) = (env("FOAL_TEST_MYSQL_TLS_URL"), files());
    let name = format!("tls{}", std::process::id());
    let admin = Database::open(&with(&url, "pool_size=1")).unwrap_or_else(|e| panic!("{e}"));
    admin
        .execute_sql(&format!("CREATE DATABASE IF NOT EXISTS {name}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    let db = Database::open(&format!(
        "{base}/{name}?ssl-mode=VERIFY_IDENTITY&ssl-ca={}&pool_size=3",
        f.ca
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let check = || -> foal::Result<()> {
        db.create_table::<Secret>()?;
        let rows: Vec<Secret> = (0..50)
            .map(|i| Secret {
                id: 0,
                text: format!("secret {i}"),
            })
            .collect();
        db.insert_all(rows)?;
        let found = select!(s.text for s in Secret if s.text.ends_with("7")).fetch_all(&db)?;
        assert_eq!(found.len(), 5);
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    for _ in 0..20 {
                        assert!(!cipher(&db).is_empty());
                        let n = select!(s for s in Secret).count(&db).unwrap_or_else(|e| panic!("{e}"));
                        assert_eq!(n, 50);
                    }
                });
            }
        });
        Ok(())
    };
    let outcome = check();
    let _ = admin.execute_sql(&format!("DROP DATABASE {name}"));
    outcome.unwrap_or_else(|e| panic!("{e}"));
}

/// A listener on [::1] that forwards each connection to 127.0.0.1:`port`:
/// the same server, reached under a name its certificate does not have.
fn forward_from_ipv6(port: &str) -> u16 {
    let listener = TcpListener::bind("[::1]:0")
        .unwrap_or_else(|e| panic!("cannot listen on [::1] (the wrong-host-name check needs IPv6 loopback): {e}"));
    let local = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let target = format!("127.0.0.1:{port}");
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            let (Ok(mut client2), Ok(mut server2)) = (client.try_clone(), server.try_clone()) else {
                continue;
            };
            let (mut client, mut server) = (client, server);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client, &mut server);
                let _ = server.shutdown(std::net::Shutdown::Both);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server2, &mut client2);
                let _ = client2.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    local
}

//! Multi-host PostgreSQL URLs and `target_session_attrs`, against the test
//! server (a primary) and its streaming replica (`FOAL_TOPOLOGIES=replica`,
//! a hot standby): each attribute picks the right server whatever the
//! order of the hosts, a host that does not answer is skipped,
//! `prefer-standby` takes the primary when no standby answers, and a
//! malformed host list is a configuration error naming its option.
//!
//! Run with `FOAL_TOPOLOGIES=replica scripts/test.sh -p foal-tests --test pg_hosts`.

use std::net::TcpListener;

use foal::{Database, Dialect, Error, raw};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run `FOAL_TOPOLOGIES=replica scripts/test.sh -p foal-tests --test pg_hosts`")
    })
}

/// `host:port` of a `postgres://user@host:port/db` URL.
fn authority(url: &str) -> String {
    let rest = url.split_once('@').map_or(url, |(_, rest)| rest);
    rest.split_once('/').map_or(rest, |(hostport, _)| hostport).to_owned()
}

struct Servers {
    primary: String,
    standby: String,
    /// A loopback port where nothing listens.
    closed: String,
}

fn servers() -> Servers {
    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.to_string())
        .unwrap_or_else(|e| panic!("no free port: {e}"));
    Servers {
        primary: authority(&foal_tests::admin_url(Dialect::Postgres).unwrap_or_default()),
        standby: authority(&env("FOAL_TEST_PG_REPLICA_URL")),
        closed,
    }
}

fn url(hosts: &[&str], options: &str) -> String {
    format!(
        "postgres://postgres@{}/foal?pool_size=1&connect_timeout=3&{options}",
        hosts.join(",")
    )
}

/// Whether the server the URL led to is the standby.
fn is_standby(db: &Database) -> bool {
    raw::<bool>("SELECT pg_catalog.pg_is_in_recovery()")
        .fetch_one(db)
        .unwrap_or_else(|e| panic!("pg_is_in_recovery: {e}"))
}

#[track_caller]
fn lands_on(hosts: &[&str], target: &str, standby: bool) {
    let url = url(hosts, &format!("target_session_attrs={target}"));
    let db = Database::open(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
    assert_eq!(is_standby(&db), standby, "{url}");
    // Every connection of the pool makes the same choice.
    let db = Database::open(&url.replace("pool_size=1", "pool_size=3")).unwrap_or_else(|e| panic!("{url}: {e}"));
    let answers: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3).map(|_| s.spawn(|| is_standby(&db))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or(!standby)).collect()
    });
    assert!(answers.iter().all(|&a| a == standby), "{url}: {answers:?}");
}

#[test]
fn target_session_attrs_picks_the_primary_or_the_standby() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let s = servers();
    let (p, r) = (s.primary.as_str(), s.standby.as_str());
    for (hosts, target, standby) in [
        (&[p, r], "any", false),
        (&[r, p], "any", true),
        (&[p, r], "primary", false),
        (&[r, p], "primary", false),
        (&[p, r], "standby", true),
        (&[r, p], "standby", true),
        (&[r, p], "read-write", false),
        (&[p, r], "read-only", true),
        (&[p, r], "prefer-standby", true),
        (&[r, p], "prefer-standby", true),
    ] {
        lands_on(hosts, target, standby);
    }
}

#[test]
fn hosts_that_do_not_answer_are_skipped() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let s = servers();
    let (p, r, closed) = (s.primary.as_str(), s.standby.as_str(), s.closed.as_str());
    lands_on(&[closed, p], "any", false);
    lands_on(&[closed, r, p], "primary", false);
    // prefer-standby's second pass: no standby answers, the primary will do.
    lands_on(&[closed, p], "prefer-standby", false);
    // The `host` and `port` options give the list too.
    let (ph, pp) = p.split_once(':').unwrap_or_default();
    let (rh, rp) = r.split_once(':').unwrap_or_default();
    let url =
        format!("postgres://postgres@/foal?pool_size=1&host={ph},{rh}&port={pp},{rp}&target_session_attrs=standby");
    let db = Database::open(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
    assert!(is_standby(&db), "{url}");
}

#[test]
fn no_matching_host_is_an_error_naming_each_host() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let s = servers();
    let url = url(&[&s.closed, &s.primary], "target_session_attrs=standby");
    let e = match Database::open(&url) {
        Ok(_) => panic!("{url}: opened"),
        Err(e) => e,
    };
    eprintln!("{e}");
    let text = e.to_string();
    assert!(matches!(e, Error::ConnectionLost { .. }), "{e:?}");
    assert!(text.contains(&s.closed) && text.contains(&s.primary), "{text}");
    assert!(text.contains("target_session_attrs=standby"), "{text}");
    let only_standby = self::url(&[&s.standby], "target_session_attrs=read-write");
    assert!(
        Database::open(&only_standby).is_err_and(|e| e.to_string().contains("a standby")),
        "{only_standby}"
    );
}

#[test]
fn malformed_host_lists_are_configuration_errors_naming_the_option() {
    for (url, option) in [
        ("postgres://u@h1:5432,h2:54x2/db", "`port`"),
        ("postgres://u@h1,,h2/db", "`host`"),
        ("postgres://u@[::1:5432,h2/db", "`host`"),
        ("postgres://u@[::1]5432/db", "`host`"),
        ("postgres://u@h1,h2/db?port=1,2,3", "`port`"),
        ("postgres://u@h1,h2/db?hostaddr=127.0.0.1", "`hostaddr`"),
        ("postgres://u@h1/db?hostaddr=localhost", "`hostaddr`"),
        ("postgres://u@%2Ftmp/db", "`host`"),
        (
            "postgres://u@h1,h2/db?target_session_attrs=master",
            "`target_session_attrs`",
        ),
    ] {
        match Database::open(url) {
            Err(Error::Config(message)) => assert!(message.contains(option), "{url}: {message}"),
            Err(e) => panic!("{url}: not a configuration error: {e:?}"),
            Ok(_) => panic!("{url}: opened"),
        }
    }
}

//! The connection settings of a `mysql://` (or `mariadb://`) URL. foal
//! reads its own keys (TLS with the MySQL client's names, deadlines) and
//! takes them out; the rest go to the `mysql` crate, whose own TLS keys
//! are refused, so that one documented set of names configures TLS.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use mysql::{Opts, OptsBuilder};

use super::tls::{SslMode, Tls};
use crate::error::{Error, Result};

/// The deadlines of a connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Deadlines {
    /// `connect_timeout` (s): TCP connect, TLS, authentication and the
    /// session's setup, each wait bounded by it.
    pub(crate) connect: Option<Duration>,
    /// `statement_timeout` (ms): the server's own limit on a statement.
    pub(crate) statement: Option<Duration>,
    /// `read_timeout_ms`: the longest wait for the server during a
    /// statement; then the statement is killed and the connection closed.
    pub(crate) read: Option<Duration>,
}

/// What `connect` needs: the crate's options for each attempt.
#[derive(Clone)]
pub(crate) struct Config {
    /// The first attempt: with TLS unless the mode is `DISABLED`.
    pub(crate) first: Opts,
    /// Under `PREFERRED`, the attempt without TLS when the server offers
    /// none.
    pub(crate) fallback: Option<Opts>,
    pub(crate) mode: SslMode,
    pub(crate) deadlines: Deadlines,
    /// `host:port`, for messages.
    pub(crate) address: String,
}

impl fmt::Debug for Config {
    /// Never the password: the crate's `Opts` would show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("address", &self.address)
            .field("user", &self.first.get_user())
            .field("password", &self.first.get_pass().map(|_| "<redacted>"))
            .field("db_name", &self.first.get_db_name())
            .field("ssl_mode", &self.mode)
            .field("deadlines", &self.deadlines)
            .finish()
    }
}

/// Session settings every connection starts with (the crate runs them
/// as it connects).
const SESSION: &[&str] = &[
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
    "SET SESSION time_zone = '+00:00'",
    "SET SESSION group_concat_max_len = 1073741824",
];

/// The `mysql` crate's TLS keys (and `mysql_async`'s): TLS is set with
/// `ssl-mode`, `ssl-ca`, `ssl-cert` and `ssl-key` instead.
const CRATE_TLS_KEYS: &[&str] = &[
    "root_cert_path",
    "danger_accept_invalid_certs",
    "danger_skip_domain_validation",
    "cert_chain_path",
    "priv_key_path",
    "pkcs12_path",
    "pkcs12_pass",
    "cipher_suites",
    "require_ssl",
    "verify_ca",
    "verify_identity",
    "built_in_roots",
];

/// The longest `statement_timeout` the servers take: a year (MariaDB's
/// `max_statement_time` stops there).
const MAX_STATEMENT_MS: u64 = 365 * 24 * 3600 * 1000;

/// `text` decoded as the crate decodes a query string (`+` is a space,
/// `%XX` a byte; anything else stays).
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A whole number of `unit` for `key`; 0 is none.
fn duration(key: &str, value: &str, unit: &str, of: fn(u64) -> Duration) -> Result<Option<Duration>> {
    let n: u64 = value.parse().map_err(|_| {
        Error::Config(format!(
            "invalid MySQL URL: `{key}` takes a whole number of {unit} (0 for none), found `{value}`"
        ))
    })?;
    Ok((n > 0).then(|| of(n)))
}

/// The path an option names.
fn path(key: &str, value: String) -> Result<Option<PathBuf>> {
    if value.is_empty() {
        return Err(Error::Config(format!("invalid MySQL URL: `{key}` needs a file name")));
    }
    Ok(Some(PathBuf::from(value)))
}

/// foal's keys, read from the query string.
#[derive(Default)]
struct Keys {
    mode: Option<SslMode>,
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    deadlines: Deadlines,
    /// `prefer_socket` as the URL sets it (the crate reads it too).
    prefer_socket: Option<bool>,
}

/// Reads foal's keys out of `query`; returns the pairs left for the crate.
fn take_keys<'q>(query: &'q str, keys: &mut Keys) -> Result<Vec<&'q str>> {
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = form_decode(raw_key);
        let value = form_decode(raw_value);
        let config = |message: String| Error::Config(format!("invalid MySQL URL: {message}"));
        match key.as_str() {
            "ssl-mode" => {
                let mode = SslMode::parse(&value).ok_or_else(|| {
                    config(format!(
                        "`ssl-mode` is one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, \
                         found `{value}`"
                    ))
                })?;
                keys.mode = Some(mode);
            }
            "ssl-ca" => keys.ca = path("ssl-ca", value)?,
            "ssl-cert" => keys.cert = path("ssl-cert", value)?,
            "ssl-key" => keys.key = path("ssl-key", value)?,
            "connect_timeout" => keys.deadlines.connect = duration(&key, &value, "seconds", Duration::from_secs)?,
            "read_timeout_ms" => {
                keys.deadlines.read = duration(&key, &value, "milliseconds", Duration::from_millis)?;
            }
            "statement_timeout" => {
                let limit = duration(&key, &value, "milliseconds", Duration::from_millis)?;
                if limit.is_some_and(|d| d.as_millis() > u128::from(MAX_STATEMENT_MS)) {
                    return Err(config(format!(
                        "`statement_timeout` is at most {MAX_STATEMENT_MS} ms (a year), found `{value}`"
                    )));
                }
                keys.deadlines.statement = limit;
            }
            "ssl_mode" | "ssl_ca" | "ssl_cert" | "ssl_key" | "sslmode" | "ssl" | "tls" => {
                return Err(config(format!(
                    "unknown option `{key}`: TLS is set with `ssl-mode`, `ssl-ca`, `ssl-cert` and `ssl-key` \
                     (with a hyphen, as the MySQL client names them)"
                )));
            }
            k if CRATE_TLS_KEYS.contains(&k) => {
                return Err(config(format!(
                    "`{k}` is the `mysql` crate's TLS option, which foal does not take: TLS is set with \
                     `ssl-mode`, `ssl-ca`, `ssl-cert` and `ssl-key`"
                )));
            }
            "prefer_socket" => {
                keys.prefer_socket = value.parse().ok();
                rest.push(pair);
            }
            _ => rest.push(pair),
        }
    }
    Ok(rest)
}

/// `url` split at its query string: (before `?`, the query, `#` and what
/// follows), as a URL parser reads it.
fn split_query(url: &str) -> (&str, &str, &str) {
    let end = url.find('#').unwrap_or(url.len());
    let (head, fragment) = url.split_at(end);
    match head.split_once('?') {
        Some((base, query)) => (base, query, fragment),
        None => (head, "", fragment),
    }
}

/// `mysql://user:password@host:port/dbname?key=value&…` (also
/// `mariadb://`): foal's keys and the `mysql` crate's others.
///
/// # Errors
/// [`Error::Config`] naming the option for a key or value foal or the
/// crate rejects, a contradiction between TLS options, or a certificate
/// or key file that cannot be read.
pub(crate) fn parse(url: &str) -> Result<Config> {
    let url = match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_owned(),
    };
    let (base, query, fragment) = split_query(&url);
    let mut keys = Keys::default();
    let rest = take_keys(query, &mut keys)?;
    let url = match rest.is_empty() {
        true => format!("{base}{fragment}"),
        false => format!("{base}?{}{fragment}", rest.join("&")),
    };
    let opts = Opts::from_url(&url).map_err(|e| Error::Config(format!("invalid MySQL URL: {e}")))?;
    if opts.get_ssl_opts().is_some() {
        return Err(Error::Config(
            "invalid MySQL URL: TLS is set with `ssl-mode`, `ssl-ca`, `ssl-cert` and `ssl-key`".to_owned(),
        ));
    }
    let tls = Tls::new(keys.mode, keys.ca, keys.cert, keys.key)
        .map_err(|message| Error::Config(format!("invalid MySQL URL: {message}")))?;
    let mode = tls.mode;
    if mode.requires_tls() {
        let name = mode.name();
        if opts.get_socket().is_some() {
            return Err(Error::Config(format!(
                "invalid MySQL URL: `ssl-mode={name}` needs TCP, and `socket` connects through a Unix socket, \
                 which is never encrypted"
            )));
        }
        if keys.prefer_socket == Some(true) {
            return Err(Error::Config(format!(
                "invalid MySQL URL: `prefer_socket=true` moves a loopback connection to the server's Unix \
                 socket, without TLS, which `ssl-mode={name}` requires"
            )));
        }
    }
    let address = format!("{}:{}", opts.get_ip_or_hostname(), opts.get_tcp_port());
    let plain = attempt(&opts, None, keys.deadlines, opts.get_prefer_socket());
    let (first, fallback) = match tls.ssl_opts() {
        None => (plain, None),
        Some(ssl) => {
            // The crate moves a loopback connection to the Unix socket,
            // silently without TLS, unless told not to.
            let secure = attempt(&opts, Some(ssl), keys.deadlines, keys.prefer_socket.unwrap_or(false));
            (secure, (mode == SslMode::Preferred).then_some(plain))
        }
    };
    Ok(Config {
        first,
        fallback,
        mode,
        deadlines: keys.deadlines,
        address,
    })
}

/// The crate's options for one connection attempt: the session foal sets
/// up, and the socket's timeouts while connecting (`connect.rs` sets the
/// statement's once connected).
fn attempt(opts: &Opts, ssl: Option<mysql::SslOpts>, deadlines: Deadlines, prefer_socket: bool) -> Opts {
    let mut builder = OptsBuilder::from_opts(opts.clone())
        .stmt_cache_size(0)
        .init(SESSION.to_vec())
        .ssl_opts(ssl)
        .prefer_socket(prefer_socket);
    if let Some(connect) = deadlines.connect {
        builder = builder.tcp_connect_timeout(Some(connect));
    }
    // Where the socket's timeouts can be changed once connected (Unix),
    // the connect deadline bounds the handshake; elsewhere the statement's
    // does from the start.
    let handshake = match cfg!(unix) {
        true => deadlines.connect.or(deadlines.read),
        false => deadlines.read,
    };
    builder = builder.read_timeout(handshake).write_timeout(handshake);
    builder.into()
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn config(url: &str) -> Config {
        parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn message(url: &str) -> String {
        match parse(url) {
            Ok(_) => panic!("{url} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn urls() {
        let c = config("mariadb://ann:pw@db.example:3307/shop?compress=11&prefer_socket=false&ssl-mode=disabled");
        let opts = &c.first;
        assert_eq!(opts.get_ip_or_hostname().to_string(), "db.example");
        assert_eq!((opts.get_tcp_port(), opts.get_db_name()), (3307, Some("shop")));
        assert_eq!((c.mode, c.fallback.is_none()), (SslMode::Disabled, true));
        // Only the scheme is rewritten, not a later `mariadb://`.
        assert_eq!(
            config("mysql://h/db?user=mariadb://x").first.get_user(),
            Some("mariadb://x")
        );
        assert!(message("mysql://h/db?colour=red").contains("colour"));
        // A fragment is not part of the last value.
        assert!(
            config("mysql://h/db?ssl-mode=REQUIRED#x")
                .first
                .get_ssl_opts()
                .is_some()
        );
    }

    #[test]
    fn preferred_tries_tls_on_tcp_then_the_url_as_it_is() {
        let c = config("mysql://u:p@127.0.0.1/db");
        assert_eq!(c.mode, SslMode::Preferred);
        assert!(c.first.get_ssl_opts().is_some() && !c.first.get_prefer_socket());
        let plain = c.fallback.unwrap_or_else(|| panic!("no fallback"));
        assert!(plain.get_ssl_opts().is_none() && plain.get_prefer_socket());
        let c = config("mysql://u:p@127.0.0.1/db?ssl-mode=REQUIRED");
        assert!(c.fallback.is_none() && !c.first.get_prefer_socket());
    }

    #[test]
    fn deadlines() {
        let c = config("mysql://h/db?connect_timeout=3&read_timeout_ms=250&statement_timeout=100");
        let expected = Deadlines {
            connect: Some(Duration::from_secs(3)),
            read: Some(Duration::from_millis(250)),
            statement: Some(Duration::from_millis(100)),
        };
        assert_eq!(c.deadlines, expected);
        assert_eq!(c.first.get_read_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(c.first.get_tcp_connect_timeout(), Some(Duration::from_secs(3)));
        let c = config("mysql://h/db?connect_timeout=0&read_timeout_ms=250");
        assert_eq!(c.deadlines.connect, None);
        assert_eq!(c.first.get_read_timeout(), Some(&Duration::from_millis(250)));
        for (url, option) in [
            ("mysql://h/db?connect_timeout=-1", "connect_timeout"),
            ("mysql://h/db?read_timeout_ms=1.5", "read_timeout_ms"),
            ("mysql://h/db?statement_timeout=", "statement_timeout"),
            ("mysql://h/db?statement_timeout=99999999999999", "statement_timeout"),
        ] {
            assert!(message(url).contains(option), "{url}");
        }
    }

    #[test]
    fn tls_options_of_the_crate_are_refused() {
        for option in [
            "root_cert_path=/ca.pem",
            "danger_accept_invalid_certs=true",
            "danger_skip_domain_validation=false",
            "root%5Fcert%5Fpath=x",
            "cert_chain_path=a&priv_key_path=b",
            "cipher_suites=TLS13_AES_128_GCM_SHA256",
            "require_ssl=true",
            "pkcs12_path=a",
        ] {
            let text = message(&format!("mysql://h/db?{option}"));
            assert!(
                text.contains("ssl-mode") && text.contains("invalid MySQL URL"),
                "{option}: {text}"
            );
        }
        assert!(message("mysql://h/db?ssl_mode=REQUIRED").contains("with a hyphen"));
    }

    #[test]
    fn tls_values_are_checked() {
        assert!(message("mysql://h/db?ssl-mode=verify-full").contains("`ssl-mode` is one of"));
        assert!(message("mysql://h/db?ssl-mode").contains("`ssl-mode` is one of"));
        assert!(message("mysql://h/db?ssl-ca=").contains("`ssl-ca` needs a file name"));
        assert!(message("mysql://h/db?ssl-ca=%2Fnonexistent").contains("cannot read `/nonexistent`"));
        assert!(message("mysql://h/db?ssl-mode=REQUIRED&socket=/s").contains("Unix socket"));
        assert!(message("mysql://h/db?ssl-mode=VERIFY_IDENTITY&prefer_socket=true").contains("prefer_socket"));
        // A Unix socket is fine where TLS is only preferred.
        assert!(parse("mysql://h/db?socket=/s").is_ok());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let text = format!("{:?}", config("mysql://ann:s3cret@h/db?password=s3cret2"));
        assert!(!text.contains("s3cret") && text.contains("<redacted>"), "{text}");
    }
}

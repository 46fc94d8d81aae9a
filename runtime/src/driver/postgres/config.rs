//! The connection settings of a `postgres://` URL: libpq's names and
//! meanings wherever libpq has the option (the list is in
//! `docs/connections.md`). The host list is read by [`hosts`](super::hosts),
//! the TLS files by [`tls`](super::tls), `require_auth` by
//! [`auth`](super::auth).

use std::fmt;
use std::time::Duration;

use super::auth::{AuthPolicy, Binding};
use super::hosts::{self, Host, Target};
use super::tls::{Files, SslMode, Tls};

/// Where, as whom, how securely and with which deadlines to connect,
/// from a `postgres://` URL. Its `Debug` never shows the password.
#[derive(Clone)]
pub(crate) struct Config {
    /// Tried in order (at least one).
    pub(crate) hosts: Vec<Host>,
    pub(crate) user: String,
    pub(crate) password: Option<String>,
    pub(crate) dbname: String,
    /// Startup parameters: `options`, `application_name`.
    pub(crate) params: Vec<(String, String)>,
    pub(crate) timeouts: Timeouts,
    pub(crate) keepalive: Keepalive,
    pub(crate) tls: Tls,
    pub(crate) channel_binding: Binding,
    pub(crate) require_auth: AuthPolicy,
    pub(crate) target: Target,
    /// Named statements prepared once per connection (the default), or
    /// unnamed ones parsed with each run (`statement_cache_size=0`).
    pub(crate) named_statements: bool,
}

/// The deadlines of a connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeouts {
    /// `connect_timeout`: each address's attempt (TCP, TLS, startup,
    /// authentication, the `target_session_attrs` check).
    pub(crate) connect: Option<Duration>,
    /// `statement_timeout`, in ms, set on the server at connect.
    pub(crate) statement_ms: Option<u64>,
    /// `read_timeout_ms`: the longest the client waits for the server's
    /// next bytes (or to write its own) during a request.
    pub(crate) read: Option<Duration>,
}

/// The default `connect_timeout` (libpq has none): a server that accepts
/// and never answers would otherwise hold a caller forever.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// libpq's TCP keepalive options; `None` leaves the system's default.
#[derive(Debug, Clone)]
pub(crate) struct Keepalive {
    pub(crate) on: bool,
    pub(crate) idle: Option<Duration>,
    pub(crate) interval: Option<Duration>,
    pub(crate) count: Option<u32>,
    pub(crate) user_timeout: Option<Duration>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("hosts", &self.hosts)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("dbname", &self.dbname)
            .field("params", &self.params)
            .field("timeouts", &self.timeouts)
            .field("keepalive", &self.keepalive)
            .field("tls", &self.tls)
            .field("channel_binding", &self.channel_binding)
            .field("require_auth", &self.require_auth)
            .field("target_session_attrs", &self.target)
            .field("named_statements", &self.named_statements)
            .finish()
    }
}

/// `s` with its %-escapes decoded. An error names `part` and quotes the
/// text only if `quote` (never for a password).
pub(super) fn percent_decode(s: &str, part: &str, quote: bool) -> Result<String, String> {
    let quoted = || if quote { format!(" `{s}`") } else { String::new() };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let byte = s.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok());
                out.push(byte.ok_or_else(|| format!("bad %-escape in {part}{}", quoted()))?);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{part}{} is not UTF-8 once %-decoded", quoted()))
}

/// What an error adds when the password may hold an unescaped `/`, `?` or
/// `#`: the URL is then cut there, and part of the password read as a port
/// or an option.
pub(super) const ESCAPE_HINT: &str = "(a `/`, `?` or `#` in the user name or password is written %2F, %3F or %23)";

/// How an option's value may be quoted in an error: not at all when the
/// URL was cut inside the password (the text may be part of it).
struct Quote {
    cut: bool,
}

impl Quote {
    fn bad(&self, key: &str, value: &str, expected: &str) -> String {
        if self.cut {
            format!("option `{key}`: expected {expected} {ESCAPE_HINT}")
        } else {
            format!("option `{key}`: expected {expected}, found `{value}`")
        }
    }

    fn number<T: std::str::FromStr>(&self, key: &str, value: &str) -> Result<T, String> {
        value.parse().map_err(|_| self.bad(key, value, "a whole number"))
    }
}

/// A duration of `unit`s; 0 is `None` (no limit, or the system's default).
fn duration(quote: &Quote, key: &str, value: &str, unit: fn(u64) -> Duration) -> Result<Option<Duration>, String> {
    let n: u64 = quote.number(key, value)?;
    Ok((n > 0).then(|| unit(n)))
}

/// libpq's `connect_timeout`: whole seconds; 0, a negative number or
/// none means no limit; under 2 means 2.
fn connect_timeout(quote: &Quote, value: &str) -> Result<Option<Duration>, String> {
    let secs = match value.parse::<i64>() {
        Ok(n) if n <= 0 => return Ok(None),
        Ok(n) => n.unsigned_abs(),
        // More seconds than an i64 holds: no limit in practice.
        Err(_) => quote.number::<u64>("connect_timeout", value)?,
    };
    Ok(Some(Duration::from_secs(secs.max(2))))
}

impl Config {
    /// `postgres://user[:password]@host[:port][,host[:port]…][/dbname][?key=value&…]`;
    /// the keys are listed in `docs/connections.md`.
    ///
    /// An error names the option at fault, and never quotes the password
    /// nor any text that may be part of it.
    pub(crate) fn parse(url: &str) -> Result<Config, String> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or("the URL must start with postgres:// or postgresql://")?;
        let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = main.split_once('/').unwrap_or((main, ""));
        // An `@` past the authority: a password with an unescaped `/` or
        // `?` was cut, and what follows the cut may be part of it.
        let cut = !authority.contains('@') && rest.contains('@');
        let quote = Quote { cut };
        let (userinfo, host_list) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((name, pass)) => (
                    percent_decode(name, "the user name", true)?,
                    Some(percent_decode(pass, "the password", false)?),
                ),
                None => (percent_decode(u, "the user name", true)?, None),
            },
            None => ("postgres".to_owned(), None),
        };
        // Empty until the query's options are read: it defaults to the user.
        let dbname = percent_decode(path, "the database name", !cut)?;
        let mut config = Config {
            hosts: Vec::new(),
            user,
            password,
            dbname,
            params: Vec::new(),
            timeouts: Timeouts {
                connect: Some(DEFAULT_CONNECT_TIMEOUT),
                ..Timeouts::default()
            },
            keepalive: Keepalive {
                on: true,
                idle: None,
                interval: None,
                count: None,
                user_timeout: None,
            },
            tls: Tls::new(SslMode::Disable, Files::default())?,
            channel_binding: Binding::Prefer,
            require_auth: AuthPolicy::default(),
            target: Target::Any,
            named_statements: true,
        };
        let mut sslmode = SslMode::Prefer;
        let mut files = Files::default();
        let (mut host, mut port, mut hostaddr) = (None, None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let part = format!("option `{key}`");
            let (part, quoted) = match key {
                "password" | "sslpassword" => ("the password", false),
                _ if cut => ("an option", false),
                _ => (part.as_str(), true),
            };
            let value = percent_decode(value, part, quoted)?;
            let v = value.as_str();
            match key {
                "options" | "application_name" => config.params.push((key.to_owned(), value)),
                "user" => config.user = value,
                "password" => config.password = Some(value),
                "dbname" => config.dbname = value,
                "host" => host = Some(value),
                "port" => port = Some(value),
                "hostaddr" => hostaddr = Some(value),
                "connect_timeout" => config.timeouts.connect = connect_timeout(&quote, v)?,
                "statement_timeout" => {
                    let ms: u64 = quote.number(key, v)?;
                    config.timeouts.statement_ms = (ms > 0).then_some(ms);
                }
                "read_timeout_ms" => config.timeouts.read = duration(&quote, key, v, Duration::from_millis)?,
                "keepalives" => {
                    config.keepalive.on = match v {
                        "1" => true,
                        "0" => false,
                        _ => return Err(quote.bad(key, v, "0 or 1")),
                    }
                }
                "keepalives_idle" => config.keepalive.idle = duration(&quote, key, v, Duration::from_secs)?,
                "keepalives_interval" => config.keepalive.interval = duration(&quote, key, v, Duration::from_secs)?,
                "keepalives_count" => {
                    let n: u32 = quote.number(key, v)?;
                    config.keepalive.count = (n > 0).then_some(n);
                }
                "tcp_user_timeout" => {
                    config.keepalive.user_timeout = duration(&quote, key, v, Duration::from_millis)?;
                }
                "sslmode" => {
                    sslmode = SslMode::parse(v).ok_or_else(|| {
                        quote.bad(key, v, "disable, allow, prefer, require, verify-ca or verify-full")
                    })?;
                }
                "sslrootcert" => files.root = Some(value),
                "sslcert" => files.cert = Some(value),
                "sslkey" => files.key = Some(value),
                "sslpassword" => {
                    return Err("option `sslpassword`: encrypted client keys are not supported; \
                                decrypt the key (openssl pkey -in key.pem -out plain.pem) and protect the file"
                        .into());
                }
                "channel_binding" => {
                    config.channel_binding =
                        Binding::parse(v).ok_or_else(|| quote.bad(key, v, "disable, prefer or require"))?;
                }
                "require_auth" => {
                    config.require_auth = AuthPolicy::parse(v)
                        .map_err(|e| if cut { quote.bad(key, v, "a list of methods") } else { e })?;
                }
                "target_session_attrs" => {
                    config.target = Target::parse(v).ok_or_else(|| {
                        quote.bad(key, v, "any, read-write, read-only, primary, standby or prefer-standby")
                    })?;
                }
                "statement_cache_size" => match v {
                    "0" => config.named_statements = false,
                    _ => {
                        return Err(quote.bad(
                            key,
                            v,
                            "0 (unnamed statements, for poolers in transaction mode; without the option \
                             each connection keeps up to 256 named statements)",
                        ));
                    }
                },
                _ if cut => return Err(format!("unknown PostgreSQL URL option {ESCAPE_HINT}")),
                other => return Err(format!("unknown PostgreSQL URL option `{other}`")),
            }
        }
        config.hosts = hosts::parse(
            host_list,
            hosts::Overrides {
                host: host.as_deref(),
                port: port.as_deref(),
                hostaddr: hostaddr.as_deref(),
            },
            cut,
        )?;
        if config.channel_binding == Binding::Require && sslmode == SslMode::Disable {
            return Err("option `channel_binding`: require needs TLS, which sslmode=disable turns off".into());
        }
        config.tls = Tls::new(sslmode, files)?;
        if config.dbname.is_empty() {
            config.dbname = config.user.clone();
        }
        Ok(config)
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use std::time::Duration;

    use super::Config;
    use crate::driver::postgres::hosts::Target;
    use crate::driver::postgres::tls::SslMode;

    fn parse(url: &str) -> Config {
        Config::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn error(url: &str) -> String {
        match Config::parse(url) {
            Ok(c) => panic!("{url} parsed: {c:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn urls() {
        let c =
            parse("postgres://ann:p%40ss+word@db.example:6543/shop?options=-c%20search_path%3Dx&application_name=app");
        assert_eq!(
            (c.hosts[0].name.as_str(), c.hosts[0].port, c.user.as_str()),
            ("db.example", 6543, "ann")
        );
        assert_eq!(c.password.as_deref(), Some("p@ss+word"));
        assert_eq!(c.dbname, "shop");
        assert_eq!(
            c.params,
            [
                ("options".to_owned(), "-c search_path=x".to_owned()),
                ("application_name".to_owned(), "app".to_owned())
            ]
        );
        // The database defaults to the user, wherever the user is given.
        assert_eq!(parse("postgres://h/?user=alice").dbname, "alice");
        assert_eq!(parse("postgresql://bob@[::1]").hosts[0].name, "::1");
        assert!(Config::parse("postgres://h?colour=red").is_err());
        assert!(Config::parse("mysql://h").is_err());
    }

    #[test]
    fn deadlines_and_keepalives() {
        assert_eq!(parse("postgres://h").timeouts.connect, Some(Duration::from_secs(10)));
        for (value, secs) in [("0", None), ("-5", None), ("1", Some(2)), ("7", Some(7))] {
            let c = parse(&format!("postgres://h?connect_timeout={value}"));
            assert_eq!(c.timeouts.connect, secs.map(Duration::from_secs), "{value}");
        }
        let c = parse("postgres://h?connect_timeout=18446744073709551615");
        assert!(c.timeouts.connect.is_some());
        let c = parse("postgres://h?statement_timeout=200&read_timeout_ms=1500&keepalives_idle=30&keepalives_count=3");
        assert_eq!(c.timeouts.statement_ms, Some(200));
        assert_eq!(c.timeouts.read, Some(Duration::from_millis(1500)));
        assert_eq!(c.keepalive.idle, Some(Duration::from_secs(30)));
        assert_eq!(c.keepalive.count, Some(3));
        assert!(!parse("postgres://h?keepalives=0").keepalive.on);
        for bad in [
            "keepalives=2",
            "statement_timeout=-1",
            "read_timeout_ms=x",
            "connect_timeout=soon",
        ] {
            let key = bad.split('=').next().unwrap_or_default();
            assert!(
                error(&format!("postgres://h?{bad}")).contains(&format!("`{key}`")),
                "{bad}"
            );
        }
    }

    #[test]
    fn tls_options() {
        assert_eq!(parse("postgres://h").tls.mode, SslMode::Prefer);
        assert!(parse("postgres://h?sslmode=disable").tls.client.is_none());
        assert!(parse("postgres://h?sslmode=require").tls.client.is_some());
        assert!(error("postgres://h?sslmode=verify-full").contains("sslrootcert"));
        assert!(error("postgres://h?sslmode=required").contains("`sslmode`"));
        assert!(error("postgres://h?sslrootcert=/nonexistent/ca.pem").contains("`sslrootcert`"));
        assert!(error("postgres://h?sslrootcert=system&sslmode=verify-full").contains("`sslrootcert`"));
        assert!(error("postgres://h?sslcert=/nonexistent/c.pem").contains("`sslkey`"));
        assert!(error("postgres://h?sslmode=disable&channel_binding=require").contains("`channel_binding`"));
        assert!(error("postgres://h?require_auth=md5,!password").contains("`require_auth`"));
        assert!(!parse("postgres://h?statement_cache_size=0").named_statements);
        assert!(error("postgres://h?statement_cache_size=100").contains("`statement_cache_size`"));
        assert_eq!(
            parse("postgres://h?target_session_attrs=prefer-standby").target,
            Target::PreferStandby
        );
        assert!(error("postgres://h?target_session_attrs=master").contains("`target_session_attrs`"));
    }

    #[test]
    fn the_password_is_never_shown() {
        let c = parse("postgres://ann:hunter2@h/db");
        let debug = format!("{c:?}");
        assert!(!debug.contains("hunter2") && debug.contains("<redacted>"), "{debug}");
        assert!(format!("{:?}", parse("postgres://ann@h/db")).contains("password: None"));
        for url in [
            "postgres://ann:hunter2%zz@h/db",
            "postgres://ann:hunter2%C3@h/db",
            "postgres://ann:hun/ter2@h/db",
            "postgres://ann:hun?ter2@h/db",
            "postgres://ann:hun?ter2=x@h/db",
            "postgres://ann:hun?connect_timeout=ter2@h",
            "postgres://ann:hun?sslmode=ter2@h",
            "postgres://ann:hun?require_auth=ter2@h",
            "postgres://ann:hun/ter2,x@h,y",
            "postgres://h/db?password=hunter2%zz",
            "postgres://h/db?sslpassword=hunter2",
        ] {
            let message = Config::parse(url).err().unwrap_or_default();
            assert!(!message.is_empty(), "{url} parsed");
            for fragment in ["hunter2", "hun", "ter2"] {
                assert!(!message.contains(fragment), "{url}: {message}");
            }
        }
        // Other parts are still quoted.
        assert!(error("postgres://h:54x32").contains("`54x32`"));
        assert!(Config::parse("postgres://h/d%zz").is_err_and(|e| e.contains("`d%zz`")));
    }
}

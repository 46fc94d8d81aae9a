//! The connection settings of a `postgres://` URL.

use std::fmt;
use std::time::Duration;

/// Where and as whom to connect, from a `postgres://` URL. Its `Debug`
/// never shows the password.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) password: Option<String>,
    pub(crate) dbname: String,
    /// Startup parameters: `options`, `application_name`.
    pub(crate) params: Vec<(String, String)>,
    pub(crate) connect_timeout: Option<Duration>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("dbname", &self.dbname)
            .field("params", &self.params)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

/// `s` with its %-escapes decoded. An error names `part` and quotes the
/// text only if `quote` (never for a password).
fn percent_decode(s: &str, part: &str, quote: bool) -> Result<String, String> {
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
const ESCAPE_HINT: &str = "(a `/`, `?` or `#` in the user name or password is written %2F, %3F or %23)";

impl Config {
    /// `postgres://user[:password]@host[:port][/dbname][?key=value&…]`.
    /// Keys: `options`, `application_name`, `connect_timeout` (seconds),
    /// `sslmode` (`disable`, `allow` or `prefer`: this client has no TLS).
    ///
    /// An error never quotes the password, nor any text that may be part
    /// of it.
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
        let hint = if cut { format!(" {ESCAPE_HINT}") } else { String::new() };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
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
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, p) = v6.split_once(']').ok_or("unclosed `[` in the host")?;
            (h.to_owned(), p.strip_prefix(':'))
        } else {
            match hostport.split_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (hostport.to_owned(), None),
            }
        };
        let port = match port {
            Some(p) => p.parse().map_err(|_| match cut {
                false => format!("bad port `{p}`"),
                true => format!("the port is not a number{hint}"),
            })?,
            None => 5432,
        };
        let host = if host.is_empty() { "localhost".to_owned() } else { host };
        // Empty until the query's options are read: it defaults to the user.
        let dbname = percent_decode(path, "the database name", !cut)?;
        let mut config = Config {
            host,
            port,
            user,
            password,
            dbname,
            params: Vec::new(),
            connect_timeout: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let part = format!("option `{key}`");
            let (part, quote) = match key {
                "password" => ("the password", false),
                _ if cut => ("an option", false),
                _ => (part.as_str(), true),
            };
            let value = percent_decode(value, part, quote)?;
            match key {
                "options" | "application_name" => config.params.push((key.to_owned(), value)),
                "connect_timeout" => {
                    let secs: u64 = value.parse().map_err(|_| match cut {
                        false => format!("bad connect_timeout `{value}`"),
                        true => format!("bad connect_timeout{hint}"),
                    })?;
                    // 0 means no timeout, as for libpq.
                    config.connect_timeout = (secs > 0).then(|| Duration::from_secs(secs));
                }
                "sslmode" if matches!(value.as_str(), "disable" | "allow" | "prefer") => {}
                "sslmode" if cut => return Err(format!("sslmode needs TLS, which foal does not speak{hint}")),
                "sslmode" => return Err(format!("sslmode={value} needs TLS, which foal does not speak")),
                "user" => config.user = value,
                "password" => config.password = Some(value),
                "dbname" => config.dbname = value,
                _ if cut => return Err(format!("unknown PostgreSQL URL option{hint}")),
                other => return Err(format!("unknown PostgreSQL URL option `{other}`")),
            }
        }
        if config.dbname.is_empty() {
            config.dbname = config.user.clone();
        }
        Ok(config)
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::Config;

    fn parse(url: &str) -> Config {
        Config::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn urls() {
        let c =
            parse("postgres://ann:p%40ss+word@db.example:6543/shop?options=-c%20search_path%3Dx&application_name=app");
        assert_eq!((c.host.as_str(), c.port, c.user.as_str()), ("db.example", 6543, "ann"));
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
        assert_eq!(parse("postgresql://bob@[::1]").host, "::1");
        assert_eq!(parse("postgres://bob@h?connect_timeout=0").connect_timeout, None);
        assert!(Config::parse("postgres://h?sslmode=require").is_err());
        assert!(Config::parse("postgres://h?colour=red").is_err());
        assert!(Config::parse("mysql://h").is_err());
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
            "postgres://h/db?password=hunter2%zz",
        ] {
            let message = Config::parse(url).err().unwrap_or_default();
            assert!(!message.is_empty(), "{url} parsed");
            for fragment in ["hunter2", "hun", "ter2"] {
                assert!(!message.contains(fragment), "{url}: {message}");
            }
        }
        // Other parts are still quoted.
        assert_eq!(
            Config::parse("postgres://h:54x32").err().as_deref(),
            Some("bad port `54x32`")
        );
        assert!(Config::parse("postgres://h/d%zz").is_err_and(|e| e.contains("`d%zz`")));
    }
}

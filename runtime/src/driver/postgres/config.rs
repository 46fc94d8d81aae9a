//! The connection settings of a `postgres://` URL.

use std::time::Duration;

/// Where and as whom to connect, from a `postgres://` URL.
#[derive(Debug, Clone)]
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

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3).ok_or_else(|| format!("bad escape in `{s}`"))?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape in `{s}`"))?);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{s}` is not UTF-8 once decoded"))
}

impl Config {
    /// `postgres://user[:password]@host[:port][/dbname][?key=value&…]`.
    /// Keys: `options`, `application_name`, `connect_timeout` (seconds),
    /// `sslmode` (`disable`, `allow` or `prefer`: this client has no TLS).
    pub(crate) fn parse(url: &str) -> Result<Config, String> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or("the URL must start with postgres://")?;
        let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = main.split_once('/').unwrap_or((main, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((name, pass)) => (percent_decode(name)?, Some(percent_decode(pass)?)),
                None => (percent_decode(u)?, None),
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
            Some(p) => p.parse().map_err(|_| format!("bad port `{p}`"))?,
            None => 5432,
        };
        let host = if host.is_empty() { "localhost".to_owned() } else { host };
        // Empty until the query's options are read: it defaults to the user.
        let dbname = percent_decode(path)?;
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
            let value = percent_decode(value)?;
            match key {
                "options" | "application_name" => config.params.push((key.to_owned(), value)),
                "connect_timeout" => {
                    let secs: u64 = value.parse().map_err(|_| format!("bad connect_timeout `{value}`"))?;
                    // 0 means no timeout, as for libpq.
                    config.connect_timeout = (secs > 0).then(|| Duration::from_secs(secs));
                }
                "sslmode" if matches!(value.as_str(), "disable" | "allow" | "prefer") => {}
                "sslmode" => return Err(format!("sslmode={value} needs TLS, which foal does not speak")),
                "user" => config.user = value,
                "password" => config.password = Some(value),
                "dbname" => config.dbname = value,
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
}

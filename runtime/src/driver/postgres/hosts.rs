//! Multi-host URLs and `target_session_attrs`, with libpq's meaning:
//! hosts are tried in order, each host's addresses in turn; a connection
//! whose server is not what `target_session_attrs` asks for moves on to
//! the next host (not the next address). `prefer-standby` takes the first
//! standby, else the first server that answered.
//!
//! Each address's attempt is one connection: TCP, TLS as `sslmode` says,
//! startup and authentication, `statement_timeout`, the target check, all
//! within one `connect_timeout`.

use std::fmt;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use super::auth;
use super::cancel::Cancel;
use super::config::{Config, ESCAPE_HINT, percent_decode};
use super::error::{WireError, WireResult};
use super::stream::{self, Deadline, Offer, Stream};
use super::tls::{self, SslMode};
use super::wire::Wire;

/// One host of the list.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Host {
    /// The name as written (what TLS checks the certificate against).
    pub(crate) name: String,
    /// `hostaddr`: the address to connect to, instead of resolving `name`.
    pub(crate) addr: Option<IpAddr>,
    pub(crate) port: u16,
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            Some(addr) => write!(f, "{}({addr}):{}", self.name, self.port),
            None => write!(f, "{}:{}", self.name, self.port),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.contains(':') {
            write!(f, "[{}]:{}", self.name, self.port)
        } else {
            write!(f, "{}:{}", self.name, self.port)
        }
    }
}

/// libpq's `target_session_attrs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Any,
    ReadWrite,
    ReadOnly,
    Primary,
    Standby,
    PreferStandby,
}

impl Target {
    pub(crate) fn parse(value: &str) -> Option<Target> {
        Some(match value {
            "any" => Target::Any,
            "read-write" => Target::ReadWrite,
            "read-only" => Target::ReadOnly,
            "primary" => Target::Primary,
            "standby" => Target::Standby,
            "prefer-standby" => Target::PreferStandby,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Target::Any => "any",
            Target::ReadWrite => "read-write",
            Target::ReadOnly => "read-only",
            Target::Primary => "primary",
            Target::Standby => "standby",
            Target::PreferStandby => "prefer-standby",
        }
    }
}

/// The `host`, `port` and `hostaddr` options, which replace what the
/// URL's authority says (as in libpq).
pub(crate) struct Overrides<'a> {
    pub(crate) host: Option<&'a str>,
    pub(crate) port: Option<&'a str>,
    pub(crate) hostaddr: Option<&'a str>,
}

/// The hosts of `authority` (`h1:5432,[::1]:5433,h3`) and the options.
/// Errors name the option (`host`, `port`, `hostaddr`); when `cut` (the
/// password may run into the authority) they quote nothing.
pub(crate) fn parse(authority: &str, options: Overrides<'_>, cut: bool) -> Result<Vec<Host>, String> {
    let show = |text: &str| {
        if cut {
            ESCAPE_HINT.to_owned()
        } else {
            format!("`{text}`")
        }
    };
    let mut names = Vec::new();
    let mut ports = Vec::new();
    for entry in authority.split(',') {
        let (name, port) = if let Some(v6) = entry.strip_prefix('[') {
            let (name, rest) = v6
                .split_once(']')
                .ok_or_else(|| format!("option `host`: unclosed `[` in {}", show(entry)))?;
            match rest {
                "" => (name, ""),
                _ => match rest.strip_prefix(':') {
                    Some(port) => (name, port),
                    None => return Err(format!("option `host`: text after `]` in {}", show(entry))),
                },
            }
        } else {
            entry.split_once(':').unwrap_or((entry, ""))
        };
        names.push(percent_decode(name, "option `host`", !cut)?);
        ports.push(port.to_owned());
    }
    if let Some(host) = options.host {
        names = host.split(',').map(str::to_owned).collect();
    }
    if let Some(port) = options.port {
        ports = port.split(',').map(str::to_owned).collect();
    }
    let addrs: Vec<Option<IpAddr>> = match options.hostaddr {
        None => vec![None; names.len()],
        Some(list) => {
            let addrs = list
                .split(',')
                .map(|a| match a {
                    "" => Ok(None),
                    _ => a
                        .parse()
                        .map(Some)
                        .map_err(|_| format!("option `hostaddr`: `{a}` is not an IP address")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if names.len() == 1 && names[0].is_empty() {
                names = vec![String::new(); addrs.len()];
            }
            if addrs.len() != names.len() {
                return Err(format!(
                    "option `hostaddr`: {} addresses for {} hosts (give one per host)",
                    addrs.len(),
                    names.len()
                ));
            }
            addrs
        }
    };
    if ports.len() != names.len() && ports.len() != 1 {
        return Err(format!(
            "option `port`: {} ports for {} hosts (give one port, or one per host)",
            ports.len(),
            names.len()
        ));
    }
    let several = names.len() > 1;
    let mut hosts = Vec::with_capacity(names.len());
    for (i, (name, addr)) in names.into_iter().zip(addrs).enumerate() {
        let port = ports.get(i).or(ports.first()).map_or("", String::as_str);
        let port = match port {
            "" => 5432,
            p => p.parse().map_err(|_| {
                if cut {
                    format!("option `port`: the port is not a number {ESCAPE_HINT}")
                } else {
                    format!("option `port`: bad port `{p}`")
                }
            })?,
        };
        let name = match (name.as_str(), addr) {
            ("", Some(addr)) => addr.to_string(),
            ("", None) if several => {
                return Err(format!(
                    "option `host`: an empty entry in the host list {}",
                    show(authority)
                ));
            }
            ("", None) => "localhost".to_owned(),
            (n, _) if n.starts_with('/') => {
                return Err(format!(
                    "option `host`: {} is a Unix socket directory; foal connects over TCP only",
                    show(n)
                ));
            }
            _ => name,
        };
        hosts.push(Host { name, addr, port });
    }
    Ok(hosts)
}

/// A connection to the first host that answers and matches
/// `target_session_attrs`. With several hosts an error lists what each
/// one did.
pub(crate) fn connect(config: &Config) -> WireResult<Wire> {
    let mut failures: Vec<(String, WireError)> = Vec::new();
    // prefer-standby: the first server that is not a standby.
    let mut fallback = None;
    for host in &config.hosts {
        let mut wire = match connect_host(config, host) {
            Ok(wire) => wire,
            Err(e) => {
                failures.push((host.to_string(), e));
                continue;
            }
        };
        match matches(&mut wire, config.target) {
            Ok(true) => return settle(wire, config),
            Ok(false) => {
                let what = describe(&wire);
                if config.target == Target::PreferStandby && fallback.is_none() {
                    fallback = Some(wire);
                }
                failures.push((
                    host.to_string(),
                    WireError::Connect(format!(
                        "{what}, not what target_session_attrs={} asks for",
                        config.target.name()
                    )),
                ));
            }
            Err(e) => failures.push((host.to_string(), e)),
        }
    }
    if let Some(wire) = fallback {
        return settle(wire, config);
    }
    Err(combine(failures))
}

fn settle(mut wire: Wire, config: &Config) -> WireResult<Wire> {
    wire.settle(config.timeouts.read)?;
    Ok(wire)
}

/// One error of every host's: the last one's kind, each host's message.
fn combine(mut failures: Vec<(String, WireError)>) -> WireError {
    let text: Vec<String> = failures
        .iter()
        .map(|(host, e)| format!("{host}: {}", e.text()))
        .collect();
    let text = match failures.len() {
        1 => format!("connecting to {}", text.join("")),
        _ => format!("no host could be used: {}", text.join("; ")),
    };
    match failures.pop() {
        Some((_, e)) => e.with_text(text),
        None => WireError::Connect(text),
    }
}

/// The host's addresses in turn, until one connects.
fn connect_host(config: &Config, host: &Host) -> WireResult<Wire> {
    let addrs: Vec<SocketAddr> = match host.addr {
        Some(ip) => vec![SocketAddr::new(ip, host.port)],
        None => (host.name.as_str(), host.port).to_socket_addrs()?.collect(),
    };
    let mut last = None;
    for addr in addrs {
        match attempt(config, host, addr) {
            Ok(wire) => return Ok(wire),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| WireError::Connect(format!("`{}` has no address", host.name))))
}

/// One connection to `addr`, as `sslmode` says, within `connect_timeout`.
fn attempt(config: &Config, host: &Host, addr: SocketAddr) -> WireResult<Wire> {
    let deadline = Deadline::after(config.timeouts.connect, "connect_timeout");
    let tcp = || stream::tcp(addr, &deadline, Some(&config.keepalive));
    let plain = |tcp: TcpStream| open(config, Stream::Plain(tcp), addr, deadline, None);
    let tls = &config.tls;
    let client = match &tls.client {
        Some(client) if tls.mode != SslMode::Disable => client,
        _ => return plain(tcp()?),
    };
    if tls.mode == SslMode::Allow {
        match plain(tcp()?) {
            // The server refused the plaintext session, or foal refused
            // to send the password in it: TLS, then.
            Err(WireError::Db(_) | WireError::Auth(_)) => {}
            other => return other,
        }
    }
    let name = tls::server_name(&host.name).map_err(|e| WireError::Connect(format!("TLS: {e}")))?;
    match stream::start_tls(tcp()?, client, &name, addr, &deadline)? {
        Offer::Accepted(stream) => open(config, stream, addr, deadline, Some((client, &name))),
        Offer::Refused(tcp) if tls.mode == SslMode::Prefer => plain(tcp),
        // The server closes the connection after an error.
        Offer::Failed if tls.mode == SslMode::Prefer => plain(tcp()?),
        _ if tls.mode == SslMode::Allow => Err(WireError::Connect(
            "the server refused the plaintext session, and does not accept TLS (sslmode=allow)".into(),
        )),
        _ => Err(WireError::Connect(format!(
            "the server does not accept TLS, which sslmode={} requires",
            tls.mode
        ))),
    }
}

/// Starts the session on `stream`: startup and authentication, the
/// CancelRequest target, `statement_timeout`.
fn open(
    config: &Config,
    stream: Stream,
    addr: SocketAddr,
    deadline: Deadline,
    tls: Option<(&Arc<ClientConfig>, &ServerName<'static>)>,
) -> WireResult<Wire> {
    let mut wire = Wire::new(stream, addr, deadline);
    let session = auth::startup(&mut wire, config)?;
    if let Some((process_id, secret_key)) = session.key {
        wire.cancel = Some(Cancel {
            addr,
            process_id,
            secret_key,
            tls: tls.map(|(client, name)| (Arc::clone(client), name.clone())),
            plaintext_ok: config.tls.mode.allows_plaintext(),
        });
    }
    wire.session = session;
    if let Some(ms) = config.timeouts.statement_ms {
        wire.simple_query(&format!("SET statement_timeout = {ms}"))?;
    }
    Ok(wire)
}

/// Whether the server is what `target` asks for: from what it reported
/// at startup (PostgreSQL 14 and later), else by asking.
fn matches(wire: &mut Wire, target: Target) -> WireResult<bool> {
    match target {
        Target::Any => Ok(true),
        Target::ReadWrite | Target::ReadOnly => {
            let read_only = match (wire.session.read_only, wire.session.hot_standby) {
                (Some(read_only), Some(standby)) => read_only || standby,
                _ => {
                    let on = wire.query_value("SHOW transaction_read_only")?;
                    let read_only = on.is_some_and(|v| v.starts_with("on"));
                    wire.session.read_only = Some(read_only);
                    read_only
                }
            };
            Ok(read_only == (target == Target::ReadOnly))
        }
        Target::Primary | Target::Standby | Target::PreferStandby => {
            let standby = match wire.session.hot_standby {
                Some(standby) => standby,
                None => {
                    let t = wire.query_value("SELECT pg_catalog.pg_is_in_recovery()")?;
                    let standby = t.as_deref() == Some("t");
                    wire.session.hot_standby = Some(standby);
                    standby
                }
            };
            Ok(standby == (target != Target::Primary))
        }
    }
}

/// What the server turned out to be, for an error.
fn describe(wire: &Wire) -> &'static str {
    match (wire.session.hot_standby, wire.session.read_only) {
        (Some(true), _) => "a standby",
        (_, Some(true)) => "a primary in read-only mode",
        (Some(false), _) | (_, Some(false)) => "a primary",
        (None, None) => "a server",
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::{Host, Overrides, parse};

    fn hosts(
        authority: &str,
        host: Option<&str>,
        port: Option<&str>,
        hostaddr: Option<&str>,
    ) -> Result<Vec<Host>, String> {
        parse(authority, Overrides { host, port, hostaddr }, false)
    }

    fn list(authority: &str) -> Vec<String> {
        match hosts(authority, None, None, None) {
            Ok(h) => h.iter().map(ToString::to_string).collect(),
            Err(e) => panic!("{authority}: {e}"),
        }
    }

    #[test]
    fn host_lists() {
        assert_eq!(list("h1:5432,h2:5433"), ["h1:5432", "h2:5433"]);
        assert_eq!(list("h1,[::1]:6000,h3"), ["h1:5432", "[::1]:6000", "h3:5432"]);
        assert_eq!(list(""), ["localhost:5432"]);
        let h = hosts("", Some("a,b"), Some("7000"), None).unwrap_or_default();
        assert_eq!(
            h.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["a:7000", "b:7000"]
        );
        let h = hosts("db.example", None, None, Some("127.0.0.1")).unwrap_or_default();
        assert_eq!(h.len(), 1);
        assert_eq!(
            (h[0].name.as_str(), h[0].addr.map(|a| a.to_string())),
            ("db.example", Some("127.0.0.1".into()))
        );
        for (authority, host, port, hostaddr, option) in [
            ("h1:5432,h2:x", None, None, None, "`port`"),
            ("h1,,h2", None, None, None, "`host`"),
            ("[::1", None, None, None, "`host`"),
            ("[::1]x", None, None, None, "`host`"),
            ("h1,h2", None, Some("1,2,3"), None, "`port`"),
            ("h1,h2", None, None, Some("127.0.0.1"), "`hostaddr`"),
            ("h1", None, None, Some("not-an-ip"), "`hostaddr`"),
            ("%2Ftmp", None, None, None, "`host`"),
        ] {
            match hosts(authority, host, port, hostaddr) {
                Ok(h) => panic!("{authority}: parsed as {h:?}"),
                Err(e) => assert!(e.contains(option), "{authority}: {e}"),
            }
        }
    }
}

//! Authentication: the startup exchange after the socket (and TLS) is up.
//! Cleartext, MD5 and SCRAM-SHA-256, with channel binding
//! (SCRAM-SHA-256-PLUS, `tls-server-end-point`) over TLS; libpq's
//! `require_auth` and `channel_binding`; and foal's rules against a
//! downgrade: no password in cleartext or MD5 over a connection without
//! TLS unless `require_auth` names that method, no answer to a
//! cleartext or MD5 request once SCRAM began, and no AuthenticationOk
//! before SCRAM's final proof.

use std::fmt;

use fallible_iterator::FallibleIterator;
use postgres_protocol::authentication::sasl::{self, ChannelBinding, ScramSha256};
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;

use super::config::Config;
use super::error::{DbError, WireError, WireResult};
use super::reply;
use super::tls::end_point_hash;
use super::wire::Wire;

/// libpq's `channel_binding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    Disable,
    /// Bind when the server offers it over TLS (the default).
    Prefer,
    /// Fail unless SCRAM-SHA-256-PLUS authenticates the connection.
    Require,
}

impl Binding {
    pub(crate) fn parse(value: &str) -> Option<Binding> {
        Some(match value {
            "disable" => Binding::Disable,
            "prefer" => Binding::Prefer,
            "require" => Binding::Require,
            _ => return None,
        })
    }
}

/// The methods `require_auth` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Password,
    Md5,
    Scram,
    Gss,
    Sspi,
    None,
}

impl Method {
    const ALL: [Method; 6] = [
        Method::Password,
        Method::Md5,
        Method::Scram,
        Method::Gss,
        Method::Sspi,
        Method::None,
    ];

    fn parse(word: &str) -> Option<Method> {
        Some(match word {
            "password" => Method::Password,
            "md5" => Method::Md5,
            "scram-sha-256" => Method::Scram,
            "gss" => Method::Gss,
            "sspi" => Method::Sspi,
            "none" => Method::None,
            _ => return None,
        })
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    fn describe(self) -> &'static str {
        match self {
            Method::Password => "a cleartext password",
            Method::Md5 => "an MD5 password",
            Method::Scram => "SCRAM-SHA-256",
            Method::Gss => "GSSAPI",
            Method::Sspi => "SSPI",
            Method::None => "no authentication (the connection was accepted without a challenge)",
        }
    }
}

/// Which authentication methods the server may use (libpq's
/// `require_auth`): a list of methods (`scram-sha-256,md5`), or a list of
/// negated ones (`!password,!md5`). Without it every method may be used,
/// except that the password is never sent in cleartext or as MD5 over a
/// connection without TLS: a list that names `password` or `md5` allows
/// that.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AuthPolicy {
    allowed: u8,
    /// A list of methods (not of negated ones) was given.
    listed: bool,
    /// The option as written, for errors.
    text: Option<String>,
}

impl fmt::Debug for AuthPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text.as_deref().unwrap_or("(any; no password without TLS)"))
    }
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            allowed: u8::MAX,
            listed: false,
            text: None,
        }
    }
}

impl AuthPolicy {
    pub(crate) fn parse(value: &str) -> Result<AuthPolicy, String> {
        let mut bits = 0u8;
        let mut negated = None;
        for word in value.split(',') {
            let (not, name) = match word.strip_prefix('!') {
                Some(name) => (true, name),
                None => (false, word),
            };
            let method = Method::parse(name).ok_or_else(|| {
                format!(
                    "option `require_auth`: unknown method `{word}` \
                     (password, md5, scram-sha-256, gss, sspi, none, each possibly negated with `!`)"
                )
            })?;
            if *negated.get_or_insert(not) != not {
                return Err("option `require_auth`: negated (`!`) and plain methods cannot be mixed".into());
            }
            if bits & method.bit() != 0 {
                return Err(format!("option `require_auth`: `{name}` is named twice"));
            }
            bits |= method.bit();
        }
        let negated = negated.unwrap_or(false);
        let all = Method::ALL.iter().fold(0, |b, m| b | m.bit());
        let allowed = if negated { all & !bits } else { bits };
        if allowed == 0 {
            return Err("option `require_auth`: every method is excluded".into());
        }
        Ok(AuthPolicy {
            allowed,
            listed: !negated,
            text: Some(value.to_owned()),
        })
    }

    /// Whether the server may authenticate with `method` over a connection
    /// that is (`tls`) or is not encrypted; the error says why not.
    fn check(&self, method: Method, tls: bool) -> WireResult<()> {
        if self.allowed & method.bit() == 0 {
            let text = self.text.as_deref().unwrap_or_default();
            return Err(WireError::Auth(format!(
                "the server asked for {}, which require_auth={text} does not allow; foal did not answer",
                method.describe()
            )));
        }
        let sends_password = matches!(method, Method::Password | Method::Md5);
        if sends_password && !tls && !self.listed {
            let name = if method == Method::Password { "password" } else { "md5" };
            return Err(WireError::Auth(format!(
                "the server asked for {} over a connection without TLS, and foal does not send a password \
                 that way: use TLS (sslmode=require or verify-full), or allow it with require_auth={name}",
                method.describe()
            )));
        }
        Ok(())
    }
}

/// What the server said about the session during startup.
#[derive(Debug, Default)]
pub(crate) struct Session {
    /// BackendKeyData: the process id and secret key a CancelRequest names.
    pub(crate) key: Option<(i32, i32)>,
    /// ParameterStatus `in_hot_standby` (PostgreSQL 14 and later).
    pub(crate) hot_standby: Option<bool>,
    /// ParameterStatus `default_transaction_read_only` (14 and later).
    pub(crate) read_only: Option<bool>,
}

const DURING: &str = "while connecting";

#[cold]
fn downgrade(asked: &str) -> WireError {
    WireError::Auth(format!(
        "the server asked for {asked} after SCRAM authentication began; foal does not answer \
         (a downgrade of the authentication)"
    ))
}

/// Sends the startup message and authenticates, up to the first
/// ReadyForQuery.
pub(crate) fn startup(wire: &mut Wire, config: &Config) -> WireResult<Session> {
    let tls = wire.is_tls();
    let binding = config.channel_binding;
    let hash = match binding {
        Binding::Disable => None,
        _ => wire.peer_certificate().and_then(end_point_hash),
    };
    let mut params: Vec<(&str, &str)> = vec![
        ("user", &config.user),
        ("database", &config.dbname),
        ("client_encoding", "UTF8"),
        ("TimeZone", "UTC"),
        ("DateStyle", "ISO"),
    ];
    params.extend(config.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    wire.frame(|w| frontend::startup_message(params, w))?;
    wire.flush()?;
    let policy = &config.require_auth;
    let password = || -> WireResult<&[u8]> {
        config
            .password
            .as_deref()
            .map(str::as_bytes)
            .ok_or_else(|| WireError::Auth("the server asks for a password, and the URL gives none".into()))
    };
    let no_binding = |what: &str| -> WireResult<()> {
        if binding == Binding::Require {
            return Err(WireError::Auth(format!(
                "channel_binding=require, and the server {what}: the connection is not bound to its TLS session"
            )));
        }
        Ok(())
    };
    let mut session = Session::default();
    let mut scram: Option<(ScramSha256, bool)> = None;
    let mut verified = false;
    // A password or SCRAM's first message was sent.
    let mut answered = false;
    let mut authenticated = false;
    loop {
        match wire.next()? {
            Message::AuthenticationOk if authenticated => {
                return Err(reply::unexpected(&Message::AuthenticationOk, DURING));
            }
            // After SCRAM, only once the server proved it knows the
            // password too.
            Message::AuthenticationOk if scram.is_some() && !verified => {
                return Err(WireError::Auth("the server skipped SCRAM's final proof".into()));
            }
            Message::AuthenticationOk => {
                if !answered {
                    policy.check(Method::None, tls)?;
                    no_binding("accepted the connection without authentication")?;
                }
                authenticated = true;
            }
            Message::AuthenticationCleartextPassword if !authenticated => {
                if scram.is_some() {
                    return Err(downgrade("a cleartext password"));
                }
                if answered {
                    return Err(reply::unexpected(&Message::AuthenticationCleartextPassword, DURING));
                }
                policy.check(Method::Password, tls)?;
                no_binding("asked for a cleartext password")?;
                let password = password()?;
                wire.frame(|w| frontend::password_message(password, w))?;
                wire.flush()?;
                answered = true;
            }
            Message::AuthenticationMd5Password(body) if !authenticated => {
                if scram.is_some() {
                    return Err(downgrade("an MD5 password"));
                }
                if answered {
                    return Err(WireError::Protocol(
                        "the server asked for a second password; the connection is closed".into(),
                    ));
                }
                policy.check(Method::Md5, tls)?;
                no_binding("asked for an MD5 password")?;
                let hash =
                    postgres_protocol::authentication::md5_hash(config.user.as_bytes(), password()?, body.salt());
                wire.frame(|w| frontend::password_message(hash.as_bytes(), w))?;
                wire.flush()?;
                answered = true;
            }
            Message::AuthenticationSasl(body) if !authenticated && !answered => {
                policy.check(Method::Scram, tls)?;
                let (mut plain, mut plus) = (false, false);
                let mut mechanisms = body.mechanisms();
                while let Some(m) = mechanisms.next().map_err(|e| reply::malformed(b'R', &e))? {
                    plain |= m == sasl::SCRAM_SHA_256;
                    plus |= m == sasl::SCRAM_SHA_256_PLUS;
                }
                let (channel, mechanism) = match (plus, &hash) {
                    (true, Some(h)) => (
                        ChannelBinding::tls_server_end_point(h.clone()),
                        sasl::SCRAM_SHA_256_PLUS,
                    ),
                    // Over TLS but the server cannot bind: `y`, so that a
                    // server that could would see the downgrade.
                    (false, _) if tls && binding != Binding::Disable => {
                        (ChannelBinding::unrequested(), sasl::SCRAM_SHA_256)
                    }
                    _ => (ChannelBinding::unsupported(), sasl::SCRAM_SHA_256),
                };
                if mechanism == sasl::SCRAM_SHA_256 {
                    if !plain {
                        return Err(WireError::Auth(
                            "the server offers no SASL mechanism foal knows (SCRAM-SHA-256 and -PLUS)".into(),
                        ));
                    }
                    no_binding(if tls {
                        "offers no SCRAM-SHA-256-PLUS for this certificate"
                    } else {
                        "is reached without TLS"
                    })?;
                }
                let state = ScramSha256::new(password()?, channel);
                wire.frame(|w| frontend::sasl_initial_response(mechanism, state.message(), w))?;
                wire.flush()?;
                scram = Some((state, mechanism == sasl::SCRAM_SHA_256_PLUS));
                answered = true;
            }
            Message::AuthenticationSaslContinue(body) if !authenticated && !verified => {
                let (state, _) = scram
                    .as_mut()
                    .ok_or_else(|| WireError::Protocol("unexpected SASL message".into()))?;
                state.update(body.data()).map_err(reply::scram)?;
                let message = state.message().to_vec();
                wire.frame(|w| frontend::sasl_response(&message, w))?;
                wire.flush()?;
            }
            Message::AuthenticationSaslFinal(body) if !authenticated && !verified => {
                let (state, _) = scram
                    .as_mut()
                    .ok_or_else(|| WireError::Protocol("unexpected SASL message".into()))?;
                state.finish(body.data()).map_err(reply::scram)?;
                verified = true;
            }
            Message::ErrorResponse(body) => return Err(WireError::Db(DbError::parse(&body))),
            Message::ReadyForQuery(body) if authenticated => {
                wire.ready(body.status())?;
                return Ok(session);
            }
            Message::BackendKeyData(body) if authenticated => {
                session.key = Some((body.process_id(), body.secret_key()));
            }
            Message::ParameterStatus(body) => {
                let on = || body.value().ok().map(|v| v == "on");
                match body.name() {
                    Ok("in_hot_standby") => session.hot_standby = on(),
                    Ok("default_transaction_read_only") => session.read_only = on(),
                    _ => {}
                }
            }
            m if reply::asynchronous(&m) => {}
            Message::AuthenticationGss
            | Message::AuthenticationGssContinue(_)
            | Message::AuthenticationKerberosV5
            | Message::AuthenticationScmCredential
            | Message::AuthenticationSspi
                if !authenticated =>
            {
                if scram.is_some() {
                    return Err(downgrade("another authentication method"));
                }
                return Err(WireError::Auth(
                    "the server asks for an authentication method foal does not speak \
                     (it speaks cleartext, MD5 and SCRAM-SHA-256)"
                        .into(),
                ));
            }
            m if scram.is_some() && !authenticated && is_auth(&m) => {
                return Err(downgrade("another SASL exchange"));
            }
            m => return Err(reply::unexpected(&m, DURING)),
        }
    }
}

fn is_auth(m: &Message) -> bool {
    matches!(
        m,
        Message::AuthenticationSasl(_) | Message::AuthenticationSaslContinue(_) | Message::AuthenticationSaslFinal(_)
    )
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::{AuthPolicy, Method};

    fn policy(text: &str) -> AuthPolicy {
        AuthPolicy::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn require_auth_lists() {
        let scram = policy("scram-sha-256");
        assert!(scram.check(Method::Scram, false).is_ok());
        assert!(scram.check(Method::Md5, true).is_err());
        assert!(scram.check(Method::None, true).is_err());
        let md5 = policy("md5,scram-sha-256");
        assert!(md5.check(Method::Md5, false).is_ok(), "named: allowed without TLS");
        let not = policy("!password");
        assert!(not.check(Method::Password, true).is_err());
        assert!(not.check(Method::Md5, true).is_ok());
        assert!(not.check(Method::Md5, false).is_err(), "not named: no MD5 without TLS");
        let any = AuthPolicy::default();
        assert!(any.check(Method::Password, false).is_err());
        assert!(any.check(Method::Password, true).is_ok());
        assert!(any.check(Method::None, false).is_ok());
        for bad in [
            "md5,!password",
            "scram",
            "",
            "md5,md5",
            "!password,!md5,!scram-sha-256,!gss,!sspi,!none",
        ] {
            assert!(AuthPolicy::parse(bad).is_err(), "{bad}");
        }
    }
}

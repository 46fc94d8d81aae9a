//! TLS with the MySQL client's options (`ssl-mode`, `ssl-ca`, `ssl-cert`,
//! `ssl-key`), carried out by the `mysql` crate's rustls support (ring).
//!
//! The crate's own switches map onto the modes: `REQUIRED` without a CA
//! accepts any certificate (`danger_accept_invalid_certs`), `VERIFY_CA`
//! checks the chain but not the host name (`danger_skip_domain_validation`),
//! `VERIFY_IDENTITY` checks both. The crate has no "preferred": the
//! connection asks for TLS and connects again without it when the server
//! does not offer it (`connect.rs`). The crate always trusts the public
//! (Mozilla) roots besides `ssl-ca`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Once;

use mysql::{ClientIdentity, SslOpts};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// `ssl-mode`, as the MySQL client names and means them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Never TLS.
    Disabled,
    /// TLS when the server offers it (the default), no certificate check.
    Preferred,
    /// TLS or no connection; the chain is checked when `ssl-ca` is given.
    Required,
    /// TLS, the chain checked against `ssl-ca`, not the host name.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyIdentity,
}

const MODES: [(&str, SslMode); 5] = [
    ("DISABLED", SslMode::Disabled),
    ("PREFERRED", SslMode::Preferred),
    ("REQUIRED", SslMode::Required),
    ("VERIFY_CA", SslMode::VerifyCa),
    ("VERIFY_IDENTITY", SslMode::VerifyIdentity),
];

impl SslMode {
    /// A mode's name in any case.
    pub(crate) fn parse(value: &str) -> Option<SslMode> {
        MODES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(value))
            .map(|&(_, mode)| mode)
    }

    pub(crate) fn name(self) -> &'static str {
        MODES.iter().find(|(_, m)| *m == self).map_or("", |(name, _)| name)
    }

    /// Whether the connection must be encrypted.
    pub(crate) fn requires_tls(self) -> bool {
        !matches!(self, SslMode::Disabled | SslMode::Preferred)
    }
}

/// The TLS settings of a URL, checked: the files exist and hold what they
/// should.
#[derive(Clone, Debug)]
pub(crate) struct Tls {
    pub(crate) mode: SslMode,
    ca: Option<PathBuf>,
    /// The client certificate chain and its key (`ssl-cert`, `ssl-key`).
    identity: Option<(PathBuf, PathBuf)>,
}

/// The largest certificate or key file read (a CA bundle is a few hundred
/// kilobytes).
const MAX_FILE: u64 = 4 << 20;

/// The bytes of the regular file `path`, given as `option`.
fn read_file(option: &str, path: &Path) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let fail = |e: std::io::Error| format!("`{option}`: cannot read `{shown}`: {e}");
    // Not a device or a pipe, which could be endless or never answer.
    if !std::fs::metadata(path).map_err(fail)?.is_file() {
        return Err(format!("`{option}`: `{shown}` is not a file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .map_err(fail)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(format!("`{option}`: `{shown}` is larger than {} MiB", MAX_FILE >> 20));
    }
    Ok(bytes)
}

/// The PEM certificates of `path` (at least one).
fn certificates(option: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = read_file(option, path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("`{option}`: `{}` is not valid PEM: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "`{option}`: `{}` holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)",
            path.display()
        ));
    }
    Ok(certs)
}

/// The private key of `path`: PEM, PKCS#1, PKCS#8 or SEC1, unencrypted,
/// as the crate reads it. An error never quotes the file.
fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let bytes = read_file("ssl-key", path)?;
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(format!(
            "`ssl-key`: `{}` is encrypted with a passphrase, which foal cannot read: write it unencrypted \
             (`openssl pkey -in key.pem -out plain.pem`) and keep that file private",
            path.display()
        ));
    }
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|_| {
        format!(
            "`ssl-key`: `{}` holds no PEM private key (`BEGIN PRIVATE KEY`, `BEGIN RSA PRIVATE KEY` or \
             `BEGIN EC PRIVATE KEY`)",
            path.display()
        )
    })
}

impl Tls {
    /// The settings from the URL's values. Without `ssl-mode`, a CA asks
    /// for its check (`VERIFY_CA`); otherwise the mode is `PREFERRED`.
    ///
    /// # Errors
    /// A message naming the option: a file missing or unreadable, a
    /// certificate without its key, a CA where the mode ignores it.
    pub(crate) fn new(
        mode: Option<SslMode>,
        ca: Option<PathBuf>,
        cert: Option<PathBuf>,
        key: Option<PathBuf>,
    ) -> Result<Tls, String> {
        let mode = mode.unwrap_or(if ca.is_some() {
            SslMode::VerifyCa
        } else {
            SslMode::Preferred
        });
        let given = [
            ("ssl-ca", ca.is_some()),
            ("ssl-cert", cert.is_some()),
            ("ssl-key", key.is_some()),
        ];
        match (mode, given.iter().find(|(_, set)| *set)) {
            (SslMode::Disabled, Some((option, _))) => {
                return Err(format!("`{option}` asks for TLS, and `ssl-mode=DISABLED` turns it off"));
            }
            (SslMode::Preferred, _) if ca.is_some() => {
                return Err(
                    "`ssl-ca` is not checked with `ssl-mode=PREFERRED`: use `ssl-mode=VERIFY_CA` \
                            or `VERIFY_IDENTITY` (or REQUIRED, which checks the chain when a CA is given)"
                        .to_owned(),
                );
            }
            (SslMode::VerifyCa, _) if ca.is_none() => {
                return Err(
                    "`ssl-mode=VERIFY_CA` needs `ssl-ca`, the CA certificate to check the server's against".to_owned(),
                );
            }
            _ => {}
        }
        if let Some(ca) = &ca {
            certificates("ssl-ca", ca)?;
        }
        let identity = match (cert, key) {
            (Some(cert), Some(key)) => {
                let chain = certificates("ssl-cert", &cert)?;
                let private = private_key(&key)?;
                rustls::sign::CertifiedKey::from_der(chain, private, &rustls::crypto::ring::default_provider())
                    .map_err(|e| format!("`ssl-cert` and `ssl-key` do not make a client identity: {e}"))?;
                Some((cert, key))
            }
            (None, None) => None,
            (Some(_), None) => return Err("`ssl-cert` needs `ssl-key`, its private key".to_owned()),
            (None, Some(_)) => return Err("`ssl-key` needs `ssl-cert`, its certificate".to_owned()),
        };
        Ok(Tls { mode, ca, identity })
    }

    /// The crate's TLS options for a connection that tries TLS, `None`
    /// when the mode is `DISABLED`.
    pub(crate) fn ssl_opts(&self) -> Option<SslOpts> {
        let opts = SslOpts::default().with_client_identity(
            self.identity
                .as_ref()
                .map(|(cert, key)| ClientIdentity::new(cert.clone(), key.clone())),
        );
        let verify_chain = self.ca.is_some() || self.mode == SslMode::VerifyIdentity;
        let opts = match self.mode {
            SslMode::Disabled => return None,
            SslMode::Preferred => opts.with_danger_accept_invalid_certs(true),
            SslMode::Required if !verify_chain => opts.with_danger_accept_invalid_certs(true),
            SslMode::Required | SslMode::VerifyCa => opts.with_danger_skip_domain_validation(true),
            SslMode::VerifyIdentity => opts,
        };
        Some(opts.with_root_cert_path(self.ca.clone()))
    }
}

/// Makes ring rustls's process-wide provider unless one is installed: the
/// crate builds its TLS settings with `ClientConfig::builder()`, which
/// panics when the program links both ring and aws-lc-rs and none is.
pub(crate) fn install_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The I/O error inside a driver error, if it is one.
pub(crate) fn io_error(e: &mysql::Error) -> Option<&std::io::Error> {
    match e {
        mysql::Error::IoError(io) => Some(io),
        mysql::Error::CodecError(codec) => std::error::Error::source(codec)?.downcast_ref(),
        _ => None,
    }
}

/// What went wrong in TLS, where `e` comes from it: a certificate the
/// checks refused, a handshake the server broke off.
pub(crate) fn tls_failure(e: &mysql::Error) -> Option<String> {
    let rustls_error = match e {
        mysql::Error::TlsError(mysql::error::tls::TlsError::Tls(e)) => Some(e),
        mysql::Error::TlsError(other) => return Some(other.to_string()),
        other => io_error(other)
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
    }?;
    use rustls::{CertificateError, Error as E};
    let hint = match rustls_error {
        E::InvalidCertificate(CertificateError::UnknownIssuer) => {
            ": the server's certificate is not signed by `ssl-ca` (nor by a public CA)"
        }
        E::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => {
            ": the server's certificate is not for this host name (`VERIFY_IDENTITY` checks it, \
             `VERIFY_CA` does not)"
        }
        E::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => {
            ": the server's certificate has expired"
        }
        _ => "",
    };
    Some(format!("{rustls_error}{hint}"))
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn modes_in_any_case() {
        assert_eq!(SslMode::parse("verify_identity"), Some(SslMode::VerifyIdentity));
        assert_eq!(SslMode::parse("Preferred"), Some(SslMode::Preferred));
        assert_eq!(SslMode::parse("verify-ca"), None);
        assert_eq!(SslMode::parse(""), None);
        for (name, mode) in MODES {
            assert_eq!(mode.name(), name);
        }
    }

    #[test]
    fn options_that_contradict_the_mode_are_refused() {
        let path = || Some(PathBuf::from("/nonexistent/x.pem"));
        let message = |r: Result<Tls, String>| r.err().unwrap_or_else(|| panic!("accepted"));
        assert!(message(Tls::new(Some(SslMode::Disabled), path(), None, None)).contains("DISABLED"));
        assert!(message(Tls::new(Some(SslMode::Preferred), path(), None, None)).contains("PREFERRED"));
        assert!(message(Tls::new(Some(SslMode::VerifyCa), None, None, None)).contains("needs `ssl-ca`"));
        assert!(message(Tls::new(None, path(), None, None)).contains("cannot read `/nonexistent/x.pem`"));
        assert!(message(Tls::new(None, None, path(), None)).contains("needs `ssl-key`"));
        assert!(message(Tls::new(None, None, Some(PathBuf::from("/")), path())).contains("is not a file"));
        let tls = Tls::new(None, None, None, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tls.mode, SslMode::Preferred);
        assert!(Tls::new(Some(SslMode::Disabled), None, None, None).is_ok_and(|t| t.ssl_opts().is_none()));
    }

    #[test]
    fn files_that_are_not_pem_are_refused() {
        let dir = std::env::temp_dir().join(format!("foal-tls-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let junk = dir.join("junk.pem");
        let encrypted = dir.join("encrypted.pem");
        let written = std::fs::write(&junk, "not a certificate")
            .and_then(|()| std::fs::write(&encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nsecret\n"));
        written.unwrap_or_else(|e| panic!("{e}"));
        let ca = Tls::new(None, Some(junk.clone()), None, None).err().unwrap_or_default();
        assert!(ca.contains("holds no PEM certificate"), "{ca}");
        let key = private_key(&encrypted).err().unwrap_or_default();
        assert!(key.contains("encrypted") && !key.contains("secret"), "{key}");
        let key = private_key(&junk).err().unwrap_or_default();
        assert!(
            key.contains("no PEM private key") && !key.contains("not a certificate"),
            "{key}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

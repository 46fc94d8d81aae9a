//! TLS for the PostgreSQL client: libpq's `sslmode`, `sslrootcert`,
//! `sslcert` and `sslkey` as a rustls configuration (always with the
//! ring provider, never the process-wide default one), and the hash of
//! the server's certificate that SCRAM's channel binding
//! (`tls-server-end-point`) signs.
//!
//! The configuration is built once, when the URL is read: a missing or
//! unreadable file is a configuration error naming its option, never a
//! failure of every connection.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Never TLS.
    Disable,
    /// Plaintext first; TLS if the server refuses the plaintext session.
    Allow,
    /// TLS first; plaintext if the server refuses TLS (the default).
    Prefer,
    /// TLS or nothing; the certificate is checked only against an
    /// `sslrootcert` when one is given.
    Require,
    /// TLS, the certificate chain checked against `sslrootcert`.
    VerifyCa,
    /// As `VerifyCa`, and the certificate must name the host.
    VerifyFull,
}

impl SslMode {
    pub(crate) fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// Whether a session without TLS is acceptable.
    pub(crate) fn allows_plaintext(self) -> bool {
        matches!(self, SslMode::Disable | SslMode::Allow | SslMode::Prefer)
    }

    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The TLS settings of a URL: the mode, and the client configuration for
/// every mode but `disable`.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) mode: SslMode,
    pub(crate) client: Option<Arc<ClientConfig>>,
    /// What the URL named, for `Debug` (never the keys' contents).
    files: [Option<String>; 3],
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [root, cert, key] = &self.files;
        f.debug_struct("Tls")
            .field("sslmode", &self.mode)
            .field("sslrootcert", root)
            .field("sslcert", cert)
            .field("sslkey", key)
            .finish()
    }
}

/// The files of `sslrootcert`, `sslcert` and `sslkey`.
#[derive(Default)]
pub(crate) struct Files {
    pub(crate) root: Option<String>,
    pub(crate) cert: Option<String>,
    pub(crate) key: Option<String>,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Tls {
    /// The settings of `mode` with `files`. An error names the option at
    /// fault.
    pub(crate) fn new(mode: SslMode, files: Files) -> Result<Tls, String> {
        let names = [files.root.clone(), files.cert.clone(), files.key.clone()];
        if mode == SslMode::Disable {
            return Ok(Tls {
                mode,
                client: None,
                files: names,
            });
        }
        let provider = provider();
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?;
        let verifier: Arc<dyn ServerCertVerifier> = match files.root.as_deref() {
            Some("system") => {
                return Err(
                    "option `sslrootcert`: `system` (the operating system's CA store) is not supported; \
                            name a PEM file of the CA certificates"
                        .into(),
                );
            }
            Some(path) => {
                let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots(path)?), Arc::clone(&provider))
                    .build()
                    .map_err(|e| format!("option `sslrootcert`: {e}"))?;
                if mode == SslMode::VerifyFull {
                    webpki
                } else {
                    // `require` with a CA file checks the chain, as libpq does.
                    Arc::new(ChainOnly(webpki))
                }
            }
            None if matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull) => {
                return Err(format!(
                    "option `sslmode`: {mode} checks the server's certificate, and needs `sslrootcert`, \
                     a PEM file of the CA certificates to check it against"
                ));
            }
            None => Arc::new(NoVerify(Arc::clone(&provider))),
        };
        let builder = builder.dangerous().with_custom_certificate_verifier(verifier);
        let client = match (files.cert.as_deref(), files.key.as_deref()) {
            (Some(cert), Some(key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| format!("option `sslcert`: cannot read certificates from `{cert}`: {e}"))?;
                if chain.is_empty() {
                    return Err(format!("option `sslcert`: `{cert}` holds no certificate"));
                }
                key_is_private(key)?;
                let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                    format!(
                        "option `sslkey`: cannot read a private key from `{key}`: {e} \
                         (PKCS#1, PKCS#8 or SEC1 PEM; an encrypted key is not supported)"
                    )
                })?;
                builder
                    .with_client_auth_cert(chain, key_der)
                    .map_err(|e| format!("options `sslcert` and `sslkey`: {e}"))?
            }
            (Some(_), None) => return Err("option `sslcert` needs `sslkey`, the certificate's private key".into()),
            (None, Some(_)) => return Err("option `sslkey` needs `sslcert`, the client certificate".into()),
            (None, None) => builder.with_no_client_auth(),
        };
        Ok(Tls {
            mode,
            client: Some(Arc::new(client)),
            files: names,
        })
    }
}

/// The CA certificates of a PEM file.
fn roots(path: &str) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("option `sslrootcert`: cannot read certificates from `{path}`: {e}"))?;
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| format!("option `sslrootcert`: a certificate of `{path}`: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("option `sslrootcert`: `{path}` holds no certificate"));
    }
    Ok(roots)
}

/// libpq refuses a key file others may read; so does foal.
#[cfg(unix)]
fn key_is_private(path: &str) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(Path::new(path)).map_err(|e| format!("option `sslkey`: `{path}`: {e}"))?;
    let mode = meta.mode();
    // 0600 or stricter; 0640 when root owns it (a key shared with a group).
    let private = mode & 0o077 == 0 || (meta.uid() == 0 && mode & 0o037 == 0);
    if private {
        Ok(())
    } else {
        Err(format!(
            "option `sslkey`: `{path}` can be read by other users (mode {:o}); make it 0600",
            mode & 0o777
        ))
    }
}

#[cfg(not(unix))]
fn key_is_private(path: &str) -> Result<(), String> {
    let _ = Path::new(path);
    Ok(())
}

/// `verify-ca`: the chain is checked, not the name. rustls checks the chain
/// first and the name second, so a name error means the chain is good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `allow`, `prefer` and `require` without a CA file: encryption without
/// authentication of the server, as libpq. The handshake's signatures
/// are still checked.
#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The name the certificate is checked against: the host as written (an
/// IP address or a DNS name).
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_owned()).map_err(|_| format!("`{host}` is neither a DNS name nor an IP address"))
}

/// The `tls-server-end-point` channel binding data of a certificate
/// (RFC 5929): its hash by the hash function of its signature, with MD5
/// and SHA-1 replaced by SHA-256, as the server computes it. `None` for a
/// signature this does not know (Ed25519, RSA-PSS): PostgreSQL cannot
/// bind those either, and the client then does not offer binding.
pub(crate) fn end_point_hash(cert: &[u8]) -> Option<Vec<u8>> {
    let hash = match signature_oid(cert)? {
        // sha{1,224,256}WithRSAEncryption, md5WithRSA, ecdsa-with-SHA{1,256}
        [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x04 | 0x05 | 0x0B]
        | [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01]
        | [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02] => {
            rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256
        }
        // sha384WithRSAEncryption, ecdsa-with-SHA384
        [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C] | [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03] => {
            rustls::crypto::ring::cipher_suite::TLS13_AES_256_GCM_SHA384
        }
        // SHA-512 signatures: no cipher suite of the provider hashes with
        // SHA-512, so binding is not offered.
        _ => return None,
    };
    match hash {
        rustls::SupportedCipherSuite::Tls13(suite) => Some(suite.common.hash_provider.hash(cert).as_ref().to_vec()),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The OID of a certificate's `signatureAlgorithm`: `Certificate ::=
/// SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE {
/// algorithm OID, parameters }, signature BIT STRING }`.
fn signature_oid(cert: &[u8]) -> Option<&[u8]> {
    let (tag, certificate, _) = tlv(cert)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _, after_tbs) = tlv(certificate)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, algorithm, _) = tlv(after_tbs)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, oid, _) = tlv(algorithm)?;
    (tag == 0x06).then_some(oid)
}

/// One DER element at the start of `der`: its tag, its contents and what
/// follows it.
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        (bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b)), rest)
    };
    let (contents, rest) = rest.split_at_checked(len)?;
    Some((tag, contents, rest))
}

#[cfg(test)]
mod tests {
    use super::{end_point_hash, signature_oid, tlv};

    #[test]
    fn der_lengths_never_read_past_the_end() {
        assert_eq!(tlv(&[0x30, 0x02, 1, 2]), Some((0x30, &[1u8, 2][..], &[][..])));
        assert_eq!(tlv(&[0x30, 0x81, 0x01, 7, 9]), Some((0x30, &[7u8][..], &[9u8][..])));
        assert_eq!(tlv(&[0x30, 0x03, 1]), None);
        assert_eq!(tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(tlv(&[0x30]), None);
        assert_eq!(signature_oid(&[]), None);
        assert_eq!(end_point_hash(&[0x30, 0x00]), None);
    }

    #[test]
    fn the_signature_algorithm_picks_the_hash() {
        // SEQUENCE { SEQUENCE {} , SEQUENCE { OID sha256WithRSAEncryption, NULL }, BIT STRING }
        let sha256_rsa = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
        let mut algorithm = vec![0x06, sha256_rsa.len() as u8];
        algorithm.extend_from_slice(&sha256_rsa);
        algorithm.extend_from_slice(&[0x05, 0x00]);
        let mut body = vec![0x30, 0x00, 0x30, algorithm.len() as u8];
        body.extend_from_slice(&algorithm);
        body.extend_from_slice(&[0x03, 0x01, 0x00]);
        let mut cert = vec![0x30, body.len() as u8];
        cert.extend_from_slice(&body);
        assert_eq!(signature_oid(&cert), Some(&sha256_rsa[..]));
        assert_eq!(end_point_hash(&cert).map(|h| h.len()), Some(32));
    }
}

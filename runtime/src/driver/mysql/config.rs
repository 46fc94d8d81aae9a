//! The connection settings of a `mysql://` (or `mariadb://`) URL: the
//! `mysql` crate reads them, and foal refuses the ones that would make the
//! driver panic at connect time instead of failing.

use mysql::Opts;

use crate::error::{Error, Result};

/// `mysql://user:password@host:port/dbname?key=value&…` (also
/// `mariadb://`), with the `mysql` crate's own options.
///
/// # Errors
/// [`Error::Config`] for a URL the driver rejects, or one with TLS
/// options (this build has no TLS).
pub(crate) fn parse(url: &str) -> Result<Opts> {
    let url = match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_owned(),
    };
    let opts = Opts::from_url(&url).map_err(|e| Error::Config(format!("invalid MySQL URL: {e}")))?;
    check_tls(&opts)?;
    Ok(opts)
}

/// TLS is not built in yet: the `mysql` crate is compiled without a TLS
/// backend, yet it accepts `root_cert_path` and the `danger_*` options and
/// then panics at connect time when the server offers TLS. Where TLS
/// support comes, this is where the options become its configuration.
fn check_tls(opts: &Opts) -> Result<()> {
    if opts.get_ssl_opts().is_some() {
        return Err(Error::Config(
            "invalid MySQL URL: TLS options (`root_cert_path`, `danger_accept_invalid_certs`, \
             `danger_skip_domain_validation`) are not supported yet: this build of foal connects to MySQL \
             without TLS"
                .to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::parse;

    fn message(url: &str) -> String {
        match parse(url) {
            Ok(_) => panic!("{url} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn urls() {
        let opts = parse("mariadb://ann:pw@db.example:3307/shop?compress=11&prefer_socket=false")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opts.get_ip_or_hostname().to_string(), "db.example");
        assert_eq!((opts.get_tcp_port(), opts.get_db_name()), (3307, Some("shop")));
        // Only the scheme is rewritten, not a later `mariadb://`.
        let opts = parse("mysql://h/db?user=mariadb://x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opts.get_user(), Some("mariadb://x"));
        assert!(message("mysql://h/db?colour=red").contains("colour"));
    }

    #[test]
    fn tls_options_are_refused() {
        for option in [
            "root_cert_path=/ca.pem",
            "danger_accept_invalid_certs=true",
            "danger_skip_domain_validation=false",
            "root%5Fcert%5Fpath=x",
        ] {
            let text = message(&format!("mysql://h/db?{option}"));
            assert!(text.contains("TLS options"), "{option}: {text}");
        }
        for option in ["require_ssl=true", "cert_chain_path=a", "pkcs12_path=a"] {
            let text = message(&format!("mysql://h/db?{option}"));
            assert!(text.contains("invalid MySQL URL"), "{option}: {text}");
        }
    }
}

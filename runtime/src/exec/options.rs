//! foal's own options in a database URL's query string (the others go to
//! the driver).

use std::time::Duration;

use crate::error::{Error, Result};

/// The largest `pool_size` accepted.
const MAX_POOL: u64 = 1024;

/// Options read from the URL's query string.
pub(crate) struct Options {
    pub(crate) pool_size: Option<usize>,
    pub(crate) life: super::pool::Lifecycle,
    /// `slow_ms=N`: statements slower than this are logged at WARN
    /// (with the `tracing` feature).
    pub(crate) slow: Option<Duration>,
}

/// Takes foal's own options out of the URL's query string; the others stay
/// for the driver (`options=…` for PostgreSQL, `prefer_socket=…` for MySQL).
pub(crate) fn split_options(url: &str) -> Result<(String, Options)> {
    let mut options = Options {
        pool_size: None,
        life: super::pool::Lifecycle::default(),
        slow: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), options));
    };
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| Error::Config(format!("`{key}` needs a number, found `{value}`")))
        };
        match key {
            "pool_size" => {
                let size = number()?;
                if !(1..=MAX_POOL).contains(&size) {
                    return Err(Error::Config(format!("`pool_size` must be between 1 and {MAX_POOL}")));
                }
                options.pool_size = usize::try_from(size).ok();
            }
            "pool_timeout_ms" => options.life.timeout = Duration::from_millis(number()?),
            "pool_max_lifetime_ms" => options.life.max_lifetime = Some(Duration::from_millis(number()?)),
            "pool_idle_timeout_ms" => options.life.idle_timeout = Some(Duration::from_millis(number()?)),
            "pool_check_after_ms" => options.life.check_after = Some(Duration::from_millis(number()?)),
            "pool_min_idle" => {
                options.life.min_idle = usize::try_from(number()?)
                    .ok()
                    .filter(|n| *n as u64 <= MAX_POOL)
                    .ok_or_else(|| Error::Config(format!("`pool_min_idle` must be at most {MAX_POOL}")))?;
            }
            "slow_ms" if cfg!(feature = "tracing") => options.slow = Some(Duration::from_millis(number()?)),
            "slow_ms" => {
                return Err(Error::Config(
                    "`slow_ms` logs through `tracing`: enable foal's `tracing` feature".to_owned(),
                ));
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, options))
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn parse(url: &str) -> (String, Options) {
        match split_options(url) {
            Ok(parsed) => parsed,
            Err(e) => panic!("{url}: {e}"),
        }
    }

    #[test]
    fn foal_options_are_taken_out_and_the_rest_stays_for_the_driver() {
        let (url, options) = parse("postgres://h/db?pool_size=3&application_name=x&pool_timeout_ms=250");
        assert_eq!(url, "postgres://h/db?application_name=x");
        assert_eq!(options.pool_size, Some(3));
        assert_eq!(options.life.timeout, Duration::from_millis(250));
        let (url, options) = parse("sqlite::memory:");
        assert_eq!((url.as_str(), options.pool_size), ("sqlite::memory:", None));
        assert_eq!(options.life.timeout, Duration::from_secs(30));
        assert_eq!(parse("mysql://h/db?pool_size=2").0, "mysql://h/db");
    }

    #[test]
    fn bad_values_name_the_option() {
        for (url, option) in [
            ("sqlite::memory:?pool_size=0", "pool_size"),
            ("sqlite::memory:?pool_size=1025", "pool_size"),
            ("sqlite::memory:?pool_size=x", "pool_size"),
            ("sqlite::memory:?pool_timeout_ms=-1", "pool_timeout_ms"),
        ] {
            let message = split_options(url).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(option), "{url}: {message}");
        }
    }
}

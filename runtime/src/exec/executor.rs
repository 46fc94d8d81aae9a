//! `Executor`: what queries run against (a database or a transaction), and
//! the helpers both run statements with.

use crate::dialects::Dialect;
use crate::driver::Conn;
use crate::error::{CallSite, Error, Result};

use super::pool::Pooled;

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// Something queries run against: a [`Database`](crate::Database) or a
/// [`Transaction`](crate::Transaction).
pub trait Executor: sealed::Sealed {
    /// The dialect of the backend.
    fn dialect(&self) -> Dialect;

    /// Runs `f` on a connection.
    #[doc(hidden)]
    fn run<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: F) -> Result<R>;

    /// Runs `f`, which only reads, on a connection. Outside a transaction
    /// a read that finds its pooled connection dead (the server restarted
    /// since it was last used) is run once more on a fresh connection:
    /// reading twice is harmless, and the caller never sees a connection
    /// the pool should have known was gone.
    #[doc(hidden)]
    fn run_read<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: F) -> Result<R> {
        self.run(site, f)
    }

    /// Runs `f` on a connection so that its writes happen all or not at
    /// all: in a transaction, or a savepoint inside one.
    #[doc(hidden)]
    fn atomic<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: F) -> Result<R>;
}

/// `begin`, `f`, then `commit`, or `rollback` when `f` fails.
pub(crate) fn bracket<R>(
    conn: &mut Conn,
    site: CallSite,
    [begin, commit, rollback]: [&str; 3],
    f: &mut dyn FnMut(&mut Conn) -> Result<R>,
) -> Result<R> {
    conn.batch(begin, site)?;
    match f(conn) {
        Ok(value) => {
            conn.batch(commit, site)?;
            Ok(value)
        }
        Err(e) => {
            // The original error matters more than a failed rollback, and a
            // connection that cannot roll back is discarded by the pool.
            let _ = conn.batch(rollback, site);
            Err(e)
        }
    }
}

pub(crate) fn rollback(pooled: &mut Pooled<'_>, site: CallSite) {
    if with_conn(pooled, site, |c| c.batch("ROLLBACK", site)).is_err() {
        pooled.discard();
    }
}

/// Runs `f` on the pooled connection; a lost connection is discarded.
#[inline(always)]
pub(crate) fn with_conn<R>(
    pooled: &mut Pooled<'_>,
    site: CallSite,
    f: impl FnOnce(&mut Conn) -> Result<R>,
) -> Result<R> {
    let Some(conn) = pooled.conn() else {
        return Err(Error::ConnectionLost {
            message: "the connection was already closed".into(),
            site,
        });
    };
    let result = f(conn);
    if matches!(result, Err(Error::ConnectionLost { .. })) {
        pooled.lost();
    }
    result
}

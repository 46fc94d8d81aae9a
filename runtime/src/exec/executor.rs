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

    /// Lends the connection out for as long as the [`Lent`] lives (a
    /// streaming iterator's): a pooled one for a database, the
    /// transaction's own (busy meanwhile) for a transaction.
    #[doc(hidden)]
    fn lend(&self, site: CallSite) -> Result<Lent<'_>>;
}

/// A connection lent out of an executor: [`take`](Lent::take) it to
/// another thread and [`give_back`](Lent::give_back) what comes back.
/// Dropped, it returns the slot to the pool (or the transaction); a
/// connection taken and never given back closes with the thread that had
/// it, and the slot is freed empty.
#[doc(hidden)]
pub struct Lent<'e> {
    holder: Box<dyn Holder + 'e>,
    /// Whether the connection sat idle in the pool before it was lent.
    idle: bool,
}

/// What holds a lent connection: a pool's guard (boxed), or a
/// transaction's borrowed one.
trait Holder {
    fn take(&mut self) -> Option<Conn>;
    fn give_back(&mut self, conn: Conn);
    fn lost(&mut self);
    fn discard(&mut self);
}

impl<'p, P: std::ops::DerefMut<Target = Pooled<'p>>> Holder for P {
    fn take(&mut self) -> Option<Conn> {
        Pooled::take(self)
    }
    fn give_back(&mut self, conn: Conn) {
        Pooled::give_back(self, conn);
    }
    fn lost(&mut self) {
        Pooled::lost(self);
    }
    fn discard(&mut self) {
        Pooled::discard(self);
    }
}

impl<'e> Lent<'e> {
    pub(crate) fn pooled(pooled: Pooled<'e>) -> Lent<'e> {
        Lent {
            idle: pooled.was_idle(),
            holder: Box::new(Box::new(pooled)),
        }
    }

    /// A transaction's connection: never read again on another one.
    pub(crate) fn borrowed<'db: 'e>(pooled: std::cell::RefMut<'e, Pooled<'db>>) -> Lent<'e> {
        Lent {
            idle: false,
            holder: Box::new(pooled),
        }
    }

    /// The connection, or `ConnectionLost` when an earlier error closed it.
    pub(crate) fn take(&mut self, site: CallSite) -> Result<Conn> {
        self.holder.take().ok_or_else(|| Error::ConnectionLost {
            message: "the connection was already closed".into(),
            site,
        })
    }

    /// Returns the connection; one whose server went away is closed, and
    /// the pool checks the others before their next use.
    pub(crate) fn give_back(&mut self, conn: Conn, lost: bool) {
        self.holder.give_back(conn);
        if lost {
            self.holder.lost();
        }
    }

    /// Closes the connection when the slot is returned (it was left in an
    /// unknown state).
    pub(crate) fn discard(&mut self) {
        self.holder.discard();
    }

    /// Whether the connection sat idle in the pool before: a read that
    /// finds it dead may run again on a fresh one.
    pub(crate) fn was_idle(&self) -> bool {
        self.idle
    }
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

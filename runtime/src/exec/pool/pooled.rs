//! `Pooled`: a connection taken from the pool, given back (or closed) on
//! drop.

use super::*;

/// A connection taken from the pool; given back on drop.
pub(crate) struct Pooled<'p> {
    pub(super) pool: &'p Pool,
    pub(super) slot: Option<Held<'p>>,
    pub(super) broken: bool,
    /// Opened before this caller took it.
    pub(super) idle: bool,
}

impl Pooled<'_> {
    pub(crate) fn conn(&mut self) -> Option<&mut Conn> {
        self.slot.as_mut()?.conn.as_mut()
    }

    /// Whether the connection was opened before this caller took it.
    pub(crate) fn was_idle(&self) -> bool {
        self.idle
    }

    /// Takes the connection out, for a thread that streams rows on it
    /// ([`give_back`](Self::give_back) returns it). A connection never given
    /// back leaves the slot empty, and the slot is freed on drop.
    pub(crate) fn take(&mut self) -> Option<Conn> {
        self.slot.as_mut()?.conn.take()
    }

    /// Returns a connection [`take`](Self::take) took.
    pub(crate) fn give_back(&mut self, conn: Conn) {
        if let Some(slot) = self.slot.as_mut() {
            slot.conn = Some(conn);
        }
    }

    /// Marks the connection as unusable: it is closed instead of kept.
    pub(crate) fn discard(&mut self) {
        self.broken = true;
    }

    /// The connection lost its server: close it, and check each other one
    /// before its next use.
    pub(crate) fn lost(&mut self) {
        self.broken = true;
        self.pool.generation.fetch_add(1, Ordering::AcqRel);
    }
}

impl Drop for Pooled<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        let Some(mut slot) = self.slot.take() else { return };
        if let Some(conn) = &slot.conn {
            slot.0.sent.store(conn.sent, Ordering::Relaxed);
        }
        // A connection with a reply left unread (a panic stopped a
        // statement halfway), or inside a transaction, reports itself
        // unhealthy and is closed.
        let reusable = !self.broken && slot.conn.as_mut().is_some_and(Conn::is_healthy);
        if !reusable {
            self.pool.close(&mut slot);
        } else if self.pool.timed {
            slot.last_used = Instant::now();
        }
        self.pool.release(slot);
    }
}

impl Pool {
    /// Closes the connection of a slot (out of the way of the path that
    /// returns a healthy one).
    #[cold]
    #[inline(never)]
    fn close(&self, slot: &mut Held<'_>) {
        if slot.conn.is_some() {
            self.counters.closed.fetch_add(1, Ordering::Relaxed);
        }
        slot.set_conn(None);
    }
}

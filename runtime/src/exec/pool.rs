//! A small blocking connection pool.
//!
//! The pool has `max` slots, each a flag-guarded cell of at most one
//! connection. A caller takes the first slot whose flag it can set,
//! starting from one picked by its thread (so a thread keeps reusing the
//! same connection and its prepared statements), opens a connection there
//! if the slot is empty, and holds the slot while it uses it: taking a
//! connection is one compare-exchange, returning it one store. When every
//! slot is busy the caller waits, up to `timeout`, to be woken by the next
//! connection returned.
//!
//! A connection that broke, or that was left inside a transaction, is
//! closed instead of kept. When one is found lost, the connections opened
//! before it are closed too, each the next time it is taken (they most
//! likely lost the same server), so the pool recovers on the next call
//! instead of handing out dead connections one by one.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::driver::Conn;
use crate::error::{CallSite, Error, Result};

type Connect = Box<dyn Fn() -> Result<Conn> + Send + Sync>;

/// How long a waiting caller sleeps at most before looking at the slots
/// again. Returning a connection wakes waiters at once; the poll covers the
/// rare wake-up that races with a waiter going to sleep, which keeps the
/// return path free of memory fences.
const POLL: Duration = Duration::from_millis(2);

#[derive(Default)]
struct Slot {
    conn: Option<Conn>,
    /// The pool's generation when the connection was opened.
    generation: u64,
}

/// A slot behind a lock that is only ever tried, never waited on (waiting
/// goes through the pool's gate): taking it is one compare-exchange and
/// giving it back a plain store, where a `Mutex` also swaps on unlock and
/// checks for panics both ways.
#[derive(Default)]
struct Cell {
    taken: AtomicBool,
    /// Statements sent through this slot, as of the last time its
    /// connection came back (the connection counts in a plain field while
    /// it is out, so a statement costs no write to shared memory).
    sent: AtomicU64,
    slot: UnsafeCell<Slot>,
}

// SAFETY: the slot is reached only through a `Held`, and `Cell::try_hold`
// makes at most one at a time: the one whose compare-exchange set `taken`,
// until it drops and clears the flag (Release, paired with the Acquire of
// the next holder's compare-exchange). `Slot` is `Send`.
#[allow(unsafe_code)]
unsafe impl Sync for Cell {}

impl Cell {
    #[inline(always)]
    fn try_hold(&self) -> Option<Held<'_>> {
        let free = !self.taken.load(Ordering::Relaxed)
            && self
                .taken
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok();
        // Made only when taken: a `Held` gives the slot back as it drops.
        free.then(|| Held(self))
    }
}

/// The one holder of a slot; gives it back on drop.
struct Held<'p>(&'p Cell);

impl Deref for Held<'_> {
    type Target = Slot;
    #[allow(unsafe_code)]
    #[inline(always)]
    fn deref(&self) -> &Slot {
        // SAFETY: this is the slot's only holder (see `Cell`).
        unsafe { &*self.0.slot.get() }
    }
}

impl DerefMut for Held<'_> {
    #[allow(unsafe_code)]
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Slot {
        // SAFETY: this is the slot's only holder (see `Cell`), borrowed
        // mutably here.
        unsafe { &mut *self.0.slot.get() }
    }
}

impl Drop for Held<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.taken.store(false, Ordering::Release);
    }
}

/// The fields every statement reads (the slots, the generation, the
/// count of waiters) come first: inside `Database`'s cache-line-aligned
/// state they share one line with the dialect.
#[repr(C)]
pub(crate) struct Pool {
    slots: Vec<Cell>,
    /// Raised when a connection is found lost: older ones are closed.
    generation: AtomicU64,
    /// Callers waiting for a slot; returning a connection wakes them only
    /// when there are some (a wake-up is a system call).
    waiting: AtomicUsize,
    gate: Mutex<()>,
    returned: Condvar,
    timeout: Duration,
    connect: Connect,
}

/// A small number per thread, to spread threads over the slots.
fn thread_slot() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SLOT: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    SLOT.with(|s| *s)
}

impl Pool {
    pub(crate) fn new(max: usize, timeout: Duration, connect: Connect) -> Pool {
        Pool {
            slots: (0..max.max(1)).map(|_| Cell::default()).collect(),
            waiting: AtomicUsize::new(0),
            gate: Mutex::new(()),
            returned: Condvar::new(),
            generation: AtomicU64::new(0),
            timeout,
            connect,
        }
    }

    pub(crate) fn max(&self) -> usize {
        self.slots.len()
    }

    /// Statements sent so far on this pool's connections.
    pub(crate) fn statements_sent(&self) -> u64 {
        self.slots.iter().map(|c| c.sent.load(Ordering::Relaxed)).sum()
    }

    /// The first slot free right now, from this thread's own.
    #[inline(always)]
    fn try_take(&self) -> Option<Held<'_>> {
        // A panic while a connection was in use leaves its slot sound: the
        // connection is checked before reuse.
        let try_slot = |index: usize| self.slots.get(index)?.try_hold();
        let n = self.slots.len();
        if n == 1 {
            return try_slot(0);
        }
        let start = thread_slot() % n;
        (0..n).find_map(|i| try_slot(if start + i >= n { start + i - n } else { start + i }))
    }

    /// A connection, waiting for one if all are busy.
    #[inline(always)]
    pub(crate) fn get(&self, site: CallSite) -> Result<Pooled<'_>> {
        let held = match self.try_take() {
            Some(held) => held,
            None => self.wait(site)?,
        };
        self.ready(held)
    }

    #[cold]
    fn wait(&self, site: CallSite) -> Result<Held<'_>> {
        // A timeout too large to add is no timeout.
        let deadline = Instant::now().checked_add(self.timeout);
        let mut gate = self.gate.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let outcome = loop {
            // Checked with the gate held and `waiting` raised: a slot
            // freed after this scan wakes us.
            if let Some(taken) = self.try_take() {
                break Ok(taken);
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                break Err(Error::PoolTimeout {
                    waited: self.timeout,
                    size: self.slots.len(),
                    site,
                });
            }
            let left = deadline.map_or(POLL, |d| (d - now).min(POLL));
            gate = self
                .returned
                .wait_timeout(gate, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        outcome
    }

    /// Makes sure the slot holds a live connection.
    #[inline(always)]
    fn ready<'p>(&'p self, mut slot: Held<'p>) -> Result<Pooled<'p>> {
        let generation = self.generation.load(Ordering::Acquire);
        let idle = slot.conn.is_some() && slot.generation >= generation;
        if !idle {
            self.open(&mut slot, generation)?;
        }
        Ok(Pooled {
            pool: self,
            slot: Some(slot),
            broken: false,
            idle,
        })
    }

    /// Opens a connection in an empty slot, or in place of one opened
    /// before the last connection was found lost.
    #[cold]
    fn open(&self, slot: &mut Held<'_>, generation: u64) -> Result<()> {
        slot.conn = None;
        let mut conn = (self.connect)()?;
        // The slot's count goes on from where the connection it replaces
        // left it.
        conn.sent = slot.0.sent.load(Ordering::Relaxed);
        slot.conn = Some(conn);
        slot.generation = generation;
        Ok(())
    }

    /// Wakes a waiter, if any, after a slot was unlocked.
    #[inline]
    fn released(&self) {
        // No fence between the unlock and this load: a waiter that misses
        // this wake-up finds the slot on its next poll (see `POLL`).
        if self.waiting.load(Ordering::Relaxed) > 0 {
            self.wake();
        }
    }

    #[cold]
    fn wake(&self) {
        let _gate = self.gate.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.returned.notify_all();
    }
}

/// A connection taken from the pool; given back on drop.
pub(crate) struct Pooled<'p> {
    pool: &'p Pool,
    slot: Option<Held<'p>>,
    broken: bool,
    /// Opened before this caller took it.
    idle: bool,
}

impl Pooled<'_> {
    pub(crate) fn conn(&mut self) -> Option<&mut Conn> {
        self.slot.as_mut()?.conn.as_mut()
    }

    /// Whether the connection was opened before this caller took it.
    pub(crate) fn was_idle(&self) -> bool {
        self.idle
    }

    /// Marks the connection as unusable: it is closed instead of kept.
    pub(crate) fn discard(&mut self) {
        self.broken = true;
    }

    /// The connection lost its server: close it and, as they are next
    /// taken, every connection opened before it.
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
        // statement halfway) reports itself unhealthy and is closed.
        let reusable = !self.broken && slot.conn.as_mut().is_some_and(Conn::is_healthy);
        if !reusable {
            close(&mut slot);
        }
        drop(slot);
        self.pool.released();
    }
}

/// Closes the connection of a slot (out of the way of the path that
/// returns a healthy one).
#[cold]
#[inline(never)]
fn close(slot: &mut Slot) {
    slot.conn = None;
}

#[cfg(test)]
mod tests {
    use super::Cell;

    #[test]
    fn a_held_slot_stays_held_while_others_try_it() {
        let cell = Cell::default();
        let first = cell.try_hold();
        assert!(first.is_some());
        // A failed try must not give back the holder's slot.
        assert!(cell.try_hold().is_none());
        assert!(cell.try_hold().is_none());
        drop(first);
        assert!(cell.try_hold().is_some());
    }
}

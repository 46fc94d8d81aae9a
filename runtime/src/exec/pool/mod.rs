//! A small blocking connection pool with a lifecycle.
//!
//! The pool has `max` slots, each a flag-guarded cell of at most one
//! connection. A caller takes a free slot that holds a connection, starting
//! from one picked by its thread (so a thread keeps reusing the same
//! connection and its prepared statements), and opens a connection only
//! when no free slot holds one; it holds the slot while it uses it: taking
//! a connection is one compare-exchange, returning it one store.
//!
//! When every slot is busy, callers wait in line: a connection coming back
//! is handed to the first waiter, still held, so waiting is fair and a
//! return wakes one thread, not all of them. (A waiter that registered
//! just as the last connection came back, which the return path cannot
//! see without a memory fence on every statement, looks at the slots again
//! after a short sleep: a safety net, not a poll.)
//!
//! A connection that broke, or that was left inside a transaction, is
//! closed instead of kept. When one is found lost, the others are checked
//! (a ping) the next time they are taken, and only the dead ones replaced.
//! Connections idle for `check_after` are checked before they are handed
//! out; those older than `max_lifetime` are replaced; with `idle_timeout`
//! or `min_idle`, a maintenance thread closes idle connections above
//! `min_idle` and opens connections up to it.

use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::driver::Conn;
use crate::error::{CallSite, Error, Result};

type Connect = Box<dyn Fn() -> Result<Conn> + Send + Sync>;

/// How long a waiter sleeps before looking at the slots itself (see the
/// module's documentation): only a return that raced with its registering
/// goes unseen that long.
const SAFETY_NET: Duration = Duration::from_millis(5);

/// What the pool does over time; URL options of `Database::open`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifecycle {
    /// How long a caller waits for a connection (`pool_timeout_ms`).
    pub(crate) timeout: Duration,
    /// Connections older than this are replaced (`pool_max_lifetime_ms`).
    pub(crate) max_lifetime: Option<Duration>,
    /// Idle connections above `min_idle` are closed after this long
    /// (`pool_idle_timeout_ms`).
    pub(crate) idle_timeout: Option<Duration>,
    /// Connections kept open even when idle (`pool_min_idle`).
    pub(crate) min_idle: usize,
    /// A connection idle this long is pinged before it is handed out
    /// (`pool_check_after_ms`; off by default: a read that finds its idle
    /// connection dead is run again on a fresh one anyway).
    pub(crate) check_after: Option<Duration>,
}

impl Lifecycle {
    /// Whether the pool keeps the time connections were last used: a
    /// clock read per statement, which only these options need.
    fn timed(&self) -> bool {
        self.max_lifetime.is_some() || self.idle_timeout.is_some() || self.check_after.is_some()
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            timeout: Duration::from_secs(30),
            max_lifetime: None,
            idle_timeout: None,
            min_idle: 0,
            check_after: None,
        }
    }
}

struct Slot {
    conn: Option<Conn>,
    /// The pool's generation when the connection was opened or last
    /// checked.
    generation: u64,
    opened: Instant,
    last_used: Instant,
}

impl Default for Slot {
    fn default() -> Self {
        let now = Instant::now();
        Slot {
            conn: None,
            generation: 0,
            opened: now,
            last_used: now,
        }
    }
}

/// A slot behind a lock that is only ever tried, never waited on (waiting
/// goes through the line of waiters): taking it is one compare-exchange
/// and giving it back a plain store.
#[derive(Default)]
struct Cell {
    taken: AtomicBool,
    /// The slot holds a connection (kept by its holder): callers prefer
    /// these to empty slots.
    open: AtomicBool,
    /// Statements sent through this slot, as of the last time its
    /// connection came back (the connection counts in a plain field while
    /// it is out, so a statement costs no write to shared memory).
    sent: AtomicU64,
    slot: UnsafeCell<Slot>,
}

// SAFETY: the slot is reached only through a `Held`, and `Cell::try_hold`
// makes at most one at a time: the one whose compare-exchange set `taken`,
// until it drops and clears the flag (Release, paired with the Acquire of
// the next holder's compare-exchange), or hands itself to a waiter, which
// takes it over with the flag still set (the line's mutex orders the two).
// `Slot` is `Send`.
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

impl Held<'_> {
    fn set_conn(&mut self, conn: Option<Conn>) {
        self.0.open.store(conn.is_some(), Ordering::Relaxed);
        self.conn = conn;
    }
}

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

/// A caller waiting for a connection: the slot handed to it, if any.
#[derive(Default)]
struct Waiter {
    handed: Mutex<Option<usize>>,
    woken: Condvar,
}

#[derive(Default)]
struct Counters {
    opened: AtomicU64,
    closed: AtomicU64,
    timeouts: AtomicU64,
}

/// The fields every statement reads (the slots, the generation, the
/// count of waiters) come first: inside `Database`'s cache-line-aligned
/// state they share one line with the dialect.
#[repr(C)]
pub(crate) struct Pool {
    slots: Vec<Cell>,
    /// Raised when a connection is found lost: the others are checked
    /// before their next use.
    generation: AtomicU64,
    /// Callers in `line`; returning a connection looks at the line only
    /// when there are some.
    waiting: AtomicUsize,
    line: Mutex<VecDeque<Arc<Waiter>>>,
    life: Lifecycle,
    /// `life.timed()`, read by every statement.
    timed: bool,
    counters: Counters,
    connect: Connect,
}

/// What the pool holds right now (`Database::pool_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// The most connections open at once (`pool_size`).
    pub size: usize,
    /// Connections open now, in use or idle.
    pub open: usize,
    /// Open connections no caller holds.
    pub idle: usize,
    /// Callers waiting for a connection.
    pub waiting: usize,
    /// Connections opened and closed since the pool was made.
    pub opened: u64,
    pub closed: u64,
    /// Callers that gave up waiting (`Error::PoolTimeout`).
    pub timeouts: u64,
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
    pub(crate) fn new(max: usize, life: Lifecycle, connect: Connect) -> Pool {
        Pool {
            slots: (0..max.max(1)).map(|_| Cell::default()).collect(),
            generation: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            line: Mutex::new(VecDeque::new()),
            timed: life.timed(),
            life,
            counters: Counters::default(),
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

    pub(crate) fn status(&self) -> PoolStatus {
        let open = self.slots.iter().filter(|c| c.open.load(Ordering::Relaxed)).count();
        let busy = self
            .slots
            .iter()
            .filter(|c| c.open.load(Ordering::Relaxed) && c.taken.load(Ordering::Relaxed))
            .count();
        PoolStatus {
            size: self.slots.len(),
            open,
            idle: open.saturating_sub(busy),
            waiting: self.waiting.load(Ordering::Relaxed),
            opened: self.counters.opened.load(Ordering::Relaxed),
            closed: self.counters.closed.load(Ordering::Relaxed),
            timeouts: self.counters.timeouts.load(Ordering::Relaxed),
        }
    }

    /// Whether the pool needs its maintenance thread.
    pub(crate) fn needs_maintenance(&self) -> bool {
        self.life.idle_timeout.is_some() || self.life.min_idle > 0 || self.life.max_lifetime.is_some()
    }

    /// How often the maintenance thread runs.
    pub(crate) fn maintenance_period(&self) -> Duration {
        [self.life.idle_timeout, self.life.max_lifetime]
            .into_iter()
            .flatten()
            .map(|d| d / 4)
            .min()
            .unwrap_or(Duration::from_secs(1))
            .clamp(Duration::from_millis(50), Duration::from_secs(5))
    }

    /// A free slot right now, from this thread's own: one that holds a
    /// connection if there is one, else an empty one.
    #[inline(always)]
    fn try_take(&self) -> Option<Held<'_>> {
        let n = self.slots.len();
        let start = if n == 1 { 0 } else { thread_slot() % n };
        let at = |i: usize| &self.slots[if start + i >= n { start + i - n } else { start + i }];
        (0..n)
            .filter(|&i| at(i).open.load(Ordering::Relaxed))
            .find_map(|i| at(i).try_hold())
            .or_else(|| (0..n).find_map(|i| at(i).try_hold()))
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

    fn lock_line(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Waiter>>> {
        self.line.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits in line for a connection handed over (or found free).
    #[cold]
    fn wait(&self, site: CallSite) -> Result<Held<'_>> {
        // A timeout too large to add is no timeout.
        let deadline = Instant::now().checked_add(self.life.timeout);
        let me = Arc::new(Waiter::default());
        {
            let mut line = self.lock_line();
            line.push_back(Arc::clone(&me));
            self.waiting.fetch_add(1, Ordering::SeqCst);
        }
        let outcome = loop {
            // Looked at after registering: a connection returned before
            // this is found here.
            if let Some(held) = self.try_take() {
                break Ok(self.leave_line(&me, held));
            }
            let mut handed = me.handed.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(index) = handed.take() {
                break Ok(Held(&self.slots[index]));
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                drop(handed);
                break self.give_up(&me, site);
            }
            let left = deadline.map_or(SAFETY_NET, |d| (d - now).min(SAFETY_NET));
            let (mut handed, _) = me
                .woken
                .wait_timeout(handed, left)
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(index) = handed.take() {
                break Ok(Held(&self.slots[index]));
            }
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        outcome
    }

    /// A waiter found a slot itself: out of the line, or, if a returning
    /// caller already took it out to hand it a slot, that slot passed on.
    fn leave_line<'p>(&'p self, me: &Arc<Waiter>, held: Held<'p>) -> Held<'p> {
        let mut line = self.lock_line();
        if let Some(i) = line.iter().position(|w| Arc::ptr_eq(w, me)) {
            line.remove(i);
            return held;
        }
        drop(line);
        // Handed (or about to be): wait for it, and give it back.
        let extra = self.receive(me);
        self.release(extra);
        held
    }

    /// The slot a returning caller handed to `me`.
    fn receive<'p>(&'p self, me: &Waiter) -> Held<'p> {
        let mut handed = me.handed.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(index) = handed.take() {
                return Held(&self.slots[index]);
            }
            handed = me.woken.wait(handed).unwrap_or_else(PoisonError::into_inner);
        }
    }

    #[cold]
    fn give_up<'p>(&'p self, me: &Arc<Waiter>, site: CallSite) -> Result<Held<'p>> {
        let mut line = self.lock_line();
        if let Some(i) = line.iter().position(|w| Arc::ptr_eq(w, me)) {
            line.remove(i);
            self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
            return Err(Error::PoolTimeout {
                waited: self.life.timeout,
                size: self.slots.len(),
                site,
            });
        }
        drop(line);
        // A slot is on its way to us after all.
        Ok(self.receive(me))
    }

    /// Makes sure the slot holds a live connection.
    #[inline(always)]
    fn ready<'p>(&'p self, mut slot: Held<'p>) -> Result<Pooled<'p>> {
        let generation = self.generation.load(Ordering::Acquire);
        let idle = slot.conn.is_some() && !self.stale(&mut slot, generation);
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

    /// Whether the slot's connection must be replaced: older than
    /// `max_lifetime`, or failing its ping when it was idle for
    /// `check_after` or a connection was found lost since it was checked.
    #[inline(always)]
    fn stale(&self, slot: &mut Held<'_>, generation: u64) -> bool {
        if !self.timed {
            return slot.generation < generation && self.ping_failed(slot, generation);
        }
        self.stale_by_time(slot, generation)
    }

    #[cold]
    fn stale_by_time(&self, slot: &mut Held<'_>, generation: u64) -> bool {
        let now = Instant::now();
        if self
            .life
            .max_lifetime
            .is_some_and(|max| now.duration_since(slot.opened) >= max)
        {
            return true;
        }
        let idle_long = self
            .life
            .check_after
            .is_some_and(|after| now.duration_since(slot.last_used) >= after);
        if slot.generation >= generation && !idle_long {
            return false;
        }
        self.ping_failed(slot, generation)
    }

    #[cold]
    fn ping_failed(&self, slot: &mut Held<'_>, generation: u64) -> bool {
        let alive = slot.conn.as_mut().is_some_and(Conn::ping);
        if alive {
            slot.generation = generation;
        }
        !alive
    }

    /// Opens a connection in an empty slot, or in place of a stale one.
    #[cold]
    fn open(&self, slot: &mut Held<'_>, generation: u64) -> Result<()> {
        if slot.conn.is_some() {
            self.counters.closed.fetch_add(1, Ordering::Relaxed);
        }
        slot.set_conn(None);
        let mut conn = (self.connect)()?;
        self.counters.opened.fetch_add(1, Ordering::Relaxed);
        // The slot's count goes on from where the connection it replaces
        // left it.
        conn.sent = slot.0.sent.load(Ordering::Relaxed);
        slot.set_conn(Some(conn));
        slot.generation = generation;
        slot.opened = Instant::now();
        Ok(())
    }

    /// Gives a slot back: to the first waiter, still held, or to the pool.
    #[inline(always)]
    fn release(&self, slot: Held<'_>) {
        // No fence between the store and this load: a waiter that
        // registers just now finds the slot on its own (see `SAFETY_NET`).
        if self.waiting.load(Ordering::Relaxed) == 0 {
            return drop(slot);
        }
        self.hand_over(slot);
    }

    #[cold]
    fn hand_over(&self, slot: Held<'_>) {
        let mut line = self.lock_line();
        let Some(next) = line.pop_front() else {
            return drop(slot);
        };
        drop(line);
        let index = self
            .slots
            .iter()
            .position(|c| std::ptr::eq(c, slot.0))
            .unwrap_or_default();
        // The waiter becomes the holder: the slot stays taken.
        std::mem::forget(slot);
        let mut handed = next.handed.lock().unwrap_or_else(PoisonError::into_inner);
        *handed = Some(index);
        next.woken.notify_one();
    }

    /// The maintenance thread's round: closes idle connections past
    /// `idle_timeout` (above `min_idle`) or past `max_lifetime`, and opens
    /// connections up to `min_idle`.
    pub(crate) fn maintain(&self) {
        let now = Instant::now();
        let mut open = self.slots.iter().filter(|c| c.open.load(Ordering::Relaxed)).count();
        for cell in &self.slots {
            let Some(mut slot) = cell.try_hold() else { continue };
            if slot.conn.is_none() {
                continue;
            }
            let old = self
                .life
                .max_lifetime
                .is_some_and(|max| now.duration_since(slot.opened) >= max);
            let idle_too_long = self
                .life
                .idle_timeout
                .is_some_and(|t| now.duration_since(slot.last_used) >= t)
                && open > self.life.min_idle;
            if old || idle_too_long {
                slot.set_conn(None);
                self.counters.closed.fetch_add(1, Ordering::Relaxed);
                open -= 1;
            }
            self.release(slot);
        }
        let generation = self.generation.load(Ordering::Acquire);
        for cell in &self.slots {
            if open >= self.life.min_idle {
                break;
            }
            let Some(mut slot) = cell.try_hold() else { continue };
            if slot.conn.is_none() && self.open(&mut slot, generation).is_ok() {
                slot.last_used = Instant::now();
                open += 1;
            }
            self.release(slot);
        }
    }
}

mod pooled;
pub(crate) use pooled::Pooled;

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

//! A small blocking connection pool.
//!
//! At most `max` connections are open at once; a caller that finds none idle
//! and the limit reached waits up to `timeout` for one to come back. A
//! connection that broke, or that was left inside a transaction, is closed
//! instead of returned, so the next caller gets a fresh one; when one is
//! found lost, the idle ones are closed too (they most likely lost the same
//! server), so the pool recovers on the next call instead of handing out
//! dead connections one by one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::driver::Conn;
use crate::error::{CallSite, Error, Result};

type Connect = Box<dyn Fn() -> Result<Conn> + Send + Sync>;

struct State {
    idle: Vec<Conn>,
    open: usize,
}

pub(crate) struct Pool {
    state: Mutex<State>,
    returned: Condvar,
    max: usize,
    timeout: Duration,
    connect: Connect,
    /// Statements sent on every connection of this pool.
    sent: Arc<AtomicU64>,
}

impl Pool {
    pub(crate) fn new(max: usize, timeout: Duration, connect: Connect) -> Pool {
        Pool {
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
            max: max.max(1),
            timeout,
            connect,
            sent: Arc::default(),
        }
    }

    /// Statements sent so far on this pool's connections.
    pub(crate) fn statements_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Closes every idle connection.
    fn clear_idle(&self) {
        let idle = {
            let mut state = self.lock();
            let idle = std::mem::take(&mut state.idle);
            state.open -= idle.len();
            idle
        };
        drop(idle);
        self.returned.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state torn (each
        // critical section is a push, a pop or a counter change).
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// A connection, waiting for one if all are busy.
    pub(crate) fn get(&self, site: CallSite) -> Result<Pooled<'_>> {
        let deadline = Instant::now() + self.timeout;
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                    broken: false,
                    idle: true,
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match (self.connect)() {
                    Ok(mut conn) => Ok(Pooled {
                        conn: Some({
                            conn.sent = Arc::clone(&self.sent);
                            conn
                        }),
                        pool: self,
                        broken: false,
                        idle: false,
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::PoolTimeout {
                    waited: self.timeout,
                    size: self.max,
                    site,
                });
            }
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

/// A connection borrowed from the pool; returned on drop.
pub(crate) struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<Conn>,
    broken: bool,
    /// Taken from the idle list rather than opened for this caller.
    idle: bool,
}

impl Pooled<'_> {
    pub(crate) fn conn(&mut self) -> Option<&mut Conn> {
        self.conn.as_mut()
    }

    /// Whether the connection was reused from the idle list.
    pub(crate) fn was_idle(&self) -> bool {
        self.idle
    }

    /// Marks the connection as unusable: it is closed instead of returned.
    pub(crate) fn discard(&mut self) {
        self.broken = true;
    }

    /// The connection lost its server: close it and the idle ones.
    pub(crate) fn lost(&mut self) {
        self.broken = true;
        self.pool.clear_idle();
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        let reusable = !self.broken && conn.is_healthy();
        let mut state = self.pool.lock();
        if reusable {
            state.idle.push(conn);
        } else {
            state.open -= 1;
            drop(state);
            drop(conn);
        }
        self.pool.returned.notify_one();
    }
}

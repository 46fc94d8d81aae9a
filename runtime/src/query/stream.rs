//! Streaming: a query's rows handed on one at a time as the driver reads
//! them, so memory does not grow with the row count.
//!
//! [`Query::for_each`] calls the closure from inside the driver's row loop.
//! [`Query::fetch_iter`] turns that loop around for an `Iterator`: the
//! connection is lent to a thread that runs the loop and sends the rows in
//! chunks over a bounded channel (at most [`AHEAD`] chunks of [`CHUNK`]
//! rows wait for the reader), and comes back when the iterator ends or is
//! dropped. A thread rather than a cursor per driver, because each driver's
//! row reader borrows its connection (rusqlite's `Rows`, the mysql crate's
//! `QueryResult`) and cannot outlive a call; the thread costs one spawn per
//! `fetch_iter`, next to a statement's round trip.

use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;

use crate::driver::Conn;
use crate::error::{CallSite, DbCode, DbFault, Error, Result};
use crate::exec::{Executor, Lent};

use super::Query;
use super::cache::Mode;

/// Rows per message from the streaming thread.
const CHUNK: usize = 256;
/// Chunks decoded ahead of the reader at most.
const AHEAD: usize = 2;

impl<T: 'static> Query<T> {
    /// Hands each row to `f` as it is read, without collecting them: memory
    /// stays the same for ten rows or ten million. Stops at the first `Err`
    /// (of `f`, or a row that cannot be decoded) and returns it. The
    /// connection is held until the call returns, so `f` must not run
    /// statements on the same `Database` if its pool has a single
    /// connection (it would wait for itself until `pool_timeout_ms`).
    ///
    /// ```
    /// # use foal::prelude::*;
    /// # #[derive(Entity, Debug, Clone, PartialEq)]
    /// # pub struct Product { #[foal(primary_key, auto)] pub id: i64, pub price: i64 }
    /// # let db = Database::open("sqlite::memory:")?;
    /// # db.create_table::<Product>()?;
    /// # db.insert_all((1..=5).map(|price| Product { id: 0, price }).collect())?;
    /// let mut total = 0;
    /// select!(p.price for p in Product).for_each(&db, |price| {
    ///     total += price;
    ///     Ok(())
    /// })?;
    /// assert_eq!(total, 15);
    /// # Ok::<(), foal::Error>(())
    /// ```
    ///
    /// # Errors
    /// A database error, a row that cannot be decoded, or `f`'s error.
    pub fn for_each(&self, ex: &impl Executor, mut f: impl FnMut(T) -> Result<()>) -> Result<()> {
        let site = self.at;
        self.runnable()?;
        let mut passed = 0u64;
        ex.run_read(site, |conn| {
            if passed > 0 {
                // A read is tried again on a fresh connection when its idle
                // one was dead; rows already handed on cannot be taken back.
                return Err(Error::ConnectionLost {
                    message: format!("the connection was lost after {passed} rows were handed on"),
                    site,
                });
            }
            let rendered = self.entry.rendered(Mode::Rows, conn.dialect());
            conn.query_each(rendered, &self.params, &self.decoder, site, &mut |row| {
                passed += 1;
                f(row).map(|()| false)
            })
        })
    }

    /// The rows as an iterator that reads them as it goes: memory stays
    /// the same whatever the row count. It holds one connection (a pooled
    /// one, or the transaction's) until it is exhausted or dropped; dropped
    /// half way, the rest of the result is skipped and the connection goes
    /// back healthy. An error before the first row (a statement the server
    /// refuses, no connection) is `fetch_iter`'s; one later is the
    /// iterator's last item.
    ///
    /// ```
    /// # use foal::prelude::*;
    /// # #[derive(Entity, Debug, Clone, PartialEq)]
    /// # pub struct Product { #[foal(primary_key, auto)] pub id: i64, pub price: i64 }
    /// # let db = Database::open("sqlite::memory:")?;
    /// # db.create_table::<Product>()?;
    /// # db.insert_all((1..=5).map(|price| Product { id: 0, price }).collect())?;
    /// let mut cheap = Vec::new();
    /// for price in select!(p.price for p in Product).fetch_iter(&db)? {
    ///     let price = price?;
    ///     if price > 2 {
    ///         break; // the rest is skipped, the connection returns to the pool
    ///     }
    ///     cheap.push(price);
    /// }
    /// assert_eq!(cheap, [1, 2]);
    /// # Ok::<(), foal::Error>(())
    /// ```
    ///
    /// # Errors
    /// A database error before the first row.
    pub fn fetch_iter<'e>(&self, ex: &'e impl Executor) -> Result<RowIter<'e, T>>
    where
        T: Send + 'static,
    {
        let site = self.at;
        self.runnable()?;
        let mut rows = self.stream(ex, site)?;
        match rows.prime() {
            Ok(()) => Ok(rows),
            // A connection that died while idle in the pool: once more on
            // a fresh one, as every read does.
            Err(e) if matches!(e, Error::ConnectionLost { .. }) && rows.idle => {
                drop(rows);
                let mut rows = self.stream(ex, site)?;
                rows.prime()?;
                Ok(rows)
            }
            Err(e) => Err(e),
        }
    }

    /// Starts the statement on a thread that owns the lent connection.
    fn stream<'e>(&self, ex: &'e impl Executor, site: CallSite) -> Result<RowIter<'e, T>>
    where
        T: Send + 'static,
    {
        let mut lent = ex.lend(site)?;
        let mut conn = lent.take(site)?;
        let rendered = self.entry.rendered(Mode::Rows, conn.dialect()).clone();
        let params = self.params.clone();
        let decoder = self.decoder;
        let (chunks, received) = mpsc::sync_channel::<Result<Vec<T>>>(AHEAD);
        let work = move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            let result = conn.query_each(&rendered, &params, &decoder, site, &mut |row| {
                chunk.push(row);
                if chunk.len() < CHUNK {
                    return Ok(false);
                }
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                // The reader gone (the iterator dropped) stops the rows.
                Ok(chunks.send(Ok(full)).is_err())
            });
            if !chunk.is_empty() {
                let _ = chunks.send(Ok(chunk));
            }
            let lost = matches!(result, Err(Error::ConnectionLost { .. }));
            if let Err(e) = result {
                let _ = chunks.send(Err(e));
            }
            Worked { conn, lost }
        };
        let worker = std::thread::Builder::new()
            .name("foal-fetch-iter".into())
            .spawn(work)
            .map_err(|e| Error::Database {
                message: format!("cannot start the thread that streams the rows: {e}"),
                fault: DbFault::Other,
                code: DbCode::default(),
                site,
            })?;
        Ok(RowIter {
            ready: Vec::new().into_iter(),
            received: Some(received),
            worker: Some(worker),
            idle: lent.was_idle(),
            lent: Some(lent),
            site,
        })
    }
}

/// What the streaming thread hands back: the connection, and whether its
/// server went away.
struct Worked {
    conn: Conn,
    lost: bool,
}

/// The rows of [`Query::fetch_iter`], read as the iterator goes. Holds a
/// connection until it is exhausted or dropped.
pub struct RowIter<'e, T> {
    ready: std::vec::IntoIter<T>,
    received: Option<Receiver<Result<Vec<T>>>>,
    worker: Option<JoinHandle<Worked>>,
    /// Until the rows are over: then the connection goes back to the pool
    /// (or the transaction) at once, not when the iterator is dropped.
    lent: Option<Lent<'e>>,
    idle: bool,
    site: CallSite,
}

impl<T> RowIter<'_, T> {
    /// Waits for the first chunk: an error before any row is returned.
    fn prime(&mut self) -> Result<()> {
        match self.receive() {
            Some(Ok(())) | None => Ok(()),
            Some(Err(e)) => Err(e),
        }
    }

    /// The next chunk into `ready`; `None` when the rows are over.
    fn receive(&mut self) -> Option<Result<()>> {
        let message = self.received.as_ref()?.recv();
        match message {
            Ok(Ok(rows)) => {
                self.ready = rows.into_iter();
                Some(Ok(()))
            }
            Ok(Err(e)) => {
                let _ = self.finish();
                Some(Err(e))
            }
            Err(_) => self.finish().map(Err),
        }
    }

    /// Stops the thread (it sees the channel closed at its next chunk and
    /// skips the rest of the result), waits for it and gives the connection
    /// back. An error only when the thread panicked.
    fn finish(&mut self) -> Option<Error> {
        self.received = None;
        self.ready = Vec::new().into_iter();
        let worker = self.worker.take()?;
        let mut lent = self.lent.take()?;
        match worker.join() {
            Ok(Worked { conn, lost }) => {
                lent.give_back(conn, lost);
                None
            }
            Err(_) => {
                lent.discard();
                Some(Error::ConnectionLost {
                    message: "the thread streaming the rows panicked; its connection is closed".into(),
                    site: self.site,
                })
            }
        }
    }
}

impl<T> Iterator for RowIter<'_, T> {
    type Item = Result<T>;

    #[inline]
    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(row) = self.ready.next() {
                return Some(Ok(row));
            }
            match self.receive()? {
                Ok(()) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl<T> std::iter::FusedIterator for RowIter<'_, T> {}

impl<T> Drop for RowIter<'_, T> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

impl<T> std::fmt::Debug for RowIter<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowIter")
            .field("buffered", &self.ready.len())
            .field("running", &self.worker.is_some())
            .finish()
    }
}

//! The database handle: a pool of connections to one database, opened
//! from a URL.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::dialects::{Dialect, Statement};
use crate::driver::Conn;
use crate::entity::Entity;
use crate::error::{CallSite, Error, Result};

use super::executor::{Executor, Lent, bracket, rollback, sealed, with_conn};
use super::options::split_options;
use super::pool::{Pool, Pooled};
use super::transaction::begin_statement;
use super::transaction::{Transaction, TxOptions};

/// Aligned to a cache line, hot fields first: every statement reads the
/// dialect and the pool's first fields.
#[repr(C, align(64))]
struct Inner {
    dialect: Dialect,
    pool: Pool,
    /// Read replicas (`Database::builder`), tried in turn for reads
    /// outside transactions; empty for most databases.
    replicas: Vec<Replica>,
    /// Which replica the next read starts with.
    next_replica: AtomicUsize,
}

impl Inner {
    /// The primary's pool and the replicas'.
    fn pools(&self) -> impl Iterator<Item = &Pool> {
        std::iter::once(&self.pool).chain(self.replicas.iter().map(|r| &r.pool))
    }
}

/// A read replica's pool, and until when it is left alone after it failed
/// to give a connection (milliseconds since `EPOCH`; 0: up).
struct Replica {
    pool: Pool,
    down_until: AtomicU64,
}

/// How long a replica that failed to connect is passed over.
const REPLICA_RETRY: Duration = Duration::from_secs(2);

fn now_ms() -> u64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let epoch = *EPOCH.get_or_init(std::time::Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX).max(1)
}

/// A database with read replicas, being configured: see
/// [`Database::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `open`"]
pub struct DatabaseBuilder {
    primary: String,
    replicas: Vec<String>,
}

impl DatabaseBuilder {
    /// Adds a read replica (a URL of the same backend, with its own URL
    /// options: pool size, timeouts, TLS).
    pub fn replica(mut self, url: &str) -> DatabaseBuilder {
        self.replicas.push(url.to_owned());
        self
    }

    /// Opens the primary (which must answer, as [`Database::open`]
    /// requires) and the replicas' pools (which need not: a replica that
    /// does not answer is passed over until it does).
    ///
    /// # Errors
    /// As [`Database::open`]; [`Error::Config`] for a replica URL that is
    /// malformed or of another backend.
    #[track_caller]
    pub fn open(self) -> Result<Database> {
        let site = CallSite::caller();
        let (dialect, pool) = open_pool(&self.primary)?;
        drop(pool.get(site)?);
        let mut replicas = Vec::with_capacity(self.replicas.len());
        for (i, url) in self.replicas.iter().enumerate() {
            let (theirs, pool) = open_pool(url)?;
            if theirs != dialect {
                return Err(Error::Config(format!(
                    "replica {} of a {dialect} database is a {theirs} URL",
                    i + 1
                )));
            }
            replicas.push(Replica {
                pool,
                down_until: AtomicU64::new(0),
            });
        }
        Ok(Database::from_pools(dialect, pool, replicas))
    }
}

/// A pool for `url`, not yet connected.
fn open_pool(url: &str) -> Result<(Dialect, Pool)> {
    let (url, options) = split_options(url)?;
    let base = url.as_str();
    let crate::driver::Connector {
        dialect,
        default_pool: default_size,
        connect,
    } = crate::driver::connector(base)?;
    let size = if dialect == Dialect::Sqlite && default_size == 1 {
        1
    } else {
        options.pool_size.unwrap_or(default_size)
    };
    let slow = options.slow;
    let connect: crate::driver::Connect = if slow.is_some() {
        Box::new(move || {
            let mut conn = connect()?;
            conn.slow = slow;
            Ok(conn)
        })
    } else {
        connect
    };
    Ok((dialect, Pool::new(size, options.life, connect)))
}

/// Runs the pool's maintenance (idle timeout, max lifetime, min idle) on a
/// thread of its own until the database is dropped.
fn maintain(inner: std::sync::Weak<Inner>) {
    let period = match inner.upgrade() {
        Some(inner) => inner
            .pools()
            .filter(|p| p.needs_maintenance())
            .map(Pool::maintenance_period)
            .min(),
        None => return,
    };
    let Some(period) = period else { return };
    let spawned = std::thread::Builder::new().name("foal-pool".into()).spawn(move || {
        loop {
            std::thread::sleep(period);
            let Some(inner) = inner.upgrade() else { return };
            for pool in inner.pools() {
                pool.maintain();
            }
        }
    });
    // Without the thread the pool still works; only its idle connections
    // stay open.
    drop(spawned);
}

/// A database: a pool of connections to one SQLite file (or memory),
/// PostgreSQL or MySQL/MariaDB database. Cheap to clone, `Send + Sync`.
///
/// ```
/// # fn main() -> foal::Result<()> {
/// let db = foal::Database::open("sqlite::memory:")?;
/// assert_eq!(db.dialect(), foal::Dialect::Sqlite);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("dialect", &self.inner.dialect)
            .field("pool_size", &self.inner.pool.max())
            .finish()
    }
}

impl Database {
    /// Opens a database.
    ///
    /// - `sqlite::memory:` — a private in-memory database (one connection);
    /// - `sqlite://path/to/file.db` — a file, created if missing (WAL mode);
    /// - `postgres://user:password@host:port/dbname`;
    /// - `mysql://user:password@host:port/dbname` (also `mariadb://`).
    ///
    /// Options in the query string: `pool_size=N` (default: 10, 1 for
    /// in-memory SQLite), `pool_timeout_ms=N` (default 30 000),
    /// `pool_max_lifetime_ms`, `pool_idle_timeout_ms`, `pool_min_idle`,
    /// `pool_check_after_ms` (see `docs/connections.md`).
    ///
    /// # Errors
    /// [`Error::Config`] for a malformed URL or a backend whose feature is
    /// off; a connection error if the first connection cannot be opened.
    #[track_caller]
    pub fn open(url: &str) -> Result<Database> {
        let site = CallSite::caller();
        let (dialect, pool) = open_pool(url)?;
        // Fail now on a wrong address or password, not at the first query.
        drop(pool.get(site)?);
        Ok(Database::from_pools(dialect, pool, Vec::new()))
    }

    /// A database with read replicas: reads outside transactions (every
    /// `select!` read: `fetch_*`, `count`, `exists`, `for_each`) go to the
    /// replicas in turn, everything else (writes, transactions and the
    /// reads inside them, raw SQL, `fetch_iter`) to the primary; a read
    /// whose replica does not answer runs on the next one, then on the
    /// primary.
    ///
    /// ```no_run
    /// # fn main() -> foal::Result<()> {
    /// let db = foal::Database::builder("postgres://app@primary/shop")
    ///     .replica("postgres://app@replica1/shop?pool_size=20")
    ///     .replica("postgres://app@replica2/shop?pool_size=20")
    ///     .open()?;
    /// # Ok(()) }
    /// ```
    pub fn builder(primary: &str) -> DatabaseBuilder {
        DatabaseBuilder {
            primary: primary.to_owned(),
            replicas: Vec::new(),
        }
    }

    fn from_pools(dialect: Dialect, pool: Pool, replicas: Vec<Replica>) -> Database {
        let inner = Arc::new(Inner {
            dialect,
            pool,
            replicas,
            next_replica: AtomicUsize::new(0),
        });
        if inner.pool.needs_maintenance() || inner.replicas.iter().any(|r| r.pool.needs_maintenance()) {
            maintain(Arc::downgrade(&inner));
        }
        Database { inner }
    }

    /// Each read replica's pool, in the order they were added.
    pub fn replica_status(&self) -> Vec<super::pool::PoolStatus> {
        self.inner.replicas.iter().map(|r| r.pool.status()).collect()
    }

    /// A read on a replica: each in turn from the next one, passing over
    /// those that failed lately; `None` when none could run it (then the
    /// primary does).
    #[inline(never)]
    fn read_on_replica<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: &mut F) -> Option<Result<R>> {
        let replicas = &self.inner.replicas;
        let start = self.inner.next_replica.fetch_add(1, Ordering::Relaxed);
        for i in 0..replicas.len() {
            let replica = &replicas[(start + i) % replicas.len()];
            let down = replica.down_until.load(Ordering::Relaxed);
            if down != 0 && now_ms() < down {
                continue;
            }
            let Ok(mut pooled) = replica.pool.get(site) else {
                replica
                    .down_until
                    .store(now_ms() + REPLICA_RETRY.as_millis() as u64, Ordering::Relaxed);
                continue;
            };
            replica.down_until.store(0, Ordering::Relaxed);
            match with_conn(&mut pooled, site, &mut *f) {
                // A replica that went away: the next one, or the primary.
                Err(Error::ConnectionLost { .. }) => continue,
                done => return Some(done),
            }
        }
        None
    }

    /// The backend's dialect.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    /// The maximum number of connections.
    pub fn pool_size(&self) -> usize {
        self.inner.pool.max()
    }

    /// The pool right now: its size, open and idle connections, waiting
    /// callers, and how many connections were opened, closed and waited
    /// for in vain.
    pub fn pool_status(&self) -> super::pool::PoolStatus {
        self.inner.pool.status()
    }

    /// How many statements this database handle has sent to the server
    /// (queries, writes, transaction control), over all its connections.
    /// Handy to check that a loop does not run one query per row. A
    /// connection's statements are added as it goes back to the pool, so
    /// those of an open transaction show once it ends.
    pub fn statement_count(&self) -> u64 {
        self.inner.pool.statements_sent()
    }

    /// Creates the table of `E` (if it does not exist yet).
    ///
    /// # Errors
    /// A database error.
    #[track_caller]
    pub fn create_table<E: Entity>(&self) -> Result<()> {
        let site = CallSite::caller();
        let statements = self.dialect().create_table(&E::meta().create_table());
        self.run(site, |conn| statements.iter().try_for_each(|sql| conn.ddl(sql, site)))
    }

    /// Drops the table of `E` if it exists.
    ///
    /// # Errors
    /// A database error.
    #[track_caller]
    pub fn drop_table<E: Entity>(&self) -> Result<()> {
        let statement = Statement::DropTable {
            table: E::TABLE.to_owned(),
            if_exists: true,
        };
        self.execute_sql(&self.dialect().render(&statement).sql)
    }

    /// Runs SQL text with no parameters, such as DDL foal does not generate.
    /// Never build this text from values: use `select!`, which binds them.
    ///
    /// # Errors
    /// A database error.
    #[track_caller]
    pub fn execute_sql(&self, sql: &str) -> Result<()> {
        let site = CallSite::caller();
        self.run(site, |conn| conn.batch(sql, site))
    }

    /// Runs `f` in a transaction: commits when it returns `Ok`, rolls back
    /// when it returns `Err` or panics (the panic then continues).
    ///
    /// # Errors
    /// The error `f` returned, or a database error from BEGIN or COMMIT.
    #[track_caller]
    pub fn transaction<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R>) -> Result<R> {
        self.transaction_at(CallSite::caller(), TxOptions::new(), f)
    }

    /// Runs `f` in a transaction like [`transaction`](Self::transaction),
    /// at an isolation level, or read-only, or both:
    ///
    /// ```
    /// # use foal::prelude::*;
    /// use foal::{Isolation, TxOptions};
    /// # let db = Database::open("sqlite::memory:")?;
    /// db.transaction_with(Isolation::Serializable, |tx| {
    ///     // reads and writes as if no other transaction ran beside this one
    ///     Ok(())
    /// })?;
    /// let answer = db.transaction_with(TxOptions::new().read_only(), |tx| {
    ///     // a write here fails
    ///     Ok(42)
    /// })?;
    /// # assert_eq!(answer, 42);
    /// # Ok::<(), foal::Error>(())
    /// ```
    ///
    /// PostgreSQL opens it with `BEGIN ISOLATION LEVEL … [READ ONLY]`,
    /// MySQL with `SET TRANSACTION ISOLATION LEVEL …` and `START
    /// TRANSACTION [READ ONLY]`, SQLite (serializable at every level) with
    /// `PRAGMA query_only` around a `BEGIN` that takes no write lock when it
    /// is read-only.
    ///
    /// # Errors
    /// The error `f` returned, or a database error from opening or ending
    /// the transaction.
    #[track_caller]
    pub fn transaction_with<R>(
        &self,
        options: impl Into<TxOptions>,
        f: impl FnOnce(&Transaction<'_>) -> Result<R>,
    ) -> Result<R> {
        self.transaction_at(CallSite::caller(), options.into(), f)
    }

    fn transaction_at<R>(
        &self,
        site: CallSite,
        options: TxOptions,
        f: impl FnOnce(&Transaction<'_>) -> Result<R>,
    ) -> Result<R> {
        let mut pooled = self.inner.pool.get(site)?;
        let dialect = self.dialect();
        for begin in options.begin(dialect) {
            if let Err(e) = with_conn(&mut pooled, site, |c| c.batch(&begin, site)) {
                restore(&mut pooled, site, options, dialect);
                return Err(e);
            }
        }
        let tx = Transaction::new(pooled, dialect);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&tx)));
        let mut pooled = tx.into_conn();
        let outcome = end(&mut pooled, site, outcome);
        restore(&mut pooled, site, options, dialect);
        match outcome {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

/// Commits when `f` returned `Ok`, rolls back otherwise; a panic is
/// handed back for the caller to continue once the connection is tidy.
fn end<R>(
    pooled: &mut Pooled<'_>,
    site: CallSite,
    outcome: std::thread::Result<Result<R>>,
) -> std::thread::Result<Result<R>> {
    match outcome {
        Ok(Ok(value)) => match with_conn(pooled, site, |c| c.batch("COMMIT", site)) {
            Ok(()) => Ok(Ok(value)),
            Err(e) => {
                let _ = with_conn(pooled, site, |c| c.batch("ROLLBACK", site));
                Ok(Err(e))
            }
        },
        Ok(Err(e)) => {
            rollback(pooled, site);
            Ok(Err(e))
        }
        Err(panic) => {
            rollback(pooled, site);
            Err(panic)
        }
    }
}

/// Undoes what opening the transaction set on the connection beyond it
/// (SQLite's `query_only`); a connection that cannot is not reused.
fn restore(pooled: &mut Pooled<'_>, site: CallSite, options: TxOptions, dialect: Dialect) {
    if let Some(after) = options.after(dialect)
        && with_conn(pooled, site, |c| c.batch(after, site)).is_err()
    {
        pooled.discard();
    }
}

/// A pause before retry number `attempt` (from 1): exponential from 1 ms,
/// capped at 100 ms, with jitter so that the transactions that collided do
/// not collide again in step.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let ceiling_us = 1000u64 << attempt.min(7);
    // A fresh RandomState is seeded differently on every call: cheap noise.
    let noise = std::collections::hash_map::RandomState::new().build_hasher().finish();
    Duration::from_micros((ceiling_us / 2 + noise % ceiling_us).min(100_000))
}

impl Database {
    /// A read failed: when its idle connection turned out lost, it runs
    /// once more on a fresh one (out of the way of the path that succeeds).
    #[cold]
    #[inline(never)]
    fn read_failed<R, F: FnMut(&mut Conn) -> Result<R>>(
        &self,
        error: Error,
        pooled: Pooled<'_>,
        site: CallSite,
        f: F,
    ) -> Result<R> {
        if !(matches!(error, Error::ConnectionLost { .. }) && pooled.was_idle()) {
            return Err(error);
        }
        drop(pooled);
        let mut fresh = self.inner.pool.get(site)?;
        with_conn(&mut fresh, site, f)
    }

    /// Runs `f` in a transaction like [`transaction`](Self::transaction),
    /// and runs it again, up to `attempts` times in all, while it fails with
    /// an error that a fresh attempt may not meet
    /// ([`Error::is_retryable`]: serialization failures, deadlocks, a busy
    /// SQLite file, optimistic-concurrency conflicts). Between attempts it
    /// waits a little, more each time. Any other error, or the last
    /// attempt's, is returned; `f` must read what it depends on inside the
    /// transaction, since it may run more than once.
    ///
    /// # Errors
    /// The last attempt's error, or the first error that is not retryable.
    #[track_caller]
    pub fn transaction_retry<R>(&self, attempts: u32, f: impl FnMut(&Transaction<'_>) -> Result<R>) -> Result<R> {
        self.retry_at(CallSite::caller(), attempts, TxOptions::new(), f)
    }

    /// [`transaction_retry`](Self::transaction_retry) with the options of
    /// [`transaction_with`](Self::transaction_with): the way to run
    /// [`Isolation::Serializable`](crate::Isolation::Serializable)
    /// transactions, whose serialization failures are retried.
    ///
    /// # Errors
    /// The last attempt's error, or the first error that is not retryable.
    #[track_caller]
    pub fn transaction_retry_with<R>(
        &self,
        attempts: u32,
        options: impl Into<TxOptions>,
        f: impl FnMut(&Transaction<'_>) -> Result<R>,
    ) -> Result<R> {
        self.retry_at(CallSite::caller(), attempts, options.into(), f)
    }

    fn retry_at<R>(
        &self,
        site: CallSite,
        attempts: u32,
        options: TxOptions,
        mut f: impl FnMut(&Transaction<'_>) -> Result<R>,
    ) -> Result<R> {
        let mut attempt = 1;
        loop {
            match self.transaction_at(site, options, &mut f) {
                Err(e) if e.is_retryable() && attempt < attempts => {
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }
}

impl sealed::Sealed for Database {}

impl Executor for Database {
    fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    fn run<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: F) -> Result<R> {
        let mut pooled = self.inner.pool.get(site)?;
        with_conn(&mut pooled, site, f)
    }

    #[inline(always)]
    fn run_read<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, mut f: F) -> Result<R> {
        if !self.inner.replicas.is_empty()
            && let Some(done) = self.read_on_replica(site, &mut f)
        {
            return done;
        }
        let mut pooled = self.inner.pool.get(site)?;
        match with_conn(&mut pooled, site, &mut f) {
            // Rebuilt rather than passed on, so that success copies no
            // error-sized value.
            Ok(value) => Ok(value),
            Err(e) => self.read_failed(e, pooled, site, f),
        }
    }

    fn lend(&self, site: CallSite) -> Result<Lent<'_>> {
        Ok(Lent::pooled(self.inner.pool.get(site)?))
    }

    fn atomic<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, mut f: F) -> Result<R> {
        let begin = begin_statement(self.dialect());
        self.run(site, |c| bracket(c, site, [begin, "COMMIT", "ROLLBACK"], &mut f))
    }
}

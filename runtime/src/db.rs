//! The database handle, transactions, and the `Executor` trait both share.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use crate::dialects::{Dialect, Statement};
#[allow(unused_imports)]
use crate::driver::{Backend, Conn};
use crate::entity::Entity;
use crate::error::{CallSite, Error, Result};
use crate::pool::{Pool, Pooled};

mod sealed {
    pub trait Sealed {}
}

/// Something queries run against: a [`Database`] or a [`Transaction`].
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
fn bracket<R>(
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

/// Methods that write entities, shared by [`Database`] and [`Transaction`].
macro_rules! write_methods {
    () => {
        /// Inserts a row and returns it with its generated key filled in.
        ///
        /// # Errors
        /// [`Error::Constraint`] when a key or constraint is violated; a
        /// database error.
        #[track_caller]
        pub fn insert<E: Entity>(&self, value: E) -> Result<E> {
            crate::write::insert(self, value, CallSite::caller())
        }

        /// Inserts rows with multi-row statements (chunked under the
        /// backend's parameter limit), all or none; returns them with keys.
        ///
        /// # Errors
        /// As [`insert`](Self::insert); nothing is kept when one row fails.
        #[track_caller]
        pub fn insert_all<E: Entity>(&self, values: Vec<E>) -> Result<Vec<E>> {
            crate::write::insert_all(self, values, CallSite::caller())
        }

        /// Inserts rows as [`insert_all`](Self::insert_all) does and
        /// returns only their keys, in the same order. The rows are
        /// consumed: on MySQL, whose driver takes its parameters owned,
        /// their text is moved to it rather than copied.
        ///
        /// # Errors
        /// As [`insert_all`](Self::insert_all); nothing is kept when one
        /// row fails.
        #[track_caller]
        pub fn insert_keys<E: Entity>(&self, values: Vec<E>) -> Result<Vec<E::Key>> {
            crate::write::insert_keys(self, values, CallSite::caller())
        }

        /// The row with this key, if any.
        ///
        /// # Errors
        /// A database or decoding error.
        #[track_caller]
        pub fn get<E: Entity>(&self, key: impl Into<E::Key>) -> Result<Option<E>> {
            crate::write::get(self, &key.into(), CallSite::caller())
        }

        /// Writes every non-key field of `value` to the row with its key and
        /// returns the stored state (with the version incremented, for an
        /// entity with a `#[foal(version)]` field).
        ///
        /// # Errors
        /// [`Error::NotFound`] when no row has the key; [`Error::Conflict`]
        /// when the row's version is not `value`'s (another writer won).
        #[track_caller]
        pub fn update<E: Entity + Clone>(&self, value: &E) -> Result<E> {
            crate::write::update(self, value, CallSite::caller())
        }

        /// Deletes the row with `value`'s key; returns how many rows went.
        ///
        /// # Errors
        /// [`Error::Conflict`] for a versioned entity whose row changed or
        /// vanished; a database error.
        #[track_caller]
        pub fn delete<E: Entity>(&self, value: &E) -> Result<u64> {
            crate::write::delete(self, value, CallSite::caller())
        }

        /// Inserts `value`, or overwrites the row with its primary key;
        /// returns the row as stored (a versioned row's version goes up by
        /// one when it is overwritten).
        ///
        /// # Errors
        /// [`Error::Constraint`] when another unique key or a foreign key
        /// is violated; a database error.
        #[track_caller]
        pub fn upsert<E: Entity>(&self, value: E) -> Result<E> {
            let site = CallSite::caller();
            let fields: Vec<usize> = E::meta()
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.columns.clone().any(|c| E::meta().columns[c].primary_key))
                .map(|(i, _)| i)
                .collect();
            crate::write::upsert(self, value, &fields, site)
        }

        /// Inserts `value`, or overwrites the row that has the same value
        /// in the field(s) `key` names: the primary key or a
        /// `#[foal(unique)]` field. A new row gets a generated key; an
        /// existing one keeps its key. Returns the row as stored.
        ///
        /// ```
        /// # use foal::prelude::*;
        /// #[derive(Entity, Debug, Clone, PartialEq)]
        /// pub struct Subscriber {
        ///     #[foal(primary_key, auto)]
        ///     pub id: i64,
        ///     #[foal(unique)]
        ///     pub email: String,
        ///     pub name: String,
        /// }
        /// # fn main() -> foal::Result<()> {
        /// let db = Database::open("sqlite::memory:")?;
        /// db.create_table::<Subscriber>()?;
        /// let first = db.upsert_by(Subscriber { id: 0, email: "a@x.org".into(), name: "A".into() }, |s| s.email)?;
        /// let again = db.upsert_by(Subscriber { id: 0, email: "a@x.org".into(), name: "Ann".into() }, |s| s.email)?;
        /// assert_eq!((again.id, again.name.as_str()), (first.id, "Ann"));
        /// # Ok(()) }
        /// ```
        ///
        /// On MySQL, `ON DUPLICATE KEY UPDATE` reacts to a conflict on any
        /// unique key of the table, not only the one named here.
        ///
        /// # Errors
        /// [`Error::Usage`] when `key` is neither the primary key nor a
        /// unique field; as [`upsert`](Self::upsert) otherwise.
        #[track_caller]
        pub fn upsert_by<E: Entity, K: crate::write::ConflictKey>(
            &self,
            value: E,
            key: impl FnOnce(&E::Columns) -> K,
        ) -> Result<E> {
            let site = CallSite::caller();
            let mut fields = Vec::new();
            key(&E::COLUMNS).fields(&mut fields);
            crate::write::upsert(self, value, &fields, site)
        }
    };
}

impl Database {
    write_methods!();
}

impl Transaction<'_> {
    write_methods!();
}

/// Aligned to a cache line, hot fields first: every statement reads the
/// dialect and the pool's first fields.
#[repr(C, align(64))]
struct Inner {
    dialect: Dialect,
    pool: Pool,
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

/// The largest `pool_size` accepted.
const MAX_POOL: u64 = 1024;

/// Options read from the URL's query string.
struct Options {
    pool_size: Option<usize>,
    timeout: Duration,
}

/// Takes foal's own options out of the URL's query string; the others stay
/// for the driver (`options=…` for PostgreSQL, `prefer_socket=…` for MySQL).
fn split_options(url: &str) -> Result<(String, Options)> {
    let mut options = Options {
        pool_size: None,
        timeout: Duration::from_secs(30),
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
            "pool_timeout_ms" => options.timeout = Duration::from_millis(number()?),
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

impl Database {
    /// Opens a database.
    ///
    /// - `sqlite::memory:` — a private in-memory database (one connection);
    /// - `sqlite://path/to/file.db` — a file, created if missing (WAL mode);
    /// - `postgres://user:password@host:port/dbname`;
    /// - `mysql://user:password@host:port/dbname` (also `mariadb://`).
    ///
    /// Options in the query string: `pool_size=N` (default: 10, 1 for
    /// in-memory SQLite), `pool_timeout_ms=N` (default 30 000).
    ///
    /// # Errors
    /// [`Error::Config`] for a malformed URL or a backend whose feature is
    /// off; a connection error if the first connection cannot be opened.
    #[track_caller]
    pub fn open(url: &str) -> Result<Database> {
        let site = CallSite::caller();
        let (url, options) = split_options(url)?;
        let base = url.as_str();
        let (scheme, rest) = base
            .split_once(':')
            .ok_or_else(|| Error::Config(format!("`{base}` is not a database URL")))?;
        let (dialect, default_size, connect): (Dialect, usize, Box<dyn Fn() -> Result<Conn> + Send + Sync>) =
            match scheme {
                "sqlite" => sqlite_connector(rest)?,
                "postgres" | "postgresql" => postgres_connector(base)?,
                "mysql" | "mariadb" => mysql_connector(base)?,
                other => return Err(Error::Config(format!("unknown database scheme `{other}`"))),
            };
        let size = if dialect == Dialect::Sqlite && default_size == 1 {
            1
        } else {
            options.pool_size.unwrap_or(default_size)
        };
        let pool = Pool::new(size, options.timeout, connect);
        // Fail now on a wrong address or password, not at the first query.
        drop(pool.get(site)?);
        Ok(Database {
            inner: Arc::new(Inner { dialect, pool }),
        })
    }

    /// The backend's dialect.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    /// The maximum number of connections.
    pub fn pool_size(&self) -> usize {
        self.inner.pool.max()
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
        self.transaction_at(CallSite::caller(), f)
    }

    fn transaction_at<R>(&self, site: CallSite, f: impl FnOnce(&Transaction<'_>) -> Result<R>) -> Result<R> {
        let mut pooled = self.inner.pool.get(site)?;
        let dialect = self.dialect();
        let begin = if dialect == Dialect::Sqlite {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        };
        with_conn(&mut pooled, site, |c| c.batch(begin, site))?;
        let tx = Transaction {
            conn: RefCell::new(pooled),
            dialect,
            depth: Cell::new(0),
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&tx)));
        let mut pooled = tx.conn.into_inner();
        match outcome {
            Ok(Ok(value)) => match with_conn(&mut pooled, site, |c| c.batch("COMMIT", site)) {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = with_conn(&mut pooled, site, |c| c.batch("ROLLBACK", site));
                    Err(e)
                }
            },
            Ok(Err(e)) => {
                rollback(&mut pooled, site);
                Err(e)
            }
            Err(panic) => {
                rollback(&mut pooled, site);
                std::panic::resume_unwind(panic)
            }
        }
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
    pub fn transaction_retry<R>(&self, attempts: u32, mut f: impl FnMut(&Transaction<'_>) -> Result<R>) -> Result<R> {
        let site = CallSite::caller();
        let mut attempt = 1;
        loop {
            match self.transaction_at(site, &mut f) {
                Err(e) if e.is_retryable() && attempt < attempts => {
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }
}

fn rollback(pooled: &mut Pooled<'_>, site: CallSite) {
    if with_conn(pooled, site, |c| c.batch("ROLLBACK", site)).is_err() {
        pooled.discard();
    }
}

/// Runs `f` on the pooled connection; a lost connection is discarded.
#[inline(always)]
fn with_conn<R>(pooled: &mut Pooled<'_>, site: CallSite, f: impl FnOnce(&mut Conn) -> Result<R>) -> Result<R> {
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
        let mut pooled = self.inner.pool.get(site)?;
        match with_conn(&mut pooled, site, &mut f) {
            // Rebuilt rather than passed on, so that success copies no
            // error-sized value.
            Ok(value) => Ok(value),
            Err(e) => self.read_failed(e, pooled, site, f),
        }
    }

    fn atomic<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, mut f: F) -> Result<R> {
        let begin = if self.dialect() == Dialect::Sqlite {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        };
        self.run(site, |c| bracket(c, site, [begin, "COMMIT", "ROLLBACK"], &mut f))
    }
}

/// An open transaction; an [`Executor`] like the database itself.
pub struct Transaction<'db> {
    conn: RefCell<Pooled<'db>>,
    dialect: Dialect,
    depth: Cell<u32>,
}

impl Transaction<'_> {
    /// The backend's dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Runs `f` inside a savepoint: its writes are undone if it returns
    /// `Err` or panics, while the enclosing transaction goes on.
    ///
    /// # Errors
    /// The error `f` returned, or a database error.
    #[track_caller]
    pub fn transaction<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R>) -> Result<R> {
        let site = CallSite::caller();
        let depth = self.depth.get() + 1;
        let name = format!("foal_sp{depth}");
        self.run(site, |c| c.batch(&format!("SAVEPOINT {name}"), site))?;
        self.depth.set(depth);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        self.depth.set(depth - 1);
        match outcome {
            Ok(Ok(value)) => {
                self.run(site, |c| c.batch(&format!("RELEASE SAVEPOINT {name}"), site))?;
                Ok(value)
            }
            Ok(Err(e)) => {
                self.run(site, |c| c.batch(&format!("ROLLBACK TO SAVEPOINT {name}"), site))?;
                Err(e)
            }
            Err(panic) => {
                let _ = self.run(site, |c| c.batch(&format!("ROLLBACK TO SAVEPOINT {name}"), site));
                std::panic::resume_unwind(panic)
            }
        }
    }
}

impl sealed::Sealed for Transaction<'_> {}

impl Executor for Transaction<'_> {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn run<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: F) -> Result<R> {
        let Ok(mut pooled) = self.conn.try_borrow_mut() else {
            return Err(Error::Database {
                message: "the transaction is already running a statement".into(),
                fault: crate::error::DbFault::Other,
                site,
            });
        };
        with_conn(&mut pooled, site, f)
    }

    fn atomic<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, mut f: F) -> Result<R> {
        let statements = [
            "SAVEPOINT foal_atomic",
            "RELEASE SAVEPOINT foal_atomic",
            "ROLLBACK TO SAVEPOINT foal_atomic",
        ];
        self.run(site, |c| bracket(c, site, statements, &mut f))
    }
}

type Connector = (Dialect, usize, Box<dyn Fn() -> Result<Conn> + Send + Sync>);

#[cfg(feature = "sqlite")]
fn sqlite_connector(rest: &str) -> Result<Connector> {
    use crate::driver::sqlite::{SqliteConn, Target};
    if let Some((_, option)) = rest.split_once('?') {
        return Err(Error::Config(format!(
            "unknown SQLite option `{option}` in the database URL"
        )));
    }
    let target = match rest.trim_start_matches("//") {
        ":memory:" | "" => Target::Memory,
        path => Target::File(path.to_owned()),
    };
    let size = if target == Target::Memory { 1 } else { 4 };
    Ok((
        Dialect::Sqlite,
        size,
        Box::new(move || SqliteConn::open(&target).map(|c| Conn::new(Backend::Sqlite(c)))),
    ))
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_connector(_rest: &str) -> Result<Connector> {
    Err(Error::Config("foal was built without the `sqlite` feature".into()))
}

#[cfg(feature = "postgres")]
fn postgres_connector(url: &str) -> Result<Connector> {
    let config =
        crate::driver::pgwire::Config::parse(url).map_err(|e| Error::Config(format!("invalid PostgreSQL URL: {e}")))?;
    Ok((
        Dialect::Postgres,
        10,
        Box::new(move || {
            crate::driver::postgres::PgConn::connect(&config).map(|c| Conn::new(Backend::Postgres(Box::new(c))))
        }),
    ))
}

#[cfg(not(feature = "postgres"))]
fn postgres_connector(_url: &str) -> Result<Connector> {
    Err(Error::Config("foal was built without the `postgres` feature".into()))
}

#[cfg(feature = "mysql")]
fn mysql_connector(url: &str) -> Result<Connector> {
    let url = url.replacen("mariadb://", "mysql://", 1);
    let opts = mysql::Opts::from_url(&url).map_err(|e| Error::Config(format!("invalid MySQL URL: {e}")))?;
    Ok((
        Dialect::Mysql,
        10,
        Box::new(move || crate::driver::mysql::MyConn::connect(opts.clone()).map(|c| Conn::new(Backend::Mysql(c)))),
    ))
}

#[cfg(not(feature = "mysql"))]
fn mysql_connector(_url: &str) -> Result<Connector> {
    Err(Error::Config("foal was built without the `mysql` feature".into()))
}

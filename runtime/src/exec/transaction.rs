//! Transactions: `BEGIN` … `COMMIT`, savepoints for nested ones.

use std::cell::{Cell, RefCell};

use crate::dialects::Dialect;
use crate::driver::Conn;
use crate::error::{CallSite, Error, Result};

use super::executor::{Executor, Lent, bracket, sealed, with_conn};
use super::pool::Pooled;

/// An open transaction; an [`Executor`] like the database itself.
pub struct Transaction<'db> {
    conn: RefCell<Pooled<'db>>,
    dialect: Dialect,
    depth: Cell<u32>,
}

/// How much a transaction sees of the others running beside it: the SQL
/// standard's isolation levels. A backend may give a stronger level than
/// the one asked for, never a weaker one: SQLite runs every transaction
/// serializable (it has one writer at a time), MySQL and MariaDB give
/// `ReadUncommitted` as asked, PostgreSQL reads only committed rows even
/// then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Isolation {
    /// May see rows other transactions have not committed yet.
    ReadUncommitted,
    /// Each statement sees the rows committed before it began.
    ReadCommitted,
    /// Every statement sees the rows committed before the transaction's
    /// first one (MySQL: plain reads do; locking reads and writes see the
    /// newest rows).
    RepeatableRead,
    /// As if the transactions had run one after another: one that cannot
    /// be ordered with the others fails with a retryable error
    /// ([`Error::is_retryable`]), which
    /// [`transaction_retry_with`](crate::Database::transaction_retry_with)
    /// runs again.
    Serializable,
}

impl Isolation {
    fn sql(self) -> &'static str {
        match self {
            Isolation::ReadUncommitted => "READ UNCOMMITTED",
            Isolation::ReadCommitted => "READ COMMITTED",
            Isolation::RepeatableRead => "REPEATABLE READ",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }
}

/// What a transaction opened by
/// [`transaction_with`](crate::Database::transaction_with) is: its
/// isolation level (the server's default when none is given) and whether it
/// may write. An [`Isolation`] converts into one.
///
/// ```
/// use foal::{Isolation, TxOptions};
/// let report = TxOptions::from(Isolation::RepeatableRead).read_only();
/// assert!(report.is_read_only());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TxOptions {
    isolation: Option<Isolation>,
    read_only: bool,
}

impl TxOptions {
    /// The server's default level, writes allowed: what
    /// [`transaction`](crate::Database::transaction) opens.
    pub fn new() -> Self {
        TxOptions::default()
    }

    /// At this isolation level.
    #[must_use]
    pub fn isolation(mut self, level: Isolation) -> Self {
        self.isolation = Some(level);
        self
    }

    /// A transaction that only reads: a write in it fails with a database
    /// error on every backend. PostgreSQL and MySQL may run it cheaper; on
    /// SQLite it takes no write lock, so it never waits for a writer.
    #[must_use]
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// The isolation level asked for, if any.
    pub fn level(&self) -> Option<Isolation> {
        self.isolation
    }

    /// Whether writes are refused.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The statements that open the transaction, in order.
    pub(super) fn begin(self, dialect: Dialect) -> Vec<String> {
        let level = self.isolation.map(Isolation::sql);
        match dialect {
            // Every SQLite transaction is serializable. A writing one takes
            // the write lock at once (`BEGIN IMMEDIATE`), since SQLite has
            // no row locks to wait on later; a reading one takes none.
            Dialect::Sqlite if self.read_only => vec!["PRAGMA query_only = ON".into(), "BEGIN".into()],
            Dialect::Sqlite => vec![begin_statement(dialect).into()],
            Dialect::Postgres => {
                let mut begin = String::from("BEGIN");
                if let Some(level) = level {
                    begin.push_str(" ISOLATION LEVEL ");
                    begin.push_str(level);
                }
                if self.read_only {
                    begin.push_str(" READ ONLY");
                }
                vec![begin]
            }
            Dialect::Mysql => {
                let mut statements = Vec::with_capacity(2);
                if let Some(level) = level {
                    // Applies to the next transaction only.
                    statements.push(format!("SET TRANSACTION ISOLATION LEVEL {level}"));
                }
                statements.push(
                    if self.read_only {
                        "START TRANSACTION READ ONLY"
                    } else {
                        "BEGIN"
                    }
                    .into(),
                );
                statements
            }
        }
    }

    /// The statement that undoes what `begin` set beyond the transaction,
    /// run after it ends however it ends.
    pub(super) fn after(self, dialect: Dialect) -> Option<&'static str> {
        (dialect == Dialect::Sqlite && self.read_only).then_some("PRAGMA query_only = OFF")
    }
}

impl From<Isolation> for TxOptions {
    fn from(level: Isolation) -> Self {
        TxOptions::new().isolation(level)
    }
}

/// The statement that opens a transaction: SQLite takes the write lock at
/// once (`BEGIN IMMEDIATE`), since it has no row locks to wait on later.
pub(super) fn begin_statement(dialect: Dialect) -> &'static str {
    if dialect == Dialect::Sqlite {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    }
}

impl<'db> Transaction<'db> {
    pub(super) fn new(conn: Pooled<'db>, dialect: Dialect) -> Self {
        Transaction {
            conn: RefCell::new(conn),
            dialect,
            depth: Cell::new(0),
        }
    }

    /// The connection back, once the transaction's closure is done.
    pub(super) fn into_conn(self) -> Pooled<'db> {
        self.conn.into_inner()
    }
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

/// A statement on a transaction whose connection is in use: by a statement
/// running now (from inside a callback) or a streaming iterator not yet
/// dropped.
#[cold]
fn busy(site: CallSite) -> Error {
    Error::Database {
        message: "the transaction is already running a statement (a `for_each` callback, or a `fetch_iter` \
                  iterator not yet dropped, holds its connection)"
            .into(),
        fault: crate::error::DbFault::Other,
        code: crate::error::DbCode::default(),
        site,
    }
}

impl Executor for Transaction<'_> {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn run<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: F) -> Result<R> {
        let Ok(mut pooled) = self.conn.try_borrow_mut() else {
            return Err(busy(site));
        };
        with_conn(&mut pooled, site, f)
    }

    fn lend(&self, site: CallSite) -> Result<Lent<'_>> {
        match self.conn.try_borrow_mut() {
            Ok(pooled) => Ok(Lent::borrowed(pooled)),
            Err(_) => Err(busy(site)),
        }
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

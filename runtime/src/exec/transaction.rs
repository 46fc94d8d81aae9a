//! Transactions: `BEGIN` … `COMMIT`, savepoints for nested ones.

use std::cell::{Cell, RefCell};

use crate::dialects::Dialect;
use crate::driver::Conn;
use crate::error::{CallSite, Error, Result};

use super::executor::{Executor, bracket, sealed, with_conn};
use super::pool::Pooled;

/// An open transaction; an [`Executor`] like the database itself.
pub struct Transaction<'db> {
    conn: RefCell<Pooled<'db>>,
    dialect: Dialect,
    depth: Cell<u32>,
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

impl Executor for Transaction<'_> {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn run<R, F: FnMut(&mut Conn) -> Result<R>>(&self, site: CallSite, f: F) -> Result<R> {
        let Ok(mut pooled) = self.conn.try_borrow_mut() else {
            return Err(Error::Database {
                message: "the transaction is already running a statement".into(),
                fault: crate::error::DbFault::Other,
                code: crate::error::DbCode::default(),
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

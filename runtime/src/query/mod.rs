//! `Query<T>`: a translated query with its parameters, ready to run, and
//! what serves it: the call-site caches, the composed-query LRU, the
//! per-entity statements, bulk writes and prefetch.

pub(crate) mod bulk;
pub mod cache;
pub(crate) mod compose;
mod composed;
pub(crate) mod raw;
pub(crate) mod stream;

pub(crate) mod memo;
pub(crate) mod prefetch;

use crate::dialects::Dialect;
use crate::driver::Decoder;
use crate::dsl::{Builder, Projection, Rows};
use crate::error::{CallSite, Error, Result};
use crate::exec::Executor;
use crate::types::{Params, Value, Whole};

use cache::{EntryRef, Mode, Site, shape_of};
use composed::composed_entry;

/// The builder of a call site as the caches want it: called at most once.
fn once<P: Projection, F: FnOnce(&Builder) -> P>(build: F) -> impl FnMut() -> crate::dsl::Built {
    let mut build = Some(build);
    move || {
        let b = Builder::new(0);
        match build.take() {
            Some(build) => b.project(build(&b)),
            None => b.finish_empty(),
        }
    }
}

/// A query whose rows are `T`: an entity, a column type, a tuple, or the
/// struct built in the projection. Made by `select!`; run with
/// [`fetch_all`](Query::fetch_all) and friends against a [`Database`](crate::Database)
/// or a transaction.
pub struct Query<T> {
    entry: EntryRef,
    params: Params,
    decoder: Decoder<T>,
    site: &'static Site,
    /// Where the query was written: its `select!`, or the call that
    /// composed it (`a.union(&b)`).
    at: CallSite,
}

impl<T> Clone for Query<T> {
    fn clone(&self) -> Self {
        Query {
            entry: self.entry.clone(),
            params: self.params.clone(),
            decoder: self.decoder,
            site: self.site,
            at: self.at,
        }
    }
}

impl<T> std::fmt::Debug for Query<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("source", &self.site.source)
            .field("at", &self.at)
            .field("params", &self.params)
            .finish()
    }
}

impl<T: 'static> Query<T> {
    /// Called by `select!`: looks up (or builds once) the tree of this call
    /// site for the shape of `params`.
    #[doc(hidden)]
    #[inline]
    pub fn new<P, F, V>(site: &'static Site, params: V, build: F) -> Self
    where
        P: Projection<Row = T>,
        F: FnOnce(&Builder) -> P,
        V: Into<Params> + AsRef<[Value]>,
    {
        // The shape is read from the values as the macro wrote them, and
        // `Params` is made in its place in the query: without parameters,
        // nothing is written and copied.
        let entry = site.entry(shape_of(params.as_ref()), &mut once(build));
        Query {
            entry,
            params: params.into(),
            decoder: Decoder::of::<Rows<P>>(),
            site,
            at: site.at,
        }
    }

    /// A query built at run time by code rather than by `select!` (the
    /// property tests do this): translated and rendered on every call,
    /// never cached, since one site may build many different trees.
    #[doc(hidden)]
    #[inline]
    pub fn uncached<P, F>(site: &'static Site, params: impl Into<Params>, build: F) -> Self
    where
        P: Projection<Row = T>,
        F: FnOnce(&Builder) -> P,
    {
        let params = params.into();
        let entry = site.entry(None, &mut once(build));
        Query {
            entry,
            params,
            decoder: Decoder::of::<Rows<P>>(),
            site,
            at: site.at,
        }
    }

    /// Called by `select!` for a query reading other queries
    /// (`for x in q`): cached by those queries' entries and the shape.
    #[doc(hidden)]
    pub fn with_sources<P, F>(site: &'static Site, bases: &[u64], params: impl Into<Params>, build: F) -> Self
    where
        P: Projection<Row = T>,
        F: FnOnce(&Builder) -> P,
    {
        let params = params.into();
        let entry = composed_entry(bases, site, shape_of(&params), &mut once(build));
        Query {
            entry,
            params,
            decoder: Decoder::of::<Rows<P>>(),
            site,
            at: site.at,
        }
    }

    /// Identifies this query's translation (for caches of queries built
    /// from it).
    #[doc(hidden)]
    pub fn entry_id(&self) -> u64 {
        self.entry.id
    }

    /// The query as written in the source.
    pub fn source(&self) -> &'static str {
        self.site.source
    }

    /// The SQL text for `dialect`, with placeholders.
    pub fn sql(&self, dialect: Dialect) -> String {
        self.entry.rendered(Mode::Rows, dialect).sql.clone()
    }

    /// The SQL text for `dialect`, without a copy (for benchmarks).
    #[doc(hidden)]
    pub fn sql_ref(&self, dialect: Dialect) -> &str {
        &self.entry.rendered(Mode::Rows, dialect).sql
    }

    /// The SQL text for `dialect` with every parameter written as a literal.
    /// For reading and debugging only: run queries through `fetch_*`, which
    /// binds values.
    pub fn sql_inline(&self, dialect: Dialect) -> String {
        self.entry.inline(Mode::Rows, dialect, &self.params)
    }

    pub(crate) fn entry(&self) -> &crate::query::cache::Entry {
        &self.entry
    }

    pub(crate) fn call_site(&self) -> crate::error::CallSite {
        self.at
    }

    /// The bound parameter values, in order.
    pub fn params(&self) -> &[Value] {
        &self.params
    }

    /// Every row, on a connection already taken.
    /// The error a query composed wrongly returns instead of running.
    #[inline]
    fn runnable(&self) -> Result<()> {
        if let Some(problem) = &self.entry.problem {
            return Err(Error::Usage {
                message: problem.clone(),
                site: self.at,
            });
        }
        for &i in &self.entry.counts {
            if let Some(Value::Int(n)) = self.params.get(usize::from(i))
                && *n < 0
            {
                return Err(Error::Usage {
                    message: format!("LIMIT and OFFSET count rows and cannot be negative, found {n}"),
                    site: self.at,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn rows_on(&self, conn: &mut crate::driver::Conn, max: Option<usize>) -> Result<Vec<T>> {
        self.runnable()?;
        let rendered = self.entry.rendered(Mode::Rows, conn.dialect());
        conn.query(rendered, &self.params, &self.decoder, max, self.at)
    }

    #[inline(always)]
    fn rows(&self, ex: &impl Executor, mode: Mode, max: Option<usize>) -> Result<Vec<T>> {
        let site = self.at;
        self.runnable()?;
        let mut out = Vec::new();
        ex.run_read(site, |conn| {
            // A read tried again on a fresh connection starts over.
            out.clear();
            let rendered = self.entry.rendered(mode, conn.dialect());
            conn.query_into(rendered, &self.params, &self.decoder, max, site, &mut out)
        })?;
        Ok(out)
    }

    /// Every row.
    ///
    /// # Errors
    /// A database error, or a row that cannot be decoded into `T`.
    pub fn fetch_all(&self, ex: &impl Executor) -> Result<Vec<T>> {
        self.rows(ex, Mode::Rows, None)
    }

    /// The only row.
    ///
    /// # Errors
    /// [`Error::NotFound`] for no row, [`Error::TooManyRows`] for more than one.
    pub fn fetch_one(&self, ex: &impl Executor) -> Result<T> {
        match self.fetch_optional(ex)? {
            Some(row) => Ok(row),
            None => Err(Error::NotFound { site: self.at }),
        }
    }

    /// The only row, or `None`.
    ///
    /// # Errors
    /// [`Error::TooManyRows`] for more than one row.
    pub fn fetch_optional(&self, ex: &impl Executor) -> Result<Option<T>> {
        let mut rows = self.rows(ex, Mode::Rows, Some(2))?;
        if rows.len() > 1 {
            return Err(Error::TooManyRows { site: self.at });
        }
        Ok(rows.pop())
    }

    /// The first row (`LIMIT 1`), or `None`.
    ///
    /// # Errors
    /// A database or decoding error.
    pub fn first(&self, ex: &impl Executor) -> Result<Option<T>> {
        Ok(self.rows(ex, Mode::First, Some(1))?.pop())
    }

    /// The number of rows the query returns, counted by the database.
    ///
    /// # Errors
    /// A database error.
    pub fn count(&self, ex: &impl Executor) -> Result<i64> {
        let site = self.at;
        self.runnable()?;
        ex.run_read(site, |conn| {
            let rendered = self.entry.rendered(Mode::Count, conn.dialect());
            let rows = conn.query(
                rendered,
                &self.params,
                &Decoder::<i64>::of::<Whole<i64>>(),
                Some(1),
                site,
            )?;
            Ok(rows.first().copied().unwrap_or(0))
        })
    }

    /// Whether the query returns any row.
    ///
    /// # Errors
    /// A database error.
    pub fn exists(&self, ex: &impl Executor) -> Result<bool> {
        let site = self.at;
        self.runnable()?;
        ex.run_read(site, |conn| {
            let rendered = self.entry.rendered(Mode::Exists, conn.dialect());
            let rows = conn.query(
                rendered,
                &self.params,
                &Decoder::<bool>::of::<Whole<bool>>(),
                Some(1),
                site,
            )?;
            Ok(rows.first().copied().unwrap_or(false))
        })
    }
}

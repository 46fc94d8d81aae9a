//! Writing entities: insert, insert_all, insert_keys, get, update,
//! delete and upsert, on a [`Database`] or a [`Transaction`].
//!
//! Every statement is rendered once per entity and dialect and kept with
//! the entity (`query::memo`); multi-row inserts are rendered per chunk
//! size.

mod by_key;
mod check;
mod insert;
mod keys;
mod load;
mod upsert;

use crate::entity::Entity;
use crate::error::{CallSite, Result};
use crate::exec::{Database, Transaction};

pub use upsert::ConflictKey;

/// Methods that write entities, shared by [`Database`] and [`Transaction`].
macro_rules! write_methods {
    () => {
        /// Inserts a row and returns it with its generated key filled in.
        ///
        /// # Errors
        /// [`Error::Constraint`](crate::Error::Constraint) when a key or constraint is violated; a
        /// database error.
        #[track_caller]
        pub fn insert<E: Entity>(&self, value: E) -> Result<E> {
            insert::insert(self, value, CallSite::caller())
        }

        /// Inserts rows with multi-row statements (chunked under the
        /// backend's parameter limit), all or none; returns them with keys.
        ///
        /// # Errors
        /// As [`insert`](Self::insert); nothing is kept when one row fails.
        #[track_caller]
        pub fn insert_all<E: Entity>(&self, values: Vec<E>) -> Result<Vec<E>> {
            insert::insert_all(self, values, CallSite::caller())
        }

        /// Compares the entity with the live table: every column present
        /// with a type that holds the field's values, nullability as the
        /// field's `Option`, the same primary key, no extra column an
        /// insert would have to fill, and text collated as foal's meaning
        /// of text comparison needs (by code point, trailing spaces kept).
        /// For a table foal did not create; see `docs/semantics.md`.
        ///
        /// # Errors
        /// [`Error::Schema`](crate::Error::Schema) listing every
        /// difference; a database error.
        #[track_caller]
        pub fn check<E: Entity>(&self) -> Result<()> {
            check::check::<E>(self, CallSite::caller())
        }

        /// Loads rows through the fastest path the backend has (COPY in
        /// binary on PostgreSQL, wide prepared multi-row INSERTs on SQLite
        /// and MySQL), all or nothing, and returns how many went in. Rows
        /// keep the keys they carry, generated ones included (PostgreSQL's
        /// sequence then continues after the largest); the rows are read
        /// from the iterator 10 000 at a time, so a load of any size holds
        /// no more than that in memory. Nothing is returned but the count:
        /// for the rows with their generated keys, see
        /// [`insert_all`](Self::insert_all).
        ///
        /// # Errors
        /// As [`insert_all`](Self::insert_all); nothing is kept when one
        /// row fails.
        #[track_caller]
        pub fn load<E: Entity>(&self, rows: impl IntoIterator<Item = E>) -> Result<u64> {
            load::load(self, rows, CallSite::caller())
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
            insert::insert_keys(self, values, CallSite::caller())
        }

        /// The row with this key, if any.
        ///
        /// # Errors
        /// A database or decoding error.
        #[track_caller]
        pub fn get<E: Entity>(&self, key: impl Into<E::Key>) -> Result<Option<E>> {
            by_key::get(self, &key.into(), CallSite::caller())
        }

        /// Writes every non-key field of `value` to the row with its key and
        /// returns the stored state (with the version incremented, for an
        /// entity with a `#[foal(version)]` field).
        ///
        /// # Errors
        /// [`Error::NotFound`](crate::Error::NotFound) when no row has the key; [`Error::Conflict`](crate::Error::Conflict)
        /// when the row's version is not `value`'s (another writer won).
        #[track_caller]
        pub fn update<E: Entity + Clone>(&self, value: &E) -> Result<E> {
            by_key::update(self, value, CallSite::caller())
        }

        /// Deletes the row with `value`'s key; returns how many rows went.
        ///
        /// # Errors
        /// [`Error::Conflict`](crate::Error::Conflict) for a versioned entity whose row changed or
        /// vanished; a database error.
        #[track_caller]
        pub fn delete<E: Entity>(&self, value: &E) -> Result<u64> {
            by_key::delete(self, value, CallSite::caller())
        }

        /// Inserts `value`, or overwrites the row with its primary key;
        /// returns the row as stored (a versioned row's version goes up by
        /// one when it is overwritten).
        ///
        /// # Errors
        /// [`Error::Constraint`](crate::Error::Constraint) when another unique key or a foreign key
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
            upsert::upsert(self, value, &fields, site)
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
        /// [`Error::Usage`](crate::Error::Usage) when `key` is neither the primary key nor a
        /// unique field; as [`upsert`](Self::upsert) otherwise.
        #[track_caller]
        pub fn upsert_by<E: Entity, K: ConflictKey>(&self, value: E, key: impl FnOnce(&E::Columns) -> K) -> Result<E> {
            let site = CallSite::caller();
            let mut fields = Vec::new();
            key(&E::COLUMNS).fields(&mut fields);
            upsert::upsert(self, value, &fields, site)
        }
    };
}

impl Database {
    write_methods!();
}

impl Transaction<'_> {
    write_methods!();
}

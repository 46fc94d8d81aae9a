//! What queries can do with a UUID: compare it (`==`, and `<` in its
//! bytewise order, which every backend shares with `Uuid`'s `Ord`), list it
//! in IN, and group and order by it. No `min`/`max`: PostgreSQL has no
//! `min(uuid)`, so that would not run on every backend.

use uuid::Uuid;

use super::ops::{SqlEq, SqlOrd, comparable};
use super::source::{SourceRow, column_sources};
use super::vars::{MaybeNull, maybe_null};
use super::{Builder, Expr};

maybe_null!(Uuid);
comparable!(Uuid);
column_sources!(Uuid);

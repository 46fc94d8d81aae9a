//! Writing statements: INSERT (with upserts), UPDATE, DELETE.

use super::expr::Expr;
use super::query::Join;

/// What an upsert does on a key conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct OnConflict {
    /// The columns of the unique key that may conflict.
    pub target: Vec<String>,
    /// Columns overwritten with the proposed row's values.
    pub update: Vec<String>,
    /// A version column incremented when the row is updated.
    pub bump: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Expr>>,
    pub on_conflict: Option<OnConflict>,
    /// Columns to return (rendered only where the provider supports it).
    pub returning: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub table: String,
    pub alias: String,
    pub set: Vec<(String, Expr)>,
    /// Further tables a multi-table update reads (MySQL syntax needs them).
    pub from: Vec<Join>,
    pub filter: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    pub table: String,
    pub alias: String,
    pub from: Vec<Join>,
    pub filter: Option<Expr>,
}

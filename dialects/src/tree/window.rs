//! Window functions: what is computed over a window of rows, and the
//! window itself (partitions, order, frame).

use super::expr::Expr;
use super::query::OrderBy;

/// Ranking and offset functions (aggregates over a window use
/// [`AggFunc`](super::AggFunc)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WindowFunc {
    RowNumber,
    Rank,
    DenseRank,
    /// `NTILE(n)`: the bucket, from 1, of `n` buckets as equal as can be.
    Ntile,
    PercentRank,
    CumeDist,
    /// `LAG(x, n)`: `x` of the row `n` before, NULL before the first.
    Lag,
    /// `LEAD(x, n)`: `x` of the row `n` after, NULL after the last.
    Lead,
    FirstValue,
    LastValue,
    /// `NTH_VALUE(x, n)`: `x` of the `n`th row of the frame, from 1.
    NthValue,
}

/// Whether a frame counts rows or values of the ordering key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameUnits {
    Rows,
    Range,
}

/// One end of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(u64),
    CurrentRow,
    Following(u64),
    UnboundedFollowing,
}

/// `ROWS | RANGE BETWEEN start AND end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: FrameBound,
}

/// `OVER (PARTITION BY … ORDER BY … frame)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WindowSpec {
    pub partition: Vec<Expr>,
    pub order: Vec<OrderBy>,
    pub frame: Option<Frame>,
}

//! Window functions: `rank().over(partition_by(e.dept).order_by(desc(e.salary)))`.
//!
//! A window starts with [`window`], [`partition_by`] or [`order_by`] and
//! chains more keys and one frame; `select!` writes a frame as a Rust range
//! of rows relative to the current one (`.rows(..=0)`: from the first row
//! of the partition to the current one). A ranking or offset function is a
//! [`WindowCall`], a value only once it has its window; an aggregate of the
//! prelude becomes a window aggregate with `.over(..)` too.

use std::marker::PhantomData;

use crate::dialects::{self as sql, Frame, FrameBound, FrameUnits, WindowFunc, WindowSpec};
use crate::dsl::{Expr, IntoOrderKey, MaybeNull};
use crate::types::Typed;

/// The window of rows a window function is computed over.
#[derive(Clone, Default)]
pub struct Window {
    spec: WindowSpec,
    agg: bool,
}

/// `OVER ()`: every row of the query.
pub fn window() -> Window {
    Window::default()
}

/// A window of the rows with the same `key`.
pub fn partition_by<T: Typed>(key: Expr<T>) -> Window {
    window().partition_by(key)
}

/// A window ordered by `key` (a value or `desc(value)`).
pub fn order_by<K: IntoOrderKey>(key: K) -> Window {
    window().order_by(key)
}

impl Window {
    /// One more partition key.
    pub fn partition_by<T: Typed>(mut self, key: Expr<T>) -> Window {
        self.agg |= key.agg;
        self.spec.partition.push(key.value_node());
        self
    }

    /// One more ordering key.
    pub fn order_by<K: IntoOrderKey>(mut self, key: K) -> Window {
        let key = key.into_key();
        self.spec.order.push(sql::OrderBy {
            expr: key.expr,
            desc: key.desc,
            nullable: key.nullable,
        });
        self
    }

    /// `ROWS BETWEEN start AND end`.
    #[doc(hidden)]
    pub fn rows(mut self, start: FrameBound, end: FrameBound) -> Window {
        self.spec.frame = Some(Frame {
            units: FrameUnits::Rows,
            start,
            end,
        });
        self
    }

    /// `RANGE BETWEEN start AND end`: offsets in values of the one
    /// ordering key.
    #[doc(hidden)]
    pub fn range(mut self, start: FrameBound, end: FrameBound) -> Window {
        self.spec.frame = Some(Frame {
            units: FrameUnits::Range,
            start,
            end,
        });
        self
    }
}

/// A ranking or offset function, waiting for its window.
pub struct WindowCall<T> {
    func: WindowFunc,
    args: Vec<sql::Expr>,
    agg: bool,
    nullable: bool,
    _t: PhantomData<fn() -> T>,
}

fn call<T>(func: WindowFunc, args: Vec<sql::Expr>, agg: bool, nullable: bool) -> WindowCall<T> {
    WindowCall {
        func,
        args,
        agg,
        nullable,
        _t: PhantomData,
    }
}

/// The row's number in its window, from 1.
pub fn row_number() -> WindowCall<i64> {
    call(WindowFunc::RowNumber, Vec::new(), false, false)
}

/// The row's rank, from 1, with gaps after ties.
pub fn rank() -> WindowCall<i64> {
    call(WindowFunc::Rank, Vec::new(), false, false)
}

/// The row's rank, from 1, without gaps.
pub fn dense_rank() -> WindowCall<i64> {
    call(WindowFunc::DenseRank, Vec::new(), false, false)
}

/// `(rank - 1) / (rows - 1)`, 0 for a window of one row.
pub fn percent_rank() -> WindowCall<f64> {
    call(WindowFunc::PercentRank, Vec::new(), false, false)
}

/// The fraction of the window's rows up to this one and its peers.
pub fn cume_dist() -> WindowCall<f64> {
    call(WindowFunc::CumeDist, Vec::new(), false, false)
}

/// Integer values a bucket count or a row offset can be.
#[diagnostic::on_unimplemented(message = "`{Self}` cannot count rows", label = "expected an integer")]
pub trait WindowInt: Typed {}
impl WindowInt for i32 {}
impl WindowInt for i64 {}
impl WindowInt for usize {}

/// An offset or count as SQL's window functions take it (an `int`).
fn count_node<N: WindowInt>(n: Expr<N>) -> sql::Expr {
    match n.node {
        lit @ sql::Expr::Literal(_) => lit,
        node => sql::Expr::Cast {
            expr: Box::new(node),
            from: N::TYPE,
            to: sql::Type::I32,
        },
    }
}

/// The row's bucket, from 1, of `n` buckets as equal as can be.
pub fn ntile<N: WindowInt>(n: Expr<N>) -> WindowCall<i64> {
    let agg = n.agg;
    call(WindowFunc::Ntile, vec![count_node(n)], agg, false)
}

/// `x` of the row `n` before this one in the window; `None` before the first.
pub fn lag<T: MaybeNull, N: WindowInt>(x: Expr<T>, n: Expr<N>) -> WindowCall<T::Opt> {
    let agg = x.agg || n.agg;
    call(WindowFunc::Lag, vec![x.value_node(), count_node(n)], agg, true)
}

/// `x` of the row `n` after this one; `None` after the last.
pub fn lead<T: MaybeNull, N: WindowInt>(x: Expr<T>, n: Expr<N>) -> WindowCall<T::Opt> {
    let agg = x.agg || n.agg;
    call(WindowFunc::Lead, vec![x.value_node(), count_node(n)], agg, true)
}

/// `x` of the first row of the frame.
pub fn first_value<T: MaybeNull>(x: Expr<T>) -> WindowCall<T::Opt> {
    let agg = x.agg;
    call(WindowFunc::FirstValue, vec![x.value_node()], agg, true)
}

/// `x` of the last row of the frame (with the default frame, the current
/// row's last peer).
pub fn last_value<T: MaybeNull>(x: Expr<T>) -> WindowCall<T::Opt> {
    let agg = x.agg;
    call(WindowFunc::LastValue, vec![x.value_node()], agg, true)
}

/// `x` of the `n`th row of the frame, from 1; `None` when it has fewer.
pub fn nth_value<T: MaybeNull, N: WindowInt>(x: Expr<T>, n: Expr<N>) -> WindowCall<T::Opt> {
    let agg = x.agg || n.agg;
    call(WindowFunc::NthValue, vec![x.value_node(), count_node(n)], agg, true)
}

/// What `.over(window)` applies to: a window function, or an aggregate
/// of the prelude (`sum(o.total).over(..)`).
#[diagnostic::on_unimplemented(
    message = "`.over(..)` applies to a window function or an aggregate, not to `{Self}`",
    label = "not a window function or an aggregate"
)]
pub trait Windowed {
    type Output;
    #[doc(hidden)]
    fn over(self, window: Window) -> Expr<Self::Output>;
}

impl<T> Windowed for WindowCall<T> {
    type Output = T;
    fn over(self, window: Window) -> Expr<T> {
        let node = sql::Expr::Window {
            func: Box::new(sql::Expr::WindowCall {
                func: self.func,
                args: self.args,
            }),
            spec: Box::new(window.spec),
        };
        Expr::with(node, self.agg || window.agg, self.nullable)
    }
}

impl<T> Windowed for Expr<T> {
    type Output = T;
    /// Each aggregate of the expression (`COALESCE(SUM(x), 0)` has one)
    /// is computed over the window; the expression no longer groups, unless
    /// its window reads an aggregate of a grouped query.
    fn over(self, window: Window) -> Expr<T> {
        let mut node = self.node;
        let agg = window.agg;
        let spec = window.spec;
        over_aggregates(&mut node, &spec);
        Expr::with(node, agg, self.nullable)
    }
}

fn over_aggregates(e: &mut sql::Expr, spec: &WindowSpec) {
    if let sql::Expr::Aggregate { .. } = e {
        let aggregate = std::mem::replace(e, sql::Expr::Literal(sql::Literal::Null));
        *e = sql::Expr::Window {
            func: Box::new(aggregate),
            spec: Box::new(spec.clone()),
        };
        return;
    }
    match e {
        sql::Expr::Func { args, .. } => args.iter_mut().for_each(|a| over_aggregates(a, spec)),
        sql::Expr::Cast { expr, .. } => over_aggregates(expr, spec),
        sql::Expr::Binary { left, right, .. } => {
            over_aggregates(left, spec);
            over_aggregates(right, spec);
        }
        sql::Expr::Case { branches, otherwise } => {
            for (w, t) in branches {
                over_aggregates(w, spec);
                over_aggregates(t, spec);
            }
            if let Some(o) = otherwise {
                over_aggregates(o, spec);
            }
        }
        _ => {}
    }
}

/// `f.over(window)`.
pub fn over<F: Windowed<Output = O>, O>(f: F, window: Window) -> Expr<O> {
    f.over(window)
}

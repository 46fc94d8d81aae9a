//! Window functions: `rank().over(partition_by(e.dept).order_by(desc(e.salary)))`.
//!
//! The receiver of `.over(..)` is a window function or an aggregate; its
//! argument is a window written as a chain that starts with `window()`,
//! `partition_by(key)` or `order_by(key)`. A frame is a Rust range of
//! integer literals counting rows from the current one, checked here: SQL
//! writes its offsets into the statement, so they cannot be values bound
//! at run time.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, RangeLimits, UnOp};

use super::{Tr, Tx, call_name, placeholder, strip};
use crate::select::ctx::private;
use crate::select::names;
use crate::spans::call_over;

/// One end of a frame as the user wrote it: `None` is unbounded.
type Offset = Option<i64>;

/// The parts of an ordering key: `desc(x)`, `x.desc()`, `x.asc()` or `x`.
pub(crate) fn order_key(key: &Expr) -> (&Expr, bool) {
    match strip(key) {
        Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("desc")) && c.args.len() == 1 => {
            (&c.args[0], true)
        }
        Expr::MethodCall(m) if (m.method == "desc" || m.method == "asc") && m.args.is_empty() => {
            (&*m.receiver, m.method == "desc")
        }
        other => (other, false),
    }
}

/// The keys of `order_by(..)`: a tuple is several.
pub(crate) fn order_keys(keys: &Expr) -> Vec<&Expr> {
    match strip(keys) {
        Expr::Tuple(t) => t.elems.iter().collect(),
        other => vec![other],
    }
}

impl Tx<'_> {
    /// `f.over(window)`.
    pub(super) fn over(&mut self, m: &syn::ExprMethodCall) -> Tr {
        let p = private();
        if !self.args(m, 1) {
            return placeholder();
        }
        let Some(function) = self.windowed(&m.receiver) else {
            return placeholder();
        };
        let Some(window) = self.window(&m.args[0]) else {
            return placeholder();
        };
        Tr::Query(call_over(quote!(#p::window::over), quote!(#function, #window), m))
    }

    /// The receiver of `.over(..)`: a window function or an aggregate.
    fn windowed(&mut self, receiver: &Expr) -> Option<TokenStream> {
        let p = private();
        let call = match strip(receiver) {
            Expr::Call(c) => c,
            other => {
                self.not_windowed(other);
                return None;
            }
        };
        let name = call_name(call).unwrap_or_default();
        if let Some(args) = names::window_function(&name) {
            if call.args.len() != args {
                self.ctx.error(
                    &call.func,
                    format!("`{name}` takes {args} argument{}", if args == 1 { "" } else { "s" }),
                );
                return None;
            }
            let args: Vec<TokenStream> = call.args.iter().map(|a| self.expr(a)).collect();
            let f = syn::Ident::new(&name, call.func.span());
            return Some(call_over(quote!(::foal::window::#f), quote!(#(#args),*), call));
        }
        if names::WINDOW_AGGREGATES.contains(&name.as_str()) {
            if call.args.len() == 1 && crate::select::parse::generator(&call.args[0]).is_some() {
                self.ctx.error(
                    &call.args[0],
                    "a window aggregates the query's own rows, not a generator: `sum(o.total).over(..)`",
                );
                return None;
            }
            // `count(o)` over a window counts the window's rows.
            if name == "count"
                && call.args.len() == 1
                && let Tr::Var(v) = self.tr(&call.args[0])
            {
                return Some(call_over(quote!(#p::count_row), quote!(__b, &#v, false), call));
            }
            return match self.aggregate(&name, call) {
                Tr::Query(t) => Some(t),
                _ => None,
            };
        }
        if names::AGGREGATES.contains(&name.as_str()) {
            self.ctx.error(
                &call.func,
                format!(
                    "`{name}` cannot be computed over a window: SQL has no DISTINCT or string aggregate in a \
                     window on every backend; over a window use {}",
                    names::WINDOW_AGGREGATES
                        .iter()
                        .filter(|a| **a != "sum_or_none")
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        self.not_windowed(receiver);
        None
    }

    fn not_windowed(&mut self, at: &Expr) {
        self.ctx.error(
            at,
            format!(
                "`.over(..)` applies to a window function ({}) or an aggregate (count, sum, avg, min, max)",
                names::window_functions()
            ),
        );
    }

    /// A window: `partition_by(k).order_by(desc(v)).rows(..=0)`.
    fn window(&mut self, e: &Expr) -> Option<TokenStream> {
        // The chain from the outermost call inwards, reversed.
        let mut steps: Vec<&syn::ExprMethodCall> = Vec::new();
        let mut at = strip(e);
        while let Expr::MethodCall(m) = at {
            steps.push(m);
            at = strip(&m.receiver);
        }
        steps.reverse();
        let start = match at {
            Expr::Call(c) => c,
            other => {
                self.bad_window(other);
                return None;
            }
        };
        let name = call_name(start).unwrap_or_default();
        let Some((_, args)) = names::WINDOW_STARTS.iter().find(|(n, _)| *n == name) else {
            self.bad_window(at);
            return None;
        };
        if start.args.len() != *args {
            self.ctx.error(
                &start.func,
                format!(
                    "`{name}` takes {args} argument{} here",
                    if *args == 1 { "" } else { "s" }
                ),
            );
            return None;
        }
        let mut out = quote!(::foal::window::window());
        if let Some(arg) = start.args.first() {
            out.extend(self.window_keys(&name, arg));
        }
        let mut framed = false;
        for step in steps {
            let method = step.method.to_string();
            match method.as_str() {
                "partition_by" | "order_by" if step.args.len() == 1 => {
                    if framed {
                        self.ctx
                            .error(&step.method, "the frame (`.rows(..)` or `.range(..)`) ends a window");
                        return None;
                    }
                    out.extend(self.window_keys(&method, &step.args[0]));
                }
                "rows" | "range" if step.args.len() == 1 => {
                    if framed {
                        self.ctx.error(&step.method, "a window has one frame");
                        return None;
                    }
                    framed = true;
                    out.extend(self.frame(&method, &step.args[0])?);
                }
                _ => {
                    self.ctx.error(
                        &step.method,
                        format!(
                            "a window chains `.partition_by(key)`, `.order_by(key)` and one frame, `.rows(range)` \
                             or `.range(range)`; `{method}` is not one of them"
                        ),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn bad_window(&mut self, at: &Expr) {
        self.ctx.error(
            at,
            "a window starts with `window()`, `partition_by(key)` or `order_by(key)`: \
             `rank().over(partition_by(e.dept).order_by(desc(e.salary)))`",
        );
    }

    /// `.partition_by(k)` or `.order_by(keys)` (one call per key).
    fn window_keys(&mut self, method: &str, keys: &Expr) -> TokenStream {
        let mut out = TokenStream::new();
        for key in order_keys(keys) {
            if method == "partition_by" {
                let k = self.expr(key);
                out.extend(quote!(.partition_by(#k)));
                continue;
            }
            let (inner, desc) = order_key(key);
            let k = self.expr(inner);
            out.extend(if desc {
                quote!(.order_by(::foal::functions::desc(#k)))
            } else {
                quote!(.order_by(#k))
            });
        }
        out
    }

    /// `.rows(-2..=2)`: the frame's ends as `FrameBound`s.
    fn frame(&mut self, units: &str, range: &Expr) -> Option<TokenStream> {
        let p = private();
        let (start, end): (Offset, Offset) = match strip(range) {
            Expr::Range(r) => {
                let start = match &r.start {
                    Some(s) => Some(self.offset(s)?),
                    None => None,
                };
                let end = match (&r.end, r.limits) {
                    (Some(e), RangeLimits::Closed(_)) => Some(self.offset(e)?),
                    (Some(e), RangeLimits::HalfOpen(_)) => Some(self.offset(e)? - 1),
                    (None, _) => None,
                };
                (start, end)
            }
            other => {
                self.ctx.error(
                    other,
                    "a frame is a range of rows relative to the current one: `..=0` (from the first row to \
                     this one), `-2..=2`, `0..` (from this row to the last)",
                );
                return None;
            }
        };
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            self.ctx
                .error(range, format!("this frame is empty: it starts at {s} and ends at {e}"));
            return None;
        }
        if units == "range" && (start.is_some_and(|s| s != 0) || end.is_some_and(|e| e != 0)) {
            self.ctx.error(
                range,
                "a `range` frame takes unbounded ends or the current row's peers (0) only: offsets in values \
                 of the ordering key differ between backends; count rows with `.rows(..)`",
            );
            return None;
        }
        let bound = |o: Offset, unbounded: TokenStream| match o {
            None => unbounded,
            Some(0) => quote!(#p::FrameBound::CurrentRow),
            Some(n) if n < 0 => {
                let n = n.unsigned_abs();
                quote!(#p::FrameBound::Preceding(#n))
            }
            Some(n) => {
                let n = n.unsigned_abs();
                quote!(#p::FrameBound::Following(#n))
            }
        };
        let start = bound(start, quote!(#p::FrameBound::UnboundedPreceding));
        let end = bound(end, quote!(#p::FrameBound::UnboundedFollowing));
        let method = syn::Ident::new(units, proc_macro2::Span::call_site());
        Some(quote!(.#method(#start, #end)))
    }

    /// An integer literal, possibly negated.
    fn offset(&mut self, e: &Expr) -> Option<i64> {
        let (lit, negative) = match strip(e) {
            Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => (i, false),
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match strip(&u.expr) {
                Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => (i, true),
                _ => return self.not_an_offset(e),
            },
            _ => return self.not_an_offset(e),
        };
        match lit.base10_parse::<i64>() {
            Ok(n) => Some(if negative { -n } else { n }),
            Err(err) => {
                self.ctx.error(lit, err.to_string());
                None
            }
        }
    }

    fn not_an_offset(&mut self, e: &Expr) -> Option<i64> {
        self.ctx.error(
            e,
            "a frame's ends are integer literals (SQL writes them into the statement): `-2..=2`",
        );
        None
    }
}

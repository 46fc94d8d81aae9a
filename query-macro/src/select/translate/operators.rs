//! Operators: comparisons, logic, arithmetic, ranges and row values.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Ident};

use super::{Tr, Tx, is_none_path, placeholder, strip};
use crate::select::ctx::private;
use crate::spans::call_over;

impl Tx<'_> {
    pub(super) fn binary(&mut self, b: &syn::ExprBinary) -> Tr {
        let p = private();
        let op_span = b.op.span();
        // `x == None` / `x != None`.
        if matches!(b.op, BinOp::Eq(_) | BinOp::Ne(_)) && (is_none_path(&b.right) || is_none_path(&b.left)) {
            let other = if is_none_path(&b.right) { &b.left } else { &b.right };
            let x = self.expr(other);
            let f = if matches!(b.op, BinOp::Eq(_)) {
                quote!(is_none)
            } else {
                quote!(is_some)
            };
            return Tr::Query(quote_spanned!(op_span=> #p::methods::#f(#x)));
        }
        let (name, comparison) = match b.op {
            BinOp::Eq(_) => ("eq", true),
            BinOp::Ne(_) => ("ne", true),
            BinOp::Lt(_) => ("lt", true),
            BinOp::Le(_) => ("le", true),
            BinOp::Gt(_) => ("gt", true),
            BinOp::Ge(_) => ("ge", true),
            BinOp::And(_) => ("and", false),
            BinOp::Or(_) => ("or", false),
            BinOp::Add(_) => ("add", false),
            BinOp::Sub(_) => ("sub", false),
            BinOp::Mul(_) => ("mul", false),
            BinOp::Div(_) => ("div", false),
            BinOp::Rem(_) => ("rem", false),
            BinOp::BitAnd(_) | BinOp::BitOr(_) | BinOp::BitXor(_) | BinOp::Shl(_) | BinOp::Shr(_) => {
                self.ctx.error(
                    b.op,
                    "bitwise operators cannot be translated to SQL; use `&&` and `||` for conditions",
                );
                return placeholder();
            }
            _ => {
                self.ctx.error(b.op, "assignment cannot be used inside a query");
                return placeholder();
            }
        };
        let left = self.tr(&b.left);
        let right = self.tr(&b.right);
        // Comparisons take the query side first, so a value computed in Rust
        // is always the right operand (`5 < p.x` is `p.x > 5`).
        let (name, left, right, lexpr, rexpr) =
            if comparison && matches!(left, Tr::Const(_)) && !matches!(right, Tr::Const(_)) {
                let flipped = match name {
                    "lt" => "gt",
                    "le" => "ge",
                    "gt" => "lt",
                    "ge" => "le",
                    same => same,
                };
                (flipped, right, left, &b.right, &b.left)
            } else {
                (name, left, right, &b.left, &b.right)
            };
        let l = self.value(left, lexpr);
        let r = self.value(right, rexpr);
        let f = Ident::new(name, op_span);
        // One argument for both operands: a type error covers the whole operation.
        let pair = call_over(quote!(#p::ops::pair), quote!(#l, #r), b);
        Tr::Query(call_over(quote!(#p::ops::#f), pair, b))
    }

    /// A value compared as a row: a tuple becomes a row value.
    pub(super) fn row_value(&mut self, e: &Expr) -> TokenStream {
        let p = private();
        match strip(e) {
            Expr::Tuple(t) if t.elems.len() > 1 => {
                let items: Vec<TokenStream> = t.elems.iter().map(|e| self.expr(e)).collect();
                call_over(quote!(#p::methods::row), quote!((#(#items,)*)), e)
            }
            other => self.expr(other),
        }
    }

    /// `(lo..=hi).contains(&x)`: `x BETWEEN lo AND hi` (as `lo <= x AND x <= hi`).
    pub(super) fn between(&mut self, range: &syn::ExprRange, x: &Expr) -> Tr {
        let p = private();
        let (Some(lo), Some(hi)) = (&range.start, &range.end) else {
            self.ctx
                .error(range, "only a range with both ends can test membership in a query");
            return placeholder();
        };
        let x1 = self.expr(x);
        let x2 = self.expr(x);
        let lo = self.expr(lo);
        let hi = self.expr(hi);
        let upper = match range.limits {
            syn::RangeLimits::Closed(_) => quote!(le),
            syn::RangeLimits::HalfOpen(_) => quote!(lt),
        };
        let low = call_over(
            quote!(#p::ops::ge),
            call_over(quote!(#p::ops::pair), quote!(#x1, #lo), range),
            range,
        );
        let high = call_over(
            quote!(#p::ops::#upper),
            call_over(quote!(#p::ops::pair), quote!(#x2, #hi), range),
            range,
        );
        Tr::Query(call_over(
            quote!(#p::ops::and),
            call_over(quote!(#p::ops::pair), quote!(#low, #high), range),
            range,
        ))
    }
}

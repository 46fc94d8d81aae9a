//! Function calls: aggregates, generators (subqueries), `coalesce`, `Some`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, ExprLit, Ident, Lit};

use super::{Tr, Tx, call_name, placeholder, strip};
use crate::select::ctx::private;
use crate::select::names;
use crate::select::parse::{Comprehension, generator};
use crate::spans::call_over;

impl Tx<'_> {
    pub(super) fn call(&mut self, c: &syn::ExprCall) -> Tr {
        let p = private();
        let Some(name) = call_name(c) else {
            self.ctx.error(
                &c.func,
                "this function cannot be translated to SQL; compute its value in Rust before the query \
                 (it is then bound as a parameter), or use a supported function",
            );
            return placeholder();
        };
        if names::AGGREGATES.contains(&name.as_str()) {
            return self.aggregate(&name, c);
        }
        if names::window_function(&name).is_some() {
            self.ctx.error(
                c,
                format!(
                    "`{name}` is a window function: give it its window with `.over(..)`, e.g. \
                     `{name}({}).over(order_by(e.salary))`",
                    if c.args.is_empty() { "" } else { ".." }
                ),
            );
            return placeholder();
        }
        if names::WINDOW_STARTS.iter().any(|(n, _)| *n == name) {
            self.ctx.error(
                &c.func,
                format!("`{name}(..)` starts a window: it is only the argument of `.over(..)`"),
            );
            return placeholder();
        }
        match (name.as_str(), c.args.len()) {
            ("Some", 1) => {
                let x = self.expr(&c.args[0]);
                Tr::Query(call_over(quote!(#p::methods::some), x, c))
            }
            ("substring", 3) => {
                let args: Vec<TokenStream> = c.args.iter().map(|a| self.expr(a)).collect();
                Tr::Query(call_over(quote!(::foal::functions::substring), quote!(#(#args),*), c))
            }
            ("coalesce", 2) => {
                let x = self.expr(&c.args[0]);
                let d = self.expr(&c.args[1]);
                Tr::Query(call_over(quote!(::foal::functions::coalesce), quote!(#x, #d), c))
            }
            ("desc", _) => {
                self.ctx
                    .error(&c.func, "`desc(..)` can only be used as a key of `order_by`");
                placeholder()
            }
            _ if names::method(&name).is_some() && !c.args.is_empty() => {
                // `len(p.name)`: the method written as a function.
                let receiver = quote::ToTokens::to_token_stream(&c.args[0])
                    .to_string()
                    .replace(' ', "");
                let rest: Vec<String> = c
                    .args
                    .iter()
                    .skip(1)
                    .map(|a| quote::ToTokens::to_token_stream(a).to_string())
                    .collect();
                self.ctx.error(
                    &c.func,
                    format!(
                        "`{name}` is a method, as in Rust: write `{receiver}.{name}({})`",
                        rest.join(", ")
                    ),
                );
                placeholder()
            }
            _ => {
                self.ctx.error(
                    &c.func,
                    format!(
                        "the function `{name}` cannot be translated to SQL; compute its value in Rust before \
                         the query (it is then bound as a parameter), or use a supported function: {}",
                        names::functions()
                    ),
                );
                placeholder()
            }
        }
    }

    pub(super) fn aggregate(&mut self, name: &str, c: &syn::ExprCall) -> Tr {
        let p = private();
        let span = c.func.span();
        let expected = if name == "group_concat" { 2 } else { 1 };
        if c.args.len() != expected {
            self.ctx.error(
                &c.func,
                format!(
                    "`{name}` takes {expected} argument{}",
                    if expected == 1 { "" } else { "s" }
                ),
            );
            return placeholder();
        }
        let arg = &c.args[0];
        let separator = match c.args.get(1).map(strip) {
            Some(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => Some(s.clone()),
            Some(other) => {
                self.ctx
                    .error(other, "the separator of `group_concat` must be a string literal");
                return placeholder();
            }
            None => None,
        };
        if let Some(parsed) = generator(arg) {
            return match parsed {
                Ok(g) => self.generator(name, &g, separator, span),
                Err(e) => {
                    self.ctx.error_at(e.span(), e);
                    placeholder()
                }
            };
        }
        if name == "exists" {
            self.ctx
                .error(arg, "`exists` takes a generator: `exists(o for o in Order if …)`");
            return placeholder();
        }
        if let Some(window) = nested_window(arg) {
            self.ctx.error(
                window,
                format!(
                    "`{name}` cannot aggregate a window function: SQL computes windows after aggregates; \
                     select the window in a query value and aggregate its rows: \
                     `{name}(x for (_, x) in ranked)`"
                ),
            );
            return placeholder();
        }
        if let Some(inner) = nested_aggregate(arg) {
            self.ctx.error(
                inner,
                format!(
                    "`{name}` cannot aggregate another aggregate: SQL has no nested aggregates; aggregate a \
                     subquery instead, e.g. `{name}(count(o for o in c.orders) for c in Customer)`"
                ),
            );
            return placeholder();
        }

        let f = Ident::new(name, span);
        let x = match self.tr(arg) {
            Tr::Var(v) if name == "count" => {
                let distinct = self.env.sources() > 1;
                return Tr::Query(call_over(quote!(#p::count_row), quote!(__b, &#v, #distinct), c));
            }
            other => self.value(other, arg),
        };
        Tr::Query(match separator {
            Some(sep) => call_over(quote!(::foal::functions::#f), quote!(#x, #sep), c),
            None => call_over(quote!(::foal::functions::#f), x, c),
        })
    }

    pub(super) fn generator(
        &mut self,
        name: &str,
        g: &Comprehension,
        separator: Option<syn::LitStr>,
        span: Span,
    ) -> Tr {
        let p = private();
        self.env.push();
        let stmts = self.clauses(&g.clauses);
        let out = if name == "exists" {
            quote!(::foal::functions::exists(__b.rows(|| { #stmts })))
        } else {
            let f = Ident::new(name, span);
            let x = match self.tr(&g.projection) {
                Tr::Var(v) if name == "count" => {
                    let distinct = self.env.sources() > 1;
                    quote!(#p::count_row(__b, &#v, #distinct))
                }
                other => {
                    let x = self.value(other, &g.projection);
                    match &separator {
                        Some(sep) => quote_spanned!(span=> ::foal::functions::#f(#x, #sep)),
                        None => quote_spanned!(span=> ::foal::functions::#f(#x)),
                    }
                }
            };
            quote!(#p::scalar(__b.subquery(|| { #stmts #x })))
        };
        self.env.pop();
        Tr::Query(out)
    }

    /// `(e for x in … if …).contains(&y)`: `y IN (SELECT e FROM …)`.
    pub(super) fn in_generator(&mut self, g: &Comprehension, y: &Expr, at: &syn::ExprMethodCall) -> Tr {
        let p = private();
        let y = match strip(y) {
            Expr::Reference(r) => &*r.expr,
            other => other,
        };
        let value = self.row_value(y);
        self.env.push();
        let stmts = self.clauses(&g.clauses);
        let elem = match strip(&g.projection) {
            Expr::Tuple(t) => {
                let items: Vec<TokenStream> = t.elems.iter().map(|e| self.expr(e)).collect();
                quote!((#(#items,)*))
            }
            other => self.expr(other),
        };
        self.env.pop();
        let _ = &p;
        Tr::Query(call_over(
            quote!(::foal::functions::in_rows),
            quote!(#value, __b.rows_of(|| { #stmts #elem })),
            at,
        ))
    }
}

/// An aggregate call inside `e`, outside any generator (generators are
/// macros, whose tokens the visitor does not enter).
fn nested_aggregate(e: &Expr) -> Option<&syn::ExprCall> {
    struct Find<'a> {
        found: Option<&'a syn::ExprCall>,
    }
    impl<'a> Visit<'a> for Find<'a> {
        fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
            if self.found.is_none() && call_name(c).is_some_and(|n| names::AGGREGATES.contains(&n.as_str())) {
                self.found = Some(c);
            }
            syn::visit::visit_expr_call(self, c);
        }
    }
    let mut find = Find { found: None };
    find.visit_expr(e);
    find.found
}

/// A `.over(..)` call inside `e`, outside any generator.
fn nested_window(e: &Expr) -> Option<&syn::ExprMethodCall> {
    struct Find<'a> {
        found: Option<&'a syn::ExprMethodCall>,
    }
    impl<'a> Visit<'a> for Find<'a> {
        fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
            if self.found.is_none() && m.method == "over" {
                self.found = Some(m);
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut find = Find { found: None };
    find.visit_expr(e);
    find.found
}

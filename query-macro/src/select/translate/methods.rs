//! Method calls on query values: text, options, numbers, dates, and
//! `contains` on a list or a generator.

use quote::quote;
use syn::{Expr, ExprLit, Ident, Lit};

use super::{Tr, Tx, placeholder, strip};
use crate::select::ctx::private;
use crate::select::names::{self, MethodKind};
use crate::select::parse::generator;
use crate::spans::call_over;

impl Tx<'_> {
    pub(super) fn args(&mut self, m: &syn::ExprMethodCall, n: usize) -> bool {
        if m.args.len() == n {
            return true;
        }
        self.ctx.error(
            &m.method,
            format!(
                "`{}` takes {n} argument{} here",
                m.method,
                if n == 1 { "" } else { "s" }
            ),
        );
        false
    }

    pub(super) fn method(&mut self, m: &syn::ExprMethodCall) -> Tr {
        let p = private();
        let name = m.method.to_string();
        let span = m.method.span();
        if name == "over" {
            return self.over(m);
        }
        // `(x for x in …).contains(&y)`: IN a subquery.
        if name == "contains"
            && m.args.len() == 1
            && let Some(parsed) = generator(&m.receiver)
        {
            return match parsed {
                Ok(g) => self.in_generator(&g, &m.args[0], m),
                Err(e) => {
                    self.ctx.error_at(e.span(), e);
                    placeholder()
                }
            };
        }
        if !self.mentions(&m.receiver) {
            // A Rust value's method with a query argument: only `contains`.
            if name == "contains" && self.args(m, 1) {
                if let Expr::Range(range) = strip(&m.receiver) {
                    return self.between(range, &m.args[0]);
                }
                let list = self.ctx.list((*m.receiver).clone());
                let x = self.expr(&m.args[0]);
                return Tr::Query(call_over(quote!(#p::methods::in_list), quote!(#list, #x), m));
            }
            self.ctx.error(
                &m.method,
                format!(
                    "`{name}` is called on a value computed in Rust but given a query value; \
                     only `list.contains(&x)` (an IN list) can mix them"
                ),
            );
            return placeholder();
        }
        let Some(spec) = names::method(&name) else {
            let before = self.ctx.error_count();
            let receiver = self.tr(&m.receiver);
            let _ = self.value(receiver, &m.receiver);
            if self.ctx.error_count() > before {
                return placeholder();
            }
            self.ctx.error(
                &m.method,
                format!(
                    "the method `{name}` cannot be translated to SQL; supported methods are {}; or compute \
                     the value in Rust before the query",
                    names::methods()
                ),
            );
            return placeholder();
        };
        if !self.args(m, spec.args) {
            return placeholder();
        }
        // `x.chars().count()`.
        if spec.kind == MethodKind::Count
            && let Expr::MethodCall(inner) = strip(&m.receiver)
            && inner.method == "chars"
            && inner.args.is_empty()
        {
            let s = self.expr(&inner.receiver);
            return Tr::Query(call_over(quote!(#p::methods::char_count), s, m));
        }
        let before = self.ctx.error_count();
        let receiver = self.tr(&m.receiver);
        // A to-many path (`c.orders`) is not a value: only a few methods
        // take it, through the builder.
        if let (MethodKind::IsEmpty | MethodKind::Count, Tr::Query(path)) = (spec.kind, &receiver) {
            let f = if spec.kind == MethodKind::IsEmpty {
                quote!(is_empty)
            } else {
                quote!(count_of)
            };
            return Tr::Query(call_over(quote!(#p::relations::#f), quote!(__b, #path), m));
        }
        let recv = self.value(receiver, &m.receiver);
        if self.ctx.error_count() > before {
            return placeholder();
        }
        match spec.kind {
            MethodKind::Like(kind) => {
                let arg = &m.args[0];
                if self.mentions(arg) {
                    let text = self.expr(arg);
                    let kind = kind.tokens();
                    return Tr::Query(call_over(
                        quote!(#p::methods::like_expr),
                        quote!(#recv, #text, #kind),
                        m,
                    ));
                }
                let pattern = match strip(arg) {
                    // Written into the SQL, where a planner sees it.
                    Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                        let text = syn::LitStr::new(&kind.pattern(&s.value()), s.span());
                        quote!(__b.source_text(#text))
                    }
                    _ => self.ctx.like(arg.clone(), kind),
                };
                Tr::Query(call_over(quote!(#p::methods::like), quote!(#recv, #pattern), m))
            }
            MethodKind::Pattern => {
                let arg = &m.args[0];
                if self.mentions(arg) {
                    self.ctx.error(
                        arg,
                        "the pattern of `like` is text known before the query (a literal or a Rust value); \
                         to search for a column's text use `starts_with`, `ends_with` or `contains`",
                    );
                    return placeholder();
                }
                let pattern = match strip(arg) {
                    Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                        let text = syn::LitStr::new(&complete_pattern(&s.value()), s.span());
                        quote!(__b.source_text(#text))
                    }
                    other => {
                        let text: Expr = syn::parse_quote!(::foal::methods::like_pattern_text(&(#other)));
                        self.ctx.value(text)
                    }
                };
                Tr::Query(call_over(quote!(#p::methods::like), quote!(#recv, #pattern), m))
            }
            MethodKind::Unary => {
                let method = Ident::new(&name, span);
                Tr::Query(call_over(quote!(#p::methods::#method), recv, m))
            }
            MethodKind::Identity => Tr::Query(recv),
            MethodKind::UnwrapOr => {
                let d = self.expr(&m.args[0]);
                Tr::Query(call_over(quote!(#p::methods::unwrap_or), quote!(#recv, #d), m))
            }
            MethodKind::WithArg(function) => {
                let other = self.expr(&m.args[0]);
                let f = Ident::new(function, span);
                Tr::Query(call_over(quote!(#p::methods::#f), quote!(#recv, #other), m))
            }
            MethodKind::OptionMap => self.option_map(recv, m),
            MethodKind::OrderKey => {
                self.ctx
                    .error(&m.method, format!("`{name}()` can only be used on a key of `order_by`"));
                placeholder()
            }
            // Neither text nor a to-many path.
            MethodKind::Count | MethodKind::IsEmpty => {
                self.ctx.error(
                    &m.method,
                    format!("`{name}()` applies to a to-many relation (`c.orders.{name}()`) here"),
                );
                placeholder()
            }
        }
    }
}

impl Tx<'_> {
    /// `opt.map(|x| body)`: the closure's parameter is the inner value.
    fn option_map(&mut self, recv: proc_macro2::TokenStream, m: &syn::ExprMethodCall) -> Tr {
        let p = private();
        let closure = match strip(&m.args[0]) {
            Expr::Closure(c) if c.inputs.len() == 1 => c,
            other => {
                self.ctx.error(
                    other,
                    "`map` of an `Option` takes a closure of one value: `opt.map(|x| x * 2.0)`",
                );
                return placeholder();
            }
        };
        let name = match &closure.inputs[0] {
            syn::Pat::Ident(pi) => pi.ident.clone(),
            syn::Pat::Type(pt) => match &*pt.pat {
                syn::Pat::Ident(pi) => pi.ident.clone(),
                other => {
                    self.ctx.error(other, "the closure of `map` names its value: `|x| …`");
                    return placeholder();
                }
            },
            other => {
                self.ctx.error(other, "the closure of `map` names its value: `|x| …`");
                return placeholder();
            }
        };
        let inner = self.ctx.fresh_var();
        self.env.push();
        self.env.bind(&name, inner.clone(), false);
        let body = self.expr(&closure.body);
        self.env.pop();
        Tr::Query(quote!({
            let __opt = #recv;
            let #inner = #p::methods::option_inner(&__opt);
            #p::methods::map_option(__opt, #body)
        }))
    }
}

/// A `like` pattern of the source as SQL reads it with `ESCAPE '!'` (as
/// `foal::methods::like_pattern_text` converts one computed in Rust).
fn complete_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 2);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let literal = chars.next().unwrap_or('\\');
                if matches!(literal, '%' | '_' | '!') {
                    out.push('!');
                }
                out.push(literal);
            }
            '!' => out.push_str("!!"),
            c => out.push(c),
        }
    }
    out
}

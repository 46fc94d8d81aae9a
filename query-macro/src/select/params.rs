//! Host values: sub-expressions that mention no query variable, evaluated
//! in Rust before the query runs and bound as parameters, in order.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::select::ctx::{Ctx, LikeKind, private};
use crate::spans::{call_over, with_args};

/// A value computed in Rust before the query runs.
pub(crate) enum Param {
    /// Any expression mentioning no query variable, bound as one value.
    Value(syn::Expr),
    /// A collection for `contains`, bound as a list.
    List(syn::Expr),
    /// Text searched with `starts_with`/`ends_with`/`contains`.
    Like(syn::Expr, LikeKind),
    /// A string constant of the source.
    Static(String, Span),
}

impl Param {
    /// The Rust expression of a value computed before the query.
    pub(crate) fn expr(&self) -> Option<&syn::Expr> {
        match self {
            Param::Value(e) | Param::List(e) | Param::Like(e, _) => Some(e),
            Param::Static(..) => None,
        }
    }
}

impl Ctx {
    /// Registers a parameter; returns its index. The same string constant,
    /// or the same Rust variable read the same way, named again is the same
    /// parameter: the SQL then repeats one value, so conditions that repeat
    /// it are equal and can be factored (`(a && x) || (a && y)`).
    fn push(&mut self, param: Param) -> usize {
        if let Some(i) = self.params.iter().position(|p| same_param(p, &param)) {
            return i;
        }
        self.params.push(param);
        self.params.len() - 1
    }

    /// The local holding host value `index`, spanned on the value so errors
    /// about it point there.
    fn host_ident(index: usize, span: Span) -> syn::Ident {
        let mut ident = format_ident!("__h{}", index);
        ident.set_span(span);
        ident
    }

    /// A host value as a builder expression (`Expr<T>`), spanned on the
    /// value so a type error about it points there.
    pub(crate) fn value(&mut self, expr: syn::Expr) -> TokenStream {
        let span = expr.span();
        let p = private();
        let call = call_over(quote!(#p::param), TokenStream::new(), &expr);
        let index = self.push(Param::Value(expr));
        let (h, i) = (Self::host_ident(index, span), index as u16);
        with_args(call, quote!(__b, #i, #h))
    }

    /// A string constant as a builder expression (`Expr<String>`): written
    /// into the SQL, unless it holds a NUL (which ends SQLite's statement
    /// text) or a backslash (an escape in a MySQL session without
    /// `NO_BACKSLASH_ESCAPES`), which are bound.
    pub(crate) fn text(&mut self, text: String, span: Span) -> TokenStream {
        if !text.contains(['\0', '\\']) {
            let lit = syn::LitStr::new(&text, span);
            return quote!(__b.source_text(#lit));
        }
        let p = private();
        let index = self.push(Param::Static(text, span)) as u16;
        let mut path = quote_spanned!(span=> #p::text);
        path = path
            .into_iter()
            .map(|mut t| {
                t.set_span(span);
                t
            })
            .collect();
        let mut args = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, quote!(__b, #index));
        args.set_span(span);
        quote!(#path #args)
    }

    /// A collection as a builder list parameter.
    pub(crate) fn list(&mut self, expr: syn::Expr) -> TokenStream {
        let span = expr.span();
        let p = private();
        let call = call_over(quote!(#p::list), TokenStream::new(), &expr);
        let index = self.push(Param::List(expr));
        let (h, i) = (Self::host_ident(index, span), index as u16);
        with_args(call, quote!(__b, #i, #h))
    }

    /// A searched text as a builder expression of its LIKE pattern.
    pub(crate) fn like(&mut self, expr: syn::Expr, kind: LikeKind) -> TokenStream {
        let span = expr.span();
        let p = private();
        let call = call_over(quote!(#p::param), TokenStream::new(), &expr);
        let index = self.push(Param::Like(expr, kind));
        let (h, i) = (Self::host_ident(index, span), index as u16);
        with_args(call, quote!(__b, #i, #h))
    }

    /// A query value used as a source: the locals holding it and the offset
    /// of its parameters in the query's.
    /// The same query value named twice in one query (`revenue` as a source
    /// and in a subquery) is one source: its parameters are bound once, and
    /// the runtime renders it once, as a CTE.
    pub(crate) fn query_source(&mut self, expr: syn::Expr) -> (syn::Ident, syn::Ident) {
        let text = quote::ToTokens::to_token_stream(&expr).to_string();
        let n = match self
            .sources
            .iter()
            .position(|s| quote::ToTokens::to_token_stream(s).to_string() == text)
        {
            Some(n) => n,
            None => {
                self.sources.push(expr);
                self.sources.len() - 1
            }
        };
        (format_ident!("__s{}", n), format_ident!("__o{}", n))
    }

    /// The query sources' `let`s (query and parameter offset) and their
    /// entry ids, when there are any.
    pub(crate) fn emit_sources(&self) -> Option<(TokenStream, TokenStream)> {
        if self.sources.is_empty() {
            return None;
        }
        let own = self.params.len();
        let mut lets = TokenStream::new();
        let mut ids = Vec::new();
        for (n, expr) in self.sources.iter().enumerate() {
            let (s, o) = (format_ident!("__s{}", n), format_ident!("__o{}", n));
            let offset = if n == 0 {
                quote!(::core::convert::TryFrom::try_from(#own).unwrap_or(u16::MAX))
            } else {
                let (ps, po) = (format_ident!("__s{}", n - 1), format_ident!("__o{}", n - 1));
                quote!(#po.saturating_add(::core::convert::TryFrom::try_from(#ps.params().len()).unwrap_or(u16::MAX)))
            };
            let p = private();
            let value = call_over(quote!(#p::query_value), quote!(&(#expr)), expr);
            lets.extend(quote!(let #s = #value; let #o: u16 = #offset;));
            ids.push(quote!(#s.entry_id()));
        }
        Some((lets, quote!(&[#(#ids),*])))
    }

    /// The parameter vector with the query sources' parameters appended.
    pub(crate) fn all_params(&self, own: TokenStream) -> TokenStream {
        if self.sources.is_empty() {
            return own;
        }
        let sources = (0..self.sources.len()).map(|n| format_ident!("__s{}", n));
        quote!({
            let mut __all = ::std::vec::Vec::from(#own);
            #(__all.extend_from_slice(#sources.params());)*
            __all
        })
    }

    /// The `let __hN = …;` statements evaluating host values, and the
    /// expression of the parameter values (an array or a `Vec`).
    pub(crate) fn emit_params(&self) -> (TokenStream, TokenStream) {
        let p = private();
        let mut lets = TokenStream::new();
        let mut values = Vec::new();
        for (index, param) in self.params.iter().enumerate() {
            match param {
                Param::Value(expr) | Param::List(expr) | Param::Like(expr, _) => {
                    let span = expr.span();
                    let h = Self::host_ident(index, span);
                    let init = match param {
                        Param::Like(_, kind) => {
                            let kind = kind.tokens();
                            let pattern = call_over(quote!(#p::methods::like_pattern), quote!(&(#expr), #kind), expr);
                            quote_spanned!(span=> &#pattern)
                        }
                        _ => quote_spanned!(span=> &(#expr)),
                    };
                    lets.extend(quote_spanned!(span=> let #h = #init;));
                    values.push(match param {
                        Param::List(_) => {
                            let list = call_over(quote!(#p::methods::HostList::values), quote!(#h), expr);
                            quote!(#p::Value::List(#list))
                        }
                        _ => call_over(quote!(#p::ToValue::to_value), quote!(#h), expr),
                    });
                }
                Param::Static(text, span) => {
                    values.push(quote_spanned!(*span=> #p::Value::StaticText(#text)));
                }
            }
        }
        // Up to two values stay in place (`Params`), more go on the heap.
        let values = if values.len() <= 2 {
            quote!([#(#values),*])
        } else {
            quote!(::std::vec![#(#values),*])
        };
        (lets, values)
    }
}

/// Whether two parameters are one value: equal constants, or the same plain
/// variable (reading it twice gives the same value).
fn same_param(a: &Param, b: &Param) -> bool {
    fn variable(e: &syn::Expr) -> Option<String> {
        match e {
            syn::Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                Some(quote::ToTokens::to_token_stream(p).to_string())
            }
            syn::Expr::Reference(r) => variable(&r.expr),
            syn::Expr::Paren(p) => variable(&p.expr),
            _ => None,
        }
    }
    match (a, b) {
        (Param::Static(x, _), Param::Static(y, _)) => x == y,
        (Param::Value(x), Param::Value(y)) | (Param::List(x), Param::List(y)) => {
            variable(x).is_some() && variable(x) == variable(y)
        }
        (Param::Like(x, k), Param::Like(y, l)) => k == l && variable(x).is_some() && variable(x) == variable(y),
        _ => false,
    }
}

//! State of one `select!` expansion: the errors found so far and the host
//! values that become bound parameters.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// The path generated code reaches the runtime through.
pub(crate) fn private() -> TokenStream {
    quote!(::foal::__private)
}

/// How a LIKE pattern matches.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LikeKind {
    Prefix,
    Suffix,
    Anywhere,
}

impl LikeKind {
    pub(crate) fn tokens(self) -> TokenStream {
        let p = private();
        match self {
            LikeKind::Prefix => quote!(#p::LikeKind::Prefix),
            LikeKind::Suffix => quote!(#p::LikeKind::Suffix),
            LikeKind::Anywhere => quote!(#p::LikeKind::Anywhere),
        }
    }

    /// The pattern of a literal, escaped at compile time.
    pub(crate) fn pattern(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 2);
        if self != LikeKind::Prefix {
            out.push('%');
        }
        for c in text.chars() {
            if matches!(c, '\\' | '%' | '_') {
                out.push('\\');
            }
            out.push(c);
        }
        if self != LikeKind::Suffix {
            out.push('%');
        }
        out
    }
}

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

#[derive(Default)]
pub(crate) struct Ctx {
    errors: Vec<syn::Error>,
    params: Vec<Param>,
    /// Query values used as sources (`for x in q`).
    sources: Vec<syn::Expr>,
    fresh: usize,
}

impl Ctx {
    /// Records an error spanned on `tokens`; translation goes on so every
    /// problem of the query is reported in one build.
    pub(crate) fn error(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn error_at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// How many errors have been recorded (to avoid reporting an outer
    /// expression whose part already failed).
    pub(crate) fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// All errors as one, if any.
    pub(crate) fn take_errors(&mut self) -> Option<syn::Error> {
        let mut errors = std::mem::take(&mut self.errors).into_iter();
        let mut first = errors.next()?;
        for e in errors {
            first.combine(e);
        }
        Some(first)
    }

    /// A fresh identifier for a query variable.
    pub(crate) fn fresh_var(&mut self) -> syn::Ident {
        self.fresh += 1;
        format_ident!("__v{}", self.fresh)
    }

    /// Registers a parameter; returns its index.
    fn push(&mut self, param: Param) -> usize {
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

    /// A string constant as a builder expression (`Expr<String>`).
    pub(crate) fn text(&mut self, text: String, span: Span) -> TokenStream {
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
    pub(crate) fn query_source(&mut self, expr: syn::Expr) -> (syn::Ident, syn::Ident) {
        let n = self.sources.len();
        self.sources.push(expr);
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
            lets.extend(quote!(let #s = &(#expr); let #o: u16 = #offset;));
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

/// The spans of the first and last tokens of `at`.
fn ends(at: &impl ToTokens) -> (Span, Span) {
    let tokens: Vec<proc_macro2::TokenTree> = at.to_token_stream().into_iter().collect();
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => (first.span(), last.span()),
        _ => (Span::call_site(), Span::call_site()),
    }
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect()
}

/// `path(args)` covering the source range of `at`: the path carries the
/// span of its first token and the parentheses that of its last, so rustc
/// reports a type error about this call's value over exactly `at`.
pub(crate) fn call_over(path: TokenStream, args: TokenStream, at: &impl ToTokens) -> TokenStream {
    let (first, last) = ends(at);
    let path = respan(path, first);
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, args);
    group.set_span(last);
    quote!(#path #group)
}

/// Fills the (empty) parentheses of a call made by `call_over` with `args`,
/// keeping the parentheses' span.
fn with_args(call: TokenStream, args: TokenStream) -> TokenStream {
    call.into_iter()
        .map(|t| match t {
            proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Parenthesis => {
                let mut filled = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, args.clone());
                filled.set_span(g.span());
                proc_macro2::TokenTree::Group(filled)
            }
            other => other,
        })
        .collect()
}

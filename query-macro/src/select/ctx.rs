//! State of one `select!` expansion: the errors found so far and the host
//! values that become bound parameters (see `params.rs`).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};

use crate::select::params::Param;

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
            if matches!(c, '!' | '%' | '_') {
                out.push('!');
            }
            out.push(c);
        }
        if self != LikeKind::Suffix {
            out.push('%');
        }
        out
    }
}

#[derive(Default)]
pub(crate) struct Ctx {
    errors: Vec<syn::Error>,
    pub(super) params: Vec<Param>,
    /// Query values used as sources (`for x in q`).
    pub(super) sources: Vec<syn::Expr>,
    /// The entity types the query names, used by a failed expansion too
    /// so a rejected query leaves no "unused import" behind.
    pub(crate) used_types: Vec<syn::Path>,
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
    /// What a failed expansion still uses, so the mistake leaves no
    /// "unused" warnings behind: the entity types and the Rust values the
    /// query names.
    pub(crate) fn uses(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for ty in &self.used_types {
            out.extend(quote!(let _ = ::core::marker::PhantomData::<#ty>;));
        }
        for expr in self.params.iter().filter_map(Param::expr).chain(&self.sources) {
            out.extend(quote!(let _ = &(#expr);));
        }
        out
    }

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
}

//! Parsing the input of `select!`: a comprehension
//! (`PROJ for x in SOURCE if COND …`) or a method chain
//! (`Source.filter(|x| …).map(|x| …)…`).
//!
//! Rust has no generator expressions, so before syn sees the input, every
//! parenthesised group that reads `ELEM for x in …` (the argument of
//! `count(o for o in c.orders)`) is wrapped in `__foal_gen!(…)`; syn then
//! parses it as a macro call whose tokens are parsed here again.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::quote_spanned;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Token};

/// The name of the wrapper generators are parsed through.
pub(crate) const GENERATOR: &str = "__foal_gen";

/// One `for x in SOURCE` or `if COND` clause.
pub(crate) enum Clause {
    For { var: Ident, source: Expr },
    If(Expr),
}

/// `PROJ for x in SOURCE if COND …`.
pub(crate) struct Comprehension {
    pub(crate) projection: Expr,
    pub(crate) clauses: Vec<Clause>,
}

impl Parse for Comprehension {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let projection: Expr = input.parse()?;
        let mut clauses = Vec::new();
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            if lookahead.peek(Token![for]) {
                input.parse::<Token![for]>()?;
                let pat = syn::Pat::parse_single(input)?;
                let var = match pat {
                    syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident,
                    other => {
                        return Err(syn::Error::new_spanned(
                            other,
                            "a query variable must be a plain name: `for p in Product`",
                        ));
                    }
                };
                input.parse::<Token![in]>()?;
                let source = Expr::parse_without_eager_brace(input)?;
                clauses.push(Clause::For { var, source });
            } else if lookahead.peek(Token![if]) {
                input.parse::<Token![if]>()?;
                clauses.push(Clause::If(input.parse()?));
            } else {
                return Err(lookahead.error());
            }
        }
        if !clauses.iter().any(|c| matches!(c, Clause::For { .. })) {
            return Err(syn::Error::new_spanned(
                &projection,
                "a comprehension needs a source: `x for x in Entity`",
            ));
        }
        Ok(Comprehension { projection, clauses })
    }
}

/// Whether a token sequence reads `ELEM for x in …`.
fn is_generator(tokens: &[TokenTree]) -> bool {
    let is_ident = |t: &TokenTree, s: &str| matches!(t, TokenTree::Ident(i) if i == s);
    let starts_closure = matches!(tokens.first(), Some(TokenTree::Punct(p)) if p.as_char() == '|');
    let for_at = tokens.iter().position(|t| is_ident(t, "for"));
    match for_at {
        Some(at) if at > 0 && !starts_closure => tokens[at..].iter().any(|t| is_ident(t, "in")),
        _ => false,
    }
}

/// Wraps generator groups in `__foal_gen!(…)`, at any depth.
pub(crate) fn wrap_generators(input: TokenStream) -> TokenStream {
    input
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(g) => {
                let inner = wrap_generators(g.stream());
                let tokens: Vec<TokenTree> = inner.clone().into_iter().collect();
                let stream = if g.delimiter() == Delimiter::Parenthesis && is_generator(&tokens) {
                    let name = Ident::new(GENERATOR, g.span());
                    quote_spanned!(g.span()=> #name!(#inner))
                } else {
                    inner
                };
                let mut wrapped = Group::new(g.delimiter(), stream);
                wrapped.set_span(g.span());
                TokenTree::Group(wrapped)
            }
            other => other,
        })
        .collect()
}

/// The whole input: which form it has.
pub(crate) enum Input {
    Comprehension(Comprehension),
    Chain(Expr),
}

/// Whether the input has a `for` outside any group: the comprehension form.
fn has_top_level_for(input: &TokenStream) -> bool {
    input
        .clone()
        .into_iter()
        .any(|t| matches!(&t, TokenTree::Ident(i) if i == "for"))
}

pub(crate) fn parse_input(input: TokenStream) -> syn::Result<Input> {
    if input.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "select! needs a query: `select!(p for p in Product if p.price > 10)`",
        ));
    }
    let input = wrap_generators(input);
    if has_top_level_for(&input) {
        syn::parse2(input).map(Input::Comprehension)
    } else {
        syn::parse2(input).map(Input::Chain)
    }
}

/// The comprehension inside a `__foal_gen!(…)` wrapper, if `expr` is one.
pub(crate) fn generator(expr: &Expr) -> Option<syn::Result<Comprehension>> {
    let expr = match expr {
        Expr::Paren(p) => return generator(&p.expr),
        Expr::Group(g) => return generator(&g.expr),
        other => other,
    };
    let Expr::Macro(m) = expr else { return None };

    if !m.mac.path.is_ident(GENERATOR) {
        return None;
    }
    Some(syn::parse2(m.mac.tokens.clone()))
}

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

/// What a `for` clause binds: a name, `_`, or a tuple of those (the rows
/// of a query value of tuples).
#[derive(Clone)]
pub(crate) enum ForPat {
    Name(Ident),
    Wild(syn::token::Underscore),
    Tuple(Vec<ForPat>),
}

impl ForPat {
    pub(crate) fn from_pat(pat: syn::Pat) -> syn::Result<ForPat> {
        match pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() && p.mutability.is_none() => {
                Ok(ForPat::Name(p.ident))
            }
            syn::Pat::Wild(w) => Ok(ForPat::Wild(w.underscore_token)),
            syn::Pat::Tuple(t) => {
                let elems = t.elems.into_iter().map(ForPat::from_pat).collect::<syn::Result<_>>()?;
                Ok(ForPat::Tuple(elems))
            }
            syn::Pat::Paren(p) => ForPat::from_pat(*p.pat),
            other => Err(syn::Error::new_spanned(
                other,
                "a query variable is a plain name (`for p in Product`), or a tuple of names for the rows of a \
                 query of tuples (`for (who, total) in per_customer`)",
            )),
        }
    }

    /// The pattern of a closure's parameter (`|o|`, `|(who, total)|`).
    pub(crate) fn from_closure_input(pat: &syn::Pat) -> syn::Result<ForPat> {
        ForPat::from_pat(pat.clone())
    }

    /// The names the pattern binds, in order.
    pub(crate) fn names(&self) -> Vec<&Ident> {
        match self {
            ForPat::Name(n) => vec![n],
            ForPat::Wild(_) => Vec::new(),
            ForPat::Tuple(items) => items.iter().flat_map(ForPat::names).collect(),
        }
    }

    /// The one name, when the pattern is a plain name.
    pub(crate) fn name(&self) -> Option<&Ident> {
        match self {
            ForPat::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// One `for x in SOURCE` or `if COND` clause.
pub(crate) enum Clause {
    For { pat: ForPat, source: Expr },
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
                let pat = ForPat::from_pat(syn::Pat::parse_single(input)?)?;
                input.parse::<Token![in]>()?;
                let source = Expr::parse_without_eager_brace(input)?;
                clauses.push(Clause::For { pat, source });
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

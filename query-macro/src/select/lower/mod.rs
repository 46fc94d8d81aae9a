//! From the parsed input to the body of the builder closure: sources,
//! conditions, ordering, limits, and the projection that ends it.

mod chain;
mod projection;

use proc_macro2::{Span, TokenStream};
use syn::{Expr, Ident};

use crate::select::names;
use crate::select::parse::{Comprehension, Input};
use crate::select::translate::{Tx, is_entity_path};

pub(crate) use projection::projection;

/// The lowered query.
pub(crate) struct Lowered {
    /// Statements of the builder closure, ending with the projection.
    pub(crate) body: TokenStream,
    /// Items generated next to the query (struct-literal row decoders).
    pub(crate) items: TokenStream,
    /// For `select!(q.filter(..))`: the query refined, and the closure
    /// parameter standing for its rows.
    pub(crate) refine: Option<(Expr, Ident)>,
    /// The chain ends with `.update(|p| …)`: a bulk update, not a query.
    pub(crate) update: bool,
    /// `.prefetch(|o| o.customer)` calls: for each, the closures of its
    /// path (`|u| u.posts.comments` → `|__c| &__c.posts`, `|__c| &__c.comments`).
    pub(crate) prefetch: Vec<Vec<TokenStream>>,
}

pub(crate) fn lower(tx: &mut Tx<'_>, input: Input) -> Lowered {
    match input {
        Input::Comprehension(c) => {
            let mut items = TokenStream::new();
            let mut body = tx.clauses(&c.clauses);
            body.extend(projection(tx, &c.projection, &mut items));
            Lowered {
                body,
                items,
                refine: None,
                update: false,
                prefetch: Vec::new(),
            }
        }
        Input::Chain(expr) => chain::chain(tx, &expr),
    }
}

/// What a chain starts from.
enum Root {
    Entity(syn::Path),
    Comprehension(Comprehension),
    Query(Expr),
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        other => other,
    }
}

/// Splits `root.m1(..).m2(..)` into the root and the chain methods.
fn split_chain(expr: &Expr) -> (&Expr, Vec<&syn::ExprMethodCall>) {
    let mut calls = Vec::new();
    let mut at = strip(expr);
    while let Expr::MethodCall(m) = at {
        if names::chain_method(&m.method.to_string()).is_none() {
            break;
        }
        calls.push(m);
        at = strip(&m.receiver);
    }
    calls.reverse();
    (at, calls)
}

/// What a chain closure's parameter stands for.
#[derive(Clone)]
enum Binding {
    /// The row: `Product.filter(|p| …)`, bound whatever its name.
    Row(Ident),
    /// The variables of a comprehension selecting something else than one
    /// row: `((c.country, count(c)) for c in Customer).order_by(|c| …)`;
    /// the parameter names those variables (`|c|`, `|(c, o)|`).
    Named,
}

/// Checks that `pat` names variables of the comprehension.
fn named(tx: &mut Tx<'_>, pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::Ident(p) if tx.env.lookup(&p.ident.to_string()).is_some() => true,
        syn::Pat::Wild(_) => true,
        syn::Pat::Tuple(t) => t.elems.iter().all(|p| named(tx, p)),
        other => {
            tx.ctx.error(
                other,
                "after a comprehension, the closure's parameter names its variables: `|c|`, or `|(c, o)|` for several",
            );
            false
        }
    }
}

/// The closure `|p| body` of a chain method, with its parameter bound.
fn closure<'e>(
    tx: &mut Tx<'_>,
    m: &'e syn::ExprMethodCall,
    binding: &Binding,
    body: &mut TokenStream,
) -> Option<&'e Expr> {
    let Some(Expr::Closure(c)) = m.args.first().map(strip) else {
        tx.ctx.error(
            &m.method,
            format!("`{}` takes a closure of one row: `.{}(|p| …)`", m.method, m.method),
        );
        return None;
    };
    if m.args.len() != 1 || c.inputs.len() != 1 {
        tx.ctx
            .error(&c.inputs, "the closure takes exactly one parameter: the row");
        return None;
    }
    let var = match binding {
        Binding::Row(var) => var,
        Binding::Named => return named(tx, &c.inputs[0]).then_some(&*c.body),
    };
    match &c.inputs[0] {
        syn::Pat::Ident(p) => tx.env.bind(&p.ident, var.clone(), false),
        syn::Pat::Wild(_) => {}
        // A row of a query value of tuples: `|(country, n)| desc(n)`.
        syn::Pat::Tuple(t) => {
            let mut names = Vec::new();
            let mut tokens = Vec::new();
            for elem in &t.elems {
                match elem {
                    syn::Pat::Ident(p) => {
                        let v = tx.ctx.fresh_var();
                        tokens.push(quote::quote!(#v));
                        names.push((p.ident.clone(), v));
                    }
                    syn::Pat::Wild(w) => tokens.push(quote::quote!(#w)),
                    other => {
                        tx.ctx.error(
                            other,
                            "each element of the row is a plain name or `_`: `|(country, n)| …`",
                        );
                        return None;
                    }
                }
            }
            body.extend(quote::quote!(let (#(#tokens,)*) = ::core::clone::Clone::clone(&#var);));
            for (name, v) in names {
                tx.env.bind(&name, v, false);
            }
        }
        other => {
            tx.ctx.error(
                other,
                "the closure's parameter is a plain name (`|p| …`), or a tuple of names for rows of tuples",
            );
            return None;
        }
    }
    Some(&c.body)
}

/// The name a chain's row variable gets in the SQL: the first closure's
/// parameter, or the entity's name in lower case.
fn alias_name(calls: &[&syn::ExprMethodCall], entity: &syn::Path) -> Ident {
    for m in calls {
        if let Some(Expr::Closure(c)) = m.args.first().map(strip)
            && let Some(syn::Pat::Ident(p)) = c.inputs.first()
        {
            return p.ident.clone();
        }
    }
    let name = entity
        .segments
        .last()
        .map(|s| s.ident.to_string().to_lowercase())
        .unwrap_or_else(|| "t".into());
    Ident::new(&name, Span::call_site())
}

/// Whether `e` is a method chain on an entity or containing a chain method
/// (so a method the chain does not know is a mistake, not a query value).
fn looks_like_chain(e: &Expr) -> bool {
    match strip(e) {
        Expr::MethodCall(m) => names::chain_method(&m.method.to_string()).is_some() || looks_like_chain(&m.receiver),
        Expr::Path(p) => is_entity_path(&p.path),
        _ => false,
    }
}

fn empty() -> Lowered {
    Lowered {
        body: TokenStream::new(),
        items: TokenStream::new(),
        refine: None,
        update: false,
        prefetch: Vec::new(),
    }
}

//! A method chain: `Source.filter(|x| …).map(|x| …)…`, its closures bound
//! to the row, and the chain methods that take no closure.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

use crate::select::ctx::private;
use crate::select::names;
use crate::select::parse::generator;
use crate::select::translate::{Tx, is_entity_path, window};
use crate::spans::call_over;

use super::{Binding, Lowered, Root, alias_name, closure, empty, looks_like_chain, projection, split_chain, strip};

pub(super) fn chain(tx: &mut Tx<'_>, expr: &Expr) -> Lowered {
    let (root_expr, calls) = split_chain(expr);
    if let Expr::MethodCall(m) = root_expr
        && looks_like_chain(&m.receiver)
    {
        // The entity the chain starts from stays used.
        let mut start = &*m.receiver;
        while let Expr::MethodCall(inner) = strip(start) {
            start = &inner.receiver;
        }
        if let Expr::Path(p) = strip(start)
            && is_entity_path(&p.path)
        {
            tx.ctx.used_types.push(p.path.clone());
        }
        tx.ctx.error(
            &m.method,
            format!(
                "`{}` is not a query method; a query chains {}",
                m.method,
                names::chain_methods()
            ),
        );
        return empty();
    }
    let root = match root_expr {
        Expr::Path(p) if is_entity_path(&p.path) => Root::Entity(p.path.clone()),
        other => match generator(other) {
            Some(Ok(c)) => Root::Comprehension(c),
            Some(Err(e)) => {
                tx.ctx.error_at(e.span(), e);
                return empty();
            }
            None => Root::Query(other.clone()),
        },
    };
    let mut body = TokenStream::new();
    let mut items = TokenStream::new();
    let mut refine = None;
    // The variable chain closures bind to, and the projection so far.
    let (binding, mut projected): (Binding, Option<TokenStream>) = match &root {
        Root::Entity(path) => {
            let var = tx.ctx.fresh_var();
            let name = alias_name(&calls, path);
            let alias = name.to_string();
            tx.ctx.used_types.push(path.clone());
            body.extend(quote!(let #var = __b.source::<#path>(#alias);));
            tx.env.bind(&name, var.clone(), true);
            (Binding::Row(var), None)
        }
        Root::Comprehension(c) => {
            body.extend(tx.clauses(&c.clauses));
            let var = match strip(&c.projection) {
                Expr::Path(p) => p.path.get_ident().and_then(|i| tx.env.lookup(&i.to_string())).cloned(),
                _ => None,
            };
            match var {
                Some(v) => (Binding::Row(v), None),
                None => (Binding::Named, Some(projection(tx, &c.projection, &mut items))),
            }
        }

        Root::Query(q) => {
            let var = format_ident!("__v0");
            refine = Some((q.clone(), var.clone()));
            (Binding::Row(var), None)
        }
    };
    let mut mapped = false;
    let mut update = false;
    let mut prefetch = Vec::new();
    for m in calls {
        let method = m.method.to_string();
        if update {
            tx.ctx
                .error(&m.method, "`update` ends the chain: put filters and limits before it");
            continue;
        }
        let row_closure = names::chain_method(&method).is_some_and(|c| c.row_closure);
        if row_closure && mapped {
            tx.ctx.error(
                &m.method,
                format!("`{method}` after `map` is not supported: filter and order the rows before projecting them"),
            );
            continue;
        }
        if method == "map" && matches!(binding, Binding::Named) {
            tx.ctx.error(
                &m.method,
                "the comprehension already selects its rows: write the projection in it",
            );
            continue;
        }
        let row_var = row_closure.then(|| binding.clone());
        tx.env.push();
        match (method.as_str(), row_var) {
            ("filter", Some(v)) => {
                if let Some(cond) = closure(tx, m, &v, &mut body) {
                    body.extend(tx.filter(cond));
                }
            }
            ("map", Some(v)) => {
                if let Some(proj) = closure(tx, m, &v, &mut body) {
                    projected = Some(projection(tx, proj, &mut items));
                    mapped = true;
                }
            }

            ("order_by", Some(v)) => {
                if let Some(keys) = closure(tx, m, &v, &mut body) {
                    body.extend(order_keys(tx, keys));
                }
            }
            ("limit" | "offset", _) => {
                if m.args.len() == 1 && negative_literal(&m.args[0]) {
                    tx.ctx
                        .error(&m.args[0], format!("`{method}` counts rows: it cannot be negative"));
                } else if m.args.len() == 1 {
                    let n = tx.expr(&m.args[0]);
                    let f = &m.method;
                    let p = private();
                    body.extend(call_over(quote!(#p::#f), quote!(__b, #n), &m.args[0]));
                    body.extend(quote!(;));
                } else {
                    tx.ctx.error(&m.method, format!("`{method}` takes one integer"));
                }
            }
            ("page", _) => match (m.args.first(), m.args.get(1), m.args.len()) {
                (Some(page), Some(size), 2) => body.extend(page_of(tx, page, size)),
                _ => tx
                    .ctx
                    .error(&m.method, "`page` takes the page number (from 1) and the page size"),
            },
            ("update", Some(Binding::Row(v))) if !mapped && projected.is_none() => {
                if let Some(assignments) = closure(tx, m, &Binding::Row(v), &mut body) {
                    body.extend(assign_all(tx, assignments));
                    update = true;
                }
            }
            ("update", _) => {
                tx.ctx.error(
                    &m.method,
                    "`update` applies to whole rows of an entity: `Product.filter(..).update(|p| …)`",
                );
            }
            ("prefetch", _) if mapped || projected.is_some() => {
                tx.ctx.error(
                    &m.method,
                    "`prefetch` loads relations of whole entity rows: put it before `map`",
                );
            }
            ("prefetch", _) => {
                if let Some(call) = prefetch_call(tx, m) {
                    prefetch.push(call);
                }
            }
            ("for_update", _) => {
                if m.args.is_empty() {
                    let p = private();
                    body.extend(quote!(#p::for_update(__b);));
                } else {
                    tx.ctx.error(&m.method, "`for_update` takes no argument");
                }
            }
            ("distinct", _) => {
                if m.args.is_empty() {
                    body.extend(quote!(__b.distinct();));
                } else {
                    tx.ctx.error(&m.method, "`distinct` takes no argument");
                }
            }
            _ => {}
        }
        tx.env.pop();
    }
    let tail = match (projected, binding) {
        (Some(p), _) => p,
        (None, Binding::Row(v)) => quote!(#v),
        (None, Binding::Named) => quote!(()),
    };

    body.extend(tail);
    Lowered {
        body,
        items,
        refine,
        update,
        prefetch,
    }
}

/// `.prefetch(|o| o.customer)` → the closure `|__c| &__c.customer` over the
/// entity's field descriptors, and one closure more per step of a longer
/// path (`|u| u.posts.comments`, up to three). Each field keeps the user's
/// span, so an unknown field or one that is not a relation is reported on
/// it.
fn prefetch_call(tx: &mut Tx<'_>, m: &syn::ExprMethodCall) -> Option<Vec<TokenStream>> {
    let usage = "`prefetch` takes a closure naming a relation of the row, or a path of relations: \
                 `.prefetch(|o| o.customer)`, `.prefetch(|u| u.posts.comments)`";
    let Some(Expr::Closure(c)) = m.args.first().map(strip) else {
        tx.ctx.error(&m.method, usage);
        return None;
    };
    let (Some(syn::Pat::Ident(param)), 1, 1) = (c.inputs.first(), c.inputs.len(), m.args.len()) else {
        tx.ctx.error(&c.inputs, usage);
        return None;
    };
    let mut path = Vec::new();
    let mut at = strip(&c.body);
    loop {
        match at {
            Expr::Field(f) => {
                path.push(&f.member);
                at = strip(&f.base);
            }
            Expr::Path(p) if p.path.is_ident(&param.ident) && !path.is_empty() => break,
            _ => {
                tx.ctx.error(&c.body, usage);
                return None;
            }
        }
    }
    if path.len() > 3 {
        tx.ctx
            .error(&c.body, "`prefetch` follows at most three relations in one path");
        return None;
    }
    path.reverse();
    Some(
        path.into_iter()
            .map(|field| {
                let c = Ident::new("__c", field.span());
                quote_spanned!(field.span()=> |#c| &#c.#field)
            })
            .collect(),
    )
}

/// `page(n, size)`: `LIMIT size OFFSET (n - 1) * size`, the offset computed
/// in Rust.
fn page_of(tx: &mut Tx<'_>, page: &Expr, size: &Expr) -> TokenStream {
    let p = private();
    for arg in [page, size] {
        if tx.mentions(arg) {
            tx.ctx
                .error(arg, "`page` takes values computed in Rust, not query values");
            return TokenStream::new();
        }
    }
    let offset: Expr =
        syn::parse2(call_over(quote!(#p::page_offset), quote!(#page, #size), page)).unwrap_or_else(|_| page.clone());
    let limit = tx.expr(size);
    let offset = tx.expr(&offset);
    quote!(__b.limit(#limit); __b.offset(#offset);)
}

/// The assignments of `.update(|p| { p.price = p.price * 2; p.active = false; })`.
fn assign_all(tx: &mut Tx<'_>, body: &Expr) -> TokenStream {
    let p = private();
    let mut out = TokenStream::new();
    let statements: Vec<&Expr> = match strip(body) {
        Expr::Block(b) => b
            .block
            .stmts
            .iter()
            .filter_map(|s| match s {
                syn::Stmt::Expr(e, _) => Some(e),
                other => {
                    tx.ctx
                        .error(other, "an update closure holds assignments only: `p.field = value;`");
                    None
                }
            })
            .collect(),
        other => vec![other],
    };
    for statement in statements {
        let (target, value): (&Expr, TokenStream) = match statement {
            Expr::Assign(a) => (&a.left, tx.expr(&a.right)),
            Expr::Binary(b) => {
                let op = match b.op {
                    syn::BinOp::AddAssign(_) => quote!(add),
                    syn::BinOp::SubAssign(_) => quote!(sub),
                    syn::BinOp::MulAssign(_) => quote!(mul),
                    syn::BinOp::DivAssign(_) => quote!(div),
                    syn::BinOp::RemAssign(_) => quote!(rem),
                    _ => {
                        tx.ctx.error(
                            statement,
                            "an update closure holds assignments only: `p.field = value;`",
                        );
                        continue;
                    }
                };
                let current = tx.expr(&b.left);
                let operand = tx.expr(&b.right);
                let pair = call_over(quote!(#p::ops::pair), quote!(#current, #operand), statement);
                (&b.left, call_over(quote!(#p::ops::#op), pair, statement))
            }
            other => {
                tx.ctx
                    .error(other, "an update closure holds assignments only: `p.field = value;`");
                continue;
            }
        };
        if !matches!(strip(target), Expr::Field(_)) {
            tx.ctx
                .error(target, "only a field of the row can be assigned: `p.field = value`");
            continue;
        }
        let field = tx.expr(target);
        out.extend(call_over(quote!(#p::assign), quote!(__b, #field, #value), statement));
        out.extend(quote!(;));
    }
    out
}

/// `order_by(|p| (desc(p.price), p.name))`: one `__b.order(..)` per key.
fn order_keys(tx: &mut Tx<'_>, keys: &Expr) -> TokenStream {
    let mut out = TokenStream::new();
    for key in window::order_keys(keys) {
        let (inner, desc) = window::order_key(key);
        let e = tx.expr(inner);
        out.extend(if desc {
            quote!(__b.order(::foal::functions::desc(#e));)
        } else {
            quote!(__b.order(#e);)
        });
    }
    out
}

/// `-1`, `-(2)`: a negative integer literal.
fn negative_literal(e: &Expr) -> bool {
    match strip(e) {
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            matches!(strip(&u.expr), Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) if i.base10_digits() != "0")
        }
        _ => false,
    }
}

//! Control flow that has an SQL form: `if`/`else`, `match` on literals,
//! and `format!`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, ExprLit, Lit};

use super::{Tr, Tx, placeholder};
use crate::select::ctx::private;
use crate::spans::call_over;

impl Tx<'_> {
    /// `format!("{} ({})", a, b)`: the pieces concatenated, each argument
    /// as its `to_string()`. Only `{}` placeholders are supported.
    pub(super) fn format(&mut self, m: &syn::ExprMacro) -> Tr {
        use syn::parse::Parser;
        let p = private();
        let args =
            match syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated.parse2(m.mac.tokens.clone()) {
                Ok(args) => args,
                Err(e) => {
                    self.ctx.error_at(e.span(), e);
                    return placeholder();
                }
            };
        let mut args = args.into_iter();
        let Some(Expr::Lit(ExprLit {
            lit: Lit::Str(template),
            ..
        })) = args.next()
        else {
            self.ctx.error(m, "`format!` in a query needs a string literal first");
            return placeholder();
        };
        let values: Vec<Expr> = args.collect();
        let text = template.value();
        let mut pieces: Vec<TokenStream> = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        let mut next = values.iter();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    chars.next();
                    literal.push(c);
                }
                ('{', Some('}')) => {
                    chars.next();
                    if !literal.is_empty() {
                        pieces.push(self.ctx.text(std::mem::take(&mut literal), template.span()));
                    }
                    let Some(value) = next.next() else {
                        self.ctx.error(&template, "more `{}` placeholders than arguments");
                        return placeholder();
                    };
                    let v = self.expr(value);
                    pieces.push(call_over(quote!(#p::methods::to_string), v, value));
                }
                ('{', _) | ('}', _) => {
                    self.ctx.error(
                        &template,
                        "`format!` in a query supports plain `{}` placeholders only (no names, positions or format specs)",
                    );
                    return placeholder();
                }
                _ => literal.push(c),
            }
        }
        if next.next().is_some() {
            self.ctx.error(m, "more arguments than `{}` placeholders");
            return placeholder();
        }
        if !literal.is_empty() || pieces.is_empty() {
            pieces.push(self.ctx.text(literal, template.span()));
        }
        let mut pieces = pieces.into_iter();
        let first = pieces.next().unwrap_or_default();
        let joined = pieces.fold(first, |acc, piece| {
            let pair = call_over(quote!(#p::ops::pair), quote!(#acc, #piece), m);
            call_over(quote!(#p::ops::add), pair, m)
        });
        Tr::Query(joined)
    }

    /// `match x { "a" | "b" => 1, "c" => 2, _ => 0 }` on literal patterns: a
    /// CASE comparing `x` with each literal.
    pub(super) fn match_expr(&mut self, m: &syn::ExprMatch) -> Tr {
        let p = private();
        let mut branches: Vec<(Vec<Expr>, &Expr)> = Vec::new();
        let mut otherwise: Option<&Expr> = None;
        for arm in &m.arms {
            if let Some((_, guard)) = &arm.guard {
                self.ctx
                    .error(guard, "a `match` in a query cannot have guards; use `if … else …`");
                return placeholder();
            }
            if otherwise.is_some() {
                self.ctx
                    .error(&arm.pat, "this arm comes after `_` and is never reached");
                return placeholder();
            }
            let mut literals = Vec::new();
            if !collect_literals(&arm.pat, &mut literals, &mut otherwise, &arm.body) {
                self.ctx.error(
                    &arm.pat,
                    "a `match` in a query takes literal patterns (`\"a\"`, `1`, `true`), `|` between them, and `_`",
                );
                return placeholder();
            }
            if otherwise.is_none() {
                branches.push((literals, &arm.body));
            }
        }
        let Some(otherwise) = otherwise else {
            self.ctx.error(m, "a `match` in a query needs a final `_ => …` arm");
            return placeholder();
        };
        let mut result = self.expr(otherwise);
        for (literals, body) in branches.into_iter().rev() {
            let mut cond: Option<TokenStream> = None;
            for literal in &literals {
                let subject = self.expr(&m.expr);
                let value = self.expr(literal);
                let eq = call_over(
                    quote!(#p::ops::eq),
                    call_over(quote!(#p::ops::pair), quote!(#subject, #value), literal),
                    literal,
                );
                cond = Some(match cond {
                    None => eq,
                    Some(c) => {
                        let pair = call_over(quote!(#p::ops::pair), quote!(#c, #eq), literal);
                        call_over(quote!(#p::ops::or), pair, literal)
                    }
                });
            }
            let then = self.expr(body);
            let cond = cond.unwrap_or_default();
            result = call_over(quote!(#p::methods::case), quote!(#cond, #then, #result), body);
        }
        Tr::Query(result)
    }

    pub(super) fn block_value<'e>(&mut self, block: &'e syn::Block) -> Option<&'e Expr> {
        match block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => Some(e),
            _ => {
                self.ctx.error(block, "a branch in a query must be a single expression");
                None
            }
        }
    }

    pub(super) fn if_else(&mut self, i: &syn::ExprIf) -> Tr {
        let p = private();
        if let Expr::Let(l) = &*i.cond {
            self.ctx.error(
                l,
                "`if let` cannot be translated to SQL; use `x.is_some()` and `x.unwrap_or(..)`",
            );
            return placeholder();
        }
        let Some((_, otherwise)) = &i.else_branch else {
            self.ctx.error(
                i,
                "an `if` without `else` has no value in a query; add an `else` branch",
            );
            return placeholder();
        };
        let cond = self.expr(&i.cond);
        let then = match self.block_value(&i.then_branch) {
            Some(e) => self.expr(e),
            None => return placeholder(),
        };
        let otherwise = match &**otherwise {
            Expr::Block(b) => match self.block_value(&b.block) {
                Some(e) => self.expr(e),
                None => return placeholder(),
            },
            other => self.expr(other),
        };
        Tr::Query(call_over(
            quote!(#p::methods::case),
            quote!(#cond, #then, #otherwise),
            i,
        ))
    }
}

/// The literals of a `match` pattern (`"a" | "b"`), or `_` as the default
/// arm. False for any other pattern.
fn collect_literals<'e>(
    pat: &'e syn::Pat,
    out: &mut Vec<Expr>,
    otherwise: &mut Option<&'e Expr>,
    body: &'e Expr,
) -> bool {
    match pat {
        syn::Pat::Lit(l) => {
            out.push(Expr::Lit(l.clone()));
            true
        }
        syn::Pat::Or(or) => or.cases.iter().all(|c| collect_literals(c, out, otherwise, body)),
        syn::Pat::Wild(_) => {
            *otherwise = Some(body);
            true
        }
        syn::Pat::Paren(p) => collect_literals(&p.pat, out, otherwise, body),
        _ => false,
    }
}

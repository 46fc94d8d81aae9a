//! Translation of one Rust expression inside a query into builder calls.
//!
//! A sub-expression that mentions no query variable is a *host* value: it is
//! evaluated in Rust before the query runs and bound as a parameter (numeric
//! and boolean literals are written into the SQL instead). Everything else
//! must be a construct foal can translate; anything else is a compile error
//! spanned on the offending tokens.

mod calls;
mod control;
mod methods;
mod operators;
mod sources;
mod unsupported;
pub(crate) mod window;

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::Visit;
use syn::{BinOp, Expr, ExprLit, Ident, Lit, UnOp};

use crate::select::ctx::{Ctx, private};
use crate::select::parse::generator;
use crate::spans::call_over;

/// Query variables in scope, innermost last.
#[derive(Default)]
pub(crate) struct Env {
    scopes: Vec<Scope>,
}

#[derive(Default)]
struct Scope {
    vars: Vec<(String, Ident)>,
    sources: usize,
}

impl Env {
    pub(crate) fn push(&mut self) {
        self.scopes.push(Scope::default());
    }

    pub(crate) fn pop(&mut self) {
        self.scopes.pop();
    }

    /// Binds `name` to the generated variable `ident` in the innermost scope.
    pub(crate) fn bind(&mut self, name: &Ident, ident: Ident, is_source: bool) {
        if self.scopes.is_empty() {
            self.push();
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.vars.push((name.to_string(), ident));
            if is_source {
                scope.sources += 1;
            }
        }
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<&Ident> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.vars.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, i)| i)
    }

    fn sources(&self) -> usize {
        self.scopes.last().map_or(0, |s| s.sources)
    }

    /// The variables bound in the innermost scope (the comprehension or
    /// generator being translated).
    pub(crate) fn current(&self) -> Vec<(String, Ident)> {
        self.scopes.last().map(|s| s.vars.clone()).unwrap_or_default()
    }
}

/// A translated sub-expression.
pub(crate) enum Tr {
    /// Builder code yielding an `Expr<T>` that depends on the query.
    Query(TokenStream),
    /// A query variable itself (a whole row).
    Var(Ident),
    /// Builder code yielding an `Expr<T>` of a value known before the query.
    Const(TokenStream),
}

/// Finds the query variables an expression mentions.
struct Mentions<'a> {
    env: &'a Env,
    found: bool,
}

impl<'ast> Visit<'ast> for Mentions<'_> {
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if p.qself.is_none()
            && let Some(ident) = p.path.get_ident()
        {
            self.found |= self.env.lookup(&ident.to_string()).is_some();
        }
        syn::visit::visit_expr_path(self, p);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        // A window function is computed by the query, whatever it reads.
        self.found |= m.method == "over";
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        // So is a window function without its window: reported, not run.
        self.found |= call_name(c).is_some_and(|n| crate::select::names::window_function(&n).is_some());
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // A generator is a subquery: always translated, never run in Rust.
        // (`.over(..)` is found by `visit_expr_method_call`.)
        if m.path.is_ident(crate::select::parse::GENERATOR) {
            self.found = true;
            return;
        }
        // Tokens of a macro call are opaque: a query variable named in them
        // counts as mentioned, so the macro is reported, not run in Rust.
        fn scan(tokens: TokenStream, env: &Env) -> bool {
            tokens.into_iter().any(|t| match t {
                proc_macro2::TokenTree::Ident(i) => env.lookup(&i.to_string()).is_some(),
                proc_macro2::TokenTree::Group(g) => scan(g.stream(), env),
                _ => false,
            })
        }
        self.found |= scan(m.tokens.clone(), self.env);
    }
}

/// The translator of one query.
pub(crate) struct Tx<'a> {
    pub(crate) ctx: &'a mut Ctx,
    pub(crate) env: Env,
}

/// A placeholder after an error: never compiled, the expansion fails first.
fn placeholder() -> Tr {
    Tr::Query(quote!(()))
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        other => other,
    }
}

/// Whether `e` is a literal (possibly negated) written into the SQL.
fn literal(e: &Expr) -> Option<&ExprLit> {
    match strip(e) {
        Expr::Lit(l) if matches!(l.lit, Lit::Int(_) | Lit::Float(_) | Lit::Bool(_)) => Some(l),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match strip(&u.expr) {
            Expr::Lit(l) if matches!(l.lit, Lit::Int(_) | Lit::Float(_)) => Some(l),
            _ => None,
        },
        _ => None,
    }
}

fn is_none_path(e: &Expr) -> bool {
    matches!(strip(e), Expr::Path(p) if p.path.is_ident("None"))
}

/// The name of a plain function call (`count(…)`).
fn call_name(call: &syn::ExprCall) -> Option<String> {
    match &*call.func {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(Ident::to_string),
        _ => None,
    }
}

impl Tx<'_> {
    pub(crate) fn new(ctx: &mut Ctx) -> Tx<'_> {
        let mut env = Env::default();
        env.push();
        Tx { ctx, env }
    }

    pub(crate) fn mentions(&self, e: &Expr) -> bool {
        let mut m = Mentions {
            env: &self.env,
            found: false,
        };
        m.visit_expr(e);
        m.found
    }

    /// A value known before the query runs, as a builder expression.
    fn constant(&mut self, e: &Expr) -> TokenStream {
        let p = private();
        if literal(e).is_some() {
            return call_over(quote!(#p::lit), quote!(#e), e);
        }
        if let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = strip(e) {
            return self.ctx.text(s.value(), s.span());
        }
        self.ctx.value(e.clone())
    }

    /// Translates `e`.
    pub(crate) fn tr(&mut self, e: &Expr) -> Tr {
        if !self.mentions(e) {
            if generator(e).is_some() {
                self.ctx.error(
                    e,
                    "a generator (`x for x in …`) can only be the argument of an aggregate: \
                     `count(..)`, `sum(..)`, `avg(..)`, `min(..)`, `max(..)` or `exists(..)`",
                );
                return placeholder();
            }
            return Tr::Const(self.constant(e));
        }
        let p = private();
        match e {
            Expr::Path(path) => match path.path.get_ident().and_then(|i| self.env.lookup(&i.to_string())) {
                Some(var) => Tr::Var(var.clone()),
                None => {
                    self.ctx.error(path, "cannot translate this path to SQL");
                    placeholder()
                }
            },
            Expr::Paren(inner) => self.tr(&inner.expr),
            Expr::Group(inner) => self.tr(&inner.expr),
            Expr::Reference(r) => self.tr(&r.expr),
            Expr::Field(f) => self.field(f),
            Expr::Unary(u) => {
                let inner = self.tr(&u.expr);
                let inner = self.value(inner, &u.expr);
                match u.op {
                    UnOp::Not(_) => Tr::Query(call_over(quote!(#p::ops::not), inner, u)),
                    UnOp::Neg(_) => Tr::Query(call_over(quote!(#p::ops::neg), inner, u)),
                    _ => Tr::Query(inner),
                }
            }
            Expr::Binary(b) => self.binary(b),
            Expr::MethodCall(m) => self.method(m),
            Expr::Call(c) => self.call(c),
            Expr::If(i) => self.if_else(i),
            Expr::Cast(c) => {
                let inner = self.tr(&c.expr);
                let inner = self.value(inner, &c.expr);
                let ty = &c.ty;
                let marked = call_over(quote!(#p::methods::cast_to::<#ty, _>), inner, c);
                Tr::Query(call_over(quote!(#p::methods::cast), marked, c))
            }
            Expr::Macro(m) if m.mac.path.is_ident("format") => self.format(m),
            Expr::Match(m) => self.match_expr(m),
            Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
                syn::Stmt::Expr(inner, None) => self.tr(inner),
                _ => self.unsupported(e),
            },
            _ => self.unsupported(e),
        }
    }

    /// A translated operand as an `Expr<T>`: a bare query variable stands
    /// for its row's key (`o.customer == c`).
    pub(crate) fn value(&mut self, tr: Tr, at: &Expr) -> TokenStream {
        let p = private();
        match tr {
            Tr::Query(t) | Tr::Const(t) => t,
            Tr::Var(v) => call_over(quote!(#p::value_of), quote!(__b, &#v), at),
        }
    }

    /// Translates `e` straight to an `Expr<T>`.
    pub(crate) fn expr(&mut self, e: &Expr) -> TokenStream {
        let tr = self.tr(e);
        self.value(tr, e)
    }

    fn field(&mut self, f: &syn::ExprField) -> Tr {
        let p = private();
        let base = match self.tr(&f.base) {
            Tr::Var(v) => quote!(&#v),
            // Spanned on the base, so an error about it (a to-many path
            // has no fields) points at `c.orders`, not the whole macro.
            Tr::Query(t) => call_over(quote!(&), t, &f.base),
            Tr::Const(_) => {
                self.ctx.error(&f.base, "cannot read a field of this value in a query");
                return placeholder();
            }
        };
        let member = &f.member;
        if let syn::Member::Unnamed(_) = member {
            self.ctx.error(member, "tuple fields cannot be read inside a query");
            return placeholder();
        }
        // `__f` keeps the call-site span (a local must resolve alike at its
        // definition and use); the member keeps the user's, for the error.
        let access = quote!(&__f.#member);
        Tr::Query(call_over(quote!(#p::field), quote!(__b, #base, |__f| #access), f))
    }

    /// `__b.filter(..);` for each conjunct of `cond`: `a && b` filters by `a`
    /// and by `b`, so a part that aggregates goes to HAVING and the rest to
    /// WHERE.
    pub(crate) fn filter(&mut self, cond: &Expr) -> TokenStream {
        if let Expr::Binary(b) = strip(cond)
            && matches!(b.op, BinOp::And(_))
        {
            let mut out = self.filter(&b.left);
            out.extend(self.filter(&b.right));
            return out;
        }
        let tokens = self.expr(cond);
        let p = private();
        let mut out = call_over(quote!(#p::filter), quote!(__b, #tokens), cond);
        out.extend(quote!(;));
        out
    }
}

/// A path naming an entity type: its last segment starts upper-case.
pub(crate) fn is_entity_path(path: &syn::Path) -> bool {
    path.segments
        .last()
        .and_then(|s| s.ident.to_string().chars().next())
        .is_some_and(char::is_uppercase)
}

//! Translation of one Rust expression inside a query into builder calls.
//!
//! A sub-expression that mentions no query variable is a *host* value: it is
//! evaluated in Rust before the query runs and bound as a parameter (numeric
//! and boolean literals are written into the SQL instead). Everything else
//! must be a construct foal can translate; anything else is a compile error
//! spanned on the offending tokens.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{BinOp, Expr, ExprLit, Ident, Lit, UnOp};

use crate::ctx::{Ctx, LikeKind, call_over, private};
use crate::parse::{Clause, Comprehension, generator};

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

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // A generator is a subquery: always translated, never run in Rust.
        if m.path.is_ident(crate::parse::GENERATOR) {
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

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "count_distinct",
    "group_concat",
    "exists",
];

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
            Tr::Var(v) => call_over(quote!(#p::row_ref), quote!(__b, &#v), at),
        }
    }

    /// Translates `e` straight to an `Expr<T>`.
    pub(crate) fn expr(&mut self, e: &Expr) -> TokenStream {
        let tr = self.tr(e);
        self.value(tr, e)
    }

    fn unsupported(&mut self, e: &Expr) -> Tr {
        let what = match e {
            Expr::Closure(_) => {
                "a closure cannot be translated to SQL; write the condition directly in the query".into()
            }
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                "a loop cannot be translated to SQL; use an aggregate (`count`, `sum`, …) or `exists` over a generator".into()
            }
            Expr::Block(_) | Expr::Unsafe(_) => {
                "a block with statements cannot be translated to SQL; compute values before the query or write one expression".into()
            }
            Expr::Macro(m) if m.mac.path.is_ident(crate::parse::GENERATOR) => {
                "a generator (`x for x in …`) can only be the argument of an aggregate: `count(..)`, `sum(..)`, `avg(..)`, `min(..)`, `max(..)` or `exists(..)`".into()
            }
            Expr::Macro(m) => format!(
                "the macro `{}!` cannot be translated to SQL because it uses a query variable; compute the value before the query",
                m.mac.path.to_token_stream()
            ),
            Expr::Match(_) => {
                "`match` cannot be translated to SQL; use `if … else …`".into()
            }
            Expr::Index(i) if matches!(*i.index, Expr::Range(_)) => {
                "slicing text cannot be translated to SQL the same way on every backend; use \
                 starts_with, ends_with or contains, or slice in Rust after fetching"
                    .into()
            }
            Expr::Index(_) => "indexing cannot be translated to SQL".into(),

            Expr::Range(_) => "a range can only be used as `(lo..=hi).contains(&x)`".into(),
            Expr::Assign(_) => "assignment cannot be used inside a query".into(),
            Expr::Let(_) => "`let` cannot be used inside a query".into(),
            Expr::Try(_) => "`?` cannot be used on a query value".into(),
            Expr::Await(_) | Expr::Async(_) => "async code cannot be translated to SQL".into(),
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => {
                "control flow cannot be used inside a query".into()
            }
            Expr::Tuple(_) => {
                "a tuple can only be selected as the whole projection: `(p.name, p.price) for p in Product`".into()
            }
            Expr::Struct(_) => {
                "a struct literal can only be selected as the whole projection: `Summary { .. } for p in Product`".into()
            }
            Expr::Array(_) | Expr::Repeat(_) => "an array cannot be translated to SQL".into(),
            _ => "this expression cannot be translated to SQL".into(),
        };
        self.ctx.error(e, what);
        placeholder()
    }

    fn field(&mut self, f: &syn::ExprField) -> Tr {
        let p = private();
        let base = match self.tr(&f.base) {
            Tr::Var(v) => quote!(&#v),
            Tr::Query(t) => quote!(&(#t)),
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

    fn binary(&mut self, b: &syn::ExprBinary) -> Tr {
        let p = private();
        let op_span = b.op.span();
        // `x == None` / `x != None`.
        if matches!(b.op, BinOp::Eq(_) | BinOp::Ne(_)) && (is_none_path(&b.right) || is_none_path(&b.left)) {
            let other = if is_none_path(&b.right) { &b.left } else { &b.right };
            let x = self.expr(other);
            let f = if matches!(b.op, BinOp::Eq(_)) {
                quote!(is_none)
            } else {
                quote!(is_some)
            };
            return Tr::Query(quote_spanned!(op_span=> #p::methods::#f(#x)));
        }
        let (name, comparison) = match b.op {
            BinOp::Eq(_) => ("eq", true),
            BinOp::Ne(_) => ("ne", true),
            BinOp::Lt(_) => ("lt", true),
            BinOp::Le(_) => ("le", true),
            BinOp::Gt(_) => ("gt", true),
            BinOp::Ge(_) => ("ge", true),
            BinOp::And(_) => ("and", false),
            BinOp::Or(_) => ("or", false),
            BinOp::Add(_) => ("add", false),
            BinOp::Sub(_) => ("sub", false),
            BinOp::Mul(_) => ("mul", false),
            BinOp::Div(_) => ("div", false),
            BinOp::Rem(_) => ("rem", false),
            BinOp::BitAnd(_) | BinOp::BitOr(_) | BinOp::BitXor(_) | BinOp::Shl(_) | BinOp::Shr(_) => {
                self.ctx.error(
                    b.op,
                    "bitwise operators cannot be translated to SQL; use `&&` and `||` for conditions",
                );
                return placeholder();
            }
            _ => {
                self.ctx.error(b.op, "assignment cannot be used inside a query");
                return placeholder();
            }
        };
        let left = self.tr(&b.left);
        let right = self.tr(&b.right);
        // Comparisons take the query side first, so a value computed in Rust
        // is always the right operand (`5 < p.x` is `p.x > 5`).
        let (name, left, right, lexpr, rexpr) =
            if comparison && matches!(left, Tr::Const(_)) && !matches!(right, Tr::Const(_)) {
                let flipped = match name {
                    "lt" => "gt",
                    "le" => "ge",
                    "gt" => "lt",
                    "ge" => "le",
                    same => same,
                };
                (flipped, right, left, &b.right, &b.left)
            } else {
                (name, left, right, &b.left, &b.right)
            };
        let l = self.value(left, lexpr);
        let r = self.value(right, rexpr);
        let f = Ident::new(name, op_span);
        // One argument for both operands: a type error covers the whole operation.
        let pair = call_over(quote!(#p::ops::pair), quote!(#l, #r), b);
        Tr::Query(call_over(quote!(#p::ops::#f), pair, b))
    }

    fn args(&mut self, m: &syn::ExprMethodCall, n: usize) -> bool {
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

    fn method(&mut self, m: &syn::ExprMethodCall) -> Tr {
        let p = private();
        let name = m.method.to_string();
        let span = m.method.span();
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
        // `x.chars().count()`.
        if name == "count"
            && m.args.is_empty()
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
        if let ("is_empty" | "count", Tr::Query(path)) = (name.as_str(), &receiver)
            && m.args.is_empty()
        {
            let f = if name == "is_empty" {
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
        let method = Ident::new(&name, span);
        match name.as_str() {
            "starts_with" | "ends_with" | "contains" if self.args(m, 1) => {
                let kind = match name.as_str() {
                    "starts_with" => LikeKind::Prefix,
                    "ends_with" => LikeKind::Suffix,
                    _ => LikeKind::Anywhere,
                };
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
                    Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => self.ctx.text(kind.pattern(&s.value()), s.span()),
                    _ => self.ctx.like(arg.clone(), kind),
                };
                Tr::Query(call_over(quote!(#p::methods::like), quote!(#recv, #pattern), m))
            }
            "to_lowercase" | "to_uppercase" | "trim" | "len" | "is_none" | "is_some" | "unwrap_or_default" | "abs"
            | "round" | "to_string" | "key" | "year" | "month" | "day" | "hour" | "minute" | "second"
                if self.args(m, 0) =>
            {
                Tr::Query(call_over(quote!(#p::methods::#method), recv, m))
            }
            "clone" | "to_owned" | "as_str" | "as_ref" if self.args(m, 0) => Tr::Query(recv),
            "unwrap_or" if self.args(m, 1) => {
                let d = self.expr(&m.args[0]);
                Tr::Query(call_over(quote!(#p::methods::unwrap_or), quote!(#recv, #d), m))
            }
            "min" | "max" if self.args(m, 1) => {
                let other = self.expr(&m.args[0]);
                let f = Ident::new(if name == "min" { "least" } else { "greatest" }, span);
                Tr::Query(call_over(quote!(#p::methods::#f), quote!(#recv, #other), m))
            }
            "desc" | "asc" => {
                self.ctx
                    .error(&m.method, format!("`{name}()` can only be used on a key of `order_by`"));
                placeholder()
            }
            "starts_with" | "ends_with" | "contains" | "to_lowercase" | "to_uppercase" | "trim" | "len" | "is_none"
            | "is_some" | "unwrap_or_default" | "abs" | "round" | "to_string" | "key" | "year" | "month" | "day"
            | "hour" | "minute" | "second" | "clone" | "to_owned" | "as_str" | "as_ref" | "unwrap_or" | "min"
            | "max" => placeholder(),

            _ => {
                self.ctx.error(
                    &m.method,
                    format!(
                        "the method `{name}` cannot be translated to SQL; supported methods are \
                         starts_with, ends_with, contains, to_lowercase, to_uppercase, trim, len, \
                         is_empty, chars().count(), is_none, is_some, unwrap_or, unwrap_or_default, \
                         abs, round, min, max, to_string, year, month, day, hour, minute, second, and \
                         count() on a to-many relation; or compute the value in Rust before the query"
                    ),
                );
                placeholder()
            }
        }
    }

    /// `format!("{} ({})", a, b)`: the pieces concatenated, each argument
    /// as its `to_string()`. Only `{}` placeholders are supported.
    fn format(&mut self, m: &syn::ExprMacro) -> Tr {
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
    fn match_expr(&mut self, m: &syn::ExprMatch) -> Tr {
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

    /// A value compared as a row: a tuple becomes a row value.
    fn row_value(&mut self, e: &Expr) -> TokenStream {
        let p = private();
        match strip(e) {
            Expr::Tuple(t) if t.elems.len() > 1 => {
                let items: Vec<TokenStream> = t.elems.iter().map(|e| self.expr(e)).collect();
                call_over(quote!(#p::methods::row), quote!((#(#items,)*)), e)
            }
            other => self.expr(other),
        }
    }

    /// `(e for x in … if …).contains(&y)`: `y IN (SELECT e FROM …)`.
    fn in_generator(&mut self, g: &Comprehension, y: &Expr, at: &syn::ExprMethodCall) -> Tr {
        let p = private();
        let y = match strip(y) {
            Expr::Reference(r) => &*r.expr,
            other => other,
        };
        let value = self.row_value(y);
        self.env.push();
        let stmts = self.clauses(&g.clauses);
        let elem = match strip(&g.projection) {
            Expr::Tuple(t) => {
                let items: Vec<TokenStream> = t.elems.iter().map(|e| self.expr(e)).collect();
                quote!((#(#items,)*))
            }
            other => self.expr(other),
        };
        self.env.pop();
        let _ = &p;
        Tr::Query(call_over(
            quote!(::foal::functions::in_rows),
            quote!(#value, __b.rows_of(|| { #stmts #elem })),
            at,
        ))
    }

    /// `(lo..=hi).contains(&x)`: `x BETWEEN lo AND hi` (as `lo <= x AND x <= hi`).
    fn between(&mut self, range: &syn::ExprRange, x: &Expr) -> Tr {
        let p = private();
        let (Some(lo), Some(hi)) = (&range.start, &range.end) else {
            self.ctx
                .error(range, "only a range with both ends can test membership in a query");
            return placeholder();
        };
        let x1 = self.expr(x);
        let x2 = self.expr(x);
        let lo = self.expr(lo);
        let hi = self.expr(hi);
        let upper = match range.limits {
            syn::RangeLimits::Closed(_) => quote!(le),
            syn::RangeLimits::HalfOpen(_) => quote!(lt),
        };
        let low = call_over(
            quote!(#p::ops::ge),
            call_over(quote!(#p::ops::pair), quote!(#x1, #lo), range),
            range,
        );
        let high = call_over(
            quote!(#p::ops::#upper),
            call_over(quote!(#p::ops::pair), quote!(#x2, #hi), range),
            range,
        );
        Tr::Query(call_over(
            quote!(#p::ops::and),
            call_over(quote!(#p::ops::pair), quote!(#low, #high), range),
            range,
        ))
    }

    fn call(&mut self, c: &syn::ExprCall) -> Tr {
        let p = private();
        let Some(name) = call_name(c) else {
            self.ctx.error(
                &c.func,
                "this function cannot be translated to SQL; compute its value in Rust before the query \
                 (it is then bound as a parameter), or use a supported function",
            );
            return placeholder();
        };
        if AGGREGATES.contains(&name.as_str()) {
            return self.aggregate(&name, c);
        }
        match (name.as_str(), c.args.len()) {
            ("Some", 1) => {
                let x = self.expr(&c.args[0]);
                Tr::Query(call_over(quote!(#p::methods::some), x, c))
            }
            ("coalesce", 2) => {
                let x = self.expr(&c.args[0]);
                let d = self.expr(&c.args[1]);
                Tr::Query(call_over(quote!(::foal::functions::coalesce), quote!(#x, #d), c))
            }
            ("desc", _) => {
                self.ctx
                    .error(&c.func, "`desc(..)` can only be used as a key of `order_by`");
                placeholder()
            }
            _ => {
                self.ctx.error(
                    &c.func,
                    format!(
                        "the function `{name}` cannot be translated to SQL; compute its value in Rust before \
                         the query (it is then bound as a parameter), or use a supported function: count, \
                         sum, avg, min, max, count_distinct, group_concat, exists, coalesce"
                    ),
                );
                placeholder()
            }
        }
    }

    fn aggregate(&mut self, name: &str, c: &syn::ExprCall) -> Tr {
        let p = private();
        let span = c.func.span();
        let expected = if name == "group_concat" { 2 } else { 1 };
        if c.args.len() != expected {
            self.ctx.error(
                &c.func,
                format!(
                    "`{name}` takes {expected} argument{}",
                    if expected == 1 { "" } else { "s" }
                ),
            );
            return placeholder();
        }
        let arg = &c.args[0];
        let separator = match c.args.get(1).map(strip) {
            Some(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => Some(s.clone()),
            Some(other) => {
                self.ctx
                    .error(other, "the separator of `group_concat` must be a string literal");
                return placeholder();
            }
            None => None,
        };
        if let Some(parsed) = generator(arg) {
            return match parsed {
                Ok(g) => self.generator(name, &g, separator, span),
                Err(e) => {
                    self.ctx.error_at(e.span(), e);
                    placeholder()
                }
            };
        }
        if name == "exists" {
            self.ctx
                .error(arg, "`exists` takes a generator: `exists(o for o in Order if …)`");
            return placeholder();
        }
        if let Some(inner) = nested_aggregate(arg) {
            self.ctx.error(
                inner,
                format!(
                    "`{name}` cannot aggregate another aggregate: SQL has no nested aggregates; aggregate a \
                     subquery instead, e.g. `{name}(count(o for o in c.orders) for c in Customer)`"
                ),
            );
            return placeholder();
        }

        let f = Ident::new(name, span);
        let x = match self.tr(arg) {
            Tr::Var(v) if name == "count" => {
                let distinct = self.env.sources() > 1;
                return Tr::Query(call_over(quote!(#p::count_var), quote!(__b, #v, #distinct), c));
            }
            other => self.value(other, arg),
        };
        Tr::Query(match separator {
            Some(sep) => call_over(quote!(::foal::functions::#f), quote!(#x, #sep), c),
            None => call_over(quote!(::foal::functions::#f), x, c),
        })
    }

    /// The sources and conditions of a comprehension, as builder statements.
    pub(crate) fn clauses(&mut self, clauses: &[Clause]) -> TokenStream {
        let mut stmts = TokenStream::new();
        for clause in clauses {
            match clause {
                Clause::For { var, source } => {
                    let ident = self.ctx.fresh_var();
                    stmts.extend(self.source(var, source, &ident));
                    self.env.bind(var, ident, true);
                }
                Clause::If(cond) => stmts.extend(self.filter(cond)),
            }
        }
        stmts
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

    /// `let <ident> = __b.source::<Entity>("name");` for `for var in source`.
    pub(crate) fn source(&mut self, var: &Ident, source: &Expr, ident: &Ident) -> TokenStream {
        let name = var.to_string();
        let source = strip(source);
        if let Expr::Path(path) = source
            && is_entity_path(&path.path)
        {
            let ty = &path.path;
            return quote!(let #ident = __b.source::<#ty>(#name););
        }
        // `c.orders` / `c.orders.left()`: a to-many path of a query variable.
        let (path, left) = match source {
            Expr::MethodCall(m) if m.method == "left" && m.args.is_empty() => (&*m.receiver, true),
            other => (other, false),
        };
        if self.mentions(path) {
            let tokens = match self.tr(path) {
                Tr::Query(t) => t,
                _ => {
                    self.ctx.error(
                        path,
                        "a source must be an entity type or a to-many relation like `c.orders`",
                    );
                    return TokenStream::new();
                }
            };
            let join = if left { quote!(join_left) } else { quote!(join) };
            let p = private();
            let call = call_over(quote!(#p::relations::#join), quote!(__b, #tokens, #name), path);
            return quote!(let #ident = #call;);
        }
        // A query value computed in Rust: its rows, as a derived table.
        let (query, offset) = self.ctx.query_source(source.clone());
        let p = private();
        let call = call_over(
            quote!(#p::Query::source_in),
            quote!(#query, __b, #offset, #name),
            source,
        );
        quote!(let #ident = #call;)
    }

    fn generator(&mut self, name: &str, g: &Comprehension, separator: Option<syn::LitStr>, span: Span) -> Tr {
        let p = private();
        self.env.push();
        let stmts = self.clauses(&g.clauses);
        let out = if name == "exists" {
            quote!(::foal::functions::exists(__b.rows(|| { #stmts })))
        } else {
            let f = Ident::new(name, span);
            let x = match self.tr(&g.projection) {
                Tr::Var(v) if name == "count" => {
                    let distinct = self.env.sources() > 1;
                    quote!(#p::count_var(__b, #v, #distinct))
                }
                other => {
                    let x = self.value(other, &g.projection);
                    match &separator {
                        Some(sep) => quote_spanned!(span=> ::foal::functions::#f(#x, #sep)),
                        None => quote_spanned!(span=> ::foal::functions::#f(#x)),
                    }
                }
            };
            quote!(#p::scalar(__b.subquery(|| { #stmts #x })))
        };
        self.env.pop();
        Tr::Query(out)
    }

    fn block_value<'e>(&mut self, block: &'e syn::Block) -> Option<&'e Expr> {
        match block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => Some(e),
            _ => {
                self.ctx.error(block, "a branch in a query must be a single expression");
                None
            }
        }
    }

    fn if_else(&mut self, i: &syn::ExprIf) -> Tr {
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

/// A path naming an entity type: its last segment starts upper-case.
pub(crate) fn is_entity_path(path: &syn::Path) -> bool {
    path.segments
        .last()
        .and_then(|s| s.ident.to_string().chars().next())
        .is_some_and(char::is_uppercase)
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

/// An aggregate call inside `e`, outside any generator (generators are
/// macros, whose tokens the visitor does not enter).
fn nested_aggregate(e: &Expr) -> Option<&syn::ExprCall> {
    struct Find<'a> {
        found: Option<&'a syn::ExprCall>,
    }
    impl<'a> Visit<'a> for Find<'a> {
        fn visit_expr_call(&mut self, c: &'a syn::ExprCall) {
            if self.found.is_none() && call_name(c).is_some_and(|n| AGGREGATES.contains(&n.as_str())) {
                self.found = Some(c);
            }
            syn::visit::visit_expr_call(self, c);
        }
    }
    let mut find = Find { found: None };
    find.visit_expr(e);
    find.found
}

//! `for` clauses: what a query reads from (entities, to-many relations,
//! query values, explicit joins) and the names each binds.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Ident};

use super::{Tr, Tx, is_entity_path, strip};
use crate::select::ctx::private;
use crate::select::parse::{Clause, ForPat};
use crate::spans::call_over;

/// The join kind a method of a source names.
fn join_kind(method: &Ident) -> Option<(&'static str, TokenStream)> {
    let p = private();
    let kind = match method.to_string().as_str() {
        "join" => ("join", quote!(#p::JoinKind::Inner)),
        "left_join" => ("left_join", quote!(#p::JoinKind::Left)),
        "right_join" => ("right_join", quote!(#p::JoinKind::Right)),
        "full_join" => ("full_join", quote!(#p::JoinKind::Full)),
        _ => return None,
    };
    Some(kind)
}

impl Tx<'_> {
    /// The sources and conditions of a comprehension, as builder statements.
    pub(crate) fn clauses(&mut self, clauses: &[Clause]) -> TokenStream {
        let mut stmts = TokenStream::new();
        let mut filtered = false;
        for clause in clauses {
            match clause {
                Clause::For { pat, source } => stmts.extend(self.for_clause(pat, source, filtered)),
                Clause::If(cond) => {
                    filtered = true;
                    stmts.extend(self.filter(cond));
                }
            }
        }
        stmts
    }

    /// The tokens a pattern binds through (`__v3`, `(__v3, _, __v4)`), and
    /// its names with their generated variables.
    fn pattern(&mut self, pat: &ForPat) -> (TokenStream, Vec<(Ident, Ident)>) {
        match pat {
            ForPat::Name(name) => {
                let var = self.ctx.fresh_var();
                (quote!(#var), vec![(name.clone(), var)])
            }
            ForPat::Wild(w) => (quote!(#w), Vec::new()),
            ForPat::Tuple(items) => {
                let mut tokens = Vec::new();
                let mut names = Vec::new();
                for item in items {
                    let (t, n) = self.pattern(item);
                    tokens.push(t);
                    names.extend(n);
                }
                (quote!((#(#tokens,)*)), names)
            }
        }
    }

    fn bind_all(&mut self, names: &[(Ident, Ident)]) {
        for (i, (name, var)) in names.iter().enumerate() {
            // A clause is one source, however many names it binds.
            self.env.bind(name, var.clone(), i == 0);
        }
    }

    /// The alias a source's table gets in SQL: the pattern's name, or the
    /// query value's.
    fn alias_of(pat: &ForPat, source: &Expr) -> String {
        match (pat.name(), strip(source)) {
            (Some(name), _) => name.to_string(),
            (None, Expr::Path(p)) => p.path.get_ident().map_or_else(|| "q".to_owned(), Ident::to_string),
            _ => "q".to_owned(),
        }
    }

    /// One `for pat in source` clause.
    fn for_clause(&mut self, pat: &ForPat, source: &Expr, filtered: bool) -> TokenStream {
        let source = strip(source);
        if let Expr::MethodCall(m) = source
            && let Some((method, kind)) = join_kind(&m.method)
        {
            return self.explicit_join(pat, m, method, kind, filtered);
        }
        let name = Self::alias_of(pat, source);
        let p = private();
        let (tokens, names) = self.pattern(pat);
        let value = if let Expr::Path(path) = source
            && is_entity_path(&path.path)
        {
            if pat.name().is_none() {
                self.ctx
                    .error(source, "an entity's rows bind one name: `for p in Product`; tuples are for the rows of a query value of tuples");
                return TokenStream::new();
            }
            let ty = &path.path;
            self.ctx.used_types.push(ty.clone());
            quote!(__b.source::<#ty>(#name))
        } else {
            // `c.orders` / `c.orders.left()`: a to-many path of a query variable.
            let (path, left) = match source {
                Expr::MethodCall(m) if m.method == "left" && m.args.is_empty() => (&*m.receiver, true),
                other => (other, false),
            };
            if self.mentions(path) {
                let Tr::Query(relation) = self.tr(path) else {
                    self.ctx.error(
                        path,
                        "a source must be an entity type, a query value, or a to-many relation like `c.orders`",
                    );
                    return TokenStream::new();
                };
                if pat.name().is_none() {
                    self.ctx
                        .error(source, "a to-many relation's rows bind one name: `for o in c.orders`");
                    return TokenStream::new();
                }
                let join = if left { quote!(join_left) } else { quote!(join) };
                call_over(quote!(#p::relations::#join), quote!(__b, #relation, #name), path)
            } else {
                // A query value computed in Rust: its rows, as a derived table.
                let (query, offset) = self.ctx.query_source(source.clone());
                call_over(
                    quote!(#p::Query::source_in),
                    quote!(#query, __b, #offset, #name),
                    source,
                )
            }
        };
        self.bind_all(&names);
        quote!(let #tokens = #value;)
    }

    /// `for o in Order.join(|o| cond)`, `left_join`, `right_join`,
    /// `full_join`: any entity, a to-many relation (its match and the
    /// condition), or a query value, on a condition of its own. After an
    /// outer join the joined rows may be missing; after a right or full
    /// join, the earlier ones too.
    fn explicit_join(
        &mut self,
        pat: &ForPat,
        m: &syn::ExprMethodCall,
        method: &str,
        kind: TokenStream,
        filtered: bool,
    ) -> TokenStream {
        let p = private();
        let usage = format!(
            "`{method}` takes the join's condition as a closure over the joined row: `.{method}(|o| o.customer == c)`"
        );
        let Some(Expr::Closure(closure)) = m.args.first().map(strip) else {
            self.ctx.error(&m.method, usage);
            return TokenStream::new();
        };
        if m.args.len() != 1 || closure.inputs.len() != 1 {
            self.ctx.error(&m.method, usage);
            return TokenStream::new();
        }
        let outer_right = matches!(method, "right_join" | "full_join");
        if method == "full_join" && filtered {
            if let Expr::Path(path) = strip(&m.receiver)
                && is_entity_path(&path.path)
            {
                self.ctx.used_types.push(path.path.clone());
            }
            self.ctx.error(
                &m.method,
                "a condition before a full join would drop rows the full join keeps: filter the earlier \
                 source in a query value first (`let usa = select!(c for c in Customer if …);`), or write the \
                 condition after the join",
            );
            return TokenStream::new();
        }
        let receiver = strip(&m.receiver);
        let name = Self::alias_of(pat, receiver);
        let (tokens, names) = self.pattern(pat);
        let joined = if let Expr::Path(path) = receiver
            && is_entity_path(&path.path)
        {
            if pat.name().is_none() {
                self.ctx
                    .error(receiver, "an entity's rows bind one name: `for o in Order.join(|o| …)`");
                return TokenStream::new();
            }
            let ty = &path.path;
            self.ctx.used_types.push(ty.clone());
            quote!(__b.join_entity::<#ty>(#name, #kind))
        } else if self.mentions(receiver) {
            let Tr::Query(relation) = self.tr(receiver) else {
                self.ctx.error(
                    receiver,
                    "a join reads an entity, a to-many relation like `c.orders`, or a query value",
                );
                return TokenStream::new();
            };
            call_over(
                quote!(#p::relations::join_path),
                quote!(__b, #relation, #name, #kind),
                receiver,
            )
        } else {
            let (query, offset) = self.ctx.query_source(receiver.clone());
            call_over(
                quote!(#p::Query::join_in),
                quote!(#query, __b, #offset, #name, #kind),
                receiver,
            )
        };
        let mut out = quote!(let #tokens = #joined;);
        // The condition sees the joined row as it is, under the closure's
        // names (usually the pattern's own).
        let closure_pat = match crate::select::parse::ForPat::from_closure_input(&closure.inputs[0]) {
            Ok(pat) => pat,
            Err(e) => {
                self.ctx.error_at(e.span(), e);
                return TokenStream::new();
            }
        };
        self.env.push();
        let closure_names = closure_pat.names();
        if closure_names.len() == names.len() {
            for (closure_name, (_, var)) in closure_names.iter().zip(&names) {
                self.env.bind(closure_name, var.clone(), false);
            }
        } else if !closure_names.is_empty() {
            self.ctx.error(
                &closure.inputs,
                "the closure's parameter names the joined row as the `for` pattern does",
            );
        }
        let cond = self.expr(&closure.body);
        self.env.pop();
        out.extend(call_over(quote!(#p::on), quote!(__b, #cond), &closure.body));
        out.extend(quote!(;));
        if outer_right {
            for (_, var) in self.env.current() {
                out.extend(quote!(let #var = #p::optional(#var);));
            }
        }
        if matches!(method, "left_join" | "full_join") {
            for (_, var) in &names {
                out.extend(quote!(let #var = #p::optional(#var);));
            }
        }
        self.bind_all(&names);
        out
    }
}

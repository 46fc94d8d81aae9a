//! `select!`: parse the comprehension or chain, lower it to the body of a
//! builder closure (translating each expression), and assemble the block
//! that holds the call site's static state and host values.

mod ctx;
mod lower;
mod names;
mod params;
mod parse;
mod translate;

use proc_macro2::TokenStream;
use quote::quote;

use ctx::{Ctx, private};
use lower::lower;
use parse::parse_input;
use translate::Tx;

/// The query as written, spaced for reading (`p.name` rather than `p . name`).
fn source_text(input: &TokenStream) -> String {
    let raw = input.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match (c, next) {
            (' ', Some('.' | ',' | ')' | ']' | '?' | ':')) if !out.ends_with(['.', ':']) => {}
            (' ', Some('(' | '['))
                if out.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '!') && !ends_with_keyword(&out) => {
            }
            (' ', _) if out.ends_with(['.', '(', '[']) || ends_with_unary(&out) => {}
            _ => out.push(c),
        }
    }
    out.replace(" :: ", "::").replace(": :", "::")
}

/// Whether `text` ends with a keyword a parenthesis follows with a space
/// (`for (a, b) in q`, `if (x)`).
fn ends_with_keyword(text: &str) -> bool {
    let word = text
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or_default();
    matches!(word, "for" | "in" | "if" | "else" | "match" | "move" | "return")
}

/// Whether `text` ends with a prefix `&` or `!` (not `&&` or a binary `&`).
fn ends_with_unary(text: &str) -> bool {
    let mut rev = text.chars().rev();
    match (rev.next(), rev.next()) {
        (Some('&' | '!'), None) => true,
        (Some('&' | '!'), Some(before)) => matches!(before, '(' | '[' | ','),
        _ => false,
    }
}

/// Compile errors, next to an expression of any type, so the mistake does
/// not cascade into type errors elsewhere: a call whose type is inferred
/// from where the query is used (`loop {}` would make every later line of
/// the user's function "unreachable"), after `uses` of what the query
/// names (so no import or variable is reported unused).
fn failure(error: syn::Error) -> TokenStream {
    failure_using(error, TokenStream::new())
}

fn failure_using(error: syn::Error, uses: TokenStream) -> TokenStream {
    let errors = error.into_compile_error();
    quote!({ #errors #uses ::foal::__private::failed() })
}

pub(crate) fn expand_select(input: TokenStream) -> TokenStream {
    let source = source_text(&input);
    let parsed = match parse_input(input) {
        Ok(parsed) => parsed,
        Err(e) => return failure(e),
    };
    let mut ctx = Ctx::default();
    let lowered = {
        let mut tx = Tx::new(&mut ctx);
        lower(&mut tx, parsed)
    };
    if let Some(error) = ctx.take_errors() {
        return failure_using(error, ctx.uses());
    }
    let p = private();
    let (lets, params) = ctx.emit_params();
    let params = ctx.all_params(params);
    let (body, items, update) = (lowered.body, lowered.items, lowered.update);
    let prefetch = lowered.prefetch;
    if update && !prefetch.is_empty() {
        return failure(syn::Error::new(
            proc_macro2::Span::call_site(),
            "`prefetch` loads rows; it cannot be part of a bulk `update`",
        ));
    }
    // `prefetch(prefetch(query, f1), f2)`: each call carries the span of
    // the user's closure, where rustc then reports a field that is not a
    // relation.
    let finished = prefetch.iter().fold(quote!(__q0), |inner, path| {
        let function = match path.len() {
            1 => quote!(#p::prefetch),
            2 => quote!(#p::prefetch2),
            _ => quote!(#p::prefetch3),
        };
        let at: TokenStream = path.iter().flat_map(|c| c.clone()).collect();
        crate::spans::call_over(function, quote!(#inner, #(#path),*), &at)
    });
    let site = quote! {
        static __SITE: #p::Site = #p::Site::new(#source);
    };
    match (lowered.refine, ctx.emit_sources()) {
        (None, Some((sources, ids))) => quote!({
            #site
            #items
            #lets
            #sources
            let __q0 = #p::Query::with_sources(&__SITE, #ids, #params, |__b: &#p::Builder| { #body });
            #finished
        }),
        (None, None) if update => quote!({
            #site
            #items
            #lets
            #p::UpdateQuery::new(#p::Query::new(&__SITE, #params, |__b: &#p::Builder| { #body }))
        }),
        (None, None) => quote!({
            #site
            #items
            #lets
            let __q0 = #p::Query::new(&__SITE, #params, |__b: &#p::Builder| { #body });
            #finished
        }),

        (Some((base, var)), _) => {
            let q = syn::Ident::new("__q", syn::spanned::Spanned::span(&base));
            let refine = crate::spans::call_over(
                quote!(#p::Query::refine),
                quote!(#q, &__SITE, #params, |__b: &#p::Builder, #var| { #body }),
                &base,
            );
            quote!({
                #site
                #items
                let #q = &(#base);
                #lets
                let __q0 = #refine;
                #finished
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_text_reads_like_the_source() {
        let tokens: TokenStream = "p . name for p in Product if p . price >= 500 && p . name . starts_with (\"iPad\")"
            .parse()
            .unwrap_or_default();
        assert_eq!(
            source_text(&tokens),
            "p.name for p in Product if p.price >= 500 && p.name.starts_with(\"iPad\")"
        );
        let tokens: TokenStream = "(c . name , t) for c in Customer for (who , t) in q if (t > 1.0)"
            .parse()
            .unwrap_or_default();
        assert_eq!(
            source_text(&tokens),
            "(c.name, t) for c in Customer for (who, t) in q if (t > 1.0)"
        );
    }

    #[test]
    fn errors_of_one_query_are_reported_together() {
        let tokens: TokenStream = "p for p in Product if foo(p.x) && p.y.frobnicate()"
            .parse()
            .unwrap_or_default();
        let out = expand_select(tokens).to_string();
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
        assert!(out.contains("the function `foo` cannot be translated"), "{out}");
        assert!(out.contains("the method `frobnicate` cannot be translated"), "{out}");
    }
}

/// Expansion snapshots: what `select!` generates, formatted. The first is
/// also the expansion `docs/architecture.md` shows, which this test keeps
/// current (`UPDATE_EXPECT=1 cargo test -p foal-macros` rewrites both).
#[cfg(test)]
mod snapshots {
    use super::expand_select;

    /// The expansion of `query` as formatted Rust.
    pub(crate) fn expanded(query: &str) -> String {
        let tokens: proc_macro2::TokenStream = query.parse().unwrap_or_default();
        let expansion = expand_select(tokens);
        let file: syn::File = match syn::parse2(quote::quote!(fn expansion() { let _ = #expansion; })) {
            Ok(file) => file,
            Err(e) => return format!("the expansion does not parse: {e}\n{expansion}"),
        };
        prettyplease::unparse(&file)
    }

    #[test]
    fn a_comprehension_with_a_host_value_and_a_literal_pattern() {
        let text = expanded(r#"p.name for p in Product if p.price >= min_price && p.name.starts_with("iPad")"#);
        expect_test::expect_file!["snapshots/comprehension.rs"].assert_eq(&text);
        crate::spans::check_doc_block("docs/architecture.md", "expansion", &text);
    }

    #[test]
    fn a_chain_with_ordering_limit_and_a_list() {
        let text = expanded("Product.filter(|p| ids.contains(&p.id)).order_by(|p| desc(p.price)).limit(10)");
        expect_test::expect_file!["snapshots/chain.rs"].assert_eq(&text);
    }

    #[test]
    fn a_generator_over_a_relation_and_a_query_value_as_a_source() {
        let text = expanded(
            "(c.name, count(o for o in c.orders if o.total > 100.0)) for c in Customer for x in recent if x.id == c.id",
        );
        expect_test::expect_file!["snapshots/generator_and_source.rs"].assert_eq(&text);
    }
}

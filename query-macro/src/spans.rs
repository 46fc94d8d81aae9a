//! Spans of generated code: a call made to cover the user's tokens, so
//! rustc reports a type error about it over exactly those tokens.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};

/// The spans of the first and last tokens of `at`.
fn ends(at: &impl ToTokens) -> (Span, Span) {
    let tokens: Vec<proc_macro2::TokenTree> = at.to_token_stream().into_iter().collect();
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => (first.span(), last.span()),
        _ => (Span::call_site(), Span::call_site()),
    }
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect()
}

/// `path(args)` covering the source range of `at`: the path carries the
/// span of its first token and the parentheses that of its last, so rustc
/// reports a type error about this call's value over exactly `at`.
pub(crate) fn call_over(path: TokenStream, args: TokenStream, at: &impl ToTokens) -> TokenStream {
    let (first, last) = ends(at);
    let path = respan(path, first);
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, args);
    group.set_span(last);
    quote!(#path #group)
}

/// Fills the (empty) parentheses of a call made by `call_over` with `args`,
/// keeping the parentheses' span.
pub(crate) fn with_args(call: TokenStream, args: TokenStream) -> TokenStream {
    call.into_iter()
        .map(|t| match t {
            proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Parenthesis => {
                let mut filled = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, args.clone());
                filled.set_span(g.span());
                proc_macro2::TokenTree::Group(filled)
            }
            other => other,
        })
        .collect()
}

/// Checks that the markdown file `doc` (relative to the workspace) holds
/// `text` as its code block between `<!-- name:begin -->` and
/// `<!-- name:end -->`; with `UPDATE_EXPECT=1`, writes it there instead.
#[cfg(test)]
#[allow(clippy::panic)]
pub(crate) fn check_doc_block(doc: &str, name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(doc);
    let current = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {doc}: {e}"));
    let (begin, end) = (format!("<!-- {name}:begin -->\n"), format!("<!-- {name}:end -->"));
    let (Some(start), Some(stop)) = (current.find(&begin), current.find(&end)) else {
        panic!("{doc} has no {begin} … {end} block");
    };
    let block = format!("```rust\n{text}```\n");
    let shown = &current[start + begin.len()..stop];
    if shown == block {
        return;
    }
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let updated = format!("{}{block}{}", &current[..start + begin.len()], &current[stop..]);
        std::fs::write(&path, updated).unwrap_or_else(|e| panic!("cannot write {doc}: {e}"));
        return;
    }
    panic!("the `{name}` block of {doc} is out of date; run `UPDATE_EXPECT=1 cargo test -p foal-macros`");
}

//! The macros of foal: `select!` and `#[derive(Entity)]`.
//!
//! The entry points only parse and delegate; the implementation works on
//! `proc_macro2` token streams so it is unit-tested directly.

mod derive;
#[cfg(test)]
mod fuzz;
mod select;
mod spans;

use proc_macro::TokenStream;

/// A query written as a Rust comprehension or method chain, translated to
/// SQL at compile time. See the `foal` crate for the language.
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    select::expand_select(input.into()).into()
}

/// Makes a struct an entity stored in a table. See `foal::Entity`.
#[proc_macro_derive(Entity, attributes(foal))]
pub fn derive_entity(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

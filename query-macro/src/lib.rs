//! The macros of foal: `select!`, `#[derive(Entity)]`, `#[derive(SqlValue)]`
//! and `#[sql_value]`.
//!
//! The entry points only parse and delegate; the implementation works on
//! `proc_macro2` token streams so it is unit-tested directly.

mod derive;
#[cfg(test)]
mod fuzz;
mod select;
mod spans;
mod sql_value;

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

/// Makes an enum of unit variants (stored as its variant's name) or a
/// one-field tuple struct (stored as its field) a column type. See
/// `foal::SqlValue`.
#[proc_macro_derive(SqlValue, attributes(foal))]
pub fn derive_sql_value(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    sql_value::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// On a hand-written `impl SqlValue for T`: makes `T` a column type
/// (`#[sql_value(ordered)]` when its stored values order as it does). See
/// `foal::SqlValue`.
#[proc_macro_attribute]
pub fn sql_value(args: TokenStream, item: TokenStream) -> TokenStream {
    sql_value::attribute(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

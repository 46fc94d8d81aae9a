//! `#[derive(SqlValue)]` (an enum of unit variants stored as its variant's
//! name, a one-field tuple struct stored as its field) and
//! `#[foal::sql_value]` on a hand-written `impl SqlValue`: the trait's
//! impl, then the runtime's `__sql_value!`, which makes the type a column
//! type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, LitStr};

pub(crate) fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "a `SqlValue` type cannot have generic parameters: derive it for each concrete type",
        ));
    }
    if let Some(attr) = input.attrs.iter().find(|a| a.path().is_ident("foal")) {
        return Err(syn::Error::new_spanned(
            attr,
            "`#[derive(SqlValue)]` takes no `#[foal(..)]` on the type; `rename` goes on a variant",
        ));
    }
    match &input.data {
        Data::Enum(data) => derive_enum(name, data),
        Data::Struct(data) => derive_newtype(name, &data.fields),
        Data::Union(_) => Err(syn::Error::new_spanned(
            name,
            "`SqlValue` derives for an enum of unit variants or a one-field tuple struct, not a union",
        )),
    }
}

/// The stored name of a variant: its `#[foal(rename = "…")]`, or its name.
fn variant_name(variant: &syn::Variant) -> syn::Result<String> {
    let mut name = None;
    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("foal")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let text: LitStr = meta.value()?.parse()?;
                if text.value().is_empty() {
                    return Err(syn::Error::new_spanned(
                        &text,
                        "a variant cannot be stored as empty text",
                    ));
                }
                name = Some(text.value());
                Ok(())
            } else {
                Err(meta.error("unknown option: a variant of a `SqlValue` enum takes `rename = \"…\"`"))
            }
        })?;
    }
    Ok(name.unwrap_or_else(|| variant.ident.unraw().to_string()))
}

fn derive_enum(name: &syn::Ident, data: &syn::DataEnum) -> syn::Result<TokenStream> {
    if data.variants.is_empty() {
        return Err(syn::Error::new_spanned(
            name,
            "a `SqlValue` enum needs at least one variant: an enum without any has no value to store",
        ));
    }
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut idents = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            push(syn::Error::new_spanned(
                &variant.fields,
                "a `SqlValue` enum is stored as its variant's name, so its variants cannot hold fields; \
                 store the data in columns of the entity instead",
            ));
            continue;
        }
        match variant_name(variant) {
            Ok(stored) => {
                if names.contains(&stored) {
                    push(syn::Error::new_spanned(
                        &variant.ident,
                        format!("two variants are stored as `{stored}`: each needs its own name"),
                    ));
                }
                names.push(stored);
                idents.push(&variant.ident);
            }
            Err(e) => push(e),
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    let list = names.join(", ");
    Ok(quote! {
        impl ::foal::SqlValue for #name {
            type Stored = ::std::string::String;
            const VARIANTS: &'static [&'static str] = &[#(#names),*];
            fn to_stored(&self) -> ::std::string::String {
                ::std::string::String::from(match self { #(#name::#idents => #names,)* })
            }
            fn from_stored(stored: ::std::string::String) -> ::std::result::Result<Self, ::std::string::String> {
                match stored.as_str() {
                    #(#names => ::std::result::Result::Ok(#name::#idents),)*
                    other => ::std::result::Result::Err(::std::format!(
                        "`{}` is not a variant of `{}` (one of {})",
                        other.escape_debug(),
                        ::std::stringify!(#name),
                        #list
                    )),
                }
            }
            #[inline]
            fn to_value(&self) -> ::foal::Value {
                ::foal::Value::StaticText(match self { #(#name::#idents => #names,)* })
            }
        }
        ::foal::__sql_value!(#name, enum);
    })
}

fn derive_newtype(name: &syn::Ident, fields: &Fields) -> syn::Result<TokenStream> {
    let field = match fields {
        Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => &unnamed.unnamed[0],
        _ => {
            return Err(syn::Error::new_spanned(
                name,
                "`SqlValue` derives for a one-field tuple struct (`struct Email(String);`), stored as its \
                 field; for any other type implement `SqlValue` by hand under `#[foal::sql_value]`",
            ));
        }
    };
    if let Some(attr) = field.attrs.iter().find(|a| a.path().is_ident("foal")) {
        return Err(syn::Error::new_spanned(
            attr,
            "the field of a `SqlValue` newtype takes no `#[foal(..)]`",
        ));
    }
    let inner = &field.ty;
    let span = inner;
    Ok(quote::quote_spanned! {syn::spanned::Spanned::span(span)=>
        impl ::foal::SqlValue for #name {
            type Stored = #inner;
            #[inline]
            fn to_stored(&self) -> #inner {
                ::std::clone::Clone::clone(&self.0)
            }
            #[inline]
            fn from_stored(stored: #inner) -> ::std::result::Result<Self, ::std::string::String> {
                ::std::result::Result::Ok(#name(stored))
            }
            #[inline]
            fn to_value(&self) -> ::foal::Value {
                ::foal::SqlType::to_value(&self.0)
            }
        }
        ::foal::__sql_value!(#name, ord);
    })
}

/// `#[foal::sql_value]` / `#[foal::sql_value(ordered)]` on `impl SqlValue for T`.
pub(crate) fn attribute(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let ordered = if args.is_empty() {
        false
    } else {
        let flag: syn::Ident = syn::parse2(args.clone())
            .map_err(|_| syn::Error::new_spanned(&args, "`#[foal::sql_value]` takes nothing, or `ordered`"))?;
        if flag != "ordered" {
            return Err(syn::Error::new_spanned(
                flag,
                "`#[foal::sql_value]` takes nothing, or `ordered` (the stored values order as the type does)",
            ));
        }
        true
    };
    let imp: syn::ItemImpl = syn::parse2(item)?;
    let is_sql_value = imp
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|s| s.ident == "SqlValue");
    if !is_sql_value {
        return Err(syn::Error::new_spanned(
            &imp.self_ty,
            "`#[foal::sql_value]` goes on an `impl SqlValue for YourType` block",
        ));
    }
    if !imp.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &imp.generics,
            "a `SqlValue` impl cannot have generic parameters: write one for each concrete type",
        ));
    }
    let ty = &imp.self_ty;
    let order = if ordered { quote!(ord) } else { quote!(eq) };
    Ok(quote! {
        #imp
        ::foal::__sql_value!(#ty, #order);
    })
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn expand(src: &str) -> String {
        let input: DeriveInput = syn::parse_str(src).unwrap_or_else(|e| panic!("{e}"));
        match derive(&input) {
            Ok(tokens) => tokens.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn an_enum_is_stored_as_its_variant_names() {
        let out = expand("enum State { Created, #[foal(rename = \"gone\")] Cancelled }");
        assert!(out.contains("\"Created\""), "{out}");
        assert!(out.contains("\"gone\""), "{out}");
        assert!(!out.contains("\"Cancelled\""), "{out}");
        assert!(out.contains("__sql_value ! (State , enum)"), "{out}");
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(expand("enum E {}").starts_with("error"));
        assert!(expand("enum E { A(i32) }").contains("cannot hold fields"));
        assert!(expand("enum E { A, #[foal(rename = \"A\")] B }").contains("two variants"));
        assert!(expand("struct S(i32, i32);").contains("one-field tuple struct"));
        assert!(expand("struct S { a: i32 }").contains("one-field tuple struct"));
        assert!(expand("struct S<T>(T);").contains("generic"));
        assert!(expand("enum E { #[foal(name = \"x\")] A }").contains("unknown option"));
    }

    #[test]
    fn the_attribute_takes_ordered_or_nothing() {
        let imp = quote!(impl SqlValue for Ip { type Stored = String; });
        let plain = attribute(TokenStream::new(), imp.clone()).map(|t| t.to_string());
        assert!(plain.as_deref().is_ok_and(|t| t.contains("(Ip , eq)")), "{plain:?}");
        let ordered = attribute(quote!(ordered), imp.clone()).map(|t| t.to_string());
        assert!(
            ordered.as_deref().is_ok_and(|t| t.contains("(Ip , ord)")),
            "{ordered:?}"
        );
        assert!(attribute(quote!(sorted), imp).is_err());
        assert!(attribute(TokenStream::new(), quote!(impl Clone for Ip {})).is_err());
    }
}

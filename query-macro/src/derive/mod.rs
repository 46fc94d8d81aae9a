//! `#[derive(Entity)]`: table metadata, row decoding and encoding, and the
//! field descriptors query variables resolve `p.field` through. Parsed in
//! `attributes.rs`, checked in `validate.rs`, generated in `generate.rs`.

mod attributes;
mod generate;
mod validate;

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields};

use attributes::{Field, parse_entity_options, parse_field_options};

/// Snake case of a type name: `OrderItem` → `order_item`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let after_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let before_lower =
                i > 0 && chars.get(i + 1).is_some_and(|n| n.is_lowercase()) && chars[i - 1].is_uppercase();
            if after_lower || before_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "an entity must be a struct with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            name,
            "an entity must be a struct with named fields",
        ));
    };
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "an entity cannot have generic parameters",
        ));
    }
    let options = parse_entity_options(input, &mut errors);
    let table = options.table.unwrap_or_else(|| snake_case(&name.unraw().to_string()));
    let mut fields: Vec<Field<'_>> = named
        .named
        .iter()
        .filter_map(|f| {
            Some(Field {
                ident: f.ident.as_ref()?,
                ty: &f.ty,
                options: parse_field_options(f, &mut errors),
            })
        })
        .collect();
    validate::check(name, &mut fields, &options.has_many, &mut errors);
    if let Some(mut first) = errors.pop() {
        for e in errors {
            first.combine(e);
        }
        return Err(first);
    }
    Ok(generate::generate(input, &table, &fields, &options.has_many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_type_names() {
        assert_eq!(snake_case("Customer"), "customer");
        assert_eq!(snake_case("OrderItem"), "order_item");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("Item2Tag"), "item2_tag");
    }

    #[test]
    fn a_struct_without_key_is_rejected() {
        let input: DeriveInput = syn::parse_quote!(
            struct Note {
                text: String,
            }
        );
        let err = expand(&input).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("has no primary key"), "{err}");
    }

    /// Found by the fuzzer (`struct r#fn { id: i64 }`): the module name
    /// was made from `r#fn` and `Ident::new` panicked.
    #[test]
    fn raw_identifiers_name_the_table_and_columns_without_r_hash() {
        let input: DeriveInput = syn::parse_quote!(
            #[foal(has_many(r#ref: Other = r#fn))]
            struct r#fn {
                id: i64,
                r#type: String,
            }
        );
        let out = match expand(&input) {
            Ok(tokens) => tokens.to_string(),
            Err(e) => e.to_string(),
        };
        for text in [
            "mod __foal_fn",
            "EntityMeta :: new (\"fn\" , \"fn\")",
            "name : \"type\"",
            "(\"ref\"",
        ] {
            assert!(out.contains(text), "no `{text}` in {out}");
        }
        assert!(!out.contains("\"r#"), "{out}");
    }

    /// Found by the fuzzer (`struct Link { id: i64 + }`): the expansion
    /// wrote `<i64 + as FromRow>`, which does not parse.
    #[test]
    fn a_trait_as_a_field_type_is_rejected() {
        // Strings: rustfmt would drop the trailing `+` of a token list.
        for text in [
            "struct Link { id: i64 + }",
            "struct Link { id: i64, name: dyn ToString + Send }",
            "struct Link { id: i64, name: impl ToString }",
        ] {
            let err = match syn::parse_str::<DeriveInput>(text) {
                Ok(input) => expand(&input).err().map(|e| e.to_string()).unwrap_or_default(),
                Err(e) => format!("{text} does not parse: {e}"),
            };
            assert!(err.contains("is a trait, not a column type"), "{text}: {err}");
        }
    }

    /// Found by the fuzzer (`struct Product { id: i64, _: i64 }`, which
    /// syn parses): the expansion wrote `self._`, which does not parse.
    #[test]
    fn a_field_named_underscore_is_rejected() {
        let input: DeriveInput = syn::parse_quote!(
            struct Product {
                id: i64,
                _: i64,
            }
        );
        let err = expand(&input).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("a field of an entity needs a name"), "{err}");
    }

    #[test]
    fn auto_needs_an_integer_key() {
        let input: DeriveInput = syn::parse_quote!(
            struct Tag {
                #[foal(primary_key, auto)]
                name: String,
            }
        );
        let err = expand(&input).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`auto` marks a key"), "{err}");
    }
}

#[cfg(test)]
mod snapshots {
    #[test]
    fn an_entity_with_a_reference_a_relation_and_a_version() {
        let input: syn::DeriveInput = syn::parse_quote!(
            #[foal(table = "orders")]
            #[foal(has_many(items: OrderItem = order))]
            pub struct Order {
                #[foal(primary_key, auto)]
                pub id: i64,
                pub customer: Ref<Customer>,
                pub note: Option<String>,
                #[foal(version)]
                pub version: i64,
            }
        );
        let tokens = super::expand(&input).unwrap_or_else(syn::Error::into_compile_error);
        let text = match syn::parse2::<syn::File>(tokens) {
            Ok(file) => prettyplease::unparse(&file),
            Err(e) => format!("the expansion does not parse: {e}"),
        };
        expect_test::expect_file!["snapshots/entity.rs"].assert_eq(&text);
    }
}

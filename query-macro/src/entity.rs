//! `#[derive(Entity)]`: table metadata, row decoding and encoding, and the
//! field descriptors query variables resolve `p.field` through.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitInt, LitStr, Type};

/// What `#[foal(..)]` says about one field.
#[derive(Default)]
struct FieldOptions {
    primary_key: bool,
    auto: bool,
    version: bool,
    unique: bool,
    column: Option<LitStr>,
    max_len: Option<LitInt>,
}

/// `#[foal(has_many(orders: Order = customer))]`.
struct HasMany {
    name: Ident,
    target: syn::Path,
    field: Ident,
}

impl syn::parse::Parse for HasMany {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<syn::Token![:]>()?;
        let target = input.parse()?;
        input.parse::<syn::Token![=]>()?;
        let field = input.parse()?;
        Ok(HasMany { name, target, field })
    }
}

struct Field<'a> {
    ident: &'a Ident,
    ty: &'a Type,
    options: FieldOptions,
}

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

/// The last identifier of a type's path (`i64`, `Option`, `Ref`).
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn is_integer(ty: &Type) -> bool {
    matches!(type_name(ty).as_deref(), Some("i64" | "i32"))
}

fn parse_field_options(field: &syn::Field, errors: &mut Vec<syn::Error>) -> FieldOptions {
    let mut options = FieldOptions::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("foal")) {
        let result = attr.parse_nested_meta(|meta| {
            let flag = |o: &mut bool| {
                *o = true;
                Ok(())
            };
            if meta.path.is_ident("primary_key") {
                flag(&mut options.primary_key)
            } else if meta.path.is_ident("auto") {
                flag(&mut options.auto)
            } else if meta.path.is_ident("version") {
                flag(&mut options.version)
            } else if meta.path.is_ident("unique") {
                flag(&mut options.unique)
            } else if meta.path.is_ident("column") {
                options.column = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("max_len") {
                options.max_len = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error(
                    "unknown field option; expected one of: primary_key, auto, version, unique, column = \"..\", max_len = N",
                ))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    options
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

    let mut table = snake_case(&name.to_string());
    let mut has_many = Vec::new();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("foal")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table") {
                table = meta.value()?.parse::<LitStr>()?.value();
                Ok(())
            } else if meta.path.is_ident("has_many") {
                let content;
                syn::parenthesized!(content in meta.input);
                has_many.push(content.parse::<HasMany>()?);
                Ok(())
            } else {
                Err(meta.error("unknown entity option; expected `table = \"..\"` or `has_many(name: Entity = field)`"))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }

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

    // The key: fields marked `primary_key`, or else a field named `id`.
    if !fields.iter().any(|f| f.options.primary_key) {
        match fields.iter_mut().find(|f| *f.ident == "id") {
            Some(id) => id.options.primary_key = true,
            None => errors.push(syn::Error::new_spanned(
                name,
                format!(
                    "the entity `{name}` has no primary key: mark its key field(s) with `#[foal(primary_key)]` \
                     (add `auto` for a key the database generates), or name the key field `id`"
                ),
            )),
        }
    }
    let keys: Vec<&Field<'_>> = fields.iter().filter(|f| f.options.primary_key).collect();
    for f in &fields {
        if f.options.auto && (!f.options.primary_key || keys.len() != 1 || !is_integer(f.ty)) {
            errors.push(syn::Error::new_spanned(
                f.ident,
                "`auto` marks a key the database generates: it needs a single `primary_key` field of type i64 or i32",
            ));
        }
        if f.options.version && (!is_integer(f.ty) || f.options.primary_key) {
            errors.push(syn::Error::new_spanned(
                f.ident,
                "`version` needs an i64 or i32 field that is not part of the key",
            ));
        }
    }
    if fields.iter().filter(|f| f.options.version).count() > 1 {
        errors.push(syn::Error::new_spanned(
            name,
            "an entity can have at most one `version` field",
        ));
    }
    for h in &has_many {
        if fields.iter().any(|f| *f.ident == h.name) {
            errors.push(syn::Error::new_spanned(
                &h.name,
                format!("`{}` is already a field of the entity", h.name),
            ));
        }
    }
    let mut columns = std::collections::HashSet::new();

    for f in &fields {
        let column = f
            .options
            .column
            .as_ref()
            .map_or_else(|| f.ident.to_string(), LitStr::value);
        if !columns.insert(column.clone()) {
            errors.push(syn::Error::new_spanned(
                f.ident,
                format!("two fields are stored in the column `{column}`"),
            ));
        }
    }
    if let Some(mut first) = errors.pop() {
        for e in errors {
            first.combine(e);
        }
        return Err(first);
    }
    Ok(generate(input, &table, &fields, &has_many))
}

fn generate(input: &DeriveInput, table: &str, fields: &[Field<'_>], has_many: &[HasMany]) -> TokenStream {
    let name = &input.ident;
    let vis = &input.vis;
    let name_str = name.to_string();
    let module = format_ident!("__foal_{}", snake_case(&name_str));
    let columns_ty = format_ident!("{}Columns", name);
    let p = quote!(::foal::__private);

    let idents: Vec<&Ident> = fields.iter().map(|f| f.ident).collect();
    let types: Vec<&Type> = fields.iter().map(|f| f.ty).collect();
    let field_numbers: Vec<usize> = (0..fields.len()).collect();
    let indices: Vec<u16> = (0..fields.len()).map(|i| i as u16).collect();
    let keys: Vec<&Field<'_>> = fields.iter().filter(|f| f.options.primary_key).collect();
    let key_idents: Vec<&Ident> = keys.iter().map(|f| f.ident).collect();
    let key_types: Vec<&Type> = keys.iter().map(|f| f.ty).collect();
    let (key_ty, key_expr) = if keys.len() == 1 {
        let (ty, ident) = (key_types[0], key_idents[0]);
        (quote!(#ty), quote!(::core::clone::Clone::clone(&self.#ident)))
    } else {
        (
            quote!((#(#key_types,)*)),
            quote!((#(::core::clone::Clone::clone(&self.#key_idents),)*)),
        )
    };

    let field_meta: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let (ident, ty, o) = (f.ident, f.ty, &f.options);
            let field_name = ident.to_string();
            let column = match &o.column {
                Some(c) => quote!(::core::option::Option::Some(#c)),
                None => quote!(::core::option::Option::None),
            };
            let max_len = match &o.max_len {
                Some(n) => quote!(::core::option::Option::Some(#n)),
                None => quote!(::core::option::Option::None),
            };
            let (pk, auto, version, unique) = (o.primary_key, o.auto, o.version, o.unique);
            quote_spanned! {ty.span()=>
                __meta.field::<#ty>(::foal::FieldAttrs {
                    name: #field_name,
                    column: #column,
                    primary_key: #pk,
                    auto: #auto,
                    version: #version,
                    unique: #unique,
                    max_len: #max_len,
                });
            }
        })
        .collect();
    let key_field_meta = fields
        .iter()
        .zip(&field_meta)
        .filter(|(f, _)| f.options.primary_key)
        .map(|(_, meta)| meta);
    let has_many_meta = has_many.iter().map(|h| {
        let (rel, target, field) = (h.name.to_string(), &h.target, h.field.to_string());
        quote!(__meta.has_many(#rel, <#target as ::foal::Entity>::TABLE, #field);)
    });

    let generated_key = fields.iter().find(|f| f.options.auto).map(|f| {
        let ident = f.ident;
        quote! {
            #[allow(clippy::cast_possible_truncation)]
            fn set_generated_key(&mut self, id: i64) {
                self.#ident = id as _;
            }
        }
    });
    let version = fields.iter().find(|f| f.options.version).map(|f| {
        let ident = f.ident;
        quote! {
            fn version(&self) -> ::core::option::Option<i64> {
                ::core::option::Option::Some(::core::convert::Into::<i64>::into(self.#ident))
            }
            #[allow(clippy::cast_possible_truncation)]
            fn set_version(&mut self, version: i64) {
                self.#ident = version as _;
            }
        }
    });

    // Columns before the first key field: where `from_row_opt` probes for NULL.
    let first_key = fields.iter().position(|f| f.options.primary_key).unwrap_or(0);
    let before_key: Vec<&Type> = types[..first_key].to_vec();
    let first_key_ty = types.get(first_key).copied();
    let probe = match first_key_ty {
        Some(ty) => quote! {
            let __probe = __start #(+ <#before_key as #p::FromRow>::WIDTH)*;
            let _ = ::core::marker::PhantomData::<#ty>;
            if #p::RowAccess::is_null(__row, __probe) {
                *__idx = __start + <Self as #p::FromRow>::WIDTH;
                return ::core::result::Result::Ok(::core::option::Option::None);
            }
        },
        None => TokenStream::new(),
    };

    let many_names: Vec<&Ident> = has_many.iter().map(|h| &h.name).collect();
    let many_types: Vec<&syn::Path> = has_many.iter().map(|h| &h.target).collect();
    let many_links = has_many.iter().map(|h| {
        let (target, field) = (&h.target, &h.field);
        let link = crate::ctx::call_over(quote!(#p::link::<#name, _>), quote!(&__c.#field), field);
        quote! {
            #p::Many::new(|__c: &<#target as ::foal::Entity>::Columns| #link)
        }
    });
    let doc = format!("Field descriptors of [`{name_str}`] for queries (generated by `#[derive(Entity)]`).");
    let span = Span::call_site();
    quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(non_snake_case, unreachable_pub)]
        #vis mod #module {
            #[allow(unused_imports)]
            use super::*;
            #[doc = #doc]
            pub struct #columns_ty {
                #(pub #idents: ::foal::__private::Field<#types>,)*
                #(pub #many_names: ::foal::__private::Many<#many_types>,)*
            }
        }

        impl ::foal::Entity for #name {
            type Key = #key_ty;
            type Columns = #module::#columns_ty;
            const COLUMNS: Self::Columns = #module::#columns_ty {
                #(#idents: #p::Field::new(#indices),)*
                #(#many_names: #many_links,)*
            };
            const NAME: &'static str = #name_str;
            const TABLE: &'static str = #table;

            fn meta() -> &'static ::foal::EntityMeta {
                static META: ::std::sync::OnceLock<::foal::EntityMeta> = ::std::sync::OnceLock::new();
                META.get_or_init(|| {
                    let mut __meta = ::foal::EntityMeta::new(#name_str, #table);
                    #(#field_meta)*
                    #(#has_many_meta)*
                    __meta
                })
            }

            fn key_meta() -> &'static [::foal::ColumnMeta] {
                static KEY: ::std::sync::OnceLock<::std::vec::Vec<::foal::ColumnMeta>> = ::std::sync::OnceLock::new();
                KEY.get_or_init(|| {
                    let mut __meta = ::foal::EntityMeta::new(#name_str, #table);
                    #(#key_field_meta)*
                    __meta.columns
                })
            }

            fn key(&self) -> Self::Key {
                #key_expr
            }

            #[inline]
            fn push_field(&self, __field: usize, __out: &mut ::std::vec::Vec<#p::Value>) {
                match __field {
                    #(#field_numbers => <#types as #p::ToValues>::push_values(&self.#idents, __out),)*
                    _ => {}
                }
            }

            #[inline]
            fn field_int(&self, __field: usize) -> ::core::option::Option<i64> {
                match __field {
                    #(#field_numbers => <#types as #p::ToValues>::as_int(&self.#idents),)*
                    _ => ::core::option::Option::None,
                }
            }

            #generated_key
            #version
        }

        impl #p::FromRow for #name {
            const WIDTH: usize = 0 #(+ <#types as #p::FromRow>::WIDTH)*;

            #[inline]
            fn from_row<__R: #p::RowAccess + ?::core::marker::Sized>(
                __row: &__R,
                __idx: &mut usize,
            ) -> ::core::result::Result<Self, #p::DecodeError> {
                ::core::result::Result::Ok(#name {
                    #(#idents: <#types as #p::FromRow>::from_row(__row, __idx)?,)*
                })
            }

            #[inline]
            fn from_row_opt<__R: #p::RowAccess + ?::core::marker::Sized>(
                __row: &__R,
                __idx: &mut usize,
            ) -> ::core::result::Result<::core::option::Option<Self>, #p::DecodeError> {
                let __start = *__idx;
                #probe
                <Self as #p::FromRow>::from_row(__row, __idx).map(::core::option::Option::Some)
            }
        }

        impl #p::ToValues for #name {
            fn push_values(&self, __out: &mut ::std::vec::Vec<#p::Value>) {
                #(<#types as #p::ToValues>::push_values(&self.#idents, __out);)*
            }
            fn bind_values<'__a>(&'__a self, __sink: &mut dyn #p::ParamSink<'__a>) {
                #(<#types as #p::ToValues>::bind_values(&self.#idents, __sink);)*
            }
            fn take_values(&mut self, __out: &mut ::std::vec::Vec<#p::Value>) {
                #(<#types as #p::ToValues>::take_values(&mut self.#idents, __out);)*
            }
        }
    }
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

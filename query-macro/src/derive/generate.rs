//! The code the derive generates: the `Entity` impl with its metadata, the
//! field descriptors queries read `p.field` through, `FromRow` and
//! `ToValues`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitStr, Type};

use super::attributes::{Field, HasMany};
use super::snake_case;

pub(super) fn generate(input: &DeriveInput, table: &str, fields: &[Field<'_>], has_many: &[HasMany]) -> TokenStream {
    let name = &input.ident;
    let vis = &input.vis;
    // A raw identifier (`r#type`) names its table and module without `r#`.
    let name_str = name.unraw().to_string();
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
            let field_name = ident.unraw().to_string();
            let column = match &o.column {
                Some(c) => quote!(::core::option::Option::Some(#c)),
                None => quote!(::core::option::Option::None),
            };
            let max_len = match &o.max_len {
                Some(n) => quote!(::core::option::Option::Some(#n)),
                None => quote!(::core::option::Option::None),
            };
            let (pk, auto, version, unique) = (o.primary_key, o.auto, o.version, o.unique);
            let on_delete = match o.on_delete.as_ref().map(LitStr::value).as_deref() {
                Some("cascade") => quote!(::core::option::Option::Some(::foal::OnDelete::Cascade)),
                Some("set_null") => quote!(::core::option::Option::Some(::foal::OnDelete::SetNull)),
                Some(_) => quote!(::core::option::Option::Some(::foal::OnDelete::Restrict)),
                None => quote!(::core::option::Option::None),
            };
            quote_spanned! {ty.span()=>
                __meta.field::<#ty>(::foal::FieldAttrs {
                    name: #field_name,
                    column: #column,
                    primary_key: #pk,
                    auto: #auto,
                    version: #version,
                    unique: #unique,
                    max_len: #max_len,
                    on_delete: #on_delete,
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
        let (rel, target, field) = (h.name.unraw().to_string(), &h.target, h.field.unraw().to_string());
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
        let link = crate::spans::call_over(quote!(#p::link::<#name, _>), quote!(&__c.#field), field);
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

            fn from_raw_row<__R: #p::RowAccess + ?::core::marker::Sized>(
                __row: &__R,
            ) -> ::core::result::Result<Self, #p::DecodeError> {
                #p::entity_by_name::<Self, __R>(__row)
            }
        }

        impl #p::SourceRow for #name {
            type Vars = #p::Var<#name>;
            fn vars(__b: &#p::Builder, __table: u16, __first: usize) -> #p::Var<#name> {
                #p::entity_vars::<#name>(__b, __table, __first)
            }
            fn merged(
                __base: &::foal::dialects::Select,
                __root: ::core::option::Option<&str>,
                __offset: u16,
            ) -> ::core::option::Option<(#p::Builder, #p::Var<#name>)> {
                #p::entity_merged::<#name>(__base, __root, __offset)
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

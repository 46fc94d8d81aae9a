//! The projection: a query variable (whole rows), a tuple, a struct
//! literal of any struct, or an expression.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Expr;
use syn::spanned::Spanned;

use crate::select::ctx::private;
use crate::select::translate::{Tr, Tx};

use super::strip;

/// The projection: a query variable (whole rows), a tuple, a struct
/// literal of any struct, or an expression.
pub(crate) fn projection(tx: &mut Tx<'_>, e: &Expr, items: &mut TokenStream) -> TokenStream {
    match strip(e) {
        Expr::Tuple(t) => {
            let elems: Vec<TokenStream> = t.elems.iter().map(|e| element(tx, e)).collect();
            quote!((#(#elems,)*))
        }
        Expr::Struct(s) => struct_literal(tx, s, items),
        other => element(tx, other),
    }
}

fn element(tx: &mut Tx<'_>, e: &Expr) -> TokenStream {
    match strip(e) {
        Expr::Tuple(t) => {
            let elems: Vec<TokenStream> = t.elems.iter().map(|e| element(tx, e)).collect();
            quote!((#(#elems,)*))
        }
        Expr::Struct(_) => {
            tx.ctx
                .error(e, "a struct literal can only be the whole projection, not part of one");
            TokenStream::new()
        }

        other => match tx.tr(other) {
            Tr::Var(v) => quote!(::core::clone::Clone::clone(&#v)),
            tr => tx.value(tr, other),
        },
    }
}

/// `Summary { name: p.name, value: p.price * p.quantity }`: the items are
/// selected in field order and each row is built by a generated decoder; a
/// type check per field points at the value that does not fit.
fn struct_literal(tx: &mut Tx<'_>, s: &syn::ExprStruct, items: &mut TokenStream) -> TokenStream {
    let p = private();
    if let Some(rest) = &s.rest {
        tx.ctx.error(
            rest,
            "`..` cannot fill the remaining fields of a selected struct: name every field",
        );
    }
    let path = &s.path;
    let mut lets = TokenStream::new();
    let mut names = Vec::new();
    let mut decodes = Vec::new();
    for (i, field) in s.fields.iter().enumerate() {
        let syn::Member::Named(member) = &field.member else {
            tx.ctx.error(&field.member, "a selected struct must have named fields");
            continue;
        };
        let local = format_ident!("__i{}", i);
        let value = element(tx, &field.expr);
        let span = field.expr.span();
        let checked = crate::spans::call_over(
            quote!(#p::check_field),
            quote!(#value, |__s: &#path| &__s.#member),
            &field.expr,
        );
        lets.extend(quote_spanned!(span=> let #local = #checked;));
        decodes.push(quote!(#member: #p::FromRow::from_row(__row, __idx)?));
        names.push(local);
    }
    items.extend(quote! {
        struct __Row;
        impl #p::RowDecoder for __Row {
            type Row = #path;
            #[inline]
            fn decode<__R: #p::RowAccess + ?::core::marker::Sized>(
                __row: &__R,
                __idx: &mut usize,
            ) -> ::core::result::Result<#path, #p::DecodeError> {
                ::core::result::Result::Ok(#path { #(#decodes),* })
            }
        }
    });
    quote!({
        #lets
        #p::Mapped::<_, __Row>::new((#(#names,)*))
    })
}

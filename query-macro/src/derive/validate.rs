//! The rules an entity must follow, each error spanned on the field or
//! option that breaks it. Every rule is checked, so one build shows all.

use syn::ext::IdentExt;
use syn::{Ident, LitStr, Type};

use super::attributes::{Field, HasMany};

/// The last identifier of a type's path (`i64`, `Option`, `Ref`).
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` of `Option<T>`.
fn inner_of_option(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

fn is_integer(ty: &Type) -> bool {
    matches!(type_name(ty).as_deref(), Some("i64" | "i32"))
}

/// Settles the key (fields marked `primary_key`, or else a field named
/// `id`) and checks `auto`, `version`, relation names and column names.
pub(super) fn check(name: &Ident, fields: &mut [Field<'_>], has_many: &[HasMany], errors: &mut Vec<syn::Error>) {
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
    for f in fields.iter() {
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
    for h in has_many {
        if fields.iter().any(|f| *f.ident == h.name) {
            errors.push(syn::Error::new_spanned(
                &h.name,
                format!("`{}` is already a field of the entity", h.name),
            ));
        }
    }
    for f in fields.iter() {
        // rustc rejects these fields too, but the expansion would not even
        // parse: `self._` and `<i64 + as FromRow>` are syntax errors.
        if *f.ident == "_" {
            errors.push(syn::Error::new_spanned(
                f.ident,
                "a field of an entity needs a name: it is a column, and queries read it as `p.name`",
            ));
        }
        if matches!(f.ty, Type::TraitObject(_) | Type::ImplTrait(_)) {
            errors.push(syn::Error::new_spanned(
                f.ty,
                format!(
                    "the type of `{}` is a trait, not a column type: a field holds a value such as `i64`, \
                     `String`, `Option<T>` or `Ref<Entity>`",
                    f.ident
                ),
            ));
        }
    }
    for f in fields.iter() {
        let Some(action) = &f.options.on_delete else {
            continue;
        };
        let reference = |ty: &Type| type_name(ty).as_deref() == Some("Ref");
        let (is_ref, optional) = match inner_of_option(f.ty) {
            Some(inner) => (reference(inner), true),
            None => (reference(f.ty), false),
        };
        if !is_ref {
            errors.push(syn::Error::new_spanned(
                action,
                "`on_delete` says what deleting the referenced row does: it belongs on a `Ref<T>` or \
                 `Option<Ref<T>>` field",
            ));
        } else if action.value() == "set_null" && !optional {
            errors.push(syn::Error::new_spanned(
                action,
                format!(
                    "`set_null` clears the reference, but `{}` is a `Ref<T>`, which cannot be missing: make it \
                     `Option<Ref<T>>`, or use \"cascade\" or \"restrict\"",
                    f.ident
                ),
            ));
        }
    }
    let mut columns = std::collections::HashSet::new();

    for f in fields.iter() {
        let column = f
            .options
            .column
            .as_ref()
            .map_or_else(|| f.ident.unraw().to_string(), LitStr::value);
        if !columns.insert(column.clone()) {
            errors.push(syn::Error::new_spanned(
                f.ident,
                format!("two fields are stored in the column `{column}`"),
            ));
        }
    }
}

//! The `#[foal(..)]` attributes of an entity and of its fields.

use syn::{DeriveInput, Ident, LitInt, LitStr, Type};

/// What `#[foal(..)]` says about one field.
#[derive(Default)]
pub(super) struct FieldOptions {
    pub(super) primary_key: bool,
    pub(super) auto: bool,
    pub(super) version: bool,
    pub(super) unique: bool,
    pub(super) column: Option<LitStr>,
    pub(super) max_len: Option<LitInt>,
    /// `on_delete = "cascade" | "set_null" | "restrict"`.
    pub(super) on_delete: Option<LitStr>,
}

/// `#[foal(has_many(orders: Order = customer))]`.
pub(super) struct HasMany {
    pub(super) name: Ident,
    pub(super) target: syn::Path,
    pub(super) field: Ident,
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

pub(super) struct Field<'a> {
    pub(super) ident: &'a Ident,
    pub(super) ty: &'a Type,
    pub(super) options: FieldOptions,
}

pub(super) fn parse_field_options(field: &syn::Field, errors: &mut Vec<syn::Error>) -> FieldOptions {
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
            } else if meta.path.is_ident("on_delete") {
                let action: LitStr = meta.value()?.parse()?;
                if !matches!(action.value().as_str(), "cascade" | "set_null" | "restrict") {
                    return Err(syn::Error::new_spanned(
                        &action,
                        "`on_delete` is \"cascade\" (delete the rows that refer to it), \"set_null\" (clear \
                         their reference) or \"restrict\" (refuse the delete)",
                    ));
                }
                options.on_delete = Some(action);
                Ok(())
            } else {
                Err(meta.error(
                    "unknown field option; expected one of: primary_key, auto, version, unique, column = \"..\", max_len = N, on_delete = \"cascade\" | \"set_null\" | \"restrict\"",
                ))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    options
}

/// What `#[foal(..)]` says about the entity.
pub(super) struct EntityOptions {
    /// The table name (default: snake case of the struct name).
    pub(super) table: Option<String>,
    pub(super) has_many: Vec<HasMany>,
}

/// Reads the entity-level options: `table = ".."`, `has_many(name: Entity = field)`.
pub(super) fn parse_entity_options(input: &DeriveInput, errors: &mut Vec<syn::Error>) -> EntityOptions {
    let mut options = EntityOptions {
        table: None,
        has_many: Vec::new(),
    };
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("foal")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table") {
                options.table = Some(meta.value()?.parse::<LitStr>()?.value());
                Ok(())
            } else if meta.path.is_ident("has_many") {
                let content;
                syn::parenthesized!(content in meta.input);
                options.has_many.push(content.parse::<HasMany>()?);
                Ok(())
            } else {
                Err(meta.error("unknown entity option; expected `table = \"..\"` or `has_many(name: Entity = field)`"))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    options
}

//! `SqlValue`: a type of the application stored as one of the built-in
//! column types (an enum as its variant's name, a newtype as its field, an
//! IP address as text), and the impls that make it a column type like the
//! others.

use crate::error::DecodeError;

use super::traits::{FromRow, ParamSink, RowAccess, SqlType, ToValues};
use super::value::Value;

/// A Rust type stored as one of the built-in column types.
///
/// `#[derive(SqlValue)]` writes it for an enum of unit variants (stored as
/// TEXT, the variant's name, or its `#[foal(rename = "…")]`) and for a
/// one-field tuple struct (stored as its field). Any other type implements
/// it by hand, under `#[foal::sql_value]`, which adds what makes it a column
/// type: a field, a parameter, compared with `==`, in IN lists, GROUP BY
/// and primary keys.
///
/// ```
/// use foal::prelude::*;
/// use foal::SqlValue;
///
/// /// An address stored as its text.
/// #[derive(Debug, Clone, PartialEq)]
/// pub struct Ip(pub std::net::IpAddr);
///
/// #[foal::sql_value]
/// impl SqlValue for Ip {
///     type Stored = String;
///     fn to_stored(&self) -> String {
///         self.0.to_string()
///     }
///     fn from_stored(text: String) -> Result<Self, String> {
///         text.parse().map(Ip).map_err(|e| format!("`{text}` is not an IP address: {e}"))
///     }
/// }
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Login {
///     #[foal(primary_key, auto)]
///     pub id: i64,
///     pub from: Ip,
/// }
///
/// # fn main() -> foal::Result<()> {
/// let db = Database::open("sqlite::memory:")?;
/// db.create_table::<Login>()?;
/// let home = Ip("192.168.0.1".parse().unwrap());
/// db.insert(Login { id: 0, from: home.clone() })?;
/// let logins = select!(l for l in Login if l.from == home).fetch_all(&db)?;
/// assert_eq!(logins.len(), 1);
/// # Ok(())
/// # }
/// ```
///
/// Ordering (`<`, ORDER BY, `min`, `max`) is by the stored value, so it is
/// offered only where that is the type's own order: a derived newtype
/// orders as its field (as `#[derive(PartialOrd)]` does), a derived enum by
/// the order its variants are declared in (as `#[derive(PartialOrd)]`
/// does), and a hand-written one only under `#[foal::sql_value(ordered)]`,
/// which says the stored values order as the type does (an IP address as
/// text does not: `"10.0.0.1" < "9.0.0.1"`).
pub trait SqlValue: SqlType {
    /// The built-in column type the value is stored as.
    type Stored: SqlType;

    /// The value as stored.
    fn to_stored(&self) -> Self::Stored;

    /// The value back from what was stored; an `Err` (say, an unknown enum
    /// variant in the table) is a decode error naming the column and the
    /// query's call site.
    ///
    /// # Errors
    /// A stored value that is not a value of this type, described.
    fn from_stored(stored: Self::Stored) -> Result<Self, String>;

    /// The stored names of an enum's variants, in declaration order (how
    /// it is ordered in queries); empty for any other type.
    #[doc(hidden)]
    const VARIANTS: &'static [&'static str] = &[];

    /// The value as a parameter: by default through
    /// [`to_stored`](SqlValue::to_stored).
    #[doc(hidden)]
    #[inline]
    fn to_value(&self) -> Value {
        SqlType::to_value(&self.to_stored())
    }
}

/// The impls that make a [`SqlValue`] type a column type; what
/// `#[derive(SqlValue)]` and `#[foal::sql_value]` expand to, after the
/// trait's impl. `eq` gives equality only, `ord` also the stored value's
/// order and `min`/`max`, `enum` also the order of the variants.
#[doc(hidden)]
#[macro_export]
macro_rules! __sql_value {
    ($t:ty, eq) => {
        $crate::__sql_value!(@column $t);
    };
    ($t:ty, ord) => {
        $crate::__sql_value!(@column $t);
        $crate::__sql_value!(@ord $t);
        const _: () = {
            use $crate::functions::SqlAggregate;
            #[diagnostic::do_not_recommend]
            impl<S> SqlAggregate for $t
            where
                $t: $crate::SqlValue<Stored = S>,
                S: SqlAggregate,
            {
                type Min = ::std::option::Option<$t>;
            }
        };
    };
    ($t:ty, enum) => {
        $crate::__sql_value!(@column $t);
        const _: () = {
            use $crate::__private::ops::SqlOrd;
            #[diagnostic::do_not_recommend]
            impl SqlOrd<$t> for $t {}
            #[diagnostic::do_not_recommend]
            impl SqlOrd<::std::option::Option<$t>> for $t {}
            #[diagnostic::do_not_recommend]
            impl SqlOrd<$t> for ::std::option::Option<$t> {}
        };
    };
    (@ord $t:ty) => {
        const _: () = {
            use $crate::__private::ops::SqlOrd;
            #[diagnostic::do_not_recommend]
            impl<S: SqlOrd<S>> SqlOrd<$t> for $t where $t: $crate::SqlValue<Stored = S> {}
            #[diagnostic::do_not_recommend]
            impl<S: SqlOrd<S>> SqlOrd<::std::option::Option<$t>> for $t where $t: $crate::SqlValue<Stored = S> {}
            #[diagnostic::do_not_recommend]
            impl<S: SqlOrd<S>> SqlOrd<$t> for ::std::option::Option<$t> where $t: $crate::SqlValue<Stored = S> {}
        };
    };
    (@column $t:ty) => {
        const _: () = {
            use ::std::option::Option;
            use ::std::result::Result;
            use ::std::vec::Vec;
            use $crate::__private::ops::SqlEq;
            use $crate::__private::{
                DecodeError, Expr, FromRow, MaybeNull, ParamSink, RowAccess, SourceRow, ToValue, ToValues, Value,
            };
            use $crate::{SqlType, SqlValue, Typed};

            impl Typed for $t {
                const TYPE: $crate::dialects::Type = <<$t as SqlValue>::Stored as Typed>::TYPE;
                const VARIANTS: &'static [&'static str] = <$t as SqlValue>::VARIANTS;
            }

            impl SqlType for $t {
                #[inline]
                fn decode_opt<R: RowAccess + ?Sized>(row: &R, i: usize) -> Result<Option<Self>, DecodeError> {
                    match <<$t as SqlValue>::Stored as SqlType>::decode_opt(row, i)? {
                        Option::Some(stored) => match <$t as SqlValue>::from_stored(stored) {
                            Result::Ok(value) => Result::Ok(Option::Some(value)),
                            Result::Err(message) => Result::Err(DecodeError::new(i, message)),
                        },
                        Option::None => Result::Ok(Option::None),
                    }
                }
                #[inline]
                fn to_value(&self) -> Value {
                    SqlValue::to_value(self)
                }
            }

            impl ToValue for $t {
                const TYPE: $crate::dialects::Type = <<$t as SqlValue>::Stored as Typed>::TYPE;
                #[inline]
                fn to_value(&self) -> Value {
                    SqlValue::to_value(self)
                }
            }

            impl FromRow for $t {
                const WIDTH: usize = 1;
                #[inline]
                fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
                    let i = *idx;
                    *idx += 1;
                    match <$t as SqlType>::decode_opt(row, i)? {
                        Option::Some(value) => Result::Ok(value),
                        Option::None => Result::Err(DecodeError::null::<$t>(i)),
                    }
                }
                #[inline]
                fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
                    let i = *idx;
                    *idx += 1;
                    <$t as SqlType>::decode_opt(row, i)
                }
            }

            impl ToValues for $t {
                #[inline]
                fn push_values(&self, out: &mut Vec<Value>) {
                    out.push(SqlValue::to_value(self));
                }
                #[inline]
                fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
                    sink.value(SqlValue::to_value(self));
                }
            }

            impl MaybeNull for $t {
                type Opt = Option<$t>;
            }

            impl SourceRow for $t {
                type Vars = Expr<$t>;
                fn vars(b: &$crate::__private::Builder, table: u16, first: usize) -> Expr<$t> {
                    $crate::__private::column_cell(b, table, first, false)
                }
            }
            #[diagnostic::do_not_recommend]
            impl SqlEq<$t> for $t {}
            #[diagnostic::do_not_recommend]
            impl SqlEq<$t> for Option<$t> {}
            #[diagnostic::do_not_recommend]
            impl SqlEq<Option<$t>> for $t {}
        };
    };
}

// What a crate cannot write for an `Option` of its own type (the orphan
// rule): written here once for every `SqlValue`.

impl<T: SqlValue> FromRow for Option<T> {
    const WIDTH: usize = 1;
    #[inline]
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
        let i = *idx;
        *idx += 1;
        T::decode_opt(row, i)
    }
    #[inline]
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
        Ok(Some(Self::from_row(row, idx)?))
    }
}

impl<T: SqlValue> ToValues for Option<T> {
    #[inline]
    fn push_values(&self, out: &mut Vec<Value>) {
        out.push(self.as_ref().map_or(Value::Null, SqlValue::to_value));
    }
    #[inline]
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        match self {
            Some(v) => sink.value(SqlValue::to_value(v)),
            None => sink.null(),
        }
    }
}

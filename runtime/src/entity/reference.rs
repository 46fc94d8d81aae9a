//! `Ref<T>`: a to-one reference, holding the key of a `T` row.

use std::fmt;
use std::marker::PhantomData;

use crate::dialects::Type;
use crate::error::DecodeError;
use crate::types::{FromRow, ParamSink, RowAccess, ToValue, ToValues, Typed, Value};

use super::traits::Entity;

/// A to-one reference: holds the key of a `T` row.
///
/// ```
/// # use foal::prelude::*;
/// # #[derive(Entity, Debug, Clone, PartialEq)]
/// # pub struct Customer { #[foal(primary_key, auto)] pub id: i64, pub name: String }
/// let ann = Customer { id: 7, name: "Ann".into() };
/// let r: Ref<Customer> = Ref::to(&ann);
/// assert_eq!(r.key(), 7);
/// assert_eq!(r, Ref::new(7));
/// ```
pub struct Ref<T: Entity> {
    key: T::Key,
    _entity: PhantomData<fn() -> T>,
}

impl<T: Entity> Ref<T> {
    /// A reference to the `T` whose key is `key`.
    pub fn new(key: T::Key) -> Self {
        Ref {
            key,
            _entity: PhantomData,
        }
    }

    /// A reference to `entity`.
    pub fn to(entity: &T) -> Self {
        Ref::new(entity.key())
    }

    /// The referenced row's key.
    pub fn key(&self) -> T::Key {
        self.key.clone()
    }
}

impl<T: Entity> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref::new(self.key.clone())
    }
}

impl<T: Entity> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<T: Entity> Eq for Ref<T> where T::Key: Eq {}

impl<T: Entity> std::hash::Hash for Ref<T>
where
    T::Key: std::hash::Hash,
{
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl<T: Entity> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref<{}>({:?})", T::NAME, self.key)
    }
}

impl<T: Entity> FromRow for Ref<T> {
    const WIDTH: usize = <T::Key as FromRow>::WIDTH;
    #[inline]
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
        Ok(Ref::new(T::Key::from_row(row, idx)?))
    }
    #[inline]
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
        Ok(T::Key::from_row_opt(row, idx)?.map(Ref::new))
    }
}

impl<T: Entity> FromRow for Option<Ref<T>> {
    const WIDTH: usize = <T::Key as FromRow>::WIDTH;
    #[inline]
    fn from_row<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Self, DecodeError> {
        Ref::from_row_opt(row, idx)
    }
    #[inline]
    fn from_row_opt<R: RowAccess + ?Sized>(row: &R, idx: &mut usize) -> Result<Option<Self>, DecodeError> {
        Ok(Some(Ref::from_row_opt(row, idx)?))
    }
}

impl<T: Entity> ToValues for Ref<T> {
    #[inline]
    fn push_values(&self, out: &mut Vec<Value>) {
        self.key.push_values(out);
    }
    #[inline]
    fn as_int(&self) -> Option<i64> {
        self.key.as_int()
    }
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        self.key.take_values(out);
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        self.key.bind_values(sink);
    }
}

impl<T: Entity> ToValues for Option<Ref<T>> {
    #[inline]
    fn push_values(&self, out: &mut Vec<Value>) {
        match self {
            Some(r) => r.key.push_values(out),
            None => out.extend((0..<T::Key as FromRow>::WIDTH).map(|_| Value::Null)),
        }
    }
    #[inline]
    fn as_int(&self) -> Option<i64> {
        self.as_ref().and_then(|r| r.key.as_int())
    }
    #[inline]
    fn take_values(&mut self, out: &mut Vec<Value>) {
        match self {
            Some(r) => r.key.take_values(out),
            None => self.push_values(out),
        }
    }
    fn bind_values<'a>(&'a self, sink: &mut dyn ParamSink<'a>) {
        match self {
            Some(r) => r.key.bind_values(sink),
            None => (0..<T::Key as FromRow>::WIDTH).for_each(|_| sink.null()),
        }
    }
}

impl<T: Entity> Typed for Ref<T> {
    const TYPE: Type = <T::Key as Typed>::TYPE;
}

impl<T: Entity> ToValue for Ref<T>
where
    T::Key: ToValue,
{
    const TYPE: Type = <T::Key as ToValue>::TYPE;
    fn to_value(&self) -> Value {
        self.key.to_value()
    }
}

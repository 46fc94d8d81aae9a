//! Parameter values: what a host expression becomes before it is bound.

use std::mem::ManuallyDrop;

use crate::dialects::{Bind, InlineValues, Provider, Type};

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    /// A string literal of the query's source: bound without copying.
    StaticText(&'static str),
    Bytes(Vec<u8>),
    #[cfg(feature = "chrono")]
    Date(chrono::NaiveDate),
    #[cfg(feature = "chrono")]
    DateTime(chrono::NaiveDateTime),
    #[cfg(feature = "chrono")]
    Timestamp(chrono::DateTime<chrono::Utc>),
    /// The elements of an `IN` list, or the columns of a composite key.
    List(Vec<Value>),
}

/// The values bound to a query's placeholders, in order. Up to two are
/// kept in place: most queries bind one or two, and an allocation per call
/// costs more than its own time, since it changes which memory the
/// driver's buffers get next (`docs/performance.md`).
#[doc(hidden)]
#[derive(Clone, PartialEq)]
pub struct Params(ManuallyDrop<Repr>);

/// Most queries' parameters are static text, numbers or nothing: dropping
/// them is a test of the variant, inlined, rather than a call.
impl Drop for Params {
    #[inline(always)]
    fn drop(&mut self) {
        if !matches!(*self.0, Repr::None) {
            drop_values(&mut self.0);
        }
    }
}

/// Drops the values where they are (moving the whole enum out first cost
/// a copy).
#[inline(never)]
fn drop_values(repr: &mut Repr) {
    *repr = Repr::None;
}

#[derive(Clone, PartialEq)]
enum Repr {
    None,
    One(Value),
    Two([Value; 2]),
    Heap(Vec<Value>),
}

impl Repr {
    #[inline]
    fn as_slice(&self) -> &[Value] {
        match self {
            Repr::None => &[],
            Repr::One(value) => std::slice::from_ref(value),
            Repr::Two(values) => values,
            Repr::Heap(values) => values,
        }
    }
}

impl Params {
    #[inline]
    pub fn as_slice(&self) -> &[Value] {
        self.0.as_slice()
    }

    /// `first` (cloned) followed by `self`'s values (moved): the parameters
    /// of a refined query. Two or fewer stay in place, as from the macro.
    pub(crate) fn after(mut self, first: &[Value]) -> Params {
        let then = std::mem::replace(&mut *self.0, Repr::None);
        let repr = match (first, then) {
            ([], then) => then,
            ([a], Repr::None) => Repr::One(a.clone()),
            ([a], Repr::One(b)) => Repr::Two([a.clone(), b]),
            ([a, b], Repr::None) => Repr::Two([a.clone(), b.clone()]),
            (first, then) => {
                let mut all = Vec::with_capacity(first.len() + then.as_slice().len());
                all.extend_from_slice(first);
                match then {
                    Repr::None => {}
                    Repr::One(value) => all.push(value),
                    Repr::Two(values) => all.extend(values),
                    Repr::Heap(values) => all.extend(values),
                }
                Repr::Heap(all)
            }
        };
        Params(ManuallyDrop::new(repr))
    }
}

impl std::ops::Deref for Params {
    type Target = [Value];
    #[inline]
    fn deref(&self) -> &[Value] {
        self.as_slice()
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl From<[Value; 0]> for Params {
    #[inline]
    fn from(_: [Value; 0]) -> Params {
        Params(ManuallyDrop::new(Repr::None))
    }
}

impl From<[Value; 1]> for Params {
    #[inline]
    fn from([value]: [Value; 1]) -> Params {
        Params(ManuallyDrop::new(Repr::One(value)))
    }
}

impl From<[Value; 2]> for Params {
    #[inline]
    fn from(values: [Value; 2]) -> Params {
        Params(ManuallyDrop::new(Repr::Two(values)))
    }
}

impl From<Vec<Value>> for Params {
    #[inline]
    fn from(values: Vec<Value>) -> Params {
        Params(ManuallyDrop::new(Repr::Heap(values)))
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            Value::StaticText(s) => Some(s),
            _ => None,
        }
    }

    /// The value bound at `bind`, with list padding: an index past the end of
    /// a list repeats its last element.
    pub(crate) fn resolve(params: &[Value], bind: Bind) -> &Value {
        const NULL: &Value = &Value::Null;
        match bind {
            Bind::Param(i) => params.get(usize::from(i)).unwrap_or(NULL),
            Bind::Item { param, item } => match params.get(usize::from(param)) {
                Some(Value::List(items)) => {
                    let i = (item as usize).min(items.len().saturating_sub(1));
                    items.get(i).unwrap_or(NULL)
                }
                Some(other) => other,
                None => NULL,
            },
        }
    }

    /// This value's shape digit: what about it changes the SQL text.
    /// 0: nothing; 1: NULL; 2: empty list; 3 + k: a list of up to 2^k items.
    pub(crate) fn shape_digit(&self) -> Option<u8> {
        match self {
            Value::Null => Some(1),
            Value::List(items) if items.is_empty() => Some(2),
            Value::List(items) => {
                let k = items.len().next_power_of_two().trailing_zeros();
                // Lists longer than 2^12 are not cached as shapes.
                u8::try_from(k + 3).ok().filter(|d| *d <= 15)
            }
            _ => Some(0),
        }
    }

    /// The number of placeholders a list renders to: its length rounded up
    /// to a power of two, so the number of cached variants stays small.
    pub(crate) fn padded_len(&self) -> u32 {
        match self {
            Value::List(items) if items.is_empty() => 0,
            Value::List(items) => u32::try_from(items.len().next_power_of_two()).unwrap_or(u32::MAX),
            _ => 1,
        }
    }

    /// Writes the value as a SQL literal of `provider`'s dialect.
    pub fn write_literal(&self, provider: &dyn Provider, out: &mut String) {
        match self {
            Value::Null => out.push_str("NULL"),
            Value::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&crate::dialects::float_text(*f)),
            Value::Text(s) => provider.string_literal(out, s),
            Value::StaticText(s) => provider.string_literal(out, s),
            Value::Bytes(b) => provider.bytes_literal(out, b),
            #[cfg(feature = "chrono")]
            Value::Date(d) => provider.string_literal(out, &d.format("%Y-%m-%d").to_string()),
            #[cfg(feature = "chrono")]
            Value::DateTime(d) => provider.string_literal(out, &d.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
            #[cfg(feature = "chrono")]
            Value::Timestamp(d) => provider.string_literal(out, &d.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
            Value::List(items) => {
                out.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_literal(provider, out);
                }
                out.push(')');
            }
        }
    }
}

/// The parameters of one query, for `sql_inline`.
pub(crate) struct Inline<'a>(pub &'a [Value]);

impl InlineValues for Inline<'_> {
    fn write_value(&self, provider: &dyn Provider, out: &mut String, bind: Bind) {
        Value::resolve(self.0, bind).write_literal(provider, out);
    }
}

/// A Rust value that can be bound as a query parameter.
///
/// Implemented for the column types, references to them, `str`, `[u8]`,
/// `Option`s of them, and (as `IN` lists) `Vec`s, slices and arrays.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to the database as a query parameter",
    label = "this value is computed in Rust and bound as a parameter, but its type has no SQL form",
    note = "parameters can be bool, integers, floats, String/&str, Vec<u8>/&[u8], chrono dates, `Ref<T>`, Options of those, or lists of those for `contains`"
)]
pub trait ToValue {
    /// The SQL type of the parameter.
    const TYPE: Type;
    fn to_value(&self) -> Value;
}

macro_rules! to_value_int {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            const TYPE: Type = Type::I64;
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
to_value_int!(i8, i16, i32, i64, u8, u16, u32);

impl ToValue for usize {
    const TYPE: Type = Type::I64;
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for bool {
    const TYPE: Type = Type::Bool;
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for f64 {
    const TYPE: Type = Type::F64;
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
}

impl ToValue for f32 {
    const TYPE: Type = Type::F64;
    fn to_value(&self) -> Value {
        Value::Float(f64::from(*self))
    }
}

impl ToValue for str {
    const TYPE: Type = Type::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    const TYPE: Type = Type::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for char {
    const TYPE: Type = Type::Text;
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for [u8] {
    const TYPE: Type = Type::Bytes;
    fn to_value(&self) -> Value {
        Value::Bytes(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    const TYPE: Type = Type::Bytes;
    fn to_value(&self) -> Value {
        Value::Bytes(self.clone())
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    const TYPE: Type = T::TYPE;
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    const TYPE: Type = T::TYPE;
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}

#[cfg(feature = "chrono")]
mod chrono_values {
    use super::{ToValue, Type, Value};

    impl ToValue for chrono::NaiveDate {
        const TYPE: Type = Type::Date;
        fn to_value(&self) -> Value {
            Value::Date(*self)
        }
    }

    impl ToValue for chrono::NaiveDateTime {
        const TYPE: Type = Type::DateTime;
        fn to_value(&self) -> Value {
            Value::DateTime(*self)
        }
    }

    impl ToValue for chrono::DateTime<chrono::Utc> {
        const TYPE: Type = Type::Timestamp;
        fn to_value(&self) -> Value {
            Value::Timestamp(*self)
        }
    }

    /// A duration is bound as its microseconds (saturating beyond about
    /// 292 000 years).
    impl ToValue for chrono::TimeDelta {
        const TYPE: Type = Type::I64;
        fn to_value(&self) -> Value {
            let saturated = if *self < chrono::TimeDelta::zero() {
                i64::MIN
            } else {
                i64::MAX
            };
            Value::Int(self.num_microseconds().unwrap_or(saturated))
        }
    }
}

/// A key made of values, usable in hash maps: text compares by content
/// whatever its storage, floats by bits. A one-column key (the usual case)
/// is held without a vector.
#[derive(Debug, Clone)]
pub(crate) enum ValueKey {
    One(Value),
    Many(Vec<Value>),
}

impl ValueKey {
    pub(crate) fn values(&self) -> &[Value] {
        match self {
            ValueKey::One(v) => std::slice::from_ref(v),
            ValueKey::Many(vs) => vs,
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

fn hash_value(v: &Value, state: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    match v {
        Value::Null => state.write_u8(0),
        Value::Bool(b) => (1u8, b).hash(state),
        Value::Int(i) => state.write_i64(*i),
        Value::Float(f) => (3u8, f.to_bits()).hash(state),
        Value::Text(_) | Value::StaticText(_) => (4u8, v.as_str()).hash(state),
        Value::Bytes(b) => (5u8, b).hash(state),
        #[cfg(feature = "chrono")]
        Value::Date(d) => (6u8, d).hash(state),
        #[cfg(feature = "chrono")]
        Value::DateTime(d) => (7u8, d).hash(state),
        #[cfg(feature = "chrono")]
        Value::Timestamp(d) => (8u8, d).hash(state),
        Value::List(items) => {
            (9u8, items.len()).hash(state);
            for item in items {
                hash_value(item, state);
            }
        }
    }
}

impl PartialEq for ValueKey {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.values(), other.values());
        a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
    }
}

impl Eq for ValueKey {}

impl std::hash::Hash for ValueKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for v in self.values() {
            hash_value(v, state);
        }
    }
}

/// Hashes [`ValueKey`]s: a multiplication for integer keys (the usual
/// primary keys), SipHash with a random key for anything else, which text
/// keys read from the database need against crafted collisions.
#[derive(Clone)]
pub(crate) enum KeyHash {
    Integers,
    Other(std::collections::hash_map::RandomState),
}

impl KeyHash {
    /// The hasher for keys whose (first) column has type `ty`.
    pub(crate) fn for_type(ty: crate::dialects::Type) -> KeyHash {
        use crate::dialects::Type;
        match ty {
            Type::I16 | Type::I32 | Type::I64 => KeyHash::Integers,
            _ => KeyHash::Other(std::collections::hash_map::RandomState::new()),
        }
    }
}

impl Default for KeyHash {
    fn default() -> Self {
        KeyHash::Other(std::collections::hash_map::RandomState::new())
    }
}

pub(crate) enum KeyHasher {
    Integers(crate::driver::IdHasher),
    Other(std::collections::hash_map::DefaultHasher),
}

impl std::hash::BuildHasher for KeyHash {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        match self {
            KeyHash::Integers => KeyHasher::Integers(std::hash::BuildHasher::build_hasher(&crate::driver::IdHash)),
            KeyHash::Other(state) => KeyHasher::Other(state.build_hasher()),
        }
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        match self {
            KeyHasher::Integers(h) => h.finish(),
            KeyHasher::Other(h) => h.finish(),
        }
    }
    fn write(&mut self, bytes: &[u8]) {
        match self {
            KeyHasher::Integers(h) => h.write(bytes),
            KeyHasher::Other(h) => h.write(bytes),
        }
    }
    fn write_u64(&mut self, n: u64) {
        match self {
            KeyHasher::Integers(h) => h.write_u64(n),
            KeyHasher::Other(h) => h.write_u64(n),
        }
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

/// Maps keyed by [`ValueKey`] with the hasher their key type calls for.
pub(crate) type KeyMap<V> = std::collections::HashMap<ValueKey, V, KeyHash>;

/// A key from `value`'s columns, reusing `buf` so a one-column key costs
/// no allocation.
pub(crate) fn key_with(buf: &mut Vec<Value>, value: &impl crate::types::ToValues) -> ValueKey {
    buf.clear();
    value.push_values(buf);
    if buf.len() == 1 {
        ValueKey::One(buf.pop().unwrap_or(Value::Null))
    } else {
        ValueKey::Many(buf.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::{Params, Value};

    fn values(range: std::ops::Range<i64>) -> Vec<Value> {
        range.map(|i| Value::Text(format!("v{i}"))).collect()
    }

    fn params(values: Vec<Value>) -> Params {
        match <[Value; 2]>::try_from(values) {
            Ok(two) => two.into(),
            Err(values) => match <[Value; 1]>::try_from(values) {
                Ok(one) => one.into(),
                Err(values) if values.is_empty() => [].into(),
                Err(values) => values.into(),
            },
        }
    }

    #[test]
    fn a_refined_query_s_parameters_are_the_base_s_then_its_own() {
        for base in 0..4 {
            for own in 0..4 {
                let first = values(0..base);
                let then = values(base..base + own);
                let joined = params(then).after(&first);
                assert_eq!(joined.as_slice(), values(0..base + own).as_slice(), "{base} then {own}");
            }
        }
    }
}

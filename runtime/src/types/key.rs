//! Keys made of values, for the maps prefetch groups rows in.

use super::traits::ToValues;
use super::value::Value;

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
        #[cfg(feature = "chrono")]
        Value::Time(t) => (9u8, t).hash(state),
        #[cfg(feature = "uuid")]
        Value::Uuid(u) => (10u8, u).hash(state),
        // Decimal's Hash agrees with its numeric equality (1.0 == 1.00).
        #[cfg(feature = "decimal")]
        Value::Decimal(d) => (11u8, d).hash(state),
        #[cfg(feature = "json")]
        Value::Json(doc) => (12u8, super::json_text::text(doc)).hash(state),
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
    Integers(crate::util::hash::IdHasher),
    Other(std::collections::hash_map::DefaultHasher),
}

impl std::hash::BuildHasher for KeyHash {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        match self {
            KeyHash::Integers => KeyHasher::Integers(std::hash::BuildHasher::build_hasher(&crate::util::hash::IdHash)),
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
pub(crate) fn key_with(buf: &mut Vec<Value>, value: &impl ToValues) -> ValueKey {
    buf.clear();
    value.push_values(buf);
    if buf.len() == 1 {
        ValueKey::One(buf.pop().unwrap_or(Value::Null))
    } else {
        ValueKey::Many(buf.clone())
    }
}

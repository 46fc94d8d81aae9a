//! `Params`: the values bound to a query's placeholders.

use std::mem::ManuallyDrop;

use super::value::Value;

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

/// How many values (and list elements) `Debug` shows.
const SHOWN: usize = 16;

/// Values in `Debug`, the first [`SHOWN`] of a long list and a count of
/// the rest: a 20 000-key IN list stays one readable line.
struct Shown<'a>(&'a [Value]);

impl std::fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for v in self.0.iter().take(SHOWN) {
            match v {
                Value::List(items) => list.entry(&Shown(items)),
                other => list.entry(other),
            };
        }
        if self.0.len() > SHOWN {
            list.entry(&format_args!("… {} more", self.0.len() - SHOWN));
        }
        list.finish()
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Shown(self.as_slice()).fmt(f)
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

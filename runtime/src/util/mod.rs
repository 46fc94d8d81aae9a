//! Small pieces the layers share: the id hasher and a typed slot.

pub(crate) mod hash;

use std::any::Any;
use std::sync::OnceLock;

/// State of a type a higher layer chooses, made on first use: a lower
/// layer's value (an entity's metadata) can hold what an upper one keeps
/// about it (its rendered statements) without knowing that type.
#[derive(Default)]
pub(crate) struct Slot(OnceLock<Box<dyn Any + Send + Sync>>);

impl Slot {
    /// The value in the slot, made with `T::default()` the first time.
    #[allow(clippy::expect_used)]
    pub(crate) fn get<T: Any + Send + Sync + Default>(&self) -> &T {
        self.0
            .get_or_init(|| Box::new(T::default()))
            .downcast_ref()
            .expect("invariant: a slot holds one type only")
    }
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot")
    }
}

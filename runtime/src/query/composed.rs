//! The cache of queries composed at run time (`select!(q.filter(..))`,
//! `for x in q`): one process-wide LRU of [`COMPOSED_CAPACITY`] entries,
//! keyed by the entries of the queries composed, the composing site and
//! the shape. An evicted entry is rebuilt on next use.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock};

use lru::LruCache;

use super::cache::{COMPOSED_CAPACITY, Entry, EntryRef, Site};
use crate::dsl::Built;
use crate::util::hash::IdHash;

/// The entries a composed query is built from (up to 4, else not cached),
/// the composing site's address, and the shape.
#[derive(PartialEq, Eq)]
struct ComposedKey {
    bases: [u64; 4],
    site: usize,
    shape: u128,
}

/// The key's words folded into one, its high bits brought down: the table
/// picks a bucket by the low bits, and a multiplication only carries bits
/// upward (the derived hash would instead feed the array's 32 bytes to the
/// hasher one at a time). Two independent products, so the CPU computes
/// them side by side.
impl std::hash::Hash for ComposedKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c, d] = self.bases;
        let (low, high) = (self.shape as u64, (self.shape >> 64) as u64);
        let ids = (a ^ b.rotate_left(16) ^ c.rotate_left(32) ^ d.rotate_left(48)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let place = (self.site as u64 ^ low.rotate_left(24) ^ high.rotate_left(48)).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        let folded = ids ^ place;
        state.write_u64(folded ^ (folded >> 32));
    }
}

type ComposedCache = LruCache<ComposedKey, Arc<Entry>, IdHash>;

fn composed() -> &'static Mutex<ComposedCache> {
    static CACHE: OnceLock<Mutex<ComposedCache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        let capacity = NonZeroUsize::new(COMPOSED_CAPACITY).unwrap_or(NonZeroUsize::MIN);
        Mutex::new(LruCache::with_hasher(capacity, IdHash))
    })
}

/// The entry of a query composed at `site` from the entries `bases`.
pub(crate) fn composed_entry(
    bases: &[u64],
    site: &'static Site,
    shape: Option<u128>,
    build: &mut dyn FnMut() -> Built,
) -> EntryRef {
    let (Some(shape), true) = (shape, bases.len() <= 4) else {
        return EntryRef::Shared(Arc::new(Entry::new(build())));
    };
    let mut ids = [0; 4];
    ids[..bases.len()].copy_from_slice(bases);
    let key = ComposedKey {
        bases: ids,
        site: std::ptr::from_ref(site) as usize,
        shape,
    };

    if let Ok(mut cache) = composed().lock()
        && let Some(e) = cache.get(&key)
    {
        return EntryRef::Shared(Arc::clone(e));
    }
    let entry = Arc::new(Entry::new(build()));
    if let Ok(mut cache) = composed().lock() {
        cache.put(key, Arc::clone(&entry));
    }
    EntryRef::Shared(entry)
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::ComposedKey;
    use crate::util::hash::IdHash;

    fn hash(key: &ComposedKey) -> u64 {
        IdHash.hash_one(key)
    }

    fn key(bases: [u64; 4], site: usize, shape: u128) -> ComposedKey {
        ComposedKey { bases, site, shape }
    }

    #[test]
    fn each_part_of_the_key_changes_its_hash() {
        let base = key([1, 2, 0, 0], 0x5000, 0);
        let others = [
            key([2, 1, 0, 0], 0x5000, 0),
            key([1, 3, 0, 0], 0x5000, 0),
            key([1, 2, 0, 0], 0x5040, 0),
            key([1, 2, 0, 0], 0x5000, 1),
            key([1, 2, 0, 0], 0x5000, 1 << 100),
        ];
        for other in &others {
            assert_ne!(hash(&base), hash(other));
        }
        assert_eq!(hash(&base), hash(&key([1, 2, 0, 0], 0x5000, 0)));
    }

    #[test]
    fn high_bits_reach_the_bucket_bits() {
        // The table buckets by the low bits: keys differing only in a high
        // bit of the shape or the site must still spread.
        let low = |k: &ComposedKey| hash(k) & 0xffff;
        let spread: std::collections::HashSet<u64> = (0..64)
            .map(|bit| low(&key([7, 0, 0, 0], 0x1000, 1u128 << (64 + bit))))
            .collect();
        assert!(spread.len() > 48, "only {} distinct buckets of 64", spread.len());
        let sites: std::collections::HashSet<u64> = (0..64)
            .map(|i| low(&key([7, 0, 0, 0], 0x1000 + (i << 40), 0)))
            .collect();
        assert!(sites.len() > 48, "only {} distinct buckets of 64", sites.len());
    }
}

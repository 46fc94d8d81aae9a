//! The hasher of keys foal makes itself (rendering ids, composed-query
//! keys, integer primary keys): one multiplication.

/// Hashes the ids of renderings (`Rendered::id`), which are distinct
/// counters: one multiplication spreads them, where hashing the SQL text
/// would cost a pass over it on every execution. Also the hasher of the
/// composed-query cache, whose keys fold into one word (made by foal from
/// ids, a site's address and a shape, never by a user, so there is no
/// flooding to guard against).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHash;

pub(crate) struct IdHasher(u64);

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

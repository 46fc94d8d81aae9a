//! A connection's prepared statements: an LRU keyed by rendering id.

use crate::util::hash::IdHash;

/// Prepared statements kept per connection (an LRU: the least recently used
/// statement is finalized when a new one would exceed it).
pub const STATEMENT_CACHE: usize = 256;

/// A connection's prepared statements, keyed by rendering id, at most
/// [`STATEMENT_CACHE`] of them. The statement used last is found by one
/// comparison: a query run again does not touch the index, whose memory
/// the database's own work in between tends to push out of the CPU cache.
/// Any other hit is one probe of a hash table. The least recently used
/// statement is found by a scan only when a new one is prepared into a
/// full cache (preparing costs far more than the scan).
pub(crate) struct Statements<S> {
    kept: Vec<Kept<S>>,
    /// Where each id's statement is in `kept`.
    index: std::collections::HashMap<u64, usize, IdHash>,
    /// The place in `kept` of the statement used last (checked by id, so a
    /// place that moved since is only a miss).
    last: usize,
    uses: u64,
}

struct Kept<S> {
    id: u64,
    statement: S,
    used: u64,
}

impl<S> Statements<S> {
    pub(crate) fn new() -> Self {
        Statements {
            kept: Vec::with_capacity(16),
            index: std::collections::HashMap::with_capacity_and_hasher(16, IdHash),
            last: 0,
            uses: 0,
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut S> {
        self.uses += 1;
        let at = match self.kept.get(self.last) {
            Some(kept) if kept.id == id => self.last,
            _ => {
                let at = *self.index.get(&id)?;
                self.last = at;
                at
            }
        };
        let kept = self.kept.get_mut(at)?;
        kept.used = self.uses;
        Some(&mut kept.statement)
    }

    /// Adds a statement; returns the one it pushed out, if the cache was full.
    pub(crate) fn push(&mut self, id: u64, statement: S) -> Option<(u64, S)> {
        let evicted = if self.kept.len() >= STATEMENT_CACHE && !self.index.contains_key(&id) {
            let oldest = (0..self.kept.len()).min_by_key(|&at| self.kept[at].used);
            oldest.map(|at| self.take(at))
        } else {
            None
        };
        self.uses += 1;
        let kept = Kept {
            id,
            statement,
            used: self.uses,
        };
        match self.index.get(&id) {
            Some(&at) => {
                self.kept[at] = kept;
                self.last = at;
            }
            None => {
                self.last = self.kept.len();
                self.index.insert(id, self.last);
                self.kept.push(kept);
            }
        }
        evicted
    }

    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn remove(&mut self, id: u64) -> Option<S> {
        let at = *self.index.get(&id)?;
        Some(self.take(at).1)
    }

    /// Takes the statement at `at` out; the last one moves into its place.
    fn take(&mut self, at: usize) -> (u64, S) {
        let kept = self.kept.swap_remove(at);
        self.index.remove(&kept.id);
        if let Some(moved) = self.kept.get(at) {
            self.index.insert(moved.id, at);
        }
        (kept.id, kept.statement)
    }
}

#[cfg(test)]
mod tests {
    use super::{STATEMENT_CACHE, Statements};

    #[test]
    fn the_statement_used_last_is_found_and_the_least_recently_used_goes() {
        let mut cache: Statements<String> = Statements::new();
        for id in 0..STATEMENT_CACHE as u64 {
            assert!(cache.push(id, format!("s{id}")).is_none(), "the cache is not full yet");
        }
        // Use every statement but #5 once more: #5 is now the least recent.
        for id in (0..STATEMENT_CACHE as u64).filter(|&id| id != 5) {
            assert_eq!(cache.get_mut(id).map(|s| s.as_str()), Some(format!("s{id}").as_str()));
        }
        let evicted = cache.push(1000, "new".to_owned());
        assert_eq!(evicted, Some((5, "s5".to_owned())));
        assert!(cache.get_mut(5).is_none());
        assert_eq!(cache.get_mut(1000).map(|s| s.as_str()), Some("new"));
        // Every other statement is still there, at its new place.
        for id in (0..STATEMENT_CACHE as u64).filter(|&id| id != 5) {
            assert!(cache.get_mut(id).is_some(), "statement {id} was lost");
        }
    }

    #[test]
    fn pushing_a_kept_id_again_replaces_it_without_evicting() {
        let mut cache: Statements<u32> = Statements::new();
        for id in 0..STATEMENT_CACHE as u64 {
            cache.push(id, 1);
        }
        assert!(
            cache.push(7, 2).is_none(),
            "a statement prepared again replaces its old self"
        );
        assert_eq!(cache.get_mut(7).copied(), Some(2));
    }

    #[test]
    fn a_removed_statement_leaves_the_others_findable() {
        let mut cache: Statements<u64> = Statements::new();
        for id in 0..10 {
            cache.push(id, id * 10);
        }
        assert_eq!(cache.remove(3), Some(30));
        assert!(cache.remove(3).is_none());
        for id in (0..10).filter(|&id| id != 3) {
            assert_eq!(cache.get_mut(id).copied(), Some(id * 10));
        }
    }
}

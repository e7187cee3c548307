//! The set of transaction indices a node has seen, in whichever of two shapes costs
//! fewer bytes.
//!
//! A node that knows at most four transactions keeps them inline (no heap block, so
//! a duplicate delivery at a million nodes touches only the node's own cache line);
//! a few more of a large arena go to a sorted `Vec<u32>` (4 bytes each); once that
//! would cost more than one bit per arena transaction it switches to a bitset over
//! the arena. Both answer `contains` without hashing, which
//! is what makes a duplicate delivery cost a few nanoseconds.
//!
//! Not here: what "seen" means (accepted, pending or refused) — the ledger decides.

/// A set of `u32` indices below a known universe size.
#[derive(Clone, Debug)]
pub(crate) enum SeenSet {
    /// Up to four indices, sorted, unused slots [`EMPTY`] at the end.
    Inline([u32; INLINE]),
    /// Sorted, no duplicates.
    Sparse(Vec<u32>),
    /// Bit `i` of word `i / 64` is set when `i` is in the set.
    Dense(Box<[u64]>),
}

/// Indices held inline before the set moves to the heap.
const INLINE: usize = 4;
/// An unused inline slot (no arena reaches `u32::MAX` transactions).
const EMPTY: u32 = u32::MAX;

impl Default for SeenSet {
    fn default() -> Self {
        SeenSet::Inline([EMPTY; INLINE])
    }
}

impl SeenSet {
    /// True when `index` is in the set.
    #[inline]
    pub(crate) fn contains(&self, index: u32) -> bool {
        match self {
            SeenSet::Inline(items) => index != EMPTY && items.contains(&index),
            SeenSet::Sparse(list) => list.binary_search(&index).is_ok(),
            SeenSet::Dense(words) => words.get((index / 64) as usize).is_some_and(|w| w & (1u64 << (index % 64)) != 0),
        }
    }

    /// Adds `index`; `universe` is the arena length, used to pick the cheaper shape.
    /// Returns true when `index` was absent.
    pub(crate) fn insert(&mut self, index: u32, universe: usize) -> bool {
        if let SeenSet::Inline(items) = self {
            if items.contains(&index) {
                return false;
            }
            if items[INLINE - 1] == EMPTY {
                items[INLINE - 1] = index;
                items.sort_unstable();
                return true;
            }
            // Full: move to the heap shape and insert there.
            let list: Vec<u32> = items.to_vec();
            *self = SeenSet::Sparse(list);
        }
        match self {
            SeenSet::Inline(_) => unreachable!("moved to the heap above"),
            SeenSet::Sparse(list) => {
                let Err(at) = list.binary_search(&index) else {
                    return false;
                };
                let dense_bytes = universe.max(index as usize + 1).div_ceil(64) * 8;
                if (list.len() + 1) * 4 > dense_bytes {
                    let mut words = vec![0u64; dense_bytes / 8].into_boxed_slice();
                    for &i in list.iter().chain(std::iter::once(&index)) {
                        words[(i / 64) as usize] |= 1u64 << (i % 64);
                    }
                    *self = SeenSet::Dense(words);
                } else {
                    if list.capacity() == 0 {
                        // Most nodes of a large run know one or two transactions:
                        // do not pay for the default capacity of four.
                        list.reserve_exact(1);
                    }
                    list.insert(at, index);
                }
                true
            }
            SeenSet::Dense(words) => {
                let word = (index / 64) as usize;
                if word >= words.len() {
                    // Only if the caller's universe grew; keep working rather than panic.
                    let mut grown = vec![0u64; word + 1];
                    grown[..words.len()].copy_from_slice(words);
                    *words = grown.into_boxed_slice();
                }
                let bit = 1u64 << (index % 64);
                let absent = words[word] & bit == 0;
                words[word] |= bit;
                absent
            }
        }
    }

    /// Removes `index` if present.
    pub(crate) fn remove(&mut self, index: u32) {
        match self {
            SeenSet::Inline(items) => {
                if let Some(at) = items.iter().position(|&i| i == index && i != EMPTY) {
                    items[at] = EMPTY;
                    items.sort_unstable();
                }
            }
            SeenSet::Sparse(list) => {
                if let Ok(at) = list.binary_search(&index) {
                    list.remove(at);
                }
            }
            SeenSet::Dense(words) => {
                if let Some(w) = words.get_mut((index / 64) as usize) {
                    *w &= !(1u64 << (index % 64));
                }
            }
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            SeenSet::Inline(_) => 0,
            SeenSet::Sparse(list) => list.capacity() * 4,
            SeenSet::Dense(words) => words.len() * 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_two_words_wide() {
        // The enum reuses Vec's capacity niche for its tag.
        assert_eq!(std::mem::size_of::<SeenSet>(), 24);
    }

    #[test]
    fn a_small_arena_goes_dense_and_a_large_one_stays_sparse() {
        let mut small = SeenSet::default();
        assert!(small.insert(3, 100));
        for i in [5, 7, 9, 11, 13, 15, 17] {
            small.insert(i, 100);
        }
        assert!(matches!(small, SeenSet::Dense(_)));
        assert_eq!(small.heap_bytes(), 16);

        let mut large = SeenSet::default();
        for i in [70_000, 10, 500] {
            assert!(large.insert(i, 1_000_000));
        }
        assert!(!large.insert(10, 1_000_000));
        assert!(matches!(large, SeenSet::Inline(_)), "three fit inline");
        for i in [1, 2, 3] {
            assert!(large.insert(i, 1_000_000));
        }
        assert!(large.contains(2) && !large.insert(3, 1_000_000));
        assert!(matches!(large, SeenSet::Sparse(_)));
        for s in [&small, &large] {
            assert!(!s.contains(4));
        }
        assert!(large.contains(70_000) && large.contains(500));
        assert!(small.contains(3) && small.contains(11));
    }

    #[test]
    fn the_inline_shape_never_contains_the_empty_marker() {
        let mut set = SeenSet::default();
        assert!(!set.contains(EMPTY));
        set.insert(4, 10);
        set.remove(EMPTY);
        assert!(set.contains(4) && !set.contains(EMPTY));
        set.remove(4);
        assert!(!set.contains(4));
    }

    #[test]
    fn removal_works_in_both_shapes() {
        for universe in [64usize, 1 << 20] {
            let mut set = SeenSet::default();
            for i in 0..20 {
                set.insert(i, universe);
            }
            set.remove(7);
            assert!(!set.contains(7));
            assert!(set.contains(8));
            assert!(set.insert(7, universe));
        }
    }
}

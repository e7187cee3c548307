//! A vector that keeps its first few elements inline and moves to the heap only
//! when it outgrows them.
//!
//! At a million nodes most nodes hold one log entry and two account rows; a heap
//! block for each costs a malloc, a cache miss on first touch, and allocator
//! overhead larger than the data. Safe code only: the inline form is a plain array
//! of `Copy + Default` elements with a length.
//!
//! Not here: the general `Vec` API. Only what the ledger uses exists.

use std::ops::{Deref, DerefMut};

/// Up to `N` elements inline, then a `Vec`.
#[derive(Clone, Debug)]
pub(crate) enum InlineVec<T: Copy + Default, const N: usize> {
    Inline { len: u8, items: [T; N] },
    Heap(Vec<T>),
}

impl<T: Copy + Default, const N: usize> Default for InlineVec<T, N> {
    fn default() -> Self {
        InlineVec::Inline { len: 0, items: [T::default(); N] }
    }
}

impl<T: Copy + Default, const N: usize> Deref for InlineVec<T, N> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            InlineVec::Inline { len, items } => &items[..*len as usize],
            InlineVec::Heap(vec) => vec,
        }
    }
}

impl<T: Copy + Default, const N: usize> DerefMut for InlineVec<T, N> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            InlineVec::Inline { len, items } => &mut items[..*len as usize],
            InlineVec::Heap(vec) => vec,
        }
    }
}

impl<T: Copy + Default, const N: usize> InlineVec<T, N> {
    /// The heap form holding the current elements and room for `extra` more.
    fn spill(&mut self, extra: usize) -> &mut Vec<T> {
        if let InlineVec::Inline { len, items } = self {
            let mut vec = Vec::with_capacity(N + extra.max(N));
            vec.extend_from_slice(&items[..*len as usize]);
            *self = InlineVec::Heap(vec);
        }
        match self {
            InlineVec::Heap(vec) => vec,
            InlineVec::Inline { .. } => unreachable!("spilled above"),
        }
    }

    /// Appends an element.
    pub(crate) fn push(&mut self, value: T) {
        if let InlineVec::Inline { len, items } = self
            && (*len as usize) < N
        {
            items[*len as usize] = value;
            *len += 1;
            return;
        }
        self.spill(1).push(value);
    }

    /// Inserts an element at `index`, shifting the rest right.
    pub(crate) fn insert(&mut self, index: usize, value: T) {
        if let InlineVec::Inline { len, items } = self
            && (*len as usize) < N
        {
            let n = *len as usize;
            items.copy_within(index..n, index + 1);
            items[index] = value;
            *len += 1;
            return;
        }
        self.spill(1).insert(index, value);
    }

    /// Keeps the first `new_len` elements.
    pub(crate) fn truncate(&mut self, new_len: usize) {
        match self {
            InlineVec::Inline { len, .. } => *len = (*len).min(new_len.min(N) as u8),
            InlineVec::Heap(vec) => vec.truncate(new_len),
        }
    }

    /// Removes and returns the elements from `at` on.
    pub(crate) fn split_off(&mut self, at: usize) -> Vec<T> {
        let tail = self[at..].to_vec();
        self.truncate(at);
        tail
    }

    /// Removes every element (keeping any heap block).
    pub(crate) fn clear(&mut self) {
        self.truncate(0);
    }

    /// Heap bytes held (0 while inline).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            InlineVec::Inline { .. } => 0,
            InlineVec::Heap(vec) => vec.capacity() * size_of::<T>(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_stays_inline_until_full_then_behaves_like_a_vec() {
        let mut v: InlineVec<u32, 2> = InlineVec::default();
        v.push(5);
        v.insert(0, 3);
        assert_eq!(&*v, &[3, 5]);
        assert_eq!(v.heap_bytes(), 0);
        v.insert(1, 4);
        v.push(6);
        assert_eq!(&*v, &[3, 4, 5, 6]);
        assert!(v.heap_bytes() >= 16);
        assert_eq!(v.split_off(2), vec![5, 6]);
        assert_eq!(&*v, &[3, 4]);
        v.clear();
        assert!(v.is_empty());
    }

    #[test]
    fn inline_split_and_truncate_keep_order() {
        let mut v: InlineVec<u32, 4> = InlineVec::default();
        for x in [1, 2, 3] {
            v.push(x);
        }
        assert_eq!(v.split_off(1), vec![2, 3]);
        assert_eq!(&*v, &[1]);
        v.insert(0, 0);
        assert_eq!(&*v, &[0, 1]);
        v[1] = 9;
        assert_eq!(&*v, &[0, 9]);
    }
}

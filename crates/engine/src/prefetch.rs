//! Cache prefetch hints (with the binary's huge-page allocator, the only `unsafe` in gossim).
//!
//! A run at 10⁶ nodes is bound by memory latency, not arithmetic: each delivery reads
//! the state of a random node, and its queue entry is written to the tail of one of
//! thousands of buckets. The loop knows those addresses several events before it
//! touches them, so it asks the CPU to start fetching early.
//!
//! A prefetch is only a hint: it never faults, never changes a value and never
//! affects a result, even for an address outside any allocation, which is why these
//! wrappers are safe to call with any pointer. On targets without a prefetch
//! instruction they do nothing.
//!
//! Not here: deciding *what* to prefetch; callers know their own layouts.

/// Starts fetching the cache line holding `ptr` for a read or write soon.
#[inline(always)]
pub fn prefetch<T>(ptr: *const T) {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    // SAFETY: `prefetcht0` is a hint with no architectural effect; it cannot fault,
    // whatever the address, and reads or writes no memory the program can observe.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(ptr.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ptr;
}

/// Prefetches element `index` of `slice` if it exists (an index past the end is
/// ignored rather than hinting at an unrelated address).
#[inline(always)]
pub fn prefetch_index<T>(slice: &[T], index: usize) {
    if let Some(item) = slice.get(index) {
        prefetch(item as *const T);
    }
}

/// Prefetches every cache line `value` occupies (a struct of a few lines that a
/// callback is about to update all over).
#[inline(always)]
pub fn prefetch_object<T>(value: &T) {
    const LINE: usize = 64;
    let start = std::ptr::from_ref(value).cast::<u8>();
    let size = std::mem::size_of::<T>();
    if size == 0 {
        return;
    }
    // `start + k * LINE` lies in the k-th line after the first byte's, up to the
    // last byte's (which an unaligned value reaches one line later than size / LINE).
    let lines = (start as usize + size - 1) / LINE - start as usize / LINE;
    for line in 0..=lines {
        prefetch(start.wrapping_add(line * LINE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_change_no_value_and_accept_any_address() {
        let values = vec![1u64, 2, 3];
        prefetch_index(&values, 1);
        prefetch_index(&values, 99);
        prefetch(std::ptr::null::<u8>());
        prefetch(values.as_ptr().wrapping_add(1 << 20));
        let block = [7u8; 200];
        prefetch_object(&block);
        prefetch_object(&());
        prefetch_object(&values[2]);
        assert_eq!(values, [1, 2, 3]);
        assert_eq!(block, [7u8; 200]);
    }
}

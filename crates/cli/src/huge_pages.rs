//! The binary's global allocator: the system allocator, plus a request for
//! transparent huge pages on every large block (Linux only).
//!
//! A run at 10⁶ nodes reads the state of a random node per delivery, across arrays of
//! hundreds of megabytes. With 4 KiB pages nearly every such read also misses the
//! TLB and walks the page table; with 2 MiB pages the same arrays need a few hundred
//! TLB entries. Kernels commonly ship with transparent huge pages in `madvise` mode,
//! where a program must ask for them per region; this asks for blocks of at least
//! [`MIN_ADVISED_BYTES`]. Measured on the 10⁶-node bench: about 10% more deliveries
//! per CPU-second. Page size never changes a result.
//!
//! Here rather than in a library because only a binary may choose the global
//! allocator. Besides the prefetch hint in the engine, this is gossim's only `unsafe`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};

/// Smaller blocks are left alone: the advice splits the kernel's mapping, and a
/// huge page only pays off across megabytes of randomly accessed memory.
const MIN_ADVISED_BYTES: usize = 4 << 20;

/// [`System`] plus `madvise(MADV_HUGEPAGE)` on large blocks.
pub struct HugePageAllocator;

/// Asks for huge pages over the whole pages inside `[ptr, ptr + size)`. Advice only:
/// a kernel without transparent huge pages refuses it, and that is fine.
fn advise(ptr: *mut u8, size: usize) {
    #[cfg(target_os = "linux")]
    if size >= MIN_ADVISED_BYTES && !ptr.is_null() {
        const PAGE: usize = 4096;
        let start = (ptr as usize).next_multiple_of(PAGE);
        let end = (ptr as usize + size) & !(PAGE - 1);
        if end > start {
            // SAFETY: the range lies inside a block the allocator just handed out and
            // is page-aligned; MADV_HUGEPAGE changes how it is backed, never its
            // contents or validity. The result is ignored on purpose (see above).
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, size);
}

// SAFETY: every call is forwarded to `System` with its arguments unchanged; `advise`
// only adds a hint about the returned block.
unsafe impl GlobalAlloc for HugePageAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded, as above.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded, as above.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        advise(moved, new_size);
        moved
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded, as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_blocks_keep_their_contents() {
        for size in [64, MIN_ADVISED_BYTES, MIN_ADVISED_BYTES + 12_345] {
            let mut block = vec![0u8; size];
            block[size - 1] = 7;
            block.resize(size * 2, 1);
            assert_eq!((block[size - 1], block[size], block.len()), (7, 1, size * 2));
        }
    }
}

//! The calendar queue behind [`crate::queue::EventQueue`]: amortised O(1) push and an
//! O(log k) share of a bucket sort per pop, with few cache misses, for the large,
//! time-spread event sets of a network simulation, where a binary heap pays
//! O(log n) cache misses per operation.
//!
//! # Layout
//!
//! Time is cut into buckets of `2^shift` ns; bucket `b` holds the events with
//! `time >> shift == b`. The pending events live in three places:
//!
//! - `current`: the bucket being drained (`current_bucket`), sorted descending by
//!   `(time, seq)` so the smallest pops off the end. A push that lands in this bucket
//!   (or, off-contract, in an earlier one) goes on the end if it is the new minimum (the
//!   common "due now" case) and otherwise into `current_late`, a small min-heap; a pop
//!   takes the smaller of the two heads. No push ever shifts a sorted run, so even a
//!   width far too large degrades to heap cost, never to O(n) inserts.
//! - the ring: `bucket_count` (a power of two) unsorted `Vec`s, slot
//!   `b & (bucket_count - 1)`, for the buckets after the current one up to the horizon
//!   `current_bucket + bucket_count`. A push is an append. A bucket is sorted once,
//!   when it becomes current (its buffer is swapped in, not copied). A two-level bitmap
//!   of non-empty slots skips empty buckets 64 (and 4096) at a time.
//! - `overflow`: a binary min-heap for events at or beyond the horizon. Whenever the
//!   current bucket moves forward, the events the horizon now reaches move into the
//!   ring; when the ring is empty the queue jumps straight to the overflow minimum
//!   rather than walking empty buckets.
//!
//! Everything in `current` and `current_late` is earlier than everything in the ring,
//! which is earlier
//! than everything in `overflow`, and a bucket is fully sorted by `(time, seq)` before
//! its first pop. The pop order is therefore exactly that of
//! [`crate::queue::HeapQueue`] whatever the layout, which is also why re-laying the
//! queue out (below) changes speed, never a result.
//!
//! # Choosing the layout
//!
//! The cost that matters at 10⁶ pending events is cache misses, not comparisons. A
//! push appends to the tail of one of `bucket_count` buffers; with a few thousand
//! buckets those tails stay in L2, whereas one bucket per event (the textbook
//! calendar) makes every push and every bucket load a miss. So: a few thousand buckets
//! (`bucket_count ≈ pending / 32`, between 256 and 4096), each holding tens to
//! thousands of events, sorted in cache when due; and a width that makes the horizon
//! `bucket_count × width` span nearly all pending events (with `pending` events spread
//! over a look-ahead of about `mean_delay`, about `4 × mean_delay / bucket_count`), so
//! few pass through the overflow heap. A width far too large makes a due bucket huge (a
//! long sort, and pushes into it go through the `current_late` heap); far too small
//! sends most events through the overflow heap. Either way the cost tends to a
//! heap's. Widths are rounded to powers of two so the bucket number is a shift.
//!
//! [`CalendarQueue::new`] takes its width as a first guess and adapts: it re-lays the
//! queue out (bucket count from the pending count; width so the horizon spans 127/128
//! of the pending events, capped so a bucket at the front holds at most about 16 384)
//! when the pending count has grown or shrunk fourfold since the last layout, and when
//! the measured work per pop stays high. [`CalendarQueue::fixed`] keeps the layout it
//! is given.
//!
//! # Limits
//!
//! - Keys are assumed unique (the engine's `seq` is an insertion counter); equal keys
//!   pop in an unspecified order, as with the heap.
//! - A push earlier than the current bucket is still exact but goes through the
//!   `current_late` heap: a non-monotone caller loses speed, not correctness.
//! - Re-laying out costs O(n) time and a transient second copy of the events; the
//!   triggers space re-layouts so that cost is amortised over at least n operations.
//! - Memory: the events, the doubling slack of each bucket's buffer (drained buffers
//!   larger than about twice an average bucket are freed rather than kept), and the
//!   overflow heap. The hold benchmark at 10⁷ pending 24-byte entries peaks at about
//!   320 MB resident against the heap's 240 MB.
//! - The re-layout heuristics assume one dominant time scale near the front of the
//!   queue; a mix (say 1 µs hops and 1 h timers) is exact but the far events wait in
//!   the overflow heap at heap cost.

use crate::queue::{EventKey, EventQueue};
use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Fewest buckets an adaptive queue keeps.
const MIN_BUCKET_COUNT: usize = 256;
/// Most buckets an adaptive queue uses: 4096 bucket tails (a cache line each) and
/// their `Vec` headers stay within a 512 KiB L2; more buckets cost a miss per push.
const MAX_BUCKET_COUNT: usize = 4096;
/// Most buckets [`CalendarQueue::fixed`] accepts (24 MiB of `Vec` headers).
const MAX_FIXED_BUCKET_COUNT: usize = 1 << 20;
/// Average events per bucket an adaptive queue aims for, below `MAX_BUCKET_COUNT`.
const EVENTS_PER_BUCKET: usize = 32;
/// Upper bound on the events in a bucket at the front of the queue, through the
/// width: sorting a bucket this size (384 KiB of `(EventKey, u64)`) still fits in L2.
const FRONT_BUCKET_LIMIT: u128 = 1 << 14;
/// Most pending times a layout estimate reads (see `estimate_layout`).
const LAYOUT_SAMPLE: usize = 1 << 16;
/// Pending count below which an adaptive queue does not re-lay out on size alone.
const MIN_RELAYOUT_LEN: usize = 1024;
/// Work units (comparisons in bucket sorts, bitmap words scanned) per pop above which
/// an adaptive queue re-estimates its layout. Good layouts of the hold benchmark
/// measure 5 (10^3 pending) to 15 (10^7); a width 1000 times too wide, above 32.
const MAX_WORK_PER_POP: u64 = 32;
/// An adaptive queue also re-estimates when more than one push in this many went into
/// a heap (`current_late` or `overflow`): about 3% do under a good layout, nearly all
/// under a width 1000 times too wide or too narrow.
const MAX_HEAP_PUSH_SHARE: u64 = 4;
/// Fewest pops between two work checks.
const MIN_CHECK_POPS: u64 = 4096;
/// Largest factor by which work checks are spaced out when re-estimation keeps
/// confirming the current layout.
const MAX_CHECK_BACKOFF: u64 = 64;

/// An overflow entry, ordered so that `BinaryHeap` (a max-heap) pops the smallest key.
struct Late<E> {
    key: EventKey,
    event: E,
}

impl<E> PartialEq for Late<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Late<E> {}
impl<E> PartialOrd for Late<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Late<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// The layout a calendar queue currently uses, and how often it changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarLayout {
    /// Width of one bucket, in ns (a power of two).
    pub bucket_width_ns: u64,
    /// Number of buckets in the ring (a power of two).
    pub bucket_count: usize,
    /// Events currently beyond the horizon, in the overflow heap.
    pub overflow_len: usize,
    /// Number of re-layouts so far.
    pub relayout_count: u64,
}

/// Bucketed calendar queue; pops in exactly [`crate::queue::HeapQueue`] order.
pub struct CalendarQueue<E> {
    /// Bucket width is `1 << shift` ns.
    shift: u32,
    /// Ring slots, `bucket_count` of them (a power of two), each unsorted.
    buckets: Vec<Vec<(EventKey, E)>>,
    /// One bit per ring slot: its bucket is non-empty.
    occupied: Vec<u64>,
    /// One bit per `occupied` word: that word is non-zero.
    summary: Vec<u64>,
    /// Events in the ring.
    ring_len: usize,
    /// The bucket being drained, sorted descending: its next event is `current.last()`.
    current: Vec<(EventKey, E)>,
    /// Pushes into the bucket being drained that are not its new minimum.
    current_late: BinaryHeap<Late<E>>,
    /// Absolute number (`time >> shift`) of the bucket in `current`; its ring slot is
    /// always empty.
    current_bucket: u64,
    /// Events at or beyond `current_bucket + bucket_count`.
    overflow: BinaryHeap<Late<E>>,
    /// Time of the last popped event: a monotone caller never pushes earlier, so a
    /// re-layout starts the ring here.
    last_pop_ns: u64,
    /// Whether the layout may change.
    adaptive: bool,
    /// `MIN_BUCKET_COUNT`, `MIN_RELAYOUT_LEN` and `MIN_CHECK_POPS` (smaller in tests).
    min_bucket_count: usize,
    min_relayout_len: usize,
    min_check_pops: u64,
    /// Pending count at the last layout, for the fourfold-change trigger.
    layout_len: usize,
    /// Pops, work units (sorting and bitmap scanning) and pushes that went into a heap
    /// (`current_late` or `overflow`) since the last work check.
    window_pops: u64,
    window_work: u64,
    window_heap_pushes: u64,
    /// Pops between work checks.
    check_pops: u64,
    check_backoff: u64,
    relayout_count: u64,
    /// Packed sort keys, reused by every bucket sort.
    sort_scratch: Vec<u64>,
}

impl<E> CalendarQueue<E> {
    /// An adaptive queue whose first bucket width is `bucket_width_ns` (rounded to the
    /// nearest power of two; 0 counts as 1). See the module doc for how it adapts.
    pub fn new(bucket_width_ns: u64) -> Self {
        Self::build(bucket_width_ns, MIN_BUCKET_COUNT, true, MIN_BUCKET_COUNT)
    }

    /// A queue that keeps `bucket_width_ns` (rounded to the nearest power of two) and
    /// `bucket_count` buckets (rounded up to a power of two, at least 64, at most
    /// 2^20) for its whole life.
    pub fn fixed(bucket_width_ns: u64, bucket_count: usize) -> Self {
        let count = bucket_count.clamp(64, MAX_FIXED_BUCKET_COUNT).next_power_of_two();
        Self::build(bucket_width_ns, count, false, count)
    }

    fn build(bucket_width_ns: u64, bucket_count: usize, adaptive: bool, min_bucket_count: usize) -> Self {
        let mut queue = CalendarQueue {
            shift: nearest_log2(bucket_width_ns),
            buckets: Vec::new(),
            occupied: Vec::new(),
            summary: Vec::new(),
            ring_len: 0,
            current: Vec::new(),
            current_late: BinaryHeap::new(),
            current_bucket: 0,
            overflow: BinaryHeap::new(),
            last_pop_ns: 0,
            adaptive,
            min_bucket_count,
            min_relayout_len: MIN_RELAYOUT_LEN,
            min_check_pops: MIN_CHECK_POPS,
            layout_len: 0,
            window_pops: 0,
            window_work: 0,
            window_heap_pushes: 0,
            check_pops: MIN_CHECK_POPS,
            check_backoff: 1,
            relayout_count: 0,
            sort_scratch: Vec::new(),
        };
        queue.reset_ring(bucket_count);
        queue
    }

    /// The current layout, for benchmarks and diagnostics.
    pub fn layout(&self) -> CalendarLayout {
        CalendarLayout {
            bucket_width_ns: 1u64 << self.shift,
            bucket_count: self.buckets.len(),
            overflow_len: self.overflow.len(),
            relayout_count: self.relayout_count,
        }
    }

    #[inline]
    fn mask(&self) -> u64 {
        self.buckets.len() as u64 - 1
    }

    #[inline]
    fn bucket_of(&self, key: &EventKey) -> u64 {
        self.bucket_at(key.time)
    }

    #[inline]
    fn bucket_at(&self, time: SimTime) -> u64 {
        time.as_nanos() >> self.shift
    }

    /// The ring slot of `bucket` if it lies after the current bucket and before the
    /// horizon (otherwise it belongs to `current` or to `overflow`).
    #[inline]
    fn ring_slot(&self, bucket: u64) -> Option<usize> {
        (bucket > self.current_bucket && bucket - self.current_bucket < self.buckets.len() as u64)
            .then(|| (bucket & self.mask()) as usize)
    }

    /// Empties the ring (releasing its buffers) and sizes it for `bucket_count` buckets.
    fn reset_ring(&mut self, bucket_count: usize) {
        debug_assert!(bucket_count.is_power_of_two() && bucket_count >= 64);
        self.buckets.clear();
        self.buckets.resize_with(bucket_count, Vec::new);
        let words = bucket_count / 64;
        self.occupied.clear();
        self.occupied.resize(words, 0);
        self.summary.clear();
        self.summary.resize(words.div_ceil(64), 0);
        self.ring_len = 0;
    }

    /// Puts an event where it belongs. With `keep_sorted` false, an event of the
    /// current bucket is appended unsorted (the caller sorts afterwards).
    #[inline]
    fn place(&mut self, key: EventKey, event: E, keep_sorted: bool) {
        let bucket = self.bucket_of(&key);
        if bucket <= self.current_bucket {
            let new_minimum = self.current.last().is_none_or(|(last, _)| key < *last);
            if !keep_sorted || new_minimum {
                self.current.push((key, event));
            } else {
                self.window_heap_pushes += 1;
                self.current_late.push(Late { key, event });
            }
        } else if let Some(slot) = self.ring_slot(bucket) {
            let list = &mut self.buckets[slot];
            if list.is_empty() {
                let word = slot / 64;
                self.occupied[word] |= 1 << (slot % 64);
                self.summary[word / 64] |= 1 << (word % 64);
            }
            list.push((key, event));
            self.ring_len += 1;
        } else {
            self.window_heap_pushes += 1;
            self.overflow.push(Late { key, event });
        }
    }

    /// Makes ring slot `slot` the (empty) current bucket's contents, sorted.
    fn load_current(&mut self, slot: usize) {
        debug_assert!(self.current.is_empty());
        // Swap buffers rather than copy. The drained buffer goes back to the ring only
        // if it is no larger than about twice an average bucket, so one burst does not
        // leave every slot holding a large allocation.
        std::mem::swap(&mut self.current, &mut self.buckets[slot]);
        let spare_limit = 2 * (self.ring_len / self.buckets.len()) + 16;
        if self.buckets[slot].capacity() > spare_limit {
            self.buckets[slot] = Vec::new();
        }
        let word = slot / 64;
        self.occupied[word] &= !(1 << (slot % 64));
        if self.occupied[word] == 0 {
            self.summary[word / 64] &= !(1 << (word % 64));
        }
        let loaded = self.current.len();
        self.ring_len -= loaded;
        self.window_work += loaded as u64 * u64::from((loaded as u64).ilog2() + 1);
        sort_descending(&mut self.current, &mut self.sort_scratch);
    }

    /// The first non-empty ring slot at or after `from`, or `None`.
    fn scan_from(&mut self, from: usize) -> Option<usize> {
        let word = from / 64;
        self.window_work += 1;
        let bits = self.occupied[word] & (u64::MAX << (from % 64));
        if bits != 0 {
            return Some(word * 64 + bits.trailing_zeros() as usize);
        }
        let next_word = word + 1;
        let mut summary_index = next_word / 64;
        if summary_index >= self.summary.len() {
            return None;
        }
        let mut summary_bits = self.summary[summary_index] & (u64::MAX << (next_word % 64));
        loop {
            if summary_bits != 0 {
                let word = summary_index * 64 + summary_bits.trailing_zeros() as usize;
                return Some(word * 64 + self.occupied[word].trailing_zeros() as usize);
            }
            summary_index += 1;
            self.window_work += 1;
            if summary_index >= self.summary.len() {
                return None;
            }
            summary_bits = self.summary[summary_index];
        }
    }

    /// Moves every overflow event the horizon now reaches into the ring.
    fn migrate_overflow(&mut self) {
        let horizon = self.buckets.len() as u64;
        while let Some(top) = self.overflow.peek() {
            let bucket = self.bucket_of(&top.key);
            debug_assert!(bucket >= self.current_bucket, "overflow event before the current bucket");
            if bucket - self.current_bucket >= horizon {
                break;
            }
            let Late { key, event } = self.overflow.pop().unwrap();
            self.place(key, event, false);
        }
    }

    /// Makes the next non-empty bucket current; false when the queue is empty.
    fn advance(&mut self) -> bool {
        debug_assert!(self.current.is_empty() && self.current_late.is_empty());
        if self.ring_len == 0 {
            // Sparse calendar: jump to the overflow minimum rather than walk the ring.
            let Some(top) = self.overflow.peek() else {
                return false;
            };
            self.current_bucket = self.bucket_of(&top.key);
            // The minimum's bucket lands in `current` (unsorted), later ones in the ring.
            self.migrate_overflow();
            sort_descending(&mut self.current, &mut self.sort_scratch);
            return true;
        }
        let mask = self.mask();
        let from = ((self.current_bucket + 1) & mask) as usize;
        let slot = match self.scan_from(from) {
            Some(slot) => slot,
            None => self.scan_from(0).expect("calendar ring_len > 0 but no occupied slot"),
        };
        let distance = (slot as u64).wrapping_sub(self.current_bucket) & mask;
        debug_assert!(distance != 0, "the current bucket's ring slot must be empty");
        self.current_bucket += distance;
        self.load_current(slot);
        // The horizon moved: bring in what it now reaches (all after the new bucket).
        self.migrate_overflow();
        true
    }

    /// The layout an adaptive queue would choose for its pending events.
    fn estimate_layout(&self) -> (u32, usize) {
        let len = self.len();
        let bucket_count = (len / EVENTS_PER_BUCKET)
            .next_power_of_two()
            .clamp(self.min_bucket_count, MAX_BUCKET_COUNT.max(self.min_bucket_count));
        if len < 2 {
            return (self.shift, bucket_count);
        }
        // The quantiles come from a systematic sample (every `stride`-th event of each
        // container, plus each container's head): a few hundred kilobytes instead of a
        // copy of every pending time, which at 10^6 pending events cost more than the
        // estimate is worth. The layout only ever changes speed, never the pop order.
        let stride = len.div_ceil(LAYOUT_SAMPLE);
        let mut times: Vec<u64> = Vec::with_capacity(LAYOUT_SAMPLE + self.buckets.len() + 3);
        times.extend(self.current.last().map(|(k, _)| k.time.as_nanos()));
        times.extend(self.current_late.peek().map(|late| late.key.time.as_nanos()));
        times.extend(self.overflow.peek().map(|late| late.key.time.as_nanos()));
        times.extend(self.current.iter().step_by(stride).map(|(k, _)| k.time.as_nanos()));
        times.extend(self.current_late.iter().step_by(stride).map(|late| late.key.time.as_nanos()));
        for list in &self.buckets {
            times.extend(list.iter().step_by(stride).map(|(k, _)| k.time.as_nanos()));
        }
        times.extend(self.overflow.iter().step_by(stride).map(|late| late.key.time.as_nanos()));
        let sampled = times.len();
        let earliest = *times.iter().min().unwrap();
        // The horizon, which starts where the ring will start, should reach the
        // 127/128 quantile: a pop from the overflow heap costs a cache miss per level,
        // far more than the longer bucket sorts a wider bucket brings (measured on the
        // 10^6-node bench: 31/32 sent 2% of pushes to the heap and ran 8% slower).
        let origin = earliest.min(self.last_pop_ns);
        let far_rank = sampled - 1 - sampled / 128;
        let far = *times.select_nth_unstable(far_rank).1;
        if far == origin {
            // Everything at one instant says nothing about the spacing.
            return (self.shift, bucket_count);
        }
        let cover_width = (u128::from(far - origin) + 1).div_ceil(bucket_count as u128);
        // The front bucket should not be huge: density over the earliest 1/64th.
        let front_rank = (sampled / 64).max(1);
        let front_width = if front_rank < far_rank {
            let front = *times[..far_rank].select_nth_unstable(front_rank).1;
            let span = u128::from(front - earliest);
            // The events (not samples) before `front`.
            let front_events = (front_rank as u128 * len as u128 / sampled as u128).max(1);
            if span == 0 {
                // A burst at one instant says nothing about the spacing.
                u128::MAX
            } else {
                (FRONT_BUCKET_LIMIT * span / front_events).max(1)
            }
        } else {
            u128::MAX
        };
        let shift = if cover_width <= front_width { ceil_log2(cover_width) } else { floor_log2(front_width) };
        (shift, bucket_count)
    }

    /// Re-lays the queue out with `2^shift` ns buckets and `bucket_count` of them.
    fn relayout(&mut self, shift: u32, bucket_count: usize) {
        let len = self.len();
        let mut all: Vec<(EventKey, E)> = Vec::with_capacity(len);
        all.append(&mut self.current);
        all.extend(self.current_late.drain().map(|late| (late.key, late.event)));
        for list in &mut self.buckets {
            all.append(list);
        }
        all.extend(self.overflow.drain().map(|late| (late.key, late.event)));
        self.shift = shift;
        self.reset_ring(bucket_count);
        if self.current.capacity() > 4 * (len / bucket_count).max(1024) {
            self.current = Vec::new();
        }
        if self.overflow.capacity() > 4 * len.max(1024) {
            self.overflow = BinaryHeap::new();
        }
        // Start at the last pop, not at the earliest pending event: if that lies far
        // ahead, the pushes due before it would all go through `current_late`.
        let earliest = all.iter().map(|(k, _)| k.time.as_nanos()).min().unwrap_or(u64::MAX);
        self.current_bucket = earliest.min(self.last_pop_ns) >> self.shift;
        for (key, event) in all {
            self.place(key, event, false);
        }
        sort_descending(&mut self.current, &mut self.sort_scratch);
        self.layout_len = len;
        self.relayout_count += 1;
        self.reset_window(1);
    }

    fn reset_window(&mut self, backoff: u64) {
        self.check_backoff = backoff;
        self.window_pops = 0;
        self.window_work = 0;
        self.window_heap_pushes = 0;
        self.check_pops = (self.len() as u64).max(self.min_check_pops) * backoff;
    }

    /// Re-estimates the layout when the last window of pops did too much work or sent
    /// too many pushes through a heap (the calendar exists to avoid heap costs).
    fn check_work(&mut self) {
        let heap_heavy = self.window_heap_pushes * MAX_HEAP_PUSH_SHARE > self.window_pops;
        if !heap_heavy && self.window_work <= MAX_WORK_PER_POP * self.window_pops {
            self.reset_window(1);
            return;
        }
        let (shift, bucket_count) = self.estimate_layout();
        if shift != self.shift || bucket_count != self.buckets.len() {
            self.relayout(shift, bucket_count);
        } else {
            // The estimate confirms the layout (an awkward time distribution): check
            // less often so the O(n) estimates stay amortised.
            self.reset_window((self.check_backoff * 2).min(MAX_CHECK_BACKOFF));
        }
    }

    /// Re-lays out after a fourfold size change, unless the estimate keeps the layout.
    #[cold]
    fn resize(&mut self) {
        let (shift, bucket_count) = self.estimate_layout();
        if shift != self.shift || bucket_count != self.buckets.len() {
            self.relayout(shift, bucket_count);
        } else {
            self.layout_len = self.len();
            self.reset_window(1);
        }
    }

    /// Whether the pending count moved fourfold away from the last layout's.
    #[inline]
    fn size_changed(&self, len: usize) -> bool {
        let base = self.layout_len.max(self.min_relayout_len);
        len > 4 * base || (len < self.layout_len / 4 && self.layout_len > self.min_relayout_len)
    }
}

#[cfg(test)]
impl<E> CalendarQueue<E> {
    /// An adaptive queue that may use as few as 64 buckets, so tests reach re-layouts,
    /// ring wrap-around and overflow with few events.
    fn adaptive_small(bucket_width_ns: u64) -> Self {
        let mut queue = Self::build(bucket_width_ns, 64, true, 64);
        queue.min_relayout_len = 8;
        queue.min_check_pops = 32;
        queue.reset_window(1);
        queue
    }
}

impl<E> EventQueue<E> for CalendarQueue<E> {
    #[inline]
    fn push(&mut self, key: EventKey, event: E) {
        self.place(key, event, true);
        if self.adaptive && self.size_changed(self.len()) {
            self.resize();
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<(EventKey, E)> {
        if self.current.is_empty() && self.current_late.is_empty() && !self.advance() {
            return None;
        }
        let late_first = match (self.current.last(), self.current_late.peek()) {
            (Some((key, _)), Some(late)) => late.key < *key,
            (None, _) => true,
            (Some(_), None) => false,
        };
        let item =
            if late_first { self.current_late.pop().map(|late| (late.key, late.event)) } else { self.current.pop() };
        if let Some((key, _)) = &item {
            self.last_pop_ns = key.time.as_nanos();
        }
        if self.adaptive {
            self.window_pops += 1;
            if self.size_changed(self.len()) {
                self.resize();
            } else if self.window_pops >= self.check_pops {
                self.check_work();
            }
        }
        item
    }

    #[inline]
    fn len(&self) -> usize {
        self.current.len() + self.current_late.len() + self.ring_len + self.overflow.len()
    }

    /// Fetches the ring slot's `Vec` header (its pointer and length); the append
    /// itself then needs only the tail line.
    #[inline]
    fn prefetch_push(&self, time: SimTime) {
        if let Some(slot) = self.ring_slot(self.bucket_at(time)) {
            crate::prefetch::prefetch_index(&self.buckets, slot);
        }
    }

    /// Fetches the line the append will write (reads the header fetched above).
    #[inline]
    fn prefetch_push_tail(&self, time: SimTime) {
        if let Some(slot) = self.ring_slot(self.bucket_at(time)) {
            let list = &self.buckets[slot];
            crate::prefetch::prefetch(list.as_ptr().wrapping_add(list.len()));
        }
    }

    #[inline]
    fn upcoming(&self, ahead: usize) -> Option<&E> {
        let at = self.current.len().checked_sub(ahead + 1)?;
        self.current.get(at).map(|(_, event)| event)
    }
}

/// Sorts a bucket descending by key, so the smallest pops off the end.
///
/// Events are 40 bytes and a comparison sort moves each about log n times. So when a
/// bucket's keys allow (their spread of times and of sequence numbers, plus the
/// position, fit in 63 bits, as they do for buckets of ordinary width and size unless
/// a bucket mixes events pushed billions of events apart), it sorts
/// one packed `u64` per event instead and then moves every event once, following the
/// permutation's cycles. Keys are unique, so both paths give the same order.
fn sort_descending<E>(bucket: &mut [(EventKey, E)], scratch: &mut Vec<u64>) {
    let n = bucket.len();
    if n < 2 {
        return;
    }
    let (mut time_min, mut time_max, mut seq_min, mut seq_max) = (u64::MAX, 0, u64::MAX, 0);
    for (key, _) in bucket.iter() {
        let time = key.time.as_nanos();
        time_min = time_min.min(time);
        time_max = time_max.max(time);
        seq_min = seq_min.min(key.seq);
        seq_max = seq_max.max(key.seq);
    }
    let bits = |x: u64| u64::BITS - x.leading_zeros();
    let index_bits = bits(n as u64 - 1);
    let seq_bits = bits(seq_max - seq_min);
    // One bit stays free: it marks positions already filled below.
    if bits(time_max - time_min) + seq_bits + index_bits > 63 {
        bucket.sort_unstable_by_key(|(key, _)| {
            std::cmp::Reverse((u128::from(key.time.as_nanos()) << 64) | u128::from(key.seq))
        });
        return;
    }
    scratch.clear();
    scratch.extend(bucket.iter().enumerate().map(|(index, (key, _))| {
        ((key.time.as_nanos() - time_min) << (seq_bits + index_bits))
            | ((key.seq - seq_min) << index_bits)
            | index as u64
    }));
    scratch.sort_unstable_by(|a, b| b.cmp(a));
    // Position p takes the event now at `source(p)`. Walk each cycle once, swapping
    // the event each position needs into it; `DONE` marks visited positions.
    const DONE: u64 = 1 << 63;
    let index_mask = (1u64 << index_bits) - 1;
    for slot in scratch.iter_mut() {
        *slot &= index_mask;
    }
    for start in 0..n {
        if scratch[start] & DONE != 0 {
            continue;
        }
        let mut position = start;
        loop {
            let source = scratch[position] as usize;
            scratch[position] |= DONE;
            if source == start {
                break;
            }
            bucket.swap(position, source);
            position = source;
        }
    }
}

/// The exponent of the power of two nearest to `x` (0 for 0 and 1, at most 63).
fn nearest_log2(x: u64) -> u32 {
    if x <= 1 {
        return 0;
    }
    let floor = x.ilog2();
    let below = 1u64 << floor;
    // Round up when x is nearer to 2^(floor+1) than to 2^floor.
    if floor < 63 && x - below > below / 2 { floor + 1 } else { floor }
}

/// The smallest exponent with `2^e >= x`, at most 63.
fn ceil_log2(x: u128) -> u32 {
    if x <= 1 { 0 } else { (x - 1).ilog2().saturating_add(1).min(63) }
}

/// The largest exponent with `2^e <= x` (0 for 0), at most 63.
fn floor_log2(x: u128) -> u32 {
    if x <= 1 { 0 } else { x.ilog2().min(63) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::HeapQueue;
    use crate::time::SimTime;
    use proptest::prelude::*;

    fn key(time: u64, seq: u64) -> EventKey {
        EventKey { time: SimTime(time), seq }
    }

    fn drain<Q: EventQueue<u64>>(queue: &mut Q) -> Vec<(EventKey, u64)> {
        std::iter::from_fn(|| queue.pop()).collect()
    }

    #[test]
    fn equal_time_events_pop_in_seq_order() {
        let mut queue = CalendarQueue::new(1_000);
        // Pushed out of seq order, across the current bucket and a later one.
        for seq in [5, 1, 9, 3, 7, 0, 8, 2, 6, 4] {
            queue.push(key(10_000, seq), seq);
            queue.push(key(0, 100 + seq), seq);
        }
        let popped: Vec<u64> = drain(&mut queue).iter().map(|(k, _)| k.seq).collect();
        let expected: Vec<u64> = (100..110).chain(0..10).collect();
        assert_eq!(popped, expected);
    }

    #[test]
    fn upcoming_shows_what_pops_later_from_the_current_bucket() {
        let mut queue = CalendarQueue::fixed(1 << 20, 64);
        // A later bucket: sorted as a whole when it becomes current.
        queue.push(key(0, 99), 99);
        assert_eq!(queue.pop().map(|(_, e)| e), Some(99));
        for seq in [3, 0, 4, 1, 2] {
            queue.push(key((1 << 21) + 10 * seq, seq), seq);
        }
        assert_eq!(queue.pop().map(|(_, e)| e), Some(0));
        assert_eq!(queue.upcoming(0), Some(&1));
        assert_eq!(queue.upcoming(2), Some(&3));
        assert_eq!(queue.upcoming(4), None, "only four remain");
        let rest: Vec<u64> = drain(&mut queue).into_iter().map(|(_, e)| e).collect();
        assert_eq!(rest, [1, 2, 3, 4], "looking ahead changes nothing");
    }

    #[test]
    fn pushes_into_the_bucket_being_drained_keep_exact_order() {
        let mut queue = CalendarQueue::fixed(1 << 20, 64);
        queue.push(key(100, 0), 0);
        queue.push(key(300, 1), 1);
        assert_eq!(queue.pop().unwrap().0, key(100, 0));
        // Same bucket as the pending 300: one before it, one tie after it, one after.
        queue.push(key(200, 2), 2);
        queue.push(key(300, 3), 3);
        queue.push(key(100, 4), 4);
        let popped: Vec<EventKey> = drain(&mut queue).into_iter().map(|(k, _)| k).collect();
        assert_eq!(popped, vec![key(100, 4), key(200, 2), key(300, 1), key(300, 3)]);
    }

    #[test]
    fn events_far_beyond_the_horizon_pop_in_order() {
        let mut queue = CalendarQueue::fixed(1_024, 64);
        let times = [u64::MAX, 5, 1 << 40, u64::MAX - 1, 64 * 1_024, 64 * 1_024 - 1, 1 << 62, 0, u64::MAX];
        for (seq, &time) in times.iter().enumerate() {
            queue.push(key(time, seq as u64), seq as u64);
        }
        assert!(queue.layout().overflow_len >= 5, "the far events should start in overflow");
        let popped: Vec<EventKey> = drain(&mut queue).into_iter().map(|(k, _)| k).collect();
        let mut expected: Vec<EventKey> = times.iter().enumerate().map(|(s, &t)| key(t, s as u64)).collect();
        expected.sort();
        assert_eq!(popped, expected);
        assert!(queue.is_empty());
    }

    #[test]
    fn a_sparse_calendar_jumps_to_the_overflow_minimum() {
        let mut queue = CalendarQueue::fixed(1, 64);
        for i in 0..100u64 {
            queue.push(key(i * 1_000_000_007, i), i);
        }
        for i in 0..100u64 {
            let (k, event) = queue.pop().unwrap();
            assert_eq!((k, event), (key(i * 1_000_000_007, i), i));
            // Each pop is a jump: the ring never holds the next event.
            queue.push(key(k.time.as_nanos() + 3, 1_000 + i), 1_000 + i);
            assert_eq!(queue.pop().unwrap().0, key(k.time.as_nanos() + 3, 1_000 + i));
        }
        assert!(queue.is_empty());
    }

    #[test]
    fn adaptive_queue_relayouts_grow_and_shrink_without_reordering() {
        let mut calendar = CalendarQueue::adaptive_small(1 << 30);
        let mut heap = HeapQueue::default();
        let mut rng = crate::rng::SimRng::derive(11, crate::rng::Purpose::Other(9), 0);
        let mut seq = 0;
        let mut now = 0;
        for round in 0..3u64 {
            for _ in 0..20_000 {
                let time = now + rng.exponential(1_000.0 * (round + 1) as f64) as u64;
                calendar.push(key(time, seq), seq);
                heap.push(key(time, seq), seq);
                seq += 1;
            }
            for _ in 0..19_990 {
                let a = calendar.pop().unwrap();
                assert_eq!(Some(a), heap.pop());
                now = a.0.time.as_nanos();
            }
        }
        let layout = calendar.layout();
        assert!(layout.relayout_count >= 3, "{layout:?}");
        assert!(layout.bucket_width_ns < 1 << 30, "the width should have adapted: {layout:?}");
        assert_eq!(drain(&mut calendar), drain(&mut heap));
    }

    #[test]
    fn a_badly_chosen_width_is_corrected_at_constant_size() {
        // 2000 pending events spread over a few ms and a 1 s first-guess width: every
        // event starts in one bucket, so pushes shift long runs until the work check
        // fires (the size never changes fourfold, so only the work check can act).
        let mut calendar = CalendarQueue::new(1 << 30);
        let mut heap = HeapQueue::default();
        let mut rng = crate::rng::SimRng::derive(5, crate::rng::Purpose::Other(9), 0);
        for seq in 0..2_000u64 {
            let time = rng.exponential(1_000_000.0) as u64;
            calendar.push(key(time, seq), seq);
            heap.push(key(time, seq), seq);
        }
        for seq in 2_000..60_000u64 {
            let popped = calendar.pop().unwrap();
            assert_eq!(Some(popped), heap.pop());
            let time = popped.0.time.as_nanos() + rng.exponential(1_000_000.0) as u64;
            calendar.push(key(time, seq), seq);
            heap.push(key(time, seq), seq);
        }
        let layout = calendar.layout();
        assert!(layout.relayout_count >= 1, "{layout:?}");
        assert!(layout.bucket_width_ns <= 1 << 16, "{layout:?}");
        assert_eq!(drain(&mut calendar), drain(&mut heap));
    }

    #[test]
    fn a_relayout_starts_the_ring_at_the_last_pop_not_at_the_earliest_pending_event() {
        let mut queue = CalendarQueue::new(1_024);
        for seq in 0..100u64 {
            queue.push(key(seq * 10, seq), seq);
            queue.push(key(1 << 40, 1_000 + seq), 1_000 + seq);
        }
        for _ in 0..100 {
            queue.pop().unwrap();
        }
        // Only the far events are pending now; re-lay out as a size trigger would.
        let (shift, bucket_count) = queue.estimate_layout();
        queue.relayout(shift, bucket_count);
        for seq in 2_000..3_000u64 {
            queue.push(key(1_000 + seq, seq), seq);
        }
        assert_eq!(queue.current_bucket, queue.last_pop_ns >> queue.shift);
        let popped: Vec<u64> = drain(&mut queue).iter().map(|(k, _)| k.seq).collect();
        let expected: Vec<u64> = (2_000..3_000).chain(1_000..1_100).collect();
        assert_eq!(popped, expected);
    }

    #[test]
    fn nearest_log2_rounds_to_the_nearer_power() {
        assert_eq!(nearest_log2(0), 0);
        assert_eq!(nearest_log2(1), 0);
        assert_eq!(nearest_log2(3), 1);
        assert_eq!(nearest_log2(6), 2);
        assert_eq!(nearest_log2(7), 3);
        assert_eq!(nearest_log2(1_000_000), 20);
        assert_eq!(nearest_log2(u64::MAX), 63);
    }

    /// One step of a random workload.
    #[derive(Clone, Debug)]
    enum Op {
        /// Push at (last popped time + a delta of the given class).
        Push {
            class: u8,
            raw: u64,
        },
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..5, any::<u64>()).prop_map(|(class, raw)| Op::Push { class, raw }),
            2 => Just(Op::Pop),
        ]
    }

    fn delta(class: u8, raw: u64) -> u64 {
        match class {
            0 => 0,
            1 => raw % 16,
            2 => raw % 1_000_000,
            3 => raw % 1_000_000_000_000,
            _ => raw,
        }
    }

    /// Every pop result in order, `None` for a pop of an empty queue, then the drain.
    type Pops = Vec<Option<(EventKey, u64)>>;

    /// Runs `ops` on a heap and on `calendar`; returns both pop sequences.
    fn run_both(ops: &[Op], mut calendar: CalendarQueue<u64>, monotone: bool) -> (Pops, Pops) {
        let mut heap = HeapQueue::default();
        let (mut from_heap, mut from_calendar) = (Vec::new(), Vec::new());
        let mut last_popped = 0u64;
        for (seq, op) in ops.iter().enumerate() {
            match *op {
                Op::Push { class, raw } => {
                    let time = if monotone { last_popped.saturating_add(delta(class, raw)) } else { delta(class, raw) };
                    heap.push(key(time, seq as u64), seq as u64);
                    calendar.push(key(time, seq as u64), seq as u64);
                }
                Op::Pop => {
                    let popped = heap.pop();
                    if let Some((k, _)) = popped {
                        last_popped = k.time.as_nanos();
                    }
                    from_heap.push(popped);
                    from_calendar.push(calendar.pop());
                }
            }
            assert_eq!(heap.len(), calendar.len());
        }
        from_heap.extend(drain(&mut heap).into_iter().map(Some));
        from_calendar.extend(drain(&mut calendar).into_iter().map(Some));
        (from_heap, from_calendar)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Both paths of `sort_descending` (packed keys, and the comparison sort when
        /// the keys spread too wide to pack) order a bucket exactly by `(time, seq)`.
        #[test]
        fn bucket_sort_orders_by_time_then_seq(
            entries in proptest::collection::vec((0u64..1 << 20, 0u64..1 << 30), 0..300),
            wide in any::<bool>(),
        ) {
            let mut bucket: Vec<(EventKey, u64)> = entries
                .iter()
                .enumerate()
                .map(|(i, &(time, seq))| {
                    // Unique seqs, as the engine's are; `wide` spreads them over 64 bits.
                    let seq = if wide { (seq << 33) ^ i as u64 } else { ((seq & 0xf_ffff) << 9) | i as u64 };
                    (key(time, seq), i as u64)
                })
                .collect();
            let mut expected = bucket.clone();
            expected.sort_by_key(|entry| std::cmp::Reverse(entry.0));
            let mut scratch = Vec::new();
            sort_descending(&mut bucket, &mut scratch);
            prop_assert_eq!(bucket, expected);
        }

        #[test]
        fn monotone_interleavings_pop_exactly_like_the_heap(
            ops in prop::collection::vec(op(), 0..3_000),
            width_log2 in 0u32..40,
        ) {
            let width = 1u64 << width_log2;
            let (heap, calendar) = run_both(&ops, CalendarQueue::adaptive_small(width), true);
            prop_assert_eq!(&heap, &calendar);
            let (heap, calendar) = run_both(&ops, CalendarQueue::fixed(width, 64), true);
            prop_assert_eq!(heap, calendar);
        }

        #[test]
        fn non_monotone_pushes_still_pop_exactly_like_the_heap(
            ops in prop::collection::vec(op(), 0..1_000),
            width_log2 in 0u32..40,
        ) {
            let width = 1u64 << width_log2;
            let (heap, calendar) = run_both(&ops, CalendarQueue::adaptive_small(width), false);
            prop_assert_eq!(heap, calendar);
        }
    }
}

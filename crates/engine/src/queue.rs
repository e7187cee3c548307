//! Pending-event queues, ordered by `(time, seq)`.
//!
//! `seq` is a per-run insertion counter, so events due at the same time pop in the
//! order they were scheduled: a defined tie-break that depends on nothing but the
//! (deterministic) order of earlier events, never on thread count or memory layout.
//! The engine almost always inserts at or after the time it last popped (a monotone
//! queue), which the calendar queue is tuned for; the one exception, an event put
//! back when a run stops at its time cap, is still ordered exactly by both queues.
//!
//! Two implementations sit behind [`EventQueue`]: [`HeapQueue`], a binary heap kept
//! as the obviously-correct reference, and [`CalendarQueue`], a bucketed calendar
//! (unsorted buckets, sorted when due, plus an overflow heap past the horizon) that
//! stays fast at 10⁷ pending events.

use crate::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The ordering key of a pending event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventKey {
    pub time: SimTime,
    pub seq: u64,
}

/// A priority queue of events keyed by [`EventKey`], smallest first.
pub trait EventQueue<E> {
    /// Adds an event. `key.time` is normally no earlier than the last popped key's
    /// time; an earlier key is still ordered exactly (only slower).
    fn push(&mut self, key: EventKey, event: E);
    /// Removes and returns the smallest-keyed event.
    fn pop(&mut self) -> Option<(EventKey, E)>;
    /// Number of pending events.
    fn len(&self) -> usize;
    /// A cheap glimpse of an event about `ahead` pops away, if the layout has one at
    /// hand; a hint for prefetching, never for ordering.
    fn upcoming(&self, _ahead: usize) -> Option<&E> {
        None
    }
    /// A hint that an event at `time` will be pushed soon: start fetching where it
    /// will go. Never changes the queue.
    fn prefetch_push(&self, _time: SimTime) {}
    /// The second stage of [`EventQueue::prefetch_push`].
    fn prefetch_push_tail(&self, _time: SimTime) {}
    /// True when nothing is pending.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which queue implementation a run uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// Binary heap: O(log n) per operation, the reference implementation.
    Heap,
    /// Calendar queue: O(1) amortised for well-spread events.
    #[default]
    Calendar,
}

struct HeapEntry<E> {
    key: EventKey,
    event: E,
}

impl<E> PartialEq for HeapEntry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for HeapEntry<E> {}
impl<E> PartialOrd for HeapEntry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for HeapEntry<E> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// A binary min-heap on [`EventKey`].
pub struct HeapQueue<E> {
    heap: BinaryHeap<Reverse<HeapEntry<E>>>,
}

impl<E> Default for HeapQueue<E> {
    fn default() -> Self {
        HeapQueue { heap: BinaryHeap::new() }
    }
}

impl<E> EventQueue<E> for HeapQueue<E> {
    fn push(&mut self, key: EventKey, event: E) {
        self.heap.push(Reverse(HeapEntry { key, event }));
    }
    fn pop(&mut self) -> Option<(EventKey, E)> {
        self.heap.pop().map(|Reverse(entry)| (entry.key, entry.event))
    }
    fn len(&self) -> usize {
        self.heap.len()
    }
}

/// A calendar queue (implemented in `calendar.rs`).
pub use crate::calendar::CalendarQueue;

/// Either queue, chosen at run time; a `match` rather than a trait object so the
/// hottest calls of the event loop can inline. One lives per run, so the size
/// difference between the variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum AnyQueue<E> {
    Heap(HeapQueue<E>),
    Calendar(CalendarQueue<E>),
}

impl<E> AnyQueue<E> {
    /// The queue of `kind`; `bucket_width_ns` is the calendar's first guess.
    pub fn new(kind: QueueKind, bucket_width_ns: u64) -> Self {
        match kind {
            QueueKind::Heap => AnyQueue::Heap(HeapQueue::default()),
            QueueKind::Calendar => AnyQueue::Calendar(CalendarQueue::new(bucket_width_ns.max(1))),
        }
    }
}

impl<E> EventQueue<E> for AnyQueue<E> {
    #[inline]
    fn push(&mut self, key: EventKey, event: E) {
        match self {
            AnyQueue::Heap(q) => q.push(key, event),
            AnyQueue::Calendar(q) => q.push(key, event),
        }
    }
    #[inline]
    fn pop(&mut self) -> Option<(EventKey, E)> {
        match self {
            AnyQueue::Heap(q) => q.pop(),
            AnyQueue::Calendar(q) => q.pop(),
        }
    }
    #[inline]
    fn len(&self) -> usize {
        match self {
            AnyQueue::Heap(q) => q.len(),
            AnyQueue::Calendar(q) => q.len(),
        }
    }
    #[inline]
    fn upcoming(&self, ahead: usize) -> Option<&E> {
        match self {
            AnyQueue::Heap(q) => q.upcoming(ahead),
            AnyQueue::Calendar(q) => q.upcoming(ahead),
        }
    }
    #[inline]
    fn prefetch_push(&self, time: SimTime) {
        match self {
            AnyQueue::Heap(q) => q.prefetch_push(time),
            AnyQueue::Calendar(q) => q.prefetch_push(time),
        }
    }
    #[inline]
    fn prefetch_push_tail(&self, time: SimTime) {
        match self {
            AnyQueue::Heap(q) => q.prefetch_push_tail(time),
            AnyQueue::Calendar(q) => q.prefetch_push_tail(time),
        }
    }
}

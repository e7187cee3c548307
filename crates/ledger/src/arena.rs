//! The arena: every transaction body of a run, built once before the run starts and
//! then shared read-only by all nodes (the runner wraps it in an `Arc`).
//!
//! Nodes refer to transactions by [`TxIndex`]; the arena turns an index into the body,
//! its precomputed id, its modelled wire size and its double-spend twin.
//!
//! Not here: which node knows what (that is [`crate::NodeLedger`]), and any mutation
//! once the run has begun.

use crate::tx::{TxBody, TxId, TxIndex};

/// Modelled wire size of a transaction's fixed fields: sender and receiver (4 + 4),
/// amount, fee and nonce (8 + 8 + 8) and the payload length (4). The domain tag is a
/// hashing detail and is not sent.
pub const TX_FIXED_WIRE_BYTES: u32 = 36;

/// Marks "no twin" in the twin table.
const NO_TWIN: u32 = u32::MAX;

/// All transaction bodies of a run, with their ids.
#[derive(Clone, Debug, Default)]
pub struct TxArena {
    bodies: Vec<TxBody>,
    ids: Vec<TxId>,
    /// Allocated on the first `set_twin`; `NO_TWIN` where a transaction has none.
    twins: Vec<u32>,
}

impl TxArena {
    /// An empty arena.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `body`, computes its id, and returns its index.
    ///
    /// Panics past `u32::MAX - 1` transactions: indices are four bytes by design.
    pub fn push(&mut self, body: TxBody) -> TxIndex {
        let index = u32::try_from(self.bodies.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .expect("a run holds fewer than 2^32 - 1 transactions");
        self.ids.push(TxId::of(&body));
        self.bodies.push(body);
        if !self.twins.is_empty() {
            self.twins.push(NO_TWIN);
        }
        TxIndex(index)
    }

    /// The body at `index`. Panics on an index this arena did not hand out.
    pub fn body(&self, index: TxIndex) -> &TxBody {
        &self.bodies[index.as_usize()]
    }

    /// The body at `index`, or `None` if out of range.
    pub fn get(&self, index: TxIndex) -> Option<&TxBody> {
        self.bodies.get(index.as_usize())
    }

    /// The id of the transaction at `index`. Panics on an index this arena did not
    /// hand out.
    pub fn id(&self, index: TxIndex) -> &TxId {
        &self.ids[index.as_usize()]
    }

    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.bodies.len()
    }

    /// True when no transaction has been pushed.
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// Declares `a` and `b` conflicting twins (a double spend an equivocating origin
    /// sends to different halves of its peers). Symmetric: each becomes the other's
    /// twin. Panics on an out-of-range index or `a == b`.
    pub fn set_twin(&mut self, a: TxIndex, b: TxIndex) {
        assert!(a != b, "a transaction cannot be its own twin");
        assert!(a.as_usize() < self.len() && b.as_usize() < self.len(), "twin index out of range");
        if self.twins.is_empty() {
            self.twins = vec![NO_TWIN; self.len()];
        }
        self.twins[a.as_usize()] = b.0;
        self.twins[b.as_usize()] = a.0;
    }

    /// The conflicting twin of `index`, if one was declared.
    pub fn twin(&self, index: TxIndex) -> Option<TxIndex> {
        match self.twins.get(index.as_usize()) {
            Some(&t) if t != NO_TWIN => Some(TxIndex(t)),
            _ => None,
        }
    }

    /// Modelled encoded size of the transaction on the wire:
    /// [`TX_FIXED_WIRE_BYTES`] plus its `payload_bytes` (saturating).
    pub fn wire_bytes(&self, index: TxIndex) -> u32 {
        TX_FIXED_WIRE_BYTES.saturating_add(self.body(index).payload_bytes)
    }

    /// Heap bytes held (capacities), for memory reports.
    pub fn memory_bytes(&self) -> usize {
        self.bodies.capacity() * std::mem::size_of::<TxBody>()
            + self.ids.capacity() * std::mem::size_of::<TxId>()
            + self.twins.capacity() * std::mem::size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(nonce: u64) -> TxBody {
        TxBody { sender: 0, receiver: 1, amount: 5, fee: 1, nonce, payload_bytes: 64 }
    }

    #[test]
    fn push_stores_the_body_and_its_id() {
        let mut arena = TxArena::new();
        assert!(arena.is_empty());
        let a = arena.push(body(0));
        let b = arena.push(body(1));
        assert_eq!((a, b), (TxIndex(0), TxIndex(1)));
        assert_eq!(arena.len(), 2);
        assert_eq!(*arena.id(b), TxId::of(&body(1)));
        assert_eq!(arena.body(a).nonce, 0);
        assert!(arena.get(TxIndex(2)).is_none());
        assert_eq!(arena.wire_bytes(a), 36 + 64);
    }

    #[test]
    fn twins_are_symmetric_and_survive_later_pushes() {
        let mut arena = TxArena::new();
        let a = arena.push(body(0));
        let b = arena.push(TxBody { receiver: 2, ..body(0) });
        assert_eq!(arena.twin(a), None);
        arena.set_twin(a, b);
        let c = arena.push(body(1));
        assert_eq!(arena.twin(a), Some(b));
        assert_eq!(arena.twin(b), Some(a));
        assert_eq!(arena.twin(c), None);
    }
}

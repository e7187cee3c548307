//! What nodes send each other: a closed enum, 16 bytes, with a documented wire model.
//!
//! Small messages are inline; lists (pull summaries, id sets, want lists) sit behind
//! one thin pointer in a [`Batch`], which allocates nothing when empty. A body
//! message ([`Message::Tx`]) carries its modelled size so the engine can charge
//! bandwidth without the arena.
//!
//! **Wire model** (bytes): every message pays [`HEADER_BYTES`] (type, length,
//! addressing); an id costs [`ID_BYTES`] (messages hold a 4-byte index in memory but
//! a real node sends the 32-byte hash); a pull summary entry costs
//! [`SUMMARY_ENTRY_BYTES`] (4-byte account, 8-byte nonce); a list adds a 4-byte count.
//!
//! | message | size |
//! |---|---|
//! | `Tx` | header + `bytes` (the arena's `wire_bytes`: 36 fixed + payload) |
//! | `Inv`, `GetData` | header + 32 |
//! | `Feedback` | header + 32 + 1 |
//! | `Summary` | header + 4 + 12 per entry |
//! | `Digest` | header + 32 + 4 (the full SetDigest and the log length) |
//! | `IdSet`, `Want` | header + 4 + 32 per id |
//!
//! Not here: what a node does with a message (see [`crate::node`]), and delivery
//! (the engine).

use gossim_ledger::{AccountId, TxIndex};
use serde::Serialize;

/// Fixed per-message overhead in the wire model.
pub const HEADER_BYTES: u32 = 16;
/// A transaction id on the wire (SHA-256).
pub const ID_BYTES: u32 = 32;
/// One `(account, next_nonce)` entry of a pull summary on the wire.
pub const SUMMARY_ENTRY_BYTES: u32 = 12;
/// The count that opens a list on the wire.
pub const LIST_COUNT_BYTES: u32 = 4;

/// One line of a pull summary: the requester has every transaction of `account` with
/// a nonce below `next_nonce`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NonceEntry {
    pub account: AccountId,
    pub next_nonce: u32,
}

/// A list carried by a message: one thin pointer, no allocation when empty.
// A `Box<[T]>` would be a fat pointer and grow every message to 24 bytes; the extra
// allocation is paid only by list messages, never by bodies.
#[allow(clippy::box_collection)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Batch<T>(Option<Box<Vec<T>>>);

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Batch(None)
    }
}

impl<T> Batch<T> {
    /// Wraps `items` (an empty `Vec` is dropped, not boxed).
    pub fn new(items: Vec<T>) -> Self {
        if items.is_empty() { Batch(None) } else { Batch(Some(Box::new(items))) }
    }

    /// The items.
    pub fn as_slice(&self) -> &[T] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Takes the items out.
    pub fn into_vec(self) -> Vec<T> {
        self.0.map_or_else(Vec::new, |b| *b)
    }
}

/// A message between two nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A transaction body. `hop` is the path length including this hop (the
    /// receiver's hop if it accepts); `tamper != 0` means the body is
    /// `TxBody::tampered(tamper)`; `bytes` is the modelled body size.
    Tx { tx: TxIndex, hop: u16, tamper: u16, bytes: u32 },
    /// "I have `tx`" (announce); `hop` is the announcer's own hop.
    Inv { tx: TxIndex, hop: u16 },
    /// "Send me the body of `tx`."
    GetData { tx: TxIndex },
    /// Rumour-mongering feedback on a push of `tx`: `useful` when the receiver did
    /// not already know it.
    Feedback { tx: TxIndex, useful: bool },
    /// A pull request: the sender's per-sender next nonces, sorted by account. The
    /// receiver answers with every body the sender lacks.
    Summary { entries: Batch<NonceEntry> },
    /// Anti-entropy: the fingerprint of the sender's `SetDigest` and its log length.
    Digest { fingerprint: u64, accepted: u32 },
    /// Anti-entropy: the sender's accepted ids, sorted.
    IdSet { ids: Batch<TxIndex> },
    /// Anti-entropy: ids the sender lacks and asks the receiver for.
    Want { ids: Batch<TxIndex> },
}

impl Message {
    /// Modelled size on the wire, in bytes (see the module doc).
    pub fn wire_bytes(&self) -> u32 {
        let list = |n: usize, each: u32| {
            LIST_COUNT_BYTES.saturating_add(u32::try_from(n).unwrap_or(u32::MAX).saturating_mul(each))
        };
        let body = match self {
            Message::Tx { bytes, .. } => *bytes,
            Message::Inv { .. } | Message::GetData { .. } => ID_BYTES,
            Message::Feedback { .. } => ID_BYTES + 1,
            Message::Summary { entries } => list(entries.len(), SUMMARY_ENTRY_BYTES),
            Message::Digest { .. } => ID_BYTES + 4,
            Message::IdSet { ids } | Message::Want { ids } => list(ids.len(), ID_BYTES),
        };
        HEADER_BYTES.saturating_add(body)
    }

    /// A 64-bit key of the whole content, folded into the engine's trace digest.
    pub fn trace_key(&self) -> u64 {
        // Fixed-size kinds pack their fields exactly into two words, so one multiply
        // and a mix suffice: this runs once per delivery. Lists fold item by item.
        let tag = |kind: u64| kind << 56;
        match self {
            Message::Tx { tx, hop, tamper, bytes } => {
                pair_key(u64::from(tx.0) | u64::from(*hop) << 32 | u64::from(*tamper) << 48, u64::from(*bytes) | tag(1))
            }
            Message::Inv { tx, hop } => pair_key(u64::from(tx.0) | u64::from(*hop) << 32, tag(2)),
            Message::GetData { tx } => pair_key(u64::from(tx.0), tag(3)),
            Message::Feedback { tx, useful } => pair_key(u64::from(tx.0) | u64::from(*useful) << 32, tag(4)),
            Message::Summary { entries } => mix(entries
                .as_slice()
                .iter()
                .fold(5, |h, e| fold(h, (u64::from(e.account) << 32) | u64::from(e.next_nonce)))),
            Message::Digest { fingerprint, accepted } => pair_key(*fingerprint, u64::from(*accepted) | tag(6)),
            Message::IdSet { ids } => mix(ids.as_slice().iter().fold(7, |h, t| fold(h, u64::from(t.0)))),
            Message::Want { ids } => mix(ids.as_slice().iter().fold(8, |h, t| fold(h, u64::from(t.0)))),
        }
    }

    /// The transaction this message is about, if it is about exactly one.
    pub fn tx(&self) -> Option<TxIndex> {
        match self {
            Message::Tx { tx, .. }
            | Message::Inv { tx, .. }
            | Message::GetData { tx }
            | Message::Feedback { tx, .. } => Some(*tx),
            Message::Summary { .. } | Message::Digest { .. } | Message::IdSet { .. } | Message::Want { .. } => None,
        }
    }

    /// True for a message that carries a transaction body (counted per transaction
    /// and in RMR); control messages are not payload.
    pub fn is_payload(&self) -> bool {
        matches!(self, Message::Tx { .. })
    }

    /// The snake_case name of the kind, for reports.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Message::Tx { .. } => "tx",
            Message::Inv { .. } => "inv",
            Message::GetData { .. } => "get_data",
            Message::Feedback { .. } => "feedback",
            Message::Summary { .. } => "summary",
            Message::Digest { .. } => "digest",
            Message::IdSet { .. } => "id_set",
            Message::Want { .. } => "want",
        }
    }

    /// Every kind name, in report order.
    pub const KIND_NAMES: [&'static str; 8] =
        ["tx", "inv", "get_data", "feedback", "summary", "digest", "id_set", "want"];
}

/// A key for two words: a bijection of `low` for each `high`, then mixed.
fn pair_key(low: u64, high: u64) -> u64 {
    mix(low.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ high)
}

/// Folds `value` into `hash` (order-sensitive).
fn fold(hash: u64, value: u64) -> u64 {
    mix(hash ^ value.wrapping_mul(0x9e37_79b9_7f4a_7c15)).rotate_left(5)
}

/// The SplitMix64 finaliser: a bijective bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: () = assert!(std::mem::size_of::<Message>() <= 16);

    #[test]
    fn a_message_is_at_most_sixteen_bytes() {
        assert!(std::mem::size_of::<Message>() <= 16, "{}", std::mem::size_of::<Message>());
    }

    #[test]
    fn wire_sizes_follow_the_model() {
        let t = TxIndex(3);
        assert_eq!(Message::Tx { tx: t, hop: 1, tamper: 0, bytes: 136 }.wire_bytes(), 152);
        assert_eq!(Message::Inv { tx: t, hop: 0 }.wire_bytes(), 48);
        assert_eq!(Message::GetData { tx: t }.wire_bytes(), 48);
        assert_eq!(Message::Feedback { tx: t, useful: true }.wire_bytes(), 49);
        let entries = Batch::new(vec![NonceEntry { account: 1, next_nonce: 2 }; 3]);
        assert_eq!(Message::Summary { entries }.wire_bytes(), 16 + 4 + 36);
        assert_eq!(Message::Summary { entries: Batch::default() }.wire_bytes(), 20);
        assert_eq!(Message::Digest { fingerprint: 0, accepted: 0 }.wire_bytes(), 52);
        let ids = Batch::new(vec![t, TxIndex(4)]);
        assert_eq!(Message::IdSet { ids: ids.clone() }.wire_bytes(), 16 + 4 + 64);
        assert_eq!(Message::Want { ids }.wire_bytes(), 84);
    }

    #[test]
    fn only_bodies_are_payload_and_kind_names_are_listed() {
        let messages = [
            Message::Tx { tx: TxIndex(1), hop: 1, tamper: 0, bytes: 40 },
            Message::Inv { tx: TxIndex(1), hop: 0 },
            Message::GetData { tx: TxIndex(1) },
            Message::Feedback { tx: TxIndex(1), useful: false },
            Message::Summary { entries: Batch::default() },
            Message::Digest { fingerprint: 1, accepted: 1 },
            Message::IdSet { ids: Batch::default() },
            Message::Want { ids: Batch::default() },
        ];
        for (m, name) in messages.iter().zip(Message::KIND_NAMES) {
            assert_eq!(m.kind_name(), name);
            assert_eq!(m.is_payload(), name == "tx");
        }
        assert_eq!(messages[2].tx(), Some(TxIndex(1)));
        assert_eq!(messages[5].tx(), None);
    }

    #[test]
    fn trace_keys_see_every_field() {
        let base = Message::Tx { tx: TxIndex(1), hop: 1, tamper: 0, bytes: 40 };
        let variants = [
            Message::Tx { tx: TxIndex(2), hop: 1, tamper: 0, bytes: 40 },
            Message::Tx { tx: TxIndex(1), hop: 2, tamper: 0, bytes: 40 },
            Message::Tx { tx: TxIndex(1), hop: 1, tamper: 1, bytes: 40 },
            Message::Tx { tx: TxIndex(1), hop: 1, tamper: 0, bytes: 41 },
            Message::Inv { tx: TxIndex(1), hop: 1 },
        ];
        for v in variants {
            assert_ne!(v.trace_key(), base.trace_key(), "{v:?}");
        }
        let a = Message::IdSet { ids: Batch::new(vec![TxIndex(1), TxIndex(2)]) };
        let b = Message::IdSet { ids: Batch::new(vec![TxIndex(2), TxIndex(1)]) };
        assert_ne!(a.trace_key(), b.trace_key());
    }
}

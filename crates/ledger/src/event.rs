//! What a ledger reports: the outcome of each offer and every change it caused.
//!
//! [`crate::NodeLedger::offer`] pushes [`LedgerEvent`]s into a caller-owned `Vec`, so
//! one offer can report a cascade (a pending transaction released, a double spend
//! replaced) without allocating. The node crate turns these into observations that
//! also name the peer involved.
//!
//! Not here: metrics or counting; the report crate aggregates events.

use crate::tx::TxIndex;
use serde::Serialize;

/// Why a transaction was refused for good (it will never be accepted by this node).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The offered body does not hash to the id it claims (tampered in transit).
    Integrity,
    /// Another transaction holds the same (sender, nonce) and wins under the policy.
    Conflict,
    /// Invalid on its face: sender equals receiver, an account out of range, a zero
    /// amount, amount + fee overflowing, a nonce of 2^32 - 1 or more, or an index
    /// outside the arena.
    Malformed,
}

impl RejectReason {
    /// Every reason, in report order.
    pub const ALL: [RejectReason; 3] = [RejectReason::Integrity, RejectReason::Conflict, RejectReason::Malformed];

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Integrity => "integrity",
            RejectReason::Conflict => "conflict",
            RejectReason::Malformed => "malformed",
        }
    }
}

/// Why a valid-looking transaction waits in the pending pool instead of the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingReason {
    /// An earlier nonce of the same sender is missing from this node's log.
    NonceGap,
    /// The sender's balance in this node's view does not cover amount + fee; a credit
    /// may still arrive.
    InsufficientFunds,
}

impl PendingReason {
    /// Every reason, in report order.
    pub const ALL: [PendingReason; 2] = [PendingReason::NonceGap, PendingReason::InsufficientFunds];

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PendingReason::NonceGap => "nonce_gap",
            PendingReason::InsufficientFunds => "insufficient_funds",
        }
    }
}

/// One thing that happened to a node's ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LedgerEvent {
    /// Appended to the log. `hop` is the path length of the copy that was accepted
    /// (0 = submitted here); `from` the peer it came from (`None` = submitted here).
    /// Repeats for a transaction only after a [`LedgerEvent::Removed`].
    Accepted { tx: TxIndex, hop: u16, from: Option<u32> },
    /// Parked in the pending pool.
    Pending { tx: TxIndex, reason: PendingReason },
    /// Refused for good.
    Rejected { tx: TxIndex, reason: RejectReason },
    /// Already seen (accepted, pending or refused); nothing changed.
    Duplicate { tx: TxIndex },
    /// Dropped from a full pending pool (the oldest entry goes first); no longer seen,
    /// so a later copy is judged afresh.
    Evicted { tx: TxIndex },
    /// Under `LowestId`, `winner` took the (sender, nonce) of `loser`, which is now
    /// refused for good. `loser` may have been in the log or in the pending pool.
    Replaced { loser: TxIndex, winner: TxIndex },
    /// Taken out of the log by a replacement because it depended on the loser; a
    /// [`LedgerEvent::Pending`] for it follows.
    Removed { tx: TxIndex },
}

impl LedgerEvent {
    /// The snake_case name of the event kind, for reports.
    pub fn kind_name(&self) -> &'static str {
        match self {
            LedgerEvent::Accepted { .. } => "accepted",
            LedgerEvent::Pending { .. } => "pending",
            LedgerEvent::Rejected { .. } => "rejected",
            LedgerEvent::Duplicate { .. } => "duplicate",
            LedgerEvent::Evicted { .. } => "evicted",
            LedgerEvent::Replaced { .. } => "replaced",
            LedgerEvent::Removed { .. } => "removed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_are_distinct_snake_case() {
        let names: Vec<&str> =
            RejectReason::ALL.iter().map(|r| r.as_str()).chain(PendingReason::ALL.iter().map(|r| r.as_str())).collect();
        for (i, name) in names.iter().enumerate() {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!names[..i].contains(name));
        }
    }
}

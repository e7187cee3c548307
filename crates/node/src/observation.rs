//! What a node reports about itself: the only window metrics have onto a node.
//!
//! Every call into a node may push observations into the outbox; the runner reads
//! them (with the current time and the node id it already knows) and aggregates.
//!
//! Not here: aggregation, counting sends (the engine sees every send), and anything
//! the report would need to reach into a node for.

use gossim_ledger::{PendingReason, RejectReason, TxIndex};

/// One thing that happened at a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation {
    /// `tx` entered the log. `from` is the peer whose copy was accepted (`None`:
    /// submitted here); `hop` the path length of that copy (0 at the origin). Repeats
    /// for a transaction only after [`Observation::Removed`].
    Accepted { tx: TxIndex, from: Option<u32>, hop: u16 },
    /// `tx` was refused for good; `from` is the peer whose message triggered it.
    Rejected { tx: TxIndex, from: Option<u32>, reason: RejectReason },
    /// A copy of a transaction already accepted, pending or refused.
    Duplicate { tx: TxIndex, from: Option<u32> },
    /// `tx` waits in the pending pool.
    Pending { tx: TxIndex, reason: PendingReason },
    /// `tx` fell out of a full pending pool.
    Evicted { tx: TxIndex },
    /// Under `LowestId`, `winner` took `loser`'s (sender, nonce).
    Replaced { loser: TxIndex, winner: TxIndex },
    /// `tx` left the log because it depended on a replaced transaction; it is pending.
    Removed { tx: TxIndex },
    /// An announce request for `tx` sent to `peer` got no body in time.
    RequestTimedOut { tx: TxIndex, peer: u32 },
    /// Retries for `tx` are exhausted; the node waits for a new announcement.
    RequestAbandoned { tx: TxIndex },
    /// A rumour-mongering node stopped spreading `tx`.
    LostInterest { tx: TxIndex },
}

impl Observation {
    /// The transaction concerned (the winner for a replacement).
    pub fn tx(&self) -> TxIndex {
        match *self {
            Observation::Accepted { tx, .. }
            | Observation::Rejected { tx, .. }
            | Observation::Duplicate { tx, .. }
            | Observation::Pending { tx, .. }
            | Observation::Evicted { tx }
            | Observation::Removed { tx }
            | Observation::RequestTimedOut { tx, .. }
            | Observation::RequestAbandoned { tx }
            | Observation::LostInterest { tx } => tx,
            Observation::Replaced { winner, .. } => winner,
        }
    }

    /// The snake_case name of the kind, for reports.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Observation::Accepted { .. } => "accepted",
            Observation::Rejected { .. } => "rejected",
            Observation::Duplicate { .. } => "duplicate",
            Observation::Pending { .. } => "pending",
            Observation::Evicted { .. } => "evicted",
            Observation::Replaced { .. } => "replaced",
            Observation::Removed { .. } => "removed",
            Observation::RequestTimedOut { .. } => "request_timed_out",
            Observation::RequestAbandoned { .. } => "request_abandoned",
            Observation::LostInterest { .. } => "lost_interest",
        }
    }
}

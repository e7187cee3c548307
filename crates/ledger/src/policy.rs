//! The conflict policy: what a node does with two transactions that spend the same
//! (sender, nonce).

use serde::{Deserialize, Serialize};

/// What a node does on a double spend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    /// Keep whichever arrived first, as mempools do; nodes may diverge.
    #[default]
    FirstSeen,
    /// The transaction with the lower id wins everywhere, replacing a loser and its
    /// dependants; logs converge.
    LowestId,
}

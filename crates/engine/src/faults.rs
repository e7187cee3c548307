//! Node faults and misbehaviour marks: which nodes fail, when, and for how long.
//!
//! Faults are planned from the faults stream alone, so two runs that differ only in
//! protocol settings crash the same nodes at the same times. This module chooses
//! nodes; the engine applies the plan (a crashed node receives nothing and its timers
//! do not fire). What a misbehaving node does is the node logic's business: the
//! engine only carries a small tag per node.

use crate::rng::SimRng;
use crate::time::SimTime;
use crate::topology::Topology;
use serde::{Deserialize, Serialize};

/// A set of nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum NodeSelection {
    /// This fraction of all nodes (rounded to nearest), chosen uniformly at random.
    Fraction { fraction: f64 },
    /// Exactly `count` nodes chosen uniformly at random.
    Count { count: u32 },
    /// These node ids.
    Ids { ids: Vec<u32> },
    /// The `count` nodes of highest degree (ties: lower id first).
    HighestDegree { count: u32 },
}

/// One scheduled node fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeFaultSpec {
    /// The selected nodes crash at `at`; with `recover_after_ns` they come back after
    /// that downtime, with state kept or wiped.
    Crash { at: SimTime, select: NodeSelection, recover_after_ns: Option<u64>, wipe: bool },
    /// Churn over `[start, end)`: leaves arrive as a Poisson process of
    /// `leave_rate_per_sec` (whole network); each leave crashes a random live node,
    /// which rejoins after an exponential downtime of mean `mean_downtime_ns`.
    Churn { start: SimTime, end: SimTime, leave_rate_per_sec: f64, mean_downtime_ns: u64, wipe: bool },
}

/// Nodes marked as misbehaving with a tag the node logic interprets (0 = honest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MisbehaviourSpec {
    pub select: NodeSelection,
    pub tag: u8,
}

/// Resolves a selection to sorted, distinct node ids.
pub fn select_nodes(selection: &NodeSelection, topology: &Topology, rng: &mut SimRng) -> Vec<u32> {
    let n = topology.node_count();
    let mut chosen = match selection {
        NodeSelection::Fraction { fraction } => {
            let count = libm::round(fraction.clamp(0.0, 1.0) * f64::from(n)) as u32;
            sample_distinct(n, count, rng)
        }
        NodeSelection::Count { count } => sample_distinct(n, (*count).min(n), rng),
        NodeSelection::Ids { ids } => ids.iter().copied().filter(|&id| id < n).collect(),
        NodeSelection::HighestDegree { count } => {
            let mut by_degree: Vec<u32> = (0..n).collect();
            by_degree.sort_by_key(|&node| (std::cmp::Reverse(topology.degree(node)), node));
            by_degree.truncate((*count).min(n) as usize);
            by_degree
        }
    };
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// `count` distinct uniform ids from `0..n` (Floyd's algorithm; result unsorted).
pub fn sample_distinct(n: u32, count: u32, rng: &mut SimRng) -> Vec<u32> {
    let count = count.min(n);
    let mut chosen = std::collections::BTreeSet::new();
    for j in (n - count)..n {
        let t = rng.below(u64::from(j) + 1) as u32;
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen.into_iter().collect()
}

//! Protocol configuration shared by every node of a run.
//!
//! These are validated, resolved values (durations in integer nanoseconds); the
//! scenario crate turns a user's file into them. Defaults live in the scenario
//! crate's schema, not here, so there is one place that states them.

use gossim_ledger::ConflictPolicy;
use serde::{Deserialize, Serialize};

/// How many peers a node contacts per forwarding decision or period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fanout {
    /// Exactly `count` distinct peers (fewer if the node has fewer neighbours).
    Fixed { count: u32 },
    /// ⌊mean⌋ peers plus one more with probability frac(mean).
    Mixed { mean: f64 },
    /// A Poisson(mean) number of distinct peers.
    Poisson { mean: f64 },
    /// Every neighbour (flooding).
    All,
}

/// The interval between a node's periodic actions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    /// A fixed period.
    Fixed { period_ns: u64 },
    /// Exponential intervals with this mean: a Poisson clock (the first tick too).
    Exponential { mean_ns: u64 },
}

/// Where in the period a node's fixed-period ticks fall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Every node ticks at k·period for k = 1, 2, … (synchronous rounds).
    Aligned,
    /// Each node's first tick is uniform in (now, now + period], then every period.
    Random,
}

/// A periodic schedule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub period: Period,
    pub phase: Phase,
}

/// How long a node keeps gossiping a transaction it accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounds {
    /// For this many periods after accepting it.
    Count(u32),
    /// As long as the run lasts.
    Forever,
}

/// When push forwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Forward {
    /// Infect-and-die: once, on first acceptance.
    Once,
    /// Every period, push hot transactions to `fanout` peers.
    Periodic,
}

/// When a rumour-mongering node loses interest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RumorStop {
    /// After `k` unnecessary contacts (feedback) or `k` pushes (blind).
    Counter,
    /// With probability 1/k after each unnecessary contact (feedback) or push (blind).
    Coin,
}

/// The replication protocol and its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProtocolKind {
    /// Push bodies to `fanout` peers, once or periodically.
    Push { forward: Forward },
    /// Each period, ask `fanout` peers for what this node lacks.
    Pull,
    /// Each period, exchange with `fanout` peers in both directions.
    PushPull,
    /// Announce ids (inv); peers request bodies they lack (getdata), retrying another
    /// announcer after `request_timeout_ns`, at most `max_retries` times.
    Announce { request_timeout_ns: u64, max_retries: u32 },
    /// Periodic whole-log reconciliation with random peers until digests match.
    AntiEntropy,
    /// Demers-style rumour mongering.
    Rumor { feedback: bool, stop: RumorStop, k: u32, reset_on_useful: bool, judge_at_cycle_start: bool },
    /// Every transaction goes to a central server (one of `servers`), which verifies
    /// it and sends it to every node. The baseline gossip is contrasted with.
    Central { servers: Vec<u32> },
}

/// How a node draws its gossip targets: correctly, or with a deliberate fault.
///
/// Only [`PeerSampler::Uniform`] is reachable from scenario files (the scenario crate
/// always sets it). The two faults exist so that the validation suite
/// (`gossim_sim::validation`) can show it catches the bugs it is there for: a test
/// swaps one in and checks that the rows of THEORY.md §1/§2 fail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerSampler {
    /// `k` distinct neighbours, uniformly, never the node itself (THEORY.md §0).
    #[default]
    Uniform,
    /// Fault: a uniform `k`-subset of the neighbours *and the node itself*, so a
    /// node sometimes gossips to itself and wastes the contact.
    MayPickSelf,
    /// Fault: one target more than the fanout asks for.
    FanoutPlusOne,
}

/// Everything a node needs to know about the protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProtocolConfig {
    pub kind: ProtocolKind,
    pub fanout: Fanout,
    /// Never choose the peer a transaction came from as a push target.
    pub exclude_sender: bool,
    /// The periodic schedule (push periodic, pull, push-pull, anti-entropy, rumour).
    pub timing: Timing,
    /// How many periods a transaction stays "hot" (push periodic, push-pull push half).
    pub rounds: Rounds,
    /// Optional background anti-entropy under any protocol, with its own schedule.
    pub repair: Option<Timing>,
    /// How targets are drawn: always [`PeerSampler::Uniform`] except in validation
    /// tests that inject a sampling fault on purpose.
    #[serde(default)]
    pub sampler: PeerSampler,
}

/// The per-run configuration shared by every node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeConfig {
    pub protocol: ProtocolConfig,
    /// What happens when two transactions spend the same (sender, nonce).
    pub conflict_policy: ConflictPolicy,
    /// Capacity of each node's pending pool (transactions waiting for a nonce gap or
    /// funds); the oldest entry is evicted when full.
    pub pending_capacity: u32,
}

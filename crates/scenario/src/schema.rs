//! The scenario file format: what a researcher writes, key by key.
//!
//! These structs mirror the JSON file exactly (`deny_unknown_fields` everywhere,
//! durations as strings with units). Defaults come from [`crate::defaults`]. The
//! structs are only ever read through the crate's loader, which checks
//! them semantically and turns them into the resolved [`crate::Scenario`]. Serializing
//! a filled-in [`ScenarioFile`] gives the resolved scenario file.
//!
//! Doc comments here become the descriptions of the JSON Schema.

use crate::defaults;
use crate::forms::kind_tagged;
pub use crate::forms::{AutoOr, Fanout, Origin, Period, Rounds, Sweep};
pub use crate::units::{Bandwidth, Duration};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One experiment: a network of nodes, a protocol, a workload, faults and a stop rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gossim scenario")]
pub struct ScenarioFile {
    /// Name of the experiment; results go to `results/<name>/`. Letters, digits, '-', '_' and '.'.
    pub name: String,
    /// One line saying what the experiment shows.
    #[serde(default)]
    pub description: String,
    /// Master seed; every random stream of the run derives from it.
    #[serde(default = "defaults::seed")]
    pub seed: u64,
    /// Number of nodes (ids 0 … nodes−1).
    pub nodes: u32,
    /// The overlay: who may contact whom.
    #[serde(default = "defaults::topology")]
    pub topology: Topology,
    /// Link latency, loss and bandwidth.
    #[serde(default)]
    pub network: Network,
    /// The replication protocol.
    pub protocol: Protocol,
    /// Ledger rules every node applies.
    #[serde(default)]
    pub ledger: Ledger,
    /// The transactions submitted during the run.
    #[serde(default)]
    pub workload: Workload,
    /// Crashes, churn, partitions and misbehaving nodes, in any order.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// When the run ends.
    #[serde(default)]
    pub stop: Stop,
    /// What the report contains.
    #[serde(default)]
    pub report: Report,
    /// Event-queue tuning; results do not depend on it.
    #[serde(default)]
    pub engine: Engine,
    /// Parameter sweep (optional): JSON paths of this file mapped to lists of values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
}

/// The overlay graph.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Topology {
    /// Every node may contact every other (uniform peer sampling; nothing stored).
    Complete,
    /// A uniformly random simple regular graph; nodes × degree must be even.
    RandomRegular(RandomRegular),
    /// Each node links to k distinct random others; links are then made symmetric.
    KOut(KOut),
    /// Erdős–Rényi G(n, p) with p = mean_degree / (nodes − 1).
    ErdosRenyi(ErdosRenyi),
    /// Watts–Strogatz small world: a ring lattice of k neighbours, each link rewired with probability beta.
    WattsStrogatz(WattsStrogatz),
    /// Barabási–Albert preferential attachment, m links per new node.
    BarabasiAlbert(BarabasiAlbert),
    /// Ring lattice: each node linked to the k nearest on each side.
    Ring(Ring),
}

kind_tagged!(Topology {
    "complete" => Complete,
    "random_regular" => RandomRegular(RandomRegular),
    "k_out" => KOut(KOut),
    "erdos_renyi" => ErdosRenyi(ErdosRenyi),
    "watts_strogatz" => WattsStrogatz(WattsStrogatz),
    "barabasi_albert" => BarabasiAlbert(BarabasiAlbert),
    "ring" => Ring(Ring),
});

/// `random_regular` parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomRegular {
    /// Links per node, 1 ≤ degree < nodes.
    pub degree: u32,
}

/// `k_out` parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KOut {
    /// Links each node creates, 1 ≤ k < nodes.
    pub k: u32,
}

/// `erdos_renyi` parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErdosRenyi {
    /// Expected degree, 0 < mean_degree ≤ nodes − 1.
    pub mean_degree: f64,
}

/// `watts_strogatz` parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WattsStrogatz {
    /// Lattice neighbours per node (even, 2 ≤ k < nodes).
    pub k: u32,
    /// Rewiring probability, 0 ≤ beta ≤ 1.
    pub beta: f64,
}

/// `barabasi_albert` parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BarabasiAlbert {
    /// Links per new node, 1 ≤ m < nodes.
    pub m: u32,
}

/// `ring` parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ring {
    /// Neighbours on each side, 1 ≤ k and 2k < nodes.
    pub k: u32,
}

/// The network model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// One-way propagation delay of each message.
    #[serde(default = "defaults::latency")]
    pub latency: Latency,
    /// Message loss.
    #[serde(default = "defaults::loss")]
    pub loss: Loss,
    /// Upload bandwidth of every node ("10Mbit/s", "1.5MB/s" or bytes per second); messages queue at the sender's uplink. Absent: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_bandwidth: Option<Bandwidth>,
}

/// A delay distribution, or a region matrix.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Latency {
    /// Always `value`.
    Constant(ConstantLatency),
    /// Uniform between `min` and `max`.
    Uniform(UniformLatency),
    /// Normal, truncated at zero.
    Normal(NormalLatency),
    /// Lognormal: median × exp(sigma × Z).
    Lognormal(LognormalLatency),
    /// Exponential with the given mean.
    Exponential(ExponentialLatency),
    /// Pareto (type I): minimum `scale`, tail index `shape`.
    Pareto(ParetoLatency),
    /// Nodes split into regions by share; delay = `matrix[from][to]` + jitter.
    Regions(RegionLatency),
}

kind_tagged!(Latency {
    "constant" => Constant(ConstantLatency),
    "uniform" => Uniform(UniformLatency),
    "normal" => Normal(NormalLatency),
    "lognormal" => Lognormal(LognormalLatency),
    "exponential" => Exponential(ExponentialLatency),
    "pareto" => Pareto(ParetoLatency),
    "regions" => Regions(RegionLatency),
});

/// `constant` latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstantLatency {
    /// The delay.
    pub value: Duration,
}

/// `uniform` latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UniformLatency {
    /// Smallest delay.
    pub min: Duration,
    /// Largest delay (≥ min).
    pub max: Duration,
}

/// `normal` latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NormalLatency {
    /// Mean before truncation.
    pub mean: Duration,
    /// Standard deviation.
    pub sd: Duration,
}

/// `lognormal` latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LognormalLatency {
    /// Median delay.
    pub median: Duration,
    /// Shape (standard deviation of the log), ≥ 0.
    pub sigma: f64,
}

/// `exponential` latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExponentialLatency {
    /// Mean delay.
    pub mean: Duration,
}

/// `pareto` latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParetoLatency {
    /// Minimum delay (> 0).
    pub scale: Duration,
    /// Tail index (> 0; the mean is infinite for shape ≤ 1).
    pub shape: f64,
}

/// `regions` latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionLatency {
    /// The regions (at most 255); shares sum to 1.
    pub regions: Vec<Region>,
    /// `matrix[a][b]`: base one-way delay from region a to region b; one row and column per region.
    pub matrix: Vec<Vec<Duration>>,
    /// Added to the base delay of every message (any distribution except regions).
    #[serde(default = "defaults::jitter")]
    pub jitter: Box<Latency>,
}

/// One region of a region model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Name used in reports.
    pub name: String,
    /// Fraction of nodes in this region, 0 < share ≤ 1.
    pub share: f64,
}

/// Message loss.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Loss {
    /// Nothing is lost.
    None,
    /// Each message lost independently with probability p.
    Bernoulli(BernoulliLoss),
    /// Bursty loss: each sender's uplink is a two-state Markov chain advanced once per message.
    GilbertElliott(GilbertElliottLoss),
}

kind_tagged!(Loss {
    "none" => None,
    "bernoulli" => Bernoulli(BernoulliLoss),
    "gilbert_elliott" => GilbertElliott(GilbertElliottLoss),
});

/// `bernoulli` loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BernoulliLoss {
    /// Loss probability, 0 ≤ p ≤ 1.
    pub p: f64,
}

/// `gilbert_elliott` loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GilbertElliottLoss {
    /// Probability that a good uplink turns bad, per message.
    pub p_good_to_bad: f64,
    /// Probability that a bad uplink turns good, per message.
    pub p_bad_to_good: f64,
    /// Loss probability in the good state.
    #[serde(default = "defaults::loss_good")]
    pub loss_good: f64,
    /// Loss probability in the bad state.
    #[serde(default = "defaults::loss_bad")]
    pub loss_bad: f64,
}

/// The protocol names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolKind {
    /// Push bodies to `fanout` peers, once on acceptance or every period.
    Push,
    /// Each period, ask `fanout` peers for what this node lacks.
    Pull,
    /// Each period, exchange in both directions with `fanout` peers.
    PushPull,
    /// Announce ids; peers request the bodies they lack, with timeout and retries.
    Announce,
    /// Each period, reconcile whole logs with `fanout` peers.
    AntiEntropy,
    /// Demers-style rumour mongering.
    Rumor,
    /// Every transaction goes through a central server that sends it to every node.
    Central,
}

impl ProtocolKind {
    /// The snake_case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolKind::Push => "push",
            ProtocolKind::Pull => "pull",
            ProtocolKind::PushPull => "push_pull",
            ProtocolKind::Announce => "announce",
            ProtocolKind::AntiEntropy => "anti_entropy",
            ProtocolKind::Rumor => "rumor",
            ProtocolKind::Central => "central",
        }
    }
}

/// The replication protocol. Keys other than `kind` apply to some kinds only (see
/// each key); a key given for a kind it does not apply to is an error. Keys left out
/// take their defaults, which may depend on the kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// push, pull, push_pull, announce, anti_entropy, rumor or central.
    pub kind: ProtocolKind,
    /// Peers contacted per decision (all kinds but central). Default: 4 for push, 8 for announce, 1 otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fanout: Option<Fanout>,
    /// Never push a transaction back to the peer it came from (push, push_pull, announce, rumor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::exclude_sender()))]
    pub exclude_sender: Option<bool>,
    /// Clock of the periodic protocols (push — used with forward periodic —, pull, push_pull, anti_entropy, rumor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::period()))]
    pub period: Option<Period>,
    /// "aligned" (every node ticks at k·period: synchronous rounds) or "random" (first tick uniform in the first period). Same kinds as period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::phase()))]
    pub phase: Option<Phase>,
    /// Periods a transaction stays hot after acceptance (push, push_pull): an integer ≥ 1 or "forever".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::rounds()))]
    pub rounds: Option<Rounds>,
    /// When push forwards (push only): "once" on first acceptance (infect and die) or "periodic".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::forward()))]
    pub forward: Option<Forward>,
    /// How long to wait for a requested body before asking another announcer (announce only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::request_timeout()))]
    pub request_timeout: Option<Duration>,
    /// Re-requests per transaction after timeouts (announce only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::max_retries()))]
    pub max_retries: Option<u32>,
    /// Lose interest based on recipients' replies (true) or blindly (false) (rumor only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::feedback()))]
    pub feedback: Option<bool>,
    /// "counter" (stop after k unnecessary contacts or pushes) or "coin" (stop with probability 1/k each time) (rumor only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::rumor_stop()))]
    pub stop: Option<RumorStop>,
    /// The k of the stop rule, ≥ 1 (rumor only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::rumor_k()))]
    pub k: Option<u32>,
    /// Reset the counter when a contact was useful (rumor only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::reset_on_useful()))]
    pub reset_on_useful: Option<bool>,
    /// Judge usefulness at the start of each cycle instead of per contact (rumor only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::judge_at_cycle_start()))]
    pub judge_at_cycle_start: Option<bool>,
    /// Node ids of the servers (central only); each transaction goes to one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = defaults::servers()))]
    pub servers: Option<Vec<u32>>,
    /// Background anti-entropy under any protocol, so lost messages are eventually repaired. Absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<Repair>,
}

/// Where fixed-period ticks fall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Every node ticks at k·period (synchronous rounds).
    Aligned,
    /// Each node's first tick is uniform in the first period.
    Random,
}

/// When push forwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Forward {
    /// Once, on first acceptance (infect and die).
    Once,
    /// Every period, to `fanout` peers, while the transaction is hot (see rounds).
    Periodic,
}

/// The rumour stop rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RumorStop {
    /// After k unnecessary contacts (feedback) or k pushes (blind).
    Counter,
    /// With probability 1/k after each unnecessary contact (feedback) or push (blind).
    Coin,
}

/// Background anti-entropy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repair {
    /// Clock of the repair rounds.
    #[serde(default = "defaults::repair_period")]
    pub period: Period,
    /// "aligned" or "random".
    #[serde(default = "defaults::phase")]
    pub phase: Phase,
}

/// What a node does with two transactions spending the same (sender, nonce).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    /// Keep whichever arrived first, as mempools do; nodes may diverge.
    FirstSeen,
    /// The lower transaction id wins everywhere; logs converge.
    LowestId,
}

/// Ledger rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// "first_seen" or "lowest_id".
    #[serde(default = "defaults::conflict_policy")]
    pub conflict_policy: ConflictPolicy,
    /// Transactions a node holds waiting for a nonce gap or funds (oldest evicted), ≥ 1.
    #[serde(default = "defaults::pending_capacity")]
    pub pending_capacity: u32,
    /// Starting balance of every account (workload.accounts of them).
    #[serde(default = "defaults::genesis_balance")]
    pub genesis_balance: u64,
    /// Accounts whose starting balance differs.
    #[serde(default)]
    pub genesis_overrides: Vec<BalanceOverride>,
}

/// One account with its own starting balance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BalanceOverride {
    /// Account index, below workload.accounts.
    pub account: u32,
    /// Its starting balance.
    pub balance: u64,
}

/// The transactions submitted to the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Transactions to create (each double-spend pair counts as two).
    #[serde(default = "defaults::transactions")]
    pub transactions: u32,
    /// Accounts that send and receive, ≥ 1 (also the number of genesis accounts).
    #[serde(default = "defaults::accounts")]
    pub accounts: u32,
    /// When transactions are created.
    #[serde(default = "defaults::arrival")]
    pub arrival: Arrival,
    /// Time of the first arrival (poisson, uniform).
    #[serde(default = "defaults::start")]
    pub start: Duration,
    /// Fraction of transactions that get a conflicting twin (same sender and nonce) submitted at another node, 0–1.
    #[serde(default = "defaults::double_spend_fraction")]
    pub double_spend_fraction: f64,
    /// Smallest amount transferred.
    #[serde(default = "defaults::amount_min")]
    pub amount_min: u64,
    /// Largest amount transferred (≥ amount_min).
    #[serde(default = "defaults::amount_max")]
    pub amount_max: u64,
    /// Fee of every transaction.
    #[serde(default = "defaults::fee")]
    pub fee: u64,
    /// Modelled body size beyond the fixed header, in bytes (matters with upload_bandwidth).
    #[serde(default = "defaults::payload_bytes")]
    pub payload_bytes: u32,
    /// "random" (a random live node per transaction) or a node id.
    #[serde(default = "defaults::origin")]
    pub origin: Origin,
}

/// How transactions arrive.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Arrival {
    /// A Poisson process.
    Poisson(PoissonArrival),
    /// One every `interval`.
    Uniform(UniformArrival),
    /// All at once, at `at`.
    Burst(BurstArrival),
}

kind_tagged!(Arrival {
    "poisson" => Poisson(PoissonArrival),
    "uniform" => Uniform(UniformArrival),
    "burst" => Burst(BurstArrival),
});

/// `poisson` arrivals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoissonArrival {
    /// Mean arrivals per second (> 0).
    pub rate_per_s: f64,
}

/// `uniform` arrivals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UniformArrival {
    /// Gap between arrivals (> 0).
    pub interval: Duration,
}

/// `burst` arrivals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurstArrival {
    /// When every transaction is created.
    pub at: Duration,
}

/// A fault.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Selected nodes crash at `at`, optionally recovering after `recover_after`.
    Crash(Crash),
    /// Nodes leave at random and rejoin after a random downtime.
    Churn(Churn),
    /// The network splits into groups from `at` until `heal_at`.
    Partition(Partition),
    /// Selected nodes misbehave for the whole run.
    Misbehave(Misbehave),
}

kind_tagged!(Fault {
    "crash" => Crash(Crash),
    "churn" => Churn(Churn),
    "partition" => Partition(Partition),
    "misbehave" => Misbehave(Misbehave),
});

/// `crash`: give exactly one of fraction, count, ids, highest_degree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Crash {
    /// When the nodes crash.
    pub at: Duration,
    /// This fraction of all nodes, chosen at random (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// This many nodes, chosen at random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// These node ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<u32>>,
    /// The nodes of highest degree, this many (ties: lower id first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest_degree: Option<u32>,
    /// Downtime before each node recovers. Absent: the nodes stay down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover_after: Option<Duration>,
    /// Whether a recovering node loses its state.
    #[serde(default = "defaults::wipe")]
    pub wipe: bool,
}

/// `churn`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Churn {
    /// Start of the churn window.
    #[serde(default = "defaults::churn_from")]
    pub from: Duration,
    /// End of the churn window (> from).
    pub until: Duration,
    /// Leaves per second across the whole network (> 0).
    pub leave_rate_per_s: f64,
    /// Mean of the exponential downtime (> 0).
    pub mean_downtime: Duration,
    /// Whether a rejoining node loses its state.
    #[serde(default = "defaults::wipe")]
    pub wipe: bool,
}

/// `partition`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// When the network splits.
    pub at: Duration,
    /// When it heals (> at). Absent: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heal_at: Option<Duration>,
    /// Share of nodes in each group (2 to 255 groups), summing to 1; members drawn at random.
    pub groups: Vec<f64>,
}

/// `misbehave`: give exactly one of fraction, count, ids, highest_degree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Misbehave {
    /// "drop" (accept, never forward), "tamper" (forward altered bodies) or "equivocate" (originate double-spend pairs).
    pub behaviour: Behaviour,
    /// This fraction of all nodes, chosen at random (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// This many nodes, chosen at random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// These node ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<u32>>,
    /// The nodes of highest degree, this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest_degree: Option<u32>,
}

/// A misbehaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Accepts transactions but never forwards them.
    Drop,
    /// Forwards altered bodies.
    Tamper,
    /// Originates double-spend pairs.
    Equivocate,
}

/// When the run ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    /// Time cap: nothing after this virtual time is simulated (> 0).
    #[serde(default = "defaults::stop_at")]
    pub at: Duration,
    /// "converged" (all live honest nodes hold equal logs after the last transaction was created), "time" (run to `at`) or "quiescent" (until no events remain, or `at`).
    #[serde(default = "defaults::stop_when")]
    pub when: StopWhen,
    /// Cap on processed events (≥ 1).
    #[serde(default = "defaults::max_events")]
    pub max_events: u64,
}

/// The stop rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopWhen {
    /// As soon as all live honest nodes agree after the last transaction was created.
    Converged,
    /// At `at`.
    Time,
    /// When no events remain (or at `at`).
    Quiescent,
}

/// Report options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Spacing of time-series samples: a duration or "auto".
    #[serde(default = "defaults::sample_interval")]
    pub sample_interval: AutoOr<Duration>,
    /// Whether to draw SVG/PNG charts.
    #[serde(default = "defaults::charts")]
    pub charts: bool,
}

/// Event-queue tuning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Engine {
    /// "calendar" (fast) or "heap" (the reference); results are identical.
    #[serde(default = "defaults::queue")]
    pub queue: QueueKind,
    /// Calendar bucket width: a duration or "auto" (a quarter of the median link latency, clamped to 1us–1s).
    #[serde(default = "defaults::bucket_width")]
    pub bucket_width: AutoOr<Duration>,
}

/// The event-queue implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// Calendar queue: O(1) amortised.
    Calendar,
    /// Binary heap: O(log n), the reference implementation.
    Heap,
}

//! The network model: what happens to one message between send and delivery.
//!
//! A message passes through an ordered list of [`LinkRule`]s. Each returns a
//! [`Verdict`]: pass unchanged, add a delay, or drop with a cause. The first drop
//! wins; delays add up. The built-in order is bandwidth (serialization at the
//! sender's uplink), partition, loss, then propagation latency. A new fault is a new
//! rule pushed onto the list: the router in [`crate::engine`] never changes.
//!
//! This module does not model congestion inside the network, reordering beyond what
//! random latency produces, or duplication.

use crate::latency::LatencyDist;
use crate::rng::SimRng;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropCause {
    /// Lost on the link (Bernoulli or Gilbert–Elliott loss).
    Loss,
    /// Sender and receiver were on different sides of a partition.
    Partition,
    /// The receiver was crashed when the message arrived.
    ReceiverDown,
}

impl DropCause {
    /// Every cause, in reporting order.
    pub const ALL: [DropCause; 3] = [DropCause::Loss, DropCause::Partition, DropCause::ReceiverDown];

    /// The snake_case name used in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            DropCause::Loss => "loss",
            DropCause::Partition => "partition",
            DropCause::ReceiverDown => "receiver_down",
        }
    }

    /// A dense index for counters.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a rule decides for one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No effect.
    Pass,
    /// Add this many nanoseconds to the message's delay.
    Delay(u64),
    /// Drop the message.
    Drop(DropCause),
}

/// A message as the rules see it.
#[derive(Clone, Copy, Debug)]
pub struct Envelope {
    pub now: SimTime,
    pub from: u32,
    pub to: u32,
    pub bytes: u32,
}

/// One rule of the network model. Rules may keep state (a bursty-loss channel, an
/// uplink queue) and draw from the network stream.
pub trait LinkRule {
    /// Judged once, when the message is sent.
    fn on_send(&mut self, msg: &Envelope, rng: &mut SimRng) -> Verdict;

    /// Judged again when the message arrives (`msg.now` is the arrival time); a rule
    /// that can cut a link mid-flight (a partition) returns a drop here.
    fn on_arrival(&self, _msg: &Envelope) -> Option<DropCause> {
        None
    }
}

/// Per-message loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LossModel {
    /// No loss.
    None,
    /// Each message independently lost with probability `p`.
    Bernoulli { p: f64 },
    /// Gilbert–Elliott bursty loss. Each sender's uplink is a two-state Markov
    /// chain advanced once per message it sends: from good it turns bad with
    /// probability `p_good_to_bad`, from bad it turns good with `p_bad_to_good`;
    /// a message is lost with `loss_good` or `loss_bad` in the state it finds.
    GilbertElliott { p_good_to_bad: f64, p_bad_to_good: f64, loss_good: f64, loss_bad: f64 },
}

impl LossModel {
    /// The long-run fraction of messages lost.
    pub fn stationary_loss(&self) -> f64 {
        match *self {
            LossModel::None => 0.0,
            LossModel::Bernoulli { p } => p,
            LossModel::GilbertElliott { p_good_to_bad, p_bad_to_good, loss_good, loss_bad } => {
                let total = p_good_to_bad + p_bad_to_good;
                if total <= 0.0 {
                    return loss_good;
                }
                let bad = p_good_to_bad / total;
                bad * loss_bad + (1.0 - bad) * loss_good
            }
        }
    }
}

/// A region model: nodes are assigned to regions by share; the delay between two
/// regions is a base value from the matrix plus a jitter draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionModel {
    /// Region names, for reports.
    pub names: Vec<String>,
    /// Share of nodes in each region; sums to 1.
    pub shares: Vec<f64>,
    /// `base_ns[a][b]`: base one-way delay from region `a` to region `b`.
    pub base_ns: Vec<Vec<u64>>,
    /// Added to the base on every message.
    pub jitter: LatencyDist,
}

/// How one message's propagation delay is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum LatencyModel {
    /// Every link draws from one distribution.
    Global { dist: LatencyDist },
    /// Region matrix plus jitter.
    Regions(RegionModel),
}

/// A partition: over `[start, heal)` the nodes are split into groups (by share,
/// members drawn at random) and no message crosses between groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartitionSpec {
    pub start: SimTime,
    /// [`SimTime::MAX`] for a partition that never heals.
    pub heal: SimTime,
    /// Share of nodes in each group; sums to 1.
    pub groups: Vec<f64>,
}

/// The whole network configuration of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkConfig {
    pub latency: LatencyModel,
    pub loss: LossModel,
    /// Upload bandwidth of every node in bytes per second; `None` means infinite
    /// (no serialization delay).
    pub upload_bytes_per_sec: Option<u64>,
    pub partitions: Vec<PartitionSpec>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            latency: LatencyModel::Global { dist: LatencyDist::Constant { value_ns: 0 } },
            loss: LossModel::None,
            upload_bytes_per_sec: None,
            partitions: Vec::new(),
        }
    }
}

/// Serialization delay at the sender's uplink: messages leave one after another
/// at the configured rate, so a burst of sends queues behind itself.
pub struct BandwidthRule {
    bytes_per_sec: u64,
    busy_until: Vec<u64>,
}

impl BandwidthRule {
    pub fn new(node_count: u32, bytes_per_sec: u64) -> Self {
        BandwidthRule { bytes_per_sec: bytes_per_sec.max(1), busy_until: vec![0; node_count as usize] }
    }
}

impl LinkRule for BandwidthRule {
    fn on_send(&mut self, msg: &Envelope, _rng: &mut SimRng) -> Verdict {
        let now = msg.now.as_nanos();
        let transmit =
            (u128::from(msg.bytes) * u128::from(SimTime::NANOS_PER_SEC)).div_ceil(u128::from(self.bytes_per_sec));
        let slot = &mut self.busy_until[msg.from as usize];
        let start = (*slot).max(now);
        *slot = start.saturating_add(transmit as u64);
        Verdict::Delay(*slot - now)
    }
}

/// Drops messages between groups while a partition lasts, at send and at arrival.
pub struct PartitionRule {
    start: u64,
    heal: u64,
    group_of: Vec<u8>,
}

impl PartitionRule {
    /// Assigns nodes to groups: a random permutation split by cumulative share.
    pub fn new(spec: &PartitionSpec, node_count: u32, rng: &mut SimRng) -> Self {
        let n = node_count as usize;
        let mut order: Vec<u32> = (0..node_count).collect();
        for i in (1..n).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        let mut group_of = vec![0u8; n];
        let total: f64 = spec.groups.iter().sum();
        let mut cumulative = 0.0;
        let mut begin = 0usize;
        for (g, share) in spec.groups.iter().enumerate() {
            cumulative += share / total;
            let end = if g + 1 == spec.groups.len() { n } else { libm::round(cumulative * n as f64) as usize };
            for &node in &order[begin..end.min(n)] {
                group_of[node as usize] = g as u8;
            }
            begin = end.min(n);
        }
        PartitionRule { start: spec.start.as_nanos(), heal: spec.heal.as_nanos(), group_of }
    }

    /// The group a node is in while the partition lasts.
    pub fn group_of(&self, node: u32) -> u8 {
        self.group_of[node as usize]
    }

    fn cuts(&self, msg: &Envelope) -> bool {
        let t = msg.now.as_nanos();
        t >= self.start && t < self.heal && self.group_of[msg.from as usize] != self.group_of[msg.to as usize]
    }
}

impl LinkRule for PartitionRule {
    fn on_send(&mut self, msg: &Envelope, _rng: &mut SimRng) -> Verdict {
        if self.cuts(msg) { Verdict::Drop(DropCause::Partition) } else { Verdict::Pass }
    }
    fn on_arrival(&self, msg: &Envelope) -> Option<DropCause> {
        self.cuts(msg).then_some(DropCause::Partition)
    }
}

/// Independent or bursty per-message loss.
pub struct LossRule {
    model: LossModel,
    /// Its own stream, so switching loss on or off shifts no latency draw.
    rng: SimRng,
    /// Gilbert–Elliott channel state per sender (true = bad); empty otherwise.
    bad: Vec<bool>,
}

impl LossRule {
    pub fn new(model: LossModel, node_count: u32, rng: SimRng) -> Self {
        let bad = match model {
            LossModel::GilbertElliott { .. } => vec![false; node_count as usize],
            _ => Vec::new(),
        };
        LossRule { model, rng, bad }
    }
}

impl LinkRule for LossRule {
    fn on_send(&mut self, msg: &Envelope, _network: &mut SimRng) -> Verdict {
        let rng = &mut self.rng;
        let lost = match self.model {
            LossModel::None => false,
            LossModel::Bernoulli { p } => rng.bernoulli(p),
            LossModel::GilbertElliott { p_good_to_bad, p_bad_to_good, loss_good, loss_bad } => {
                let state = &mut self.bad[msg.from as usize];
                *state = if *state { !rng.bernoulli(p_bad_to_good) } else { rng.bernoulli(p_good_to_bad) };
                rng.bernoulli(if *state { loss_bad } else { loss_good })
            }
        };
        if lost { Verdict::Drop(DropCause::Loss) } else { Verdict::Pass }
    }
}

/// Propagation delay: one global distribution or the region matrix plus jitter.
pub struct LatencyRule {
    model: LatencyModel,
    region_of: Vec<u8>,
}

impl LatencyRule {
    /// Assigns regions (if any) by share over a random permutation of the nodes.
    pub fn new(model: LatencyModel, node_count: u32, rng: &mut SimRng) -> Self {
        let region_of = match &model {
            LatencyModel::Global { .. } => Vec::new(),
            LatencyModel::Regions(regions) => {
                let split = PartitionRule::new(
                    &PartitionSpec { start: SimTime::ZERO, heal: SimTime::MAX, groups: regions.shares.clone() },
                    node_count,
                    rng,
                );
                split.group_of
            }
        };
        LatencyRule { model, region_of }
    }

    /// The region a node belongs to (0 without a region model).
    pub fn region_of(&self, node: u32) -> u8 {
        self.region_of.get(node as usize).copied().unwrap_or(0)
    }
}

impl LinkRule for LatencyRule {
    #[inline]
    fn on_send(&mut self, msg: &Envelope, rng: &mut SimRng) -> Verdict {
        match &self.model {
            LatencyModel::Global { dist } => Verdict::Delay(dist.sample(rng)),
            LatencyModel::Regions(regions) => {
                let a = self.region_of[msg.from as usize] as usize;
                let b = self.region_of[msg.to as usize] as usize;
                Verdict::Delay(regions.base_ns[a][b].saturating_add(regions.jitter.sample(rng)))
            }
        }
    }
}

/// Stream indices of the network purpose. Each use has its own stream so that
/// adding a partition, a region model or loss changes no other draw.
pub mod streams {
    /// Per-message latency draws (the stream handed to every rule).
    pub const LATENCY: u64 = 0;
    /// Per-message loss draws.
    pub const LOSS: u64 = 1;
    /// Region assignment.
    pub const REGIONS: u64 = 2;
    /// Group assignment of partition `i` is stream `PARTITION_BASE + i`.
    pub const PARTITION_BASE: u64 = 100;
}

/// The stream a network use `index` (see [`streams`]) draws from.
pub fn network_stream(seed: u64, index: u64) -> SimRng {
    SimRng::derive(seed, crate::rng::Purpose::Network, index)
}

/// The ordered rule list of a run.
pub struct Network {
    rules: Vec<Box<dyn LinkRule>>,
}

impl Network {
    /// Builds the built-in rules from a configuration, in their defined order, each
    /// drawing its set-up from its own stream of `seed` (see [`streams`]).
    pub fn from_config(config: &NetworkConfig, node_count: u32, seed: u64) -> Network {
        let mut rules: Vec<Box<dyn LinkRule>> = Vec::new();
        if let Some(rate) = config.upload_bytes_per_sec {
            rules.push(Box::new(BandwidthRule::new(node_count, rate)));
        }
        for (i, partition) in config.partitions.iter().enumerate() {
            let mut rng = network_stream(seed, streams::PARTITION_BASE + i as u64);
            rules.push(Box::new(PartitionRule::new(partition, node_count, &mut rng)));
        }
        if config.loss != LossModel::None {
            let rng = network_stream(seed, streams::LOSS);
            rules.push(Box::new(LossRule::new(config.loss.clone(), node_count, rng)));
        }
        let mut regions = network_stream(seed, streams::REGIONS);
        rules.push(Box::new(LatencyRule::new(config.latency.clone(), node_count, &mut regions)));
        Network { rules }
    }

    /// Adds a rule after the built-in ones.
    pub fn push_rule(&mut self, rule: Box<dyn LinkRule>) {
        self.rules.push(rule);
    }

    /// The fate of a message at send time: its total delay, or why it is dropped
    /// (the first drop in rule order). Every rule judges every message, even one
    /// already dropped, so each send consumes the same draws whatever the verdicts:
    /// switching loss on does not shift which latency the next message gets.
    #[inline]
    pub fn judge_send(&mut self, msg: &Envelope, rng: &mut SimRng) -> Result<u64, DropCause> {
        let mut delay = 0u64;
        let mut dropped = None;
        for rule in &mut self.rules {
            match rule.on_send(msg, rng) {
                Verdict::Pass => {}
                Verdict::Delay(d) => delay = delay.saturating_add(d),
                Verdict::Drop(cause) => {
                    dropped.get_or_insert(cause);
                }
            }
        }
        match dropped {
            Some(cause) => Err(cause),
            None => Ok(delay),
        }
    }

    /// Whether a message may still be delivered on arrival.
    #[inline]
    pub fn judge_arrival(&self, msg: &Envelope) -> Option<DropCause> {
        self.rules.iter().find_map(|rule| rule.on_arrival(msg))
    }
}

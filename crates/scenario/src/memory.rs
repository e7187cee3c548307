//! A memory estimate for a run, computed from the resolved scenario before anything
//! is allocated, so the CLI can refuse (or warn about) a run the machine cannot hold
//! and a scheduler can be given a `--mem` figure.
//!
//! The formula, with n nodes, T transactions, d the stored degree, f the effective
//! fanout (at least 1, at most the largest degree):
//!
//! | part | bytes |
//! |---|---|
//! | topology (CSR) | 8·(n+1) + 4·n·d for explicit graphs, 0 for `complete` |
//! | engine | 8·n, + 8·n with upload bandwidth, + 1·n per partition, + 1·n for regions, + 1·n for Gilbert–Elliott loss |
//! | node state | 200·n + 64·n·T (every node will know every transaction) |
//! | metrics | 16·n·T delivery records + n·T/8 for the delivered bitsets |
//! | event queue | 48 bytes per pending event (+ 8·T per message for protocols that send summaries: pull, push_pull, anti_entropy, and any repair) × peak pending events |
//!
//! Peak pending events: push once and announce: min(2·n·f, n·f·T) messages; the
//! periodic protocols (push periodic, pull, push_pull, anti_entropy, rumor): 2·n·f
//! messages plus one timer per node; central: min(2·n, n·T); a repair schedule adds
//! 2·n summary messages and n timers; the workload adds T inputs.
//!
//! The constants are rough and meant to be calibrated against measured peaks; they
//! all live here.

use crate::resolved::Scenario;
use gossim_engine::{LatencyModel, LossModel, TopologySpec};
use gossim_node::{Fanout, Forward, ProtocolKind};

/// Bytes per CSR offset (u64) and per stored neighbour (u32).
pub const CSR_OFFSET_BYTES: u64 = 8;
pub const CSR_TARGET_BYTES: u64 = 4;
/// Engine bookkeeping per node (liveness, incarnation, misbehaviour tag).
pub const ENGINE_BYTES_PER_NODE: u64 = 8;
/// Uplink "busy until" time per node when bandwidth is modelled.
pub const BANDWIDTH_BYTES_PER_NODE: u64 = 8;
/// Group byte per node per partition, region byte per node, loss-state byte per node.
pub const PARTITION_BYTES_PER_NODE: u64 = 1;
pub const REGION_BYTES_PER_NODE: u64 = 1;
pub const BURSTY_LOSS_BYTES_PER_NODE: u64 = 1;
/// Fixed node state (ledger head, pools, timers, protocol bookkeeping).
pub const NODE_BASE_BYTES: u64 = 200;
/// Node state per transaction a node knows.
pub const NODE_BYTES_PER_KNOWN_TX: u64 = 64;
/// One delivery record in the runner's metrics.
pub const DELIVERY_RECORD_BYTES: u64 = 16;
/// One pending event in the queue (key, sequence, payload).
pub const EVENT_BYTES: u64 = 48;
/// Per transaction id carried in a summary (pull, push_pull, anti_entropy, repair).
pub const SUMMARY_BYTES_PER_TX: u64 = 8;

/// Estimated peak memory of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Sum of the parts, in bytes.
    pub total_bytes: u64,
    /// `(part, bytes)`: topology, engine, node_state, metrics, event_queue.
    pub parts: Vec<(&'static str, u64)>,
}

/// Neighbours stored per node (0 for the implicit complete graph), and the largest
/// number of peers a node can have.
fn degrees(topology: &TopologySpec, n: u64) -> (u64, u64) {
    let peers = n.saturating_sub(1);
    let stored = match *topology {
        TopologySpec::Complete => return (0, peers),
        TopologySpec::RandomRegular { degree } => u64::from(degree),
        // k chosen plus, on average, k choosing this node.
        TopologySpec::KOut { k } => 2 * u64::from(k),
        TopologySpec::ErdosRenyi { mean_degree } => mean_degree.max(0.0).ceil() as u64,
        TopologySpec::WattsStrogatz { k, .. } => u64::from(k),
        TopologySpec::BarabasiAlbert { m } => 2 * u64::from(m),
        TopologySpec::Ring { k } => 2 * u64::from(k),
    };
    (stored.min(peers), peers)
}

/// Estimates the peak memory of running `scenario` once.
pub fn estimate_memory(scenario: &Scenario) -> MemoryEstimate {
    let n = u64::from(scenario.nodes);
    let t = u64::from(scenario.workload.transactions);
    let n_t = n.saturating_mul(t);
    let (stored_degree, peers) = degrees(&scenario.topology, n);
    let topology = if matches!(scenario.topology, TopologySpec::Complete) {
        0
    } else {
        CSR_OFFSET_BYTES * (n + 1) + CSR_TARGET_BYTES.saturating_mul(n).saturating_mul(stored_degree)
    };
    let network = &scenario.engine.network;
    let mut engine = ENGINE_BYTES_PER_NODE * n;
    if network.upload_bytes_per_sec.is_some() {
        engine += BANDWIDTH_BYTES_PER_NODE * n;
    }
    engine += PARTITION_BYTES_PER_NODE * n * network.partitions.len() as u64;
    if matches!(network.latency, LatencyModel::Regions(_)) {
        engine += REGION_BYTES_PER_NODE * n;
    }
    if matches!(network.loss, LossModel::GilbertElliott { .. }) {
        engine += BURSTY_LOSS_BYTES_PER_NODE * n;
    }
    let node_state = (NODE_BASE_BYTES * n).saturating_add(NODE_BYTES_PER_KNOWN_TX.saturating_mul(n_t));
    let metrics = DELIVERY_RECORD_BYTES.saturating_mul(n_t).saturating_add(n_t.div_ceil(8));
    let event_queue = event_queue_bytes(scenario, n, t, peers);
    let parts = vec![
        ("topology", topology),
        ("engine", engine),
        ("node_state", node_state),
        ("metrics", metrics),
        ("event_queue", event_queue),
    ];
    let total_bytes = parts.iter().fold(0u64, |sum, (_, bytes)| sum.saturating_add(*bytes));
    MemoryEstimate { total_bytes, parts }
}

fn event_queue_bytes(scenario: &Scenario, n: u64, t: u64, peers: u64) -> u64 {
    let protocol = &scenario.node.protocol;
    let max_peers = match scenario.topology {
        TopologySpec::Complete => peers,
        _ => degrees(&scenario.topology, n).0.max(1),
    };
    let fanout = match protocol.fanout {
        Fanout::Fixed { count } => u64::from(count),
        Fanout::All => max_peers,
        Fanout::Mixed { mean } | Fanout::Poisson { mean } => mean.max(0.0).ceil() as u64,
    }
    .clamp(1, max_peers.max(1));
    let summary = SUMMARY_BYTES_PER_TX.saturating_mul(t);
    let flow = n.saturating_mul(fanout);
    let (messages, message_bytes, timers) = match &protocol.kind {
        ProtocolKind::Push { forward: Forward::Once } | ProtocolKind::Announce { .. } => {
            (flow.saturating_mul(2).min(flow.saturating_mul(t)), EVENT_BYTES, 0)
        }
        ProtocolKind::Push { forward: Forward::Periodic } | ProtocolKind::Rumor { .. } => {
            (flow.saturating_mul(2), EVENT_BYTES, n)
        }
        ProtocolKind::Pull | ProtocolKind::PushPull | ProtocolKind::AntiEntropy => {
            (flow.saturating_mul(2), EVENT_BYTES.saturating_add(summary), n)
        }
        ProtocolKind::Central { .. } => (n.saturating_mul(2).min(n.saturating_mul(t)), EVENT_BYTES, 0),
    };
    let mut bytes = messages.saturating_mul(message_bytes).saturating_add(EVENT_BYTES * timers);
    if protocol.repair.is_some() {
        bytes = bytes
            .saturating_add(n.saturating_mul(2).saturating_mul(EVENT_BYTES.saturating_add(summary)))
            .saturating_add(EVENT_BYTES * n);
    }
    bytes.saturating_add(EVENT_BYTES.saturating_mul(t))
}

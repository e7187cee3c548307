//! Every default of the scenario file, written once.
//!
//! The schema's `#[serde(default = ...)]` attributes, the `Default` impls of its
//! sections, the resolution of kind-dependent keys and the JSON Schema all call these
//! functions; docs/SCENARIO.md lists the same values (a test checks the documented
//! resolution of a minimal file against this module).

use crate::forms::{AutoOr, Fanout, Origin, Period, Rounds};
use crate::schema::{
    Arrival, ConflictPolicy, Engine, Forward, Latency, Ledger, Loss, Network, Phase, ProtocolKind, QueueKind, Report,
    RumorStop, Stop, StopWhen, Topology, Workload,
};
use crate::units::Duration;

const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;

/// `seed`: 1.
pub fn seed() -> u64 {
    1
}

/// `topology`: the complete graph (uniform peer sampling over all nodes).
pub fn topology() -> Topology {
    Topology::Complete
}

/// `network.latency`: a constant 50 ms one-way delay.
pub fn latency() -> Latency {
    Latency::Constant(crate::schema::ConstantLatency { value: Duration(50 * MS) })
}

/// `network.latency.jitter` of a region model: none.
pub fn jitter() -> Box<Latency> {
    Box::new(Latency::Constant(crate::schema::ConstantLatency { value: Duration(0) }))
}

/// `network.loss`: no loss.
pub fn loss() -> Loss {
    Loss::None
}

/// `loss_good` of Gilbert–Elliott loss: nothing is lost in the good state.
pub fn loss_good() -> f64 {
    0.0
}

/// `loss_bad` of Gilbert–Elliott loss: everything is lost in the bad state.
pub fn loss_bad() -> f64 {
    1.0
}

/// `protocol.fanout`: 4 for push, 8 for announce, 1 for the exchange protocols
/// (pull, push_pull, anti_entropy, rumor), where one partner per period is classic.
pub fn fanout(kind: ProtocolKind) -> Fanout {
    match kind {
        ProtocolKind::Push => Fanout::Count(4),
        ProtocolKind::Announce => Fanout::Count(8),
        ProtocolKind::Pull
        | ProtocolKind::PushPull
        | ProtocolKind::AntiEntropy
        | ProtocolKind::Rumor
        | ProtocolKind::Central => Fanout::Count(1),
    }
}

/// `protocol.exclude_sender`: true.
pub fn exclude_sender() -> bool {
    true
}

/// `protocol.period`: 1 s, fixed.
pub fn period() -> Period {
    Period::Fixed(Duration(S))
}

/// `protocol.phase` and `protocol.repair.phase`: random.
pub fn phase() -> Phase {
    Phase::Random
}

/// `protocol.rounds`: forever.
pub fn rounds() -> Rounds {
    Rounds::Forever
}

/// `protocol.forward` (push): once.
pub fn forward() -> Forward {
    Forward::Once
}

/// `protocol.request_timeout` (announce): 1 s.
pub fn request_timeout() -> Duration {
    Duration(S)
}

/// `protocol.max_retries` (announce): 3.
pub fn max_retries() -> u32 {
    3
}

/// `protocol.feedback` (rumor): true.
pub fn feedback() -> bool {
    true
}

/// `protocol.stop` (rumor): counter.
pub fn rumor_stop() -> RumorStop {
    RumorStop::Counter
}

/// `protocol.k` (rumor): 4.
pub fn rumor_k() -> u32 {
    4
}

/// `protocol.reset_on_useful` (rumor): false.
pub fn reset_on_useful() -> bool {
    false
}

/// `protocol.judge_at_cycle_start` (rumor): false.
pub fn judge_at_cycle_start() -> bool {
    false
}

/// `protocol.servers` (central): node 0.
pub fn servers() -> Vec<u32> {
    vec![0]
}

/// `protocol.repair.period`: 2 s, fixed (slower than the protocol's own default).
pub fn repair_period() -> Period {
    Period::Fixed(Duration(2 * S))
}

/// `ledger.conflict_policy`: first_seen.
pub fn conflict_policy() -> ConflictPolicy {
    ConflictPolicy::FirstSeen
}

/// `ledger.pending_capacity`: 1024 transactions per node.
pub fn pending_capacity() -> u32 {
    1024
}

/// `ledger.genesis_balance`: 1 000 000 per account.
pub fn genesis_balance() -> u64 {
    1_000_000
}

/// `workload.transactions`: 100.
pub fn transactions() -> u32 {
    100
}

/// `workload.accounts`: 1000.
pub fn accounts() -> u32 {
    1000
}

/// `workload.arrival`: Poisson, 10 transactions per second.
pub fn arrival() -> Arrival {
    Arrival::Poisson(crate::schema::PoissonArrival { rate_per_s: 10.0 })
}

/// `workload.start`: 0 s.
pub fn start() -> Duration {
    Duration(0)
}

/// `workload.double_spend_fraction`: 0.
pub fn double_spend_fraction() -> f64 {
    0.0
}

/// `workload.amount_min`: 1.
pub fn amount_min() -> u64 {
    1
}

/// `workload.amount_max`: 100.
pub fn amount_max() -> u64 {
    100
}

/// `workload.fee`: 1.
pub fn fee() -> u64 {
    1
}

/// `workload.payload_bytes`: 250 (a typical simple transfer).
pub fn payload_bytes() -> u32 {
    250
}

/// `workload.origin`: a uniformly random live node per transaction.
pub fn origin() -> Origin {
    Origin::Random
}

/// `faults[].wipe` (crash, churn): false (a node comes back with its state).
pub fn wipe() -> bool {
    false
}

/// `faults[].from` (churn): 0 s.
pub fn churn_from() -> Duration {
    Duration(0)
}

/// `stop.at`: 60 s of virtual time.
pub fn stop_at() -> Duration {
    Duration(60 * S)
}

/// `stop.when`: converged.
pub fn stop_when() -> StopWhen {
    StopWhen::Converged
}

/// `stop.max_events`: 10⁹.
pub fn max_events() -> u64 {
    1_000_000_000
}

/// `report.sample_interval`: auto (the report crate picks it from the run length).
pub fn sample_interval() -> AutoOr<Duration> {
    AutoOr::Auto
}

/// `report.charts`: true.
pub fn charts() -> bool {
    true
}

/// `engine.queue`: calendar.
pub fn queue() -> QueueKind {
    QueueKind::Calendar
}

/// `engine.bucket_width`: auto (a quarter of the median link latency, 1 µs–1 s).
pub fn bucket_width() -> AutoOr<Duration> {
    AutoOr::Auto
}

/// `sweep.seeds`: 1.
pub fn sweep_seeds() -> u32 {
    1
}

impl Default for Network {
    fn default() -> Self {
        Network { latency: latency(), loss: loss(), upload_bandwidth: None }
    }
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            conflict_policy: conflict_policy(),
            pending_capacity: pending_capacity(),
            genesis_balance: genesis_balance(),
            genesis_overrides: Vec::new(),
        }
    }
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            transactions: transactions(),
            accounts: accounts(),
            arrival: arrival(),
            start: start(),
            double_spend_fraction: double_spend_fraction(),
            amount_min: amount_min(),
            amount_max: amount_max(),
            fee: fee(),
            payload_bytes: payload_bytes(),
            origin: origin(),
        }
    }
}

impl Default for Stop {
    fn default() -> Self {
        Stop { at: stop_at(), when: stop_when(), max_events: max_events() }
    }
}

impl Default for Report {
    fn default() -> Self {
        Report { sample_interval: sample_interval(), charts: charts() }
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine { queue: queue(), bucket_width: bucket_width() }
    }
}

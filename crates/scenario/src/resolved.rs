//! The resolved scenario: validated values in the units the simulator uses (integer
//! nanoseconds, bytes per second), every default applied.

use gossim_engine::{EngineConfig, TopologySpec};
use gossim_node::NodeConfig;

/// One fully resolved experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Experiment name; results go to `results/<name>/`.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Master seed (also `engine.seed`).
    pub seed: u64,
    /// Number of nodes.
    pub nodes: u32,
    /// The overlay to build.
    pub topology: TopologySpec,
    /// Network, faults, misbehaviour, limits (`max_time = stop.at`, `max_events`) and
    /// queue choice.
    pub engine: EngineConfig,
    /// Protocol, conflict policy and pending-pool capacity shared by every node.
    pub node: NodeConfig,
    /// Starting balances.
    pub genesis: GenesisSpec,
    /// The transactions to submit.
    pub workload: WorkloadSpec,
    /// When the run ends.
    pub stop: StopSpec,
    /// Report options.
    pub report: ReportSpec,
    /// The sweep, if the file has one.
    pub sweep: Option<SweepSpec>,
}

/// Starting balances of the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisSpec {
    /// Number of accounts (the workload's `accounts`).
    pub accounts: u32,
    /// Balance of every account not overridden.
    pub default_balance: u64,
    /// `(account, balance)` pairs, in file order.
    pub overrides: Vec<(u32, u64)>,
}

/// The transactions submitted during a run.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSpec {
    /// Transactions to create.
    pub transactions: u32,
    /// Accounts that send and receive.
    pub accounts: u32,
    /// Arrival process.
    pub arrival: Arrival,
    /// Time of the first arrival, in nanoseconds (poisson and uniform arrivals).
    pub start_ns: u64,
    /// Fraction of transactions that get a conflicting twin, in [0, 1].
    pub double_spend_fraction: f64,
    /// Smallest transferred amount.
    pub amount_min: u64,
    /// Largest transferred amount (≥ `amount_min`).
    pub amount_max: u64,
    /// Fee of every transaction.
    pub fee: u64,
    /// Modelled body size in bytes.
    pub payload_bytes: u32,
    /// Which node submits each transaction.
    pub origin: Origin,
}

/// When transactions are created.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arrival {
    /// A Poisson process with this mean rate (per second of virtual time, > 0).
    Poisson { rate_per_sec: f64 },
    /// One every `interval_ns` (> 0), starting at `start_ns`.
    Uniform { interval_ns: u64 },
    /// All at `at_ns`.
    Burst { at_ns: u64 },
}

/// Which node submits a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A uniformly random live node per transaction.
    Random,
    /// Always this node.
    Node(u32),
}

/// When the run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StopSpec {
    /// Time cap in nanoseconds (> 0).
    pub at_ns: u64,
    /// The stop rule.
    pub when: StopWhen,
    /// Cap on processed events (≥ 1).
    pub max_events: u64,
}

/// The stop rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopWhen {
    /// Stop as soon as all live honest nodes hold equal digests after the last
    /// transaction was created (or at `at`).
    Converged,
    /// Run to `at`.
    Time,
    /// Run until no events remain, or `at`.
    Quiescent,
}

/// Report options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportSpec {
    /// Time-series sample spacing in nanoseconds; `None` lets the report choose.
    pub sample_interval_ns: Option<u64>,
    /// Whether to draw charts.
    pub charts: bool,
}

/// A parameter sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// JSON paths and the values to try, in file order. Every path has been checked to
    /// be settable with every one of its values.
    pub vary: Vec<(String, Vec<serde_json::Value>)>,
    /// Runs per combination (≥ 1).
    pub seeds: u32,
}

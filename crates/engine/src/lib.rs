//! The deterministic discrete-event engine of gossim.
//!
//! It owns virtual time, the event queue, the seeded random streams, the network
//! model (latency, loss, partitions, bandwidth), node faults (crash, recovery,
//! churn), the overlay topology, the observation hook and the trace digest. It knows
//! nothing of ledgers or gossip: a [`Model`] supplies the message, timer and input
//! types and reacts to them.
//!
//! - [`time`]: `SimTime`, integer nanoseconds.
//! - [`queue`] / [`calendar`]: pending events ordered by `(time, seq)`.
//! - [`rng`]: one ChaCha8 stream per purpose and the project's own samplers.
//! - [`latency`]: per-message delay distributions.
//! - [`network`]: the ordered rules (bandwidth, partition, loss, latency) a message passes.
//! - [`faults`]: crash, crash-recover and churn plans; misbehaviour marks.
//! - [`topology`]: complete, random-regular, k-out, Erdős–Rényi, Watts–Strogatz,
//!   Barabási–Albert and ring overlays in CSR form.
//! - [`observe`]: the observer hook; [`trace`]: the SHA-256 trace digest.
//! - [`engine`]: the event loop and the [`Model`] contract.
//!
//! Not here: wall-clock time, threads, and anything about what messages mean.

pub mod calendar;
pub mod engine;
pub mod faults;
pub mod latency;
pub mod network;
pub mod observe;
pub mod prefetch;
pub mod queue;
pub mod rng;
pub mod time;
pub mod topology;
pub mod trace;
pub mod ziggurat;

pub use engine::{Ctx, Engine, EngineConfig, EngineError, Model, NodeTable, RunLimits, RunOutcome, StopReason};
pub use faults::{MisbehaviourSpec, NodeFaultSpec, NodeSelection};
pub use latency::LatencyDist;
pub use network::{DropCause, LatencyModel, LossModel, NetworkConfig, PartitionSpec, RegionModel};
pub use observe::Observer;
pub use queue::{EventKey, EventQueue, QueueKind};
pub use rng::{Purpose, SimRng};
pub use time::SimTime;
pub use topology::{DegreeStats, Neighbours, Topology, TopologySpec};

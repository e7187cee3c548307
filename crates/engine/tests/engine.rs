//! The engine's integration tests, one module per behaviour it promises.
//!
//! Every test drives [`toy::Toy`], a small flood/ping model, through the public API
//! on the implicit complete graph and checks what the model and a recording observer
//! saw. Statistical tests use fixed seeds and bounds whose false-failure probability
//! is stated where they are defined.
//!
//! - `determinism`: same seed, same digest; different seed, different digest.
//! - `ordering`: equal-time events run in insertion order.
//! - `timeline`: time never runs backwards; heap and calendar queues agree.
//! - `latency`: each sampler against its mean and quantiles.
//! - `loss`: Bernoulli and Gilbert–Elliott loss rates.
//! - `partition`: nothing crosses a partition while it lasts.
//! - `faults`: crashed nodes receive nothing and fire nothing; churn.
//! - `limits`: how a run stops.
//! - `bandwidth`: serialization delay at the sender's uplink.
//! - `regions`: the region latency matrix.

// The crate root's modules resolve next to it, so each names its file under `engine/`.
#[path = "engine/toy.rs"]
mod toy;

#[path = "engine/bandwidth.rs"]
mod bandwidth;
#[path = "engine/determinism.rs"]
mod determinism;
#[path = "engine/faults.rs"]
mod faults;
#[path = "engine/latency.rs"]
mod latency;
#[path = "engine/limits.rs"]
mod limits;
#[path = "engine/loss.rs"]
mod loss;
#[path = "engine/ordering.rs"]
mod ordering;
#[path = "engine/partition.rs"]
mod partition;
#[path = "engine/regions.rs"]
mod regions;
#[path = "engine/timeline.rs"]
mod timeline;

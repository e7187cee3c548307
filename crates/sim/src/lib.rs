//! The gossim runner: binds the engine to the replicating nodes, generates the
//! workload, measures, and writes results.
//!
//! - [`runner`]: `run_scenario` — one scenario, one seed, single-threaded, deterministic.
//! - [`workload`]: the transaction arena and submission schedule.
//! - [`collector`]: metrics from node observations and message flow.
//! - [`output`]: manifest, timing and the atomic results directory.
//! - [`sweep`] / [`sweep_charts`]: settings × seeds in parallel, shards, merge, summaries.
//! - [`validation`]: the suite that checks gossim against published gossip theory.
//!
//! Not here: argument parsing and terminal display (the CLI), chart drawing (report).

pub mod collector;
pub mod output;
pub mod runner;
pub mod sweep;
pub mod sweep_charts;
pub mod validation;
pub mod workload;

pub use runner::{RunResult, SimError, TopologyFacts, build_topology, run_scenario, run_scenario_observed};

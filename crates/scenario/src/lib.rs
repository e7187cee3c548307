//! Scenario files for gossim: one JSON file describes one experiment; this crate reads
//! it, checks it, and resolves it into the configuration the simulator runs.
//!
//! - [`load_file`] / [`load_str`]: the entry points; apply `--set PATH=VALUE`
//!   overrides, report every problem with its JSON path, line and column
//!   ([`ScenarioErrors`]), and return a [`Loaded`]: the resolved [`Scenario`] plus the
//!   resolved file (every default written out) that loads back to the same scenario.
//! - [`from_value`] / [`set_path`]: resolve a JSON value, such as a sweep variant made
//!   by setting a path on a resolved file.
//! - [`schema`]: the file format, key by key (its doc comments are the descriptions
//!   of [`json_schema`]); [`defaults`]: every default, written once.
//! - [`units`]: durations (`"80ms"`) and bandwidths (`"10Mbit/s"`).
//! - [`estimate_memory`]: a documented estimate of a run's peak memory, made before
//!   anything is allocated.
//! - Internals: `spans` (where each JSON path sits in the text), `forms` (values with
//!   several spellings and `kind`-tagged objects), `validate` (semantic checks),
//!   `resolve` (file → engine and node configuration), `load` (the pipeline),
//!   `overrides` (`--set`).
//!
//! The crate does not build topologies, run anything or write results: it only turns
//! text into validated configuration, deterministically and without touching the
//! filesystem beyond reading the one file it is given.

pub mod defaults;
mod errors;
mod forms;
mod load;
mod memory;
mod overrides;
mod resolve;
mod resolved;
pub mod schema;
mod spans;
pub mod units;
mod validate;

pub use errors::{AT_LEAST_ONE, ScenarioError, ScenarioErrors};
pub use load::{Loaded, from_value, load_file, load_str};
pub use memory::{
    BANDWIDTH_BYTES_PER_NODE, BURSTY_LOSS_BYTES_PER_NODE, CSR_OFFSET_BYTES, CSR_TARGET_BYTES, DELIVERY_RECORD_BYTES,
    ENGINE_BYTES_PER_NODE, EVENT_BYTES, MemoryEstimate, NODE_BASE_BYTES, NODE_BYTES_PER_KNOWN_TX,
    PARTITION_BYTES_PER_NODE, REGION_BYTES_PER_NODE, SUMMARY_BYTES_PER_TX, estimate_memory,
};
pub use overrides::{parse_override, set_path};
pub use resolve::{TAG_DROP, TAG_EQUIVOCATE, TAG_TAMPER, auto_bucket_width};
pub use resolved::{Arrival, GenesisSpec, Origin, ReportSpec, Scenario, StopSpec, StopWhen, SweepSpec, WorkloadSpec};

/// The JSON Schema (2020-12) of scenario files: every key with its description and
/// default, for editors to complete and check files.
pub fn json_schema() -> serde_json::Value {
    schemars::schema_for!(schema::ScenarioFile).to_value()
}

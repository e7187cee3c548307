//! The results of one run as data: headline metrics, one row per transaction, the
//! coverage time series, and per-transaction delivery latencies for the charts.
//!
//! The runner fills these from node observations and engine events; this module
//! only defines them and their file formats. Field names are the column and key
//! names users' scripts rely on: change none without a migration note.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `metrics.json`: the run's headline figures. Definitions are in the README.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// Nodes in the run.
    pub nodes: u32,
    /// Transactions created.
    pub transactions: u32,
    /// Honest nodes up at the end: the population coverage is measured against.
    pub live_honest_nodes: u32,
    /// Share of transactions that reached every live honest node.
    pub reliability: f64,
    /// Mean over transactions of the share of live honest nodes reached.
    pub coverage_mean: f64,
    /// Time from creation until 50% of live honest nodes accepted a transaction:
    /// mean over transactions that reached all; `_p50`/`_p99` across those transactions.
    pub t50_ms: Option<f64>,
    pub t50_ms_p50: Option<f64>,
    pub t50_ms_p99: Option<f64>,
    pub t90_ms: Option<f64>,
    pub t90_ms_p50: Option<f64>,
    pub t90_ms_p99: Option<f64>,
    pub t99_ms: Option<f64>,
    pub t99_ms_p50: Option<f64>,
    pub t99_ms_p99: Option<f64>,
    pub t100_ms: Option<f64>,
    pub t100_ms_p50: Option<f64>,
    pub t100_ms_p99: Option<f64>,
    /// Messages handed to the network (payload and control).
    pub messages_sent: u64,
    /// Messages that reached a live receiver.
    pub messages_delivered: u64,
    /// Messages dropped, by cause (`loss`, `partition`, `receiver_down`) and `total`.
    pub messages_dropped: BTreeMap<String, u64>,
    /// Messages that carry a transaction body.
    pub payload_messages: u64,
    /// Messages that carry no body (announcements, requests, summaries, feedback).
    pub control_messages: u64,
    /// Payload messages per transaction, averaged.
    pub messages_per_tx: f64,
    /// Bodies received by a node that already held that transaction.
    pub duplicates: u64,
    /// Modelled bytes handed to the network.
    pub bytes_sent: u64,
    /// Relative message redundancy, payload only: mean over transactions of
    /// m / (n − 1) − 1, m = payload messages for it, n = nodes that received it (n ≥ 2).
    pub rmr: Option<f64>,
    /// Last delivery hop: the largest hop count over all first deliveries.
    pub ldh_max: u32,
    /// Rejections by reason, plus `total`.
    pub rejected: BTreeMap<String, u64>,
    /// Transactions parked in pending pools (nonce gap, funds) and evictions.
    pub pending: u64,
    pub evicted: u64,
    /// First time from which all live honest nodes held equal digests until the end
    /// (after the last transaction was created); null if never.
    pub converged_at_ms: Option<f64>,
    /// Distinct digests among live honest nodes at the end.
    pub distinct_digests_at_end: u32,
    /// Most messages sent by one node (the load on a central server).
    pub max_node_messages_sent: u64,
    /// Events the engine processed.
    pub events: u64,
    /// Virtual time at which the run ended.
    pub final_time_ms: f64,
    /// Why the run ended: converged, time_limit, event_limit, quiescent.
    pub stop_reason: String,
}

/// One row of `tx.csv`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TxRow {
    /// Transaction index.
    pub tx: u32,
    /// Node it was submitted at.
    pub origin: u32,
    pub created_ms: f64,
    /// Live honest nodes that accepted it.
    pub reached: u32,
    pub reached_fraction: f64,
    /// Times since creation until the share of live honest nodes reached; empty when
    /// that share was never reached.
    pub t50_ms: Option<f64>,
    pub t90_ms: Option<f64>,
    pub t99_ms: Option<f64>,
    pub t100_ms: Option<f64>,
    /// Payload messages that carried it.
    pub messages: u64,
    /// Last delivery hop.
    pub ldh: u32,
}

/// One row of `coverage.csv` (tidy time series).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub time_ms: f64,
    /// Delivered (node, transaction) pairs over live honest nodes × created transactions.
    pub fraction_delivered: f64,
    /// Live honest nodes whose digest equals the most common one.
    pub converged_nodes: u32,
    /// Messages sent so far (cumulative).
    pub messages: u64,
}

/// Everything a run produced that the report writes and draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunReport {
    pub metrics: RunMetrics,
    pub tx_rows: Vec<TxRow>,
    pub coverage: Vec<CoverageRow>,
    /// For each transaction, the delivery latencies (ms since creation) at every live
    /// honest node it reached, sorted ascending. Drives the coverage-by-age band and
    /// the latency CDF.
    pub delivery_latencies_ms: Vec<Vec<f64>>,
    /// Scenario name, for chart titles.
    pub name: String,
}

//! Measurement: turns node observations and message flow into the run's metrics.
//!
//! Metrics are built only from what nodes report (acceptances with hop counts,
//! rejections, duplicates, pending, evictions) and from the messages the runner
//! hands to the engine; nothing here looks inside a node except its set digest.
//!
//! Coverage is measured against the *live honest* population: nodes with no
//! misbehaviour tag that are up. Convergence is tracked incrementally with a count
//! per digest fingerprint, so checking "all live honest nodes agree" costs O(1) per
//! digest change rather than a scan of every node.

use gossim_engine::{DropCause, SimTime};
use gossim_ledger::TxIndex;
use gossim_node::Observation;
use gossim_report::run::{CoverageRow, RunMetrics, RunReport, TxRow};
use gossim_report::stats;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Per-transaction measurements.
#[derive(Debug, Default)]
struct TxTrack {
    created_ns: Option<u64>,
    origin: u32,
    /// Bit per node: has accepted this transaction at least once.
    accepted: Vec<u64>,
    /// (node, time) of each node's first acceptance.
    deliveries: Vec<(u32, u64)>,
    payload_messages: u64,
    ldh: u32,
}

/// Collects everything the report needs during a run.
pub struct Collector {
    node_count: u32,
    /// Everything kept per node, in one record so a node costs one cache line.
    per_node: Vec<NodeRecord>,
    live_honest: u32,
    txs: Vec<TxTrack>,
    created: u32,
    expected_submissions: u32,
    /// Distinct transactions each node has accepted at least once.
    delivered_pairs_live: u64,
    digest_counts: FxHashMap<u64, u32>,
    all_equal: bool,
    converged_since: Option<u64>,
    messages_sent: u64,
    messages_delivered: u64,
    payload_messages: u64,
    bytes_sent: u64,
    dropped: [u64; DropCause::ALL.len()],
    duplicates: u64,
    rejected: BTreeMap<&'static str, u64>,
    pending: u64,
    evicted: u64,
    sample_interval_ns: u64,
    next_sample_ns: u64,
    coverage: Vec<CoverageRow>,
}

/// What the collector keeps per node: 24 bytes, so at 10⁶ nodes the record a
/// delivery touches is one line, or two when it straddles a boundary (prefetchable,
/// see [`Collector::prefetch_node`]).
#[derive(Clone, Copy, Debug)]
struct NodeRecord {
    /// The node's current set-digest fingerprint.
    fingerprint: u64,
    /// Transactions this node has accepted (first acceptances).
    delivered: u32,
    /// Messages this node has sent.
    sent: u32,
    honest: bool,
    up: bool,
}

/// Samples kept at most, whatever the interval asked for.
const MAX_COVERAGE_ROWS: usize = 100_000;

impl Collector {
    /// A collector for `node_count` nodes, `transaction_count` arena entries and
    /// `expected_submissions` user submissions.
    pub fn new(
        node_count: u32,
        transaction_count: usize,
        expected_submissions: u32,
        honest: Vec<bool>,
        empty_fingerprint: u64,
        sample_interval_ns: u64,
    ) -> Self {
        let live_honest = honest.iter().filter(|&&h| h).count() as u32;
        let mut digest_counts = FxHashMap::default();
        if live_honest > 0 {
            digest_counts.insert(empty_fingerprint, live_honest);
        }
        Collector {
            node_count,
            per_node: honest
                .iter()
                .map(|&honest| NodeRecord { fingerprint: empty_fingerprint, delivered: 0, sent: 0, honest, up: true })
                .collect(),
            live_honest,
            txs: (0..transaction_count).map(|_| TxTrack::default()).collect(),
            created: 0,
            expected_submissions,
            delivered_pairs_live: 0,
            digest_counts,
            all_equal: true,
            converged_since: None,
            messages_sent: 0,
            messages_delivered: 0,
            payload_messages: 0,
            bytes_sent: 0,
            dropped: [0; DropCause::ALL.len()],
            duplicates: 0,
            rejected: BTreeMap::new(),
            pending: 0,
            evicted: 0,
            sample_interval_ns: sample_interval_ns.max(1),
            next_sample_ns: 0,
            coverage: Vec::new(),
        }
    }

    /// Hints the CPU to fetch `node`'s record: a delivery to it may update it.
    #[inline]
    pub fn prefetch_node(&self, node: u32) {
        if let Some(record) = self.per_node.get(node as usize) {
            gossim_engine::prefetch::prefetch_object(record);
        }
    }

    fn is_live_honest(&self, node: u32) -> bool {
        let record = &self.per_node[node as usize];
        record.honest && record.up
    }

    /// Emits coverage samples due strictly before `now` (the state between events is
    /// constant, so a sample at `s` is the state after every event before `s`).
    #[inline]
    pub fn advance_to(&mut self, now: SimTime) {
        while self.next_sample_ns < now.as_nanos() && self.coverage.len() < MAX_COVERAGE_ROWS {
            let row = self.sample(self.next_sample_ns);
            self.coverage.push(row);
            self.next_sample_ns = self.next_sample_ns.saturating_add(self.sample_interval_ns);
        }
    }

    fn sample(&self, time_ns: u64) -> CoverageRow {
        let denominator = u64::from(self.live_honest) * u64::from(self.created);
        CoverageRow {
            time_ms: SimTime(time_ns).as_millis_f64(),
            fraction_delivered: if denominator == 0 {
                0.0
            } else {
                self.delivered_pairs_live as f64 / denominator as f64
            },
            converged_nodes: self.digest_counts.values().copied().max().unwrap_or(0),
            messages: self.messages_sent,
        }
    }

    /// A transaction was submitted at `origin`, or first sent by an equivocating node
    /// that made it without a user submission. Later calls for it change nothing.
    pub fn on_created(&mut self, now: SimTime, tx: TxIndex, origin: u32) {
        let track = &mut self.txs[tx.0 as usize];
        if track.created_ns.is_none() {
            track.created_ns = Some(now.as_nanos());
            track.origin = origin;
            self.created += 1;
        }
    }

    /// Whether every expected submission has happened.
    pub fn all_submitted(&self) -> bool {
        self.created >= self.expected_submissions
    }

    /// A message left node `from`.
    #[inline]
    pub fn on_send(&mut self, now: SimTime, from: u32, bytes: u32, payload_of: Option<TxIndex>) {
        self.messages_sent += 1;
        self.bytes_sent += u64::from(bytes);
        let record = &mut self.per_node[from as usize];
        record.sent = record.sent.saturating_add(1);
        if let Some(tx) = payload_of {
            self.payload_messages += 1;
            self.on_created(now, tx, from);
            self.txs[tx.0 as usize].payload_messages += 1;
        }
    }

    /// A message reached a live node.
    #[inline]
    pub fn on_delivered(&mut self) {
        self.messages_delivered += 1;
    }

    /// Messages that reached a live node so far.
    pub fn delivered(&self) -> u64 {
        self.messages_delivered
    }

    /// A message was dropped.
    pub fn on_dropped(&mut self, cause: DropCause) {
        self.dropped[cause.index()] += 1;
    }

    /// Records the observations of one node callback. Returns whether the node's
    /// accepted set may have changed.
    pub fn observe(&mut self, now: SimTime, node: u32, observations: &[Observation]) -> bool {
        let mut changed = false;
        for observation in observations {
            match *observation {
                Observation::Accepted { tx, hop, .. } => {
                    changed = true;
                    self.first_acceptance(now, node, tx, hop);
                }
                Observation::Replaced { .. } | Observation::Removed { .. } => changed = true,
                Observation::Duplicate { .. } => self.duplicates += 1,
                Observation::Rejected { reason, .. } => *self.rejected.entry(reason.as_str()).or_insert(0) += 1,
                Observation::Pending { .. } => self.pending += 1,
                Observation::Evicted { .. } => self.evicted += 1,
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        changed
    }

    fn first_acceptance(&mut self, now: SimTime, node: u32, tx: TxIndex, hop: u16) {
        let live_honest = self.is_live_honest(node);
        let n_words = (self.node_count as usize).div_ceil(64);
        let track = &mut self.txs[tx.0 as usize];
        if track.accepted.is_empty() {
            track.accepted = vec![0; n_words];
        }
        let (word, bit) = (node as usize / 64, node % 64);
        if track.accepted[word] & (1 << bit) != 0 {
            return;
        }
        track.accepted[word] |= 1 << bit;
        track.deliveries.push((node, now.as_nanos()));
        track.ldh = track.ldh.max(u32::from(hop));
        self.per_node[node as usize].delivered += 1;
        if live_honest {
            self.delivered_pairs_live += 1;
        }
    }

    /// Node `node`'s set digest is now `fingerprint`.
    pub fn digest_changed(&mut self, now: SimTime, node: u32, fingerprint: u64) {
        let old = std::mem::replace(&mut self.per_node[node as usize].fingerprint, fingerprint);
        if !self.is_live_honest(node) || old == fingerprint {
            return;
        }
        self.uncount(old);
        let count = self.digest_counts.entry(fingerprint).or_insert(0);
        *count += 1;
        // After a change, everyone agrees exactly when the changed node's new digest
        // is held by the whole live honest population.
        self.all_equal = *count == self.live_honest;
        self.update_convergence(now);
    }

    fn uncount(&mut self, fingerprint: u64) {
        if let Some(count) = self.digest_counts.get_mut(&fingerprint) {
            *count -= 1;
            if *count == 0 {
                self.digest_counts.remove(&fingerprint);
            }
        }
    }

    fn recompute_all_equal(&mut self) {
        self.all_equal = self.live_honest == 0 || self.digest_counts.values().any(|&c| c == self.live_honest);
    }

    fn update_convergence(&mut self, now: SimTime) {
        if self.all_equal && self.all_submitted() {
            if self.converged_since.is_none() {
                self.converged_since = Some(now.as_nanos());
            }
        } else {
            self.converged_since = None;
        }
    }

    /// Re-evaluates convergence at `now` (after submissions, with no digest change).
    pub fn refresh_convergence(&mut self, now: SimTime) {
        self.update_convergence(now);
    }

    /// Whether all live honest nodes agree and every transaction was created.
    pub fn converged(&self) -> bool {
        self.converged_since.is_some()
    }

    /// `node` crashed.
    pub fn on_crash(&mut self, now: SimTime, node: u32) {
        if self.is_live_honest(node) {
            self.live_honest -= 1;
            self.delivered_pairs_live -= u64::from(self.per_node[node as usize].delivered);
            self.uncount(self.per_node[node as usize].fingerprint);
        }
        self.per_node[node as usize].up = false;
        self.recompute_all_equal();
        self.update_convergence(now);
    }

    /// `node` recovered with set digest `fingerprint`.
    pub fn on_recover(&mut self, now: SimTime, node: u32, fingerprint: u64) {
        self.per_node[node as usize].up = true;
        self.per_node[node as usize].fingerprint = fingerprint;
        if self.is_live_honest(node) {
            self.live_honest += 1;
            self.delivered_pairs_live += u64::from(self.per_node[node as usize].delivered);
            *self.digest_counts.entry(fingerprint).or_insert(0) += 1;
        }
        self.recompute_all_equal();
        self.update_convergence(now);
    }

    /// Builds the report at the end of the run.
    pub fn finish(mut self, final_time: SimTime, name: &str) -> RunReport {
        self.advance_to(final_time);
        if self.coverage.last().is_none_or(|row| row.time_ms < final_time.as_millis_f64()) {
            let row = self.sample(final_time.as_nanos());
            self.coverage.push(row);
        }
        let population = self.live_honest;
        let mut tx_rows = Vec::new();
        let mut delivery_latencies_ms = Vec::new();
        let mut thresholds: [Vec<f64>; 4] = Default::default();
        let mut coverage_sum = 0.0;
        let mut reached_all = 0u32;
        let mut rmr_sum = 0.0;
        let mut rmr_count = 0u32;
        let mut ldh_max = 0;
        for (index, track) in self.txs.iter().enumerate() {
            let Some(created_ns) = track.created_ns else { continue };
            let mut latencies: Vec<f64> = track
                .deliveries
                .iter()
                .filter(|&&(node, _)| self.is_live_honest(node))
                .map(|&(_, t)| SimTime(t - created_ns).as_millis_f64())
                .collect();
            latencies.sort_by(f64::total_cmp);
            let reached = latencies.len() as u32;
            let fraction = if population == 0 { 0.0 } else { f64::from(reached) / f64::from(population) };
            // tq: the time at which the q-share of the population had it: the
            // ceil(q·population)-th delivery.
            let at_share = |q: f64| -> Option<f64> {
                let needed = (q * f64::from(population)).ceil().max(1.0) as usize;
                (population > 0 && latencies.len() >= needed).then(|| latencies[needed - 1])
            };
            let row = TxRow {
                tx: index as u32,
                origin: track.origin,
                created_ms: SimTime(created_ns).as_millis_f64(),
                reached,
                reached_fraction: fraction,
                t50_ms: at_share(0.5),
                t90_ms: at_share(0.9),
                t99_ms: at_share(0.99),
                t100_ms: at_share(1.0),
                messages: track.payload_messages,
                ldh: track.ldh,
            };
            coverage_sum += fraction;
            if population > 0 && reached == population {
                reached_all += 1;
                for (slot, value) in thresholds.iter_mut().zip([row.t50_ms, row.t90_ms, row.t99_ms, row.t100_ms]) {
                    if let Some(v) = value {
                        slot.push(v);
                    }
                }
            }
            let receivers = track.deliveries.len();
            if receivers >= 2 {
                rmr_sum += track.payload_messages as f64 / (receivers - 1) as f64 - 1.0;
                rmr_count += 1;
            }
            ldh_max = ldh_max.max(track.ldh);
            tx_rows.push(row);
            delivery_latencies_ms.push(latencies);
        }
        let created = tx_rows.len() as u32;
        let summary = |values: &mut Vec<f64>| -> (Option<f64>, Option<f64>, Option<f64>) {
            values.sort_by(f64::total_cmp);
            (stats::mean(values), stats::quantile(values, 0.5), stats::quantile(values, 0.99))
        };
        let [mut t50, mut t90, mut t99, mut t100] = thresholds;
        let (t50_ms, t50_ms_p50, t50_ms_p99) = summary(&mut t50);
        let (t90_ms, t90_ms_p50, t90_ms_p99) = summary(&mut t90);
        let (t99_ms, t99_ms_p50, t99_ms_p99) = summary(&mut t99);
        let (t100_ms, t100_ms_p50, t100_ms_p99) = summary(&mut t100);
        let mut messages_dropped: BTreeMap<String, u64> =
            DropCause::ALL.iter().map(|c| (c.as_str().to_string(), self.dropped[c.index()])).collect();
        messages_dropped.insert("total".into(), self.dropped.iter().sum());
        let mut rejected: BTreeMap<String, u64> =
            gossim_ledger::RejectReason::ALL.iter().map(|r| (r.as_str().to_string(), 0)).collect();
        for (reason, count) in &self.rejected {
            rejected.insert((*reason).to_string(), *count);
        }
        let rejected_total = self.rejected.values().sum();
        rejected.insert("total".into(), rejected_total);
        let distinct = self.digest_counts.len() as u32;
        let metrics = RunMetrics {
            nodes: self.node_count,
            transactions: created,
            live_honest_nodes: population,
            reliability: if created == 0 { 0.0 } else { f64::from(reached_all) / f64::from(created) },
            coverage_mean: if created == 0 { 0.0 } else { coverage_sum / f64::from(created) },
            t50_ms,
            t50_ms_p50,
            t50_ms_p99,
            t90_ms,
            t90_ms_p50,
            t90_ms_p99,
            t99_ms,
            t99_ms_p50,
            t99_ms_p99,
            t100_ms,
            t100_ms_p50,
            t100_ms_p99,
            messages_sent: self.messages_sent,
            messages_delivered: self.messages_delivered,
            messages_dropped,
            payload_messages: self.payload_messages,
            control_messages: self.messages_sent - self.payload_messages,
            messages_per_tx: if created == 0 { 0.0 } else { self.payload_messages as f64 / f64::from(created) },
            duplicates: self.duplicates,
            bytes_sent: self.bytes_sent,
            rmr: (rmr_count > 0).then(|| rmr_sum / f64::from(rmr_count)),
            ldh_max,
            rejected,
            pending: self.pending,
            evicted: self.evicted,
            converged_at_ms: self.converged_since.map(|t| SimTime(t).as_millis_f64()),
            distinct_digests_at_end: distinct,
            max_node_messages_sent: self.per_node.iter().map(|r| r.sent).max().map_or(0, u64::from),
            events: 0,
            final_time_ms: final_time.as_millis_f64(),
            stop_reason: String::new(),
        };
        RunReport { metrics, tx_rows, coverage: self.coverage, delivery_latencies_ms, name: name.to_string() }
    }

    /// Heap bytes held by the collector (for the memory report).
    pub fn memory_bytes(&self) -> usize {
        let per_tx: usize = self.txs.iter().map(|t| t.accepted.capacity() * 8 + t.deliveries.capacity() * 16).sum();
        per_tx + self.node_count as usize * (1 + 1 + 4 + 8 + 4)
    }
}

//! From a validated file to the resolved [`Scenario`]: fill the kind-dependent
//! defaults into the file (so it serializes as the resolved scenario file), then map
//! each section onto the engine's and the node's configuration types.
//!
//! Everything here assumes [`crate::validate`] found no problem; where an impossible
//! case remains representable it falls back to a harmless value instead of panicking.

use crate::defaults;
use crate::forms::{AutoOr, Fanout, Period};
use crate::resolved::{
    Arrival, GenesisSpec, Origin, ReportSpec, Scenario, StopSpec, StopWhen, SweepSpec, WorkloadSpec,
};
use crate::schema as file;
use crate::validate::protocol_keys;
use gossim_engine::{
    EngineConfig, LatencyDist, LatencyModel, LossModel, MisbehaviourSpec, NetworkConfig, NodeFaultSpec, NodeSelection,
    PartitionSpec, QueueKind, RegionModel, RunLimits, SimTime, TopologySpec,
};
use gossim_node::{NodeConfig, ProtocolConfig, ProtocolKind, Timing};

/// The misbehaviour tags the node logic interprets.
pub const TAG_DROP: u8 = 1;
pub const TAG_TAMPER: u8 = 2;
pub const TAG_EQUIVOCATE: u8 = 3;

/// Bounds of the automatic calendar bucket width.
const BUCKET_WIDTH_MIN_NS: u64 = 1_000;
const BUCKET_WIDTH_MAX_NS: u64 = 1_000_000_000;

/// Writes the default of every protocol key that applies to the chosen kind, so the
/// serialized file states every value the run uses.
pub fn fill_defaults(file: &mut file::ScenarioFile) {
    let p = &mut file.protocol;
    let kind = p.kind;
    for key in protocol_keys(kind) {
        match *key {
            "fanout" => {
                p.fanout.get_or_insert_with(|| defaults::fanout(kind));
            }
            "exclude_sender" => {
                p.exclude_sender.get_or_insert_with(defaults::exclude_sender);
            }
            "period" => {
                p.period.get_or_insert_with(defaults::period);
            }
            "phase" => {
                p.phase.get_or_insert_with(defaults::phase);
            }
            "rounds" => {
                p.rounds.get_or_insert_with(defaults::rounds);
            }
            "forward" => {
                p.forward.get_or_insert_with(defaults::forward);
            }
            "request_timeout" => {
                p.request_timeout.get_or_insert_with(defaults::request_timeout);
            }
            "max_retries" => {
                p.max_retries.get_or_insert_with(defaults::max_retries);
            }
            "feedback" => {
                p.feedback.get_or_insert_with(defaults::feedback);
            }
            "stop" => {
                p.stop.get_or_insert_with(defaults::rumor_stop);
            }
            "k" => {
                p.k.get_or_insert_with(defaults::rumor_k);
            }
            "reset_on_useful" => {
                p.reset_on_useful.get_or_insert_with(defaults::reset_on_useful);
            }
            "judge_at_cycle_start" => {
                p.judge_at_cycle_start.get_or_insert_with(defaults::judge_at_cycle_start);
            }
            "servers" => {
                p.servers.get_or_insert_with(defaults::servers);
            }
            // Repair stays optional: absent means no background anti-entropy.
            _ => {}
        }
    }
}

/// Builds the resolved scenario from a validated, filled file.
pub fn build(f: &file::ScenarioFile) -> Scenario {
    let latency = latency_model(&f.network.latency);
    let bucket_width_ns = match f.engine.bucket_width {
        AutoOr::Value(d) => d.0,
        AutoOr::Auto => auto_bucket_width(&latency),
    };
    let mut faults = Vec::new();
    let mut partitions = Vec::new();
    let mut misbehaviour = Vec::new();
    for fault in &f.faults {
        match fault {
            file::Fault::Crash(c) => faults.push(NodeFaultSpec::Crash {
                at: SimTime(c.at.0),
                select: selection(c.fraction, c.count, c.ids.as_deref(), c.highest_degree),
                recover_after_ns: c.recover_after.map(|d| d.0),
                wipe: c.wipe,
            }),
            file::Fault::Churn(c) => faults.push(NodeFaultSpec::Churn {
                start: SimTime(c.from.0),
                end: SimTime(c.until.0),
                leave_rate_per_sec: c.leave_rate_per_s,
                mean_downtime_ns: c.mean_downtime.0,
                wipe: c.wipe,
            }),
            file::Fault::Partition(p) => partitions.push(PartitionSpec {
                start: SimTime(p.at.0),
                heal: p.heal_at.map_or(SimTime::MAX, |d| SimTime(d.0)),
                groups: p.groups.clone(),
            }),
            file::Fault::Misbehave(m) => misbehaviour.push(MisbehaviourSpec {
                select: selection(m.fraction, m.count, m.ids.as_deref(), m.highest_degree),
                tag: match m.behaviour {
                    file::Behaviour::Drop => TAG_DROP,
                    file::Behaviour::Tamper => TAG_TAMPER,
                    file::Behaviour::Equivocate => TAG_EQUIVOCATE,
                },
            }),
        }
    }
    let engine = EngineConfig {
        seed: f.seed,
        network: NetworkConfig {
            latency,
            loss: loss_model(&f.network.loss),
            upload_bytes_per_sec: f.network.upload_bandwidth.map(|b| b.0),
            partitions,
        },
        faults,
        misbehaviour,
        limits: RunLimits { max_time: SimTime(f.stop.at.0), max_events: f.stop.max_events },
        queue: match f.engine.queue {
            file::QueueKind::Calendar => QueueKind::Calendar,
            file::QueueKind::Heap => QueueKind::Heap,
        },
        bucket_width_ns,
    };
    Scenario {
        name: f.name.clone(),
        description: f.description.clone(),
        seed: f.seed,
        nodes: f.nodes,
        topology: topology(&f.topology),
        engine,
        node: NodeConfig {
            protocol: protocol(&f.protocol),
            conflict_policy: match f.ledger.conflict_policy {
                file::ConflictPolicy::FirstSeen => gossim_ledger::ConflictPolicy::FirstSeen,
                file::ConflictPolicy::LowestId => gossim_ledger::ConflictPolicy::LowestId,
            },
            pending_capacity: f.ledger.pending_capacity,
        },
        genesis: GenesisSpec {
            accounts: f.workload.accounts,
            default_balance: f.ledger.genesis_balance,
            overrides: f.ledger.genesis_overrides.iter().map(|o| (o.account, o.balance)).collect(),
        },
        workload: workload(&f.workload),
        stop: StopSpec {
            at_ns: f.stop.at.0,
            when: match f.stop.when {
                file::StopWhen::Converged => StopWhen::Converged,
                file::StopWhen::Time => StopWhen::Time,
                file::StopWhen::Quiescent => StopWhen::Quiescent,
            },
            max_events: f.stop.max_events,
        },
        report: ReportSpec {
            sample_interval_ns: match f.report.sample_interval {
                AutoOr::Auto => None,
                AutoOr::Value(d) => Some(d.0),
            },
            charts: f.report.charts,
        },
        sweep: f.sweep.as_ref().map(|s| SweepSpec { vary: s.vary.clone(), seeds: s.seeds }),
    }
}

fn topology(t: &file::Topology) -> TopologySpec {
    match t {
        file::Topology::Complete => TopologySpec::Complete,
        file::Topology::RandomRegular(r) => TopologySpec::RandomRegular { degree: r.degree },
        file::Topology::KOut(k) => TopologySpec::KOut { k: k.k },
        file::Topology::ErdosRenyi(e) => TopologySpec::ErdosRenyi { mean_degree: e.mean_degree },
        file::Topology::WattsStrogatz(w) => TopologySpec::WattsStrogatz { k: w.k, beta: w.beta },
        file::Topology::BarabasiAlbert(b) => TopologySpec::BarabasiAlbert { m: b.m },
        file::Topology::Ring(r) => TopologySpec::Ring { k: r.k },
    }
}

fn dist(l: &file::Latency) -> LatencyDist {
    match l {
        file::Latency::Constant(c) => LatencyDist::Constant { value_ns: c.value.0 },
        file::Latency::Uniform(u) => LatencyDist::Uniform { min_ns: u.min.0, max_ns: u.max.0 },
        file::Latency::Normal(n) => LatencyDist::Normal { mean_ns: n.mean.0, sd_ns: n.sd.0 },
        file::Latency::Lognormal(l) => LatencyDist::Lognormal { median_ns: l.median.0, sigma: l.sigma },
        file::Latency::Exponential(e) => LatencyDist::Exponential { mean_ns: e.mean.0 },
        file::Latency::Pareto(p) => LatencyDist::Pareto { scale_ns: p.scale.0, shape: p.shape },
        // Validation rejects a region model as jitter.
        file::Latency::Regions(_) => LatencyDist::Constant { value_ns: 0 },
    }
}

fn latency_model(l: &file::Latency) -> LatencyModel {
    match l {
        file::Latency::Regions(r) => LatencyModel::Regions(RegionModel {
            names: r.regions.iter().map(|region| region.name.clone()).collect(),
            shares: r.regions.iter().map(|region| region.share).collect(),
            base_ns: r.matrix.iter().map(|row| row.iter().map(|d| d.0).collect()).collect(),
            jitter: dist(&r.jitter),
        }),
        other => LatencyModel::Global { dist: dist(other) },
    }
}

/// A quarter of the median one-way delay (for regions: the smallest base delay plus
/// the jitter's median), clamped to [1 µs, 1 s]: the engine's advice is a bucket a few
/// times narrower than a typical delay.
pub fn auto_bucket_width(latency: &LatencyModel) -> u64 {
    let typical = match latency {
        LatencyModel::Global { dist } => dist.quantile(0.5),
        LatencyModel::Regions(r) => {
            let base = r.base_ns.iter().flatten().copied().min().unwrap_or(0);
            base as f64 + r.jitter.quantile(0.5)
        }
    };
    let quarter = if typical.is_finite() && typical > 0.0 { (typical / 4.0) as u64 } else { 0 };
    quarter.clamp(BUCKET_WIDTH_MIN_NS, BUCKET_WIDTH_MAX_NS)
}

fn loss_model(l: &file::Loss) -> LossModel {
    match l {
        file::Loss::None => LossModel::None,
        file::Loss::Bernoulli(b) => LossModel::Bernoulli { p: b.p },
        file::Loss::GilbertElliott(g) => LossModel::GilbertElliott {
            p_good_to_bad: g.p_good_to_bad,
            p_bad_to_good: g.p_bad_to_good,
            loss_good: g.loss_good,
            loss_bad: g.loss_bad,
        },
    }
}

fn selection(fraction: Option<f64>, count: Option<u32>, ids: Option<&[u32]>, highest: Option<u32>) -> NodeSelection {
    if let Some(fraction) = fraction {
        NodeSelection::Fraction { fraction }
    } else if let Some(count) = count {
        NodeSelection::Count { count }
    } else if let Some(ids) = ids {
        NodeSelection::Ids { ids: ids.to_vec() }
    } else {
        NodeSelection::HighestDegree { count: highest.unwrap_or(0) }
    }
}

fn period(p: Period) -> gossim_node::Period {
    match p {
        Period::Fixed(d) => gossim_node::Period::Fixed { period_ns: d.0 },
        Period::Exponential { mean } => gossim_node::Period::Exponential { mean_ns: mean.0 },
    }
}

fn phase(p: file::Phase) -> gossim_node::Phase {
    match p {
        file::Phase::Aligned => gossim_node::Phase::Aligned,
        file::Phase::Random => gossim_node::Phase::Random,
    }
}

fn protocol(p: &file::Protocol) -> ProtocolConfig {
    let kind = match p.kind {
        file::ProtocolKind::Push => ProtocolKind::Push {
            forward: match p.forward.unwrap_or_else(defaults::forward) {
                file::Forward::Once => gossim_node::Forward::Once,
                file::Forward::Periodic => gossim_node::Forward::Periodic,
            },
        },
        file::ProtocolKind::Pull => ProtocolKind::Pull,
        file::ProtocolKind::PushPull => ProtocolKind::PushPull,
        file::ProtocolKind::Announce => ProtocolKind::Announce {
            request_timeout_ns: p.request_timeout.unwrap_or_else(defaults::request_timeout).0,
            max_retries: p.max_retries.unwrap_or_else(defaults::max_retries),
        },
        file::ProtocolKind::AntiEntropy => ProtocolKind::AntiEntropy,
        file::ProtocolKind::Rumor => ProtocolKind::Rumor {
            feedback: p.feedback.unwrap_or_else(defaults::feedback),
            stop: match p.stop.unwrap_or_else(defaults::rumor_stop) {
                file::RumorStop::Counter => gossim_node::RumorStop::Counter,
                file::RumorStop::Coin => gossim_node::RumorStop::Coin,
            },
            k: p.k.unwrap_or_else(defaults::rumor_k),
            reset_on_useful: p.reset_on_useful.unwrap_or_else(defaults::reset_on_useful),
            judge_at_cycle_start: p.judge_at_cycle_start.unwrap_or_else(defaults::judge_at_cycle_start),
        },
        file::ProtocolKind::Central => {
            ProtocolKind::Central { servers: p.servers.clone().unwrap_or_else(defaults::servers) }
        }
    };
    // Central sends every transaction to every node; its fanout is "all" by definition.
    let fanout = match p.kind {
        file::ProtocolKind::Central => Fanout::All,
        other => p.fanout.unwrap_or_else(|| defaults::fanout(other)),
    };
    ProtocolConfig {
        kind,
        fanout: match fanout {
            Fanout::Count(count) => gossim_node::Fanout::Fixed { count },
            Fanout::All => gossim_node::Fanout::All,
            Fanout::Mixed { mean } => gossim_node::Fanout::Mixed { mean },
            Fanout::Poisson { mean } => gossim_node::Fanout::Poisson { mean },
        },
        exclude_sender: p.exclude_sender.unwrap_or_else(defaults::exclude_sender),
        timing: Timing {
            period: period(p.period.unwrap_or_else(defaults::period)),
            phase: phase(p.phase.unwrap_or_else(defaults::phase)),
        },
        rounds: match p.rounds.unwrap_or_else(defaults::rounds) {
            file::Rounds::Count(count) => gossim_node::Rounds::Count(count),
            file::Rounds::Forever => gossim_node::Rounds::Forever,
        },
        repair: p.repair.as_ref().map(|r| Timing { period: period(r.period), phase: phase(r.phase) }),
        // Sampling faults are for validation tests only; no file can ask for one.
        sampler: gossim_node::PeerSampler::Uniform,
    }
}

fn workload(w: &file::Workload) -> WorkloadSpec {
    WorkloadSpec {
        transactions: w.transactions,
        accounts: w.accounts,
        arrival: match &w.arrival {
            file::Arrival::Poisson(p) => Arrival::Poisson { rate_per_sec: p.rate_per_s },
            file::Arrival::Uniform(u) => Arrival::Uniform { interval_ns: u.interval.0 },
            file::Arrival::Burst(b) => Arrival::Burst { at_ns: b.at.0 },
        },
        start_ns: w.start.0,
        double_spend_fraction: w.double_spend_fraction,
        amount_min: w.amount_min,
        amount_max: w.amount_max,
        fee: w.fee,
        payload_bytes: w.payload_bytes,
        origin: match w.origin {
            file::Origin::Random => Origin::Random,
            file::Origin::Node(node) => Origin::Node(node),
        },
    }
}

//! The thin runner that binds the engine to the replicating nodes.
//!
//! It owns the nodes, the shared transaction arena and the collector; it translates
//! each engine callback into a node call (with the node's neighbours, the protocol
//! stream and a reused outbox) and each node output back into engine sends and
//! timers. It makes no protocol decisions of its own.

use crate::collector::Collector;
use crate::workload::{self, Submission};
use gossim_engine::{
    Ctx, DropCause, Engine, LatencyModel, Model, Observer, Purpose, RunOutcome, SimRng, SimTime, StopReason, Topology,
    TopologySpec,
};
use gossim_ledger::{Genesis, TxArena, TxIndex};
use gossim_node::{Behaviour, Entropy, Io, Message, Node, NodeConfig, Outbox, PeerSet, Scratch, Shared, Timer};
use gossim_report::run::RunReport;
use gossim_scenario::{Scenario, StopWhen};
use std::sync::Arc;

/// Errors that stop a run before it starts.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("topology: {0}")]
    Topology(#[from] gossim_engine::topology::TopologyError),
    #[error("engine: {0}")]
    Engine(#[from] gossim_engine::EngineError),
}

/// Inputs the runner schedules on the engine.
#[derive(Clone, Copy, Debug)]
pub enum RunInput {
    /// A user submits a transaction at a node.
    Submit { tx: TxIndex, origin: u32 },
}

/// The protocol stream seen through the node crate's entropy trait.
struct ProtocolEntropy<'a>(&'a mut SimRng);

impl Entropy for ProtocolEntropy<'_> {
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }
    #[inline]
    fn unit(&mut self) -> f64 {
        self.0.unit()
    }
    #[inline]
    fn exponential(&mut self, mean: f64) -> f64 {
        self.0.exponential(mean)
    }
    #[inline]
    fn poisson(&mut self, mean: f64) -> u64 {
        self.0.poisson(mean)
    }
}

/// The peers of `me`, with the adjacency lookup left to the node (most deliveries
/// never need it).
#[inline]
fn peer_set(topology: &Topology, me: u32) -> PeerSet<'_> {
    match topology {
        Topology::Complete { n } => PeerSet::AllExcept { n: *n, me },
        Topology::Graph(csr) => PeerSet::Csr { offsets: &csr.offsets, targets: &csr.targets, node: me },
    }
}

/// The engine model: every node plus the measurement.
struct Replication {
    nodes: Vec<Node>,
    arena: Arc<TxArena>,
    genesis: Genesis,
    config: NodeConfig,
    outbox: Outbox,
    scratch: Scratch,
    node_count: u32,
    stop_when_converged: bool,
    collector: Collector,
}

impl Replication {
    /// Calls `f` on node `me` with an `Io` for this callback, then applies its output.
    #[inline]
    fn with_node(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        me: u32,
        f: impl FnOnce(&mut Node, &mut Io<'_, ProtocolEntropy<'_>>),
    ) {
        let now_ns = ctx.now().as_nanos();
        {
            let (rng, topology) = ctx.rng_and_topology();
            let mut entropy = ProtocolEntropy(rng);
            let mut io = Io {
                now_ns,
                me,
                node_count: self.node_count,
                peers: peer_set(topology, me),
                shared: Shared { config: &self.config, arena: &self.arena, genesis: &self.genesis },
                rng: &mut entropy,
                scratch: &mut self.scratch,
                out: &mut self.outbox,
            };
            f(&mut self.nodes[me as usize], &mut io);
        }
        self.flush(ctx, me);
    }

    #[inline]
    fn flush(&mut self, ctx: &mut Ctx<'_, Self>, me: u32) {
        let now = ctx.now();
        for (to, msg) in self.outbox.sends.drain(..) {
            let payload = if msg.is_payload() { msg.tx() } else { None };
            self.collector.on_send(now, me, msg.wire_bytes(), payload);
            ctx.send(me, to, msg);
        }
        for (at_ns, timer) in self.outbox.timers.drain(..) {
            ctx.set_timer(me, SimTime(at_ns), timer);
        }
        if !self.outbox.observations.is_empty() {
            let changed = self.collector.observe(now, me, &self.outbox.observations);
            self.outbox.observations.clear();
            if changed {
                let fingerprint = self.nodes[me as usize].digest().fingerprint();
                self.collector.digest_changed(now, me, fingerprint);
            }
        }
        if self.stop_when_converged && self.collector.converged() {
            ctx.request_stop();
        }
    }
}

impl Model for Replication {
    type Message = Message;
    type Timer = Timer;
    type Input = RunInput;

    #[inline]
    fn message_bytes(msg: &Message) -> u32 {
        msg.wire_bytes()
    }

    #[inline]
    fn trace_key(msg: &Message) -> u64 {
        msg.trace_key()
    }

    /// Most deliveries are duplicates, decided by the seen set alone.
    #[inline]
    fn prefetch(&self, node: u32) {
        if let Some(state) = self.nodes.get(node as usize) {
            gossim_engine::prefetch::prefetch(state.hot_address());
        }
    }

    /// Anything but a plain duplicate also updates the node's collector record and
    /// may forward.
    #[inline]
    fn prefetch_more(&self, node: u32, msg: &Message) -> bool {
        let Some(state) = self.nodes.get(node as usize) else {
            return false;
        };
        if state.plain_duplicate(&self.config, msg).is_some() {
            return false;
        }
        // A first copy is verified, appended and forwarded: it updates most of the
        // node's state, not just the seen set the duplicate check read.
        self.collector.prefetch_node(node);
        gossim_engine::prefetch::prefetch_object(state);
        true
    }

    fn timer_key(timer: &Timer) -> u64 {
        match *timer {
            Timer::Gossip => 1,
            Timer::Repair => 2,
            Timer::RequestTimeout { tx } => 3 | (u64::from(tx.0) << 8),
        }
    }

    fn input_key(input: &RunInput) -> u64 {
        match *input {
            RunInput::Submit { tx, origin } => (u64::from(tx.0) << 32) | u64::from(origin),
        }
    }

    #[inline]
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, to: u32, from: u32, msg: Message) {
        self.collector.advance_to(ctx.now());
        self.collector.on_delivered();
        self.with_node(ctx, to, |node, io| node.on_message(io, from, msg));
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, node: u32, timer: Timer) {
        self.collector.advance_to(ctx.now());
        self.with_node(ctx, node, |n, io| n.on_timer(io, timer));
    }

    fn on_input(&mut self, ctx: &mut Ctx<'_, Self>, input: RunInput) {
        self.collector.advance_to(ctx.now());
        match input {
            RunInput::Submit { tx, origin } => {
                // A user whose node is down submits to the next live node instead, so
                // the workload is the same whatever the fault plan.
                let Some(origin) =
                    (0..self.node_count).map(|k| (origin + k) % self.node_count).find(|&node| ctx.nodes().is_up(node))
                else {
                    return;
                };
                self.collector.on_created(ctx.now(), tx, origin);
                self.with_node(ctx, origin, |node, io| node.submit(io, tx));
                self.collector.refresh_convergence(ctx.now());
                if self.stop_when_converged && self.collector.converged() {
                    ctx.request_stop();
                }
            }
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>, node: u32) {
        self.collector.advance_to(ctx.now());
        self.collector.on_crash(ctx.now(), node);
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>, node: u32, wiped: bool) {
        self.collector.advance_to(ctx.now());
        self.with_node(ctx, node, |n, io| n.restart(io, wiped));
        let fingerprint = self.nodes[node as usize].digest().fingerprint();
        self.collector.on_recover(ctx.now(), node, fingerprint);
        if self.stop_when_converged && self.collector.converged() {
            ctx.request_stop();
        }
    }

    fn on_drop(&mut self, _msg: &Message, _from: u32, _to: u32, cause: DropCause) {
        self.collector.on_dropped(cause);
    }
}

/// Facts about the built topology, reported beside the metrics.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TopologyFacts {
    pub degree_min: u32,
    pub degree_max: u32,
    pub degree_mean: f64,
    pub degree_sd: f64,
    pub connected: bool,
    pub bytes_per_node: f64,
}

/// Everything one run produced.
#[derive(Debug)]
pub struct RunResult {
    pub report: RunReport,
    pub outcome: RunOutcome,
    pub topology: TopologyFacts,
    /// Deliveries (messages that reached a live node) — the throughput figure.
    pub deliveries: u64,
    /// CPU seconds of this thread by phase (building topology, nodes and workload;
    /// the event loop; computing the report). Wall-clock-like figures: they go to
    /// `timing.json` only, never into deterministic results.
    pub cpu_phases: CpuPhases,
}

/// CPU seconds spent in each phase of a run (0 where the platform cannot tell).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CpuPhases {
    pub setup: f64,
    pub simulate: f64,
    pub report: f64,
}

/// The coverage sampling interval: the scenario's, or about a tenth of a typical
/// message delay (or of the gossip period when that is shorter), at most 1000 rows
/// over the time cap.
fn sample_interval_ns(scenario: &Scenario) -> u64 {
    if let Some(interval) = scenario.report.sample_interval_ns {
        return interval.max(1);
    }
    let typical_delay = match &scenario.engine.network.latency {
        LatencyModel::Global { dist } => dist.mean(),
        LatencyModel::Regions(regions) => {
            let cells = regions.base_ns.iter().flatten().count().max(1) as f64;
            regions.base_ns.iter().flatten().map(|&b| b as f64).sum::<f64>() / cells + regions.jitter.mean()
        }
    };
    let period = match scenario.node.protocol.timing.period {
        gossim_node::Period::Fixed { period_ns } => period_ns as f64,
        gossim_node::Period::Exponential { mean_ns } => mean_ns as f64,
    };
    let step = (typical_delay.min(period) / 10.0).max(1_000.0);
    let floor = scenario.stop.at_ns as f64 / 1_000.0;
    if step.is_finite() { step.max(floor.min(step * 100.0)) as u64 } else { 1_000_000 }
}

/// Bytes one pending event occupies in the engine's queue for this runner.
pub fn pending_event_bytes() -> usize {
    gossim_engine::engine::pending_event_bytes::<Replication>()
}

/// The topology of a scenario, built from its own stream.
pub fn build_topology(spec: &TopologySpec, nodes: u32, seed: u64) -> Result<Topology, SimError> {
    let mut rng = SimRng::derive(seed, Purpose::Topology, 0);
    Ok(Topology::build(spec, nodes, &mut rng)?)
}

/// Runs one scenario to completion.
pub fn run_scenario(scenario: &Scenario) -> Result<RunResult, SimError> {
    run_scenario_observed(scenario, &mut ())
}

/// Runs one scenario, telling `observer` of engine events (progress display, traces).
/// The observer cannot change the results.
pub fn run_scenario_observed<O: Observer>(scenario: &Scenario, observer: &mut O) -> Result<RunResult, SimError> {
    let cpu = || crate::output::thread_cpu_seconds().unwrap_or(0.0);
    let cpu_start = cpu();
    let topology = build_topology(&scenario.topology, scenario.nodes, scenario.seed)?;
    let stats = topology.degree_stats();
    let facts = TopologyFacts {
        degree_min: stats.min,
        degree_max: stats.max,
        degree_mean: stats.mean,
        degree_sd: stats.sd,
        connected: topology.is_connected(),
        bytes_per_node: topology.bytes_per_node(),
    };
    let node_count = topology.node_count();
    let mut engine: Engine<Replication> = Engine::new(scenario.engine.clone(), topology)?;
    // An unknown tag cannot come from a validated scenario; treat it as honest.
    let behaviours: Vec<Behaviour> = (0..node_count)
        .map(|n| Behaviour::from_tag(engine.nodes().behaviour(n)).unwrap_or(Behaviour::Honest))
        .collect();
    let genesis = Genesis {
        accounts: scenario.genesis.accounts,
        default_balance: scenario.genesis.default_balance,
        overrides: scenario.genesis.overrides.clone(),
    };
    let workload = workload::generate(&scenario.workload, &genesis, node_count, scenario.seed, |node| {
        behaviours[node as usize] == Behaviour::Equivocate
    });
    let honest: Vec<bool> = behaviours.iter().map(|&b| b == Behaviour::Honest).collect();
    let nodes: Vec<Node> = behaviours.iter().map(|&b| Node::new(b)).collect();
    let empty_fingerprint = nodes.first().map(|n| n.digest().fingerprint()).unwrap_or(0);
    let collector = Collector::new(
        node_count,
        workload.arena.len(),
        workload.submissions.len() as u32,
        honest,
        empty_fingerprint,
        sample_interval_ns(scenario),
    );
    let mut model = Replication {
        nodes,
        arena: Arc::new(workload.arena),
        genesis,
        config: scenario.node.clone(),
        outbox: Outbox::default(),
        scratch: Scratch::default(),
        node_count,
        stop_when_converged: scenario.stop.when == StopWhen::Converged,
        collector,
    };
    for &Submission { at, origin, tx } in &workload.submissions {
        engine.schedule_input(at, RunInput::Submit { tx, origin });
    }
    // Arm every node's timers at time zero.
    for node in 0..node_count {
        engine.with_ctx(&mut model, &mut (), |m, ctx| m.with_node(ctx, node, |n, io| n.start(io)));
    }
    let cpu_loop = cpu();
    let outcome = engine.run(&mut model, observer);
    let cpu_report = cpu();
    let deliveries = model.collector.delivered();
    drop(engine);
    let Replication { nodes, collector, .. } = model;
    drop(nodes);
    let mut report = collector.finish(outcome.final_time, &scenario.name);
    report.metrics.events = outcome.events;
    report.metrics.stop_reason = outcome.stop_reason.as_str().to_string();
    debug_assert!(outcome.stop_reason != StopReason::Converged || report.metrics.converged_at_ms.is_some());
    let cpu_phases =
        CpuPhases { setup: cpu_loop - cpu_start, simulate: cpu_report - cpu_loop, report: cpu() - cpu_report };
    Ok(RunResult { report, outcome, topology: facts, deliveries, cpu_phases })
}

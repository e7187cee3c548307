//! The discrete-event loop: pops the next event, applies the network and node-fault
//! model, and hands messages, timers and inputs to a [`Model`].
//!
//! The engine knows nothing of what messages mean. A model (the runner that owns the
//! replicating nodes) sees a [`Ctx`] during each callback: the current time, read
//! access to liveness, misbehaviour tags and the topology, the protocol stream, and
//! buffers for sends, timers and inputs that the engine drains after the callback.
//! Every processed event is folded into the trace digest.
//!
//! Deliberately absent: threads (one run is single-threaded; parallelism is across
//! runs), wall-clock time, and any knowledge of transactions or gossip.

use crate::faults::{MisbehaviourSpec, NodeFaultSpec, select_nodes};
use crate::network::{DropCause, Envelope, Network, NetworkConfig};
use crate::observe::Observer;
use crate::queue::{AnyQueue, EventKey, EventQueue, QueueKind};
use crate::rng::{Purpose, SimRng};
use crate::time::SimTime;
use crate::topology::{Neighbours, Topology};
use crate::trace::{TraceDigest, TraceKind};
use serde::{Deserialize, Serialize};

/// What the engine drives: node logic plus whatever bookkeeping the runner needs.
pub trait Model {
    /// A message between nodes.
    type Message;
    /// A timer kind (a closed enum, copied into the queue).
    type Timer: Copy;
    /// An externally scheduled input (workload submissions, sampling ticks).
    type Input;

    /// The modelled wire size of a message, in bytes.
    fn message_bytes(msg: &Self::Message) -> u32;
    /// A content key folded into the trace digest with each delivery.
    fn trace_key(msg: &Self::Message) -> u64;
    /// A content key folded into the trace digest when a timer fires.
    fn timer_key(_timer: &Self::Timer) -> u64 {
        0
    }
    /// A content key folded into the trace digest when an input is processed.
    fn input_key(_input: &Self::Input) -> u64 {
        0
    }

    /// A message reached live node `to`.
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, to: u32, from: u32, msg: Self::Message);
    /// A timer of live node `node` fired.
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, node: u32, timer: Self::Timer);
    /// A scheduled input is due. Inputs are not bound to a node's liveness: the model
    /// decides what an input aimed at a crashed node means.
    fn on_input(&mut self, ctx: &mut Ctx<'_, Self>, input: Self::Input);
    /// `node` crashed (it is already marked down).
    fn on_crash(&mut self, _ctx: &mut Ctx<'_, Self>, _node: u32) {}
    /// `node` recovered (already marked up); `wiped` asks for its state to be reset.
    fn on_recover(&mut self, _ctx: &mut Ctx<'_, Self>, _node: u32, _wiped: bool) {}
    /// A message was dropped; lets the model attribute drops to its own categories.
    fn on_drop(&mut self, _msg: &Self::Message, _from: u32, _to: u32, _cause: DropCause) {}
    /// A message for `node` is a few events away: a hint to start fetching what
    /// handling it reads first.
    fn prefetch(&self, _node: u32) {}
    /// The same message, nearer: what [`Model::prefetch`] fetched should now be
    /// cached. True when handling it will go beyond that (for example, forward it),
    /// so the engine fetches `node`'s neighbour list too; the model may start
    /// fetching its own further state here. Called more than once per message.
    fn prefetch_more(&self, _node: u32, _msg: &Self::Message) -> bool {
        true
    }
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Nothing left to happen.
    Quiescent,
    /// The next event lay past the time cap.
    TimeLimit,
    /// The events cap was reached.
    EventLimit,
    /// The model asked to stop (for example: converged).
    Converged,
}

impl StopReason {
    /// The snake_case name used in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Quiescent => "quiescent",
            StopReason::TimeLimit => "time_limit",
            StopReason::EventLimit => "event_limit",
            StopReason::Converged => "converged",
        }
    }
}

/// Caps that end a run cleanly.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunLimits {
    /// No event later than this is processed.
    pub max_time: SimTime,
    /// At most this many events are processed.
    pub max_events: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits { max_time: SimTime::from_secs(3_600), max_events: 1_000_000_000 }
    }
}

/// Everything the engine needs besides the topology.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    pub seed: u64,
    pub network: NetworkConfig,
    pub faults: Vec<NodeFaultSpec>,
    pub misbehaviour: Vec<MisbehaviourSpec>,
    pub limits: RunLimits,
    pub queue: QueueKind,
    /// The calendar queue's first guess at a bucket width; the queue re-estimates it
    /// from the pending events as the run goes, so it affects speed, never results.
    pub bucket_width_ns: u64,
}

impl EngineConfig {
    /// A configuration with default network, no faults and default limits.
    pub fn new(seed: u64) -> Self {
        EngineConfig {
            seed,
            network: NetworkConfig::default(),
            faults: Vec::new(),
            misbehaviour: Vec::new(),
            limits: RunLimits::default(),
            queue: QueueKind::Calendar,
            bucket_width_ns: 1_000_000,
        }
    }
}

/// What a finished run reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunOutcome {
    pub stop_reason: StopReason,
    pub final_time: SimTime,
    pub events: u64,
    pub trace_digest: [u8; 32],
    pub peak_pending: usize,
}

/// Per-node liveness (two bitsets, so the per-delivery liveness check stays in
/// cache at a million nodes), incarnation and misbehaviour tag.
pub struct NodeTable {
    /// Bit set: the node is up.
    up: Vec<u64>,
    /// Bit set: the node crashed for good; a pending recovery does not bring it back.
    stopped: Vec<u64>,
    incarnation: Vec<u32>,
    behaviour: Vec<u8>,
    up_count: u32,
}

#[inline]
fn bit(words: &[u64], node: u32) -> bool {
    words[(node / 64) as usize] & (1u64 << (node % 64)) != 0
}

#[inline]
fn set_bit(words: &mut [u64], node: u32, value: bool) {
    let word = &mut words[(node / 64) as usize];
    if value {
        *word |= 1u64 << (node % 64);
    } else {
        *word &= !(1u64 << (node % 64));
    }
}

impl NodeTable {
    fn new(n: u32) -> Self {
        let words = (n as usize).div_ceil(64);
        let mut up = vec![u64::MAX; words];
        if !n.is_multiple_of(64) {
            up[words - 1] = (1u64 << (n % 64)) - 1;
        }
        NodeTable {
            up,
            stopped: vec![0; words],
            incarnation: vec![0; n as usize],
            behaviour: vec![0; n as usize],
            up_count: n,
        }
    }

    /// Whether `node` is up.
    #[inline]
    pub fn is_up(&self, node: u32) -> bool {
        bit(&self.up, node)
    }

    /// Whether `node` crashed for good.
    #[inline]
    pub fn is_stopped(&self, node: u32) -> bool {
        bit(&self.stopped, node)
    }

    /// The misbehaviour tag of `node` (0 = honest).
    #[inline]
    pub fn behaviour(&self, node: u32) -> u8 {
        self.behaviour[node as usize]
    }

    /// Number of nodes up.
    pub fn up_count(&self) -> u32 {
        self.up_count
    }

    /// Heap bytes held (for memory reports).
    pub fn memory_bytes(&self) -> usize {
        self.up.capacity() * 8
            + self.stopped.capacity() * 8
            + self.incarnation.capacity() * 4
            + self.behaviour.capacity()
    }
}

/// Work a callback hands back to the engine.
pub struct Outgoing<M: Model + ?Sized> {
    sends: Vec<(u32, u32, M::Message)>,
    timers: Vec<(u32, SimTime, M::Timer)>,
    inputs: Vec<(SimTime, M::Input)>,
}

impl<M: Model + ?Sized> Outgoing<M> {
    fn is_empty(&self) -> bool {
        self.sends.is_empty() && self.timers.is_empty() && self.inputs.is_empty()
    }
}

impl<M: Model + ?Sized> Default for Outgoing<M> {
    fn default() -> Self {
        Outgoing { sends: Vec::new(), timers: Vec::new(), inputs: Vec::new() }
    }
}

/// The model's view of the engine during one callback.
///
/// What a callback produces is applied after it returns, in a fixed order: sends
/// (through the network rules), then timers, then inputs, each in call order. Two of
/// them due at the same instant therefore run in that order (a zero-latency
/// delivery before a zero-delay timer set in the same callback), whatever order the
/// model called them in.
pub struct Ctx<'a, M: Model + ?Sized> {
    now: SimTime,
    out: &'a mut Outgoing<M>,
    nodes: &'a NodeTable,
    topology: &'a Topology,
    rng: &'a mut SimRng,
    stop: &'a mut bool,
}

impl<M: Model + ?Sized> Ctx<'_, M> {
    /// The current virtual time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// Sends `msg` from `from` to `to` through the network model.
    #[inline]
    pub fn send(&mut self, from: u32, to: u32, msg: M::Message) {
        self.out.sends.push((from, to, msg));
    }
    /// Sets a timer of `node` for time `at` (clamped to now); it does not fire if the
    /// node crashes in between.
    #[inline]
    pub fn set_timer(&mut self, node: u32, at: SimTime, timer: M::Timer) {
        self.out.timers.push((node, at, timer));
    }
    /// Schedules an input for time `at` (clamped to now).
    pub fn schedule_input(&mut self, at: SimTime, input: M::Input) {
        self.out.inputs.push((at, input));
    }
    /// Liveness and misbehaviour tags.
    #[inline]
    pub fn nodes(&self) -> &NodeTable {
        self.nodes
    }
    /// The overlay.
    #[inline]
    pub fn topology(&self) -> &Topology {
        self.topology
    }
    /// The neighbours of `node`.
    #[inline]
    pub fn neighbours(&self, node: u32) -> Neighbours<'_> {
        self.topology.neighbours(node)
    }
    /// The protocol stream, for the node logic's draws.
    #[inline]
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }
    /// Both the protocol stream and the neighbours of `node`, borrowed together.
    #[inline]
    pub fn rng_and_neighbours(&mut self, node: u32) -> (&mut SimRng, Neighbours<'_>) {
        (self.rng, self.topology.neighbours(node))
    }
    /// Both the protocol stream and the topology, borrowed together (so the caller
    /// can look neighbours up lazily).
    #[inline]
    pub fn rng_and_topology(&mut self) -> (&mut SimRng, &Topology) {
        (self.rng, self.topology)
    }
    /// Ends the run after this callback with [`StopReason::Converged`].
    pub fn request_stop(&mut self) {
        *self.stop = true;
    }
}

/// Stream indices of the faults purpose.
pub mod fault_streams {
    /// Selection and timing of fault spec `i` (crash or churn) use stream `FAULT_BASE + i`.
    pub const FAULT_BASE: u64 = 2_000;
    /// Selection of misbehaviour spec `i` uses stream `MISBEHAVIOUR_BASE + i`.
    pub const MISBEHAVIOUR_BASE: u64 = 1_000;
}

/// "Never recovers" in a pending crash event.
const NEVER: u64 = u64::MAX;

enum Event<M: Model + ?Sized> {
    Deliver {
        from: u32,
        to: u32,
        msg: M::Message,
    },
    Timer {
        node: u32,
        incarnation: u32,
        timer: M::Timer,
    },
    Input {
        input: M::Input,
    },
    /// `recover_after_ns == NEVER` is a crash-stop (a sentinel rather than an
    /// `Option`, which would make every pending event 8 bytes larger).
    Crash {
        node: u32,
        recover_after_ns: u64,
        wipe: bool,
    },
    Recover {
        node: u32,
        wipe: bool,
    },
    ChurnLeave {
        spec: u32,
    },
}

/// Errors building an engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid engine configuration: {0}")]
    Invalid(String),
}

/// A discrete-event simulation over a fixed set of nodes.
pub struct Engine<M: Model + 'static> {
    now: SimTime,
    seq: u64,
    queue: AnyQueue<Event<M>>,
    network: Network,
    net_rng: SimRng,
    /// One stream per churn spec (index = spec index; unused for other specs).
    churn_rngs: Vec<SimRng>,
    protocol_rng: SimRng,
    topology: Topology,
    nodes: NodeTable,
    faults: Vec<NodeFaultSpec>,
    limits: RunLimits,
    trace: TraceDigest,
    events: u64,
    peak_pending: usize,
    out: Outgoing<M>,
    /// Accepted sends of the current callback, queued once all are judged.
    staged: Vec<(SimTime, u32, u32, M::Message)>,
    stop: bool,
}

impl<M: Model + 'static> Engine<M> {
    /// Builds the engine: network rules, the fault plan and misbehaviour marks are
    /// drawn here from their own streams.
    pub fn new(config: EngineConfig, topology: Topology) -> Result<Self, EngineError> {
        let n = topology.node_count();
        if n == 0 {
            return Err(EngineError::Invalid("a run needs at least one node".into()));
        }
        let seed = config.seed;
        let net_rng = crate::network::network_stream(seed, crate::network::streams::LATENCY);
        let network = Network::from_config(&config.network, n, seed);
        let queue = AnyQueue::new(config.queue, config.bucket_width_ns);
        let mut engine = Engine {
            now: SimTime::ZERO,
            seq: 0,
            queue,
            network,
            net_rng,
            churn_rngs: Vec::new(),
            protocol_rng: SimRng::derive(seed, Purpose::Protocol, 0),
            nodes: NodeTable::new(n),
            faults: config.faults.clone(),
            limits: config.limits,
            trace: TraceDigest::default(),
            events: 0,
            peak_pending: 0,
            out: Outgoing::default(),
            staged: Vec::new(),
            stop: false,
            topology,
        };
        // Every fault and misbehaviour spec draws from its own stream: adding one
        // changes which nodes no other selects.
        for (index, spec) in config.misbehaviour.iter().enumerate() {
            let mut rng = SimRng::derive(seed, Purpose::Faults, fault_streams::MISBEHAVIOUR_BASE + index as u64);
            for node in select_nodes(&spec.select, &engine.topology, &mut rng) {
                engine.nodes.behaviour[node as usize] = spec.tag;
            }
        }
        for (index, spec) in config.faults.iter().enumerate() {
            let mut fault_rng = SimRng::derive(seed, Purpose::Faults, fault_streams::FAULT_BASE + index as u64);
            match spec {
                NodeFaultSpec::Crash { at, select, recover_after_ns, wipe } => {
                    for node in select_nodes(select, &engine.topology, &mut fault_rng) {
                        let recover_after_ns = recover_after_ns.unwrap_or(NEVER);
                        engine.push(*at, Event::Crash { node, recover_after_ns, wipe: *wipe });
                    }
                }
                NodeFaultSpec::Churn { start, end, leave_rate_per_sec, .. } => {
                    if *leave_rate_per_sec > 0.0 {
                        let gap = fault_rng.exponential(SimTime::NANOS_PER_SEC as f64 / leave_rate_per_sec);
                        let at = start.plus(gap as u64);
                        if at < *end {
                            engine.push(at, Event::ChurnLeave { spec: index as u32 });
                        }
                    }
                }
            }
            engine.churn_rngs.push(fault_rng);
        }
        Ok(engine)
    }

    #[inline]
    fn push(&mut self, at: SimTime, event: Event<M>) {
        let key = EventKey { time: at.max(self.now), seq: self.seq };
        self.seq += 1;
        self.queue.push(key, event);
        self.peak_pending = self.peak_pending.max(self.queue.len());
    }

    /// Schedules an input before or during the run.
    pub fn schedule_input(&mut self, at: SimTime, input: M::Input) {
        self.push(at, Event::Input { input });
    }

    /// Runs `f` with the model and a context at the current time (for start-up calls
    /// such as arming every node's first timer), then applies what it produced.
    pub fn with_ctx<O: Observer>(&mut self, model: &mut M, observer: &mut O, f: impl FnOnce(&mut M, &mut Ctx<'_, M>)) {
        self.call(model, observer, f);
    }

    /// The current virtual time.
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// The overlay.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }
    /// Liveness and misbehaviour tags.
    pub fn nodes(&self) -> &NodeTable {
        &self.nodes
    }
    /// Number of events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }
    /// Number of events pending.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    fn drain<O: Observer>(&mut self, observer: &mut O, model: &mut M) {
        let now = self.now;
        let mut out = std::mem::take(&mut self.out);
        for (from, to, msg) in out.sends.drain(..) {
            let bytes = M::message_bytes(&msg);
            observer.on_send(now, from, to, bytes);
            let envelope = Envelope { now, from, to, bytes };
            match self.network.judge_send(&envelope, &mut self.net_rng) {
                Ok(delay) => {
                    // Queued after the loop, in this same order (so with the same
                    // sequence numbers): the queue fetches each slot meanwhile.
                    let at = now.plus(delay);
                    self.queue.prefetch_push(at);
                    self.staged.push((at, from, to, msg));
                }
                Err(cause) => {
                    self.trace.fold(now.as_nanos(), TraceKind::Drop, from, to, cause as u64);
                    observer.on_drop(now, from, to, bytes, cause);
                    model.on_drop(&msg, from, to, cause);
                }
            }
        }
        let mut staged = std::mem::take(&mut self.staged);
        if staged.len() > 1 {
            for (at, ..) in &staged {
                self.queue.prefetch_push_tail(*at);
            }
        }
        for (at, from, to, msg) in staged.drain(..) {
            self.push(at, Event::Deliver { from, to, msg });
        }
        self.staged = staged;
        for (node, at, timer) in out.timers.drain(..) {
            let incarnation = self.nodes.incarnation[node as usize];
            self.push(at, Event::Timer { node, incarnation, timer });
        }
        for (at, input) in out.inputs.drain(..) {
            self.push(at, Event::Input { input });
        }
        self.out = out;
    }

    /// Calls `f(model, ctx)` with a fresh context, then drains its output.
    #[inline]
    fn call<O: Observer>(&mut self, model: &mut M, observer: &mut O, f: impl FnOnce(&mut M, &mut Ctx<'_, M>)) {
        let mut ctx = Ctx {
            now: self.now,
            out: &mut self.out,
            nodes: &self.nodes,
            topology: &self.topology,
            rng: &mut self.protocol_rng,
            stop: &mut self.stop,
        };
        f(model, &mut ctx);
        // Most callbacks (a duplicate delivery) produce nothing.
        if !self.out.is_empty() {
            self.drain(observer, model);
        }
    }

    fn crash<O: Observer>(
        &mut self,
        model: &mut M,
        observer: &mut O,
        node: u32,
        recover_after_ns: Option<u64>,
        wipe: bool,
    ) {
        if !self.nodes.is_up(node) {
            if recover_after_ns.is_none() {
                // A crash-stop on a node that is already down keeps it down for good.
                set_bit(&mut self.nodes.stopped, node, true);
            }
            return;
        }
        set_bit(&mut self.nodes.up, node, false);
        set_bit(&mut self.nodes.stopped, node, recover_after_ns.is_none());
        self.nodes.incarnation[node as usize] = self.nodes.incarnation[node as usize].wrapping_add(1);
        self.nodes.up_count -= 1;
        self.trace.fold(self.now.as_nanos(), TraceKind::Crash, node, node, 0);
        observer.on_crash(self.now, node);
        self.call(model, observer, |m, ctx| m.on_crash(ctx, node));
        if let Some(downtime) = recover_after_ns {
            self.push(self.now.plus(downtime), Event::Recover { node, wipe });
        }
    }

    /// Runs until the queue empties, a cap is reached or the model asks to stop.
    pub fn run<O: Observer>(&mut self, model: &mut M, observer: &mut O) -> RunOutcome {
        let stop_reason = loop {
            if self.stop {
                break StopReason::Converged;
            }
            if self.events >= self.limits.max_events {
                break StopReason::EventLimit;
            }
            let Some((key, event)) = self.queue.pop() else {
                break StopReason::Quiescent;
            };
            if key.time > self.limits.max_time {
                // Put it back so the state stays inspectable; time stops at the cap.
                self.queue.push(key, event);
                self.now = self.limits.max_time.max(self.now);
                break StopReason::TimeLimit;
            }
            assert!(key.time >= self.now, "time ran backwards: {} after {}", key.time, self.now);
            self.now = key.time;
            self.events += 1;
            if self.events.is_multiple_of(crate::observe::PROGRESS_EVERY) {
                observer.on_progress(self.now, self.events);
            }
            let now_ns = self.now.as_nanos();
            self.prefetch_upcoming(model);
            match event {
                Event::Deliver { from, to, msg } => {
                    let bytes = M::message_bytes(&msg);
                    let cause = if !self.nodes.is_up(to) {
                        Some(DropCause::ReceiverDown)
                    } else {
                        self.network.judge_arrival(&Envelope { now: self.now, from, to, bytes })
                    };
                    if let Some(cause) = cause {
                        self.trace.fold(now_ns, TraceKind::Drop, from, to, cause as u64);
                        observer.on_drop(self.now, from, to, bytes, cause);
                        model.on_drop(&msg, from, to, cause);
                    } else {
                        self.trace.fold(now_ns, TraceKind::Deliver, from, to, M::trace_key(&msg));
                        observer.on_deliver(self.now, from, to, bytes);
                        self.call(model, observer, |m, ctx| m.on_message(ctx, to, from, msg));
                    }
                }
                Event::Timer { node, incarnation, timer } => {
                    if self.nodes.is_up(node) && self.nodes.incarnation[node as usize] == incarnation {
                        self.trace.fold(now_ns, TraceKind::Timer, node, node, M::timer_key(&timer));
                        self.call(model, observer, |m, ctx| m.on_timer(ctx, node, timer));
                    }
                }
                Event::Input { input } => {
                    self.trace.fold(now_ns, TraceKind::Input, 0, 0, M::input_key(&input));
                    self.call(model, observer, |m, ctx| m.on_input(ctx, input));
                }
                Event::Crash { node, recover_after_ns, wipe } => {
                    let recover_after_ns = (recover_after_ns != NEVER).then_some(recover_after_ns);
                    self.crash(model, observer, node, recover_after_ns, wipe);
                }
                Event::Recover { node, wipe } => {
                    if !self.nodes.is_up(node) && !self.nodes.is_stopped(node) {
                        set_bit(&mut self.nodes.up, node, true);
                        self.nodes.up_count += 1;
                        self.trace.fold(now_ns, TraceKind::Recover, node, node, u64::from(wipe));
                        observer.on_recover(self.now, node, wipe);
                        self.call(model, observer, |m, ctx| m.on_recover(ctx, node, wipe));
                    }
                }
                Event::ChurnLeave { spec } => {
                    let NodeFaultSpec::Churn { end, leave_rate_per_sec, mean_downtime_ns, wipe, .. } =
                        self.faults[spec as usize].clone()
                    else {
                        unreachable!("churn event for a non-churn spec");
                    };
                    if let Some(node) = self.random_up_node(spec as usize) {
                        let downtime = self.churn_rngs[spec as usize].exponential(mean_downtime_ns as f64) as u64;
                        self.crash(model, observer, node, Some(downtime.max(1)), wipe);
                    }
                    let gap =
                        self.churn_rngs[spec as usize].exponential(SimTime::NANOS_PER_SEC as f64 / leave_rate_per_sec);
                    let next = self.now.plus(gap as u64);
                    if next < end {
                        self.push(next, Event::ChurnLeave { spec });
                    }
                }
            }
        };
        RunOutcome {
            stop_reason,
            final_time: self.now,
            events: self.events,
            trace_digest: self.trace.finish(),
            peak_pending: self.peak_pending,
        }
    }

    /// Memory latency, not arithmetic, bounds a large run: each delivery touches a
    /// random node's state and, when it forwards, that node's neighbour list. The
    /// queue knows the destinations a few events ahead, so start fetching them now,
    /// in stages: the node state far ahead; nearer, if the model says the delivery
    /// will do more than that state decides, the CSR offset; nearer still the
    /// neighbour list it points at. Hints only; nothing here changes a result.
    #[inline]
    fn prefetch_upcoming(&self, model: &M) {
        if let Some(Event::Deliver { to, .. }) = self.queue.upcoming(PREFETCH_AHEAD) {
            model.prefetch(*to);
        }
        if let Some(Event::Deliver { to, msg, .. }) = self.queue.upcoming(PREFETCH_AHEAD * 5 / 8)
            && model.prefetch_more(*to, msg)
        {
            self.topology.prefetch_offsets(*to);
        }
        if let Some(Event::Deliver { to, msg, .. }) = self.queue.upcoming(PREFETCH_AHEAD / 4)
            && model.prefetch_more(*to, msg)
        {
            self.topology.prefetch_neighbours(*to);
        }
    }

    /// A uniformly random live node drawn from churn spec `spec`'s stream, or `None`
    /// if every node is down.
    fn random_up_node(&mut self, spec: usize) -> Option<u32> {
        let n = self.topology.node_count();
        if self.nodes.up_count == 0 {
            return None;
        }
        // Rejection sampling is uniform over live nodes; the fallback keeps the loop
        // bounded when almost every node is down.
        for _ in 0..64 {
            let node = self.churn_rngs[spec].below(u64::from(n)) as u32;
            if self.nodes.is_up(node) {
                return Some(node);
            }
        }
        let k = self.churn_rngs[spec].below(u64::from(self.nodes.up_count));
        (0..n).filter(|&node| self.nodes.is_up(node)).nth(k as usize)
    }
}

/// How many events ahead the loop starts fetching a delivery's destination: far
/// enough to cover a DRAM miss (a few hundred ns on a VM) when a duplicate delivery
/// takes about 100 ns, near enough that the lines are still cached when used. On the
/// 10⁶-node bench 16 measured about 5% faster than 8; 24 and 32 no better than 16.
const PREFETCH_AHEAD: usize = 16;

/// Bytes one pending event of model `M` occupies in the queue (key included).
pub const fn pending_event_bytes<M: Model + ?Sized>() -> usize {
    std::mem::size_of::<(EventKey, Event<M>)>()
}

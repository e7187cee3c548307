//! A toy gossip model and a recording observer: the smallest [`Model`] that drives
//! every engine path (messages, periodic and one-shot timers, inputs, crashes,
//! drops), logging each callback with the time it saw.

use gossim_engine::{
    Ctx, DropCause, Engine, EngineConfig, LatencyDist, LatencyModel, Model, Observer, RunOutcome, SimTime, Topology,
};

/// Wire size of a rumour, in bytes.
pub const RUMOUR_BYTES: u32 = 100;
/// Wire size of the probes a tick sends, in bytes.
pub const TICK_PROBE_BYTES: u32 = 64;

/// A message between toy nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// The rumour first started at `origin`.
    Rumour { origin: u32 },
    /// A numbered probe; `index` points into [`Toy::probes`].
    Probe { index: u32, bytes: u32 },
}

/// A toy timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The periodic tick; what it does is [`TickAction`].
    Tick,
    /// A one-shot alarm, only logged.
    Alarm { label: u32 },
}

/// An externally scheduled toy input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Starts the rumour at `node` (ignored while the node is down).
    Rumour { node: u32 },
    /// Only logged; `then` schedules another mark for the current time.
    Mark { label: u32, then: Option<u32> },
    /// `from` sends one probe of `bytes` to each of `to`, in that order.
    Probes { from: u32, to: Vec<u32>, bytes: u32 },
    /// Arms a one-shot alarm at `node`, `after_ns` from now.
    Alarm { node: u32, after_ns: u64, label: u32 },
}

/// What a node does when its tick fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickAction {
    /// Sends a probe to every other node.
    ProbeAll,
    /// Sends a probe to one uniformly random other node.
    ProbeRandomPeer,
    /// If informed, pushes the rumour to one uniformly random other node.
    PushRumour,
}

/// A periodic tick at every node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Periodic {
    pub period_ns: u64,
    /// No tick is armed for a time later than this.
    pub until: SimTime,
    pub action: TickAction,
}

/// How the toy nodes behave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToyConfig {
    pub node_count: u32,
    /// Forward the rumour to every other node on first receipt.
    pub flood: bool,
    pub periodic: Option<Periodic>,
    /// Ask the engine to stop once every node holds the rumour.
    pub stop_when_all_informed: bool,
}

impl ToyConfig {
    /// `node_count` nodes that do nothing unless told to.
    pub fn quiet(node_count: u32) -> Self {
        ToyConfig { node_count, flood: false, periodic: None, stop_when_all_informed: false }
    }

    /// Adds a periodic tick.
    pub fn ticking(mut self, period_ns: u64, until: SimTime, action: TickAction) -> Self {
        self.periodic = Some(Periodic { period_ns, until, action });
        self
    }
}

/// One model callback, as the model saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happening {
    Message { from: u32, to: u32, msg: Msg },
    Timer { node: u32, timer: Timer },
    Input { input: Input },
    Crash { node: u32 },
    Recover { node: u32, wiped: bool },
}

/// Where and when a probe was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeRecord {
    pub sent_at: SimTime,
    pub from: u32,
    pub to: u32,
}

/// The toy model and everything it saw.
#[derive(Debug)]
pub struct Toy {
    pub config: ToyConfig,
    pub informed: Vec<bool>,
    pub informed_count: u32,
    /// Every callback in processing order, with `ctx.now()`.
    pub log: Vec<(SimTime, Happening)>,
    /// Every probe sent, by index.
    pub probes: Vec<ProbeRecord>,
    /// Every drop the engine reported to the model.
    pub drops: Vec<(Msg, u32, u32, DropCause)>,
}

impl Toy {
    pub fn new(config: ToyConfig) -> Self {
        let n = config.node_count as usize;
        Toy {
            config,
            informed: vec![false; n],
            informed_count: 0,
            log: Vec::new(),
            probes: Vec::new(),
            drops: Vec::new(),
        }
    }

    /// Arms every node's first tick at a random phase within one period.
    pub fn start(&mut self, ctx: &mut Ctx<'_, Toy>) {
        if let Some(periodic) = self.config.periodic {
            for node in 0..self.config.node_count {
                let at = ctx.now().plus(ctx.rng().below(periodic.period_ns.max(1)));
                if at <= periodic.until {
                    ctx.set_timer(node, at, Timer::Tick);
                }
            }
        }
    }

    fn send_probe(&mut self, ctx: &mut Ctx<'_, Toy>, from: u32, to: u32, bytes: u32) {
        let index = self.probes.len() as u32;
        self.probes.push(ProbeRecord { sent_at: ctx.now(), from, to });
        ctx.send(from, to, Msg::Probe { index, bytes });
    }

    fn random_peer(&self, ctx: &mut Ctx<'_, Toy>, node: u32) -> u32 {
        let other = ctx.rng().below(u64::from(self.config.node_count - 1)) as u32;
        if other >= node { other + 1 } else { other }
    }

    fn inform(&mut self, ctx: &mut Ctx<'_, Toy>, node: u32, origin: u32) {
        if self.informed[node as usize] {
            return;
        }
        self.informed[node as usize] = true;
        self.informed_count += 1;
        if self.config.flood {
            for to in (0..self.config.node_count).filter(|&to| to != node) {
                ctx.send(node, to, Msg::Rumour { origin });
            }
        }
        if self.config.stop_when_all_informed && self.informed_count == self.config.node_count {
            ctx.request_stop();
        }
    }

    fn arm_tick(&self, ctx: &mut Ctx<'_, Toy>, node: u32) {
        if let Some(periodic) = self.config.periodic {
            let at = ctx.now().plus(periodic.period_ns);
            if at <= periodic.until {
                ctx.set_timer(node, at, Timer::Tick);
            }
        }
    }
}

impl Model for Toy {
    type Message = Msg;
    type Timer = Timer;
    type Input = Input;

    fn message_bytes(msg: &Msg) -> u32 {
        match *msg {
            Msg::Rumour { .. } => RUMOUR_BYTES,
            Msg::Probe { bytes, .. } => bytes,
        }
    }

    fn trace_key(msg: &Msg) -> u64 {
        match *msg {
            Msg::Rumour { origin } => u64::from(origin),
            Msg::Probe { index, .. } => (1 << 32) | u64::from(index),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, to: u32, from: u32, msg: Msg) {
        self.log.push((ctx.now(), Happening::Message { from, to, msg }));
        if let Msg::Rumour { origin } = msg {
            self.inform(ctx, to, origin);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, node: u32, timer: Timer) {
        self.log.push((ctx.now(), Happening::Timer { node, timer }));
        if timer != Timer::Tick {
            return;
        }
        let action = self.config.periodic.expect("a tick without a periodic config").action;
        match action {
            TickAction::ProbeAll => {
                for to in (0..self.config.node_count).filter(|&to| to != node) {
                    self.send_probe(ctx, node, to, TICK_PROBE_BYTES);
                }
            }
            TickAction::ProbeRandomPeer => {
                let to = self.random_peer(ctx, node);
                self.send_probe(ctx, node, to, TICK_PROBE_BYTES);
            }
            TickAction::PushRumour => {
                if self.informed[node as usize] {
                    let to = self.random_peer(ctx, node);
                    ctx.send(node, to, Msg::Rumour { origin: node });
                }
            }
        }
        self.arm_tick(ctx, node);
    }

    fn on_input(&mut self, ctx: &mut Ctx<'_, Self>, input: Input) {
        self.log.push((ctx.now(), Happening::Input { input: input.clone() }));
        match input {
            Input::Rumour { node } => {
                if ctx.nodes().is_up(node) {
                    self.inform(ctx, node, node);
                }
            }
            Input::Mark { then, .. } => {
                if let Some(label) = then {
                    ctx.schedule_input(ctx.now(), Input::Mark { label, then: None });
                }
            }
            Input::Probes { from, to, bytes } => {
                for to in to {
                    self.send_probe(ctx, from, to, bytes);
                }
            }
            Input::Alarm { node, after_ns, label } => {
                ctx.set_timer(node, ctx.now().plus(after_ns), Timer::Alarm { label });
            }
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>, node: u32) {
        self.log.push((ctx.now(), Happening::Crash { node }));
    }

    fn on_recover(&mut self, ctx: &mut Ctx<'_, Self>, node: u32, wiped: bool) {
        self.log.push((ctx.now(), Happening::Recover { node, wiped }));
        // The ticks armed before the crash died with the old incarnation.
        self.arm_tick(ctx, node);
    }

    fn on_drop(&mut self, msg: &Msg, from: u32, to: u32, cause: DropCause) {
        self.drops.push((*msg, from, to, cause));
    }
}

/// One observer callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    Send { from: u32, to: u32, bytes: u32 },
    Deliver { from: u32, to: u32, bytes: u32 },
    Drop { from: u32, to: u32, cause: DropCause },
    Crash { node: u32 },
    Recover { node: u32, wiped: bool },
}

/// An observer that keeps everything, in call order.
#[derive(Debug, Default)]
pub struct Recorder {
    pub log: Vec<(SimTime, Observed)>,
}

impl Recorder {
    /// How many drops with `cause` were observed.
    pub fn drop_count(&self, cause: DropCause) -> usize {
        self.log.iter().filter(|(_, o)| matches!(o, Observed::Drop { cause: c, .. } if *c == cause)).count()
    }

    /// How many entries match `f`.
    pub fn count(&self, f: impl Fn(&Observed) -> bool) -> usize {
        self.log.iter().filter(|(_, o)| f(o)).count()
    }
}

impl Observer for Recorder {
    fn on_send(&mut self, now: SimTime, from: u32, to: u32, bytes: u32) {
        self.log.push((now, Observed::Send { from, to, bytes }));
    }
    fn on_deliver(&mut self, now: SimTime, from: u32, to: u32, bytes: u32) {
        self.log.push((now, Observed::Deliver { from, to, bytes }));
    }
    fn on_drop(&mut self, now: SimTime, from: u32, to: u32, _bytes: u32, cause: DropCause) {
        self.log.push((now, Observed::Drop { from, to, cause }));
    }
    fn on_crash(&mut self, now: SimTime, node: u32) {
        self.log.push((now, Observed::Crash { node }));
    }
    fn on_recover(&mut self, now: SimTime, node: u32, wiped: bool) {
        self.log.push((now, Observed::Recover { node, wiped }));
    }
}

/// A finished run: the outcome, the model, the observer and the final liveness.
#[derive(Debug)]
pub struct Run {
    pub outcome: RunOutcome,
    pub toy: Toy,
    pub recorder: Recorder,
    /// Events still queued when the run stopped.
    pub pending: usize,
    /// Whether each node was up at the end.
    pub up: Vec<bool>,
}

impl Run {
    /// Arrival time of each probe, by index (`None`: never delivered).
    pub fn probe_arrivals(&self) -> Vec<Option<SimTime>> {
        let mut arrivals = vec![None; self.toy.probes.len()];
        for (at, happening) in &self.toy.log {
            if let Happening::Message { msg: Msg::Probe { index, .. }, .. } = happening {
                assert!(arrivals[*index as usize].is_none(), "probe {index} delivered twice");
                arrivals[*index as usize] = Some(*at);
            }
        }
        arrivals
    }
}

/// Runs the toy on the complete graph: schedules `inputs`, arms the ticks, runs.
pub fn run(config: EngineConfig, toy: ToyConfig, inputs: &[(SimTime, Input)]) -> Run {
    let n = toy.node_count;
    let mut engine: Engine<Toy> = Engine::new(config, Topology::Complete { n }).expect("a valid engine configuration");
    let mut toy = Toy::new(toy);
    let mut recorder = Recorder::default();
    for (at, input) in inputs {
        engine.schedule_input(*at, input.clone());
    }
    engine.with_ctx(&mut toy, &mut recorder, |toy, ctx| toy.start(ctx));
    let outcome = engine.run(&mut toy, &mut recorder);
    let up = (0..n).map(|node| engine.nodes().is_up(node)).collect();
    Run { outcome, toy, recorder, pending: engine.pending(), up }
}

/// The processing-order replay of one run's callbacks: panics if a crashed node
/// received a message or fired a timer while down. Returns the downtimes seen as
/// `(node, crashed_at, recovered_at)` (`None`: never recovered).
pub fn assert_nothing_reaches_down_nodes(toy: &Toy) -> Vec<(u32, SimTime, Option<SimTime>)> {
    let mut down_since: Vec<Option<SimTime>> = vec![None; toy.config.node_count as usize];
    let mut downtimes = Vec::new();
    for (at, happening) in &toy.log {
        match *happening {
            Happening::Crash { node } => {
                assert!(down_since[node as usize].is_none(), "node {node} crashed twice at {at}");
                down_since[node as usize] = Some(*at);
            }
            Happening::Recover { node, .. } => {
                let since = down_since[node as usize].take().expect("a recovery without a crash");
                downtimes.push((node, since, Some(*at)));
            }
            Happening::Message { to, from, msg } => {
                assert!(down_since[to as usize].is_none(), "{msg:?} from {from} delivered to down node {to} at {at}");
            }
            Happening::Timer { node, timer } => {
                assert!(down_since[node as usize].is_none(), "{timer:?} fired at down node {node} at {at}");
            }
            Happening::Input { .. } => {}
        }
    }
    for (node, since) in down_since.iter().enumerate() {
        if let Some(since) = since {
            downtimes.push((node as u32, *since, None));
        }
    }
    downtimes
}

/// An engine configuration with one global latency distribution and nothing else.
pub fn config_with_latency(seed: u64, dist: LatencyDist) -> EngineConfig {
    let mut config = EngineConfig::new(seed);
    config.network.latency = LatencyModel::Global { dist };
    config
}

/// `SimTime` from milliseconds, shorter to read in tables.
pub const fn ms(value: u64) -> SimTime {
    SimTime::from_millis(value)
}

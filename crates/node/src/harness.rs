//! A scripted multi-node harness for tests: nodes on a complete graph or explicit
//! neighbour lists, a manual message queue you step, explicit time, and
//! deterministic entropy (after quinn-proto's `Pair::drive`).
//!
//! Delivery has zero latency and no loss unless a test drops messages by hand
//! ([`Harness::drop_next`], [`Harness::drop_where`]). Time moves only when a test
//! fires timers: [`Harness::run_until`] fires every timer due at the next instant
//! (all of them, before any delivery, so a node informed during a round first gossips
//! at the next tick — synchronous rounds), delivers everything queued, and repeats.
//!
//! Not here: latency models, bandwidth or partitions (the engine's), and any
//! statistics beyond what tests assert on.

use crate::behaviour::Behaviour;
use crate::config::NodeConfig;
use crate::entropy::Entropy;
use crate::io::{Io, Outbox, Scratch, Shared};
use crate::message::Message;
use crate::node::Node;
use crate::observation::Observation;
use crate::peers::PeerSet;
use crate::timer::Timer;
use gossim_ledger::{Genesis, TxArena, TxIndex};
use std::collections::{BTreeMap, VecDeque};

/// SplitMix64: a tiny, fast, seedable generator with exact samplers. For tests and
/// examples; the runner uses its own ChaCha streams.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl Entropy for SplitMix64 {
    /// Lemire's multiply-shift with rejection: exactly uniform.
    fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let wide = u128::from(self.next_u64()) * u128::from(n);
            if (wide as u64) >= threshold {
                return (wide >> 64) as u64;
            }
        }
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    fn poisson(&mut self, mean: f64) -> u64 {
        poisson_by_products(mean, || self.unit())
    }
}

/// Knuth's product method, in chunks of mean ≤ 16 so `exp(-mean)` never underflows
/// (a sum of independent Poissons is Poisson).
fn poisson_by_products(mut mean: f64, mut unit: impl FnMut() -> f64) -> u64 {
    let mut total = 0;
    while mean > 0.0 {
        let chunk = mean.min(16.0);
        mean -= chunk;
        let limit = (-chunk).exp();
        let mut product = unit();
        while product > limit {
            total += 1;
            product *= unit();
        }
    }
    total
}

/// Entropy whose next draws a test can dictate; unscripted draws come from a seeded
/// [`SplitMix64`].
#[derive(Clone, Debug)]
pub struct Scripted {
    below: VecDeque<u64>,
    units: VecDeque<f64>,
    fallback: SplitMix64,
}

impl Scripted {
    /// Nothing scripted; draws come from `SplitMix64::new(seed)`.
    pub fn new(seed: u64) -> Self {
        Scripted { below: VecDeque::new(), units: VecDeque::new(), fallback: SplitMix64::new(seed) }
    }

    /// The next `below(n)` calls return these values (each taken modulo `n`).
    pub fn script_below(&mut self, values: impl IntoIterator<Item = u64>) {
        self.below.extend(values);
    }

    /// The next `unit()` calls return these values.
    pub fn script_units(&mut self, values: impl IntoIterator<Item = f64>) {
        self.units.extend(values);
    }
}

impl Entropy for Scripted {
    fn below(&mut self, n: u64) -> u64 {
        match self.below.pop_front() {
            Some(v) => v % n,
            None => self.fallback.below(n),
        }
    }

    fn unit(&mut self) -> f64 {
        self.units.pop_front().unwrap_or_else(|| self.fallback.unit())
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    fn poisson(&mut self, mean: f64) -> u64 {
        poisson_by_products(mean, || self.unit())
    }
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    pub from: u32,
    pub to: u32,
    pub msg: Message,
}

/// A record of one send, kept for assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentRecord {
    pub at_ns: u64,
    pub from: u32,
    pub to: u32,
    pub kind: &'static str,
    pub tx: Option<TxIndex>,
    pub payload: bool,
    /// For a body: whether it was altered.
    pub tampered: bool,
}

/// Nodes, a FIFO message queue, pending timers and everything they observed.
#[derive(Debug)]
pub struct Harness {
    pub config: NodeConfig,
    pub arena: TxArena,
    pub genesis: Genesis,
    pub nodes: Vec<Node>,
    pub rng: Scripted,
    pub now_ns: u64,
    /// Messages not yet delivered, oldest first.
    pub queue: VecDeque<Envelope>,
    /// Everything each node observed, in order.
    pub observations: Vec<Vec<Observation>>,
    /// Every send, in order.
    pub sent: Vec<SentRecord>,
    /// Liveness: a down node receives nothing and its timers are gone.
    pub up: Vec<bool>,
    /// Messages lost (dropped by hand or addressed to a down node).
    pub dropped: usize,
    neighbours: Option<Vec<Vec<u32>>>,
    timers: BTreeMap<(u64, u64), (u32, Timer)>,
    timer_seq: u64,
    scratch: Scratch,
    out: Outbox,
}

/// Deliveries allowed in one `deliver_all` before the harness assumes a livelock.
const DELIVERY_LIMIT: usize = 10_000_000;

impl Harness {
    /// `node_count` honest nodes on the complete graph, entropy seeded with 1.
    pub fn new(node_count: u32, config: NodeConfig, arena: TxArena, genesis: Genesis) -> Self {
        let n = node_count as usize;
        Harness {
            config,
            arena,
            genesis,
            nodes: (0..n).map(|_| Node::new(Behaviour::Honest)).collect(),
            rng: Scripted::new(1),
            now_ns: 0,
            queue: VecDeque::new(),
            observations: vec![Vec::new(); n],
            sent: Vec::new(),
            up: vec![true; n],
            dropped: 0,
            neighbours: None,
            timers: BTreeMap::new(),
            timer_seq: 0,
            scratch: Scratch::default(),
            out: Outbox::default(),
        }
    }

    /// Uses explicit neighbour lists (one per node) instead of the complete graph.
    pub fn with_neighbours(mut self, lists: Vec<Vec<u32>>) -> Self {
        assert_eq!(lists.len(), self.nodes.len(), "one neighbour list per node");
        self.neighbours = Some(lists);
        self
    }

    /// Reseeds the unscripted entropy.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = Scripted::new(seed);
        self
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Replaces node `node` by a fresh one with `behaviour`.
    pub fn set_behaviour(&mut self, node: u32, behaviour: Behaviour) {
        self.nodes[node as usize] = Node::new(behaviour);
    }

    /// Calls `start` on every node.
    pub fn start_all(&mut self) {
        for node in 0..self.nodes.len() as u32 {
            self.call(node, |n, io| n.start(io));
        }
    }

    /// A user submits `tx` at `node`.
    pub fn submit(&mut self, node: u32, tx: TxIndex) {
        self.call(node, |n, io| n.submit(io, tx));
    }

    /// Delivers the oldest queued message; returns it (after delivery), or `None`
    /// when the queue is empty. A message to a down node is counted as dropped.
    pub fn deliver_next(&mut self) -> Option<Envelope> {
        let envelope = self.queue.pop_front()?;
        if !self.up[envelope.to as usize] {
            self.dropped += 1;
            return Some(envelope);
        }
        let (from, msg) = (envelope.from, envelope.msg.clone());
        self.call(envelope.to, |n, io| n.on_message(io, from, msg));
        Some(envelope)
    }

    /// Delivers until the queue is empty (including everything sent meanwhile);
    /// returns how many were taken off the queue. Panics past ten million, which in
    /// a test means a livelock.
    pub fn deliver_all(&mut self) -> usize {
        let mut count = 0;
        while self.deliver_next().is_some() {
            count += 1;
            assert!(count < DELIVERY_LIMIT, "deliver_all: livelock suspected");
        }
        count
    }

    /// Removes the oldest queued message without delivering it.
    pub fn drop_next(&mut self) -> Option<Envelope> {
        let dropped = self.queue.pop_front();
        self.dropped += usize::from(dropped.is_some());
        dropped
    }

    /// Removes every queued message matching `pred`; returns how many.
    pub fn drop_where(&mut self, mut pred: impl FnMut(&Envelope) -> bool) -> usize {
        let before = self.queue.len();
        self.queue.retain(|e| !pred(e));
        let removed = before - self.queue.len();
        self.dropped += removed;
        removed
    }

    /// When the earliest pending timer fires.
    pub fn next_timer_at(&self) -> Option<u64> {
        self.timers.keys().next().map(|&(at, _)| at)
    }

    /// Fires the earliest pending timer, advancing time to it.
    pub fn fire_next_timer(&mut self) -> Option<(u64, u32, Timer)> {
        let ((at, _), (node, timer)) = self.timers.pop_first()?;
        self.now_ns = self.now_ns.max(at);
        self.call(node, |n, io| n.on_timer(io, timer));
        Some((at, node, timer))
    }

    /// Delivers everything queued, then repeatedly fires all timers due at the next
    /// instant and delivers again, until the next timer lies after `until_ns`. Time
    /// ends at `until_ns`.
    pub fn run_until(&mut self, until_ns: u64) {
        self.deliver_all();
        while let Some(at) = self.next_timer_at().filter(|&at| at <= until_ns) {
            while self.next_timer_at() == Some(at) {
                self.fire_next_timer();
            }
            self.deliver_all();
        }
        self.now_ns = self.now_ns.max(until_ns);
    }

    /// Crashes `node`: it receives nothing and its timers are discarded.
    pub fn crash(&mut self, node: u32) {
        self.up[node as usize] = false;
        self.timers.retain(|_, (n, _)| *n != node);
    }

    /// Brings `node` back, wiping its state if `wiped`.
    pub fn recover(&mut self, node: u32, wiped: bool) {
        self.up[node as usize] = true;
        self.call(node, |n, io| n.restart(io, wiped));
    }

    /// True when `node` accepted `tx`.
    pub fn knows(&self, node: u32, tx: TxIndex) -> bool {
        self.nodes[node as usize].knows(tx)
    }

    /// How many nodes accepted `tx`.
    pub fn informed(&self, tx: TxIndex) -> usize {
        self.nodes.iter().filter(|n| n.knows(tx)).count()
    }

    /// True when every live honest node accepted `tx`.
    pub fn all_honest_know(&self, tx: TxIndex) -> bool {
        self.nodes
            .iter()
            .zip(&self.up)
            .filter(|(n, up)| **up && n.behaviour() == Behaviour::Honest)
            .all(|(n, _)| n.knows(tx))
    }

    /// Sends so far of the given kind name (`"tx"`, `"inv"`, ...).
    pub fn sent_count(&self, kind: &str) -> usize {
        self.sent.iter().filter(|s| s.kind == kind).count()
    }

    /// Runs one call into `node` with a fresh `Io`, then files its outputs.
    fn call(&mut self, node: u32, f: impl FnOnce(&mut Node, &mut Io<'_, Scripted>)) {
        self.out.clear();
        let node_count = self.nodes.len() as u32;
        let peers = match &self.neighbours {
            Some(lists) => PeerSet::List(&lists[node as usize]),
            None => PeerSet::AllExcept { n: node_count, me: node },
        };
        let mut io = Io {
            now_ns: self.now_ns,
            me: node,
            node_count,
            peers,
            shared: Shared { config: &self.config, arena: &self.arena, genesis: &self.genesis },
            rng: &mut self.rng,
            scratch: &mut self.scratch,
            out: &mut self.out,
        };
        f(&mut self.nodes[node as usize], &mut io);
        for (to, msg) in self.out.sends.drain(..) {
            self.sent.push(SentRecord {
                at_ns: self.now_ns,
                from: node,
                to,
                kind: msg.kind_name(),
                tx: msg.tx(),
                payload: msg.is_payload(),
                tampered: matches!(msg, Message::Tx { tamper, .. } if tamper != 0),
            });
            self.queue.push_back(Envelope { from: node, to, msg });
        }
        for (at, timer) in self.out.timers.drain(..) {
            self.timers.insert((at, self.timer_seq), (node, timer));
            self.timer_seq += 1;
        }
        self.observations[node as usize].append(&mut self.out.observations);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_exact_and_in_range() {
        let mut rng = SplitMix64::new(5);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[rng.below(3) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn scripted_values_come_first() {
        let mut rng = Scripted::new(0);
        rng.script_below([7, 2]);
        rng.script_units([0.25]);
        assert_eq!(rng.below(5), 2);
        assert_eq!(rng.below(5), 2);
        assert_eq!(rng.unit(), 0.25);
        assert!(rng.below(5) < 5);
    }

    #[test]
    fn poisson_has_the_right_mean_even_for_large_means() {
        let mut rng = SplitMix64::new(11);
        for mean in [0.5, 3.0, 40.0] {
            let n = 20_000;
            let total: u64 = (0..n).map(|_| rng.poisson(mean)).sum();
            let got = total as f64 / f64::from(n);
            assert!((got - mean).abs() < 4.0 * (mean / f64::from(n)).sqrt() + 1e-9, "{mean}: {got}");
        }
    }
}

//! The replicating node: a [`NodeLedger`] plus the protocol state machine that decides
//! whom to tell what, and when.
//!
//! Inputs are [`Node::start`], [`Node::on_message`], [`Node::on_timer`],
//! [`Node::submit`] and [`Node::restart`]; every output (sends, timers,
//! observations) goes to the caller's [`crate::Outbox`]. How each protocol reacts:
//!
//! | protocol | on first acceptance | on each `Gossip` tick | answers |
//! |---|---|---|---|
//! | push once | body to `fanout` peers | — | — |
//! | push periodic | mark hot | hot bodies to `fanout` peers (one sample) | — |
//! | pull | — | summary to `fanout` peers | bodies the requester lacks |
//! | push-pull | mark hot | hot bodies + summary to each of `fanout` peers | bodies the requester lacks |
//! | announce | `Inv` to `fanout` peers | — | `GetData` → body; retry on timeout |
//! | anti-entropy | — | digest to `fanout` peers | id set → bodies + want list |
//! | rumour | start mongering | active rumours to `fanout` peers | feedback |
//! | central | server: body to every node | — | — |
//!
//! Every protocol also answers any request it receives (a summary, a digest, a
//! `GetData`), so the optional `repair` add-on (a digest to one random peer per
//! `Repair` tick) works under all of them.
//!
//! Hop counts: a copy sent by a node whose own copy has hop `h` carries `h + 1`.
//! `exclude_sender` applies per transaction: a body is never sent back to the peer it
//! came from; for acceptance-triggered forwarding the peer is excluded before
//! sampling (so `fanout` targets are still reached), for periodic pushes (push,
//! push-pull) the shared sample is drawn first and the sender skipped. Rumour
//! mongering follows Demers et al. and does not exclude.
//!
//! Synchronous rounds (fixed period, aligned phase): a node informed during round `r`
//! first gossips at the tick that opens round `r + 1`, and answers pull requests of
//! round `r` only with what it knew when round `r` began, so nothing is relayed
//! within a round (THEORY.md §0; without this push-pull at n = 16 takes 3.56 rounds
//! instead of the exact 4.153).
//!
//! Not here: time, delivery, loss and crashes (the engine), metrics (the report reads
//! observations), and the ledger rules ([`gossim_ledger::ledger`]).

use crate::behaviour::Behaviour;
use crate::config::{Fanout, Forward, NodeConfig, PeerSampler, Period, Phase, ProtocolKind, Rounds, RumorStop, Timing};
use crate::entropy::Entropy;
use crate::io::{HotItem, Io};
use crate::message::{Batch, Message, NonceEntry};
use crate::observation::Observation;
use crate::peers::{fanout_count, sample_peers};
use crate::timer::{Timer, cycle_ns, next_tick};
use gossim_ledger::{Admission, LedgerEvent, NodeLedger, RejectReason, SetDigest, TxIndex};

/// How many announcers of one transaction a node remembers for retries.
pub const MAX_ANNOUNCERS: usize = 4;

/// One replicating node.
///
/// `size_of::<Node>()` is 192 bytes: 176 of state, padded to three whole cache lines.
/// An honest node with nothing to gossip keeps no protocol state on the heap, so a
/// node that knows one transaction holds 192 bytes in all (see `memory_bytes`).
// Line-aligned because a run of 10⁶ nodes fetches a random node per delivery: at 176
// bytes three nodes in four straddle four lines, at 192 every node spans exactly
// three, which measured about 3% faster on the 10⁶-node bench for 16 MB more.
#[derive(Clone, Debug, Default)]
#[repr(align(64))]
pub struct Node {
    ledger: NodeLedger,
    /// Protocol state and a non-honest behaviour; `None` (8 bytes) when the node is
    /// honest and has nothing hot, no rumour and no open request.
    proto: Option<Box<ProtoState>>,
    /// What this node knew when the current synchronous round began (aligned fixed
    /// period only): answers to pull requests are limited to it, so a node informed
    /// during a round does not relay within that round (THEORY.md §0). Eight bytes
    /// per node instead of a timestamp per log entry.
    round: RoundMark,
}

/// The round (cycle index) of this node's latest acceptance and its log length just
/// before that round's first acceptance.
#[derive(Clone, Copy, Debug, Default)]
struct RoundMark {
    cycle: u32,
    known: u32,
}

#[derive(Clone, Debug, Default)]
struct ProtoState {
    behaviour: Behaviour,
    /// Push periodic / push-pull with `Rounds::Count`.
    hot: Vec<Hot>,
    /// Rumour mongering.
    rumors: Vec<Rumor>,
    /// Announce: outstanding `GetData`s.
    requests: Vec<Request>,
}

impl ProtoState {
    fn is_idle(&self) -> bool {
        self.behaviour == Behaviour::Honest && self.hot.is_empty() && self.rumors.is_empty() && self.requests.is_empty()
    }
}

/// A transaction pushed on the next `rounds_left` ticks.
#[derive(Clone, Copy, Debug)]
struct Hot {
    tx: TxIndex,
    from: Option<u32>,
    hop: u16,
    rounds_left: u32,
}

/// A rumour this node accepted.
#[derive(Clone, Copy, Debug)]
struct Rumor {
    tx: TxIndex,
    /// The cycle (`now / cycle_ns`) it was accepted in: "known at the start of the
    /// current cycle" means accepted in an earlier one.
    cycle: u64,
    counter: u32,
    hop: u16,
    own: bool,
    active: bool,
}

/// An outstanding announce request.
#[derive(Clone, Copy, Debug)]
struct Request {
    tx: TxIndex,
    announcers: [u32; MAX_ANNOUNCERS],
    announcer_count: u8,
    /// Index into `announcers` of the peer asked last.
    asked: u8,
    retries: u32,
    deadline_ns: u64,
}

/// The salt a tampering node applies: nonzero, fixed per node.
fn tamper_salt(me: u32) -> u16 {
    (me % u32::from(u16::MAX)) as u16 + 1
}

impl Node {
    /// A fresh node with an empty ledger.
    pub fn new(behaviour: Behaviour) -> Self {
        let proto =
            (behaviour != Behaviour::Honest).then(|| Box::new(ProtoState { behaviour, ..ProtoState::default() }));
        Node { ledger: NodeLedger::new(), proto, round: RoundMark::default() }
    }

    /// Arms the periodic timers the protocol needs (and the repair timer if
    /// configured). Call once when the run starts.
    pub fn start<R: Entropy>(&mut self, io: &mut Io<'_, R>) {
        let config = io.shared.config;
        let protocol = &config.protocol;
        if is_periodic(&protocol.kind) {
            let at = next_tick(&protocol.timing, io.now_ns, true, io.rng);
            io.out.timers.push((at, Timer::Gossip));
        }
        if let Some(repair) = &protocol.repair {
            let at = next_tick(repair, io.now_ns, true, io.rng);
            io.out.timers.push((at, Timer::Repair));
        }
    }

    /// Comes back after a crash. `wiped` forgets everything (ledger and protocol
    /// state); otherwise the log and gossip state survive and only open requests are
    /// dropped (their timeouts died with the crash). Either way the periodic timers
    /// are armed again: the engine discarded the old ones.
    pub fn restart<R: Entropy>(&mut self, io: &mut Io<'_, R>, wiped: bool) {
        if wiped {
            *self = Node::new(self.behaviour());
        } else if let Some(proto) = self.proto.as_mut() {
            proto.requests.clear();
            self.tidy();
        }
        self.start(io);
    }

    /// A user submits `tx` at this node, which becomes its origin (hop 0).
    pub fn submit<R: Entropy>(&mut self, io: &mut Io<'_, R>, tx: TxIndex) {
        let admission = self.offer(io, tx, 0, 0, None);
        let config = io.shared.config;
        if let ProtocolKind::Central { servers } = &config.protocol.kind {
            // A client hands its transaction to a server whatever its own view says:
            // the server is the authority.
            let is_client = !servers.contains(&io.me);
            if is_client && !servers.is_empty() && !matches!(admission, Admission::Rejected(_)) {
                let server = servers[io.rng.below(servers.len() as u64) as usize];
                self.send_body(io, server, tx, 1, 0, 1, true);
            }
        }
    }

    /// A message from `from` arrived.
    #[inline]
    pub fn on_message<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, msg: Message) {
        // The hot path of every gossip protocol: an honest copy of a transaction this
        // node has already seen. One bit test, one observation, no hashing. (Rumour
        // feedback needs the full path: the reply depends on when it was accepted.)
        if let Some(tx) = self.plain_duplicate(io.shared.config, &msg) {
            io.out.observations.push(Observation::Duplicate { tx, from: Some(from) });
            return;
        }
        self.dispatch(io, from, msg);
    }

    /// `Some(tx)` when `msg` is an honest copy of `tx` that this node has already
    /// seen and that needs no reply: [`Node::on_message`] then only records a
    /// duplicate. A driver may ask ahead of delivery (to skip prefetching what only
    /// a first copy reads); the answer is final only at delivery.
    #[inline]
    pub fn plain_duplicate(&self, config: &NodeConfig, msg: &Message) -> Option<TxIndex> {
        match *msg {
            Message::Tx { tx, tamper: 0, .. }
                if self.ledger.has_seen(tx)
                    && !matches!(config.protocol.kind, ProtocolKind::Rumor { feedback: true, .. }) =>
            {
                Some(tx)
            }
            _ => None,
        }
    }

    #[inline(never)]
    fn dispatch<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, msg: Message) {
        match msg {
            Message::Tx { tx, hop, tamper, .. } => self.on_tx(io, from, tx, hop, tamper),
            Message::Inv { tx, .. } => self.on_inv(io, from, tx),
            Message::GetData { tx } => self.on_get_data(io, from, tx),
            Message::Feedback { tx, useful } => self.on_feedback(io, tx, useful),
            Message::Summary { entries } => self.on_summary(io, from, entries.as_slice()),
            Message::Digest { fingerprint, accepted } => self.on_digest(io, from, fingerprint, accepted),
            Message::IdSet { ids } => self.on_id_set(io, from, ids.as_slice()),
            Message::Want { ids } => self.on_want(io, from, ids.as_slice()),
        }
    }

    /// A timer armed earlier fired.
    pub fn on_timer<R: Entropy>(&mut self, io: &mut Io<'_, R>, timer: Timer) {
        match timer {
            Timer::Gossip => self.on_gossip(io),
            Timer::Repair => self.on_repair(io),
            Timer::RequestTimeout { tx } => self.on_request_timeout(io, tx),
        }
    }

    /// The digest of the accepted set.
    pub fn digest(&self) -> SetDigest {
        self.ledger.digest()
    }

    /// The address the duplicate check of [`Node::on_message`] reads first (for
    /// prefetching; see [`NodeLedger::seen_address`]).
    #[inline]
    pub fn hot_address(&self) -> *const u8 {
        self.ledger.seen_address()
    }

    /// Number of accepted transactions.
    pub fn log_len(&self) -> usize {
        self.ledger.len()
    }

    /// True when `tx` is accepted.
    pub fn knows(&self, tx: TxIndex) -> bool {
        self.ledger.contains(tx)
    }

    /// The verified log.
    pub fn ledger(&self) -> &NodeLedger {
        &self.ledger
    }

    /// How this node behaves.
    pub fn behaviour(&self) -> Behaviour {
        self.proto.as_deref().map_or(Behaviour::Honest, |p| p.behaviour)
    }

    /// Bytes held: the struct, the ledger's heap and the protocol state's heap.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        size_of::<Self>()
            + self.ledger.heap_bytes()
            + self.proto.as_deref().map_or(0, |p| {
                size_of::<ProtoState>()
                    + p.hot.capacity() * size_of::<Hot>()
                    + p.rumors.capacity() * size_of::<Rumor>()
                    + p.requests.capacity() * size_of::<Request>()
            })
    }

    // ----- receiving bodies -------------------------------------------------------

    fn on_tx<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, tx: TxIndex, hop: u16, tamper: u16) {
        let feedback = matches!(io.shared.config.protocol.kind, ProtocolKind::Rumor { feedback: true, .. });
        if !feedback {
            self.offer(io, tx, tamper, hop, Some(from));
            return;
        }
        let knew = self.knew_for_feedback(io, tx);
        let admission = self.offer(io, tx, tamper, hop, Some(from));
        let useful = !knew && !matches!(admission, Admission::Rejected(_));
        io.out.sends.push((from, Message::Feedback { tx, useful }));
    }

    /// Whether a rumour push of `tx` is "unnecessary": the node already knew it, judged
    /// now or (with `judge_at_cycle_start`) at the start of the current cycle.
    fn knew_for_feedback<R: Entropy>(&self, io: &Io<'_, R>, tx: TxIndex) -> bool {
        if !self.ledger.has_seen(tx) {
            return false;
        }
        let ProtocolKind::Rumor { judge_at_cycle_start: true, .. } = io.shared.config.protocol.kind else {
            return true;
        };
        let current = io.now_ns / cycle_ns(&io.shared.config.protocol.timing);
        let accepted_this_cycle = self
            .proto
            .as_deref()
            // Rumours are kept in acceptance order, so this cycle's are at the end.
            .is_some_and(|p| p.rumors.iter().rev().take_while(|r| r.cycle >= current).any(|r| r.tx == tx));
        !accepted_this_cycle
    }

    /// Offers a copy to the ledger and turns its events into observations and
    /// protocol reactions.
    fn offer<R: Entropy>(
        &mut self,
        io: &mut Io<'_, R>,
        tx: TxIndex,
        tamper: u16,
        hop: u16,
        from: Option<u32>,
    ) -> Admission {
        let shared = io.shared;
        let Some(held) = shared.arena.get(tx) else {
            let reason = RejectReason::Malformed;
            io.out.observations.push(Observation::Rejected { tx, from, reason });
            return Admission::Rejected(reason);
        };
        let cx = shared.ledger_context();
        let mut events = std::mem::take(&mut io.scratch.events);
        events.clear();
        let len_before = self.ledger.len();
        let admission = if tamper == 0 {
            self.ledger.offer(&cx, tx, held, hop, from, &mut events)
        } else {
            let body = held.tampered(tamper);
            self.ledger.offer(&cx, tx, &body, hop, from, &mut events)
        };
        if events.iter().any(|e| matches!(e, LedgerEvent::Accepted { .. }))
            && let Some(cycle) = aligned_cycle(io)
            && self.round.cycle != cycle
        {
            let known = u32::try_from(len_before).unwrap_or(u32::MAX);
            self.round = RoundMark { cycle, known };
        }
        for event in events.drain(..) {
            let observation = match event {
                LedgerEvent::Accepted { tx, hop, from } => {
                    io.out.observations.push(Observation::Accepted { tx, from, hop });
                    self.on_accepted(io, tx, hop, from);
                    continue;
                }
                LedgerEvent::Pending { tx, reason } => Observation::Pending { tx, reason },
                LedgerEvent::Rejected { tx, reason } => Observation::Rejected { tx, from, reason },
                LedgerEvent::Duplicate { tx } => Observation::Duplicate { tx, from },
                LedgerEvent::Evicted { tx } => Observation::Evicted { tx },
                LedgerEvent::Replaced { loser, winner } => Observation::Replaced { loser, winner },
                LedgerEvent::Removed { tx } => Observation::Removed { tx },
            };
            io.out.observations.push(observation);
        }
        io.scratch.events = events;
        admission
    }

    /// The protocol's reaction to a transaction entering the log.
    fn on_accepted<R: Entropy>(&mut self, io: &mut Io<'_, R>, tx: TxIndex, hop: u16, from: Option<u32>) {
        let config = io.shared.config;
        let protocol = &config.protocol;
        let silent = self.behaviour() == Behaviour::Drop;
        match &protocol.kind {
            ProtocolKind::Push { forward: Forward::Once } => {
                if !silent {
                    let exclude = if protocol.exclude_sender { from } else { None };
                    let count = self.sample(io, protocol.fanout, exclude);
                    for i in 0..count {
                        let peer = io.scratch.peers[i];
                        self.send_body(io, peer, tx, hop.saturating_add(1), i, count, from.is_none());
                    }
                }
            }
            ProtocolKind::Push { forward: Forward::Periodic } | ProtocolKind::PushPull => {
                if let Rounds::Count(rounds_left) = protocol.rounds
                    && rounds_left > 0
                    && !silent
                {
                    let proto = self.proto_mut();
                    proto.hot.retain(|h| h.tx != tx);
                    proto.hot.push(Hot { tx, from, hop, rounds_left });
                }
            }
            ProtocolKind::Announce { .. } => {
                self.forget_request(tx);
                if !silent {
                    let exclude = if protocol.exclude_sender { from } else { None };
                    let count = self.sample(io, protocol.fanout, exclude);
                    let twin = self.equivocation_twin(io, tx, from);
                    for i in 0..count {
                        let peer = io.scratch.peers[i];
                        let announced = match twin {
                            Some(twin) if 2 * i >= count.max(2) => twin,
                            _ => tx,
                        };
                        io.out.sends.push((peer, Message::Inv { tx: announced, hop }));
                    }
                }
            }
            ProtocolKind::Rumor { .. } => {
                let cycle = io.now_ns / cycle_ns(&protocol.timing);
                let proto = self.proto_mut();
                proto.rumors.retain(|r| r.tx != tx);
                let rumor = Rumor { tx, cycle, counter: 0, hop, own: from.is_none(), active: !silent };
                proto.rumors.push(rumor);
            }
            ProtocolKind::Central { servers } => {
                let relay = servers.contains(&io.me) && from.is_none_or(|f| !servers.contains(&f));
                if relay && !silent {
                    let exclude = if protocol.exclude_sender { from } else { None };
                    let count = (0..io.node_count).filter(|&p| p != io.me && Some(p) != exclude).count();
                    let mut position = 0;
                    for peer in 0..io.node_count {
                        if peer == io.me || Some(peer) == exclude {
                            continue;
                        }
                        let hop = hop.saturating_add(1);
                        self.send_body(io, peer, tx, hop, position, count, from.is_none());
                        position += 1;
                    }
                }
            }
            ProtocolKind::Pull | ProtocolKind::AntiEntropy => {}
        }
    }

    // ----- sending bodies ---------------------------------------------------------

    /// Sends the body of `tx` with hop `hop` to `peer`, as this node's behaviour
    /// dictates: nothing if it drops, an altered body if it tampers, the twin to the
    /// second half of the `count` targets if it equivocates on its own transaction.
    #[allow(clippy::too_many_arguments)]
    fn send_body<R: Entropy>(
        &self,
        io: &mut Io<'_, R>,
        peer: u32,
        tx: TxIndex,
        hop: u16,
        position: usize,
        count: usize,
        own: bool,
    ) {
        let behaviour = self.behaviour();
        if behaviour == Behaviour::Drop {
            return;
        }
        let mut sent = tx;
        if behaviour == Behaviour::Equivocate
            && own
            && 2 * position >= count.max(2)
            && let Some(twin) = io.shared.arena.twin(tx)
        {
            sent = twin;
        }
        let tamper = if behaviour == Behaviour::Tamper { tamper_salt(io.me) } else { 0 };
        let bytes = io.shared.arena.wire_bytes(sent);
        io.out.sends.push((peer, Message::Tx { tx: sent, hop, tamper, bytes }));
    }

    /// The twin an equivocating origin sends to the second half of its targets.
    fn equivocation_twin<R: Entropy>(&self, io: &Io<'_, R>, tx: TxIndex, from: Option<u32>) -> Option<TxIndex> {
        if self.behaviour() == Behaviour::Equivocate && from.is_none() { io.shared.arena.twin(tx) } else { None }
    }

    /// Draws the targets of one decision into `io.scratch.peers`; returns how many.
    ///
    /// With the correct [`PeerSampler::Uniform`] this is exactly [`sample_peers`]; the
    /// two faults (validation tests only) bend it here, at the one call site, and
    /// draw nothing extra when they are off.
    fn sample<R: Entropy>(&self, io: &mut Io<'_, R>, fanout: Fanout, exclude: Option<u32>) -> usize {
        let k = fanout_count(fanout, io.rng);
        let scratch = &mut *io.scratch;
        match io.shared.config.protocol.sampler {
            PeerSampler::Uniform => {
                sample_peers(io.peers, io.me, k, exclude, io.rng, &mut scratch.pool, &mut scratch.peers);
            }
            PeerSampler::FanoutPlusOne => {
                let k = k.saturating_add(1);
                sample_peers(io.peers, io.me, k, exclude, io.rng, &mut scratch.pool, &mut scratch.peers);
            }
            PeerSampler::MayPickSelf => {
                // A uniform k-subset of the eligible peers plus the node itself: the
                // node is in it with probability k / (eligible + 1), the rest is a
                // uniform (k − 1)- or k-subset of the peers. (An excluded peer is
                // assumed to be a neighbour; a fault need not be exact off the
                // complete graph.)
                let eligible =
                    u64::from(io.peers.degree(io.me)).saturating_sub(u64::from(exclude.is_some_and(|x| x != io.me)));
                let k = k.min(eligible + 1);
                let with_self = k > 0 && io.rng.below(eligible + 1) < k;
                let others = if with_self { k - 1 } else { k };
                sample_peers(io.peers, io.me, others, exclude, io.rng, &mut scratch.pool, &mut scratch.peers);
                if with_self {
                    scratch.peers.push(io.me);
                }
            }
        }
        scratch.peers.len()
    }

    // ----- periodic protocols -----------------------------------------------------

    fn on_gossip<R: Entropy>(&mut self, io: &mut Io<'_, R>) {
        let config = io.shared.config;
        let protocol = &config.protocol;
        let at = next_tick(&protocol.timing, io.now_ns, false, io.rng);
        io.out.timers.push((at, Timer::Gossip));
        match &protocol.kind {
            ProtocolKind::Push { forward: Forward::Periodic } => {
                if self.collect_hot(io) > 0 {
                    let count = self.sample(io, protocol.fanout, None);
                    for i in 0..count {
                        self.push_hot_to(io, i, count);
                    }
                    self.age_hot();
                }
            }
            ProtocolKind::PushPull => {
                let hot = self.collect_hot(io);
                let count = self.sample(io, protocol.fanout, None);
                let summary = self.summary();
                for i in 0..count {
                    self.push_hot_to(io, i, count);
                    let peer = io.scratch.peers[i];
                    io.out.sends.push((peer, Message::Summary { entries: Batch::new(summary.clone()) }));
                }
                if hot > 0 {
                    self.age_hot();
                }
            }
            ProtocolKind::Pull => {
                let count = self.sample(io, protocol.fanout, None);
                if count > 0 {
                    let summary = self.summary();
                    for i in 0..count {
                        let peer = io.scratch.peers[i];
                        let entries = Batch::new(summary.clone());
                        io.out.sends.push((peer, Message::Summary { entries }));
                    }
                }
            }
            ProtocolKind::AntiEntropy => {
                let count = self.sample(io, protocol.fanout, None);
                for i in 0..count {
                    let peer = io.scratch.peers[i];
                    io.out.sends.push((peer, self.digest_message()));
                }
            }
            ProtocolKind::Rumor { .. } => self.rumor_tick(io),
            ProtocolKind::Push { forward: Forward::Once }
            | ProtocolKind::Announce { .. }
            | ProtocolKind::Central { .. } => {}
        }
    }

    /// Fills `io.scratch.hot` with what to push this tick; returns how many.
    fn collect_hot<R: Entropy>(&self, io: &mut Io<'_, R>) -> usize {
        let hot = &mut io.scratch.hot;
        hot.clear();
        if self.behaviour() == Behaviour::Drop {
            return 0;
        }
        match io.shared.config.protocol.rounds {
            // Hot forever: the log itself is the hot list, no copy kept per node.
            Rounds::Forever => {
                hot.extend(self.ledger.entries().iter().map(|e| HotItem { tx: e.tx, hop: e.hop, from: e.from() }))
            }
            Rounds::Count(_) => {
                if let Some(proto) = self.proto.as_deref() {
                    hot.extend(proto.hot.iter().map(|h| HotItem { tx: h.tx, hop: h.hop, from: h.from }));
                }
            }
        }
        hot.len()
    }

    /// Pushes every collected hot transaction to the `i`-th sampled peer.
    fn push_hot_to<R: Entropy>(&self, io: &mut Io<'_, R>, i: usize, count: usize) {
        let peer = io.scratch.peers[i];
        let exclude_sender = io.shared.config.protocol.exclude_sender;
        for j in 0..io.scratch.hot.len() {
            let item = io.scratch.hot[j];
            if exclude_sender && item.from == Some(peer) {
                continue;
            }
            self.send_body(io, peer, item.tx, item.hop.saturating_add(1), i, count, item.from.is_none());
        }
    }

    /// One tick has passed for every `Rounds::Count` hot transaction.
    fn age_hot(&mut self) {
        if let Some(proto) = self.proto.as_mut() {
            for h in &mut proto.hot {
                h.rounds_left = h.rounds_left.saturating_sub(1);
            }
            proto.hot.retain(|h| h.rounds_left > 0);
            if proto.hot.is_empty() {
                proto.hot = Vec::new();
            }
        }
        self.tidy();
    }

    /// This node's per-sender next nonces, sorted by account.
    fn summary(&self) -> Vec<NonceEntry> {
        self.ledger
            .nonce_summary()
            .map(|(account, next)| NonceEntry { account, next_nonce: u32::try_from(next).unwrap_or(u32::MAX) })
            .collect()
    }

    /// Answers a pull request: every accepted body the requester lacks.
    fn on_summary<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, entries: &[NonceEntry]) {
        if self.behaviour() == Behaviour::Drop {
            return;
        }
        let arena = io.shared.arena;
        let entries_known = match aligned_cycle(io) {
            Some(cycle) if cycle == self.round.cycle => self.round.known as usize,
            _ => usize::MAX,
        };
        let log = self.ledger.entries();
        for entry in &log[..entries_known.min(log.len())] {
            let body = arena.body(entry.tx);
            let theirs = entries
                .binary_search_by_key(&body.sender, |e| e.account)
                .map_or(0, |i| u64::from(entries[i].next_nonce));
            if body.nonce >= theirs {
                self.send_body(io, from, entry.tx, entry.hop.saturating_add(1), 0, 1, false);
            }
        }
    }

    // ----- rumour mongering -------------------------------------------------------

    fn rumor_tick<R: Entropy>(&mut self, io: &mut Io<'_, R>) {
        let config = io.shared.config;
        let protocol = &config.protocol;
        let ProtocolKind::Rumor { feedback, stop, k, .. } = protocol.kind else {
            return;
        };
        let current = io.now_ns / cycle_ns(&protocol.timing);
        let Some(proto) = self.proto.as_mut() else {
            return;
        };
        // Inactive rumours are kept only while they can still be judged "accepted
        // this cycle".
        proto.rumors.retain(|r| r.active || r.cycle >= current);
        let any_active = proto.rumors.iter().any(|r| r.active);
        if !any_active {
            self.tidy();
            return;
        }
        let count = self.sample(io, protocol.fanout, None);
        for i in 0..count {
            let peer = io.scratch.peers[i];
            let rumors = self.proto.as_ref().map_or(0, |p| p.rumors.len());
            for j in 0..rumors {
                let Some(rumor) = self.proto.as_ref().map(|p| p.rumors[j]) else {
                    break;
                };
                if !rumor.active {
                    continue;
                }
                self.send_body(io, peer, rumor.tx, rumor.hop.saturating_add(1), i, count, rumor.own);
                if !feedback {
                    // Blind: the stop rule runs after every push.
                    let lose = match stop {
                        RumorStop::Coin => coin(io.rng, k),
                        RumorStop::Counter => {
                            let counter = rumor.counter.saturating_add(1);
                            if let Some(p) = self.proto.as_mut() {
                                p.rumors[j].counter = counter;
                            }
                            counter >= k
                        }
                    };
                    if lose {
                        self.lose_interest(io, j);
                    }
                }
            }
        }
    }

    fn on_feedback<R: Entropy>(&mut self, io: &mut Io<'_, R>, tx: TxIndex, useful: bool) {
        let ProtocolKind::Rumor { feedback: true, stop, k, reset_on_useful, .. } = io.shared.config.protocol.kind
        else {
            return;
        };
        let Some(j) = self.proto.as_ref().and_then(|p| p.rumors.iter().position(|r| r.tx == tx && r.active)) else {
            return;
        };
        if useful {
            if reset_on_useful && let Some(p) = self.proto.as_mut() {
                p.rumors[j].counter = 0;
            }
            return;
        }
        let lose = match stop {
            RumorStop::Coin => coin(io.rng, k),
            RumorStop::Counter => match self.proto.as_mut() {
                Some(p) => {
                    let rumor = &mut p.rumors[j];
                    rumor.counter = rumor.counter.saturating_add(1);
                    rumor.counter >= k
                }
                None => false,
            },
        };
        if lose {
            self.lose_interest(io, j);
        }
    }

    fn lose_interest<R: Entropy>(&mut self, io: &mut Io<'_, R>, j: usize) {
        if let Some(p) = self.proto.as_mut() {
            p.rumors[j].active = false;
            io.out.observations.push(Observation::LostInterest { tx: p.rumors[j].tx });
        }
    }

    // ----- announce ---------------------------------------------------------------

    fn on_inv<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, tx: TxIndex) {
        if io.shared.arena.get(tx).is_none() || self.ledger.has_seen(tx) {
            return;
        }
        let timeout_ns = match io.shared.config.protocol.kind {
            ProtocolKind::Announce { request_timeout_ns, .. } => request_timeout_ns,
            // Another protocol never announces; answer a stray announcement with a
            // single untracked request.
            _ => {
                io.out.sends.push((from, Message::GetData { tx }));
                return;
            }
        };
        let proto = self.proto_mut();
        if let Some(request) = proto.requests.iter_mut().find(|r| r.tx == tx) {
            let known = &request.announcers[..usize::from(request.announcer_count)];
            if !known.contains(&from) && usize::from(request.announcer_count) < MAX_ANNOUNCERS {
                request.announcers[usize::from(request.announcer_count)] = from;
                request.announcer_count += 1;
            }
            return;
        }
        let deadline_ns = io.now_ns.saturating_add(timeout_ns.max(1));
        let mut announcers = [0; MAX_ANNOUNCERS];
        announcers[0] = from;
        proto.requests.push(Request { tx, announcers, announcer_count: 1, asked: 0, retries: 0, deadline_ns });
        io.out.sends.push((from, Message::GetData { tx }));
        io.out.timers.push((deadline_ns, Timer::RequestTimeout { tx }));
    }

    fn on_get_data<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, tx: TxIndex) {
        if let Some(entry) = self.ledger.entry(tx) {
            self.send_body(io, from, tx, entry.hop.saturating_add(1), 0, 1, false);
            return;
        }
        // An equivocator serves the twin it announced alongside its own transaction.
        if self.behaviour() == Behaviour::Equivocate
            && io.shared.arena.get(tx).is_some()
            && let Some(own) = io.shared.arena.twin(tx).and_then(|t| self.ledger.entry(t))
            && own.from().is_none()
        {
            let bytes = io.shared.arena.wire_bytes(tx);
            let hop = own.hop.saturating_add(1);
            io.out.sends.push((from, Message::Tx { tx, hop, tamper: 0, bytes }));
        }
    }

    fn on_request_timeout<R: Entropy>(&mut self, io: &mut Io<'_, R>, tx: TxIndex) {
        let ProtocolKind::Announce { request_timeout_ns, max_retries } = io.shared.config.protocol.kind else {
            return;
        };
        let seen = self.ledger.has_seen(tx);
        let Some(proto) = self.proto.as_mut() else {
            return;
        };
        let Some(at) = proto.requests.iter().position(|r| r.tx == tx) else {
            return;
        };
        if seen {
            proto.requests.swap_remove(at);
            self.tidy();
            return;
        }
        let request = &mut proto.requests[at];
        if io.now_ns < request.deadline_ns {
            return; // A stale timer from an earlier request for the same transaction.
        }
        let peer = request.announcers[usize::from(request.asked)];
        io.out.observations.push(Observation::RequestTimedOut { tx, peer });
        if request.retries >= max_retries {
            proto.requests.swap_remove(at);
            io.out.observations.push(Observation::RequestAbandoned { tx });
            self.tidy();
            return;
        }
        request.asked = (request.asked + 1) % request.announcer_count.max(1);
        request.retries += 1;
        request.deadline_ns = io.now_ns.saturating_add(request_timeout_ns.max(1));
        let next = request.announcers[usize::from(request.asked)];
        io.out.sends.push((next, Message::GetData { tx }));
        io.out.timers.push((request.deadline_ns, Timer::RequestTimeout { tx }));
    }

    fn forget_request(&mut self, tx: TxIndex) {
        if let Some(proto) = self.proto.as_mut()
            && let Some(at) = proto.requests.iter().position(|r| r.tx == tx)
        {
            proto.requests.swap_remove(at);
            self.tidy();
        }
    }

    // ----- anti-entropy -----------------------------------------------------------

    fn digest_message(&self) -> Message {
        Message::Digest {
            fingerprint: self.ledger.digest().fingerprint(),
            accepted: u32::try_from(self.ledger.len()).unwrap_or(u32::MAX),
        }
    }

    fn on_repair<R: Entropy>(&mut self, io: &mut Io<'_, R>) {
        let Some(repair) = io.shared.config.protocol.repair else {
            return;
        };
        let at = next_tick(&repair, io.now_ns, false, io.rng);
        io.out.timers.push((at, Timer::Repair));
        if self.sample(io, Fanout::Fixed { count: 1 }, None) == 1 {
            let peer = io.scratch.peers[0];
            io.out.sends.push((peer, self.digest_message()));
        }
    }

    fn on_digest<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, fingerprint: u64, accepted: u32) {
        let (mine, len) = (self.ledger.digest().fingerprint(), self.ledger.len());
        if fingerprint == mine && u32::try_from(len).is_ok_and(|l| l == accepted) {
            return;
        }
        let mut ids: Vec<TxIndex> = self.ledger.entries().iter().map(|e| e.tx).collect();
        ids.sort_unstable();
        io.out.sends.push((from, Message::IdSet { ids: Batch::new(ids) }));
    }

    /// The peer's accepted ids: send what it lacks, ask for what this node lacks.
    fn on_id_set<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, ids: &[TxIndex]) {
        let arena = io.shared.arena;
        let want: Vec<TxIndex> =
            ids.iter().copied().filter(|&t| arena.get(t).is_some() && !self.ledger.has_seen(t)).collect();
        for entry in self.ledger.entries() {
            if ids.binary_search(&entry.tx).is_err() {
                self.send_body(io, from, entry.tx, entry.hop.saturating_add(1), 0, 1, false);
            }
        }
        if !want.is_empty() {
            io.out.sends.push((from, Message::Want { ids: Batch::new(want) }));
        }
    }

    fn on_want<R: Entropy>(&mut self, io: &mut Io<'_, R>, from: u32, ids: &[TxIndex]) {
        if self.behaviour() == Behaviour::Drop || ids.is_empty() {
            return;
        }
        let mut index = std::mem::take(&mut io.scratch.index);
        index.clear();
        index.extend(self.ledger.entries().iter().map(|e| (e.tx, e.hop)));
        index.sort_unstable();
        for &tx in ids {
            if let Ok(at) = index.binary_search_by_key(&tx, |&(t, _)| t) {
                self.send_body(io, from, tx, index[at].1.saturating_add(1), 0, 1, false);
            }
        }
        io.scratch.index = index;
    }

    // ----- state helpers ----------------------------------------------------------

    fn proto_mut(&mut self) -> &mut ProtoState {
        self.proto.get_or_insert_with(Box::default)
    }

    /// Frees the protocol state when it holds nothing.
    fn tidy(&mut self) {
        if self.proto.as_deref().is_some_and(ProtoState::is_idle) {
            self.proto = None;
        }
    }
}

/// The current round under synchronous timing (fixed period, aligned phase): rounds
/// are `[k·period, (k+1)·period)`. `None` for other schedules, where "round" has no
/// shared meaning.
fn aligned_cycle<R: Entropy>(io: &Io<'_, R>) -> Option<u32> {
    match io.shared.config.protocol.timing {
        Timing { period: Period::Fixed { period_ns }, phase: Phase::Aligned } => {
            Some(u32::try_from(io.now_ns / period_ns.max(1)).unwrap_or(u32::MAX))
        }
        _ => None,
    }
}

/// Coin stop rule: lose interest with probability 1/k (always for k ≤ 1).
fn coin<R: Entropy>(rng: &mut R, k: u32) -> bool {
    k <= 1 || rng.below(u64::from(k)) == 0
}

/// True for protocols driven by the `Gossip` tick.
fn is_periodic(kind: &ProtocolKind) -> bool {
    match kind {
        ProtocolKind::Push { forward } => *forward == Forward::Periodic,
        ProtocolKind::Pull | ProtocolKind::PushPull | ProtocolKind::AntiEntropy | ProtocolKind::Rumor { .. } => true,
        ProtocolKind::Announce { .. } | ProtocolKind::Central { .. } => false,
    }
}

//! The boundary between a node and whoever drives it: what goes in ([`Io`]: time,
//! identity, neighbours, shared run data, entropy) and what comes out ([`Outbox`]).
//!
//! The driver owns one [`Outbox`] and one [`Scratch`] and lends them to every call,
//! draining and clearing the outbox after each; nothing on the per-message path
//! allocates once their buffers have grown.
//!
//! Not here: delivery, latency or loss (the engine's), and storage of time.

use crate::config::NodeConfig;
use crate::entropy::Entropy;
use crate::message::Message;
use crate::observation::Observation;
use crate::peers::PeerSet;
use crate::timer::Timer;
use gossim_ledger::{ConflictPolicy, Genesis, LedgerContext, LedgerEvent, TxArena, TxIndex};

/// Everything a node emits during one call.
#[derive(Debug, Default)]
pub struct Outbox {
    /// `(to, message)`, in send order.
    pub sends: Vec<(u32, Message)>,
    /// `(fire_at_ns, timer)`.
    pub timers: Vec<(u64, Timer)>,
    /// What happened, in order.
    pub observations: Vec<Observation>,
}

impl Outbox {
    /// Empties all three lists, keeping their capacity.
    pub fn clear(&mut self) {
        self.sends.clear();
        self.timers.clear();
        self.observations.clear();
    }

    /// True when the call emitted nothing.
    pub fn is_empty(&self) -> bool {
        self.sends.is_empty() && self.timers.is_empty() && self.observations.is_empty()
    }
}

/// Reusable buffers for peer sampling, set differences and ledger events, so the hot
/// path allocates nothing. Contents are meaningless between calls.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) peers: Vec<u32>,
    pub(crate) pool: Vec<u32>,
    pub(crate) events: Vec<LedgerEvent>,
    pub(crate) hot: Vec<HotItem>,
    pub(crate) index: Vec<(TxIndex, u16)>,
}

/// A transaction to push this tick: its index, its hop here, where it came from
/// (`None` = originated here).
#[derive(Clone, Copy, Debug)]
pub(crate) struct HotItem {
    pub(crate) tx: TxIndex,
    pub(crate) hop: u16,
    pub(crate) from: Option<u32>,
}

/// Run-wide, read-only data every node consults.
#[derive(Clone, Copy, Debug)]
pub struct Shared<'a> {
    pub config: &'a NodeConfig,
    pub arena: &'a TxArena,
    pub genesis: &'a Genesis,
}

impl<'a> Shared<'a> {
    /// The context the node's ledger judges transactions in.
    pub fn ledger_context(&self) -> LedgerContext<'a> {
        LedgerContext {
            arena: self.arena,
            genesis: self.genesis,
            policy: self.config.conflict_policy,
            pending_capacity: self.config.pending_capacity,
        }
    }

    /// The run's conflict policy.
    pub fn policy(&self) -> ConflictPolicy {
        self.config.conflict_policy
    }
}

/// The inputs of one call into a node, and where its outputs go.
#[derive(Debug)]
pub struct Io<'a, R: Entropy> {
    /// Virtual time of this event, in nanoseconds.
    pub now_ns: u64,
    /// This node's id.
    pub me: u32,
    /// Number of nodes in the run (central servers address all of them).
    pub node_count: u32,
    /// This node's neighbours.
    pub peers: PeerSet<'a>,
    pub shared: Shared<'a>,
    pub rng: &'a mut R,
    pub scratch: &'a mut Scratch,
    pub out: &'a mut Outbox,
}

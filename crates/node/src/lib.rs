//! The sans-IO replicating node of gossim: a verified log plus the gossip protocol
//! state machine that spreads it.
//!
//! **Contract.** This crate is a fully deterministic implementation of the node. It
//! contains no networking code, reads no clock and owns no random generator: time
//! arrives as `now_ns: u64` in [`Io`], randomness through the [`Entropy`] trait the
//! caller implements, and every output — sends, timers, observations — is written to
//! a caller-owned [`Outbox`] that the driver drains and reuses. The same inputs in the
//! same order give the same outputs, bit for bit.
//!
//! Brief overview, one line per module:
//!
//! - [`node`]: [`Node`], the state machine (`start`, `on_message`, `on_timer`,
//!   `submit`, `restart`) for push, pull, push-pull, announce, anti-entropy, rumour
//!   mongering and the central baseline.
//! - [`config`]: [`NodeConfig`] and the protocol knobs; read it for the semantics.
//! - [`message`]: [`Message`], the closed 16-byte message enum and its wire model.
//! - [`timer`]: [`Timer`] and the periodic schedule arithmetic.
//! - [`observation`]: [`Observation`], the only window metrics have onto a node.
//! - [`io`]: [`Io`], [`Outbox`], [`Scratch`], [`Shared`]: the call boundary.
//! - [`peers`]: [`PeerSet`] and exact, allocation-free uniform peer sampling.
//! - [`entropy`]: the [`Entropy`] trait.
//! - [`behaviour`]: [`Behaviour`]: honest, drop, tamper, equivocate.
//! - [`harness`]: a scripted multi-node test harness with a manual message queue.
//!
//! Transactions, balances and conflict rules live in `gossim-ledger`.
//!
//! **Memory.** `size_of::<Node>()` is 192 bytes (160 of them the ledger, padded to
//! three cache lines); an honest node that knows one transaction holds 192 bytes
//! including heap, and each further
//! transaction adds at most ~64 bytes (56 measured for 100 transactions between
//! distinct accounts; see `gossim_ledger` and the `node_memory_is_small` test).
//! Rumour mongering, counted push rounds and announce requests add a boxed protocol
//! state (72 bytes plus 16–32 per entry) only while they have something to track.
//!
//! Not here: the event queue, latency, loss, crashes and topology (`gossim-engine`),
//! the scenario schema, and metrics (`gossim-report`).

pub mod behaviour;
pub mod config;
pub mod entropy;
pub mod harness;
pub mod io;
pub mod message;
pub mod node;
pub mod observation;
pub mod peers;
pub mod timer;

pub use behaviour::Behaviour;
pub use config::{
    Fanout, Forward, NodeConfig, PeerSampler, Period, Phase, ProtocolConfig, ProtocolKind, Rounds, RumorStop, Timing,
};
pub use entropy::Entropy;
pub use io::{Io, Outbox, Scratch, Shared};
pub use message::{Batch, Message, NonceEntry};
pub use node::Node;
pub use observation::Observation;
pub use peers::PeerSet;
pub use timer::Timer;

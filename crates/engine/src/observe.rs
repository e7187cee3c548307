//! The observation hook: what the engine reports about messages and nodes.
//!
//! Every method has an empty default, and the engine is generic over its observer, so
//! the unit observer `()` compiles away entirely.

use crate::network::DropCause;
use crate::time::SimTime;

/// Receives engine-level happenings in the order they occur.
pub trait Observer {
    /// A node handed a message of `bytes` to the network.
    fn on_send(&mut self, _now: SimTime, _from: u32, _to: u32, _bytes: u32) {}
    /// A message reached a live receiver.
    fn on_deliver(&mut self, _now: SimTime, _from: u32, _to: u32, _bytes: u32) {}
    /// A message was dropped, at send or on arrival.
    fn on_drop(&mut self, _now: SimTime, _from: u32, _to: u32, _bytes: u32, _cause: DropCause) {}
    /// A node crashed.
    fn on_crash(&mut self, _now: SimTime, _node: u32) {}
    /// A node recovered, with its state wiped or kept.
    fn on_recover(&mut self, _now: SimTime, _node: u32, _wiped: bool) {}
    /// Called every [`PROGRESS_EVERY`] events, for progress display.
    fn on_progress(&mut self, _now: SimTime, _events: u64) {}
}

/// How many events pass between two `on_progress` calls.
pub const PROGRESS_EVERY: u64 = 1 << 16;

impl Observer for () {}

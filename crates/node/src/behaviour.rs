//! How a node behaves towards others: honest, or one of the modelled misbehaviours.
//!
//! Not here: choosing which nodes misbehave (the engine's fault plan does, and tags
//! each node with [`Behaviour::tag`]).

use serde::{Deserialize, Serialize};

/// A node's conduct. Every behaviour verifies and accepts transactions like an honest
/// node; they differ in what they send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Follows the protocol.
    #[default]
    Honest,
    /// Accepts, but never forwards, announces or answers with bodies (a free rider
    /// or a black hole). Still asks others for what it lacks.
    Drop,
    /// Forwards altered bodies (`Message::Tx` with `tamper != 0`); honest receivers
    /// refuse them by id (integrity).
    Tamper,
    /// When it originates a transaction that has an arena twin, sends the transaction
    /// to the first half of the peers it picked and the twin to the second half.
    /// With a single target there is no second half: it behaves honestly.
    Equivocate,
}

impl Behaviour {
    /// Every behaviour, by tag.
    pub const ALL: [Behaviour; 4] = [Behaviour::Honest, Behaviour::Drop, Behaviour::Tamper, Behaviour::Equivocate];

    /// The behaviour with this tag (0 honest, 1 drop, 2 tamper, 3 equivocate); `None`
    /// for any other value.
    pub fn from_tag(tag: u8) -> Option<Behaviour> {
        Self::ALL.get(usize::from(tag)).copied()
    }

    /// The compact tag the engine stores per node.
    pub fn tag(self) -> u8 {
        match self {
            Behaviour::Honest => 0,
            Behaviour::Drop => 1,
            Behaviour::Tamper => 2,
            Behaviour::Equivocate => 3,
        }
    }

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::Honest => "honest",
            Behaviour::Drop => "drop",
            Behaviour::Tamper => "tamper",
            Behaviour::Equivocate => "equivocate",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for b in Behaviour::ALL {
            assert_eq!(Behaviour::from_tag(b.tag()), Some(b));
        }
        assert_eq!(Behaviour::from_tag(4), None);
    }
}

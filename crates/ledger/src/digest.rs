//! An order-independent digest of a set of transaction ids.
//!
//! Two nodes that accepted the same set, in any order, hold equal [`SetDigest`]s; the
//! runner compares digests to decide convergence and anti-entropy compares their
//! fingerprints. The digest is the XOR of the ids, so removing an id is the same
//! operation as adding it.
//!
//! Limits: XOR is not collision resistant against an adversary choosing ids (two
//! different sets can be made to collide); for honest random ids a collision is as
//! unlikely as a SHA-256 collision. The order of acceptance is captured by the log's
//! hash chain instead ([`crate::NodeLedger::head`]).

use crate::tx::{TxId, to_hex};
use serde::{Serialize, Serializer};

/// XOR of the ids in a set. The empty set digests to all zeros.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SetDigest(pub [u8; 32]);

impl SetDigest {
    /// The digest of the empty set.
    pub const EMPTY: SetDigest = SetDigest([0; 32]);

    /// Adds `id` if absent, removes it if present (XOR is its own inverse).
    pub fn toggle(&mut self, id: &TxId) {
        for (d, b) in self.0.iter_mut().zip(id.0.iter()) {
            *d ^= b;
        }
    }

    /// The first eight bytes, little-endian: a compact stand-in for the digest in
    /// memory (anti-entropy messages carry it; the wire model still counts 32 bytes).
    /// Because the digest is a XOR, the fingerprint of a set is the XOR of its ids'
    /// fingerprints.
    pub fn fingerprint(&self) -> u64 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&self.0[..8]);
        u64::from_le_bytes(bytes)
    }

    /// Lowercase hexadecimal, 64 characters.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl std::fmt::Debug for SetDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SetDigest({:016x})", self.fingerprint())
    }
}

impl Serialize for SetDigest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tx::TxBody;

    fn id(nonce: u64) -> TxId {
        TxId::of(&TxBody { sender: 0, receiver: 1, amount: 1, fee: 0, nonce, payload_bytes: 0 })
    }

    #[test]
    fn the_digest_does_not_depend_on_insertion_order() {
        let (a, b, c) = (id(0), id(1), id(2));
        let mut forward = SetDigest::EMPTY;
        for x in [&a, &b, &c] {
            forward.toggle(x);
        }
        let mut backward = SetDigest::EMPTY;
        for x in [&c, &a, &b] {
            backward.toggle(x);
        }
        assert_eq!(forward, backward);
        assert_ne!(forward, SetDigest::EMPTY);
    }

    #[test]
    fn removing_an_id_restores_the_previous_digest() {
        let mut digest = SetDigest::EMPTY;
        digest.toggle(&id(0));
        let before = digest;
        digest.toggle(&id(1));
        digest.toggle(&id(1));
        assert_eq!(digest, before);
        digest.toggle(&id(0));
        assert_eq!(digest, SetDigest::EMPTY);
    }

    #[test]
    fn the_fingerprint_of_a_set_is_the_xor_of_fingerprints() {
        let (a, b) = (id(0), id(1));
        let (mut da, mut db, mut both) = (SetDigest::EMPTY, SetDigest::EMPTY, SetDigest::EMPTY);
        da.toggle(&a);
        db.toggle(&b);
        both.toggle(&a);
        both.toggle(&b);
        assert_eq!(both.fingerprint(), da.fingerprint() ^ db.fingerprint());
    }
}

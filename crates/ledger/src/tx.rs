//! Transactions: the body a user signs, its content id, and the compact index nodes
//! pass around.
//!
//! A [`TxBody`] has one canonical byte encoding ([`TxBody::encode`]) and its id is the
//! SHA-256 of that encoding ([`TxId::of`]), so an altered body can never pass for the
//! original. [`TxIndex`] is what nodes and messages carry: four bytes instead of 32.
//!
//! Not here: signatures (a body is "authentic" when it hashes to the id it claims) and
//! any notion of validity against balances or nonces (that is [`crate::ledger`]).

use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// An account number, dense from 0 to `Genesis::accounts - 1`.
pub type AccountId = u32;

/// The domain tag that opens every canonical encoding, so a transaction's bytes can
/// never be mistaken for another structure hashed with SHA-256.
pub const TX_DOMAIN_TAG: [u8; 8] = *b"GSIM-TX1";

/// Length in bytes of [`TxBody::encode`]: the tag plus the six fixed-width fields.
pub const TX_ENCODED_LEN: usize = 8 + 4 + 4 + 8 + 8 + 8 + 4;

/// What a transaction says: move `amount` from `sender` to `receiver`, burning `fee`.
///
/// `nonce` orders one sender's transactions: a node accepts nonce `k` only after
/// nonce `k - 1` of the same sender. `payload_bytes` models extra data (signatures,
/// scripts) that only affects the wire size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TxBody {
    pub sender: AccountId,
    pub receiver: AccountId,
    pub amount: u64,
    pub fee: u64,
    pub nonce: u64,
    pub payload_bytes: u32,
}

impl TxBody {
    /// The canonical encoding: [`TX_DOMAIN_TAG`], then every field little-endian in
    /// declaration order.
    pub fn encode(&self) -> [u8; TX_ENCODED_LEN] {
        let mut out = [0u8; TX_ENCODED_LEN];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&TX_DOMAIN_TAG);
        put(&self.sender.to_le_bytes());
        put(&self.receiver.to_le_bytes());
        put(&self.amount.to_le_bytes());
        put(&self.fee.to_le_bytes());
        put(&self.nonce.to_le_bytes());
        put(&self.payload_bytes.to_le_bytes());
        out
    }

    /// An altered copy, as a tampering node would forward it: the amount is raised by
    /// `salt` and the receiver shifted by `salt`. Differs from `self` for every
    /// `salt != 0` (the amount changes by less than 2^16, modulo 2^64); `salt == 0`
    /// returns `self` unchanged.
    pub fn tampered(&self, salt: u16) -> TxBody {
        TxBody {
            amount: self.amount.wrapping_add(u64::from(salt)),
            receiver: self.receiver.wrapping_add(u32::from(salt)),
            ..*self
        }
    }
}

/// A transaction id: SHA-256 of the canonical encoding. Orders bytewise (the order
/// the `LowestId` conflict policy uses).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TxId(pub [u8; 32]);

impl TxId {
    /// The id of `body`.
    pub fn of(body: &TxBody) -> TxId {
        TxId(sha256(&body.encode()))
    }

    /// Lowercase hexadecimal, 64 characters.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl std::fmt::Debug for TxId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Eight bytes identify an id in any realistic run; the full 64 digits drown logs.
        write!(f, "TxId({}…)", &self.to_hex()[..16])
    }
}

impl Serialize for TxId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

/// A compact reference to a transaction in the run's [`crate::TxArena`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct TxIndex(pub u32);

impl TxIndex {
    /// The index as a `usize`, for slice indexing.
    pub fn as_usize(self) -> usize {
        self.0 as usize
    }
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of `prev || next`: one link of a hash chain.
pub(crate) fn chain_link(prev: &[u8; 32], next: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(next);
    hasher.finalize().into()
}

/// Lowercase hexadecimal of `bytes`. sha2 0.11 digests no longer format with `{:x}`,
/// so the crate does it by hand.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> TxBody {
        TxBody { sender: 1, receiver: 2, amount: 10, fee: 1, nonce: 0, payload_bytes: 100 }
    }

    #[test]
    fn encoding_is_fixed_little_endian_with_the_domain_tag() {
        let bytes = body().encode();
        assert_eq!(&bytes[..8], b"GSIM-TX1");
        assert_eq!(&bytes[8..12], &1u32.to_le_bytes());
        assert_eq!(&bytes[12..16], &2u32.to_le_bytes());
        assert_eq!(&bytes[16..24], &10u64.to_le_bytes());
        assert_eq!(&bytes[40..44], &100u32.to_le_bytes());
    }

    #[test]
    fn the_id_of_the_empty_string_matches_the_sha256_test_vector() {
        assert_eq!(to_hex(&sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn tampering_with_a_nonzero_salt_always_changes_the_body_and_the_id() {
        let original = body();
        assert_eq!(original.tampered(0), original);
        for salt in [1u16, 2, 255, u16::MAX] {
            let altered = original.tampered(salt);
            assert_ne!(altered, original);
            assert_ne!(TxId::of(&altered), TxId::of(&original));
        }
        let edge = TxBody { amount: u64::MAX, ..original };
        assert_ne!(edge.tampered(1), edge);
    }

    #[test]
    fn ids_render_as_64_hex_digits() {
        let hex = TxId::of(&body()).to_hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}

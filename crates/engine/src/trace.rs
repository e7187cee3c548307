//! The trace digest: a SHA-256 folded over every processed event, so two runs can be
//! compared for bit-exact equality by one 32-byte value.

use sha2::{Digest, Sha256};

/// The event kinds folded into the digest.
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub enum TraceKind {
    Deliver = 1,
    Drop = 2,
    Timer = 3,
    Input = 4,
    Crash = 5,
    Recover = 6,
    Send = 7,
}

/// An incremental trace digest.
#[derive(Clone, Debug, Default)]
pub struct TraceDigest {
    hasher: Sha256,
    events: u64,
}

impl TraceDigest {
    /// Folds one event: its time, kind, the two node ids involved and a content key.
    #[inline]
    pub fn fold(&mut self, time_ns: u64, kind: TraceKind, a: u32, b: u32, content: u64) {
        let mut record = [0u8; 25];
        record[0..8].copy_from_slice(&time_ns.to_le_bytes());
        record[8] = kind as u8;
        record[9..13].copy_from_slice(&a.to_le_bytes());
        record[13..17].copy_from_slice(&b.to_le_bytes());
        record[17..25].copy_from_slice(&content.to_le_bytes());
        self.hasher.update(record);
        self.events += 1;
    }

    /// Number of records folded so far.
    pub fn records(&self) -> u64 {
        self.events
    }

    /// The digest of everything folded so far.
    pub fn finish(&self) -> [u8; 32] {
        self.hasher.clone().finalize().into()
    }
}

/// Lower-case hexadecimal of a byte string.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

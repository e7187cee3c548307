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

/// Bytes of one folded record.
const RECORD_BYTES: usize = 25;
/// Records gathered before they are hashed: SHA-256 of a byte stream does not depend
/// on how it is cut into updates, and one large update costs less than many small ones.
const BATCH_RECORDS: usize = 256;

/// An incremental trace digest.
#[derive(Clone, Debug)]
pub struct TraceDigest {
    hasher: Sha256,
    /// Records not yet hashed, at most `BATCH_RECORDS` of them.
    batch: Vec<u8>,
    events: u64,
}

impl Default for TraceDigest {
    fn default() -> Self {
        TraceDigest { hasher: Sha256::default(), batch: Vec::with_capacity(RECORD_BYTES * BATCH_RECORDS), events: 0 }
    }
}

impl TraceDigest {
    /// Folds one event: its time, kind, the two node ids involved and a content key.
    #[inline]
    pub fn fold(&mut self, time_ns: u64, kind: TraceKind, a: u32, b: u32, content: u64) {
        let mut record = [0u8; RECORD_BYTES];
        record[0..8].copy_from_slice(&time_ns.to_le_bytes());
        record[8] = kind as u8;
        record[9..13].copy_from_slice(&a.to_le_bytes());
        record[13..17].copy_from_slice(&b.to_le_bytes());
        record[17..25].copy_from_slice(&content.to_le_bytes());
        if self.batch.len() >= RECORD_BYTES * BATCH_RECORDS {
            self.hasher.update(&self.batch);
            self.batch.clear();
        }
        self.batch.extend_from_slice(&record);
        self.events += 1;
    }

    /// Number of records folded so far.
    pub fn records(&self) -> u64 {
        self.events
    }

    /// The digest of everything folded so far.
    pub fn finish(&self) -> [u8; 32] {
        let mut hasher = self.hasher.clone();
        hasher.update(&self.batch);
        hasher.finalize().into()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batching_does_not_change_the_digest() {
        let mut folded = TraceDigest::default();
        let mut plain = Sha256::new();
        for i in 0..(3 * BATCH_RECORDS as u64 + 7) {
            folded.fold(i * 1_000, TraceKind::Deliver, i as u32, 7, i ^ 0xabc);
            let mut record = Vec::new();
            record.extend_from_slice(&(i * 1_000).to_le_bytes());
            record.push(TraceKind::Deliver as u8);
            record.extend_from_slice(&(i as u32).to_le_bytes());
            record.extend_from_slice(&7u32.to_le_bytes());
            record.extend_from_slice(&(i ^ 0xabc).to_le_bytes());
            plain.update(&record);
            if i % 100 == 0 {
                assert_eq!(folded.finish(), <[u8; 32]>::from(plain.clone().finalize()), "after {i} records");
            }
        }
        assert_eq!(folded.records(), 3 * BATCH_RECORDS as u64 + 7);
        assert_eq!(folded.finish(), <[u8; 32]>::from(plain.finalize()));
    }
}

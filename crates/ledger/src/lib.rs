//! Transactions and each node's verified log: the part of gossim that decides what a
//! node believes, independent of how it heard it.
//!
//! Brief overview, one line per module:
//!
//! - [`tx`]: [`TxBody`], its canonical encoding, [`TxId`] (SHA-256 of the encoding)
//!   and the four-byte [`TxIndex`] that nodes and messages carry.
//! - [`arena`]: [`TxArena`], every transaction of a run, built before the run and
//!   shared read-only; turns an index into a body, id, wire size or double-spend twin.
//! - [`genesis`]: [`Genesis`], the accounts and their initial balances.
//! - [`ledger`]: [`NodeLedger`], one node's log: integrity, nonce order, funds,
//!   conflicts ([`ConflictPolicy`]), the pending pool, the hash chain, the digest.
//! - [`event`]: [`LedgerEvent`] and the reasons ([`RejectReason`], [`PendingReason`])
//!   an offer reports.
//! - [`digest`]: [`SetDigest`], the order-independent digest of an accepted set.
//! - [`policy`]: [`ConflictPolicy`], first-seen or lowest-id on a double spend.
//!
//! **Memory per node** (measured by `ledger::tests::memory_per_known_transaction_is_documented`):
//! a `NodeLedger` is 160 bytes inline and knowing one transaction adds no heap bytes
//! (the first log entry, two account rows and four seen indices are inline); each
//! further transaction adds at most 64
//! bytes including `Vec` slack (12-byte log entry, up to two 16-byte account rows
//! shared with other transactions of the same accounts, 4 bytes or 1 bit of seen set).
//!
//! Not here: peers, messages, timers and protocols (`gossim-node`), time and the
//! network (`gossim-engine`), and real signatures: a body is authentic when it hashes
//! to the id it claims.

pub mod arena;
pub mod digest;
pub mod event;
pub mod genesis;
mod inline_vec;
pub mod ledger;
pub mod policy;
mod seen;
pub mod tx;

pub use arena::{TX_FIXED_WIRE_BYTES, TxArena};
pub use digest::SetDigest;
pub use event::{LedgerEvent, PendingReason, RejectReason};
pub use genesis::{Genesis, GenesisError};
pub use ledger::{Admission, LedgerContext, LogEntry, NodeLedger};
pub use policy::ConflictPolicy;
pub use tx::{AccountId, TX_DOMAIN_TAG, TX_ENCODED_LEN, TxBody, TxId, TxIndex, to_hex};

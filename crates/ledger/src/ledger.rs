//! One node's verified log: what it accepted, in what order, and what waits.
//!
//! [`NodeLedger::offer`] judges a transaction against this node's own view (never a
//! global truth), in this order:
//!
//! 1. **Seen?** By index, before any hashing: a copy of a transaction already
//!    accepted, pending or refused is a duplicate (or, if its body differs from the
//!    verified one, an integrity failure). This is the hot path of every redundant
//!    gossip message.
//! 2. **Integrity**: the body must hash to the id the arena holds for the claimed
//!    index. A tampered body is refused *without* marking the id seen, so an honest
//!    copy arriving later is still accepted.
//! 3. **Well-formed**: see [`RejectReason::Malformed`].
//! 4. **Conflicts**: two different transactions with the same (sender, nonce).
//!    [`ConflictPolicy::FirstSeen`] keeps the first. [`ConflictPolicy::LowestId`]
//!    lets the lower id win; if it beats a transaction already in the log, the loser
//!    and everything after it leave the log and the rest is re-derived (see below).
//! 5. **Nonce order**: a nonce above the sender's next one waits in the pending pool.
//! 6. **Funds**: the sender's balance in this view (genesis + received − spent,
//!    amounts and fees) must cover amount + fee, else the transaction waits: a credit
//!    may still arrive.
//!
//! Accepting a transaction retries the pending pool until nothing more can be
//! accepted (a cascade). The accepted set is then the closure of the transactions
//! known, whatever order they came in: acceptance only ever adds credits, and one
//! sender's spends are ordered by nonce. With `LowestId`, a (sender, nonce) belongs
//! to the lowest id ever seen for it, so two nodes that saw the same transactions end
//! with the same accepted set and equal [`SetDigest`] — as long as neither pool
//! overflowed (eviction forgets).
//!
//! **Replacement.** When a newcomer beats a logged loser at position `p`, the loser is
//! refused for good, the log is cut at `p`, balances and the hash chain are re-derived
//! from the prefix, and the winner plus the cut suffix are re-admitted through the
//! pending pool. Suffix entries that are still valid come back silently (no second
//! `Accepted`); those that now lack funds or a nonce report `Removed` then `Pending`.
//!
//! **Memory.** Everything is lazily allocated and sized for the 10^6-node case:
//! `size_of::<NodeLedger>()` is 160 bytes and a node that knows one transaction holds
//! no heap block at all (its log entry, two account rows and seen index fit inline),
//! 160 bytes in all. Each further transaction costs its log entry
//! (12 bytes), at most two account rows (16 bytes each, shared by every transaction of
//! the same accounts), and the seen set (4 bytes sparse, or 1 bit of the arena dense);
//! `Vec` doubling adds up to as much again. The test
//! `memory_per_known_transaction_is_documented` measures it.
//!
//! Not here: peers, messages and timing (the node crate), and cryptographic
//! signatures (authenticity is modelled by the id check alone).

use crate::arena::TxArena;
use crate::digest::SetDigest;
use crate::event::{LedgerEvent, PendingReason, RejectReason};
use crate::genesis::Genesis;
use crate::inline_vec::InlineVec;
use crate::policy::ConflictPolicy;
use crate::seen::SeenSet;
use crate::tx::{AccountId, TxBody, TxIndex, chain_link};

/// `from` value stored for a transaction submitted at this node.
const LOCAL: u32 = u32::MAX;

/// The read-only context an offer is judged in: the run's arena and genesis, and the
/// per-run rules.
#[derive(Clone, Copy, Debug)]
pub struct LedgerContext<'a> {
    pub arena: &'a TxArena,
    pub genesis: &'a Genesis,
    pub policy: ConflictPolicy,
    /// Capacity of the pending pool; the oldest entry is evicted when it overflows.
    pub pending_capacity: u32,
}

/// The immediate fate of one offered transaction (the events say what else changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Accepted,
    Pending(PendingReason),
    Rejected(RejectReason),
    Duplicate,
}

/// One accepted transaction in log order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogEntry {
    pub tx: TxIndex,
    /// `LOCAL` for a local submission; kept so a re-acceptance after a replacement
    /// still names its source, and so periodic pushes can skip the sender.
    from: u32,
    /// Path length of the accepted copy: 0 at the origin.
    pub hop: u16,
}

impl LogEntry {
    /// The peer this transaction came from; `None` when submitted at this node.
    pub fn from(&self) -> Option<u32> {
        (self.from != LOCAL).then_some(self.from)
    }
}

/// A touched account in this node's view. Rows exist only for accounts that sent or
/// received an accepted transaction.
#[derive(Clone, Copy, Debug, Default)]
struct AccountRow {
    account: AccountId,
    /// The nonce the next accepted transaction of this sender must carry.
    next_nonce: u32,
    /// Received minus spent (amounts and fees), saturating.
    delta: i64,
}

/// A transaction waiting for a nonce gap to fill or for funds.
#[derive(Clone, Copy, Debug)]
struct PendingEntry {
    tx: TxIndex,
    from: u32,
    hop: u16,
    reason: PendingReason,
    /// Taken out of the log by a replacement and not yet back: accepting it again is
    /// silent, leaving it pending reports `Removed`.
    replay: bool,
}

/// Rarely used state, boxed so that a node with an empty pool pays 8 bytes for it.
#[derive(Clone, Debug, Default)]
struct Extra {
    /// Arrival order: the front is the oldest and is evicted first.
    pending: Vec<PendingEntry>,
    /// Refused for good (conflict losers, malformed); they stay seen.
    refused: Vec<TxIndex>,
}

/// One node's verified log, its view of balances and nonces, and its pending pool.
#[derive(Clone, Debug, Default)]
pub struct NodeLedger {
    /// One entry inline: most nodes of a large run hold a single transaction.
    log: InlineVec<LogEntry, 1>,
    /// Sorted by account.
    /// Two rows inline: one transaction touches its sender and receiver.
    accounts: InlineVec<AccountRow, 2>,
    /// Accepted, pending and refused indices.
    seen: SeenSet,
    extra: Option<Box<Extra>>,
    digest: SetDigest,
    head: [u8; 32],
}

impl NodeLedger {
    /// An empty ledger (the state before genesis; the chain head is all zeros).
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything (a crash that wipes the disk).
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Judges `body`, claimed to be the transaction at `claimed`, against this view.
    ///
    /// `hop` is the path length of this copy (0 = submitted here) and `from` the peer
    /// it came from (`None` = submitted here). Everything that changed is pushed to
    /// `events`, which the caller owns and clears; the return value is the fate of the
    /// offered transaction itself.
    #[inline]
    pub fn offer(
        &mut self,
        cx: &LedgerContext<'_>,
        claimed: TxIndex,
        body: &TxBody,
        hop: u16,
        from: Option<u32>,
        events: &mut Vec<LedgerEvent>,
    ) -> Admission {
        if let Some(held) = cx.arena.get(claimed)
            && self.seen.contains(claimed.0)
        {
            // The hot path: no hashing. A body that differs from the verified one we
            // hold for this id cannot hash to it.
            if std::ptr::eq(body, held) || body == held {
                events.push(LedgerEvent::Duplicate { tx: claimed });
                return Admission::Duplicate;
            }
            events.push(LedgerEvent::Rejected { tx: claimed, reason: RejectReason::Integrity });
            return Admission::Rejected(RejectReason::Integrity);
        }
        self.offer_unseen(cx, claimed, body, hop, from, events)
    }

    /// [`NodeLedger::offer`] for an index not seen before: verify, then admit.
    #[inline(never)]
    fn offer_unseen(
        &mut self,
        cx: &LedgerContext<'_>,
        claimed: TxIndex,
        body: &TxBody,
        hop: u16,
        from: Option<u32>,
        events: &mut Vec<LedgerEvent>,
    ) -> Admission {
        let Some(held) = cx.arena.get(claimed) else {
            events.push(LedgerEvent::Rejected { tx: claimed, reason: RejectReason::Malformed });
            return Admission::Rejected(RejectReason::Malformed);
        };
        if crate::tx::TxId::of(body) != *cx.arena.id(claimed) {
            // Not marked seen: an honest copy may follow.
            events.push(LedgerEvent::Rejected { tx: claimed, reason: RejectReason::Integrity });
            return Admission::Rejected(RejectReason::Integrity);
        }
        if !well_formed(held, cx.genesis) {
            self.refuse(cx, claimed);
            events.push(LedgerEvent::Rejected { tx: claimed, reason: RejectReason::Malformed });
            return Admission::Rejected(RejectReason::Malformed);
        }
        self.admit(cx, claimed, hop, from.unwrap_or(LOCAL), events)
    }

    /// Admits a verified, well-formed, unseen transaction.
    fn admit(
        &mut self,
        cx: &LedgerContext<'_>,
        tx: TxIndex,
        hop: u16,
        from: u32,
        events: &mut Vec<LedgerEvent>,
    ) -> Admission {
        let body = *cx.arena.body(tx);
        // well_formed guarantees the nonce fits.
        let nonce = body.nonce as u32;
        let next = self.next_nonce32(body.sender);
        let lowest_id = cx.policy == ConflictPolicy::LowestId;

        if nonce < next {
            // The slot is taken by a logged transaction.
            let Some(pos) = self.log_position(cx.arena, body.sender, nonce) else {
                // Cannot happen: nonces below `next` are all in the log.
                self.refuse(cx, tx);
                events.push(LedgerEvent::Rejected { tx, reason: RejectReason::Conflict });
                return Admission::Rejected(RejectReason::Conflict);
            };
            let rival = self.log[pos].tx;
            if lowest_id && cx.arena.id(tx) < cx.arena.id(rival) {
                self.replace_logged(cx, pos, tx, hop, from, events);
                return self.admission_of(tx);
            }
            self.refuse(cx, tx);
            events.push(LedgerEvent::Rejected { tx, reason: RejectReason::Conflict });
            return Admission::Rejected(RejectReason::Conflict);
        }

        if let Some(at) = self.pending_position(cx.arena, body.sender, nonce) {
            let rival = self.pending_entries()[at].tx;
            if lowest_id && cx.arena.id(tx) < cx.arena.id(rival) {
                if let Some(extra) = self.extra.as_mut() {
                    extra.pending.remove(at);
                }
                self.refuse(cx, rival);
                events.push(LedgerEvent::Replaced { loser: rival, winner: tx });
            } else {
                self.refuse(cx, tx);
                events.push(LedgerEvent::Rejected { tx, reason: RejectReason::Conflict });
                return Admission::Rejected(RejectReason::Conflict);
            }
        }

        self.seen.insert(tx.0, cx.arena.len());
        if nonce > next {
            return self.park(cx, tx, hop, from, PendingReason::NonceGap, events);
        }
        if !self.funded(cx.genesis, &body) {
            return self.park(cx, tx, hop, from, PendingReason::InsufficientFunds, events);
        }
        self.append(cx, LogEntry { tx, from, hop });
        events.push(LedgerEvent::Accepted { tx, hop, from: (from != LOCAL).then_some(from) });
        self.drain(cx, events);
        Admission::Accepted
    }

    /// Puts `tx` in the pending pool, evicting the oldest entries past capacity.
    fn park(
        &mut self,
        cx: &LedgerContext<'_>,
        tx: TxIndex,
        hop: u16,
        from: u32,
        reason: PendingReason,
        events: &mut Vec<LedgerEvent>,
    ) -> Admission {
        let entry = PendingEntry { tx, from, hop, reason, replay: false };
        self.extra.get_or_insert_with(Box::default).pending.push(entry);
        events.push(LedgerEvent::Pending { tx, reason });
        self.enforce_capacity(cx, events);
        self.admission_of(tx)
    }

    /// Evicts from the front of the pool until it fits its capacity.
    fn enforce_capacity(&mut self, cx: &LedgerContext<'_>, events: &mut Vec<LedgerEvent>) {
        let capacity = cx.pending_capacity as usize;
        if let Some(extra) = self.extra.as_mut() {
            let excess = extra.pending.len().saturating_sub(capacity);
            for evicted in extra.pending.drain(..excess) {
                self.seen.remove(evicted.tx.0);
                events.push(LedgerEvent::Evicted { tx: evicted.tx });
            }
        }
        self.tidy_extra();
    }

    /// Accepts every pending transaction that has become valid, until none has.
    fn drain(&mut self, cx: &LedgerContext<'_>, events: &mut Vec<LedgerEvent>) {
        loop {
            let Some(extra) = self.extra.as_deref() else {
                return;
            };
            let mut pick = None;
            for (i, entry) in extra.pending.iter().enumerate() {
                let body = cx.arena.body(entry.tx);
                let next = self.next_nonce32(body.sender);
                let nonce = body.nonce as u32;
                if nonce < next || (nonce == next && self.funded(cx.genesis, body)) {
                    pick = Some((i, nonce < next));
                    break;
                }
            }
            let Some((i, stale)) = pick else {
                break;
            };
            let Some(entry) = self.extra.as_mut().map(|extra| extra.pending.remove(i)) else {
                break;
            };
            if stale {
                // Conflicts are resolved on entry to the pool, so a pooled transaction
                // can never find its slot taken; refuse it rather than log two
                // transactions for one (sender, nonce).
                debug_assert!(false, "pending transaction {:?} found its slot taken", entry.tx);
                self.refuse(cx, entry.tx);
                events.push(LedgerEvent::Rejected { tx: entry.tx, reason: RejectReason::Conflict });
                continue;
            }
            self.append(cx, LogEntry { tx: entry.tx, from: entry.from, hop: entry.hop });
            if !entry.replay {
                let from = (entry.from != LOCAL).then_some(entry.from);
                events.push(LedgerEvent::Accepted { tx: entry.tx, hop: entry.hop, from });
            }
        }
        self.tidy_extra();
    }

    /// `LowestId`: `winner` beats the logged transaction at `pos`.
    fn replace_logged(
        &mut self,
        cx: &LedgerContext<'_>,
        pos: usize,
        winner: TxIndex,
        hop: u16,
        from: u32,
        events: &mut Vec<LedgerEvent>,
    ) {
        let loser = self.log[pos].tx;
        let suffix = self.log.split_off(pos + 1);
        self.log.truncate(pos);
        self.digest.toggle(cx.arena.id(loser));
        for entry in &suffix {
            self.digest.toggle(cx.arena.id(entry.tx));
        }
        self.refuse(cx, loser);
        events.push(LedgerEvent::Replaced { loser, winner });
        self.rederive(cx.arena);

        self.seen.insert(winner.0, cx.arena.len());
        let extra = self.extra.get_or_insert_with(Box::default);
        let reason = PendingReason::NonceGap; // Recomputed below for those left over.
        extra.pending.push(PendingEntry { tx: winner, from, hop, reason, replay: false });
        extra.pending.extend(suffix.iter().map(|e| PendingEntry {
            tx: e.tx,
            from: e.from,
            hop: e.hop,
            reason,
            replay: true,
        }));
        self.drain(cx, events);

        // Report what did not come back, with its current reason.
        let count = self.pending_entries().len();
        for i in 0..count {
            let entry = self.pending_entries()[i];
            if !entry.replay && entry.tx != winner {
                continue;
            }
            let reason = self.reason_for(cx.arena.body(entry.tx));
            if let Some(extra) = self.extra.as_mut() {
                extra.pending[i].reason = reason;
                extra.pending[i].replay = false;
            }
            if entry.replay {
                events.push(LedgerEvent::Removed { tx: entry.tx });
            }
            events.push(LedgerEvent::Pending { tx: entry.tx, reason });
        }
        self.enforce_capacity(cx, events);
    }

    /// Recomputes the account rows and the hash chain from the log.
    fn rederive(&mut self, arena: &TxArena) {
        self.accounts.clear();
        self.head = [0; 32];
        for i in 0..self.log.len() {
            let tx = self.log[i].tx;
            self.apply(arena.body(tx));
            self.head = chain_link(&self.head, &arena.id(tx).0);
        }
    }

    /// Appends to the log: balances, nonce, digest and chain.
    fn append(&mut self, cx: &LedgerContext<'_>, entry: LogEntry) {
        let id = cx.arena.id(entry.tx);
        self.apply(cx.arena.body(entry.tx));
        self.digest.toggle(id);
        self.head = chain_link(&self.head, &id.0);
        self.log.push(entry);
    }

    /// Applies a transaction's effect on balances and the sender's nonce.
    fn apply(&mut self, body: &TxBody) {
        // well_formed bounds amount + fee by i64::MAX.
        let amount = i64::try_from(body.amount).unwrap_or(i64::MAX);
        let cost = amount.saturating_add(i64::try_from(body.fee).unwrap_or(i64::MAX));
        let s = self.row(body.sender);
        let sender = &mut self.accounts[s];
        sender.next_nonce = sender.next_nonce.saturating_add(1);
        sender.delta = sender.delta.saturating_sub(cost);
        let r = self.row(body.receiver);
        self.accounts[r].delta = self.accounts[r].delta.saturating_add(amount);
    }

    /// The row of `account`, inserted if absent.
    fn row(&mut self, account: AccountId) -> usize {
        match self.accounts.binary_search_by_key(&account, |a| a.account) {
            Ok(i) => i,
            Err(i) => {
                self.accounts.insert(i, AccountRow { account, next_nonce: 0, delta: 0 });
                i
            }
        }
    }

    fn find_row(&self, account: AccountId) -> Option<&AccountRow> {
        self.accounts.binary_search_by_key(&account, |a| a.account).ok().map(|i| &self.accounts[i])
    }

    fn next_nonce32(&self, sender: AccountId) -> u32 {
        self.find_row(sender).map_or(0, |a| a.next_nonce)
    }

    fn funded(&self, genesis: &Genesis, body: &TxBody) -> bool {
        let delta = self.find_row(body.sender).map_or(0, |a| a.delta);
        let balance = i128::from(genesis.balance(body.sender)) + i128::from(delta);
        balance >= i128::from(body.amount) + i128::from(body.fee)
    }

    fn reason_for(&self, body: &TxBody) -> PendingReason {
        if body.nonce as u32 > self.next_nonce32(body.sender) {
            PendingReason::NonceGap
        } else {
            PendingReason::InsufficientFunds
        }
    }

    /// Marks `tx` refused for good; it stays seen.
    fn refuse(&mut self, cx: &LedgerContext<'_>, tx: TxIndex) {
        self.seen.insert(tx.0, cx.arena.len());
        self.extra.get_or_insert_with(Box::default).refused.push(tx);
    }

    fn tidy_extra(&mut self) {
        if let Some(extra) = self.extra.as_mut() {
            if extra.pending.is_empty() && extra.refused.is_empty() {
                self.extra = None;
            } else if extra.pending.is_empty() && extra.pending.capacity() > 0 {
                extra.pending = Vec::new();
            }
        }
    }

    fn pending_entries(&self) -> &[PendingEntry] {
        self.extra.as_deref().map_or(&[], |e| &e.pending)
    }

    /// Position in the log of the transaction holding (sender, nonce).
    fn log_position(&self, arena: &TxArena, sender: AccountId, nonce: u32) -> Option<usize> {
        self.log.iter().rposition(|e| {
            let body = arena.body(e.tx);
            body.sender == sender && body.nonce == u64::from(nonce)
        })
    }

    /// Position in the pool of the transaction holding (sender, nonce).
    fn pending_position(&self, arena: &TxArena, sender: AccountId, nonce: u32) -> Option<usize> {
        self.pending_entries().iter().position(|e| {
            let body = arena.body(e.tx);
            body.sender == sender && body.nonce == u64::from(nonce)
        })
    }

    fn admission_of(&self, tx: TxIndex) -> Admission {
        if let Some(entry) = self.pending_entries().iter().find(|e| e.tx == tx) {
            Admission::Pending(entry.reason)
        } else if self.contains(tx) {
            Admission::Accepted
        } else {
            // Evicted straight away (a pool of capacity 0).
            Admission::Pending(PendingReason::NonceGap)
        }
    }

    /// Number of accepted transactions.
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// True when nothing has been accepted.
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// True when `tx` is in the log (accepted).
    pub fn contains(&self, tx: TxIndex) -> bool {
        self.seen.contains(tx.0)
            && self.extra.as_deref().is_none_or(|e| !e.refused.contains(&tx) && !e.pending.iter().any(|p| p.tx == tx))
    }

    /// True when `tx` is accepted, pending or refused for good (conflict, malformed).
    /// A copy that failed the integrity check does not count.
    #[inline]
    pub fn has_seen(&self, tx: TxIndex) -> bool {
        self.seen.contains(tx.0)
    }

    /// Where [`NodeLedger::has_seen`] starts reading: a driver that knows a message
    /// is coming can ask the CPU to fetch it early. Only an address; never read
    /// through it.
    #[inline]
    pub fn seen_address(&self) -> *const u8 {
        std::ptr::from_ref(&self.seen).cast()
    }

    /// The log in acceptance order.
    pub fn entries(&self) -> &[LogEntry] {
        &self.log
    }

    /// The log entry of `tx`, if accepted (a scan from the newest entry).
    pub fn entry(&self, tx: TxIndex) -> Option<&LogEntry> {
        if !self.seen.contains(tx.0) {
            return None;
        }
        self.log.iter().rev().find(|e| e.tx == tx)
    }

    /// The order-independent digest of the accepted set.
    pub fn digest(&self) -> SetDigest {
        self.digest
    }

    /// The hash chain head: `SHA-256(prev_head || id)` folded over the log from
    /// all-zero bytes.
    pub fn head(&self) -> [u8; 32] {
        self.head
    }

    /// The nonce the next accepted transaction of `sender` must carry.
    pub fn next_nonce(&self, sender: AccountId) -> u64 {
        u64::from(self.next_nonce32(sender))
    }

    /// `account`'s balance in this view (genesis + received − spent), floored at 0.
    pub fn balance(&self, genesis: &Genesis, account: AccountId) -> u64 {
        let delta = self.find_row(account).map_or(0, |a| a.delta);
        let balance = i128::from(genesis.balance(account)) + i128::from(delta);
        u64::try_from(balance.max(0)).unwrap_or(u64::MAX)
    }

    /// `(sender, next_nonce)` for every sender with at least one accepted
    /// transaction, sorted by sender: what a pull request summarises.
    pub fn nonce_summary(&self) -> impl Iterator<Item = (AccountId, u64)> + '_ {
        self.accounts.iter().filter(|a| a.next_nonce > 0).map(|a| (a.account, u64::from(a.next_nonce)))
    }

    /// Pending transactions, oldest first, with why they wait.
    pub fn pending(&self) -> impl Iterator<Item = (TxIndex, PendingReason)> + '_ {
        self.pending_entries().iter().map(|e| (e.tx, e.reason))
    }

    /// Number of pending transactions.
    pub fn pending_len(&self) -> usize {
        self.pending_entries().len()
    }

    /// Transactions refused for good (conflict losers and malformed), in refusal order.
    pub fn refused(&self) -> &[TxIndex] {
        self.extra.as_deref().map_or(&[], |e| &e.refused)
    }

    /// Bytes on the heap (allocated capacities).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.log.heap_bytes()
            + self.accounts.heap_bytes()
            + self.seen.heap_bytes()
            + self.extra.as_deref().map_or(0, |e| {
                size_of::<Extra>()
                    + e.pending.capacity() * size_of::<PendingEntry>()
                    + e.refused.capacity() * size_of::<TxIndex>()
            })
    }

    /// Total bytes: the struct itself plus [`NodeLedger::heap_bytes`].
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.heap_bytes()
    }
}

/// Checks the rules that do not depend on any view (see [`RejectReason::Malformed`]).
fn well_formed(body: &TxBody, genesis: &Genesis) -> bool {
    body.sender != body.receiver
        && genesis.has_account(body.sender)
        && genesis.has_account(body.receiver)
        && body.amount > 0
        && body.amount.checked_add(body.fee).is_some_and(|cost| i64::try_from(cost).is_ok())
        && body.nonce < u64::from(u32::MAX)
}

#[cfg(test)]
mod tests;

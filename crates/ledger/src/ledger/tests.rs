//! Unit tests for every ledger rule, plus property tests for integrity and for
//! `LowestId` convergence.

use super::*;
use crate::tx::TxId;
use proptest::prelude::*;

/// An arena, a genesis and the rules, with helpers to offer by index.
struct World {
    arena: TxArena,
    genesis: Genesis,
    policy: ConflictPolicy,
    capacity: u32,
}

impl World {
    fn new(policy: ConflictPolicy) -> Self {
        World { arena: TxArena::new(), genesis: Genesis::new(8, 100, vec![]), policy, capacity: 16 }
    }

    fn cx(&self) -> LedgerContext<'_> {
        LedgerContext {
            arena: &self.arena,
            genesis: &self.genesis,
            policy: self.policy,
            pending_capacity: self.capacity,
        }
    }

    fn push(&mut self, sender: u32, receiver: u32, amount: u64, nonce: u64) -> TxIndex {
        self.arena.push(TxBody { sender, receiver, amount, fee: 1, nonce, payload_bytes: 0 })
    }

    fn offer(&self, ledger: &mut NodeLedger, tx: TxIndex) -> (Admission, Vec<LedgerEvent>) {
        self.offer_from(ledger, tx, 1, Some(9))
    }

    fn offer_from(
        &self,
        ledger: &mut NodeLedger,
        tx: TxIndex,
        hop: u16,
        from: Option<u32>,
    ) -> (Admission, Vec<LedgerEvent>) {
        let mut events = Vec::new();
        let admission = ledger.offer(&self.cx(), tx, self.arena.body(tx), hop, from, &mut events);
        (admission, events)
    }

    fn offer_tampered(&self, ledger: &mut NodeLedger, tx: TxIndex, salt: u16) -> (Admission, Vec<LedgerEvent>) {
        let mut events = Vec::new();
        let body = self.arena.body(tx).tampered(salt);
        let admission = ledger.offer(&self.cx(), tx, &body, 1, Some(9), &mut events);
        (admission, events)
    }

    /// The lower-id and higher-id transaction of a double spend by `sender` at `nonce`.
    fn double_spend(&mut self, sender: u32, nonce: u64) -> (TxIndex, TxIndex) {
        let a = self.push(sender, (sender + 1) % 8, 10, nonce);
        let b = self.push(sender, (sender + 2) % 8, 10, nonce);
        if self.arena.id(a) < self.arena.id(b) { (a, b) } else { (b, a) }
    }
}

fn accepted(tx: TxIndex, hop: u16, from: Option<u32>) -> LedgerEvent {
    LedgerEvent::Accepted { tx, hop, from }
}

#[test]
fn a_valid_transaction_is_accepted_with_its_hop_and_source() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let t = w.push(0, 1, 10, 0);
    let mut ledger = NodeLedger::new();
    let (admission, events) = w.offer_from(&mut ledger, t, 3, Some(4));
    assert_eq!(admission, Admission::Accepted);
    assert_eq!(events, vec![accepted(t, 3, Some(4))]);
    assert!(ledger.contains(t) && ledger.has_seen(t));
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger.entries()[0].hop, 3);
    assert_eq!(ledger.entries()[0].from(), Some(4));
    assert_eq!(ledger.next_nonce(0), 1);
    assert_eq!(ledger.balance(&w.genesis, 0), 100 - 11);
    assert_eq!(ledger.balance(&w.genesis, 1), 110);
    assert_eq!(ledger.nonce_summary().collect::<Vec<_>>(), vec![(0, 1)]);
}

#[test]
fn a_second_copy_is_a_duplicate_whatever_state_the_first_is_in() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let ok = w.push(0, 1, 10, 0);
    let gap = w.push(2, 1, 10, 5);
    let (_, loser) = {
        let x = w.push(3, 1, 10, 0);
        let y = w.push(3, 2, 10, 0);
        (x, y)
    };
    let mut ledger = NodeLedger::new();
    for t in [ok, gap, TxIndex(2), loser] {
        w.offer(&mut ledger, t);
    }
    for t in [ok, gap, loser] {
        let (admission, events) = w.offer(&mut ledger, t);
        assert_eq!(admission, Admission::Duplicate);
        assert_eq!(events, vec![LedgerEvent::Duplicate { tx: t }]);
    }
}

#[test]
fn a_tampered_body_is_rejected_and_does_not_mark_the_id_seen() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let t = w.push(0, 1, 10, 0);
    let mut ledger = NodeLedger::new();
    let (admission, events) = w.offer_tampered(&mut ledger, t, 7);
    assert_eq!(admission, Admission::Rejected(RejectReason::Integrity));
    assert_eq!(events, vec![LedgerEvent::Rejected { tx: t, reason: RejectReason::Integrity }]);
    assert!(!ledger.has_seen(t));
    assert_eq!(w.offer(&mut ledger, t).0, Admission::Accepted);
    // A tampered copy of a known transaction is caught by comparing bodies, no hash.
    let (admission, _) = w.offer_tampered(&mut ledger, t, 1);
    assert_eq!(admission, Admission::Rejected(RejectReason::Integrity));
    assert_eq!(ledger.len(), 1);
}

#[test]
fn malformed_transactions_are_rejected_for_good() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let cases = [
        w.push(1, 1, 10, 0),                   // sender == receiver
        w.push(0, 8, 10, 0),                   // receiver out of range
        w.push(9, 0, 10, 0),                   // sender out of range
        w.push(0, 1, 0, 0),                    // zero amount
        w.push(0, 1, u64::MAX, 0),             // amount + fee overflows
        w.push(0, 1, 10, u64::from(u32::MAX)), // nonce beyond the modelled range
    ];
    let mut ledger = NodeLedger::new();
    for t in cases {
        let (admission, events) = w.offer(&mut ledger, t);
        assert_eq!(admission, Admission::Rejected(RejectReason::Malformed), "{:?}", w.arena.body(t));
        assert_eq!(events, vec![LedgerEvent::Rejected { tx: t, reason: RejectReason::Malformed }]);
        assert!(ledger.has_seen(t) && !ledger.contains(t));
    }
    assert_eq!(ledger.refused(), &cases);
    let mut events = Vec::new();
    let body = *w.arena.body(cases[0]);
    let out_of_arena = ledger.offer(&w.cx(), TxIndex(99), &body, 1, None, &mut events);
    assert_eq!(out_of_arena, Admission::Rejected(RejectReason::Malformed));
}

#[test]
fn a_nonce_gap_waits_then_cascades_when_filled() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let n0 = w.push(0, 1, 10, 0);
    let n1 = w.push(0, 1, 10, 1);
    let n2 = w.push(0, 1, 10, 2);
    let mut ledger = NodeLedger::new();
    let (admission, events) = w.offer_from(&mut ledger, n2, 2, Some(5));
    assert_eq!(admission, Admission::Pending(PendingReason::NonceGap));
    assert_eq!(events, vec![LedgerEvent::Pending { tx: n2, reason: PendingReason::NonceGap }]);
    w.offer_from(&mut ledger, n1, 1, Some(6));
    assert!(!ledger.contains(n1) && ledger.has_seen(n1));
    let (admission, events) = w.offer_from(&mut ledger, n0, 0, None);
    assert_eq!(admission, Admission::Accepted);
    assert_eq!(events, vec![accepted(n0, 0, None), accepted(n1, 1, Some(6)), accepted(n2, 2, Some(5))]);
    assert_eq!(ledger.pending_len(), 0);
    assert_eq!(ledger.next_nonce(0), 3);
}

#[test]
fn insufficient_funds_wait_for_a_credit_instead_of_failing() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    w.genesis = Genesis::new(8, 100, vec![(2, 0)]);
    let spend = w.push(2, 3, 50, 0);
    let credit = w.push(0, 2, 60, 0);
    let mut ledger = NodeLedger::new();
    let (admission, _) = w.offer(&mut ledger, spend);
    assert_eq!(admission, Admission::Pending(PendingReason::InsufficientFunds));
    assert_eq!(ledger.pending().collect::<Vec<_>>(), vec![(spend, PendingReason::InsufficientFunds)]);
    let (_, events) = w.offer(&mut ledger, credit);
    assert_eq!(events, vec![accepted(credit, 1, Some(9)), accepted(spend, 1, Some(9))]);
    assert_eq!(ledger.balance(&w.genesis, 2), 60 - 51);
}

#[test]
fn a_full_pool_evicts_its_oldest_entry_which_is_then_forgotten() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    w.capacity = 2;
    let gaps: Vec<TxIndex> = (1..=3).map(|n| w.push(0, 1, 1, n)).collect();
    let mut ledger = NodeLedger::new();
    w.offer(&mut ledger, gaps[0]);
    w.offer(&mut ledger, gaps[1]);
    let (_, events) = w.offer(&mut ledger, gaps[2]);
    assert_eq!(
        events,
        vec![
            LedgerEvent::Pending { tx: gaps[2], reason: PendingReason::NonceGap },
            LedgerEvent::Evicted { tx: gaps[0] },
        ]
    );
    assert!(!ledger.has_seen(gaps[0]));
    assert_eq!(ledger.pending_len(), 2);
    // Judged afresh: it comes back and pushes out the next oldest.
    let (admission, _) = w.offer(&mut ledger, gaps[0]);
    assert_eq!(admission, Admission::Pending(PendingReason::NonceGap));
    assert!(!ledger.has_seen(gaps[1]));
}

#[test]
fn a_pool_of_capacity_zero_holds_nothing() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    w.capacity = 0;
    let gap = w.push(0, 1, 1, 1);
    let mut ledger = NodeLedger::new();
    let (_, events) = w.offer(&mut ledger, gap);
    assert_eq!(
        events,
        vec![LedgerEvent::Pending { tx: gap, reason: PendingReason::NonceGap }, LedgerEvent::Evicted { tx: gap },]
    );
    assert!(!ledger.has_seen(gap));
    assert_eq!(ledger.pending_len(), 0);
    assert!(ledger.heap_bytes() <= 4, "only the emptied seen index keeps its capacity");
}

#[test]
fn first_seen_keeps_the_first_of_a_double_spend_logged_or_pending() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let (low, high) = w.double_spend(0, 0);
    let mut ledger = NodeLedger::new();
    w.offer(&mut ledger, high);
    let (admission, events) = w.offer(&mut ledger, low);
    assert_eq!(admission, Admission::Rejected(RejectReason::Conflict));
    assert_eq!(events, vec![LedgerEvent::Rejected { tx: low, reason: RejectReason::Conflict }]);
    assert!(ledger.contains(high) && ledger.has_seen(low) && !ledger.contains(low));

    let (p_low, p_high) = w.double_spend(1, 3);
    w.offer(&mut ledger, p_high);
    let (admission, _) = w.offer(&mut ledger, p_low);
    assert_eq!(admission, Admission::Rejected(RejectReason::Conflict));
    assert_eq!(ledger.pending().map(|p| p.0).collect::<Vec<_>>(), vec![p_high]);
}

#[test]
fn lowest_id_refuses_a_higher_newcomer() {
    let mut w = World::new(ConflictPolicy::LowestId);
    let (low, high) = w.double_spend(0, 0);
    let mut ledger = NodeLedger::new();
    w.offer(&mut ledger, low);
    let (admission, _) = w.offer(&mut ledger, high);
    assert_eq!(admission, Admission::Rejected(RejectReason::Conflict));
    assert!(ledger.contains(low));
}

#[test]
fn lowest_id_replaces_a_pending_rival() {
    let mut w = World::new(ConflictPolicy::LowestId);
    let (low, high) = w.double_spend(0, 2);
    let mut ledger = NodeLedger::new();
    w.offer(&mut ledger, high);
    let (admission, events) = w.offer(&mut ledger, low);
    assert_eq!(admission, Admission::Pending(PendingReason::NonceGap));
    assert_eq!(
        events,
        vec![
            LedgerEvent::Replaced { loser: high, winner: low },
            LedgerEvent::Pending { tx: low, reason: PendingReason::NonceGap },
        ]
    );
    assert_eq!(ledger.refused(), &[high]);
}

/// Sender 0 double-spends nonce 0 (to 1 and to 2); the higher-id copy arrives first
/// and gathers dependants: sender 0's nonce 1, and a spend by its receiver that its
/// credit paid for. An unrelated transaction sits in between.
#[test]
fn lowest_id_replacement_removes_the_loser_and_its_dependants_then_re_derives() {
    let mut w = World::new(ConflictPolicy::LowestId);
    w.genesis = Genesis::new(8, 100, vec![(1, 0), (2, 0)]);
    let (low, high) = w.double_spend(0, 0);
    let high_receiver = w.arena.body(high).receiver;
    let funded_by_high = w.push(high_receiver, 5, 5, 0);
    let unrelated = w.push(6, 7, 5, 0);
    let next_of_sender = w.push(0, 4, 5, 1);

    let mut ledger = NodeLedger::new();
    for t in [high, funded_by_high, unrelated, next_of_sender] {
        assert_eq!(w.offer(&mut ledger, t).0, Admission::Accepted);
    }
    let (admission, events) = w.offer_from(&mut ledger, low, 4, Some(3));
    assert_eq!(admission, Admission::Accepted);
    assert_eq!(
        events,
        vec![
            LedgerEvent::Replaced { loser: high, winner: low },
            accepted(low, 4, Some(3)),
            LedgerEvent::Removed { tx: funded_by_high },
            LedgerEvent::Pending { tx: funded_by_high, reason: PendingReason::InsufficientFunds },
        ]
    );
    // Unrelated and the sender's next nonce came back silently.
    let log: Vec<TxIndex> = ledger.entries().iter().map(|e| e.tx).collect();
    assert_eq!(log, vec![low, unrelated, next_of_sender]);
    assert_eq!(ledger.refused(), &[high]);
    assert!(ledger.has_seen(high) && !ledger.contains(high));

    // The same set offered in the winning order gives the same digest, balances and
    // (since this log order is reachable directly) the same head.
    let mut direct = NodeLedger::new();
    for t in [low, unrelated, next_of_sender, funded_by_high, high] {
        w.offer(&mut direct, t);
    }
    assert_eq!(direct.digest(), ledger.digest());
    assert_eq!(direct.head(), ledger.head());
    for account in 0..8 {
        assert_eq!(direct.balance(&w.genesis, account), ledger.balance(&w.genesis, account));
        assert_eq!(direct.next_nonce(account), ledger.next_nonce(account));
    }
}

#[test]
fn the_head_is_a_hash_chain_over_the_log_order() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let a = w.push(0, 1, 1, 0);
    let b = w.push(2, 3, 1, 0);
    let mut ab = NodeLedger::new();
    assert_eq!(ab.head(), [0; 32]);
    w.offer(&mut ab, a);
    w.offer(&mut ab, b);
    let expected = chain_link(&chain_link(&[0; 32], &w.arena.id(a).0), &w.arena.id(b).0);
    assert_eq!(ab.head(), expected);

    let mut ba = NodeLedger::new();
    w.offer(&mut ba, b);
    w.offer(&mut ba, a);
    assert_ne!(ab.head(), ba.head(), "the head depends on order");
    assert_eq!(ab.digest(), ba.digest(), "the digest does not");
    let mut manual = SetDigest::EMPTY;
    manual.toggle(w.arena.id(a));
    manual.toggle(w.arena.id(b));
    assert_eq!(ab.digest(), manual);
}

#[test]
fn clearing_forgets_everything() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let t = w.push(0, 1, 1, 0);
    let mut ledger = NodeLedger::new();
    w.offer(&mut ledger, t);
    ledger.clear();
    assert!(ledger.is_empty() && !ledger.has_seen(t));
    assert_eq!(ledger.digest(), SetDigest::EMPTY);
    assert_eq!(ledger.heap_bytes(), 0);
}

/// Documents bytes per node: see the module doc. Measured, not estimated.
#[test]
fn memory_per_known_transaction_is_documented() {
    assert_eq!(std::mem::size_of::<NodeLedger>(), 160);
    assert_eq!(std::mem::size_of::<LogEntry>(), 12);
    assert_eq!(std::mem::size_of::<AccountRow>(), 16);

    let mut w = World::new(ConflictPolicy::FirstSeen);
    w.genesis = Genesis::new(1_000, 1_000, vec![]);
    let one = w.push(0, 1, 1, 0);
    // A one-transaction run.
    let mut single = World::new(ConflictPolicy::FirstSeen);
    single.genesis = w.genesis.clone();
    single.push(0, 1, 1, 0);
    let mut ledger = NodeLedger::new();
    single.offer(&mut ledger, one);
    // The log entry, both account rows and the seen index all fit inline: a node
    // that knows one transaction owns no heap block at all.
    assert_eq!(ledger.heap_bytes(), 0);
    assert_eq!(ledger.memory_bytes(), 160);

    // A hundred transactions between distinct accounts (the worst case for rows).
    for i in 1..100u32 {
        w.push(2 * i, 2 * i + 1, 1, 0);
    }
    let mut full = NodeLedger::new();
    for i in 0..100 {
        full.offer(&w.cx(), TxIndex(i), w.arena.body(TxIndex(i)), 1, Some(0), &mut Vec::new());
    }
    assert_eq!(full.len(), 100);
    let per_tx = (full.memory_bytes() - ledger.memory_bytes()) / 99;
    assert!(per_tx <= 64, "{per_tx} bytes per transaction");
}

#[test]
fn a_transaction_id_is_the_hash_of_the_body_in_the_arena() {
    let mut w = World::new(ConflictPolicy::FirstSeen);
    let t = w.push(0, 1, 1, 0);
    assert_eq!(*w.arena.id(t), TxId::of(w.arena.body(t)));
}

/// A random workload over few accounts with double spends, nonce gaps and funds
/// that depend on other transactions.
fn workload(specs: &[(u8, u8, u8, u8)]) -> World {
    let mut w = World::new(ConflictPolicy::LowestId);
    w.genesis = Genesis::new(4, 20, vec![(3, 0)]);
    w.capacity = 1_000;
    let mut bodies = std::collections::BTreeSet::new();
    for &(sender, receiver, amount, nonce) in specs {
        let sender = u32::from(sender % 4);
        let receiver = (sender + 1 + u32::from(receiver % 3)) % 4;
        let (amount, nonce) = (1 + u64::from(amount % 12), u64::from(nonce % 3));
        // Two arena entries with one body would share an id: no policy can order them.
        if bodies.insert((sender, receiver, amount, nonce)) {
            w.push(sender, receiver, amount, nonce);
        }
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No honest ledger ever logs a transaction for which only tampered copies were
    /// offered, whatever the order and salts.
    #[test]
    fn no_ledger_accepts_a_transaction_whose_id_does_not_match_its_body(
        specs in prop::collection::vec((0u8..4, 0u8..3, 0u8..12, 0u8..3), 1..10),
        offers in prop::collection::vec((0usize..10, 0u16..4), 1..40),
    ) {
        let mut w = workload(&specs);
        w.policy = ConflictPolicy::FirstSeen;
        let mut ledger = NodeLedger::new();
        let mut honest = vec![false; w.arena.len()];
        for (pick, salt) in offers {
            let tx = TxIndex((pick % w.arena.len()) as u32);
            let body = w.arena.body(tx).tampered(salt);
            let mut events = Vec::new();
            let admission = ledger.offer(&w.cx(), tx, &body, 1, None, &mut events);
            if salt == 0 {
                honest[tx.as_usize()] = true;
            } else {
                prop_assert_eq!(admission, Admission::Rejected(RejectReason::Integrity));
            }
            for entry in ledger.entries() {
                prop_assert!(honest[entry.tx.as_usize()], "logged {:?} never offered honestly", entry.tx);
            }
        }
    }

    /// Under LowestId, ledgers that saw the same transactions in different orders
    /// agree on every (sender, nonce) both hold, and end with equal digests.
    #[test]
    fn lowest_id_ledgers_agree_on_every_slot_whatever_the_arrival_order(
        specs in prop::collection::vec((0u8..4, 0u8..3, 0u8..12, 0u8..3), 1..14),
        seeds in prop::collection::vec(any::<u64>(), 2..4),
    ) {
        let w = workload(&specs);
        let n = w.arena.len();
        let mut ledgers = Vec::new();
        for seed in seeds {
            // A seeded shuffle, offered twice over so every transaction is seen.
            let mut order: Vec<u32> = (0..n as u32).collect();
            let mut state = seed | 1;
            for i in (1..n).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let mut ledger = NodeLedger::new();
            for &t in &order {
                w.offer(&mut ledger, TxIndex(t));
            }
            ledgers.push(ledger);
        }
        let slot = |l: &NodeLedger| -> std::collections::BTreeMap<(u32, u64), TxIndex> {
            l.entries().iter().map(|e| {
                let b = w.arena.body(e.tx);
                ((b.sender, b.nonce), e.tx)
            }).collect()
        };
        let first = slot(&ledgers[0]);
        for other in &ledgers[1..] {
            for (key, tx) in slot(other) {
                if let Some(mine) = first.get(&key) {
                    prop_assert_eq!(*mine, tx, "slot {:?}", key);
                }
            }
            prop_assert_eq!(other.digest(), ledgers[0].digest());
        }
        for l in &ledgers {
            let mut nonces: Vec<(u32, u64)> = slot(l).into_keys().collect();
            nonces.dedup();
            prop_assert_eq!(nonces.len(), l.len(), "one transaction per slot");
        }
    }
}

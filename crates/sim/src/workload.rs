//! Transaction workload: the arena of transaction bodies and when and where each is
//! submitted, drawn from the workload stream alone so that runs which differ only in
//! protocol settings see the same transactions.
//!
//! Every sender's transactions are funded by its genesis balance alone (amounts are
//! capped at what the sender has left in the intended order), so an honest
//! transaction's validity never depends on the arrival order of other senders'
//! transfers. Double spends are deliberate: a twin spends the same (sender, nonce).

use gossim_engine::{Purpose, SimRng, SimTime};
use gossim_ledger::{Genesis, TxArena, TxBody, TxIndex};
use gossim_scenario::{Arrival, Origin, WorkloadSpec};

/// One transaction handed to a node by a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submission {
    pub at: SimTime,
    pub origin: u32,
    pub tx: TxIndex,
}

/// The generated workload.
#[derive(Debug)]
pub struct Workload {
    pub arena: TxArena,
    pub submissions: Vec<Submission>,
    /// Transactions created as the second half of a double spend.
    pub double_spends: u32,
}

/// Generates the workload. `equivocator(node)` says whether a node originates
/// double-spend pairs itself (the twin is then sent by that node, not submitted).
pub fn generate(
    spec: &WorkloadSpec,
    genesis: &Genesis,
    node_count: u32,
    seed: u64,
    equivocator: impl Fn(u32) -> bool,
) -> Workload {
    let mut rng = SimRng::derive(seed, Purpose::Workload, 0);
    let accounts = spec.accounts.max(2);
    let mut next_nonce = vec![0u64; accounts as usize];
    let mut spent = vec![0u64; accounts as usize];
    let mut arena = TxArena::new();
    let mut submissions = Vec::with_capacity(spec.transactions as usize);
    let mut double_spends = 0;
    let mut time_ns = spec.start_ns;
    for i in 0..spec.transactions {
        time_ns = match spec.arrival {
            Arrival::Poisson { rate_per_sec } => {
                let gap = rng.exponential(SimTime::NANOS_PER_SEC as f64 / rate_per_sec.max(f64::MIN_POSITIVE));
                if i == 0 { spec.start_ns } else { time_ns.saturating_add(gap as u64) }
            }
            Arrival::Uniform { interval_ns } => spec.start_ns.saturating_add(u64::from(i) * interval_ns),
            Arrival::Burst { at_ns } => at_ns,
        };
        let sender = rng.below(u64::from(accounts)) as u32;
        let receiver = rng.below_except(u64::from(accounts), u64::from(sender)) as u32;
        let span = spec.amount_max.saturating_sub(spec.amount_min);
        let wanted = spec.amount_min + if span == 0 { 0 } else { rng.below(span + 1) };
        let left = genesis.balance(sender).saturating_sub(spent[sender as usize]);
        // Keep honest transactions valid on their own: spend at most what is left.
        let amount = wanted.min(left.saturating_sub(spec.fee)).max(1);
        let nonce = next_nonce[sender as usize];
        next_nonce[sender as usize] += 1;
        spent[sender as usize] = spent[sender as usize].saturating_add(amount + spec.fee);
        let body = TxBody { sender, receiver, amount, fee: spec.fee, nonce, payload_bytes: spec.payload_bytes };
        let tx = arena.push(body);
        let origin = match spec.origin {
            Origin::Node(node) => node.min(node_count - 1),
            Origin::Random => rng.below(u64::from(node_count)) as u32,
        };
        let at = SimTime(time_ns);
        submissions.push(Submission { at, origin, tx });
        let honest_double_spend = rng.bernoulli(spec.double_spend_fraction);
        if honest_double_spend || equivocator(origin) {
            // The twin pays a different receiver no more than the original, so
            // whichever wins, the sender's later transactions stay funded.
            let twin_receiver =
                if receiver + 1 == sender { (receiver + 2) % accounts } else { (receiver + 1) % accounts };
            let twin_body = TxBody { receiver: twin_receiver, amount: amount.max(2) - 1, ..body };
            let twin = arena.push(twin_body);
            arena.set_twin(tx, twin);
            arena.set_twin(twin, tx);
            double_spends += 1;
            if honest_double_spend && !equivocator(origin) {
                let other = if node_count > 1 {
                    rng.below_except(u64::from(node_count), u64::from(origin)) as u32
                } else {
                    origin
                };
                submissions.push(Submission { at, origin: other, tx: twin });
            }
        }
    }
    Workload { arena, submissions, double_spends }
}

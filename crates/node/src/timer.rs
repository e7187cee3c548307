//! Timers a node arms: a closed, `Copy` enum (one kind per purpose), and the
//! schedule arithmetic for periodic ticks.
//!
//! The engine stores `(time, Timer)` pairs and hands a timer back when it fires; it
//! discards a node's timers when the node crashes, so [`crate::Node::restart`] arms
//! them again. Timers cannot be cancelled: a handler checks whether it is still
//! wanted (a request timeout for a transaction that has since arrived does nothing).
//!
//! Not here: the queue (the engine's) and wall-clock time (there is none).

use crate::config::{Period, Phase, Timing};
use crate::entropy::Entropy;
use gossim_ledger::TxIndex;

/// Why a node asked to be woken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The protocol's periodic tick (push periodic, pull, push-pull, anti-entropy,
    /// rumour mongering).
    Gossip,
    /// The background anti-entropy tick of the optional `repair` add-on.
    Repair,
    /// An announce request for `tx` may have been lost: retry another announcer.
    RequestTimeout { tx: TxIndex },
}

impl Timer {
    /// The snake_case name of the kind, for reports and traces.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Timer::Gossip => "gossip",
            Timer::Repair => "repair",
            Timer::RequestTimeout { .. } => "request_timeout",
        }
    }

    /// A 64-bit key folded into the engine's trace digest.
    pub fn trace_key(&self) -> u64 {
        match self {
            Timer::Gossip => 1,
            Timer::Repair => 2,
            Timer::RequestTimeout { tx } => 3 | (u64::from(tx.0) << 8),
        }
    }
}

/// When a periodic schedule next fires after `now_ns`.
///
/// - Fixed period, aligned phase: the next multiple of the period strictly after
///   `now_ns` (synchronous rounds: every node ticks at k·period).
/// - Fixed period, random phase: the first tick (`first`) is uniform in
///   `(now, now + period]`; later ones are `now + period`.
/// - Exponential: `now + Exp(mean)` every time (a Poisson clock), rounded to whole
///   nanoseconds and at least 1 ns so time always advances.
///
/// A zero period is treated as 1 ns (the scenario crate rejects it earlier).
pub fn next_tick<R: Entropy + ?Sized>(timing: &Timing, now_ns: u64, first: bool, rng: &mut R) -> u64 {
    match timing.period {
        Period::Fixed { period_ns } => {
            let period = period_ns.max(1);
            match timing.phase {
                Phase::Aligned => (now_ns / period).saturating_add(1).saturating_mul(period),
                Phase::Random if first => now_ns.saturating_add(1 + rng.below(period)),
                Phase::Random => now_ns.saturating_add(period),
            }
        }
        Period::Exponential { mean_ns } => {
            let gap = rng.exponential(mean_ns as f64);
            let gap = if gap.is_finite() && gap > 0.0 { gap.round() as u64 } else { 0 };
            now_ns.saturating_add(gap.max(1))
        }
    }
}

/// The length of one cycle of a schedule: the period, or the mean of an exponential
/// clock. At least 1 ns.
pub fn cycle_ns(timing: &Timing) -> u64 {
    match timing.period {
        Period::Fixed { period_ns } => period_ns.max(1),
        Period::Exponential { mean_ns } => mean_ns.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::SplitMix64;

    fn fixed(period_ns: u64, phase: Phase) -> Timing {
        Timing { period: Period::Fixed { period_ns }, phase }
    }

    #[test]
    fn aligned_ticks_fall_on_the_next_multiple_strictly_after_now() {
        let mut rng = SplitMix64::new(0);
        let t = fixed(1_000, Phase::Aligned);
        assert_eq!(next_tick(&t, 0, true, &mut rng), 1_000);
        assert_eq!(next_tick(&t, 999, true, &mut rng), 1_000);
        assert_eq!(next_tick(&t, 1_000, false, &mut rng), 2_000);
        assert_eq!(next_tick(&t, 1_500, false, &mut rng), 2_000);
    }

    #[test]
    fn a_random_phase_starts_within_one_period_then_keeps_the_period() {
        let mut rng = SplitMix64::new(9);
        let t = fixed(10, Phase::Random);
        let mut seen = [false; 10];
        for _ in 0..1_000 {
            let first = next_tick(&t, 100, true, &mut rng);
            assert!((101..=110).contains(&first));
            seen[(first - 101) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s), "every offset in (now, now + period] occurs");
        assert_eq!(next_tick(&t, 105, false, &mut rng), 115);
    }

    #[test]
    fn exponential_gaps_have_the_requested_mean() {
        let mut rng = SplitMix64::new(3);
        let t = Timing { period: Period::Exponential { mean_ns: 1_000_000 }, phase: Phase::Aligned };
        let n = 20_000u64;
        let total: u64 = (0..n).map(|_| next_tick(&t, 0, false, &mut rng)).sum();
        let mean = total as f64 / n as f64;
        assert!((mean / 1e6 - 1.0).abs() < 0.03, "{mean}");
    }
}

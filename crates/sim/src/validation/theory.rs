//! What the theory predicts: the reference values of THEORY.md as constants, and the
//! closed forms and exact Markov chains behind them, computed here so that any size
//! can be checked.
//!
//! Two kinds of numbers live here:
//! - tables copied from THEORY.md (exact Markov-chain values and Monte Carlo means
//!   with their standard errors), kept verbatim so a reader can compare them line by
//!   line with the document;
//! - functions that compute a prediction: harmonic numbers (§4), fixed points of
//!   `s = e^{−a(1−s)}` (§2, §3), λ of the infect-and-die threshold (§2), and
//!   [`push_rounds_exact`], the exact expected number of synchronous push rounds
//!   with any fanout, loss and crashed fraction (§1). The unit tests check that the
//!   functions reproduce the tables.
//!
//! Not here: running anything, or deciding whether a measurement agrees (that is
//! [`super::criteria`]).

/// THEORY.md §1, exact E[T] (rounds) of synchronous push, pull and push-pull with
/// fanout 1: `(n, push, pull, push_pull)`.
pub const SYNC_EXACT: [(u32, f64, f64, f64); 5] = [
    (8, 5.3779, 4.5262, 3.1210),
    (16, 7.4138, 6.1403, 4.1530),
    (64, 11.1581, 8.9637, 5.9888),
    (256, 14.6700, 11.4632, 7.6287),
    (1000, 18.0383, 13.7671, 9.1511),
];

/// THEORY.md §1, Monte Carlo E[T] with its standard error at large n:
/// `(n, [(push, se), (pull, se), (push_pull, se)])`.
pub const SYNC_MC: [(u32, [(f64, f64); 3]); 2] = [
    (10_000, [(23.690, 0.018), (17.470, 0.018), (11.584, 0.017)]),
    (100_000, [(29.34, 0.044), (21.17, 0.11), (13.975, 0.030)]),
];

/// One line of THEORY.md §1's fanout table (push, n = 10⁴, 300 runs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PushFaults {
    pub fanout: u32,
    /// Per-message loss probability.
    pub loss: f64,
    /// Fraction of nodes crashed from the start.
    pub crashed: f64,
    /// Monte Carlo mean T (rounds) and its standard error.
    pub mean: f64,
    pub se: f64,
}

const fn faults(fanout: u32, loss: f64, crashed: f64, mean: f64, se: f64) -> PushFaults {
    PushFaults { fanout, loss, crashed, mean, se }
}

/// THEORY.md §1 fanout table, n = 10⁴.
pub const PUSH_FAULTS_MC: [PushFaults; 7] = [
    faults(1, 0.0, 0.0, 23.72, 0.08),
    faults(2, 0.0, 0.0, 13.98, 0.04),
    faults(3, 0.0, 0.0, 10.54, 0.03),
    faults(1, 0.2, 0.0, 28.53, 0.10),
    faults(2, 0.2, 0.0, 16.46, 0.05),
    faults(3, 0.5, 0.0, 17.39, 0.07),
    faults(2, 0.0, 0.2, 16.08, 0.06),
];

/// THEORY.md §2: P(all reached) of infect-and-die at n = 1000 with fixed fanout K,
/// Monte Carlo: `(K, P(all), 95% CI low, 95% CI high)`.
pub const INFECT_AND_DIE_MC: [(u32, f64, f64, f64); 5] = [
    (6, 0.0805, 0.0753, 0.0860),
    (7, 0.4091, 0.3995, 0.4188),
    (8, 0.7189, 0.7100, 0.7276),
    (9, 0.8880, 0.8817, 0.8940),
    (10, 0.9582, 0.9541, 0.9619),
];

/// THEORY.md §3: Demers et al. 1987, Table 1 (n = 1000, feedback + counter with the
/// counter reset on a useful contact, usefulness judged at the start of the cycle):
/// `(k, residue s, traffic m)` as published, to the digits published.
pub const DEMERS_TABLE_1: [(u32, f64, f64); 1] = [(2, 0.037, 3.3)];

/// H_m = 1 + 1/2 + … + 1/m (0 for m = 0), summed from the small terms up.
pub fn harmonic(m: u32) -> f64 {
    (1..=m).rev().map(|j| 1.0 / f64::from(j)).sum()
}

/// §4: exact E[T_all] of asynchronous push (or pull) with rate-1 Poisson clocks on n
/// nodes, from one informed node: 2(n−1)/n · H_{n−1}. Push-pull is half of it.
pub fn poisson_push_mean(n: u32) -> f64 {
    2.0 * f64::from(n - 1) / f64::from(n) * harmonic(n - 1)
}

/// §4: exact SD of T_all for asynchronous push: T_all is a sum of independent
/// exponentials with rates k(n−k)/(n−1), k = 1 … n−1. Push-pull is half of it.
pub fn poisson_push_sd(n: u32) -> f64 {
    let m = f64::from(n - 1);
    let variance: f64 = (1..n).rev().map(|k| (m / (f64::from(k) * f64::from(n - k))).powi(2)).sum();
    variance.sqrt()
}

/// The smallest root in [0, 1) of `s = e^{−a(1−s)}` for a > 1 (the fraction left
/// out by an epidemic of reproduction number a); 1 when a ≤ 1.
///
/// - §2: coverage of infect-and-die with fixed fanout f is `1 − root(f)`;
/// - §3: residue of rumour mongering: feedback + coin `root(k + 1)`, blind + coin
///   `root(k)`.
pub fn extinction_root(a: f64) -> f64 {
    if a <= 1.0 {
        return 1.0;
    }
    // Monotone iteration from 0 converges to the smallest fixed point.
    let mut s = 0.0f64;
    for _ in 0..100_000 {
        let next = (-a * (1.0 - s)).exp();
        if (next - s).abs() <= 1e-16 {
            return next;
        }
        s = next;
    }
    s
}

/// §2: λ = (n−1)(1 − μ/(n−1))^{n−1}, the expected number of nodes no one forwards
/// to when every node forwards to μ others; P(all) ≈ exp(−λ).
pub fn infect_and_die_lambda(n: u32, mean_fanout: f64) -> f64 {
    let m = f64::from(n - 1);
    m * (1.0 - mean_fanout / m).powf(m)
}

/// Which targets a synchronous push draws from, for [`push_rounds_exact`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Targets {
    /// Uniform over the n − 1 others (the correct process).
    Others,
    /// Uniform over all n nodes, the sender included (the self-targeting bug).
    IncludingSelf,
}

/// §1: the exact expected number of synchronous push rounds until every live node is
/// informed, from one informed live node, on the complete graph of `n` nodes of
/// which `crashed` are down from the start (targetable, never informed): each
/// informed node pushes every round to `fanout` distinct targets, each message lost
/// independently with probability `loss`.
///
/// The number informed is a Markov chain; the newly informed count of a round is the
/// size of the union of the informed nodes' successful targets, built sender by
/// sender (each sender's fresh hits are hypergeometric, thinned by the loss). Cost
/// O(L³·fanout/6) for L live nodes: milliseconds at L = 256, about a second at 1000.
///
/// # Panics
/// When there is no live node, or `fanout` exceeds the number of possible targets.
pub fn push_rounds_exact(n: u32, fanout: u32, loss: f64, crashed: u32, targets: Targets) -> f64 {
    assert!(crashed < n, "no live node");
    let live = (n - crashed) as usize;
    let pool = match targets {
        Targets::Others => n - 1,
        Targets::IncludingSelf => n,
    };
    assert!(fanout <= pool, "fanout {fanout} exceeds the {pool} possible targets");
    let f = fanout as usize;
    // gain[fresh][b]: probability that one sender newly informs b of `fresh`
    // not-yet-hit live uninformed nodes (at most live − 1 are uninformed).
    let gain: Vec<Vec<f64>> = (0..live)
        .map(|fresh| {
            let mut g = vec![0.0; f.min(fresh) + 1];
            for h in 0..=f.min(fresh) {
                let ph = hypergeometric(pool, fresh as u32, fanout, h as u32);
                if ph == 0.0 {
                    continue;
                }
                for (b, slot) in g.iter_mut().enumerate().take(h + 1) {
                    *slot += ph * binomial(h as u32, b as u32, 1.0 - loss);
                }
            }
            g
        })
        .collect();
    let mut expected = vec![0.0f64; live + 1];
    let mut dist = Vec::with_capacity(live + 1);
    let mut next = Vec::with_capacity(live + 1);
    for k in (1..live).rev() {
        let uninformed = live - k;
        dist.clear();
        dist.resize(uninformed + 1, 0.0);
        dist[0] = 1.0;
        for _ in 0..k {
            next.clear();
            next.resize(uninformed + 1, 0.0);
            for (j, &mass) in dist.iter().enumerate() {
                if mass == 0.0 {
                    continue;
                }
                for (b, &p) in gain[uninformed - j].iter().enumerate() {
                    next[j + b] += mass * p;
                }
            }
            std::mem::swap(&mut dist, &mut next);
        }
        let onward: f64 = (1..=uninformed).map(|x| dist[x] * expected[k + x]).sum();
        expected[k] = (1.0 + onward) / (1.0 - dist[0]);
    }
    expected[1]
}

/// P(h marked among `draws` drawn without replacement from `population` of which
/// `marked` are marked).
fn hypergeometric(population: u32, marked: u32, draws: u32, h: u32) -> f64 {
    if marked > population || h > marked || h > draws || draws - h > population - marked {
        return 0.0;
    }
    choose(marked, h) * choose(population - marked, draws - h) / choose(population, draws)
}

fn binomial(trials: u32, successes: u32, p: f64) -> f64 {
    choose(trials, successes) * p.powi(successes as i32) * (1.0 - p).powi((trials - successes) as i32)
}

/// C(a, b) as a float; exact enough for the small b used here.
fn choose(a: u32, b: u32) -> f64 {
    if b > a {
        return 0.0;
    }
    let b = b.min(a - b);
    (0..b).map(|i| f64::from(a - i) / f64::from(i + 1)).product()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_push_chain_reproduces_the_exact_table() {
        for &(n, push, _, _) in SYNC_EXACT.iter().filter(|row| row.0 <= 256) {
            let exact = push_rounds_exact(n, 1, 0.0, 0, Targets::Others);
            assert!((exact - push).abs() < 6e-5, "n = {n}: {exact} vs {push}");
        }
    }

    #[test]
    fn self_targets_slow_push_at_16_as_theory_says() {
        let with_self = push_rounds_exact(16, 1, 0.0, 0, Targets::IncludingSelf);
        assert!((with_self - 7.827).abs() < 6e-4, "{with_self}");
    }

    #[test]
    fn loss_and_crashes_slow_push_down() {
        let clean = push_rounds_exact(64, 2, 0.0, 0, Targets::Others);
        assert!(push_rounds_exact(64, 2, 0.2, 0, Targets::Others) > clean);
        assert!(push_rounds_exact(64, 3, 0.0, 0, Targets::Others) < clean);
        // With no loss and every node but one crashed there is nothing to do.
        assert_eq!(push_rounds_exact(64, 2, 0.0, 63, Targets::Others), 0.0);
    }

    #[test]
    fn poisson_values_match_the_table() {
        for (n, mean, sd) in [(100, 10.251, 1.846), (1000, 14.954, 1.820), (10_000, 19.573, 1.815)] {
            assert!((poisson_push_mean(n) - mean).abs() < 6e-4, "{n}");
            assert!((poisson_push_sd(n) - sd).abs() < 6e-4, "{n}");
        }
        assert!((harmonic(99) - 5.177).abs() < 6e-4);
    }

    #[test]
    fn fixed_points_match_the_tables() {
        for (f, pi) in [(2.0, 0.7968), (3.0, 0.9405), (4.0, 0.9802), (5.0, 0.9930), (6.0, 0.9975)] {
            assert!((1.0 - extinction_root(f) - pi).abs() < 6e-5, "f = {f}");
        }
        // §3: feedback + coin uses k + 1, blind + coin k.
        for (k, s) in [(1.0, 0.2032), (2.0, 0.0595), (3.0, 0.0198), (4.0, 0.00698), (5.0, 0.00252)] {
            let root = extinction_root(k + 1.0);
            assert!((root - s).abs() / s < 2e-3, "k = {k}: {root}");
        }
        assert_eq!(extinction_root(1.0), 1.0);
    }

    #[test]
    fn lambda_matches_the_table() {
        for (k, p) in [(6.0, 0.0879), (7.0, 0.4111), (8.0, 0.7229), (9.0, 0.8884), (10.0, 0.9578)] {
            let predicted = (-infect_and_die_lambda(1000, k)).exp();
            assert!((predicted - p).abs() < 6e-4, "K = {k}: {predicted}");
        }
    }
}

//! Who a node can talk to ([`PeerSet`]) and how it picks targets: `k` distinct
//! neighbours, uniformly, never itself (THEORY.md §0).
//!
//! [`sample_peers`] is exact and allocation-free once the scratch buffers have grown:
//!
//! - `k` equal to the number of eligible peers: all of them, in id order, no draws.
//! - `k` at most half of them: rejection sampling — draw uniformly among the
//!   neighbours, redraw on a repeat or an excluded peer. Each accepted draw is uniform
//!   over the peers not yet chosen, so the ordered sample is uniform. For the complete
//!   graph a draw is `below(n - 1)` shifted past `me`. Repeats are checked by a scan
//!   of the chosen few (k ≤ 32) or a sorted copy (larger k).
//! - otherwise: a partial Fisher–Yates shuffle over a scratch copy of the eligible
//!   peers (its cost is linear in the degree, which is then at most 2k).
//!
//! Limits: a [`PeerSet::List`] must hold distinct ids (topologies are simple graphs);
//! duplicates are tolerated but weight the rejection draws. The number of draws taken
//! differs between the branches, so changing `k` shifts the stream — by design the
//! protocol stream is separate from all others.
//!
//! Not here: the topology itself (the engine builds it) and fanout policy (how many
//! peers; see [`fanout_count`]).

use crate::config::Fanout;
use crate::entropy::{Entropy, bernoulli};

/// A node's neighbours.
#[derive(Clone, Copy, Debug)]
pub enum PeerSet<'a> {
    /// Every node in `0..n` except `me`: the complete graph, implicit.
    AllExcept { n: u32, me: u32 },
    /// An explicit neighbour list (distinct ids, normally without the node itself;
    /// the node is skipped if present).
    List(&'a [u32]),
    /// The neighbours of `node` in a CSR adjacency (`offsets` has one entry per node
    /// plus one), looked up only when the node actually picks peers: most deliveries
    /// are duplicates that never need them, and the lookup is a cache miss.
    Csr { offsets: &'a [u64], targets: &'a [u32], node: u32 },
}

/// A [`PeerSet`] with the CSR lookup done.
#[derive(Clone, Copy, Debug)]
enum Resolved<'a> {
    AllExcept { n: u32, me: u32 },
    List(&'a [u32]),
}

impl<'a> PeerSet<'a> {
    fn resolve(self) -> Resolved<'a> {
        match self {
            PeerSet::AllExcept { n, me } => Resolved::AllExcept { n, me },
            PeerSet::List(list) => Resolved::List(list),
            PeerSet::Csr { offsets, targets, node } => {
                let start = offsets[node as usize] as usize;
                let end = offsets[node as usize + 1] as usize;
                Resolved::List(&targets[start..end])
            }
        }
    }

    /// Number of neighbours other than `me`.
    pub fn degree(&self, me: u32) -> u32 {
        match self.resolve() {
            Resolved::AllExcept { n, me } => {
                if me < n {
                    n - 1
                } else {
                    n
                }
            }
            Resolved::List(list) => list.iter().filter(|&&p| p != me).count() as u32,
        }
    }
}

/// Draws how many peers one forwarding decision targets, before capping at the
/// number available. `Fanout::All` returns `u64::MAX` (cap it).
pub fn fanout_count<R: Entropy + ?Sized>(fanout: Fanout, rng: &mut R) -> u64 {
    match fanout {
        Fanout::Fixed { count } => u64::from(count),
        Fanout::Mixed { mean } => {
            let mean = if mean.is_finite() { mean.max(0.0) } else { 0.0 };
            let base = mean.floor();
            // `as` saturates: a mean beyond u64 is capped by the degree anyway.
            base as u64 + u64::from(bernoulli(rng, mean - base))
        }
        Fanout::Poisson { mean } => {
            if mean.is_finite() && mean > 0.0 {
                rng.poisson(mean)
            } else {
                0
            }
        }
        Fanout::All => u64::MAX,
    }
}

/// Up to this many chosen peers, repeats are found by scanning them.
const LINEAR_CHECK_MAX: u64 = 32;

/// Fills `out` with `min(k, eligible)` distinct peers of `set`, uniformly at random,
/// never `me` and never `exclude`. `pool` is scratch space.
pub fn sample_peers<R: Entropy + ?Sized>(
    set: PeerSet<'_>,
    me: u32,
    k: u64,
    exclude: Option<u32>,
    rng: &mut R,
    pool: &mut Vec<u32>,
    out: &mut Vec<u32>,
) {
    out.clear();
    let set = set.resolve();
    let me = match set {
        Resolved::AllExcept { me, .. } => me,
        Resolved::List(_) => me,
    };
    let exclude = exclude.filter(|&x| x != me);
    let eligible = match set {
        Resolved::AllExcept { n, me } => {
            let mut count = u64::from(n) - u64::from(me < n);
            if exclude.is_some_and(|x| x < n) {
                count -= 1;
            }
            count
        }
        Resolved::List(list) => list.iter().filter(|&&p| p != me && Some(p) != exclude).count() as u64,
    };
    let k = k.min(eligible);
    if k == 0 {
        return;
    }
    let ok = |p: u32| p != me && Some(p) != exclude;
    if k == eligible {
        match set {
            Resolved::AllExcept { n, .. } => out.extend((0..n).filter(|&p| ok(p))),
            Resolved::List(list) => out.extend(list.iter().copied().filter(|&p| ok(p))),
        }
        return;
    }
    if 2 * k <= eligible {
        // Enough attempts that a well-formed set never runs out (the expected number
        // is below 2k); a list with heavy duplicates falls through to the shuffle.
        let mut attempts = 64 * k + 1_024;
        pool.clear();
        while (out.len() as u64) < k && attempts > 0 {
            attempts -= 1;
            let candidate = match set {
                Resolved::AllExcept { n, me } => draw_all_except(n, me, rng),
                Resolved::List(list) => list[rng.below(list.len() as u64) as usize],
            };
            if !ok(candidate) {
                continue;
            }
            if k <= LINEAR_CHECK_MAX {
                if out.contains(&candidate) {
                    continue;
                }
            } else {
                match pool.binary_search(&candidate) {
                    Ok(_) => continue,
                    Err(at) => pool.insert(at, candidate),
                }
            }
            out.push(candidate);
        }
        if out.len() as u64 == k {
            return;
        }
        out.clear();
    }
    // Partial Fisher–Yates over the eligible peers.
    pool.clear();
    match set {
        Resolved::AllExcept { n, .. } => pool.extend((0..n).filter(|&p| ok(p))),
        Resolved::List(list) => {
            pool.extend(list.iter().copied().filter(|&p| ok(p)));
            pool.sort_unstable();
            pool.dedup();
        }
    }
    let k = (k as usize).min(pool.len());
    for i in 0..k {
        let j = i + rng.below((pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    out.extend_from_slice(&pool[..k]);
}

/// A uniform node of `0..n` other than `me`.
fn draw_all_except<R: Entropy + ?Sized>(n: u32, me: u32, rng: &mut R) -> u32 {
    if me < n {
        let v = rng.below(u64::from(n) - 1) as u32;
        if v >= me { v + 1 } else { v }
    } else {
        rng.below(u64::from(n)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::SplitMix64;

    fn sample(set: PeerSet<'_>, me: u32, k: u64, exclude: Option<u32>, seed: u64) -> Vec<u32> {
        let mut rng = SplitMix64::new(seed);
        let (mut pool, mut out) = (Vec::new(), Vec::new());
        sample_peers(set, me, k, exclude, &mut rng, &mut pool, &mut out);
        out
    }

    fn assert_valid(out: &[u32], me: u32, exclude: Option<u32>) {
        let mut sorted = out.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), out.len(), "distinct: {out:?}");
        assert!(!out.contains(&me), "never itself: {out:?}");
        if let Some(x) = exclude {
            assert!(!out.contains(&x), "never the excluded peer: {out:?}");
        }
    }

    #[test]
    fn every_branch_returns_distinct_peers_never_itself_nor_the_excluded_one() {
        let list: Vec<u32> = (0..200).filter(|&p| p != 7).collect();
        for seed in 0..50 {
            for k in [1, 3, 40, 90, 150, 198, 199, 500] {
                for exclude in [None, Some(3), Some(7)] {
                    let all = sample(PeerSet::AllExcept { n: 200, me: 7 }, 7, k, exclude, seed);
                    assert_valid(&all, 7, exclude);
                    let expected = k.min(199 - u64::from(exclude == Some(3))) as usize;
                    assert_eq!(all.len(), expected);
                    let listed = sample(PeerSet::List(&list), 7, k, exclude, seed);
                    assert_valid(&listed, 7, exclude);
                    assert_eq!(listed.len(), expected);
                }
            }
        }
    }

    #[test]
    fn a_list_that_names_the_node_itself_never_yields_it() {
        let list = [0, 1, 2, 3];
        for seed in 0..100 {
            for k in 1..=4 {
                assert_valid(&sample(PeerSet::List(&list), 2, k, None, seed), 2, None);
            }
        }
    }

    /// Each of the n−1 others is hit equally often; a chi-square bound at the 1e-6
    /// level keeps the test deterministic yet sharp enough to see a self-target bias.
    #[test]
    fn single_targets_are_uniform_over_the_others() {
        let n = 8u32;
        for (k, method) in [(1u64, "rejection"), (5, "shuffle")] {
            let mut counts = [0u64; 8];
            let mut rng = SplitMix64::new(42);
            let (mut pool, mut out) = (Vec::new(), Vec::new());
            let trials = 70_000u64;
            for _ in 0..trials {
                sample_peers(PeerSet::AllExcept { n, me: 3 }, 3, k, None, &mut rng, &mut pool, &mut out);
                for &p in &out {
                    counts[p as usize] += 1;
                }
            }
            assert_eq!(counts[3], 0);
            let expected = (trials * k) as f64 / 7.0;
            let chi2: f64 = counts
                .iter()
                .enumerate()
                .filter(|&(p, _)| p != 3)
                .map(|(_, &c)| (c as f64 - expected).powi(2) / expected)
                .sum();
            // 6 degrees of freedom: P(chi2 > 35.9) ≈ 3e-6.
            assert!(chi2 < 35.9, "{method}: chi2 = {chi2}, counts = {counts:?}");
        }
    }

    #[test]
    fn fanout_counts_follow_their_definitions() {
        let mut rng = SplitMix64::new(1);
        assert_eq!(fanout_count(Fanout::Fixed { count: 4 }, &mut rng), 4);
        assert_eq!(fanout_count(Fanout::All, &mut rng), u64::MAX);
        assert_eq!(fanout_count(Fanout::Mixed { mean: 3.0 }, &mut rng), 3);
        assert_eq!(fanout_count(Fanout::Poisson { mean: 0.0 }, &mut rng), 0);
        let draws = 20_000;
        let mixed: u64 = (0..draws).map(|_| fanout_count(Fanout::Mixed { mean: 2.25 }, &mut rng)).sum();
        let mean = mixed as f64 / f64::from(draws);
        assert!((mean - 2.25).abs() < 0.03, "{mean}");
        let poisson: u64 = (0..draws).map(|_| fanout_count(Fanout::Poisson { mean: 3.5 }, &mut rng)).sum();
        let mean = poisson as f64 / f64::from(draws);
        assert!((mean - 3.5).abs() < 0.08, "{mean}");
    }
}

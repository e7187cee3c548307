//! Seeded random streams and the project's own samplers.
//!
//! Every purpose (network, faults, workload, topology, protocol, ...) draws from its
//! own ChaCha8 stream whose key is the SHA-256 of `(seed, purpose, index)`. Adding a
//! draw in one purpose therefore shifts nothing in another, and two runs that differ
//! only in, say, fanout see the same transactions and the same crashes.
//!
//! The samplers are implemented here rather than taken from `rand_distr` so results
//! stay bit-identical across crate versions and platforms; transcendental functions
//! come from the pure-Rust `libm`. This module does not keep a generator per node:
//! callers draw from the one stream of their purpose in event order, which is itself
//! deterministic.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// What a stream is used for; each purpose gets an independent stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// Latency, loss and other per-message network draws.
    Network,
    /// Crash, recovery, churn and misbehaviour selection.
    Faults,
    /// Transaction creation: origins, accounts, amounts, arrival times.
    Workload,
    /// Graph construction and region assignment.
    Topology,
    /// Draws made by the node logic (peer sampling, timer phases, coins).
    Protocol,
    /// Seed derivation for sweeps (one run seed per seed index).
    Sweep,
    /// Anything else, numbered by the caller.
    Other(u32),
}

impl Purpose {
    fn code(self) -> u64 {
        match self {
            Purpose::Network => 1,
            Purpose::Faults => 2,
            Purpose::Workload => 3,
            Purpose::Topology => 4,
            Purpose::Protocol => 5,
            Purpose::Sweep => 6,
            Purpose::Other(n) => 1_000 + u64::from(n),
        }
    }
}

/// A deterministic random stream with the samplers the simulator needs.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    /// The stream for `(seed, purpose, index)`.
    pub fn derive(seed: u64, purpose: Purpose, index: u64) -> SimRng {
        let mut hasher = Sha256::new();
        hasher.update(b"gossim-stream-v1");
        hasher.update(seed.to_le_bytes());
        hasher.update(purpose.code().to_le_bytes());
        hasher.update(index.to_le_bytes());
        let key: [u8; 32] = hasher.finalize().into();
        SimRng { inner: ChaCha8Rng::from_seed(key) }
    }

    /// 64 uniformly random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform integer in `0..n` without modulo bias (Lemire's method).
    /// Panics if `n == 0`, which is a caller bug.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        // The rejection threshold `2^64 mod n` is below `n`, so a low word of at least
        // `n` is accepted without computing it: the division (tens of cycles) is paid
        // about once in 2^64 / n draws. Same draws, same results as always dividing.
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// A uniform integer in `0..n` other than `except` (which must be below `n`):
    /// one draw below `n − 1`, shifted past `except`. Panics if `n < 2`.
    #[inline]
    pub fn below_except(&mut self, n: u64, except: u64) -> u64 {
        let r = self.below(n - 1);
        if r >= except { r + 1 } else { r }
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        unit_from_bits(self.next_u64())
    }

    /// A uniform float in `(0, 1]`, safe to take the logarithm of.
    #[inline]
    pub fn unit_open_zero(&mut self) -> f64 {
        open_unit_from_bits(self.next_u64())
    }

    /// True with probability `p` (clamped to `[0, 1]`).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            self.unit() < p
        }
    }

    /// An exponential variate with the given mean.
    #[inline]
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * libm::log(self.unit_open_zero())
    }

    /// A standard normal variate by the ziggurat method (see [`crate::ziggurat`]):
    /// usually one 64-bit draw and no transcendental function.
    #[inline]
    pub fn standard_normal(&mut self) -> f64 {
        crate::ziggurat::standard_normal(|| self.next_u64())
    }

    /// A Poisson variate with the given mean: Knuth's product method for small means,
    /// a rounded normal approximation above 500 (where its error is far below any
    /// statistical resolution the simulator reports).
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        if mean > 500.0 {
            let x = mean + libm::sqrt(mean) * self.standard_normal();
            return libm::round(x.max(0.0)) as u64;
        }
        // Split large means so exp(-mean) never underflows.
        let mut remaining = mean;
        let mut count = 0u64;
        while remaining > 0.0 {
            let step = remaining.min(30.0);
            remaining -= step;
            let limit = libm::exp(-step);
            let mut product = self.unit_open_zero();
            while product > limit {
                count += 1;
                product *= self.unit_open_zero();
            }
        }
        count
    }
}

/// [`SimRng::unit`] of a given 64-bit word: its top 53 bits as a float in `[0, 1)`.
#[inline]
pub(crate) fn unit_from_bits(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// [`SimRng::unit_open_zero`] of a given 64-bit word: a float in `(0, 1]`.
#[inline]
pub(crate) fn open_unit_from_bits(bits: u64) -> f64 {
    ((bits >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_stream_and_purposes_differ() {
        let mut a = SimRng::derive(7, Purpose::Network, 0);
        let mut b = SimRng::derive(7, Purpose::Network, 0);
        let mut c = SimRng::derive(7, Purpose::Workload, 0);
        let mut d = SimRng::derive(7, Purpose::Network, 1);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        let ws: Vec<u64> = (0..8).map(|_| d.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        assert_ne!(xs, ws);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = SimRng::derive(1, Purpose::Other(0), 0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[rng.below(7) as usize] += 1;
        }
        // Each cell ~ Binomial(70000, 1/7): sd ≈ 92; 5 sd bound.
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 460, "{counts:?}");
        }
    }

    #[test]
    fn below_except_never_returns_the_excluded_value_and_covers_the_rest() {
        let mut rng = SimRng::derive(2, Purpose::Other(2), 0);
        let mut seen = [0u32; 5];
        for _ in 0..5_000 {
            seen[rng.below_except(5, 2) as usize] += 1;
        }
        assert_eq!(seen[2], 0);
        assert!(seen.iter().enumerate().all(|(i, &c)| i == 2 || c > 1_000), "{seen:?}");
    }

    #[test]
    fn poisson_mean_and_variance_match() {
        let mut rng = SimRng::derive(3, Purpose::Other(1), 0);
        for mean in [0.5, 4.0, 45.0] {
            let n = 100_000;
            let xs: Vec<f64> = (0..n).map(|_| rng.poisson(mean) as f64).collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
            let se = (mean / n as f64).sqrt();
            assert!((m - mean).abs() < 5.0 * se, "mean {m} vs {mean}");
            assert!((v / mean - 1.0).abs() < 0.05, "variance {v} vs {mean}");
        }
    }
}

//! Randomness as an input: the [`Entropy`] trait every random choice of a node goes
//! through.
//!
//! The runner implements it over its seeded protocol stream; tests use the harness's
//! [`crate::harness::SplitMix64`] or [`crate::harness::Scripted`]. Because a node
//! draws only through this trait, a run is a pure function of its inputs and seeds.
//!
//! Not here: any generator. The node never owns one (no global RNG, no `thread_rng`).

/// A source of random draws, supplied by the caller on every call into a node.
pub trait Entropy {
    /// A uniform integer in `[0, n)`. Callers never pass `n == 0`.
    fn below(&mut self, n: u64) -> u64;
    /// A uniform real in `[0, 1)`.
    fn unit(&mut self) -> f64;
    /// An exponential variate with the given mean (same unit as the mean).
    fn exponential(&mut self, mean: f64) -> f64;
    /// A Poisson variate with the given mean.
    fn poisson(&mut self, mean: f64) -> u64;
}

/// True with probability `p`; draws nothing when the outcome is certain, so
/// degenerate parameters do not consume the stream.
pub(crate) fn bernoulli<R: Entropy + ?Sized>(rng: &mut R, p: f64) -> bool {
    if p.is_nan() || p <= 0.0 {
        false
    } else if p >= 1.0 {
        true
    } else {
        rng.unit() < p
    }
}

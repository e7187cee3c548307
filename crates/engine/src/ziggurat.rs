//! The ziggurat method for standard normal variates (Marsaglia & Tsang 2000, in the
//! form of Doornik 2005, "An improved ziggurat method to generate normal random
//! samples"), used by every normal and lognormal draw in the simulator.
//!
//! Why not Box–Muller: it costs a logarithm, a square root and a cosine per variate,
//! and per-message latency sampling is one of the larger costs of a large run. The
//! ziggurat covers the density with 256 equal-area layers; about 99% of draws take
//! one 64-bit random word, one table lookup and one multiplication.
//!
//! Determinism: the tables are computed once with the pure-Rust `libm` (so they are
//! the same on every platform), and each attempt draws exactly one `u64` (the top 53
//! bits give the uniform, the low 8 bits the layer, so the two never share a bit).
//! The rare wedge and tail paths take further words from the same stream.
//!
//! Not here: other distributions (see [`crate::rng`] and [`crate::latency`]).

use crate::rng::{open_unit_from_bits, unit_from_bits};
use std::sync::OnceLock;

/// Number of layers (a power of two: the layer is the low bits of the draw).
const LAYERS: usize = 256;
/// Where the base layer's tail begins.
const TAIL_START: f64 = 3.654_152_885_361_009;
/// The area of each layer (and of the base layer including its tail).
const LAYER_AREA: f64 = 0.004_928_673_233_99;

struct Tables {
    /// `x[i]`: the right edge of layer `i`; `x[0]` is the base layer's pseudo-width
    /// `LAYER_AREA / f(TAIL_START)`, `x[LAYERS] = 0`.
    x: [f64; LAYERS + 1],
    /// `x[i + 1] / x[i]`: below this ratio a point lies inside the density for sure.
    ratio: [f64; LAYERS],
}

fn density(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        let mut f = density(TAIL_START);
        x[0] = LAYER_AREA / f;
        x[1] = TAIL_START;
        for i in 2..LAYERS {
            x[i] = libm::sqrt(-2.0 * libm::log(LAYER_AREA / x[i - 1] + f));
            f = density(x[i]);
        }
        x[LAYERS] = 0.0;
        let mut ratio = [0.0; LAYERS];
        for i in 0..LAYERS {
            ratio[i] = x[i + 1] / x[i];
        }
        Tables { x, ratio }
    })
}

/// A standard normal variate; `next` yields uniformly random 64-bit words.
#[inline]
pub fn standard_normal(mut next: impl FnMut() -> u64) -> f64 {
    let tables = tables();
    loop {
        let bits = next();
        // Uniform on [-1, 1) from the top 53 bits; the layer from the low 8.
        let u = 2.0 * unit_from_bits(bits) - 1.0;
        let layer = (bits & (LAYERS as u64 - 1)) as usize;
        if u.abs() < tables.ratio[layer] {
            return u * tables.x[layer];
        }
        if layer == 0 {
            return tail(&mut next, u < 0.0);
        }
        // The wedge between the layer's rectangle and the density.
        let x = u * tables.x[layer];
        let f0 = libm::exp(-0.5 * (tables.x[layer] * tables.x[layer] - x * x));
        let f1 = libm::exp(-0.5 * (tables.x[layer + 1] * tables.x[layer + 1] - x * x));
        let v = unit_from_bits(next());
        if f1 + v * (f0 - f1) < 1.0 {
            return x;
        }
    }
}

/// A draw from the normal tail beyond `TAIL_START` (Marsaglia 1964).
#[cold]
fn tail(next: &mut impl FnMut() -> u64, negative: bool) -> f64 {
    loop {
        let x = libm::log(open_unit_from_bits(next())) / TAIL_START;
        let y = libm::log(open_unit_from_bits(next()));
        if -2.0 * y >= x * x {
            return if negative { x - TAIL_START } else { TAIL_START - x };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, SimRng};

    #[test]
    fn tables_close_the_ziggurat() {
        let t = tables();
        // Layer areas equal LAYER_AREA: (x[i] - 0) * (f(x[i+1]) - f(x[i])) for i >= 1.
        for i in 1..LAYERS - 1 {
            let area = t.x[i] * (density(t.x[i + 1]) - density(t.x[i]));
            assert!((area - LAYER_AREA).abs() < 1e-9, "layer {i}: {area}");
        }
        // The top layer ends at the mode: its rectangle reaches f(0) = 1.
        let top = t.x[LAYERS - 1] * (1.0 - density(t.x[LAYERS - 1]));
        assert!((top - LAYER_AREA).abs() < 1e-6, "top layer {top}");
        assert!(t.x.windows(2).all(|w| w[0] > w[1]), "edges strictly decrease");
    }

    /// Kolmogorov–Smirnov distance against the normal CDF and tail masses.
    #[test]
    fn draws_follow_the_standard_normal() {
        let mut rng = SimRng::derive(11, Purpose::Other(7), 0);
        let n = 400_000;
        let mut xs: Vec<f64> = (0..n).map(|_| standard_normal(|| rng.next_u64())).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / (var * var);
        assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
        assert!((kurt - 3.0).abs() < 0.05, "kurtosis {kurt}");
        // Beyond the base layer: P(|Z| > 3.654) = 2.58e-4, about 103 of 400 000.
        let beyond = xs.iter().filter(|x| x.abs() > TAIL_START).count() as f64;
        let expected = 2.0 * 0.5 * libm::erfc(TAIL_START / std::f64::consts::SQRT_2) * n as f64;
        assert!((beyond - expected).abs() < 5.0 * expected.sqrt(), "tail {beyond} vs {expected}");
        xs.sort_by(f64::total_cmp);
        let d = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let cdf = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
                (cdf - i as f64 / n as f64).abs().max((cdf - (i + 1) as f64 / n as f64).abs())
            })
            .fold(0.0, f64::max);
        // The 99.9% critical value of the KS statistic is 1.95 / sqrt(n).
        assert!(d < 1.95 / (n as f64).sqrt(), "KS distance {d}");
    }

    #[test]
    fn each_attempt_takes_one_word_and_the_result_is_reproducible() {
        let mut a = SimRng::derive(5, Purpose::Other(8), 0);
        let mut b = a.clone();
        let xs: Vec<f64> = (0..1_000).map(|_| standard_normal(|| a.next_u64())).collect();
        let ys: Vec<f64> = (0..1_000).map(|_| standard_normal(|| b.next_u64())).collect();
        assert_eq!(xs, ys);
        let mut words = 0;
        let mut c = SimRng::derive(5, Purpose::Other(8), 1);
        for _ in 0..10_000 {
            standard_normal(|| {
                words += 1;
                c.next_u64()
            });
        }
        // About 1.2% of attempts need a second word (wedge or tail, then retry).
        assert!(words < 10_400, "{words} words for 10 000 variates");
    }
}

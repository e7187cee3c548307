//! Latency distributions for one message's network delay.
//!
//! All parameters are integer nanoseconds or dimensionless shape parameters; samples
//! are rounded to whole nanoseconds and never negative. The analytic `mean` and
//! `quantile` exist so tests can check each sampler against its distribution.

use crate::rng::SimRng;
use serde::{Deserialize, Serialize};

/// A distribution of per-message delays, in nanoseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LatencyDist {
    /// Always `value_ns`.
    Constant { value_ns: u64 },
    /// Uniform on `[min_ns, max_ns]`.
    Uniform { min_ns: u64, max_ns: u64 },
    /// Normal with the given mean and standard deviation, truncated at zero
    /// (negative draws are redrawn, so the shape above zero is preserved).
    Normal { mean_ns: u64, sd_ns: u64 },
    /// Lognormal: `median_ns * exp(sigma * Z)`.
    Lognormal { median_ns: u64, sigma: f64 },
    /// Exponential with the given mean.
    Exponential { mean_ns: u64 },
    /// Pareto (type I) with minimum `scale_ns` and tail index `shape` (> 0).
    Pareto { scale_ns: u64, shape: f64 },
}

impl LatencyDist {
    /// One delay in nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match *self {
            LatencyDist::Constant { value_ns } => value_ns,
            LatencyDist::Uniform { min_ns, max_ns } => {
                if max_ns <= min_ns {
                    min_ns
                } else {
                    match (max_ns - min_ns).checked_add(1) {
                        Some(span) => min_ns + rng.below(span),
                        // The whole u64 range: every value is equally likely.
                        None => rng.next_u64(),
                    }
                }
            }
            LatencyDist::Normal { mean_ns, sd_ns } => {
                if sd_ns == 0 {
                    return mean_ns;
                }
                // Rejection keeps the truncated shape; bounded so a pathological
                // mean far below zero cannot loop forever.
                for _ in 0..1_000 {
                    let x = mean_ns as f64 + sd_ns as f64 * rng.standard_normal();
                    if x >= 0.0 {
                        return libm::round(x) as u64;
                    }
                }
                0
            }
            LatencyDist::Lognormal { median_ns, sigma } => {
                let x = median_ns as f64 * libm::exp(sigma * rng.standard_normal());
                to_nanos(x)
            }
            LatencyDist::Exponential { mean_ns } => to_nanos(rng.exponential(mean_ns as f64)),
            LatencyDist::Pareto { scale_ns, shape } => {
                let u = rng.unit_open_zero();
                to_nanos(scale_ns as f64 / libm::pow(u, 1.0 / shape))
            }
        }
    }

    /// The distribution's mean in nanoseconds (before rounding to whole ns);
    /// infinite for a Pareto tail index ≤ 1.
    pub fn mean(&self) -> f64 {
        match *self {
            LatencyDist::Constant { value_ns } => value_ns as f64,
            LatencyDist::Uniform { min_ns, max_ns } => (min_ns as f64 + max_ns.max(min_ns) as f64) / 2.0,
            LatencyDist::Normal { mean_ns, sd_ns } => {
                if sd_ns == 0 {
                    return mean_ns as f64;
                }
                let (m, s) = (mean_ns as f64, sd_ns as f64);
                let a = -m / s;
                m + s * std_normal_pdf(a) / (1.0 - std_normal_cdf(a))
            }
            LatencyDist::Lognormal { median_ns, sigma } => median_ns as f64 * libm::exp(sigma * sigma / 2.0),
            LatencyDist::Exponential { mean_ns } => mean_ns as f64,
            LatencyDist::Pareto { scale_ns, shape } => {
                if shape <= 1.0 {
                    f64::INFINITY
                } else {
                    shape * scale_ns as f64 / (shape - 1.0)
                }
            }
        }
    }

    /// The `p`-quantile in nanoseconds, `0 < p < 1`.
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            LatencyDist::Constant { value_ns } => value_ns as f64,
            LatencyDist::Uniform { min_ns, max_ns } => min_ns as f64 + p * (max_ns.max(min_ns) - min_ns) as f64,
            LatencyDist::Normal { mean_ns, sd_ns } => {
                let (m, s) = (mean_ns as f64, sd_ns as f64);
                if s == 0.0 {
                    return m;
                }
                let lower = std_normal_cdf(-m / s);
                m + s * std_normal_quantile(lower + p * (1.0 - lower))
            }
            LatencyDist::Lognormal { median_ns, sigma } => median_ns as f64 * libm::exp(sigma * std_normal_quantile(p)),
            LatencyDist::Exponential { mean_ns } => -(mean_ns as f64) * libm::log(1.0 - p),
            LatencyDist::Pareto { scale_ns, shape } => scale_ns as f64 / libm::pow(1.0 - p, 1.0 / shape),
        }
    }

    /// The smallest delay this distribution can produce, in nanoseconds.
    pub fn min_ns(&self) -> u64 {
        match *self {
            LatencyDist::Constant { value_ns } => value_ns,
            LatencyDist::Uniform { min_ns, .. } => min_ns,
            LatencyDist::Pareto { scale_ns, .. } => scale_ns,
            _ => 0,
        }
    }
}

#[inline]
fn to_nanos(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        if x >= u64::MAX as f64 { u64::MAX } else { libm::round(x) as u64 }
    } else if x.is_infinite() {
        u64::MAX
    } else {
        0
    }
}

/// The standard normal density.
pub fn std_normal_pdf(x: f64) -> f64 {
    libm::exp(-x * x / 2.0) / libm::sqrt(2.0 * core::f64::consts::PI)
}

/// The standard normal distribution function.
pub fn std_normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
}

/// The standard normal quantile (Acklam's rational approximation refined by one
/// Newton step; absolute error far below 1e-9 on (0, 1)).
pub fn std_normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let p_low = 0.02425;
    let x = if p < p_low {
        let q = libm::sqrt(-2.0 * libm::log(p));
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - p_low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = libm::sqrt(-2.0 * libm::log(1.0 - p));
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let e = std_normal_cdf(x) - p;
    x - e / std_normal_pdf(x).max(1e-300)
}

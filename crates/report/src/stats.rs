//! Descriptive statistics and confidence intervals, implemented here so that every
//! figure in a report is reproducible bit for bit on every platform.
//!
//! Transcendental functions come from the pure-Rust `libm` crate, sums run in input
//! order, and nothing is parallel, so the same input always gives the same bits.
//!
//! Conventions:
//! - Functions that need at least one (or two) values return `None` rather than NaN.
//! - [`quantile`] is type 7 of Hyndman & Fan (linear interpolation between order
//!   statistics): the default of numpy, R and pandas.
//! - [`t_quantile`] inverts the Student t CDF through the regularized incomplete beta
//!   function; it agrees with scipy to better than 1e-9 for df ≥ 1 and
//!   1e-12 ≤ p ≤ 1 − 1e-12.
//!
//! Limits: the incomplete beta continued fraction runs at most 10 000 iterations, which
//! covers shape parameters up to about 1e7; [`t_quantile`] switches to a Cornish–Fisher
//! expansion above 1e5 degrees of freedom, where it is exact to double precision.

use serde::{Deserialize, Serialize};

/// Arithmetic mean; `None` when `values` is empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let sum: f64 = values.iter().sum();
    Some(sum / values.len() as f64)
}

/// Sample standard deviation (denominator n − 1), two-pass; `None` when fewer than two
/// values.
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some(libm::sqrt(ss / (values.len() - 1) as f64))
}

/// The `p`-quantile of `sorted` (ascending), type 7: `h = (n − 1)·p`, linear
/// interpolation between the order statistics around `h`. `None` when `sorted` is
/// empty.
///
/// # Panics
/// When `p` is outside `[0, 1]` (a caller bug, not a data condition).
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    assert!((0.0..=1.0).contains(&p), "quantile level {p} outside [0, 1]");
    debug_assert!(
        sorted.windows(2).all(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Greater)),
        "quantile input is not sorted"
    );
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = libm::floor(h) as usize;
    if lo + 1 >= n {
        return Some(sorted[n - 1]);
    }
    let frac = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[lo + 1]);
    if frac == 0.0 {
        return Some(a);
    }
    Some(a + frac * (b - a))
}

/// Inverse CDF of the standard normal distribution.
///
/// `p = 0` gives −∞, `p = 1` gives +∞, anything outside `[0, 1]` or NaN gives NaN.
/// Acklam's rational approximation refined by one Halley step on `libm::erfc`:
/// accurate to about 1e-15 relative.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    const P_LOW: f64 = 0.02425;
    let tail = |q: f64| {
        let r = libm::sqrt(-2.0 * libm::log(q));
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    };
    let x = if p < P_LOW {
        tail(p)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail(1.0 - p)
    };
    // One Halley step on the exact CDF. In the upper tail work with the upper tail
    // probability, so that p close to 1 keeps its precision.
    let (e, sign) = if x > 0.0 {
        (0.5 * libm::erfc(x / std::f64::consts::SQRT_2) - (1.0 - p), -1.0)
    } else {
        (0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p, 1.0)
    };
    let u = sign * e * libm::sqrt(2.0 * std::f64::consts::PI) * libm::exp(x * x / 2.0);
    x - u / (1.0 + x * u / 2.0)
}

/// Inverse CDF of Student's t distribution with `df` degrees of freedom (any real
/// `df > 0`; the documented accuracy holds for `df ≥ 1`).
///
/// `p = 0` gives −∞, `p = 1` gives +∞; `p` outside `[0, 1]`, NaN, or `df ≤ 0` give NaN.
/// Examples: `t_quantile(0.975, 4.0) ≈ 2.776445`, `t_quantile(0.995, 29.0) ≈ 2.756386`.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p.is_nan() || df.is_nan() || !(0.0..=1.0).contains(&p) || df <= 0.0 {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // Work with the upper tail q = P(T > t) for t > 0 and mirror: keeps precision
    // for p near 1 and makes the result exactly antisymmetric.
    let (q, sign) = if p > 0.5 { (1.0 - p, 1.0) } else { (p, -1.0) };
    sign * t_upper_quantile(q, df)
}

/// The t > 0 with P(T > t) = q, for 0 < q < 0.5.
fn t_upper_quantile(q: f64, df: f64) -> f64 {
    use std::f64::consts::PI;
    if df == 1.0 {
        // Cauchy: P(T > t) = 1/2 − atan(t)/π.
        return 1.0 / libm::tan(PI * q);
    }
    if df == 2.0 {
        return (1.0 - 2.0 * q) / libm::sqrt(2.0 * q * (1.0 - q));
    }
    if df > 1e5 {
        // −Φ⁻¹(q), not Φ⁻¹(1 − q): 1 − q would round away the digits of a tiny q.
        return cornish_fisher_t(-normal_quantile(q), df);
    }
    let half_df = df / 2.0;
    let ln_beta = libm::lgamma(half_df) + libm::lgamma(0.5) - libm::lgamma(half_df + 0.5);
    // P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t²); 1 − x = t² / (df + t²)
    // is computed directly so small t does not lose digits.
    let upper = |t: f64| {
        let t2 = t * t;
        let x = df / (df + t2);
        let y = t2 / (df + t2);
        0.5 * inc_beta_with_ln_beta(half_df, 0.5, x, y, ln_beta)
    };
    // Bracket, then bisect: the tail is strictly decreasing in t.
    let mut lo = 0.0;
    let mut hi = 1.0;
    while upper(hi) > q {
        lo = hi;
        hi *= 2.0;
        if !hi.is_finite() {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if upper(mid) > q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Cornish–Fisher expansion of the t quantile around the normal quantile `z`
/// (Abramowitz & Stegun 26.7.5); error O(df⁻⁵).
fn cornish_fisher_t(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df)
}

/// Regularized incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1].
pub fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() || b.is_nan() || a <= 0.0 || b <= 0.0 {
        return f64::NAN;
    }
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    inc_beta_with_ln_beta(a, b, x.clamp(0.0, 1.0), 1.0 - x.clamp(0.0, 1.0), ln_beta)
}

/// I_x(a, b) with y = 1 − x supplied by the caller (often more precise than 1 − x)
/// and ln B(a, b) precomputed.
fn inc_beta_with_ln_beta(a: f64, b: f64, x: f64, y: f64, ln_beta: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if y <= 0.0 {
        return 1.0;
    }
    let ln_front = a * libm::log(x) + b * libm::log(y) - ln_beta;
    let front = libm::exp(ln_front);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, y) / b
    }
}

/// Continued fraction for the incomplete beta function (modified Lentz).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const MAX_ITERATIONS: u32 = 10_000;
    const EPS: f64 = 1e-16;
    const TINY: f64 = 1e-300;
    let fix = |v: f64| if v.abs() < TINY { TINY } else { v };
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 / fix(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=MAX_ITERATIONS {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / fix(1.0 + aa * d);
        c = fix(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The x in [0, 1] with I_x(a, b) = p: the quantile of the Beta(a, b) distribution.
/// Bisection to full double precision.
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) || a <= 0.0 || b <= 0.0 {
        return f64::NAN;
    }
    if p == 0.0 {
        return 0.0;
    }
    if p == 1.0 {
        return 1.0;
    }
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if inc_beta_with_ln_beta(a, b, mid, 1.0 - mid, ln_beta) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A closed interval `[lo, hi]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

/// Descriptive summary of a sample, with a 95% t confidence interval for the mean.
///
/// Non-finite values (NaN, ±∞: missing measurements) are skipped and not counted in
/// `n`. With one value the spread is unknown: `sd`, `se` and the CI are `None`
/// rather than zero-width or NaN, so a table never claims certainty it lacks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Finite values summarized.
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` when n = 1.
    pub sd: Option<f64>,
    /// Standard error of the mean, sd / √n; `None` when n = 1.
    pub se: Option<f64>,
    /// mean ∓ t(0.975, n − 1) · se; `None` when n = 1.
    pub ci95_lo: Option<f64>,
    pub ci95_hi: Option<f64>,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    /// Summarizes the finite values of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let mean = mean(&finite)?;
        let sd = sample_sd(&finite);
        let se = sd.map(|sd| sd / libm::sqrt(finite.len() as f64));
        let ci = mean_interval(mean, se, finite.len(), 0.95);
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Summary { n: finite.len(), mean, sd, se, ci95_lo: ci.map(|c| c.lo), ci95_hi: ci.map(|c| c.hi), min, max })
    }
}

fn mean_interval(mean: f64, se: Option<f64>, n: usize, level: f64) -> Option<Interval> {
    let se = se?;
    let t = t_quantile(0.5 + level / 2.0, (n - 1) as f64);
    Some(Interval { lo: mean - t * se, hi: mean + t * se })
}

/// Two-sided t confidence interval for the mean at `level` (e.g. 0.95, 0.99):
/// mean ± t((1 + level)/2, n − 1) · sd/√n. Non-finite values are skipped; `None`
/// with fewer than two finite values.
///
/// # Panics
/// When `level` is not strictly between 0 and 1.
pub fn ci(values: &[f64], level: f64) -> Option<Interval> {
    assert!(level > 0.0 && level < 1.0, "confidence level {level} outside (0, 1)");
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let mean = mean(&finite)?;
    let se = sample_sd(&finite).map(|sd| sd / libm::sqrt(finite.len() as f64));
    mean_interval(mean, se, finite.len(), level)
}

/// Wilson score interval for a proportion `successes / n` at `level`; `None` when
/// `n = 0`. Good coverage even for small n and proportions near 0 or 1.
///
/// # Panics
/// When `successes > n` or `level` is not strictly between 0 and 1.
pub fn wilson_interval(successes: u64, n: u64, level: f64) -> Option<Interval> {
    assert!(successes <= n, "successes {successes} > trials {n}");
    assert!(level > 0.0 && level < 1.0, "confidence level {level} outside (0, 1)");
    if n == 0 {
        return None;
    }
    let n_f = n as f64;
    let p_hat = successes as f64 / n_f;
    let z = normal_quantile(0.5 + level / 2.0);
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let center = (p_hat + z2 / (2.0 * n_f)) / denom;
    let half = z * libm::sqrt(p_hat * (1.0 - p_hat) / n_f + z2 / (4.0 * n_f * n_f)) / denom;
    Some(Interval {
        lo: if successes == 0 { 0.0 } else { (center - half).max(0.0) },
        hi: if successes == n { 1.0 } else { (center + half).min(1.0) },
    })
}

/// Clopper–Pearson ("exact") interval for a proportion `successes / n` at `level`,
/// from Beta quantiles; `None` when `n = 0`. Conservative: coverage is at least
/// `level`.
///
/// # Panics
/// When `successes > n` or `level` is not strictly between 0 and 1.
pub fn clopper_pearson(successes: u64, n: u64, level: f64) -> Option<Interval> {
    assert!(successes <= n, "successes {successes} > trials {n}");
    assert!(level > 0.0 && level < 1.0, "confidence level {level} outside (0, 1)");
    if n == 0 {
        return None;
    }
    let alpha = 1.0 - level;
    let (s, f) = (successes as f64, (n - successes) as f64);
    let lo = if successes == 0 { 0.0 } else { beta_quantile(alpha / 2.0, s, f + 1.0) };
    let hi = if successes == n { 1.0 } else { beta_quantile(1.0 - alpha / 2.0, s + 1.0, f) };
    Some(Interval { lo, hi })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn mean_and_sd_of_one_to_five() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(mean(&v), Some(3.0));
        assert!(close(sample_sd(&v).unwrap(), 1.581_138_830_084_19, 1e-14));
        assert_eq!(mean(&[]), None);
        assert_eq!(sample_sd(&[1.0]), None);
    }

    #[test]
    fn quantile_matches_numpy_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        // numpy.quantile([1,2,3,4], 0.1) = 1.3, 0.9 → 3.7
        assert!(close(quantile(&v, 0.1).unwrap(), 1.3, 1e-12));
        assert!(close(quantile(&v, 0.9).unwrap(), 3.7, 1e-12));
        assert_eq!(quantile(&[7.0], 0.3), Some(7.0));
        assert_eq!(quantile(&[], 0.3), None);
    }

    #[test]
    fn t_quantile_matches_tables() {
        // Values from scipy.stats.t.ppf.
        let cases = [
            (0.975, 4.0, 2.776_445_105_197_793),
            (0.995, 29.0, 2.756_385_903_670_605),
            (0.975, 1.0, 12.706_204_736_174_694),
            (0.975, 2.0, 4.302_652_729_749_462),
            (0.95, 10.0, 1.812_461_122_811_676),
            (0.975, 1000.0, 1.962_339_080_826_408),
            (0.6, 3.0, 0.276_670_662_332_689_8),
            (0.999_999, 5.0, 24.771_029_720_372_493),
        ];
        for (p, df, want) in cases {
            let got = t_quantile(p, df);
            assert!(close(got, want, 1e-9 * want.max(1.0)), "t({p}, {df}) = {got}, want {want}");
            assert!(close(t_quantile(1.0 - p, df), -want, 1e-9 * want.max(1.0)));
        }
        assert_eq!(t_quantile(0.5, 7.0), 0.0);
        assert!(t_quantile(1.5, 3.0).is_nan());
        assert!(t_quantile(0.5, 0.0).is_nan());
        assert_eq!(t_quantile(1.0, 3.0), f64::INFINITY);
    }

    #[test]
    fn t_quantile_tends_to_normal_for_large_df() {
        // scipy.stats.t.ppf
        assert!(close(t_quantile(0.975, 1e9), 1.959_963_986_912_325, 1e-12));
        assert!(close(t_quantile(0.975, 3e4), 1.960_043_063_383_934_7, 1e-10));
        assert!(close(t_quantile(1e-12, 1e6), -7.034_572_608_411_255, 1e-10));
        // Both sides of the Cornish–Fisher switch agree.
        assert!(close(t_quantile(0.975, 99_999.0), t_quantile(0.975, 100_001.0), 1e-8));
    }

    #[test]
    fn normal_quantile_matches_tables() {
        assert!(close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-14));
        assert!(close(normal_quantile(0.995), 2.575_829_303_548_901, 1e-14));
        assert!(close(normal_quantile(0.001), -3.090_232_306_167_813_6, 1e-13));
        assert!(close(normal_quantile(1e-10), -6.361_340_902_404_056, 1e-10));
        assert_eq!(normal_quantile(0.5), 0.0);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn summary_of_one_to_five_has_t_interval() {
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let half = 2.776_445_105_197_793 * 1.581_138_830_084_19 / 5.0_f64.sqrt();
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 3.0);
        assert!(close(s.ci95_lo.unwrap(), 3.0 - half, 1e-9));
        assert!(close(s.ci95_hi.unwrap(), 3.0 + half, 1e-9));
        assert_eq!((s.min, s.max), (1.0, 5.0));
    }

    #[test]
    fn summary_of_one_value_has_no_spread() {
        let s = Summary::of(&[4.0, f64::NAN]).unwrap();
        assert_eq!((s.n, s.mean, s.sd, s.ci95_lo), (1, 4.0, None, None));
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[f64::NAN]), None);
    }

    #[test]
    fn ci_at_99_percent_uses_t_0_995() {
        let v: Vec<f64> = (1..=30).map(f64::from).collect();
        let c = ci(&v, 0.99).unwrap();
        let half = 2.756_385_903_670_605 * sample_sd(&v).unwrap() / 30.0_f64.sqrt();
        assert!(close(c.lo, 15.5 - half, 1e-9) && close(c.hi, 15.5 + half, 1e-9));
        assert_eq!(ci(&[1.0], 0.99), None);
    }

    #[test]
    fn wilson_interval_of_five_in_ten() {
        let w = wilson_interval(5, 10, 0.95).unwrap();
        // statsmodels proportion_confint(5, 10, method="wilson")
        assert!(close(w.lo, 0.236_593_090_512_564_9, 1e-9), "{w:?}");
        assert!(close(w.hi, 0.763_406_909_487_435_1, 1e-9), "{w:?}");
        let edge = wilson_interval(0, 10, 0.95).unwrap();
        assert_eq!(edge.lo, 0.0);
        assert_eq!(wilson_interval(0, 0, 0.95), None);
    }

    #[test]
    fn clopper_pearson_edges_are_closed_form() {
        // 0 of n: upper bound 1 − (α/2)^(1/n); n of n: lower bound (α/2)^(1/n).
        let c = clopper_pearson(0, 10, 0.95).unwrap();
        assert_eq!(c.lo, 0.0);
        assert!(close(c.hi, 1.0 - 0.025_f64.powf(0.1), 1e-12));
        let c = clopper_pearson(10, 10, 0.95).unwrap();
        assert!(close(c.lo, 0.025_f64.powf(0.1), 1e-12));
        assert_eq!(c.hi, 1.0);
        // statsmodels proportion_confint(5, 10, method="beta")
        let c = clopper_pearson(5, 10, 0.95).unwrap();
        assert!(close(c.lo, 0.187_086_028_447_398_55, 1e-9), "{c:?}");
        assert!(close(c.hi, 0.812_913_971_552_601_5, 1e-9), "{c:?}");
    }
}

//! Each latency sampler against its own analytic mean and quantiles.
//!
//! 10⁵ draws per sampler from a fixed stream. The mean is checked to 5 standard
//! errors (estimated from the sample), the 10/50/90 % quantiles by the
//! Dvoretzky–Kiefer–Wolfowitz inequality: `P(sup |F̂ − F| > ε) ≤ 2·exp(−2nε²) = α`.

use gossim_engine::latency::{std_normal_cdf, std_normal_quantile};
use gossim_engine::{LatencyDist, Purpose, SimRng};

const DRAW_COUNT: usize = 100_000;
/// False-failure probability of each DKW check.
const DKW_ALPHA: f64 = 1e-6;

/// The samplers under test, at millisecond scale. The Pareto shape is 3, so its
/// variance is finite and the central limit theorem behind the mean check applies.
fn samplers() -> Vec<LatencyDist> {
    vec![
        LatencyDist::Constant { value_ns: 4_000_000 },
        LatencyDist::Uniform { min_ns: 1_000_000, max_ns: 9_000_000 },
        // Truncation matters here: 10.6 % of the untruncated mass lies below zero.
        LatencyDist::Normal { mean_ns: 5_000_000, sd_ns: 4_000_000 },
        LatencyDist::Lognormal { median_ns: 10_000_000, sigma: 0.8 },
        LatencyDist::Exponential { mean_ns: 7_000_000 },
        LatencyDist::Pareto { scale_ns: 2_000_000, shape: 3.0 },
    ]
}

fn draws(dist: &LatencyDist, stream_index: u64) -> Vec<u64> {
    let mut rng = SimRng::derive(2_024, Purpose::Other(7), stream_index);
    (0..DRAW_COUNT).map(|_| dist.sample(&mut rng)).collect()
}

#[test]
fn every_sampler_mean_is_within_five_standard_errors_of_the_analytic_mean() {
    for (index, dist) in samplers().iter().enumerate() {
        let xs = draws(dist, index as u64);
        assert!(xs.iter().all(|&x| x >= dist.min_ns()), "{dist:?} drew below its minimum");
        let n = xs.len() as f64;
        let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / n;
        let variance = xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let standard_error = (variance / n).sqrt();
        // Rounding each draw to whole nanoseconds moves the mean by at most 0.5 ns.
        let bound = 5.0 * standard_error + 0.5;
        let expected = dist.mean();
        assert!((mean - expected).abs() <= bound, "{dist:?}: sample mean {mean} vs {expected} (bound {bound})");
        // The check has teeth: the bound is within 2 % of the mean.
        assert!(bound <= 0.02 * expected, "{dist:?}: bound {bound} too loose to test anything");
    }
}

#[test]
fn every_sampler_puts_its_quantiles_within_the_dkw_bound() {
    let epsilon = ((2.0 / DKW_ALPHA).ln() / (2.0 * DRAW_COUNT as f64)).sqrt();
    for (index, dist) in samplers().iter().enumerate() {
        let xs = draws(dist, index as u64);
        if let LatencyDist::Constant { value_ns } = *dist {
            // Degenerate: every draw and every quantile is the constant.
            assert!(xs.iter().all(|&x| x == value_ns));
            assert!([0.1, 0.5, 0.9].iter().all(|&p| dist.quantile(p) == value_ns as f64));
            continue;
        }
        for p in [0.1, 0.5, 0.9] {
            let q = dist.quantile(p);
            let below = xs.iter().filter(|&&x| x as f64 <= q).count();
            let empirical = below as f64 / xs.len() as f64;
            // Whole-nanosecond rounding (and the uniform's integer support) shift the
            // CDF at q by at most one nanosecond's mass: below 1e-6 at these scales.
            assert!(
                (empirical - p).abs() <= epsilon + 1e-6,
                "{dist:?}: F̂(q_{p} = {q}) = {empirical}, off by more than {epsilon}"
            );
        }
    }
}

#[test]
fn uniform_draws_cover_both_ends_of_their_range() {
    // The mean and DKW checks cannot see a missing endpoint at millisecond scale.
    let dist = LatencyDist::Uniform { min_ns: 10, max_ns: 13 };
    let mut rng = SimRng::derive(2_024, Purpose::Other(8), 0);
    let mut counts = [0u32; 4];
    for _ in 0..4_000 {
        counts[(dist.sample(&mut rng) - 10) as usize] += 1;
    }
    // Each cell ~ Binomial(4000, 1/4): sd ≈ 27; 6 sd either way.
    assert!(counts.iter().all(|&c| (840..1_160).contains(&c)), "{counts:?}");
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    let tolerance = 1e-9 * expected.abs().max(1.0);
    assert!((actual - expected).abs() <= tolerance, "{what}: {actual} vs {expected}");
}

#[test]
fn quantile_and_mean_functions_match_known_values() {
    // Standard normal, centre and both tails (Acklam's three regions).
    assert_close(std_normal_quantile(0.5), 0.0, "z(0.5)");
    assert_close(std_normal_quantile(0.975), 1.959_963_984_540_054, "z(0.975)");
    assert_close(std_normal_quantile(0.025), -1.959_963_984_540_054, "z(0.025)");
    assert_close(std_normal_quantile(0.01), -2.326_347_874_040_841, "z(0.01)");
    assert_close(std_normal_quantile(0.999), 3.090_232_306_167_813_5, "z(0.999)");
    assert_close(std_normal_quantile(1e-6), -4.753_424_308_822_899, "z(1e-6)");
    assert_close(std_normal_cdf(1.959_963_984_540_054), 0.975, "Φ(1.96)");

    let uniform = LatencyDist::Uniform { min_ns: 1_000, max_ns: 3_000 };
    assert_close(uniform.quantile(0.25), 1_500.0, "uniform q(0.25)");
    assert_close(uniform.mean(), 2_000.0, "uniform mean");

    let exponential = LatencyDist::Exponential { mean_ns: 1_000 };
    assert_close(exponential.quantile(0.5), 1_000.0 * std::f64::consts::LN_2, "exponential median");
    assert_close(exponential.quantile(1.0 - (-1.0f64).exp()), 1_000.0, "exponential q(1 − 1/e)");

    let lognormal = LatencyDist::Lognormal { median_ns: 1_000, sigma: 0.5 };
    assert_close(lognormal.quantile(0.5), 1_000.0, "lognormal median");
    assert_close(lognormal.quantile(0.975), 1_000.0 * (0.5 * 1.959_963_984_540_054f64).exp(), "lognormal q(0.975)");
    assert_close(lognormal.mean(), 1_000.0 * 0.125f64.exp(), "lognormal mean");

    let pareto = LatencyDist::Pareto { scale_ns: 1_000, shape: 2.0 };
    assert_close(pareto.quantile(0.75), 2_000.0, "Pareto q(0.75)");
    assert_close(LatencyDist::Pareto { scale_ns: 1_000, shape: 3.0 }.mean(), 1_500.0, "Pareto mean");
    assert!(LatencyDist::Pareto { scale_ns: 1_000, shape: 1.0 }.mean().is_infinite());

    // Truncated at zero with mean 0: the half-normal.
    let half_normal = LatencyDist::Normal { mean_ns: 0, sd_ns: 1_000 };
    assert_close(half_normal.quantile(0.5), 1_000.0 * 0.674_489_750_196_081_7, "half-normal median");
    assert_close(half_normal.mean(), 1_000.0 * (2.0 / std::f64::consts::PI).sqrt(), "half-normal mean");
    // Far from zero the truncation is invisible.
    let normal = LatencyDist::Normal { mean_ns: 100_000_000, sd_ns: 1_000 };
    assert_close(normal.quantile(0.975), 100_000_000.0 + 1_959.963_984_540_054, "normal q(0.975)");
    assert_close(normal.mean(), 100_000_000.0, "normal mean");

    let constant = LatencyDist::Constant { value_ns: 42 };
    assert_close(constant.quantile(0.3), 42.0, "constant quantile");
    assert_close(constant.mean(), 42.0, "constant mean");
}

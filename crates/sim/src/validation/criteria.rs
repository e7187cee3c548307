//! When a measurement agrees with a prediction: every tolerance comes from the
//! number of trials (a confidence interval), never from a hand-set margin.
//!
//! | criterion | measured interval at level L | passes when |
//! |---|---|---|
//! | [`Criterion::MeanCi`] | t interval of the mean | the prediction lies in it |
//! | [`Criterion::ProportionCi`] | Clopper–Pearson | the prediction lies in it |
//! | [`Criterion::McReference`] | t interval of the mean | \|mean − ref\| ≤ z·√(se² + se_ref²), z the normal (1 + L)/2 quantile |
//! | [`Criterion::SdCi`] | large-sample interval of the SD | the prediction lies in it |
//! | [`Criterion::Published`] | t interval of the mean | it meets the rounding interval of the published digits |
//! | [`Criterion::Exact`] | min … max over trials | every trial equals its prediction to 1e-9 |
//!
//! The level. A suite of M statistical rows each tested at 99% fails somewhere with
//! probability 1 − 0.99^M even when gossim is right (45% for M = 60). The suite is
//! therefore tested at 99% *as a whole*: each row's interval has level
//! L = 1 − 0.01/M ([`row_level`], Bonferroni), so a correct gossim passes every row
//! with probability at least 99%. Exact identities are not counted in M. The seeds
//! are fixed, so a given build always gives the same verdicts.
//!
//! Not here: where the values come from (the trials) or what is predicted (the
//! theory).

use gossim_report::stats;
use serde::Serialize;

/// The confidence level of the suite as a whole (family-wise).
pub const LEVEL: f64 = 0.99;

/// The level of each row's interval when `rows` statistical rows are judged
/// together: 1 − (1 − [`LEVEL`]) / rows (Bonferroni).
pub fn row_level(rows: usize) -> f64 {
    1.0 - (1.0 - LEVEL) / rows.max(1) as f64
}

/// The two-sided normal quantile of `level`: z with P(|Z| ≤ z) = level.
pub fn z_of(level: f64) -> f64 {
    stats::normal_quantile(0.5 + level / 2.0)
}

/// How a row decides.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Criterion {
    /// An exact (or closed-form) mean inside the measured t interval.
    MeanCi,
    /// An exact (or finite-n Monte Carlo) probability inside the Clopper–Pearson
    /// interval of the measured proportion.
    ProportionCi,
    /// A Monte Carlo reference with its own standard error: the difference must lie
    /// within z combined standard errors.
    McReference { reference_se: f64 },
    /// An exact standard deviation inside the measured SD's large-sample interval
    /// (delta method with the sample fourth moment).
    SdCi,
    /// A value published to a few digits, known only to within its rounding
    /// interval `[lo, hi]`: the measured interval must meet it.
    Published { lo: f64, hi: f64 },
    /// A deterministic identity: every trial equals its own prediction to 1e-9.
    Exact,
}

impl Criterion {
    /// Whether the row is a statistical test (counted in the family of
    /// [`row_level`]); exact identities are not.
    pub fn is_statistical(&self) -> bool {
        !matches!(self, Criterion::Exact)
    }

    /// A short description for the report.
    pub fn describe(&self) -> String {
        match self {
            Criterion::MeanCi => "prediction in t CI".into(),
            Criterion::ProportionCi => "prediction in Clopper–Pearson CI".into(),
            Criterion::McReference { reference_se } => format!("|Δ| ≤ z·√(se² + {reference_se}²)"),
            Criterion::SdCi => "prediction in CI of the SD".into(),
            Criterion::Published { lo, hi } => format!("CI meets [{lo}, {hi}] (published rounding)"),
            Criterion::Exact => "every trial exact to 1e-9".into(),
        }
    }
}

/// A measurement reduced to what the report shows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub measured: f64,
    /// The interval the report shows (see the module table); `None` when it could
    /// not be formed (fewer than two trials, or no spread).
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub pass: bool,
}

/// Judges the mean of `values` (in trial order) against `prediction` at `level`.
/// Any non-finite value (a trial that did not produce the measurement) fails the
/// row.
pub fn judge_mean(values: &[f64], prediction: f64, criterion: Criterion, level: f64) -> Verdict {
    let complete = !values.is_empty() && values.iter().all(|v| v.is_finite());
    let measured = stats::mean(values).unwrap_or(f64::NAN);
    let interval = stats::ci(values, level);
    let (lo, hi) = (interval.map(|i| i.lo), interval.map(|i| i.hi));
    let pass = complete
        && match criterion {
            Criterion::MeanCi => interval.is_some_and(|i| i.lo <= prediction && prediction <= i.hi),
            Criterion::McReference { reference_se } => {
                let se = stats::sample_sd(values).map_or(f64::NAN, |sd| sd / (values.len() as f64).sqrt());
                (measured - prediction).abs() <= z_of(level) * (se * se + reference_se * reference_se).sqrt()
            }
            Criterion::Published { lo: p_lo, hi: p_hi } => interval.is_some_and(|i| i.lo <= p_hi && p_lo <= i.hi),
            Criterion::ProportionCi | Criterion::SdCi | Criterion::Exact => {
                unreachable!("judge_mean with {criterion:?}")
            }
        };
    Verdict { measured, lo, hi, pass }
}

/// Judges the proportion `successes / trials` against `prediction` with the
/// Clopper–Pearson interval at `level`.
pub fn judge_proportion(successes: u64, trials: u64, prediction: f64, level: f64) -> Verdict {
    let interval = stats::clopper_pearson(successes, trials, level);
    let measured = if trials == 0 { f64::NAN } else { successes as f64 / trials as f64 };
    let pass = interval.is_some_and(|i| i.lo <= prediction && prediction <= i.hi);
    Verdict { measured, lo: interval.map(|i| i.lo), hi: interval.map(|i| i.hi), pass }
}

/// Judges the sample SD of `values` against an exact `prediction`, with the
/// large-sample interval s ± z·√((m₄ − s⁴)/N)/(2s) (delta method on the variance,
/// m₄ the fourth central sample moment). Valid for large N, which the rows that use
/// it have (≥ 1000 trials).
pub fn judge_sd(values: &[f64], prediction: f64, level: f64) -> Verdict {
    let complete = values.len() >= 2 && values.iter().all(|v| v.is_finite());
    let Some((mean, sd)) = stats::mean(values).zip(stats::sample_sd(values)) else {
        return Verdict { measured: f64::NAN, lo: None, hi: None, pass: false };
    };
    let n = values.len() as f64;
    let m4 = values.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    let var_of_var = (m4 - sd.powi(4)).max(0.0) / n;
    let half = if sd > 0.0 { z_of(level) * var_of_var.sqrt() / (2.0 * sd) } else { f64::NAN };
    let (lo, hi) = (sd - half, sd + half);
    let pass = complete && half.is_finite() && lo <= prediction && prediction <= hi;
    Verdict { measured: sd, lo: Some(lo), hi: Some(hi), pass }
}

/// Judges a deterministic identity: `values[i]` must equal `predictions[i]` to 1e-9
/// in every trial. The row shows the mean and the min … max of the values.
pub fn judge_exact(values: &[f64], predictions: &[f64]) -> Verdict {
    debug_assert_eq!(values.len(), predictions.len());
    let pass = !values.is_empty()
        && values.len() == predictions.len()
        && values.iter().zip(predictions).all(|(v, p)| v.is_finite() && (v - p).abs() <= 1e-9);
    let measured = stats::mean(values).unwrap_or(f64::NAN);
    let lo = values.iter().copied().reduce(f64::min);
    let hi = values.iter().copied().reduce(f64::max);
    Verdict { measured, lo, hi, pass }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mean_passes_only_inside_its_interval() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i % 10)).collect();
        assert!(judge_mean(&values, 4.5, Criterion::MeanCi, LEVEL).pass);
        assert!(!judge_mean(&values, 5.0, Criterion::MeanCi, LEVEL).pass);
        let mut broken = values.clone();
        broken[3] = f64::NAN;
        assert!(!judge_mean(&broken, 4.5, Criterion::MeanCi, LEVEL).pass, "a missing trial fails the row");
    }

    #[test]
    fn a_reference_with_its_own_error_widens_the_tolerance() {
        let values: Vec<f64> = (0..100).map(|i| f64::from(i % 10)).collect();
        // se of the mean ≈ 0.289; z·se ≈ 0.74.
        assert!(!judge_mean(&values, 5.4, Criterion::McReference { reference_se: 0.0 }, LEVEL).pass);
        assert!(judge_mean(&values, 5.4, Criterion::McReference { reference_se: 0.5 }, LEVEL).pass);
    }

    #[test]
    fn proportions_use_clopper_pearson() {
        assert!(judge_proportion(410, 1000, 0.4091, LEVEL).pass);
        assert!(!judge_proportion(720, 1000, 0.4091, LEVEL).pass);
    }

    #[test]
    fn the_sd_interval_covers_a_known_sd() {
        // An even grid on [0, 1] has the uniform distribution's SD, √(1/12).
        let values: Vec<f64> = (0..2000).map(|i| (f64::from(i) + 0.5) / 2000.0).collect();
        let exact = (1.0f64 / 12.0).sqrt();
        assert!(judge_sd(&values, exact, LEVEL).pass);
        assert!(!judge_sd(&values, exact * 1.05, LEVEL).pass);
    }

    #[test]
    fn the_family_level_splits_the_error_over_the_rows() {
        assert!((row_level(1) - 0.99).abs() < 1e-15);
        assert!((row_level(100) - 0.9999).abs() < 1e-15);
        assert!((z_of(0.99) - 2.5758).abs() < 1e-4);
    }

    #[test]
    fn exact_rows_need_every_trial_exact() {
        assert!(judge_exact(&[2.0, 3.0], &[2.0, 3.0]).pass);
        assert!(!judge_exact(&[2.0, 3.1], &[2.0, 3.0]).pass);
        assert!(!judge_exact(&[], &[]).pass);
    }
}

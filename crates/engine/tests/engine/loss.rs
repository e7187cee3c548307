//! Loss rates through the engine: Bernoulli inside its binomial interval,
//! Gilbert–Elliott at its stationary rate.

use crate::toy::{Input, Observed, Run, ToyConfig, config_with_latency, run};
use gossim_engine::{DropCause, LatencyDist, LossModel, SimTime};

const SENDER_COUNT: u32 = 10;
const MESSAGES_PER_SENDER: u32 = 10_000;

/// Every node sends `MESSAGES_PER_SENDER` probes round-robin to the others at t = 0.
fn blast(loss: LossModel) -> Run {
    let mut config = config_with_latency(11, LatencyDist::Constant { value_ns: 1_000_000 });
    config.network.loss = loss;
    let inputs: Vec<(SimTime, Input)> = (0..SENDER_COUNT)
        .map(|from| {
            let to = (0..MESSAGES_PER_SENDER).map(|i| (from + 1 + i % (SENDER_COUNT - 1)) % SENDER_COUNT).collect();
            (SimTime::ZERO, Input::Probes { from, to, bytes: 32 })
        })
        .collect();
    let result = run(config, ToyConfig::quiet(SENDER_COUNT), &inputs);
    let sends = result.recorder.count(|o| matches!(o, Observed::Send { .. }));
    let deliveries = result.recorder.count(|o| matches!(o, Observed::Deliver { .. }));
    assert_eq!(sends, (SENDER_COUNT * MESSAGES_PER_SENDER) as usize);
    assert_eq!(
        deliveries + result.recorder.drop_count(DropCause::Loss),
        sends,
        "a message neither arrived nor was lost"
    );
    result
}

#[test]
fn bernoulli_loss_count_is_within_five_sd_of_its_expectation() {
    let p = 0.1;
    let result = blast(LossModel::Bernoulli { p });
    let n = f64::from(SENDER_COUNT * MESSAGES_PER_SENDER);
    let lost = result.recorder.drop_count(DropCause::Loss) as f64;
    // Lost ~ Binomial(n, p): mean np = 10⁴, sd √(np(1 − p)) ≈ 95.
    let sd = (n * p * (1.0 - p)).sqrt();
    assert!((lost - n * p).abs() <= 5.0 * sd, "lost {lost} of {n}, expected {} ± {}", n * p, 5.0 * sd);
    // The model hears about the same drops as the observer.
    let model_lost = result.toy.drops.iter().filter(|d| d.3 == DropCause::Loss).count();
    assert_eq!(model_lost as f64, lost);
}

/// The Gilbert–Elliott bound.
///
/// Each sender's channel is a two-state chain with second eigenvalue
/// `λ = 1 − p_gb − p_bg`, stationary bad share `π_b = p_gb / (p_gb + p_bg)`, and a
/// message is lost with `m(S) ∈ {loss_good, loss_bad}`. Losses are therefore
/// correlated: `Cov(L_s, L_t) = π_b·π_g·(loss_bad − loss_good)²·λ^|t−s|`, so over one
/// sender's `m` messages `Var(ΣL) ≤ m·[p̄(1 − p̄) + 2·π_b·π_g·Δ²·λ/(1 − λ)]`: the i.i.d.
/// variance inflated by the chain's mixing time (here about 4.5×). The chain also
/// starts in good rather than at stationarity, which lowers the expected count by at
/// most `π_b·Δ·λ/(1 − λ)` per sender. The bound is that bias plus 6 standard
/// deviations of the sum, generous because the variance formula is asymptotic.
fn gilbert_elliott_bound(model: &LossModel, n: f64, senders: f64) -> f64 {
    let LossModel::GilbertElliott { p_good_to_bad, p_bad_to_good, loss_good, loss_bad } = *model else {
        unreachable!("not a Gilbert–Elliott model")
    };
    let lambda = 1.0 - p_good_to_bad - p_bad_to_good;
    let bad_share = p_good_to_bad / (p_good_to_bad + p_bad_to_good);
    let spread = loss_bad - loss_good;
    let p_mean = model.stationary_loss();
    let mixing = lambda / (1.0 - lambda);
    let per_message_variance = p_mean * (1.0 - p_mean) + 2.0 * bad_share * (1.0 - bad_share) * spread * spread * mixing;
    let start_bias = senders * bad_share * spread * mixing;
    start_bias + 6.0 * (n * per_message_variance).sqrt()
}

#[test]
fn gilbert_elliott_loss_matches_its_stationary_rate() {
    let model = LossModel::GilbertElliott { p_good_to_bad: 0.02, p_bad_to_good: 0.2, loss_good: 0.01, loss_bad: 0.6 };
    let result = blast(model.clone());
    let n = f64::from(SENDER_COUNT * MESSAGES_PER_SENDER);
    let lost = result.recorder.drop_count(DropCause::Loss) as f64;
    let expected = n * model.stationary_loss();
    let bound = gilbert_elliott_bound(&model, n, f64::from(SENDER_COUNT));
    assert!((lost - expected).abs() <= bound, "lost {lost} of {n}, expected {expected} ± {bound}");
    // The check has teeth: a channel stuck in either state, or one that ignored the
    // state (loss_good everywhere), falls well outside the bound.
    assert!(bound < n * (model.stationary_loss() - 0.01) / 2.0, "bound {bound} too loose");
}

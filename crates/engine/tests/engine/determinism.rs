//! One seed, one history: the digest and the outcome are functions of the seed.

use crate::toy::{Input, TickAction, ToyConfig, config_with_latency, ms, run};
use gossim_engine::{EngineConfig, LatencyDist, LossModel, NodeFaultSpec, NodeSelection, SimTime};
use std::collections::BTreeSet;

/// A run that draws from every stream: lognormal latency and Bernoulli loss
/// (network), a random crash set (faults), random push targets and tick phases
/// (protocol).
fn busy(seed: u64) -> (EngineConfig, ToyConfig, Vec<(SimTime, Input)>) {
    let mut config = config_with_latency(seed, LatencyDist::Lognormal { median_ns: 20_000_000, sigma: 0.6 });
    config.network.loss = LossModel::Bernoulli { p: 0.05 };
    config.faults.push(NodeFaultSpec::Crash {
        at: ms(150),
        select: NodeSelection::Fraction { fraction: 0.25 },
        recover_after_ns: Some(100_000_000),
        wipe: false,
    });
    let toy = ToyConfig::quiet(24).ticking(25_000_000, ms(1_000), TickAction::PushRumour);
    (config, toy, vec![(SimTime::ZERO, Input::Rumour { node: 0 })])
}

#[test]
fn same_seed_gives_identical_digest_and_outcome() {
    let (config, toy, inputs) = busy(7);
    let first = run(config.clone(), toy.clone(), &inputs);
    let second = run(config, toy, &inputs);
    assert!(first.outcome.events > 500, "the scenario is too small to prove much: {:?}", first.outcome);
    assert_eq!(first.outcome, second.outcome);
    assert_eq!(first.toy.log, second.toy.log);
    assert_eq!(first.recorder.log, second.recorder.log);
}

#[test]
fn different_seeds_give_different_digests() {
    let digests: BTreeSet<[u8; 32]> = (1..=8)
        .map(|seed| {
            let (config, toy, inputs) = busy(seed);
            run(config, toy, &inputs).outcome.trace_digest
        })
        .collect();
    assert_eq!(digests.len(), 8, "two seeds produced the same trace digest");
}

#[test]
fn latency_draws_alone_change_the_digest() {
    // Flooding from one node makes no protocol draws and there are no faults, so the
    // seed reaches the trace only through the lognormal latency draws.
    let digest = |seed| {
        let config = config_with_latency(seed, LatencyDist::Lognormal { median_ns: 5_000_000, sigma: 0.5 });
        let toy = ToyConfig { flood: true, ..ToyConfig::quiet(8) };
        run(config, toy, &[(SimTime::ZERO, Input::Rumour { node: 0 })]).outcome.trace_digest
    };
    assert_eq!(digest(3), digest(3));
    assert_ne!(digest(3), digest(4));
}

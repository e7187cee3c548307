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

/// The crashes of a run, as (time, node), in order.
fn crashes(log: &[(SimTime, crate::toy::Observed)]) -> Vec<(SimTime, u32)> {
    log.iter()
        .filter_map(|(t, o)| match o {
            crate::toy::Observed::Crash { node } => Some((*t, *node)),
            _ => None,
        })
        .collect()
}

#[test]
fn adding_a_misbehaviour_mark_or_a_partition_changes_no_crash() {
    let (config, toy, inputs) = busy(11);
    let base = run(config.clone(), toy.clone(), &inputs);
    let mut marked = config.clone();
    marked
        .misbehaviour
        .push(gossim_engine::MisbehaviourSpec { select: NodeSelection::Fraction { fraction: 0.3 }, tag: 1 });
    marked.network.partitions.push(gossim_engine::PartitionSpec {
        start: ms(5_000),
        heal: ms(6_000),
        groups: vec![0.5, 0.5],
    });
    let other = run(marked, toy, &inputs);
    assert!(!crashes(&base.recorder.log).is_empty());
    assert_eq!(crashes(&base.recorder.log), crashes(&other.recorder.log));
}

#[test]
fn switching_loss_on_shifts_no_latency_draw() {
    // Sends that do not depend on deliveries: node 0 probes fixed peers on a timer-free
    // schedule of inputs, so both runs send the same messages; every message that is
    // delivered in both runs must arrive at the same time.
    let probes: Vec<(SimTime, Input)> =
        (0..200u64).map(|i| (ms(i), Input::Probes { from: 0, to: vec![1 + (i % 5) as u32], bytes: 100 })).collect();
    let toy = ToyConfig::quiet(6);
    let lossless = config_with_latency(3, LatencyDist::Lognormal { median_ns: 20_000_000, sigma: 0.6 });
    let mut lossy = lossless.clone();
    lossy.network.loss = LossModel::Bernoulli { p: 0.3 };
    let a = run(lossless, toy.clone(), &probes);
    let b = run(lossy, toy, &probes);
    let deliveries = |log: &[(SimTime, crate::toy::Observed)]| -> Vec<(SimTime, u32)> {
        log.iter()
            .filter_map(|(t, o)| match o {
                crate::toy::Observed::Deliver { to, .. } => Some((*t, *to)),
                _ => None,
            })
            .collect()
    };
    let (all, kept) = (deliveries(&a.recorder.log), deliveries(&b.recorder.log));
    assert!(kept.len() < all.len() && kept.len() > all.len() / 2, "{} of {}", kept.len(), all.len());
    for delivery in &kept {
        assert!(all.contains(delivery), "{delivery:?} arrived at a different time once loss was on");
    }
}

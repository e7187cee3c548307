//! Time never runs backwards, and the two queue implementations agree exactly.
//!
//! A swarm-style property test: proptest derives a whole small scenario (latency
//! distribution and parameters, loss, bandwidth, a partition, a crash, one-shot
//! alarms at random offsets including zero, rumours, time and event caps), and the
//! run must show non-decreasing times to the model and the observer, under both
//! queue kinds, with identical digests. A failure prints the scenario, seed included.

use crate::toy::{Happening, Input, Run, TickAction, ToyConfig, run};
use gossim_engine::{
    EngineConfig, LatencyDist, LatencyModel, LossModel, NodeFaultSpec, NodeSelection, PartitionSpec, QueueKind,
    RunLimits, SimTime,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Scenario {
    seed: u64,
    node_count: u32,
    dist: LatencyDist,
    loss: LossModel,
    upload_bytes_per_sec: Option<u64>,
    /// `(start_ms, length_ms)` of a two-way partition.
    partition: Option<(u64, u64)>,
    /// `(at_ms, fraction, recover_after_ns)` of a crash.
    crash: Option<(u64, f64, Option<u64>)>,
    tick_ns: Option<u64>,
    /// `(at_ms, node, after_ns)`; `after_ns` is often 0.
    alarms: Vec<(u64, u32, u64)>,
    /// `(at_ms, node)` rumour starts.
    rumours: Vec<(u64, u32)>,
    bucket_width_ns: u64,
    /// The run's time cap, in milliseconds.
    max_time_ms: u64,
    /// The run's events cap (often none).
    max_events: u64,
}

fn latency_dist() -> impl Strategy<Value = LatencyDist> {
    prop_oneof![
        (0u64..20_000_000).prop_map(|value_ns| LatencyDist::Constant { value_ns }),
        (0u64..10_000_000, 0u64..10_000_000)
            .prop_map(|(min_ns, width)| LatencyDist::Uniform { min_ns, max_ns: min_ns + width }),
        (0u64..20_000_000, 0u64..20_000_000).prop_map(|(mean_ns, sd_ns)| LatencyDist::Normal { mean_ns, sd_ns }),
        (1u64..20_000_000, 0.0f64..1.5).prop_map(|(median_ns, sigma)| LatencyDist::Lognormal { median_ns, sigma }),
        (0u64..20_000_000).prop_map(|mean_ns| LatencyDist::Exponential { mean_ns }),
        (1u64..5_000_000, 1.1f64..4.0).prop_map(|(scale_ns, shape)| LatencyDist::Pareto { scale_ns, shape }),
    ]
}

fn loss_model() -> impl Strategy<Value = LossModel> {
    prop_oneof![
        Just(LossModel::None),
        (0.0f64..0.3).prop_map(|p| LossModel::Bernoulli { p }),
        (0.0f64..0.2, 0.05f64..0.5, 0.0f64..0.1, 0.2f64..0.9).prop_map(|(gb, bg, good, bad)| {
            LossModel::GilbertElliott { p_good_to_bad: gb, p_bad_to_good: bg, loss_good: good, loss_bad: bad }
        }),
    ]
}

prop_compose! {
    fn scenario()(
        seed in any::<u64>(),
        node_count in 2u32..24,
        dist in latency_dist(),
        loss in loss_model(),
        upload_bytes_per_sec in proptest::option::of(10_000u64..10_000_000),
        partition in proptest::option::of((0u64..200, 0u64..200)),
        crash in proptest::option::of((0u64..200, 0.0f64..0.6, proptest::option::of(0u64..100_000_000))),
        tick_ns in proptest::option::of(1_000_000u64..40_000_000),
        alarms in proptest::collection::vec((0u64..200, 0u32..24, prop_oneof![Just(0u64), 0u64..50_000_000]), 0..12),
        rumours in proptest::collection::vec((0u64..100, 0u32..24), 1..4),
        bucket_width_ns in 1u64..5_000_000,
        max_time_ms in 100u64..2_000,
        max_events in prop_oneof![Just(u64::MAX), 100u64..20_000],
    ) -> Scenario {
        Scenario {
            seed, node_count, dist, loss, upload_bytes_per_sec, partition, crash, tick_ns, alarms, rumours,
            bucket_width_ns, max_time_ms, max_events,
        }
    }
}

fn run_scenario(s: &Scenario, queue: QueueKind) -> Run {
    let mut config = EngineConfig::new(s.seed);
    config.queue = queue;
    config.bucket_width_ns = s.bucket_width_ns;
    config.limits = RunLimits { max_time: SimTime::from_millis(s.max_time_ms), max_events: s.max_events };
    config.network.latency = LatencyModel::Global { dist: s.dist.clone() };
    config.network.loss = s.loss.clone();
    config.network.upload_bytes_per_sec = s.upload_bytes_per_sec;
    if let Some((start_ms, length_ms)) = s.partition {
        let start = SimTime::from_millis(start_ms);
        config.network.partitions.push(PartitionSpec {
            start,
            heal: start.plus(length_ms * SimTime::NANOS_PER_MILLI),
            groups: vec![0.5, 0.5],
        });
    }
    if let Some((at_ms, fraction, recover_after_ns)) = s.crash {
        config.faults.push(NodeFaultSpec::Crash {
            at: SimTime::from_millis(at_ms),
            select: NodeSelection::Fraction { fraction },
            recover_after_ns,
            wipe: false,
        });
    }
    let mut toy = ToyConfig { flood: true, ..ToyConfig::quiet(s.node_count) };
    if let Some(period_ns) = s.tick_ns {
        toy = toy.ticking(period_ns, SimTime::from_millis(1_000), TickAction::PushRumour);
    }
    let mut inputs: Vec<(SimTime, Input)> = Vec::new();
    for (label, &(at_ms, node, after_ns)) in s.alarms.iter().enumerate() {
        let node = node % s.node_count;
        inputs.push((SimTime::from_millis(at_ms), Input::Alarm { node, after_ns, label: label as u32 }));
    }
    for &(at_ms, node) in &s.rumours {
        inputs.push((SimTime::from_millis(at_ms), Input::Rumour { node: node % s.node_count }));
    }
    run(config, toy, &inputs)
}

fn assert_non_decreasing(times: impl Iterator<Item = SimTime>, what: &str) -> Result<(), TestCaseError> {
    let mut last = SimTime::ZERO;
    for (i, at) in times.enumerate() {
        prop_assert!(at >= last, "{what} entry {i} at {at} follows {last}");
        last = at;
    }
    Ok(())
}

proptest! {
    // No regression files in the tree (the failure message carries the scenario), and a
    // bounded shrink so a failure reports in seconds.
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        max_shrink_time: 20_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn time_never_runs_backwards_and_both_queues_agree(s in scenario()) {
        let heap = run_scenario(&s, QueueKind::Heap);
        assert_non_decreasing(heap.toy.log.iter().map(|(at, _)| *at), "model log")?;
        assert_non_decreasing(heap.recorder.log.iter().map(|(at, _)| *at), "observer log")?;
        let last_logged = heap.toy.log.last().map_or(SimTime::ZERO, |(at, _)| *at);
        prop_assert!(heap.outcome.final_time >= last_logged);
        prop_assert!(last_logged <= SimTime::from_millis(s.max_time_ms), "an event ran past the time cap");
        prop_assert!(heap.outcome.events <= s.max_events);
        // An alarm fires no earlier than it was due.
        for (at, happening) in &heap.toy.log {
            if let Happening::Timer { timer: crate::toy::Timer::Alarm { label }, .. } = happening {
                let (set_ms, _, after_ns) = s.alarms[*label as usize];
                prop_assert!(*at >= SimTime::from_millis(set_ms).plus(after_ns));
            }
        }

        let calendar = run_scenario(&s, QueueKind::Calendar);
        prop_assert_eq!(&heap.outcome, &calendar.outcome, "heap and calendar queues disagree");
        prop_assert_eq!(&heap.toy.log, &calendar.toy.log);
    }
}

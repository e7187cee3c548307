//! Equal-time events are processed in insertion order: the queue key is `(time, seq)`.
//! Each test runs under both queue implementations.

use crate::toy::{Happening, Input, Msg, Run, ToyConfig, config_with_latency, ms, run};
use gossim_engine::{EngineConfig, LatencyDist, QueueKind, SimTime};

/// Runs the same scenario under each queue kind.
fn under_each_queue(
    config: EngineConfig,
    toy: ToyConfig,
    inputs: &[(SimTime, Input)],
) -> impl Iterator<Item = (QueueKind, Run)> {
    [QueueKind::Heap, QueueKind::Calendar].into_iter().map(move |queue| {
        let config = EngineConfig { queue, ..config.clone() };
        (queue, run(config, toy.clone(), inputs))
    })
}

/// Labels of the processed marks, in processing order.
fn marks(log: &[(SimTime, Happening)]) -> Vec<(SimTime, u32)> {
    log.iter()
        .filter_map(|(at, h)| match h {
            Happening::Input { input: Input::Mark { label, .. } } => Some((*at, *label)),
            _ => None,
        })
        .collect()
}

#[test]
fn equal_time_inputs_are_processed_in_insertion_order() {
    let times_ms = [5, 3, 5, 0, 3, 5, 0, 5, 3, 3, 5, 0, 7];
    // Mark 2 (due at 5 ms) schedules mark 100 for "now" while it runs: that is a later
    // insertion, so 100 must follow every mark already queued for 5 ms, and precede 7 ms.
    let inputs: Vec<(SimTime, Input)> = times_ms
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let then = (i == 2).then_some(100);
            (ms(t), Input::Mark { label: i as u32, then })
        })
        .collect();
    let mut expected: Vec<(SimTime, u32)> = times_ms.iter().enumerate().map(|(i, &t)| (ms(t), i as u32)).collect();
    expected.sort(); // (time, insertion index): the stable order the engine promises
    let last_at_5 = expected.iter().rposition(|&(t, _)| t == ms(5)).unwrap();
    expected.insert(last_at_5 + 1, (ms(5), 100));
    for (queue, result) in under_each_queue(EngineConfig::new(1), ToyConfig::quiet(1), &inputs) {
        assert_eq!(marks(&result.toy.log), expected, "{queue:?}");
    }
}

#[test]
fn equal_time_arrivals_are_delivered_in_send_order() {
    // Constant latency: every probe sent at t = 0 arrives at exactly 5 ms.
    let config = config_with_latency(2, LatencyDist::Constant { value_ns: 5_000_000 });
    let inputs = [
        (SimTime::ZERO, Input::Probes { from: 0, to: vec![3, 1, 4, 2, 5, 1, 3], bytes: 10 }),
        (SimTime::ZERO, Input::Probes { from: 2, to: vec![0, 1, 0], bytes: 10 }),
        (SimTime::ZERO, Input::Probes { from: 5, to: vec![4], bytes: 10 }),
    ];
    for (queue, result) in under_each_queue(config, ToyConfig::quiet(6), &inputs) {
        let deliveries: Vec<(SimTime, u32, u32, u32)> = result
            .toy
            .log
            .iter()
            .filter_map(|(at, h)| match *h {
                Happening::Message { from, to, msg: Msg::Probe { index, .. } } => Some((*at, index, from, to)),
                _ => None,
            })
            .collect();
        let expected: Vec<(SimTime, u32, u32, u32)> =
            result.toy.probes.iter().enumerate().map(|(index, p)| (ms(5), index as u32, p.from, p.to)).collect();
        assert_eq!(expected.len(), 11);
        assert_eq!(deliveries, expected, "{queue:?}: equal-time arrivals left send order");
    }
}

#[test]
fn equal_time_timers_fire_in_the_order_they_were_set() {
    // Three alarms due at 10 ms, set at different times and at different nodes, plus
    // one set first but due later: they must fire in the order they were set.
    let inputs = [
        (SimTime::ZERO, Input::Alarm { node: 3, after_ns: 11_000_000, label: 9 }),
        (SimTime::ZERO, Input::Alarm { node: 1, after_ns: 10_000_000, label: 0 }),
        (ms(4), Input::Alarm { node: 0, after_ns: 6_000_000, label: 1 }),
        (ms(4), Input::Alarm { node: 2, after_ns: 6_000_000, label: 2 }),
        (ms(10), Input::Alarm { node: 2, after_ns: 0, label: 3 }),
    ];
    for (queue, result) in under_each_queue(EngineConfig::new(3), ToyConfig::quiet(4), &inputs) {
        let fired: Vec<(SimTime, u32)> = result
            .toy
            .log
            .iter()
            .filter_map(|(at, h)| match *h {
                Happening::Timer { timer: crate::toy::Timer::Alarm { label }, .. } => Some((*at, label)),
                _ => None,
            })
            .collect();
        assert_eq!(fired, vec![(ms(10), 0), (ms(10), 1), (ms(10), 2), (ms(10), 3), (ms(11), 9)], "{queue:?}");
    }
}

//! How a run stops: event cap, time cap, an empty queue, or the model's request.

use crate::toy::{Happening, Input, Msg, TickAction, ToyConfig, config_with_latency, ms, run};
use gossim_engine::{LatencyDist, RunLimits, SimTime, StopReason};

fn exponential(seed: u64) -> gossim_engine::EngineConfig {
    config_with_latency(seed, LatencyDist::Exponential { mean_ns: 3_000_000 })
}

/// Nodes that tick forever.
fn endless(node_count: u32) -> ToyConfig {
    ToyConfig::quiet(node_count).ticking(10_000_000, SimTime::MAX, TickAction::ProbeRandomPeer)
}

#[test]
fn the_event_cap_stops_a_run_with_event_limit() {
    let mut config = exponential(31);
    config.limits.max_events = 250;
    let result = run(config, endless(4), &[]);
    assert_eq!(result.outcome.stop_reason, StopReason::EventLimit);
    assert_eq!(result.outcome.events, 250);
    assert!(result.pending > 0);
}

#[test]
fn the_time_cap_stops_a_run_with_time_limit() {
    let mut config = exponential(32);
    config.limits = RunLimits { max_time: SimTime::from_secs(1), max_events: u64::MAX };
    // An event due exactly at the cap still runs; one a nanosecond later does not.
    let cap = SimTime::from_secs(1);
    let inputs = [(cap, Input::Mark { label: 1, then: None }), (cap.plus(1), Input::Mark { label: 2, then: None })];
    let result = run(config, endless(4), &inputs);
    assert_eq!(result.outcome.stop_reason, StopReason::TimeLimit);
    let marks: Vec<&Happening> =
        result.toy.log.iter().map(|(_, h)| h).filter(|h| matches!(h, Happening::Input { .. })).collect();
    assert_eq!(marks, [&Happening::Input { input: Input::Mark { label: 1, then: None } }]);
    assert_eq!(result.outcome.final_time, SimTime::from_secs(1));
    assert!(result.toy.log.iter().all(|(at, _)| *at <= SimTime::from_secs(1)), "an event past the cap ran");
    assert!(result.toy.log.last().unwrap().0 > ms(900), "the run stopped well before the cap");
    assert!(result.pending > 0, "the event past the cap should stay queued");
}

#[test]
fn an_empty_queue_ends_a_run_as_quiescent() {
    let toy = ToyConfig { flood: true, ..ToyConfig::quiet(10) };
    let result = run(exponential(33), toy, &[(ms(5), Input::Rumour { node: 0 })]);
    assert_eq!(result.outcome.stop_reason, StopReason::Quiescent);
    assert_eq!(result.pending, 0);
    assert_eq!(result.toy.informed_count, 10);
    // Input, then 10 · 9 flood messages.
    assert_eq!(result.outcome.events, 1 + 90);
    assert_eq!(result.outcome.final_time, result.toy.log.last().unwrap().0);
}

#[test]
fn request_stop_ends_a_run_as_converged() {
    let toy = ToyConfig {
        stop_when_all_informed: true,
        ..ToyConfig::quiet(12).ticking(10_000_000, SimTime::MAX, TickAction::PushRumour)
    };
    let result = run(exponential(34), toy, &[(SimTime::ZERO, Input::Rumour { node: 0 })]);
    assert_eq!(result.outcome.stop_reason, StopReason::Converged);
    assert_eq!(result.toy.informed_count, 12);
    assert!(result.pending > 0, "ticks remain, so only the request can have stopped the run");
    // The run stops right after the callback that asked: the last thing the model saw
    // is the rumour reaching the last uninformed node, at the final time.
    let (at, last) = result.toy.log.last().unwrap();
    assert!(matches!(last, Happening::Message { msg: Msg::Rumour { .. }, .. }), "{last:?}");
    assert_eq!(*at, result.outcome.final_time);
}

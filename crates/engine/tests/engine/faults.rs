//! Crashed nodes receive nothing and fire nothing; crash-stop is for good; churn
//! pairs every crash with a later recovery.

use crate::toy::{
    Happening, Input, Observed, TickAction, Timer, ToyConfig, assert_nothing_reaches_down_nodes, config_with_latency,
    ms, run,
};
use gossim_engine::{DropCause, EngineConfig, LatencyDist, NodeFaultSpec, NodeSelection, SimTime, StopReason};

fn crash(at: SimTime, select: NodeSelection, recover_after_ns: Option<u64>) -> NodeFaultSpec {
    NodeFaultSpec::Crash { at, select, recover_after_ns, wipe: false }
}

fn alarms_fired(log: &[(SimTime, Happening)]) -> Vec<(SimTime, u32, u32)> {
    log.iter()
        .filter_map(|(at, h)| match *h {
            Happening::Timer { node, timer: Timer::Alarm { label } } => Some((*at, node, label)),
            _ => None,
        })
        .collect()
}

fn messages_to(log: &[(SimTime, Happening)], node: u32) -> Vec<SimTime> {
    log.iter()
        .filter_map(|(at, h)| match *h {
            Happening::Message { to, .. } if to == node => Some(*at),
            _ => None,
        })
        .collect()
}

#[test]
fn crashed_nodes_receive_nothing_and_fire_no_timers_while_down() {
    let mut config = config_with_latency(21, LatencyDist::Uniform { min_ns: 1_000_000, max_ns: 9_000_000 });
    config.faults.push(crash(ms(100), NodeSelection::Fraction { fraction: 0.3 }, Some(200_000_000)));
    let toy = ToyConfig::quiet(20).ticking(10_000_000, ms(600), TickAction::ProbeAll);
    // An alarm at every node, due at 150 ms: inside the downtime of the crashed ones.
    let inputs: Vec<(SimTime, Input)> =
        (0..20).map(|node| (ms(50), Input::Alarm { node, after_ns: 100_000_000, label: node })).collect();
    let result = run(config, toy, &inputs);

    let downtimes = assert_nothing_reaches_down_nodes(&result.toy);
    assert_eq!(downtimes.len(), 6, "round(0.3 · 20) nodes should crash");
    let crashed: Vec<u32> = downtimes.iter().map(|d| d.0).collect();
    for &(node, crashed_at, recovered_at) in &downtimes {
        assert_eq!((crashed_at, recovered_at), (ms(100), Some(ms(300))), "node {node}");
        // Ticks resume after recovery (the model re-arms them) and others reach it again.
        assert!(messages_to(&result.toy.log, node).iter().any(|&at| at > ms(300)), "node {node} never heard again");
    }
    let alarmed: Vec<u32> = alarms_fired(&result.toy.log).iter().map(|a| a.1).collect();
    let survivors: Vec<u32> = (0..20).filter(|n| !crashed.contains(n)).collect();
    assert_eq!(alarmed, survivors, "exactly the live nodes' alarms fire");
    assert!(result.recorder.drop_count(DropCause::ReceiverDown) > 0, "no message ever met a crashed receiver");
    // The observer saw the same crashes and recoveries as the model.
    let observed: Vec<(SimTime, u32)> = result
        .recorder
        .log
        .iter()
        .filter_map(|(at, o)| match *o {
            Observed::Crash { node } | Observed::Recover { node, .. } => Some((*at, node)),
            _ => None,
        })
        .collect();
    let modelled: Vec<(SimTime, u32)> = result
        .toy
        .log
        .iter()
        .filter_map(|(at, h)| match *h {
            Happening::Crash { node } | Happening::Recover { node, .. } => Some((*at, node)),
            _ => None,
        })
        .collect();
    assert_eq!(observed, modelled);
}

#[test]
fn timers_set_before_a_crash_do_not_fire_after_recovery() {
    let mut config = EngineConfig::new(22);
    config.faults.push(crash(ms(100), NodeSelection::Ids { ids: vec![3] }, Some(50_000_000)));
    let inputs = [
        // Set before the crash, due after the recovery: the old incarnation's timer.
        (SimTime::ZERO, Input::Alarm { node: 3, after_ns: 500_000_000, label: 1 }),
        // The same at a node that never crashes.
        (SimTime::ZERO, Input::Alarm { node: 4, after_ns: 500_000_000, label: 2 }),
        // Set after the recovery: the new incarnation's timer.
        (ms(200), Input::Alarm { node: 3, after_ns: 300_000_000, label: 3 }),
    ];
    let result = run(config, ToyConfig::quiet(5), &inputs);
    assert_eq!(alarms_fired(&result.toy.log), vec![(ms(500), 4, 2), (ms(500), 3, 3)]);
    assert_eq!(assert_nothing_reaches_down_nodes(&result.toy), vec![(3, ms(100), Some(ms(150)))]);
}

#[test]
fn crash_stop_nodes_never_receive_again() {
    let mut config = config_with_latency(23, LatencyDist::Uniform { min_ns: 1_000_000, max_ns: 9_000_000 });
    config.faults = vec![
        // Nodes 1 and 2 stop for good.
        crash(ms(100), NodeSelection::Ids { ids: vec![1, 2] }, None),
        // Node 3 goes down meaning to return at 300 ms, but a crash-stop at 150 ms
        // finds it down and keeps it down; node 1, already stopped, is unaffected.
        crash(ms(100), NodeSelection::Ids { ids: vec![3] }, Some(200_000_000)),
        crash(ms(150), NodeSelection::Ids { ids: vec![3, 1] }, None),
        // A later crash-recover of stopped nodes must not revive them; node 4 does
        // crash and return.
        crash(ms(200), NodeSelection::Ids { ids: vec![1, 2, 4] }, Some(50_000_000)),
    ];
    let toy = ToyConfig::quiet(16).ticking(10_000_000, ms(500), TickAction::ProbeAll);
    let result = run(config, toy, &[]);

    let downtimes = assert_nothing_reaches_down_nodes(&result.toy);
    assert_eq!(
        downtimes,
        vec![(4, ms(200), Some(ms(250))), (1, ms(100), None), (2, ms(100), None), (3, ms(100), None)]
    );
    for node in [1, 2, 3] {
        assert!(messages_to(&result.toy.log, node).iter().all(|&at| at <= ms(100)), "stopped node {node} received");
        assert!(!result.up[node as usize], "stopped node {node} is up at the end");
    }
    assert!(messages_to(&result.toy.log, 4).iter().any(|&at| at > ms(250)), "node 4 never heard again");
    assert!(result.up[4]);
    let recoveries = result.recorder.count(|o| matches!(o, Observed::Recover { .. }));
    assert_eq!(recoveries, 1, "only node 4 recovers");
}

#[test]
fn churn_pairs_every_crash_with_a_later_recovery() {
    let mut config = config_with_latency(24, LatencyDist::Exponential { mean_ns: 5_000_000 });
    config.faults.push(NodeFaultSpec::Churn {
        start: ms(0),
        end: ms(2_000),
        leave_rate_per_sec: 20.0,
        mean_downtime_ns: 100_000_000,
        wipe: true,
    });
    // About 30 000 events; the cap turns a runaway (say, tick chains that survive a
    // crash and multiply at each recovery) into a failure instead of a hang.
    config.limits.max_events = 300_000;
    let toy = ToyConfig::quiet(30).ticking(5_000_000, ms(2_500), TickAction::ProbeRandomPeer);
    let result = run(config, toy, &[]);
    assert_eq!(result.outcome.stop_reason, StopReason::Quiescent);

    let downtimes = assert_nothing_reaches_down_nodes(&result.toy);
    // Leaves ~ Poisson(20/s · 2 s = 40): 15..70 is beyond 4 sd either way.
    assert!((15..70).contains(&downtimes.len()), "{} leaves", downtimes.len());
    for &(node, crashed_at, recovered_at) in &downtimes {
        assert!(crashed_at < ms(2_000), "node {node} left after churn ended, at {crashed_at}");
        let recovered_at = recovered_at.unwrap_or_else(|| panic!("node {node} never came back"));
        assert!(recovered_at > crashed_at, "node {node} had zero downtime at {crashed_at}");
    }
    // The observer's crash/recover calls match the model's exactly, wipe flag included.
    let observed: Vec<(SimTime, Observed)> = result
        .recorder
        .log
        .iter()
        .filter(|(_, o)| matches!(o, Observed::Crash { .. } | Observed::Recover { .. }))
        .copied()
        .collect();
    let modelled: Vec<(SimTime, Observed)> = result
        .toy
        .log
        .iter()
        .filter_map(|(at, h)| match *h {
            Happening::Crash { node } => Some((*at, Observed::Crash { node })),
            Happening::Recover { node, wiped } => Some((*at, Observed::Recover { node, wiped })),
            _ => None,
        })
        .collect();
    assert_eq!(observed, modelled);
    assert!(observed.iter().all(|(_, o)| !matches!(o, Observed::Recover { wiped: false, .. })), "wipe flag lost");
    assert!(result.up.iter().all(|&up| up), "every churned node is back at the end");
}

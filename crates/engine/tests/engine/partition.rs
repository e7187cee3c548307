//! Nothing crosses a partition while it lasts, including messages already in flight.

use crate::toy::{Msg, Observed, TickAction, ToyConfig, config_with_latency, ms, run};
use gossim_engine::network::PartitionRule;
use gossim_engine::{DropCause, LatencyDist, PartitionSpec, SimTime};
use std::collections::BTreeSet;

const NODE_COUNT: u32 = 12;
const SEED: u64 = 5;
const LATENCY_NS: u64 = 10_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Delivered,
    Cut,
}

#[test]
fn no_message_crosses_a_partition_while_it_lasts() {
    let (start, heal) = (ms(200), ms(400));
    let spec = PartitionSpec { start, heal, groups: vec![0.5, 0.5] };
    // Constant latency makes every arrival time known, so a message's fate is exact.
    let mut config = config_with_latency(SEED, LatencyDist::Constant { value_ns: LATENCY_NS });
    config.network.partitions.push(spec.clone());
    // Every node probes every other node every 10 ms until 600 ms.
    let toy = ToyConfig::quiet(NODE_COUNT).ticking(10_000_000, ms(600), TickAction::ProbeAll);
    let result = run(config, toy, &[]);

    // The groups, two ways: the pairs the engine ever cut, and the rule rebuilt from
    // the start of the network stream (the first draws the engine makes). They agree.
    let cut_pairs: BTreeSet<(u32, u32)> = result
        .recorder
        .log
        .iter()
        .filter_map(|(_, o)| match *o {
            Observed::Drop { from, to, cause: DropCause::Partition } => Some((from, to)),
            _ => None,
        })
        .collect();
    // The first partition's groups come from its own network stream; rebuild them.
    let mut groups_stream =
        gossim_engine::network::network_stream(SEED, gossim_engine::network::streams::PARTITION_BASE);
    let rule = PartitionRule::new(&spec, NODE_COUNT, &mut groups_stream);
    let cross = |a: u32, b: u32| rule.group_of(a) != rule.group_of(b);
    let cross_pairs: BTreeSet<(u32, u32)> =
        (0..NODE_COUNT).flat_map(|a| (0..NODE_COUNT).map(move |b| (a, b))).filter(|&(a, b)| cross(a, b)).collect();
    assert_eq!(cross_pairs.len(), 2 * 6 * 6, "groups are not an even split");
    assert_eq!(cut_pairs, cross_pairs, "the cut pairs are not exactly the cross-group pairs");

    // No delivery across groups in [start, heal).
    for (at, observed) in &result.recorder.log {
        if let Observed::Deliver { from, to, .. } = *observed {
            assert!(
                !(cross(from, to) && *at >= start && *at < heal),
                "{from} → {to} delivered across the partition at {at}"
            );
        }
    }

    // Every probe's fate: cut if sent or arriving within [start, heal) across groups.
    let arrivals = result.probe_arrivals();
    let cut_probes: BTreeSet<u32> = result
        .toy
        .drops
        .iter()
        .filter_map(|&(msg, _, _, cause)| match msg {
            Msg::Probe { index, .. } if cause == DropCause::Partition => Some(index),
            _ => None,
        })
        .collect();
    let during = |t: SimTime| t >= start && t < heal;
    let (mut cut_in_flight, mut crossed_after_heal) = (0, 0);
    for (index, probe) in result.toy.probes.iter().enumerate() {
        let arrival = probe.sent_at.plus(LATENCY_NS);
        let expected = if cross(probe.from, probe.to) && (during(probe.sent_at) || during(arrival)) {
            Fate::Cut
        } else {
            Fate::Delivered
        };
        let actual = match (arrivals[index], cut_probes.contains(&(index as u32))) {
            (Some(at), false) => {
                assert_eq!(at, arrival);
                Fate::Delivered
            }
            (None, true) => Fate::Cut,
            other => panic!("probe {index} {probe:?}: delivered and cut both or neither: {other:?}"),
        };
        assert_eq!(actual, expected, "probe {index} {probe:?}");
        if expected == Fate::Cut && probe.sent_at < start {
            cut_in_flight += 1;
        }
        if cross(probe.from, probe.to) && arrival >= heal && actual == Fate::Delivered {
            crossed_after_heal += 1;
        }
    }
    assert!(cut_in_flight > 0, "no message was in flight across the cut when it started");
    assert!(crossed_after_heal > 0, "nothing crossed after the partition healed");
}

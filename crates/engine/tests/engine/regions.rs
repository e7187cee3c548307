//! The region model: every message takes at least its region pair's base delay.

use crate::toy::{TickAction, ToyConfig, ms, run};
use gossim_engine::network::LatencyRule;
use gossim_engine::{EngineConfig, LatencyDist, LatencyModel, RegionModel};

const NODE_COUNT: u32 = 20;
const SEED: u64 = 51;
const JITTER_MAX_NS: u64 = 5_000_000;

#[test]
fn messages_between_regions_take_at_least_the_matrix_base_delay() {
    // Asymmetric on purpose, so a swapped index shows up.
    let base_ns = vec![vec![2_000_000, 40_000_000], vec![60_000_000, 3_000_000]];
    let model = LatencyModel::Regions(RegionModel {
        names: vec!["west".into(), "east".into()],
        shares: vec![0.5, 0.5],
        base_ns: base_ns.clone(),
        jitter: LatencyDist::Uniform { min_ns: 0, max_ns: JITTER_MAX_NS },
    });
    let mut config = EngineConfig::new(SEED);
    config.network.latency = model.clone();
    let toy = ToyConfig::quiet(NODE_COUNT).ticking(20_000_000, ms(200), TickAction::ProbeAll);
    let result = run(config, toy, &[]);

    // The engine assigns regions from their own network stream; rebuild that
    // assignment. The upper bound below also checks the rebuild is right.
    let mut regions_stream = gossim_engine::network::network_stream(SEED, gossim_engine::network::streams::REGIONS);
    let rule = LatencyRule::new(model, NODE_COUNT, &mut regions_stream);
    let east_count = (0..NODE_COUNT).filter(|&n| rule.region_of(n) == 1).count();
    assert_eq!(east_count, 10);

    let mut pair_counts = [[0u32; 2]; 2];
    for (probe, arrival) in result.toy.probes.iter().zip(result.probe_arrivals()) {
        let delay = arrival.expect("no loss configured").as_nanos() - probe.sent_at.as_nanos();
        let (a, b) = (rule.region_of(probe.from) as usize, rule.region_of(probe.to) as usize);
        let base = base_ns[a][b];
        assert!(delay >= base, "{probe:?}: {delay} ns under the {a}→{b} base {base} ns");
        assert!(delay <= base + JITTER_MAX_NS, "{probe:?}: {delay} ns over {a}→{b} base plus jitter");
        pair_counts[a][b] += 1;
    }
    assert!(pair_counts.iter().flatten().all(|&c| c > 0), "some region pair carried nothing: {pair_counts:?}");
}

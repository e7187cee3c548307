//! Serialization delay: a node's uplink sends one message after another.

use crate::toy::{Input, ToyConfig, config_with_latency, ms, run};
use gossim_engine::{LatencyDist, SimTime};

#[test]
fn a_burst_from_one_node_arrives_spaced_by_the_serialization_delay() {
    // 1000 bytes at 10⁶ bytes/s take 1 ms on the wire; propagation adds 20 ms.
    let mut config = config_with_latency(41, LatencyDist::Constant { value_ns: 20_000_000 });
    config.network.upload_bytes_per_sec = Some(1_000_000);
    let inputs = [
        (SimTime::ZERO, Input::Probes { from: 0, to: vec![1, 2, 3, 1, 2, 3, 1, 2], bytes: 1_000 }),
        // Another sender's uplink is its own: no queueing behind node 0.
        (SimTime::ZERO, Input::Probes { from: 1, to: vec![0, 2, 3], bytes: 1_000 }),
        // Node 0's uplink is idle again by 100 ms; half-size probes take 0.5 ms.
        (ms(100), Input::Probes { from: 0, to: vec![2, 3], bytes: 500 }),
    ];
    let result = run(config, ToyConfig::quiet(4), &inputs);

    let arrivals: Vec<u64> =
        result.probe_arrivals().iter().map(|a| a.expect("every probe arrives").as_nanos()).collect();
    let ms_ns = SimTime::NANOS_PER_MILLI;
    let mut expected: Vec<u64> = (1..=8).map(|k| 20 * ms_ns + k * ms_ns).collect();
    expected.extend((1..=3).map(|k| 20 * ms_ns + k * ms_ns));
    expected.extend([120 * ms_ns + ms_ns / 2, 121 * ms_ns]);
    assert_eq!(arrivals, expected);
}

//! Sweep plans and summaries without running a simulation: plans built from a small
//! scenario, run directories written by hand with chosen metrics, and the tables
//! `finalize` derives from them checked against numbers computed by hand.

use gossim_report::csv::read_csv;
use gossim_scenario::{Loaded, load_str};
use gossim_sim::sweep::{Axis, SweepPlan, finalize, run_seed};
use serde_json::{Value, json};
use std::path::Path;

const SCENARIO: &str = r#"{
  "name": "hand",
  "seed": 11,
  "nodes": 20,
  "topology": {"kind": "random_regular", "degree": 4},
  "protocol": {"kind": "push", "fanout": 2},
  "workload": {"transactions": 3}
}"#;

fn base() -> Loaded {
    load_str(SCENARIO, "hand.json", &[]).unwrap()
}

fn fanout_axis(values: &[u64]) -> Axis {
    Axis { path: "protocol.fanout".into(), values: values.iter().map(|&v| json!(v)).collect() }
}

/// Writes `runs/<id>/metrics.json` for a planned run, as a finished run would.
fn write_metrics(dir: &Path, id: &str, metrics: &Value) {
    let run_dir = dir.join("runs").join(id);
    std::fs::create_dir_all(&run_dir).unwrap();
    std::fs::write(run_dir.join("metrics.json"), serde_json::to_vec_pretty(metrics).unwrap()).unwrap();
}

fn number(text: &str) -> f64 {
    text.parse().unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

#[test]
fn summary_confidence_interval_matches_a_hand_computed_t_interval() {
    let plan = SweepPlan::new(&base(), vec![fanout_axis(&[2, 3])], 5).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Setting 0: t90 = 10, 12, 14, 16, 18. Setting 1: a single measured t90 (the
    // other runs never reached 90%, so their t90 is null).
    for run in &plan.runs {
        let t90 = match run.point {
            0 => json!(10.0 + 2.0 * f64::from(run.seed_index)),
            _ if run.seed_index == 0 => json!(20.0),
            _ => Value::Null,
        };
        write_metrics(dir.path(), &run.id, &json!({"t90_ms": t90, "reliability": 1.0, "stop_reason": "converged"}));
    }
    finalize(dir.path(), &plan, false).unwrap();
    let summary = read_csv(&dir.path().join("summary.csv")).unwrap();
    let cell = |row: usize, column: &str| summary.rows[row][summary.column_index(column).unwrap()].clone();
    assert_eq!(summary.rows.len(), 2, "one row per setting");

    // mean = 14; sd = sqrt(sum of squared deviations / (n − 1)) = sqrt(40 / 4) = sqrt(10);
    // CI = mean ∓ t(0.975, 4) · sd / sqrt(n) with t(0.975, 4) = 2.776445105197799.
    let sd = 10f64.sqrt();
    assert_eq!(sd, 3.1622776601683795);
    let half_width = 2.776_445_105_197_799 * sd / 5f64.sqrt();
    assert_eq!(cell(0, "t90_ms_n"), "5");
    assert!(close(number(&cell(0, "t90_ms_mean")), 14.0), "{}", cell(0, "t90_ms_mean"));
    assert!(close(number(&cell(0, "t90_ms_sd")), sd), "{}", cell(0, "t90_ms_sd"));
    assert!(close(number(&cell(0, "t90_ms_ci95_lo")), 14.0 - half_width), "{}", cell(0, "t90_ms_ci95_lo"));
    assert!(close(number(&cell(0, "t90_ms_ci95_hi")), 14.0 + half_width), "{}", cell(0, "t90_ms_ci95_hi"));

    // One value: a mean, but no spread and no interval rather than a zero-width one.
    assert_eq!(cell(1, "t90_ms_n"), "1");
    assert_eq!(number(&cell(1, "t90_ms_mean")), 20.0);
    assert_eq!([cell(1, "t90_ms_sd"), cell(1, "t90_ms_ci95_lo"), cell(1, "t90_ms_ci95_hi")], ["", "", ""]);

    // Identical values: zero spread, a zero-width interval.
    assert_eq!(
        [cell(0, "reliability_sd"), cell(0, "reliability_ci95_lo"), cell(0, "reliability_ci95_hi")],
        ["0", "1", "1"]
    );

    // runs.csv: one row per run in plan order, the swept value and the seed beside the metrics.
    let runs = read_csv(&dir.path().join("runs.csv")).unwrap();
    assert_eq!(runs.header[..5], ["run", "point", "protocol.fanout", "seed_index", "seed"]);
    let ids: Vec<&str> = runs.rows.iter().map(|r| r[0].as_str()).collect();
    let planned: Vec<&str> = plan.runs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, planned);
    assert_eq!(runs.rows[2][runs.column_index("t90_ms").unwrap()], "14");
    assert_eq!(runs.rows[6][runs.column_index("t90_ms").unwrap()], "", "a null metric is an empty field");
}

#[test]
fn points_that_differ_only_in_the_swept_value_share_seeds() {
    let plan = SweepPlan::new(&base(), vec![fanout_axis(&[2, 3, 4])], 4).unwrap();
    assert_eq!(plan.runs.len(), 12);
    for run in &plan.runs {
        assert_eq!(run.seed, run_seed(11, run.seed_index), "{}", run.id);
        let resolved = plan.scenario_of(run).unwrap();
        assert_eq!(resolved.scenario.seed, run.seed);
        assert_eq!(resolved.resolved_json["protocol"]["fanout"], run.values[0]);
    }
    let seeds_of =
        |point: usize| -> Vec<u64> { plan.runs.iter().filter(|r| r.point == point).map(|r| r.seed).collect() };
    assert_eq!(seeds_of(0), seeds_of(1));
    assert_eq!(seeds_of(0), seeds_of(2));
    let mut distinct = seeds_of(0);
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "each seed index has its own seed");
    // The seeds depend on the scenario seed alone, not on the axes.
    let other = SweepPlan::new(&base(), vec![fanout_axis(&[6])], 4).unwrap();
    assert_eq!(other.runs.iter().map(|r| r.seed).collect::<Vec<_>>(), seeds_of(0));
}

#[test]
fn every_run_of_a_sweep_resolves_to_a_valid_runnable_scenario() {
    // Values that are not plain numbers (a string, objects) and a path ending in an
    // array index still give run ids that are directory names and scenario names.
    let axes = vec![
        Axis { path: "protocol.fanout".into(), values: vec![json!("all"), json!(3)] },
        Axis {
            path: "network.loss".into(),
            values: vec![json!({"kind": "none"}), json!({"kind": "bernoulli", "p": 0.1})],
        },
    ];
    let plan = SweepPlan::new(&base(), axes, 2).unwrap();
    assert_eq!(plan.runs.len(), 8);
    for run in &plan.runs {
        let loaded = plan.scenario_of(run).unwrap_or_else(|e| panic!("{}: {e}", run.id));
        assert!(run.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{}", run.id);
        assert!(loaded.scenario.name.starts_with("hand."), "{}", loaded.scenario.name);
        assert!(loaded.scenario.name.ends_with(&run.id), "{}", loaded.scenario.name);
        // The resolved file of a run loads again on its own (as `gossim run` would).
        let text = serde_json::to_string(&loaded.resolved_json).unwrap();
        let again = load_str(&text, &run.id, &[]).unwrap();
        assert_eq!(again.resolved_json, loaded.resolved_json);
    }
    let ids: std::collections::BTreeSet<&str> = plan.runs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), plan.runs.len(), "run ids are distinct");

    let indexed =
        vec![Axis { path: "faults[0]".into(), values: vec![json!({"kind": "crash", "at": "1s", "count": 1})] }];
    let with_fault = load_str(
        SCENARIO
            .replace(r#""workload""#, r#""faults": [{"kind": "crash", "at": "2s", "count": 2}], "workload""#)
            .as_str(),
        "f.json",
        &[],
    )
    .unwrap();
    let plan = SweepPlan::new(&with_fault, indexed, 1).unwrap();
    let run = &plan.runs[0];
    assert!(!run.id.contains('['), "{}", run.id);
    plan.scenario_of(run).unwrap_or_else(|e| panic!("{}: {e}", run.id));
}

#[test]
fn shards_split_the_runs_into_disjoint_round_robin_slices() {
    let plan = SweepPlan::new(&base(), vec![fanout_axis(&[2, 3, 4])], 3).unwrap();
    let mut seen: Vec<usize> = Vec::new();
    for index in 0..4 {
        let shard = plan.shard(index, 4);
        assert!(shard.iter().all(|r| r.index % 4 == index as usize));
        seen.extend(shard.iter().map(|r| r.index));
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..9).collect::<Vec<_>>());
}

#[test]
fn finalize_names_the_missing_runs_instead_of_summarising_part_of_a_sweep() {
    let plan = SweepPlan::new(&base(), vec![fanout_axis(&[2, 3])], 2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for run in plan.runs.iter().skip(1) {
        write_metrics(dir.path(), &run.id, &json!({"t90_ms": 1.0}));
    }
    let error = finalize(dir.path(), &plan, false).unwrap_err().to_string();
    assert!(error.contains("1 of 4 runs are missing"), "{error}");
    assert!(error.contains(&plan.runs[0].id), "{error}");
    assert!(!dir.path().join("summary.csv").exists());
}

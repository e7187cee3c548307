//! Scenario files: the shipped examples, broken files and their messages, overrides,
//! sweeps, the schema and the memory estimate.

use gossim_engine::{LatencyDist, LatencyModel, LossModel, NodeFaultSpec, NodeSelection, SimTime, TopologySpec};
use gossim_node::{Fanout, Forward, ProtocolKind, Rounds};
use gossim_scenario::{
    AT_LEAST_ONE, Arrival, Loaded, Origin, ScenarioError, StopWhen, estimate_memory, from_value, json_schema,
    load_file, load_str,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/validation"] {
        let Ok(entries) = std::fs::read_dir(repo_root().join(dir)) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn load_shipped(name: &str) -> Loaded {
    let path = repo_root().join("scenarios").join(format!("{name}.json"));
    load_file(&path, &[]).unwrap_or_else(|e| panic!("{e}"))
}

const MINIMAL: &str = r#"{"name": "minimal", "nodes": 10, "protocol": {"kind": "push"}}"#;

fn errors_of(text: &str, sets: &[&str]) -> Vec<ScenarioError> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match load_str(text, "bad.json", &sets) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(errors) => {
            assert_eq!(errors.file, "bad.json");
            errors.errors
        }
    }
}

/// The 1-based line and column where `needle` first occurs in `text`.
fn pos_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column)
}

#[track_caller]
fn assert_has(errors: &[ScenarioError], path: &str, at: Option<(usize, usize)>, message_part: &str) {
    let found = errors.iter().any(|e| {
        e.path == path
            && at.is_none_or(|(l, c)| e.line == Some(l) && e.column == Some(c))
            && e.message.contains(message_part)
    });
    assert!(found, "no error at {path} {at:?} containing {message_part:?}; got:\n{errors:#?}");
}

mod shipped_examples {
    use super::*;

    /// A protocol variant's name and a test for it.
    type KindCheck = (&'static str, fn(&ProtocolKind) -> bool);

    #[test]
    fn every_example_loads_and_its_resolved_file_round_trips() {
        let files = shipped_scenarios();
        assert!(files.len() >= 20, "expected the shipped examples, found {files:?}");
        for path in files {
            let loaded = load_file(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
            let again = from_value(loaded.resolved_json.clone(), "resolved").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(again.scenario, loaded.scenario, "{}", path.display());
            assert_eq!(again.resolved_json, loaded.resolved_json, "{}", path.display());
            // Through text too, as results/<name>/scenario.json is read back.
            let text = serde_json::to_string_pretty(&loaded.resolved_json).unwrap();
            let reread = load_str(&text, "scenario.json", &[]).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(reread.scenario, loaded.scenario, "{}", path.display());
        }
    }

    #[test]
    fn every_example_is_named_after_its_file_and_described() {
        for path in shipped_scenarios() {
            let loaded = load_file(&path, &[]).unwrap();
            let stem = path.file_stem().unwrap().to_str().unwrap();
            assert_eq!(loaded.scenario.name, stem);
            let description = &loaded.scenario.description;
            assert!(!description.is_empty() && !description.contains('\n'), "{stem}: one-line description");
            if stem != "million-push" {
                assert!(loaded.scenario.nodes <= 2000, "{stem} is too big to run in seconds");
                assert!(loaded.scenario.workload.transactions <= 200, "{stem} has too many transactions");
            }
        }
    }

    #[test]
    fn the_examples_cover_every_protocol_and_fault() {
        let all: Vec<Loaded> = shipped_scenarios().iter().map(|p| load_file(p, &[]).unwrap()).collect();
        let any = |f: &dyn Fn(&Loaded) -> bool| all.iter().any(f);
        let kinds: [KindCheck; 8] = [
            ("push once", |k| matches!(k, ProtocolKind::Push { forward: Forward::Once })),
            ("push periodic", |k| matches!(k, ProtocolKind::Push { forward: Forward::Periodic })),
            ("pull", |k| matches!(k, ProtocolKind::Pull)),
            ("push_pull", |k| matches!(k, ProtocolKind::PushPull)),
            ("announce", |k| matches!(k, ProtocolKind::Announce { .. })),
            ("anti_entropy", |k| matches!(k, ProtocolKind::AntiEntropy)),
            ("rumor", |k| matches!(k, ProtocolKind::Rumor { .. })),
            ("central", |k| matches!(k, ProtocolKind::Central { .. })),
        ];
        for (name, is) in kinds {
            assert!(any(&|l| is(&l.scenario.node.protocol.kind)), "no example of {name}");
        }
        assert!(any(&|l| matches!(l.scenario.engine.network.loss, LossModel::Bernoulli { .. })));
        assert!(any(&|l| matches!(l.scenario.engine.network.loss, LossModel::GilbertElliott { .. })));
        assert!(any(&|l| matches!(l.scenario.engine.network.latency, LatencyModel::Regions(_))));
        assert!(any(&|l| l
            .scenario
            .engine
            .faults
            .iter()
            .any(|f| matches!(f, NodeFaultSpec::Crash { recover_after_ns: Some(_), .. }))));
        assert!(any(&|l| l.scenario.engine.faults.iter().any(|f| matches!(f, NodeFaultSpec::Churn { .. }))));
        assert!(any(&|l| l.scenario.engine.network.partitions.iter().any(|p| p.heal != SimTime::MAX)));
        for policy in [gossim_ledger::ConflictPolicy::FirstSeen, gossim_ledger::ConflictPolicy::LowestId] {
            assert!(any(
                &|l| l.scenario.workload.double_spend_fraction > 0.0 && l.scenario.node.conflict_policy == policy
            ));
        }
        for tag in [gossim_scenario::TAG_DROP, gossim_scenario::TAG_TAMPER, gossim_scenario::TAG_EQUIVOCATE] {
            assert!(any(&|l| l.scenario.engine.misbehaviour.iter().any(|m| m.tag == tag)), "no misbehaviour {tag}");
        }
    }

    #[test]
    fn quickstart_is_push_on_a_thousand_nodes_with_repair() {
        let s = load_shipped("quickstart").scenario;
        assert_eq!(s.nodes, 1000);
        assert_eq!(s.topology, TopologySpec::RandomRegular { degree: 8 });
        assert_eq!(s.node.protocol.kind, ProtocolKind::Push { forward: Forward::Once });
        assert_eq!(s.node.protocol.fanout, Fanout::Fixed { count: 4 });
        assert!(s.node.protocol.repair.is_some());
        assert!(matches!(
            s.engine.network.latency,
            LatencyModel::Global { dist: LatencyDist::Lognormal { median_ns: 80_000_000, .. } }
        ));
        assert_eq!(s.engine.network.loss, LossModel::Bernoulli { p: 0.01 });
        assert_eq!(s.workload.transactions, 50);
        assert_eq!(s.stop.when, StopWhen::Converged);
    }

    #[test]
    fn million_push_matches_its_brief() {
        let s = load_shipped("million-push").scenario;
        assert_eq!(s.nodes, 1_000_000);
        assert_eq!(s.workload.transactions, 1);
        assert_eq!(s.topology, TopologySpec::RandomRegular { degree: 16 });
        assert_eq!(s.node.protocol.kind, ProtocolKind::Push { forward: Forward::Once });
        assert_eq!(s.node.protocol.fanout, Fanout::Fixed { count: 8 });
    }
}

mod resolution {
    use super::*;

    #[test]
    fn a_minimal_file_takes_every_default() {
        let loaded = load_str(MINIMAL, "minimal.json", &[]).unwrap();
        let s = &loaded.scenario;
        assert_eq!(s.seed, 1);
        assert_eq!(s.engine.seed, s.seed);
        assert_eq!(s.topology, TopologySpec::Complete);
        assert_eq!(s.node.protocol.fanout, Fanout::Fixed { count: 4 });
        assert!(s.node.protocol.exclude_sender);
        assert_eq!(s.node.protocol.rounds, Rounds::Forever);
        assert_eq!(s.node.protocol.repair, None);
        assert_eq!(s.stop.at_ns, 60_000_000_000);
        assert_eq!(s.engine.limits.max_time, SimTime(s.stop.at_ns));
        assert_eq!(s.engine.limits.max_events, s.stop.max_events);
        assert_eq!(s.workload.arrival, Arrival::Poisson { rate_per_sec: 10.0 });
        assert_eq!(s.workload.origin, Origin::Random);
        assert_eq!(s.genesis.accounts, s.workload.accounts);
        assert_eq!(s.report.sample_interval_ns, None);
        // A quarter of the default 50 ms constant latency.
        assert_eq!(s.engine.bucket_width_ns, 12_500_000);
        // The resolved file spells out what applies to push, and nothing else.
        let protocol = &loaded.resolved_json["protocol"];
        assert_eq!(protocol["forward"], json!("once"));
        assert_eq!(protocol["period"], json!("1s"));
        assert!(protocol.get("servers").is_none() && protocol.get("k").is_none());
    }

    #[test]
    fn the_issue_example_resolves_in_nanoseconds() {
        let text = r#"{
          "name": "push-fanout4-lossy", "seed": 7, "nodes": 10000,
          "topology": {"kind": "random_regular", "degree": 8},
          "network": {"latency": {"kind": "lognormal", "median": "80ms", "sigma": 0.6},
                      "loss": {"kind": "bernoulli", "p": 0.01}},
          "protocol": {"kind": "push", "fanout": 4, "forward": "once"},
          "workload": {"transactions": 200, "accounts": 1000,
                       "arrival": {"kind": "poisson", "rate_per_s": 50}, "double_spend_fraction": 0.0},
          "faults": [{"kind": "crash", "at": "2s", "fraction": 0.1},
                     {"kind": "partition", "at": "5s", "heal_at": "15s", "groups": [0.5, 0.5]}],
          "stop": {"at": "60s", "when": "converged"}
        }"#;
        let s = load_str(text, "issue.json", &[]).unwrap().scenario;
        assert_eq!(s.engine.seed, 7);
        assert_eq!(
            s.engine.faults,
            vec![NodeFaultSpec::Crash {
                at: SimTime(2_000_000_000),
                select: NodeSelection::Fraction { fraction: 0.1 },
                recover_after_ns: None,
                wipe: false
            }]
        );
        let partition = &s.engine.network.partitions[0];
        assert_eq!((partition.start, partition.heal), (SimTime(5_000_000_000), SimTime(15_000_000_000)));
        assert_eq!(s.stop.at_ns, 60_000_000_000);
    }

    #[test]
    fn kind_may_come_after_the_other_keys() {
        let text = r#"{"name": "k", "nodes": 10, "protocol": {"fanout": 2, "kind": "push"},
                       "topology": {"degree": 4, "kind": "random_regular"}}"#;
        let s = load_str(text, "k.json", &[]).unwrap().scenario;
        assert_eq!(s.topology, TopologySpec::RandomRegular { degree: 4 });
    }

    #[test]
    fn every_spelling_of_fanout_period_and_rounds_resolves() {
        let text = r#"{"name": "f", "nodes": 10, "protocol": {"kind": "push_pull",
            "fanout": {"kind": "poisson", "mean": 2.5}, "period": {"kind": "exponential", "mean": "1.5s"},
            "rounds": 7, "repair": {"period": "250us", "phase": "aligned"}},
            "network": {"upload_bandwidth": "10Mbit/s"}}"#;
        let s = load_str(text, "f.json", &[]).unwrap().scenario;
        let p = &s.node.protocol;
        assert_eq!(p.fanout, Fanout::Poisson { mean: 2.5 });
        assert_eq!(p.timing.period, gossim_node::Period::Exponential { mean_ns: 1_500_000_000 });
        assert_eq!(p.rounds, Rounds::Count(7));
        assert_eq!(p.repair.unwrap().period, gossim_node::Period::Fixed { period_ns: 250_000 });
        assert_eq!(s.engine.network.upload_bytes_per_sec, Some(1_250_000));
    }
}

mod broken_files {
    use super::*;

    #[test]
    fn a_negative_fanout_names_path_line_and_column() {
        let text = "{\n  \"name\": \"bad\",\n  \"seed\": 7,\n  \"nodes\": 100,\n  \"topology\": {\"kind\": \"random_regular\", \"degree\": 8},\n  \"network\": {\"latency\": {\"kind\": \"constant\", \"value\": \"80ms\"}},\n  \"protocol\": {\n    \"kind\": \"push\",\n      \"fanout\": -2,\n    \"forward\": \"once\"\n  }\n}\n";
        let errors = load_str(text, "bad.json", &[]).unwrap_err();
        assert_eq!(errors.to_string(), "bad.json:9:17: protocol.fanout: expected an integer ≥ 1, found -2");
    }

    #[test]
    fn keys_that_start_at_one_say_so_for_zero_and_for_negative_values() {
        let rumor = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "rumor", "k": 2}}"#;
        for &path in AT_LEAST_ONE {
            for (value, expected) in
                [("0", "expected an integer ≥ 1, found 0"), ("-3", "expected an integer from 1 to")]
            {
                let errors = errors_of(rumor, &[&format!("{path}={value}")]);
                assert_has(&errors, path, None, expected);
            }
        }
    }

    #[test]
    fn a_wrong_type_says_what_was_expected_and_found() {
        let text = r#"{"name": "x", "nodes": "many", "protocol": {"kind": "push"}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "nodes", Some(pos_of(text, "\"many\"")), "found \"many\"");
        assert_has(&errors, "nodes", None, "expected an integer");
    }

    #[test]
    fn an_unknown_key_lists_the_allowed_ones_and_suggests_the_closest() {
        let text = "{\"name\": \"x\", \"nodes\": 10,\n \"protocol\": {\"kind\": \"push\", \"fanot\": 3}}";
        let errors = errors_of(text, &[]);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_has(&errors, "protocol.fanot", Some((2, 31)), "unknown key `fanot`");
        assert_has(&errors, "protocol.fanot", None, "allowed: kind, fanout,");
        assert_has(&errors, "protocol.fanot", None, "did you mean `fanout`?");
    }

    #[test]
    fn a_misspelt_required_key_is_reported_once() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "push"}, "topology": {"kind": "random_regular", "degre": 4}}"#;
        let errors = errors_of(text, &[]);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_has(&errors, "topology.degre", Some(pos_of(text, "\"degre\"")), "did you mean `degree`?");
    }

    #[test]
    fn a_bad_duration_unit_is_named() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "push", "period": "80sec"}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "protocol.period", Some(pos_of(text, "\"80sec\"")), "unknown unit");
        assert_has(&errors, "protocol.period", None, "units: ns, us, ms, s, m, h");
    }

    #[test]
    fn a_probability_above_one_is_rejected() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "push"},
                       "network": {"loss": {"kind": "bernoulli", "p": 1.5}}}"#;
        let errors = errors_of(text, &[]);
        assert_has(
            &errors,
            "network.loss.p",
            Some(pos_of(text, "1.5")),
            "expected a probability between 0 and 1, found 1.5",
        );
    }

    #[test]
    fn shares_must_sum_to_one() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "push"},
                       "faults": [{"kind": "partition", "at": "1s", "groups": [0.5, 0.3]}]}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "faults[0].groups", Some(pos_of(text, "[0.5")), "shares must sum to 1, found 0.8");
    }

    #[test]
    fn an_unknown_protocol_kind_suggests_the_closest() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "pushpull"}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "protocol.kind", Some(pos_of(text, "\"pushpull\"")), "unknown kind `pushpull`");
        assert_has(&errors, "protocol.kind", None, "did you mean `push_pull`?");
    }

    #[test]
    fn a_missing_required_key_points_at_its_object() {
        let text = "{\"name\": \"x\", \"protocol\": {\"kind\": \"push\"},\n \"topology\": {\"kind\": \"ring\"}}";
        let errors = errors_of(text, &[]);
        assert_has(&errors, "", Some((1, 1)), "missing required key `nodes`");
        assert_has(&errors, "topology", Some((2, 14)), "missing required key `k`");
    }

    #[test]
    fn a_syntax_error_has_serde_json_line_and_column() {
        let text = "{\n  \"name\": \"x\",\n  \"nodes\": 10,\n}";
        let errors = errors_of(text, &[]);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (Some(4), Some(1)));
        assert!(errors[0].message.starts_with("invalid JSON: trailing comma"), "{errors:#?}");
    }

    #[test]
    fn a_bad_set_names_the_set_it_came_from() {
        let errors = errors_of(MINIMAL, &["protocol.fanout=-2"]);
        assert_has(
            &errors,
            "protocol.fanout",
            None,
            "expected an integer ≥ 1, found -2 (from --set protocol.fanout=-2)",
        );
        assert_eq!(errors[0].line, None);
        let errors = errors_of(MINIMAL, &["protocol.fanout"]);
        assert_has(&errors, "", None, "expected PATH=VALUE");
        let errors = errors_of(MINIMAL, &["name.first=1"]);
        assert_has(&errors, "", None, "`name` is a string, not an object");
    }

    #[test]
    fn a_region_matrix_of_the_wrong_size_is_rejected() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "push"},
          "network": {"latency": {"kind": "regions",
            "regions": [{"name": "eu", "share": 0.5}, {"name": "us", "share": 0.5}],
            "matrix": [["10ms", "80ms"], ["80ms"]]}}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "network.latency.matrix[1]", Some(pos_of(text, "[\"80ms\"]")), "expected 2 delays");
    }

    #[test]
    fn a_degree_of_at_least_nodes_is_rejected() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "push"},
                       "topology": {"kind": "random_regular", "degree": 10}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "topology.degree", Some(pos_of(text, "10}")), "less than nodes (10), found 10");
    }

    #[test]
    fn several_problems_are_reported_together_in_file_order() {
        let text = r#"{
  "name": "several",
  "nodes": 99,
  "topology": {"kind": "random_regular", "degree": 7},
  "network": {"latency": {"kind": "uniform", "min": "5ms", "max": "1ms"}, "loss": {"kind": "bernoulli", "p": -0.1}},
  "protocol": {"kind": "pull", "forward": "once", "fanout": 0},
  "workload": {"transactions": "ten", "double_spend_fraction": 2},
  "faults": [
    {"kind": "crash", "at": 5, "fraction": 0.1},
    {"kind": "crash", "at": "1s", "fraction": 0.1, "count": 3},
    {"kind": "crash", "at": "1s", "ids": [100]}
  ],
  "stop": {"at": "0s"}
}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "network.latency.max", Some((5, 67)), "expected at least min (5ms)");
        assert_has(&errors, "network.loss.p", Some((5, 110)), "found -0.1");
        assert_has(&errors, "protocol.fanout", Some((6, 61)), "expected an integer ≥ 1, found 0");
        assert_has(&errors, "workload.transactions", Some((7, 32)), "found \"ten\"");
        assert_has(&errors, "workload.double_spend_fraction", Some((7, 64)), "found 2");
        assert_has(&errors, "faults[0].at", Some((9, 29)), "found 5");
        // Indices stay those of the file although faults[0] was set aside.
        assert_has(&errors, "faults[1].count", Some((10, 61)), "give only one of");
        assert_has(&errors, "faults[2].ids[0]", Some((11, 43)), "below nodes (99), found 100");
        assert_has(&errors, "stop.at", Some((13, 18)), "expected a duration > 0");
        // `forward` on pull and an odd nodes × degree are found in the same pass; the
        // repaired fanout hides no other protocol problem.
        assert_has(&errors, "protocol.forward", Some((6, 43)), "does not apply to kind pull");
        assert_has(&errors, "topology.degree", Some((4, 52)), "must be even");
        let positions: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
        let mut sorted = positions.clone();
        sorted.sort();
        assert_eq!(positions, sorted, "errors come in file order");
        let shown = load_str(text, "several.json", &[]).unwrap_err().to_string();
        assert_eq!(shown.lines().count(), errors.len());
        assert!(shown.lines().all(|line| line.starts_with("several.json:")), "{shown}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let text = r#"{"name": "x", "nodes": 10, "nodes": 20, "protocol": {"kind": "push"}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "nodes", Some((1, 28)), "duplicate key `nodes`");
    }

    #[test]
    fn keys_of_another_protocol_kind_are_rejected() {
        let text = r#"{"name": "x", "nodes": 10, "protocol": {"kind": "central", "fanout": 3, "servers": [0, 12]}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "protocol.fanout", Some(pos_of(text, "3,")), "does not apply to kind central");
        assert_has(&errors, "protocol.servers[1]", Some(pos_of(text, "12]")), "below nodes (10), found 12");
    }

    #[test]
    fn a_document_that_is_not_an_object_is_rejected() {
        let errors = errors_of("[1, 2]", &[]);
        assert_has(&errors, "", Some((1, 1)), "expected an object, found an array");
    }
}

mod overrides {
    use super::*;

    #[test]
    fn set_overrides_any_field_by_path() {
        let sets = ["protocol.fanout=6", "network.latency.median=50ms", "faults[0].at=3s", "report.charts=false"];
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let s = load_file(&repo_root().join("scenarios/crash-recovery.json"), &sets).unwrap().scenario;
        assert_eq!(s.node.protocol.fanout, Fanout::Fixed { count: 6 });
        assert!(matches!(
            s.engine.network.latency,
            LatencyModel::Global { dist: LatencyDist::Lognormal { median_ns: 50_000_000, .. } }
        ));
        assert!(matches!(s.engine.faults[0], NodeFaultSpec::Crash { at: SimTime(3_000_000_000), .. }));
        assert!(!s.report.charts);
    }

    #[test]
    fn a_set_value_that_is_not_json_is_a_string() {
        let loaded = load_str(MINIMAL, "m.json", &["protocol.fanout=all".to_string()]).unwrap();
        assert_eq!(loaded.scenario.node.protocol.fanout, Fanout::All);
        assert_eq!(loaded.resolved_json["protocol"]["fanout"], json!("all"));
    }

    #[test]
    fn set_path_builds_sweep_variants_from_a_resolved_file() {
        let base = load_shipped("quickstart").resolved_json;
        let mut variant = base.clone();
        gossim_scenario::set_path(&mut variant, "network.loss.p", json!(0.2)).unwrap();
        let s = from_value(variant, "variant").unwrap().scenario;
        assert_eq!(s.engine.network.loss, LossModel::Bernoulli { p: 0.2 });
        let mut bad = base;
        gossim_scenario::set_path(&mut bad, "protocol.fanout", json!(0)).unwrap();
        let errors = from_value(bad, "variant").unwrap_err();
        assert_eq!(errors.to_string(), "variant: protocol.fanout: expected an integer ≥ 1, found 0");
    }
}

mod sweeps {
    use super::*;

    #[test]
    fn a_sweep_keeps_its_paths_in_file_order() {
        let sweep = load_shipped("sweep-fanout").scenario.sweep.unwrap();
        assert_eq!(sweep.seeds, 5);
        let paths: Vec<&str> = sweep.vary.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["protocol.fanout", "network.loss.p"]);
        assert_eq!(sweep.vary[0].1, vec![json!(2), json!(3), json!(4), json!(6), json!(8)]);
    }

    #[test]
    fn every_sweep_value_must_give_a_valid_scenario() {
        let text = r#"{"name": "s", "nodes": 10, "protocol": {"kind": "push"},
          "sweep": {"protocol.fanout": [2, -1], "network.los.p": [0.1], "seeds": 0}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "sweep.seeds", Some(pos_of(text, "0}}")), "expected an integer ≥ 1");
        // Structural problems first; value checks run once the sweep itself is sound.
        let text = r#"{"name": "s", "nodes": 10, "protocol": {"kind": "push"},
          "sweep": {"protocol.fanout": [2, -1], "network.los.p": [0.1, 0.2], "seeds": 3}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "sweep.protocol.fanout[1]", Some(pos_of(text, "-1")), "expected an integer ≥ 1, found -1");
        assert_has(&errors, "sweep.network.los.p[0]", Some(pos_of(text, "0.1")), "did you mean `loss`?");
        assert_eq!(errors.len(), 2, "one complaint per bad path: {errors:#?}");
    }

    #[test]
    fn name_and_sweep_cannot_be_swept() {
        let text = r#"{"name": "s", "nodes": 10, "protocol": {"kind": "push"}, "sweep": {"name": ["a", "b"]}}"#;
        let errors = errors_of(text, &[]);
        assert_has(&errors, "sweep.name", None, "cannot be swept");
    }
}

mod schema {
    use super::*;

    fn resolve_ref<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => &schema["$defs"][reference.trim_start_matches("#/$defs/")],
            None => node,
        }
    }

    #[test]
    fn every_top_level_key_has_a_description_and_defaults_are_stated() {
        let schema = json_schema();
        let properties = schema["properties"].as_object().unwrap();
        for key in ["name", "seed", "nodes", "topology", "network", "protocol", "workload", "faults", "stop", "sweep"] {
            let property = &properties[key];
            assert!(property["description"].is_string(), "{key} has no description");
        }
        assert_eq!(properties["seed"]["default"], json!(1));
        assert_eq!(properties["stop"]["default"]["when"], json!("converged"));
        assert_eq!(schema["required"], json!(["name", "nodes", "protocol"]));
    }

    #[test]
    fn every_section_key_is_described() {
        let schema = json_schema();
        for section in ["network", "protocol", "ledger", "workload", "stop", "report", "engine"] {
            let def = resolve_ref(&schema, &schema["properties"][section]);
            for (key, property) in def["properties"].as_object().unwrap() {
                assert!(property["description"].is_string(), "{section}.{key} has no description");
            }
        }
        let protocol = resolve_ref(&schema, &schema["properties"]["protocol"]);
        assert_eq!(protocol["properties"]["forward"]["default"], json!("once"));
        assert_eq!(protocol["properties"]["period"]["default"], json!("1s"));
    }
}

mod memory {
    use super::*;

    #[test]
    fn the_million_node_estimate_follows_the_documented_formula() {
        let s = load_shipped("million-push").scenario;
        let estimate = estimate_memory(&s);
        let n: u64 = 1_000_000;
        let part = |name: &str| estimate.parts.iter().find(|(p, _)| *p == name).unwrap().1;
        assert_eq!(part("topology"), 8 * (n + 1) + 4 * n * 16);
        assert_eq!(part("engine"), 8 * n);
        assert_eq!(part("node_state"), 200 * n + 64 * n);
        assert_eq!(part("metrics"), 16 * n + n.div_ceil(8));
        // Push once: min(2·n·8, n·8·1) messages, plus the one workload input.
        assert_eq!(part("event_queue"), 48 * (8 * n) + 48);
        assert_eq!(estimate.total_bytes, estimate.parts.iter().map(|(_, b)| b).sum::<u64>());
        assert!(estimate.total_bytes < 1 << 30, "a million-node push fits in 1 GiB");
    }

    #[test]
    fn the_complete_graph_stores_no_adjacency() {
        let s = load_str(MINIMAL, "m.json", &[]).unwrap().scenario;
        let estimate = estimate_memory(&s);
        assert_eq!(estimate.parts[0], ("topology", 0));
    }
}

mod docs {
    use super::*;

    /// docs/SCENARIO.md shows what a minimal file resolves to; keep it true.
    #[test]
    fn the_documented_defaults_match_the_code() {
        let doc = std::fs::read_to_string(repo_root().join("docs/SCENARIO.md")).unwrap();
        let marker = "<!-- resolved-minimal -->";
        let after = &doc[doc.find(marker).expect("marker in docs/SCENARIO.md") + marker.len()..];
        let start = after.find("```json").unwrap() + "```json".len();
        let end = after[start..].find("```").unwrap();
        let documented: Value = serde_json::from_str(&after[start..start + end]).unwrap();
        let actual = load_str(MINIMAL, "minimal.json", &[]).unwrap().resolved_json;
        assert_eq!(documented, actual);
    }
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any edit of a valid file either loads or gives located errors; it never panics.
        #[test]
        fn mangled_files_never_panic(start in 0usize..2000, len in 0usize..40, insert in "[\\[\\]{}\":,0-9a-z.\\- ]{0,12}") {
            let text = std::fs::read_to_string(repo_root().join("scenarios/crash-recovery.json")).unwrap();
            let start = start.min(text.len());
            let end = (start + len).min(text.len());
            if text.is_char_boundary(start) && text.is_char_boundary(end) {
                let mangled = format!("{}{}{}", &text[..start], insert, &text[end..]);
                if let Err(errors) = load_str(&mangled, "m.json", &[]) {
                    prop_assert!(!errors.errors.is_empty());
                    for error in &errors.errors {
                        prop_assert!(!error.message.is_empty());
                    }
                }
            }
        }

        /// Any `--set` either loads or is reported; it never panics.
        #[test]
        fn arbitrary_overrides_never_panic(arg in "[a-z_.\\[\\]0-9]{0,24}=[\\[\\]{}\":,0-9a-z.\\-]{0,12}") {
            let _ = load_str(MINIMAL, "m.json", &[arg]);
        }
    }
}

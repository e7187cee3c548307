//! `gossim run`, `check`, `schema`, `plot` and `compare`, driven through the release
//! binary as a researcher would: every output goes into a temporary directory.

mod common;

use common::{Csv, arg, assert_same_bytes, entries, gossim, read_json, run, run_ok, workspace};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn quickstart() -> PathBuf {
    workspace().join("scenarios/quickstart.json")
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/validation"] {
        let Ok(read) = std::fs::read_dir(workspace().join(dir)) else { continue };
        files.extend(read.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "json")));
    }
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_passes_check() {
    let files = shipped_scenarios();
    assert!(files.len() >= 15, "found only {files:?}");
    for file in &files {
        // Only checked, never run: one of them has a million nodes.
        let ran = run(&["check", arg(file)]);
        assert_eq!(ran.code, Some(0), "{}:\n{}", file.display(), ran.stderr);
        let resolved: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
        let original = read_json(file);
        assert_eq!(resolved["name"], original["name"], "{}", file.display());
        assert!(ran.stderr.contains("memory estimate:"), "{}", ran.stderr);
    }
}

/// A small valid scenario; each broken case edits one line of it.
const VALID: &str = r#"{
  "name": "bad",
  "seed": 1,
  "nodes": 50,
  "topology": {"kind": "random_regular", "degree": 4},
  "protocol": {"kind": "push", "fanout": 3},
  "workload": {"transactions": 5}
}
"#;

/// A broken scenario: a text edit of `VALID` (or none) plus `--set` arguments, and
/// the `LINE:COLUMN: PATH: MESSAGE` expected after the file name (no position for
/// problems that come from `--set`).
struct Broken {
    name: &'static str,
    replace: (&'static str, &'static str),
    set: &'static [&'static str],
    expected: &'static str,
}

const BROKEN: &[Broken] = &[
    Broken {
        name: "negative-fanout",
        replace: (r#""fanout": 3"#, r#""fanout": -2"#),
        set: &[],
        expected: ":6:42: protocol.fanout: expected an integer ≥ 1, found -2",
    },
    Broken {
        name: "unknown-top-level-key",
        replace: (r#""seed": 1,"#, r#""seed": 1, "sede": 2,"#),
        set: &[],
        expected: ":3:14: sede: unknown key `sede`; allowed: name, description, seed,",
    },
    Broken {
        name: "misspelt-protocol-key",
        replace: (r#""fanout": 3"#, r#""fanout": 3, "fanot": 3"#),
        set: &[],
        expected: ":6:45: protocol.fanot: unknown key `fanot`; allowed: kind, fanout,",
    },
    Broken {
        name: "bad-duration",
        replace: (r#""transactions": 5}"#, r#""transactions": 5, "start": "5 parsecs"}"#),
        set: &[],
        expected: r#":7:44: workload.start: expected a duration string such as "250ms""#,
    },
    Broken {
        name: "probability-above-one",
        replace: (r#""workload": {"transactions": 5}"#, r#""network": {"loss": {"kind": "bernoulli", "p": 1.5}}"#),
        set: &[],
        expected: ":7:50: network.loss.p: expected a probability between 0 and 1, found 1.5",
    },
    Broken {
        name: "syntax-error",
        replace: (r#""nodes": 50,"#, r#""nodes": 50"#),
        set: &[],
        expected: ":5:3: invalid JSON: expected `,` or `}`",
    },
    Broken {
        name: "degree-not-below-nodes",
        replace: (r#""degree": 4"#, r#""degree": 50"#),
        set: &[],
        expected: ":5:52: topology.degree: expected a degree less than nodes (50), found 50",
    },
    Broken {
        name: "wrong-type",
        replace: (r#""nodes": 50,"#, r#""nodes": "fifty","#),
        set: &[],
        expected: r#":4:12: nodes: expected an integer"#,
    },
    Broken {
        name: "missing-required-key",
        replace: ("  \"nodes\": 50,\n", ""),
        set: &[],
        expected: ":1:1: missing required key `nodes`",
    },
    Broken {
        name: "unknown-protocol-kind",
        replace: (r#""kind": "push""#, r#""kind": "pusj""#),
        set: &[],
        expected: ":6:24: protocol.kind: unknown kind `pusj`; allowed: push, pull,",
    },
    Broken {
        name: "unknown-enum-value",
        replace: (r#""workload": {"transactions": 5}"#, r#""stop": {"at": "10s", "when": "sometimes"}"#),
        set: &[],
        expected: ":7:33: stop.when: unknown value `sometimes`; allowed: converged, time, quiescent",
    },
    Broken {
        name: "two-crash-selectors",
        replace: (
            r#""workload": {"transactions": 5}"#,
            r#""faults": [{"kind": "crash", "at": "1s", "fraction": 0.1, "count": 3}]"#,
        ),
        set: &[],
        expected: ":7:70: faults[0].count: give only one of fraction, count, ids, highest_degree",
    },
    Broken {
        name: "set-without-value",
        replace: ("", ""),
        set: &["protocol.fanout"],
        expected: ": --set `protocol.fanout`: expected PATH=VALUE",
    },
    Broken {
        name: "set-out-of-range",
        replace: ("", ""),
        set: &["protocol.fanout=-1"],
        expected: ": protocol.fanout: expected an integer ≥ 1, found -1 (from --set protocol.fanout=-1)",
    },
    Broken {
        name: "set-unknown-path",
        replace: ("", ""),
        set: &["protocol.fanotu=3"],
        expected: ": protocol.fanotu: unknown key `fanotu`;",
    },
];

#[test]
fn broken_scenarios_name_path_line_and_column_exit_2_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("in");
    let outputs = tmp.path().join("out");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::create_dir_all(&outputs).unwrap();
    for case in BROKEN {
        let text = if case.replace.0.is_empty() {
            VALID.to_string()
        } else {
            VALID.replacen(case.replace.0, case.replace.1, 1)
        };
        assert!(text != VALID || !case.set.is_empty(), "{}: the edit did not apply", case.name);
        let file = inputs.join(format!("{}.json", case.name));
        std::fs::write(&file, text).unwrap();
        let expected = format!("{}{}", file.display(), case.expected);
        let out = outputs.join(case.name);
        let sets: Vec<&str> = case.set.iter().flat_map(|s| ["--set", s]).collect();
        let run_args = [&["run", arg(&file), "--out", arg(&out)][..], &sets].concat();
        let check_args = [&["check", arg(&file)][..], &sets].concat();
        for (command, argv) in [("run", run_args), ("check", check_args)] {
            let ran = run(&argv);
            assert_eq!(ran.code, Some(2), "{} ({command}): {}", case.name, ran.stderr);
            assert!(
                ran.stderr.contains(&expected),
                "{} ({command}): expected\n  {expected}\nin\n  {}",
                case.name,
                ran.stderr
            );
            assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
        }
        assert!(!out.exists(), "{}: {} was written", case.name, out.display());
    }
    // Nothing at all beside the would-be results: no directory, no hidden partial one.
    assert_eq!(entries(&outputs), Vec::<String>::new());
    // The valid file itself runs, so the failures above are the edits' doing.
    let file = inputs.join("valid.json");
    std::fs::write(&file, VALID).unwrap();
    run_ok(&["check", arg(&file)]);
}

#[test]
fn a_killed_run_leaves_no_partial_results_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results").join("big");
    // About a minute of work, killed after one second.
    let mut child = gossim(&["run", arg(&quickstart()), "--out", arg(&out), "--quiet"])
        .args(["--set", "nodes=20000", "--set", "workload.transactions=400"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    assert!(child.try_wait().unwrap().is_none(), "the run finished within a second; make it larger");
    child.kill().unwrap(); // SIGKILL: no chance to clean up.
    child.wait().unwrap();
    assert!(!out.exists(), "{} exists after the kill", out.display());
    // Nothing under the final name or beside it: results are staged only once the
    // simulation is done, then renamed into place.
    assert_eq!(entries(&tmp.path().join("results")), Vec::<String>::new());
}

const RUN_FILES: [&str; 6] =
    ["scenario.json", "manifest.json", "timing.json", "metrics.json", "tx.csv", "coverage.csv"];

#[test]
fn a_run_writes_every_documented_file_column_and_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("quick");
    let ran = run_ok(&["run", arg(&quickstart()), "--out", arg(&out), "--set", "nodes=300"]);
    assert!(ran.stdout.contains("trace digest"), "{}", ran.stdout);
    let files = entries(&out);
    for name in RUN_FILES {
        assert!(files.iter().any(|f| f == name), "{name} missing from {files:?}");
    }
    for chart in ["coverage_time", "coverage_by_age", "latency_cdf", "messages_per_tx"] {
        for extension in ["svg", "png"] {
            let path = out.join(format!("{chart}.{extension}"));
            assert!(std::fs::metadata(&path).is_ok_and(|m| m.len() > 1000), "{} missing or empty", path.display());
        }
    }
    assert_eq!(entries(tmp.path()), ["quick"], "no staging directory is left beside the results");
    // The summary names charts that exist.
    let line = ran.stdout.lines().find(|l| l.starts_with("results:")).expect("a results line");
    let named: Vec<&str> = line.split([' ', ',', '(', ')']).filter(|w| w.ends_with(".svg")).collect();
    assert_eq!(named.len(), 4, "{line}");
    for chart in named {
        assert!(out.join(chart).is_file(), "{line}: no {chart}");
    }

    let tx = Csv::read(&out.join("tx.csv"));
    let tx_columns = "tx,origin,created_ms,reached,reached_fraction,t50_ms,t90_ms,t99_ms,t100_ms,messages,ldh";
    assert_eq!(tx.header.join(","), tx_columns);
    assert_eq!(tx.rows.len(), 50, "one row per transaction");
    let coverage = Csv::read(&out.join("coverage.csv"));
    assert_eq!(coverage.header.join(","), "time_ms,fraction_delivered,converged_nodes,messages");
    assert!(!coverage.rows.is_empty());

    let metrics = read_json(&out.join("metrics.json"));
    let keys = [
        "nodes",
        "transactions",
        "reliability",
        "coverage_mean",
        "t50_ms",
        "t90_ms",
        "t99_ms",
        "t100_ms",
        "messages_sent",
        "messages_delivered",
        "messages_dropped",
        "duplicates",
        "bytes_sent",
        "rmr",
        "ldh_max",
        "rejected",
        "converged_at_ms",
        "distinct_digests_at_end",
        "events",
    ];
    for key in keys {
        assert!(metrics.get(key).is_some(), "metrics.json lacks `{key}`: {metrics:#}");
    }
    assert_eq!(metrics["nodes"], 300);
    assert_eq!(metrics["transactions"], 50);

    let manifest = read_json(&out.join("manifest.json"));
    assert_eq!(manifest["seed"], 1);
    let digest = manifest["trace_digest"].as_str().unwrap();
    assert!(digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()), "{digest}");
    let timing = read_json(&out.join("timing.json"));
    assert!(timing["wall_seconds"].as_f64().is_some());
    let pending = timing["peak_pending_events"].as_u64().unwrap();
    assert!(pending > 0 && pending < metrics["events"].as_u64().unwrap(), "{pending}");
}

#[test]
fn the_same_scenario_twice_gives_identical_bytes_and_another_seed_another_trace() {
    let tmp = tempfile::tempdir().unwrap();
    let [a, b, c] = ["a", "b", "c"].map(|n| tmp.path().join(n));
    let file = quickstart();
    for out in [&a, &b] {
        run_ok(&["run", arg(&file), "--out", arg(out), "--no-charts", "--quiet"]);
    }
    for name in ["scenario.json", "manifest.json", "metrics.json", "tx.csv", "coverage.csv"] {
        assert_same_bytes(&a.join(name), &b.join(name));
    }
    // Running again into an existing directory replaces it whole, leaving nothing behind.
    run_ok(&["run", arg(&file), "--out", arg(&a), "--no-charts", "--quiet"]);
    assert_same_bytes(&a.join("metrics.json"), &b.join("metrics.json"));
    assert_eq!(entries(tmp.path()), ["a", "b"]);

    run_ok(&["run", arg(&file), "--out", arg(&c), "--no-charts", "--quiet", "--seed", "2"]);
    let digest = |dir: &Path| read_json(&dir.join("manifest.json"))["trace_digest"].as_str().unwrap().to_string();
    assert_eq!(digest(&a), digest(&b));
    assert_ne!(digest(&a), digest(&c), "seed 2 replays seed 1");
}

#[test]
fn set_and_seed_change_the_resolved_scenario_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("plain");
    let changed = tmp.path().join("changed");
    let common = ["--no-charts", "--quiet", "--set", "nodes=200"];
    run_ok(&[&["run", arg(&quickstart()), "--out", arg(&plain)][..], &common[..]].concat());
    run_ok(
        &[
            &["run", arg(&quickstart()), "--out", arg(&changed)][..],
            &common[..],
            &["--set", "protocol.fanout=6", "--seed", "99"],
        ]
        .concat(),
    );
    let mut before = read_json(&plain.join("scenario.json"));
    let after = read_json(&changed.join("scenario.json"));
    assert_eq!(before["nodes"], 200);
    assert_eq!((&before["protocol"]["fanout"], &before["seed"]), (&4.into(), &1.into()));
    assert_eq!((&after["protocol"]["fanout"], &after["seed"]), (&6.into(), &99.into()));
    before["protocol"]["fanout"] = 6.into();
    before["seed"] = 99.into();
    assert_eq!(before, after, "only the overridden fields differ");
    assert_eq!(read_json(&changed.join("manifest.json"))["seed"], 99);
    // The resolved file runs again to the same result.
    let again = tmp.path().join("again");
    run_ok(&["run", arg(&changed.join("scenario.json")), "--out", arg(&again), "--no-charts", "--quiet"]);
    assert_same_bytes(&changed.join("metrics.json"), &again.join("metrics.json"));
}

#[test]
fn a_scenario_larger_than_the_machine_is_refused_before_allocating() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("huge");
    let huge_sets: [&[&str]; 2] =
        [&["--set", "nodes=4000000000"], &["--set", "nodes=1000000", "--set", "workload.transactions=100000000"]];
    for sets in huge_sets {
        let started = Instant::now();
        let ran = run(&[&["run", arg(&quickstart()), "--out", arg(&out)][..], sets].concat());
        assert_eq!(ran.code, Some(2), "{}", ran.stderr);
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}: it allocated", started.elapsed());
        assert!(ran.stderr.contains("needs an estimated") && ran.stderr.contains("TiB"), "{}", ran.stderr);
        assert!(ran.stderr.contains("but this machine has"), "{}", ran.stderr);
        // A sweep refuses it the same way.
        let ran =
            run(&[&["sweep", arg(&quickstart()), "--out", arg(&out), "--vary", "protocol.fanout=2,3"][..], sets]
                .concat());
        assert_eq!(ran.code, Some(2), "{}", ran.stderr);
        assert!(ran.stderr.contains("more than this machine's memory"), "{}", ran.stderr);
    }
    assert_eq!(entries(tmp.path()), Vec::<String>::new());
}

#[test]
fn schema_is_json_that_describes_protocol() {
    let ran = run_ok(&["schema"]);
    let schema: serde_json::Value = serde_json::from_str(&ran.stdout).expect("the schema is JSON");
    assert!(schema.is_object());
    assert!(ran.stdout.contains("\"protocol\""));
    assert!(ran.stdout.contains("fanout"));
}

#[test]
fn check_prints_the_resolved_scenario_with_defaults_and_a_memory_estimate() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("minimal.json");
    std::fs::write(&file, r#"{"name": "minimal", "nodes": 10, "protocol": {"kind": "push"}}"#).unwrap();
    let ran = run_ok(&["check", arg(&file)]);
    let resolved: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    // Defaults written out, as docs/SCENARIO.md lists them.
    assert_eq!(resolved["seed"], 1);
    assert_eq!(resolved["topology"]["kind"], "complete");
    assert_eq!(resolved["protocol"]["fanout"], 4);
    assert_eq!(resolved["protocol"]["forward"], "once");
    assert_eq!(resolved["workload"]["transactions"], 100);
    assert_eq!(resolved["network"]["latency"]["kind"], "constant");
    assert!(resolved["stop"].is_object() && resolved["report"].is_object(), "{resolved:#}");
    assert!(ran.stderr.contains("minimal.json: ok"), "{}", ran.stderr);
    let estimate = ran.stderr.lines().find(|l| l.starts_with("memory estimate:")).expect("a memory estimate");
    assert!(estimate.contains("B"), "{estimate}");
    // The resolved text is itself a valid scenario with the same resolution.
    let again = tmp.path().join("resolved.json");
    std::fs::write(&again, &ran.stdout).unwrap();
    assert_eq!(run_ok(&["check", arg(&again)]).stdout, ran.stdout);
    // An override shows in the resolved output.
    let ran = run_ok(&["check", arg(&file), "--set", "protocol.fanout=6"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&ran.stdout).unwrap()["protocol"]["fanout"], 6);
}

#[test]
fn plot_rerenders_a_runs_charts_from_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run_ok(&["run", arg(&quickstart()), "--out", arg(&out), "--quiet", "--set", "nodes=200"]);
    let charts: Vec<String> =
        entries(&out).into_iter().filter(|f| f.ends_with(".svg") || f.ends_with(".png")).collect();
    assert!(charts.len() >= 8, "{charts:?}");
    let saved = tmp.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    for chart in &charts {
        std::fs::rename(out.join(chart), saved.join(chart)).unwrap();
    }
    let ran = run_ok(&["plot", arg(&out)]);
    assert!(ran.stdout.contains("re-rendered"), "{}", ran.stdout);
    for chart in charts.iter().filter(|c| c.ends_with(".svg")) {
        assert_same_bytes(&saved.join(chart), &out.join(chart));
    }
    for chart in charts.iter().filter(|c| c.ends_with(".png")) {
        assert!(out.join(chart).is_file(), "{chart} not re-rendered");
    }
    let ran = run(&["plot", arg(tmp.path())]);
    assert_eq!(ran.code, Some(2), "a directory that is neither a run nor a sweep: {}", ran.stderr);
}

#[test]
fn compare_writes_a_table_and_a_chart_of_one_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let [fanout3, fanout6] = ["fanout3", "fanout6"].map(|n| tmp.path().join(n));
    for (out, fanout) in [(&fanout3, "protocol.fanout=3"), (&fanout6, "protocol.fanout=6")] {
        run_ok(&[
            "run",
            arg(&quickstart()),
            "--out",
            arg(out),
            "--quiet",
            "--no-charts",
            "--set",
            "nodes=200",
            "--set",
            fanout,
        ]);
    }
    let compared = tmp.path().join("compared");
    run_ok(&["compare", arg(&fanout3), arg(&fanout6), "--metric", "t90_ms", "--out", arg(&compared)]);
    let table = Csv::read(&compared.join("compare.csv"));
    assert_eq!(table.header, ["source", "kind", "x", "t90_ms", "ci95_lo", "ci95_hi"]);
    assert_eq!(table.column("source"), ["fanout3", "fanout6"]);
    for (row, dir) in [&fanout3, &fanout6].into_iter().enumerate() {
        let t90: f64 = table.column("t90_ms")[row].parse().unwrap();
        assert_eq!(Some(t90), read_json(&dir.join("metrics.json"))["t90_ms"].as_f64());
    }
    for extension in ["svg", "png", "csv"] {
        assert!(compared.join(format!("compare_t90_ms.{extension}")).is_file(), "compare_t90_ms.{extension}");
    }
    let ran = run(&["compare", arg(&fanout3), "--metric", "no_such_metric", "--out", arg(&compared)]);
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(ran.stderr.contains("no_such_metric"), "{}", ran.stderr);
}

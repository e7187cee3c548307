//! `gossim sweep` and `gossim merge` through the release binary: thread-count
//! independence, shards merged back to the unsharded bytes, resuming a killed sweep,
//! common random numbers, and the Slurm job-array script with a stand-in `sbatch`.

mod common;

use common::{
    Csv, arg, assert_same_bytes, entries, gossim, gossim_path, read_json, run, run_ok, workspace, write_sweep_scenario,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The files of a finished sweep that must not depend on how it was executed:
/// runs.csv, summary.csv and the data of every sweep chart.
fn summary_files(dir: &Path) -> Vec<String> {
    let files: Vec<String> = entries(dir)
        .into_iter()
        .filter(|f| {
            f == "runs.csv"
                || f == "summary.csv"
                || f == "sweep.json"
                || (f.starts_with("sweep_") && f.ends_with(".csv"))
        })
        .collect();
    assert!(files.len() >= 10, "{}: {files:?}", dir.display());
    files
}

fn assert_same_sweep(expected: &Path, actual: &Path) {
    for name in summary_files(expected) {
        assert_same_bytes(&expected.join(&name), &actual.join(&name));
    }
}

/// Run directories under `dir/runs` that hold a complete run (hidden staging
/// directories, renamed into place once complete, do not count).
fn finished_runs(dir: &Path) -> Vec<String> {
    entries(&dir.join("runs"))
        .into_iter()
        .filter(|id| !id.starts_with('.') && dir.join("runs").join(id).join("metrics.json").is_file())
        .collect()
}

#[test]
fn one_thread_or_two_write_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_sweep_scenario(tmp.path(), "threads", 200, 10);
    let [one, two] = ["one", "two"].map(|n| tmp.path().join(n));
    for (out, threads) in [(&one, "1"), (&two, "2")] {
        let ran = run_ok(&[
            "sweep",
            arg(&file),
            "--vary",
            "protocol.fanout=2,3,4",
            "--seeds",
            "4",
            "--threads",
            threads,
            "--out",
            arg(out),
        ]);
        assert!(ran.stdout.contains("sweep done: 12 runs (0 resumed)"), "{}", ran.stdout);
    }
    assert_same_sweep(&one, &two);
    let runs = entries(&one.join("runs"));
    assert_eq!(runs.len(), 12);
    for id in &runs {
        for name in ["scenario.json", "manifest.json", "metrics.json", "tx.csv", "coverage.csv"] {
            assert_same_bytes(&one.join("runs").join(id).join(name), &two.join("runs").join(id).join(name));
        }
    }
    // Charts of the sweep, drawn from the same numbers.
    for metric in ["t90_ms", "reliability", "coverage"] {
        assert!(one.join(format!("sweep_{metric}.svg")).is_file() && one.join(format!("sweep_{metric}.png")).is_file());
    }
}

#[test]
fn summary_has_one_row_per_setting_with_mean_sd_and_interval_of_its_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_sweep_scenario(tmp.path(), "summary", 200, 10);
    let out = tmp.path().join("out");
    run_ok(&["sweep", arg(&file), "--vary", "protocol.fanout=2,4", "--seeds", "3", "--out", arg(&out)]);
    let runs = Csv::read(&out.join("runs.csv"));
    let summary = Csv::read(&out.join("summary.csv"));
    assert_eq!(summary.column("protocol.fanout"), ["2", "4"]);
    for (row, fanout) in ["2", "4"].into_iter().enumerate() {
        let t90: Vec<f64> = runs
            .column("t90_ms")
            .iter()
            .zip(runs.column("protocol.fanout"))
            .filter(|(_, f)| *f == fanout)
            .map(|(v, _)| v.parse().unwrap())
            .collect();
        assert_eq!(t90.len(), 3);
        let mean = t90.iter().sum::<f64>() / 3.0;
        let sd = (t90.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        let half = 4.302_652_729_749_464 * sd / 3f64.sqrt(); // t(0.975, 2)
        let cell = |name: &str| -> f64 { summary.column(name)[row].parse().unwrap() };
        assert!((cell("t90_ms_mean") - mean).abs() < 1e-9 * mean);
        assert!((cell("t90_ms_sd") - sd).abs() < 1e-9 * mean);
        assert!((cell("t90_ms_ci95_lo") - (mean - half)).abs() < 1e-9 * mean);
        assert!((cell("t90_ms_ci95_hi") - (mean + half)).abs() < 1e-9 * mean);
        assert_eq!(summary.column("t90_ms_n")[row], "3");
    }
}

#[test]
fn settings_that_differ_only_in_the_swept_value_share_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_sweep_scenario(tmp.path(), "seeds", 200, 10);
    let out = tmp.path().join("out");
    run_ok(&["sweep", arg(&file), "--vary", "protocol.fanout=2,3,4", "--seeds", "3", "--out", arg(&out)]);
    let runs = Csv::read(&out.join("runs.csv"));
    let mut seeds: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (index, seed) in runs.column("seed_index").into_iter().zip(runs.column("seed")) {
        seeds.entry(index).or_default().push(seed.parse().unwrap());
    }
    assert_eq!(seeds.len(), 3);
    for (index, values) in &seeds {
        assert_eq!(values.len(), 3, "one run per setting");
        let expected = gossim_sim::sweep::run_seed(5, index.parse().unwrap());
        assert!(values.iter().all(|&s| s == expected), "seed index {index}: {values:?}, expected {expected}");
    }
    let firsts: std::collections::BTreeSet<u64> = seeds.values().map(|v| v[0]).collect();
    assert_eq!(firsts.len(), 3, "seed indices differ");
    // Each run records its seed in its own files too.
    for (id, seed) in runs.column("run").into_iter().zip(runs.column("seed")) {
        assert_eq!(read_json(&out.join("runs").join(id).join("manifest.json"))["seed"].to_string(), seed);
    }
}

#[test]
fn a_sweep_run_directory_is_what_gossim_run_writes_for_its_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_sweep_scenario(tmp.path(), "same", 200, 10);
    let out = tmp.path().join("out");
    run_ok(&["sweep", arg(&file), "--vary", "protocol.fanout=2,3", "--seeds", "2", "--out", arg(&out)]);
    let id = "p001_fanout-3_seed-001";
    let swept = out.join("runs").join(id);
    let alone = tmp.path().join("alone");
    run_ok(&["run", arg(&swept.join("scenario.json")), "--out", arg(&alone), "--quiet"]);
    for name in ["scenario.json", "manifest.json", "metrics.json", "tx.csv", "coverage.csv"] {
        assert_same_bytes(&swept.join(name), &alone.join(name));
    }
}

#[test]
fn merged_shards_equal_the_unsharded_sweep_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_sweep_scenario(tmp.path(), "shards", 200, 10);
    let sweep = |out: &Path, shard: Option<&str>| {
        let mut args = vec![
            "sweep",
            arg(&file),
            "--vary",
            "protocol.fanout=2,3,4",
            "--vary",
            "network.loss.p=0,0.05",
            "--seeds",
            "2",
            "--out",
            arg(out),
        ];
        if let Some(shard) = shard {
            args.extend(["--shard", shard]);
        }
        run_ok(&args)
    };
    let whole = tmp.path().join("whole");
    sweep(&whole, None);
    assert_eq!(entries(&whole.join("runs")).len(), 12);

    // Each shard in its own directory, merged into a third.
    let shard_dirs: Vec<PathBuf> = (0..3).map(|i| tmp.path().join(format!("shard{i}"))).collect();
    for (i, dir) in shard_dirs.iter().enumerate() {
        let ran = sweep(dir, Some(&format!("{i}/3")));
        assert!(ran.stdout.contains("shard done: 4 runs"), "{}", ran.stdout);
        assert_eq!(finished_runs(dir).len(), 4, "a shard runs its slice only");
        assert!(!dir.join("summary.csv").exists(), "a shard writes no summary");
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shard_dirs.iter().map(|d| arg(d)));
    args.extend(["--out", arg(&merged)]);
    let ran = run_ok(&args);
    assert!(ran.stdout.contains("merged 12 runs"), "{}", ran.stdout);
    assert_same_sweep(&whole, &merged);
    assert_eq!(finished_runs(&merged), finished_runs(&whole));

    // Every shard into the same directory, merged in place.
    let shared = tmp.path().join("shared");
    for i in 0..3 {
        sweep(&shared, Some(&format!("{i}/3")));
    }
    run_ok(&["merge", arg(&shared)]);
    assert_same_sweep(&whole, &shared);

    // Merging into a directory that holds another sweep's runs under the same ids
    // (here: of a different node count) replaces them rather than summarising them,
    // and names those that no shard can replace.
    let [stale, stale_partly] = ["stale", "stale-partly"].map(|n| tmp.path().join(n));
    for dir in [&stale, &stale_partly] {
        let mut args = vec!["sweep", arg(&file), "--vary", "protocol.fanout=2,3,4", "--vary", "network.loss.p=0,0.05"];
        args.extend(["--seeds", "2", "--set", "nodes=150", "--out", arg(dir)]);
        run_ok(&args);
    }
    let mut args = vec!["merge"];
    args.extend(shard_dirs.iter().map(|d| arg(d)));
    args.extend(["--out", arg(&stale)]);
    run_ok(&args);
    assert_same_sweep(&whole, &stale);
    let ran = run(&["merge", arg(&shard_dirs[1]), "--out", arg(&stale_partly)]);
    assert_ne!(ran.code, Some(0));
    assert!(
        ran.stderr.contains("8 runs in") && ran.stderr.contains("are not of this sweep's scenario"),
        "{}",
        ran.stderr
    );

    // Shards of different sweeps do not merge.
    let other = tmp.path().join("other");
    run_ok(&["sweep", arg(&file), "--vary", "protocol.fanout=5", "--out", arg(&other), "--shard", "0/1"]);
    let ran = run(&["merge", arg(&shard_dirs[0]), arg(&other), "--out", arg(&tmp.path().join("bad"))]);
    assert_ne!(ran.code, Some(0));
    assert!(ran.stderr.contains("hold different sweeps"), "{}", ran.stderr);
    // And a merge that lacks a shard says which runs are missing.
    let ran = run(&["merge", arg(&shard_dirs[0]), arg(&shard_dirs[1]), "--out", arg(&tmp.path().join("partial"))]);
    assert_ne!(ran.code, Some(0));
    assert!(ran.stderr.contains("4 of 12 runs are missing"), "{}", ran.stderr);
}

#[test]
fn a_resumed_sweep_redoes_only_the_runs_a_kill_interrupted() {
    let tmp = tempfile::tempdir().unwrap();
    // Runs of a few hundred milliseconds each, one at a time.
    let file = write_sweep_scenario(tmp.path(), "resume", 2000, 40);
    let out = tmp.path().join("out");
    let args =
        ["sweep", arg(&file), "--vary", "protocol.fanout=2,3,4", "--seeds", "4", "--threads", "1", "--out", arg(&out)];
    let mut child = gossim(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while finished_runs(&out).len() < 3 {
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended before it could be interrupted");
        assert!(started.elapsed() < Duration::from_secs(60), "no runs finished within a minute");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut finished = finished_runs(&out);
    assert!(finished.len() >= 3 && finished.len() < 12, "{finished:?}");
    assert!(!out.join("runs.csv").exists(), "an interrupted sweep writes no summary");
    // One finished run damaged after the fact: it is no longer complete, so it is redone.
    let damaged = finished.pop().unwrap();
    std::fs::remove_file(out.join("runs").join(&damaged).join("metrics.json")).unwrap();
    let timings: BTreeMap<&String, Vec<u8>> =
        finished.iter().map(|id| (id, std::fs::read(out.join("runs").join(id).join("timing.json")).unwrap())).collect();

    let ran = run_ok(&args);
    assert!(ran.stdout.contains(&format!("sweep done: 12 runs ({} resumed)", finished.len())), "{}", ran.stdout);
    for (id, bytes) in &timings {
        assert_eq!(&std::fs::read(out.join("runs").join(id).join("timing.json")).unwrap(), bytes, "{id} was run again");
    }
    assert_eq!(finished_runs(&out).len(), 12);
    assert!(finished_runs(&out).contains(&damaged));
    let runs = Csv::read(&out.join("runs.csv"));
    assert_eq!(runs.column("run"), finished_runs(&out), "runs.csv lists every run");
    // A third invocation finds everything done and changes no result.
    let summary = std::fs::read(out.join("summary.csv")).unwrap();
    let ran = run_ok(&args);
    assert!(ran.stdout.contains("sweep done: 12 runs (12 resumed)"), "{}", ran.stdout);
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), summary);
}

/// A stand-in for Slurm's `sbatch`: records each call's arguments, hands out job ids
/// and runs the job at once, each array task in turn with the variables Slurm sets. A
/// job whose `afterok` dependency failed is not run, as Slurm would not run it.
const FAKE_SBATCH: &str = r#"#!/usr/bin/env bash
set -u
state=${SBATCH_STUB_STATE:?}
id=$(( $(cat "$state/next_id" 2>/dev/null || echo 1000) + 1 ))
echo "$id" >"$state/next_id"
printf '%s\n' "$*" >>"$state/calls"
array="" dependency=""
while [[ $# -gt 0 && $1 == --* ]]; do
    case $1 in
        --array=*) array=${1#--array=} ;;
        --dependency=*) dependency=${1#--dependency=} ;;
    esac
    shift
done
script=$1
shift
for dep in ${dependency#afterok:}; do
    if [[ $(cat "$state/status-$dep" 2>/dev/null) != 0 ]]; then
        echo never >"$state/status-$id"
        echo "$id"
        exit 0
    fi
done
status=0
if [[ -n $array ]]; then
    first=${array%-*} last=${array#*-}
    for ((task = first; task <= last; task++)); do
        SLURM_JOB_ID=$id SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_COUNT=$((last - first + 1)) \
            bash "$script" "$@" >"$state/job-${id}_$task.out" 2>&1 || status=1
    done
else
    SLURM_JOB_ID=$id bash "$script" "$@" >"$state/job-$id.out" 2>&1 || status=1
fi
echo "$status" >"$state/status-$id"
echo "$id"
"#;

fn slurm_script() -> PathBuf {
    workspace().join("scripts/slurm-sweep.sh")
}

/// `bash scripts/slurm-sweep.sh args...` with the fake `sbatch` first on PATH.
fn submit(tmp: &Path, args: &[&str]) -> common::Ran {
    use std::os::unix::fs::PermissionsExt;
    let bin = tmp.join("bin");
    let state = tmp.join("sbatch-state");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let sbatch = bin.join("sbatch");
    std::fs::write(&sbatch, FAKE_SBATCH).unwrap();
    std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    Command::new("bash")
        .arg(slurm_script())
        .args(args)
        .current_dir(tmp)
        .env("PATH", path)
        .env("SBATCH_STUB_STATE", &state)
        .env("GOSSIM", gossim_path())
        .env_remove("GOSSIM_MEM")
        .env_remove("GOSSIM_CPUS")
        .env_remove("GOSSIM_SBATCH_ARGS")
        .output()
        .unwrap()
        .into()
}

#[test]
fn the_slurm_script_runs_an_array_of_shards_then_a_dependent_merge_equal_to_one_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_sweep_scenario(tmp.path(), "slurm", 200, 10);
    let sweep_args = ["--vary", "protocol.fanout=2,3,4", "--seeds", "2"];
    let out = tmp.path().join("cluster");
    let ran = submit(tmp.path(), &[&[arg(&file), "3"][..], &sweep_args[..], &["--out", arg(&out)]].concat());
    assert_eq!(ran.code, Some(0), "{}{}", ran.stdout, ran.stderr);

    let state = tmp.path().join("sbatch-state");
    let calls = std::fs::read_to_string(state.join("calls")).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(calls[0].contains("--array=0-2"), "{}", calls[0]);
    assert!(calls[0].contains("--cpus-per-task=") && calls[0].contains("--time="), "{}", calls[0]);
    let mem = calls[0].split(' ').find_map(|a| a.strip_prefix("--mem=")).expect("--mem from the dry-run estimate");
    assert!(mem.ends_with('M') && mem[..mem.len() - 1].parse::<u64>().is_ok_and(|m| m >= 512), "{mem}");
    assert!(calls[1].contains("--dependency=afterok:1001"), "{}", calls[1]);
    assert!(ran.stdout.contains("1001") && ran.stdout.contains("1002"), "{}", ran.stdout);
    for task in 0..3 {
        let log = std::fs::read_to_string(state.join(format!("job-1001_{task}.out"))).unwrap();
        assert!(log.contains(&format!("shard {task}/3")), "task {task}: {log}");
    }
    assert_eq!(std::fs::read_to_string(state.join("status-1002")).unwrap().trim(), "0", "the merge ran and succeeded");

    let reference = tmp.path().join("reference");
    run_ok(&[&["sweep", arg(&file)][..], &sweep_args[..], &["--out", arg(&reference)]].concat());
    assert_same_sweep(&reference, &out);
    assert_eq!(finished_runs(&out), finished_runs(&reference));
}

#[test]
fn the_slurm_script_is_valid_bash_and_submits_nothing_for_a_bad_sweep() {
    let syntax = Command::new("bash").arg("-n").arg(slurm_script()).output().unwrap();
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));
    let tmp = tempfile::tempdir().unwrap();
    let ran = submit(tmp.path(), &[]);
    assert_eq!(ran.code, Some(2));
    assert!(ran.stderr.contains("usage:"), "{}", ran.stderr);
    let file = write_sweep_scenario(tmp.path(), "bad", 200, 10);
    let ran = submit(tmp.path(), &[arg(&file), "2", "--vary", "protocol.fanout=0"]);
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(ran.stderr.contains("protocol.fanout"), "{}", ran.stderr);
    let ran = submit(tmp.path(), &[arg(&file), "2", "--shard", "0/2"]);
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(!tmp.path().join("sbatch-state/calls").exists(), "nothing was submitted");
}

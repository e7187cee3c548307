//! Sweeps: one scenario varied over settings (JSON paths × value lists) crossed with
//! a number of seeds, run in parallel, summarised across seeds.
//!
//! Determinism: a run's seed depends only on the scenario seed and its seed index,
//! so points that differ only in a swept setting share seeds (common random
//! numbers). Runs execute on a rayon pool, each single-threaded; every summary is
//! computed afterwards from the run directories in run order, so the output bytes do
//! not depend on the number of threads, on sharding, or on which runs were resumed.
//!
//! Layout of a sweep directory:
//! - `sweep.json`: the plan (base scenario, axes, seeds, every run's settings).
//! - `runs/<run id>/`: each run exactly as `gossim run` writes it.
//! - `runs.csv`, `summary.csv` and the comparison charts (written by `finalize`).

use crate::output::{self, OutputError, Timing};
use crate::runner::run_scenario;
use gossim_engine::{Purpose, SimRng};
use gossim_scenario::{Loaded, from_value, set_path};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Errors planning or running a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Plan(String),
    #[error(transparent)]
    Scenario(#[from] gossim_scenario::ScenarioErrors),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Sim(#[from] crate::SimError),
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
}

/// One swept axis: a JSON path and the values it takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub path: String,
    pub values: Vec<Value>,
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRun {
    /// Position in run order (points in order, seeds fastest).
    pub index: usize,
    /// Index of the setting (point of the cartesian product of axes).
    pub point: usize,
    /// The value of each axis at this point.
    pub values: Vec<Value>,
    pub seed_index: u32,
    pub seed: u64,
    /// Sub-directory under `runs/`.
    pub id: String,
}

/// A whole sweep, fully determined by the base scenario, the axes and the seed count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPlan {
    pub name: String,
    pub base_seed: u64,
    pub axes: Vec<Axis>,
    pub seeds: u32,
    /// The resolved base scenario (before axis values and seeds are applied).
    pub base: Value,
    pub runs: Vec<PlannedRun>,
}

/// The seed of seed index `k` of a sweep whose scenario seed is `base_seed`.
pub fn run_seed(base_seed: u64, k: u32) -> u64 {
    SimRng::derive(base_seed, Purpose::Sweep, u64::from(k)).next_u64() >> 1
}

/// `text` with every character a scenario name does not allow replaced by `_`, so a
/// run id is both a directory name and a valid part of a scenario name.
fn safe(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect()
}

fn label(value: &Value) -> String {
    match value {
        Value::String(s) => safe(s),
        other => safe(&other.to_string()),
    }
}

impl SweepPlan {
    /// Expands axes × seeds over a resolved base scenario.
    pub fn new(base: &Loaded, axes: Vec<Axis>, seeds: u32) -> Result<SweepPlan, SweepError> {
        if seeds == 0 {
            return Err(SweepError::Plan("a sweep needs at least one seed".into()));
        }
        let mut base_json = base.resolved_json.clone();
        if let Value::Object(map) = &mut base_json {
            map.remove("sweep");
        }
        for axis in &axes {
            if axis.values.is_empty() {
                return Err(SweepError::Plan(format!("sweep axis `{}` has no values", axis.path)));
            }
            // Check every value resolves before anything runs.
            for value in &axis.values {
                let mut probe = base_json.clone();
                set_path(&mut probe, &axis.path, value.clone()).map_err(SweepError::Plan)?;
                from_value(probe, &format!("sweep {}={}", axis.path, value))?;
            }
        }
        let points: usize = axes.iter().map(|a| a.values.len()).product();
        let mut runs = Vec::with_capacity(points * seeds as usize);
        for point in 0..points {
            let mut rest = point;
            let mut values = vec![Value::Null; axes.len()];
            for (slot, axis) in values.iter_mut().zip(&axes).rev() {
                *slot = axis.values[rest % axis.values.len()].clone();
                rest /= axis.values.len();
            }
            let point_label: Vec<String> = axes
                .iter()
                .zip(&values)
                .map(|(a, v)| format!("{}-{}", safe(a.path.rsplit('.').next().unwrap_or(&a.path)), label(v)))
                .collect();
            for seed_index in 0..seeds {
                let index = runs.len();
                let id = if point_label.is_empty() {
                    format!("seed-{seed_index:03}")
                } else {
                    format!("p{point:03}_{}_seed-{seed_index:03}", point_label.join("_"))
                };
                runs.push(PlannedRun {
                    index,
                    point,
                    values: values.clone(),
                    seed_index,
                    seed: run_seed(base.scenario.seed, seed_index),
                    id,
                });
            }
        }
        Ok(SweepPlan {
            name: base.scenario.name.clone(),
            base_seed: base.scenario.seed,
            axes,
            seeds,
            base: base_json,
            runs,
        })
    }

    /// The resolved scenario of one run.
    pub fn scenario_of(&self, run: &PlannedRun) -> Result<Loaded, SweepError> {
        let mut value = self.base.clone();
        for (axis, v) in self.axes.iter().zip(&run.values) {
            set_path(&mut value, &axis.path, v.clone()).map_err(SweepError::Plan)?;
        }
        set_path(&mut value, "seed", Value::from(run.seed)).map_err(SweepError::Plan)?;
        // `<name>.<run id>`: a valid scenario name (no `/`), so the run's own
        // scenario.json loads and runs again with `gossim run`.
        if let Value::Object(map) = &mut value
            && let Some(Value::String(name)) = map.get("name").cloned()
        {
            map.insert("name".into(), Value::String(format!("{name}.{}", run.id)));
        }
        Ok(from_value(value, &run.id)?)
    }

    /// The runs of shard `index` of `count` (round robin, so shards stay balanced).
    pub fn shard(&self, index: u32, count: u32) -> Vec<&PlannedRun> {
        self.runs.iter().filter(|r| r.index % count as usize == index as usize).collect()
    }

    /// Number of settings (points).
    pub fn points(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }
}

/// Whether `dir` holds a complete run of `expected` (same resolved scenario).
pub fn run_is_complete(dir: &Path, expected: &Loaded) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else { return false };
    let Ok(manifest) = serde_json::from_str::<output::Manifest>(&text) else { return false };
    let Ok(bytes) = output::scenario_bytes(&expected.resolved_json) else { return false };
    manifest.scenario_sha256 == output::sha256_hex(&bytes) && dir.join("metrics.json").is_file()
}

/// Runs one planned run into `runs_dir/<id>` unless it is already complete.
/// Returns whether it ran (false: resumed from disk).
pub fn execute_run(plan: &SweepPlan, run: &PlannedRun, runs_dir: &Path, charts: bool) -> Result<bool, SweepError> {
    let loaded = plan.scenario_of(run)?;
    let dir = runs_dir.join(&run.id);
    if run_is_complete(&dir, &loaded) {
        return Ok(false);
    }
    let (result, wall_seconds, cpu_seconds) = output::measured(|| run_scenario(&loaded.scenario));
    let result = result?;
    let manifest = output::manifest(&loaded.resolved_json, loaded.scenario.seed, &loaded.scenario.name, &result)?;
    let timing = Timing::of(&result, wall_seconds, cpu_seconds);
    output::write_run_dir(&dir, &loaded.resolved_json, &manifest, &result, &timing, charts)?;
    Ok(true)
}

/// Writes `sweep.json` (the plan) into `dir`.
pub fn write_plan(dir: &Path, plan: &SweepPlan) -> Result<(), SweepError> {
    std::fs::create_dir_all(dir).map_err(|e| SweepError::Read { path: dir.to_path_buf(), message: e.to_string() })?;
    let mut bytes = serde_json::to_vec_pretty(plan).map_err(OutputError::from)?;
    bytes.push(b'\n');
    let path = dir.join("sweep.json");
    std::fs::write(&path, bytes).map_err(|e| SweepError::Read { path, message: e.to_string() })?;
    Ok(())
}

/// Reads `sweep.json` from a sweep directory.
pub fn read_plan(dir: &Path) -> Result<SweepPlan, SweepError> {
    let path = dir.join("sweep.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| SweepError::Read { path: path.clone(), message: e.to_string() })?;
    serde_json::from_str(&text).map_err(|e| SweepError::Read { path, message: e.to_string() })
}

/// Headline metrics charted against the first swept field, with their axis labels.
pub const CHARTED_METRICS: [(&str, &str); 6] = [
    ("t90_ms", "t90 (ms)"),
    ("t100_ms", "t100 (ms)"),
    ("reliability", "reliability (share of transactions reaching all)"),
    ("messages_per_tx", "payload messages per transaction"),
    ("rmr", "relative message redundancy"),
    ("converged_at_ms", "convergence time (ms)"),
];

/// One run's headline metrics flattened to named numbers (nested maps become
/// `outer_inner`), in `metrics.json` order; `None` for null values.
pub fn flatten_metrics(metrics: &Value) -> Vec<(String, Option<f64>)> {
    let mut out = Vec::new();
    if let Value::Object(map) = metrics {
        for (key, value) in map {
            match value {
                Value::Number(n) => out.push((key.clone(), n.as_f64())),
                Value::Null => out.push((key.clone(), None)),
                Value::Object(inner) => {
                    for (sub, v) in inner {
                        out.push((format!("{key}_{sub}"), v.as_f64()));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn read_json(path: &Path) -> Result<Value, SweepError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| SweepError::Read { path: path.into(), message: e.to_string() })?;
    serde_json::from_str(&text).map_err(|e| SweepError::Read { path: path.into(), message: e.to_string() })
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A run's metrics as read back from its directory.
struct RunRecord {
    run: PlannedRun,
    metrics: Vec<(String, Option<f64>)>,
    stop_reason: String,
}

/// Writes `runs.csv`, `summary.csv` and the comparison charts of a sweep from its run
/// directories. Fails, naming them, if any planned run is missing.
pub fn finalize(dir: &Path, plan: &SweepPlan, charts: bool) -> Result<(), SweepError> {
    use gossim_report::csv::{Field, write_csv_file};
    let runs_dir = dir.join("runs");
    let mut missing = Vec::new();
    let mut records = Vec::with_capacity(plan.runs.len());
    for run in &plan.runs {
        let path = runs_dir.join(&run.id).join("metrics.json");
        if !path.is_file() {
            missing.push(run.id.clone());
            continue;
        }
        let metrics = read_json(&path)?;
        let stop_reason = metrics.get("stop_reason").and_then(Value::as_str).unwrap_or("").to_string();
        records.push(RunRecord { run: run.clone(), metrics: flatten_metrics(&metrics), stop_reason });
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
        return Err(SweepError::Plan(format!(
            "{} of {} runs are missing (e.g. {}); run the missing shards or re-run the sweep to resume",
            missing.len(),
            plan.runs.len(),
            shown.join(", ")
        )));
    }
    let metric_names: Vec<String> =
        records.first().map(|r| r.metrics.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
    let axis_names: Vec<&str> = plan.axes.iter().map(|a| a.path.as_str()).collect();

    // runs.csv: one row per run.
    let mut header: Vec<String> = vec!["run".into(), "point".into()];
    header.extend(axis_names.iter().map(|s| s.to_string()));
    header.extend(["seed_index".to_string(), "seed".to_string()]);
    header.extend(metric_names.iter().cloned());
    header.push("stop_reason".into());
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    write_csv_file(&dir.join("runs.csv"), &header_refs, |w| {
        for record in &records {
            let values: Vec<String> = record.run.values.iter().map(value_text).collect();
            let mut row: Vec<Field<'_>> = vec![Field::Str(&record.run.id), Field::U64(record.run.point as u64)];
            row.extend(values.iter().map(|v| Field::Str(v)));
            row.push(Field::U64(u64::from(record.run.seed_index)));
            row.push(Field::U64(record.run.seed));
            row.extend(record.metrics.iter().map(|(_, v)| v.map_or(Field::Empty, Field::F64)));
            row.push(Field::Str(&record.stop_reason));
            w.write_row(&row)?;
        }
        Ok(())
    })
    .map_err(OutputError::from)?;

    // summary.csv: one row per setting, mean / sd / 95% CI across seeds per metric.
    let points = plan.points();
    let mut summary_header: Vec<String> = vec!["point".into()];
    summary_header.extend(axis_names.iter().map(|s| s.to_string()));
    summary_header.push("runs".into());
    for name in &metric_names {
        for suffix in ["n", "mean", "sd", "ci95_lo", "ci95_hi"] {
            summary_header.push(format!("{name}_{suffix}"));
        }
    }
    let mut summaries: Vec<Vec<Option<gossim_report::stats::Summary>>> = Vec::with_capacity(points);
    for point in 0..points {
        let in_point: Vec<&RunRecord> = records.iter().filter(|r| r.run.point == point).collect();
        summaries.push(
            (0..metric_names.len())
                .map(|m| {
                    let values: Vec<f64> = in_point.iter().filter_map(|r| r.metrics[m].1).collect();
                    gossim_report::stats::Summary::of(&values)
                })
                .collect(),
        );
    }
    let point_values: Vec<Vec<Value>> = (0..points)
        .map(|p| plan.runs.iter().find(|r| r.point == p).map(|r| r.values.clone()).unwrap_or_default())
        .collect();
    let summary_refs: Vec<&str> = summary_header.iter().map(String::as_str).collect();
    write_csv_file(&dir.join("summary.csv"), &summary_refs, |w| {
        for point in 0..points {
            let values: Vec<String> = point_values[point].iter().map(value_text).collect();
            let mut row: Vec<Field<'_>> = vec![Field::U64(point as u64)];
            row.extend(values.iter().map(|v| Field::Str(v)));
            row.push(Field::U64(plan.seeds.into()));
            for summary in &summaries[point] {
                match summary {
                    Some(s) => {
                        row.push(Field::U64(s.n as u64));
                        row.push(Field::F64(s.mean));
                        row.push(s.sd.map_or(Field::Empty, Field::F64));
                        row.push(s.ci95_lo.map_or(Field::Empty, Field::F64));
                        row.push(s.ci95_hi.map_or(Field::Empty, Field::F64));
                    }
                    None => {
                        row.push(Field::U64(0));
                        row.extend([Field::Empty, Field::Empty, Field::Empty, Field::Empty]);
                    }
                }
            }
            w.write_row(&row)?;
        }
        Ok(())
    })
    .map_err(OutputError::from)?;
    if charts {
        crate::sweep_charts::draw(dir, plan, &metric_names, &point_values, &summaries)?;
    }
    Ok(())
}

/// How a sweep is executed (never what it computes).
#[derive(Clone, Copy, Debug)]
pub struct SweepOptions {
    /// Concurrent runs; each run is single-threaded.
    pub threads: usize,
    /// Run only slice `index` of `count`.
    pub shard: Option<(u32, u32)>,
    /// Draw each run's own charts too (the sweep's charts are always drawn).
    pub run_charts: bool,
}

/// What a sweep execution did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepProgress {
    pub done: usize,
    pub total: usize,
    /// Runs found complete on disk and skipped.
    pub resumed: usize,
}

/// Runs the planned runs (or one shard of them) into `dir/runs`, skipping complete
/// ones, then writes the summaries unless this is a shard. `on_progress` is called
/// after each run (from worker threads).
pub fn run_sweep(
    dir: &Path,
    plan: &SweepPlan,
    options: SweepOptions,
    on_progress: &(dyn Fn(SweepProgress) + Sync),
) -> Result<SweepProgress, SweepError> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    write_plan(dir, plan)?;
    let runs: Vec<&PlannedRun> = match options.shard {
        Some((index, count)) => plan.shard(index, count),
        None => plan.runs.iter().collect(),
    };
    let runs_dir = dir.join("runs");
    std::fs::create_dir_all(&runs_dir)
        .map_err(|e| SweepError::Read { path: runs_dir.clone(), message: e.to_string() })?;
    let total = runs.len();
    let done = AtomicUsize::new(0);
    let resumed = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
        .map_err(|e| SweepError::Plan(format!("thread pool: {e}")))?;
    let results: Vec<Result<(), SweepError>> = pool.install(|| {
        runs.par_iter()
            .map(|run| {
                let ran = execute_run(plan, run, &runs_dir, options.run_charts)?;
                if !ran {
                    resumed.fetch_add(1, Ordering::Relaxed);
                }
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                on_progress(SweepProgress { done: finished, total, resumed: resumed.load(Ordering::Relaxed) });
                Ok(())
            })
            .collect()
    });
    // Report the first failure in run order, not in completion order.
    for result in results {
        result?;
    }
    if options.shard.is_none() {
        finalize(dir, plan, true)?;
    }
    Ok(SweepProgress { done: total, total, resumed: resumed.into_inner() })
}

/// Combines sweep directories (shards of one sweep) into `out`: checks that they
/// hold the same plan, gathers every run, and writes the same summaries and charts an
/// unsharded sweep writes.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<SweepProgress, SweepError> {
    let Some(first) = dirs.first() else {
        return Err(SweepError::Plan("merge needs at least one sweep directory".into()));
    };
    let plan = read_plan(first)?;
    for dir in &dirs[1..] {
        let other = read_plan(dir)?;
        if other != plan {
            return Err(SweepError::Plan(format!(
                "{} and {} hold different sweeps (scenario, axes or seeds differ); they cannot be merged",
                first.display(),
                dir.display()
            )));
        }
    }
    write_plan(out, &plan)?;
    let out_runs = out.join("runs");
    std::fs::create_dir_all(&out_runs)
        .map_err(|e| SweepError::Read { path: out_runs.clone(), message: e.to_string() })?;
    // A run counts only if it is complete and of this plan's scenario: `out` may hold
    // an older sweep's runs under the same ids, which must be replaced, not summarised.
    let mut stale = Vec::new();
    for run in &plan.runs {
        let target = out_runs.join(&run.id);
        let expected = plan.scenario_of(run)?;
        if run_is_complete(&target, &expected) {
            continue;
        }
        if let Some(source) = dirs.iter().map(|d| d.join("runs").join(&run.id)).find(|p| run_is_complete(p, &expected))
        {
            copy_dir(&source, &target)?;
        } else if target.join("metrics.json").is_file() {
            stale.push(run.id.clone());
        }
    }
    if !stale.is_empty() {
        let shown: Vec<&str> = stale.iter().take(5).map(String::as_str).collect();
        return Err(SweepError::Plan(format!(
            "{} runs in {} are not of this sweep's scenario and no shard has them (e.g. {}); re-run the sweep to redo them",
            stale.len(),
            out.display(),
            shown.join(", ")
        )));
    }
    finalize(out, &plan, true)?;
    Ok(SweepProgress { done: plan.runs.len(), total: plan.runs.len(), resumed: 0 })
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), SweepError> {
    let staging = output::staging_dir(to)?;
    let entries =
        std::fs::read_dir(from).map_err(|e| SweepError::Read { path: from.into(), message: e.to_string() })?;
    for entry in entries {
        let entry = entry.map_err(|e| SweepError::Read { path: from.into(), message: e.to_string() })?;
        let target = staging.join(entry.file_name());
        std::fs::copy(entry.path(), &target)
            .map_err(|e| SweepError::Read { path: entry.path(), message: e.to_string() })?;
    }
    output::commit_dir(&staging, to)?;
    Ok(())
}

//! Running trials: one validation scenario file, a few `--set`-style overrides, and
//! a number of independent seeded runs, each reduced to an [`Outcome`].
//!
//! Every trial is one run with one transaction, so trials are independent and the
//! statistics of [`super::criteria`] apply as they stand. Trial `i` of a file uses
//! seed `run_seed(file seed, i)` (as a sweep does), so experiments on one file share
//! seeds (common random numbers). Trials run on a rayon pool of the requested size,
//! each single-threaded; outcomes are collected in trial order, so every number in
//! the report is independent of the thread count.
//!
//! Not here: what is predicted or how rows decide.

use super::{ScenarioSource, ValidationError};
use crate::runner::run_scenario;
use crate::sweep::run_seed;
use gossim_node::PeerSampler;
use gossim_report::run::RunReport;
use gossim_scenario::{Loaded, from_value, load_file, load_str, set_path};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A run that must go on until no message moves is retried with a doubled time cap
/// at most this many times (rumour mongering: the runs end when the last rumour
/// dies, which the file's cap covers almost always).
const MAX_CAP_DOUBLINGS: u32 = 6;

/// One validation scenario file, embedded in the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScenarioFile {
    /// File name under `scenarios/validation/`.
    pub name: &'static str,
    /// The file as shipped.
    pub text: &'static str,
    /// The run must continue until no message is sent for a whole period (the file
    /// stops on time, not on convergence): the time cap is doubled until it does.
    pub until_quiet: bool,
}

macro_rules! scenario_file {
    ($name:literal, $until_quiet:expr) => {
        ScenarioFile {
            name: $name,
            text: include_str!(concat!("../../../../scenarios/validation/", $name)),
            until_quiet: $until_quiet,
        }
    };
}

pub const SYNC_PUSH: ScenarioFile = scenario_file!("sync-push.json", false);
pub const SYNC_PULL: ScenarioFile = scenario_file!("sync-pull.json", false);
pub const SYNC_PUSH_PULL: ScenarioFile = scenario_file!("sync-push-pull.json", false);
pub const SYNC_PUSH_FAULTS: ScenarioFile = scenario_file!("sync-push-faults.json", false);
pub const INFECT_AND_DIE: ScenarioFile = scenario_file!("infect-and-die.json", false);
pub const RUMOR: ScenarioFile = scenario_file!("rumor-mongering.json", true);
pub const POISSON_PUSH: ScenarioFile = scenario_file!("poisson-push.json", false);
pub const POISSON_PUSH_PULL: ScenarioFile = scenario_file!("poisson-push-pull.json", false);
pub const FLOODING: ScenarioFile = scenario_file!("flooding.json", false);

/// Every validation scenario file.
pub const ALL_FILES: [ScenarioFile; 9] = [
    SYNC_PUSH,
    SYNC_PULL,
    SYNC_PUSH_PULL,
    SYNC_PUSH_FAULTS,
    INFECT_AND_DIE,
    RUMOR,
    POISSON_PUSH,
    POISSON_PUSH_PULL,
    FLOODING,
];

/// One configuration run a number of times.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    pub file: ScenarioFile,
    /// `(JSON path, value)` pairs set on the file, in order.
    pub overrides: Vec<(String, Value)>,
    pub trials: u32,
}

impl Experiment {
    /// An experiment on `file` with `overrides`.
    pub fn new(file: ScenarioFile, overrides: &[(&str, Value)], trials: u32) -> Experiment {
        Experiment { file, overrides: overrides.iter().map(|(p, v)| ((*p).to_string(), v.clone())).collect(), trials }
    }

    /// The `--set` arguments of this experiment, as a user types them.
    pub fn set_args(&self) -> String {
        self.overrides
            .iter()
            .map(|(path, value)| {
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("--set {path}={text}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A command that runs one trial (the one with scenario seed `seed`) on its own.
    pub fn rerun_command(&self, seed: u64) -> String {
        let sets = self.set_args();
        let sep = if sets.is_empty() { "" } else { " " };
        format!("gossim run scenarios/validation/{}{sep}{sets} --seed {seed}", self.file.name)
    }
}

/// What one trial measured (about its single transaction).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Nodes in the run.
    pub nodes: u32,
    /// Live honest nodes at the end: the population coverage is measured against.
    pub live: u32,
    /// Live honest nodes that accepted the transaction.
    pub reached: u32,
    /// Seconds from creation until every live honest node had it.
    pub t100_s: Option<f64>,
    /// Payload messages (bodies) that carried it; control messages excluded.
    pub payload: u64,
    /// Relative message redundancy of the run (one transaction).
    pub rmr: Option<f64>,
    /// Mean over the nodes other than the origin of the receipt time, in seconds,
    /// when every node received it.
    pub mean_receipt_s: Option<f64>,
    /// No message was sent during the last 1.5 periods before the end: nothing was
    /// still spreading (always true for runs that stop on convergence).
    pub quiet: bool,
    /// The scenario seed of this trial.
    pub seed: u64,
    /// The gossip period (or mean clock gap) in seconds: one synchronous round.
    pub period_s: f64,
}

impl Outcome {
    fn of(report: &RunReport, period_ms: f64, seed: u64) -> Outcome {
        let metrics = &report.metrics;
        let row = report.tx_rows.first();
        let latencies = report.delivery_latencies_ms.first();
        let mean_receipt_s = latencies.filter(|l| l.len() as u32 == metrics.nodes && l.len() > 1).map(|l| {
            // The origin's own latency is 0, so the sum is over the others.
            l.iter().sum::<f64>() / 1000.0 / (l.len() - 1) as f64
        });
        Outcome {
            nodes: metrics.nodes,
            live: metrics.live_honest_nodes,
            reached: row.map_or(0, |r| r.reached),
            t100_s: row.and_then(|r| r.t100_ms).map(|ms| ms / 1000.0),
            payload: row.map_or(0, |r| r.messages),
            rmr: metrics.rmr,
            mean_receipt_s,
            quiet: quiet(report, period_ms),
            seed,
            period_s: period_ms / 1000.0,
        }
    }

    /// Reached share of the live honest nodes.
    pub fn reached_fraction(&self) -> f64 {
        if self.live == 0 { f64::NAN } else { f64::from(self.reached) / f64::from(self.live) }
    }

    /// Synchronous rounds until every live node was informed: floor(t100 / period)
    /// (a node informed during round r first gossips at the tick opening round
    /// r + 1); NaN when not every live node was reached.
    pub fn rounds(&self) -> f64 {
        self.t100_s.map_or(f64::NAN, |t| (t / self.period_s).floor())
    }

    /// Whether every live honest node was reached.
    pub fn all_reached(&self) -> bool {
        self.live > 0 && self.reached == self.live
    }
}

/// True when the cumulative message count did not move during the last 1.5 periods
/// of the run (which then contain at least one periodic tick).
fn quiet(report: &RunReport, period_ms: f64) -> bool {
    let Some(last) = report.coverage.last() else { return true };
    if report.metrics.stop_reason == "converged" || report.metrics.stop_reason == "quiescent" {
        return true;
    }
    let horizon = last.time_ms - 1.5 * period_ms;
    horizon >= 0.0
        && report.coverage.iter().rev().find(|r| r.time_ms <= horizon).is_some_and(|r| r.messages == last.messages)
}

/// Where the scenario files are read from.
fn load_base(file: &ScenarioFile, source: &ScenarioSource) -> Result<Loaded, ValidationError> {
    match source {
        ScenarioSource::Embedded => {
            let label = format!("scenarios/validation/{} (embedded)", file.name);
            load_str(file.text, &label, &[]).map_err(ValidationError::Scenario)
        }
        ScenarioSource::Directory(dir) => load_file(&dir.join(file.name), &[]).map_err(ValidationError::Scenario),
    }
}

/// An experiment ready to run: its file's resolved JSON with the overrides set.
struct Prepared {
    value: Value,
    base_seed: u64,
    label: String,
    until_quiet: bool,
    stop_at_ns: u64,
    period_ms: f64,
}

fn prepare(experiment: &Experiment, base: &Loaded) -> Result<Prepared, ValidationError> {
    let mut value = base.resolved_json.clone();
    for (path, v) in &experiment.overrides {
        set_path(&mut value, path, v.clone()).map_err(ValidationError::Plan)?;
    }
    let label = format!("scenarios/validation/{} {}", experiment.file.name, experiment.set_args());
    // Resolve once up front so a bad override is reported before anything runs.
    let loaded = from_value(value.clone(), &label).map_err(ValidationError::Scenario)?;
    let period_ms = gossim_node::timer::cycle_ns(&loaded.scenario.node.protocol.timing) as f64 / 1e6;
    Ok(Prepared {
        value,
        base_seed: base.scenario.seed,
        label,
        until_quiet: experiment.file.until_quiet,
        stop_at_ns: loaded.scenario.stop.at_ns,
        period_ms,
    })
}

fn run_trial(prepared: &Prepared, index: u32, sampler: PeerSampler) -> Result<Outcome, ValidationError> {
    let seed = run_seed(prepared.base_seed, index);
    let mut value = prepared.value.clone();
    set_path(&mut value, "seed", Value::from(seed)).map_err(ValidationError::Plan)?;
    let mut cap_ns = prepared.stop_at_ns;
    let mut doublings = 0;
    loop {
        let loaded = from_value(value.clone(), &prepared.label).map_err(ValidationError::Scenario)?;
        let mut scenario = loaded.scenario;
        scenario.node.protocol.sampler = sampler;
        let result = run_scenario(&scenario).map_err(|e| ValidationError::Sim(format!("{}: {e}", prepared.label)))?;
        let outcome = Outcome::of(&result.report, prepared.period_ms, seed);
        if !prepared.until_quiet || outcome.quiet || doublings == MAX_CAP_DOUBLINGS {
            return Ok(outcome);
        }
        // The same seed with a later cap replays the same run further.
        doublings += 1;
        cap_ns = cap_ns.saturating_mul(2);
        set_path(&mut value, "stop.at", Value::String(format!("{cap_ns}ns"))).map_err(ValidationError::Plan)?;
    }
}

/// Runs every trial of every experiment on a pool of `threads` threads; returns the
/// outcomes per experiment, in trial order. `on_progress(done, total)` is called
/// after each trial, from worker threads.
pub fn run_experiments(
    experiments: &[Experiment],
    source: &ScenarioSource,
    sampler: PeerSampler,
    threads: usize,
    on_progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Vec<Outcome>>, ValidationError> {
    use rayon::prelude::*;
    let mut bases: BTreeMap<&'static str, Loaded> = BTreeMap::new();
    for experiment in experiments {
        if !bases.contains_key(experiment.file.name) {
            bases.insert(experiment.file.name, load_base(&experiment.file, source)?);
        }
    }
    let prepared: Vec<Prepared> =
        experiments.iter().map(|e| prepare(e, &bases[e.file.name])).collect::<Result<_, _>>()?;
    // Costly experiments first, so the pool does not end on one long tail.
    let mut jobs: Vec<(usize, u32)> =
        experiments.iter().enumerate().flat_map(|(e, x)| (0..x.trials).map(move |t| (e, t))).collect();
    let cost = |e: usize| -> u64 { u64::from(experiments[e].file_nodes(&bases)) };
    jobs.sort_by_key(|&(e, t)| (std::cmp::Reverse(cost(e)), e, t));
    let total = jobs.len();
    let done = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| ValidationError::Plan(format!("thread pool: {e}")))?;
    let results: Vec<Result<Outcome, ValidationError>> = pool.install(|| {
        // One job per split: the jobs differ in cost by four orders of magnitude, and
        // rayon's default chunking would leave one thread alone with the big ones.
        jobs.par_iter()
            .with_max_len(1)
            .map(|&(e, t)| {
                let outcome = run_trial(&prepared[e], t, sampler);
                on_progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                outcome
            })
            .collect()
    });
    let mut outcomes: Vec<Vec<Option<Outcome>>> = experiments.iter().map(|x| vec![None; x.trials as usize]).collect();
    // Report the first failure in job order, not in completion order.
    for (&(e, t), result) in jobs.iter().zip(results) {
        outcomes[e][t as usize] = Some(result?);
    }
    Ok(outcomes.into_iter().map(|v| v.into_iter().map(|o| o.expect("every trial ran")).collect()).collect())
}

impl Experiment {
    /// The node count this experiment runs with (its override, else the file's).
    fn file_nodes(&self, bases: &BTreeMap<&'static str, Loaded>) -> u32 {
        self.overrides
            .iter()
            .rev()
            .find(|(p, _)| p == "nodes")
            .and_then(|(_, v)| v.as_u64())
            .map_or_else(|| bases[self.file.name].scenario.nodes, |n| n as u32)
    }
}

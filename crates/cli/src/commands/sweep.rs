//! `gossim sweep`, `gossim merge` and `gossim plot`.

use crate::UsageError;
use crate::commands::run::{human_bytes, load, machine_memory_bytes};
use anyhow::{Context, Result};
use clap::Args;
use gossim_scenario::estimate_memory;
use gossim_sim::sweep::{self, Axis, SweepOptions, SweepPlan, SweepProgress};
use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `gossim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file; its `sweep` section (if any) gives default axes and seeds.
    pub file: PathBuf,
    /// Vary a field by JSON path over comma-separated values, e.g.
    /// `--vary protocol.fanout=2,3,4,6,8` (repeatable; the first is the x axis of the
    /// charts, the second gives one line per value). Replaces the file's axes.
    #[arg(long, value_name = "PATH=V1,V2,...")]
    pub vary: Vec<String>,
    /// Seeds per setting (default: the file's `sweep.seeds`, else 1).
    #[arg(long)]
    pub seeds: Option<u32>,
    /// Concurrent runs (default: all cores, capped by the memory estimate).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Results directory (default: results/<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only slice I of N (0-based), e.g. `--shard 2/8`; `--shard env` reads
    /// SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (or JOB_COMPLETION_INDEX with
    /// GOSSIM_SHARD_COUNT). Combine shards with `gossim merge`.
    #[arg(long, value_name = "I/N|env")]
    pub shard: Option<String>,
    /// Override a field of the base scenario (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Also draw every run's own charts (slower; the sweep charts are always drawn).
    #[arg(long)]
    pub run_charts: bool,
    /// List the planned runs and the memory estimate, run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress display.
    #[arg(long)]
    pub quiet: bool,
}

/// Parses one value of `--vary` or `--set`: JSON if it parses, else a string.
pub fn parse_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn parse_shard(spec: &str) -> Result<(u32, u32)> {
    let (index, count) = if spec == "env" {
        let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u32>().ok());
        match (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT")) {
            (Some(i), Some(n)) => (i, n),
            _ => match (var("JOB_COMPLETION_INDEX"), var("GOSSIM_SHARD_COUNT")) {
                (Some(i), Some(n)) => (i, n),
                _ => {
                    return Err(UsageError(
                        "--shard env: set SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (or JOB_COMPLETION_INDEX and GOSSIM_SHARD_COUNT)".into(),
                    )
                    .into());
                }
            },
        }
    } else {
        let parsed = spec.split_once('/').and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        parsed.ok_or_else(|| UsageError(format!("--shard: expected I/N such as 0/4, found `{spec}`")))?
    };
    if count == 0 || index >= count {
        return Err(UsageError(format!("--shard: index {index} is not below count {count}")).into());
    }
    Ok((index, count))
}

fn axes_from(args: &SweepArgs, file_axes: Option<&gossim_scenario::SweepSpec>) -> Result<(Vec<Axis>, u32)> {
    let mut axes = Vec::new();
    for spec in &args.vary {
        let (path, values) = spec
            .split_once('=')
            .ok_or_else(|| UsageError(format!("--vary: expected PATH=V1,V2,..., found `{spec}`")))?;
        let values: Vec<Value> = values.split(',').map(|v| parse_value(v.trim())).collect();
        axes.push(Axis { path: path.trim().to_string(), values });
    }
    if axes.is_empty()
        && let Some(file) = file_axes
    {
        axes = file.vary.iter().map(|(path, values)| Axis { path: path.clone(), values: values.clone() }).collect();
    }
    let seeds = args.seeds.or(file_axes.map(|s| s.seeds)).unwrap_or(1);
    Ok((axes, seeds))
}

/// Draws "runs done / total" on stderr when it is a terminal.
struct RunProgress {
    enabled: bool,
    started: Instant,
}

impl RunProgress {
    fn draw(&self, p: SweepProgress) {
        if !self.enabled {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        let fresh = (p.done - p.resumed) as f64;
        let rate = fresh / elapsed;
        let eta = if rate > 0.0 { (p.total - p.done) as f64 / rate } else { 0.0 };
        eprint!("\r\x1b[2K  runs {}/{} ({} resumed)  {:.2} runs/s  eta {:.0} s", p.done, p.total, p.resumed, rate, eta);
        let _ = std::io::stderr().flush();
    }
}

/// Runs a sweep.
pub fn run(args: SweepArgs) -> Result<ExitCode> {
    let loaded = load(&args.file, None, &args.set)?;
    let (axes, seeds) = axes_from(&args, loaded.scenario.sweep.as_ref())?;
    let plan = SweepPlan::new(&loaded, axes, seeds).map_err(|e| match e {
        sweep::SweepError::Scenario(errors) => anyhow::Error::from(errors),
        other => UsageError(other.to_string()).into(),
    })?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    // Parallelism respects memory: never more concurrent runs than fit.
    let mut largest = 0u64;
    for run in &plan.runs {
        if run.seed_index == 0 {
            largest = largest.max(estimate_memory(&plan.scenario_of(run)?.scenario).total_bytes);
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let requested = args.threads.unwrap_or(cores).max(1);
    let fit = match machine_memory_bytes() {
        Some(total) if largest > 0 => ((total as f64 * 0.8) / largest as f64).floor().max(0.0) as usize,
        _ => requested,
    };
    if fit == 0 {
        return Err(UsageError(format!(
            "one run of this sweep needs an estimated {}, more than this machine's memory",
            human_bytes(largest)
        ))
        .into());
    }
    let threads = requested.min(fit);
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(&plan.name));
    let selected = shard.map_or(plan.runs.len(), |(i, n)| plan.shard(i, n).len());
    eprintln!(
        "sweep {}: {} settings × {} seeds = {} runs{}; {} at a time (largest run ~{}) → {}",
        plan.name,
        plan.points(),
        plan.seeds,
        plan.runs.len(),
        shard.map_or(String::new(), |(i, n)| format!(", shard {i}/{n} runs {selected}")),
        threads,
        human_bytes(largest),
        out.display()
    );
    if args.dry_run {
        for run in &plan.runs {
            println!("{}\tseed {}", run.id, run.seed);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let progress = RunProgress { enabled: !args.quiet && std::io::stderr().is_terminal(), started: Instant::now() };
    let options = SweepOptions { threads, shard, run_charts: args.run_charts };
    let done = sweep::run_sweep(&out, &plan, options, &|p| progress.draw(p))
        .with_context(|| format!("sweep into {}", out.display()))?;
    if progress.enabled {
        eprintln!();
    }
    if shard.is_some() {
        println!(
            "shard done: {} runs ({} resumed) in {}; combine shards with `gossim merge`",
            done.done,
            done.resumed,
            out.display()
        );
    } else {
        println!(
            "sweep done: {} runs ({} resumed); {}/runs.csv, {}/summary.csv, charts {}/sweep_*.svg",
            done.done,
            done.resumed,
            out.display(),
            out.display(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `gossim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard output directories of one sweep.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged sweep goes (default: the first directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Merges shard outputs.
pub fn merge(args: MergeArgs) -> Result<ExitCode> {
    let out = args.out.clone().unwrap_or_else(|| args.dirs[0].clone());
    let merged = sweep::merge(&args.dirs, &out)?;
    println!("merged {} runs into {}", merged.done, out.display());
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `gossim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A run or sweep directory.
    pub dir: PathBuf,
}

/// Re-renders the charts of a run or sweep from its files.
pub fn plot(args: PlotArgs) -> Result<ExitCode> {
    if args.dir.join("sweep.json").is_file() {
        let plan = sweep::read_plan(&args.dir)?;
        sweep::finalize(&args.dir, &plan, true)?;
    } else if args.dir.join("metrics.json").is_file() {
        gossim_report::write::rerender_run_charts(&args.dir)?;
    } else {
        return Err(UsageError(format!(
            "{}: neither a run (metrics.json) nor a sweep (sweep.json)",
            args.dir.display()
        ))
        .into());
    }
    println!("charts re-rendered in {}", args.dir.display());
    Ok(ExitCode::SUCCESS)
}

//! `gossim run FILE`: one scenario, one results directory.

use crate::UsageError;
use crate::progress::Progress;
use anyhow::{Context, Result};
use clap::Args;
use gossim_scenario::{Loaded, estimate_memory, load_file};
use gossim_sim::output::{self, Timing};
use gossim_sim::run_scenario_observed;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `gossim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (JSON).
    pub file: PathBuf,
    /// Use this seed instead of the file's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Results directory (default: results/<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a field by its JSON path, e.g. `--set protocol.fanout=6` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Skip the charts (CSV and JSON only).
    #[arg(long)]
    pub no_charts: bool,
    /// No progress display and no summary table.
    #[arg(long)]
    pub quiet: bool,
}

/// Loads a scenario with `--seed` folded into the overrides.
pub fn load(file: &Path, seed: Option<u64>, set: &[String]) -> Result<Loaded> {
    let mut overrides = set.to_vec();
    if let Some(seed) = seed {
        overrides.push(format!("seed={seed}"));
    }
    Ok(load_file(file, &overrides)?)
}

/// Refuses scenarios whose memory estimate exceeds the machine's memory.
pub fn check_memory(loaded: &Loaded) -> Result<()> {
    let estimate = estimate_memory(&loaded.scenario);
    if let Some(total) = machine_memory_bytes()
        && estimate.total_bytes > total
    {
        let parts: Vec<String> =
            estimate.parts.iter().map(|(name, bytes)| format!("{name} {}", human_bytes(*bytes))).collect();
        return Err(UsageError(format!(
            "scenario `{}` needs an estimated {} but this machine has {} ({}); reduce nodes or transactions",
            loaded.scenario.name,
            human_bytes(estimate.total_bytes),
            human_bytes(total),
            parts.join(", ")
        ))
        .into());
    }
    Ok(())
}

/// Runs one scenario.
pub fn run(args: RunArgs) -> Result<ExitCode> {
    let loaded = load(&args.file, args.seed, &args.set)?;
    check_memory(&loaded)?;
    let scenario = &loaded.scenario;
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(&scenario.name));
    let mut progress = Progress::new(args.quiet);
    let (result, wall_seconds, cpu_seconds) = output::measured(|| run_scenario_observed(scenario, &mut progress));
    let result = result.with_context(|| format!("running {}", args.file.display()))?;
    progress.finish();
    let manifest = output::manifest(&loaded.resolved_json, scenario.seed, &scenario.name, &result)?;
    let timing = Timing::of(&result, wall_seconds, cpu_seconds);
    let charts = scenario.report.charts && !args.no_charts;
    output::write_run_dir(&out, &loaded.resolved_json, &manifest, &result, &timing, charts)
        .with_context(|| format!("writing {}", out.display()))?;
    if !args.quiet {
        print_summary(&result.report.metrics, &manifest, &timing, &out, charts);
    }
    Ok(ExitCode::SUCCESS)
}

fn fmt_opt(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1}"))
}

fn print_summary(
    m: &gossim_report::run::RunMetrics,
    manifest: &output::Manifest,
    timing: &Timing,
    out: &Path,
    charts: bool,
) {
    println!("gossim run: {} (seed {})", manifest.name, manifest.seed);
    let rows: Vec<(&str, String)> = vec![
        ("nodes", m.nodes.to_string()),
        ("transactions", m.transactions.to_string()),
        ("live honest nodes", m.live_honest_nodes.to_string()),
        ("reliability", format!("{:.4}", m.reliability)),
        ("coverage_mean", format!("{:.4}", m.coverage_mean)),
        (
            "t50 / t90 / t99 / t100 ms",
            format!("{} / {} / {} / {}", fmt_opt(m.t50_ms), fmt_opt(m.t90_ms), fmt_opt(m.t99_ms), fmt_opt(m.t100_ms)),
        ),
        ("messages sent / delivered", format!("{} / {}", m.messages_sent, m.messages_delivered)),
        ("messages per transaction", format!("{:.2}", m.messages_per_tx)),
        ("rmr", m.rmr.map_or_else(|| "–".to_string(), |r| format!("{r:.3}"))),
        ("ldh_max", m.ldh_max.to_string()),
        ("converged_at_ms", fmt_opt(m.converged_at_ms)),
        ("distinct digests at end", m.distinct_digests_at_end.to_string()),
        ("stop reason", m.stop_reason.clone()),
        ("events", format!("{} ({:.2} M/s)", m.events, timing.events_per_second / 1e6)),
        ("deliveries per CPU-second", format!("{:.2} M", timing.deliveries_per_cpu_second / 1e6)),
        ("peak memory", timing.peak_memory_bytes.map_or_else(|| "unknown".into(), human_bytes)),
        ("trace digest", manifest.trace_digest[..16].to_string()),
    ];
    for (name, value) in rows {
        println!("  {name:<28} {value}");
    }
    if charts {
        use gossim_report::write::{
            CHART_COVERAGE_BY_AGE, CHART_COVERAGE_TIME, CHART_LATENCY_CDF, CHART_MESSAGES_PER_TX,
        };
        let names = [CHART_COVERAGE_TIME, CHART_COVERAGE_BY_AGE, CHART_LATENCY_CDF, CHART_MESSAGES_PER_TX];
        let names: Vec<String> = names.iter().map(|n| format!("{n}.svg")).collect();
        println!("results: {}/ (charts: {}, each also .png)", out.display(), names.join(", "));
    } else {
        println!("results: {}/ (no charts)", out.display());
    }
}

/// The machine's total memory in bytes (Linux `MemTotal`).
pub fn machine_memory_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Bytes in binary units, e.g. `1.5 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

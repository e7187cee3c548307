//! `gossim compare DIR...`: overlays existing runs or sweeps (different protocols,
//! topologies, ...) in one table and one chart per metric.

use crate::UsageError;
use anyhow::Result;
use clap::Args;
use gossim_report::charts::{BandSeries, ChartSpec, ErrorBarSeries, IntervalPoint, errorbar_chart, line_band_chart};
use gossim_report::csv::{Field, read_csv, write_csv_file};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `gossim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Run directories (with metrics.json) or sweep directories (with summary.csv).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The metric to compare (a metrics.json key).
    #[arg(long, default_value = "t90_ms")]
    pub metric: String,
    /// Where the table and charts go.
    #[arg(long, default_value = "results/compare")]
    pub out: PathBuf,
}

fn label(dir: &Path) -> String {
    dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// One compared entry: a run (single point) or a sweep (a curve over its first axis).
struct Entry {
    name: String,
    kind: &'static str,
    x_label: Option<String>,
    points: Vec<IntervalPoint>,
}

fn read_run(dir: &Path, metric: &str) -> Result<Entry> {
    let text = std::fs::read_to_string(dir.join("metrics.json"))?;
    let metrics: serde_json::Value = serde_json::from_str(&text)?;
    let value = gossim_sim::sweep::flatten_metrics(&metrics)
        .into_iter()
        .find(|(k, _)| k == metric)
        .ok_or_else(|| UsageError(format!("{}: no metric `{metric}` in metrics.json", dir.display())))?
        .1;
    let points = value.map(|v| vec![IntervalPoint { x: 0.0, center: v, lo: v, hi: v }]).unwrap_or_default();
    Ok(Entry { name: label(dir), kind: "run", x_label: None, points })
}

fn read_sweep(dir: &Path, metric: &str) -> Result<Entry> {
    let table = read_csv(&dir.join("summary.csv"))?;
    let x_column = table.header.get(1).cloned().unwrap_or_default();
    let mean = table.column_index(&format!("{metric}_mean"))?;
    let lo = table.column_index(&format!("{metric}_ci95_lo"))?;
    let hi = table.column_index(&format!("{metric}_ci95_hi"))?;
    let mut points = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let parse = |k: usize| row.get(k).and_then(|v| v.parse::<f64>().ok());
        let Some(center) = parse(mean) else { continue };
        let x = parse(1).unwrap_or(i as f64);
        points.push(IntervalPoint { x, center, lo: parse(lo).unwrap_or(center), hi: parse(hi).unwrap_or(center) });
    }
    Ok(Entry { name: label(dir), kind: "sweep", x_label: Some(x_column), points })
}

/// Compares runs or sweeps.
pub fn run(args: CompareArgs) -> Result<ExitCode> {
    let mut entries = Vec::new();
    for dir in &args.dirs {
        if dir.join("summary.csv").is_file() {
            entries.push(read_sweep(dir, &args.metric)?);
        } else if dir.join("metrics.json").is_file() {
            entries.push(read_run(dir, &args.metric)?);
        } else {
            return Err(UsageError(format!(
                "{}: neither a run (metrics.json) nor a sweep (summary.csv)",
                dir.display()
            ))
            .into());
        }
    }
    std::fs::create_dir_all(&args.out)?;
    let metric = args.metric.as_str();
    write_csv_file(&args.out.join("compare.csv"), &["source", "kind", "x", metric, "ci95_lo", "ci95_hi"], |w| {
        for e in &entries {
            for p in &e.points {
                w.write_row(&[
                    Field::Str(&e.name),
                    Field::Str(e.kind),
                    p.x.into(),
                    p.center.into(),
                    p.lo.into(),
                    p.hi.into(),
                ])?;
            }
        }
        Ok(())
    })?;
    println!("{:<32} {:<6} {:>12} {:>14} {:>14}", "source", "kind", "x", metric, "95% CI");
    for e in &entries {
        for p in &e.points {
            println!("{:<32} {:<6} {:>12} {:>14.4} [{:.4}, {:.4}]", e.name, e.kind, p.x, p.center, p.lo, p.hi);
        }
    }
    let all_runs = entries.iter().all(|e| e.kind == "run");
    let series: Vec<ErrorBarSeries> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| ErrorBarSeries {
            name: e.name.clone(),
            points: e.points.iter().map(|p| IntervalPoint { x: if all_runs { i as f64 } else { p.x }, ..*p }).collect(),
        })
        .collect();
    let x_label = if all_runs {
        let names: Vec<String> = entries.iter().enumerate().map(|(i, e)| format!("{i}={}", e.name)).collect();
        format!("run ({})", names.join(", "))
    } else {
        entries.iter().find_map(|e| e.x_label.clone()).unwrap_or_else(|| "setting".into())
    };
    let spec = ChartSpec::new(&format!("comparison: {metric}"), &x_label, metric).columns("x", metric);
    errorbar_chart(&args.out.join(format!("compare_{metric}")), &spec, &series)?;
    // Coverage by age of every compared run, overlaid.
    let mut bands = Vec::new();
    for (dir, entry) in args.dirs.iter().zip(&entries) {
        let Ok(table) = read_csv(&dir.join("coverage_by_age.csv")) else { continue };
        let points = table
            .rows
            .iter()
            .filter_map(|r| {
                Some(IntervalPoint {
                    x: r.get(1)?.parse().ok()?,
                    center: r.get(2)?.parse().ok()?,
                    lo: r.get(3)?.parse().ok()?,
                    hi: r.get(4)?.parse().ok()?,
                })
            })
            .collect();
        bands.push(BandSeries { name: entry.name.clone(), points });
    }
    if !bands.is_empty() {
        let spec = ChartSpec::new(
            "comparison: coverage by age",
            "time since creation (ms)",
            "share of live honest nodes reached",
        )
        .columns("age_ms", "coverage")
        .band_label("mean across transactions, band: p10–p90")
        .y_range(0.0, 1.0);
        line_band_chart(&args.out.join("compare_coverage"), &spec, &bands)?;
    }
    println!("table: {}/compare.csv; chart: {}/compare_{metric}.svg", args.out.display(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

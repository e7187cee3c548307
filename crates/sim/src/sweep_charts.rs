//! The comparison charts of a sweep: each headline metric against the first swept
//! field (one line per value of the second, 95% CI bars), and the coverage-by-age
//! curves of every setting overlaid, each the mean across seeds with its 95% CI band.

use crate::sweep::{CHARTED_METRICS, SweepError, SweepPlan};
use gossim_report::charts::{BandSeries, ChartSpec, ErrorBarSeries, IntervalPoint, errorbar_chart, line_band_chart};
use gossim_report::csv::read_csv;
use gossim_report::stats::{Summary, ci};
use serde_json::Value;
use std::path::Path;

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The x position of each value of the first axis: the number itself, or its index
/// when the values are not all numbers (e.g. a fanout of "all").
fn x_positions(values: &[Value]) -> (Vec<f64>, bool) {
    let numbers: Option<Vec<f64>> = values.iter().map(Value::as_f64).collect();
    match numbers {
        Some(xs) => (xs, true),
        None => ((0..values.len()).map(|i| i as f64).collect(), false),
    }
}

/// Draws every sweep chart into `dir`.
pub fn draw(
    dir: &Path,
    plan: &SweepPlan,
    metric_names: &[String],
    point_values: &[Vec<Value>],
    summaries: &[Vec<Option<Summary>>],
) -> Result<(), SweepError> {
    let chart_err = |e: gossim_report::ReportError| SweepError::Output(e.into());
    let Some(first) = plan.axes.first() else {
        return Ok(());
    };
    let (xs, numeric) = x_positions(&first.values);
    let x_label = if numeric {
        first.path.clone()
    } else {
        let names: Vec<String> = first.values.iter().enumerate().map(|(i, v)| format!("{i}={}", text(v))).collect();
        format!("{} ({})", first.path, names.join(", "))
    };
    let second = plan.axes.get(1);
    let series_keys: Vec<Option<&Value>> = match second {
        Some(axis) => axis.values.iter().map(Some).collect(),
        None => vec![None],
    };
    for (metric, y_label) in CHARTED_METRICS {
        let Some(m) = metric_names.iter().position(|n| n == metric) else { continue };
        let mut series = Vec::new();
        for key in &series_keys {
            let mut points = Vec::new();
            for (point, values) in point_values.iter().enumerate() {
                if let (Some(key), Some(v)) = (key, values.get(1))
                    && *key != v
                {
                    continue;
                }
                let Some(x_index) = first.values.iter().position(|v| Some(v) == values.first()) else { continue };
                if let Some(summary) = &summaries[point][m] {
                    points.push(IntervalPoint {
                        x: xs[x_index],
                        center: summary.mean,
                        lo: summary.ci95_lo.unwrap_or(summary.mean),
                        hi: summary.ci95_hi.unwrap_or(summary.mean),
                    });
                }
            }
            let name = match (second, key) {
                (Some(axis), Some(v)) => format!("{} = {}", axis.path, text(v)),
                _ => plan.name.clone(),
            };
            series.push(ErrorBarSeries { name, points });
        }
        let spec = ChartSpec::new(&format!("{}: {metric} over {} seeds", plan.name, plan.seeds), &x_label, y_label)
            .columns(&first.path, metric)
            .band_label("mean, bars: 95% CI across seeds");
        errorbar_chart(&dir.join(format!("sweep_{metric}")), &spec, &series).map_err(chart_err)?;
    }
    let bands = coverage_bands(dir, plan, point_values)?;
    let spec = ChartSpec::new(
        &format!("{}: coverage by age, every setting", plan.name),
        "time since creation (ms)",
        "share of live honest nodes reached",
    )
    .columns("age_ms", "coverage")
    .band_label("mean across seeds, band: 95% CI")
    .y_range(0.0, 1.0);
    line_band_chart(&dir.join("sweep_coverage"), &spec, &bands).map_err(chart_err)?;
    Ok(())
}

/// Points on the common age grid.
const GRID_POINTS: usize = 100;

/// Mean coverage-by-age curve of each setting across its seeds, with a 95% CI band,
/// from each run's `coverage_by_age.csv` (step-interpolated onto a common grid).
fn coverage_bands(dir: &Path, plan: &SweepPlan, point_values: &[Vec<Value>]) -> Result<Vec<BandSeries>, SweepError> {
    let mut curves: Vec<Vec<Vec<(f64, f64)>>> = vec![Vec::new(); point_values.len()];
    let mut max_age: f64 = 0.0;
    for run in &plan.runs {
        let path = dir.join("runs").join(&run.id).join("coverage_by_age.csv");
        let Ok(table) = read_csv(&path) else { continue };
        let curve: Vec<(f64, f64)> =
            table.rows.iter().filter_map(|row| Some((row.get(1)?.parse().ok()?, row.get(2)?.parse().ok()?))).collect();
        if let Some(&(age, _)) = curve.last() {
            max_age = max_age.max(age);
        }
        curves[run.point].push(curve);
    }
    let grid: Vec<f64> = (0..GRID_POINTS).map(|k| max_age * k as f64 / (GRID_POINTS - 1) as f64).collect();
    let value_at = |curve: &[(f64, f64)], age: f64| -> f64 {
        match curve.partition_point(|&(a, _)| a <= age) {
            0 => 0.0,
            i => curve[i - 1].1,
        }
    };
    let mut bands = Vec::new();
    for (point, runs) in curves.iter().enumerate() {
        if runs.is_empty() {
            continue;
        }
        let points = grid
            .iter()
            .map(|&age| {
                let values: Vec<f64> = runs.iter().map(|c| value_at(c, age)).collect();
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                let interval = ci(&values, 0.95);
                IntervalPoint {
                    x: age,
                    center: mean,
                    lo: interval.as_ref().map_or(mean, |i| i.lo),
                    hi: interval.as_ref().map_or(mean, |i| i.hi),
                }
            })
            .collect();
        let name: Vec<String> =
            plan.axes.iter().zip(&point_values[point]).map(|(a, v)| format!("{}={}", a.path, text(v))).collect();
        bands.push(BandSeries { name: if name.is_empty() { plan.name.clone() } else { name.join(", ") }, points });
    }
    Ok(bands)
}

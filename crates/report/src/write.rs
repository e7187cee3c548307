//! The files of one run directory, and the charts drawn from them.
//!
//! [`write_run_outputs`] writes, into `dir` (created if missing):
//!
//! | file | content |
//! |---|---|
//! | `metrics.json` | [`RunMetrics`] |
//! | `tx.csv` | one row per transaction: [`TX_COLUMNS`] |
//! | `coverage.csv` | the time series: [`COVERAGE_COLUMNS`] |
//! | `delivery_latency.csv` | one row per delivery: [`DELIVERY_LATENCY_COLUMNS`] |
//!
//! and, when asked for charts, each as `.svg`, `.png` and the `.csv` drawn:
//!
//! | chart | shows |
//! |---|---|
//! | `coverage_by_age` | share of live honest nodes reached against time since creation: mean over transactions, band p10–p90 |
//! | `latency_cdf` | CDF of delivery latency over all deliveries |
//! | `messages_per_tx` | histogram of payload messages per transaction, with the mean |
//! | `coverage_time` | share of (node, transaction) pairs delivered and share of nodes holding the majority digest, against absolute time |
//!
//! The coverage-by-age chart is not called `coverage` because `coverage.csv` is the
//! time series; `coverage_time.csv` repeats the two drawn columns of it in long form.
//!
//! [`rerender_run_charts`] draws the same charts again from the files alone
//! (`metrics.json`, `tx.csv`, `coverage.csv`, `delivery_latency.csv`); both paths go
//! through one function, so the charts come out byte-identical.

use crate::ReportError;
use crate::charts::{self, BandSeries, ChartSpec, IntervalPoint, LineSeries};
use crate::csv::{CsvTable, for_each_record, read_csv, write_csv_file};
use crate::json::{read_json_value, write_json_pretty};
use crate::run::{CoverageRow, RunMetrics, RunReport, TxRow};
use std::collections::BTreeMap;
use std::path::Path;

/// File of the headline metrics.
pub const METRICS_JSON: &str = "metrics.json";
/// File of the per-transaction table.
pub const TX_CSV: &str = "tx.csv";
/// File of the coverage time series.
pub const COVERAGE_CSV: &str = "coverage.csv";
/// File of every delivery's latency.
pub const DELIVERY_LATENCY_CSV: &str = "delivery_latency.csv";
/// Optional file (written by the runner) whose `name` key titles re-rendered charts.
pub const MANIFEST_JSON: &str = "manifest.json";

/// Columns of `tx.csv`, in order.
pub const TX_COLUMNS: [&str; 11] = [
    "tx",
    "origin",
    "created_ms",
    "reached",
    "reached_fraction",
    "t50_ms",
    "t90_ms",
    "t99_ms",
    "t100_ms",
    "messages",
    "ldh",
];
/// Columns of `coverage.csv`, in order.
pub const COVERAGE_COLUMNS: [&str; 4] = ["time_ms", "fraction_delivered", "converged_nodes", "messages"];
/// Columns of `delivery_latency.csv`: one row per (transaction, live honest node
/// reached), latency in ms since the transaction's creation.
pub const DELIVERY_LATENCY_COLUMNS: [&str; 2] = ["tx", "latency_ms"];

/// Base names (no extension) of the charts of a run.
pub const CHART_COVERAGE_BY_AGE: &str = "coverage_by_age";
pub const CHART_LATENCY_CDF: &str = "latency_cdf";
pub const CHART_MESSAGES_PER_TX: &str = "messages_per_tx";
pub const CHART_COVERAGE_TIME: &str = "coverage_time";

/// Ages at which coverage by age is evaluated, evenly spaced from 0 to the largest
/// latency.
pub const COVERAGE_AGES: usize = 200;

/// Writes the run's files into `dir` (see the module doc), and its charts when
/// `charts` is set.
pub fn write_run_outputs(dir: &Path, report: &RunReport, charts: bool) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    write_json_pretty(&dir.join(METRICS_JSON), &report.metrics)?;
    write_tx_csv(&dir.join(TX_CSV), &report.tx_rows)?;
    write_coverage_csv(&dir.join(COVERAGE_CSV), &report.coverage)?;
    let latencies = latencies_by_tx(report);
    write_csv_file(&dir.join(DELIVERY_LATENCY_CSV), &DELIVERY_LATENCY_COLUMNS, |w| {
        for (tx, values) in &latencies {
            for &v in values {
                w.write_row(&[(*tx).into(), v.into()])?;
            }
        }
        Ok(())
    })?;
    let input = ChartInput {
        name: Some(report.name.clone()).filter(|n| !n.is_empty()),
        live_honest_nodes: report.metrics.live_honest_nodes,
        latencies,
        tx_messages: report.tx_rows.iter().map(|r| r.messages as f64).collect(),
        coverage: report.coverage.clone(),
    };
    if charts {
        draw_run_charts(dir, &input)?;
    } else {
        // The coverage curve is small and sweeps overlay it: always keep its data.
        let (spec, series) = coverage_by_age_figure(&input);
        charts::write_band_csv(&dir.join(CHART_COVERAGE_BY_AGE), &spec, &series)?;
    }
    Ok(())
}

/// Draws the run's charts again from the files in `dir` (for `gossim plot DIR`).
/// Titles carry the scenario name when `manifest.json` has a string `name` (or
/// `scenario.name`) key.
pub fn rerender_run_charts(dir: &Path) -> Result<(), ReportError> {
    let metrics_path = dir.join(METRICS_JSON);
    let metrics = read_json_value(&metrics_path)?;
    let live_honest_nodes =
        metrics.get("live_honest_nodes").and_then(|v| v.as_u64()).and_then(|v| u32::try_from(v).ok()).ok_or_else(
            || ReportError::Invalid {
                path: metrics_path.clone(),
                message: "no unsigned 32-bit `live_honest_nodes`".to_string(),
            },
        )?;
    let tx_rows = read_tx_csv(&dir.join(TX_CSV))?;
    let coverage = read_coverage_csv(&dir.join(COVERAGE_CSV))?;
    let mut latencies: BTreeMap<u32, Vec<f64>> = tx_rows.iter().map(|r| (r.tx, Vec::new())).collect();
    for (tx, v) in read_delivery_latency_csv(&dir.join(DELIVERY_LATENCY_CSV))? {
        latencies.entry(tx).or_default().push(v);
    }
    for values in latencies.values_mut() {
        values.sort_by(f64::total_cmp);
    }
    let input = ChartInput {
        name: scenario_name(dir),
        live_honest_nodes,
        latencies,
        tx_messages: tx_rows.iter().map(|r| r.messages as f64).collect(),
        coverage,
    };
    draw_run_charts(dir, &input)
}

/// The scenario name from `dir/manifest.json`, if there is one.
fn scenario_name(dir: &Path) -> Option<String> {
    let path = dir.join(MANIFEST_JSON);
    if !path.exists() {
        return None;
    }
    let v = read_json_value(&path).ok()?;
    v.get("name")
        .or_else(|| v.get("scenario").and_then(|s| s.get("name")))
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// Latencies per transaction id, each sorted ascending; every transaction of
/// `tx_rows` is present, reached or not. `delivery_latencies_ms[i]` belongs to
/// `tx_rows[i]` (or to transaction `i` past the end of `tx_rows`).
fn latencies_by_tx(report: &RunReport) -> BTreeMap<u32, Vec<f64>> {
    let mut map: BTreeMap<u32, Vec<f64>> = report.tx_rows.iter().map(|r| (r.tx, Vec::new())).collect();
    for (i, values) in report.delivery_latencies_ms.iter().enumerate() {
        let tx = report.tx_rows.get(i).map_or(u32::try_from(i).unwrap_or(u32::MAX), |r| r.tx);
        map.entry(tx).or_default().extend_from_slice(values);
    }
    for values in map.values_mut() {
        values.sort_by(f64::total_cmp);
    }
    map
}

/// What the run charts are drawn from, whether it came from memory or from files.
struct ChartInput {
    name: Option<String>,
    live_honest_nodes: u32,
    latencies: BTreeMap<u32, Vec<f64>>,
    tx_messages: Vec<f64>,
    coverage: Vec<CoverageRow>,
}

fn titled(title: &str, name: &Option<String>) -> String {
    match name {
        Some(n) => format!("{title} — {n}"),
        None => title.to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn draw_run_charts(dir: &Path, input: &ChartInput) -> Result<(), ReportError> {
    let (spec, series) = coverage_by_age_figure(input);
    charts::line_band_chart(&dir.join(CHART_COVERAGE_BY_AGE), &spec, &series)?;
    draw_other_run_charts(dir, input)
}

/// The coverage-by-age figure's spec and data (drawn, or written as CSV only).
fn coverage_by_age_figure(input: &ChartInput) -> (ChartSpec, [BandSeries; 1]) {
    let txs = input.latencies.len();
    let live = input.live_honest_nodes;
    let points = coverage_by_age(&input.latencies, live, COVERAGE_AGES);
    let spec = ChartSpec::new(
        &titled("Coverage by transaction age", &input.name),
        "time since creation (ms)",
        "share of live honest nodes reached",
    )
    .note(&format!(
        "{}, {}",
        plural(txs, "transaction", "transactions"),
        plural(live as usize, "live honest node", "live honest nodes")
    ))
    .band_label("mean over transactions, band: p10–p90")
    .y_range(0.0, 1.0)
    .columns("age_ms", "reached_share");
    (spec, [BandSeries { name: "all transactions".to_string(), points }])
}

fn draw_other_run_charts(dir: &Path, input: &ChartInput) -> Result<(), ReportError> {
    let txs = input.latencies.len();
    let live = input.live_honest_nodes;
    let all: Vec<f64> = input.latencies.values().flatten().copied().collect();
    let spec = ChartSpec::new(
        &titled("Delivery latency", &input.name),
        "delivery latency since creation (ms)",
        "fraction of deliveries ≤ latency",
    )
    .note(&format!("{} of {}", plural(all.len(), "delivery", "deliveries"), plural(txs, "transaction", "transactions")))
    .y_range(0.0, 1.0)
    .columns("latency_ms", "cumulative_fraction");
    charts::cdf_chart(&dir.join(CHART_LATENCY_CDF), &spec, &[("all deliveries", &all)])?;

    let spec = ChartSpec::new(
        &titled("Payload messages per transaction", &input.name),
        "payload messages per transaction",
        "transactions",
    )
    .columns("messages", "transactions");
    charts::histogram_chart(&dir.join(CHART_MESSAGES_PER_TX), &spec, &input.tx_messages, 40)?;

    let delivered = input.coverage.iter().map(|r| (r.time_ms, r.fraction_delivered)).collect();
    let converged = input
        .coverage
        .iter()
        .map(|r| {
            let share = if live == 0 { f64::NAN } else { f64::from(r.converged_nodes) / f64::from(live) };
            (r.time_ms, share)
        })
        .collect();
    let spec = ChartSpec::new(&titled("Delivery and convergence over time", &input.name), "time (ms)", "share")
        .y_range(0.0, 1.0)
        .columns("time_ms", "share");
    let series = [
        LineSeries { name: "(node, transaction) pairs delivered".to_string(), points: delivered },
        LineSeries { name: "live honest nodes with the majority digest".to_string(), points: converged },
    ];
    charts::line_chart(&dir.join(CHART_COVERAGE_TIME), &spec, &series)
}

/// Coverage by age: at each of `ages` ages evenly spaced from 0 to the largest
/// latency, the mean, p10 and p90 across transactions of the share of live honest
/// nodes reached by then (latencies ≤ age, over `live_honest_nodes`). Empty when
/// there are no transactions or no live honest nodes; a single age 0 when nothing
/// took any time.
pub fn coverage_by_age(latencies: &BTreeMap<u32, Vec<f64>>, live_honest_nodes: u32, ages: usize) -> Vec<IntervalPoint> {
    if latencies.is_empty() || live_honest_nodes == 0 || ages == 0 {
        return Vec::new();
    }
    let max = latencies.values().flatten().copied().filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    let ages = if max > 0.0 { ages.max(2) } else { 1 };
    let live = f64::from(live_honest_nodes);
    let mut shares = Vec::with_capacity(latencies.len());
    (0..ages)
        .map(|k| {
            let age = if k + 1 == ages && ages > 1 { max } else { max * k as f64 / (ages - 1).max(1) as f64 };
            shares.clear();
            shares.extend(latencies.values().map(|v| v.partition_point(|&l| l <= age) as f64 / live));
            shares.sort_by(f64::total_cmp);
            IntervalPoint {
                x: age,
                center: crate::stats::mean(&shares).unwrap_or(f64::NAN),
                lo: crate::stats::quantile(&shares, 0.1).unwrap_or(f64::NAN),
                hi: crate::stats::quantile(&shares, 0.9).unwrap_or(f64::NAN),
            }
        })
        .collect()
}

/// Writes `tx.csv`.
pub fn write_tx_csv(path: &Path, rows: &[TxRow]) -> Result<(), ReportError> {
    write_csv_file(path, &TX_COLUMNS, |w| {
        for r in rows {
            w.write_row(&[
                r.tx.into(),
                r.origin.into(),
                r.created_ms.into(),
                r.reached.into(),
                r.reached_fraction.into(),
                r.t50_ms.into(),
                r.t90_ms.into(),
                r.t99_ms.into(),
                r.t100_ms.into(),
                r.messages.into(),
                r.ldh.into(),
            ])?;
        }
        Ok(())
    })
}

/// Writes `coverage.csv`.
pub fn write_coverage_csv(path: &Path, rows: &[CoverageRow]) -> Result<(), ReportError> {
    write_csv_file(path, &COVERAGE_COLUMNS, |w| {
        for r in rows {
            w.write_row(&[r.time_ms.into(), r.fraction_delivered.into(), r.converged_nodes.into(), r.messages.into()])?;
        }
        Ok(())
    })
}

fn u32_column(t: &CsvTable, name: &str) -> Result<Vec<u32>, ReportError> {
    let values = t.u64_column(name)?;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            u32::try_from(v).map_err(|_| ReportError::CsvParse {
                path: t.path().to_path_buf(),
                line: t.line_of(i),
                message: format!("column `{name}`: {v} does not fit in 32 bits"),
            })
        })
        .collect()
}

/// Reads `tx.csv` back.
pub fn read_tx_csv(path: &Path) -> Result<Vec<TxRow>, ReportError> {
    let t = read_csv(path)?;
    let tx = u32_column(&t, "tx")?;
    let origin = u32_column(&t, "origin")?;
    let created_ms = t.f64_column("created_ms")?;
    let reached = u32_column(&t, "reached")?;
    let reached_fraction = t.f64_column("reached_fraction")?;
    let t50 = t.opt_f64_column("t50_ms")?;
    let t90 = t.opt_f64_column("t90_ms")?;
    let t99 = t.opt_f64_column("t99_ms")?;
    let t100 = t.opt_f64_column("t100_ms")?;
    let messages = t.u64_column("messages")?;
    let ldh = u32_column(&t, "ldh")?;
    Ok((0..t.rows.len())
        .map(|i| TxRow {
            tx: tx[i],
            origin: origin[i],
            created_ms: created_ms[i],
            reached: reached[i],
            reached_fraction: reached_fraction[i],
            t50_ms: t50[i],
            t90_ms: t90[i],
            t99_ms: t99[i],
            t100_ms: t100[i],
            messages: messages[i],
            ldh: ldh[i],
        })
        .collect())
}

/// Reads `coverage.csv` back.
pub fn read_coverage_csv(path: &Path) -> Result<Vec<CoverageRow>, ReportError> {
    let t = read_csv(path)?;
    let time_ms = t.f64_column("time_ms")?;
    let fraction_delivered = t.f64_column("fraction_delivered")?;
    let converged_nodes = u32_column(&t, "converged_nodes")?;
    let messages = t.u64_column("messages")?;
    Ok((0..t.rows.len())
        .map(|i| CoverageRow {
            time_ms: time_ms[i],
            fraction_delivered: fraction_delivered[i],
            converged_nodes: converged_nodes[i],
            messages: messages[i],
        })
        .collect())
}

/// Reads `delivery_latency.csv` back as (tx, latency_ms) rows in file order,
/// streaming (the file has a row per delivery and can be large).
pub fn read_delivery_latency_csv(path: &Path) -> Result<Vec<(u32, f64)>, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
    let bad = |line: usize, message: String| ReportError::CsvParse { path: path.to_path_buf(), line, message };
    let mut columns: Option<(usize, usize)> = None;
    let mut rows = Vec::new();
    for_each_record(&text, path, |line, record| {
        let Some((tx_col, latency_col)) = columns else {
            let find = |name: &str| {
                record
                    .iter()
                    .position(|h| h == name)
                    .ok_or_else(|| bad(line, format!("missing column `{name}` (header: {})", record.join(","))))
            };
            columns = Some((find("tx")?, find("latency_ms")?));
            return Ok(());
        };
        let tx = record[tx_col]
            .parse::<u32>()
            .map_err(|_| bad(line, format!("column `tx`: `{}` is not a transaction index", record[tx_col])))?;
        let latency = record[latency_col]
            .parse::<f64>()
            .map_err(|_| bad(line, format!("column `latency_ms`: `{}` is not a number", record[latency_col])))?;
        rows.push((tx, latency));
        Ok(())
    })?;
    if columns.is_none() {
        return Err(bad(1, "empty file: no header row".to_string()));
    }
    Ok(rows)
}

/// Reads `metrics.json` back.
pub fn read_metrics_json(path: &Path) -> Result<RunMetrics, ReportError> {
    let value = read_json_value(path)?;
    serde_json::from_value(value).map_err(|source| ReportError::Json { path: path.to_path_buf(), source })
}

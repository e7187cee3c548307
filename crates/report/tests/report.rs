//! Behaviour of a run directory: files, headers, round trips, byte-identical charts,
//! re-rendering from files alone, and degenerate inputs.
//!
//! Set `GOSSIM_REPORT_KEEP=DIR` to keep the charts of the synthetic run in `DIR`
//! for a look.

use gossim_report::charts::{self, BandSeries, ChartSpec, ErrorBarSeries, IntervalPoint, LineSeries};
use gossim_report::csv::read_csv;
use gossim_report::run::{CoverageRow, RunMetrics, RunReport, TxRow};
use gossim_report::write::{
    COVERAGE_COLUMNS, DELIVERY_LATENCY_COLUMNS, TX_COLUMNS, read_coverage_csv, read_delivery_latency_csv,
    read_metrics_json, read_tx_csv,
};
use gossim_report::{rerender_run_charts, write_run_outputs};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A small deterministic generator (64-bit LCG) for synthetic latencies.
struct Lcg(u64);

impl Lcg {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 40 transactions over 48 live honest nodes: most reach everyone along a
/// gossip-like latency curve, a few stall part way, one reaches nobody.
fn synthetic_report() -> RunReport {
    let live = 48u32;
    let mut rng = Lcg(7);
    let mut tx_rows = Vec::new();
    let mut latencies = Vec::new();
    for tx in 0..40u32 {
        let reach = match tx {
            13 => 0,
            5 | 21 | 33 => 20 + tx as usize % 9,
            _ => live as usize,
        };
        let mut lat: Vec<f64> = (0..reach)
            .map(|i| {
                if i == 0 {
                    0.0
                } else {
                    // Hops of ~40 ms, log-ish growth with jitter.
                    let hops = (i as f64).ln() / 1.6 + 1.0;
                    (hops * 40.0 + rng.next_f64() * 35.0).round() / 1.0 + 0.25
                }
            })
            .collect();
        lat.sort_by(f64::total_cmp);
        let share = reach as f64 / f64::from(live);
        let t_at = |q: f64| {
            if share >= q && reach > 0 {
                let k = ((q * f64::from(live)).ceil() as usize).max(1) - 1;
                Some(lat[k.min(reach - 1)])
            } else {
                None
            }
        };
        tx_rows.push(TxRow {
            tx,
            origin: tx % 50,
            created_ms: f64::from(tx) * 12.5,
            reached: reach as u32,
            reached_fraction: share,
            t50_ms: t_at(0.5),
            t90_ms: t_at(0.9),
            t99_ms: t_at(0.99),
            t100_ms: t_at(1.0),
            messages: 60 + u64::from(tx * 7 % 23) + if reach == 0 { 0 } else { 30 },
            ldh: 4 + tx % 3,
        });
        latencies.push(lat);
    }
    let coverage = (0..100u32)
        .map(|i| {
            let t = f64::from(i) * 10.0;
            let f = (1.0 - (-t / 180.0).exp()) * 0.93;
            CoverageRow {
                time_ms: t,
                fraction_delivered: f,
                converged_nodes: if i > 70 { live } else { (f * 40.0) as u32 },
                messages: u64::from(i) * 37,
            }
        })
        .collect();
    let mut dropped = BTreeMap::new();
    dropped.insert("loss".to_string(), 12);
    dropped.insert("total".to_string(), 12);
    RunReport {
        metrics: RunMetrics {
            nodes: 50,
            transactions: 40,
            live_honest_nodes: live,
            reliability: 0.9,
            coverage_mean: 0.93,
            t50_ms: Some(101.5),
            t90_ms: None,
            messages_sent: 4000,
            messages_dropped: dropped,
            stop_reason: "quiescent".to_string(),
            ..RunMetrics::default()
        },
        tx_rows,
        coverage,
        delivery_latencies_ms: latencies,
        name: "fanout-4, loss 1%".to_string(),
    }
}

const DATA_FILES: [&str; 4] = ["metrics.json", "tx.csv", "coverage.csv", "delivery_latency.csv"];
const CHART_FILES: [&str; 12] = [
    "coverage_by_age.svg",
    "coverage_by_age.png",
    "coverage_by_age.csv",
    "latency_cdf.svg",
    "latency_cdf.png",
    "latency_cdf.csv",
    "messages_per_tx.svg",
    "messages_per_tx.png",
    "messages_per_tx.csv",
    "coverage_time.svg",
    "coverage_time.png",
    "coverage_time.csv",
];

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The synthetic run written once (with charts) into a fresh directory.
fn written_run() -> (tempfile::TempDir, RunReport) {
    let dir = tempfile::tempdir().unwrap();
    let report = synthetic_report();
    write_run_outputs(dir.path(), &report, true).unwrap();
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    keep(dir.path(), &names.iter().map(String::as_str).collect::<Vec<_>>());
    (dir, report)
}

#[test]
fn run_directory_holds_every_file_with_exact_headers() {
    let (dir, _) = written_run();
    for name in DATA_FILES.iter().chain(&CHART_FILES) {
        let path = dir.path().join(name);
        assert!(std::fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(false), "{name} is missing or empty");
    }
    let header = |name: &str| read_csv(&dir.path().join(name)).unwrap().header;
    assert_eq!(header("tx.csv"), TX_COLUMNS);
    assert_eq!(
        TX_COLUMNS,
        [
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
            "ldh"
        ]
    );
    assert_eq!(header("coverage.csv"), COVERAGE_COLUMNS);
    assert_eq!(COVERAGE_COLUMNS, ["time_ms", "fraction_delivered", "converged_nodes", "messages"]);
    assert_eq!(header("delivery_latency.csv"), DELIVERY_LATENCY_COLUMNS);
    assert_eq!(DELIVERY_LATENCY_COLUMNS, ["tx", "latency_ms"]);
    assert_eq!(
        header("coverage_by_age.csv"),
        ["series", "age_ms", "reached_share", "reached_share_lo", "reached_share_hi"]
    );
    assert_eq!(header("latency_cdf.csv"), ["series", "latency_ms", "cumulative_fraction"]);
    assert_eq!(header("messages_per_tx.csv"), ["messages_lo", "messages_hi", "transactions"]);
    let svg = String::from_utf8(read(&dir.path().join("coverage_by_age.svg"))).unwrap();
    assert!(svg.contains("mean over transactions, band: p10–p90"));
    assert!(svg.contains("font-family=\"Noto Sans, sans-serif\""));
    let png = read(&dir.path().join("coverage_by_age.png"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn csv_and_json_files_read_back_to_the_same_values() {
    let (dir, report) = written_run();
    assert_eq!(read_metrics_json(&dir.path().join("metrics.json")).unwrap(), report.metrics);
    let metrics_text = String::from_utf8(read(&dir.path().join("metrics.json"))).unwrap();
    assert!(metrics_text.ends_with("}\n"));
    assert!(metrics_text.starts_with("{\n  \"nodes\": 50,"));
    assert_eq!(read_tx_csv(&dir.path().join("tx.csv")).unwrap(), report.tx_rows);
    assert_eq!(read_coverage_csv(&dir.path().join("coverage.csv")).unwrap(), report.coverage);
    let rows = read_delivery_latency_csv(&dir.path().join("delivery_latency.csv")).unwrap();
    let expected: Vec<(u32, f64)> = report
        .delivery_latencies_ms
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |&v| (i as u32, v)))
        .collect();
    assert_eq!(rows, expected);
    // A missing t90 is an empty field, not "NaN" or "null".
    let tx = std::fs::read_to_string(dir.path().join("tx.csv")).unwrap();
    let row_13 = tx.lines().nth(14).unwrap();
    assert!(row_13.starts_with("13,13,162.5,0,0,,,,,"), "{row_13}");
}

#[test]
fn coverage_by_age_band_is_mean_and_p10_p90_over_transactions() {
    let (dir, report) = written_run();
    let t = read_csv(&dir.path().join("coverage_by_age.csv")).unwrap();
    let age = t.f64_column("age_ms").unwrap();
    let mean = t.f64_column("reached_share").unwrap();
    let lo = t.f64_column("reached_share_lo").unwrap();
    let hi = t.f64_column("reached_share_hi").unwrap();
    assert_eq!(age.len(), 200);
    assert_eq!(age[0], 0.0);
    let max = report.delivery_latencies_ms.iter().flatten().copied().fold(0.0, f64::max);
    assert_eq!(*age.last().unwrap(), max);
    // At the last age each transaction's share is its reached fraction.
    let fractions: Vec<f64> = report.tx_rows.iter().map(|r| r.reached_fraction).collect();
    let expected_mean = fractions.iter().sum::<f64>() / fractions.len() as f64;
    assert!((mean[199] - expected_mean).abs() < 1e-12);
    // The mean may leave a skewed p10–p90 band (at age 0 one transaction of 40 sits
    // at 0, the rest at 1/48), so only the band's own order is checked.
    for i in 0..200 {
        assert!(lo[i] <= hi[i], "age {}", age[i]);
        assert!((0.0..=1.0).contains(&lo[i]) && (0.0..=1.0).contains(&hi[i]));
        assert!((0.0..=1.0).contains(&mean[i]));
    }
    // Only the origin (latency 0) holds each transaction at age 0.
    assert!((mean[0] - 39.0 / 40.0 / 48.0).abs() < 1e-12);
}

#[test]
fn outputs_are_byte_identical_when_written_twice() {
    let (a, _) = written_run();
    let (b, _) = written_run();
    for name in DATA_FILES.iter().chain(&CHART_FILES) {
        assert!(read(&a.path().join(name)) == read(&b.path().join(name)), "{name} differs between two writes");
    }
}

#[test]
fn rerender_from_files_alone_reproduces_the_charts() {
    let (original, report) = written_run();
    let copy = tempfile::tempdir().unwrap();
    for name in DATA_FILES {
        std::fs::copy(original.path().join(name), copy.path().join(name)).unwrap();
    }
    std::fs::write(copy.path().join("manifest.json"), format!("{{\"name\": \"{}\"}}\n", report.name)).unwrap();
    rerender_run_charts(copy.path()).unwrap();
    for name in &CHART_FILES {
        assert!(
            read(&original.path().join(name)) == read(&copy.path().join(name)),
            "{name} differs after re-rendering from the files"
        );
    }
    // Without a manifest the titles lose the name, nothing else.
    std::fs::remove_file(copy.path().join("manifest.json")).unwrap();
    rerender_run_charts(copy.path()).unwrap();
    let svg = std::fs::read_to_string(copy.path().join("latency_cdf.svg")).unwrap();
    assert!(svg.contains("\nDelivery latency\n"), "title without the name");
}

#[test]
fn rerender_reports_the_file_and_line_of_bad_data() {
    let (dir, _) = written_run();
    let path = dir.path().join("delivery_latency.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("3,soon\n");
    let line = text.lines().count();
    std::fs::write(&path, text).unwrap();
    let err = rerender_run_charts(dir.path()).unwrap_err().to_string();
    assert!(err.contains(&format!("delivery_latency.csv:{line}: column `latency_ms`")), "{err}");
    std::fs::remove_file(dir.path().join("tx.csv")).unwrap();
    let err = rerender_run_charts(dir.path()).unwrap_err().to_string();
    assert!(err.contains("tx.csv"), "{err}");
}

#[test]
fn degenerate_runs_write_files_without_panicking() {
    let empty = tempfile::tempdir().unwrap();
    write_run_outputs(empty.path(), &RunReport::default(), true).unwrap();
    rerender_run_charts(empty.path()).unwrap();
    let svg = std::fs::read_to_string(empty.path().join("coverage_by_age.svg")).unwrap();
    assert!(svg.contains("no data to plot"));

    // One transaction, one delivery at time 0, NaN in the series, nobody live.
    let mut report = synthetic_report();
    report.tx_rows.truncate(1);
    report.delivery_latencies_ms = vec![vec![0.0]];
    report.coverage = vec![CoverageRow { time_ms: 0.0, fraction_delivered: f64::NAN, converged_nodes: 0, messages: 0 }];
    let one = tempfile::tempdir().unwrap();
    write_run_outputs(one.path(), &report, true).unwrap();
    report.metrics.live_honest_nodes = 0;
    write_run_outputs(one.path(), &report, true).unwrap();
    rerender_run_charts(one.path()).unwrap();
    // Data without charts writes no chart.
    let bare = tempfile::tempdir().unwrap();
    write_run_outputs(bare.path(), &synthetic_report(), false).unwrap();
    assert!(!bare.path().join("latency_cdf.svg").exists());
}

#[test]
fn generic_charts_survive_degenerate_series() {
    let dir = tempfile::tempdir().unwrap();
    let base = |n: &str| dir.path().join(n);
    let spec = ChartSpec::new("Degenerate", "x (ms)", "y (share)");
    let p = |x: f64, c: f64| IntervalPoint { x, center: c, lo: c - 0.1, hi: c + 0.1 };
    let band = |points: Vec<IntervalPoint>| BandSeries { name: "s".to_string(), points };
    charts::line_band_chart(&base("empty"), &spec, &[]).unwrap();
    charts::line_band_chart(&base("no_points"), &spec, &[band(vec![])]).unwrap();
    charts::line_band_chart(&base("one"), &spec, &[band(vec![p(3.0, 0.5)])]).unwrap();
    charts::line_band_chart(&base("equal"), &spec, &[band(vec![p(1.0, 2.0), p(1.0, 2.0)])]).unwrap();
    charts::line_band_chart(
        &base("nan"),
        &spec,
        &[band(vec![p(f64::NAN, 1.0), p(1.0, f64::NAN), p(f64::INFINITY, 0.0)])],
    )
    .unwrap();
    let svg = std::fs::read_to_string(base("nan.svg")).unwrap();
    assert!(svg.contains("no data to plot"));
    charts::cdf_chart(&base("cdf"), &spec, &[("a", &[]), ("b", &[f64::NAN, 1.0])]).unwrap();
    charts::histogram_chart(&base("hist_empty"), &spec, &[], 10).unwrap();
    charts::histogram_chart(&base("hist_equal"), &spec, &[5.0, 5.0, 5.0], 10).unwrap();
    charts::line_chart(
        &base("log_zero"),
        &spec.clone().log_x(),
        &[LineSeries { name: "with zero".to_string(), points: vec![(0.0, 1.0), (-1.0, 2.0), (10.0, 3.0)] }],
    )
    .unwrap();
    let svg = std::fs::read_to_string(base("log_zero.svg")).unwrap();
    assert!(svg.contains("2 values with x ≤ 0 not shown (log scale)"));
    charts::errorbar_chart(
        &base("eb_one"),
        &spec,
        &[ErrorBarSeries { name: "only".to_string(), points: vec![p(4.0, 1.0)] }],
    )
    .unwrap();
    keep(dir.path(), &["empty.png", "one.png", "hist_equal.png", "log_zero.png"]);
    for name in ["empty", "one", "equal", "nan", "cdf", "hist_equal", "log_zero", "eb_one"] {
        for ext in ["svg", "png", "csv"] {
            assert!(base(&format!("{name}.{ext}")).exists(), "{name}.{ext}");
        }
    }
}

#[test]
fn sweep_charts_overlay_series_with_their_intervals() {
    let dir = tempfile::tempdir().unwrap();
    // Coverage curves of three fanouts, and t90 against loss on a log axis.
    let curves: Vec<BandSeries> = [2.0, 3.0, 4.0]
        .iter()
        .map(|&fanout: &f64| BandSeries {
            name: format!("fanout {fanout}"),
            points: (0..=100)
                .map(|i| {
                    let x = f64::from(i) * 5.0;
                    let c = 1.0 - (-x * fanout / 150.0).exp();
                    IntervalPoint { x, center: c, lo: (c - 0.12).max(0.0), hi: (c + 0.08).min(1.0) }
                })
                .collect(),
        })
        .collect();
    let spec = ChartSpec::new("Coverage by fanout", "time since creation (ms)", "share of live honest nodes reached")
        .band_label("mean over replicates, band: 95% CI")
        .y_range(0.0, 1.0)
        .columns("age_ms", "reached_share");
    charts::line_band_chart(&dir.path().join("sweep_coverage"), &spec, &curves).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("sweep_coverage.svg")).unwrap();
    for needle in ["fanout 2", "fanout 4", "band: 95% CI", "#0072B2", "#D55E00"] {
        assert!(svg.contains(needle), "{needle}");
    }
    let t = read_csv(&dir.path().join("sweep_coverage.csv")).unwrap();
    assert_eq!(t.rows.len(), 303);

    let series: Vec<ErrorBarSeries> = [2.0, 4.0]
        .iter()
        .map(|&fanout: &f64| ErrorBarSeries {
            name: format!("fanout {fanout}"),
            points: [0.001, 0.01, 0.05, 0.2]
                .iter()
                .map(|&loss: &f64| {
                    let m = 200.0 / fanout * (1.0 + 4.0 * loss);
                    IntervalPoint { x: loss, center: m, lo: m * 0.9, hi: m * 1.1 }
                })
                .collect(),
        })
        .collect();
    let spec =
        ChartSpec::new("t90 against loss", "message loss probability", "t90 (ms)").log_x().columns("loss", "t90_ms");
    charts::errorbar_chart(&dir.path().join("sweep_t90"), &spec, &series).unwrap();
    let t = read_csv(&dir.path().join("sweep_t90.csv")).unwrap();
    assert_eq!(t.header, ["series", "loss", "t90_ms", "t90_ms_lo", "t90_ms_hi"]);
    assert_eq!(t.rows[0], ["fanout 2", "0.001", "100.4", "90.36000000000001", "110.44000000000001"]);
    keep(dir.path(), &["sweep_coverage.png", "sweep_coverage.svg", "sweep_t90.png", "sweep_t90.svg"]);
}

/// Copies `names` from `dir` into `$GOSSIM_REPORT_KEEP`, when set.
fn keep(dir: &Path, names: &[&str]) {
    if let Some(keep) = std::env::var_os("GOSSIM_REPORT_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for name in names {
            std::fs::copy(dir.join(name), keep.join(name)).unwrap();
        }
    }
}

//! Writing a validation run: `report.md` (the table per section, the summary line,
//! the command and version), `rows.csv` (every row, machine-readable) and under
//! `charts/` one SVG per result with the CSV of exactly what it draws.
//!
//! Everything is written into a staging directory beside the target and renamed into
//! place only when complete (as [`crate::output`] does for runs). PNG previews the
//! chart functions also draw are removed: the report links SVGs only, which keeps a
//! committed report small.
//!
//! Not here: running or judging anything.

use super::{Chart, ChartKind, Row, ScenarioSource, SuiteReport};
use crate::output::{self, GIT_DESCRIBE, OutputError, VERSION};
use gossim_report::charts::{self, BandSeries, with_ext};
use gossim_report::csv::write_csv_file;
use std::fmt::Write as _;
use std::path::Path;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

/// Writes the report of `suite` into `out` (replacing what was there). `command` is
/// the command line that produced it, quoted in the report.
pub fn write_report(suite: &SuiteReport, out: &Path, command: &str) -> Result<(), OutputError> {
    let staging = output::staging_dir(out)?;
    let written = (|| {
        let charts_dir = staging.join("charts");
        std::fs::create_dir_all(&charts_dir).map_err(io_error(&charts_dir))?;
        for chart in suite.sections.iter().flat_map(|s| s.charts.iter()) {
            draw(&charts_dir, chart)?;
        }
        write_rows_csv(&staging.join("rows.csv"), suite)?;
        let markdown = markdown(suite, command);
        let path = staging.join("report.md");
        std::fs::write(&path, markdown).map_err(io_error(&path))?;
        Ok(())
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    output::commit_dir(&staging, out)
}

fn draw(dir: &Path, chart: &Chart) -> Result<(), OutputError> {
    let base = dir.join(&chart.name);
    match chart.kind {
        ChartKind::ErrorBars => charts::errorbar_chart(&base, &chart.spec, &chart.series)?,
        ChartKind::Bands => {
            let series: Vec<BandSeries> =
                chart.series.iter().map(|s| BandSeries { name: s.name.clone(), points: s.points.clone() }).collect();
            charts::line_band_chart(&base, &chart.spec, &series)?;
        }
    }
    let png = with_ext(&base, "png");
    if png.exists() {
        std::fs::remove_file(&png).map_err(io_error(&png))?;
    }
    Ok(())
}

fn write_rows_csv(path: &Path, suite: &SuiteReport) -> Result<(), OutputError> {
    let header = [
        "section",
        "id",
        "result",
        "source",
        "prediction",
        "measured",
        "ci_lo",
        "ci_hi",
        "trials",
        "criterion",
        "pass",
        "notes",
        "rerun",
    ];
    write_csv_file(path, &header, |w| {
        for row in suite.rows() {
            let criterion = row.criterion.describe();
            w.write_row(&[
                row.section.number().into(),
                row.id.as_str().into(),
                row.result.as_str().into(),
                row.source.as_str().into(),
                row.prediction.into(),
                row.measured.into(),
                row.lo.into(),
                row.hi.into(),
                row.trials.into(),
                (&criterion).into(),
                (if row.pass { "yes" } else { "no" }).into(),
                row.notes.as_str().into(),
                row.rerun.as_str().into(),
            ])?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A number with about `digits` significant digits, plainly written.
fn number(value: f64, digits: usize) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).clamp(0, 12) as usize;
    format!("{value:.decimals$}")
}

fn interval(row: &Row) -> String {
    match (row.lo, row.hi) {
        (Some(lo), Some(hi)) => format!("[{}, {}]", number(lo, 5), number(hi, 5)),
        _ => "—".into(),
    }
}

/// A confidence level as a percentage with two significant digits of its error
/// level, rounded down so the label never overstates it ("99.981%", "99%").
fn percent(level: f64) -> String {
    let alpha_percent = (1.0 - level) * 100.0;
    let decimals = if alpha_percent >= 1.0 { 0 } else { (-alpha_percent.log10()).ceil() as usize + 1 };
    let scale = 10f64.powi(decimals as i32);
    // A tiny nudge keeps 99.99 from printing as 99.98 through binary rounding.
    let text = format!("{:.*}", decimals, ((level * 100.0 * scale) + 1e-6).floor() / scale);
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    format!("{text}%")
}

/// Markdown table cells must not contain a bare `|`.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn markdown(suite: &SuiteReport, command: &str) -> String {
    let mut md = String::new();
    let failed = suite.failed();
    let _ = writeln!(md, "# gossim validation report\n");
    let _ = writeln!(
        md,
        "gossim reproduces the published results collected in THEORY.md: each row runs a scenario from \
         `scenarios/validation/` many times with independent seeds and compares the measured statistic with the \
         prediction.\n"
    );
    let _ = writeln!(md, "**{}.**\n", suite.summary_line());
    if failed.is_empty() {
        let _ = writeln!(md, "Every row passed.\n");
    } else {
        let _ = writeln!(md, "Rows that failed:\n");
        for row in &failed {
            let _ = writeln!(
                md,
                "- {} `{}`: {} — prediction {}, measured {} {}",
                row.section.number(),
                row.id,
                row.result,
                number(row.prediction, 5),
                number(row.measured, 5),
                interval(row)
            );
        }
        md.push('\n');
    }
    let version = if GIT_DESCRIBE.is_empty() { VERSION.to_string() } else { format!("{VERSION} ({GIT_DESCRIBE})") };
    let source = match &suite.source {
        ScenarioSource::Embedded => "the copies of `scenarios/validation/` built into the binary".to_string(),
        ScenarioSource::Directory(dir) => format!("`{}`", dir.display()),
    };
    let _ = writeln!(md, "- command: `{command}`");
    let _ = writeln!(md, "- gossim {version}, mode `{}`, scenario files: {source}", suite.mode.as_str());
    let _ = writeln!(
        md,
        "- {} trials on {} threads in {:.0} s (the numbers do not depend on the thread count)",
        suite.trials, suite.threads, suite.wall_seconds
    );
    if suite.sampler != gossim_node::PeerSampler::Uniform {
        let _ = writeln!(md, "- **peer sampler: {:?} (a deliberately wrong sampler)**", suite.sampler);
    }
    md.push('\n');
    let level = percent(suite.row_level);
    let _ = writeln!(md, "## How rows are judged\n");
    let _ = writeln!(
        md,
        "Tolerances come from the trials, never from a hand-set margin. Each trial is one run with one \
         transaction, so trials are independent.\n\n\
         **The suite is a 99% test as a whole.** Testing each of M rows at 99% would make a correct gossim fail \
         some row with probability 1 − 0.99^M (45% for M = 60). So the {m} statistical rows share the 1% error \
         (Bonferroni): every interval below is a {level} confidence interval, and a correct gossim passes all \
         rows together with probability at least 99%.\n\n\
         - Exact or closed-form means: the prediction must lie in the measured t confidence interval.\n\
         - Probabilities: the prediction must lie in the Clopper–Pearson interval of the measured proportion.\n\
         - Monte Carlo references that carry their own standard error (THEORY.md §1 at n = 10⁴ and 10⁵): the row \
         passes when |measured − reference| ≤ z·√(se_measured² + se_reference²), z = {z:.3} (the normal quantile \
         of the same level); the CI column still shows the measured t interval.\n\
         - Standard deviations: the exact SD must lie in the large-sample interval s ± z·√((m₄ − s⁴)/N)/(2s).\n\
         - Values published to a few digits (Demers et al.'s Table 1): the measured interval must meet the interval \
         the published digits stand for (0.037 → [0.0365, 0.0375]).\n\
         - Identities (messages = fanout × reached, RMR of flooding, pull copies): every trial must match to 1e-9; \
         the CI column shows min … max over the trials. They are not counted in M.\n\n\
         Where the theory is asymptotic the prediction is THEORY.md's finite-n value (exact chains or Monte Carlo \
         at the simulated n), with the asymptotic value in the notes; §3's formulas are deterministic limits and \
         are compared at n = 1000 as THEORY.md states them. Seeds are fixed (trial i of a file uses sweep seed i \
         of the file's seed), so a given build always gives the same verdicts. The `rerun` column of `rows.csv` \
         runs the first trial of a row with `gossim run`.\n",
        m = suite.statistical_rows,
        z = super::criteria::z_of(suite.row_level),
    );
    for section in &suite.sections {
        let passed = section.rows.iter().filter(|r| r.pass).count();
        let _ = writeln!(
            md,
            "## {} {} ({} of {} passed)\n",
            section.section.number(),
            section.section.title(),
            passed,
            section.rows.len()
        );
        let _ = writeln!(md, "{}\n", section.setup);
        let _ = writeln!(md, "| result | source | prediction | measured mean | {level} CI | trials | pass | notes |");
        let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
        for row in &section.rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&row.result),
                cell(&row.source),
                number(row.prediction, 5),
                number(row.measured, 5),
                interval(row),
                row.trials,
                if row.pass { "yes" } else { "**no**" },
                cell(&row.notes)
            );
        }
        md.push('\n');
        for chart in &section.charts {
            let _ = writeln!(md, "![{}](charts/{}.svg)\n", chart.spec.title, chart.name);
            let _ = writeln!(md, "{} Data: [`charts/{}.csv`](charts/{}.csv).\n", chart.caption, chart.name, chart.name);
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn levels_print_with_the_digits_that_matter() {
        assert_eq!(super::percent(0.99), "99%");
        assert_eq!(super::percent(0.9999), "99.99%");
        assert_eq!(super::percent(1.0 - 0.01 / 55.0), "99.981%");
    }

    #[test]
    fn numbers_keep_their_significant_digits() {
        assert_eq!(number(7.413_8, 5), "7.4138");
        assert_eq!(number(0.005_95, 3), "0.00595");
        assert_eq!(number(23.69, 5), "23.690");
        assert_eq!(number(f64::NAN, 5), "—");
    }
}

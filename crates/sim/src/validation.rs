//! Validation: gossim against the published results of gossip theory.
//!
//! THEORY.md (the project's list of published results, `../shared/THEORY.md` beside
//! the repository; its tables are copied into [`theory`]) gives results from the
//! gossip literature with the exact process each assumes. This module runs each as
//! scenario files from `scenarios/validation/` (embedded in the binary, or read from
//! a directory), many independent seeded trials per setting, and compares the
//! measured statistic with the prediction:
//!
//! - §1 synchronous push, pull and push-pull on the complete graph (exact E[T]);
//!   push with fanout 2 and 3, per-message loss and crashed nodes;
//! - §2 infect-and-die: P(all reached) with fanout ln n + c, coverage fixed point,
//!   messages = fanout × reached;
//! - §3 rumour mongering: residue and traffic (Demers et al. 1987);
//! - §4 asynchronous push and push-pull with Poisson clocks (exact E[T_all], SD,
//!   mean receipt time);
//! - §5 flooding on a k-regular overlay: RMR = k − 2 + k/(n − 1).
//!
//! Every row passes or fails by a confidence interval built from its trials
//! ([`criteria`]), at a level that makes the whole suite a 99% test (Bonferroni over
//! the statistical rows); no tolerance is set by hand. [`run_suite`] runs the suite and
//! returns its rows and charts; [`write_report`] writes `report.md`, `rows.csv` and
//! one SVG chart (with the CSV drawn) per result, atomically.
//!
//! Modules: [`theory`] (reference tables, closed forms, the exact push chain),
//! [`criteria`] (how a row decides), [`trials`] (running seeded trials in parallel),
//! `suite` (which settings, how many trials, which rows and charts), `report`
//! (Markdown, CSV and charts).
//!
//! Not here: the simulator itself (the runner and the node crate are validated, not
//! modified), command-line parsing (the CLI's `gossim validate`), and sampling faults
//! (the node crate's `PeerSampler`, which tests pass in [`Options::sampler`] to show
//! the suite catches them).

pub mod criteria;
mod report;
mod suite;
pub mod theory;
pub mod trials;

pub use criteria::{Criterion, LEVEL};
pub use report::write_report;

use gossim_node::PeerSampler;
use gossim_report::charts::{ChartSpec, ErrorBarSeries};
use serde::Serialize;
use std::path::PathBuf;

/// Errors that stop the suite (a failing row is not an error).
#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    #[error(transparent)]
    Scenario(gossim_scenario::ScenarioErrors),
    #[error("{0}")]
    Plan(String),
    #[error("{0}")]
    Sim(String),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// How thorough the suite is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Small sizes and a few hundred trials per row: about a minute on 2 cores,
    /// still sharp enough to catch a self-targeting or off-by-one-fanout sampler.
    Quick,
    /// THEORY.md's sizes with thousands of trials where they are cheap: the run
    /// whose report is committed under `results/validation/`.
    Full,
}

impl Mode {
    /// `quick` or `full`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }
}

/// A section of THEORY.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// §1 synchronous push, pull, push-pull; fanout, loss, crashes.
    Synchronous,
    /// §2 infect-and-die.
    InfectAndDie,
    /// §3 rumour mongering.
    Rumour,
    /// §4 asynchronous gossip with Poisson clocks.
    Poisson,
    /// §5 flooding and the RMR identity.
    Flooding,
}

impl Section {
    /// Every section, in THEORY.md order.
    pub const ALL: [Section; 5] =
        [Section::Synchronous, Section::InfectAndDie, Section::Rumour, Section::Poisson, Section::Flooding];

    /// "§1" … "§5".
    pub fn number(&self) -> &'static str {
        match self {
            Section::Synchronous => "§1",
            Section::InfectAndDie => "§2",
            Section::Rumour => "§3",
            Section::Poisson => "§4",
            Section::Flooding => "§5",
        }
    }

    /// The section's heading.
    pub fn title(&self) -> &'static str {
        match self {
            Section::Synchronous => "Synchronous push, pull and push-pull on the complete graph",
            Section::InfectAndDie => "Infect-and-die with fanout ln n + c (Kermarrec, Massoulié, Ganesh 2003)",
            Section::Rumour => "Rumour mongering (Demers et al. 1987)",
            Section::Poisson => "Asynchronous gossip with Poisson clocks",
            Section::Flooding => "Flooding and relative message redundancy (Leitão et al. 2007)",
        }
    }
}

/// Where the validation scenario files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioSource {
    /// The copies compiled into the binary (`scenarios/validation/` at build time).
    Embedded,
    /// `<dir>/<file name>`, to validate edited files without rebuilding.
    Directory(PathBuf),
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    pub mode: Mode,
    /// Concurrent trials (each single-threaded). Results do not depend on it.
    pub threads: usize,
    pub source: ScenarioSource,
    /// Sections to run; all when empty.
    pub sections: Vec<Section>,
    /// The peer sampler every node uses: [`PeerSampler::Uniform`] except in the
    /// tests that show the suite catches a wrong one.
    pub sampler: PeerSampler,
}

impl Options {
    /// Every section with the correct sampler and the embedded files.
    pub fn new(mode: Mode, threads: usize) -> Options {
        Options { mode, threads, source: ScenarioSource::Embedded, sections: Vec::new(), sampler: PeerSampler::Uniform }
    }
}

/// One line of the report: a prediction against a measurement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub section: Section,
    /// A stable identifier, e.g. `s1-push-n16`.
    pub id: String,
    /// What is measured, with its parameters.
    pub result: String,
    /// Where the prediction comes from.
    pub source: String,
    pub prediction: f64,
    /// Mean (or proportion, or SD) over the trials.
    pub measured: f64,
    /// The interval the criterion uses (the row-level CI, or min … max for exact
    /// rows).
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub trials: u32,
    pub criterion: Criterion,
    pub pass: bool,
    /// Asymptotic values, reference intervals and other context.
    pub notes: String,
    /// A command that runs the first trial alone.
    pub rerun: String,
}

/// How a chart draws its series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Points with error bars joined by lines (discrete x: sizes, fanouts, k).
    ErrorBars,
    /// Lines with shaded bands: for dense theory curves, drawn with a few markers
    /// (a band of zero width is just the line), over measured points whose band is
    /// their confidence interval.
    Bands,
}

/// One chart: series of points with intervals over a numeric x.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// File stem under `charts/`.
    pub name: String,
    pub kind: ChartKind,
    pub spec: ChartSpec,
    pub series: Vec<ErrorBarSeries>,
    /// One sentence under the chart in the report.
    pub caption: String,
}

/// The rows and charts of one section.
#[derive(Clone, Debug, PartialEq)]
pub struct SectionReport {
    pub section: Section,
    /// Settings common to the section (files, sizes, conventions), one paragraph.
    pub setup: String,
    pub rows: Vec<Row>,
    pub charts: Vec<Chart>,
}

/// Everything a suite run produced.
#[derive(Clone, Debug)]
pub struct SuiteReport {
    pub mode: Mode,
    pub sampler: PeerSampler,
    pub source: ScenarioSource,
    pub threads: usize,
    pub sections: Vec<SectionReport>,
    /// Rows judged by a confidence interval (the family of [`criteria::row_level`]).
    pub statistical_rows: usize,
    /// The confidence level of each row's interval: 1 − 0.01 / `statistical_rows`.
    pub row_level: f64,
    /// Trials run in all.
    pub trials: u64,
    /// Wall-clock seconds the trials took (not deterministic; reported only).
    pub wall_seconds: f64,
}

impl SuiteReport {
    /// Every row, section by section.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.sections.iter().flat_map(|s| s.rows.iter())
    }

    /// Rows that failed.
    pub fn failed(&self) -> Vec<&Row> {
        self.rows().filter(|r| !r.pass).collect()
    }

    /// Whether every row passed.
    pub fn all_passed(&self) -> bool {
        self.rows().all(|r| r.pass)
    }

    /// "N of M rows passed".
    pub fn summary_line(&self) -> String {
        let total = self.rows().count();
        let passed = self.rows().filter(|r| r.pass).count();
        format!("{passed} of {total} rows passed")
    }
}

/// Runs the suite: plans every experiment of the chosen sections, runs all trials on
/// one pool, and judges every row. `on_progress(done, total)` is called after each
/// trial from worker threads.
pub fn run_suite(
    options: &Options,
    on_progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<SuiteReport, ValidationError> {
    let sections: Vec<Section> = if options.sections.is_empty() {
        Section::ALL.to_vec()
    } else {
        Section::ALL.iter().copied().filter(|s| options.sections.contains(s)).collect()
    };
    let mut planner = suite::Planner::default();
    let builders: Vec<suite::Builder> = sections.iter().map(|&s| suite::plan(s, options.mode, &mut planner)).collect();
    let started = std::time::Instant::now();
    let outcomes =
        trials::run_experiments(&planner.experiments, &options.source, options.sampler, options.threads, on_progress)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    // Two passes over the (cheap) builders: the first counts the statistical rows,
    // which sets every row's level; the second judges at that level.
    let mut results = suite::Results { experiments: &planner.experiments, outcomes: &outcomes, level: LEVEL };
    let statistical_rows: usize =
        builders.iter().map(|build| build(&results).rows.iter().filter(|r| r.criterion.is_statistical()).count()).sum();
    results.level = criteria::row_level(statistical_rows);
    let sections = builders.iter().map(|build| build(&results)).collect();
    Ok(SuiteReport {
        statistical_rows,
        row_level: results.level,
        mode: options.mode,
        sampler: options.sampler,
        source: options.source.clone(),
        threads: options.threads,
        sections,
        trials: planner.experiments.iter().map(|e| u64::from(e.trials)).sum(),
        wall_seconds,
    })
}

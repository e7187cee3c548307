//! The suite: for each THEORY.md section, which settings run how many trials (quick
//! and full), and how their outcomes become rows and charts.
//!
//! Planning and judging are split so that every trial of every section runs on one
//! pool: [`plan`] registers a section's experiments with the [`Planner`] and returns
//! a [`Builder`] that turns the finished outcomes into the section's report.
//!
//! Sizes: quick mode uses small n and hundreds to a few thousand trials, enough to
//! catch a sampler that picks the node itself (push at n = 16: 7.41 → 7.83 rounds,
//! while 1000 trials give a simultaneous 99% CI of about ±0.16) or one whose fanout is
//! off by one (§2 P(all) at fanout 7: 0.41 → 0.72); full mode adds THEORY.md's large
//! sizes and more trials.
//!
//! Not here: running trials ([`super::trials`]) or the pass rules
//! ([`super::criteria`]).

use super::criteria::{self, Criterion, Verdict};
use super::theory::{self, Targets};
use super::trials::{
    Experiment, FLOODING, INFECT_AND_DIE, Outcome, POISSON_PUSH, POISSON_PUSH_PULL, RUMOR, SYNC_PULL, SYNC_PUSH,
    SYNC_PUSH_FAULTS, SYNC_PUSH_PULL, ScenarioFile,
};
use super::{Chart, ChartKind, Mode, Row, Section, SectionReport};
use gossim_report::charts::{ChartSpec, ErrorBarSeries, IntervalPoint};
use serde_json::{Value, json};

/// Turns the outcomes of a run into one section's report.
pub(super) type Builder = Box<dyn Fn(&Results<'_>) -> SectionReport>;

/// Collects the experiments of every planned section.
#[derive(Debug, Default)]
pub(super) struct Planner {
    pub experiments: Vec<Experiment>,
}

/// An experiment's index in the plan.
type ExperimentId = usize;

impl Planner {
    /// Adds an experiment (or finds the identical one) and returns its id.
    fn add(&mut self, file: ScenarioFile, overrides: &[(&str, Value)], trials: u32) -> ExperimentId {
        let experiment = Experiment::new(file, overrides, trials);
        if let Some(i) =
            self.experiments.iter().position(|e| e.file == experiment.file && e.overrides == experiment.overrides)
        {
            self.experiments[i].trials = self.experiments[i].trials.max(trials);
            return i;
        }
        self.experiments.push(experiment);
        self.experiments.len() - 1
    }
}

/// The finished outcomes, by experiment id, and the level rows are judged at.
pub(super) struct Results<'a> {
    pub experiments: &'a [Experiment],
    pub outcomes: &'a [Vec<Outcome>],
    /// Each row's confidence level ([`criteria::row_level`]).
    pub level: f64,
}

impl Results<'_> {
    fn outcomes(&self, id: ExperimentId) -> &[Outcome] {
        &self.outcomes[id]
    }

    fn values(&self, id: ExperimentId, f: impl Fn(&Outcome) -> f64) -> Vec<f64> {
        self.outcomes[id].iter().map(f).collect()
    }

    fn rerun(&self, id: ExperimentId) -> String {
        let seed = self.outcomes[id].first().map_or(0, |o| o.seed);
        self.experiments[id].rerun_command(seed)
    }
}

/// Plans one section and returns the builder of its report.
pub(super) fn plan(section: Section, mode: Mode, planner: &mut Planner) -> Builder {
    match section {
        Section::Synchronous => synchronous(mode, planner),
        Section::InfectAndDie => infect_and_die(mode, planner),
        Section::Rumour => rumour(mode, planner),
        Section::Poisson => poisson(mode, planner),
        Section::Flooding => flooding(mode, planner),
    }
}

/// The row fields every builder fills the same way.
struct RowSpec<'a> {
    section: Section,
    id: String,
    result: String,
    source: &'a str,
    prediction: f64,
    criterion: Criterion,
    notes: String,
}

impl RowSpec<'_> {
    fn finish(self, verdict: Verdict, trials: usize, rerun: String) -> Row {
        Row {
            section: self.section,
            id: self.id,
            result: self.result,
            source: self.source.to_string(),
            prediction: self.prediction,
            measured: verdict.measured,
            lo: verdict.lo,
            hi: verdict.hi,
            trials: trials as u32,
            criterion: self.criterion,
            pass: verdict.pass,
            notes: self.notes,
            rerun,
        }
    }
}

fn point(x: f64, center: f64, lo: f64, hi: f64) -> IntervalPoint {
    IntervalPoint { x, center, lo, hi }
}

fn exact_point(x: f64, y: f64) -> IntervalPoint {
    point(x, y, y, y)
}

fn measured_point(x: f64, row: &Row) -> IntervalPoint {
    point(x, row.measured, row.lo.unwrap_or(row.measured), row.hi.unwrap_or(row.measured))
}

fn series(name: &str, points: Vec<IntervalPoint>) -> ErrorBarSeries {
    ErrorBarSeries { name: name.to_string(), points }
}

/// `count` evenly spaced points of `f` on `[lo, hi]` (a theory curve).
fn curve(lo: f64, hi: f64, count: usize, f: impl Fn(f64) -> f64) -> Vec<IntervalPoint> {
    (0..count)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / (count - 1) as f64;
            exact_point(x, f(x))
        })
        .collect()
}

// ----- §1 ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum SyncProtocol {
    Push,
    Pull,
    PushPull,
}

impl SyncProtocol {
    fn name(self) -> &'static str {
        match self {
            SyncProtocol::Push => "push",
            SyncProtocol::Pull => "pull",
            SyncProtocol::PushPull => "push-pull",
        }
    }

    fn file(self) -> ScenarioFile {
        match self {
            SyncProtocol::Push => SYNC_PUSH,
            SyncProtocol::Pull => SYNC_PULL,
            SyncProtocol::PushPull => SYNC_PUSH_PULL,
        }
    }

    fn column(self) -> usize {
        match self {
            SyncProtocol::Push => 0,
            SyncProtocol::Pull => 1,
            SyncProtocol::PushPull => 2,
        }
    }

    fn exact(self, n: u32) -> Option<f64> {
        theory::SYNC_EXACT.iter().find(|r| r.0 == n).map(|r| match self {
            SyncProtocol::Push => r.1,
            SyncProtocol::Pull => r.2,
            SyncProtocol::PushPull => r.3,
        })
    }

    fn monte_carlo(self, n: u32) -> Option<(f64, f64)> {
        theory::SYNC_MC.iter().find(|r| r.0 == n).map(|r| r.1[self.column()])
    }

    /// THEORY.md §1's asymptotic forms (push with its measured +1.2 offset).
    fn asymptotic(self, n: u32) -> f64 {
        let n = f64::from(n);
        match self {
            SyncProtocol::Push => n.log2() + n.ln() + 1.2,
            SyncProtocol::Pull => n.log2() + n.ln().log2() + 1.0,
            SyncProtocol::PushPull => n.ln() / 3f64.ln() + n.ln().log2(),
        }
    }

    fn asymptotic_formula(self) -> &'static str {
        match self {
            SyncProtocol::Push => "log₂n + ln n + 1.2",
            SyncProtocol::Pull => "log₂n + log₂ln n + 1.0",
            SyncProtocol::PushPull => "log₃n + log₂ln n",
        }
    }
}

const PROTOCOLS: [SyncProtocol; 3] = [SyncProtocol::Push, SyncProtocol::Pull, SyncProtocol::PushPull];

fn synchronous(mode: Mode, planner: &mut Planner) -> Builder {
    let sizes: Vec<(u32, u32)> = match mode {
        Mode::Quick => vec![(8, 1000), (16, 1000), (64, 1000), (256, 400)],
        Mode::Full => {
            vec![(8, 4000), (16, 4000), (64, 4000), (256, 4000), (1000, 2000), (10_000, 1000), (100_000, 100)]
        }
    };
    let plain: Vec<(SyncProtocol, u32, ExperimentId)> = PROTOCOLS
        .iter()
        .flat_map(|&p| sizes.iter().map(move |&(n, t)| (p, n, t)))
        .map(|(p, n, trials)| (p, n, planner.add(p.file(), &[("nodes", json!(n))], trials)))
        .collect();
    // The fanout / loss / crash table: an exact chain at a small n, and THEORY.md's
    // Monte Carlo values at n = 10⁴ in full mode.
    let fault_sizes: Vec<(u32, u32)> = match mode {
        Mode::Quick => vec![(256, 400)],
        Mode::Full => vec![(256, 1000), (10_000, 400)],
    };
    let faults: Vec<(u32, theory::PushFaults, ExperimentId)> = fault_sizes
        .iter()
        .flat_map(|&(n, trials)| theory::PUSH_FAULTS_MC.iter().map(move |&row| (n, trials, row)))
        .map(|(n, trials, row)| {
            let overrides = [
                ("nodes", json!(n)),
                ("protocol.fanout", json!(row.fanout)),
                ("network.loss.p", json!(row.loss)),
                ("faults[0].fraction", json!(row.crashed)),
            ];
            (n, row, planner.add(SYNC_PUSH_FAULTS, &overrides, trials))
        })
        .collect();
    Box::new(move |results| {
        let section = Section::Synchronous;
        let mut rows = Vec::new();
        let mut charts = Vec::new();
        for protocol in PROTOCOLS {
            let mut theory_points = Vec::new();
            let mut measured_points = Vec::new();
            for &(p, n, id) in plain.iter().filter(|(p, _, _)| p.column() == protocol.column()) {
                let values = results.values(id, Outcome::rounds);
                let (prediction, source, criterion, theory_point) = match (p.exact(n), p.monte_carlo(n)) {
                    (Some(exact), _) => (
                        exact,
                        "exact Markov chain (THEORY.md §1)",
                        Criterion::MeanCi,
                        exact_point(f64::from(n), exact),
                    ),
                    (None, Some((mc, se))) => {
                        let half = criteria::z_of(results.level) * se;
                        let reference = point(f64::from(n), mc, mc - half, mc + half);
                        (
                            mc,
                            "Monte Carlo ± s.e. (THEORY.md §1)",
                            Criterion::McReference { reference_se: se },
                            reference,
                        )
                    }
                    (None, None) => unreachable!("no §1 reference for n = {n}"),
                };
                let spec = RowSpec {
                    section,
                    id: format!("s1-{}-n{n}", p.name()),
                    result: format!("{}, n = {n}: E[T] (rounds)", p.name()),
                    source,
                    prediction,
                    criterion,
                    notes: format!("asymptotic {} = {:.2}", p.asymptotic_formula(), p.asymptotic(n)),
                };
                let row = spec.finish(
                    criteria::judge_mean(&values, prediction, criterion, results.level),
                    values.len(),
                    results.rerun(id),
                );
                theory_points.push(theory_point);
                measured_points.push(measured_point(f64::from(n), &row));
                rows.push(row);
            }
            charts.push(Chart {
                kind: ChartKind::ErrorBars,
                name: format!("s1-{}-rounds", protocol.name()),
                spec: ChartSpec::new(
                    &format!("Synchronous {}, fanout 1: rounds until all are informed", protocol.name()),
                    "nodes n",
                    "E[T] (rounds)",
                )
                .log_x()
                .band_label("bars: simultaneous 99% CI (theory: exact, or Monte Carlo ± z·s.e.)")
                .columns("nodes", "rounds"),
                series: vec![series("THEORY.md §1", theory_points), series("gossim (mean and CI)", measured_points)],
                caption: format!(
                    "Mean rounds of synchronous {} until every node is informed against THEORY.md §1.",
                    protocol.name()
                ),
            });
        }
        // Pull with fanout 1 sends exactly n − 1 rumour copies: every node receives the
        // body once, in reply to its own request.
        let pull: Vec<ExperimentId> =
            plain.iter().filter(|(p, _, _)| p.column() == SyncProtocol::Pull.column()).map(|t| t.2).collect();
        let copies: Vec<f64> = pull
            .iter()
            .flat_map(|&id| results.outcomes(id).iter().map(|o| o.payload as f64 / f64::from(o.nodes - 1)))
            .collect();
        let ones = vec![1.0; copies.len()];
        let spec = RowSpec {
            section,
            id: "s1-pull-copies".into(),
            result: "pull: rumour copies / (n − 1), every trial, every n above".into(),
            source: "identity (THEORY.md §1)",
            prediction: 1.0,
            criterion: Criterion::Exact,
            notes: "payload messages only; requests are control messages".into(),
        };
        rows.push(spec.finish(criteria::judge_exact(&copies, &ones), copies.len(), results.rerun(pull[0])));
        for &(n, _) in &fault_sizes {
            let mut theory_points = Vec::new();
            let mut measured_points = Vec::new();
            for &(_, reference, id) in faults.iter().filter(|f| f.0 == n) {
                let theory::PushFaults { fanout, loss, crashed, mean: mc, se } = reference;
                let values = results.values(id, Outcome::rounds);
                let crashed_count = (crashed * f64::from(n)).round() as u32;
                let effective = f64::from(fanout) * (1.0 - loss) * (1.0 - crashed);
                let live = f64::from(n - crashed_count);
                let leading = live.ln() / (1.0 + effective).ln() + live.ln() / effective;
                let (prediction, source, criterion, theory_point) = if n == 10_000 {
                    let half = criteria::z_of(results.level) * se;
                    (
                        mc,
                        "Monte Carlo, 300 runs (THEORY.md §1 table)",
                        Criterion::McReference { reference_se: se },
                        point(effective, mc, mc - half, mc + half),
                    )
                } else {
                    let exact = theory::push_rounds_exact(n, fanout, loss, crashed_count, Targets::Others);
                    (
                        exact,
                        "exact Markov chain (computed for the §1 process)",
                        Criterion::MeanCi,
                        exact_point(effective, exact),
                    )
                };
                let spec = RowSpec {
                    section,
                    id: format!("s1-push-f{fanout}-loss{loss}-crash{crashed}-n{n}"),
                    result: format!("push, n = {n}, fanout {fanout}, loss {loss}, crashed {crashed}: E[T] (rounds)"),
                    source,
                    prediction,
                    criterion,
                    notes: format!("leading order log_(1+f')n' + ln n'/f' = {leading:.2} (runs ~1 round low)"),
                };
                let row = spec.finish(
                    criteria::judge_mean(&values, prediction, criterion, results.level),
                    values.len(),
                    results.rerun(id),
                );
                theory_points.push(theory_point);
                measured_points.push(measured_point(effective, &row));
                rows.push(row);
            }
            charts.push(Chart {
                kind: ChartKind::ErrorBars,
                name: format!("s1-push-faults-n{n}"),
                spec: ChartSpec::new(
                    &format!("Synchronous push with fanout, loss and crashes, n = {n}"),
                    "effective fanout f·(1 − loss)·(1 − crashed)",
                    "E[T] (rounds)",
                )
                .band_label("bars: simultaneous 99% CI")
                .columns("effective_fanout", "rounds"),
                series: vec![
                    series(if n == 10_000 { "THEORY.md §1 table (Monte Carlo)" } else { "exact chain" }, theory_points),
                    series("gossim (mean and CI)", measured_points),
                ],
                caption: format!(
                    "Push with fanout 1–3, 20% or 50% loss, 20% crashed, n = {n}, plotted against the effective fanout."
                ),
            });
        }
        SectionReport {
            section,
            setup: format!(
                "Files `sync-push.json`, `sync-pull.json`, `sync-push-pull.json` and `sync-push-faults.json`: \
                 complete graph, aligned 1 s ticks, constant 100 ms latency (a pull's request and reply fit in a \
                 round), one transaction created at time 0 at a random node. T = floor(t100 / 1 s), where t100 is \
                 when the last live node accepted it: a node informed in round r first gossips at the tick that \
                 opens round r + 1, and the origin first gossips at 1 s. Crashed nodes crash at time 0 (20% of \
                 them, still targetable). Fanout 1: {}. Fanout, loss and crashes: {}.",
                sizes.iter().map(|(n, t)| format!("n = {n} × {t} trials")).collect::<Vec<_>>().join(", "),
                fault_sizes.iter().map(|(n, t)| format!("n = {n} × {t} trials")).collect::<Vec<_>>().join(", ")
            ),
            rows,
            charts,
        }
    })
}

// ----- §2 ---------------------------------------------------------------------------

fn infect_and_die(mode: Mode, planner: &mut Planner) -> Builder {
    let (all_trials, coverage_trials) = match mode {
        Mode::Quick => (1500, 150),
        Mode::Full => (10_000, 2000),
    };
    let n_all = 1000u32;
    let n_coverage = 10_000u32;
    let all: Vec<(u32, f64, f64, f64, ExperimentId)> = theory::INFECT_AND_DIE_MC
        .iter()
        .map(|&(k, p, lo, hi)| {
            let overrides = [("nodes", json!(n_all)), ("protocol.fanout", json!(k))];
            (k, p, lo, hi, planner.add(INFECT_AND_DIE, &overrides, all_trials))
        })
        .collect();
    let coverage: Vec<(u32, ExperimentId)> = (2..=5)
        .map(|f| {
            let overrides = [("nodes", json!(n_coverage)), ("protocol.fanout", json!(f))];
            (f, planner.add(INFECT_AND_DIE, &overrides, coverage_trials))
        })
        .collect();
    Box::new(move |results| {
        let section = Section::InfectAndDie;
        let ln_n = f64::from(n_all).ln();
        let mut rows = Vec::new();
        let mut measured = Vec::new();
        let mut reference = Vec::new();
        for &(k, p, lo, hi, id) in &all {
            let outcomes = results.outcomes(id);
            let successes = outcomes.iter().filter(|o| o.all_reached()).count() as u64;
            let c = f64::from(k) - ln_n;
            let lambda = theory::infect_and_die_lambda(n_all, f64::from(k));
            let spec = RowSpec {
                section,
                id: format!("s2-p-all-k{k}"),
                result: format!("P(all reached), n = {n_all}, fanout {k} (c = {c:.3})"),
                source: "Monte Carlo (THEORY.md §2)",
                prediction: p,
                criterion: Criterion::ProportionCi,
                notes: format!(
                    "reference 95% CI [{lo}, {hi}]; exp(−λ) = {:.4}; exp(−e^(−c)) = {:.4}",
                    (-lambda).exp(),
                    (-(-c).exp()).exp()
                ),
            };
            let row = spec.finish(
                criteria::judge_proportion(successes, outcomes.len() as u64, p, results.level),
                outcomes.len(),
                results.rerun(id),
            );
            measured.push(measured_point(c, &row));
            reference.push(point(c, p, lo, hi));
            rows.push(row);
        }
        let (c_lo, c_hi) = (6.0 - ln_n - 0.25, 10.0 - ln_n + 0.25);
        let p_all_chart = Chart {
            kind: ChartKind::Bands,
            name: "s2-p-all".into(),
            spec: ChartSpec::new(
                &format!("Infect-and-die, n = {n_all}: P(every node reached) against c = fanout − ln n"),
                "c = fanout − ln n",
                "P(all reached)",
            )
            .y_range(0.0, 1.0)
            .band_label("bands: gossim simultaneous 99% Clopper–Pearson, reference 95% CI")
            .columns("c", "p_all"),
            series: vec![
                series("gossim (fixed fanout 6…10)", measured),
                series("THEORY.md §2 Monte Carlo", reference),
                series(
                    &format!("exp(−λ), n = {n_all}"),
                    curve(c_lo, c_hi, 41, |c| (-theory::infect_and_die_lambda(n_all, c + ln_n)).exp()),
                ),
                series("exp(−e^(−c)), n → ∞", curve(c_lo, c_hi, 41, |c| (-(-c).exp()).exp())),
            ],
            caption: "P(all reached) of infect-and-die against c with the finite-n approximation exp(−λ) and the \
                      limit exp(−e^(−c)) drawn as lines."
                .into(),
        };
        let mut measured = Vec::new();
        for &(f, id) in &coverage {
            let values = results.values(id, Outcome::reached_fraction);
            let pi = 1.0 - theory::extinction_root(f64::from(f));
            let spec = RowSpec {
                section,
                id: format!("s2-coverage-f{f}"),
                result: format!("coverage, n = {n_coverage}, fixed fanout {f}"),
                source: "fixed point π = 1 − e^(−fπ) (THEORY.md §2)",
                prediction: pi,
                criterion: Criterion::MeanCi,
                notes: "mean reached fraction; early extinction only by target overlap".into(),
            };
            let row = spec.finish(
                criteria::judge_mean(&values, pi, Criterion::MeanCi, results.level),
                values.len(),
                results.rerun(id),
            );
            measured.push(measured_point(f64::from(f), &row));
            rows.push(row);
        }
        for &(f, id) in &coverage {
            let outcomes = results.outcomes(id);
            let per_reached: Vec<f64> =
                outcomes.iter().map(|o| o.payload as f64 / f64::from(o.reached.max(1))).collect();
            let predictions = vec![f64::from(f); outcomes.len()];
            let spec = RowSpec {
                section,
                id: format!("s2-messages-f{f}"),
                result: format!("messages per reached node, n = {n_coverage}, fanout {f}"),
                source: "identity: f per reached node (THEORY.md §2)",
                prediction: f64::from(f),
                criterion: Criterion::Exact,
                notes: "payload messages / reached nodes, every trial".into(),
            };
            rows.push(spec.finish(
                criteria::judge_exact(&per_reached, &predictions),
                outcomes.len(),
                results.rerun(id),
            ));
        }
        let coverage_chart = Chart {
            kind: ChartKind::ErrorBars,
            name: "s2-coverage".into(),
            spec: ChartSpec::new(
                &format!("Infect-and-die coverage, n = {n_coverage}, fixed fanout f"),
                "fanout f",
                "mean reached fraction",
            )
            .band_label("bars: simultaneous 99% CI")
            .columns("fanout", "coverage"),
            series: vec![
                series("gossim (mean and CI)", measured),
                series("π = 1 − e^(−fπ)", curve(2.0, 5.5, 8, |f| 1.0 - theory::extinction_root(f))),
            ],
            caption: "Mean coverage of infect-and-die with fixed fanout against the fixed point π.".into(),
        };
        SectionReport {
            section,
            setup: format!(
                "File `infect-and-die.json`: push, forward once (on first receipt only), fixed fanout K of \
                 distinct uniform others (the node a copy came from may be among them), complete graph. \
                 P(all): n = {n_all}, {all_trials} trials per fanout; a trial succeeds when every node accepted the \
                 transaction. The reference is THEORY.md's finite-n Monte Carlo value, which must lie in the \
                 measured Clopper–Pearson interval (the reference's own 95% CI, in the notes, is narrower than \
                 ours). Coverage: n = {n_coverage}, {coverage_trials} \
                 trials per fanout."
            ),
            rows,
            charts: vec![p_all_chart, coverage_chart],
        }
    })
}

// ----- §3 ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum RumourRule {
    FeedbackCoin,
    BlindCoin,
    FeedbackCounter,
    /// Feedback + counter, reset on a useful contact, judged at the cycle start.
    Table1,
}

impl RumourRule {
    fn label(self) -> &'static str {
        match self {
            RumourRule::FeedbackCoin => "feedback + coin",
            RumourRule::BlindCoin => "blind + coin",
            RumourRule::FeedbackCounter => "feedback + counter (no reset)",
            RumourRule::Table1 => "feedback + counter, reset, judged at cycle start",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            RumourRule::FeedbackCoin => "feedback-coin",
            RumourRule::BlindCoin => "blind-coin",
            RumourRule::FeedbackCounter => "feedback-counter",
            RumourRule::Table1 => "table1",
        }
    }

    fn overrides(self, k: u32) -> Vec<(&'static str, Value)> {
        let (feedback, stop, reset, judge) = match self {
            RumourRule::FeedbackCoin => (true, "coin", false, false),
            RumourRule::BlindCoin => (false, "coin", false, false),
            RumourRule::FeedbackCounter => (true, "counter", false, false),
            RumourRule::Table1 => (true, "counter", true, true),
        };
        vec![
            ("protocol.feedback", json!(feedback)),
            ("protocol.stop", json!(stop)),
            ("protocol.k", json!(k)),
            ("protocol.reset_on_useful", json!(reset)),
            ("protocol.judge_at_cycle_start", json!(judge)),
        ]
    }

    /// The deterministic-limit residue: feedback rules with k + 1, blind with k.
    fn residue(self, k: u32) -> f64 {
        match self {
            RumourRule::FeedbackCoin | RumourRule::FeedbackCounter => theory::extinction_root(f64::from(k) + 1.0),
            RumourRule::BlindCoin => theory::extinction_root(f64::from(k)),
            RumourRule::Table1 => f64::NAN,
        }
    }

    fn formula(self) -> &'static str {
        match self {
            RumourRule::FeedbackCoin | RumourRule::FeedbackCounter => "s = e^(−(k+1)(1−s)) (THEORY.md §3)",
            RumourRule::BlindCoin => "s = e^(−k(1−s)) (THEORY.md §3)",
            RumourRule::Table1 => "Demers et al. 1987, Table 1",
        }
    }
}

fn rumour(mode: Mode, planner: &mut Planner) -> Builder {
    let n = 1000u32;
    let (trials, cases): (u32, Vec<(RumourRule, u32)>) = match mode {
        Mode::Quick => (
            200,
            vec![
                (RumourRule::FeedbackCoin, 1),
                (RumourRule::FeedbackCoin, 2),
                (RumourRule::FeedbackCoin, 3),
                (RumourRule::BlindCoin, 2),
                (RumourRule::BlindCoin, 3),
                (RumourRule::FeedbackCounter, 2),
                (RumourRule::Table1, 2),
            ],
        ),
        Mode::Full => {
            let mut cases: Vec<(RumourRule, u32)> = (1..=5).map(|k| (RumourRule::FeedbackCoin, k)).collect();
            cases.extend((2..=5).map(|k| (RumourRule::BlindCoin, k)));
            cases.extend((2..=4).map(|k| (RumourRule::FeedbackCounter, k)));
            cases.push((RumourRule::Table1, 2));
            (2000, cases)
        }
    };
    let planned: Vec<(RumourRule, u32, ExperimentId)> = cases
        .iter()
        .map(|&(rule, k)| {
            let mut overrides = vec![("nodes", json!(n))];
            overrides.extend(rule.overrides(k));
            (rule, k, planner.add(RUMOR, &overrides, trials))
        })
        .collect();
    Box::new(move |results| {
        let section = Section::Rumour;
        let mut rows = Vec::new();
        // Per rule: (k, residue row, traffic row) for the charts.
        let mut measured: Vec<(RumourRule, u32, Row, Row)> = Vec::new();
        for &(rule, k, id) in &planned {
            let outcomes = results.outcomes(id);
            // A trial still spreading at its (doubled) cap would understate the
            // residue's finality: it counts as missing and fails the row.
            let residue: Vec<f64> = outcomes
                .iter()
                .map(|o| if o.quiet { 1.0 - f64::from(o.reached) / f64::from(o.nodes) } else { f64::NAN })
                .collect();
            let traffic: Vec<f64> = outcomes
                .iter()
                .map(|o| if o.quiet { o.payload as f64 / f64::from(o.nodes) } else { f64::NAN })
                .collect();
            let (s_prediction, m_prediction, s_criterion, m_criterion) = match rule {
                RumourRule::Table1 => {
                    let &(_, s, m) = theory::DEMERS_TABLE_1.iter().find(|r| r.0 == k).expect("Table 1 row");
                    // Published to 2 significant digits: known to ± half a unit in the last.
                    (
                        s,
                        m,
                        Criterion::Published { lo: s - 0.0005, hi: s + 0.0005 },
                        Criterion::Published { lo: m - 0.05, hi: m + 0.05 },
                    )
                }
                _ => {
                    let s = rule.residue(k);
                    (s, -s.ln(), Criterion::MeanCi, Criterion::MeanCi)
                }
            };
            let notes = match rule {
                RumourRule::Table1 => "published with 2 significant digits (Demers' own simulation)".to_string(),
                RumourRule::FeedbackCounter => "a counter that never resets gives the coin values".to_string(),
                _ => "deterministic-limit value".to_string(),
            };
            let s_row = RowSpec {
                section,
                id: format!("s3-{}-k{k}-residue", rule.slug()),
                result: format!("{}, k = {k}: residue s", rule.label()),
                source: rule.formula(),
                prediction: s_prediction,
                criterion: s_criterion,
                notes: notes.clone(),
            }
            .finish(
                criteria::judge_mean(&residue, s_prediction, s_criterion, results.level),
                residue.len(),
                results.rerun(id),
            );
            let m_row = RowSpec {
                section,
                id: format!("s3-{}-k{k}-traffic", rule.slug()),
                result: format!("{}, k = {k}: traffic m (pushes per node)", rule.label()),
                source: if rule == RumourRule::Table1 { rule.formula() } else { "m = −ln s (THEORY.md §3)" },
                prediction: m_prediction,
                criterion: m_criterion,
                notes,
            }
            .finish(
                criteria::judge_mean(&traffic, m_prediction, m_criterion, results.level),
                traffic.len(),
                results.rerun(id),
            );
            rows.push(s_row.clone());
            rows.push(m_row.clone());
            measured.push((rule, k, s_row, m_row));
        }
        let chart = |traffic: bool| -> Chart {
            let pick = |r: &(RumourRule, u32, Row, Row)| if traffic { r.3.clone() } else { r.2.clone() };
            let mut all_series = Vec::new();
            for rule in [RumourRule::FeedbackCoin, RumourRule::BlindCoin] {
                let ks: Vec<u32> = measured.iter().filter(|r| r.0 == rule).map(|r| r.1).collect();
                if ks.is_empty() {
                    continue;
                }
                let theory_points: Vec<IntervalPoint> = ks
                    .iter()
                    .map(|&k| {
                        let s = rule.residue(k);
                        exact_point(f64::from(k), if traffic { -s.ln() } else { s })
                    })
                    .collect();
                all_series.push(series(&format!("{}: theory", rule.label()), theory_points));
                let points = measured.iter().filter(|r| r.0 == rule).map(|r| measured_point(f64::from(r.1), &pick(r)));
                all_series.push(series(&format!("{}: gossim", rule.label()), points.collect()));
            }
            for rule in [RumourRule::FeedbackCounter, RumourRule::Table1] {
                let points: Vec<IntervalPoint> =
                    measured.iter().filter(|r| r.0 == rule).map(|r| measured_point(f64::from(r.1), &pick(r))).collect();
                if !points.is_empty() {
                    all_series.push(series(&format!("{}: gossim", rule.label()), points));
                }
            }
            let published: Vec<IntervalPoint> = theory::DEMERS_TABLE_1
                .iter()
                .map(|&(k, s, m)| {
                    let (v, half) = if traffic { (m, 0.05) } else { (s, 0.0005) };
                    point(f64::from(k), v, v - half, v + half)
                })
                .collect();
            all_series.push(series("Demers et al. Table 1 (published)", published));
            let (what, unit, name) = if traffic {
                ("traffic m", "payload messages per node", "s3-rumour-traffic")
            } else {
                ("residue s", "fraction never informed", "s3-rumour-residue")
            };
            Chart {
                kind: ChartKind::ErrorBars,
                name: name.into(),
                spec: ChartSpec::new(&format!("Rumour mongering, n = {n}: {what} against k"), "k", unit)
                    .band_label("bars: simultaneous 99% CI (published: rounding interval)")
                    .columns("k", if traffic { "traffic" } else { "residue" }),
                series: all_series,
                caption: format!(
                    "Rumour mongering {what} against k: measured points with their CIs over the deterministic-limit \
                     values and Demers et al.'s Table 1."
                ),
            }
        };
        let charts = vec![chart(false), chart(true)];
        SectionReport {
            section,
            setup: format!(
                "File `rumor-mongering.json`: n = {n}, complete graph, synchronous cycles (aligned 1 s ticks, \
                 100 ms latency), fanout 1, one rumour from a random node; {trials} trials per setting. A run lasts \
                 until no message was sent for 1.5 cycles (the cap is doubled until then). Residue s = share of \
                 nodes never informed; traffic m = rumour pushes (payload messages) per node, feedback replies \
                 excluded. The formulas are deterministic limits (n → ∞). Blind + coin with k = 1 is left out: \
                 its limit is 'no outbreak', while at finite n a chain of single pushes reaches about √(πn/2) \
                 nodes."
            ),
            rows,
            charts,
        }
    })
}

// ----- §4 ---------------------------------------------------------------------------

fn poisson(mode: Mode, planner: &mut Planner) -> Builder {
    let sizes: Vec<(u32, u32)> = match mode {
        Mode::Quick => vec![(100, 2000), (1000, 400)],
        Mode::Full => vec![(100, 4000), (1000, 2000), (10_000, 1000)],
    };
    let planned: Vec<(bool, u32, ExperimentId)> = [false, true]
        .iter()
        .flat_map(|&pp| sizes.iter().map(move |&(n, t)| (pp, n, t)))
        .map(|(push_pull, n, trials)| {
            let file = if push_pull { POISSON_PUSH_PULL } else { POISSON_PUSH };
            (push_pull, n, planner.add(file, &[("nodes", json!(n))], trials))
        })
        .collect();
    Box::new(move |results| {
        let section = Section::Poisson;
        let mut rows = Vec::new();
        let mut chart_series = Vec::new();
        for push_pull in [false, true] {
            let name = if push_pull { "push-pull" } else { "push" };
            let scale = if push_pull { 0.5 } else { 1.0 };
            let mut theory_points = Vec::new();
            let mut measured_points = Vec::new();
            for &(_, n, id) in planned.iter().filter(|p| p.0 == push_pull) {
                let t_all = results.values(id, |o| o.t100_s.unwrap_or(f64::NAN));
                let mean = scale * theory::poisson_push_mean(n);
                let spec = RowSpec {
                    section,
                    id: format!("s4-{name}-n{n}-mean"),
                    result: format!("{name}, n = {n}: E[T_all] (s)"),
                    source: if push_pull {
                        "exact H_{n−1}·(n−1)/n (THEORY.md §4)"
                    } else {
                        "exact 2(n−1)/n·H_{n−1} (THEORY.md §4)"
                    },
                    prediction: mean,
                    criterion: Criterion::MeanCi,
                    notes: String::new(),
                };
                let row = spec.finish(
                    criteria::judge_mean(&t_all, mean, Criterion::MeanCi, results.level),
                    t_all.len(),
                    results.rerun(id),
                );
                theory_points.push(exact_point(f64::from(n), mean));
                measured_points.push(measured_point(f64::from(n), &row));
                rows.push(row);
                if t_all.len() >= 1000 {
                    let sd = scale * theory::poisson_push_sd(n);
                    let spec = RowSpec {
                        section,
                        id: format!("s4-{name}-n{n}-sd"),
                        result: format!("{name}, n = {n}: SD of T_all (s)"),
                        source: "exact, sum of exponentials (THEORY.md §4)",
                        prediction: sd,
                        criterion: Criterion::SdCi,
                        notes: "periodic timers instead of Poisson clocks shrink it".into(),
                    };
                    rows.push(spec.finish(
                        criteria::judge_sd(&t_all, sd, results.level),
                        t_all.len(),
                        results.rerun(id),
                    ));
                }
                let receipt = results.values(id, |o| o.mean_receipt_s.unwrap_or(f64::NAN));
                let h = scale * theory::harmonic(n - 1);
                let spec = RowSpec {
                    section,
                    id: format!("s4-{name}-n{n}-receipt"),
                    result: format!("{name}, n = {n}: mean receipt time of a node (s)"),
                    source: if push_pull {
                        "exact H_{n−1}/2 (THEORY.md §4)"
                    } else {
                        "exact H_{n−1} (THEORY.md §4)"
                    },
                    prediction: h,
                    criterion: Criterion::MeanCi,
                    notes: "mean over the n − 1 nodes other than the origin".into(),
                };
                rows.push(spec.finish(
                    criteria::judge_mean(&receipt, h, Criterion::MeanCi, results.level),
                    receipt.len(),
                    results.rerun(id),
                ));
            }
            chart_series.push(series(&format!("{name}: exact"), theory_points));
            chart_series.push(series(&format!("{name}: gossim (mean and CI)"), measured_points));
        }
        SectionReport {
            section,
            setup: format!(
                "Files `poisson-push.json` and `poisson-push-pull.json`: complete graph, every node ticks on its \
                 own rate-1 Poisson clock (exponential gaps with mean 1 s, the first too), zero latency, informed \
                 nodes push forever. T_all = t100 in seconds. Sizes: {}. The SD row uses the large-sample interval \
                 of a standard deviation and is shown where there are at least 1000 trials.",
                sizes.iter().map(|(n, t)| format!("n = {n} × {t} trials")).collect::<Vec<_>>().join(", ")
            ),
            rows,
            charts: vec![Chart {
                kind: ChartKind::ErrorBars,
                name: "s4-poisson".into(),
                spec: ChartSpec::new(
                    "Asynchronous gossip with Poisson clocks: time until all are informed",
                    "nodes n",
                    "E[T_all] (s)",
                )
                .log_x()
                .band_label("bars: simultaneous 99% CI")
                .columns("nodes", "t_all_s"),
                series: chart_series,
                caption: "E[T_all] of asynchronous push and push-pull against the exact 2(n−1)/n·H_{n−1} and its half."
                    .into(),
            }],
        }
    })
}

// ----- §5 ---------------------------------------------------------------------------

fn flooding(mode: Mode, planner: &mut Planner) -> Builder {
    let n = 1000u32;
    let trials = match mode {
        Mode::Quick => 10,
        Mode::Full => 20,
    };
    let planned: Vec<(u32, ExperimentId)> = [4u32, 8, 16]
        .iter()
        .map(|&k| (k, planner.add(FLOODING, &[("nodes", json!(n)), ("topology.degree", json!(k))], trials)))
        .collect();
    Box::new(move |results| {
        let section = Section::Flooding;
        let mut rows = Vec::new();
        let mut theory_points = Vec::new();
        let mut measured_points = Vec::new();
        for &(k, id) in &planned {
            let outcomes = results.outcomes(id);
            let prediction = f64::from(k) - 2.0 + f64::from(k) / f64::from(n - 1);
            // RMR counts the nodes that received the broadcast; a trial that missed a
            // node cannot match the identity and fails the row.
            let values: Vec<f64> =
                outcomes.iter().map(|o| if o.all_reached() { o.rmr.unwrap_or(f64::NAN) } else { f64::NAN }).collect();
            let predictions = vec![prediction; values.len()];
            let spec = RowSpec {
                section,
                id: format!("s5-rmr-k{k}"),
                result: format!("flooding, {k}-regular, n = {n}: RMR"),
                source: "identity k − 2 + k/(n−1) (THEORY.md §5)",
                prediction,
                criterion: Criterion::Exact,
                notes: format!("≈ k − 2 = {}", k - 2),
            };
            let row = spec.finish(criteria::judge_exact(&values, &predictions), values.len(), results.rerun(id));
            theory_points.push(exact_point(f64::from(k), prediction));
            measured_points.push(measured_point(f64::from(k), &row));
            rows.push(row);
        }
        SectionReport {
            section,
            setup: format!(
                "File `flooding.json`: push, forward once, fanout all, never back to the sender, over a random \
                 k-regular overlay (a new graph per trial), n = {n}, {trials} trials per k. The origin sends k \
                 copies and every other node k − 1, so m = k + (n − 1)(k − 1) and RMR = m/(n − 1) − 1 exactly."
            ),
            rows,
            charts: vec![Chart {
                kind: ChartKind::ErrorBars,
                name: "s5-flooding-rmr".into(),
                spec: ChartSpec::new(&format!("Flooding over k-regular overlays, n = {n}: RMR"), "degree k", "RMR")
                    .band_label("bars: min … max over trials")
                    .columns("degree", "rmr"),
                series: vec![series("k − 2 + k/(n − 1)", theory_points), series("gossim", measured_points)],
                caption: "Relative message redundancy of flooding against the identity k − 2 + k/(n − 1).".into(),
            }],
        }
    })
}

//! The validation suite (THEORY.md against gossim), run the way `gossim validate
//! --quick` runs it, and shown able to catch the bugs it exists for.
//!
//! Run in release: `cargo test --release -p gossim-sim --test validation` (about a
//! minute and a half on 2 cores).

use gossim_node::PeerSampler;
use gossim_sim::validation::{Mode, Options, Row, Section, SuiteReport, run_suite, write_report};

const THREADS: usize = 2;

fn run(sections: &[Section], sampler: PeerSampler) -> SuiteReport {
    let mut options = Options::new(Mode::Quick, THREADS);
    options.sections = sections.to_vec();
    options.sampler = sampler;
    run_suite(&options, &|_, _| {}).expect("the suite runs")
}

fn describe(rows: &[&Row]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "  {} {}: prediction {:.5}, measured {:.5} [{:?}, {:?}], {}\n",
                if r.pass { "pass" } else { "FAIL" },
                r.id,
                r.prediction,
                r.measured,
                r.lo,
                r.hi,
                r.rerun
            )
        })
        .collect()
}

#[test]
fn the_quick_suite_passes_and_writes_its_report() {
    let suite = run(&[], PeerSampler::Uniform);
    let failed = suite.failed();
    assert!(failed.is_empty(), "{}:\n{}", suite.summary_line(), describe(&failed));
    assert!(suite.rows().count() > 50, "every section contributes rows");
    for section in Section::ALL {
        assert!(suite.sections.iter().any(|s| s.section == section && !s.rows.is_empty()), "{section:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("validation");
    write_report(&suite, &out, "gossim validate --quick").unwrap();
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains(&suite.summary_line()), "the report states the summary line");
    assert!(report.contains("gossim validate --quick"), "and the command");
    assert!(out.join("rows.csv").is_file());
    let charts: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(charts.iter().any(|c| c == "s2-p-all.svg") && charts.iter().any(|c| c == "s2-p-all.csv"));
    assert!(charts.iter().all(|c| c.ends_with(".svg") || c.ends_with(".csv")), "SVG and CSV only: {charts:?}");
    for section in &suite.sections {
        for chart in &section.charts {
            assert!(report.contains(&format!("charts/{}.svg", chart.name)), "{} is linked", chart.name);
        }
    }
}

#[test]
fn a_sampler_that_may_pick_the_node_itself_fails_the_synchronous_rows() {
    let suite = run(&[Section::Synchronous], PeerSampler::MayPickSelf);
    let rows: Vec<&Row> = suite.rows().collect();
    println!("may pick itself: {}\n{}", suite.summary_line(), describe(&rows));
    let push_16 = rows.iter().find(|r| r.id == "s1-push-n16").expect("push n = 16 row");
    assert!(!push_16.pass, "self-targets must fail push at n = 16:\n{}", describe(&rows));
    // Self-targets waste contacts in every fanout-1 protocol at small n.
    for id in ["s1-push-n8", "s1-pull-n8", "s1-pull-n16", "s1-push-pull-n8", "s1-push-pull-n16"] {
        let row = rows.iter().find(|r| r.id == id).expect(id);
        assert!(!row.pass, "{id} should fail:\n{}", describe(&rows));
    }
}

#[test]
fn a_sampler_with_one_target_too_many_fails_the_synchronous_and_infect_and_die_rows() {
    let suite = run(&[Section::Synchronous, Section::InfectAndDie], PeerSampler::FanoutPlusOne);
    let rows: Vec<&Row> = suite.rows().collect();
    println!("fanout + 1: {}\n{}", suite.summary_line(), describe(&rows));
    let passed: Vec<&Row> = rows.iter().copied().filter(|r| r.pass).collect();
    assert!(passed.is_empty(), "every §1 and §2 row should fail with fanout + 1:\n{}", describe(&passed));
}

#[test]
fn verdicts_do_not_depend_on_the_thread_count() {
    let judge = |threads: usize| {
        let mut options = Options::new(Mode::Quick, threads);
        options.sections = vec![Section::Poisson];
        run_suite(&options, &|_, _| {}).unwrap()
    };
    let (one, three) = (judge(1), judge(3));
    let one: Vec<&Row> = one.rows().collect();
    let three: Vec<&Row> = three.rows().collect();
    assert_eq!(one, three);
}

//! `gossim validate`: runs the validation suite (gossim against THEORY.md's published
//! results) and writes `results/validation/report.md` with its charts.
//!
//! Exit code 0 when every row passed, 1 when any failed (the failed rows are
//! printed), 2 on a usage error. The suite itself lives in
//! `gossim_sim::validation`; this is argument parsing and the terminal display.

use crate::UsageError;
use anyhow::{Context, Result};
use clap::Args;
use gossim_sim::validation::{self, Mode, Options, ScenarioSource, Section};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `gossim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Small sizes and a few hundred trials per row (about a minute on 2 cores)
    /// instead of THEORY.md's sizes (about 20 minutes).
    #[arg(long)]
    pub quick: bool,
    /// Concurrent trials (default: all cores). The results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Report directory.
    #[arg(long, default_value = "results/validation")]
    pub out: PathBuf,
    /// Read the validation scenarios from this directory instead of the copies
    /// built into the binary (e.g. `scenarios/validation` after editing one).
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// Run only these sections of THEORY.md (1–5, comma-separated), e.g. `--sections 1,2`.
    #[arg(long, value_delimiter = ',', value_name = "N,...")]
    pub sections: Vec<u8>,
    /// No progress display.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `gossim validate`.
pub fn run(args: ValidateArgs) -> Result<ExitCode> {
    let sections = args
        .sections
        .iter()
        .map(|&number| match number {
            1..=5 => Ok(Section::ALL[usize::from(number) - 1]),
            other => Err(UsageError(format!("--sections: expected numbers 1 to 5, found {other}"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(dir) = &args.scenarios
        && !dir.is_dir()
    {
        return Err(UsageError(format!("--scenarios: {} is not a directory", dir.display())).into());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = args.threads.unwrap_or(cores).max(1);
    let mode = if args.quick { Mode::Quick } else { Mode::Full };
    let mut options = Options::new(mode, threads);
    options.sections = sections;
    if let Some(dir) = &args.scenarios {
        options.source = ScenarioSource::Directory(dir.clone());
    }
    let command = command_line();
    eprintln!("validate ({}) on {threads} threads → {}", mode.as_str(), args.out.display());
    let display = !args.quiet && std::io::stderr().is_terminal();
    let started = Instant::now();
    let progress = move |done: usize, total: usize| {
        if display && (done.is_multiple_of(50) || done == total) {
            eprint!("\r\x1b[2K  trials {done}/{total}   {:.0} s", started.elapsed().as_secs_f64());
            let _ = std::io::stderr().flush();
        }
    };
    let suite = validation::run_suite(&options, &progress).context("validation suite")?;
    if display {
        eprintln!();
    }
    validation::write_report(&suite, &args.out, &command)
        .with_context(|| format!("writing the report into {}", args.out.display()))?;
    println!("{}; report {}", suite.summary_line(), args.out.join("report.md").display());
    let failed = suite.failed();
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for row in failed {
        let interval = match (row.lo, row.hi) {
            (Some(lo), Some(hi)) => format!("[{lo:.6}, {hi:.6}]"),
            _ => "no interval".to_string(),
        };
        println!(
            "FAILED {} {}: {} — prediction {:.6}, measured {:.6} {interval} ({} trials); rerun one: {}",
            row.section.number(),
            row.id,
            row.result,
            row.prediction,
            row.measured,
            row.trials,
            row.rerun
        );
    }
    Ok(ExitCode::from(1))
}

/// The command as typed, for the report (program name shortened to `gossim`).
fn command_line() -> String {
    let mut parts: Vec<String> = std::env::args().skip(1).collect();
    parts.insert(0, "gossim".to_string());
    parts.join(" ")
}

//! `gossim`: the command-line front end. Thin glue over the runner, scenario and
//! report crates; every subcommand owns one args struct.
//!
//! Exit codes: 0 success; 1 a run or I/O failure; 2 a usage error or an invalid
//! scenario (nothing is written); 101 an internal invariant broke (a bug: the panic
//! message names the seed).

mod commands;
mod huge_pages;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Deterministic simulation of gossip-based replication of a transaction log.
#[derive(Debug, Parser)]
#[command(name = "gossim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one scenario and write its results directory.
    Run(commands::run::RunArgs),
    /// Validate a scenario; print it resolved, with defaults, and its memory estimate.
    Check(commands::check::CheckArgs),
    /// Print the JSON Schema of scenario files.
    Schema,
    /// Run a scenario over settings × seeds in parallel, with comparison charts.
    Sweep(commands::sweep::SweepArgs),
    /// Combine the shard outputs of one sweep.
    Merge(commands::sweep::MergeArgs),
    /// Overlay existing runs or sweeps in one table and chart.
    Compare(commands::compare::CompareArgs),
    /// Re-render the charts of a run or sweep from its CSV files.
    Plot(commands::sweep::PlotArgs),
    /// Check gossim against published gossip theory; write results/validation/report.md.
    Validate(commands::validate::ValidateArgs),
}

/// An error that maps to a specific exit code.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

#[global_allocator]
static ALLOCATOR: huge_pages::HugePageAllocator = huge_pages::HugePageAllocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => commands::run::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Schema => commands::check::schema(),
        Command::Sweep(args) => commands::sweep::run(args),
        Command::Merge(args) => commands::sweep::merge(args),
        Command::Compare(args) => commands::compare::run(args),
        Command::Plot(args) => commands::sweep::plot(args),
        Command::Validate(args) => commands::validate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // User errors are printed without a backtrace, whatever RUST_BACKTRACE says.
            if error.downcast_ref::<UsageError>().is_some()
                || error.downcast_ref::<gossim_scenario::ScenarioErrors>().is_some()
            {
                eprintln!("error: {error}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {error:#}");
                ExitCode::from(1)
            }
        }
    }
}

//! `gossim check FILE` and `gossim schema`.

use anyhow::Result;
use clap::Args;
use gossim_scenario::{estimate_memory, load_file};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gossim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// Override a field by its JSON path, e.g. `--set protocol.fanout=6` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

/// Validates a scenario and prints it resolved with its memory estimate.
pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let loaded = load_file(&args.file, &args.set)?;
    println!("{}", serde_json::to_string_pretty(&loaded.resolved_json)?);
    let estimate = estimate_memory(&loaded.scenario);
    eprintln!("{}: ok", args.file.display());
    eprintln!("memory estimate: {}", crate::commands::run::human_bytes(estimate.total_bytes));
    for (part, bytes) in &estimate.parts {
        eprintln!("  {part:<28} {}", crate::commands::run::human_bytes(*bytes));
    }
    if let Some(total) = crate::commands::run::machine_memory_bytes()
        && estimate.total_bytes > total
    {
        eprintln!(
            "warning: this exceeds the machine's memory ({}); `gossim run` will refuse it",
            crate::commands::run::human_bytes(total)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the JSON Schema of scenario files.
pub fn schema() -> Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(&gossim_scenario::json_schema())?);
    Ok(ExitCode::SUCCESS)
}

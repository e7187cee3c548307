//! Writing a run's results directory: resolved scenario, manifest, metrics, tidy CSV,
//! charts and the (separate, non-deterministic) timing file.
//!
//! Everything is written into a hidden temporary directory beside the target and
//! renamed into place only when complete, so an interrupted or failed run never
//! leaves a half-written results directory under the final name.

use crate::runner::{RunResult, TopologyFacts};
use gossim_engine::trace::to_hex;
use gossim_report::write::write_run_outputs;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The gossim version compiled into this binary.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// `git describe --always --dirty` at build time, empty when unknown.
pub const GIT_DESCRIBE: &str = env!("GOSSIM_GIT_DESCRIBE");

/// Errors writing results.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Report(#[from] gossim_report::ReportError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

/// `manifest.json`: what makes a run reproducible. Deterministic: two runs of the
/// same scenario and seed write identical bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub gossim_version: String,
    /// `git describe --dirty` of the build, null when unknown.
    pub git_commit: Option<String>,
    pub name: String,
    pub seed: u64,
    /// SHA-256 of `scenario.json` as written.
    pub scenario_sha256: String,
    /// SHA-256 folded over every processed event.
    pub trace_digest: String,
    pub stop_reason: String,
    pub events: u64,
    pub final_time_ms: f64,
    pub topology: TopologyFactsRecord,
}

/// Topology facts as recorded in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopologyFactsRecord {
    pub degree_min: u32,
    pub degree_max: u32,
    pub degree_mean: f64,
    pub degree_sd: f64,
    pub connected: bool,
}

impl From<&TopologyFacts> for TopologyFactsRecord {
    fn from(f: &TopologyFacts) -> Self {
        TopologyFactsRecord {
            degree_min: f.degree_min,
            degree_max: f.degree_max,
            degree_mean: f.degree_mean,
            degree_sd: f.degree_sd,
            connected: f.connected,
        }
    }
}

/// `timing.json`: wall-clock figures, the only non-deterministic output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub wall_seconds: f64,
    /// CPU time of the thread that ran the simulation.
    pub cpu_seconds: f64,
    pub events: u64,
    pub events_per_second: f64,
    pub deliveries: u64,
    /// Deliveries per CPU-second of the event loop (engine plus node logic plus
    /// measurement), the simulator's throughput figure.
    pub deliveries_per_cpu_second: f64,
    /// Deliveries per CPU-second of the whole run, setup and report included.
    pub deliveries_per_total_cpu_second: f64,
    /// CPU seconds by phase: setup (topology, nodes, workload), simulate, report.
    pub cpu_phases: crate::runner::CpuPhases,
    /// Peak resident memory of the process (VmHWM), bytes; null where unknown.
    pub peak_memory_bytes: Option<u64>,
    /// Most events pending in the queue at once (each costs the engine's pending-event
    /// size): with the node count, what the peak memory is made of.
    pub peak_pending_events: usize,
    /// The command line that produced the run.
    pub command: Vec<String>,
}

impl Timing {
    /// The timing of a finished run, given its wall and total CPU seconds.
    pub fn of(result: &RunResult, wall_seconds: f64, cpu_seconds: f64) -> Timing {
        Timing {
            wall_seconds,
            cpu_seconds,
            events: result.outcome.events,
            events_per_second: result.outcome.events as f64 / wall_seconds.max(1e-9),
            deliveries: result.deliveries,
            deliveries_per_cpu_second: result.deliveries as f64 / result.cpu_phases.simulate.max(1e-9),
            deliveries_per_total_cpu_second: result.deliveries as f64 / cpu_seconds.max(1e-9),
            cpu_phases: result.cpu_phases,
            peak_memory_bytes: peak_memory_bytes(),
            peak_pending_events: result.outcome.peak_pending,
            command: std::env::args().collect(),
        }
    }
}

/// The bytes of `scenario.json` for a resolved scenario.
pub fn scenario_bytes(resolved: &serde_json::Value) -> Result<Vec<u8>, OutputError> {
    let mut bytes = serde_json::to_vec_pretty(resolved)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// The manifest of a finished run.
pub fn manifest(
    resolved: &serde_json::Value,
    seed: u64,
    name: &str,
    result: &RunResult,
) -> Result<Manifest, OutputError> {
    Ok(Manifest {
        gossim_version: VERSION.to_string(),
        git_commit: (!GIT_DESCRIBE.is_empty()).then(|| GIT_DESCRIBE.to_string()),
        name: name.to_string(),
        seed,
        scenario_sha256: sha256_hex(&scenario_bytes(resolved)?),
        trace_digest: to_hex(&result.outcome.trace_digest),
        stop_reason: result.outcome.stop_reason.as_str().to_string(),
        events: result.outcome.events,
        final_time_ms: result.outcome.final_time.as_millis_f64(),
        topology: TopologyFactsRecord::from(&result.topology),
    })
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), OutputError> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    std::fs::write(path, bytes).map_err(io_error(path))
}

/// Writes a complete run directory at `out`, atomically replacing any previous one.
pub fn write_run_dir(
    out: &Path,
    resolved: &serde_json::Value,
    manifest: &Manifest,
    result: &RunResult,
    timing: &Timing,
    charts: bool,
) -> Result<(), OutputError> {
    let staging = staging_dir(out)?;
    let written = (|| {
        std::fs::write(staging.join("scenario.json"), scenario_bytes(resolved)?).map_err(io_error(&staging))?;
        write_json(&staging.join("manifest.json"), manifest)?;
        write_json(&staging.join("timing.json"), timing)?;
        write_run_outputs(&staging, &result.report, charts)?;
        Ok(())
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    commit_dir(&staging, out)
}

/// This host's name, so staging directories on a shared cluster filesystem say whose
/// they are ("unknown" where the platform does not tell).
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect())
        .ok()
        .filter(|h: &String| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Removes staging directories for `name` left by processes of this host that no
/// longer exist (a run killed while writing). Another host's are never touched.
fn remove_stale_staging(parent: &Path, name: &str, host: &str) {
    let prefix = format!(".{name}.partial-{host}-");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        let alive = Path::new(&format!("/proc/{pid}")).exists() || !Path::new("/proc/self").exists();
        if !alive && pid != std::process::id() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A fresh hidden staging directory beside `out`.
pub fn staging_dir(out: &Path) -> Result<PathBuf, OutputError> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
    let host = host_name();
    remove_stale_staging(parent, &name, &host);
    let staging = parent.join(format!(".{name}.partial-{host}-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io_error(&staging))?;
    Ok(staging)
}

/// Moves a complete staging directory to `out`, replacing what was there.
pub fn commit_dir(staging: &Path, out: &Path) -> Result<(), OutputError> {
    if out.exists() {
        let old = staging.with_extension("old");
        std::fs::rename(out, &old).map_err(io_error(out))?;
        std::fs::rename(staging, out).map_err(io_error(out))?;
        std::fs::remove_dir_all(&old).map_err(io_error(&old))?;
    } else {
        std::fs::rename(staging, out).map_err(io_error(out))?;
    }
    Ok(())
}

/// Peak resident memory of this process in bytes (Linux `VmHWM`).
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Runs `f` and returns its value with the wall seconds and the calling thread's
/// CPU seconds it took (wall seconds where the platform cannot tell CPU time).
pub fn measured<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let started = std::time::Instant::now();
    let cpu_before = thread_cpu_seconds();
    let value = f();
    let wall_seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = match (cpu_before, thread_cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => wall_seconds,
    };
    (value, wall_seconds, cpu_seconds)
}

/// CPU time consumed by the calling thread, in seconds (Linux schedstat).
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_removes_leftovers_of_dead_local_processes_only() {
        let dir = tempfile::tempdir().unwrap();
        let host = host_name();
        // No process has a pid this large (Linux caps pid_max at 2^22).
        let dead = dir.path().join(format!(".run.partial-{host}-4000000000"));
        let other_host = dir.path().join(".run.partial-someotherhost-1");
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::create_dir_all(&other_host).unwrap();
        let staging = staging_dir(&dir.path().join("run")).unwrap();
        assert!(staging.is_dir());
        assert!(!dead.exists(), "a dead local process's staging directory is removed");
        assert!(other_host.exists(), "another host's staging directory is left alone");
    }
}

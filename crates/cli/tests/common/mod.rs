//! Helpers shared by the integration binaries: running the release `gossim`,
//! reading its CSV files, and small scenarios written into temporary directories.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (scenarios/, scripts/).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The `gossim` binary under test.
pub fn gossim_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gossim"))
}

/// A `gossim` command with the given arguments.
pub fn gossim(args: &[&str]) -> Command {
    let mut command = Command::new(gossim_path());
    command.args(args);
    command
}

/// What a finished command printed, with its exit code.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Ran {
    fn from(output: Output) -> Self {
        Ran {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `gossim args...` to completion.
pub fn run(args: &[&str]) -> Ran {
    gossim(args).output().expect("gossim starts").into()
}

/// Runs `gossim args...` and panics, showing its output, unless it exits 0.
pub fn run_ok(args: &[&str]) -> Ran {
    let ran = run(args);
    assert_eq!(ran.code, Some(0), "gossim {} failed:\n{}{}", args.join(" "), ran.stdout, ran.stderr);
    ran
}

/// A path as a `&str` argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A CSV file as a header and rows of fields (gossim's CSV never quotes).
#[derive(Debug)]
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    /// Reads `path`.
    pub fn read(path: &Path) -> Csv {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines().map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
        let header = lines.next().unwrap_or_default();
        Csv { header, rows: lines.collect() }
    }

    /// The values of the column called `name`.
    pub fn column(&self, name: &str) -> Vec<&str> {
        let index = self
            .header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.header));
        self.rows.iter().map(|r| r[index].as_str()).collect()
    }
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names of the entries of `dir`, sorted (empty when it does not exist).
pub fn entries(dir: &Path) -> Vec<String> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = read.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A push sweep scenario of `nodes` nodes and `transactions` transactions, each run
/// small enough to take milliseconds at 200 nodes; written as `dir/NAME.json`.
pub fn write_sweep_scenario(dir: &Path, name: &str, nodes: u32, transactions: u32) -> PathBuf {
    let text = format!(
        r#"{{
  "name": "{name}",
  "seed": 5,
  "nodes": {nodes},
  "topology": {{"kind": "random_regular", "degree": 6}},
  "network": {{
    "latency": {{"kind": "lognormal", "median": "80ms", "sigma": 0.6}},
    "loss": {{"kind": "bernoulli", "p": 0.01}}
  }},
  "protocol": {{"kind": "push", "fanout": 3, "forward": "once", "repair": {{"period": "1s"}}}},
  "workload": {{"transactions": {transactions}, "arrival": {{"kind": "poisson", "rate_per_s": 20}}}},
  "stop": {{"at": "60s", "when": "converged"}},
  "report": {{"charts": false}}
}}
"#
    );
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Asserts two files hold the same bytes, naming the first difference.
pub fn assert_same_bytes(a: &Path, b: &Path) {
    let left = std::fs::read(a).unwrap_or_else(|e| panic!("{}: {e}", a.display()));
    let right = std::fs::read(b).unwrap_or_else(|e| panic!("{}: {e}", b.display()));
    if left != right {
        let at = left.iter().zip(&right).position(|(x, y)| x != y).unwrap_or(left.len().min(right.len()));
        panic!("{} and {} differ at byte {at} (lengths {} and {})", a.display(), b.display(), left.len(), right.len());
    }
}

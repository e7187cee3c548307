//! The one error type of this crate: every variant names the file it concerns.

use std::path::PathBuf;

/// Why writing or reading report files failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading, writing or creating a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CSV file is malformed or lacks what the reader needs; `line` is 1-based
    /// (line 1 is the header).
    #[error("{}:{line}: {message}", path.display())]
    CsvParse { path: PathBuf, line: usize, message: String },
    /// JSON could not be written or read.
    #[error("{}: {source}", path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// JSON parsed but lacks a value the reader needs.
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    /// The plotting backend failed to draw or encode a chart.
    #[error("{}: cannot draw chart: {message}", path.display())]
    Chart { path: PathBuf, message: String },
}

impl ReportError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ReportError {
        ReportError::Io { path: path.into(), source }
    }
}

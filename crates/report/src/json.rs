//! Pretty JSON files with a stable layout.
//!
//! Keys come out in struct field order and, for maps, in the map's own order: use
//! `BTreeMap` (sorted) for any map that reaches a file, never `HashMap`. Floats use
//! serde_json's shortest round-trip form; NaN and ±∞ become `null`.

use crate::ReportError;
use serde::Serialize;
use std::path::Path;

/// Writes `value` to `path` as pretty JSON (two-space indent) ending in a newline.
pub fn write_json_pretty(path: &Path, value: &impl Serialize) -> Result<(), ReportError> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|source| ReportError::Json { path: path.to_path_buf(), source })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| ReportError::io(path, e))
}

/// Reads `path` as untyped JSON (for tools that need one or two keys of a file whose
/// schema may grow).
pub fn read_json_value(path: &Path) -> Result<serde_json::Value, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
    serde_json::from_str(&text).map_err(|source| ReportError::Json { path: path.to_path_buf(), source })
}

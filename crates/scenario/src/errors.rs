//! Errors in scenario files, and the wording of serde's messages for people.
//!
//! Every problem carries its JSON path and, when it came from the file, the line and
//! column of the offending value. [`ScenarioErrors`] holds all problems found in one
//! file and prints one per line as `FILE:LINE:COLUMN: PATH: MESSAGE`.

use std::fmt;

/// One problem in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The JSON path of the offending value (`protocol.fanout`, `faults[1].at`);
    /// empty for the document as a whole.
    pub path: String,
    /// 1-based line, when the value came from the file.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the value came from the file.
    pub column: Option<usize>,
    /// What was found and what is allowed.
    pub message: String,
}

impl ScenarioError {
    /// A problem at `path` with no position yet.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError { path: path.into(), line: None, column: None, message: message.into() }
    }
}

/// Every problem found in one scenario, in file order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioErrors {
    /// The file name (or other label) the positions refer to.
    pub file: String,
    pub errors: Vec<ScenarioError>,
}

impl ScenarioErrors {
    /// Errors found in `file`.
    pub fn new(file: &str, errors: Vec<ScenarioError>) -> Self {
        ScenarioErrors { file: file.to_string(), errors }
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some(line) = error.line {
                write!(f, ":{line}")?;
                if let Some(column) = error.column {
                    write!(f, ":{column}")?;
                }
            }
            if error.path.is_empty() {
                write!(f, ": {}", error.message)?;
            } else {
                write!(f, ": {}: {}", error.path, error.message)?;
            }
        }
        Ok(())
    }
}

/// The Levenshtein distance between two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb { previous } else { 1 + previous.min(row[j]).min(current) };
            previous = current;
        }
    }
    row[b.len()]
}

/// The allowed name closest to `given`, if it is close enough to be a likely typo.
pub fn closest<'a>(given: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    allowed
        .iter()
        .map(|name| (edit_distance(&given_lower, name), *name))
        .filter(|(distance, name)| *distance <= (name.len() / 3).max(2) || name.starts_with(&given_lower))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// "unknown key `fanot` (allowed: a, b, c); did you mean `fanout`?"
pub fn unknown_name(what: &str, given: &str, allowed: &[&str]) -> String {
    let mut message = format!("unknown {what} `{given}`; allowed: {}", allowed.join(", "));
    if let Some(best) = closest(given, allowed) {
        message.push_str(&format!("; did you mean `{best}`?"));
    }
    message
}

/// Integer keys whose smallest allowed value is 1 although their type allows 0. A
/// wrong-type value at one of these paths is told the real range, not the type's.
pub const AT_LEAST_ONE: &[&str] = &["nodes", "workload.accounts", "protocol.k"];

/// `humanized` (a message about the value at `path`) with a type's range replaced by
/// the key's own when the key is one of [`AT_LEAST_ONE`].
pub fn with_key_range(path: &str, humanized: String) -> String {
    if AT_LEAST_ONE.contains(&path) {
        humanized.replacen("an integer from 0 to", "an integer from 1 to", 1)
    } else {
        humanized
    }
}

/// A short rendering of a JSON value for "found ..." in messages.
pub fn describe_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(_) => "an object".to_string(),
        serde_json::Value::Array(_) => "an array".to_string(),
        serde_json::Value::String(s) if s.chars().count() > 40 => {
            format!("\"{}…\"", s.chars().take(40).collect::<String>())
        }
        other => other.to_string(),
    }
}

/// Splits "`a`, `b`" or "one of `a`, `b`" into names.
fn backticked(list: &str) -> Vec<&str> {
    list.split('`').skip(1).step_by(2).collect()
}

/// Rewrites one of serde's messages into the house style: "expected X, found Y",
/// "unknown key `k`; allowed: ...; did you mean ...?", "missing required key `k`".
/// `found` describes the value actually present at the error's path, if known.
pub fn humanize(message: &str, found: Option<&str>) -> String {
    let expected_phrase = |expected: &str| -> String {
        match expected {
            "u8" => "an integer from 0 to 255".to_string(),
            "u16" => "an integer from 0 to 65535".to_string(),
            "u32" => "an integer from 0 to 4294967295".to_string(),
            "u64" => "a non-negative integer".to_string(),
            "i32" | "i64" => "an integer".to_string(),
            "f32" | "f64" => "a number".to_string(),
            "a sequence" => "an array".to_string(),
            "a map" => "an object".to_string(),
            // serde's wording for a plain enum; the allowed names come with "unknown value".
            "string or map" => "a string".to_string(),
            "struct ScenarioFile" => "an object".to_string(),
            other if other.starts_with("struct ") => "an object".to_string(),
            other => other.to_string(),
        }
    };
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((serde_found, expected)) = rest.rsplit_once(", expected ")
        {
            let shown = found.map(str::to_string).unwrap_or_else(|| serde_found.replace('`', ""));
            return format!("expected {}, found {shown}", expected_phrase(expected));
        }
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, allowed) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed = backticked(allowed);
        if allowed.is_empty() {
            return format!("unknown key `{name}`; this object takes no other keys");
        }
        return unknown_name("key", name, &allowed);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (name, allowed) = rest.split_once('`').unwrap_or((rest, ""));
        return unknown_name("value", name, &backticked(allowed));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        return format!("missing required key `{name}`");
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("fanot", &["fanout", "forward", "kind"]), Some("fanout"));
        assert_eq!(closest("pusj", &["push", "pull", "push_pull"]), Some("push"));
        assert_eq!(closest("xyzzy", &["fanout", "forward"]), None);
        assert_eq!(closest("Fanout", &["fanout"]), Some("fanout"));
    }

    #[test]
    fn rewrites_serde_messages() {
        assert_eq!(
            humanize("invalid value: integer `-2`, expected u32", Some("-2")),
            "expected an integer from 0 to 4294967295, found -2"
        );
        assert_eq!(
            humanize("unknown field `fanot`, expected one of `kind`, `fanout`", None),
            "unknown key `fanot`; allowed: kind, fanout; did you mean `fanout`?"
        );
        assert_eq!(humanize("missing field `nodes`", None), "missing required key `nodes`");
        assert_eq!(humanize("something custom", None), "something custom");
    }

    #[test]
    fn displays_one_error_per_line() {
        let errors = ScenarioErrors::new(
            "bad.json",
            vec![
                ScenarioError { path: "protocol.fanout".into(), line: Some(9), column: Some(17), message: "m1".into() },
                ScenarioError::new("seed", "m2"),
            ],
        );
        assert_eq!(errors.to_string(), "bad.json:9:17: protocol.fanout: m1\nbad.json: seed: m2");
    }
}

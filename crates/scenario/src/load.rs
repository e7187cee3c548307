//! The loader: text → JSON value → `--set` overrides → file structs → semantic checks
//! → resolved scenario, with every problem located and reported together.
//!
//! serde stops at the first type error. To report several, the loader *repairs* the
//! document and tries again: the offending value is removed (a defaulted key then
//! takes its default); if it was required, the object holding it goes next, and a
//! required top-level key gets a placeholder. Errors caused by the repairs themselves
//! ("missing key" for a key the loader removed or the user misspelt) are suppressed,
//! semantic checks skip whatever was repaired, and array indices are mapped back to
//! the file's, so every message describes a real problem at its real place.

use crate::errors::{ScenarioError, ScenarioErrors, describe_value, humanize, with_key_range};
use crate::overrides::{parse_override, set_path, set_path_canonical};
use crate::resolved::Scenario;
use crate::schema::{ScenarioFile, Sweep};
use crate::spans::{Spans, join_index, join_key};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// At most this many repairs (and so serde errors) per document.
const MAX_REPAIRS: usize = 100;

/// Top-level keys without a default, with the placeholder that stands in for a broken
/// one while the rest of the file is checked.
const REQUIRED_ROOT: [&str; 3] = ["name", "nodes", "protocol"];

/// A loaded scenario: the resolved values and the resolved file.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The resolved scenario the simulator runs.
    pub scenario: Scenario,
    /// The scenario in the file format with every default written out; loading it
    /// again gives the same `scenario`.
    pub resolved_json: Value,
}

/// A problem before it is given a line and column.
#[derive(Clone, Debug)]
struct RawError {
    path: String,
    /// Point at the key rather than the value (unknown and duplicate keys).
    at_key: bool,
    message: String,
}

impl RawError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        RawError { path: path.into(), at_key: false, message: message.into() }
    }
}

/// One step of a path, for repairs.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn render(segs: &[Seg]) -> String {
    let mut path = String::new();
    for seg in segs {
        path = match seg {
            Seg::Key(key) => join_key(&path, key),
            Seg::Index(index) => join_index(&path, *index),
        };
    }
    path
}

fn lookup<'v>(value: &'v Value, segs: &[Seg]) -> Option<&'v Value> {
    segs.iter().try_fold(value, |current, seg| match seg {
        Seg::Key(key) => current.get(key.as_str()),
        Seg::Index(index) => current.get(*index),
    })
}

/// Removes the value at `segs`; false if there is nothing to remove.
fn remove(value: &mut Value, segs: &[Seg]) -> bool {
    let Some((last, parent)) = segs.split_last() else { return false };
    let mut current = value;
    for seg in parent {
        let next = match seg {
            Seg::Key(key) => current.get_mut(key.as_str()),
            Seg::Index(index) => current.get_mut(*index),
        };
        let Some(next) = next else { return false };
        current = next;
    }
    match (current, last) {
        (Value::Object(map), Seg::Key(key)) => map.shift_remove(key.as_str()).is_some(),
        (Value::Array(items), Seg::Index(index)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

/// Maps a path in the repaired document back to the file's own array indices.
fn original_path(current: &[Seg], removed_elements: &HashMap<String, Vec<usize>>) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::with_capacity(current.len());
    for seg in current {
        match seg {
            Seg::Index(index) => {
                let gone = removed_elements.get(&render(&out)).map_or(&[][..], Vec::as_slice);
                let mut original = 0;
                let mut remaining = *index;
                loop {
                    if !gone.contains(&original) {
                        if remaining == 0 {
                            break;
                        }
                        remaining -= 1;
                    }
                    original += 1;
                }
                out.push(Seg::Index(original));
            }
            key => out.push(key.clone()),
        }
    }
    out
}

fn placeholder(key: &str) -> Value {
    match key {
        "nodes" => Value::from(1u32),
        "protocol" => serde_json::json!({"kind": "push"}),
        _ => Value::from("placeholder"),
    }
}

/// Moves `kind` to the front of every object, which [`crate::forms`]'s tagged
/// deserialization expects.
fn kind_first(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(index) = map.keys().position(|key| key == "kind")
                && index > 0
                && let Some(kind) = map.shift_remove("kind")
            {
                map.shift_insert(0, "kind".to_string(), kind);
            }
            map.values_mut().for_each(kind_first);
        }
        Value::Array(items) => items.iter_mut().for_each(kind_first),
        _ => {}
    }
}

/// The outcome of deserializing with repairs.
struct Decoded {
    file: Option<ScenarioFile>,
    errors: Vec<RawError>,
    /// Paths (in the file's own indexing) that were removed or replaced.
    repaired: Vec<String>,
    /// Array elements removed, by array path, so later paths can be mapped back.
    removed_elements: HashMap<String, Vec<usize>>,
}

impl Decoded {
    /// Whether a problem found in the repaired document at `path` is a consequence of
    /// a repair rather than of the file.
    fn caused_by_repair(&self, path: &str) -> bool {
        self.repaired.iter().any(|repaired| is_within(path, repaired))
    }

    /// Maps a path of the repaired document back to the file's indices.
    fn original(&self, path: &str) -> String {
        // Sweep keys are paths themselves; their dots are not structure.
        if self.removed_elements.is_empty() || path.starts_with("sweep") {
            return path.to_string();
        }
        render(&original_path(&parse_segs(path), &self.removed_elements))
    }
}

/// Splits `faults[1].groups` into segments.
fn parse_segs(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for part in path.split('.').filter(|part| !part.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next()
            && !key.is_empty()
        {
            segs.push(Seg::Key(key.to_string()));
        }
        for piece in pieces {
            match piece.trim_end_matches(']').parse() {
                Ok(index) => segs.push(Seg::Index(index)),
                Err(_) => segs.push(Seg::Key(piece.to_string())),
            }
        }
    }
    segs
}

fn decode(value: &Value) -> Decoded {
    let mut work = value.clone();
    let mut out = Decoded { file: None, errors: Vec::new(), repaired: Vec::new(), removed_elements: HashMap::new() };
    // Keys that are missing because of a repair (removed, or misspelt and reported as such).
    let mut explained_missing: HashSet<String> = HashSet::new();
    for _ in 0..MAX_REPAIRS {
        let error = match serde_path_to_error::deserialize::<_, ScenarioFile>(&work) {
            Ok(file) => {
                out.file = Some(file);
                return out;
            }
            Err(error) => error,
        };
        let current: Vec<Seg> = error
            .path()
            .iter()
            .map_while(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                _ => None,
            })
            .collect();
        let message = error.inner().to_string();
        let original = original_path(&current, &out.removed_elements);
        let path = render(&original);
        if let Some(rest) = message.strip_prefix("missing field `") {
            let key = rest.trim_end_matches('`');
            if !explained_missing.contains(&join_key(&path, key)) {
                out.errors.push(RawError::at(&path, humanize(&message, None)));
            }
            if current.is_empty() && REQUIRED_ROOT.contains(&key) {
                if let Value::Object(map) = &mut work {
                    map.insert(key.to_string(), placeholder(key));
                }
                out.repaired.push(key.to_string());
                continue;
            }
        } else if let Some(rest) = message.strip_prefix("unknown field `") {
            let humanized = humanize(&message, None);
            // "did you mean `degree`?": a later "missing key `degree`" says nothing new.
            if let (Some(name), Some(suggested)) = (rest.split('`').next(), humanized.rsplit_once("did you mean `")) {
                let parent = render(original.split_last().map_or(&[][..], |(_, parent)| parent));
                let suggested = suggested.1.trim_end_matches("`?");
                if name != suggested {
                    explained_missing.insert(join_key(&parent, suggested));
                }
            }
            out.errors.push(RawError { path: path.clone(), at_key: true, message: humanized });
        } else {
            let found = lookup(&work, &current).map(describe_value);
            let mut humanized = humanize(&message, found.as_deref());
            if original.last() == Some(&Seg::Key("kind".into())) && humanized.starts_with("unknown value") {
                humanized = humanized.replacen("unknown value", "unknown kind", 1);
            }
            out.errors.push(RawError::at(&path, with_key_range(&path, humanized)));
        }
        // Repair: drop the offending value, or stand in for a required top-level key.
        match current.as_slice() {
            [] => return out,
            [Seg::Key(key)] if REQUIRED_ROOT.contains(&key.as_str()) => {
                if let Value::Object(map) = &mut work {
                    map.insert(key.clone(), placeholder(key));
                }
            }
            _ => {
                if !remove(&mut work, &current) {
                    return out;
                }
                explained_missing.insert(path.clone());
                if let Some((Seg::Index(index), parent)) = original.split_last() {
                    out.removed_elements.entry(render(parent)).or_default().push(*index);
                }
            }
        }
        out.repaired.push(path);
    }
    out
}

/// Resolves a JSON document; `check_sweep` also tries every sweep value.
fn resolve(mut value: Value, check_sweep: bool) -> Result<Loaded, Vec<RawError>> {
    kind_first(&mut value);
    let mut decoded = decode(&value);
    let mut errors = std::mem::take(&mut decoded.errors);
    let Some(mut file) = decoded.file.take() else { return Err(errors) };
    // With a stand-in node count every range check would be noise.
    if !decoded.repaired.iter().any(|path| path == "nodes") {
        for error in crate::validate::validate(&file) {
            let path = decoded.original(&error.path);
            if !decoded.caused_by_repair(&path) {
                errors.push(RawError::at(path, error.message));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    crate::resolve::fill_defaults(&mut file);
    let scenario = crate::resolve::build(&file);
    let resolved_json = serde_json::to_value(&file)
        .map_err(|e| vec![RawError::at("", format!("internal error: cannot write the resolved scenario: {e}"))])?;
    if check_sweep && let Some(sweep) = &file.sweep {
        let sweep_errors = try_sweep(&resolved_json, sweep);
        if !sweep_errors.is_empty() {
            return Err(sweep_errors);
        }
    }
    Ok(Loaded { scenario, resolved_json })
}

/// Checks that every sweep path can be set to every one of its values.
fn try_sweep(resolved: &Value, sweep: &Sweep) -> Vec<RawError> {
    let mut base = resolved.clone();
    if let Value::Object(map) = &mut base {
        map.shift_remove("sweep");
    }
    let mut errors = Vec::new();
    for (path, values) in &sweep.vary {
        let entry = join_key("sweep", path);
        let mut previous = String::new();
        for (i, candidate) in values.iter().enumerate() {
            let mut variant = base.clone();
            if let Err(why) = set_path(&mut variant, path, candidate.clone()) {
                errors.push(RawError { path: entry.clone(), at_key: true, message: why });
                break;
            }
            let Err(problems) = resolve(variant, false) else { continue };
            let details: Vec<String> = problems
                .iter()
                .map(|p| if p.path.is_empty() { p.message.clone() } else { format!("{}: {}", p.path, p.message) })
                .collect();
            let details = details.join("; ");
            // The same complaint for every value means the path itself is wrong: say it once.
            if details != previous {
                errors.push(RawError::at(
                    join_index(&entry, i),
                    format!("`{path}` = {} does not give a valid scenario: {details}", describe_value(candidate)),
                ));
            }
            previous = details;
        }
    }
    errors
}

/// Gives raw errors their lines and columns, or names the `--set` they came from.
struct Locator<'a> {
    source: &'a str,
    spans: Option<&'a Spans>,
    /// `(canonical path, the --set argument)`.
    overrides: Vec<(String, String)>,
}

fn is_within(path: &str, prefix: &str) -> bool {
    path == prefix || (path.starts_with(prefix) && matches!(path.as_bytes().get(prefix.len()), Some(b'.' | b'[')))
}

impl Locator<'_> {
    fn locate(&self, raw: RawError) -> ScenarioError {
        if let Some((_, arg)) = self.overrides.iter().rev().find(|(path, _)| is_within(&raw.path, path)) {
            return ScenarioError::new(raw.path, format!("{} (from --set {arg})", raw.message));
        }
        let pos = self.spans.and_then(|spans| {
            let key = if raw.at_key { spans.get(&raw.path).and_then(|span| span.key) } else { None };
            key.or_else(|| spans.nearest(&raw.path).map(|span| span.value))
        });
        ScenarioError { path: raw.path, line: pos.map(|p| p.line), column: pos.map(|p| p.column), message: raw.message }
    }

    fn finish(&self, raw: Vec<RawError>, mut located: Vec<ScenarioError>) -> ScenarioErrors {
        located.extend(raw.into_iter().map(|r| self.locate(r)));
        // File order; problems without a position (from --set) last, in the order found.
        located.sort_by_key(|e| (e.line.is_none(), e.line, e.column));
        ScenarioErrors::new(self.source, located)
    }
}

/// Loads a scenario from JSON text. `source` names it in messages (usually the file
/// name); `overrides` are `--set PATH=VALUE` arguments applied before resolution.
pub fn load_str(text: &str, source: &str, overrides: &[String]) -> Result<Loaded, ScenarioErrors> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let message = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m).to_string();
        let message = format!("invalid JSON: {message}");
        ScenarioErrors::new(
            source,
            vec![ScenarioError {
                path: String::new(),
                line: Some(e.line().max(1)),
                column: Some(e.column().max(1)),
                message,
            }],
        )
    })?;
    let spans = Spans::scan(text);
    let mut locator = Locator { source, spans: Some(&spans), overrides: Vec::new() };
    let mut early = Vec::new();
    for (path, pos) in &spans.duplicates {
        let key = path.rsplit('.').next().unwrap_or(path);
        early.push(ScenarioError {
            path: path.clone(),
            line: Some(pos.line),
            column: Some(pos.column),
            message: format!("duplicate key `{key}`; each key may appear once per object"),
        });
    }
    for arg in overrides {
        let outcome = parse_override(arg).and_then(|(path, new)| {
            set_path_canonical(&mut value, &path, new).map_err(|why| format!("--set {arg}: {why}"))
        });
        match outcome {
            Ok(canonical) => locator.overrides.push((canonical, arg.clone())),
            Err(why) => early.push(ScenarioError::new("", why)),
        }
    }
    match resolve(value, true) {
        Ok(loaded) if early.is_empty() => Ok(loaded),
        Ok(_) => Err(locator.finish(Vec::new(), early)),
        Err(raw) => Err(locator.finish(raw, early)),
    }
}

/// Loads a scenario file, applying `--set` overrides.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Loaded, ScenarioErrors> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioErrors::new(&source, vec![ScenarioError::new("", format!("cannot read the scenario: {e}"))])
    })?;
    load_str(&text, &source, overrides)
}

/// Resolves a scenario given as a JSON value (a resolved file, or a sweep variant built
/// with [`crate::set_path`]); errors carry paths but no lines.
pub fn from_value(value: Value, source: &str) -> Result<Loaded, ScenarioErrors> {
    resolve(value, true).map_err(|raw| Locator { source, spans: None, overrides: Vec::new() }.finish(raw, Vec::new()))
}

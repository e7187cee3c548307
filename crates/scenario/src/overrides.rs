//! Setting a value by its JSON path: `--set protocol.fanout=6` on the command line and
//! the variants of a sweep.
//!
//! Paths are keys joined with `.`, with array elements as `[i]` (or a bare `.i`):
//! `protocol.fanout`, `network.loss.p`, `faults[0].at`, `faults.0.at`. Setting a key
//! that an object lacks adds it, creating missing intermediate objects, so any
//! defaulted key can be set; whether the result is a valid scenario is for the loader
//! to say (an unknown key gets the usual "did you mean" error). Array elements must
//! exist.

use serde_json::Value;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// An object key (or, if all digits and the container is an array, an index).
    Key(String),
    /// An explicit `[i]`.
    Index(usize),
}

fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    if path.trim().is_empty() {
        return Err("the path is empty".into());
    }
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if key.is_empty() && (rest.is_empty() || steps.is_empty()) {
            return Err(format!("`{path}` has an empty segment"));
        }
        if !key.is_empty() {
            steps.push(Step::Key(key.to_string()));
        }
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| format!("`{path}` has an unclosed `[`"))?;
            let index = rest[1..close]
                .parse::<usize>()
                .map_err(|_| format!("`{path}`: `{}` is not an array index", &rest[1..close]))?;
            steps.push(Step::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("`{path}`: unexpected `{rest}` after `]`"));
            }
        }
    }
    Ok(steps)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Sets the value at `path` inside `value` and returns the path in canonical
/// `a.b[0].c` form.
pub(crate) fn set_path_canonical(value: &mut Value, path: &str, new: Value) -> Result<String, String> {
    let steps = parse_path(path)?;
    let mut canonical = String::new();
    let mut current = value;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        let index = match (step, &*current) {
            (Step::Index(index), _) => Some(*index),
            (Step::Key(key), Value::Array(_)) => key.parse::<usize>().ok(),
            _ => None,
        };
        current = match (current, step, index) {
            (Value::Array(items), _, Some(index)) => {
                canonical = crate::spans::join_index(&canonical, index);
                let len = items.len();
                let Some(slot) = items.get_mut(index) else {
                    return Err(format!("`{canonical}` is out of range: the array has {len} elements"));
                };
                slot
            }
            (Value::Object(map), Step::Key(key), None) => {
                canonical = crate::spans::join_key(&canonical, key);
                if last {
                    map.insert(key.clone(), Value::Null);
                }
                map.entry(key.clone()).or_insert_with(|| Value::Object(serde_json::Map::new()))
            }
            (other, _, _) => {
                let what = if index.is_some() { "an array" } else { "an object" };
                let at = if canonical.is_empty() { "the document".to_string() } else { format!("`{canonical}`") };
                return Err(format!("cannot set `{path}`: {at} is {}, not {what}", kind_of(other)));
            }
        };
    }
    *current = new;
    Ok(canonical)
}

/// Sets the value at the JSON path `path` (`protocol.fanout`, `faults[0].at`) inside
/// `value`, adding missing object keys on the way.
pub fn set_path(value: &mut Value, path: &str, new: Value) -> Result<(), String> {
    set_path_canonical(value, path, new).map(|_| ())
}

/// Splits a `--set` argument `path=value`; the value is JSON if it parses as JSON,
/// otherwise a string (`protocol.fanout=all`, `network.latency.median=50ms`).
pub fn parse_override(arg: &str) -> Result<(String, Value), String> {
    let Some((path, raw)) = arg.split_once('=') else {
        return Err(format!("--set `{arg}`: expected PATH=VALUE, e.g. --set protocol.fanout=6"));
    };
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("--set `{arg}`: the path before `=` is empty"));
    }
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((path.to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sets_nested_keys_and_array_elements() {
        let mut doc = json!({"protocol": {"fanout": 4}, "faults": [{"at": "1s"}]});
        set_path(&mut doc, "protocol.fanout", json!(6)).unwrap();
        set_path(&mut doc, "faults[0].at", json!("2s")).unwrap();
        set_path(&mut doc, "faults.0.wipe", json!(true)).unwrap();
        set_path(&mut doc, "report.charts", json!(false)).unwrap();
        assert_eq!(
            doc,
            json!({"protocol": {"fanout": 6}, "faults": [{"at": "2s", "wipe": true}], "report": {"charts": false}})
        );
    }

    #[test]
    fn refuses_impossible_paths() {
        let mut doc = json!({"protocol": {"fanout": 4}, "faults": []});
        assert!(set_path(&mut doc, "protocol.fanout.mean", json!(1)).unwrap_err().contains("is a number"));
        assert!(set_path(&mut doc, "faults[2].at", json!("1s")).unwrap_err().contains("out of range"));
        assert!(set_path(&mut doc, "faults[x]", json!(1)).is_err());
        assert!(set_path(&mut doc, "a..b", json!(1)).is_err());
        assert!(set_path(&mut doc, "", json!(1)).is_err());
    }

    #[test]
    fn override_values_are_json_or_strings() {
        assert_eq!(parse_override("protocol.fanout=6").unwrap(), ("protocol.fanout".into(), json!(6)));
        assert_eq!(parse_override("protocol.fanout=all").unwrap(), ("protocol.fanout".into(), json!("all")));
        assert_eq!(parse_override("a.b=50ms").unwrap().1, json!("50ms"));
        assert_eq!(parse_override("a={\"kind\":\"none\"}").unwrap().1, json!({"kind": "none"}));
        assert!(parse_override("protocol.fanout").is_err());
        assert!(parse_override("=3").is_err());
    }
}

//! Where each value sits in the scenario text.
//!
//! serde_json does not expose source positions of values, so this small scanner walks
//! the text once and records, for every JSON path (`protocol.fanout`, `faults[1].at`,
//! the same spelling `serde_path_to_error` uses), the line and column where its value
//! starts and, for object members, where its key starts. Errors found later, by serde
//! or by semantic validation, look their path up here.
//!
//! It runs only on text serde_json has already accepted, so it does not diagnose
//! syntax; on anything unexpected it stops and keeps what it has. It also reports
//! duplicate keys, which serde_json silently resolves to the last one. Columns count
//! characters, 1-based.

use std::collections::HashMap;

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Positions recorded for one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Where the member's key starts (absent for array elements and the root).
    pub key: Option<Pos>,
    /// Where the value starts.
    pub value: Pos,
}

/// Positions of every path in one document, plus duplicate keys found on the way.
#[derive(Clone, Debug, Default)]
pub struct Spans {
    map: HashMap<String, Span>,
    /// `(path, position of the repeated key)` for each key seen twice in one object.
    pub duplicates: Vec<(String, Pos)>,
}

impl Spans {
    /// Scans `text`, which must already be valid JSON.
    pub fn scan(text: &str) -> Spans {
        let mut scanner = Scanner { chars: text.chars().peekable(), line: 1, column: 1, spans: Spans::default() };
        scanner.skip_ws();
        let start = scanner.pos();
        scanner.spans.map.insert(String::new(), Span { key: None, value: start });
        scanner.value(String::new());
        scanner.spans
    }

    /// The span recorded for `path` exactly.
    pub fn get(&self, path: &str) -> Option<Span> {
        self.map.get(path).copied()
    }

    /// The span of `path` or of its nearest recorded ancestor (a defaulted key that the
    /// file leaves out points at the object that would hold it).
    pub fn nearest(&self, path: &str) -> Option<Span> {
        let mut current = path;
        loop {
            if let Some(span) = self.map.get(current) {
                return Some(*span);
            }
            if current.is_empty() {
                return None;
            }
            current = parent_path(current);
        }
    }
}

/// The path one level up: `faults[1].at` → `faults[1]` → `faults` → ``.
pub fn parent_path(path: &str) -> &str {
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    &path[..cut]
}

/// Appends an object key to a path.
pub fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

/// Appends an array index to a path.
pub fn join_index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    column: usize,
    spans: Spans,
}

impl Scanner<'_> {
    fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.column }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.chars.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    /// Scans one value whose position the caller has recorded; `None` on surprise.
    fn value(&mut self, path: String) -> Option<()> {
        match *self.chars.peek()? {
            '{' => self.object(path),
            '[' => self.array(path),
            '"' => self.string().map(|_| ()),
            _ => {
                // Numbers and literals: everything up to a delimiter.
                while !matches!(self.chars.peek(), None | Some(',' | '}' | ']' | ' ' | '\t' | '\n' | '\r')) {
                    self.bump();
                }
                Some(())
            }
        }
    }

    fn object(&mut self, path: String) -> Option<()> {
        self.bump(); // '{'
        let mut seen: Vec<String> = Vec::new();
        loop {
            self.skip_ws();
            match *self.chars.peek()? {
                '}' => {
                    self.bump();
                    return Some(());
                }
                ',' => {
                    self.bump();
                    continue;
                }
                '"' => {}
                _ => return None,
            }
            let key_pos = self.pos();
            let key = self.string()?;
            self.skip_ws();
            if self.bump()? != ':' {
                return None;
            }
            self.skip_ws();
            let child = join_key(&path, &key);
            if seen.contains(&key) {
                self.spans.duplicates.push((child.clone(), key_pos));
            } else {
                seen.push(key);
            }
            // The last occurrence wins, as it does in serde_json.
            self.spans.map.insert(child.clone(), Span { key: Some(key_pos), value: self.pos() });
            self.value(child)?;
        }
    }

    fn array(&mut self, path: String) -> Option<()> {
        self.bump(); // '['
        let mut index = 0;
        loop {
            self.skip_ws();
            match *self.chars.peek()? {
                ']' => {
                    self.bump();
                    return Some(());
                }
                ',' => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let child = join_index(&path, index);
            self.spans.map.insert(child.clone(), Span { key: None, value: self.pos() });
            self.value(child)?;
            index += 1;
        }
    }

    /// Scans a string literal and returns its decoded text.
    fn string(&mut self) -> Option<String> {
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(out),
                '\\' => match self.bump()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'u' => {
                        let code = self.hex4()?;
                        if (0xD800..0xDC00).contains(&code) {
                            // A surrogate pair: `\uD83D\uDE00`.
                            if self.bump()? != '\\' || self.bump()? != 'u' {
                                return None;
                            }
                            let low = self.hex4()?;
                            let combined = 0x10000 + ((code - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                            out.push(char::from_u32(combined).unwrap_or('\u{FFFD}'));
                        } else {
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                    }
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            code = code * 16 + self.bump()?.to_digit(16)?;
        }
        Some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_values_and_keys_by_path() {
        let text = "{\n  \"a\": 1,\n  \"b\": {\"c\": [10, {\"d\": \"x\\\"y\"}]},\n  \"e\\u0041\": true\n}";
        let spans = Spans::scan(text);
        assert_eq!(spans.get("a").unwrap().value, Pos { line: 2, column: 8 });
        assert_eq!(spans.get("a").unwrap().key, Some(Pos { line: 2, column: 3 }));
        assert_eq!(spans.get("b.c[0]").unwrap().value, Pos { line: 3, column: 15 });
        assert_eq!(spans.get("b.c[1].d").unwrap().value, Pos { line: 3, column: 25 });
        assert!(spans.get("eA").is_some());
        assert_eq!(spans.nearest("b.c[1].missing").unwrap().value, Pos { line: 3, column: 19 });
        assert_eq!(spans.get("").unwrap().value, Pos { line: 1, column: 1 });
    }

    #[test]
    fn reports_duplicate_keys() {
        let spans = Spans::scan("{\"a\": 1, \"a\": 2}");
        assert_eq!(spans.duplicates, vec![("a".to_string(), Pos { line: 1, column: 10 })]);
    }

    #[test]
    fn parent_paths_strip_one_segment() {
        assert_eq!(parent_path("faults[1].at"), "faults[1]");
        assert_eq!(parent_path("faults[1]"), "faults");
        assert_eq!(parent_path("faults"), "");
    }
}

//! A small RFC 4180 CSV writer and reader, so that every table loads straight into
//! pandas (`pd.read_csv`) and R (`read.csv`) and the same bytes come out every run.
//!
//! Writing: a header row of snake_case names, `\n` line ends, a field quoted only
//! when it holds a comma, a double quote or a line break (quotes doubled inside).
//! Floats use Rust's `{}` formatting: the shortest text that parses back to the same
//! `f64`, never an exponent (`0.0001`, `1000000`), `NaN`, `inf` and `-inf` for the
//! non-finite values (pandas and R read all three). `None` is an empty field.
//!
//! Reading: [`read_csv`] accepts what the writer produces plus `\r\n` line ends, and
//! reports the 1-based line of anything malformed. It holds the whole file in memory:
//! it exists to re-render charts from a run directory, not to stream large data.

use crate::ReportError;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// One CSV field. Build it with `.into()` from a number, string or `Option<f64>`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Field<'a> {
    Str(&'a str),
    F64(f64),
    U64(u64),
    I64(i64),
    /// A missing value: an empty field.
    Empty,
}

impl From<f64> for Field<'_> {
    fn from(v: f64) -> Self {
        Field::F64(v)
    }
}
impl From<Option<f64>> for Field<'_> {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Field::Empty, Field::F64)
    }
}
impl From<u64> for Field<'_> {
    fn from(v: u64) -> Self {
        Field::U64(v)
    }
}
impl From<u32> for Field<'_> {
    fn from(v: u32) -> Self {
        Field::U64(u64::from(v))
    }
}
impl From<usize> for Field<'_> {
    fn from(v: usize) -> Self {
        Field::U64(v as u64)
    }
}
impl From<i64> for Field<'_> {
    fn from(v: i64) -> Self {
        Field::I64(v)
    }
}
impl<'a> From<&'a str> for Field<'a> {
    fn from(v: &'a str) -> Self {
        Field::Str(v)
    }
}
impl<'a> From<&'a String> for Field<'a> {
    fn from(v: &'a String) -> Self {
        Field::Str(v)
    }
}

/// Formats a float as the writer does: shortest round-trip text, no exponent.
pub fn format_f64(v: f64) -> String {
    format!("{v}")
}

/// Appends `text` to `out` as one CSV field, quoted when RFC 4180 requires it.
pub fn push_escaped(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        for c in text.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn is_snake_case(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Writes CSV rows to any [`Write`]; the header goes out on creation.
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    out: W,
    columns: usize,
    line: String,
}

impl<W: Write> CsvWriter<W> {
    /// Starts a table with `header` (snake_case names, checked in debug builds).
    pub fn new(out: W, header: &[&str]) -> io::Result<Self> {
        debug_assert!(header.iter().all(|h| is_snake_case(h)), "CSV header is not snake_case: {header:?}");
        let mut writer = CsvWriter { out, columns: header.len(), line: String::new() };
        let fields: Vec<Field<'_>> = header.iter().map(|h| Field::Str(h)).collect();
        writer.write_row(&fields)?;
        Ok(writer)
    }

    /// Writes one row.
    ///
    /// # Panics
    /// When the row does not have as many fields as the header (a caller bug).
    pub fn write_row(&mut self, fields: &[Field<'_>]) -> io::Result<()> {
        assert_eq!(fields.len(), self.columns, "CSV row has {} fields, header has {}", fields.len(), self.columns);
        self.line.clear();
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            match *field {
                Field::Str(s) => push_escaped(&mut self.line, s),
                Field::F64(v) => {
                    use std::fmt::Write as _;
                    write!(self.line, "{v}").expect("writing to a String cannot fail");
                }
                Field::U64(v) => {
                    use std::fmt::Write as _;
                    write!(self.line, "{v}").expect("writing to a String cannot fail");
                }
                Field::I64(v) => {
                    use std::fmt::Write as _;
                    write!(self.line, "{v}").expect("writing to a String cannot fail");
                }
                Field::Empty => {}
            }
        }
        if self.line.is_empty() {
            // A lone empty field would be a blank line, which readers skip.
            self.line.push_str("\"\"");
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Creates (or truncates) `path`, writes `header`, lets `fill` write the rows, and
/// flushes; I/O errors come back with the path.
pub fn write_csv_file<F>(path: &Path, header: &[&str], fill: F) -> Result<(), ReportError>
where
    F: FnOnce(&mut CsvWriter<BufWriter<File>>) -> io::Result<()>,
{
    let run = || -> io::Result<()> {
        let file = File::create(path)?;
        let mut writer = CsvWriter::new(BufWriter::new(file), header)?;
        fill(&mut writer)?;
        writer.finish()?;
        Ok(())
    };
    run().map_err(|e| ReportError::io(path, e))
}

/// A CSV file read back: the header and the rows as text, each row as long as the
/// header.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    path: PathBuf,
    /// 1-based line on which each row starts.
    row_lines: Vec<usize>,
}

impl CsvTable {
    /// The file this table came from (for error messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line on which row `row` starts.
    pub fn line_of(&self, row: usize) -> usize {
        self.row_lines[row]
    }

    /// Position of the column named `name`; an error naming the file when absent.
    pub fn column_index(&self, name: &str) -> Result<usize, ReportError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| ReportError::CsvParse {
            path: self.path.clone(),
            line: 1,
            message: format!("missing column `{name}` (header: {})", self.header.join(",")),
        })
    }

    fn parse_column<T>(
        &self,
        name: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, ReportError> {
        let col = self.column_index(name)?;
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                parse(&row[col]).ok_or_else(|| ReportError::CsvParse {
                    path: self.path.clone(),
                    line: self.row_lines[i],
                    message: format!("column `{name}`: `{}` is not {what}", row[col]),
                })
            })
            .collect()
    }

    /// The column `name` as floats; an empty field is an error.
    pub fn f64_column(&self, name: &str) -> Result<Vec<f64>, ReportError> {
        self.parse_column(name, "a number", |s| s.parse::<f64>().ok())
    }

    /// The column `name` as optional floats: an empty field is `None`.
    pub fn opt_f64_column(&self, name: &str) -> Result<Vec<Option<f64>>, ReportError> {
        self.parse_column(name, "a number or empty", |s| {
            if s.is_empty() { Some(None) } else { s.parse::<f64>().ok().map(Some) }
        })
    }

    /// The column `name` as unsigned integers.
    pub fn u64_column(&self, name: &str) -> Result<Vec<u64>, ReportError> {
        self.parse_column(name, "an unsigned integer", |s| s.parse::<u64>().ok())
    }

    /// The column `name` as text.
    pub fn str_column(&self, name: &str) -> Result<Vec<&str>, ReportError> {
        let col = self.column_index(name)?;
        Ok(self.rows.iter().map(|r| r[col].as_str()).collect())
    }
}

/// Reads a whole CSV file written by [`CsvWriter`] (or any RFC 4180 file).
pub fn read_csv(path: &Path) -> Result<CsvTable, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
    parse_csv(&text, path)
}

/// Parses CSV text; `path` only labels errors.
pub fn parse_csv(text: &str, path: &Path) -> Result<CsvTable, ReportError> {
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut row_lines = Vec::new();
    for_each_record(text, path, |line, record| {
        if header.is_none() {
            header = Some(record.to_vec());
        } else {
            rows.push(record.to_vec());
            row_lines.push(line);
        }
        Ok(())
    })?;
    let header = header.ok_or_else(|| ReportError::CsvParse {
        path: path.to_path_buf(),
        line: 1,
        message: "empty file: no header row".into(),
    })?;
    Ok(CsvTable { header, rows, path: path.to_path_buf(), row_lines })
}

/// Calls `f(line, fields)` for every record of CSV text, the header included, without
/// keeping them: for files too large to hold as a [`CsvTable`]. Checks that every
/// record has as many fields as the first; `line` is where the record starts.
pub fn for_each_record<F>(text: &str, path: &Path, mut f: F) -> Result<(), ReportError>
where
    F: FnMut(usize, &[String]) -> Result<(), ReportError>,
{
    let err = |line: usize, message: String| ReportError::CsvParse { path: path.to_path_buf(), line, message };
    let mut columns: Option<usize> = None;
    let mut record: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start_line = line;
        // A blank line carries no record (only legal at the end of the file).
        if matches!(chars.peek(), Some('\n') | Some('\r')) {
            chars.next_if_eq(&'\r');
            chars.next_if_eq(&'\n');
            if chars.peek().is_some() {
                return Err(err(start_line, "blank line".into()));
            }
            break;
        }
        record.clear();
        let mut field = String::new();
        loop {
            // One field.
            field.clear();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(err(start_line, "unterminated quoted field".into())),
                        Some('"') => {
                            if chars.peek() == Some(&'"') {
                                chars.next();
                                field.push('"');
                            } else {
                                break;
                            }
                        }
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',') | Some('\n') | Some('\r') => {}
                    Some(c) => {
                        return Err(err(line, format!("unexpected `{c}` after a quoted field")));
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    match c {
                        ',' | '\n' | '\r' => break,
                        '"' => return Err(err(line, "quote inside an unquoted field".into())),
                        _ => {
                            field.push(c);
                            chars.next();
                        }
                    }
                }
            }
            record.push(std::mem::take(&mut field));
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.next_if_eq(&'\n').is_none() {
                        return Err(err(line, "carriage return without line feed".into()));
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                None => break,
                Some(_) => unreachable!("fields end at a separator"),
            }
        }
        match columns {
            None => columns = Some(record.len()),
            Some(n) if n != record.len() => {
                return Err(err(start_line, format!("{} fields, header has {n}", record.len())));
            }
            Some(_) => {}
        }
        f(start_line, &record)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(header: &[&str], rows: &[Vec<Field<'_>>]) -> String {
        let mut w = CsvWriter::new(Vec::new(), header).unwrap();
        for r in rows {
            w.write_row(r).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn writer_quotes_only_when_needed() {
        let text = write(
            &["name", "value"],
            &[
                vec!["plain".into(), 1.5.into()],
                vec!["a,b".into(), Field::Empty],
                vec!["say \"hi\"".into(), 2u64.into()],
                vec!["two\nlines".into(), (-3i64).into()],
            ],
        );
        assert_eq!(text, "name,value\nplain,1.5\n\"a,b\",\n\"say \"\"hi\"\"\",2\n\"two\nlines\",-3\n");
    }

    #[test]
    fn floats_use_shortest_round_trip_text() {
        assert_eq!(format_f64(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_f64(3.0), "3");
        assert_eq!(format_f64(1e-7), "0.0000001");
        assert_eq!(format_f64(f64::NAN), "NaN");
        for v in [0.1, 1.0 / 3.0, 1e300, 5e-324, -2.5] {
            assert_eq!(format_f64(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn reader_round_trips_the_writer() {
        let text = write(
            &["name", "value"],
            &[
                vec!["a,b".into(), Field::Empty],
                vec!["two\nlines".into(), 0.1.into()],
                vec!["x".into(), f64::NAN.into()],
            ],
        );
        let t = parse_csv(&text, Path::new("t.csv")).unwrap();
        assert_eq!(t.header, ["name", "value"]);
        assert_eq!(t.rows[1], ["two\nlines", "0.1"]);
        assert_eq!(t.line_of(2), 5);
        let v = t.opt_f64_column("value").unwrap();
        assert_eq!(v[0], None);
        assert_eq!(v[1], Some(0.1));
        assert!(v[2].unwrap().is_nan());
    }

    #[test]
    fn reader_accepts_crlf_and_reports_bad_lines() {
        let t = parse_csv("a,b\r\n1,2\r\n", Path::new("t.csv")).unwrap();
        assert_eq!(t.rows, [["1", "2"]]);
        let e = parse_csv("a,b\n1,2\n3\n", Path::new("t.csv")).unwrap_err();
        assert_eq!(e.to_string(), "t.csv:3: 1 fields, header has 2");
        let e = parse_csv("a\n\"open\n", Path::new("t.csv")).unwrap_err();
        assert!(matches!(e, ReportError::CsvParse { line: 2, .. }), "{e}");
        let e = parse_csv("a\nx\n", Path::new("t.csv")).unwrap().f64_column("a").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:2: column `a`: `x` is not a number");
        assert!(parse_csv("", Path::new("t.csv")).is_err());
        assert!(parse_csv("a\n\n1\n", Path::new("t.csv")).is_err());
    }

    #[test]
    fn a_lone_empty_field_survives_the_round_trip() {
        let text = write(&["a"], &[vec![Field::Empty], vec![1.0.into()]]);
        assert_eq!(text, "a\n\"\"\n1\n");
        let t = parse_csv(&text, Path::new("t.csv")).unwrap();
        assert_eq!(t.opt_f64_column("a").unwrap(), [None, Some(1.0)]);
    }
}

//! Quantities with units in scenario files: durations (`"250us"`, `"1.5s"`) and
//! bandwidths (`"10Mbit/s"`).
//!
//! Parsing is exact decimal arithmetic on integers, never `f64`: `"1.1s"` is exactly
//! 1 100 000 000 ns, so a file and its resolved copy always agree to the nanosecond.
//! A value that is not a whole number of the base unit (`"0.5ns"`) is an error rather
//! than silently rounded. Formatting picks the largest unit that represents the value
//! exactly, so `parse(format(x)) == x` for every `x`.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// Duration units, largest first, with their length in nanoseconds.
const DURATION_UNITS: [(&str, u64); 7] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("µs", 1_000),
    ("ns", 1),
];

/// What a duration looks like, for error messages.
pub const DURATION_EXPECTED: &str = "a duration string such as \"250ms\" (units: ns, us, ms, s, m, h)";

/// A span of virtual time written with a unit, held as integer nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub u64);

impl Duration {
    /// The duration in nanoseconds.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
}

/// Splits `text` into its number and unit at the first character that is not a digit
/// or a decimal point.
fn split_number(text: &str) -> (&str, &str) {
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    (&text[..end], &text[end..])
}

/// `number × scale` for a non-negative decimal `number`, exactly; `Err` names why not.
fn scale_decimal(number: &str, scale: u64) -> Result<u64, &'static str> {
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a number is missing");
    }
    if number.contains('.') && frac.is_empty() {
        return Err("digits must follow the decimal point");
    }
    let whole: u128 = whole.parse().map_err(|_| "the number is too large")?;
    let mut total = whole.checked_mul(u128::from(scale)).ok_or("the number is too large")?;
    // Each fractional digit contributes digit × scale / 10^position, which must be whole.
    let mut denominator: u128 = 1;
    let mut numerator: u128 = 0;
    for digit in frac.bytes() {
        denominator = denominator.checked_mul(10).ok_or("too many decimal places")?;
        numerator = numerator * 10 + u128::from(digit - b'0');
    }
    let part = numerator.checked_mul(u128::from(scale)).ok_or("too many decimal places")?;
    if !part.is_multiple_of(denominator) {
        return Err("it is finer than the smallest unit");
    }
    total = total.checked_add(part / denominator).ok_or("the number is too large")?;
    u64::try_from(total).map_err(|_| "the number is too large")
}

/// Parses `"250us"`, `"80ms"`, `"1.5s"`, `"2m"` into nanoseconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let (number, unit) = split_number(trimmed);
    let unit = unit.trim();
    if number.is_empty() {
        return Err(format!("expected {DURATION_EXPECTED}, found \"{text}\""));
    }
    let Some(&(_, scale)) = DURATION_UNITS.iter().find(|(name, _)| *name == unit) else {
        let hint = if unit.is_empty() { "the unit is missing" } else { "unknown unit" };
        return Err(format!("expected {DURATION_EXPECTED}, found \"{text}\" ({hint})"));
    };
    scale_decimal(number, scale).map_err(|why| format!("invalid duration \"{text}\": {why}"))
}

/// The shortest exact spelling of `ns` in seconds or smaller units: `"80ms"`,
/// `"1500ms"`, `"60s"`, `"0s"` (minutes and hours are accepted on input but not
/// written, so resolved files read uniformly).
pub fn format_duration(ns: u64) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    for (name, scale) in DURATION_UNITS {
        if !matches!(name, "h" | "m" | "µs") && ns.is_multiple_of(scale) {
            return format!("{}{}", ns / scale, name);
        }
    }
    format!("{ns}ns")
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_duration(self.0))
    }
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DURATION_EXPECTED)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse_duration(v).map(Duration).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DurationVisitor)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h)$",
            "description": "A duration: a decimal number and a unit (ns, us, ms, s, m for minutes, h), e.g. \"250us\", \"80ms\", \"1.5s\".",
        })
    }
}

/// Bandwidth units with their size in bits per second (bytes are 8 bits; k, M, G are
/// powers of 1000 as in networking).
const BANDWIDTH_UNITS: [(&str, u64); 8] = [
    ("Gbit/s", 1_000_000_000),
    ("Mbit/s", 1_000_000),
    ("kbit/s", 1_000),
    ("bit/s", 1),
    ("GB/s", 8_000_000_000),
    ("MB/s", 8_000_000),
    ("kB/s", 8_000),
    ("B/s", 8),
];

/// What a bandwidth looks like, for error messages.
pub const BANDWIDTH_EXPECTED: &str = "a bandwidth such as \"10Mbit/s\" or \"1.5MB/s\" (units: bit/s, kbit/s, Mbit/s, Gbit/s, B/s, kB/s, MB/s, GB/s) or an integer number of bytes per second";

/// An upload rate, held as whole bytes per second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bandwidth(pub u64);

/// Parses `"10Mbit/s"` or `"1.5MB/s"` into whole bytes per second.
pub fn parse_bandwidth(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let (number, unit) = split_number(trimmed);
    let unit = unit.trim();
    let Some(&(_, bits_per_unit)) = BANDWIDTH_UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!("expected {BANDWIDTH_EXPECTED}, found \"{text}\""));
    };
    let bits = scale_decimal(number, bits_per_unit).map_err(|why| format!("invalid bandwidth \"{text}\": {why}"))?;
    if bits % 8 != 0 {
        return Err(format!("invalid bandwidth \"{text}\": it is not a whole number of bytes per second"));
    }
    Ok(bits / 8)
}

/// The shortest exact spelling of a rate in bytes per second, preferring bits:
/// 1 250 000 → `"10Mbit/s"`.
pub fn format_bandwidth(bytes_per_sec: u64) -> String {
    let bits = u128::from(bytes_per_sec) * 8;
    let mut best: Option<(u128, &str)> = None;
    for (name, size) in BANDWIDTH_UNITS {
        let size = u128::from(size);
        if bits % size == 0 {
            let count = bits / size;
            if best.is_none_or(|(c, _)| count < c) {
                best = Some((count, name));
            }
        }
    }
    match best {
        Some((count, name)) => format!("{count}{name}"),
        None => format!("{bytes_per_sec}B/s"),
    }
}

impl Serialize for Bandwidth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_bandwidth(self.0))
    }
}

struct BandwidthVisitor;

impl Visitor<'_> for BandwidthVisitor {
    type Value = Bandwidth;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(BANDWIDTH_EXPECTED)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Bandwidth, E> {
        Ok(Bandwidth(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Bandwidth, E> {
        u64::try_from(v).map(Bandwidth).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Bandwidth, E> {
        parse_bandwidth(v).map(Bandwidth).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Bandwidth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BandwidthVisitor)
    }
}

impl JsonSchema for Bandwidth {
    fn schema_name() -> Cow<'static, str> {
        "Bandwidth".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "oneOf": [
                {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(bit/s|kbit/s|Mbit/s|Gbit/s|B/s|kB/s|MB/s|GB/s)$"},
                {"type": "integer", "minimum": 1},
            ],
            "description": "A rate: \"10Mbit/s\", \"1.5MB/s\" (k, M, G are powers of 1000; B is a byte) or an integer number of bytes per second.",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_exactly() {
        assert_eq!(parse_duration("250us"), Ok(250_000));
        assert_eq!(parse_duration("250µs"), Ok(250_000));
        assert_eq!(parse_duration("80ms"), Ok(80_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("1.1s"), Ok(1_100_000_000));
        assert_eq!(parse_duration("2m"), Ok(120_000_000_000));
        assert_eq!(parse_duration("7ns"), Ok(7));
        assert_eq!(parse_duration("0s"), Ok(0));
        assert_eq!(parse_duration("1h"), Ok(3_600_000_000_000));
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(parse_duration("80").unwrap_err().contains("unit is missing"));
        assert!(parse_duration("80sec").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("ms").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("0.5ns").unwrap_err().contains("finer"));
        assert!(parse_duration("1.s").is_err());
        assert!(parse_duration("99999999999h").unwrap_err().contains("too large"));
        assert!(parse_duration("1.9999999999999999999999999999999999999h").is_err());
        assert!(parse_duration(&format!("1.{}s", "0".repeat(60))).is_err());
    }

    #[test]
    fn durations_format_with_the_largest_exact_unit() {
        assert_eq!(format_duration(80_000_000), "80ms");
        assert_eq!(format_duration(1_500_000_000), "1500ms");
        assert_eq!(format_duration(120_000_000_000), "120s");
        assert_eq!(format_duration(250_000), "250us");
        assert_eq!(format_duration(0), "0s");
        for ns in [1, 999, 1_000, 1_000_001, 60_000_000_000, u64::MAX] {
            assert_eq!(parse_duration(&format_duration(ns)), Ok(ns));
        }
    }

    #[test]
    fn bandwidths_parse_and_format() {
        assert_eq!(parse_bandwidth("10Mbit/s"), Ok(1_250_000));
        assert_eq!(parse_bandwidth("1.5MB/s"), Ok(1_500_000));
        assert_eq!(parse_bandwidth("8bit/s"), Ok(1));
        assert!(parse_bandwidth("1bit/s").is_err());
        assert!(parse_bandwidth("10Mbps").is_err());
        assert_eq!(format_bandwidth(1_250_000), "10Mbit/s");
        assert_eq!(format_bandwidth(1_500_000), "12Mbit/s");
        assert_eq!(format_bandwidth(3), "3B/s");
        for rate in [1, 3, 1_250_000, 1_500_000, 123_456_789] {
            assert_eq!(parse_bandwidth(&format_bandwidth(rate)), Ok(rate));
        }
    }
}

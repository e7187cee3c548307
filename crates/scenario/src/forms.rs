//! Values with several spellings (`"fanout": 4 | "all" | {"kind": "mixed", ...}`) and
//! the `kind`-tagged objects of the file format.
//!
//! serde's derived internally tagged enums buffer the object before choosing a
//! variant, which hides the keys inside from `serde_path_to_error`: an error in
//! `topology.degree` would be reported at `topology`. [`kind_tagged!`] instead reads
//! `kind` first and hands the rest of the *same* map to the variant's struct, so paths
//! stay exact. It relies on `kind` being the object's first key; the loader moves it
//! there before deserializing (see [`crate::load`]). Serialization and the JSON Schema
//! still come from serde's and schemars' derives on the enum.

use crate::units::{DURATION_EXPECTED, Duration, parse_duration};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// Implements `Deserialize` for an enum tagged by a leading `"kind"` key whose
/// variants are unit variants or newtype variants around structs.
macro_rules! kind_tagged {
    ($enum:ident { $($tag:literal => $variant:ident $(($inner:ty))?),+ $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const KINDS: &[&str] = &[$($tag),+];
                struct TaggedVisitor;
                impl<'de> serde::de::Visitor<'de> for TaggedVisitor {
                    type Value = $enum;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "an object with \"kind\" one of: {}", KINDS.join(", "))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$enum, A::Error> {
                        use serde::de::Error as _;
                        match map.next_key::<String>()? {
                            Some(key) if key == "kind" => {}
                            _ => return Err(A::Error::missing_field("kind")),
                        }
                        let kind = map.next_value_seed($crate::forms::KindSeed(KINDS))?;
                        let rest = serde::de::value::MapAccessDeserializer::new(map);
                        match kind {
                            $($tag => $crate::forms::kind_tagged!(@variant $enum $variant rest $($inner)?),)+
                            other => Err(A::Error::unknown_variant(other, KINDS)),
                        }
                    }
                }
                deserializer.deserialize_map(TaggedVisitor)
            }
        }
    };
    (@variant $enum:ident $variant:ident $rest:ident $inner:ty) => {
        <$inner as serde::Deserialize>::deserialize($rest).map($enum::$variant)
    };
    (@variant $enum:ident $variant:ident $rest:ident) => {
        <$crate::forms::NoMoreKeys as serde::Deserialize>::deserialize($rest).map(|_| $enum::$variant)
    };
}
pub(crate) use kind_tagged;

/// Reads the value of `kind`, which must be one of the listed names.
pub struct KindSeed(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KindSeed {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "one of: {}", self.0.join(", "))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.iter().find(|kind| **kind == v).copied().ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

/// The remainder of an object whose kind takes no further keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoMoreKeys {}

/// A positive mean, for the mixed and Poisson fanouts.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanValue {
    mean: f64,
}

/// A mean duration, for the exponential period.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanDuration {
    mean: Duration,
}

enum FanoutDist {
    Mixed(MeanValue),
    Poisson(MeanValue),
}

kind_tagged!(FanoutDist { "mixed" => Mixed(MeanValue), "poisson" => Poisson(MeanValue) });

enum PeriodDist {
    Exponential(MeanDuration),
}

kind_tagged!(PeriodDist { "exponential" => Exponential(MeanDuration) });

/// Serializes `{"kind": kind, "mean": mean}`.
fn serialize_kind_mean<S: Serializer, T: Serialize>(serializer: S, kind: &str, mean: &T) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry("kind", kind)?;
    map.serialize_entry("mean", mean)?;
    map.end()
}

/// How many peers a node contacts: `4`, `"all"`, `{"kind": "mixed", "mean": 2.5}` or
/// `{"kind": "poisson", "mean": 2.5}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fanout {
    /// Exactly this many distinct peers (≥ 1).
    Count(u32),
    /// Every neighbour (flooding).
    All,
    /// ⌊mean⌋ peers plus one more with probability frac(mean).
    Mixed { mean: f64 },
    /// A Poisson(mean) number of peers.
    Poisson { mean: f64 },
}

const FANOUT_EXPECTED: &str = "an integer ≥ 1, \"all\", or {\"kind\": \"mixed\" | \"poisson\", \"mean\": x}";

impl Serialize for Fanout {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Fanout::Count(count) => serializer.serialize_u32(count),
            Fanout::All => serializer.serialize_str("all"),
            Fanout::Mixed { mean } => serialize_kind_mean(serializer, "mixed", &mean),
            Fanout::Poisson { mean } => serialize_kind_mean(serializer, "poisson", &mean),
        }
    }
}

struct FanoutVisitor;

impl<'de> Visitor<'de> for FanoutVisitor {
    type Value = Fanout;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(FANOUT_EXPECTED)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Fanout, E> {
        match u32::try_from(v) {
            Ok(count) if count >= 1 => Ok(Fanout::Count(count)),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &"an integer ≥ 1")),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Fanout, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &"an integer ≥ 1")),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Fanout, E> {
        Err(E::invalid_type(Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Fanout, E> {
        if v == "all" { Ok(Fanout::All) } else { Err(E::invalid_value(Unexpected::Str(v), &self)) }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Fanout, A::Error> {
        Ok(match FanoutDist::deserialize(MapAccessDeserializer::new(map))? {
            FanoutDist::Mixed(m) => Fanout::Mixed { mean: m.mean },
            FanoutDist::Poisson(m) => Fanout::Poisson { mean: m.mean },
        })
    }
}

impl<'de> Deserialize<'de> for Fanout {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FanoutVisitor)
    }
}

impl JsonSchema for Fanout {
    fn schema_name() -> Cow<'static, str> {
        "Fanout".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Peers contacted per decision: an integer ≥ 1, \"all\" (flooding), or a random count {\"kind\": \"mixed\" | \"poisson\", \"mean\": x}.",
            "oneOf": [
                {"type": "integer", "minimum": 1},
                {"const": "all"},
                {
                    "type": "object",
                    "properties": {
                        "kind": {"enum": ["mixed", "poisson"], "description": "mixed: ⌊mean⌋ peers plus one with probability frac(mean); poisson: a Poisson(mean) count."},
                        "mean": {"type": "number", "exclusiveMinimum": 0},
                    },
                    "required": ["kind", "mean"],
                    "additionalProperties": false,
                },
            ],
        })
    }
}

/// A periodic clock: `"1s"` (fixed) or `{"kind": "exponential", "mean": "1s"}` (a
/// Poisson clock).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Period {
    /// Ticks exactly this far apart.
    Fixed(Duration),
    /// Exponentially distributed gaps with this mean.
    Exponential { mean: Duration },
}

const PERIOD_EXPECTED: &str = "a duration such as \"1s\" or {\"kind\": \"exponential\", \"mean\": \"1s\"}";

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Period::Fixed(period) => period.serialize(serializer),
            Period::Exponential { mean } => serialize_kind_mean(serializer, "exponential", mean),
        }
    }
}

struct PeriodVisitor;

impl<'de> Visitor<'de> for PeriodVisitor {
    type Value = Period;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PERIOD_EXPECTED)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Period, E> {
        parse_duration(v).map(|ns| Period::Fixed(Duration(ns))).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Period, A::Error> {
        let PeriodDist::Exponential(m) = PeriodDist::deserialize(MapAccessDeserializer::new(map))?;
        Ok(Period::Exponential { mean: m.mean })
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PeriodVisitor)
    }
}

impl JsonSchema for Period {
    fn schema_name() -> Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let duration = generator.subschema_for::<Duration>();
        json_schema!({
            "description": "A fixed period (a duration such as \"1s\") or a Poisson clock {\"kind\": \"exponential\", \"mean\": \"1s\"}.",
            "oneOf": [
                duration,
                {
                    "type": "object",
                    "properties": {"kind": {"const": "exponential"}, "mean": duration},
                    "required": ["kind", "mean"],
                    "additionalProperties": false,
                },
            ],
        })
    }
}

/// How many periods a transaction stays hot: an integer ≥ 1 or `"forever"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounds {
    Count(u32),
    Forever,
}

impl Serialize for Rounds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Rounds::Count(count) => serializer.serialize_u32(count),
            Rounds::Forever => serializer.serialize_str("forever"),
        }
    }
}

struct RoundsVisitor;

impl Visitor<'_> for RoundsVisitor {
    type Value = Rounds;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer ≥ 1 or \"forever\"")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Rounds, E> {
        match u32::try_from(v) {
            Ok(count) if count >= 1 => Ok(Rounds::Count(count)),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Rounds, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Rounds, E> {
        if v == "forever" { Ok(Rounds::Forever) } else { Err(E::invalid_value(Unexpected::Str(v), &self)) }
    }
}

impl<'de> Deserialize<'de> for Rounds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RoundsVisitor)
    }
}

impl JsonSchema for Rounds {
    fn schema_name() -> Cow<'static, str> {
        "Rounds".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A number of periods (≥ 1) or \"forever\".",
            "oneOf": [{"type": "integer", "minimum": 1}, {"const": "forever"}],
        })
    }
}

/// Which node submits each transaction: `"random"` or a node id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Random,
    Node(u32),
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Origin::Random => serializer.serialize_str("random"),
            Origin::Node(node) => serializer.serialize_u32(node),
        }
    }
}

struct OriginVisitor;

impl Visitor<'_> for OriginVisitor {
    type Value = Origin;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"random\" or a node id")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Origin, E> {
        u32::try_from(v).map(Origin::Node).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Origin, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Origin, E> {
        if v == "random" { Ok(Origin::Random) } else { Err(E::invalid_value(Unexpected::Str(v), &self)) }
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OriginVisitor)
    }
}

impl JsonSchema for Origin {
    fn schema_name() -> Cow<'static, str> {
        "Origin".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "\"random\" (a uniformly random node per transaction) or a node id.",
            "oneOf": [{"const": "random"}, {"type": "integer", "minimum": 0}],
        })
    }
}

/// `"auto"` or an explicit duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoOr<T> {
    Auto,
    Value(T),
}

impl Serialize for AutoOr<Duration> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            AutoOr::Auto => serializer.serialize_str("auto"),
            AutoOr::Value(duration) => duration.serialize(serializer),
        }
    }
}

struct AutoDurationVisitor;

impl Visitor<'_> for AutoDurationVisitor {
    type Value = AutoOr<Duration>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"auto\" or {DURATION_EXPECTED}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v == "auto" {
            Ok(AutoOr::Auto)
        } else {
            parse_duration(v).map(|ns| AutoOr::Value(Duration(ns))).map_err(E::custom)
        }
    }
}

impl<'de> Deserialize<'de> for AutoOr<Duration> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(AutoDurationVisitor)
    }
}

impl JsonSchema for AutoOr<Duration> {
    fn schema_name() -> Cow<'static, str> {
        "AutoOrDuration".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let duration = generator.subschema_for::<Duration>();
        json_schema!({"oneOf": [{"const": "auto"}, duration]})
    }
}

/// A sweep: JSON paths mapped to the values to try, plus `seeds`, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    pub vary: Vec<(String, Vec<serde_json::Value>)>,
    pub seeds: u32,
}

impl Serialize for Sweep {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.vary.len() + 1))?;
        for (path, values) in &self.vary {
            map.serialize_entry(path, values)?;
        }
        map.serialize_entry("seeds", &self.seeds)?;
        map.end()
    }
}

struct ValuesSeed;

impl<'de> DeserializeSeed<'de> for ValuesSeed {
    type Value = Vec<serde_json::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed {
    type Value = Vec<serde_json::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of values to try")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element()? {
            values.push(value);
        }
        Ok(values)
    }
}

struct SweepVisitor;

impl<'de> Visitor<'de> for SweepVisitor {
    type Value = Sweep;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object mapping JSON paths to lists of values, plus \"seeds\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sweep, A::Error> {
        let mut sweep = Sweep { vary: Vec::new(), seeds: crate::defaults::sweep_seeds() };
        while let Some(key) = map.next_key::<String>()? {
            if key == "seeds" {
                sweep.seeds = map.next_value()?;
            } else {
                let values = map.next_value_seed(ValuesSeed)?;
                sweep.vary.push((key, values));
            }
        }
        Ok(sweep)
    }
}

impl<'de> Deserialize<'de> for Sweep {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SweepVisitor)
    }
}

impl JsonSchema for Sweep {
    fn schema_name() -> Cow<'static, str> {
        "Sweep".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Parameter sweep: each key is a JSON path into this file (e.g. \"protocol.fanout\", \"network.loss.p\", \"faults[0].fraction\") mapped to the list of values to try; every combination runs \"seeds\" times.",
            "type": "object",
            "properties": {
                "seeds": {"type": "integer", "minimum": 1, "default": crate::defaults::sweep_seeds(), "description": "Runs per combination of values, each with its own seed (default 1)."},
            },
            "additionalProperties": {"type": "array", "minItems": 1},
        })
    }
}

//! Virtual time: integer nanoseconds since the start of a run.
//!
//! There is no wall clock anywhere in the engine and no floating point in event
//! ordering; conversions to milliseconds exist only for reporting.

use serde::{Deserialize, Serialize};

/// A point in virtual time, in nanoseconds since the run started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);
    /// Nanoseconds per microsecond, millisecond and second.
    pub const NANOS_PER_MICRO: u64 = 1_000;
    pub const NANOS_PER_MILLI: u64 = 1_000_000;
    pub const NANOS_PER_SEC: u64 = 1_000_000_000;

    /// A time `ms` milliseconds after the start.
    pub const fn from_millis(ms: u64) -> SimTime {
        SimTime(ms * Self::NANOS_PER_MILLI)
    }

    /// A time `s` seconds after the start.
    pub const fn from_secs(s: u64) -> SimTime {
        SimTime(s * Self::NANOS_PER_SEC)
    }

    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Milliseconds since the start, for reports only (never for ordering).
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / Self::NANOS_PER_MILLI as f64
    }

    /// This time plus `nanos`, saturating at [`SimTime::MAX`].
    pub const fn plus(self, nanos: u64) -> SimTime {
        SimTime(self.0.saturating_add(nanos))
    }
}

impl std::fmt::Display for SimTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3}ms", self.as_millis_f64())
    }
}

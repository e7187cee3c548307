//! A one-line progress display on stderr (simulated time, events, events per second),
//! shown only when stderr is a terminal. Wall-clock time here is for display only.

use gossim_engine::{Observer, SimTime};
use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Draws progress for one run.
pub struct Progress {
    enabled: bool,
    started: Instant,
    last_draw: Instant,
}

impl Progress {
    /// Progress on stderr if it is a terminal and `quiet` is off.
    pub fn new(quiet: bool) -> Self {
        let now = Instant::now();
        Progress { enabled: !quiet && std::io::stderr().is_terminal(), started: now, last_draw: now }
    }

    /// Clears the progress line.
    pub fn finish(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

impl Observer for Progress {
    fn on_progress(&mut self, now: SimTime, events: u64) {
        if !self.enabled || self.last_draw.elapsed().as_millis() < 200 {
            return;
        }
        self.last_draw = Instant::now();
        let wall = self.started.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\r\x1b[2K  simulated {:>10.3} s   events {:>12}   {:>6.2} M events/s",
            now.as_millis_f64() / 1000.0,
            events,
            events as f64 / wall / 1e6
        );
        let _ = std::io::stderr().flush();
    }
}

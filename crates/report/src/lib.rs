//! Results of gossim runs: metrics as data, tidy CSV and JSON files, statistics, and
//! charts fit for a paper.
//!
//! Everything here is deterministic: the same report gives the same bytes in every
//! file, charts included, on every platform.
//!
//! - [`run`]: what one run produced (`metrics.json`, `tx.csv`, `coverage.csv` rows).
//! - [`write`]: a run directory: [`write_run_outputs`] writes its files and charts,
//!   [`rerender_run_charts`] redraws the charts from the files alone.
//! - [`stats`]: mean, sd, type-7 quantiles, t and normal quantiles, [`stats::Summary`]
//!   with a 95% CI, CIs at any level, Wilson and Clopper–Pearson intervals: reach for
//!   it when aggregating replicates or sweep cells.
//! - [`charts`]: band, line, CDF, histogram and error-bar charts, each written as
//!   SVG, PNG and the CSV drawn, in one house style (Okabe–Ito colours, dashes and
//!   markers, legend stating the band).
//! - [`csv`]: the RFC 4180 writer and reader behind every table.
//! - [`json`]: pretty, newline-terminated JSON with stable key order.
//!
//! The crate does not run simulations, read scenarios or parse command lines: it
//! turns a [`run::RunReport`] (or the files one left) into files.

pub mod charts;
pub mod csv;
mod error;
pub mod json;
pub mod run;
pub mod stats;
pub mod write;

pub use error::ReportError;
pub use write::{rerender_run_charts, write_run_outputs};

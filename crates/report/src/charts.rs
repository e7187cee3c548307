//! Charts fit for a paper, drawn with plotters and no system libraries.
//!
//! Every chart function writes three files next to each other: `<base>.svg` (for the
//! paper: live text, convert with rsvg-convert or Inkscape), `<base>.png` (a preview:
//! text is anti-aliased, lines are not) and `<base>.csv` (exactly the numbers drawn,
//! tidy, one row per point). The output is byte-identical run to run.
//!
//! House style, fixed here so every figure of a study matches:
//! - 1000 × 650 px in both formats, white background, light grey grid on the ticks,
//!   the plot framed in black, ticks at 1–2–5 steps (decades on a log axis);
//! - the embedded Noto Sans (`ttf-noto-sans`, registered once with plotters):
//!   title 22 px, axis labels 18 px, tick labels, subtitle and legend 16 px (em
//!   sizes, the same in SVG and PNG; the SVG names `Noto Sans, sans-serif`);
//! - series take Okabe–Ito colours (blue, vermillion, green, purple, orange, sky blue,
//!   black, yellow: yellow last, it is faint on white) *and* a dash pattern and a
//!   marker of their own, so they stay apart in greyscale and for colour-blind readers;
//! - what a band or an error bar shows (p10–p90, 95% CI) heads the legend;
//! - the legend sits in whichever of eight spots along the plot's edges its box
//!   covers the least drawn data in.
//!
//! Degenerate input never panics: non-finite values are dropped, a single point or
//! equal values get a range around them, and a chart with nothing left to draw shows
//! empty axes with a "no data to plot" note. On a log x axis points with x ≤ 0 are
//! dropped and the subtitle says how many.
//!
//! Limits: lines are drawn through every point given (thin long series before
//! drawing, as [`cdf_chart`] does); at most 8 series have distinct colours and 6
//! distinct dash patterns.

use crate::ReportError;
use crate::csv::write_csv_file;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};
use std::sync::{Once, OnceLock};

/// Width of every chart, pixels (SVG user units and PNG pixels alike).
pub const WIDTH: u32 = 1000;
/// Height of every chart, pixels.
pub const HEIGHT: u32 = 650;

/// The Okabe–Ito palette in its published order: orange, sky blue, bluish green,
/// yellow, blue, vermillion, reddish purple, black.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x00, 0x00, 0x00),
];

/// Order in which series take palette colours: strong colours first, yellow last.
const COLOR_ORDER: [usize; 8] = [4, 5, 2, 6, 0, 1, 7, 3];

/// Dash patterns (on, off, on, off, … in pixels); empty is solid.
const DASHES: [&[f64]; 6] =
    [&[], &[10.0, 6.0], &[2.5, 4.0], &[12.0, 4.0, 2.5, 4.0], &[20.0, 6.0], &[10.0, 4.0, 2.5, 4.0, 2.5, 4.0]];

/// Font sizes: the em in pixels (the SVG `font-size`), equal in SVG and PNG.
const TITLE_PX: f64 = 22.0;
const NOTE_PX: f64 = 16.0;
const AXIS_DESC_PX: f64 = 18.0;
const TICK_PX: f64 = 16.0;
const LEGEND_PX: f64 = 16.0;
const GRID: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
const LEGEND_BORDER: RGBColor = RGBColor(0xB0, 0xB0, 0xB0);
const NOTE_GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);
const BAND_ALPHA: f64 = 0.2;
const LINE_WIDTH: u32 = 2;
/// Markers drawn along a line of many points.
const MARKERS_PER_LINE: usize = 8;

/// What a chart says around its data: title, axis labels with units, and options.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    /// Title, drawn above the plot.
    pub title: String,
    /// x axis label with units, e.g. "time since creation (ms)".
    pub x_label: String,
    /// y axis label with units, e.g. "share of live honest nodes reached".
    pub y_label: String,
    /// One line drawn under the title (sample sizes, parameters); `None` by default.
    pub note: Option<String>,
    /// What the centre line and the band or error bars show, e.g.
    /// "mean, band: p10–p90"; heads the legend. `None` uses the chart's default
    /// ("mean, band: p10–p90" for [`line_band_chart`], "mean, bars: 95% CI" for
    /// [`errorbar_chart`]).
    pub band_label: Option<String>,
    /// Logarithmic x axis; `false` by default.
    pub log_x: bool,
    /// Smallest x range shown; widened to include all data. `None` by default.
    pub x_range: Option<(f64, f64)>,
    /// Smallest y range shown, e.g. `(0.0, 1.0)` for shares; widened to include all
    /// data. `None` by default.
    pub y_range: Option<(f64, f64)>,
    /// snake_case name of the x column in `<base>.csv` ("x" by default); put the
    /// unit in it, e.g. "age_ms".
    pub x_column: String,
    /// snake_case name of the y column in `<base>.csv` ("y" by default).
    pub y_column: String,
}

impl ChartSpec {
    /// A spec with the given title and axis labels and every option at its default.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> ChartSpec {
        ChartSpec {
            title: title.to_string(),
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
            note: None,
            band_label: None,
            log_x: false,
            x_range: None,
            y_range: None,
            x_column: "x".to_string(),
            y_column: "y".to_string(),
        }
    }

    /// Sets the line under the title.
    pub fn note(mut self, note: &str) -> ChartSpec {
        self.note = Some(note.to_string());
        self
    }

    /// Sets what the centre line and band (or error bars) show.
    pub fn band_label(mut self, label: &str) -> ChartSpec {
        self.band_label = Some(label.to_string());
        self
    }

    /// Makes the x axis logarithmic.
    pub fn log_x(mut self) -> ChartSpec {
        self.log_x = true;
        self
    }

    /// Sets the smallest x range shown.
    pub fn x_range(mut self, lo: f64, hi: f64) -> ChartSpec {
        self.x_range = Some((lo, hi));
        self
    }

    /// Sets the smallest y range shown.
    pub fn y_range(mut self, lo: f64, hi: f64) -> ChartSpec {
        self.y_range = Some((lo, hi));
        self
    }

    /// Names the x and y columns of `<base>.csv`.
    pub fn columns(mut self, x: &str, y: &str) -> ChartSpec {
        self.x_column = x.to_string();
        self.y_column = y.to_string();
        self
    }
}

/// A centre value with an interval around it, at one x.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntervalPoint {
    pub x: f64,
    pub center: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One series of [`line_band_chart`]: a centre line with a shaded band.
#[derive(Clone, Debug, PartialEq)]
pub struct BandSeries {
    pub name: String,
    pub points: Vec<IntervalPoint>,
}

/// One series of [`errorbar_chart`]: a line through means with an error bar at each
/// point (`center` is the mean, `lo`/`hi` the interval ends).
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorBarSeries {
    pub name: String,
    pub points: Vec<IntervalPoint>,
}

/// One series of [`line_chart`].
#[derive(Clone, Debug, PartialEq)]
pub struct LineSeries {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// One bar of [`bar_chart`]: the interval `[lo, hi)` on x and its height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub lo: f64,
    pub hi: f64,
    pub height: f64,
}

/// Writes only the data behind a [`line_band_chart`] (`<base>.csv`), for runs that
/// skip drawing but whose figure data other tools (sweeps, `gossim plot`) read.
pub fn write_band_csv(base: &Path, spec: &ChartSpec, series: &[BandSeries]) -> Result<(), ReportError> {
    write_interval_csv(base, spec, series.iter().map(|s| (s.name.as_str(), s.points.as_slice())))
}

/// `<base>.csv` of interval series: `series, {x}, {y}, {y}_lo, {y}_hi`.
fn write_interval_csv<'a>(
    base: &Path,
    spec: &ChartSpec,
    series: impl Iterator<Item = (&'a str, &'a [IntervalPoint])> + Clone,
) -> Result<(), ReportError> {
    let y = &spec.y_column;
    let header = ["series", spec.x_column.as_str(), y.as_str(), &format!("{y}_lo"), &format!("{y}_hi")];
    write_csv_file(&with_ext(base, "csv"), &header, |w| {
        for (name, points) in series.clone() {
            for p in points {
                w.write_row(&[name.into(), p.x.into(), p.center.into(), p.lo.into(), p.hi.into()])?;
            }
        }
        Ok(())
    })
}

/// Line charts with a shaded band around each line: the mean across replicates or
/// transactions with, say, its p10–p90 range. Legend headed by `spec.band_label`.
///
/// `<base>.csv` columns: `series, {x_column}, {y_column}, {y_column}_lo,
/// {y_column}_hi`.
pub fn line_band_chart(base: &Path, spec: &ChartSpec, series: &[BandSeries]) -> Result<(), ReportError> {
    write_band_csv(base, spec, series)?;
    let mut fig = Figure::new(spec);
    fig.legend_header = Some(spec.band_label.clone().unwrap_or_else(|| "mean, band: p10–p90".to_string()));
    for (i, s) in series.iter().enumerate() {
        let style = SeriesStyle::nth(i);
        fig.marks.push(Mark::Band { style, pts: s.points.iter().map(|p| (p.x, p.lo, p.hi)).collect() });
        fig.marks.push(Mark::Line {
            style,
            pts: s.points.iter().map(|p| (p.x, p.center)).collect(),
            markers: Markers::Spread { series: i },
        });
        fig.legend.push((s.name.clone(), Glyph::band_line(style)));
    }
    render_figure(base, spec, &mut fig)
}

/// Plain line charts (no band), one line per series.
///
/// `<base>.csv` columns: `series, {x_column}, {y_column}`.
pub fn line_chart(base: &Path, spec: &ChartSpec, series: &[LineSeries]) -> Result<(), ReportError> {
    let header = ["series", spec.x_column.as_str(), spec.y_column.as_str()];
    write_csv_file(&with_ext(base, "csv"), &header, |w| {
        for s in series {
            for &(x, y) in &s.points {
                w.write_row(&[(&s.name).into(), x.into(), y.into()])?;
            }
        }
        Ok(())
    })?;
    let mut fig = Figure::new(spec);
    for (i, s) in series.iter().enumerate() {
        let style = SeriesStyle::nth(i);
        fig.marks.push(Mark::Line { style, pts: s.points.clone(), markers: Markers::Spread { series: i } });
        fig.legend.push((s.name.clone(), Glyph::line(style)));
    }
    render_figure(base, spec, &mut fig)
}

/// Empirical CDFs as step lines, one per series of `(name, values)`; values need not
/// be sorted and non-finite ones are dropped. With more than 1000 distinct values a
/// series is drawn through 1000 evenly spaced quantiles (the full data stays in the
/// caller's own CSV); `<base>.csv` holds the steps drawn.
///
/// `<base>.csv` columns: `series, {x_column}, cumulative_fraction` — the fraction of
/// values ≤ x at each step.
pub fn cdf_chart(base: &Path, spec: &ChartSpec, series: &[(&str, &[f64])]) -> Result<(), ReportError> {
    let steps: Vec<Vec<(f64, f64)>> = series.iter().map(|(_, v)| ecdf_steps(v, 1000)).collect();
    let header = ["series", spec.x_column.as_str(), "cumulative_fraction"];
    write_csv_file(&with_ext(base, "csv"), &header, |w| {
        for ((name, _), s) in series.iter().zip(&steps) {
            for &(x, f) in s {
                w.write_row(&[(*name).into(), x.into(), f.into()])?;
            }
        }
        Ok(())
    })?;
    let x_max = steps.iter().flatten().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let mut fig = Figure::new(spec);
    for (i, ((name, _), s)) in series.iter().zip(&steps).enumerate() {
        let style = SeriesStyle::nth(i);
        // Staircase: from (x₀, 0) up to each step, flat to the right edge at the end.
        let mut pts = Vec::with_capacity(2 * s.len() + 2);
        let mut prev_f = 0.0;
        for &(x, f) in s {
            pts.push((x, prev_f));
            pts.push((x, f));
            prev_f = f;
        }
        if let Some(&(x_last, f_last)) = s.last()
            && x_max > x_last
        {
            pts.push((x_max, f_last));
        }
        fig.marks.push(Mark::Line { style, pts, markers: Markers::Spread { series: i } });
        let n = series[i].1.iter().filter(|v| v.is_finite()).count();
        fig.legend.push((format!("{name} (n = {n})"), Glyph::line(style)));
    }
    render_figure(base, spec, &mut fig)
}

/// The ECDF of the finite values: (distinct value, fraction ≤ value), at most
/// `max_points` of them (evenly spaced in rank when thinned; the last always kept).
fn ecdf_steps(values: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if !v.is_sorted() {
        v.sort_by(f64::total_cmp);
    }
    let n = v.len();
    let mut steps: Vec<(f64, f64)> = Vec::new();
    for (i, &x) in v.iter().enumerate() {
        let f = (i + 1) as f64 / n as f64;
        match steps.last_mut() {
            Some(last) if last.0 == x => last.1 = f,
            _ => steps.push((x, f)),
        }
    }
    if steps.len() <= max_points {
        return steps;
    }
    let m = steps.len();
    (1..=max_points).map(|k| steps[(k * m).div_ceil(max_points) - 1]).collect()
}

/// One histogram bin: values in `[lo, hi)` (the last bin also holds its `hi`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistogramBin {
    pub lo: f64,
    pub hi: f64,
    pub count: u64,
}

/// Bins the finite values into at most `max_bins` (≥ 1) bins of a round width
/// (1, 2 or 5 × 10^k). Integer data gets integer-centred bins, width 1 when the
/// range allows, so each bar stands over its value. Empty input gives no bins.
pub fn histogram_bins(values: &[f64], max_bins: usize) -> Vec<HistogramBin> {
    let max_bins = max_bins.max(1);
    let v: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let Some(min) = v.iter().copied().reduce(f64::min) else {
        return Vec::new();
    };
    let max = v.iter().copied().fold(min, f64::max);
    let integer = v.iter().all(|x| x.fract() == 0.0 && x.abs() < 1e15);
    // Edge i is `first + i·width` for integer data (exact: halves of integers), else
    // the round decimal `(k0 + i)·m·10^e`.
    let edges: Box<dyn Fn(usize) -> f64> = if integer {
        let (m, e) = round_step_at_least((max - min + 1.0) / max_bins as f64);
        // Integer bins: width at least 1, edges half-way between integers.
        let width = if e < 0 { 1.0 } else { decimal(m, e) };
        let first = libm::floor(min / width) * width - 0.5;
        Box::new(move |i| first + width * i as f64)
    } else if min == max {
        Box::new(move |i| min - 0.5 + i as f64)
    } else {
        let (m, e) = round_step_at_least((max - min) / max_bins as f64);
        let width = decimal(m, e);
        let k0 = libm::floor(min / width);
        if k0.abs() < 1e15 {
            let k0 = k0 as i64;
            Box::new(move |i| decimal((k0 + i as i64) * m, e))
        } else {
            // Values far from zero relative to their spread: plain float edges.
            Box::new(move |i| min + width * i as f64)
        }
    };
    // Enough bins that the last one reaches max; max on the last edge goes into the
    // bin below it. The cap only matters when rounding stalls the edges.
    let mut count = 1;
    while edges(count) < max && count <= max_bins + 1 {
        count += 1;
    }
    let mut bins: Vec<HistogramBin> =
        (0..count).map(|i| HistogramBin { lo: edges(i), hi: edges(i + 1), count: 0 }).collect();
    for x in v {
        let i = bins.partition_point(|b| b.hi <= x).min(count - 1);
        bins[i].count += 1;
    }
    bins
}

/// Bars over x intervals (a histogram drawn from given bins, or any bars), with no
/// legend.
///
/// `<base>.csv` columns: `{x_column}_lo, {x_column}_hi, {y_column}`.
pub fn bar_chart(base: &Path, spec: &ChartSpec, bars: &[Bar]) -> Result<(), ReportError> {
    write_bars_csv(base, spec, bars)?;
    let mut fig = Figure::new(spec);
    fig.y_zero = true;
    fig.x_pad = 0.02;
    fig.integer_y = bars.iter().all(|b| b.height.fract() == 0.0);
    fig.marks
        .push(Mark::Bars { style: SeriesStyle::nth(0), bars: bars.iter().map(|b| (b.lo, b.hi, b.height)).collect() });
    render_figure(base, spec, &mut fig)
}

fn write_bars_csv(base: &Path, spec: &ChartSpec, bars: &[Bar]) -> Result<(), ReportError> {
    let x = &spec.x_column;
    let header = [&format!("{x}_lo"), &format!("{x}_hi"), spec.y_column.as_str()];
    write_csv_file(&with_ext(base, "csv"), &header, |w| {
        for b in bars {
            w.write_row(&[b.lo.into(), b.hi.into(), b.height.into()])?;
        }
        Ok(())
    })
}

/// A histogram of the finite `values` in at most `max_bins` bins (see
/// [`histogram_bins`]) with the mean marked by a dashed vertical line; the legend
/// gives n and the mean.
///
/// `<base>.csv` columns: `{x_column}_lo, {x_column}_hi, {y_column}` (the counts).
pub fn histogram_chart(base: &Path, spec: &ChartSpec, values: &[f64], max_bins: usize) -> Result<(), ReportError> {
    let bins = histogram_bins(values, max_bins);
    let bars: Vec<Bar> = bins.iter().map(|b| Bar { lo: b.lo, hi: b.hi, height: b.count as f64 }).collect();
    write_bars_csv(base, spec, &bars)?;
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let mut fig = Figure::new(spec);
    fig.y_zero = true;
    fig.x_pad = 0.02;
    fig.integer_x = finite.iter().all(|v| v.fract() == 0.0);
    fig.integer_y = true;
    if let Some(b) = bins.first() {
        fig.x_min_span = 7.0 * (b.hi - b.lo);
    }
    let style = SeriesStyle::nth(0);
    fig.marks.push(Mark::Bars { style, bars: bars.iter().map(|b| (b.lo, b.hi, b.height)).collect() });
    if let Some(mean) = crate::stats::mean(&finite) {
        fig.legend.push((format!("n = {}", finite.len()), Glyph::bar(style)));
        let mean_style = SeriesStyle { color: OKABE_ITO[7], dash: DASHES[1], marker: Marker::None };
        fig.marks.push(Mark::VLine { style: mean_style, x: mean });
        fig.legend.push((format!("mean = {}", round_sig(mean, 4)), Glyph::line(mean_style)));
    }
    render_figure(base, spec, &mut fig)
}

/// A metric against a swept numeric value: one line per series (a value of a second
/// swept field), each point with an error bar (e.g. 95% CI over replicates). Series
/// are dodged a few pixels apart so their bars do not hide each other; the CSV keeps
/// the true x.
///
/// `<base>.csv` columns: `series, {x_column}, {y_column}, {y_column}_lo,
/// {y_column}_hi`.
pub fn errorbar_chart(base: &Path, spec: &ChartSpec, series: &[ErrorBarSeries]) -> Result<(), ReportError> {
    write_interval_csv(base, spec, series.iter().map(|s| (s.name.as_str(), s.points.as_slice())))?;
    let mut fig = Figure::new(spec);
    fig.x_pad = 0.05;
    fig.legend_header = Some(spec.band_label.clone().unwrap_or_else(|| "mean, bars: 95% CI".to_string()));
    let k = series.len();
    for (i, s) in series.iter().enumerate() {
        let style = SeriesStyle::nth(i);
        let dodge = (i as f64 - (k as f64 - 1.0) / 2.0) * if k > 1 { 7.0 } else { 0.0 };
        let mut pts: Vec<IntervalPoint> = s.points.clone();
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        fig.marks.push(Mark::ErrorBars {
            style,
            pts: pts.iter().map(|p| (p.x, p.lo, p.hi)).collect(),
            dodge_px: dodge,
        });
        fig.marks.push(Mark::Line {
            style,
            pts: pts.iter().map(|p| (p.x, p.center)).collect(),
            markers: Markers::All { dodge_px: dodge },
        });
        fig.legend.push((s.name.clone(), Glyph::errorbar(style)));
    }
    render_figure(base, spec, &mut fig)
}

/// `base` with `.ext` appended (not replacing: `fanout.2` stays `fanout.2.svg`).
pub fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

// ---------------------------------------------------------------------------------
// The figure model: marks in data space, drawn by one renderer for SVG and PNG.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Marker {
    None,
    FilledCircle,
    FilledSquare,
    FilledTriangle,
    FilledDiamond,
    OpenCircle,
    OpenSquare,
    Cross,
    Plus,
}

const MARKERS: [Marker; 8] = [
    Marker::FilledCircle,
    Marker::FilledSquare,
    Marker::FilledTriangle,
    Marker::FilledDiamond,
    Marker::OpenCircle,
    Marker::OpenSquare,
    Marker::Cross,
    Marker::Plus,
];

#[derive(Clone, Copy, Debug)]
struct SeriesStyle {
    color: RGBColor,
    dash: &'static [f64],
    marker: Marker,
}

impl SeriesStyle {
    /// The style of the `i`-th series: colour, dash and marker each cycle.
    fn nth(i: usize) -> SeriesStyle {
        SeriesStyle {
            color: OKABE_ITO[COLOR_ORDER[i % 8]],
            dash: DASHES[i % DASHES.len()],
            marker: MARKERS[i % MARKERS.len()],
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Glyph {
    style: SeriesStyle,
    band: bool,
    line: bool,
    errorbar: bool,
    bar: bool,
}

impl Glyph {
    fn line(style: SeriesStyle) -> Glyph {
        Glyph { style, band: false, line: true, errorbar: false, bar: false }
    }
    fn band_line(style: SeriesStyle) -> Glyph {
        Glyph { band: true, ..Glyph::line(style) }
    }
    fn errorbar(style: SeriesStyle) -> Glyph {
        Glyph { errorbar: true, ..Glyph::line(style) }
    }
    fn bar(style: SeriesStyle) -> Glyph {
        Glyph { line: false, bar: true, ..Glyph::line(style) }
    }
}

#[derive(Clone, Copy, Debug)]
enum Markers {
    /// About [`MARKERS_PER_LINE`] markers, staggered by series index.
    Spread { series: usize },
    /// A marker on every point, shifted by `dodge_px`.
    All { dodge_px: f64 },
}

#[derive(Clone, Debug)]
enum Mark {
    /// (x, lo, hi)
    Band {
        style: SeriesStyle,
        pts: Vec<(f64, f64, f64)>,
    },
    Line {
        style: SeriesStyle,
        pts: Vec<(f64, f64)>,
        markers: Markers,
    },
    /// (x, lo, hi)
    ErrorBars {
        style: SeriesStyle,
        pts: Vec<(f64, f64, f64)>,
        dodge_px: f64,
    },
    /// (lo, hi, height)
    Bars {
        style: SeriesStyle,
        bars: Vec<(f64, f64, f64)>,
    },
    /// A vertical line across the plot.
    VLine {
        style: SeriesStyle,
        x: f64,
    },
}

struct Figure {
    marks: Vec<Mark>,
    legend_header: Option<String>,
    legend: Vec<(String, Glyph)>,
    /// Padding of the x range, fraction of the span on each side.
    x_pad: f64,
    /// The y range starts at zero (bars).
    y_zero: bool,
    /// x ticks on integers only.
    integer_x: bool,
    /// y ticks on integers only (counts).
    integer_y: bool,
    /// Smallest x span shown (data units), centred on the data: keeps a histogram
    /// of one or two bins from filling the whole width.
    x_min_span: f64,
    /// Extra lines for the subtitle (dropped points).
    notes: Vec<String>,
}

impl Figure {
    fn new(spec: &ChartSpec) -> Figure {
        Figure {
            marks: Vec::new(),
            legend_header: None,
            legend: Vec::new(),
            x_pad: 0.0,
            y_zero: false,
            integer_x: false,
            integer_y: false,
            x_min_span: 0.0,
            notes: spec.note.iter().cloned().collect(),
        }
    }

    /// Drops non-finite points and, for a log axis, maps x to log10(x) and drops
    /// x ≤ 0; notes how many points a log axis dropped.
    fn clean(&mut self, log_x: bool) {
        let mut dropped = 0usize;
        let mut tx = |x: f64| -> Option<f64> {
            if !x.is_finite() {
                return None;
            }
            if log_x {
                if x <= 0.0 {
                    dropped += 1;
                    return None;
                }
                return Some(libm::log10(x));
            }
            Some(x)
        };
        let fin = |v: f64| v.is_finite();
        for mark in &mut self.marks {
            match mark {
                Mark::Band { pts, .. } | Mark::ErrorBars { pts, .. } => {
                    *pts = pts
                        .iter()
                        .filter(|p| fin(p.1) && fin(p.2))
                        .filter_map(|&(x, lo, hi)| Some((tx(x)?, lo.min(hi), lo.max(hi))))
                        .collect();
                }
                Mark::Line { pts, .. } => {
                    *pts = pts.iter().filter(|p| fin(p.1)).filter_map(|&(x, y)| Some((tx(x)?, y))).collect();
                }
                Mark::Bars { bars, .. } => {
                    *bars = bars
                        .iter()
                        .filter(|b| fin(b.2))
                        .filter_map(|&(lo, hi, h)| Some((tx(lo)?, tx(hi)?, h)))
                        .collect();
                }
                Mark::VLine { .. } => {}
            }
        }
        for mark in &mut self.marks {
            if let Mark::VLine { x, .. } = mark {
                *x = tx(*x).unwrap_or(f64::NAN);
            }
        }
        if dropped > 0 {
            self.notes.push(format!(
                "{dropped} value{} with x ≤ 0 not shown (log scale)",
                if dropped == 1 { "" } else { "s" }
            ));
        }
    }

    /// Data extent (x_lo, x_hi, y_lo, y_hi); `None` when nothing is left to draw.
    fn extent(&self) -> Option<(f64, f64, f64, f64)> {
        let mut xs = Extent::default();
        let mut ys = Extent::default();
        for mark in &self.marks {
            match mark {
                Mark::Band { pts, .. } | Mark::ErrorBars { pts, .. } => {
                    for &(x, lo, hi) in pts {
                        xs.add(x);
                        ys.add(lo);
                        ys.add(hi);
                    }
                }
                Mark::Line { pts, .. } => {
                    for &(x, y) in pts {
                        xs.add(x);
                        ys.add(y);
                    }
                }
                Mark::Bars { bars, .. } => {
                    for &(lo, hi, h) in bars {
                        xs.add(lo);
                        xs.add(hi);
                        ys.add(h);
                        ys.add(0.0);
                    }
                }
                Mark::VLine { .. } => {}
            }
        }
        let (x0, x1) = xs.get()?;
        let (y0, y1) = ys.get()?;
        Some((x0, x1, y0, y1))
    }
}

#[derive(Default)]
struct Extent(Option<(f64, f64)>);

impl Extent {
    fn add(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        self.0 = Some(match self.0 {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        });
    }
    fn get(&self) -> Option<(f64, f64)> {
        self.0
    }
}

/// Widens a zero-width range around its value.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        return (lo, hi);
    }
    let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    (lo - d, hi + d)
}

// ---------------------------------------------------------------------------------
// Ticks and numbers.

/// `mantissa × 10^exp` as the nearest f64 to that decimal (no accumulated error).
fn decimal(mantissa: i64, exp: i32) -> f64 {
    format!("{mantissa}e{exp}").parse().unwrap_or(f64::NAN)
}

/// The smallest round step (1, 2 or 5 × 10^e) ≥ `raw`, as (mantissa, exponent).
fn round_step_at_least(raw: f64) -> (i64, i32) {
    if raw.is_nan() || raw <= 0.0 || raw.is_infinite() {
        return (1, 0);
    }
    let mut e = libm::floor(libm::log10(raw)) as i32;
    for _ in 0..3 {
        for m in [1, 2, 5] {
            if decimal(m, e) >= raw * (1.0 - 1e-12) {
                return (m, e);
            }
        }
        e += 1;
    }
    (1, e)
}

/// `v` rounded to `digits` significant digits, as short text.
fn round_sig(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let e = libm::floor(libm::log10(v.abs())) as i32;
    let decimals = (digits - 1 - e).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Formats a tick value; `sci` switches to `2.5e6` notation for a whole axis.
fn tick_label(v: f64, sci: bool) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if sci { format!("{v:e}") } else { format!("{v}") }
}

/// Round ticks covering [lo, hi]: (position, label). `integer` keeps steps ≥ 1.
fn linear_ticks(lo: f64, hi: f64, integer: bool) -> Vec<(f64, String)> {
    let (mut m, mut e) = round_step_at_least((hi - lo) / 6.0);
    if integer && e < 0 {
        (m, e) = (1, 0);
    }
    let step = decimal(m, e);
    let k0 = libm::ceil(lo / step - 1e-9) as i64;
    let k1 = libm::floor(hi / step + 1e-9) as i64;
    let values: Vec<f64> = (k0..=k1).map(|k| decimal(k * m, e)).collect();
    let max_abs = values.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    let sci = max_abs >= 1e6 || (max_abs > 0.0 && max_abs < 1e-3);
    values.into_iter().map(|v| (v, tick_label(v, sci))).collect()
}

/// Ticks for a log axis spanning [10^lo, 10^hi]: positions in log10 space, labels in
/// data space (decades, plus 2× and 5× when few decades are shown).
fn log_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    let d0 = libm::ceil(lo - 1e-9) as i32;
    let d1 = libm::floor(hi + 1e-9) as i32;
    let decades = d1 - d0 + 1;
    let mut values = Vec::new();
    let stride = ((decades + 7) / 8).max(1);
    let mults: &[i64] = if decades <= 3 { &[1, 2, 5] } else { &[1] };
    for e in (d0 - 1..=d1).step_by(stride as usize) {
        for &m in mults {
            let v = decimal(m, e);
            let p = libm::log10(v);
            if p >= lo - 1e-9 && p <= hi + 1e-9 {
                values.push(v);
            }
        }
    }
    if values.len() < 3 {
        // Less than a decade or so: round ticks in data space.
        let (a, b) = (libm::pow(10.0, lo), libm::pow(10.0, hi));
        values = linear_ticks(a, b, false).into_iter().map(|t| t.0).filter(|&v| v > 0.0).collect();
    }
    let max_abs = values.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    let min_abs = values.iter().fold(f64::INFINITY, |a, v| a.min(v.abs()));
    let sci = max_abs >= 1e6 || min_abs < 1e-3;
    values.into_iter().map(|v| (libm::log10(v), tick_label(v, sci))).collect()
}

// ---------------------------------------------------------------------------------
// Text. All text is laid out here with the embedded font's metrics: the SVG gets live
// `<text>` elements placed by those metrics, the PNG gets the glyphs rasterized at the
// same places (plotters' own rasterizer drops each glyph's side bearing, which
// spaces letters unevenly).

/// The family written into the SVG: Noto Sans where the viewer has it (same metrics
/// as the layout), else the viewer's sans-serif.
const FAMILY: &str = "Noto Sans, sans-serif";

fn ensure_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        for name in ["sans-serif", FAMILY] {
            let ok = plotters::style::register_font(name, FontStyle::Normal, ttf_noto_sans::REGULAR).is_ok();
            assert!(ok, "the embedded Noto Sans font failed to load");
        }
    });
}

fn noto() -> &'static ab_glyph::FontRef<'static> {
    static FONT: OnceLock<ab_glyph::FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        ab_glyph::FontRef::try_from_slice(ttf_noto_sans::REGULAR).expect("the embedded Noto Sans font is valid")
    })
}

/// The ab_glyph scale at which one em is `em_px` pixels.
fn px_scale(em_px: f64) -> ab_glyph::PxScale {
    use ab_glyph::Font as _;
    let font = noto();
    let per_em = font.height_unscaled() / font.units_per_em().unwrap_or(1000.0);
    ab_glyph::PxScale::from(em_px as f32 * per_em)
}

/// Advance width of `text` at `em_px`, with kerning.
fn text_width(text: &str, em_px: f64) -> f64 {
    use ab_glyph::{Font as _, ScaleFont as _};
    let font = noto().as_scaled(px_scale(em_px));
    let mut width = 0.0_f32;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        prev = Some(id);
    }
    f64::from(width)
}

/// Baseline below the top of a text line, in em: what SVG's `dy="0.76em"` (plotters'
/// top anchor) gives.
const BASELINE_EM: f64 = 0.76;
/// Cap height of Noto Sans, in em.
const CAP_EM: f64 = 0.714;

#[derive(Clone, Copy, PartialEq)]
enum VAlign {
    /// The anchor is the top of the capitals.
    Top,
    /// The anchor is half-way up the capitals.
    Middle,
}

/// Draws text for one backend: live SVG text, or rasterized glyphs.
struct Painter<'a, DB: DrawingBackend> {
    root: &'a DrawingArea<DB, Shift>,
    raster: bool,
}

impl<DB: DrawingBackend> Painter<'_, DB> {
    /// Draws `text` at `em_px` with its anchor at (x, y): horizontally per `h`,
    /// vertically per `v`. `vertical` turns it a quarter left (reading upwards), the
    /// anchor then being on the left edge of the turned text.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &self,
        text: &str,
        em_px: f64,
        color: RGBColor,
        (x, y): (f64, f64),
        h: HPos,
        v: VAlign,
        vertical: bool,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        // Distance from the anchor to the top of the text line, in the text's frame.
        let top = match v {
            VAlign::Top => (BASELINE_EM - CAP_EM) * em_px,
            VAlign::Middle => (BASELINE_EM - CAP_EM / 2.0) * em_px,
        };
        let (tx, ty) = if vertical { (x - top, y) } else { (x, y - top) };
        if !self.raster {
            let style = // plotters writes `font-size` as size / 1.24.
            (FontFamily::Name(FAMILY), em_px * 1.24)
                .into_font()
                .color(&color)
                .pos(Pos::new(h, VPos::Top));
            let style = if vertical { style.transform(FontTransform::Rotate270) } else { style };
            return self.root.draw_text(text, &style, (libm::round(tx) as i32, libm::round(ty) as i32));
        }
        use ab_glyph::{Font as _, ScaleFont as _};
        let scale = px_scale(em_px);
        let font = noto();
        let scaled = font.as_scaled(scale);
        let width = text_width(text, em_px);
        let mut caret = match h {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        } as f32;
        let baseline = (BASELINE_EM * em_px) as f32;
        let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(caret, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    pixels.push((b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, coverage));
                });
            }
            caret += scaled.h_advance(id);
            prev = Some(id);
        }
        // Sub-pixel anchor: shift by the fractional part once, then round.
        let (ox, oy) = (libm::round(tx) as i32, libm::round(ty) as i32);
        for (lx, ly, coverage) in pixels {
            if coverage <= 0.0 {
                continue;
            }
            let (px, py) = if vertical { (ox + ly, oy - lx) } else { (ox + lx, oy + ly) };
            self.root.draw_pixel((px, py), &color.mix(f64::from(coverage.min(1.0))))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// Rendering.

/// Ranges and ticks, fixed before drawing.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    x_ticks: Vec<(f64, String)>,
    y_ticks: Vec<(f64, String)>,
    empty: bool,
}

fn frame(fig: &Figure, spec: &ChartSpec) -> Frame {
    let extent = fig.extent();
    let empty = extent.is_none();
    let (mut x0, mut x1, mut y0, mut y1) = extent.unwrap_or((0.0, 1.0, 0.0, 1.0));
    if spec.log_x && empty {
        (x0, x1) = (0.0, 2.0);
    }
    if let Some((a, b)) = spec.x_range {
        let (a, b) = if spec.log_x {
            let a = if a > 0.0 { libm::log10(a) } else { x0 };
            let b = if b > 0.0 { libm::log10(b) } else { x1 };
            (a, b)
        } else {
            (a, b)
        };
        if a.is_finite() && b.is_finite() {
            x0 = x0.min(a.min(b));
            x1 = x1.max(a.max(b));
        }
    }
    if let Some((a, b)) = spec.y_range
        && a.is_finite()
        && b.is_finite()
    {
        y0 = y0.min(a.min(b));
        y1 = y1.max(a.max(b));
    }
    (x0, x1) = widen(x0, x1);
    (y0, y1) = widen(y0, y1);
    if !spec.log_x && x1 - x0 < fig.x_min_span {
        let grow = (fig.x_min_span - (x1 - x0)) / 2.0;
        (x0, x1) = (x0 - grow, x1 + grow);
    }
    let dx = (x1 - x0) * fig.x_pad;
    (x0, x1) = (x0 - dx, x1 + dx);
    let dy = (y1 - y0) * 0.04;
    if fig.y_zero && y0 >= 0.0 {
        (y0, y1) = (0.0, y1 + dy);
    } else {
        (y0, y1) = (y0 - dy, y1 + dy);
    }
    let x_ticks = if spec.log_x { log_ticks(x0, x1) } else { linear_ticks(x0, x1, fig.integer_x) };
    let y_ticks = linear_ticks(y0, y1, fig.integer_y);
    Frame { x: (x0, x1), y: (y0, y1), x_ticks, y_ticks, empty }
}

/// Draws `fig` to `<base>.svg` and `<base>.png`.
fn render_figure(base: &Path, spec: &ChartSpec, fig: &mut Figure) -> Result<(), ReportError> {
    ensure_font();
    fig.clean(spec.log_x);
    let frame = frame(fig, spec);

    let svg_path = with_ext(base, "svg");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let painter = Painter { root: &root, raster: false };
        draw(&painter, spec, fig, &frame).map_err(|message| ReportError::Chart { path: svg_path.clone(), message })?;
    }
    std::fs::write(&svg_path, svg).map_err(|e| ReportError::io(&svg_path, e))?;

    let png_path = with_ext(base, "png");
    let root = BitMapBackend::new(&png_path, (WIDTH, HEIGHT)).into_drawing_area();
    let painter = Painter { root: &root, raster: true };
    draw(&painter, spec, fig, &frame).map_err(|message| ReportError::Chart { path: png_path.clone(), message })
}

type Px = (i32, i32);

/// The plot rectangle in pixels, left/top/right/bottom (inclusive), and the mapping
/// from data to pixels.
#[derive(Clone, Copy)]
struct Plot {
    l: i32,
    t: i32,
    r: i32,
    b: i32,
    x: (f64, f64),
    y: (f64, f64),
}

impl Plot {
    fn px(&self, x: f64, y: f64) -> Px {
        let fx = (x - self.x.0) / (self.x.1 - self.x.0);
        let fy = (y - self.y.0) / (self.y.1 - self.y.0);
        (
            libm::round(f64::from(self.l) + fx * f64::from(self.r - self.l)) as i32,
            libm::round(f64::from(self.b) - fy * f64::from(self.b - self.t)) as i32,
        )
    }
}

fn draw<DB: DrawingBackend>(
    painter: &Painter<'_, DB>,
    spec: &ChartSpec,
    fig: &Figure,
    frame: &Frame,
) -> Result<(), String> {
    let root = painter.root;
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let w = f64::from(WIDTH);

    // Title and subtitle.
    painter.text(&spec.title, TITLE_PX, BLACK, (w / 2.0, 16.0), HPos::Center, VAlign::Top, false).map_err(e)?;
    let mut top = 16.0 + TITLE_PX * 1.4;
    let subtitle = fig.notes.join("; ");
    if !subtitle.is_empty() {
        painter.text(&subtitle, NOTE_PX, NOTE_GREY, (w / 2.0, top), HPos::Center, VAlign::Top, false).map_err(e)?;
        top += NOTE_PX * 1.6;
    }

    // Layout: axis label, tick labels, ticks on the left; ticks, tick labels, axis
    // label below.
    const TICK: i32 = 6;
    const MARGIN: f64 = 14.0;
    let widest = frame.y_ticks.iter().map(|t| text_width(&t.1, TICK_PX)).fold(0.0, f64::max);
    let plot = Plot {
        l: (MARGIN + AXIS_DESC_PX * 1.2 + 14.0 + widest + 8.0 + f64::from(TICK)) as i32,
        t: (top + 12.0) as i32,
        r: WIDTH as i32 - 32,
        b: HEIGHT as i32 - (f64::from(TICK) + 8.0 + TICK_PX * 1.2 + 14.0 + AXIS_DESC_PX * 1.2 + MARGIN) as i32,
        x: frame.x,
        y: frame.y,
    };
    let to_px = |x: f64, y: f64| plot.px(x, y);

    // Grid.
    let grid = GRID.stroke_width(1);
    for (x, _) in &frame.x_ticks {
        let px = plot.px(*x, frame.y.0).0;
        root.draw(&PathElement::new(vec![(px, plot.t), (px, plot.b)], grid)).map_err(e)?;
    }
    for (y, _) in &frame.y_ticks {
        let py = plot.px(frame.x.0, *y).1;
        root.draw(&PathElement::new(vec![(plot.l, py), (plot.r, py)], grid)).map_err(e)?;
    }

    let mut occupied: Vec<Px> = Vec::new();
    // Bands under everything else, then bars, lines, error bars, markers.
    for mark in &fig.marks {
        if let Mark::Band { style, pts } = mark {
            if let [(x, lo, hi)] = pts[..] {
                // One point: the band is a short bar.
                let (a, b) = (to_px(x, hi), to_px(x, lo));
                let fill = style.color.mix(BAND_ALPHA).filled();
                root.draw(&Rectangle::new([(a.0 - 7, a.1), (a.0 + 7, b.1)], fill)).map_err(e)?;
                sample_rect((a.0 - 7, a.1), (a.0 + 7, b.1), &mut occupied);
                continue;
            }
            if pts.len() < 2 {
                continue;
            }
            let mut poly: Vec<Px> = pts.iter().map(|p| to_px(p.0, p.2)).collect();
            poly.extend(pts.iter().rev().map(|p| to_px(p.0, p.1)));
            sample_polygon_band(pts, &to_px, &mut occupied);
            root.draw(&Polygon::new(poly, style.color.mix(BAND_ALPHA).filled())).map_err(e)?;
        }
    }
    for mark in &fig.marks {
        if let Mark::Bars { style, bars } = mark {
            for &(lo, hi, h) in bars {
                let (a, b) = (to_px(lo, h), to_px(hi, 0.0));
                let (l, r) = (a.0 + 1, (b.0 - 1).max(a.0 + 1));
                root.draw(&Rectangle::new([(l, a.1), (r, b.1)], style.color.mix(0.85).filled())).map_err(e)?;
                root.draw(&Rectangle::new([(l, a.1), (r, b.1)], style.color.stroke_width(1))).map_err(e)?;
                sample_rect((l, a.1), (r, b.1), &mut occupied);
            }
        }
    }
    for mark in &fig.marks {
        match mark {
            Mark::Line { style, pts, markers } => {
                let dodge = match markers {
                    Markers::All { dodge_px } => *dodge_px,
                    Markers::Spread { .. } => 0.0,
                };
                let path: Vec<(f64, f64)> = pts
                    .iter()
                    .map(|p| {
                        let q = to_px(p.0, p.1);
                        (f64::from(q.0) + dodge, f64::from(q.1))
                    })
                    .collect();
                draw_dashed(root, &path, style, LINE_WIDTH).map_err(e)?;
                sample_path(&path, &mut occupied);
            }
            Mark::VLine { style, x } if x.is_finite() => {
                let px = f64::from(to_px(*x, 0.0).0);
                let path = [(px, f64::from(plot.t)), (px, f64::from(plot.b))];
                draw_dashed(root, &path, style, LINE_WIDTH).map_err(e)?;
                sample_path(&path, &mut occupied);
            }
            _ => {}
        }
    }
    for mark in &fig.marks {
        if let Mark::ErrorBars { style, pts, dodge_px } = mark {
            for &(x, lo, hi) in pts {
                let (a, b) = (to_px(x, hi), to_px(x, lo));
                let cx = a.0 + libm::round(*dodge_px) as i32;
                let stroke = style.color.stroke_width(2);
                root.draw(&PathElement::new(vec![(cx, a.1), (cx, b.1)], stroke)).map_err(e)?;
                for yy in [a.1, b.1] {
                    root.draw(&PathElement::new(vec![(cx - 6, yy), (cx + 6, yy)], stroke)).map_err(e)?;
                }
                sample_path(&[(f64::from(cx), f64::from(a.1)), (f64::from(cx), f64::from(b.1))], &mut occupied);
            }
        }
    }
    for mark in &fig.marks {
        if let Mark::Line { style, pts, markers } = mark {
            for (x, y) in marker_positions(pts, *markers, &to_px) {
                draw_marker(root, (x, y), style.marker, style.color).map_err(e)?;
                sample_rect((x - 6, y - 6), (x + 6, y + 6), &mut occupied);
            }
        }
    }

    // Frame, ticks, tick labels, axis labels.
    let axis = BLACK.stroke_width(1);
    root.draw(&Rectangle::new([(plot.l, plot.t), (plot.r, plot.b)], axis)).map_err(e)?;
    for (x, label) in &frame.x_ticks {
        let px = plot.px(*x, frame.y.0).0;
        root.draw(&PathElement::new(vec![(px, plot.b), (px, plot.b + TICK)], axis)).map_err(e)?;
        let at = (f64::from(px), f64::from(plot.b + TICK + 8));
        painter.text(label, TICK_PX, BLACK, at, HPos::Center, VAlign::Top, false).map_err(e)?;
    }
    for (y, label) in &frame.y_ticks {
        let py = plot.px(frame.x.0, *y).1;
        root.draw(&PathElement::new(vec![(plot.l - TICK, py), (plot.l, py)], axis)).map_err(e)?;
        let at = (f64::from(plot.l - TICK - 8), f64::from(py));
        painter.text(label, TICK_PX, BLACK, at, HPos::Right, VAlign::Middle, false).map_err(e)?;
    }
    let x_desc_top = f64::from(plot.b + TICK + 8) + TICK_PX * 1.2 + 14.0;
    painter
        .text(
            &spec.x_label,
            AXIS_DESC_PX,
            BLACK,
            (f64::from(plot.l + plot.r) / 2.0, x_desc_top),
            HPos::Center,
            VAlign::Top,
            false,
        )
        .map_err(e)?;
    painter
        .text(
            &spec.y_label,
            AXIS_DESC_PX,
            BLACK,
            (MARGIN, f64::from(plot.t + plot.b) / 2.0),
            HPos::Center,
            VAlign::Top,
            true,
        )
        .map_err(e)?;

    if frame.empty {
        painter
            .text(
                "no data to plot",
                AXIS_DESC_PX,
                NOTE_GREY,
                (f64::from(plot.l + plot.r) / 2.0, f64::from(plot.t + plot.b) / 2.0),
                HPos::Center,
                VAlign::Middle,
                false,
            )
            .map_err(e)?;
    } else {
        draw_legend(painter, fig, (plot.l, plot.t, plot.r, plot.b), &occupied).map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

/// Pixel positions for the markers of a line.
fn marker_positions(pts: &[(f64, f64)], markers: Markers, to_px: &impl Fn(f64, f64) -> Px) -> Vec<Px> {
    match markers {
        Markers::All { dodge_px } => pts
            .iter()
            .map(|p| {
                let q = to_px(p.0, p.1);
                (q.0 + libm::round(dodge_px) as i32, q.1)
            })
            .collect(),
        Markers::Spread { series } => {
            let path: Vec<(f64, f64)> = pts
                .iter()
                .map(|p| {
                    let q = to_px(p.0, p.1);
                    (f64::from(q.0), f64::from(q.1))
                })
                .collect();
            if path.len() <= MARKERS_PER_LINE {
                return path.iter().map(|p| (p.0 as i32, p.1 as i32)).collect();
            }
            // Evenly spaced along the drawn length, staggered by series so markers
            // of overlapping lines do not sit on each other.
            let seg_len = |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let total: f64 = path.windows(2).map(|w| seg_len(w[0], w[1])).sum();
            if total <= 0.0 {
                return vec![(path[0].0 as i32, path[0].1 as i32)];
            }
            let phase = 0.2 + 0.15 * (series % 5) as f64;
            let mut out = Vec::with_capacity(MARKERS_PER_LINE);
            let mut walked = 0.0;
            let mut seg = 0;
            for k in 0..MARKERS_PER_LINE {
                let target = total * (k as f64 + phase) / MARKERS_PER_LINE as f64;
                while seg + 1 < path.len() - 1 && walked + seg_len(path[seg], path[seg + 1]) < target {
                    walked += seg_len(path[seg], path[seg + 1]);
                    seg += 1;
                }
                let (a, b) = (path[seg], path[seg + 1]);
                let len = seg_len(a, b);
                let t = if len > 0.0 { ((target - walked) / len).clamp(0.0, 1.0) } else { 0.0 };
                out.push((libm::round(a.0 + (b.0 - a.0) * t) as i32, libm::round(a.1 + (b.1 - a.1) * t) as i32));
            }
            out
        }
    }
}

/// Draws a polyline in pixel space with the style's dash pattern.
fn draw_dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    path: &[(f64, f64)],
    style: &SeriesStyle,
    width: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let stroke = style.color.stroke_width(width);
    let round = |p: (f64, f64)| (libm::round(p.0) as i32, libm::round(p.1) as i32);
    if path.len() < 2 {
        return Ok(());
    }
    if style.dash.is_empty() {
        let pts: Vec<Px> = path.iter().map(|&p| round(p)).collect();
        return root.draw(&PathElement::new(pts, stroke));
    }
    let pattern = style.dash;
    let mut idx = 0;
    let mut left = pattern[0];
    let mut current: Vec<Px> = vec![round(path[0])];
    for w in path.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut t = 0.0;
        while len - t > left {
            t += left;
            let p = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if idx % 2 == 0 {
                current.push(round(p));
                root.draw(&PathElement::new(std::mem::take(&mut current), stroke))?;
            } else {
                current = vec![round(p)];
            }
            idx = (idx + 1) % pattern.len();
            left = pattern[idx];
        }
        left -= len - t;
        if idx % 2 == 0 {
            current.push(round(b));
        }
    }
    if idx % 2 == 0 && current.len() >= 2 {
        root.draw(&PathElement::new(current, stroke))?;
    }
    Ok(())
}

fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): Px,
    marker: Marker,
    color: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let fill = color.filled();
    let stroke = color.stroke_width(2);
    match marker {
        Marker::None => Ok(()),
        Marker::FilledCircle => root.draw(&Circle::new((x, y), 5, fill)),
        Marker::FilledSquare => root.draw(&Rectangle::new([(x - 4, y - 4), (x + 4, y + 4)], fill)),
        Marker::FilledTriangle => root.draw(&Polygon::new(vec![(x, y - 6), (x + 6, y + 4), (x - 6, y + 4)], fill)),
        Marker::FilledDiamond => root.draw(&Polygon::new(vec![(x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y)], fill)),
        Marker::OpenCircle => {
            root.draw(&Circle::new((x, y), 5, WHITE.filled()))?;
            root.draw(&Circle::new((x, y), 5, stroke))
        }
        Marker::OpenSquare => {
            root.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], WHITE.filled()))?;
            root.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], stroke))
        }
        Marker::Cross => {
            root.draw(&PathElement::new(vec![(x - 5, y - 5), (x + 5, y + 5)], stroke))?;
            root.draw(&PathElement::new(vec![(x - 5, y + 5), (x + 5, y - 5)], stroke))
        }
        Marker::Plus => {
            root.draw(&PathElement::new(vec![(x - 6, y), (x + 6, y)], stroke))?;
            root.draw(&PathElement::new(vec![(x, y - 6), (x, y + 6)], stroke))
        }
    }
}

// Occupancy samples: pixels covered by data, to keep the legend off it.

fn sample_path(path: &[(f64, f64)], out: &mut Vec<Px>) {
    if let [only] = path {
        out.push((only.0 as i32, only.1 as i32));
    }
    for w in path.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let steps = (len / 4.0).ceil().max(1.0) as usize;
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            out.push(((a.0 + (b.0 - a.0) * t) as i32, (a.1 + (b.1 - a.1) * t) as i32));
        }
    }
}

fn sample_rect(a: Px, b: Px, out: &mut Vec<Px>) {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    for x in (x0..=x1).step_by(4) {
        for y in (y0..=y1).step_by(4) {
            out.push((x, y));
        }
    }
}

fn sample_polygon_band(pts: &[(f64, f64, f64)], to_px: &impl Fn(f64, f64) -> Px, out: &mut Vec<Px>) {
    for &(x, lo, hi) in pts {
        let (a, b) = (to_px(x, hi), to_px(x, lo));
        for y in (a.1.min(b.1)..=a.1.max(b.1)).step_by(4) {
            out.push((a.0, y));
        }
    }
}

/// Draws the legend in the candidate corner its box covers the fewest data pixels.
fn draw_legend<DB: DrawingBackend>(
    painter: &Painter<'_, DB>,
    fig: &Figure,
    plot: (i32, i32, i32, i32),
    occupied: &[Px],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if fig.legend.is_empty() {
        return Ok(());
    }
    let root = painter.root;
    const PAD: i32 = 10;
    const GLYPH_W: i32 = 44;
    const GAP: i32 = 10;
    const ROW_H: i32 = 28;
    const INSET: i32 = 12;
    // Room for a viewer's sans-serif a little wider than Noto Sans.
    let measure = |s: &str| (text_width(s, LEGEND_PX) * 1.12).ceil() as i32;
    let mut width = 0;
    if let Some(h) = &fig.legend_header {
        width = width.max(measure(h));
    }
    for (label, _) in &fig.legend {
        width = width.max(GLYPH_W + GAP + measure(label));
    }
    let rows = fig.legend.len() as i32 + i32::from(fig.legend_header.is_some());
    let (w, h) = (width + 2 * PAD, rows * ROW_H + 2 * PAD - 6);
    let (l, t, r, b) = plot;
    let mid_x = (l + r - w) / 2;
    let mid_y = (t + b - h) / 2;
    let candidates = [
        (r - INSET - w, t + INSET),
        (l + INSET, t + INSET),
        (r - INSET - w, b - INSET - h),
        (l + INSET, b - INSET - h),
        (r - INSET - w, mid_y),
        (l + INSET, mid_y),
        (mid_x, t + INSET),
        (mid_x, b - INSET - h),
    ];
    let score = |(x, y): Px| {
        occupied.iter().filter(|p| p.0 >= x - 4 && p.0 <= x + w + 4 && p.1 >= y - 4 && p.1 <= y + h + 4).count()
    };
    let mut best = candidates[0];
    let mut best_score = score(best);
    for &c in &candidates[1..] {
        let s = score(c);
        if s < best_score {
            best = c;
            best_score = s;
        }
    }
    let (x, y) = best;
    root.draw(&Rectangle::new([(x, y), (x + w, y + h)], WHITE.mix(0.9).filled()))?;
    root.draw(&Rectangle::new([(x, y), (x + w, y + h)], LEGEND_BORDER.stroke_width(1)))?;
    let mut row_y = y + PAD + ROW_H / 2 - 3;
    if let Some(header) = &fig.legend_header {
        let at = (f64::from(x + PAD), f64::from(row_y));
        painter.text(header, LEGEND_PX, NOTE_GREY, at, HPos::Left, VAlign::Middle, false)?;
        row_y += ROW_H;
    }
    for (label, glyph) in &fig.legend {
        let gx = x + PAD;
        draw_glyph(root, glyph, gx, row_y)?;
        let at = (f64::from(gx + GLYPH_W + GAP), f64::from(row_y));
        painter.text(label, LEGEND_PX, BLACK, at, HPos::Left, VAlign::Middle, false)?;
        row_y += ROW_H;
    }
    Ok(())
}

fn draw_glyph<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    glyph: &Glyph,
    gx: i32,
    cy: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = &glyph.style;
    if glyph.band {
        root.draw(&Rectangle::new([(gx, cy - 8), (gx + 44, cy + 8)], style.color.mix(BAND_ALPHA).filled()))?;
    }
    if glyph.bar {
        let r = [(gx + 10, cy - 8), (gx + 34, cy + 8)];
        root.draw(&Rectangle::new(r, style.color.mix(0.85).filled()))?;
        root.draw(&Rectangle::new(r, style.color.stroke_width(1)))?;
    }
    if glyph.errorbar {
        let stroke = style.color.stroke_width(2);
        root.draw(&PathElement::new(vec![(gx + 22, cy - 9), (gx + 22, cy + 9)], stroke))?;
        for yy in [cy - 9, cy + 9] {
            root.draw(&PathElement::new(vec![(gx + 16, yy), (gx + 28, yy)], stroke))?;
        }
    }
    if glyph.line {
        draw_dashed(root, &[(f64::from(gx), f64::from(cy)), (f64::from(gx + 44), f64::from(cy))], style, LINE_WIDTH)?;
        draw_marker(root, (gx + 22, cy), style.marker, style.color)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_steps_are_1_2_5() {
        assert_eq!(round_step_at_least(0.13), (2, -1));
        assert_eq!(round_step_at_least(3.0), (5, 0));
        assert_eq!(round_step_at_least(10.0), (1, 1));
        assert_eq!(round_step_at_least(0.0), (1, 0));
    }

    #[test]
    fn linear_ticks_have_clean_labels() {
        let t = linear_ticks(-0.04, 1.04, false);
        let labels: Vec<&str> = t.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
        let t = linear_ticks(0.0, 3e6, false);
        assert_eq!(t[1].1, "5e5");
    }

    #[test]
    fn log_ticks_use_decades() {
        let t = log_ticks(0.0, 2.0);
        let labels: Vec<&str> = t.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["1", "2", "5", "10", "20", "50", "100"]);
        let t = log_ticks(-1.0, 6.3);
        let labels: Vec<&str> = t.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["1e-1", "1e0", "1e1", "1e2", "1e3", "1e4", "1e5", "1e6"]);
        // Less than a decade falls back to round values.
        let t = log_ticks(libm::log10(2.0), libm::log10(8.0));
        assert!(t.len() >= 3, "{t:?}");
    }

    #[test]
    fn histogram_of_integers_centres_bins_on_values() {
        let bins = histogram_bins(&[3.0, 4.0, 4.0, 6.0], 50);
        assert_eq!(bins.first().unwrap().lo, 2.5);
        assert_eq!(bins.last().unwrap().hi, 6.5);
        let counts: Vec<u64> = bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 2, 0, 1]);
    }

    #[test]
    fn histogram_of_floats_uses_round_edges() {
        let v: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.013).collect();
        let bins = histogram_bins(&v, 10);
        assert!(bins.len() <= 11);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), 100);
        assert_eq!(bins[1].lo, 0.2);
        assert!(histogram_bins(&[f64::NAN], 10).is_empty());
        assert_eq!(histogram_bins(&[0.5, 0.5], 10)[0].count, 2);
        let far = histogram_bins(&[1e20, 1e20 + 65536.0, 1e20 + 131072.0], 4);
        assert_eq!(far.iter().map(|b| b.count).sum::<u64>(), 3);
    }

    #[test]
    fn ecdf_collapses_ties_and_thins() {
        assert_eq!(ecdf_steps(&[2.0, 1.0, 2.0, f64::NAN], 10), [(1.0, 1.0 / 3.0), (2.0, 1.0)]);
        let v: Vec<f64> = (0..5000).map(f64::from).collect();
        let s = ecdf_steps(&v, 1000);
        assert_eq!(s.len(), 1000);
        assert_eq!(*s.last().unwrap(), (4999.0, 1.0));
    }

    #[test]
    fn round_sig_trims() {
        assert_eq!(round_sig(12.3456, 4), "12.35");
        assert_eq!(round_sig(2.0, 4), "2");
        assert_eq!(round_sig(0.000123456, 3), "0.000123");
    }
}

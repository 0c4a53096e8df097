//! Calibration: fitting a scenario to a deal history (`dealsim calibrate`).
//!
//! Data flow: log → [`profile`] (the stage maps the deals walked, and per-step counts) →
//! [`build`] (a first scenario: what the log shows directly, fitted by maximum likelihood in
//! [`fit`]) → [`adjust`] (re-simulate and correct loss/skip probabilities and duration scales
//! until the engine reproduces the history) → [`gof`] (real vs re-simulated win rate, median
//! cycle and the [`crate::stats::ks`] distance of cycle lengths, on a fresh re-simulation of
//! the file itself: its seed and inflow, other arrivals than the loop's).
//! Not for: importing foreign formats (the log must be in dealsim's event-log format) or
//! estimating the hidden causal model, which outcomes alone do not identify (see [`build`]).

pub mod adjust;
pub mod build;
pub mod fit;
pub mod gof;
pub mod profile;
pub(crate) mod special;

use std::path::Path;

use indicatif::ProgressBar;

use crate::calendar::Calendar;
use crate::error::{Error, InputError, IoContext};
use crate::log::read::shown_on;
use crate::log::Log;
use crate::output::{check_output_file, write_file_atomic};
use crate::progress::phase;
use crate::scenario::{self, Scenario, ScenarioSpec};
use crate::time::DayNum;

pub use gof::GofRow;

/// A segment needs at least this many closed (won or lost) deals to be calibrated: with
/// fewer, its win rate alone is uncertain by more than ±9 percentage points (95%).
pub const MIN_CLOSED: usize = 100;

/// Settings of a calibration.
#[derive(Debug, Clone)]
pub struct CalibrateOptions {
    /// Seed written into the scenario and used by every re-simulation.
    pub seed: u64,
    /// Correction rounds of the calibration loop.
    pub iterations: usize,
    /// Deals per re-simulation of the loop; `None`: twice the history's size, at least
    /// 40,000, so the loop's own noise stays below the history's (see the README).
    pub resimulate_deals: Option<u64>,
    /// Last day of the observation window; `None`: the last day in the log.
    pub window_end: Option<crate::log::cut::WindowEnd>,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            seed: 1,
            iterations: 8,
            resimulate_deals: None,
            window_end: None,
        }
    }
}

/// What a calibration produced.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub spec: ScenarioSpec,
    /// The scenario file: a header with the goodness-of-fit table, then the TOML.
    pub toml: String,
    pub fit: Vec<GofRow>,
    /// Fallbacks taken (steps with too few durations to fit, ...).
    pub notes: Vec<String>,
}

/// Fits a scenario to `log` (see the module header); `(events, deals)` name its event log and
/// deal table, for errors to blame the file that holds the problem; `base` supplies what the
/// log cannot show. `bar` counts the re-simulations, which take nearly all the time.
pub fn calibrate(
    log: &Log,
    (events, deals): (&str, &str),
    base: &Scenario,
    options: &CalibrateOptions,
    bar: &ProgressBar,
) -> Result<Calibration, InputError> {
    phase(bar, "fit", None);
    let window_end = crate::log::cut::check_window_end(log, options.window_end.as_ref())?;
    let log = &*crate::log::cut::within_window(log, window_end);
    let (Some(first), Some(last)) = (
        log.deals.iter().map(|d| d.created.day()).min(),
        log.deals.iter().map(|d| d.created.day()).max(),
    ) else {
        return Err(InputError::new(
            deals,
            "no deals: nothing to calibrate from",
        ));
    };
    let end = window_end
        .or_else(|| log.last_timestamp().map(|t| t.day()))
        .unwrap_or(last);
    let shapes = profile::discover(log);
    let calendar = Calendar::new(&base.calendar, first, DayNum(end.0 + 7));
    let observed = profile::Tally::of_log(&shapes, &calendar, log);
    for (shape, t) in shapes.iter().zip(&observed.segments) {
        let closed = t.won + t.lost;
        if closed < MIN_CLOSED {
            return Err(InputError::new(
                deals,
                format!(
                    "segment {:?} has {closed} closed deals; calibrate needs at least {MIN_CLOSED} per segment \
                     to fit its win rate and cycle lengths (merge it into a similar segment or leave it out)",
                    shape.name
                ),
            ));
        }
        if shape.steps.is_empty() {
            return Err(InputError::new(
                events,
                format!(
                    "segment {:?} has no step events (events whose activity equals their `step` column); \
                     calibrate needs them to fit the stage map",
                    shape.name
                ),
            ));
        }
    }
    check_names(&shapes, &observed, (events, deals), base)?;
    let mut notes = Vec::new();
    let mut spec = build::initial_spec(
        &base.spec,
        &calendar,
        (first, last, end),
        &shapes,
        &observed,
        options.seed,
        &mut notes,
    );
    let deals = options
        .resimulate_deals
        .unwrap_or((2 * log.deals.len() as u64).max(40_000));
    // The loop's rounds and the check's simulation.
    phase(bar, "simulate", Some(options.iterations as u64 + 1));
    for _ in 0..options.iterations {
        let sim = adjust::simulate_tally(&spec, &shapes, Some(deals))?;
        adjust::correct(&mut spec, &observed, &sim);
        bar.inc(1);
    }
    // The check is the file's own simulation (its seed, its inflow): what `dealsim simulate
    // --scenario` gives. Its deals are not the loop's (other arrivals, other deal streams);
    // its reps are (see the README on why the seed belongs to the calibration).
    let sim = adjust::simulate_tally(&spec, &shapes, None)?;
    bar.inc(1);
    let fit = gof::table(&shapes, &observed, &sim);
    notes.extend(fit.iter().filter_map(gof::unsettled));
    let (text, _) = adjust::render(&spec)?;
    let mut toml = String::from(
        "# Calibrated by `dealsim calibrate` from a deal history. Goodness of fit (a fresh\n\
         # re-simulation of this scenario against the history; cycles in calendar days):\n",
    );
    for line in gof::render(&fit).lines() {
        toml.push_str("#   ");
        toml.push_str(line);
        toml.push('\n');
    }
    for n in &notes {
        toml.push_str(&format!("# note: {n}\n"));
    }
    toml.push('\n');
    toml.push_str(&text);
    Ok(Calibration {
        spec,
        toml,
        fit,
        notes,
    })
}

/// The calibrated scenario names its segments, stages, steps and sources as the log does, so
/// each must be a valid scenario name: refused up front, blaming the file and column it comes
/// from (the scenario's own check would blame a file not yet written).
fn check_names(
    shapes: &[profile::SegmentShape],
    observed: &profile::Tally,
    (events, deals): (&str, &str),
    base: &Scenario,
) -> Result<(), InputError> {
    let channels = || base.spec.contacts.channels.keys();
    for (shape, tally) in shapes.iter().zip(&observed.segments) {
        let named = std::iter::once((deals, "segment", scenario::name_problem(&shape.name)))
            .chain(
                tally
                    .sources
                    .iter()
                    .map(|(s, _)| (deals, "source", scenario::name_problem(s))),
            )
            .chain(
                shape
                    .stages
                    .iter()
                    .map(|s| (events, "stage", scenario::name_problem(s))),
            )
            .chain(shape.steps.iter().map(|s| {
                (
                    events,
                    "step",
                    scenario::step_name_problem(&s.name, channels()),
                )
            }));
        for (file, column, problem) in named {
            if let Some(why) = problem {
                return Err(InputError::new(
                    file,
                    format!(
                        "column `{column}`: {why}; the calibrated scenario names it as the log \
                         does, so rename it in the log (`dealsim import csv --mapping` maps \
                         activities onto step names with a [steps] table)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `dealsim calibrate`: reads the log, calibrates, writes the scenario to `out` atomically;
/// shows its progress on `bar`.
pub fn calibrate_files(
    events: &Path,
    deals: &Path,
    base: &Scenario,
    out: &Path,
    options: &CalibrateOptions,
    bar: &ProgressBar,
) -> Result<Calibration, Error> {
    check_output_file(out)?;
    let log = crate::log::read::read_log_reporting(events, deals, &shown_on(bar))?;
    let origins = (events.display().to_string(), deals.display().to_string());
    let calibration = calibrate(&log, (&origins.0, &origins.1), base, options, bar)?;
    write_file_atomic(out, calibration.toml.as_bytes())
        .context(|| format!("writing {}", out.display()))?;
    Ok(calibration)
}

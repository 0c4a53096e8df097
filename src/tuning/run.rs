//! `dealsim tune` (and the tuning step of `run`): event log → indicators → rules per segment
//! → `policy.toml`, `policy.md`, `tradeoffs.csv`, `deadlines.csv`, `review.csv`.
//!
//! Every input is read and checked before anything is written; each file is written
//! atomically.

use std::path::Path;

use indicatif::ProgressBar;

use super::clock::RuleClock;
use super::rule::MAX_LANDMARKS;
use super::{deadlines, rule, tune, Objective, TuneOptions, Tuning};
use crate::error::{finite_number, Error, InputError};
use crate::export::tuning as files;
use crate::indicators::{self, stage_map::StageMaps, IndicatorSpec, Panel};
use crate::log::cut::{check_window_end, within_window, WindowEnd};
use crate::log::read::{read_log_with_events_reporting, shown_on};
use crate::log::Log;
use crate::output::FileSet;
use crate::policy::{markdown, Policy};
use crate::scenario::Scenario;
use crate::scoring::few_clusters_warning;
use crate::stats::bootstrap::Cluster;
use crate::time::Timestamp;

/// What intervals over fewer than [`FEW_CLUSTERS`](crate::stats::bootstrap::FEW_CLUSTERS) reps
/// do to a tuned rule's figures (`tests/tuning_over_reps.rs`).
pub const TUNED_OVER_FEW_REPS: &str = "intervals over so few reps can run narrow (in a simulated \
    case with 6-12 reps the shares' 95% intervals covered the recall over all reps about 95% of \
    the time and the false-alarm rate 90-93%; the median lead times keep the bootstrap over \
    reps, which covered those shares 78-91%: README, \"Uncertainty\")";

/// Inputs of a tuning run.
pub struct TuneJob<'a> {
    pub events: &'a Path,
    pub deals: &'a Path,
    pub indicators: Vec<IndicatorSpec>,
    /// Supplies stage maps, the calendar and which segments are atypical (`review`).
    pub scenario: &'a Scenario,
    pub landmarks: Vec<u32>,
    /// End of the observation window (inclusive day); default: the last day in the log.
    pub window_end: Option<WindowEnd>,
    pub options: TuneOptions,
}

/// A numeric tuning setting out of its range: how the command line names it (`--budget`),
/// how `policy.toml` does (under `[tuning]`), and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct BadSetting {
    pub flag: &'static str,
    pub field: &'static str,
    pub message: String,
}

/// A setting given on the command line: the error names its flag.
impl From<BadSetting> for InputError {
    fn from(bad: BadSetting) -> InputError {
        InputError::new(bad.flag, bad.message)
    }
}

/// The first numeric tuning setting out of its range ([`finite_number`]). One list for the
/// flags ([`check_options`]) and for a policy's `[tuning]` table ([`Policy::parse`]), so a
/// value the command line refuses cannot come back in through a hand-edited policy.
pub fn bad_setting(
    objective: &Objective,
    holdout: f64,
    min_lead_days: f64,
    significance: f64,
) -> Option<BadSetting> {
    type Check = (
        &'static str,
        &'static str,
        f64,
        &'static str,
        fn(f64) -> bool,
    );
    let mut checks: Vec<Check> = Vec::new();
    match *objective {
        Objective::Budget {
            alerts_per_rep_week,
        } => checks.push((
            "--budget",
            "objective.alerts_per_rep_week",
            alerts_per_rep_week,
            "> 0",
            |x| x > 0.0,
        )),
        Objective::Cost {
            review_cost,
            save_probability,
        } => checks.extend([
            (
                "--review-cost",
                "objective.review_cost",
                review_cost,
                "≥ 0",
                (|x| x >= 0.0) as fn(f64) -> bool,
            ),
            (
                "--save-probability",
                "objective.save_probability",
                save_probability,
                "in [0, 1]",
                |x| (0.0..=1.0).contains(&x),
            ),
        ]),
        Objective::Youden => {}
    }
    checks.push(("--holdout", "holdout", holdout, "in [0, 1)", |x| {
        (0.0..1.0).contains(&x)
    }));
    checks.push(("--min-lead", "min_lead_days", min_lead_days, "≥ 0", |x| {
        x >= 0.0
    }));
    checks.push((
        "--significance",
        "significance",
        significance,
        "in (0, 1]",
        |x| x > 0.0 && x <= 1.0,
    ));
    checks.into_iter().find_map(|(flag, field, x, range, ok)| {
        finite_number(x, range, ok).err().map(|message| BadSetting {
            flag,
            field,
            message,
        })
    })
}

/// Checks the options a user can get wrong: budget, cost parameters, holdout, minimum lead.
pub fn check_options(o: &TuneOptions) -> Result<(), InputError> {
    bad_setting(&o.objective, o.holdout, o.min_lead_days, o.significance)
        .map_or(Ok(()), |bad| Err(bad.into()))
}

/// The names of the review (atypical) segments of `scenario`.
pub fn review_segments(scenario: &Scenario) -> Vec<String> {
    scenario
        .segments
        .iter()
        .filter(|s| s.review)
        .map(|s| s.name.clone())
        .collect()
}

/// Tunes an in-memory log (what `tune_to_dir` does after reading the files).
pub fn tune_log(
    log: &Log,
    job_indicators: &[IndicatorSpec],
    scenario: &Scenario,
    landmarks: &[u32],
    window_end: Timestamp,
    options: &TuneOptions,
) -> Tuning {
    let maps = StageMaps::new(scenario, log);
    let mut panel = indicators::evaluate(log, job_indicators, None, &maps, landmarks, window_end);
    indicators::set_aside_inert(&mut panel, job_indicators, log);
    tune_evaluated(
        log,
        job_indicators,
        &panel,
        &maps,
        scenario,
        window_end,
        options,
    )
}

/// [`tune_log`] on indicators evaluated already: `panel` must hold them for `log` under
/// `maps` (from `scenario`) and `window_end`, without the truth column (`dealsim run`
/// passes the one its scoring step evaluated).
fn tune_evaluated(
    log: &Log,
    specs: &[IndicatorSpec],
    panel: &Panel,
    maps: &StageMaps,
    scenario: &Scenario,
    window_end: Timestamp,
    options: &TuneOptions,
) -> Tuning {
    let clock = RuleClock::new(log, &scenario.calendar.holidays, &panel.landmarks);
    let mut tuning = tune(log, panel, &clock, &review_segments(scenario), options);
    // The window ends at the start of the day after its last.
    tuning.window_end = Timestamp(window_end.0 - 1).day().iso();
    tuning.scenario = scenario.name.clone();
    tuning.holidays = scenario.calendar.holidays.clone();
    tuning.warnings = indicators::log_warnings(specs, log, scenario);
    if let Some(load) = super::rep_load::busiest_rep(log, panel, &tuning) {
        tuning.warnings.push(load.warning(&options.objective));
    }
    let typical: Vec<(String, Vec<usize>)> = tuning
        .segments
        .iter()
        .map(|s| {
            let k = panel
                .segments
                .iter()
                .position(|x| *x == s.segment)
                .expect("tuned segments come from the panel");
            let members = (0..log.deals.len())
                .filter(|&i| panel.deal_segment[i] as usize == k && tuning.tuned[i])
                .collect();
            (s.segment.clone(), members)
        })
        .collect();
    if options.cluster == Cluster::Rep {
        // Reps among the decided tuning deals: those the intervals are over.
        let reps = typical.iter().map(|(name, members)| {
            let decided: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| panel.outcome[i] != crate::log::Outcome::Open)
                .collect();
            (name.as_str(), rule::reps_among(panel, &decided))
        });
        tuning
            .warnings
            .extend(few_clusters_warning(reps, TUNED_OVER_FEW_REPS));
    }
    tuning.deadlines = deadlines::from_experience(log, maps, &typical);
    tuning
}

/// Runs the job and adds the tuning files to `out`.
pub fn tune_into(job: &TuneJob<'_>, out: &mut FileSet, bar: &ProgressBar) -> Result<Tuning, Error> {
    check_job(job)?;
    let log = read_log_with_events_reporting(job.events, job.deals, &shown_on(bar))?;
    // The tuner says nothing of its progress: the line shows the time it takes.
    crate::progress::phase(bar, "tune", None);
    tune_log_into(job, &log, None, out)
}

/// The options and landmarks a user can get wrong, checked before any file is read.
fn check_job(job: &TuneJob<'_>) -> Result<(), InputError> {
    check_options(&job.options)?;
    check_landmarks(&job.landmarks)
}

/// `--landmarks` as the tuner takes them: at most [`MAX_LANDMARKS`]. Public so that
/// `dealsim run` checks it before simulating, not after.
pub fn check_landmarks(landmarks: &[u32]) -> Result<(), InputError> {
    if landmarks.len() > MAX_LANDMARKS {
        return Err(InputError::new(
            "--landmarks",
            format!("at most {MAX_LANDMARKS} landmarks can be tuned"),
        ));
    }
    Ok(())
}

/// [`tune_into`] on a log already in memory (`job.events` and `job.deals` name where it
/// came from): `dealsim run` reads the log it has just written once for scoring and tuning.
/// `evaluated`: the indicators already evaluated on `log` under the job's scenario and window
/// end (as `dealsim run`'s scoring step has them); used only when it holds exactly the job's
/// indicators at its landmarks, so a scoring panel with the truth column is not, and the
/// indicators are evaluated again.
pub fn tune_log_into(
    job: &TuneJob<'_>,
    log: &Log,
    evaluated: Option<&Panel>,
    out: &mut FileSet,
) -> Result<Tuning, Error> {
    check_job(job)?;
    let end = check_window_end(log, job.window_end.as_ref())?;
    let log = &*within_window(log, end);
    let fits = |p: &&Panel| {
        p.landmarks == job.landmarks
            && p.indicators
                .iter()
                .map(|i| &i.name)
                .eq(job.indicators.iter().map(|i| &i.name))
    };
    let window_end = log.window_end(end);
    let tuning = match evaluated.filter(fits) {
        Some(panel) => {
            let maps = StageMaps::new(job.scenario, log);
            tune_evaluated(
                log,
                &job.indicators,
                panel,
                &maps,
                job.scenario,
                window_end,
                &job.options,
            )
        }
        None => tune_log(
            log,
            &job.indicators,
            job.scenario,
            &job.landmarks,
            window_end,
            &job.options,
        ),
    };
    let policy = Policy::from_tuning(&tuning, &job.indicators).to_toml();
    out.add(files::POLICY_TOML, policy.into_bytes());
    out.add(files::POLICY_MD, markdown::render(&tuning).into_bytes());
    out.add(files::TRADEOFFS_CSV, files::tradeoffs_csv(&tuning));
    out.add(files::DEADLINES_CSV, files::deadlines_csv(&tuning));
    out.add(files::REVIEW_CSV, files::review_csv(&tuning));
    Ok(tuning)
}

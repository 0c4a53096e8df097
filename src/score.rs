//! `dealsim score`: event log → indicators → landmark scoring → tables in a directory.
//!
//! Works on any log in dealsim's CSV format, simulated or imported. All inputs are read and
//! checked before anything is written; each output file is written atomically.

use std::path::Path;

use indicatif::ProgressBar;

use crate::error::{csv_error, finite_number, Error, InputError};
use crate::export::scores::{ScoreReport, SCORES_CSV, SCORES_JSON, SUMMARY_CSV};
use crate::indicators::{self, stage_map::StageMaps, IndicatorSpec, Panel};
use crate::log::cut::{check_window_end, kept, within_window, WindowEnd};
use crate::log::read::{read_log_with_events_reporting, shown_on};
use crate::log::Log;
use crate::output::FileSet;
use crate::progress::phase;
use crate::scenario::Scenario;
use crate::scoring::{self, summary::RELIABLE_RUN, ScoreOptions};
use crate::time::DayNum;

/// Parses `START:END:STEP` (days) into ascending landmarks.
pub fn parse_landmarks(spec: &str) -> Result<Vec<u32>, InputError> {
    let err = |m: &str| {
        InputError::new(
            "--landmarks",
            format!("{m}; expected START:END:STEP in days, e.g. 7:168:7, got {spec:?}"),
        )
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(err("three numbers are needed"));
    };
    let num = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| err(&format!("{s:?} is not a whole number of days")))
    };
    let (start, end, step) = (num(a)?, num(b)?, num(c)?);
    if start == 0 {
        // Day 0 is the creation itself: no history to read, and a policy refuses it.
        return Err(err("START must be at least 1 day"));
    }
    if step == 0 {
        return Err(err("STEP must be at least 1"));
    }
    if end < start {
        return Err(err("END must not be before START"));
    }
    let most = crate::tuning::rule::MAX_LANDMARK_DAY;
    if end > most {
        return Err(err(&format!("END must be at most {most} days")));
    }
    Ok((start..=end).step_by(step as usize).collect())
}

/// Inputs of a scoring run.
pub struct ScoreJob<'a> {
    pub events: &'a Path,
    pub deals: &'a Path,
    /// `truth.csv` for the research-only ceiling (`--with-truth`).
    pub truth: Option<&'a Path>,
    pub indicators: Vec<IndicatorSpec>,
    /// Supplies stage maps (deadlines, stage norms) and the working-day calendar.
    pub scenario: &'a Scenario,
    pub landmarks: Vec<u32>,
    /// End of the observation window (inclusive day); default: the last day in the log.
    pub window_end: Option<WindowEnd>,
    pub options: ScoreOptions,
}

/// Reads the hidden loss log-odds per deal (`health_logit + process_logit` of `truth.csv`),
/// aligned with `log.deals` (read from `deals`). Research only: it includes lapses still to
/// come.
///
/// The file must describe exactly the log's deals, one row each, in the deal's segment (when
/// it states one): another run's truth file (or a cut log's uncut one) would otherwise lend
/// some deals a stranger's risk and leave the rest out of the ceiling without a word.
fn read_truth(path: &Path, deals: &Path, log: &Log) -> Result<Vec<f64>, InputError> {
    let origin = path.display().to_string();
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| InputError::new(&origin, format!("cannot open: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&origin, None, &e))?
        .clone();
    let col = |n: &str| {
        headers.iter().position(|h| h == n).ok_or_else(|| {
            InputError::new(
                &origin,
                format!(
                    "missing column `{n}`; the header has: {}",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    };
    let (c_id, columns) = (
        col("case_id")?,
        [col("health_logit")?, col("process_logit")?],
    );
    let c_segment = headers.iter().position(|h| h == "segment");
    let index: std::collections::HashMap<&str, usize> = log
        .case_ids
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut risk = vec![f64::NAN; log.deals.len()];
    let mut seen = vec![false; log.deals.len()];
    for rec in reader.records() {
        let rec = rec.map_err(|e| csv_error(&origin, Some(&headers), &e))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let at =
            |c: usize, message: String| InputError::new(&origin, message).at_position(line, c + 1);
        let id = rec.get(c_id).unwrap_or("");
        let i = *index.get(id).ok_or_else(|| {
            at(
                c_id,
                format!(
                    "case {id:?} is not in {} (a truth file of another log?)",
                    deals.display()
                ),
            )
        })?;
        if std::mem::replace(&mut seen[i], true) {
            return Err(at(
                c_id,
                format!("case {id:?} has a row already (duplicate)"),
            ));
        }
        if let Some(c) = c_segment {
            let (stated, segment) = (
                rec.get(c).unwrap_or(""),
                log.symbols.name(log.deals[i].segment),
            );
            if stated != segment {
                return Err(at(
                    c,
                    format!(
                        "case {id:?} is in segment {stated:?} here but {segment:?} in {} (a truth \
                         file of another log?)",
                        deals.display()
                    ),
                ));
            }
        }
        let mut sum = 0.0;
        for c in columns {
            let value = rec.get(c).unwrap_or("");
            sum += value.parse::<f64>().map_err(|_| {
                at(
                    c,
                    format!("column `{}`: expected a number, got {value:?}", &headers[c]),
                )
            })?;
        }
        risk[i] = sum;
    }
    if let Some(i) = seen.iter().position(|&s| !s) {
        let rows = seen.iter().filter(|&&s| s).count();
        return Err(InputError::new(
            &origin,
            format!(
                "has {rows} rows for the {} deals of {}: expected one per deal, and case {:?} has \
                 none (a truth file of another log?)",
                log.deals.len(),
                deals.display(),
                log.case_ids[i]
            ),
        ));
    }
    Ok(risk)
}

/// Runs the job and adds `scores.csv`, `indicator_summary.csv`, `scores.json` and the
/// report's descriptive tables ([`crate::report::tables`]) to `out`.
pub fn score_into(
    job: &ScoreJob<'_>,
    out: &mut FileSet,
    bar: &ProgressBar,
) -> Result<ScoreReport, Error> {
    check_options(&job.options)?;
    let log = read_log_with_events_reporting(job.events, job.deals, &shown_on(bar))?;
    score_log_into(job, &log, out, bar).map(|(report, _)| report)
}

/// The flags a user can get wrong, checked before any file is read (and by `dealsim run`
/// before it simulates).
pub fn check_options(options: &ScoreOptions) -> Result<(), InputError> {
    if options.bootstrap == 0 {
        return Err(InputError::new("--bootstrap", "must be at least 1, got 0"));
    }
    if let scoring::Censoring::Ipcw { horizon } = options.censoring {
        check_horizon(horizon)?;
    }
    if let Some(why) = options.interval.unsupported(options.censoring) {
        return Err(InputError::new("--interval delong", why));
    }
    finite_number(options.target, "in [0, 1] (an AUC)", |t| {
        (0.0..=1.0).contains(&t)
    })
    .map_err(|m| InputError::new("--target", m))?;
    Ok(())
}

/// `--horizon`: days > 0. The binary checks it under `--censoring known` too, which ignores it.
pub fn check_horizon(horizon: f64) -> Result<(), InputError> {
    finite_number(horizon, "of days > 0", |h| h > 0.0)
        .map(|_| ())
        .map_err(|m| InputError::new("--horizon", m))
}

/// [`score_into`] on a log already in memory (`job.events` and `job.deals` name where it
/// came from): `dealsim run` reads the log it has just written once for scoring and tuning.
/// Also returns the evaluated panel, which `run` hands on to the tuner.
pub fn score_log_into(
    job: &ScoreJob<'_>,
    log: &Log,
    out: &mut FileSet,
    bar: &ProgressBar,
) -> Result<(ScoreReport, Panel), Error> {
    check_options(&job.options)?;
    let end = check_window_end(log, job.window_end.as_ref())?;
    // The truth file belongs to the whole log and is checked against it; the window keeps
    // the rows of the deals it keeps, in their order (`cut` keeps deals in order).
    let truth = job
        .truth
        .map(|p| read_truth(p, job.deals, log))
        .transpose()?;
    let windowed = within_window(log, end);
    let truth = match (&windowed, end, truth) {
        (std::borrow::Cow::Owned(_), Some(day), Some(t)) => {
            Some(kept(log, day).map(|i| t[i]).collect())
        }
        (_, _, t) => t,
    };
    let log = &*windowed;
    let mut warnings = indicators::log_warnings(&job.indicators, log, job.scenario);
    if job.landmarks.len() < RELIABLE_RUN {
        warnings.push(format!(
            "only {} landmark(s): no indicator can be called reliable, which takes \
             {RELIABLE_RUN} landmarks in a row with the interval above the target; give at \
             least {RELIABLE_RUN} (--landmarks START:END:STEP)",
            job.landmarks.len()
        ));
    }
    let window_end = log.window_end(end);
    let maps = StageMaps::new(job.scenario, log);
    let needing: Vec<&str> = job
        .indicators
        .iter()
        .filter(|i| i.measure.needs_stage_map())
        .map(|i| i.name.as_str())
        .collect();
    for (sym, name) in log
        .deals
        .iter()
        .map(|d| d.segment)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|s| (s, log.symbols.name(s).to_string()))
    {
        if !needing.is_empty() && !maps.by_segment.contains_key(&sym) {
            warnings.push(format!(
                "segment {name:?} has no stage map in the scenario, so these indicators are \
                 missing for it: {}",
                needing.join(", ")
            ));
        }
    }
    phase(bar, "indicators", Some(log.deals.len() as u64));
    let mut panel = indicators::evaluate_with_progress(
        log,
        &job.indicators,
        truth.as_deref(),
        &maps,
        &job.landmarks,
        window_end,
        &|n| bar.inc(n),
    );
    indicators::set_aside_inert(&mut panel, &job.indicators, log);
    let what = match job.options.interval {
        scoring::IntervalMethod::Delong => "score",
        scoring::IntervalMethod::Bootstrap => "bootstrap",
    };
    phase(
        bar,
        what,
        Some((panel.indicators.len() * panel.landmarks.len()) as u64),
    );
    warnings.extend(scoring::censoring_warning(&panel, job.options.censoring));
    warnings.extend(scoring::cluster_warning(&panel, job.options.cluster));
    let rows = scoring::score_with_progress(&panel, &job.options, &|n| bar.inc(n));
    let summary = scoring::summarise(&rows, job.options.target);
    let report = ScoreReport {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        with_truth: truth.is_some(),
        landmarks: job.landmarks.clone(),
        options: job.options.clone(),
        window_end: DayNum(window_end.day().0 - 1).iso(),
        warnings,
        indicators: panel.indicators.clone(),
        summary,
        scores: rows,
    };
    // Of unknown length: the bar shows the time spent, not a finished phase.
    phase(bar, "write", None);
    out.add(SCORES_CSV, report.scores_csv());
    out.add(SUMMARY_CSV, report.summary_csv());
    out.add(SCORES_JSON, report.json());
    for (name, bytes) in crate::report::tables::ReportTables::from_log(log).files() {
        out.add(name, bytes);
    }
    Ok((report, panel))
}

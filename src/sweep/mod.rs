//! `dealsim sweep`: how the answer moves when the world does. Researchers vary scenario
//! parameters (how much a deal's hidden health drives its losses, how disciplined the reps
//! are, a segment's pace) and ask which indicators still warn early; sales ops ask whether a
//! ranking survives a market unlike the default one.
//!
//! Every combination of the `--set` values (a grid, [`setting`]) is simulated with
//! `--replicates` seeds in a row from the scenario's, and each log is scored in memory exactly
//! as `dealsim run` scores it (same indicators, landmarks, bootstrap seeded by the simulation's
//! seed): a point whose values equal the scenario's reproduces `run`'s `indicator_summary.csv`
//! (tested). Nothing of a log is kept but its summary rows and deal counts, so a sweep's memory
//! is one log at a time. Every point is checked before the first is simulated.
//! Not for: tuning rules per point (run `dealsim run --scenario` on the point that interests
//! you).

pub mod page;
pub mod setting;

use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::Path;

use serde::Serialize;
use toml_edit::DocumentMut;

use crate::columns;
use crate::error::{Error, InputError};
use crate::indicators::stage_map::StageMaps;
use crate::indicators::{self, IndicatorSpec, Signal};
use crate::log::{Log, Outcome, POOLED};
use crate::output::OutputDir;
use crate::scenario::Scenario;
use crate::scoring::{self, ScoreOptions, SummaryRow};
use crate::sim::{collect_log, Engine};
use crate::stats::bootstrap::Cluster;
pub use setting::Setting;

/// Per point, seed, segment and indicator: the summary `run` prints (rank, earliest reliable
/// day, AUC at 30/60/90 days).
pub const SWEEP_CSV: &str = "sweep.csv";
/// Per point, seed and segment: deals, won, lost, open and the win rate among closed deals.
pub const SEGMENTS_CSV: &str = "sweep_segments.csv";
/// The sweep's settings, seeds and scoring options, for the record.
pub const SWEEP_JSON: &str = "sweep.json";

/// What to sweep and how to score each point.
pub struct SweepJob<'a> {
    /// The base scenario's TOML and its name in messages.
    pub base: &'a str,
    pub origin: &'a str,
    pub settings: &'a [Setting],
    /// Seeds per point: the scenario's seed (or `first_seed`) and the ones after it.
    pub replicates: u64,
    pub first_seed: Option<u64>,
    /// Rescale every point's inflow to about this many deals (`--deals`).
    pub deals: Option<u64>,
    pub indicators: &'a [IndicatorSpec],
    pub landmarks: &'a [u32],
    /// Scoring options; the bootstrap seed is each simulation's seed, as in `run`.
    pub options: ScoreOptions,
    /// Score the research-only truth ceiling too (`--with-truth`).
    pub with_truth: bool,
}

impl SweepJob<'_> {
    /// The rep's own forecast among the job's indicators ([`indicators::baseline`]).
    pub fn baseline(&self) -> Option<&str> {
        indicators::baseline(
            self.indicators
                .iter()
                .filter(|i| i.signal == Signal::Forecast)
                .map(|i| i.name.as_str()),
        )
    }
}

/// One combination of the settings' values: the values as TOML text, the scenario and the
/// seeds of its replicates (one after another from the first).
pub struct Point {
    pub values: Vec<String>,
    pub scenario: Scenario,
    pub seeds: RangeInclusive<u64>,
}

/// The most runs (points × replicates) one sweep may ask for. Each run simulates and scores a
/// whole log (12 runs of 8,000 deals take 0.8 s on this project's 2-core machine, README;
/// longer at a scenario's own size), and the sweep keeps every run's summary rows (segments ×
/// indicators, about 10 KB) until it writes them: 10,000 runs are tens of minutes and about
/// 100 MB, room for a hundred points with a hundred seeds each. 2^64 − 1 replicates, accepted
/// before, ran for ever.
pub const MAX_RUNS: u64 = 10_000;

/// `--replicates` must be at least 1 and, times the grid's points, at most [`MAX_RUNS`]:
/// checked before the grid is built, which a count of points beyond it would not fit in memory.
fn check_run_count(job: &SweepJob<'_>) -> Result<(), InputError> {
    let replicates = job.replicates;
    if replicates == 0 {
        return Err(InputError::new("--replicates", "must be at least 1, got 0"));
    }
    let points = job
        .settings
        .iter()
        .fold(1u64, |n, s| n.saturating_mul(s.values.len() as u64));
    if points.saturating_mul(replicates) > MAX_RUNS {
        let plural = |n: u64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        return Err(InputError::new(
            "--replicates",
            format!(
                "expected at most {MAX_RUNS} runs (points × replicates), got {} × {}: each run \
                 simulates and scores a whole log; lower --replicates or give fewer values",
                plural(points, "point"),
                plural(replicates, "replicate")
            ),
        ));
    }
    Ok(())
}

/// The seeds of a point's replicates: `first` and the `replicates − 1` after it, all at most
/// `i64::MAX`, the largest seed a scenario file holds and so `run --seed` takes: every run of
/// a sweep can be rerun alone. Seeds past it were taken, or wrapped around to 0.
fn replicate_seeds(first: u64, replicates: u64) -> Result<RangeInclusive<u64>, InputError> {
    let last = u128::from(first) + u128::from(replicates) - 1;
    match u64::try_from(last) {
        Ok(last) if last <= i64::MAX as u64 => Ok(first..=last),
        _ => Err(InputError::new(
            "--replicates",
            format!(
                "the seeds {first} to {last} run past {}, the largest seed a scenario file \
                 (and `run --seed`) takes; lower --seed (the scenario's seed when none is given) \
                 or --replicates",
                i64::MAX
            ),
        )),
    }
}

/// Whether writing fields `a` and `b` (name-resolved paths) touches the same value: the same
/// field, or one inside the other (`segments[smb].reps` and `segments[smb].reps.count`).
fn overlaps(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    within(a, b) || within(b, a)
}

/// Every point of the grid, first setting slowest, each checked as a scenario file is. An
/// invalid point is an error naming the settings that made it.
pub fn points(job: &SweepJob<'_>) -> Result<Vec<Point>, InputError> {
    let base: DocumentMut = job.base.parse().map_err(|e: toml_edit::TomlError| {
        InputError::new(job.origin, e.message().trim_end().to_string())
    })?;
    if let Some(s) = job.settings.iter().find(|s| s.path == "seed") {
        return Err(InputError::new(
            format!("--set {}", s.path),
            "the seed is not a scenario variant: --seed sets the first seed of every point, \
             --replicates how many seeds each point runs",
        ));
    }
    check_run_count(job)?;
    let mut seen = std::collections::HashSet::new();
    if let Some(s) = job.settings.iter().find(|s| !seen.insert(s.path.as_str())) {
        return Err(InputError::new(
            format!("--set {}", s.path),
            "set twice: give all its values in one --set",
        ));
    }
    let mut grid: Vec<Vec<usize>> = vec![Vec::new()];
    for s in job.settings {
        grid = grid
            .into_iter()
            .flat_map(|g| {
                (0..s.values.len()).map(move |i| {
                    let mut g = g.clone();
                    g.push(i);
                    g
                })
            })
            .collect();
    }
    grid.into_iter()
        .map(|choice| {
            let mut doc = base.clone();
            let mut said = Vec::new();
            // Each field written, and by which setting: two settings writing one field would
            // make the later one win silently, and the grid would hold repeated scenarios.
            let mut written: Vec<(String, &str)> = Vec::new();
            for (s, &i) in job.settings.iter().zip(&choice) {
                let value = &s.values[i];
                said.push(format!("{}={value}", s.path));
                let origin = || format!("--set {}", s.path);
                let places = s
                    .apply(&mut doc, value)
                    .map_err(|m| InputError::new(origin(), m))?;
                for place in places {
                    if let Some((field, by)) = written.iter().find(|(w, _)| overlaps(w, &place)) {
                        return Err(InputError::new(
                            origin(),
                            format!(
                                "writes `{place}`, and --set {by} writes `{field}`: give each \
                                 field one --set, or the later would override the earlier"
                            ),
                        ));
                    }
                    written.push((place, s.path.as_str()));
                }
            }
            let origin = format!("{} with {}", job.origin, said.join(", "));
            let mut scenario = Scenario::parse(&doc.to_string(), &origin).map_err(|e| {
                // Lines of the rewritten file would mislead: the field path says where.
                InputError {
                    position: None,
                    ..e
                }
            })?;
            if let Some(seed) = job.first_seed {
                scenario = scenario.with_seed(seed);
            }
            let seeds = replicate_seeds(scenario.seed, job.replicates)?;
            if let Some(n) = job.deals {
                scenario = scenario.with_target_deals(n, &format!("--deals for {origin}"))?;
            }
            // A run without deals has nothing to score; with 50 expected, no draw comes to 0.
            if crate::sim::expected_deals(&scenario) < 50.0 {
                for seed in seeds.clone() {
                    let run = scenario.with_seed(seed);
                    if crate::sim::Engine::new(&run).deal_count() == 0 {
                        return Err(crate::simulate::no_deal(&origin, &run));
                    }
                }
            }
            Ok(Point {
                values: job
                    .settings
                    .iter()
                    .zip(&choice)
                    .map(|(s, &i)| s.values[i].to_string())
                    .collect(),
                scenario,
                seeds,
            })
        })
        .collect()
}

/// Deal counts of one segment (or all) in one simulated log.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentCounts {
    pub segment: String,
    pub deals: u64,
    pub won: u64,
    pub lost: u64,
    pub open: u64,
}

impl SegmentCounts {
    /// Won among closed deals; `None` when none closed.
    pub fn win_rate(&self) -> Option<f64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| self.won as f64 / closed as f64)
    }
}

/// One simulated and scored log of the sweep.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// Index into the grid ([`points`]).
    pub point: usize,
    pub seed: u64,
    pub segments: Vec<SegmentCounts>,
    pub summary: Vec<SummaryRow>,
    /// With `--cluster rep`, the segments with too few reps to trust their intervals
    /// ([`scoring::cluster_warning`]): a segment under 5 reps gets none, so no indicator
    /// becomes reliable there, which the table alone would pass off as a finding.
    pub cluster_warning: Option<String>,
    /// The segments where some score has an interval, so that "never reliable" is a verdict
    /// ([`scoring::reliability_judged`]); elsewhere the table says "–".
    pub judged: Vec<String>,
}

/// Counts per segment in the scenario's order, then all segments pooled.
fn counts(log: &Log, scenario: &Scenario) -> Vec<SegmentCounts> {
    let mut rows: Vec<SegmentCounts> = scenario
        .segments
        .iter()
        .map(|s| s.name.clone())
        .chain([POOLED.to_string()])
        .map(|segment| SegmentCounts {
            segment,
            deals: 0,
            won: 0,
            lost: 0,
            open: 0,
        })
        .collect();
    let pooled = rows.len() - 1;
    for d in &log.deals {
        let name = log.symbols.name(d.segment);
        let own = rows.iter().position(|r| r.segment == name);
        for i in own.into_iter().chain([pooled]) {
            let r = &mut rows[i];
            r.deals += 1;
            match d.outcome {
                Outcome::Won => r.won += 1,
                Outcome::Lost => r.lost += 1,
                Outcome::Open => r.open += 1,
            }
        }
    }
    rows
}

/// Simulates and scores one point with one seed, in memory.
fn run_one(job: &SweepJob<'_>, point: usize, scenario: &Scenario) -> SweepRun {
    let (log, truth) = collect_log(&Engine::new(scenario));
    let truth: Option<Vec<f64>> = job.with_truth.then(|| {
        truth
            .iter()
            .map(|t| t.health_logit + t.process_logit)
            .collect()
    });
    let maps = StageMaps::new(scenario, &log);
    let window_end = log.window_end(Some(scenario.end));
    let mut panel = indicators::evaluate(
        &log,
        job.indicators,
        truth.as_deref(),
        &maps,
        job.landmarks,
        window_end,
    );
    indicators::set_aside_inert(&mut panel, job.indicators, &log);
    let options = ScoreOptions {
        seed: scenario.seed,
        ..job.options.clone()
    };
    let rows = scoring::score(&panel, &options);
    let segments: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.segment.as_str()).collect();
    let judged = segments
        .into_iter()
        .filter(|s| scoring::reliability_judged(&rows, s))
        .map(String::from)
        .collect();
    SweepRun {
        point,
        seed: scenario.seed,
        segments: counts(&log, scenario),
        judged,
        summary: scoring::summarise(&rows, options.target),
        cluster_warning: scoring::cluster_warning(&panel, options.cluster),
    }
}

/// Runs every point with every seed, in grid order (each run uses every thread, so the runs
/// themselves go one after another); `progress` hears of each finished run.
pub fn sweep(job: &SweepJob<'_>, points: &[Point], progress: impl Fn()) -> Vec<SweepRun> {
    let mut runs = Vec::new();
    for (i, p) in points.iter().enumerate() {
        for seed in p.seeds.clone() {
            let scenario = p.scenario.with_seed(seed);
            runs.push(run_one(job, i, &scenario));
            progress();
        }
    }
    runs
}

/// One `--set` in `sweep.json`.
#[derive(Serialize)]
struct SettingRecord<'a> {
    path: &'a str,
    values: Vec<String>,
}

/// [`ScoreOptions`] without its seed, for `sweep.json`.
#[derive(Serialize)]
struct ScoringRecord<'a> {
    censoring: &'a scoring::Censoring,
    interval: scoring::IntervalMethod,
    bootstrap: usize,
    cluster: Cluster,
    min_class: usize,
    target: f64,
    confidence: f64,
    bootstrap_seed: &'static str,
}

/// The record in `sweep.json`.
#[derive(Serialize)]
struct Record<'a> {
    tool: &'static str,
    version: &'static str,
    /// The command line, quoted for a POSIX shell ([`crate::shell::command_line`]).
    command: &'a str,
    scenario: &'a str,
    settings: Vec<SettingRecord<'a>>,
    /// The first seed of every point (the scenario's unless `--seed`); replicates use the
    /// seeds after it.
    first_seed: u64,
    replicates: u64,
    deals: Option<u64>,
    landmarks: &'a [u32],
    /// The scoring options but the seed: each run's bootstrap is seeded by its simulation's
    /// seed (as `run` seeds it), so no one seed stands for the sweep.
    scoring: ScoringRecord<'a>,
    indicators: Vec<&'a str>,
    with_truth: bool,
    points: usize,
    runs: usize,
}

fn csv_text(header: Vec<String>, rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for record in std::iter::once(header).chain(rows) {
        w.write_record(&record).expect("writing into memory");
    }
    w.into_inner().expect("writing into memory")
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
}

/// `sweep.csv`, `sweep_segments.csv`, `sweep.json` and the page ([`page`]) into `dir`, which
/// then replaces `out`
/// whole (created before the sweep, so that an `--out` it may not replace is refused before
/// any work).
pub fn write(
    job: &SweepJob<'_>,
    points: &[Point],
    runs: &[SweepRun],
    command: &str,
    dir: OutputDir,
    out: &Path,
) -> Result<(), Error> {
    use crate::error::IoContext;
    let lead = |run: &SweepRun| {
        let mut cells = vec![(run.point + 1).to_string()];
        cells.extend(points[run.point].values.iter().cloned());
        cells.push(run.seed.to_string());
        cells
    };
    let header = |rest: &[&str]| {
        let mut h = vec!["point".to_string()];
        h.extend(job.settings.iter().map(|s| s.path.clone()));
        h.push("seed".into());
        h.extend(rest.iter().map(|s| s.to_string()));
        h
    };
    let signal = |name: &str| {
        job.indicators
            .iter()
            .find(|i| i.name == name)
            .map_or(Signal::Truth.name(), |i| i.signal.name())
    };
    let mut scores = Vec::new();
    let mut segments = Vec::new();
    for run in runs {
        for s in &run.summary {
            let mut row = lead(run);
            row.extend([
                s.segment.clone(),
                s.indicator.clone(),
                signal(&s.indicator).to_string(),
                // Empty where the ranking's key does not place the row (no AUC at day 60,
                // never reliable): an alphabetical order is no rank.
                if s.is_ranked() {
                    s.rank.to_string()
                } else {
                    String::new()
                },
                opt(s.earliest_reliable_day),
                opt(s.auc_30),
                opt(s.auc_60),
                opt(s.auc_90),
                s.reliability_judged.to_string(),
            ]);
            scores.push(row);
        }
        for c in &run.segments {
            let mut row = lead(run);
            row.extend([
                c.segment.clone(),
                c.deals.to_string(),
                c.won.to_string(),
                c.lost.to_string(),
                c.open.to_string(),
                opt(c.win_rate()),
            ]);
            segments.push(row);
        }
    }
    let record = Record {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        command,
        scenario: job.origin,
        settings: job
            .settings
            .iter()
            .map(|s| SettingRecord {
                path: &s.path,
                values: s.values.iter().map(|v| v.to_string()).collect(),
            })
            .collect(),
        first_seed: points.first().map_or(0, |p| p.scenario.seed),
        replicates: job.replicates,
        deals: job.deals,
        landmarks: job.landmarks,
        scoring: ScoringRecord {
            censoring: &job.options.censoring,
            interval: job.options.interval,
            bootstrap: job.options.bootstrap,
            cluster: job.options.cluster,
            min_class: job.options.min_class,
            target: job.options.target,
            confidence: job.options.confidence,
            bootstrap_seed: "each run's simulation seed",
        },
        indicators: job.indicators.iter().map(|i| i.name.as_str()).collect(),
        with_truth: job.with_truth,
        points: points.len(),
        runs: runs.len(),
    };
    let mut json = serde_json::to_vec_pretty(&record).expect("plain data serialises");
    json.push(b'\n');
    let html = page::render(job, points, runs).map_err(|e| Error::Io {
        context: format!("drawing the plots of {}", out.display()),
        source: std::io::Error::other(e.to_string()),
    })?;
    let files = [
        (
            SWEEP_CSV,
            csv_text(
                header(&[
                    "segment",
                    "indicator",
                    "signal",
                    "rank",
                    "earliest_reliable_day",
                    "auc_30",
                    "auc_60",
                    "auc_90",
                    "reliability_judged",
                ]),
                scores,
            ),
        ),
        (
            SEGMENTS_CSV,
            csv_text(
                header(&["segment", "deals", "won", "lost", "open", "win_rate"]),
                segments,
            ),
        ),
        (SWEEP_JSON, json),
        (page::INDEX_HTML, html.into_bytes()),
    ];
    for (name, bytes) in files {
        let path = dir.file(name);
        std::fs::write(&path, bytes).context(|| format!("writing {}", path.display()))?;
    }
    dir.commit()
        .context(|| format!("moving the sweep into {}", out.display()))?;
    Ok(())
}

/// Per segment, one line per run: the settings' values, the seed, the win rate, the indicator
/// that warns earliest and from which day ("-", "never" when none becomes reliable, "–" in a
/// segment without any interval, where it cannot be told), and the day the rep's own
/// forecast ([`indicators::baseline`]) becomes reliable.
pub fn table(job: &SweepJob<'_>, points: &[Point], runs: &[SweepRun]) -> String {
    let forecast = job.baseline();
    let widths: Vec<usize> = job
        .settings
        .iter()
        .enumerate()
        .map(|(k, s)| columns::width(s.path.len(), points.iter().map(|p| p.values[k].as_str())))
        .collect();
    let name_width = columns::width(16, job.indicators.iter().map(|i| i.name.as_str()));
    let mut out = String::new();
    let segments: Vec<&str> = runs
        .first()
        .map(|r| r.segments.iter().map(|c| c.segment.as_str()).collect())
        .unwrap_or_default();
    for seg in segments {
        let _ = writeln!(
            out,
            "\nsegment {seg}: the indicator that warns earliest, per point"
        );
        let mut head = String::new();
        for (s, w) in job.settings.iter().zip(&widths) {
            let _ = write!(head, "{:<w$}  ", s.path);
        }
        let _ = writeln!(
            out,
            "{head}{:>10}  {:>5}  {:<name_width$}  {:>9}  {:>9}",
            "seed", "win%", "earliest warning", "from", "forecast"
        );
        for run in runs {
            let mut line = String::new();
            for (v, w) in points[run.point].values.iter().zip(&widths) {
                let _ = write!(line, "{v:<w$}  ");
            }
            let win = run
                .segments
                .iter()
                .find(|c| c.segment == seg)
                .and_then(SegmentCounts::win_rate)
                .map_or_else(|| "-".to_string(), |w| format!("{:.1}", 100.0 * w));
            let rows: Vec<&SummaryRow> = run.summary.iter().filter(|r| r.segment == seg).collect();
            // The first of the ranking warns only if it is reliable at some landmark; else no
            // indicator does (and the first is merely the best AUC, or the first name).
            let top = rows.iter().find(|r| r.rank == 1);
            let first = top.filter(|r| r.earliest_reliable_day.is_some());
            let base = forecast.and_then(|f| rows.iter().find(|r| r.indicator == f));
            let judged = run.judged.iter().any(|s| s == seg);
            // The first of the ranking tells it: its day, else "never" or "–" as judged.
            let from = top.map_or_else(|| "–".to_string(), |r| r.reliable_from_text(judged));
            let _ = writeln!(
                out,
                "{line}{:>10}  {win:>5}  {:<name_width$}  {from:>9}  {:>9}",
                run.seed,
                first.map_or("-", |r| r.indicator.as_str()),
                base.map_or_else(|| "-".to_string(), |r| r.reliable_from_text(judged)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicate_seeds_end_at_the_largest_seed_a_scenario_file_holds() {
        let max = i64::MAX as u64;
        assert_eq!(replicate_seeds(max - 1, 2).unwrap(), max - 1..=max);
        assert_eq!(replicate_seeds(0, 1).unwrap(), 0..=0);
        let e = replicate_seeds(max, 2).unwrap_err().to_string();
        assert!(
            e.contains("the seeds 9223372036854775807 to 9223372036854775808"),
            "{e}"
        );
        assert!(replicate_seeds(u64::MAX, 1).is_err());
    }
}

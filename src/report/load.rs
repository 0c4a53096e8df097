//! Reads back the saved tables of a run directory: everything the report shows comes from
//! here, nothing is recomputed from events.
//!
//! Required: `indicator_summary.csv`, `scores.csv`, `scores.json` (written by `score`).
//! Optional: `manifest.json` (only simulated runs have one), the descriptive tables of
//! [`super::tables`] (older run directories lack them), `tradeoffs.csv`, `deadlines.csv` and
//! `policy.toml` (written by the tuner). A malformed file is an [`InputError`] naming the file, line and column.

use crate::scoring::IntervalMethod;
use crate::stats::bootstrap::Cluster;
use std::borrow::Cow;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::tables::{CohortRow, CycleRow, FunnelRow, InflowRow, ReportTables};
use super::tables::{COHORT_CSV, CYCLE_CSV, FUNNEL_CSV, INFLOW_CSV};
use crate::error::{csv_error, deserialize_record, finite_number, json_error, InputError};
use crate::export::scores::{SCORES_CSV, SCORES_JSON, SUMMARY_CSV};
use crate::export::tuning::POLICY_TOML;
pub use crate::export::tuning::{DEADLINES_CSV, TRADEOFFS_CSV};
use crate::indicators::Signal;
use crate::output::FileSet;
use crate::policy::Policy;
use crate::scoring::{ScoreRow, SummaryRow};
use crate::tuning::deadlines::DeadlineRow;
use crate::tuning::{Objective, TradeoffRow};

pub const MANIFEST_JSON: &str = "manifest.json";

pub use crate::indicators::BASELINE_INDICATOR;

/// What `scores.json` says about the scoring run (its tables are read from the CSVs).
#[derive(Debug, Clone, Deserialize)]
pub struct ScoresMeta {
    pub version: String,
    pub with_truth: bool,
    pub landmarks: Vec<u32>,
    pub options: OptionsMeta,
    pub window_end: String,
    pub warnings: Vec<String>,
    pub indicators: Vec<IndicatorMeta>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OptionsMeta {
    pub censoring: CensoringMeta,
    /// How the intervals were made; scores.json written before there was a choice: bootstrap.
    #[serde(default = "IntervalMethod::before_choice")]
    pub interval: IntervalMethod,
    pub bootstrap: usize,
    /// What the bootstrap resampled; scores.json written before reps could be: deals.
    #[serde(default)]
    pub cluster: Cluster,
    pub min_class: usize,
    pub target: f64,
    pub confidence: f64,
    pub seed: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CensoringMeta {
    pub mode: String,
    pub horizon: Option<f64>,
}

impl CensoringMeta {
    /// The mode as the report and `summary.md` name it, with the IPCW horizon, which decides
    /// what counts as a loss: `ipcw (horizon 60 calendar days)`.
    pub fn describe(&self) -> String {
        format!("{}{}", self.mode, self.horizon_text())
    }

    /// What [`describe`](Self::describe) adds to the mode: ` (horizon 60 calendar days)`
    /// under IPCW, else nothing (for `summary.md`, which sets the mode as code).
    pub fn horizon_text(&self) -> String {
        self.horizon
            .map_or(String::new(), |h| format!(" (horizon {h} calendar days)"))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct IndicatorMeta {
    pub name: String,
    pub description: String,
    pub direction: String,
    /// Who controls the signal: `rep`, `process`, `client`, `external`, `forecast`, `static`, `truth`.
    pub signal: String,
}

/// Everything in a run directory the report uses.
#[derive(Debug, Clone)]
pub struct RunData {
    pub summary: Vec<SummaryRow>,
    pub scores: Vec<ScoreRow>,
    pub meta: ScoresMeta,
    /// `manifest.json` as written by `simulate`; `None` for an imported log.
    pub manifest: Option<serde_json::Value>,
    /// `None` when the run directory predates the descriptive tables.
    pub tables: Option<ReportTables>,
    /// `None` when the tuner has not been run.
    pub tradeoffs: Option<Vec<TradeoffRow>>,
    /// `policy.toml`, when the tuner has run: the chosen rules with their figures on the
    /// tuning and the held-out deals.
    pub policy: Option<Policy>,
    /// `deadlines.csv`, when the tuner has run: step deadlines from experience.
    pub deadlines: Option<Vec<DeadlineRow>>,
}

/// Checks that the scoring tables hold a row for every indicator and segment
/// (`indicator_summary.csv`) and every indicator, segment and landmark (`scores.csv`), as
/// `dealsim score` writes them. A table cut at a line break parses cleanly, so without this an
/// empty or truncated `scores.csv` rendered a report without intervals, and exit code 0.
fn check_complete(
    dir: &Path,
    meta: &ScoresMeta,
    summary: &[SummaryRow],
    scores: &[ScoreRow],
) -> Result<(), InputError> {
    let mut segments: Vec<&str> = summary
        .iter()
        .map(|r| r.segment.as_str())
        .chain(scores.iter().map(|r| r.segment.as_str()))
        .collect();
    segments.sort_unstable();
    segments.dedup();
    let (indicators, landmarks) = (meta.indicators.len(), meta.landmarks.len());
    let per_segment = indicators * segments.len();
    for (name, rows, want, what) in [
        (SUMMARY_CSV, summary.len(), per_segment, String::new()),
        (
            SCORES_CSV,
            scores.len(),
            per_segment * landmarks,
            format!(" × {landmarks} landmarks"),
        ),
    ] {
        if rows != want {
            return Err(InputError::new(
                dir.join(name).display().to_string(),
                format!(
                    "has {rows} rows, but {indicators} indicators × {} segments{what} \
                     ({SCORES_JSON} and the tables) call for {want}: a file cut short or \
                     edited by hand?",
                    segments.len()
                ),
            )
            .at_position(rows + 1, 0));
        }
    }
    Ok(())
}

impl RunData {
    /// Reads the run directory `dir`; a missing required table or a malformed one is an
    /// [`InputError`] (the report is rendered only from complete, valid tables).
    pub fn load(dir: &Path) -> Result<RunData, InputError> {
        RunData::read(&FileSet::new(dir))
    }

    /// Reads the tables `set` will hold once written: its own over its directory's.
    pub fn read(set: &FileSet) -> Result<RunData, InputError> {
        let dir = set.dir();
        let summary: Vec<SummaryRow> = read_csv_required(set, SUMMARY_CSV)?;
        let scores: Vec<ScoreRow> = read_csv_required(set, SCORES_CSV)?;
        let meta: ScoresMeta = read_json(set, SCORES_JSON)?.ok_or_else(|| {
            InputError::new(dir.join(SCORES_JSON).display().to_string(), "missing")
        })?;
        check_complete(dir, &meta, &summary, &scores)?;
        let manifest: Option<serde_json::Value> = read_json(set, MANIFEST_JSON)?;
        let funnel: Option<Vec<FunnelRow>> = read_csv_opt(set, FUNNEL_CSV)?;
        let cycles: Option<Vec<CycleRow>> = read_csv_opt(set, CYCLE_CSV)?;
        let inflow: Option<Vec<InflowRow>> = read_csv_opt(set, INFLOW_CSV)?;
        let cohorts: Option<Vec<CohortRow>> = read_csv_opt(set, COHORT_CSV)?;
        let tables = match (funnel, cycles, inflow, cohorts) {
            (Some(funnel), Some(cycles), Some(inflow), Some(cohorts)) => Some(ReportTables {
                funnel,
                cycles,
                inflow,
                cohorts,
            }),
            _ => None,
        };
        let tradeoffs = read_csv_opt(set, TRADEOFFS_CSV)?;
        let deadlines = read_csv_opt(set, DEADLINES_CSV)?;
        let policy = match read_optional(set, POLICY_TOML)? {
            Some((bytes, origin)) => {
                let text = std::str::from_utf8(&bytes).map_err(|e| {
                    InputError::new(&origin, format!("cannot read the policy: {e}"))
                })?;
                Some(Policy::parse(text, &origin)?)
            }
            None => None,
        };
        Ok(RunData {
            summary,
            scores,
            meta,
            manifest,
            tables,
            tradeoffs,
            policy,
            deadlines,
        })
    }

    /// The alerts per rep per week the tuner's rules had to stay within (`policy.toml`);
    /// `None` without a policy or when it was tuned to another objective.
    pub fn alert_budget(&self) -> Option<f64> {
        match self.policy.as_ref()?.tuning.as_ref()?.objective {
            Objective::Budget {
                alerts_per_rep_week,
            } => Some(alerts_per_rep_week),
            _ => None,
        }
    }

    /// Segments in the order of `indicator_summary.csv` (the pooled `all` last, as written).
    pub fn segments(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.summary {
            if !out.contains(&r.segment.as_str()) {
                out.push(&r.segment);
            }
        }
        out
    }

    /// What `scores.json` says about an indicator (signal, direction, description).
    pub fn indicator(&self, name: &str) -> Option<&IndicatorMeta> {
        self.meta.indicators.iter().find(|i| i.name == name)
    }

    /// The rep's own forecast, the baseline every indicator is compared against:
    /// [`BASELINE_INDICATOR`] when scored, else the first indicator whose signal is the
    /// forecast (a custom indicator file may name it differently).
    pub fn baseline(&self) -> Option<&str> {
        crate::indicators::baseline(
            self.meta
                .indicators
                .iter()
                .filter(|i| i.signal == Signal::Forecast.name())
                .map(|i| i.name.as_str()),
        )
    }

    /// The summary rows of a segment, best rank first.
    pub fn ranking(&self, segment: &str) -> Vec<&SummaryRow> {
        let mut rows: Vec<&SummaryRow> = self
            .summary
            .iter()
            .filter(|r| r.segment == segment)
            .collect();
        rows.sort_by_key(|r| r.rank);
        rows
    }

    /// The heading of the AUC column for deal age `day`: "AUC day 30", naming the landmark that
    /// stands for it when it is another ("AUC day 30 (landmark 28)", with weekly landmarks),
    /// or that none does.
    pub fn auc_day_label(&self, day: u32) -> String {
        match crate::scoring::summary::landmark_near(&self.meta.landmarks, day) {
            Some(l) if l == day => format!("AUC day {day}"),
            Some(l) => format!("AUC day {day} (landmark {l})"),
            None => format!("AUC day {day} (no landmark near)"),
        }
    }

    /// The `scores.csv` row at the landmark that stands for `day`, as the summary's
    /// `auc_30`/`auc_60`/`auc_90` columns pick it ([`crate::scoring::summary::landmark_near`]).
    pub fn score_near(&self, indicator: &str, segment: &str, day: u32) -> Option<&ScoreRow> {
        let landmark = crate::scoring::summary::landmark_near(&self.meta.landmarks, day)?;
        self.scores.iter().find(|r| {
            r.indicator == indicator && r.segment == segment && r.landmark_day == landmark
        })
    }
}

fn read_csv_required<T: DeserializeOwned + Numbers>(
    set: &FileSet,
    name: &str,
) -> Result<Vec<T>, InputError> {
    read_csv_opt(set, name)?.ok_or_else(|| {
        InputError::new(
            set.dir().join(name).display().to_string(),
            "missing; expected a run directory written by `dealsim run` or `dealsim score`",
        )
    })
}

/// A file's bytes and its path for messages.
type Named<'s> = (Cow<'s, [u8]>, String);

/// The bytes `name` of `set` will have and its path for messages; `None` when it has none.
fn read_optional<'s>(set: &'s FileSet, name: &str) -> Result<Option<Named<'s>>, InputError> {
    let origin = set.dir().join(name).display().to_string();
    match set.read(name) {
        Ok(bytes) => Ok(bytes.map(|b| (b, origin))),
        Err(e) => Err(InputError::new(origin, format!("cannot read: {e}"))),
    }
}

/// Reads `name` of `set` as CSV rows of `T`; `None` when the file does not exist. A table
/// without rows (its header only; an empty file from versions before) gives no rows. A number
/// that is not finite where the writer never puts one ([`Number`]) is refused here, named by
/// line and column, rather than left to fail the chart builder or to print as "inf".
fn read_csv_opt<T: DeserializeOwned + Numbers>(
    set: &FileSet,
    name: &str,
) -> Result<Option<Vec<T>>, InputError> {
    let Some((bytes, origin)) = read_optional(set, name)? else {
        return Ok(None);
    };
    let mut reader = csv::Reader::from_reader(&*bytes);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&origin, None, &e))?
        .clone();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(&origin, None, &e))?
    {
        let row: T = deserialize_record(&origin, &headers, &record)?;
        if let Some((column, message)) = row.numbers().into_iter().find_map(Number::problem) {
            let line = record.position().map_or(0, |p| p.line() as usize);
            let at = headers
                .iter()
                .position(|h| h == column)
                .map_or(0, |i| i + 1);
            return Err(
                InputError::new(&origin, format!("column `{column}`: {message}"))
                    .at_position(line, at),
            );
        }
        rows.push(row);
    }
    Ok(Some(rows))
}

/// A number of a saved table's row, by column, and what its writer puts there.
enum Number {
    /// Written empty when missing (an AUC that could not be computed, a cohort without
    /// closed deals), so NaN is as foreign as infinity.
    Optional(&'static str, Option<f64>),
    /// The tuner's figures: NaN stands for undefined (no caught loss has a lead time), as in
    /// `policy.toml`; only infinity is foreign.
    Figure(&'static str, f64),
    /// An [`Number::Optional`] that is a share or a probability (an AUC, its bounds, a win
    /// rate): outside [0, 1] it is no value dealsim wrote (an AUC of 1.7 was drawn as one).
    OptionalShare(&'static str, Option<f64>),
    /// A [`Number::Figure`] that is a share or a probability (a recall, a p-value).
    FigureShare(&'static str, f64),
}

impl Number {
    /// The column and what was expected, if the value is not one its writer would put there.
    fn problem(self) -> Option<(&'static str, String)> {
        let share = |x: f64| (0.0..=1.0).contains(&x);
        let (column, checked) = match self {
            Number::Optional(column, Some(x)) => {
                (column, finite_number(x, "(or empty: missing)", |_| true))
            }
            Number::Figure(column, x) if !x.is_nan() => {
                (column, finite_number(x, "(or NaN: undefined)", |_| true))
            }
            Number::OptionalShare(column, Some(x)) => (
                column,
                finite_number(x, "in [0, 1] (or empty: missing)", share),
            ),
            Number::FigureShare(column, x) if !x.is_nan() => (
                column,
                finite_number(x, "in [0, 1] (or NaN: undefined)", share),
            ),
            _ => return None,
        };
        checked.err().map(|message| (column, message))
    }
}

/// The numbers of a row the report reads back (see [`Number`]).
trait Numbers {
    fn numbers(&self) -> Vec<Number>;
}

impl Numbers for ScoreRow {
    fn numbers(&self) -> Vec<Number> {
        vec![
            Number::OptionalShare("auc", self.auc),
            Number::OptionalShare("ci_lo", self.ci_lo),
            Number::OptionalShare("ci_hi", self.ci_hi),
        ]
    }
}

impl Numbers for SummaryRow {
    fn numbers(&self) -> Vec<Number> {
        vec![
            Number::OptionalShare("auc_30", self.auc_30),
            Number::OptionalShare("auc_60", self.auc_60),
            Number::OptionalShare("auc_90", self.auc_90),
        ]
    }
}

impl Numbers for TradeoffRow {
    fn numbers(&self) -> Vec<Number> {
        vec![
            Number::Figure("threshold", self.threshold),
            Number::FigureShare("recall", self.recall),
            Number::FigureShare("false_alarm_rate", self.false_alarm_rate),
            Number::FigureShare("precision", self.precision),
            Number::Figure("alerts_per_rep_week", self.alerts_per_rep_week),
            Number::Figure("median_lead_days", self.median_lead_days),
        ]
    }
}

impl Numbers for DeadlineRow {
    fn numbers(&self) -> Vec<Number> {
        vec![
            Number::Figure("current_days", self.current_days),
            Number::Optional("won_median_days", self.won_median_days),
            Number::Optional("lost_median_days", self.lost_median_days),
            Number::FigureShare("current_catch", self.current_catch),
            Number::FigureShare("current_false_alarm", self.current_false_alarm),
            Number::Figure("proposed_days", self.proposed_days),
            Number::FigureShare("proposed_catch", self.proposed_catch),
            Number::FigureShare("proposed_false_alarm", self.proposed_false_alarm),
            Number::FigureShare("separation_p_value", self.separation_p_value),
            Number::FigureShare("separation_p_holm", self.separation_p_holm),
        ]
    }
}

impl Numbers for CohortRow {
    fn numbers(&self) -> Vec<Number> {
        vec![Number::OptionalShare("win_rate", self.win_rate)]
    }
}

/// Tables of counts only.
macro_rules! no_numbers {
    ($($row:ty),*) => {$(
        impl Numbers for $row {
            fn numbers(&self) -> Vec<Number> {
                Vec::new()
            }
        }
    )*};
}
no_numbers!(FunnelRow, CycleRow, InflowRow);

fn read_json<T: DeserializeOwned>(set: &FileSet, name: &str) -> Result<Option<T>, InputError> {
    let Some((bytes, origin)) = read_optional(set, name)? else {
        return Ok(None);
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de)
        .map(Some)
        .map_err(|e| json_error(&origin, e.inner()).at_field(e.path().to_string()))
}

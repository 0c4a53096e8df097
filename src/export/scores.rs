//! Scoring results: `scores.csv`, `indicator_summary.csv` and `scores.json`.

use serde::Serialize;

use crate::indicators::IndicatorInfo;
use crate::scoring::{ScoreOptions, ScoreRow, SummaryRow};

pub const SCORES_CSV: &str = "scores.csv";
pub const SUMMARY_CSV: &str = "indicator_summary.csv";
pub const SCORES_JSON: &str = "scores.json";
/// The three files of scores `dealsim score` writes (with the report's tables and pages).
pub const FILES: [&str; 3] = [SCORES_CSV, SUMMARY_CSV, SCORES_JSON];

/// Everything a scoring run produced, as written to `scores.json`.
#[derive(Debug, Serialize)]
pub struct ScoreReport {
    pub tool: &'static str,
    pub version: &'static str,
    /// True when the research-only truth ceiling is among the indicators.
    pub with_truth: bool,
    pub landmarks: Vec<u32>,
    pub options: ScoreOptions,
    pub window_end: String,
    pub warnings: Vec<String>,
    pub indicators: Vec<IndicatorInfo>,
    pub summary: Vec<SummaryRow>,
    pub scores: Vec<ScoreRow>,
}

/// Rows as CSV bytes with a header from the field names, also without rows: a table without
/// rows is still a table to `pandas.read_csv`, which refuses an empty file (the CRM sample's
/// `funnel.csv`, from a log without step events). The header then comes from a default row.
pub(crate) fn csv_bytes<T: Serialize + Default>(rows: &[T]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).expect("rows of plain fields serialise");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    if !rows.is_empty() {
        return bytes;
    }
    let mut one = csv_bytes(&[T::default()]);
    one.truncate(
        one.iter()
            .position(|&b| b == b'\n')
            .map_or(0, |end| end + 1),
    );
    one
}

impl ScoreReport {
    pub fn scores_csv(&self) -> Vec<u8> {
        csv_bytes(&self.scores)
    }

    pub fn summary_csv(&self) -> Vec<u8> {
        csv_bytes(&self.summary)
    }

    pub fn json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a report always serialises");
        v.push(b'\n');
        v
    }

    /// A compact ranking per segment for the terminal, the segments set apart by a blank
    /// line; none before the first, so that `score`'s stdout starts with content.
    pub fn ranking_table(&self) -> String {
        let fmt = |x: Option<f64>| x.map_or("  -  ".to_string(), |v| format!("{v:.3}"));
        let mut out = String::new();
        let mut at_chance = false;
        if self.with_truth {
            out.push_str(&format!("NOTE: {} is RESEARCH ONLY (hidden ground truth), the ceiling for observable indicators.\n", crate::indicators::TRUTH_INDICATOR));
        }
        let mut segments: Vec<&str> = Vec::new();
        for r in &self.summary {
            if !segments.contains(&r.segment.as_str()) {
                segments.push(&r.segment);
            }
        }
        let width = self
            .indicators
            .iter()
            .map(|i| i.name.len())
            .max()
            .unwrap_or(9)
            .max(9);
        let pooled = segments.contains(&crate::scoring::POOLED);
        for seg in segments {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!(
                "segment {seg}: indicators ranked by how early they warn (AUC target {:.2})\n",
                self.options.target
            ));
            out.push_str(&format!(
                "{:>4}  {:<width$}  {:<8}  {:>14}  {:>6}  {:>6}  {:>6}\n",
                "rank", "indicator", "signal", "reliable from", "AUC30", "AUC60", "AUC90"
            ));
            let mut rows: Vec<&SummaryRow> =
                self.summary.iter().filter(|r| r.segment == seg).collect();
            rows.sort_by_key(|r| r.rank);
            let judged = crate::scoring::reliability_judged(&self.scores, seg);
            for r in rows {
                let reliable_from = r.reliable_from_label(judged, &self.scores);
                at_chance |= reliable_from == "never (chance)";
                let signal = self
                    .indicators
                    .iter()
                    .find(|i| i.name == r.indicator)
                    .map_or("", |i| i.signal.name());
                out.push_str(&format!(
                    "{:>4}  {:<width$}  {:<8}  {:>14}  {:>6}  {:>6}  {:>6}\n",
                    r.rank_text(),
                    r.indicator,
                    signal,
                    reliable_from,
                    fmt(r.auc_30),
                    fmt(r.auc_60),
                    fmt(r.auc_90)
                ));
            }
        }
        out.push_str(&self.auc_columns_note());
        if at_chance {
            out.push_str(&format!("{}\n", crate::scoring::summary::CHANCE_LEGEND));
        }
        if pooled {
            out.push_str(&format!("{}\n", crate::scoring::summary::POOLED_LEGEND));
        }
        out
    }

    /// Which landmarks the AUC30/60/90 columns show, when one is not the day itself (the
    /// default landmarks are weekly: 28, 63, 91), as the report's column heads say.
    fn auc_columns_note(&self) -> String {
        let days = [30, 60, 90];
        let near = days.map(|d| crate::scoring::summary::landmark_near(&self.landmarks, d));
        if near.iter().zip(days).all(|(l, d)| *l == Some(d)) {
            return String::new();
        }
        let shown = near.map(|l| l.map_or("none near".to_string(), |l| l.to_string()));
        format!(
            "\nAUC30, AUC60, AUC90: at landmarks {} (the nearest to days 30, 60, 90)\n",
            shown.join(", ")
        )
    }
}

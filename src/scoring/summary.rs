//! Per indicator and segment: how early it becomes reliable, its AUC at 30/60/90 days, rank.

use serde::{Deserialize, Serialize};

use super::ScoreRow;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SummaryRow {
    pub indicator: String,
    pub segment: String,
    /// First landmark whose CI lower bound is ≥ the target there and at the next two; `None` = never.
    pub earliest_reliable_day: Option<u32>,
    /// AUC at the landmark that stands for day 30 (60, 90): the closest, earlier on ties, if
    /// near enough ([`landmark_near`]).
    pub auc_30: Option<f64>,
    pub auc_60: Option<f64>,
    pub auc_90: Option<f64>,
    /// 1 = warns earliest in its segment (then higher AUC at 60 days; then by name, which
    /// [`rank_text`](Self::rank_text) does not pass off as a rank).
    pub rank: u32,
    /// Whether the scores could show this indicator reliable: some landmark has its AUC with
    /// an interval. Without one (too few deals with a value in a class at every landmark,
    /// say `legal_wait_days` where no deal reaches legal review) an empty
    /// `earliest_reliable_day` means "cannot tell", not "never". Files from before the column
    /// read as `true`, their tables judging by segment alone.
    #[serde(default = "judged_before_the_column")]
    pub reliability_judged: bool,
}

fn judged_before_the_column() -> bool {
    true
}

impl SummaryRow {
    /// Whether the ranking's key places this row: it becomes reliable, or has an AUC at 60
    /// days. The others (too few deals in a class, say) tie and follow by name only.
    pub fn is_ranked(&self) -> bool {
        self.earliest_reliable_day.is_some() || self.auc_60.is_some()
    }

    /// The rank as the tables show it: "–" where the row [`is_ranked`](Self::is_ranked) not,
    /// so that an alphabetical order never reads as "warns earliest".
    pub fn rank_text(&self) -> String {
        if self.is_ranked() {
            self.rank.to_string()
        } else {
            "–".to_string()
        }
    }

    /// When the row becomes reliable as the tables show it: "day 21", "never", or "–" where
    /// its own scores, or its segment's (`judged`, see [`reliability_judged`]), cannot tell.
    pub fn reliable_from_text(&self, judged: bool) -> String {
        match self.earliest_reliable_day {
            Some(d) => format!("day {d}"),
            None if judged && self.reliability_judged => "never".to_string(),
            None => "–".to_string(),
        }
    }

    /// [`reliable_from_text`](Self::reliable_from_text), with "never (chance)" where every
    /// AUC interval of the row in `scores` covers one half ([`chance_everywhere`]): the
    /// terminal and both reports say it alike.
    pub fn reliable_from_label(&self, judged: bool, scores: &[ScoreRow]) -> String {
        match self.reliable_from_text(judged) {
            never
                if never == "never"
                    && chance_everywhere(scores, &self.indicator, &self.segment).is_some() =>
            {
                "never (chance)".to_string()
            }
            text => text,
        }
    }
}

/// What "never (chance)" in the ranking tables means, under them in both reports and the terminal.
pub const CHANCE_LEGEND: &str = "\"never (chance)\": the AUC's 95% interval covers 0.5 at every \
    landmark scored, so nothing shows the indicator tells lost deals from won ones at any age.";

/// What the pooled rows (segment `all`) are, under the ranking tables in both reports and the
/// terminal: pooling compares lost and won deals across segments too, so a segment mix can
/// pass for a signal (a reviewer's within-segment AUC of deal_value at day 63 was 0.498
/// against the pooled 0.529 [0.517, 0.540]).
pub const POOLED_LEGEND: &str = "all: every segment's deals pooled, so lost and won deals of \
    different segments are compared too. An indicator that differs between segments losing at \
    different rates then looks predictive without telling lost from won deals within any of \
    them (deal_value in the default run: at chance in each segment, above 0.5 pooled from day \
    42 to 112, since the slow high-value segments keep more of their losses at risk). Act on \
    a segment's own rows.";

/// The number of landmarks at which `indicator` has an AUC interval in `segment`, when every
/// one of them covers one half: at no deal age is there a sign that it tells lost deals from
/// won ones (DOMAIN.md's legal wait that "may look alarming and still predict nothing").
pub fn chance_everywhere(scores: &[ScoreRow], indicator: &str, segment: &str) -> Option<usize> {
    let intervals: Vec<(f64, f64)> = scores
        .iter()
        .filter(|r| r.indicator == indicator && r.segment == segment)
        .filter_map(|r| Some((r.ci_lo?, r.ci_hi?)))
        .collect();
    let covers = |&(lo, hi): &(f64, f64)| lo <= 0.5 && 0.5 <= hi;
    (!intervals.is_empty() && intervals.iter().all(covers)).then_some(intervals.len())
}

/// Whether `scores` can call an indicator of `segment` "never reliable": only when some
/// score of the segment has an interval. Without any (no AUC at any landmark, or too few
/// reps to resample under `--cluster rep`) "never" would be a verdict the data cannot give.
pub fn reliability_judged(scores: &[ScoreRow], segment: &str) -> bool {
    scores
        .iter()
        .any(|r| r.segment == segment && r.ci_lo.is_some())
}

/// The landmark that stands for deal age `day` in the summary's `auc_30`/`auc_60`/`auc_90`:
/// the closest of `landmarks` (earlier on ties), if it lies within a quarter of `day`, and at
/// least a week, of it. A landmark further away would put another deal age under the day's
/// name (with `--landmarks 60:180:30` the "AUC at day 30" would be day 60's): then none.
pub fn landmark_near(landmarks: &[u32], day: u32) -> Option<u32> {
    landmarks
        .iter()
        .copied()
        .min_by_key(|&l| (l.abs_diff(day), l))
        .filter(|&l| l.abs_diff(day) <= (day / 4).max(7))
}

/// Landmarks in a row whose interval's lower bound must reach the target for an indicator to
/// be called reliable from the first of them: one landmark above the target can be a fluke
/// of that day's deals, a run of three is a level the indicator holds.
pub const RELIABLE_RUN: usize = 3;

/// `rows` must be grouped by indicator and segment with landmarks ascending (as
/// [`super::score`] returns them).
pub fn summarise(rows: &[ScoreRow], target: f64) -> Vec<SummaryRow> {
    let mut out: Vec<SummaryRow> = Vec::new();
    for block in rows.chunk_by(|a, b| a.indicator == b.indicator && a.segment == b.segment) {
        let landmarks: Vec<u32> = block.iter().map(|r| r.landmark_day).collect();
        let reliable = |k: usize| {
            block
                .get(k)
                .and_then(|r| r.ci_lo)
                .is_some_and(|lo| lo >= target)
        };
        let earliest = (0..block.len())
            .find(|&k| (k..k + RELIABLE_RUN).all(reliable))
            .map(|k| block[k].landmark_day);
        let at = |day: u32| {
            landmark_near(&landmarks, day)
                .and_then(|l| block.iter().find(|r| r.landmark_day == l))
                .and_then(|r| r.auc)
        };
        out.push(SummaryRow {
            indicator: block[0].indicator.clone(),
            segment: block[0].segment.clone(),
            earliest_reliable_day: earliest,
            auc_30: at(30),
            auc_60: at(60),
            auc_90: at(90),
            rank: 0,
            reliability_judged: block.iter().any(|r| r.ci_lo.is_some()),
        });
    }
    let segments: Vec<String> =
        out.iter()
            .map(|r| r.segment.clone())
            .fold(Vec::new(), |mut v, s| {
                if !v.contains(&s) {
                    v.push(s);
                }
                v
            });
    for seg in segments {
        let mut idx: Vec<usize> = (0..out.len()).filter(|&i| out[i].segment == seg).collect();
        idx.sort_by(|&a, &b| {
            let key = |r: &SummaryRow| {
                (
                    r.earliest_reliable_day.unwrap_or(u32::MAX),
                    -r.auc_60.unwrap_or(f64::NEG_INFINITY),
                )
            };
            let (ka, kb) = (key(&out[a]), key(&out[b]));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(out[a].indicator.cmp(&out[b].indicator))
        });
        for (rank, i) in idx.into_iter().enumerate() {
            out[i].rank = rank as u32 + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ind: &str, day: u32, auc: f64, lo: f64) -> ScoreRow {
        ScoreRow {
            indicator: ind.into(),
            segment: "s".into(),
            landmark_day: day,
            n_at_risk: 0,
            n_lost: 0,
            n_won: 0,
            n_censored: 0,
            auc: Some(auc),
            ci_lo: Some(lo),
            ci_hi: Some(auc),
            note: String::new(),
            ..ScoreRow::default()
        }
    }

    #[test]
    fn earliest_needs_three_consecutive_landmarks() {
        // Reliable at 14 only once (21 dips), then from 28 on: earliest is 28.
        let rows: Vec<ScoreRow> = [
            (7, 0.6),
            (14, 0.75),
            (21, 0.69),
            (28, 0.71),
            (35, 0.72),
            (42, 0.8),
        ]
        .iter()
        .map(|&(d, lo)| row("a", d, lo + 0.05, lo))
        .chain([7, 14, 21].iter().map(|&d| row("b", d, 0.9, 0.8)))
        .collect();
        let s = summarise(&rows, 0.70);
        assert_eq!(s[0].earliest_reliable_day, Some(28));
        assert_eq!(s[1].earliest_reliable_day, Some(7));
        assert_eq!((s[0].rank, s[1].rank), (2, 1));
        // 30 is closest to 28; 60 and 90 have no landmark near them (42 is 18 days off).
        assert_eq!(s[0].auc_30, Some(0.76));
        assert_eq!((s[0].auc_60, s[0].auc_90), (None, None));
        let default: Vec<u32> = (7..=168).step_by(7).collect();
        let near = |l: &[u32]| [30, 60, 90].map(|d| landmark_near(l, d));
        assert_eq!(near(&default), [Some(28), Some(63), Some(91)]);
        assert_eq!(landmark_near(&[28, 35], 31), Some(28));
        // Within a quarter of the day (at least a week): 70 stands for 60; 45 for 60 (15 days
        // off) but not for 30, 120 not for 90 (30 days off).
        assert_eq!(near(&[7, 28, 49, 70, 91]), [Some(28), Some(70), Some(91)]);
        assert_eq!(near(&[45, 120]), [None, Some(45), None]);
        assert_eq!(near(&[60, 90, 120]), [None, Some(60), Some(90)]);
        assert_eq!(near(&(1..=10).collect::<Vec<_>>()), [None, None, None]);
        // Too few landmarks after a reliable one: never.
        let s = summarise(&[row("c", 7, 0.9, 0.8), row("c", 14, 0.9, 0.8)], 0.7);
        assert_eq!(s[0].earliest_reliable_day, None);
    }

    /// "never" only where the segment has an interval somewhere; "–" where none (no AUC at
    /// any landmark, or no interval under `--cluster rep`) could have shown reliability.
    #[test]
    fn never_reliable_needs_an_interval_in_the_segment() {
        let mut rows = vec![row("a", 7, 0.6, 0.5), row("a", 14, 0.6, 0.5)];
        let s = summarise(&rows, 0.7);
        assert!(reliability_judged(&rows, "s"));
        assert_eq!(s[0].reliable_from_text(true), "never");
        assert!(!reliability_judged(&rows, "other segment"));
        rows[1].ci_lo = None;
        assert!(reliability_judged(&rows, "s"), "one interval is enough");
        rows[0].ci_lo = None;
        assert!(!reliability_judged(&rows, "s"));
        assert_eq!(s[0].reliable_from_text(false), "–");
        let reliable = summarise(&[7, 14, 21].map(|d| row("b", d, 0.9, 0.8)), 0.7);
        assert_eq!(reliable[0].reliable_from_text(false), "day 7");
    }

    /// "never (chance)" where every interval of the row covers one half, "never" as soon as
    /// one lies clear of it (either side), "day d" whatever the intervals.
    #[test]
    fn never_at_chance_where_every_interval_covers_one_half() {
        let mut rows = vec![row("a", 7, 0.5, 0.45), row("a", 14, 0.52, 0.5)];
        for r in &mut rows {
            r.ci_hi = Some(0.55);
        }
        let s = summarise(&rows, 0.7);
        assert_eq!(chance_everywhere(&rows, "a", "s"), Some(2));
        assert_eq!(s[0].reliable_from_label(true, &rows), "never (chance)");
        (rows[1].ci_lo, rows[1].ci_hi) = (Some(0.51), Some(0.6));
        assert_eq!(chance_everywhere(&rows, "a", "s"), None);
        assert_eq!(s[0].reliable_from_label(true, &rows), "never");
        (rows[1].ci_lo, rows[1].ci_hi) = (Some(0.4), Some(0.49));
        assert_eq!(chance_everywhere(&rows, "a", "s"), None);
        assert_eq!(s[0].reliable_from_label(false, &rows), "–");
        let reliable = summarise(&[7, 14, 21].map(|d| row("b", d, 0.9, 0.8)), 0.7);
        assert_eq!(reliable[0].reliable_from_label(true, &rows), "day 7");
    }

    /// Nor "never" for an indicator without an interval of its own at any landmark, in a
    /// segment where others have them: `legal_wait_days` where too few deals reach legal
    /// review.
    #[test]
    fn never_reliable_needs_an_interval_of_the_indicator() {
        let mut untold = [7, 14, 21].map(|d| row("legal", d, 0.6, 0.5));
        for r in &mut untold {
            (r.auc, r.ci_lo, r.ci_hi) = (None, None, None);
        }
        let rows = [vec![row("a", 7, 0.6, 0.5)], untold.to_vec()].concat();
        let s = summarise(&rows, 0.7);
        assert!(reliability_judged(&rows, "s"));
        assert_eq!(
            (s[0].reliability_judged, s[0].reliable_from_text(true)),
            (true, "never".to_string())
        );
        assert_eq!(
            (s[1].reliability_judged, s[1].reliable_from_text(true)),
            (false, "–".to_string())
        );
    }
}

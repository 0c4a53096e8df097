//! At which deal ages an indicator's AUC is clearly above or below the rep's forecast's on
//! the same deals, from the paired intervals `scores.csv` holds (`vs_baseline_ci_lo/hi`).
//!
//! "Warns earlier than the forecast" compares two separate reliability verdicts; a sales
//! manager deciding whether a KPI adds anything to asking the rep needs the paired test at
//! each age. On the default scenario it shows what DOMAIN.md expects of a forecast that
//! "reacts late": the process indicators lead in the first weeks, the forecast from the
//! second month.

use crate::scoring::ScoreRow;

/// What the paired column says, under the ranking tables of both reports.
pub const LEGEND: &str = "AUC vs rep forecast: the landmarks where the 95% interval of the \
    indicator's AUC minus the forecast's, both computed on the deals that have both values, \
    lies above zero (higher) or below it (lower); each landmark's difference is in the \
    vs_baseline columns of scores.csv. The intervals are pointwise, one per landmark: over \
    about 24 landmarks one lone landmark (\"higher day 49\") can be chance, a run of them \
    hardly.";

/// Runs of consecutive landmarks `(first, last)` where the paired 95% interval of the
/// indicator's AUC minus the forecast's lies wholly above zero (`above`) or below (`below`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairedDays {
    /// Where the indicator's AUC is clearly the higher: it tells lost deals from won ones
    /// better than the rep's forecast at those ages.
    pub above: Vec<(u32, u32)>,
    /// Where the forecast's is clearly the higher.
    pub below: Vec<(u32, u32)>,
    /// Whether any landmark has a paired interval: without one (the forecast itself, IPCW,
    /// too few deals) nothing can be told, which is not "no difference".
    pub judged: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Above,
    Below,
    Neither,
}

impl PairedDays {
    /// The runs of `indicator` in `segment`, from `scores` in `scores.csv` order (landmarks
    /// ascending). A landmark without an interval ends a run, as one inside it does.
    pub fn of(scores: &[ScoreRow], indicator: &str, segment: &str) -> Self {
        let mut out = Self::default();
        let mut run: Option<(Side, u32, u32)> = None;
        let rows = scores
            .iter()
            .filter(|r| r.indicator == indicator && r.segment == segment);
        for r in rows {
            let side = match (r.vs_baseline_ci_lo, r.vs_baseline_ci_hi) {
                (Some(lo), Some(hi)) => {
                    out.judged = true;
                    if lo > 0.0 {
                        Side::Above
                    } else if hi < 0.0 {
                        Side::Below
                    } else {
                        Side::Neither
                    }
                }
                _ => Side::Neither,
            };
            run = match run {
                Some((s, first, _)) if s == side => Some((s, first, r.landmark_day)),
                ended => {
                    out.close(ended);
                    Some((side, r.landmark_day, r.landmark_day))
                }
            };
        }
        out.close(run);
        out
    }

    fn close(&mut self, run: Option<(Side, u32, u32)>) {
        match run {
            Some((Side::Above, a, b)) => self.above.push((a, b)),
            Some((Side::Below, a, b)) => self.below.push((a, b)),
            _ => {}
        }
    }

    /// The table cell: "higher days 14–28; lower days 35–112", "no clear difference", or "–"
    /// where nothing can be told.
    pub fn cell(&self) -> String {
        if !self.judged {
            return "–".into();
        }
        let parts: Vec<String> = [("higher", &self.above), ("lower", &self.below)]
            .into_iter()
            .filter(|(_, runs)| !runs.is_empty())
            .map(|(word, runs)| format!("{word} {}", days_text(runs)))
            .collect();
        if parts.is_empty() {
            "no clear difference".into()
        } else {
            parts.join("; ")
        }
    }

    /// The clause the answer adds for its indicator: " On the same deals its AUC is above the
    /// forecast's at days 14–28 and below it at days 35–112 (pointwise paired 95% intervals)." Empty
    /// where nothing can be told.
    pub fn sentence(&self) -> String {
        if !self.judged {
            return String::new();
        }
        let verdict = match (self.above.is_empty(), self.below.is_empty()) {
            (true, true) => "never clearly differs from the forecast's".to_string(),
            (false, true) => format!("is above the forecast's at {}", days_text(&self.above)),
            (true, false) => format!("is below the forecast's at {}", days_text(&self.below)),
            (false, false) => format!(
                "is above the forecast's at {} and below it at {}",
                days_text(&self.above),
                days_text(&self.below)
            ),
        };
        format!(" On the same deals its AUC {verdict} (pointwise paired 95% intervals).")
    }
}

/// Runs of landmarks in words: "day 14", "days 14–28", "days 7, 21–35".
fn days_text(runs: &[(u32, u32)]) -> String {
    let pieces: Vec<String> = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    let plural = runs.len() > 1 || runs.iter().any(|&(a, b)| a != b);
    format!(
        "{} {}",
        if plural { "days" } else { "day" },
        pieces.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of indicator "a" in segment "s" at landmarks 7, 14, …, with these paired intervals.
    fn rows(intervals: &[Option<(f64, f64)>]) -> Vec<ScoreRow> {
        intervals
            .iter()
            .enumerate()
            .map(|(k, ci)| ScoreRow {
                indicator: "a".into(),
                segment: "s".into(),
                landmark_day: 7 * (k as u32 + 1),
                vs_baseline: ci.map(|(lo, hi)| (lo + hi) / 2.0),
                vs_baseline_ci_lo: ci.map(|c| c.0),
                vs_baseline_ci_hi: ci.map(|c| c.1),
                ..ScoreRow::default()
            })
            .collect()
    }

    const ABOVE: Option<(f64, f64)> = Some((0.01, 0.05));
    const BELOW: Option<(f64, f64)> = Some((-0.05, -0.01));
    const ZERO: Option<(f64, f64)> = Some((-0.02, 0.03));

    #[test]
    fn runs_of_landmarks_split_by_side_and_by_a_missing_interval() {
        // 7 above, 14 straddles, 21–35 above, 42 none, 49 above, 56–63 below.
        let scores = rows(&[ABOVE, ZERO, ABOVE, ABOVE, ABOVE, None, ABOVE, BELOW, BELOW]);
        let p = PairedDays::of(&scores, "a", "s");
        assert_eq!(p.above, [(7, 7), (21, 35), (49, 49)]);
        assert_eq!(p.below, [(56, 63)]);
        assert_eq!(p.cell(), "higher days 7, 21–35, 49; lower days 56–63");
        assert_eq!(
            p.sentence(),
            " On the same deals its AUC is above the forecast's at days 7, 21–35, 49 and below \
             it at days 56–63 (pointwise paired 95% intervals)."
        );
        // Another indicator's or segment's rows do not count.
        assert_eq!(PairedDays::of(&scores, "b", "s"), PairedDays::default());
        assert_eq!(PairedDays::of(&scores, "a", "t").cell(), "–");
    }

    /// An interval touching zero is not a difference: [0, 0] is the note "the two place every
    /// deal alike".
    #[test]
    fn a_bound_at_zero_is_no_difference() {
        let p = PairedDays::of(
            &rows(&[Some((0.0, 0.0)), Some((0.0, 0.04)), ZERO]),
            "a",
            "s",
        );
        assert!(p.judged);
        assert_eq!(p.cell(), "no clear difference");
        assert_eq!(
            p.sentence(),
            " On the same deals its AUC never clearly differs from the forecast's (pointwise \
             paired 95% intervals)."
        );
        let p = PairedDays::of(&rows(&[BELOW]), "a", "s");
        assert_eq!(
            (p.cell().as_str(), p.below.as_slice()),
            ("lower day 7", &[(7, 7)][..])
        );
        assert!(p.sentence().contains("is below the forecast's at day 7 "));
    }

    /// No paired interval anywhere (IPCW, the forecast itself): nothing is claimed.
    #[test]
    fn without_intervals_nothing_is_said() {
        let p = PairedDays::of(&rows(&[None, None]), "a", "s");
        assert!(!p.judged);
        assert_eq!((p.cell().as_str(), p.sentence().as_str()), ("–", ""));
    }
}

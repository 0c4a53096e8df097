//! The answer in words and the ranking tables, shared by the HTML and Markdown reports so
//! both say exactly the same thing.
//!
//! "Warns of a loss from day D" means D is the indicator's earliest reliable day in
//! `indicator_summary.csv`: the first landmark whose bootstrap 95% CI lower bound of the AUC
//! reaches the target there and at the next two landmarks.

use super::load::RunData;
use super::vs_forecast::PairedDays;
use crate::indicators::unit::bound_text;
use crate::indicators::{Direction, TRUTH_INDICATOR};
use crate::scoring::summary::chance_everywhere;
use crate::scoring::{ScoreRow, SummaryRow};
use crate::tuning::rule::confirmation_text;

/// The days of the AUC columns (as in `indicator_summary.csv`).
pub const AUC_DAYS: [u32; 3] = [30, 60, 90];

/// An AUC with three decimals, `–` when it was omitted.
pub fn fmt_auc(x: Option<f64>) -> String {
    x.map_or("–".to_string(), |v| format!("{v:.3}"))
}

/// A gap in days in words: whole weeks when it is a multiple of 7 (landmarks usually are).
pub fn fmt_gap(days: u32) -> String {
    match days {
        1 => "1 day".into(),
        7 => "1 week".into(),
        d if d.is_multiple_of(7) => format!("{} weeks", d / 7),
        d => format!("{d} days"),
    }
}

fn segment_phrase(segment: &str) -> String {
    if segment == crate::scoring::POOLED {
        "Across all segments".to_string()
    } else {
        format!("In {segment}")
    }
}

/// An AUC of the ranking (`None` = omitted) with its 95% CI from `scores.csv`.
#[derive(Debug, Clone, Copy)]
pub struct AucCell {
    pub auc: Option<f64>,
    pub ci: Option<(f64, f64)>,
}

/// One row of a ranking table.
pub struct RankingRow<'a> {
    pub summary: &'a SummaryRow,
    pub signal: String,
    /// "day 21", "never", or "–" in a segment without intervals or without any AUC, where it
    /// cannot be told.
    pub reliable_from: String,
    /// AUC and CI at the landmarks standing for 30/60/90 days (CI from `scores.csv`).
    pub cells: [AucCell; 3],
    /// How much earlier (positive) than the rep's forecast it becomes reliable, in words.
    pub vs_baseline: String,
    /// Where its AUC is clearly above or below the forecast's on the same deals
    /// ([`PairedDays::cell`]); empty for the forecast itself.
    pub vs_baseline_paired: String,
    pub is_baseline: bool,
    pub is_truth: bool,
}

/// The ranking of a segment, best first.
pub fn ranking<'a>(data: &'a RunData, segment: &str) -> Vec<RankingRow<'a>> {
    let baseline = data.baseline();
    let base_day = baseline.and_then(|b| {
        data.ranking(segment)
            .into_iter()
            .find(|r| r.indicator == b)
            .map(|r| r.earliest_reliable_day)
    });
    let judged = crate::scoring::reliability_judged(&data.scores, segment);
    data.ranking(segment)
        .into_iter()
        .map(|r| {
            let cell = |k: usize| {
                let auc = [r.auc_30, r.auc_60, r.auc_90][k];
                let ci = data
                    .score_near(&r.indicator, segment, AUC_DAYS[k])
                    .and_then(|s| Some((s.ci_lo?, s.ci_hi?)));
                AucCell { auc, ci }
            };
            let is_baseline = Some(r.indicator.as_str()) == baseline;
            let vs_baseline = match (is_baseline, r.earliest_reliable_day, base_day) {
                (true, _, _) | (_, _, None) => String::new(),
                (false, None, _) => "–".into(),
                (false, Some(_), Some(None)) => "forecast never".into(),
                (false, Some(d), Some(Some(b))) if d < b => format!("{} earlier", fmt_gap(b - d)),
                (false, Some(d), Some(Some(b))) if d > b => format!("{} later", fmt_gap(d - b)),
                (false, Some(_), Some(Some(_))) => "same day".into(),
            };
            let vs_baseline_paired = if is_baseline || baseline.is_none() {
                String::new()
            } else {
                PairedDays::of(&data.scores, &r.indicator, segment).cell()
            };
            RankingRow {
                summary: r,
                signal: data
                    .indicator(&r.indicator)
                    .map_or(String::new(), |i| i.signal.clone()),
                reliable_from: r.reliable_from_label(judged, &data.scores),
                cells: [cell(0), cell(1), cell(2)],
                vs_baseline,
                vs_baseline_paired,
                is_baseline,
                is_truth: r.indicator == TRUTH_INDICATOR,
            }
        })
        .collect()
}

/// Why no score of `segment` has an interval although some have an AUC (the note of the
/// first such row, e.g. too few reps to resample under `--cluster rep`), if so.
fn no_interval_reason<'a>(data: &'a RunData, segment: &str) -> Option<&'a str> {
    why_none(data, segment, |r| r.ci_lo.is_some(), |r| r.auc.is_some()).map(|r| r.note.as_str())
}

/// Why no score of `segment` has an AUC at any landmark, if so: the note of the first row
/// with one, named with its landmark since the counts it quotes are that day's ("at day 7,
/// fewer than 20 deals in a class (3 lost, 5 won)").
fn no_auc_reason(data: &RunData, segment: &str) -> Option<String> {
    why_none(data, segment, |r| r.auc.is_some(), |_| true)
        .map(|r| format!("at day {}, {}", r.landmark_day, r.note))
}

/// The first `among` row of `segment`'s scores with a note when none `has` a figure.
fn why_none<'a>(
    data: &'a RunData,
    segment: &str,
    has: impl Fn(&ScoreRow) -> bool,
    among: impl Fn(&ScoreRow) -> bool,
) -> Option<&'a ScoreRow> {
    let mut rows = data.scores.iter().filter(|r| r.segment == segment);
    if rows.clone().any(has) {
        return None;
    }
    rows.find(|r| among(r) && !r.note.is_empty())
}

/// The plain-words answer for one segment.
pub fn sentence(data: &RunData, segment: &str) -> String {
    let rows = data.ranking(segment);
    let baseline = data.baseline();
    let horizon = data.meta.landmarks.iter().copied().max().unwrap_or(0);
    let target = data.meta.options.target;
    let base = baseline.and_then(|b| rows.iter().find(|r| r.indicator == b));
    let observable =
        |r: &&&SummaryRow| Some(r.indicator.as_str()) != baseline && r.indicator != TRUTH_INDICATOR;
    let best = rows
        .iter()
        .filter(observable)
        .find(|r| r.earliest_reliable_day.is_some());
    let forecast = |b: &str| format!("the rep's own forecast ({b})");
    let mut s = segment_phrase(segment);
    match (best, base, no_auc_reason(data, segment)) {
        (Some(best), base, _) => {
            let d = best.earliest_reliable_day.unwrap_or_default();
            s.push_str(&format!(
                ", {} warns of a loss from day {d}",
                best.indicator
            ));
            match base.map(|b| (b.indicator.as_str(), b.earliest_reliable_day)) {
                Some((b, Some(bd))) if bd > d => s.push_str(&format!(
                    ", {} before {} does (day {bd}).",
                    fmt_gap(bd - d),
                    forecast(b)
                )),
                Some((b, Some(bd))) if bd == d => {
                    s.push_str(&format!(", as early as {}.", forecast(b)))
                }
                Some((b, Some(bd))) => s.push_str(&format!(
                    "; {} does so earlier, from day {bd}.",
                    forecast(b)
                )),
                Some((b, None)) => s.push_str(&format!(
                    "; {} never does within the first {horizon} days.",
                    forecast(b)
                )),
                None => s.push('.'),
            }
            if base.is_some() {
                s.push_str(&PairedDays::of(&data.scores, &best.indicator, segment).sentence());
            }
        }
        (None, _, Some(why)) => {
            s.push_str(&format!(
                ", no indicator has an AUC at any landmark, so none can be ranked: {why}."
            ));
        }
        (None, base, None) => {
            match no_interval_reason(data, segment) {
                // Nothing can be reliable without an interval: say why rather than "none is".
                Some(why) => s.push_str(&format!(
                    ", no indicator has a confidence interval, so none can be called reliable ({why})."
                )),
                None => {
                    s.push_str(&format!(
                        ", no observable indicator reaches a reliable AUC of {target:.2} within the first {horizon} days"
                    ));
                    match base.and_then(|b| Some((b.indicator.as_str(), b.earliest_reliable_day?))) {
                        Some((b, bd)) => {
                            s.push_str(&format!("; {} does from day {bd}.", forecast(b)))
                        }
                        None if base.is_some() => s.push_str(", nor does the rep's own forecast."),
                        None => s.push_str(
                            " (the indicator set has no rep forecast to compare with).",
                        ),
                    }
                }
            }
            if let Some(top) = rows
                .iter()
                .filter(observable)
                .filter(|r| r.auc_60.is_some())
                .max_by(|a, b| a.auc_60.unwrap_or(0.0).total_cmp(&b.auc_60.unwrap_or(0.0)))
            {
                // Below one half "the best" would be an indicator pointing the wrong way; an
                // interval covering one half is no better than chance, not "the best".
                let ci = data
                    .score_near(&top.indicator, segment, 60)
                    .and_then(|s| Some((s.ci_lo?, s.ci_hi?)));
                if let Some((lo, hi)) = ci.filter(|&(lo, _)| lo <= 0.5) {
                    s.push_str(&format!(
                        " At day 60 none tells lost deals from won ones better than chance (the \
                         highest AUC, {}'s {}, has a {:.0}% interval [{}, {}] that covers 0.5).",
                        top.indicator,
                        fmt_auc(top.auc_60),
                        100.0 * data.meta.options.confidence,
                        fmt_auc(Some(lo)),
                        fmt_auc(Some(hi))
                    ));
                } else if top.auc_60.is_some_and(|a| a > 0.5) {
                    s.push_str(&format!(
                        " The best at day 60 is {} (AUC {}).",
                        top.indicator,
                        fmt_auc(top.auc_60)
                    ));
                } else {
                    s.push_str(&format!(
                        " At day 60 none ranks lost deals above won ones more often than not (the \
                         highest AUC is {}'s, {}).",
                        top.indicator,
                        fmt_auc(top.auc_60)
                    ));
                }
            }
        }
    }
    // The tuner's rules for the segment, whichever indicator they use, in the unit of the
    // measure `policy.toml` records for them.
    for rule in data.tradeoffs.iter().flatten() {
        if rule.segment == segment && rule.chosen {
            let adopted = data
                .policy
                .iter()
                .flat_map(|p| &p.segment)
                .filter(|p| p.name == segment)
                .flat_map(|p| &p.rule)
                .find(|r| r.indicator == rule.indicator);
            let direction = adopted.map_or_else(
                || {
                    let meta = data.indicator(&rule.indicator);
                    direction(meta.map_or("", |i| i.direction.as_str()))
                },
                |r| r.direction,
            );
            let unit = adopted.and_then(|r| r.unit(&[]));
            // The false alarms and the held-out verdict with the recall: "catches 69% of
            // losses" alone reads as a good rule when it also flags 66% of won deals and the
            // held-out deals refute it (the CRM sample).
            let held_out = adopted
                .and_then(|r| r.holdout.as_ref()?.confirmation_p_value)
                .map(|p| format!("; held-out check: {}", confirmation_text(p)))
                .unwrap_or_default();
            s.push_str(&format!(
                " Tuned alert: {} {} by day {} catches {:.0}% of losses at {:.2} alerts per rep per week, with false alarms on {:.1}% of won deals{held_out}.",
                rule.indicator,
                bound_text(direction, rule.threshold, unit, false),
                rule.landmark_day,
                rule.recall * 100.0,
                rule.alerts_per_rep_week,
                rule.false_alarm_rate * 100.0
            ));
            // The tuner's warning lives in policy.md; a page reader deciding on the rule
            // must hear it too (a small team's budget can exceed its deal flow).
            if rule.false_alarm_rate >= crate::tuning::NEARLY_ALL {
                s.push_str(
                    " It flags nearly every deal, so it does not single out the deals at risk: \
                     `policy.md` says why and what to change.",
                );
            }
        }
    }
    // An indicator outside the rep's control that predicts nothing: worth saying, since it
    // is the one a manager would otherwise chase (a long legal wait looks alarming).
    for r in &rows {
        let external = data
            .indicator(&r.indicator)
            .is_some_and(|i| i.signal == crate::indicators::Signal::External.name());
        if let Some(n) = chance_everywhere(&data.scores, &r.indicator, segment).filter(|_| external)
        {
            s.push_str(&format!(
                " {} (outside the rep's control) may look alarming but shows no sign of predicting \
                 the outcome here: its AUC's 95% interval covers 0.5 at all {n} landmark{} scored.",
                r.indicator,
                if n == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(t) = rows.iter().find(|r| r.indicator == TRUTH_INDICATOR) {
        s.push_str(&match t.earliest_reliable_day {
            Some(d) => {
                format!(" (Research only: the hidden-truth ceiling is reliable from day {d}.)")
            }
            None => " (Research only: even the hidden-truth ceiling never becomes reliable here.)"
                .into(),
        });
    }
    s
}

/// An indicator's `direction` as `scores.json` records it (`higher_is_riskier` unless it
/// says `higher_is_safer`).
fn direction(recorded: &str) -> Direction {
    if recorded == "higher_is_safer" {
        Direction::HigherIsSafer
    } else {
        Direction::HigherIsRiskier
    }
}

/// Which values of an indicator are the risky ones, in words: "higher" or "lower", from its
/// `direction` as `scores.json` records it.
pub fn riskier_when(recorded: &str) -> &'static str {
    match direction(recorded) {
        Direction::HigherIsSafer => "lower",
        Direction::HigherIsRiskier => "higher",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::load::{CensoringMeta, IndicatorMeta, OptionsMeta, ScoresMeta};
    use crate::scoring::IntervalMethod;

    /// A run whose `segment` has these (indicator, signal, earliest day, AUC at 60) rows,
    /// ranked in the given order.
    fn run(segment: &str, rows: &[(&str, &str, Option<u32>, f64)]) -> RunData {
        RunData {
            summary: rows
                .iter()
                .enumerate()
                .map(|(k, &(name, _, day, auc))| SummaryRow {
                    indicator: name.into(),
                    segment: segment.into(),
                    earliest_reliable_day: day,
                    auc_30: None,
                    auc_60: Some(auc),
                    auc_90: None,
                    rank: k as u32 + 1,
                    reliability_judged: true,
                })
                .collect(),
            scores: Vec::new(),
            meta: ScoresMeta {
                version: "0".into(),
                with_truth: false,
                landmarks: (7..=168).step_by(7).collect(),
                options: OptionsMeta {
                    censoring: CensoringMeta {
                        mode: "known".into(),
                        horizon: None,
                    },
                    interval: IntervalMethod::Bootstrap,
                    bootstrap: 10,
                    cluster: Default::default(),
                    min_class: 20,
                    target: 0.7,
                    confidence: 0.95,
                    seed: 1,
                },
                window_end: "2026-08-31".into(),
                warnings: Vec::new(),
                indicators: rows
                    .iter()
                    .map(|&(name, signal, _, _)| IndicatorMeta {
                        name: name.into(),
                        description: String::new(),
                        direction: "higher_is_riskier".into(),
                        signal: signal.into(),
                    })
                    .collect(),
            },
            manifest: None,
            tables: None,
            tradeoffs: None,
            policy: None,
            deadlines: None,
        }
    }

    const BASE: &str = "rep_forecast_probability";

    /// The AUC columns name the landmark standing for 30, 60 and 90 days when it is another.
    #[test]
    fn auc_columns_name_the_landmark_they_show() {
        let mut d = run("smb", &[]);
        let labels = |d: &RunData| AUC_DAYS.map(|day| d.auc_day_label(day));
        assert_eq!(
            labels(&d),
            [
                "AUC day 30 (landmark 28)",
                "AUC day 60 (landmark 63)",
                "AUC day 90 (landmark 91)"
            ]
        );
        d.meta.landmarks = vec![30, 60, 90];
        assert_eq!(labels(&d), ["AUC day 30", "AUC day 60", "AUC day 90"]);
        d.meta.landmarks = vec![60, 90, 120];
        assert_eq!(labels(&d)[0], "AUC day 30 (no landmark near)");
    }

    #[test]
    fn the_answer_compares_the_earliest_indicator_with_the_forecast() {
        let d = run(
            "mid",
            &[
                ("a", "rep", Some(21), 0.8),
                (BASE, "forecast", Some(35), 0.75),
                ("b", "client", Some(42), 0.7),
                ("c", "client", Some(35), 0.7),
                ("d", "client", None, 0.6),
            ],
        );
        assert_eq!(
            sentence(&d, "mid"),
            "In mid, a warns of a loss from day 21, 2 weeks before the rep's own forecast \
             (rep_forecast_probability) does (day 35)."
        );
        let vs: Vec<String> = ranking(&d, "mid")
            .into_iter()
            .map(|r| r.vs_baseline)
            .collect();
        assert_eq!(vs, ["2 weeks earlier", "", "1 week later", "same day", "–"]);

        let d = run(
            "x",
            &[("a", "rep", Some(21), 0.8), (BASE, "forecast", None, 0.6)],
        );
        assert!(sentence(&d, "x").ends_with(
            "a warns of a loss from day 21; the rep's own forecast (rep_forecast_probability) \
             never does within the first 168 days."
        ));
        assert_eq!(ranking(&d, "x")[0].vs_baseline, "forecast never");

        let d = run(
            "x",
            &[
                (BASE, "forecast", Some(21), 0.8),
                ("a", "rep", Some(35), 0.7),
            ],
        );
        assert!(sentence(&d, "x").ends_with(
            "a warns of a loss from day 35; the rep's own forecast (rep_forecast_probability) \
             does so earlier, from day 21."
        ));
    }

    /// The answer adds where the earliest indicator's AUC is clearly above or below the
    /// forecast's on the same deals, from the paired intervals of its scores.
    #[test]
    fn the_answer_says_when_the_forecast_catches_up() {
        let mut d = run(
            "mid",
            &[
                ("a", "rep", Some(14), 0.8),
                (BASE, "forecast", Some(28), 0.75),
            ],
        );
        let paired = |day: u32, lo: f64, hi: f64| crate::scoring::ScoreRow {
            indicator: "a".into(),
            segment: "mid".into(),
            landmark_day: day,
            vs_baseline_ci_lo: Some(lo),
            vs_baseline_ci_hi: Some(hi),
            ..Default::default()
        };
        d.scores = vec![
            paired(14, 0.1, 0.2),
            paired(21, 0.05, 0.1),
            paired(28, -0.01, 0.02),
            paired(35, -0.1, -0.02),
        ];
        assert!(sentence(&d, "mid").ends_with(
            "(day 28). On the same deals its AUC is above the forecast's at days 14–21 and \
             below it at day 35 (pointwise paired 95% intervals)."
        ));
        let table = ranking(&d, "mid");
        assert_eq!(
            table[0].vs_baseline_paired,
            "higher days 14–21; lower day 35"
        );
        assert_eq!(table[1].vs_baseline_paired, "", "the forecast itself");
    }

    #[test]
    fn without_a_reliable_indicator_the_answer_names_the_best_at_day_60() {
        let d = run(
            crate::scoring::POOLED,
            &[
                ("a", "rep", None, 0.61),
                ("b", "rep", None, 0.65),
                (BASE, "forecast", None, 0.9),
                (crate::indicators::TRUTH_INDICATOR, "truth", None, 0.95),
            ],
        );
        assert_eq!(
            sentence(&d, crate::scoring::POOLED),
            "Across all segments, no observable indicator reaches a reliable AUC of 0.70 within \
             the first 168 days, nor does the rep's own forecast. The best at day 60 is b \
             (AUC 0.650). (Research only: even the hidden-truth ceiling never becomes reliable \
             here.)"
        );
    }

    /// An AUC above one half whose interval covers it is chance, not "the best" (a CRM log's
    /// deal_value, 0.522, was called the best at day 60).
    #[test]
    fn the_highest_auc_at_day_60_is_not_the_best_when_its_interval_covers_one_half() {
        let mut d = run("x", &[("a", "rep", None, 0.522), ("b", "rep", None, 0.51)]);
        let score = |indicator: &str, lo: f64, hi: f64| ScoreRow {
            indicator: indicator.into(),
            segment: "x".into(),
            landmark_day: 63,
            auc: Some((lo + hi) / 2.0),
            ci_lo: Some(lo),
            ci_hi: Some(hi),
            ..Default::default()
        };
        d.scores = vec![score("a", 0.49, 0.554), score("b", 0.47, 0.55)];
        assert!(
            sentence(&d, "x").ends_with(
                "At day 60 none tells lost deals from won ones better than chance (the highest \
                 AUC, a's 0.522, has a 95% interval [0.490, 0.554] that covers 0.5)."
            ),
            "{}",
            sentence(&d, "x")
        );
        d.scores[0] = score("a", 0.501, 0.543);
        assert!(sentence(&d, "x").ends_with("The best at day 60 is a (AUC 0.522)."));
    }

    /// An external indicator whose every AUC interval covers one half is "never (chance)" in
    /// the table and named in the answer; one interval clear of it is enough to say neither.
    #[test]
    fn an_external_indicator_at_chance_everywhere_is_named() {
        let mut d = run(
            "x",
            &[
                ("a", "rep", Some(14), 0.8),
                ("legal", "external", None, 0.5),
            ],
        );
        let score = |day: u32, lo: f64, hi: f64| crate::scoring::ScoreRow {
            indicator: "legal".into(),
            segment: "x".into(),
            landmark_day: day,
            auc: Some((lo + hi) / 2.0),
            ci_lo: Some(lo),
            ci_hi: Some(hi),
            ..Default::default()
        };
        d.scores = vec![score(84, 0.4, 0.6), score(91, 0.45, 0.5)];
        assert!(
            sentence(&d, "x").ends_with(
                " legal (outside the rep's control) may look alarming but shows no sign of \
                 predicting the outcome here: its AUC's 95% interval covers 0.5 at all 2 \
                 landmarks scored."
            ),
            "{}",
            sentence(&d, "x")
        );
        assert_eq!(ranking(&d, "x")[1].reliable_from, "never (chance)");
        d.scores.push(score(98, 0.51, 0.6));
        assert!(!sentence(&d, "x").contains("no sign"));
        assert_eq!(ranking(&d, "x")[1].reliable_from, "never");
    }

    /// No indicator above one half at day 60: the answer does not call one "the best".
    #[test]
    fn below_one_half_none_is_called_the_best() {
        let d = run("x", &[("a", "rep", None, 0.467), ("b", "rep", None, 0.41)]);
        assert!(
            sentence(&d, "x").ends_with(
                " At day 60 none ranks lost deals above won ones more often than not (the \
                 highest AUC is a's, 0.467)."
            ),
            "{}",
            sentence(&d, "x")
        );
    }

    /// An imported log scored without a forecast indicator: the answer says there is nothing
    /// to compare with instead of claiming the forecast never warns.
    #[test]
    fn without_a_forecast_indicator_the_answer_does_not_mention_its_result() {
        let d = run("x", &[("a", "rep", None, 0.55)]);
        assert_eq!(
            sentence(&d, "x"),
            "In x, no observable indicator reaches a reliable AUC of 0.70 within the first 168 \
             days (the indicator set has no rep forecast to compare with). The best at day 60 is \
             a (AUC 0.550)."
        );
    }

    /// Under `--cluster rep` a segment of two reps has AUCs but no intervals: the answer says
    /// reliability cannot be judged, and why, rather than that no indicator is reliable.
    #[test]
    fn without_intervals_the_answer_says_why_none_is_reliable() {
        let mut d = run(
            "x",
            &[("a", "rep", None, 0.8), (BASE, "forecast", None, 0.7)],
        );
        let note = "no interval: 2 reps in the segment, too few to resample";
        let row = |segment: &str, ci: Option<f64>| crate::scoring::ScoreRow {
            indicator: "a".into(),
            segment: segment.into(),
            landmark_day: 7,
            n_at_risk: 100,
            n_lost: 50,
            n_won: 50,
            n_censored: 0,
            auc: Some(0.8),
            ci_lo: ci,
            ci_hi: ci,
            note: if ci.is_some() {
                String::new()
            } else {
                note.into()
            },
            ..Default::default()
        };
        d.scores = vec![row("x", None), row("y", Some(0.75))];
        assert_eq!(
            sentence(&d, "x"),
            "In x, no indicator has a confidence interval, so none can be called reliable (no \
             interval: 2 reps in the segment, too few to resample). The best at day 60 is a \
             (AUC 0.800)."
        );
        assert_eq!(ranking(&d, "x")[0].reliable_from, "–");
        // One interval anywhere in the segment: the usual sentence.
        d.scores.push(row("x", Some(0.6)));
        assert!(sentence(&d, "x").contains("no observable indicator reaches a reliable AUC"));
        assert_eq!(ranking(&d, "x")[0].reliable_from, "never");
    }

    /// A segment too small to score: no AUC at any landmark. The answer says so and why, not
    /// that no indicator "reaches a reliable AUC", and the table's ranks read "–" rather than
    /// an alphabetical 1, 2, 3.
    #[test]
    fn without_any_auc_the_answer_says_nothing_can_be_ranked() {
        let mut d = run(
            "x",
            &[("a", "rep", None, 0.0), (BASE, "forecast", None, 0.0)],
        );
        for r in &mut d.summary {
            r.auc_60 = None;
        }
        let note = "fewer than 20 deals in a class (3 lost, 5 won)";
        d.scores = vec![crate::scoring::ScoreRow {
            indicator: "a".into(),
            segment: "x".into(),
            landmark_day: 7,
            n_at_risk: 8,
            n_lost: 3,
            n_won: 5,
            n_censored: 0,
            auc: None,
            ci_lo: None,
            ci_hi: None,
            note: note.into(),
            ..Default::default()
        }];
        assert_eq!(
            sentence(&d, "x"),
            format!(
                "In x, no indicator has an AUC at any landmark, so none can be ranked: at day 7, \
                 {note}."
            )
        );
        let table = ranking(&d, "x");
        let ranks: Vec<String> = table.iter().map(|r| r.summary.rank_text()).collect();
        assert_eq!(ranks, ["–", "–"]);
        // Nor can the table call them "never" reliable.
        assert!(table.iter().all(|r| r.reliable_from == "–"));
        // An AUC at day 60 places a row; the one without stays unranked.
        d.summary[0].auc_60 = Some(0.6);
        assert_eq!(
            (d.summary[0].rank_text(), d.summary[1].rank_text()),
            ("1".to_string(), "–".to_string())
        );
    }

    #[test]
    fn gaps_read_in_weeks_when_whole() {
        assert_eq!(fmt_gap(14), "2 weeks");
        assert_eq!(fmt_gap(7), "1 week");
        assert_eq!(fmt_gap(10), "10 days");
        assert_eq!(fmt_auc(None), "–");
        assert_eq!(fmt_auc(Some(0.75649)), "0.756");
    }
}

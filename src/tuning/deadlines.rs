//! Deadlines from experience (the practitioner's method): for every step with a deadline,
//! how long it took in won and in lost deals of the segment, and the deadline that best
//! separates them, next to the current one.
//!
//! A step's time is counted in working days from its clock (creation, or the completion of
//! the step the scenario names in `deadline_from`; where the deal moved past that step
//! without completing it, the latest completion before it) to its completion. A deal that
//! closed without completing the step (lost while waiting, or won having skipped it) counts
//! as late for any deadline shorter than the time it spent after the clock started — exactly
//! what the `overdue_steps` indicator would have said, as both start the clock with
//! [`StepRule::clock_start`](crate::indicators::stage_map::StepRule::clock_start). Deals whose
//! clock never started (closed before reaching the step) are left out; a deal that skipped the
//! step its clock runs from is not (leaving it out dropped 18% of smb's negotiations on the
//! default run, those whose client gave no feedback: 21% of the lost deals, 15% of the won).
//! For a deadline `D`: catch = share of lost deals late, false alarm = share of won deals
//! late. The proposed deadline is the whole number of working days with the largest
//! catch − false alarm (Youden); ties go to the longer, more lenient deadline. Where no whole
//! number does strictly better than the current deadline (often a fraction, 5.75 days at a
//! pace of 1.15), the current one is proposed: a change that catches less per false alarm is
//! no proposal.
//!
//! The largest catch − false alarm over whole days is the one-sided Kolmogorov–Smirnov distance
//! between the won and lost deals' step times (rounded up to whole days), so its p-value says
//! whether lost deals take longer at all: where they do not (p ≥ [`SEPARATION_ALPHA`], e.g.
//! legal review, whose length is the legal backlog), no deadline separates them and the
//! current one is kept ([`DeadlineRow::separates`]). Otherwise the best of many deadlines would
//! be proposed on noise: "5 days, catch 95%, alarm 91%". The days are heavily tied, so the
//! p-value is the permutation test's, exact and conditional on the ties
//! ([`one_sided_p_value`]): the classic exact one assumes distinct values and is conservative
//! here (0.058 where the permutation test gives 0.042 for the enterprise pilot of a 3,000-deal
//! run, a deadline kept that separates).

use serde::{Deserialize, Serialize};

use crate::flag::precision::days_read_back_value;
use crate::indicators::stage_map::StageMaps;
use crate::log::{Lifecycle, Log, Outcome};
use crate::stats::ks::one_sided_p_value;

/// One step of one segment: a row of `deadlines.csv`, written by the tuner and read back by
/// the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeadlineRow {
    pub segment: String,
    pub step: String,
    /// The scenario's deadline (working days, already scaled by the segment's pace). Days are
    /// written to 4 decimals: `6.9`, not the `6.8999999999999995` of the pace's product.
    #[serde(serialize_with = "crate::flag::precision::days_read_back")]
    pub current_days: f64,
    pub won_deals: usize,
    pub lost_deals: usize,
    /// Median working days to complete the step, over deals that completed it.
    #[serde(serialize_with = "crate::flag::precision::opt_days_read_back")]
    pub won_median_days: Option<f64>,
    #[serde(serialize_with = "crate::flag::precision::opt_days_read_back")]
    pub lost_median_days: Option<f64>,
    pub current_catch: f64,
    pub current_false_alarm: f64,
    /// A whole number of working days, or the current deadline where none beats it. In
    /// `deadlines.csv` also the current one where lost deals are not significantly slower
    /// ([`as_written`](Self::as_written)).
    #[serde(serialize_with = "crate::flag::precision::days_read_back")]
    pub proposed_days: f64,
    pub proposed_catch: f64,
    pub proposed_false_alarm: f64,
    /// One-sided two-sample Kolmogorov–Smirnov p-value of "lost deals take no longer than won
    /// ones": its statistic is the largest catch − false alarm over whole-day deadlines (the
    /// KS statistic of the days rounded up), whichever deadline is proposed. Up to a million
    /// lost × won pairs it is exact and conditional on the ties of those whole days (a
    /// permutation p-value), asymptotic above (NaN in files written before it was: unknown).
    #[serde(default = "unknown")]
    pub separation_p_value: f64,
    /// [`separation_p_value`](Self::separation_p_value) adjusted by Holm's method over the
    /// steps of the segment ([`crate::stats::holm`]): the one a proposal is decided by (NaN in
    /// files written before it was: the raw one decides).
    #[serde(default = "unknown")]
    pub separation_p_holm: f64,
}

fn unknown() -> f64 {
    f64::NAN
}

/// A deadline is proposed only where lost deals take longer than won ones at this level.
pub const SEPARATION_ALPHA: f64 = 0.05;

impl DeadlineRow {
    /// Whether lost deals take significantly longer than won ones, so that the proposed
    /// deadline means something; if not, keep the current one.
    pub fn separates(&self) -> bool {
        self.deciding_p() < SEPARATION_ALPHA
    }

    /// The p-value a proposal is decided by: Holm's over the segment's steps, or the raw one
    /// in a file written before it.
    pub fn deciding_p(&self) -> f64 {
        if self.separation_p_holm.is_nan() {
            self.separation_p_value
        } else {
            self.separation_p_holm
        }
    }

    /// Whether the proposal is a change: lost deals are slower (or the file predates the
    /// p-value) and some whole number of days beats the current deadline. The two are compared
    /// as `deadlines.csv` holds them, so that a row reads the same from memory and from the file.
    pub fn changes(&self) -> bool {
        (self.separates() || self.separation_p_value.is_nan())
            && days_read_back_value(self.proposed_days) != days_read_back_value(self.current_days)
    }

    /// The row as `deadlines.csv` holds it: where the proposal is no [`change`](Self::changes)
    /// (lost deals not significantly slower), the current deadline with its catch and false
    /// alarms in the proposed columns, so that the file read on its own proposes only what
    /// `policy.md` and the report do (it once proposed 5 days for legal review at p = 0.86).
    pub fn as_written(&self) -> DeadlineRow {
        let mut row = self.clone();
        if !self.changes() {
            row.proposed_days = self.current_days;
            row.proposed_catch = self.current_catch;
            row.proposed_false_alarm = self.current_false_alarm;
        }
        row
    }

    /// The row for people, as `policy.md` and the report show it: median won and lost days,
    /// the current deadline and its catch / alarm, the proposed one ("keep" unless it
    /// [`changes`](Self::changes) the deadline) and its catch / alarm, and the p-value ("–"
    /// if unknown: then the proposal is shown, as files without the p-value did).
    pub fn cells(&self) -> [String; 7] {
        // As deadlines.csv holds them, so that policy.md (from memory) and the report (from
        // the file) round alike.
        let one = |x: f64| format!("{:.1}", days_read_back_value(x));
        let days = |x: Option<f64>| x.map_or("–".to_string(), one);
        let trade_off =
            |catch: f64, alarm: f64| format!("{:.0}% / {:.0}%", 100.0 * catch, 100.0 * alarm);
        let p = self.deciding_p();
        let (proposed, proposed_trade_off) = if self.changes() {
            (
                one(self.proposed_days),
                trade_off(self.proposed_catch, self.proposed_false_alarm),
            )
        } else {
            ("keep".to_string(), "–".to_string())
        };
        // The deals behind each median with it: 23 days lost against 13.7 won reads as a
        // contradiction of p = 0.7 until one sees it is 14 lost deals.
        let median = |x: Option<f64>, n: usize| format!("{} ({n})", days(x));
        [
            median(self.won_median_days, self.won_deals),
            median(self.lost_median_days, self.lost_deals),
            one(self.current_days),
            trade_off(self.current_catch, self.current_false_alarm),
            proposed,
            proposed_trade_off,
            if p.is_nan() {
                "–".to_string()
            } else {
                super::rule::p_cell(p)
            },
        ]
    }
}

/// Column names of [`DeadlineRow::cells`], after the step's.
pub const CELL_NAMES: [&str; 7] = [
    "median won (deals)",
    "median lost (deals)",
    "current",
    "catch / alarm",
    "proposed",
    "catch / alarm",
    "p (Holm)",
];

/// What the deadline columns mean, for the reader of a table of [`DeadlineRow::cells`].
pub fn legend() -> String {
    format!(
        "In working days; medians over the deals that completed the step (–: none did), with \
         the number of won or lost deals whose times are compared (in brackets). \
         Catch = lost deals late, alarm = won deals late; a deal that closed without \
         completing the step is late once its time since the step's clock started passed \
         the deadline. A deadline is proposed where lost deals take longer than won ones \
         (one-sided Kolmogorov–Smirnov p < {SEPARATION_ALPHA}, Holm-adjusted over the \
         segment's steps so that a step whose length says nothing is proposed a deadline in \
         at most 5% of segments) and a whole number of days \
         separates them better than the current deadline (catch − alarm); elsewhere the \
         current one is kept."
    )
}

/// Rows for every segment of `segments` (name, deal indices) that has a stage map.
pub fn from_experience(
    log: &Log,
    maps: &StageMaps,
    segments: &[(String, Vec<usize>)],
) -> Vec<DeadlineRow> {
    let mut rows = Vec::new();
    for (name, members) in segments {
        let Some(seg) = log.symbols.get(name) else {
            continue;
        };
        let Some(map) = maps.by_segment.get(&seg) else {
            continue;
        };
        let n_steps = map.steps.len();
        // Per step: (time past the clock in working days, completed?, lost?) of each deal.
        let mut times: Vec<Vec<(f64, bool, bool)>> = vec![Vec::new(); n_steps];
        let mut done = vec![f64::NAN; n_steps];
        for &i in members {
            let deal = &log.deals[i];
            let (Some(closed), lost) = (deal.closed, deal.outcome == Outcome::Lost) else {
                continue;
            };
            // The furthest step any event reached: a deal past a skipped clock step has its
            // clock started all the same (`StepRule::clock_start`).
            done.fill(f64::NAN);
            let mut furthest = None;
            for e in log.events_of(i) {
                let Some(j) = map.step_index(e.activity) else {
                    continue;
                };
                furthest = furthest.max(Some(j));
                if e.lifecycle == Lifecycle::Complete && done[j].is_nan() {
                    done[j] = maps.calendar.working_time(e.time);
                }
            }
            let created = maps.calendar.working_time(deal.created);
            let close = maps.calendar.working_time(closed);
            for (j, rule) in map.steps.iter().enumerate() {
                let Some(clock) = rule.clock_start(&done, furthest, created) else {
                    continue;
                };
                let completed = !done[j].is_nan();
                let end = if completed { done[j] } else { close };
                times[j].push(((end - clock).max(0.0), completed, lost));
            }
        }
        // Steps that never occur in the log have no experience to learn from.
        let first = rows.len();
        for (j, rule) in map.steps.iter().enumerate() {
            if rule.step as usize >= log.symbols.len() {
                continue;
            }
            rows.push(row(
                name,
                log.symbols.name(rule.step),
                rule.deadline_days,
                &times[j],
            ));
        }
        // The segment's steps are one family of tests; a step without lost or without won
        // deals is no test (its p-value is 1) and does not enlarge it.
        let testable = |r: &DeadlineRow| r.lost_deals > 0 && r.won_deals > 0;
        let raw: Vec<f64> = rows[first..]
            .iter()
            .map(|r| {
                if testable(r) {
                    r.separation_p_value
                } else {
                    f64::NAN
                }
            })
            .collect();
        for (r, p) in rows[first..].iter_mut().zip(crate::stats::holm::holm(&raw)) {
            r.separation_p_holm = if p.is_nan() { r.separation_p_value } else { p };
        }
    }
    rows
}

fn row(segment: &str, step: &str, current: f64, t: &[(f64, bool, bool)]) -> DeadlineRow {
    let lost = t.iter().filter(|x| x.2).count();
    let won = t.len() - lost;
    let median = |want_lost: bool| {
        let v: Vec<f64> = t
            .iter()
            .filter(|x| x.1 && x.2 == want_lost)
            .map(|x| x.0)
            .collect();
        crate::stats::quantile::median(&v)
    };
    let share = |late: usize, n: usize| if n == 0 { 0.0 } else { late as f64 / n as f64 };
    let rates = |d: f64| {
        let late_lost = t.iter().filter(|x| x.2 && x.0 > d).count();
        let late_won = t.iter().filter(|x| !x.2 && x.0 > d).count();
        (share(late_lost, lost), share(late_won, won))
    };
    // Late for deadline D (whole days) iff time > D iff ceil(time) − 1 ≥ D: suffix counts.
    let max_key = t
        .iter()
        .map(|x| x.0.ceil() as usize)
        .max()
        .unwrap_or(1)
        .min(400);
    let (mut lost_at, mut won_at) = (vec![0usize; max_key + 1], vec![0usize; max_key + 1]);
    for x in t {
        let key = (x.0.ceil() as usize).saturating_sub(1).min(max_key);
        if x.2 {
            lost_at[key] += 1;
        } else {
            won_at[key] += 1;
        }
    }
    let (mut late_lost, mut late_won) = (0usize, 0usize);
    let mut best = (f64::NEG_INFINITY, 1u32, 0.0, 0.0);
    for d in (1..=max_key.max(1)).rev() {
        late_lost += lost_at.get(d).copied().unwrap_or(0);
        late_won += won_at.get(d).copied().unwrap_or(0);
        let (c, a) = (share(late_lost, lost), share(late_won, won));
        if c - a > best.0 {
            best = (c - a, d as u32, c, a);
        }
    }
    // Lost and won deals per key: the blocks of tied times the separation compares (it never
    // tells 0 from 1 day, nor 401 from 500), for the p-value given the ties.
    let counts: Vec<(usize, usize)> = lost_at.iter().copied().zip(won_at).collect();
    let (current_catch, current_false_alarm) = rates(current);
    let (proposed_days, proposed_catch, proposed_false_alarm) =
        if current_catch - current_false_alarm >= best.0 {
            (current, current_catch, current_false_alarm)
        } else {
            (f64::from(best.1), best.2, best.3)
        };
    DeadlineRow {
        segment: segment.to_string(),
        step: step.to_string(),
        current_days: current,
        won_deals: won,
        lost_deals: lost,
        won_median_days: median(false),
        lost_median_days: median(true),
        current_catch,
        current_false_alarm,
        proposed_days,
        proposed_catch,
        proposed_false_alarm,
        separation_p_value: one_sided_p_value(best.0, &counts),
        separation_p_holm: f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::ks::{asymptotic_one_sided_p_value, exact_one_sided_p_value, EXACT_PAIRS};

    #[test]
    fn proposed_deadline_separates_by_hand() {
        // Won deals took 1.5, 2.5, 3.0 working days; lost ones 4.5, 6.0, and one lost
        // while waiting after 2.2 days (not completed).
        let t = [
            (1.5, true, false),
            (2.5, true, false),
            (3.0, true, false),
            (4.5, true, true),
            (6.0, true, true),
            (2.2, false, true),
        ];
        let r = row("s", "x", 5.0, &t);
        // D = 3: late lost = {4.5, 6.0} = 2/3, late won = {} → J = 2/3 (D = 2 gives
        // 3/3 − 2/3 = 1/3); the longest D with J = 2/3 is 4 (4.5 > 4, 3.0 ≤ 4).
        assert_eq!(r.proposed_days, 4.0);
        assert!((r.proposed_catch - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.proposed_false_alarm, 0.0);
        // Current deadline 5: only 6.0 is late.
        assert!((r.current_catch - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.won_median_days, Some(2.5));
        assert_eq!(r.lost_median_days, Some(5.25));
        assert_eq!((r.won_deals, r.lost_deals), (3, 3));
        // The 2/3 separation of 3 and 3 deals, exactly and given the ties: in whole days won
        // deals took 2, 3, 3 and lost ones 3 (the 2.2), 5, 6. Of the C(6, 3) = 20 ways to say
        // which 3 of these 6 times are the won ones, won ones lead by 2 after a whole day only
        // where all three are among the four times up to day 3: C(4, 3) = 4. p = 4/20. (Without
        // ties a lead of two won after the first two times counts too: 6/20.)
        let p = 4.0 / 20.0;
        assert!((r.separation_p_value - p).abs() < 1e-12);
        assert!(
            !r.separates(),
            "p = {p:.3}: three deals each separate nothing"
        );
    }

    #[test]
    fn cells_keep_the_deadline_unless_lost_deals_are_slower() {
        let t = [
            (1.5, true, false),
            (2.5, true, false),
            (4.5, true, true),
            (6.0, true, true),
        ];
        let mut r = row("s", "x", 5.0, &t);
        let cells = |r: &DeadlineRow| r.cells();
        r.separation_p_value = 0.2;
        assert_eq!(
            cells(&r),
            ["2.0 (2)", "5.2 (2)", "5.0", "50% / 0%", "keep", "–", "0.200"].map(String::from)
        );
        // Deadline 4 separates fully: both lost deals late, no won one.
        r.separation_p_value = 0.0004;
        assert_eq!(
            cells(&r)[4..],
            ["4.0", "100% / 0%", "< 0.001"].map(String::from)
        );
        // A deadlines.csv written before the p-value: the proposal, p unknown.
        r.separation_p_value = f64::NAN;
        assert_eq!(cells(&r)[4..], ["4.0", "100% / 0%", "–"].map(String::from));
        // As written to deadlines.csv: the proposal where it changes the deadline, else the
        // current deadline and its rates; the report reads either back as it showed them.
        r.separation_p_value = 0.2;
        let kept = r.as_written();
        assert_eq!(
            (
                kept.proposed_days,
                kept.proposed_catch,
                kept.proposed_false_alarm
            ),
            (5.0, 0.5, 0.0)
        );
        assert_eq!(kept.cells(), r.cells());
        r.separation_p_value = 0.0004;
        r.separation_p_holm = 0.0004;
        assert_eq!(r.as_written(), r);
        // Decided by the Holm-adjusted p-value: significant alone, not in its family.
        r.separation_p_holm = 0.08;
        assert!(!r.separates() && !r.changes());
        assert_eq!(r.cells()[4], "keep");
        // A file from before the column: the raw p-value decides.
        r.separation_p_holm = f64::NAN;
        assert!(r.separates() && r.changes());
    }

    /// A current deadline of 5.75 days (5 at a pace of 1.15) that no whole number of days beats:
    /// won deals took 1.0 and 5.5 days, lost ones 5.9 and 8.0. At 5.75 both lost deals are late
    /// and no won one (catch − alarm 1); at 5 days the won 5.5 is late too (½), at 6 and 7
    /// only the lost 8.0 (½). Proposing 7 would catch less for the same alarms: keep 5.75.
    #[test]
    fn a_current_deadline_no_whole_day_beats_is_kept() {
        let t = [
            (1.0, true, false),
            (5.5, true, false),
            (5.9, true, true),
            (8.0, true, true),
        ];
        let mut r = row("s", "x", 5.75, &t);
        assert_eq!(
            (r.proposed_days, r.proposed_catch, r.proposed_false_alarm),
            (5.75, 1.0, 0.0)
        );
        // The p-value is the whole-day separation's, not the kept one's: ½ with 2 and 2 deals
        // (won 1 and 6, lost 6 and 8 whole days), reached after day 1 in the 3 of C(4, 2) = 6
        // splits where its time is won, and after day 6 in 1 more (lost, won, won, lost): 4/6.
        assert!((r.separation_p_value - 4.0 / 6.0).abs() < 1e-15);
        r.separation_p_value = 0.001;
        assert!(!r.changes());
        assert_eq!(r.cells()[4..6], ["keep", "–"].map(String::from));
        // A current deadline of 4.5 catches both lost deals but alarms on the won 5.5: ½, as
        // good as 7 days and no worse; a change must do strictly better, so 4.5 stays.
        let tied = row("s", "x", 4.5, &t);
        assert_eq!(tied.proposed_days, 4.5);
        // At 9 days nothing is late (0): 7 days do strictly better and are proposed.
        let worse = row("s", "x", 9.0, &t);
        assert_eq!(
            (
                worse.proposed_days,
                worse.proposed_catch,
                worse.proposed_false_alarm
            ),
            (7.0, 0.5, 0.0)
        );
    }

    /// A deadline of 7 working days at a pace of 1.15 is 8.049999999999999 in memory and 8.05
    /// in deadlines.csv: policy.md (from memory) and the report (from the file) both show 8.1.
    #[test]
    fn cells_from_memory_and_from_the_file_agree() {
        let mut r = row(
            "s",
            "x",
            7.0 * 1.15,
            &[(1.5, true, false), (6.0, true, true)],
        );
        assert_eq!(r.current_days, 8.049999999999999);
        let from_memory = r.cells()[2].clone();
        r.current_days = 8.05;
        assert_eq!(
            (from_memory.as_str(), r.cells()[2].as_str()),
            ("8.1", "8.1")
        );
        // A proposal equal to the current deadline as the file holds it is no change, whether
        // either side is the product in memory or the 4 decimals read back.
        r.separation_p_value = 0.001;
        r.proposed_days = 8.049999999999999;
        assert!(!r.changes() && r.cells()[4] == "keep");
        r.proposed_days = 8.0;
        assert!(r.changes() && r.cells()[4] == "8.0");
    }

    /// The proposal's catch − false alarm and its p-value against SciPy's one-sided
    /// `ks_2samp(ceil(lost), ceil(won), alternative="less")`: up to [`EXACT_PAIRS`] lost × won
    /// pairs the exact p-value given the ties of the whole days (`pvalue_exact_ties`, counted
    /// with exact integers by `tests/oracle/gen_ks_ties.py`) and the classic one without ties
    /// (`method="exact"`, counted likewise) from the untied function, `method="asymp"` above,
    /// and the asymptotic formula against `method="asymp"` on every case.
    #[test]
    fn separation_matches_scipy() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/oracle/ks_onesided_cases.json"))
                .expect("valid JSON");
        let cases = fixture["cases"].as_array().expect("cases");
        assert!(cases.len() >= 8);
        let mut exact_cases = 0;
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let times = |key: &str, lost: bool| -> Vec<(f64, bool, bool)> {
                let v = case[key].as_array().unwrap();
                v.iter()
                    .map(|x| (x.as_f64().unwrap(), true, lost))
                    .collect()
            };
            let mut t = times("lost", true);
            t.extend(times("won", false));
            let r = row("s", "x", 5.0, &t);
            let statistic = case["statistic"].as_f64().unwrap();
            let separation = r.proposed_catch - r.proposed_false_alarm;
            assert!(
                (separation.max(0.0) - statistic).abs() < 1e-12,
                "{name}: separation {separation}, SciPy {statistic}"
            );
            let asymp = case["pvalue"].as_f64().unwrap();
            let (lost, won) = (r.lost_deals, r.won_deals);
            let a = asymptotic_one_sided_p_value(separation, lost, won);
            assert!(
                (a - asymp).abs() <= 1e-12 * asymp.max(1e-300),
                "{name}: asymptotic p {a}, SciPy {asymp}"
            );
            let close = |p: f64, reference: f64, what: &str| {
                assert!(
                    (p - reference).abs() <= 1e-12 * reference.max(1e-300),
                    "{name}: {what} p {p}, reference {reference}"
                );
            };
            if lost * won <= EXACT_PAIRS {
                let exact = case["pvalue_exact"].as_f64().unwrap();
                close(
                    exact_one_sided_p_value(separation, lost, won),
                    exact,
                    "untied",
                );
                let tied = case["pvalue_exact_ties"].as_f64().unwrap();
                close(r.separation_p_value, tied, "tied");
                exact_cases += 1;
            } else {
                close(r.separation_p_value, asymp, "asymptotic");
            }
        }
        assert!(exact_cases >= 10, "{exact_cases} exact cases");
    }

    /// The p-value given the ties of the whole days against `tests/oracle/ks_ties_cases.json`:
    /// every split of the pooled days into lost and won deals enumerated up to 24 deals, the
    /// lattice count (checked against that enumeration) up to 1000 × 1000 deals, p-values
    /// down to 3e-143, and three steps of a 3,000-deal run whose classic exact p-value was
    /// conservative (the enterprise pilot: 0.058 without ties, 0.042 given them). The
    /// durations go through the deadline proposal, as in a run.
    #[test]
    fn separation_with_ties_matches_enumeration() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/oracle/ks_ties_cases.json"))
                .expect("valid JSON");
        let cases = fixture["cases"].as_array().expect("cases");
        assert!(cases.len() >= 15);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let column = |key: &str| -> Vec<u64> {
                let v = case[key].as_array().unwrap();
                v.iter().map(|x| x.as_u64().unwrap()).collect()
            };
            let (days, lost, won) = (column("days"), column("lost"), column("won"));
            let mut t = Vec::new();
            for (k, &day) in days.iter().enumerate() {
                for (count, is_lost) in [(lost[k], true), (won[k], false)] {
                    t.extend((0..count).map(|_| (day as f64, true, is_lost)));
                }
            }
            let r = row("s", "x", 5.0, &t);
            let statistic = case["statistic"].as_f64().unwrap();
            let separation = (r.proposed_catch - r.proposed_false_alarm).max(0.0);
            assert!(
                (separation - statistic).abs() < 1e-12,
                "{name}: separation {separation}, reference {statistic}"
            );
            let p = case["pvalue"].as_f64().unwrap();
            assert!(
                (r.separation_p_value - p).abs() <= 1e-12 * p,
                "{name}: p {}, reference {p}",
                r.separation_p_value
            );
        }
    }
}

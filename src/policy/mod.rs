//! `policy.toml`: the rules a head of sales adopts, per segment, with what they are expected
//! to achieve — written by `dealsim tune`, read by `dealsim flag`, editable by hand.
//!
//! A rule is "flag the deal once `indicator` crosses `threshold` by deal age `by_day`"
//! (holidays not counted, [`crate::tuning::clock`]), checked at the policy's `landmarks` (the deal ages it was tuned on), so a deal is flagged
//! exactly as it would have been during tuning. Reading validates everything once, with
//! errors naming the file, line and field path ([`Policy::parse`]); whether the segments and
//! indicators exist is checked against the data being flagged ([`Policy::check_against`]).
//! Not for: choosing the rules ([`crate::tuning`]) or applying them ([`crate::flag`]).

pub mod markdown;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{did_you_mean, InputError};
use crate::indicators::spec::Measure;
use crate::indicators::unit::bound_text;
use crate::indicators::{Direction, IndicatorSpec, Signal, Unit};
use crate::log::read::parse_day;
use crate::stats::bootstrap::Cluster;
use crate::time::DayNum;
use crate::tuning::risk::{RiskAtAge, MIN_RISK_DEALS};
use crate::tuning::rule::{
    confirmation_text, Estimate, Figures, CONFIRMATION_ALPHA, MAX_LANDMARKS, MAX_LANDMARK_DAY,
    NOT_CONFIRMED,
};
use crate::tuning::{Objective, Tuning};

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Deal ages (days, ascending) at which rules are checked.
    pub landmarks: Vec<u32>,
    /// Atypical segments: their deals go to manual review, no rule applies.
    #[serde(default)]
    pub review_segments: Vec<String>,
    /// How the rules were tuned (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuning: Option<TuningInfo>,
    #[serde(default)]
    pub segment: Vec<SegmentPolicy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TuningInfo {
    pub objective: Objective,
    pub holdout: f64,
    /// Deals created from this day on were held out.
    pub holdout_from: String,
    /// The first and last creation days of the tuning deals; absent from policies tuned
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuning_deals_created: Option<[String; 2]>,
    /// The last day of the log the rules were tuned on: their thresholds and `risk_by_age`
    /// learnt the outcomes known by its end, so `flag --as-of` an earlier day replays them
    /// with hindsight and warns. Absent from policies tuned before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_end: Option<String>,
    pub min_lead_days: f64,
    /// [`crate::tuning::TuneOptions::significance`]; absent from policies tuned before the
    /// check existed, which asked only "more often": 1.
    #[serde(default = "no_significance_asked")]
    pub significance: f64,
    pub bootstrap: usize,
    /// What the intervals took as independent draws; absent from policies tuned before reps
    /// could be: deals.
    #[serde(default)]
    pub cluster: Cluster,
    pub seed: u64,
    /// The name of the scenario the rules were tuned under; absent from policies tuned
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

fn no_significance_asked() -> f64 {
    1.0
}

impl TuningInfo {
    /// The last day of the log tuned on, when the policy records it.
    pub fn window_end_day(&self) -> Option<DayNum> {
        self.window_end.as_deref().and_then(parse_day)
    }

    /// The last creation day of the tuning deals, when the policy records it.
    pub fn last_tuning_deal_created(&self) -> Option<DayNum> {
        (self.tuning_deals_created.as_ref()).and_then(|[_, last]| parse_day(last))
    }

    /// The first recorded day that is no date, as (field, message): `flag` compares
    /// `--as-of` with these days.
    fn bad_day(&self) -> Option<(String, String)> {
        let window = self
            .window_end
            .iter()
            .map(|d| ("window_end".to_string(), d));
        let created = (self.tuning_deals_created.iter().flatten().enumerate())
            .map(|(k, d)| (format!("tuning_deals_created[{k}]"), d));
        let (field, day) = window
            .chain(created)
            .find(|(_, d)| parse_day(d).is_none())?;
        Some((field, format!("expected a date YYYY-MM-DD, got {day:?}")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentPolicy {
    pub name: String,
    #[serde(default)]
    pub rule: Vec<RulePolicy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePolicy {
    pub indicator: String,
    /// Must match the indicator's: `higher_is_riskier` flags `value ≥ threshold`,
    /// `higher_is_safer` flags `value ≤ threshold`.
    pub direction: Direction,
    pub threshold: f64,
    pub by_day: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<Signal>,
    /// How the indicator was defined when the rule was tuned. `flag` refuses an indicator set
    /// that defines it otherwise: a threshold of 23 calendar days is not one of 23 working
    /// days. Hand-written rules may leave it out (then nothing is compared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    /// Figures on the tuning deals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Expected>,
    /// Figures on the held-out (later) deals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<Expected>,
    /// The risk of a flagged deal still open, by deal age ([`crate::tuning::risk`]); absent
    /// from policies tuned before it was recorded and from hand-written rules, whose deals
    /// `flag` shows the overall `expected.precision` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_by_age: Option<RiskByAge>,
}

/// [`RiskAtAge`] at every landmark, one column per figure (one entry per age): a table of
/// rows would take seven lines an age in TOML, some 170 a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskByAge {
    /// Deal ages (days, ascending).
    pub age_days: Vec<u32>,
    /// Decided tuning deals the rule flagged by that age and still open at it.
    pub flagged_open: Vec<usize>,
    /// Of those, the ones later lost.
    pub lost: Vec<usize>,
    /// `lost / flagged_open` (nan without any such deal).
    pub risk: Vec<f64>,
    /// Its 95% Clopper–Pearson interval (nan without any such deal).
    pub risk_ci_low: Vec<f64>,
    pub risk_ci_high: Vec<f64>,
}

impl From<&[RiskAtAge]> for RiskByAge {
    fn from(rows: &[RiskAtAge]) -> RiskByAge {
        let column = |f: fn(&RiskAtAge) -> f64| rows.iter().map(f).collect();
        RiskByAge {
            age_days: rows.iter().map(|r| r.age_days).collect(),
            flagged_open: rows.iter().map(|r| r.flagged_open).collect(),
            lost: rows.iter().map(|r| r.lost).collect(),
            risk: column(|r| r.risk),
            risk_ci_low: column(|r| r.ci.map_or(f64::NAN, |c| c[0])),
            risk_ci_high: column(|r| r.ci.map_or(f64::NAN, |c| c[1])),
        }
    }
}

impl RiskByAge {
    /// The rows again (an interval with a nan bound is none).
    pub fn rows(&self) -> Vec<RiskAtAge> {
        (0..self.age_days.len())
            .map(|k| {
                let ci = [self.risk_ci_low[k], self.risk_ci_high[k]];
                RiskAtAge {
                    age_days: self.age_days[k],
                    flagged_open: self.flagged_open[k],
                    lost: self.lost[k],
                    risk: self.risk[k],
                    ci: (!ci.iter().any(|b| b.is_nan())).then_some(ci),
                }
            })
            .collect()
    }

    /// The first thing a hand edit can get wrong, as (field, message): columns of unequal
    /// length, ages not ascending, more lost deals than flagged ones, a share outside [0, 1]
    /// (nan passes: undefined). `flag` picks an age by these and ranks deals by the risk.
    fn invalid(&self) -> Option<(String, String)> {
        let n = self.age_days.len();
        let lengths = [
            ("flagged_open", self.flagged_open.len()),
            ("lost", self.lost.len()),
            ("risk", self.risk.len()),
            ("risk_ci_low", self.risk_ci_low.len()),
            ("risk_ci_high", self.risk_ci_high.len()),
        ];
        if let Some((name, len)) = lengths.into_iter().find(|&(_, len)| len != n) {
            return Some((
                name.to_string(),
                format!("expected {n} entries, one per age in age_days, got {len}"),
            ));
        }
        if let Some(k) = self.age_days.windows(2).position(|w| w[1] <= w[0]) {
            let (a, b) = (self.age_days[k], self.age_days[k + 1]);
            return Some((
                format!("age_days[{}]", k + 1),
                format!("expected ascending deal ages, got {b} after {a}"),
            ));
        }
        if let Some(k) = (0..n).find(|&k| self.lost[k] > self.flagged_open[k]) {
            return Some((
                format!("lost[{k}]"),
                format!(
                    "expected at most flagged_open[{k}] = {}, got {}",
                    self.flagged_open[k], self.lost[k]
                ),
            ));
        }
        let shares = [
            ("risk", &self.risk),
            ("risk_ci_low", &self.risk_ci_low),
            ("risk_ci_high", &self.risk_ci_high),
        ];
        shares.into_iter().find_map(|(name, column)| {
            let k = column
                .iter()
                .position(|x| !x.is_nan() && !(0.0..=1.0).contains(x))?;
            Some((
                format!("{name}[{k}]"),
                format!(
                    "expected a share in [0, 1] (or nan: undefined), got {}",
                    column[k]
                ),
            ))
        })
    }
}

impl RulePolicy {
    /// The held-out check's p-value, when the policy records one that is a number.
    pub fn confirmation_p_value(&self) -> Option<f64> {
        (self.holdout.as_ref())
            .and_then(|h| h.confirmation_p_value)
            .filter(|p| !p.is_nan())
    }

    /// Whether the held-out deals confirmed the rule (p below [`CONFIRMATION_ALPHA`]); `None`
    /// without a check: `flag` marks each reason with it and warns about the unconfirmed.
    pub fn confirmed(&self) -> Option<bool> {
        self.confirmation_p_value().map(|p| p < CONFIRMATION_ALPHA)
    }

    /// The unit of the rule's indicator: of the measure it was tuned with, else of the
    /// indicator of its name in `specs`; `None` when neither says (a hand-written rule without
    /// `measure`, shown without the indicator set).
    pub fn unit(&self, specs: &[IndicatorSpec]) -> Option<Unit> {
        let spec = || specs.iter().find(|s| s.name == self.indicator);
        let measure = self.measure.as_ref().or_else(|| spec().map(|s| &s.measure));
        measure.map(Measure::unit)
    }

    /// The rule in words, in its indicator's unit ([`RulePolicy::unit`]):
    /// `proposal_delay_days >= 17.76 working days by day 28` (`≥` unless `ascii`).
    pub fn text(&self, specs: &[IndicatorSpec], ascii: bool) -> String {
        format!(
            "{} {} by day {}",
            self.indicator,
            bound_text(self.direction, self.threshold, self.unit(specs), ascii),
            self.by_day
        )
    }
}

/// A rule's figures with 95% intervals (`*_ci = [lo, hi]`, absent if undefined): bootstrap
/// percentiles over deals; over reps cluster-robust for the shares, bootstrap for the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub lost_deals: usize,
    pub won_deals: usize,
    pub recall: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recall_ci: Option<[f64; 2]>,
    pub false_alarm_rate: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_alarm_rate_ci: Option<[f64; 2]>,
    pub precision: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision_ci: Option<[f64; 2]>,
    pub alerts_per_rep_week: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts_per_rep_week_ci: Option<[f64; 2]>,
    pub median_lead_days: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_lead_days_ci: Option<[f64; 2]>,
    /// Held-out figures only: the one-sided Fisher exact p-value of "the flagged deals were
    /// lost no more often than the others" ([`Figures::confirmation_p_value`]); below
    /// [`CONFIRMATION_ALPHA`] the held-out deals confirm the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_p_value: Option<f64>,
}

/// `confirmation_p_value` below this is written as this.
const SMALLEST_P: f64 = 1e-15;

impl Expected {
    /// The first share (recall, false-alarm rate, precision, confirmation p-value) outside
    /// [0, 1], with its field name: `flag` ranks deals by the precision and warns by the
    /// p-value, so a hand-edited 5 must not pass. NaN (undefined, e.g. no flagged deal)
    /// passes.
    fn out_of_range(&self) -> Option<(&'static str, f64)> {
        [
            ("recall", self.recall),
            ("false_alarm_rate", self.false_alarm_rate),
            ("precision", self.precision),
            (
                "confirmation_p_value",
                self.confirmation_p_value.unwrap_or(0.0),
            ),
        ]
        .into_iter()
        .find(|&(_, x)| !x.is_nan() && !(0.0..=1.0).contains(&x))
    }

    /// The first infinite figure or interval bound, with its field name (`name[k]` for a
    /// bound). The tuner never writes one (NaN stands for undefined); a hand-edited
    /// `alerts_per_rep_week = inf` would become the report's plot axis, which plotters
    /// cannot divide into ticks.
    fn infinite(&self) -> Option<(String, f64)> {
        let figures = [
            ("alerts_per_rep_week", self.alerts_per_rep_week),
            ("median_lead_days", self.median_lead_days),
        ];
        let intervals = [
            ("recall_ci", self.recall_ci),
            ("false_alarm_rate_ci", self.false_alarm_rate_ci),
            ("precision_ci", self.precision_ci),
            ("alerts_per_rep_week_ci", self.alerts_per_rep_week_ci),
            ("median_lead_days_ci", self.median_lead_days_ci),
        ];
        let bounds = intervals.into_iter().flat_map(|(name, ci)| {
            ci.into_iter()
                .flat_map(move |b| (0..2).map(move |k| (format!("{name}[{k}]"), b[k])))
        });
        figures
            .into_iter()
            .map(|(name, x)| (name.to_string(), x))
            .chain(bounds)
            .find(|(_, x)| x.is_infinite())
    }

    /// The held-out figures of a rule, with their confirmation p-value to three significant
    /// digits and at least [`SMALLEST_P`]: TOML writes floats without an exponent, and 50
    /// zeros before the digits would tell a reader nothing more.
    fn held_out(f: &Figures) -> Expected {
        let rounded = |p: f64| {
            let p = p.max(SMALLEST_P);
            format!("{p:.2e}").parse().unwrap_or(p)
        };
        Expected {
            confirmation_p_value: f.confirmation_p_value().map(rounded),
            ..f.into()
        }
    }
}

impl From<&Figures> for Expected {
    fn from(f: &Figures) -> Expected {
        let ci = |e: &Estimate| e.ci;
        Expected {
            lost_deals: f.lost,
            won_deals: f.won,
            recall: f.recall.value,
            recall_ci: ci(&f.recall),
            false_alarm_rate: f.false_alarm_rate.value,
            false_alarm_rate_ci: ci(&f.false_alarm_rate),
            precision: f.precision.value,
            precision_ci: ci(&f.precision),
            alerts_per_rep_week: f.alerts_per_rep_week.value,
            alerts_per_rep_week_ci: ci(&f.alerts_per_rep_week),
            median_lead_days: f.median_lead_days.value,
            median_lead_days_ci: ci(&f.median_lead_days),
            confirmation_p_value: None,
        }
    }
}

const HEADER: &str = "\
# dealsim policy: per segment, flag a deal once `indicator` crosses `threshold` by deal age
# `by_day` (holidays not counted in the age; checked at `landmarks` up to the first at or after
# it; value >= threshold for higher_is_riskier, <= for higher_is_safer). `measure` = how the
# indicator was defined when tuned (flag refuses a set that defines it otherwise).
# `expected` = figures on the tuning deals, `holdout` = on the later deals,
# each with 95% intervals (tuning.cluster = deal: bootstrap percentiles over deals, a share
# with fewer than 10 deals on a side Clopper-Pearson's;
# rep: the shares' cluster-robust intervals over reps, the lead's a bootstrap of reps with
# all their deals). Recall: share of lost deals flagged before the loss;
# false_alarm_rate: share of won deals flagged; open deals are left out of both.
# holdout.confirmation_p_value: one-sided Fisher exact p that the held-out deals the rule
# flagged were lost no more often than the others (3 digits, 1e-15 stands for anything smaller);
# below {alpha} they confirm the rule. tuning.significance: a budget or youden rule was
# chosen only where the same test on the tuning deals gave p below it (1: not asked).
# risk_by_age: per deal age (entry k of each column), the tuning deals the rule flagged by
# then and still open (flagged_open), how many of them were later lost, that share (risk)
# and its 95% Clopper-Pearson interval; flag shows a deal the risk at the last age <= its
# own (the nearest with at least {min_risk} deals), not the precision of a fresh flag.
# tuning.window_end: the last day of the log tuned on (tuning_deals_created: the first and last
# creation days of the tuning deals); flag --as-of an earlier day warns that the rules and
# risks were learnt from outcomes that day could not know.
# Apply with: dealsim flag --policy policy.toml --events E --deals D --as-of YYYY-MM-DD
";

impl Policy {
    /// The policy a tuning run recommends; `indicators` are the definitions it was tuned
    /// with (each rule records its indicator's).
    pub fn from_tuning(t: &Tuning, indicators: &[IndicatorSpec]) -> Policy {
        Policy {
            landmarks: t.landmarks.clone(),
            review_segments: t.review_segments.clone(),
            tuning: Some(TuningInfo {
                objective: t.options.objective,
                holdout: t.options.holdout,
                holdout_from: t.holdout_from.clone(),
                tuning_deals_created: t.tuned_created.clone(),
                window_end: Some(t.window_end.clone()).filter(|day| !day.is_empty()),
                min_lead_days: t.options.min_lead_days,
                significance: t.options.significance,
                bootstrap: t.options.bootstrap,
                cluster: t.options.cluster,
                seed: t.options.seed,
                scenario: Some(t.scenario.clone()).filter(|name| !name.is_empty()),
            }),
            segment: t
                .segments
                .iter()
                .map(|s| SegmentPolicy {
                    name: s.segment.clone(),
                    rule: s
                        .chosen
                        .iter()
                        .map(|c| RulePolicy {
                            indicator: c.indicator.clone(),
                            direction: c.direction,
                            threshold: c.threshold,
                            by_day: c.by_day,
                            signal: Some(c.signal),
                            measure: indicators
                                .iter()
                                .find(|i| i.name == c.indicator)
                                .map(|i| i.measure.clone()),
                            expected: Some((&c.in_sample).into()),
                            holdout: c.holdout.as_ref().map(Expected::held_out),
                            risk_by_age: Some(c.risk_by_age.as_slice().into()),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The TOML text, with a header explaining the rules.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("a policy always serialises");
        let header = HEADER
            .replace("{alpha}", &CONFIRMATION_ALPHA.to_string())
            .replace("{min_risk}", &MIN_RISK_DEALS.to_string());
        format!("{header}\n{body}")
    }

    /// Parses and validates a policy; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Policy, InputError> {
        let p: Policy = crate::toml_input::parse_toml(text, origin)?;
        let err =
            |field: String, m: String| crate::toml_input::locate::error_at(text, origin, field, m);
        if p.landmarks.is_empty() || p.landmarks[0] == 0 {
            return Err(err(
                "landmarks".into(),
                format!(
                    "expected ascending deal ages ≥ 1 day, got {:?}",
                    p.landmarks
                ),
            ));
        }
        if p.landmarks.len() > MAX_LANDMARKS {
            return Err(err(
                "landmarks".into(),
                format!(
                    "expected at most {MAX_LANDMARKS} landmarks, got {}",
                    p.landmarks.len()
                ),
            ));
        }
        if let Some(k) = p.landmarks.iter().position(|&l| l > MAX_LANDMARK_DAY) {
            return Err(err(
                format!("landmarks[{k}]"),
                format!(
                    "expected a deal age ≤ {MAX_LANDMARK_DAY} days, got {}",
                    p.landmarks[k]
                ),
            ));
        }
        if let Some(k) = p.landmarks.windows(2).position(|w| w[1] <= w[0]) {
            return Err(err(
                format!("landmarks[{}]", k + 1),
                format!(
                    "expected ascending deal ages, got {} after {}",
                    p.landmarks[k + 1],
                    p.landmarks[k]
                ),
            ));
        }
        if let Some(t) = &p.tuning {
            if let Some(bad) = crate::tuning::run::bad_setting(
                &t.objective,
                t.holdout,
                t.min_lead_days,
                t.significance,
            ) {
                return Err(err(format!("tuning.{}", bad.field), bad.message));
            }
            if let Some((field, message)) = t.bad_day() {
                return Err(err(format!("tuning.{field}"), message));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, s) in p.segment.iter().enumerate() {
            if !seen.insert(s.name.as_str()) {
                return Err(err(
                    format!("segment[{i}].name"),
                    format!("duplicate segment {:?}", s.name),
                ));
            }
            for (k, r) in s.rule.iter().enumerate() {
                let at = |f: &str| format!("segment[{i}].rule[{k}].{f}");
                if !r.threshold.is_finite() {
                    return Err(err(
                        at("threshold"),
                        format!("expected a finite number, got {}", r.threshold),
                    ));
                }
                for (part, e) in [("expected", &r.expected), ("holdout", &r.holdout)] {
                    let Some(e) = e else { continue };
                    if let Some((name, x)) = e.out_of_range() {
                        return Err(err(
                            at(&format!("{part}.{name}")),
                            format!("expected a share in [0, 1], got {x}"),
                        ));
                    }
                    if let Some((name, x)) = e.infinite() {
                        return Err(err(
                            at(&format!("{part}.{name}")),
                            format!("expected a finite number (or nan: undefined), got {x}"),
                        ));
                    }
                }
                if let Some((field, message)) = r.risk_by_age.as_ref().and_then(RiskByAge::invalid)
                {
                    return Err(err(at(&format!("risk_by_age.{field}")), message));
                }
                if r.by_day > MAX_LANDMARK_DAY {
                    return Err(err(
                        at("by_day"),
                        format!(
                            "expected a deal age ≤ {MAX_LANDMARK_DAY} days, got {}",
                            r.by_day
                        ),
                    ));
                }
                if r.by_day < p.landmarks[0] {
                    return Err(err(
                        at("by_day"),
                        format!(
                            "expected a deal age ≥ the first landmark ({} days), got {}",
                            p.landmarks[0], r.by_day
                        ),
                    ));
                }
            }
        }
        for (i, name) in p.review_segments.iter().enumerate() {
            if seen.contains(name.as_str()) {
                return Err(err(
                    format!("review_segments[{i}]"),
                    format!(
                        "segment {name:?} is listed for review and also has a [[segment]] with \
                         rules; a review segment is never flagged: remove it from one of the two"
                    ),
                ));
            }
        }
        Ok(p)
    }

    /// One sentence per rule whose held-out deals did not confirm it (its
    /// `holdout.confirmation_p_value` is at least [`CONFIRMATION_ALPHA`]), for `flag` to
    /// print before the list its flags make; `specs` give the units of rules that do not
    /// record their measure ([`RulePolicy::unit`]).
    pub fn unconfirmed_rules(&self, specs: &[IndicatorSpec]) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.segment {
            for r in &s.rule {
                if let Some(p) = r
                    .confirmation_p_value()
                    .filter(|&p| p >= CONFIRMATION_ALPHA)
                {
                    out.push(format!(
                        "segment {}: the rule `{}` is {}: {NOT_CONFIRMED}",
                        s.name,
                        r.text(specs, false),
                        confirmation_text(p)
                    ));
                }
            }
        }
        out
    }

    /// Parts of the policy that do less than they seem to, for `flag` to warn about: a
    /// segment without rules (its open deals are never flagged) and a rule checked "by" a day
    /// after the policy's last landmark (it is checked up to that landmark only, as if by it).
    pub fn inert_parts(&self, specs: &[IndicatorSpec]) -> Vec<String> {
        let last = self.landmarks.last().copied().unwrap_or(0);
        let mut out = Vec::new();
        for s in &self.segment {
            if s.rule.is_empty() {
                out.push(format!(
                    "segment {} has no rule in the policy: its open deals are never flagged",
                    s.name
                ));
            }
            for r in s.rule.iter().filter(|r| r.by_day > last) {
                out.push(format!(
                    "segment {}: the rule `{}` is checked by day {}, but the policy's landmarks \
                     end at day {last}: it is checked up to day {last} only",
                    s.name,
                    r.text(specs, false),
                    r.by_day
                ));
            }
        }
        out
    }

    /// Reads and validates a policy file ([`Policy::parse`]).
    pub fn load(path: &Path) -> Result<Policy, InputError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(&origin, format!("cannot read the policy: {e}")))?;
        Policy::parse(&text, &origin)
    }

    /// Checks that every segment occurs in the data (`segments`: the names in the deals
    /// file) and every rule's indicator is in `indicators`, with the same direction. `path` is
    /// the policy file this policy was loaded from: an error names the line and column of the
    /// field (the file is read again for that, on the way to an error only).
    pub fn check_against(
        &self,
        path: &Path,
        segments: &[String],
        indicators: &[IndicatorSpec],
    ) -> Result<(), InputError> {
        let origin = path.display().to_string();
        let err = |field: String, message: String| match std::fs::read_to_string(path) {
            Ok(text) => crate::toml_input::locate::error_at(&text, &origin, field, message),
            Err(_) => InputError::new(&origin, message).at_field(field),
        };
        let listed = |v: &mut dyn Iterator<Item = &str>| v.collect::<Vec<_>>().join(", ");
        // A review segment misspelt would quietly put its deals under the reps' figures.
        let named = self
            .segment
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("segment[{i}].name"), &s.name));
        let reviewed = (self.review_segments.iter().enumerate())
            .map(|(i, s)| (format!("review_segments[{i}]"), s));
        for (field, name) in named.chain(reviewed) {
            if !segments.contains(name) {
                let hint = did_you_mean(name, segments.iter().map(String::as_str))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(err(
                    field,
                    format!(
                        "segment {name:?} does not occur in the deals; expected one of: {}{hint}",
                        listed(&mut segments.iter().map(String::as_str))
                    ),
                ));
            }
        }
        for (i, s) in self.segment.iter().enumerate() {
            for (k, r) in s.rule.iter().enumerate() {
                let Some(spec) = indicators.iter().find(|x| x.name == r.indicator) else {
                    let names = || indicators.iter().map(|x| x.name.as_str());
                    let hint = did_you_mean(&r.indicator, names())
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default();
                    return Err(err(
                        format!("segment[{i}].rule[{k}].indicator"),
                        format!(
                            "unknown indicator {:?}; expected one of: {}{hint}",
                            r.indicator,
                            listed(&mut names())
                        ),
                    ));
                };
                if spec.direction != r.direction {
                    return Err(err(
                        format!("segment[{i}].rule[{k}].direction"),
                        format!(
                            "indicator {:?} is {} in the indicator set, the rule says {}",
                            r.indicator,
                            spec.direction.name(),
                            r.direction.name()
                        ),
                    ));
                }
                if let Some(tuned) = r.measure.as_ref().filter(|&m| *m != spec.measure) {
                    let text = |m: &Measure| {
                        toml::Value::try_from(m)
                            .map_or_else(|_| format!("{m:?}"), |v| v.to_string())
                    };
                    return Err(err(
                        format!("segment[{i}].rule[{k}].measure"),
                        format!(
                            "indicator {:?} was tuned as {} but the indicator set defines it as {}, \
                             so the rule's threshold would mean something else; flag with \
                             --indicators naming the definitions the policy was tuned with, or tune again",
                            r.indicator,
                            text(tuned),
                            text(&spec.measure)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

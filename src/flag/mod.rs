//! `dealsim flag`: today's pipeline against a policy — which open deals break which rule,
//! riskiest first (`worst_first`; a deal's risk is what its rule's flag has meant for tuning
//! deals still open at its age, [`crate::tuning::risk`]), and per rep the discipline, the
//! flags and the rep's own forecast.
//!
//! The log is cut at the end of the `--as-of` day ([`crate::log::cut`]), so a finished log
//! can be replayed as of a past date — honestly only with a policy tuned on what was known
//! then, which `flag` warns about (`hindsight`); the deals open then are evaluated at the
//! policy's landmarks up to their age, exactly as during tuning: a rule "crosses τ by day d" has
//! fired if the deal crossed at some landmark up to its age whose rule age (holidays not
//! counted, [`crate::tuning::clock`]) is ≤ d. Deals of review (atypical)
//! segments are counted, never flagged. Not for: choosing rules ([`crate::tuning`]).

pub(crate) mod precision;
mod render;

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, InputError, IoContext};
use crate::indicators::spec::Attribute;
use crate::indicators::{
    self, stage_map::StageMaps, Direction, IndicatorSpec, Measure, Panel, Signal, Unit,
};
use crate::log::cut::{check_as_of, cut, cut_day};
use crate::log::read::{end_of_day, read_log_with_events};
use crate::log::{Log, Outcome};
use crate::output::OutputDir;
use crate::policy::{Policy, RiskByAge, RulePolicy};
use crate::scenario::Scenario;
use crate::time::{DayNum, SECONDS_PER_DAY};
use crate::tuning::clock::RuleClock;
use crate::tuning::risk::{RiskAtAge, MIN_RISK_DEALS};
use crate::tuning::rule::{first_flags, Rule};
use crate::tuning::sweep::orient;

pub const FLAGS_CSV: &str = "flags.csv";
pub const REPS_CSV: &str = "reps.csv";
pub const FLAGS_JSON: &str = "flags.json";

/// Why a deal is flagged: one broken rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The rule in words, e.g. `proposal_delay_days >= 25.8 working days by day 28`.
    pub rule: String,
    pub indicator: String,
    /// The indicator's value at the landmark where the rule fired.
    #[serde(serialize_with = "precision::stored")]
    pub value: f64,
    /// The indicator's unit, for the terminal to show `value` as the rule shows its
    /// threshold (shares in percent).
    #[serde(skip)]
    pub unit: Option<Unit>,
    pub threshold: f64,
    /// The rule's deadline (deal age, days).
    pub by_day: u32,
    /// The landmark (deal age, days) at which the rule fired.
    pub flagged_at_day: u32,
    /// Days the deal has been breaking the rule: its age today minus `flagged_at_day`.
    #[serde(serialize_with = "precision::days")]
    pub days_overdue: f64,
    /// The rule's in-sample precision (share of flagged deals that were lost), if known: the
    /// risk of a fresh flag, not of this deal ([`Reason::risk`]).
    #[serde(serialize_with = "precision::opt_share")]
    pub precision: Option<f64>,
    /// What this rule's flag has meant for a deal still open at this deal's age, if known.
    pub risk: Option<RuleRisk>,
    /// Whether the tuner's held-out deals confirmed the rule (its confirmation p-value below
    /// [`crate::tuning::rule::CONFIRMATION_ALPHA`]); `None` for a policy without one.
    pub confirmed: Option<bool>,
}

impl FlaggedDeal {
    /// Whether every rule the deal breaks is one the held-out deals did not confirm: its
    /// flag may be noise.
    pub fn only_unconfirmed(&self) -> bool {
        self.reasons.iter().all(|r| r.confirmed == Some(false))
    }
}

/// The share of the tuning deals a rule flagged that were later lost, among those still open
/// at a deal's age ([`crate::tuning::risk`]): a deal open long after its flag is far less
/// likely to be lost than a fresh flag, which the rule's overall precision describes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRisk {
    #[serde(serialize_with = "precision::share")]
    pub value: f64,
    /// Its 95% Clopper–Pearson interval.
    #[serde(serialize_with = "precision::opt_share_pair")]
    pub ci: Option<[f64; 2]>,
    /// The deal age (days) whose figure it is: the last in the policy's `risk_by_age` at or
    /// before the deal's age, or the nearest with at least [`MIN_RISK_DEALS`] deals. `None`:
    /// the rule's overall precision, for a policy without `risk_by_age` or a rule with too
    /// few deals at every age.
    pub age_days: Option<u32>,
    /// The tuning deals the share is over (flagged by `age_days` and still open then; for the
    /// overall precision, every deal the rule flagged).
    pub deals: Option<usize>,
    /// The age the deal was due the figure of, when too few deals stood behind it and
    /// `age_days` is another: the terminal says so.
    #[serde(skip)]
    pub instead_of: Option<u32>,
}

impl RuleRisk {
    /// Whether fewer than [`MIN_RISK_DEALS`] tuning deals stand behind the figure (an overall
    /// precision over a handful of flagged deals: 2 of 2 lost reads "100%" with an interval
    /// from 16% up). Such a deal is listed after those whose risk rests on enough deals.
    pub fn is_thin(&self) -> bool {
        self.deals.is_some_and(|n| n < MIN_RISK_DEALS)
    }
}

/// An open deal that breaks at least one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedDeal {
    pub case_id: String,
    pub segment: String,
    pub rep: String,
    pub created: String,
    #[serde(serialize_with = "precision::days")]
    pub age_days: f64,
    /// The highest risk among the broken rules ([`Reason::risk`]): how often such a flag,
    /// still open at this age, meant a loss; `None` when no broken rule records one (a
    /// hand-written rule without `expected`), which is unknown, not 0. Risks resting on
    /// enough deals come first: a [thin](RuleRisk::is_thin) one only when the deal has no
    /// other.
    #[serde(serialize_with = "precision::opt_share")]
    pub risk: Option<f64>,
    /// Whether that risk is [thin](RuleRisk::is_thin): the deal is listed after the others.
    pub risk_is_thin: bool,
    /// The rep's latest forecast win probability, if any.
    #[serde(serialize_with = "precision::opt_stored")]
    pub forecast: Option<f64>,
    pub reasons: Vec<Reason>,
}

/// Per rep, over the rep's open deals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RepRow {
    pub rep: String,
    pub open_deals: usize,
    pub flagged_deals: usize,
    /// Mean share of due steps (their deadline passed) done by their deadline, as of the end
    /// of the as-of day, over the open deals with at least one step due: a deal too young for
    /// any deadline has kept none and missed none, and counting it as on time (the indicator
    /// reads 1) lifted reps unevenly, by 2–10 points on the default run as of 2026-02-15.
    /// `None` when none of the rep's open deals has a step due.
    #[serde(serialize_with = "precision::opt_share")]
    pub on_time_share: Option<f64>,
    /// Mean latest forecast win probability over all open deals, and over the flagged ones.
    #[serde(serialize_with = "precision::opt_share")]
    pub forecast_open: Option<f64>,
    #[serde(serialize_with = "precision::opt_share")]
    pub forecast_flagged: Option<f64>,
}

/// What `flag` found.
#[derive(Debug, Clone, Serialize)]
pub struct FlagReport {
    pub as_of: String,
    pub open_deals: usize,
    /// Open deals of the segments the policy gives rules: the ones a rule can flag.
    pub policed_deals: usize,
    /// Open deals of review (atypical) segments: listed for manual review, not flagged.
    pub review_deals: usize,
    pub flagged: Vec<FlaggedDeal>,
    pub reps: Vec<RepRow>,
    /// The policy's rules whose held-out deals did not confirm them
    /// ([`Policy::unconfirmed_rules`]): their flags may be noise.
    pub warnings: Vec<String>,
}

/// Per rep while counting: open deals, flagged deals, on-time shares (of the deals with a step
/// due), forecasts of all open deals, forecasts of the flagged ones.
type RepAcc = (usize, usize, Vec<f64>, Vec<f64>, Vec<f64>);

/// Inputs of `dealsim flag`.
pub struct FlagJob<'a> {
    pub events: &'a Path,
    pub deals: &'a Path,
    pub policy: &'a Path,
    pub indicators: Vec<IndicatorSpec>,
    pub scenario: &'a Scenario,
    pub as_of: DayNum,
}

/// The indicators of the per-rep table, whatever the indicator set: the share of due steps
/// done on time and the rep's latest forecast win probability.
fn per_rep_indicators() -> [IndicatorSpec; 2] {
    let spec = |name: &str, measure| IndicatorSpec {
        name: name.to_string(),
        description: format!("{name} (read by flag for the per-rep table)"),
        direction: Direction::HigherIsSafer,
        signal: Signal::Process,
        measure,
    };
    [
        spec("on_time_share", Measure::OnTimeRatio {}),
        spec(
            "latest_forecast",
            Measure::LastValue {
                attribute: Attribute::ForecastProbability,
            },
        ),
    ]
}

/// Flags the deals of `log` open at the end of `as_of` (the log is cut there first).
///
/// Indicators are evaluated on the whole cut log, not on the open deals alone: history-based
/// indicators ([`Measure::PriorWinRate`]) read the outcomes of the deals that closed before a
/// landmark, and without them they are always missing, so their rules could never fire. The
/// cut makes that safe: a deal closed after `as_of` is open in it, so its outcome feeds no
/// win rate, exactly as it could not have on that day.
pub fn flag_log(
    log: &Log,
    policy: &Policy,
    specs: &[IndicatorSpec],
    scenario: &Scenario,
    as_of: DayNum,
) -> FlagReport {
    let now = end_of_day(as_of);
    let known = cut(log, as_of);
    let open: Vec<usize> = (0..known.deals.len())
        .filter(|&d| known.deals[d].outcome == Outcome::Open)
        .collect();
    let maps = StageMaps::new(scenario, &known);
    let mut panel = indicators::evaluate(&known, specs, None, &maps, &policy.landmarks, now);
    indicators::set_aside_inert(&mut panel, specs, &known);
    let clock = RuleClock::new(&known, &scenario.calendar.holidays, &policy.landmarks);
    // Today's discipline and forecast, read at the end of the as-of day itself: a deal's
    // latest landmark may be up to six days old.
    let (on_time, forecast) = (0, 1);
    let today = indicators::evaluate_at(&known, &per_rep_indicators(), &maps, &open, now);
    let today_value = |d: usize, j: usize| -> Option<f64> {
        let v = today[open.binary_search(&d).ok()?][j];
        (!v.is_nan()).then_some(v as f64)
    };
    // The on-time share of a deal with a step due: with none, the indicator reads 1 (nothing
    // missed yet), which says nothing of the rep's discipline.
    let due_today = indicators::steps_due_at(&known, &maps, &open, now);
    let on_time_today = |d: usize| {
        let k = open.binary_search(&d).ok()?;
        (due_today[k] > 0).then(|| today_value(d, on_time))?
    };
    let read = |d: usize, l: usize, j: usize| -> Option<f64> {
        let at = &panel.at[l];
        let r = at.deals.binary_search(&(d as u32)).ok()?;
        let v = at.values[j][r];
        (!v.is_nan()).then_some(v as f64)
    };
    let seg_name = |d: usize| known.symbols.name(known.deals[d].segment).to_string();
    let age = |d: usize| (now.0 - known.deals[d].created.0) as f64 / SECONDS_PER_DAY as f64;

    let mut warnings: Vec<String> = crate::indicators::eventless_deals(&known)
        .into_iter()
        .collect();
    warnings.extend(policy.unconfirmed_rules(specs));
    warnings.extend(policy.inert_parts(specs));
    warnings.extend(risk_warnings(policy, specs));
    warnings.extend(unpoliced_segments(
        policy,
        open.iter().map(|&d| seg_name(d)),
    ));
    let tuned_under = policy.tuning.as_ref().and_then(|t| t.scenario.as_deref());
    if let Some(tuned) = tuned_under.filter(|&name| name != scenario.name) {
        warnings.push(format!(
            "the policy was tuned under scenario {tuned:?}, the log is read with scenario {:?}: \
             working days (its holidays), stage norms and step deadlines come from the \
             scenario, so a threshold may mean something else here; --scenario names the one \
             the policy was tuned under",
            scenario.name
        ));
    }
    let mut reasons: Vec<Vec<Reason>> = vec![Vec::new(); known.deals.len()];
    for seg in &policy.segment {
        let in_segment: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&d| seg_name(d) == seg.name)
            .collect();
        for r in &seg.rule {
            let j = specs
                .iter()
                .position(|s| s.name == r.indicator)
                .expect("checked against the indicator set");
            let rule = Rule {
                indicator: j,
                oriented: orient(r.direction, r.threshold as f32),
                by_day: r.by_day,
            };
            let text = r.text(specs, true);
            let unit = r.unit(specs);
            if let Some(n) = missing_everywhere(&panel, &clock, &rule, &in_segment, &read) {
                let why = match (&panel.indicators[j].not_scored, &specs[j].measure) {
                    // The events it reads never occur (a rule on proposal_delay_days once
                    // flagged every deal old enough on a log without proposals).
                    (Some(inert), _) => format!(": {inert}"),
                    (None, Measure::PriorWinRate { min_closed, .. }) => format!(
                        ": fewer than {min_closed} deals of its group closed before those landmarks"
                    ),
                    (None, _) => String::new(),
                };
                let deals = match n {
                    1 => "its one open deal".to_string(),
                    n => format!("all {n} of its open deals"),
                };
                warnings.push(format!(
                    "segment {}: the rule `{text}` cannot flag anything: {} is missing for {deals} at every landmark it checks{why}",
                    seg.name, r.indicator
                ));
            }
            let first = first_flags(&panel, &clock, &rule);
            let risk_rows = r.risk_by_age.as_ref().map_or(Vec::new(), RiskByAge::rows);
            let (confirmed, precision) = (r.confirmed(), overall_risk(r));
            for &d in &in_segment {
                let Some(l) = first[d].map(usize::from) else {
                    continue;
                };
                let at_day = policy.landmarks[l];
                reasons[d].push(Reason {
                    rule: text.clone(),
                    indicator: r.indicator.clone(),
                    value: read(d, l, j).unwrap_or(f64::NAN),
                    unit,
                    threshold: r.threshold,
                    by_day: r.by_day,
                    flagged_at_day: at_day,
                    days_overdue: age(d) - at_day as f64,
                    precision: precision.map(|(p, _, _)| p),
                    risk: rule_risk(&risk_rows, precision, age(d)),
                    confirmed,
                });
            }
        }
    }
    let is_flagged: Vec<bool> = reasons.iter().map(|r| !r.is_empty()).collect();
    let flagged_created: Vec<DayNum> = (0..known.deals.len())
        .filter(|&d| is_flagged[d])
        .map(|d| known.deals[d].created.day())
        .collect();
    warnings.extend(hindsight(policy, as_of, &flagged_created));
    let mut flagged: Vec<FlaggedDeal> = reasons
        .into_iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .map(|(d, reasons)| {
            let (risk, risk_is_thin) = listed_risk(&reasons);
            FlaggedDeal {
                case_id: known.case_ids[d].clone(),
                segment: seg_name(d),
                rep: known.symbols.name(known.deals[d].rep).to_string(),
                created: known.deals[d].created.day().iso(),
                age_days: age(d),
                risk,
                risk_is_thin,
                forecast: today_value(d, forecast),
                reasons,
            }
        })
        .collect();
    flagged.sort_by(worst_first);

    let review = |d: usize| policy.review_segments.contains(&seg_name(d));
    // The deals a rule can flag: of a segment the policy gives rules. The per-rep table counts
    // only these, or a rep's flags would be read against deals no rule looks at.
    let policed = |d: usize| {
        let segment = seg_name(d);
        (policy.segment.iter()).any(|p| p.name == segment && !p.rule.is_empty())
    };
    let mut reps: std::collections::BTreeMap<String, RepAcc> = Default::default();
    for &d in open.iter().filter(|&&d| policed(d)) {
        let e = reps
            .entry(known.symbols.name(known.deals[d].rep).to_string())
            .or_default();
        e.0 += 1;
        e.1 += is_flagged[d] as usize;
        e.2.extend(on_time_today(d));
        if let Some(p) = today_value(d, forecast) {
            e.3.push(p);
            if is_flagged[d] {
                e.4.push(p);
            }
        }
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    FlagReport {
        as_of: as_of.iso(),
        open_deals: open.len(),
        policed_deals: open.iter().filter(|&&d| policed(d)).count(),
        review_deals: open.iter().filter(|&&d| review(d)).count(),
        flagged,
        warnings,
        reps: reps
            .into_iter()
            .map(|(rep, (n, f, ot, fo, ff))| RepRow {
                rep,
                open_deals: n,
                flagged_deals: f,
                on_time_share: mean(&ot),
                forecast_open: mean(&fo),
                forecast_flagged: mean(&ff),
            })
            .collect(),
    }
}

/// The risk a deal flagged for `reasons` is listed by, and whether it is thin
/// ([`RuleRisk::is_thin`]): the highest of those resting on enough deals, else the highest
/// thin one.
fn listed_risk(reasons: &[Reason]) -> (Option<f64>, bool) {
    let risks = || reasons.iter().filter_map(|r| r.risk.as_ref());
    let highest = |thin: bool| {
        risks()
            .filter(|r| r.is_thin() == thin)
            .max_by(|a, b| a.value.total_cmp(&b.value))
    };
    let listed = highest(false).or_else(|| highest(true));
    (
        listed.map(|r| r.value),
        listed.is_some_and(RuleRisk::is_thin),
    )
}

/// A rule's in-sample precision with its interval and the number of tuning deals the rule
/// flagged (recall × lost deals + false-alarm rate × won deals, each a whole number of deals).
/// A NaN precision (undefined: it flagged no tuning deal) is as unknown as an omitted
/// `expected`, and such a deal is listed last.
fn overall_risk(r: &RulePolicy) -> Option<(f64, Option<[f64; 2]>, usize)> {
    let e = r.expected.as_ref().filter(|e| !e.precision.is_nan())?;
    let flagged = (e.recall * e.lost_deals as f64).round()
        + (e.false_alarm_rate * e.won_deals as f64).round();
    Some((e.precision, e.precision_ci, flagged as usize))
}

/// The risk of a deal aged `age` days (fractional) that a rule flagged: the rule's figure in
/// its risk by age `rows` at the last age `≤ age` ([`age_row`]), else its overall `precision`
/// (with its interval and the number of flagged deals, [`overall_risk`]).
fn rule_risk(
    rows: &[RiskAtAge],
    precision: Option<(f64, Option<[f64; 2]>, usize)>,
    age: f64,
) -> Option<RuleRisk> {
    let due = rows
        .iter()
        .rev()
        .find(|x| f64::from(x.age_days) <= age)
        .or(rows.first())
        .map(|x| x.age_days);
    match due.and_then(|due| age_row(rows, due)) {
        Some(row) => Some(RuleRisk {
            value: row.risk,
            ci: row.ci,
            age_days: Some(row.age_days),
            deals: Some(row.flagged_open),
            instead_of: due.filter(|&due| due != row.age_days),
        }),
        None => precision.map(|(value, ci, deals)| RuleRisk {
            value,
            ci,
            age_days: None,
            deals: Some(deals),
            instead_of: None,
        }),
    }
}

/// Whether at least [`MIN_RISK_DEALS`] deals stand behind a risk.
fn enough_deals(x: &RiskAtAge) -> bool {
    x.flagged_open >= MIN_RISK_DEALS && !x.risk.is_nan()
}

/// The row of `rows` for a deal due the risk at age `due` (the last age at or before its own,
/// or the first if it is younger): that age's, or, when fewer than [`MIN_RISK_DEALS`] deals
/// stand behind it, the nearest age's with enough (ties: the younger, whose figure is the
/// higher, as the share falls with age). `None` when no age has enough deals.
fn age_row(rows: &[RiskAtAge], due: u32) -> Option<&RiskAtAge> {
    rows.iter()
        .filter(|x| enough_deals(x))
        .min_by_key(|x| (x.age_days.abs_diff(due), x.age_days))
}

/// Where `flag` cannot show a deal's risk at its age: once for a policy whose rules record no
/// risk by age (tuned before it was recorded, or written by hand), and per rule with fewer
/// than [`MIN_RISK_DEALS`] deals at every age; their deals show the overall precision.
fn risk_warnings(policy: &Policy, specs: &[IndicatorSpec]) -> Vec<String> {
    let rules = || {
        policy
            .segment
            .iter()
            .flat_map(|s| s.rule.iter().map(move |r| (s, r)))
    };
    let mut out = Vec::new();
    if rules().any(|(_, r)| r.risk_by_age.is_none() && overall_risk(r).is_some()) {
        out.push(
            "the policy records no risk by deal age (risk_by_age): the risk shown is each \
             rule's overall in-sample precision, the risk of a fresh flag, which overstates the \
             risk of deals flagged long ago; tune again to record it"
                .to_string(),
        );
    }
    for (s, r) in rules() {
        let rows = r.risk_by_age.as_ref().map_or(Vec::new(), RiskByAge::rows);
        if !rows.is_empty() && !rows.iter().any(enough_deals) {
            let thin = match overall_risk(r) {
                Some((_, _, n)) if n < MIN_RISK_DEALS => format!(
                    ", over the {n} deals it flagged: too few to rank by, so its deals are listed \
                     after those whose risk rests on {MIN_RISK_DEALS} or more"
                ),
                _ => String::new(),
            };
            out.push(format!(
                "segment {}: the rule `{}` has fewer than {MIN_RISK_DEALS} flagged tuning deals \
                 at every age in risk_by_age: its deals show its overall precision as their risk{thin}",
                s.name,
                r.text(specs, false)
            ));
        }
    }
    out
}

/// The warning for a policy tuned on a log that runs past `as_of` (its `[tuning] window_end`
/// is later): its thresholds and `risk_by_age` were learnt from outcomes that day could not
/// know, so a replay as of then looks like a backtest and is not. `flagged_created`: the
/// flagged deals' creation days, to count those created by the last tuning deal's (in the log
/// tuned on, exactly the flagged tuning deals: 94 of 292 on the default run cut at 2026-01-12
/// and flagged with its own policy). Policies that do not record the window get no warning.
fn hindsight(policy: &Policy, as_of: DayNum, flagged_created: &[DayNum]) -> Option<String> {
    let tuning = policy.tuning.as_ref()?;
    let end = tuning.window_end_day().filter(|&end| end > as_of)?;
    let as_of = as_of.iso();
    let tuned = tuning.last_tuning_deal_created().and_then(|last| {
        let n = flagged_created.iter().filter(|&&c| c <= last).count();
        (n > 0).then(|| {
            format!(
                "; {n} of the {} flagged deals were created by {}, the last tuning deal's \
                 creation day: in the log it was tuned on they are tuning deals, whose own \
                 outcomes shaped the rules that flag them",
                flagged_created.len(),
                last.iso()
            )
        })
    });
    Some(format!(
        "the policy was tuned on a log that runs to {} (its [tuning] window_end), after \
         --as-of {as_of}: its rules and risks were learnt from outcomes that day could not \
         know, so the flagged deals' later loss rate overstates what the policy would have done \
         then{}; for an honest backtest tune on the log cut at that day (`dealsim cut --as-of \
         {as_of}`, then `dealsim tune` on the cut log) and flag with that policy",
        end.iso(),
        tuned.unwrap_or_default()
    ))
}

/// A warning per segment of the open deals (`open_segments`, one name per deal) that the
/// policy neither gives rules nor lists for review: its deals are never flagged, which a
/// policy tuned on other data, or cut down by hand, would otherwise do without a word.
fn unpoliced_segments(policy: &Policy, open_segments: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for s in open_segments {
        *counts.entry(s).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(s, _)| {
            !policy.segment.iter().any(|p| &p.name == s) && !policy.review_segments.contains(s)
        })
        .map(|(s, n)| {
            let deals = if n == 1 { "deal is" } else { "deals are" };
            format!("segment {s} is not in the policy: its {n} open {deals} never flagged")
        })
        .collect()
}

/// The order of the flagged deals: riskiest first, then, among equal risks, the most rules
/// broken, the shortest since the first of them fired, and the lower deal id ([`id_order`]).
/// Risk is a rule's figure at the deal's age ([`RuleRisk`]), so the deals of one segment at
/// the same age (landmark) share it; among them the freshest flag comes first, as a flag's
/// meaning fades while the deal stays open (on the default run cut at 2026-02-15, flagged deals
/// were later lost at 95–100% within 14 days of the flag and 25–65% after 60). A thin risk
/// (fewer than [`MIN_RISK_DEALS`] deals behind it) comes after every risk on enough deals, and
/// an unknown one after every known one. Risks and days compare as written in the files
/// ([`precision`]), so the order can be checked from them.
fn worst_first(a: &FlaggedDeal, b: &FlaggedDeal) -> std::cmp::Ordering {
    let risk = |f: &FlaggedDeal| f.risk.map_or(f64::NEG_INFINITY, precision::share_written);
    // A risk on a handful of deals after every risk on enough.
    let founded = |f: &FlaggedDeal| f.risk.is_some() && !f.risk_is_thin;
    let since_first = |f: &FlaggedDeal| {
        f.reasons
            .iter()
            .map(|r| precision::days_written(r.days_overdue))
            .fold(0.0, f64::max)
    };
    founded(b)
        .cmp(&founded(a))
        .then(risk(b).total_cmp(&risk(a)))
        .then(b.reasons.len().cmp(&a.reasons.len()))
        .then(since_first(a).total_cmp(&since_first(b)))
        .then(id_order(&a.case_id, &b.case_id))
}

/// Deal ids in the order people count them: as numbers when both are (`99` before `100`,
/// where text puts `100` first), as text otherwise.
fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y).then(a.cmp(b)),
        _ => a.cmp(b),
    }
}

/// The number of deals of `deals` that `rule` checks at some landmark, if its indicator is
/// missing (NaN) at every landmark it checks for all of them; `None` when some deal has a
/// value there or no deal is old enough to be checked. Such a rule silently flags nothing,
/// e.g. a `prior_win_rate` whose groups have too few closes, so `flag` warns about it.
fn missing_everywhere(
    panel: &Panel,
    clock: &RuleClock,
    rule: &Rule,
    deals: &[usize],
    read: &impl Fn(usize, usize, usize) -> Option<f64>,
) -> Option<usize> {
    let last = clock
        .last_checked(rule.by_day)
        .min(panel.at.len().saturating_sub(1));
    let checked = |d: usize| (0..=last).filter(move |&l| clock.checks(d, l, rule.by_day));
    let has_row = |d: usize, l: usize| panel.at[l].deals.binary_search(&(d as u32)).is_ok();
    let reached = deals
        .iter()
        .filter(|&&d| checked(d).any(|l| has_row(d, l)))
        .count();
    let valued = deals
        .iter()
        .any(|&d| checked(d).any(|l| read(d, l, rule.indicator).is_some()));
    (reached > 0 && !valued).then_some(reached)
}

/// Runs `flag`: reads and checks everything, then writes `flags.csv`, `reps.csv` and
/// `flags.json` into `out` (which appears whole or not at all).
pub fn flag_to_dir(job: &FlagJob<'_>, out: &Path) -> Result<FlagReport, Error> {
    let policy = Policy::load(job.policy)?;
    let known_until = cut_day(job.events)?;
    let log = read_log_with_events(job.events, job.deals)?;
    check_as_of(&log, job.as_of, "--as-of", known_until)?;
    let segments: Vec<String> = log
        .deals
        .iter()
        .map(|d| log.symbols.name(d.segment).to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    policy.check_against(job.policy, &segments, &job.indicators)?;
    let report = flag_log(&log, &policy, &job.indicators, job.scenario, job.as_of);
    let dir = OutputDir::create(out)?;
    let files: [(&str, Vec<u8>); 3] = [
        (FLAGS_CSV, render::flags_csv(&report)),
        (REPS_CSV, render::reps_csv(&report)),
        (FLAGS_JSON, render::json(&report)),
    ];
    for (name, bytes) in files {
        let path = dir.file(name);
        std::fs::write(&path, bytes).context(|| format!("writing {}", path.display()))?;
    }
    dir.commit()
        .context(|| format!("moving the flags into {}", out.display()))?;
    Ok(report)
}

pub use render::table;

/// Parses `--as-of`.
pub fn parse_as_of(s: &str) -> Result<DayNum, InputError> {
    crate::log::read::parse_day(s)
        .ok_or_else(|| InputError::new("--as-of", format!("expected a date YYYY-MM-DD, got {s:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn reason(value: f64, deals: usize) -> Reason {
        Reason {
            rule: String::new(),
            indicator: String::new(),
            value: 0.0,
            unit: None,
            threshold: 0.0,
            by_day: 28,
            flagged_at_day: 28,
            days_overdue: 0.0,
            precision: None,
            confirmed: None,
            risk: Some(RuleRisk {
                value,
                ci: None,
                age_days: None,
                deals: Some(deals),
                instead_of: None,
            }),
        }
    }

    fn deal(id: &str, reasons: Vec<Reason>) -> FlaggedDeal {
        let (risk, risk_is_thin) = listed_risk(&reasons);
        FlaggedDeal {
            case_id: id.into(),
            segment: String::new(),
            rep: String::new(),
            created: String::new(),
            age_days: 30.0,
            risk,
            risk_is_thin,
            forecast: None,
            reasons,
        }
    }

    /// A risk of 2 lost of 2 flagged (100%) ranks after 60% of 40, and before an unknown
    /// one; a deal with both kinds of reasons is listed by the risk resting on enough deals.
    #[test]
    fn a_risk_on_a_handful_of_deals_comes_after_those_on_enough() {
        let mut deals = [
            deal("thin", vec![reason(1.0, 2)]),
            deal(
                "unknown",
                vec![Reason {
                    risk: None,
                    ..reason(0.0, 0)
                }],
            ),
            deal("founded", vec![reason(0.6, 40)]),
            deal("both", vec![reason(1.0, 2), reason(0.5, MIN_RISK_DEALS)]),
        ];
        deals.sort_by(worst_first);
        let order: Vec<&str> = deals.iter().map(|d| d.case_id.as_str()).collect();
        assert_eq!(order, ["founded", "both", "thin", "unknown"]);
        assert_eq!((deals[1].risk, deals[1].risk_is_thin), (Some(0.5), false));
        assert_eq!((deals[2].risk, deals[2].risk_is_thin), (Some(1.0), true));
    }

    /// The overall precision's deals: recall × lost + false-alarm rate × won, whole deals.
    #[test]
    fn the_overall_risk_counts_the_deals_the_rule_flagged() {
        let policy = crate::policy::Policy::parse(
            "landmarks = [7, 14]\n[[segment]]\nname = \"s\"\n[[segment.rule]]\nindicator = \"x\"\n\
             direction = \"higher_is_riskier\"\nthreshold = 1.0\nby_day = 14\n\
             [segment.rule.expected]\nlost_deals = 9\nwon_deals = 30\nrecall = 0.2222222222222222\n\
             false_alarm_rate = 0.0\nprecision = 1.0\nprecision_ci = [0.158, 1.0]\n\
             alerts_per_rep_week = 0.1\nmedian_lead_days = 30.0\n",
            "p.toml",
        )
        .expect("a valid policy");
        let rule = &policy.segment[0].rule[0];
        assert_eq!(overall_risk(rule), Some((1.0, Some([0.158, 1.0]), 2)));
        let risk = rule_risk(&[], overall_risk(rule), 30.0).expect("the precision");
        assert!(risk.is_thin());
        assert_eq!((risk.ci, risk.deals), (Some([0.158, 1.0]), Some(2)));
    }

    #[test]
    fn deal_ids_order_as_numbers_when_both_are() {
        assert_eq!(id_order("99", "100"), Less);
        assert_eq!(id_order("100", "99"), Greater);
        assert_eq!(id_order("7", "7"), Equal);
        // Leading zeros: the same number, then the text decides, so the order stays total.
        assert_eq!(id_order("007", "7"), Less);
        // Otherwise as text: a CRM's "D-100" before "D-99", and numbers before letters.
        assert_eq!(id_order("D-100", "D-99"), Less);
        assert_eq!(id_order("100", "D-1"), Less);
    }
}

//! Tuning KPI rules per segment: which indicator, at which threshold, by which deal age,
//! catches most losses early without drowning reps in alerts.
//!
//! A **rule** "indicator crosses τ by deal age d" flags a deal at the first landmark `≤ d`
//! (holidays not counted in the age: [`clock`]) at which the deal is still open and the indicator, oriented by its direction, crosses τ
//! (`value ≥ τ` for `higher_is_riskier`, `value ≤ τ` for `higher_is_safer`). Over the decided
//! deals of a segment (open deals have no known outcome and are left out of every rate):
//! recall = share of lost deals flagged before they were lost; false-alarm rate = share of
//! won deals flagged; precision = share of flagged deals that were lost; alerts per rep per
//! week = flagged share × new deals per rep per week in the segment (its volume in the log);
//! median lead = median whole days from the first flag to the loss, over flagged lost deals.
//!
//! Deals are split by creation date: the first `1 − holdout` of the creation span tune, the
//! rest only report the chosen rules' figures (honest evaluation). Segments marked `review`
//! in the scenario (atypical) are not tuned against typical deadlines; their deals are listed
//! for manual review. [`sweep`] scores every candidate in one pass per indicator, [`rule`]
//! re-applies the chosen rule per deal for confidence intervals and the holdout,
//! [`objective`] picks, [`risk`] measures what a chosen rule's flag means for a deal still
//! open at a later age, [`deadlines`] proposes step deadlines from won vs lost deals.
//! Not for: evaluating indicators (that is [`crate::indicators`]) or flagging today's deals
//! (that is [`crate::flag`]).

pub mod client_quiet;
pub mod clock;
pub mod deadlines;
pub mod objective;
pub mod rep_load;
pub mod risk;
pub mod rule;
pub mod run;
pub mod sweep;
mod table;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::indicators::{Direction, Panel, Signal, Unit};
use crate::log::{Log, Outcome};
use crate::stats::bootstrap::Cluster;
use crate::time::{DayNum, Timestamp, SECONDS_PER_DAY};
use clock::RuleClock;
pub use objective::Objective;
use rule::{Figures, Rule};
pub use table::render_plans;

/// Settings of a tuning run.
#[derive(Debug, Clone, Serialize)]
pub struct TuneOptions {
    pub objective: Objective,
    /// Share (0 ≤ h < 1) of the creation span, at its end, held out from tuning.
    pub holdout: f64,
    /// Bootstrap replicates for the chosen rules' intervals (over reps, their median leads').
    pub bootstrap: usize,
    /// What a replicate resamples: decided deals (within lost / won), or reps with all their
    /// decided deals.
    pub cluster: Cluster,
    pub seed: u64,
    /// Signals whose indicators may be chosen (every indicator is still swept and shown).
    pub signals: Vec<Signal>,
    /// A rule is chosen only if its median lead time is at least this many days: a warning
    /// that comes days before the recorded loss (the client already went silent) is
    /// detection, not early warning.
    pub min_lead_days: f64,
    /// Under `budget` and `youden`, a rule is chosen only if the tuning deals it flags were
    /// lost more often than the others with a one-sided Fisher exact p below this (the table
    /// of [`crate::stats::fisher`]). "Flags lost deals more often than won ones" alone lets a
    /// small segment's noise through: 1 of 3 lost deals flagged against 0 of 11 won ones
    /// reads as risk 100% (p = 0.21). At 1 only that inequality is asked. Not a confirmation:
    /// the chosen rule is the best of many, which the held-out check accounts for.
    pub significance: f64,
}

impl TuneOptions {
    /// Bootstrap replicates and what they resample.
    pub fn draws(&self) -> (usize, Cluster) {
        (self.bootstrap, self.cluster)
    }
}

/// The rule chosen for a segment, in the indicator's own units, with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct Chosen {
    pub indicator: String,
    pub signal: Signal,
    pub direction: Direction,
    /// Flag when the value is `≥` this (`higher_is_riskier`) or `≤` it (`higher_is_safer`).
    pub threshold: f64,
    /// The indicator's unit, for the texts that show the rule.
    #[serde(skip)]
    pub unit: Unit,
    pub by_day: u32,
    pub in_sample: Figures,
    /// `None` when nothing is held out.
    pub holdout: Option<Figures>,
    /// At every landmark, the share of the tuning deals the rule flagged by then and still
    /// open that were later lost: the risk `flag` shows a deal of that age.
    pub risk_by_age: Vec<risk::RiskAtAge>,
    /// The flagged lost deals against the client's last activity, on the tuning and the
    /// held-out deals: how much of the lead is time to act. `None` without client events.
    pub client_quiet: Option<client_quiet::ClientQuietParts>,
    #[serde(skip)]
    pub rule: Rule,
}

/// One typical segment's tuning.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentPlan {
    pub segment: String,
    pub tune_deals: usize,
    pub holdout_deals: usize,
    /// New deals per rep per week (the whole log's creation span and reps of the segment).
    pub deals_per_rep_week: f64,
    /// Mean value of the lost tuning deals (the value at risk of the cost objective).
    pub lost_value: f64,
    pub chosen: Option<Chosen>,
    /// Why no rule was chosen, if none was.
    pub note: Option<String>,
    /// When the alert budget is at least the segment's volume: every deal may be flagged, so
    /// the budget does not make the rule selective.
    #[serde(skip)]
    pub warning: Option<String>,
    /// The other eligible indicators' own best rules, best first by the objective: what a
    /// head of sales gives up by preferring, say, a client signal to the chosen rep signal.
    #[serde(skip)]
    pub runners_up: Vec<RunnerUp>,
}

/// An indicator's own best rule in a segment (in-sample point figures), when it is not the
/// chosen one.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerUp {
    pub indicator: String,
    pub direction: Direction,
    /// In the indicator's own units, as [`Chosen::threshold`].
    pub threshold: f64,
    pub unit: Unit,
    pub by_day: u32,
    pub recall: f64,
    pub false_alarm_rate: f64,
    pub alerts_per_rep_week: f64,
    pub median_lead_days: f64,
    /// The figures above with confidence intervals, for the first [`RUNNERS_UP_SHOWN`]
    /// runners-up, on the chosen rule's replicates (or reps): whether an alternative's shortfall
    /// against the chosen rule is more than sampling noise.
    pub in_sample: Option<Figures>,
    /// This rule's recall minus the chosen rule's on the tuning deals, with the paired
    /// interval of the difference, for the same runners-up: an interval that excludes 0 says
    /// the chosen rule catches more for a reason.
    pub recall_vs_chosen: Option<rule::Estimate>,
    /// Point figures on the held-out deals, for the first [`RUNNERS_UP_SHOWN`] runners-up
    /// when deals are held out: whether the alternative holds up, as the chosen rule's do.
    pub holdout: Option<Figures>,
}

/// How many runners-up `policy.md` lists, with their held-out figures.
pub const RUNNERS_UP_SHOWN: usize = 3;

/// One candidate rule on the trade-off curve: a row of `tradeoffs.csv`, written by the tuner
/// and read back by the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TradeoffRow {
    pub segment: String,
    pub indicator: String,
    pub landmark_day: u32,
    pub threshold: f64,
    pub recall: f64,
    pub false_alarm_rate: f64,
    pub precision: f64,
    pub alerts_per_rep_week: f64,
    pub median_lead_days: f64,
    /// 1 for the rule the tuner picked, else 0.
    #[serde(serialize_with = "as_digit", deserialize_with = "from_digit")]
    pub chosen: bool,
    /// 1 for the indicator's own best rule (what it would achieve if it were chosen; only
    /// indicators of the eligible signals have one), else 0. Every threshold at that rule's
    /// landmark is listed: the indicator's curve in the report. Files written before this
    /// column read 0.
    #[serde(default, serialize_with = "as_digit", deserialize_with = "from_digit")]
    pub indicator_best: bool,
}

fn as_digit<S: serde::Serializer>(b: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(*b as u8)
}

fn from_digit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match u8::deserialize(d)? {
        0 => Ok(false),
        1 => Ok(true),
        n => Err(serde::de::Error::custom(format!(
            "expected 0 or 1, got {n}"
        ))),
    }
}

/// A deal of an atypical segment, listed for manual review.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReviewDeal {
    pub case_id: String,
    pub segment: String,
    pub rep: String,
    pub created: String,
    pub outcome: String,
    pub value: f64,
}

/// Everything a tuning run found.
#[derive(Debug, Clone, Serialize)]
pub struct Tuning {
    pub options: TuneOptions,
    pub landmarks: Vec<u32>,
    /// Deals created before this day tune; the rest are the holdout. Empty when no deal was
    /// created at least the last landmark's age before the end of the data.
    pub holdout_from: String,
    /// The first and last creation days of the tuning deals; `None` without any.
    pub tuned_created: Option<[String; 2]>,
    /// The last day of the observation window (inclusive): the rules and their risks were
    /// learnt from the outcomes known by its end. Set where the window is known
    /// ([`run::tune_log`]); empty from [`tune`] alone.
    pub window_end: String,
    pub segments: Vec<SegmentPlan>,
    pub review_segments: Vec<String>,
    #[serde(skip)]
    pub review: Vec<ReviewDeal>,
    #[serde(skip)]
    pub tradeoffs: Vec<TradeoffRow>,
    #[serde(skip)]
    pub deadlines: Vec<deadlines::DeadlineRow>,
    /// Per deal of the log: whether it was a tuning deal.
    #[serde(skip)]
    pub tuned: Vec<bool>,
    /// Indicators whose activities or resources never occur in the log
    /// ([`crate::indicators::unknown_names`]) or whose card is out of another count of fields
    /// than the scenario's ([`crate::indicators::card_mismatches`]): a rule on one of them
    /// measures something other than its name says (a proposal delay without proposals is the
    /// deal's age).
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// The name of the scenario whose calendar and stage definitions the rules were tuned
    /// under (the run's, or the one beside an imported log), so a policy can be traced.
    pub scenario: String,
    /// The yearly holidays the rule clock skips (the scenario's): `policy.md` names them,
    /// since an imported log read under the default scenario gets its calendar's.
    #[serde(skip)]
    pub holidays: Vec<crate::calendar::YearlyPeriod>,
}

/// Whether every value the rule's indicator takes on the deals `tuned` (by deal index), at any
/// landmark, crosses its threshold: the rule then flags the deals whose value is defined,
/// whatever it is. A user review met `owner_win_rate <= 100%` (a share, never above 100%) on
/// the CRM sample: it flags the deals whose owner has closed enough deals to have a rate.
fn crossed_by_every_value(panel: &Panel, rule: &Rule, tuned: impl Fn(usize) -> bool) -> bool {
    let direction = panel.indicators[rule.indicator].direction;
    panel.at.iter().all(|at| {
        (at.deals.iter().zip(&at.values[rule.indicator])).all(|(&d, &v)| {
            !tuned(d as usize) || v.is_nan() || sweep::orient(direction, v) >= rule.oriented
        })
    })
}

/// The warning of a rule whose held-out deals raised more alerts than the budget it was
/// chosen within, beyond their sampling error (`interval`, all above the budget): later deals
/// cross its threshold more often than the tuning deals did, so the team would get more alerts
/// than it asked for. (The CRM sample by office: 3.8 per rep per week against 2.)
fn over_budget_warning(budget: f64, [lo, hi]: [f64; 2]) -> String {
    format!(
        "on the held-out deals the chosen rule raises {lo:.2}–{hi:.2} alerts per rep per week \
         (95% interval), above the budget of {budget}: later deals cross its threshold more \
         often than the tuning deals did, so expect more alerts than budgeted"
    )
}

/// Which deals the held-out figures are on, in words: the later `holdout` share of the
/// creation span of the deals old enough to be followed to the last landmark (`last_landmark`
/// days); the youngest deals are in neither part (see `Population`). Said in `policy.md`
/// and the report, which once called it a share of the whole creation span.
pub fn held_out_text(holdout: f64, last_landmark: u32) -> String {
    if holdout == 0.0 {
        // "the last 0% of the creation span" read as if some deals had been held out.
        return "none: with --holdout 0 no deal is held out, and the held-out figures are empty"
            .to_string();
    }
    format!(
        "the last {:.0}% of the creation span of the deals created at least {last_landmark} \
         days before the end of the data; younger deals, not yet followed to the last \
         landmark, are in neither part",
        100.0 * holdout
    )
}

/// A false-alarm rate from which a rule is taken to flag nearly every deal.
pub const NEARLY_ALL: f64 = 0.9;

/// Which deals tune, which are held out, and the volume of each segment.
struct Population {
    tune: Vec<bool>,
    holdout: Vec<bool>,
    /// The first day of the held-out deals' creations (the day after the last tuning deal's
    /// without a holdout); `None` when no deal is old enough to tune or hold out.
    holdout_from: Option<DayNum>,
    /// Per panel segment.
    review: Vec<bool>,
    per_rep_week: Vec<f64>,
}

impl Population {
    /// Only deals created at least the last landmark's age before the window end are tuned
    /// or held out: every landmark of every rule is observed for them, and nearly all have
    /// a known outcome. Later deals are mostly still open, and the few decided ones are the
    /// quick losses: counting them would bias the holdout (open deals are never counted).
    fn new(log: &Log, panel: &Panel, review: &[String], holdout: f64) -> Population {
        let seg_review: Vec<bool> = panel.segments.iter().map(|s| review.contains(s)).collect();
        let follow_up = panel.landmarks.last().copied().unwrap_or(0) as f64;
        let observed = |i: usize| panel.window_age[i] >= follow_up;
        let created = |i: usize| log.deals[i].created.0;
        let span = |keep: &dyn Fn(usize) -> bool| {
            let c = (0..log.deals.len()).filter(|&i| keep(i)).map(created);
            (c.clone().min().unwrap_or(0), c.max().unwrap_or(0))
        };
        let (first, last) = span(&observed);
        let split = first + ((last - first) as f64 * (1.0 - holdout)).round() as i64;
        // At the start of the split's day: the files say "created before <day>", and a CRM
        // export's date-only creations all fall at midnight.
        let from = if holdout > 0.0 {
            Timestamp(split).day()
        } else {
            DayNum(Timestamp(last).day().0 + 1)
        };
        let cut = if holdout > 0.0 {
            from.start().0
        } else {
            i64::MAX
        };
        let typical = |i: usize| !seg_review[panel.deal_segment[i] as usize] && observed(i);
        let tune = (0..log.deals.len())
            .map(|i| typical(i) && created(i) < cut)
            .collect();
        let holdout = (0..log.deals.len())
            .map(|i| typical(i) && created(i) >= cut)
            .collect();
        // Volume over every deal of the log.
        let (first_all, last_all) = span(&|_| true);
        let weeks = ((last_all - first_all) as f64 / (7 * SECONDS_PER_DAY) as f64).max(1.0);
        let mut deals = vec![0usize; panel.segments.len()];
        let mut reps: Vec<std::collections::BTreeSet<u32>> =
            vec![Default::default(); panel.segments.len()];
        for (i, d) in log.deals.iter().enumerate() {
            let s = panel.deal_segment[i] as usize;
            deals[s] += 1;
            reps[s].insert(d.rep);
        }
        let per_rep_week = deals
            .iter()
            .zip(&reps)
            .map(|(&n, r)| n as f64 / weeks / r.len().max(1) as f64)
            .collect();
        Population {
            tune,
            holdout,
            holdout_from: (0..log.deals.len()).any(observed).then_some(from),
            review: seg_review,
            per_rep_week,
        }
    }
}

/// Per segment, totals the sweep's cells are divided by.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    lost: usize,
    won: usize,
    lost_value: f64,
}

fn candidate(cell: &sweep::Cell, t: &Totals, per_rep_week: f64) -> objective::Candidate {
    let (fl, fw) = (cell.flagged_lost as f64, cell.flagged_won as f64);
    let decided = (t.lost + t.won) as f64;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    objective::Candidate {
        recall: ratio(fl, t.lost as f64),
        false_alarm_rate: ratio(fw, t.won as f64),
        alerts_per_rep_week: ratio(fl + fw, decided) * per_rep_week,
        flag_rate: ratio(fl + fw, decided),
        flag_lost_rate: ratio(fl, decided),
        median_lead: cell.median_lead.unwrap_or(f64::NAN),
    }
}

/// The threshold in the indicator's own units, as the shortest decimal that reads back as
/// the same `f32` (so a policy file flags exactly the deals the tuner counted).
fn unorient(direction: Direction, t: f32) -> f64 {
    let v = sweep::orient(direction, t);
    v.to_string().parse().unwrap_or(v as f64)
}

/// Tunes one rule per typical segment on `panel` (evaluated from `log`); `review` names the
/// atypical segments. Deterministic for any number of threads.
pub fn tune(
    log: &Log,
    panel: &Panel,
    clock: &RuleClock,
    review: &[String],
    options: &TuneOptions,
) -> Tuning {
    let pop = Population::new(log, panel, review, options.holdout);
    let n_seg = panel.segments.len();
    let mut totals = vec![Totals::default(); n_seg];
    for (i, d) in log.deals.iter().enumerate() {
        if !pop.tune[i] {
            continue;
        }
        let t = &mut totals[panel.deal_segment[i] as usize];
        match d.outcome {
            Outcome::Lost => {
                t.lost += 1;
                t.lost_value += d.value;
            }
            Outcome::Won => t.won += 1,
            Outcome::Open => {}
        }
    }
    for t in &mut totals {
        t.lost_value /= t.lost.max(1) as f64;
    }
    let n_ind = panel.indicators.len();
    let curves: Vec<Vec<sweep::Curve>> = (0..n_ind)
        .into_par_iter()
        .map(|j| {
            let grids = sweep::threshold_grid(panel, j, &pop.tune, n_seg);
            sweep::sweep(panel, clock, j, &pop.tune, &grids)
        })
        .collect();

    // Segments in parallel (the chosen rules' bootstrap dominates); results in segment order.
    let per_segment: Vec<(SegmentPlan, Vec<TradeoffRow>)> = (0..n_seg)
        .into_par_iter()
        .filter(|&s| !pop.review[s])
        .map(|s| {
        let mut tradeoffs = Vec::new();
        let name = panel.segments[s].clone();
        let t = totals[s];
        let volume = pop.per_rep_week[s];
        // Each eligible indicator's best admissible rule, and the best of those.
        let bests: Vec<Option<Best>> = panel
            .indicators
            .iter()
            .enumerate()
            .map(|(j, info)| {
                options
                    .signals
                    .contains(&info.signal)
                    .then(|| best_of_indicator(&curves[j][s], j, &t, volume, panel, options))
                    .flatten()
            })
            .collect();
        // Ranked best first; the sort is stable, so full ties keep the indicators' order and
        // the chosen rule is the first best, as a scan of every candidate would pick.
        let mut ranked: Vec<&Best> = bests.iter().flatten().collect();
        ranked.sort_by(|a, b| Objective::compare((b.score, &b.figures), (a.score, &a.figures)));
        let best = ranked.first().map(|b| b.rule.clone());
        let members = |set: &[bool]| -> Vec<usize> {
            (0..log.deals.len())
                .filter(|&i| set[i] && panel.deal_segment[i] as usize == s)
                .collect()
        };
        let (tune_members, holdout_members) = (members(&pop.tune), members(&pop.holdout));
        // One set of bootstrap replicates of the tuning deals for the chosen rule and the
        // runners-up shown: their intervals are paired, and drawn once.
        let tune_draws = (!ranked.is_empty()).then(|| {
            rule::Resamples::new(panel, &tune_members, options.draws(), options.seed)
        });
        let chosen_first = best
            .as_ref()
            .map(|rule| rule::first_flags(panel, clock, rule));
        let chosen_recalls = chosen_first
            .as_ref()
            .zip(tune_draws.as_ref())
            .map(|(first, draws)| rule::Recalls::new(panel, draws, first));
        let runners_up = ranked
            .iter()
            .skip(1)
            .enumerate()
            .map(|(k, b)| {
                let info = &panel.indicators[b.rule.indicator];
                // For the runners-up a reader is shown: intervals on the tuning deals (the
                // chosen rule's replicates), point figures on the held-out deals.
                let first = (k < RUNNERS_UP_SHOWN).then(|| rule::first_flags(panel, clock, &b.rule));
                let in_sample = first.as_ref().zip(tune_draws.as_ref()).map(|(first, draws)| {
                    rule::figures_on(panel, draws, first, volume)
                });
                let recall_vs_chosen = first
                    .as_ref()
                    .zip(tune_draws.as_ref().zip(chosen_recalls.as_ref()))
                    .map(|(first, (draws, chosen))| {
                        rule::recall_difference(&rule::Recalls::new(panel, draws, first), chosen)
                    });
                let holdout = first
                    .as_ref()
                    .filter(|_| !holdout_members.is_empty())
                    .map(|first| rule::figures(panel, &holdout_members, first, volume, (0, Cluster::Deal), 0));
                RunnerUp {
                    indicator: info.name.clone(),
                    direction: info.direction,
                    threshold: unorient(info.direction, b.rule.oriented),
                    unit: info.unit,
                    by_day: b.rule.by_day,
                    recall: b.figures.recall,
                    false_alarm_rate: b.figures.false_alarm_rate,
                    alerts_per_rep_week: b.figures.alerts_per_rep_week,
                    median_lead_days: b.figures.median_lead,
                    in_sample,
                    recall_vs_chosen,
                    holdout,
                }
            })
            .collect();
        let chosen = best.zip(chosen_first).map(|(rule, first)| {
            let info = &panel.indicators[rule.indicator];
            let draws = tune_draws.as_ref().expect("drawn when a rule is chosen");
            Chosen {
                indicator: info.name.clone(),
                signal: info.signal,
                direction: info.direction,
                threshold: unorient(info.direction, rule.oriented),
                unit: info.unit,
                by_day: rule.by_day,
                in_sample: rule::figures_on(panel, draws, &first, volume),
                holdout: (!holdout_members.is_empty()).then(|| {
                    let seed = options.seed.wrapping_add(1);
                    rule::figures(panel, &holdout_members, &first, volume, options.draws(), seed)
                }),
                risk_by_age: risk::risk_by_age(panel, &tune_members, &first),
                client_quiet: client_quiet::client_quiet(log, panel, &tune_members, &first).map(
                    |tuning| client_quiet::ClientQuietParts {
                        tuning,
                        holdout: (!holdout_members.is_empty())
                            .then(|| {
                                client_quiet::client_quiet(log, panel, &holdout_members, &first)
                            })
                            .flatten(),
                    },
                ),
                rule,
            }
        });
        for (j, info) in panel.indicators.iter().enumerate() {
            let curve = &curves[j][s];
            let own = bests[j].as_ref().map(|b| b.cell);
            let picked = ranked
                .first()
                .filter(|b| b.rule.indicator == j)
                .map(|b| b.cell);
            // The frontier, the indicator's own best rule with every threshold at its
            // landmark (its curve in the report), and the chosen rule.
            let mut cells: std::collections::BTreeSet<(usize, usize)> = frontier(curve, &t, volume)
                .into_iter()
                .map(|(g, d, _)| (d, g))
                .collect();
            if let Some((_, d)) = own {
                cells.extend(
                    (0..curve.grid.len())
                        .filter(|&g| {
                            let c = curve.cell(g, d);
                            c.flagged_lost + c.flagged_won > 0
                        })
                        .map(|g| (d, g)),
                );
            }
            cells.extend(own.iter().chain(&picked).map(|&(g, d)| (d, g)));
            tradeoffs.extend(cells.into_iter().map(|(d, g)| {
                let c = candidate(curve.cell(g, d), &t, volume);
                TradeoffRow {
                    segment: name.clone(),
                    indicator: info.name.clone(),
                    landmark_day: panel.landmarks[d],
                    threshold: unorient(info.direction, curve.grid[g]),
                    recall: c.recall,
                    false_alarm_rate: c.false_alarm_rate,
                    precision: c.flag_lost_rate / c.flag_rate,
                    alerts_per_rep_week: c.alerts_per_rep_week,
                    median_lead_days: c.median_lead,
                    chosen: picked == Some((g, d)),
                    indicator_best: own == Some((g, d)),
                }
            }));
        }
        let note = chosen.is_none().then(|| {
            no_rule_note(options, &t, panel.landmarks.last().copied().unwrap_or(0))
        });
        let warning = match options.objective {
            Objective::Budget {
                alerts_per_rep_week,
            } if volume <= alerts_per_rep_week => Some(format!(
                "the alert budget ({alerts_per_rep_week} per rep per week) is at least the segment's \
                 {volume:.2} new deals per rep per week, so a rule may flag nearly every deal; a \
                 lower --budget makes it selective"
            )),
            Objective::Budget {
                alerts_per_rep_week,
            } => chosen
                .as_ref()
                .and_then(|c| c.holdout.as_ref()?.alerts_per_rep_week.ci)
                .filter(|&[lo, _]| lo > alerts_per_rep_week)
                .map(|[lo, hi]| over_budget_warning(alerts_per_rep_week, [lo, hi])),
            // Money may say "review every deal"; the user should hear that it did.
            Objective::Cost {
                review_cost,
                save_probability,
            } => chosen
                .as_ref()
                .map(|c| c.in_sample.false_alarm_rate.value)
                .filter(|&rate| rate >= NEARLY_ALL)
                .map(|rate| {
                    format!(
                        "the chosen rule flags {:.0}% of won deals: at a review cost of \
                         {review_cost} per alert against the value at risk × {save_probability} \
                         saved, reviewing nearly every deal pays; a higher --review-cost or a \
                         lower --save-probability makes the rule selective",
                        100.0 * rate
                    )
                }),
            _ => None,
        };
        // A rule every value crosses is a rule on whether the indicator is defined at all.
        let vacuous = chosen
            .as_ref()
            .filter(|c| crossed_by_every_value(panel, &c.rule, |d| pop.tune[d] && panel.deal_segment[d] as usize == s))
            .map(|c| {
                format!(
                    "every value {} takes on the tuning deals crosses the chosen threshold, so the \
                     rule flags each deal whose {} is defined by its day, whatever its level: it \
                     tells deals with the figure from deals without it",
                    c.indicator, c.indicator
                )
            });
        let warning = match (warning, vacuous) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        let plan = SegmentPlan {
            segment: name,
            tune_deals: tune_members.len(),
            holdout_deals: holdout_members.len(),
            deals_per_rep_week: volume,
            lost_value: t.lost_value,
            chosen,
            note,
            warning,
            runners_up,
        };
        (plan, tradeoffs)
    })
        .collect();
    let (segments, tradeoffs): (Vec<SegmentPlan>, Vec<Vec<TradeoffRow>>) =
        per_segment.into_iter().unzip();
    let tradeoffs: Vec<TradeoffRow> = tradeoffs.into_iter().flatten().collect();
    let review_segments: Vec<String> = (0..n_seg)
        .filter(|&s| pop.review[s])
        .map(|s| panel.segments[s].clone())
        .collect();
    let review_list = log
        .deals
        .iter()
        .enumerate()
        .filter(|(i, _)| pop.review[panel.deal_segment[*i] as usize])
        .map(|(i, d)| ReviewDeal {
            case_id: log.case_ids[i].clone(),
            segment: log.symbols.name(d.segment).to_string(),
            rep: log.symbols.name(d.rep).to_string(),
            created: d.created.day().iso(),
            outcome: d.outcome.as_str().to_string(),
            value: d.value,
        })
        .collect();
    Tuning {
        options: options.clone(),
        landmarks: panel.landmarks.clone(),
        holdout_from: pop.holdout_from.map_or(String::new(), DayNum::iso),
        tuned_created: created_span(log, &pop.tune),
        window_end: String::new(),
        segments,
        review_segments,
        review: review_list,
        tradeoffs,
        deadlines: Vec::new(),
        tuned: pop.tune,
        warnings: Vec::new(),
        scenario: String::new(),
        holidays: Vec::new(),
    }
}

/// The first and last creation days of the deals of `log` marked in `tuned`, if any.
fn created_span(log: &Log, tuned: &[bool]) -> Option<[String; 2]> {
    let days = || {
        (log.deals.iter().zip(tuned))
            .filter(|(_, &t)| t)
            .map(|(d, _)| d.created.day())
    };
    Some([days().min()?.iso(), days().max()?.iso()])
}

/// Below this many lost or won tuning deals, "no rule qualified" says how few there were:
/// a median lead and a recall on a handful of deals rarely pass the criteria, and the reader
/// should look at the data before the thresholds. (The scoring's default `--min-class`.)
const FEW_DECIDED: usize = 20;

/// Why a segment got no rule. Without a lost or a won tuning deal no rule can be judged at
/// all (recall needs lost deals, the false-alarm rate and "flags lost deals more often than
/// won ones" need won ones): that, not the objective's criteria, is then the reason.
/// `follow_up`: the last landmark (days), the age a deal must reach in the window to tune.
fn no_rule_note(options: &TuneOptions, t: &Totals, follow_up: u32) -> String {
    let counts = format!("{} lost and {} won", t.lost, t.won);
    if t.lost == 0 || t.won == 0 {
        return format!(
            "too few decided deals to tune on: the segment's tuning deals (decided, created at \
             least {follow_up} days before the window end, before the held-out ones) include \
             {counts}, and a rule needs both outcomes: its recall is counted on lost deals, its \
             false alarms on won ones"
        );
    }
    let why = match options.objective {
        Objective::Cost { .. } => "no rule saves more than its reviews cost".to_string(),
        Objective::Budget { .. } => format!(
            "no rule of the eligible signals stays within the alert budget with a median lead of at least {} days and flags lost deals {}",
            options.min_lead_days,
            more_often(options.significance)
        ),
        Objective::Youden => format!(
            "no eligible rule flags lost deals {}",
            more_often(options.significance)
        ),
    };
    if t.lost.min(t.won) < FEW_DECIDED {
        format!("{why}, on only {counts} tuning deals")
    } else {
        why
    }
}

/// What "flags lost deals more often than won ones" asks at `significance`.
fn more_often(significance: f64) -> String {
    if significance >= 1.0 {
        "more often than won ones".to_string()
    } else {
        format!(
            "more often than won ones beyond chance (one-sided Fisher p < {significance} on the \
             tuning deals, --significance)"
        )
    }
}

/// An indicator's best admissible rule in a segment, with what it is judged on.
struct Best {
    score: f64,
    figures: objective::Candidate,
    rule: Rule,
    /// (threshold index, landmark index) of the rule on its curve.
    cell: (usize, usize),
}

/// The best rule of indicator `j` in one segment under `options` (objective, minimum lead),
/// or `None` when no rule of it is admissible. Ties: [`Objective::better`], then the earlier
/// threshold and landmark.
fn best_of_indicator(
    curve: &sweep::Curve,
    j: usize,
    t: &Totals,
    volume: f64,
    panel: &Panel,
    options: &TuneOptions,
) -> Option<Best> {
    let mut best: Option<Best> = None;
    for g in 0..curve.grid.len() {
        for d in 0..curve.landmarks {
            let cell = curve.cell(g, d);
            if cell.flagged_lost + cell.flagged_won == 0 {
                continue;
            }
            let c = candidate(cell, t, volume);
            // A NaN lead (no lost deal flagged) is never enough.
            if c.median_lead.is_nan() || c.median_lead < options.min_lead_days {
                continue;
            }
            let Some(score) = options.objective.score(&c, t.lost_value) else {
                continue;
            };
            // The exact test only for a candidate that would be chosen: it costs a walk over
            // the hypergeometric support, the comparison does not.
            if best
                .as_ref()
                .is_none_or(|b| Objective::better((score, &c), (b.score, &b.figures)))
                && beyond_chance(cell, t, options)
            {
                best = Some(Best {
                    score,
                    figures: c,
                    rule: Rule {
                        indicator: j,
                        oriented: curve.grid[g],
                        by_day: panel.landmarks[d],
                    },
                    cell: (g, d),
                });
            }
        }
    }
    best
}

/// Whether the tuning deals `cell`'s rule flags were lost more often than the others beyond
/// [`TuneOptions::significance`], for the objectives that ask it ([`Objective::asks_evidence`]).
fn beyond_chance(cell: &sweep::Cell, t: &Totals, options: &TuneOptions) -> bool {
    if !options.objective.asks_evidence() || options.significance >= 1.0 {
        return true;
    }
    let (fl, fw) = (cell.flagged_lost as u64, cell.flagged_won as u64);
    let p = crate::stats::fisher::fisher_greater(fl, t.lost as u64 - fl, fw, t.won as u64 - fw);
    p < options.significance
}

/// The (recall ↑, false-alarm rate ↓) Pareto frontier of one curve's candidates: (threshold
/// index, landmark index, figures), ordered by landmark then threshold.
fn frontier(
    curve: &sweep::Curve,
    t: &Totals,
    volume: f64,
) -> Vec<(usize, usize, objective::Candidate)> {
    let mut all: Vec<(usize, usize, objective::Candidate)> = Vec::new();
    for g in 0..curve.grid.len() {
        for d in 0..curve.landmarks {
            let cell = curve.cell(g, d);
            if cell.flagged_lost + cell.flagged_won > 0 {
                all.push((g, d, candidate(cell, t, volume)));
            }
        }
    }
    all.retain(|x| !x.2.recall.is_nan() && !x.2.false_alarm_rate.is_nan());
    // Fewest false alarms first; among equal ones the highest recall, then the earliest rule.
    all.sort_by(|a, b| {
        a.2.false_alarm_rate
            .total_cmp(&b.2.false_alarm_rate)
            .then(b.2.recall.total_cmp(&a.2.recall))
            .then((a.1, a.0).cmp(&(b.1, b.0)))
    });
    let mut best = f64::NEG_INFINITY;
    let mut keep = Vec::new();
    for x in all {
        if x.2.recall > best {
            best = x.2.recall;
            keep.push(x);
        }
    }
    keep.sort_by_key(|x| (x.1, x.0));
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_out_deals_in_words() {
        assert!(held_out_text(0.3, 168).starts_with("the last 30% of the creation span"));
        assert_eq!(
            held_out_text(0.0, 168),
            "none: with --holdout 0 no deal is held out, and the held-out figures are empty"
        );
    }

    #[test]
    fn no_rule_note_names_missing_or_few_decided_deals() {
        let options = TuneOptions {
            objective: Objective::Budget {
                alerts_per_rep_week: 2.0,
            },
            holdout: 0.3,
            bootstrap: 10,
            cluster: Cluster::Deal,
            seed: 1,
            signals: Vec::new(),
            min_lead_days: 21.0,
            significance: 0.05,
        };
        let note = |lost, won| {
            let t = Totals {
                lost,
                won,
                lost_value: 0.0,
            };
            no_rule_note(&options, &t, 168)
        };
        for (lost, won) in [(0, 0), (3, 0), (0, 40)] {
            let n = note(lost, won);
            assert!(
                n.starts_with("too few decided deals to tune on: ")
                    && n.contains(&format!("include {lost} lost and {won} won"))
                    && n.contains("168 days")
                    && !n.contains("alert budget"),
                "{n}"
            );
        }
        let few = note(2, 30);
        assert!(
            few.contains("alert budget") && few.ends_with("on only 2 lost and 30 won tuning deals"),
            "{few}"
        );
        let enough = note(25, 30);
        assert!(
            enough.contains("alert budget") && !enough.contains("only"),
            "{enough}"
        );
    }
}

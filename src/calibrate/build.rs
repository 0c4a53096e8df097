//! From a profile of the history to a first scenario: what can be read off the log directly.
//!
//! Fitted from the log: the window, per segment the monthly inflow and its trend (Poisson
//! log-linear regression of monthly counts), lead-source shares, the number of reps, the deal
//! value distribution and, per step, its owner, duration distribution (MLE, best family by
//! AIC), skip probability, loss probability (discrete-time hazard) and a proposed deadline.
//!
//! Not identifiable from outcomes and events alone, hence taken from a base scenario (the
//! embedded default unless given): the hidden causal model (`[model]`), contacts, card and
//! forecast behaviour, the calendar, the reps' discipline and optimism distributions and
//! the late penalties of steps (same-named segment or step of the base where there is one).
//! Lead sources get health 0: their differences in win rate are not separated from the
//! step loss probabilities, which [`super::adjust`] tunes to the history.

use crate::calendar::Calendar;
use crate::scenario::spec::{
    DistSpec, InflowSpec, SegmentSpec, SourceSpec, StageMapSpec, StageSpec, StepSpec, WindowSpec,
};
use crate::scenario::{Owner, ScenarioSpec, Support};
use crate::stats::quantile::{median, quantile};
use crate::time::DayNum;

use super::fit::fit_best;
use super::profile::{SegmentShape, SegmentTally, StepTally, Tally};

/// Fewer observed durations than this and a step's duration is not fitted: it becomes a
/// constant at their median (at least 0.01 working days), with a note.
pub const MIN_DURATIONS: usize = 10;
/// The shortest duration written (working days), as the engine's floor of about five minutes.
const MIN_DURATION: f64 = 0.01;
/// Probabilities are kept inside this margin so their log-odds stay finite.
pub const PROBABILITY_FLOOR: f64 = 1e-4;

/// A distribution for a step's durations, and a note when there were too few to fit or
/// when the log had no start events to measure them with.
fn duration(name: &str, tally: &StepTally, notes: &mut Vec<String>) -> DistSpec {
    let (durations, clock) = tally.timing(MIN_DURATIONS, false);
    if clock && !durations.is_empty() {
        notes.push(format!(
            "{name}: too few start events, durations measured from the previous step's completion"
        ));
    }
    let positive: Vec<f64> = durations.iter().map(|d| d.max(MIN_DURATION)).collect();
    if positive.len() >= MIN_DURATIONS {
        if let Some(f) = fit_best(&positive, Support::Positive) {
            return f.spec;
        }
    }
    let value = median(&positive).unwrap_or(1.0);
    notes.push(format!(
        "{name}: only {} observed durations (fewer than {MIN_DURATIONS}), using a constant {value:.2} working days",
        positive.len()
    ));
    DistSpec::Constant { value }
}

fn clamp_probability(p: f64) -> f64 {
    p.clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
}

/// The base scenario's step of this name: in the same-named segment's map first, then in any.
fn base_step<'b>(base: &'b ScenarioSpec, segment: &str, step: &str) -> Option<&'b StepSpec> {
    let steps_of = |map: &'b StageMapSpec| map.stages.iter().flat_map(|s| s.steps.iter());
    let own = base
        .segments
        .iter()
        .find(|s| s.name == segment)
        .and_then(|s| base.stage_maps.iter().find(|m| m.name == s.stage_map));
    own.into_iter()
        .chain(base.stage_maps.iter())
        .flat_map(steps_of)
        .find(|s| s.name == step)
}

fn step_spec(
    base: &ScenarioSpec,
    segment: &str,
    index: usize,
    shape: &super::profile::StepShape,
    tally: &StepTally,
    notes: &mut Vec<String>,
) -> StepSpec {
    let from_base = base_step(base, segment, &shape.name);
    let what = format!("segment {segment}, step {}", shape.name);
    let skip = tally.skip_rate().unwrap_or(0.0);
    // Proposed deadline: the 75th percentile of the time the step's deadline clock ran, so
    // about a quarter of past deals would have been late (README, "Calibrate").
    let deadline = quantile(&tally.clock, 0.75)
        .map_or(5.0, |q| q.ceil())
        .max(1.0);
    StepSpec {
        name: shape.name.clone(),
        owner: shape.owner,
        duration: duration(&what, tally, notes),
        deadline_days: deadline,
        deadline_from: (index == 0).then(|| "created".to_string()),
        skip_probability: if skip > 0.0 {
            clamp_probability(skip)
        } else {
            0.0
        },
        loss_probability: clamp_probability(tally.hazard().unwrap_or(0.0)),
        late_penalty: match shape.owner {
            Owner::Rep => from_base.map_or(0.0, |s| s.late_penalty),
            _ => 0.0,
        },
        exogenous_loss: from_base.is_some_and(|s| s.exogenous_loss),
    }
}

/// Working days of `from..=to`.
fn working_days(cal: &Calendar, from: DayNum, to: DayNum) -> usize {
    cal.working_days_in(from, to).len()
}

/// Monthly inflow at the window start and relative growth per year, by maximum likelihood
/// for monthly counts `N_m ~ Poisson(a · e^{b·t_m} · f_m)` (`t_m` years from the window start
/// to the month's start, `f_m` the month's share of working days inside the window), the
/// engine's arrival model. Newton–Raphson on (ln a, b) from b = 0.
pub fn fit_inflow(cal: &Calendar, window: (DayNum, DayNum), created: &[DayNum]) -> InflowSpec {
    let (first, last) = window;
    let mut months: Vec<(f64, f64, f64)> = Vec::new(); // (t, f, count)
    let (mut y, mut m, _) = first.ymd();
    loop {
        let start = DayNum::from_ymd(y, m, 1);
        if start > last {
            break;
        }
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let end = DayNum(DayNum::from_ymd(ny, nm, 1).0 - 1);
        let full = working_days(cal, start, end);
        let inside = working_days(cal, start.max(first), end.min(last));
        if full > 0 && inside > 0 {
            let count = created
                .iter()
                .filter(|d| **d >= start && **d <= end)
                .count();
            let t = (start.0 - first.0).max(0) as f64 / 365.25;
            months.push((t, inside as f64 / full as f64, count as f64));
        }
        (y, m) = (ny, nm);
    }
    let exposure: f64 = months.iter().map(|(_, f, _)| f).sum();
    let total: f64 = months.iter().map(|(_, _, n)| n).sum();
    let mut a = (total / exposure.max(1e-9)).max(1e-9).ln();
    let mut b = 0.0;
    let spread = months
        .first()
        .is_some_and(|m0| months.iter().any(|(t, _, _)| *t > m0.0));
    if spread && total > 0.0 {
        for _ in 0..50 {
            let (mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for &(t, f, n) in &months {
                let mu = (a + b * t).exp() * f;
                g0 += n - mu;
                g1 += (n - mu) * t;
                h00 += mu;
                h01 += mu * t;
                h11 += mu * t * t;
            }
            let det = h00 * h11 - h01 * h01;
            if det.abs() < 1e-12 {
                break;
            }
            let (da, db) = ((h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det);
            a += da;
            b += db;
            if da.abs() < 1e-12 && db.abs() < 1e-12 {
                break;
            }
        }
    }
    InflowSpec {
        per_month: if total > 0.0 { a.exp() } else { 0.0 },
        trend_per_year: (b.exp() - 1.0).max(-0.99),
    }
}

fn segment_spec(
    base: &ScenarioSpec,
    cal: &Calendar,
    window: (DayNum, DayNum),
    shape: &SegmentShape,
    tally: &SegmentTally,
) -> SegmentSpec {
    let own = base.segments.iter().find(|s| s.name == shape.name);
    let template = own.unwrap_or(&base.segments[0]);
    let total: usize = tally.sources.iter().map(|(_, n)| n).sum();
    let value = match tally.values.len() {
        n if n >= MIN_DURATIONS => fit_best(&tally.values, Support::Positive).map(|f| f.spec),
        _ => None,
    }
    .unwrap_or_else(|| DistSpec::Constant {
        value: median(&tally.values).filter(|v| *v > 0.0).unwrap_or(1.0),
    });
    let mut reps = template.reps.clone();
    reps.count = tally.reps.len().max(1) as u32;
    SegmentSpec {
        name: shape.name.clone(),
        review: own.is_some_and(|s| s.review),
        stage_map: shape.name.clone(),
        pace: 1.0,
        loss_shift: 0.0,
        inflow: fit_inflow(cal, window, &tally.created),
        sources: tally
            .sources
            .iter()
            .map(|(name, n)| SourceSpec {
                name: name.clone(),
                share: *n as f64 / total as f64,
                health: 0.0,
            })
            .collect(),
        value,
        reps,
    }
}

/// The first scenario fitted from `tally` (see the module header for what comes from where).
pub fn initial_spec(
    base: &ScenarioSpec,
    cal: &Calendar,
    window: (DayNum, DayNum, DayNum),
    shapes: &[SegmentShape],
    tally: &Tally,
    seed: u64,
    notes: &mut Vec<String>,
) -> ScenarioSpec {
    let (first, last, end) = window;
    let mut spec = base.clone();
    spec.name = "calibrated".to_string();
    spec.seed = seed;
    spec.window = WindowSpec {
        first_created: first.iso(),
        last_created: last.iso(),
        end: end.iso(),
    };
    spec.stage_maps = shapes
        .iter()
        .zip(&tally.segments)
        .map(|(shape, t)| StageMapSpec {
            name: shape.name.clone(),
            stages: shape
                .stages
                .iter()
                .enumerate()
                .map(|(si, stage)| StageSpec {
                    name: stage.clone(),
                    steps: shape
                        .steps
                        .iter()
                        .zip(&t.steps)
                        .enumerate()
                        .filter(|(_, (st, _))| st.stage == si)
                        .map(|(k, (st, tl))| step_spec(base, &shape.name, k, st, tl, notes))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    spec.segments = shapes
        .iter()
        .zip(&tally.segments)
        .map(|(shape, t)| segment_spec(base, cal, (first, last), shape, t))
        .collect();
    // Every stage needs a forecast probability: the base's, else spread evenly over the map.
    for shape in shapes {
        let n = shape.stages.len();
        for (i, stage) in shape.stages.iter().enumerate() {
            let p = 0.2 + 0.6 * i as f64 / (n.max(2) - 1) as f64;
            spec.forecast
                .stage_probability
                .entry(stage.clone())
                .or_insert(p);
        }
    }
    // The base's stakeholders join in a stage the log may not have (a CRM names its stages
    // otherwise): then none join, as the engine did silently before it checked.
    let model = &mut spec.model;
    let stage = model.stakeholder_stage.as_str();
    if model.stakeholders_mean > 0.0 && !shapes.iter().any(|s| s.stages.iter().any(|n| n == stage))
    {
        notes.push(format!(
            "the log has no stage named {stage:?}, where the base scenario's stakeholders join: \
             model.stakeholders_mean set to 0 (name a stage with model.stakeholder_stage to \
             simulate them)"
        ));
        model.stakeholders_mean = 0.0;
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deals created on the first working day of each month of 2025, `count(t)` in the month
    /// starting `t` years after 1 January.
    fn inflow_of(count: impl Fn(f64) -> f64) -> InflowSpec {
        let rules = crate::scenario::Scenario::embedded_default().calendar;
        let (first, last) = (DayNum::from_ymd(2025, 1, 1), DayNum::from_ymd(2025, 12, 31));
        let cal = Calendar::new(&rules, first, DayNum(last.0 + 7));
        let mut created = Vec::new();
        for m in 1..=12 {
            let start = DayNum::from_ymd(2025, m, 1);
            let day = cal.working_days_in(start, DayNum(start.0 + 27))[0];
            let t = (start.0 - first.0) as f64 / 365.25;
            created.extend(std::iter::repeat_n(day, count(t).round() as usize));
        }
        fit_inflow(&cal, (first, last), &created)
    }

    #[test]
    fn inflow_recovers_level_and_trend() {
        let flat = inflow_of(|_| 40.0);
        assert!((flat.per_month - 40.0).abs() < 1e-9, "{flat:?}");
        assert!(flat.trend_per_year.abs() < 1e-9, "{flat:?}");
        // Doubling per year, rounded to whole deals: the MLE is within rounding of (200, 1.0).
        let growing = inflow_of(|t| 200.0 * 2f64.powf(t));
        assert!(
            (growing.per_month / 200.0 - 1.0).abs() < 0.01,
            "{growing:?}"
        );
        assert!((growing.trend_per_year - 1.0).abs() < 0.01, "{growing:?}");
    }
}

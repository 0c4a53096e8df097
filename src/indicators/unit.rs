//! What an indicator's number counts, and how a rule's threshold reads to people:
//! `proposal_delay_days ≥ 17.76 working days`, `card_completeness ≤ 0%`, `sla_breaches ≥ 2`.
//!
//! The unit comes from the measure alone ([`Measure::unit`]), so every text that shows a
//! rule — the tune table, `policy.md`, the report, `flag`'s reasons and warnings — says the
//! same. Not for: machine-read outputs (`policy.toml`, the CSVs keep the exact values in the
//! indicator's own scale, shares as fractions).

use super::spec::{Direction, Measure};

/// The unit of an indicator's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Days on the wall clock (weekends and holidays count).
    CalendarDays,
    /// Days on the scenario's working calendar (weekends and holidays do not count, a day is
    /// 09:00–18:00), as step deadlines are.
    WorkingDays,
    /// A number of events, steps or pushes: needs no unit.
    Count,
    /// A share or probability in [0, 1], shown in percent.
    Share,
    /// Time in the current stage as a multiple of the segment's nominal stage length.
    StageNorms,
    /// 1 once a step is done, else 0.
    Done,
    /// The deal's value, in the currency the deals are recorded in (whole units when
    /// simulated).
    Money,
    /// The hidden loss log-odds of the research-only truth ceiling (not a measure).
    LogOdds,
}

/// Decimals a threshold is printed with, in the unit shown (percent for shares).
///
/// The rule: the printed bound is the threshold rounded to this many decimals *towards the
/// side the rule does not flag* — down for `≥`, up for `≤` — with trailing zeros dropped
/// (`≥ 17.7641` reads `≥ 17.76`, `≥ 18.6157` reads `≥ 18.61`, `≤ 2/6` reads `≤ 33.34%`).
/// Why not to the nearest: a tuned threshold is itself an observed value (the tuner's
/// candidates are values deals had), so rounding it towards the flagged side always drops
/// at least that value from the printed rule — `≤ 2/6` to the nearest reads `≤ 33.33%`,
/// which the deals at 33.333…% exceed. Rounded this way, every value the exact rule flags
/// the printed rule flags too, and it can only add values closer to the threshold than 0.01
/// of the unit shown. Where values are discrete none are that close: counts, steps done,
/// the rep's forecast (whole percents), card completeness and the on-time share (fractions of
/// a few fields or steps), money (whole units when simulated). Only continuous measures
/// (days, stage norms, win rates over thousands of deals) have values in that gap: deals
/// within 0.01 day (at most 15 minutes) of the threshold, which no reader tells apart, and
/// which `flag` still decides with the exact value `policy.toml` keeps.
pub const THRESHOLD_DECIMALS: i32 = 2;

impl Unit {
    /// The factor from the indicator's own scale to the one shown (percent for shares).
    fn scale(self) -> f64 {
        match self {
            Unit::Share => 100.0,
            _ => 1.0,
        }
    }

    /// `number` (already scaled, as printed) with the unit: `17.76 working days`, `1 working
    /// day`, `0%`, `2`, `1.02 × stage norm` (`x` when `ascii`), `0 (not done)`.
    fn with_number(self, number: &str, ascii: bool) -> String {
        let one = number == "1";
        let days = |kind: &str| format!("{number} {kind} day{}", if one { "" } else { "s" });
        match self {
            Unit::CalendarDays => days("calendar"),
            Unit::WorkingDays => days("working"),
            Unit::Count => number.to_string(),
            Unit::Share => format!("{number}%"),
            Unit::StageNorms => format!("{number} {} stage norm", if ascii { "x" } else { "×" }),
            Unit::Done => match number {
                "0" => "0 (not done)".to_string(),
                "1" => "1 (done)".to_string(),
                _ => number.to_string(),
            },
            Unit::Money => format!("{number} currency unit{}", if one { "" } else { "s" }),
            Unit::LogOdds => format!("{number} log-odds"),
        }
    }

    /// An indicator's value in the scale its rules are shown in, to `decimals` decimals, with
    /// `%` for shares and no other unit (it follows a rule that names it): `flag`'s reasons.
    pub fn value_text(self, x: f64, decimals: usize) -> String {
        let pct = if self == Unit::Share { "%" } else { "" };
        format!("{:.decimals$}{pct}", self.scale() * x)
    }
}

/// The bound of a rule for people: the comparison, the threshold rounded by the rule of
/// [`THRESHOLD_DECIMALS`] and its unit (`≥ 17.76 working days`; `>=` when `ascii`, for the
/// terminal and CSV). Without a unit (a hand-written policy rule that does not record its
/// measure) the number stands alone, in the indicator's own scale.
pub fn bound_text(direction: Direction, threshold: f64, unit: Option<Unit>, ascii: bool) -> String {
    let op = direction.crossing(ascii);
    let scale = unit.map_or(1.0, Unit::scale);
    let number = printed_threshold(direction, scale * threshold);
    match unit {
        Some(u) => format!("{op} {}", u.with_number(&number, ascii)),
        None => format!("{op} {number}"),
    }
}

/// `x` rounded to [`THRESHOLD_DECIMALS`] towards the side `direction` does not flag, without
/// trailing zeros. A value already on that grid up to float noise (`0.29 × 100` is
/// `28.999999999999996`) is printed as it is, not a step lower.
fn printed_threshold(direction: Direction, x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let step = 10f64.powi(THRESHOLD_DECIMALS);
    let v = x * step;
    let nearest = v.round();
    let on_grid = (v - nearest).abs() <= 1e-9 * v.abs().max(1.0);
    let r = match direction {
        _ if on_grid => nearest,
        Direction::HigherIsRiskier => v.floor(),
        Direction::HigherIsSafer => v.ceil(),
    };
    // `+ 0.0` turns a rounded −0 into 0.
    let s = format!("{:.*}", THRESHOLD_DECIMALS as usize, r / step + 0.0);
    match s.contains('.') {
        true => s.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => s,
    }
}

impl Measure {
    /// The unit of the measure's value, read off how [`super::evaluate()`] computes it.
    /// Exhaustive on purpose: a new measure cannot be added without saying its unit.
    pub fn unit(&self) -> Unit {
        let days = |working: bool| {
            if working {
                Unit::WorkingDays
            } else {
                Unit::CalendarDays
            }
        };
        match self {
            Measure::Count { .. } | Measure::OverdueSteps {} | Measure::CloseDatePushes {} => {
                Unit::Count
            }
            Measure::StepDone { .. } => Unit::Done,
            Measure::DaysSinceLast { working_days, .. }
            | Measure::DaysBetween { working_days, .. }
            | Measure::ReplyLatency { working_days, .. } => days(*working_days),
            // Completion (or now) minus start on the wall clock.
            Measure::StepDuration { .. } | Measure::StepWait { .. } => Unit::CalendarDays,
            // Days over the norm's days, in calendar or working days alike: a ratio.
            Measure::StageAgeVsNorm { .. } => Unit::StageNorms,
            Measure::OnTimeRatio {}
            | Measure::CardCompleteness { .. }
            | Measure::PriorWinRate { .. }
            | Measure::LastValue { .. } => Unit::Share,
            Measure::DealValue {} => Unit::Money,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::spec::{Attribute, GroupBy};
    use Direction::{HigherIsRiskier as Riskier, HigherIsSafer as Safer};

    #[test]
    fn every_measure_has_its_unit() {
        let s = |x: &str| x.to_string();
        let cases = [
            (
                Measure::Count {
                    activities: vec![s("a")],
                    resource: None,
                },
                Unit::Count,
            ),
            (Measure::StepDone { step: s("a") }, Unit::Done),
            (
                Measure::DaysSinceLast {
                    activities: vec![],
                    resource: None,
                    working_days: false,
                },
                Unit::CalendarDays,
            ),
            (
                Measure::DaysSinceLast {
                    activities: vec![],
                    resource: Some(s("client")),
                    working_days: true,
                },
                Unit::WorkingDays,
            ),
            (
                Measure::DaysBetween {
                    from: s("created"),
                    to: s("b"),
                    working_days: false,
                },
                Unit::CalendarDays,
            ),
            (
                Measure::DaysBetween {
                    from: s("created"),
                    to: s("b"),
                    working_days: true,
                },
                Unit::WorkingDays,
            ),
            (Measure::StepDuration { step: s("a") }, Unit::CalendarDays),
            (Measure::StepWait { step: s("a") }, Unit::CalendarDays),
            (Measure::OverdueSteps {}, Unit::Count),
            (Measure::OnTimeRatio {}, Unit::Share),
            (
                Measure::StageAgeVsNorm {
                    working_days: false,
                },
                Unit::StageNorms,
            ),
            (
                Measure::StageAgeVsNorm { working_days: true },
                Unit::StageNorms,
            ),
            (
                Measure::ReplyLatency {
                    touches: vec![s("call")],
                    reply: s("r"),
                    working_days: false,
                },
                Unit::CalendarDays,
            ),
            (
                Measure::ReplyLatency {
                    touches: vec![s("call")],
                    reply: s("r"),
                    working_days: true,
                },
                Unit::WorkingDays,
            ),
            (Measure::CloseDatePushes {}, Unit::Count),
            (
                Measure::LastValue {
                    attribute: Attribute::ForecastProbability,
                },
                Unit::Share,
            ),
            (Measure::CardCompleteness { out_of: Some(6) }, Unit::Share),
            (Measure::DealValue {}, Unit::Money),
            (
                Measure::PriorWinRate {
                    by: GroupBy::Rep,
                    min_closed: 10,
                },
                Unit::Share,
            ),
        ];
        for (measure, unit) in cases {
            assert_eq!(measure.unit(), unit, "{measure:?}");
        }
    }

    #[test]
    fn the_default_sets_read_in_their_units() {
        let unit = |set: &[crate::indicators::IndicatorSpec], name: &str| {
            set.iter().find(|i| i.name == name).unwrap().measure.unit()
        };
        let default = crate::indicators::default_set();
        for (name, want) in [
            ("proposal_delay_days", Unit::WorkingDays),
            ("days_since_last_touch", Unit::WorkingDays),
            ("client_response_latency", Unit::WorkingDays),
            ("legal_wait_days", Unit::CalendarDays),
            ("card_completeness", Unit::Share),
            ("steps_on_time_ratio", Unit::Share),
            ("rep_forecast_probability", Unit::Share),
            ("sla_breaches", Unit::Count),
            ("stakeholders_engaged", Unit::Count),
            ("close_date_pushes", Unit::Count),
            ("stage_age_vs_norm", Unit::StageNorms),
            ("objection_followup_done", Unit::Done),
            ("deal_value", Unit::Money),
        ] {
            assert_eq!(unit(&default, name), want, "{name}");
        }
        let crm = crate::indicators::parse(
            include_str!("../../scenarios/crm_indicators.toml"),
            "crm_indicators.toml",
        )
        .unwrap();
        assert_eq!(unit(&crm, "owner_win_rate"), Unit::Share);
        assert_eq!(
            bound_text(Safer, 1.0, Some(unit(&crm, "segment_win_rate")), false),
            "≤ 100%"
        );
        assert_eq!(
            bound_text(Riskier, 48213.4, Some(unit(&crm, "deal_value")), false),
            "≥ 48213.4 currency units"
        );
    }

    #[test]
    fn bounds_read_in_their_units() {
        let b = |d, x, u| bound_text(d, x, Some(u), false);
        // Whole, and a threshold from an f32 indicator (17.764074).
        assert_eq!(b(Riskier, 2.0, Unit::Count), "≥ 2");
        assert_eq!(
            b(Riskier, f64::from(17.764074f32), Unit::WorkingDays),
            "≥ 17.76 working days"
        );
        assert_eq!(b(Riskier, 1.0, Unit::WorkingDays), "≥ 1 working day");
        assert_eq!(b(Riskier, 30.5, Unit::CalendarDays), "≥ 30.5 calendar days");
        // Shares in percent, whatever their float noise.
        assert_eq!(b(Safer, 0.0, Unit::Share), "≤ 0%");
        assert_eq!(b(Safer, 0.35, Unit::Share), "≤ 35%");
        assert_eq!(b(Riskier, 0.29, Unit::Share), "≥ 29%");
        assert_eq!(b(Safer, 1.0, Unit::Share), "≤ 100%");
        assert_eq!(b(Riskier, 1.0237, Unit::StageNorms), "≥ 1.02 × stage norm");
        assert_eq!(
            bound_text(Riskier, 1.0237, Some(Unit::StageNorms), true),
            ">= 1.02 x stage norm"
        );
        assert_eq!(b(Safer, 0.0, Unit::Done), "≤ 0 (not done)");
        assert_eq!(b(Riskier, 1.0, Unit::Done), "≥ 1 (done)");
        assert_eq!(b(Riskier, 1.0, Unit::Money), "≥ 1 currency unit");
        assert_eq!(b(Riskier, -0.004, Unit::LogOdds), "≥ -0.01 log-odds");
        assert_eq!(b(Safer, -0.004, Unit::LogOdds), "≤ 0 log-odds");
        // No recorded measure: the number in the indicator's own scale.
        assert_eq!(bound_text(Safer, 0.5, None, true), "<= 0.5");
    }

    #[test]
    fn rounding_never_drops_a_flagged_value() {
        // Card completeness 2/6 as the f32 the indicator holds: to the nearest, 33.33% would
        // leave the deal at exactly 2/6 (33.333…%) out of `≤ 33.33%`.
        let third = f64::from(2.0f32 / 6.0);
        assert_eq!(
            bound_text(Safer, third, Some(Unit::Share), false),
            "≤ 33.34%"
        );
        assert_eq!(
            bound_text(Riskier, third, Some(Unit::Share), false),
            "≥ 33.33%"
        );
        // The printed bound, read back, keeps the threshold on the flagged side.
        for x in [
            0.0, 4.613, 4.4386, 15.9399, 18.6157, 1e-7, 123456.789, -2.345,
        ] {
            for (d, flags) in [
                (Riskier, (|b: f64, x: f64| x >= b) as fn(f64, f64) -> bool),
                (Safer, |b, x| x <= b),
            ] {
                let text = bound_text(d, x, Some(Unit::Count), true);
                let printed: f64 = text[3..].parse().unwrap();
                assert!(flags(printed, x), "{text} drops {x}");
                assert!((printed - x).abs() < 0.01, "{text} is far from {x}");
            }
        }
    }

    #[test]
    fn values_in_the_scale_rules_show() {
        assert_eq!(Unit::Share.value_text(0.5, 1), "50.0%");
        assert_eq!(Unit::WorkingDays.value_text(19.34, 1), "19.3");
    }
}

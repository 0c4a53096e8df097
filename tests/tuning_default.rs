//! Issue 6, acceptance 2: the tuner on the default scenario with its fixed seed.
//!
//! For each typical segment the chosen budget rule (2 alerts per rep per week) must have a
//! median lead time of at least 21 days, be a rep-controlled, process or client signal (not
//! the planted distractor `legal_wait_days`), and its recall on the held-out later deals
//! should lie within the in-sample 95% bootstrap interval.
//!
//! Finding: on the default scenario the last criterion still fails, and the tests below show
//! why. The chosen rules are thresholds on the proposal delay (`proposal_delay_days ≥ ~16–19
//! working days by day 28 or 35`).
//!
//! - While `proposal_delay_days` counted calendar days, the holdout recall was *above* the
//!   interval in all three segments: the held-out deals (created from 2025-11-07 to 2026-03) include
//!   those created in December, whose first weeks run into the new-year holidays (12-31 to
//!   01-08, no work at all), so their proposals went out nine calendar days later and the rule
//!   fired more often. The indicator now counts working days, which removes that.
//! - The rule's landmark ("by day d") is still a deal age in calendar days, and a working-day
//!   delay can be at most the working days elapsed. A deal created in December loses up to 7
//!   of its `d × 5/7` working days by day `d` to the holidays: in mid_market (18.62 by day 35) and enterprise
//!   (15.94 by day 28) that is less than the threshold, so those deals can never be flagged
//!   and the holdout recall falls *below* the interval. Without them it is within it. The
//!   tuning period (January to early November) has no such deal, so the tuner cannot see it.
//! - In smb (17.76 by day 35) every deal can reach the threshold; the holdout recall is above
//!   the interval by less than its own sampling error (the in-sample interval does not cover
//!   the holdout's sampling error: with half as many deals, even a stationary process passes
//!   it only about 70% of the time).
//!
//! Without the scenario's holidays the same seed passes every criterion.

use dealsim::indicators::{self, stage_map::StageMaps, Signal};
use dealsim::log::Log;
use dealsim::scenario::{Scenario, DEFAULT_TOML};
use dealsim::sim::{collect_log, Engine};
use dealsim::time::{DayNum, Timestamp, SECONDS_PER_DAY};
use dealsim::tuning::rule::{figures, first_flags};
use dealsim::tuning::run::tune_log;
use dealsim::tuning::{Objective, TuneOptions, Tuning};

fn options() -> TuneOptions {
    TuneOptions {
        objective: Objective::Budget {
            alerts_per_rep_week: 2.0,
        },
        holdout: 0.3,
        bootstrap: 200,
        seed: 20261126,
        signals: vec![Signal::Rep, Signal::Process, Signal::Client],
        min_lead_days: 21.0,
    }
}

fn landmarks() -> Vec<u32> {
    (7..=168).step_by(7).collect()
}

fn end(scenario: &Scenario) -> Timestamp {
    DayNum(scenario.end.0 + 1).start()
}

fn tune_scenario(scenario: &Scenario) -> (Log, Tuning) {
    tune_with(scenario, &options())
}

fn tune_with(scenario: &Scenario, options: &TuneOptions) -> (Log, Tuning) {
    let (log, _) = collect_log(&Engine::new(scenario));
    let t = tune_log(
        &log,
        &indicators::default_set(),
        scenario,
        &landmarks(),
        end(scenario),
        options,
    );
    (log, t)
}

/// Why `--min-lead` exists: without it the budget's best recall in smb comes from the
/// client's silence before the recorded loss, a warning days before the loss.
#[test]
fn without_a_minimum_lead_the_silence_before_the_loss_wins() {
    let (_, t) = tune_with(
        &Scenario::embedded_default(),
        &TuneOptions {
            min_lead_days: 0.0,
            ..options()
        },
    );
    let smb = t.segments[0].chosen.as_ref().expect("a rule");
    assert_eq!(t.segments[0].segment, "smb");
    assert_eq!(smb.indicator, "days_since_last_touch", "{}", describe(&t));
    assert!(
        smb.in_sample.median_lead_days.value < 14.0,
        "{}",
        describe(&t)
    );
}

fn describe(t: &Tuning) -> String {
    let mut s = String::new();
    for seg in &t.segments {
        if let Some(c) = &seg.chosen {
            let h = c.holdout.as_ref().expect("a holdout");
            s.push_str(&format!(
                "{}: {} {} by day {}: recall {:.4} CI {:?}, holdout {:.4}; lead {} / holdout {}\n",
                seg.segment,
                c.indicator,
                c.threshold,
                c.by_day,
                c.in_sample.recall.value,
                c.in_sample.recall.ci,
                h.recall.value,
                c.in_sample.median_lead_days.value,
                h.median_lead_days.value
            ));
        }
    }
    s
}

/// The criteria that hold on the default scenario; `holdout_in_ci` adds the last one.
fn check(t: &Tuning, holdout_in_ci: bool) {
    let table = describe(t);
    assert_eq!(t.segments.len(), 3, "three typical segments\n{table}");
    assert_eq!(t.review_segments, vec!["atypical".to_string()]);
    for seg in &t.segments {
        let c = seg
            .chosen
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no rule\n{table}", seg.segment));
        assert_ne!(c.indicator, "legal_wait_days", "{table}");
        assert!(
            matches!(c.signal, Signal::Rep | Signal::Client | Signal::Process),
            "{}: {:?}\n{table}",
            seg.segment,
            c.signal
        );
        assert!(c.in_sample.median_lead_days.value >= 21.0, "{table}");
        assert!(c.in_sample.alerts_per_rep_week.value <= 2.0, "{table}");
        if holdout_in_ci {
            let [lo, hi] = c.in_sample.recall.ci.expect("an interval");
            let h = c.holdout.as_ref().expect("a holdout").recall.value;
            assert!(
                (lo..=hi).contains(&h),
                "{}: holdout recall {h:.4} outside the in-sample CI [{lo:.4}, {hi:.4}]\n{table}",
                seg.segment
            );
        }
    }
}

#[test]
fn default_scenario_budget_rules_warn_early_with_controllable_signals() {
    let (_, t) = tune_scenario(&Scenario::embedded_default());
    check(&t, false);
}

#[test]
fn without_holidays_the_holdout_recall_is_within_the_in_sample_interval() {
    let holidays = "holidays = [\n  { name = \"new_year\", from = \"12-31\", to = \"01-08\" },\n  { name = \"may_holidays\", from = \"05-01\", to = \"05-04\" },\n  { name = \"victory_day\", from = \"05-09\", to = \"05-11\" },\n]";
    assert!(
        DEFAULT_TOML.contains(holidays),
        "the default calendar changed"
    );
    let text = DEFAULT_TOML.replace(holidays, "holidays = []");
    let scenario = Scenario::parse(&text, "default without holidays").expect("valid");
    let (_, t) = tune_scenario(&scenario);
    check(&t, true);
}

/// Per typical segment: the holdout recall of the chosen rule, split by whether the rule's
/// threshold can be reached by its landmark at all. The value of a working-day
/// `days_between` at a cut is at most the working days elapsed since creation, so a deal whose
/// first `by_day` calendar days hold fewer working days than the threshold (the new-year
/// holidays take 7 of them) can never be flagged by that rule.
#[test]
fn default_scenario_holdout_gap_comes_from_deals_that_cannot_reach_the_threshold() {
    let scenario = Scenario::embedded_default();
    let (log, t) = tune_scenario(&scenario);
    let maps = StageMaps::new(&scenario, &log);
    let specs = indicators::default_set();
    let panel = indicators::evaluate(&log, &specs, None, &maps, &landmarks(), end(&scenario));
    let table = describe(&t);
    for seg in &t.segments {
        let c = seg.chosen.as_ref().expect("a rule");
        assert_eq!(c.indicator, "proposal_delay_days", "{table}");
        let k = panel
            .segments
            .iter()
            .position(|s| *s == seg.segment)
            .expect("segment");
        let first = first_flags(&panel, &c.rule);
        let members = |tuned: bool| -> Vec<usize> {
            (0..log.deals.len())
                .filter(|&i| {
                    panel.deal_segment[i] as usize == k
                        && t.tuned[i] == tuned
                        && panel.window_age[i] >= 168.0
                        && (tuned || log.deals[i].created.day().iso() >= t.holdout_from)
                })
                .collect()
        };
        let reachable = |i: usize| {
            let created = log.deals[i].created;
            let cut = Timestamp(created.0 + i64::from(c.by_day) * SECONDS_PER_DAY);
            let w = maps.calendar.working_time(cut) - maps.calendar.working_time(created);
            (w as f32) >= c.rule.oriented
        };
        let fig = |m: &[usize]| figures(&panel, m, &first, seg.deals_per_rep_week, 0, 1);
        let holdout = members(false);
        let (reach, unreach): (Vec<usize>, Vec<usize>) =
            holdout.iter().partition(|&&i| reachable(i));
        let in_sample_unreach = members(true).iter().filter(|&&i| !reachable(i)).count();
        assert!(unreach.iter().all(|&i| first[i].is_none()), "{table}");
        let all = fig(&holdout);
        let r_reach = fig(&reach).recall.value;
        let h = all.recall.value;
        // The holdout's own sampling error, which the in-sample interval does not include.
        let se = (h * (1.0 - h) / all.lost as f64).sqrt();
        let [lo, hi] = c.in_sample.recall.ci.expect("an interval");
        let december = unreach
            .iter()
            .filter(|&&i| log.deals[i].created.day().ymd().1 == 12)
            .count();
        let msg = format!(
            "{}: holdout recall {h:.4} (± {se:.4} sampling error, {} lost); in-sample CI \
             [{lo:.4}, {hi:.4}]; {} holdout deals cannot reach {:.2} working days by day {} \
             ({december} created in December; {in_sample_unreach} such in-sample deals); \
             recall of the others {r_reach:.4}\n{table}",
            seg.segment,
            all.lost,
            unreach.len(),
            c.threshold,
            c.by_day,
        );
        eprintln!("{msg}");
        // The tuning period has no such deal: the tuner cannot see the limitation.
        assert_eq!(in_sample_unreach, 0, "{msg}");
        match seg.segment.as_str() {
            // Every holdout deal can reach the threshold; the holdout recall is above the
            // interval by less than its own sampling error.
            "smb" => {
                assert!(unreach.is_empty(), "{msg}");
                assert!(h > hi && h - hi < se, "{msg}");
            }
            // The deals created in December cannot be flagged by the rule's landmark; without
            // them the holdout recall is within the in-sample interval.
            "mid_market" | "enterprise" => {
                assert!(!unreach.is_empty() && december == unreach.len(), "{msg}");
                assert!(h < lo, "{msg}");
                assert!((lo..=hi).contains(&r_reach), "{msg}");
            }
            other => panic!("unexpected segment {other}\n{table}"),
        }
    }
}

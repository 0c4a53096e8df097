//! Issue 6, acceptance 2: the tuner on the default scenario with its fixed seed.
//!
//! For each typical segment the chosen budget rule (2 alerts per rep per week) must have a
//! median lead time of at least 21 days, be a rep-controlled, process or client signal (not
//! the planted distractor `legal_wait_days`), and its recall on the held-out later deals
//! should lie within the in-sample 95% bootstrap interval.
//!
//! Finding: on the default scenario the last criterion fails in all three segments, and the
//! tests below show why. The chosen rules are calendar-day thresholds on the proposal delay
//! (`proposal_delay_days ≥ ~25 by day 28`). The held-out deals (created 2025-11-24 to
//! 2026-03-16) include those created in December, whose first four weeks run into the
//! new-year holidays (12-31 to 01-08, no work at all): their proposals go out nine calendar
//! days later, so the rule fires more often. Without the scenario's holidays the same seed
//! passes every criterion; with them, the holdout deals whose first 28 days contain no
//! holiday agree with the in-sample interval, and those that do are flagged far more often.
//! (Also note that the in-sample interval does not cover the holdout's own sampling error:
//! with half as many deals, even a stationary process passes it only about 70% of the time.)

use dealsim::indicators::{self, stage_map::StageMaps, Signal};
use dealsim::log::Log;
use dealsim::scenario::{Scenario, DEFAULT_TOML};
use dealsim::sim::{collect_log, Engine};
use dealsim::time::{DayNum, Timestamp};
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

/// Whether the first `days` days after `created` contain a holiday of the default calendar.
fn holiday_within(created: Timestamp, days: i32) -> bool {
    let d0 = created.day();
    (0..=days).any(|k| {
        let (_, m, d) = DayNum(d0.0 + k).ymd();
        matches!((m, d), (12, 31) | (1, 1..=8) | (5, 1..=4) | (5, 9..=11))
    })
}

#[test]
fn default_scenario_holdout_gap_comes_from_the_new_year_holidays() {
    let scenario = Scenario::embedded_default();
    let (log, t) = tune_scenario(&scenario);
    let maps = StageMaps::new(&scenario, &log);
    let specs = indicators::default_set();
    let panel = indicators::evaluate(&log, &specs, None, &maps, &landmarks(), end(&scenario));
    let table = describe(&t);
    for seg in &t.segments {
        let c = seg.chosen.as_ref().expect("a rule");
        let k = panel
            .segments
            .iter()
            .position(|s| *s == seg.segment)
            .expect("segment");
        let first = first_flags(&panel, &c.rule);
        let holdout: Vec<usize> = (0..log.deals.len())
            .filter(|&i| {
                panel.deal_segment[i] as usize == k
                    && !t.tuned[i]
                    && panel.window_age[i] >= 168.0
                    && log.deals[i].created.day().iso() >= t.holdout_from
            })
            .collect();
        let (hit, clear): (Vec<usize>, Vec<usize>) = holdout
            .iter()
            .partition(|&&i| holiday_within(log.deals[i].created, c.by_day as i32));
        let recall = |m: &[usize]| {
            figures(&panel, m, &first, seg.deals_per_rep_week, 0, 1)
                .recall
                .value
        };
        let (r_hit, r_clear) = (recall(&hit), recall(&clear));
        let [lo, hi] = c.in_sample.recall.ci.expect("an interval");
        let msg = format!(
            "{}: holdout recall of deals with a holiday in their first {} days {r_hit:.4} \
             ({} deals), without {r_clear:.4} ({} deals); in-sample CI [{lo:.4}, {hi:.4}]\n{table}",
            seg.segment,
            c.by_day,
            hit.len(),
            clear.len()
        );
        eprintln!("{msg}");
        assert!(r_hit > hi + 0.05, "{msg}");
        assert!((lo..=hi).contains(&r_clear), "{msg}");
    }
}

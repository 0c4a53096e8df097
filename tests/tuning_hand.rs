//! Issue 6, acceptance 1: rules on small hand-built logs with answers computed by hand, and
//! the one-pass sweep against applying each rule deal by deal (property test).

use std::fs;

use dealsim::indicators::{
    self, stage_map::StageMaps, Direction, IndicatorInfo, Panel, Signal, Unit,
};
use dealsim::log::read::read_log;
use dealsim::log::{Log, Outcome};
use dealsim::scenario::Scenario;
use dealsim::stats::bootstrap::{Bootstrap, Cluster};
use dealsim::stats::quantile::quantile;
use dealsim::time::DayNum;
use dealsim::tuning::clock::RuleClock;
use dealsim::tuning::rule::{figures, first_flags, Figures, Rule};
use dealsim::tuning::run::tune_log;
use dealsim::tuning::sweep::{sweep, threshold_grid};
use dealsim::tuning::{Objective, TuneOptions, Tuning};
use proptest::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

const EVENTS: &str = "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close";
const DEALS: &str = "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step";

/// Six smb deals created Mon 2025-03-03 09:00 by one rep; `proposal_delay_days` (working days
/// from creation to `proposal_sent`, elapsed while not sent; no holidays in March, so a
/// calendar week is 5 working days: landmark 7 = Mon 03-10 = 5 working days, 14 = 10) at
/// landmarks 7 and 14:
///
/// | deal | outcome | closed at age | proposal sent | value at 7 | value at 14 |
/// |---|---|---|---|---|---|
/// | 1 | lost | 29.0417 (04-01 10:00) | never | 5 | 10 |
/// | 2 | lost | 17 | Thu 03-06 (3) | 3 | 3 |
/// | 3 | won | 59 | Thu 03-13 (8) | 5 | 8 |
/// | 4 | won | 40 | Wed 03-05 (2) | 2 | 2 |
/// | 5 | lost | 5 (never at risk) | never | – | – |
/// | 6 | open | – | never | 5 | 10 |
fn hand_log() -> Log {
    read_hand_log(
        &[
            "1,smb,r1,inbound,100,2025-03-03T09:00:00,2025-04-01T10:00:00,lost,,",
            "2,smb,r1,inbound,100,2025-03-03T09:00:00,2025-03-20T09:00:00,lost,,",
            "3,smb,r1,inbound,100,2025-03-03T09:00:00,2025-05-01T09:00:00,won,,",
            "4,smb,r1,inbound,100,2025-03-03T09:00:00,2025-04-12T09:00:00,won,,",
            "5,smb,r1,inbound,100,2025-03-03T09:00:00,2025-03-08T09:00:00,lost,,",
            "6,smb,r1,inbound,100,2025-03-03T09:00:00,,open,,",
        ],
        &[
            "2,proposal_sent,2025-03-06T09:00:00,r1,smb,pre_sale,proposal_sent,complete,,,",
            "3,proposal_sent,2025-03-13T09:00:00,r1,smb,pre_sale,proposal_sent,complete,,,",
            "4,proposal_sent,2025-03-05T09:00:00,r1,smb,pre_sale,proposal_sent,complete,,,",
        ],
    )
}

/// The log of `deals` (rows under [`DEALS`]) and `events` (rows under [`EVENTS`]).
fn read_hand_log(deals: &[impl AsRef<str>], events: &[impl AsRef<str>]) -> Log {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("d.csv"), csv_text(DEALS, deals)).expect("write");
    fs::write(dir.path().join("e.csv"), csv_text(EVENTS, events)).expect("write");
    read_log(&dir.path().join("e.csv"), &dir.path().join("d.csv")).expect("valid log")
}

fn csv_text(header: &str, rows: &[impl AsRef<str>]) -> String {
    let rows: Vec<&str> = rows.iter().map(AsRef::as_ref).collect();
    format!("{header}\n{}\n", rows.join("\n"))
}

fn proposal_delay() -> Vec<indicators::IndicatorSpec> {
    indicators::default_set()
        .into_iter()
        .filter(|s| s.name == "proposal_delay_days")
        .collect()
}

fn hand_panel(log: &Log) -> Panel {
    let scenario = Scenario::embedded_default();
    let maps = StageMaps::new(&scenario, log);
    // Window ends 2025-05-01 (the last day in the log): every deal observed 14+ days.
    let end = DayNum(DayNum::from_ymd(2025, 5, 1).0 + 1).start();
    indicators::evaluate(log, &proposal_delay(), None, &maps, &[7, 14], end)
}

#[test]
fn hand_built_rules_by_hand() {
    let log = hand_log();
    let panel = hand_panel(&log);
    let all: Vec<usize> = (0..6).collect();
    let include = vec![true; 6];
    let grids = threshold_grid(&panel, 0, &include, 1);
    assert_eq!(grids[0], vec![2.0, 3.0, 5.0, 8.0, 10.0]);
    // March has no holidays: rule ages are deal ages.
    let holidays = Scenario::embedded_default().calendar.holidays;
    let clock = RuleClock::new(&log, &holidays, &[7, 14]);
    let curve = &sweep(&panel, &clock, 0, &include, &grids)[0];
    // Volume: 6 deals created in one week by one rep = 6 per rep per week.
    let check = |tau: f32, by_day: u32, fl: usize, fw: usize, lead: f64| {
        let rule = Rule {
            indicator: 0,
            oriented: tau,
            by_day,
        };
        let first = first_flags(&panel, &clock, &rule);
        let f = figures(&panel, &all, &first, 6.0, (0, Cluster::Deal), 1);
        let what = format!("tau {tau} by {by_day}: {f:?}");
        assert_eq!((f.lost, f.won), (3, 2), "{what}");
        assert_eq!((f.flagged_lost, f.flagged_won), (fl, fw), "{what}");
        assert_eq!(f.recall.value, fl as f64 / 3.0, "{what}");
        assert_eq!(f.false_alarm_rate.value, fw as f64 / 2.0, "{what}");
        assert_eq!(f.precision.value, fl as f64 / (fl + fw) as f64, "{what}");
        assert_eq!(f.alerts_per_rep_week.value, (fl + fw) as f64 / 5.0 * 6.0);
        assert_eq!(f.median_lead_days.value, lead, "{what}");
        // The sweep's cell for the same rule.
        let g = curve
            .grid
            .iter()
            .position(|&x| x == tau)
            .expect("on the grid");
        let d = [7, 14]
            .iter()
            .position(|&x| x == by_day)
            .expect("a landmark");
        let cell = curve.cell(g, d);
        assert_eq!(
            (cell.flagged_lost as usize, cell.flagged_won as usize),
            (fl, fw)
        );
        assert_eq!(cell.median_lead, Some(lead));
    };
    // ≥ 5 by day 7: deals 1 and 3 (and open deal 6, not counted); lead of 1 = ⌊29.04 − 7⌋.
    check(5.0, 7, 1, 1, 22.0);
    // ≥ 10 by day 14: deal 1 only, at day 14: lead ⌊29.04 − 14⌋ = 15.
    check(10.0, 14, 1, 0, 15.0);
    // ≥ 3 by day 14: deals 1 (day 7, lead 22), 2 (day 7, lead ⌊17 − 7⌋ = 10), 3; median 16.
    check(3.0, 14, 2, 1, 16.0);
    // ≥ 8 by day 7: nothing crosses by day 7.
    let rule = Rule {
        indicator: 0,
        oriented: 8.0,
        by_day: 7,
    };
    assert!(first_flags(&panel, &clock, &rule)
        .iter()
        .all(Option::is_none));
}

/// Youden tuning of the hand log at landmarks 7 and 14, nothing held out, a rule admitted only
/// with in-sample Fisher p below `significance`.
fn youden_on_hand_log(significance: f64) -> Tuning {
    let end = DayNum(DayNum::from_ymd(2025, 5, 1).0 + 1).start();
    tune_log(
        &hand_log(),
        &proposal_delay(),
        &Scenario::embedded_default(),
        &[7, 14],
        end,
        &TuneOptions {
            objective: Objective::Youden,
            holdout: 0.0,
            bootstrap: 0,
            cluster: Cluster::Deal,
            seed: 1,
            signals: vec![Signal::Rep],
            min_lead_days: 0.0,
            significance,
        },
    )
}

#[test]
fn youden_picks_the_rule_found_by_hand() {
    // Youden J = recall − false alarms: ≥ 10 by 14 gives 1/3 − 0, the best (≥ 3: 2/3 − 1/2;
    // ≥ 5: 1/3 − 1/2; ≥ 8: 1/3 − 1/2; ≥ 2: 2/3 − 1). It is the only rule that flags lost
    // deals more often than won ones; its table [[1, 2], [0, 2]] (flagged / not, lost over
    // won) has one-sided Fisher p = P(X ≥ 1) = 1 − C(2,1)/C(5,1) = 3/5, so it is chosen at
    // significance 0.61 and at 1 (not asked), and no rule is at 0.59 or at the default 0.05.
    for significance in [0.05, 0.59] {
        let t = youden_on_hand_log(significance);
        assert!(t.segments[0].chosen.is_none(), "at {significance}");
        assert!(
            t.segments[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains(&format!("Fisher p < {significance}"))),
            "{:?}",
            t.segments[0].note
        );
    }
    let t = youden_on_hand_log(0.61);
    assert!(t.segments[0].chosen.is_some());
    let t = youden_on_hand_log(1.0);
    let c = t.segments[0].chosen.as_ref().expect("a rule");
    assert_eq!(
        (c.indicator.as_str(), c.threshold, c.by_day),
        ("proposal_delay_days", 10.0, 14)
    );
    assert_eq!(c.in_sample.recall.value, 1.0 / 3.0);
    assert!(c.holdout.is_none());
    // What a random flag's precision would be: 3 of the 5 decided deals are lost.
    let md = dealsim::policy::markdown::render(&t);
    assert!(
        md.contains("| lost share of all these deals (a random flag's precision) | 60.0% | – |"),
        "{md}"
    );
    // The trade-off file marks exactly that rule.
    let chosen: Vec<_> = t.tradeoffs.iter().filter(|r| r.chosen).collect();
    assert_eq!(chosen.len(), 1);
    assert_eq!((chosen[0].landmark_day, chosen[0].threshold), (14, 10.0));
}

/// A rule clock at landmarks 7, 14, 21 with the new-year holidays (31 Dec – 8 Jan), for deals
/// created `created` days after 1 Dec: the holidays stretch some rules' last check.
fn random_clock(created: &[u8]) -> RuleClock {
    let new_year = dealsim::calendar::YearlyPeriod {
        from: (12, 31),
        to: (1, 8),
    };
    let first = DayNum::from_ymd(2025, 12, 1).0;
    let days: Vec<DayNum> = created
        .iter()
        .map(|&c| DayNum(first + i32::from(c)))
        .collect();
    RuleClock::from_created(&days, &[new_year], &[7, 14, 21])
}

/// A random panel: `n` deals of two segments at landmarks 7, 14, 21, with small integer
/// values (some missing) while at risk; `higher_is_safer` when `safer`.
fn random_panel(outcomes: &[(u8, f64, u8)], values: &[[i8; 3]], safer: bool) -> (Panel, Vec<bool>) {
    let landmarks = vec![7u32, 14, 21];
    let n = outcomes.len();
    let outcome: Vec<Outcome> = outcomes
        .iter()
        .map(|o| [Outcome::Lost, Outcome::Won, Outcome::Open][o.0 as usize % 3])
        .collect();
    let close_age: Vec<f64> = outcomes
        .iter()
        .zip(&outcome)
        .map(|(o, out)| if *out == Outcome::Open { f64::NAN } else { o.1 })
        .collect();
    let mut at = vec![indicators::evaluate::LandmarkRows::default(); 3];
    for (l, &day) in landmarks.iter().enumerate() {
        at[l].values = vec![Vec::new()];
        for i in 0..n {
            if close_age[i] >= day as f64 || outcome[i] == Outcome::Open {
                at[l].deals.push(i as u32);
                let v = values[i][l];
                at[l].values[0].push(if v < 0 { f32::NAN } else { v as f32 });
            }
        }
    }
    let panel = Panel {
        indicators: vec![IndicatorInfo {
            name: "x".into(),
            description: "random".into(),
            direction: if safer {
                Direction::HigherIsSafer
            } else {
                Direction::HigherIsRiskier
            },
            signal: Signal::Rep,
            unit: Unit::Count,
            fixed_at_creation: false,
            not_scored: None,
        }],
        landmarks,
        segments: vec!["a".into(), "b".into()],
        deal_segment: outcomes.iter().map(|o| (o.2 % 2) as u16).collect(),
        deal_rep: (0..n as u32).collect(),
        outcome,
        close_age,
        window_age: vec![400.0; n],
        at,
    };
    let include = outcomes.iter().map(|o| o.2 % 5 != 4).collect();
    (panel, include)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every cell of the one-pass sweep equals applying its rule to each deal.
    #[test]
    fn sweep_equals_rule_by_rule(
        outcomes in prop::collection::vec((0u8..3, 1.0f64..40.0, 0u8..10), 1..40),
        values in prop::collection::vec(prop::array::uniform3(-1i8..5), 40),
        created in prop::collection::vec(0u8..45, 40),
        safer in any::<bool>(),
    ) {
        let (panel, include) = random_panel(&outcomes, &values, safer);
        let clock = random_clock(&created[..outcomes.len()]);
        let grids = threshold_grid(&panel, 0, &include, 2);
        let curves = sweep(&panel, &clock, 0, &include, &grids);
        for (s, curve) in curves.iter().enumerate() {
            let members: Vec<usize> = (0..outcomes.len())
                .filter(|&i| include[i] && panel.deal_segment[i] as usize == s)
                .collect();
            for (g, &tau) in curve.grid.iter().enumerate() {
                for (d, &day) in panel.landmarks.iter().enumerate() {
                    let rule = Rule { indicator: 0, oriented: tau, by_day: day };
                    let first = first_flags(&panel, &clock, &rule);
                    let f = figures(&panel, &members, &first, 1.0, (0, Cluster::Deal), 1);
                    let cell = curve.cell(g, d);
                    prop_assert_eq!(cell.flagged_lost as usize, f.flagged_lost);
                    prop_assert_eq!(cell.flagged_won as usize, f.flagged_won);
                    let lead = f.median_lead_days.value;
                    prop_assert_eq!(cell.median_lead, (!lead.is_nan()).then_some(lead));
                }
            }
        }
    }
}

#[test]
fn timestamps_in_the_hand_log_are_as_documented() {
    let log = hand_log();
    let age = |i: usize| {
        log.deals[i]
            .closed
            .map(|c| c.days_since(log.deals[i].created))
    };
    assert!((age(0).unwrap() - (29.0 + 1.0 / 24.0)).abs() < 1e-9);
    assert_eq!(age(5), None);
}

#[test]
fn flag_on_the_hand_log_by_hand() {
    use dealsim::policy::Policy;
    // As of 2025-03-20 (end of day) deals 1, 3, 4 and 6 are open (2 closed that morning,
    // 5 on 03-08), all aged 17.625 days: landmarks 7 and 14 are checked.
    let policy = Policy::parse(
        "landmarks = [7, 14]\n[[segment]]\nname = \"smb\"\n[[segment.rule]]\n\
         indicator = \"proposal_delay_days\"\ndirection = \"higher_is_riskier\"\n\
         threshold = 5.0\nby_day = 14\n",
        "p.toml",
    )
    .expect("valid");
    let log = hand_log();
    let r = dealsim::flag::flag_log(
        &log,
        &policy,
        &proposal_delay(),
        &Scenario::embedded_default(),
        DayNum::from_ymd(2025, 3, 20),
    );
    assert_eq!(r.open_deals, 4);
    // proposal_delay_days at day 7: deal 1 → 5, deal 3 → 5, deal 4 → 2, deal 6 → 5.
    let ids: Vec<&str> = r.flagged.iter().map(|f| f.case_id.as_str()).collect();
    assert_eq!(ids, ["1", "3", "6"]);
    for f in &r.flagged {
        assert_eq!(f.reasons.len(), 1);
        let x = &f.reasons[0];
        assert_eq!((x.value, x.flagged_at_day, x.by_day), (5.0, 7, 14));
        assert!((x.days_overdue - 10.625).abs() < 1e-9, "{x:?}");
        assert!((f.age_days - 17.625).abs() < 1e-9);
        assert_eq!(f.forecast, None);
    }
    assert_eq!(r.reps.len(), 1);
    assert_eq!((r.reps[0].open_deals, r.reps[0].flagged_deals), (4, 3));
    assert_eq!(r.reps[0].forecast_open, None);
}

/// The per-rep on-time share is the mean, over the rep's open deals with a step due (its
/// deadline passed, done or not), of the share of those done by their deadline: a deal with
/// none due reads 1 and is left out, though counted open. Five open smb deals of one rep as of
/// Thu 2025-03-20 (its end: working day 14; smb deadlines: first meeting 5.75 working days
/// from creation, proposal 5.75 from the meeting, objection follow-up 6.9 from the proposal):
///
/// | deal | created (day) | done (day) | due | on time | share |
/// |---|---|---|---|---|---|
/// | 1 | 03-03 (0) | meeting 1, proposal 2 | meeting, proposal, follow-up (8.9) | 2 | 2/3 |
/// | 2 | 03-03 (0) | meeting 6 (late) | meeting, proposal (11.75) | 0 | 0 |
/// | 3 | 03-10 (5) | meeting 6, proposal 7, follow-up 8 | all three (13.9) | 3 | 1 |
/// | 4 | 03-17 (10) | meeting 11 (deadline 15.75) | none | – | (1) |
/// | 5 | 03-19 (12) | nothing | none | – | (1) |
///
/// The share is (2/3 + 0 + 1) / 3 = 5/9; counting deals 4 and 5 as on time made it 11/15.
#[test]
fn the_reps_on_time_share_leaves_out_deals_with_no_step_due() {
    use dealsim::policy::Policy;
    let deal = |id: &str, created: &str| {
        format!("{id},smb,r1,inbound,100,2025-03-{created}T09:00:00,,open,,")
    };
    let deals = [
        deal("1", "03"),
        deal("2", "03"),
        deal("3", "10"),
        deal("4", "17"),
        deal("5", "19"),
    ];
    let done = |id: &str, step: &str, day: &str| {
        format!("{id},{step},2025-03-{day}T09:00:00,r1,smb,pre_sale,{step},complete,,,")
    };
    let events = [
        done("1", "first_meeting", "04"),
        done("1", "proposal_sent", "05"),
        done("2", "first_meeting", "11"),
        done("3", "first_meeting", "11"),
        done("3", "proposal_sent", "12"),
        done("3", "objection_followup", "13"),
        done("4", "first_meeting", "18"),
    ];
    let policy = Policy::parse(
        "landmarks = [7, 14]\n[[segment]]\nname = \"smb\"\n[[segment.rule]]\n\
         indicator = \"proposal_delay_days\"\ndirection = \"higher_is_riskier\"\n\
         threshold = 5.0\nby_day = 14\n",
        "p.toml",
    )
    .expect("valid");
    let r = dealsim::flag::flag_log(
        &read_hand_log(&deals, &events),
        &policy,
        &proposal_delay(),
        &Scenario::embedded_default(),
        DayNum::from_ymd(2025, 3, 20),
    );
    assert_eq!(r.reps.len(), 1);
    assert_eq!(r.reps[0].open_deals, 5);
    // The indicator's shares are f32: 2/3 to about 1e-8.
    let share = r.reps[0].on_time_share.expect("deals with steps due");
    assert!((share - 5.0 / 9.0).abs() < 1e-7, "{share}");
}

/// Deadlines from experience start a step's clock where the deadline indicators do: where the
/// deal skipped the step it starts from, at the latest completion before it. smb's negotiation
/// (17.25 working days at a pace of 1.15) runs from the client's materials feedback, which
/// deals 1 and 3 skipped. Four smb deals created Mon 2025-03-03 09:00 (working day 0; March has
/// no holidays), each with its first meeting, proposal and objection follow-up done on days 1,
/// 2 and 3:
///
/// | deal | outcome (working day) | feedback | negotiation | negotiation's clock → time |
/// |---|---|---|---|---|
/// | 1 | won (13) | skipped | done day 8 | day 3 → 5 |
/// | 2 | won (13) | day 4 | done day 7 | day 4 → 3 |
/// | 3 | lost (22) | skipped | started day 5, never done | day 3 → 19, late |
/// | 4 | lost (9) | never reached | – | never started: left out |
///
/// Without the fallback only deal 2 was counted: 1 won deal, no lost one.
#[test]
fn deadlines_from_experience_start_the_clock_where_the_indicators_do() {
    let deal = |id: &str, closed: &str, outcome: &str| {
        format!("{id},smb,r1,inbound,100,2025-03-03T09:00:00,{closed}T09:00:00,{outcome},,")
    };
    let deals = [
        deal("1", "2025-03-20", "won"),
        deal("2", "2025-03-20", "won"),
        deal("3", "2025-04-02", "lost"),
        deal("4", "2025-03-14", "lost"),
    ];
    let step = |id: &str, name: &str, stage: &str, day: &str, lifecycle: &str| {
        format!("{id},{name},2025-03-{day}T09:00:00,r1,smb,{stage},{name},{lifecycle},,,")
    };
    let mut events = Vec::new();
    for id in ["1", "2", "3", "4"] {
        events.push(step(id, "first_meeting", "pre_sale", "04", "complete"));
        events.push(step(id, "proposal_sent", "pre_sale", "05", "complete"));
        events.push(step(id, "objection_followup", "pre_sale", "06", "complete"));
        match id {
            "1" => events.push(step(id, "negotiation", "sale", "13", "complete")),
            "2" => {
                events.push(step(id, "materials_feedback", "pre_sale", "07", "complete"));
                events.push(step(id, "negotiation", "sale", "12", "complete"));
            }
            "3" => events.push(step(id, "negotiation", "sale", "10", "start")),
            _ => {}
        }
    }
    let log = read_hand_log(&deals, &events);
    let maps = StageMaps::new(&Scenario::embedded_default(), &log);
    let table = dealsim::tuning::deadlines::from_experience(
        &log,
        &maps,
        &[("smb".to_string(), (0..4).collect())],
    );
    let negotiation = table
        .iter()
        .find(|r| r.step == "negotiation")
        .expect("a row");
    assert_eq!((negotiation.won_deals, negotiation.lost_deals), (2, 1));
    assert_eq!(negotiation.won_median_days, Some(4.0));
    assert_eq!(negotiation.lost_median_days, None);
    assert_eq!(
        (negotiation.current_catch, negotiation.current_false_alarm),
        (1.0, 0.0)
    );
    // The feedback's own clock (the follow-up, done by all four) is unchanged: deals 2 and 4
    // took 1 and 6 days, deals 1 and 3 never gave it (10 and 19 days).
    let feedback = table
        .iter()
        .find(|r| r.step == "materials_feedback")
        .expect("a row");
    assert_eq!((feedback.won_deals, feedback.lost_deals), (2, 2));
    // What `sla_breaches` said at deal 3's close: the feedback and the negotiation overdue.
    let breaches: Vec<_> = indicators::default_set()
        .into_iter()
        .filter(|s| s.name == "sla_breaches")
        .collect();
    let closed = log.deals[2].closed.expect("closed");
    let at_close = indicators::evaluate_at(&log, &breaches, &maps, &[2], closed);
    assert_eq!(at_close, [[2.0]]);
}

/// Under `--cluster rep` a rule's recall interval is built from the reps' totals: K/(K − 1) ·
/// Σ_r (caught_r − R·lost_r)² / L² on the logit scale with t on K − 1 df, K the reps with a
/// lost deal; its median lead's is the percentile interval of the median over replicates that
/// draw the segment's reps (each with all its decided deals), as many as there are. A share
/// over fewer than 5 reps' deals (the recall when only 4 reps have lost deals), and a bootstrap
/// over fewer than 5 reps, get no interval.
#[test]
fn rep_clustered_intervals_by_hand() {
    // 90 deals in two segments; a fixed pseudo-random stream for kinds, ages and values.
    let mut state = 7u64;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    let outcomes: Vec<(u8, f64, u8)> = (0..90)
        .map(|i| (next(3) as u8, 8.0 + next(30) as f64, i as u8))
        .collect();
    let values: Vec<[i8; 3]> = (0..90)
        .map(|_| [next(5) as i8, next(5) as i8, next(5) as i8])
        .collect();
    let (mut panel, _) = random_panel(&outcomes, &values, false);
    let clock = random_clock(&[0; 90]);
    let rule = Rule {
        indicator: 0,
        oriented: 2.0,
        by_day: 14,
    };
    let first = first_flags(&panel, &clock, &rule);
    let members: Vec<usize> = (0..90).filter(|i| i % 2 == 0).collect();
    // 7 reps: 6 of them with lost deals; 6: only 4 with lost deals (no recall interval, the
    // lead's bootstrap draws all 6); 4: too few for either.
    for reps in [7u32, 6, 4] {
        panel.deal_rep = (0..90).map(|i| (i / 2) % reps).collect();
        let (b, seed) = (400, 3);
        let got = figures(&panel, &members, &first, 1.0, (b, Cluster::Rep), seed);
        let decided: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| panel.outcome[i] != Outcome::Open)
            .collect();
        let rep_of: Vec<u64> = decided.iter().map(|&i| panel.deal_rep[i].into()).collect();
        let boot = Bootstrap::clustered(&vec![0; decided.len()], &rep_of, b, seed);
        // Whole days from the flag to the loss, per decided deal (flagged lost deals only).
        let lead = |i: usize| {
            let l = first[i].filter(|_| panel.outcome[i] == Outcome::Lost)?;
            Some(
                (panel.close_age[i] - f64::from(panel.landmarks[l as usize]))
                    .floor()
                    .max(0.0),
            )
        };
        let medians: Vec<f64> = (0..b)
            .map(|r| {
                let mut leads: Vec<f64> = Vec::new();
                for (k, &i) in decided.iter().enumerate() {
                    let times = usize::from(boot.weight(k, r));
                    leads.extend(
                        lead(i)
                            .into_iter()
                            .flat_map(|d| std::iter::repeat_n(d, times)),
                    );
                }
                leads.sort_by(f64::total_cmp);
                let n = leads.len();
                if n == 0 {
                    f64::NAN
                } else {
                    (leads[(n - 1) / 2] + leads[n / 2]) / 2.0
                }
            })
            .collect();
        // Per rep: caught (flagged lost) and lost deals.
        let mut totals = std::collections::BTreeMap::<u32, (f64, f64)>::new();
        for &i in decided
            .iter()
            .filter(|&&i| panel.outcome[i] == Outcome::Lost)
        {
            let t = totals.entry(panel.deal_rep[i]).or_default();
            t.0 += f64::from(u8::from(first[i].is_some()));
            t.1 += 1.0;
        }
        let (caught, lost) = totals
            .values()
            .fold((0.0, 0.0), |s, t| (s.0 + t.0, s.1 + t.1));
        let k = totals.len() as f64;
        let recall = caught / lost;
        let variance = k / (k - 1.0)
            * totals
                .values()
                .map(|t| (t.0 - recall * t.1).powi(2))
                .sum::<f64>()
            / (lost * lost);
        let q = StudentsT::new(0.0, 1.0, k - 1.0)
            .unwrap()
            .inverse_cdf(0.975);
        let (logit, half) = (
            (recall / (1.0 - recall)).ln(),
            q * variance.sqrt() / (recall * (1.0 - recall)),
        );
        let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
        let want_recall = [expit(logit - half), expit(logit + half)];
        let defined: Vec<f64> = medians.iter().copied().filter(|x| !x.is_nan()).collect();
        assert!(
            defined.len() * 20 >= b * 19,
            "the case should keep flagged lost deals"
        );
        let want_lead = [
            quantile(&defined, 0.025).unwrap(),
            quantile(&defined, 0.975).unwrap(),
        ];
        if reps == 6 {
            assert_eq!((k, got.recall.ci), (4.0, None));
            assert_eq!(got.median_lead_days.ci, Some(want_lead));
        } else if reps == 7 {
            assert_eq!(k, 6.0);
            let [lo, hi] = got.recall.ci.expect("an interval over 6 reps");
            assert!((lo - want_recall[0]).abs() < 1e-12 && (hi - want_recall[1]).abs() < 1e-12);
            assert!(hi - lo > 0.05, "a real interval: {want_recall:?}");
            assert!((got.recall.value - recall).abs() < 1e-15);
            assert_eq!(got.median_lead_days.ci, Some(want_lead));
        } else {
            assert_eq!(got.recall.ci, None, "4 reps: too few");
            assert_eq!(got.median_lead_days.ci, None, "4 reps: too few to resample");
        }
        assert_eq!(
            got.flagged_lost,
            decided
                .iter()
                .filter(|&&i| panel.outcome[i] == Outcome::Lost && first[i].is_some())
                .count()
        );
    }
}

/// Ten smb deals created at midnight (as a CRM export's date-only creations are) on 1–10
/// March 2025, alternately lost and won 20 days later, tuned at `landmarks` up to the window
/// end of 1 June (deal ages 83–92 days).
fn date_only_tuning(holdout: f64, landmarks: &[u32]) -> (Log, Tuning) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut deals = vec![DEALS.to_string()];
    for d in 1..=10 {
        let outcome = if d % 2 == 0 { "won" } else { "lost" };
        deals.push(format!(
            "{d},smb,r1,inbound,100,2025-03-{d:02}T00:00:00,2025-03-{:02}T00:00:00,{outcome},,",
            d + 20
        ));
    }
    fs::write(dir.path().join("d.csv"), deals.join("\n") + "\n").expect("write");
    fs::write(dir.path().join("e.csv"), format!("{EVENTS}\n")).expect("write");
    let log = read_log(&dir.path().join("e.csv"), &dir.path().join("d.csv")).expect("valid log");
    let t = tune_log(
        &log,
        &proposal_delay(),
        &Scenario::embedded_default(),
        landmarks,
        DayNum::from_ymd(2025, 6, 1).start(),
        &TuneOptions {
            objective: Objective::Youden,
            holdout,
            bootstrap: 0,
            cluster: Cluster::Deal,
            seed: 1,
            signals: vec![Signal::Rep],
            min_lead_days: 0.0,
            significance: 1.0,
        },
    );
    (log, t)
}

/// "Tuned on deals created before D" is exact: the creation span of 9 days puts a 50% split
/// at noon of 5 March, and the deals created on 5 March (at midnight) are held out with the
/// later ones, as the day written says. Without a holdout the day is the one after the last
/// creation; with no deal old enough for the last landmark there is none to write.
#[test]
fn the_holdout_starts_on_the_day_written() {
    let (log, t) = date_only_tuning(0.5, &[7]);
    assert_eq!(t.holdout_from, "2025-03-05");
    let tuned: Vec<&str> = (0..log.deals.len())
        .filter(|&i| t.tuned[i])
        .map(|i| log.case_ids[i].as_str())
        .collect();
    assert_eq!(tuned, ["1", "2", "3", "4"]);
    let md = dealsim::policy::markdown::render(&t);
    assert!(
        md.contains("on deals created before 2025-03-05 and"),
        "{md}"
    );

    let (log, t) = date_only_tuning(0.0, &[7]);
    assert_eq!(t.holdout_from, "2025-03-11");
    assert!(t.tuned.iter().all(|&x| x) && t.tuned.len() == log.deals.len());

    let (_, t) = date_only_tuning(0.3, &[7, 100]);
    assert_eq!(t.holdout_from, "");
    let md = dealsim::policy::markdown::render(&t);
    assert!(
        md.contains("on deals created at least 100 days before the end of the data, of which there are none"),
        "{md}"
    );
    assert!(!md.contains("1970"), "{md}");
}

/// A share every bootstrap replicate agrees on gets the exact interval, not a point: on the
/// hand log "≥ 2 by day 14" flags both won deals (3 and 4) in every replicate of the
/// outcome-stratified bootstrap, so its false-alarm rate is 2/2 with Clopper–Pearson interval
/// [0.025^(1/2), 1] = [0.1581, 1]; its recall, 2 of 3 (deal 5 was lost before day 7), moves
/// between replicates and keeps its percentile interval.
#[test]
fn a_share_all_replicates_agree_on_gets_the_exact_interval() {
    let log = hand_log();
    let panel = hand_panel(&log);
    let all: Vec<usize> = (0..6).collect();
    let holidays = Scenario::embedded_default().calendar.holidays;
    let clock = RuleClock::new(&log, &holidays, &[7, 14]);
    let rule = Rule {
        indicator: 0,
        oriented: 2.0,
        by_day: 14,
    };
    let first = first_flags(&panel, &clock, &rule);
    let f = figures(&panel, &all, &first, 6.0, (200, Cluster::Deal), 1);
    assert_eq!((f.flagged_won, f.won), (2, 2));
    let [lo, hi] = f.false_alarm_rate.ci.expect("an interval");
    assert!(
        (lo - 0.025f64.sqrt()).abs() < 1e-9 && hi == 1.0,
        "{lo} {hi}"
    );
    // 2 of 3, too few for percentiles on either side: SciPy's Clopper–Pearson bounds.
    assert_eq!((f.flagged_lost, f.lost), (2, 3));
    let [lo, hi] = f.recall.ci.expect("an interval");
    assert!(
        (lo - 0.09429932405024609).abs() < 1e-9 && (hi - 0.9915962413403874).abs() < 1e-9,
        "{lo} {hi}"
    );
}

/// A false-alarm rate of a few won deals in hundreds (2 of 603 in the default run's smb
/// holdout got [0, 0.83%], a 0 the data rule out) has Clopper–Pearson's interval, which
/// covers at least 95% by construction: over 400 samples of 1,200 deals, half lost, 0.5% of
/// won deals flagged (3 expected), it covers the true rate in 98.5% of them, and must in 95%;
/// the percentile interval of these 50 replicates covered it in 91.7% (80% as replicates grow,
/// `tests/oracle/binomial_percentile_coverage.py`).
#[test]
fn the_false_alarm_interval_covers_a_rare_false_alarm() {
    let share = coverage((0.5, 0.3, 0.005, 1200), 400, 0.005, |f| {
        f.false_alarm_rate.ci
    });
    assert!(share >= 0.95, "covered 0.005 in {share:.3} of samples");
}

/// Precision's and the alerts' intervals under deal-level replicates are Clopper–Pearson's
/// over the flagged deals, each lost or not, and over the decided deals, each flagged or not
/// (× the volume, 6 per rep per week): on the hand log, 1 of 2 flagged lost and 2 of 5 decided
/// flagged ("≥ 5 by day 7"), 1 of 1 and 1 of 5 ("≥ 10 by day 14"), 2 of 3 and 3 of 5 ("≥ 3 by
/// day 14"). The bounds are SciPy's `beta.ppf(0.025, x, n − x + 1)` and
/// `beta.ppf(0.975, x + 1, n − x)` (1 when x = n).
#[test]
fn the_precision_and_alerts_intervals_are_clopper_pearsons() {
    let log = hand_log();
    let panel = hand_panel(&log);
    let all: Vec<usize> = (0..6).collect();
    let holidays = Scenario::embedded_default().calendar.holidays;
    let clock = RuleClock::new(&log, &holidays, &[7, 14]);
    let cases = [
        (
            5.0,
            7,
            (1, 1),
            [0.01257911709342505, 0.9874208829065749],
            [0.31646970315790146, 5.120203202191961],
        ),
        (
            10.0,
            14,
            (1, 0),
            [0.025, 1.0],
            [0.030304580276808345, 4.2985076167085365],
        ),
        (
            3.0,
            14,
            (2, 1),
            [0.09429932405024609, 0.9915962413403874],
            [0.8797967978080388, 5.683530296842099],
        ),
    ];
    for (tau, by_day, flagged, precision, alerts) in cases {
        let rule = Rule {
            indicator: 0,
            oriented: tau,
            by_day,
        };
        let first = first_flags(&panel, &clock, &rule);
        let f = figures(&panel, &all, &first, 6.0, (200, Cluster::Deal), 1);
        assert_eq!((f.flagged_lost, f.flagged_won), flagged);
        for (what, e, [lo, hi]) in [
            ("precision", f.precision, precision),
            ("alerts", f.alerts_per_rep_week, alerts),
        ] {
            let [l, h] = e.ci.expect("an interval");
            assert!(
                (l - lo).abs() < 1e-9 && (h - hi).abs() < 1e-9,
                "{what} of ≥ {tau} by {by_day}: [{l}, {h}], SciPy [{lo}, {hi}]"
            );
        }
    }
}

/// The share of `samples` random segments of `n` deals (each lost with probability `p_lost`,
/// and flagged with probability `recall` if lost, `false_alarms` if won) in which the
/// deal-level interval `pick` takes from the rule's figures covers `truth`.
fn coverage(
    (p_lost, recall, false_alarms, n): (f64, f64, f64, usize),
    samples: u64,
    truth: f64,
    pick: impl Fn(&Figures) -> Option<[f64; 2]>,
) -> f64 {
    use rand::{Rng, SeedableRng};
    let mut covered = 0;
    for sample in 0..samples {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(sample);
        let lost: Vec<bool> = (0..n).map(|_| rng.random_bool(p_lost)).collect();
        let first: Vec<Option<u8>> = lost
            .iter()
            .map(|&l| rng.random_bool(if l { recall } else { false_alarms }))
            .map(|f| f.then_some(0))
            .collect();
        let panel = Panel {
            indicators: Vec::new(),
            landmarks: vec![7],
            segments: vec!["a".into()],
            deal_segment: vec![0; n],
            deal_rep: (0..n as u32).collect(),
            outcome: (lost.iter())
                .map(|&l| if l { Outcome::Lost } else { Outcome::Won })
                .collect(),
            close_age: vec![60.0; n],
            window_age: vec![400.0; n],
            at: vec![indicators::evaluate::LandmarkRows::default()],
        };
        let all: Vec<usize> = (0..n).collect();
        let f = figures(&panel, &all, &first, 1.0, (50, Cluster::Deal), sample);
        let [lo, hi] = pick(&f).expect("an interval");
        covered += usize::from(lo <= truth && truth <= hi);
    }
    covered as f64 / samples as f64
}

/// The coverage the precision interval was missing. A rule that flags nearly every deal
/// (99.8% of lost, 97.7% of won, 79% of deals lost: the smb rule a reviewer met on a
/// 3,000-deal run) has precision close to the lost share, which varies from sample to sample;
/// replicates stratified by outcome hold it fixed and covered the true precision in 21% of
/// samples. Over 400 samples of 836 deals the interval must cover it at least 92% of the
/// time: Clopper–Pearson's is at least 95% by construction, and 92% is 2.75 binomial
/// standard deviations (1.09 points) below 95%.
#[test]
fn the_precision_interval_covers_a_rule_that_flags_nearly_every_deal() {
    let setting @ (p_lost, recall, false_alarms, _) = (0.79, 0.998, 0.977, 836);
    let truth = p_lost * recall / (p_lost * recall + (1.0 - p_lost) * false_alarms);
    let share = coverage(setting, 400, truth, |f| f.precision.ci);
    assert!(share >= 0.92, "covered {truth:.4} in {share:.3} of samples");
}

/// The same for the alerts, the flagged share of decided deals × the volume (1 here): a rule
/// flagging 90% of lost and 10% of won deals, half of 400 deals lost. Replicates stratified by
/// outcome miss the variance the lost share adds, π(1 − π)(recall − false alarms)² = 0.16
/// against 0.09 within the classes: their interval is 0.6 times as wide as it should be and
/// covered the true 0.5 in 75% of samples with the default 200 replicates, 71% with the 50
/// here (a Python simulation of 4,000 samples). Same 92% bar over 400 samples as above.
#[test]
fn the_alerts_interval_covers_a_rule_that_separates_the_classes() {
    let setting @ (p_lost, recall, false_alarms, _) = (0.5, 0.9, 0.1, 400);
    let truth = p_lost * recall + (1.0 - p_lost) * false_alarms;
    let share = coverage(setting, 400, truth, |f| f.alerts_per_rep_week.ci);
    assert!(share >= 0.92, "covered {truth:.4} in {share:.3} of samples");
}

//! Indicators through the library API, on tiny hand-written logs (issue 4, "Indicators").
//!
//! Each log is written as `events.csv` + `deals.csv` into a temporary directory and read
//! back with `dealsim::log::read::read_log`, exactly as `dealsim score` reads a user's log;
//! indicators are evaluated with the embedded default set against the embedded default
//! scenario's stage maps and calendar. Every expected value below is computed by hand in the
//! comments: deal ages are calendar days; SLA deadlines, `proposal_delay_days` and the client's
//! silence (`days_since_last_touch`, `client_response_latency`) are working days (Mon–Fri,
//! 09:00–18:00, minus the scenario's holidays); smb deadlines are the stage map's
//! `deadline_days` × the segment's pace 1.15:
//!
//! | step               | from               | smb deadline (working days) |
//! |--------------------|--------------------|-----------------------------|
//! | first_meeting      | created            | 5 × 1.15 = 5.75             |
//! | proposal_sent      | first_meeting      | 5 × 1.15 = 5.75             |
//! | objection_followup | proposal_sent      | 6 × 1.15 = 6.9              |
//! | materials_feedback | objection_followup | 10 × 1.15 = 11.5            |
//! | negotiation        | materials_feedback | 15 × 1.15 = 17.25           |
//!
//! Working time `w = k + f` is fraction `f` of working day `k`; 09:00 is `f = 0` and each
//! working hour is 1/9 of a day. A moment outside working time counts as the start of the
//! next working day.
//!
//! The property test at the end checks the "no future" rule: appending events later than
//! `created + d` (and closing the deal after that) never changes any value at landmark `d`.

use std::fmt::Write as _;
use std::path::Path;

use dealsim::indicators::{self, stage_map::StageMaps, Panel};
use dealsim::log::{read::read_log, Log};
use dealsim::scenario::Scenario;
use dealsim::time::Timestamp;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Writing logs.

const EVENTS_HEADER: &str = "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close\n";
const DEALS_HEADER: &str =
    "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n";

/// One row of `events.csv`, built field by field (empty fields by default).
#[derive(Clone)]
struct Ev {
    case: String,
    activity: String,
    time: String,
    resource: String,
    stage: String,
    step: String,
    lifecycle: &'static str,
    card: String,
    probability: String,
    close: String,
}

/// A rep event of deal `case` (resource `rep-1`, lifecycle complete).
fn ev(case: &str, activity: &str, time: &str) -> Ev {
    Ev {
        case: case.into(),
        activity: activity.into(),
        time: time.into(),
        resource: "rep-1".into(),
        stage: String::new(),
        step: String::new(),
        lifecycle: "complete",
        card: String::new(),
        probability: String::new(),
        close: String::new(),
    }
}

impl Ev {
    fn client(mut self) -> Ev {
        self.resource = "client".into();
        self
    }
    fn stage(mut self, stage: &str) -> Ev {
        self.stage = stage.into();
        self
    }
    /// A step event: the step column names the activity.
    fn start(mut self) -> Ev {
        self.step.clone_from(&self.activity);
        self.lifecycle = "start";
        self
    }
    fn done(mut self) -> Ev {
        self.step.clone_from(&self.activity);
        self.lifecycle = "complete";
        self
    }
    fn card(mut self, field: &str) -> Ev {
        self.card = field.into();
        self
    }
    fn forecast(mut self, probability: f64, close: &str) -> Ev {
        self.probability = format!("{probability:.2}");
        self.close = close.into();
        self
    }
}

/// One row of `deals.csv`.
#[derive(Clone)]
struct DealRow {
    case: String,
    segment: String,
    value: String,
    created: String,
    closed: String,
    outcome: &'static str,
}

fn deal(case: &str, segment: &str, created: &str) -> DealRow {
    DealRow {
        case: case.into(),
        segment: segment.into(),
        value: "1000".into(),
        created: created.into(),
        closed: String::new(),
        outcome: "open",
    }
}

impl DealRow {
    fn value(mut self, v: &str) -> DealRow {
        self.value = v.into();
        self
    }
    fn closed(mut self, outcome: &'static str, at: &str) -> DealRow {
        self.outcome = outcome;
        self.closed = at.into();
        self
    }
}

fn write_log(dir: &Path, deals: &[DealRow], events: &[Ev]) {
    let mut d = DEALS_HEADER.to_string();
    for r in deals {
        writeln!(
            d,
            "{},{},{}-rep-1,inbound,{},{},{},{},,",
            r.case, r.segment, r.segment, r.value, r.created, r.closed, r.outcome
        )
        .unwrap();
    }
    let segment = |case: &str| {
        deals
            .iter()
            .find(|r| r.case == case)
            .map_or("", |r| r.segment.as_str())
    };
    let mut e = EVENTS_HEADER.to_string();
    for x in events {
        writeln!(
            e,
            "{},{},{},{},{},{},{},{},{},{},{}",
            x.case,
            x.activity,
            x.time,
            x.resource,
            segment(&x.case),
            x.stage,
            x.step,
            x.lifecycle,
            x.card,
            x.probability,
            x.close
        )
        .unwrap();
    }
    std::fs::write(dir.join("deals.csv"), d).expect("write deals.csv");
    std::fs::write(dir.join("events.csv"), e).expect("write events.csv");
}

/// Writes the log into a fresh temporary directory and reads it back.
fn read(deals: &[DealRow], events: &[Ev]) -> Log {
    let dir = tempfile::tempdir().expect("tempdir");
    write_log(dir.path(), deals, events);
    read_log(
        &dir.path().join("events.csv"),
        &dir.path().join("deals.csv"),
    )
    .unwrap_or_else(|e| panic!("the hand-written log is valid: {e}"))
}

fn ts(s: &str) -> Timestamp {
    dealsim::log::read::parse_timestamp(s).unwrap_or_else(|| panic!("timestamp {s:?}"))
}

/// The default indicator set at `landmarks`, observation window ending at `window_end`.
fn evaluate(log: &Log, landmarks: &[u32], window_end: &str) -> Panel {
    evaluate_specs(log, &indicators::default_set(), landmarks, ts(window_end))
}

/// `specs` at `landmarks` on the default scenario's stage maps and calendar.
fn evaluate_specs(
    log: &Log,
    specs: &[indicators::IndicatorSpec],
    landmarks: &[u32],
    window_end: Timestamp,
) -> Panel {
    let maps = StageMaps::new(&Scenario::embedded_default(), log);
    indicators::evaluate(log, specs, None, &maps, landmarks, window_end)
}

/// The value of `indicator` for the deal with case id `case` at landmark `day`; `None` when
/// the deal has no row there (not in the risk set).
fn at(panel: &Panel, log: &Log, case: &str, day: u32, indicator: &str) -> Option<f32> {
    let deal = log
        .case_ids
        .iter()
        .position(|c| c == case)
        .unwrap_or_else(|| panic!("no deal {case}")) as u32;
    let k = panel
        .landmarks
        .iter()
        .position(|&l| l == day)
        .unwrap_or_else(|| panic!("no landmark {day}"));
    let j = panel
        .indicators
        .iter()
        .position(|i| i.name == indicator)
        .unwrap_or_else(|| panic!("no indicator {indicator}"));
    let rows = &panel.at[k];
    let r = rows.deals.iter().position(|&d| d == deal)?;
    Some(rows.values[j][r])
}

/// Asserts a present, finite value close to `want` (values are stored as f32).
#[track_caller]
fn check(panel: &Panel, log: &Log, case: &str, day: u32, indicator: &str, want: f64) {
    let got = at(panel, log, case, day, indicator)
        .unwrap_or_else(|| panic!("deal {case} has no row at day {day}"));
    assert!(
        (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0),
        "deal {case}, day {day}, {indicator}: got {got}, expected {want}"
    );
}

#[track_caller]
fn check_missing(panel: &Panel, log: &Log, case: &str, day: u32, indicator: &str) {
    let got = at(panel, log, case, day, indicator)
        .unwrap_or_else(|| panic!("deal {case} has no row at day {day}"));
    assert!(
        got.is_nan(),
        "deal {case}, day {day}, {indicator}: expected missing (NaN), got {got}"
    );
}

/// Mean of a lognormal(mu, sigma): exp(mu + sigma²/2).
fn lognormal_mean(mu: f64, sigma: f64) -> f64 {
    (mu + sigma * sigma / 2.0).exp()
}

/// Nominal length of an smb stage in working days: Σ mean step duration × pace 1.15 ×
/// (1 − skip) (the scenario's stage norm, which `stage_age_vs_norm` counts in working days).
fn smb_norm(working: f64) -> f64 {
    working * 1.15
}

// ---------------------------------------------------------------------------------------------
// Deal A: one smb deal through the pre-sale stage, every primitive at five landmarks.

/// Deal A: smb, created Mon 2025-03-03 09:00 (working time c). Working days from there:
/// Mon 3/3 c, Tue 3/4 c+1, Wed 3/5 c+2, Thu 3/6 c+3, Fri 3/7 c+4, Mon 3/10 c+5, ...,
/// Mon 3/17 c+10, Tue 3/18 c+11, Mon 3/24 c+15, Tue 3/25 c+16, Mon 3/31 c+20, Wed 4/2 c+22,
/// Mon 4/7 c+25 (no holidays in March and early April). Landmarks 7, 14, 21, 28, 35 are the
/// Mondays 3/10, 3/17, 3/24, 3/31, 4/7 at 09:00, i.e. working times c+5, c+10, c+15, c+20,
/// c+25.
fn deal_a() -> (Vec<DealRow>, Vec<Ev>) {
    let a = "A";
    let deals = vec![deal(a, "smb", "2025-03-03T09:00:00")
        .value("12345.5")
        .closed("won", "2025-05-30T12:00:00")];
    let events = vec![
        ev(a, "deal_created", "2025-03-03T09:00:00").stage("pre_sale"),
        ev(a, "forecast_update", "2025-03-03T09:00:00")
            .stage("pre_sale")
            .forecast(0.25, "2025-04-30"),
        ev(a, "first_meeting", "2025-03-03T09:00:00")
            .stage("pre_sale")
            .start(),
        // Touch 1 (call) and a second touch before any reply: the wait counts from the first.
        ev(a, "call", "2025-03-04T09:00:00").stage("pre_sale"),
        ev(a, "card_update", "2025-03-04T12:00:00")
            .stage("pre_sale")
            .card("budget"),
        ev(a, "email", "2025-03-04T15:00:00").stage("pre_sale"),
        // first_meeting done at c+2 + 4.5/9 = c+2.5 (deadline c+5.75: on time).
        ev(a, "first_meeting", "2025-03-05T13:30:00")
            .stage("pre_sale")
            .done(),
        // Reply 1: 3/4 09:00 → 3/5 13:30 = 28.5 h = 1.1875 days.
        ev(a, "client_reply", "2025-03-05T13:30:00")
            .stage("pre_sale")
            .client(),
        ev(a, "proposal_sent", "2025-03-05T13:30:00")
            .stage("pre_sale")
            .start(),
        // Touch 2, answered only on 3/12 09:00: 6 days.
        ev(a, "call", "2025-03-06T09:00:00").stage("pre_sale"),
        // The same field again does not count twice.
        ev(a, "card_update", "2025-03-06T10:00:00")
            .stage("pre_sale")
            .card("budget"),
        ev(a, "card_update", "2025-03-07T10:00:00")
            .stage("pre_sale")
            .card("pain"),
        ev(a, "client_reply", "2025-03-12T09:00:00")
            .stage("pre_sale")
            .client(),
        ev(a, "card_update", "2025-03-12T12:00:00")
            .stage("pre_sale")
            .card("timeline"),
        // proposal_sent done at c+11; its deadline was c+2.5 + 5.75 = c+8.25 (Thu 3/13 11:15).
        ev(a, "proposal_sent", "2025-03-18T09:00:00")
            .stage("pre_sale")
            .done(),
        // Expected close pushed 04-30 → 05-14 (push 1).
        ev(a, "forecast_update", "2025-03-18T09:00:00")
            .stage("pre_sale")
            .forecast(0.30, "2025-05-14"),
        ev(a, "objection_followup", "2025-03-18T10:00:00")
            .stage("pre_sale")
            .start(),
        ev(a, "stakeholder_engaged", "2025-03-19T09:00:00")
            .stage("pre_sale")
            .client(),
        // Pulled in to 05-07: not a push.
        ev(a, "forecast_update", "2025-03-20T09:00:00")
            .stage("pre_sale")
            .forecast(0.35, "2025-05-07"),
        // objection_followup done at c+16; deadline c+11 + 6.9 = c+17.9: on time.
        ev(a, "objection_followup", "2025-03-25T09:00:00")
            .stage("pre_sale")
            .done(),
        // 05-07 → 05-21: push 2.
        ev(a, "forecast_update", "2025-03-26T09:00:00")
            .stage("pre_sale")
            .forecast(0.40, "2025-05-21"),
        ev(a, "materials_feedback", "2025-03-26T09:00:00")
            .stage("pre_sale")
            .client()
            .start(),
        ev(a, "stakeholder_engaged", "2025-03-27T14:00:00")
            .stage("pre_sale")
            .client(),
        // materials_feedback done Wed 4/2 12:00 = c+22 + 3/9; the deal enters `sale` then.
        ev(a, "materials_feedback", "2025-04-02T12:00:00")
            .stage("pre_sale")
            .client()
            .done(),
        ev(a, "negotiation", "2025-04-02T12:00:00")
            .stage("sale")
            .client()
            .start(),
        // Later than every landmark below (4/7 09:00): must not show anywhere.
        ev(a, "call", "2025-04-08T09:00:00").stage("sale"),
        ev(a, "card_update", "2025-04-08T10:00:00")
            .stage("sale")
            .card("competitors"),
    ];
    (deals, events)
}

#[test]
fn every_default_primitive_by_hand_on_one_deal() {
    let (deals, events) = deal_a();
    let log = read(&deals, &events);
    let panel = evaluate(&log, &[7, 14, 21, 28, 35], "2025-07-01");
    let names: Vec<&str> = panel.indicators.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names.len(),
        14,
        "the default set changed; extend this test: {names:?}"
    );
    // Stage norms of smb in working days (scenario means × pace × (1 − skip)):
    // pre_sale: first_meeting lognormal(0.8, 0.5), proposal_sent gamma(3, 1.2) = 3.6,
    // objection_followup lognormal(1.1, 0.5) skipped 5%, materials_feedback lognormal(1.6, 0.6)
    // skipped 20% — about 16.21 working days (22.70 calendar days).
    let pre_sale = smb_norm(
        lognormal_mean(0.8, 0.5)
            + 3.6
            + 0.95 * lognormal_mean(1.1, 0.5)
            + 0.8 * lognormal_mean(1.6, 0.6),
    );
    // sale: negotiation gamma(4, 3) = 12, decision_maker_meeting lognormal(1.8, 0.5) skipped
    // 10%, terms_agreed gamma(3, 2.5) = 7.5.
    let sale = smb_norm(12.0 + 0.9 * lognormal_mean(1.8, 0.5) + 7.5);
    assert!((pre_sale - 16.21).abs() < 0.01, "{pre_sale}");

    let c = |day, name, want| check(&panel, &log, "A", day, name, want);

    // Day 7 (Mon 3/10 09:00, c+5).
    // Pending: working days elapsed so far (7 calendar days, the weekend does not count).
    c(7, "proposal_delay_days", 5.0);
    c(7, "card_completeness", 2.0 / 6.0); // budget (twice), pain
    c(7, "objection_followup_done", 0.0);
    // first_meeting's deadline c+5.75 is later today (Mon 15:45) although 7 calendar days
    // have passed: the weekend does not count. Nothing is due yet.
    c(7, "sla_breaches", 0.0);
    c(7, "steps_on_time_ratio", 1.0);
    c(7, "stage_age_vs_norm", 5.0 / pre_sale); // working days in pre_sale: c → c+5
                                               // Client silence in working days: reply 3/5 13:30 (c+2.5) → c+5.
    c(7, "days_since_last_touch", 2.5);
    // Reply 1 took c+1 → c+2.5; the 3/6 call (c+3) has waited 2 working days.
    c(7, "client_response_latency", (1.5 + 2.0) / 2.0);
    c(7, "materials_feedback_received", 0.0);
    c(7, "stakeholders_engaged", 0.0);
    c(7, "close_date_pushes", 0.0);
    c(7, "rep_forecast_probability", 0.25);
    check_missing(&panel, &log, "A", 7, "legal_wait_days"); // legal_review never started
    c(7, "deal_value", 12345.5);

    // Day 14 (Mon 3/17, c+10).
    c(14, "proposal_delay_days", 10.0); // c → c+10
                                        // + timeline.
    c(14, "card_completeness", 3.0 / 6.0);
    // first_meeting due (c+5.75) and done on time; proposal_sent due (c+8.25), not done.
    c(14, "sla_breaches", 1.0);
    c(14, "steps_on_time_ratio", 0.5);
    c(14, "stage_age_vs_norm", 10.0 / pre_sale);
    c(14, "days_since_last_touch", 3.0); // reply 3/12 09:00 (c+7)
    c(14, "client_response_latency", (1.5 + 4.0) / 2.0); // the 3/6 call answered at c+7
    c(14, "rep_forecast_probability", 0.25);

    // Day 21 (Mon 3/24, c+15).
    // Fixed once sent: 3/3 09:00 (c) → 3/18 09:00 (c+11); 15 calendar days.
    c(21, "proposal_delay_days", 11.0);
    // proposal_sent stays a breach (done at c+11 > c+8.25); objection_followup's deadline
    // c+17.9 is not reached.
    c(21, "sla_breaches", 1.0);
    c(21, "steps_on_time_ratio", 0.5);
    c(21, "close_date_pushes", 1.0); // 04-30 → 05-14 pushed, → 05-07 pulled in
    c(21, "rep_forecast_probability", 0.35);
    c(21, "stakeholders_engaged", 1.0);
    c(21, "days_since_last_touch", 3.0); // stakeholder 3/19 09:00 (c+12)
    c(21, "client_response_latency", (1.5 + 4.0) / 2.0); // nothing pending
    c(21, "objection_followup_done", 0.0);

    // Day 28 (Mon 3/31, c+20).
    c(28, "objection_followup_done", 1.0);
    // objection_followup due (c+17.9 < c+20), done c+16: on time. 3 due, 2 on time.
    c(28, "sla_breaches", 1.0);
    c(28, "steps_on_time_ratio", 2.0 / 3.0);
    c(28, "close_date_pushes", 2.0); // 05-07 → 05-21
    c(28, "rep_forecast_probability", 0.40);
    c(28, "stakeholders_engaged", 2.0);
    c(28, "days_since_last_touch", 2.0 - 5.0 / 9.0); // 3/27 14:00 (c+18 5/9) → c+20
    c(28, "materials_feedback_received", 0.0);
    c(28, "stage_age_vs_norm", 20.0 / pre_sale);
    c(28, "card_completeness", 3.0 / 6.0);

    // Day 35 (Mon 4/7, c+25).
    c(35, "materials_feedback_received", 1.0);
    // materials_feedback's deadline c+16 + 11.5 = c+27.5 is not reached (it is done anyway);
    // negotiation's clock starts at c+22⅓: still 3 due, 2 on time.
    c(35, "sla_breaches", 1.0);
    c(35, "steps_on_time_ratio", 2.0 / 3.0);
    c(35, "stage_age_vs_norm", (3.0 - 1.0 / 3.0) / sale); // sale since 4/2 12:00 (c+22⅓)
                                                          // Negotiation start (client) 4/2 12:00 (c+22 1/3) → c+25.
    c(35, "days_since_last_touch", 3.0 - 1.0 / 3.0);
    c(35, "proposal_delay_days", 11.0);
    c(35, "client_response_latency", (1.5 + 4.0) / 2.0);
    c(35, "card_completeness", 3.0 / 6.0); // the 4/8 update is in the future
    c(35, "deal_value", 12345.5);
    check_missing(&panel, &log, "A", 35, "legal_wait_days");
}

/// Deal B: smb, created Tue 2025-04-29 09:00 (working time b), first meeting never held.
/// The calendar: Tue 4/29 b, Wed 4/30 b+1, Thu 5/1–Sun 5/4 holidays (may_holidays), Mon 5/5
/// b+2, Tue 5/6 b+3, Wed 5/7 b+4, Thu 5/8 b+5, Fri 5/9–Sun 5/11 holidays (victory_day),
/// Mon 5/12 b+6. The deadline b+5.75 is Thu 5/8 15:45.
/// Day 9 = Thu 5/8 09:00 = b+5: not due (with weekends only it would be b+7: overdue).
/// Day 10 = Fri 5/9 09:00, a holiday: counts as the start of Mon 5/12 = b+6: overdue.
#[test]
fn deadlines_count_working_days_and_skip_holidays() {
    let deals = [deal("B", "smb", "2025-04-29T09:00:00")];
    let events = [
        ev("B", "deal_created", "2025-04-29T09:00:00").stage("pre_sale"),
        ev("B", "first_meeting", "2025-04-29T09:00:00")
            .stage("pre_sale")
            .start(),
    ];
    let log = read(&deals, &events);
    let panel = evaluate(&log, &[6, 9, 10], "2025-07-01");
    for day in [6, 9] {
        check(&panel, &log, "B", day, "sla_breaches", 0.0);
        check(&panel, &log, "B", day, "steps_on_time_ratio", 1.0);
    }
    check(&panel, &log, "B", 10, "sla_breaches", 1.0);
    check(&panel, &log, "B", 10, "steps_on_time_ratio", 0.0);
    // No touch yet: latency 0; no client event yet: working days since creation (b → b+6).
    check(&panel, &log, "B", 10, "client_response_latency", 0.0);
    check(&panel, &log, "B", 10, "days_since_last_touch", 6.0);
    check(&panel, &log, "B", 10, "card_completeness", 0.0);
}

/// Card completeness is out of the scenario's card fields unless the indicator says: with a
/// three-field card, a deal that filled all three reads 100% (it read 50%, three of the
/// indicator file's six, when the file's count was used whatever the scenario), and an
/// explicit `out_of = 6` still divides by six, with a warning.
#[test]
fn card_completeness_is_out_of_the_scenarios_card_fields() {
    let deals = [deal("K", "smb", "2025-06-02T09:00:00")];
    let mut events = vec![ev("K", "deal_created", "2025-06-02T09:00:00").stage("pre_sale")];
    for (hour, field) in [(10, "budget"), (11, "decision_maker"), (12, "timeline")] {
        let time = format!("2025-06-02T{hour}:00:00");
        events.push(ev("K", "card_update", &time).stage("pre_sale").card(field));
    }
    let log = read(&deals, &events);
    let all_six = "fields = [\"budget\", \"decision_maker\", \"timeline\", \"pain\", \"competitors\", \"next_step\"]";
    let three = dealsim::scenario::DEFAULT_TOML.replacen(
        all_six,
        "fields = [\"budget\", \"decision_maker\", \"timeline\"]",
        1,
    );
    assert_ne!(three, dealsim::scenario::DEFAULT_TOML, "update this test");
    let three = Scenario::parse(&three, "three.toml").unwrap();
    let explicit = indicators::parse(
        "[[indicator]]\nname = \"card6\"\ndescription = \"d\"\ndirection = \"higher_is_safer\"\n\
         signal = \"rep\"\nmeasure = { kind = \"card_completeness\", out_of = 6 }\n",
        "ind.toml",
    )
    .unwrap();
    let specs: Vec<_> = indicators::default_set()
        .into_iter()
        .chain(explicit)
        .collect();
    let value = |scenario: &Scenario, name: &str| {
        let maps = StageMaps::new(scenario, &log);
        let panel = indicators::evaluate(&log, &specs, None, &maps, &[7], ts("2025-07-01"));
        at(&panel, &log, "K", 7, name).expect("open at day 7")
    };
    assert_eq!(value(&three, "card_completeness"), 1.0);
    assert_eq!(
        value(&Scenario::embedded_default(), "card_completeness"),
        0.5
    );
    assert_eq!(value(&three, "card6"), 0.5);

    let warnings = indicators::card_mismatches(&specs, &three);
    assert_eq!(
        warnings,
        [
            "indicator card6: out_of = 6, but the scenario's client card has 3 fields \
          (card.fields), so a full card reads 50%; leave out out_of to count the scenario's \
          fields"
        ]
    );
    assert!(indicators::card_mismatches(&specs, &Scenario::embedded_default()).is_empty());
}

/// Deal C: smb, created Mon 2025-06-02 09:00 (working time c; no holidays in June):
/// first_meeting done Tue 6/3 09:00 (c+1), proposal_sent done Wed 6/4 09:00 (c+2),
/// objection_followup skipped: the deal moves on to materials_feedback (start Thu 6/5).
/// - objection_followup's clock starts at proposal_sent (c+2): deadline c+8.9, missed.
/// - materials_feedback's clock step was skipped, so its clock starts at the latest completion
///   before it, proposal_sent (c+2): deadline c+13.5 (from creation it would be c+11.5).
///
/// Day 14 = Mon 6/16 = c+10: 3 due (first_meeting, proposal on time; objection overdue).
/// Day 21 = Mon 6/23 = c+15: materials_feedback is overdue too: 4 due, 2 on time.
#[test]
fn a_skipped_step_is_overdue_and_the_next_clock_starts_at_the_last_completion() {
    let deals = [deal("C", "smb", "2025-06-02T09:00:00")];
    let events = [
        ev("C", "first_meeting", "2025-06-02T09:00:00")
            .stage("pre_sale")
            .start(),
        ev("C", "first_meeting", "2025-06-03T09:00:00")
            .stage("pre_sale")
            .done(),
        ev("C", "proposal_sent", "2025-06-03T09:00:00")
            .stage("pre_sale")
            .start(),
        ev("C", "proposal_sent", "2025-06-04T09:00:00")
            .stage("pre_sale")
            .done(),
        ev("C", "materials_feedback", "2025-06-05T09:00:00")
            .stage("pre_sale")
            .client()
            .start(),
    ];
    let log = read(&deals, &events);
    let panel = evaluate(&log, &[7, 14, 21], "2025-07-01");
    // Day 7 = Mon 6/9 = c+5: first_meeting (c+5.75) not yet due; nothing due.
    check(&panel, &log, "C", 7, "steps_on_time_ratio", 1.0);
    check(&panel, &log, "C", 14, "sla_breaches", 1.0);
    check(&panel, &log, "C", 14, "steps_on_time_ratio", 2.0 / 3.0);
    check(&panel, &log, "C", 21, "sla_breaches", 2.0);
    check(&panel, &log, "C", 21, "steps_on_time_ratio", 0.5);
    check(&panel, &log, "C", 21, "proposal_delay_days", 2.0); // c → c+2
    check(&panel, &log, "C", 21, "objection_followup_done", 0.0);
    // 6/5 09:00 (c+3) → 6/23 09:00 (c+15), the client's last (and only) event.
    check(&panel, &log, "C", 21, "days_since_last_touch", 12.0);
}

/// Deal D: enterprise, no value, no stage column, no forecast, legal review from day 9
/// (3/12 09:00) to day 22.5 (3/25 21:00).
#[test]
fn step_duration_and_missing_values() {
    let deals = [deal("D", "enterprise", "2025-03-03T09:00:00").value("")];
    let events = [
        ev("D", "legal_review", "2025-03-12T09:00:00")
            .start()
            .client(),
        ev("D", "legal_review", "2025-03-25T21:00:00")
            .done()
            .client(),
    ];
    let log = read(&deals, &events);
    let panel = evaluate(&log, &[7, 14, 21, 28], "2025-07-01");
    // Missing before the step starts, so deals are compared only with others that reached it.
    check_missing(&panel, &log, "D", 7, "legal_wait_days");
    check(&panel, &log, "D", 14, "legal_wait_days", 5.0); // running: elapsed
    check(&panel, &log, "D", 21, "legal_wait_days", 12.0);
    check_missing(&panel, &log, "D", 28, "legal_wait_days"); // done: no longer waiting
    for day in [7, 28] {
        check_missing(&panel, &log, "D", day, "deal_value");
        check_missing(&panel, &log, "D", day, "rep_forecast_probability");
        check_missing(&panel, &log, "D", day, "stage_age_vs_norm"); // no stage known
        check(&panel, &log, "D", day, "close_date_pushes", 0.0);
        // Never sent: working days elapsed, Mon 3/3 09:00 → Mon 3/10 (c+5) or 3/31 (c+20).
        check(
            &panel,
            &log,
            "D",
            day,
            "proposal_delay_days",
            f64::from(day) * 5.0 / 7.0,
        );
        check(&panel, &log, "D", day, "client_response_latency", 0.0);
    }
    // The legal events are the client side's: none before day 9 (creation c → c+5); the last
    // Tue 3/25 21:00, after working hours, counts as the end of that working day (c+17).
    check(&panel, &log, "D", 7, "days_since_last_touch", 5.0);
    check(&panel, &log, "D", 28, "days_since_last_touch", 20.0 - 17.0);
}

/// A segment the scenario has no stage map for: deadline and stage indicators are missing,
/// the others are computed as usual.
#[test]
fn a_segment_without_a_stage_map_has_missing_deadline_indicators() {
    let deals = [deal("X", "public_sector", "2025-03-03T09:00:00")];
    let events = [ev("X", "proposal_sent", "2025-03-05T09:00:00")
        .stage("pre_sale")
        .done()];
    let log = read(&deals, &events);
    let panel = evaluate(&log, &[7], "2025-07-01");
    for name in ["sla_breaches", "steps_on_time_ratio", "stage_age_vs_norm"] {
        check_missing(&panel, &log, "X", 7, name);
    }
    // The working-day calendar is the scenario's, not the stage map's: Mon 3/3 → Wed 3/5.
    check(&panel, &log, "X", 7, "proposal_delay_days", 2.0);
}

/// `Measure::needs_stage_map` (what `score` warns about for a segment without a map) names
/// exactly the default indicators whose values the map changes: deal A as it is (smb) and in
/// a segment the scenario has no map for, at every landmark.
#[test]
fn the_indicators_said_to_need_a_stage_map_are_those_it_changes() {
    let (deals, events) = deal_a();
    let mut elsewhere = deals.clone();
    elsewhere[0].segment = "public_sector".into();
    let landmarks = [7, 14, 28, 35, 56, 84];
    let (with_map, without) = (read(&deals, &events), read(&elsewhere, &events));
    let a = evaluate(&with_map, &landmarks, "2025-07-01");
    let b = evaluate(&without, &landmarks, "2025-07-01");
    for spec in indicators::default_set() {
        let changed = landmarks.iter().any(|&day| {
            let (x, y) = (
                at(&a, &with_map, "A", day, &spec.name),
                at(&b, &without, "A", day, &spec.name),
            );
            x.map(f32::to_bits) != y.map(f32::to_bits)
        });
        assert_eq!(
            changed,
            spec.measure.needs_stage_map(),
            "{}: changed {changed}",
            spec.name
        );
    }
}

/// `stage_age_vs_norm` without `working_days`: calendar days in the stage over the nominal
/// working days × 7/5, on deal A (smb, pre-sale norm 16.21 working days = 22.70 calendar).
#[test]
fn stage_age_in_calendar_days_by_hand() {
    let (deals, events) = deal_a();
    let log = read(&deals, &events);
    let spec = indicators::IndicatorSpec {
        name: "stage_age_calendar".into(),
        description: String::new(),
        direction: indicators::Direction::HigherIsRiskier,
        signal: indicators::Signal::Process,
        measure: indicators::spec::Measure::StageAgeVsNorm {
            working_days: false,
        },
    };
    let panel = evaluate_specs(&log, &[spec], &[7, 28, 35], ts("2025-07-01"));
    let c = |day, want| check(&panel, &log, "A", day, "stage_age_calendar", want);
    let pre_sale = 22.700_534_99;
    let sale = smb_norm(12.0 + 0.9 * lognormal_mean(1.8, 0.5) + 7.5) * 7.0 / 5.0;
    c(7, 7.0 / pre_sale);
    c(28, 28.0 / pre_sale);
    c(35, 4.875 / sale); // sale since Wed 4/2 12:00, now Mon 4/7 09:00
}

// ---------------------------------------------------------------------------------------------
// days_between: working days (the default `proposal_delay_days`) against calendar days.

/// `days_between` without `working_days`: calendar days, as before the option existed.
const CALENDAR_DAYS: &str = "[[indicator]]
name = \"proposal_delay_calendar_days\"
description = \"Calendar days from creation until the proposal was sent.\"
direction = \"higher_is_riskier\"
signal = \"rep\"
measure = { kind = \"days_between\", from = \"created\", to = \"proposal_sent\" }

[[indicator]]
name = \"followup_after_proposal_working_days\"
description = \"Working days from the proposal to the objection follow-up.\"
direction = \"higher_is_riskier\"
signal = \"rep\"
measure = { kind = \"days_between\", from = \"proposal_sent\", to = \"objection_followup\", working_days = true }
";

/// The default set plus the two `days_between` variants of [`CALENDAR_DAYS`] and the
/// calendar-day client silence of [`SILENCE_CALENDAR_DAYS`].
fn with_variants() -> Vec<indicators::IndicatorSpec> {
    let mut specs = indicators::default_set();
    specs.extend(indicators::parse(CALENDAR_DAYS, "variants.toml").expect("valid"));
    specs.extend(indicators::parse(SILENCE_CALENDAR_DAYS, "silence.toml").expect("valid"));
    specs
}

/// Two smb deals whose proposal crosses non-working days (holidays: new_year 12-31..01-08).
///
/// Deal W, created Fri 2025-03-07 15:00 = working time k + 6/9 (15:00 is 6 h into the 09:00
/// working day); proposal sent Mon 3/10 10:00 = k+1 + 1/9. Working days: 1 + 1/9 − 6/9 = 4/9;
/// calendar days: 2 days 19 h = 2.791 6̅.
///
/// Deal N, created Mon 2025-12-29 09:00 = n. Working days: Mon 12/29 n, Tue 12/30 n+1,
/// Wed 12/31 .. Thu 1/8 holidays (with the weekend 1/3–1/4), Fri 1/9 n+2, Mon 1/12 n+3,
/// Tue 1/13 n+4. Proposal sent Tue 1/13 13:30 = n+4 + 4.5/9 = n+4.5; calendar days: 15 days
/// 4.5 h = 15.1875. Objection follow-up done Fri 1/16 09:00 = n+7: 2.5 working days after
/// the proposal. Landmarks:
/// - day 7 = Mon 1/5 09:00, a holiday: counts as the start of Fri 1/9 = n+2 → 2 (calendar 7);
/// - day 14 = Mon 1/12 09:00 = n+3 → 3 (calendar 14);
/// - day 21 = Mon 1/19 09:00: sent, 4.5 (calendar 15.1875).
#[test]
fn days_between_counts_working_days_only_when_asked() {
    let deals = [
        deal("W", "smb", "2025-03-07T15:00:00"),
        deal("N", "smb", "2025-12-29T09:00:00"),
    ];
    let events = [
        ev("W", "proposal_sent", "2025-03-10T10:00:00")
            .stage("pre_sale")
            .done(),
        ev("N", "proposal_sent", "2026-01-13T13:30:00")
            .stage("pre_sale")
            .done(),
        ev("N", "objection_followup", "2026-01-16T09:00:00")
            .stage("pre_sale")
            .done(),
    ];
    let log = read(&deals, &events);
    let panel = evaluate_specs(&log, &with_variants(), &[7, 14, 21], ts("2026-06-01"));
    let c = |case, day, name, want| check(&panel, &log, case, day, name, want);
    c("W", 7, "proposal_delay_days", 4.0 / 9.0);
    c("W", 7, "proposal_delay_calendar_days", 2.0 + 19.0 / 24.0);
    for (day, working, calendar) in [(7, 2.0, 7.0), (14, 3.0, 14.0), (21, 4.5, 15.1875)] {
        c("N", day, "proposal_delay_days", working);
        c("N", day, "proposal_delay_calendar_days", calendar);
    }
    // From a step: missing until the proposal is sent, then counted from its completion.
    for day in [7, 14] {
        check_missing(
            &panel,
            &log,
            "N",
            day,
            "followup_after_proposal_working_days",
        );
    }
    c("N", 21, "followup_after_proposal_working_days", 2.5);
    // W's follow-up never happens: working days elapsed since the proposal (k+1 + 1/9) until
    // day 21 = Fri 3/28 15:00 = k+15 + 6/9.
    c(
        "W",
        21,
        "followup_after_proposal_working_days",
        14.0 + 5.0 / 9.0,
    );
}

/// The client-silence primitives in calendar days, beside the default set's working days.
const SILENCE_CALENDAR_DAYS: &str = "[[indicator]]
name = \"days_since_client_calendar\"
description = \"Calendar days since the client last did anything.\"
direction = \"higher_is_riskier\"
signal = \"client\"
measure = { kind = \"days_since_last\", resource = \"client\" }

[[indicator]]
name = \"reply_latency_calendar\"
description = \"Mean calendar days the client takes to answer.\"
direction = \"higher_is_riskier\"
signal = \"client\"
measure = { kind = \"reply_latency\", touches = [\"call\", \"email\", \"meeting\"], reply = \"client_reply\" }
";

/// Client silence over the new-year holidays is the holidays', not the client's: the default
/// `days_since_last_touch` and `client_response_latency` count working days.
///
/// Deal S, smb, created Mon 2025-12-22 09:00 = n. Working days: Tue 12/23 n+1, ..., Tue
/// 12/30 n+6, Wed 12/31 .. Thu 1/8 holidays, Fri 1/9 n+7, Mon 1/12 n+8, Mon 1/19 n+13. The
/// rep calls Tue 12/23 09:00 (n+1); the client replies Mon 1/12 09:00 (n+8).
/// - Day 14 = Mon 1/5 09:00, a holiday: counts as the start of Fri 1/9 = n+7. No client event
///   yet: 7 working days since creation (14 calendar days); the call has waited 6 (13).
/// - Day 28 = Mon 1/19 09:00 = n+13: 5 working days since the reply (7 calendar days); the
///   one answered call took 7 working days (20 calendar days).
#[test]
fn client_silence_counts_working_days_across_the_new_year() {
    let deals = [deal("S", "smb", "2025-12-22T09:00:00")];
    let events = [
        ev("S", "call", "2025-12-23T09:00:00").stage("pre_sale"),
        ev("S", "client_reply", "2026-01-12T09:00:00")
            .stage("pre_sale")
            .client(),
    ];
    let log = read(&deals, &events);
    let panel = evaluate_specs(&log, &with_variants(), &[14, 28], ts("2026-06-01"));
    let c = |day, name, want| check(&panel, &log, "S", day, name, want);
    c(14, "days_since_last_touch", 7.0);
    c(14, "days_since_client_calendar", 14.0);
    c(14, "client_response_latency", 6.0);
    c(14, "reply_latency_calendar", 13.0);
    c(28, "days_since_last_touch", 5.0);
    c(28, "days_since_client_calendar", 7.0);
    c(28, "client_response_latency", 7.0);
    c(28, "reply_latency_calendar", 20.0);
}

const ANY_ACTIVITY: &str = "[[indicator]]
name = \"client_events\"
description = \"Events of any activity by the client.\"
direction = \"higher_is_safer\"
signal = \"client\"
measure = { kind = \"count\", resource = \"client\" }

[[indicator]]
name = \"all_events\"
description = \"Events of any activity by anyone.\"
direction = \"higher_is_safer\"
signal = \"client\"
measure = { kind = \"count\" }

[[indicator]]
name = \"replies\"
description = \"Client replies (an activity filter beside the unfiltered counts).\"
direction = \"higher_is_safer\"
signal = \"client\"
measure = { kind = \"count\", activities = [\"client_reply\"] }

[[indicator]]
name = \"days_since_any_event\"
description = \"Days since anyone did anything.\"
direction = \"higher_is_riskier\"
signal = \"client\"
measure = { kind = \"days_since_last\" }
";

/// Counts and last times without an activity filter see every event, with or without a
/// resource filter, next to a filtered count of one of the same events. Deal K, created Mon
/// 2025-03-03 09:00: rep call 3/4 12:00, client reply 3/5 09:00, client stakeholder 3/8
/// 09:00, rep email 3/12 18:00. Day 7 = 3/10 09:00: client 2, all 3, replies 1, last event
/// 2 days before; day 14 = 3/17 09:00: client 2, all 4, replies 1, 4 days 15 h since the email.
#[test]
fn counts_and_last_times_of_every_activity() {
    let deals = [deal("K", "smb", "2025-03-03T09:00:00")];
    let events = [
        ev("K", "call", "2025-03-04T12:00:00"),
        ev("K", "client_reply", "2025-03-05T09:00:00").client(),
        ev("K", "stakeholder_engaged", "2025-03-08T09:00:00").client(),
        ev("K", "email", "2025-03-12T18:00:00"),
    ];
    let log = read(&deals, &events);
    let specs = indicators::parse(ANY_ACTIVITY, "any.toml").expect("valid");
    let panel = evaluate_specs(&log, &specs, &[7, 14], ts("2026-06-01"));
    let c = |day, name, want| check(&panel, &log, "K", day, name, want);
    c(7, "client_events", 2.0);
    c(7, "all_events", 3.0);
    c(7, "replies", 1.0);
    c(7, "days_since_any_event", 2.0);
    c(14, "client_events", 2.0);
    c(14, "all_events", 4.0);
    c(14, "replies", 1.0);
    c(14, "days_since_any_event", 4.0 + 15.0 / 24.0);
}

// ---------------------------------------------------------------------------------------------
// The risk set.

/// Window ends at the end of 2025-06-30 (the timestamp 2025-07-01T00:00:00).
/// - E lost exactly at created + 14 d: rows at 7 and 14, none at 21 (a close at the landmark's
///   moment is still ahead of it, as `cut` and `flag` count it: see
///   `a_close_or_event_dated_the_landmark_day_is_not_yet_known`).
/// - F won one second later: rows at 7 and 14, none at 21.
/// - G open, created 6/12 09:00: 6/19 and 6/26 are observable, 7/3 is not.
/// - H open, created 3/3: observable at every landmark.
/// - I lost on day 2: no row at all.
/// - J open, created 6/24 09:00: day 7 = 7/1 09:00 is after the window: no row.
/// - K open, created 6/24 00:00: day 7 = 7/1 00:00, exactly the window end: a row.
#[test]
fn risk_set_rules() {
    let deals = [
        deal("E", "smb", "2025-03-03T09:00:00").closed("lost", "2025-03-17T09:00:00"),
        deal("F", "smb", "2025-03-03T09:00:00").closed("won", "2025-03-17T09:00:01"),
        deal("G", "mid_market", "2025-06-12T09:00:00"),
        deal("H", "enterprise", "2025-03-03T09:00:00"),
        deal("I", "smb", "2025-03-03T09:00:00").closed("lost", "2025-03-05T09:00:00"),
        deal("J", "smb", "2025-06-24T09:00:00"),
        deal("K", "smb", "2025-06-24T00:00:00"),
    ];
    let events: Vec<Ev> = deals
        .iter()
        .map(|d| ev(&d.case, "deal_created", &d.created).stage("pre_sale"))
        .collect();
    let log = read(&deals, &events);
    let panel = evaluate(&log, &[7, 14, 21], "2025-07-01");
    let rows = |day: u32| -> Vec<&str> {
        let k = panel.landmarks.iter().position(|&l| l == day).unwrap();
        panel.at[k]
            .deals
            .iter()
            .map(|&d| log.case_ids[d as usize].as_str())
            .collect()
    };
    assert_eq!(rows(7), ["E", "F", "G", "H", "K"]);
    assert_eq!(rows(14), ["E", "F", "G", "H"]);
    assert_eq!(rows(21), ["H"]);
    // One value per row and indicator.
    for lm in &panel.at {
        assert_eq!(lm.values.len(), panel.indicators.len());
        assert!(lm.values.iter().all(|v| v.len() == lm.deals.len()));
    }
    // What the scoring core gets about outcomes and ages.
    let i = |case: &str| log.case_ids.iter().position(|c| c == case).unwrap();
    assert_eq!(panel.close_age[i("E")], 14.0);
    assert!(panel.close_age[i("H")].is_nan());
    // 2025-03-03 09:00 → 2025-07-01 00:00: 120 days less 9 hours.
    assert_eq!(panel.window_age[i("H")], 119.625);
    assert_eq!(panel.window_age[i("K")], 7.0);
    let segments: Vec<&str> = panel.deal_segment[..4]
        .iter()
        .map(|&s| panel.segments[s as usize].as_str())
        .collect();
    assert_eq!(segments, ["smb", "smb", "mid_market", "enterprise"]);
}

/// A CRM export has dates only, every event at 00:00: the landmark moment of day 14 is the
/// midnight starting day 14's date. What happens on that date is not known at that moment,
/// and `flag --as-of` the day before (the end of that day is the same moment) counts it so:
/// the deal is open and the call that date is not yet made. Deal L, created 2025-03-03:
/// calls 3/10 and 3/17, lost 3/17. At day 14 it is at risk with two events seen (the
/// creation and the first call), the same as on the log cut at 3/16.
#[test]
fn a_close_or_event_dated_the_landmark_day_is_not_yet_known() {
    let deals = [deal("L", "smb", "2025-03-03T00:00:00").closed("lost", "2025-03-17T00:00:00")];
    let events = [
        ev("L", "deal_created", "2025-03-03T00:00:00").stage("pre_sale"),
        ev("L", "call", "2025-03-10T00:00:00"),
        ev("L", "call", "2025-03-17T00:00:00"),
    ];
    let log = read(&deals, &events);
    let specs = indicators::parse(ANY_ACTIVITY, "any.toml").expect("valid");
    let panel = evaluate_specs(&log, &specs, &[7, 14, 21], ts("2026-06-01"));
    check(&panel, &log, "L", 14, "all_events", 2.0);
    check(&panel, &log, "L", 14, "days_since_any_event", 7.0);
    assert_eq!(
        at(&panel, &log, "L", 21, "all_events"),
        None,
        "lost by day 21"
    );
    let day_before = ts("2025-03-16T00:00:00").day();
    let known = dealsim::log::cut::cut(&log, day_before);
    assert_eq!(known.deals[0].outcome, dealsim::log::Outcome::Open);
    let maps = StageMaps::new(&Scenario::embedded_default(), &known);
    let moment = dealsim::log::read::end_of_day(day_before);
    let flagged = indicators::evaluate_at(&known, &specs, &maps, &[0], moment);
    let k = panel.landmarks.iter().position(|&l| l == 14).unwrap();
    let scored: Vec<f32> = panel.at[k].values.iter().map(|v| v[0]).collect();
    assert_eq!(
        flagged[0], scored,
        "flag's values the day before = the landmark's"
    );
}

// ---------------------------------------------------------------------------------------------
// No future: appending later events never changes a value at an earlier landmark.

const SEGMENTS: [&str; 5] = ["smb", "mid_market", "enterprise", "atypical", "no_map"];
const STEPS: [&str; 12] = [
    "first_meeting",
    "proposal_sent",
    "objection_followup",
    "materials_feedback",
    "pilot",
    "negotiation",
    "decision_maker_meeting",
    "terms_agreed",
    "contract_draft",
    "security_review",
    "legal_review",
    "signed",
];
const STAGES: [&str; 4] = ["", "pre_sale", "sale", "documents"];
const FIELDS: [&str; 7] = [
    "budget",
    "decision_maker",
    "timeline",
    "pain",
    "competitors",
    "next_step",
    "other",
];

/// A random event: minutes after creation, what it is, and its stage.
#[derive(Debug, Clone)]
struct RandomEvent {
    minute: u32,
    kind: u8,
    pick: usize,
    stage: usize,
    probability: u8,
    close_day: u32,
}

fn random_event() -> impl Strategy<Value = RandomEvent> {
    (
        // Some events land on a landmark cut (whole weeks after creation) or a minute or two
        // either side of it.
        prop_oneof![
            2 => 0u32..120 * 1440,
            1 => (1u32..=12, 0u32..=4).prop_map(|(w, m)| w * 7 * 1440 + m - 2),
        ],
        0u8..8,
        0usize..100,
        0usize..STAGES.len(),
        0u8..=100,
        0u32..200,
    )
        .prop_map(
            |(minute, kind, pick, stage, probability, close_day)| RandomEvent {
                minute,
                kind,
                pick,
                stage,
                probability,
                close_day,
            },
        )
}

#[derive(Debug, Clone)]
struct RandomDeal {
    segment: usize,
    created_minute: u32,
    events: Vec<RandomEvent>,
    /// 0 open, 1 won, 2 lost (in the longer log, closed after the cut).
    outcome: u8,
}

fn random_deal() -> impl Strategy<Value = RandomDeal> {
    (
        0usize..SEGMENTS.len(),
        0u32..500 * 1440,
        prop::collection::vec(random_event(), 0..40),
        0u8..3,
    )
        .prop_map(|(segment, created_minute, events, outcome)| RandomDeal {
            segment,
            created_minute,
            events,
            outcome,
        })
}

fn iso(t: i64) -> String {
    Timestamp(t).iso()
}

/// The event row of a random event of deal `case` created at `created` (seconds).
fn to_event(case: &str, created: i64, e: &RandomEvent) -> Ev {
    let time = iso(created + i64::from(e.minute) * 60);
    let x = match e.kind {
        0 => ev(case, STEPS[e.pick % STEPS.len()], &time).start(),
        1 => ev(case, STEPS[e.pick % STEPS.len()], &time).done(),
        2 => ev(case, ["call", "email", "meeting"][e.pick % 3], &time),
        3 => ev(case, "client_reply", &time).client(),
        4 => ev(case, "card_update", &time).card(FIELDS[e.pick % FIELDS.len()]),
        5 => {
            let close = Timestamp(created + i64::from(e.close_day) * 86_400)
                .day()
                .iso();
            ev(case, "forecast_update", &time).forecast(f64::from(e.probability) / 100.0, &close)
        }
        6 => ev(case, "stakeholder_engaged", &time).client(),
        _ => ev(case, "deal_created", &time),
    };
    x.stage(STAGES[e.stage])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn later_events_never_change_earlier_values(
        deals in prop::collection::vec(random_deal(), 1..5),
        cut_week in 1u32..=12,
    ) {
        let cut_days = cut_week * 7;
        let base_time = ts("2025-01-02T00:00:00").0;
        let mut short_deals = Vec::new();
        let mut long_deals = Vec::new();
        let mut short_events = Vec::new();
        let mut long_events = Vec::new();
        for (i, d) in deals.iter().enumerate() {
            let case = format!("{}", i + 1);
            let created = base_time + i64::from(d.created_minute) * 60;
            let cut = created + i64::from(cut_days) * 86_400;
            let segment = SEGMENTS[d.segment];
            short_deals.push(deal(&case, segment, &iso(created)));
            let mut last = cut;
            for e in &d.events {
                let x = to_event(&case, created, e);
                let t = created + i64::from(e.minute) * 60;
                if t <= cut {
                    short_events.push(x.clone());
                }
                last = last.max(t);
                long_events.push(x);
            }
            // The longer log knows how the deal ended, strictly after the cut.
            long_deals.push(match d.outcome {
                0 => deal(&case, segment, &iso(created)),
                1 => deal(&case, segment, &iso(created)).closed("won", &iso(last + 60)),
                _ => deal(&case, segment, &iso(created)).closed("lost", &iso(last + 60)),
            });
        }
        let short = read(&short_deals, &short_events);
        let long = read(&long_deals, &long_events);
        let landmarks: Vec<u32> = (1..=cut_week).map(|w| w * 7).collect();
        let window = ts("2030-01-01");
        // The default set plus its calendar- and working-day variants.
        let specs = with_variants();
        let eval = |log: &Log| evaluate_specs(log, &specs, &landmarks, window);
        let (a, b) = (eval(&short), eval(&long));
        for (day, (ra, rb)) in landmarks.iter().zip(a.at.iter().zip(&b.at)) {
            prop_assert_eq!(&ra.deals, &rb.deals, "rows at day {}", day);
            for (j, ind) in a.indicators.iter().enumerate() {
                for (r, (x, y)) in ra.values[j].iter().zip(&rb.values[j]).enumerate() {
                    prop_assert!(
                        x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                        "{} of deal {} at day {} (cut {}): {} without later events, {} with them",
                        ind.name, ra.deals[r] + 1, day, cut_days, x, y
                    );
                }
            }
        }
    }

    /// `evaluate_at` a deal's own landmark moment (creation plus whole days) reads what the
    /// panel reads at that landmark, for every indicator: `flag`'s "as of today" values are
    /// the landmark values, only at another moment.
    #[test]
    fn a_deal_read_at_a_landmark_moment_matches_the_panel(
        deals in prop::collection::vec(random_deal(), 1..5),
        week in 1u32..=12,
    ) {
        let base_time = ts("2025-01-02T00:00:00").0;
        let mut rows = Vec::new();
        let mut events = Vec::new();
        for (i, d) in deals.iter().enumerate() {
            let case = format!("{}", i + 1);
            let created = base_time + i64::from(d.created_minute) * 60;
            rows.push(deal(&case, SEGMENTS[d.segment], &iso(created)));
            events.extend(d.events.iter().map(|e| to_event(&case, created, e)));
        }
        let log = read(&rows, &events);
        let specs = with_variants();
        let day = week * 7;
        let panel = evaluate_specs(&log, &specs, &[day], ts("2030-01-01"));
        let maps = StageMaps::new(&Scenario::embedded_default(), &log);
        let at = &panel.at[0];
        prop_assert_eq!(at.deals.len(), log.deals.len(), "every deal is open");
        for (r, &i) in at.deals.iter().enumerate() {
            let moment = Timestamp(log.deals[i as usize].created.0 + i64::from(day) * 86_400);
            let now = indicators::evaluate_at(&log, &specs, &maps, &[i as usize], moment);
            for (j, ind) in panel.indicators.iter().enumerate() {
                let (x, y) = (at.values[j][r], now[0][j]);
                prop_assert!(
                    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                    "{} of deal {} at day {}: panel {}, evaluate_at {}", ind.name, i + 1, day, x, y
                );
            }
        }
    }
}

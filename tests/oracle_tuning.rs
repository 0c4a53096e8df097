//! Rule tuning against an independent numpy/pandas implementation of its definitions
//! (`tests/oracle/gen_tuning.py`, see tests/oracle/README.md): on nine synthetic logs with
//! holidays, open and unobserved deals, missing values, both directions and the three
//! objectives, dealsim must agree on which deals are at risk at each landmark, which tune and
//! which are held out, the alert volume and value at risk, every cell of every sweep, each
//! indicator's own best rule, the chosen rule and its figures on both parts. One log is built
//! so that the lead and false-alarm tie-breaks decide, one so that flagging every deal is
//! within the budget but flags lost deals less often than won ones. Counts and rules exactly;
//! ratios to 1e-12 (the same operations in the same order, so in practice bit for bit).

mod fixtures;

use std::fs;

use dealsim::calendar::YearlyPeriod;
use dealsim::indicators::evaluate::LandmarkRows;
use dealsim::indicators::{
    self, stage_map::StageMaps, Direction, IndicatorInfo, Panel, Signal, Unit,
};
use dealsim::log::read::read_log;
use dealsim::log::Log;
use dealsim::scenario::Scenario;
use dealsim::time::Timestamp;
use dealsim::tuning::clock::RuleClock;
use dealsim::tuning::rule::Figures;
use dealsim::tuning::sweep::{sweep, threshold_grid};
use dealsim::tuning::{tune, Objective, TuneOptions};
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// A float that the generator writes as `null` for NaN.
fn float_or_nan(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn close(got: f64, want: f64) -> bool {
    (got.is_nan() && want.is_nan()) || (got - want).abs() <= 1e-12 * want.abs().max(1.0)
}

/// The case's deals as a log (no events: the panel comes from the fixture), and for each
/// deal of the log its row in the fixture.
fn case_log(case: &Value) -> (Log, Vec<usize>) {
    let d = &case["deals"];
    let col = |name: &str| strings(&d[name]);
    let (ids, segs, reps, created, outcome) = (
        col("case_id"),
        col("segment"),
        col("rep"),
        col("created"),
        col("outcome"),
    );
    let values = fixtures::floats(&d["value"]);
    let closed: Vec<String> = d["closed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect();
    let mut deals = String::from(
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n",
    );
    for i in 0..ids.len() {
        deals += &format!(
            "{},{},{},inbound,{},{},{},{},,\n",
            ids[i], segs[i], reps[i], values[i], created[i], closed[i], outcome[i]
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("d.csv"), deals).expect("write");
    fs::write(
        dir.path().join("e.csv"),
        "case_id,activity,timestamp,resource,segment,stage,step,lifecycle\n",
    )
    .expect("write");
    let log = read_log(&dir.path().join("e.csv"), &dir.path().join("d.csv")).expect("valid log");
    let row: Vec<usize> = log
        .case_ids
        .iter()
        .map(|id| ids.iter().position(|x| x == id).expect("a fixture deal"))
        .collect();
    (log, row)
}

/// The panel the fixture describes, in the log's deal order.
fn case_panel(case: &Value, log: &Log, row: &[usize]) -> Panel {
    let segments = strings(&case["segments"]);
    let deal_segs = strings(&case["deals"]["segment"]);
    let landmarks: Vec<u32> = case["landmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect();
    let indicators: Vec<IndicatorInfo> = case["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ind| IndicatorInfo {
            name: ind["name"].as_str().unwrap().into(),
            description: "synthetic".into(),
            direction: serde_json::from_value::<Direction>(ind["direction"].clone()).unwrap(),
            signal: serde_json::from_value::<Signal>(ind["signal"].clone()).unwrap(),
            unit: Unit::Count,
            fixed_at_creation: false,
            not_scored: None,
        })
        .collect();
    // Fixture row -> log index.
    let mut index = vec![0u32; row.len()];
    for (i, &r) in row.iter().enumerate() {
        index[r] = i as u32;
    }
    let at = (0..landmarks.len())
        .map(|l| {
            let rows: Vec<usize> = case["at_risk"][l]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_by_key(|&k| index[rows[k]]);
            LandmarkRows {
                deals: order.iter().map(|&k| index[rows[k]]).collect(),
                values: (0..indicators.len())
                    .map(|j| {
                        let v = case["values"][j][l].as_array().unwrap();
                        order.iter().map(|&k| float_or_nan(&v[k]) as f32).collect()
                    })
                    .collect(),
            }
        })
        .collect();
    let by_row = |name: &str| -> Vec<f64> {
        let v = case[name].as_array().unwrap();
        row.iter().map(|&r| float_or_nan(&v[r])).collect()
    };
    Panel {
        indicators,
        landmarks,
        deal_segment: row
            .iter()
            .map(|&r| segments.iter().position(|s| *s == deal_segs[r]).unwrap() as u16)
            .collect(),
        segments,
        deal_rep: log.deals.iter().map(|d| d.rep).collect(),
        outcome: log.deals.iter().map(|d| d.outcome).collect(),
        close_age: by_row("close_age"),
        window_age: by_row("window_age"),
        at,
    }
}

fn holidays(case: &Value) -> Vec<YearlyPeriod> {
    let md = |v: &Value| (v[0].as_u64().unwrap() as u32, v[1].as_u64().unwrap() as u32);
    case["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| YearlyPeriod {
            from: md(&p[0]),
            to: md(&p[1]),
        })
        .collect()
}

fn window_end(case: &Value) -> Timestamp {
    let s = case["window_end"].as_str().unwrap();
    let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").expect("ISO time");
    Timestamp(t.and_utc().timestamp())
}

fn check_figures(what: &str, got: &Figures, want: &Value) {
    let count = |k: &str| want[k].as_u64().unwrap() as usize;
    assert_eq!(
        (got.lost, got.won, got.flagged_lost, got.flagged_won),
        (
            count("lost"),
            count("won"),
            count("flagged_lost"),
            count("flagged_won")
        ),
        "{what}: counts"
    );
    for (name, g) in [
        ("recall", got.recall.value),
        ("false_alarm_rate", got.false_alarm_rate.value),
        ("precision", got.precision.value),
        ("alerts_per_rep_week", got.alerts_per_rep_week.value),
        ("median_lead_days", got.median_lead_days.value),
    ] {
        let w = float_or_nan(&want[name]);
        assert!(close(g, w), "{what}: {name} {g}, reference {w}");
    }
}

#[test]
fn tuning_matches_the_independent_reference() {
    let fixture = fixtures::load("tuning_cases.json");
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    let mut chosen_rules = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (log, row) = case_log(case);
        let panel = case_panel(case, &log, &row);
        let expected = &case["expected"];

        // dealsim's own at-risk sets (indicator evaluation with no indicators) are the
        // reference's.
        let maps = StageMaps::new(&Scenario::embedded_default(), &log);
        let evaluated =
            indicators::evaluate(&log, &[], None, &maps, &panel.landmarks, window_end(case));
        for (l, at) in panel.at.iter().enumerate() {
            assert_eq!(
                evaluated.at[l].deals, at.deals,
                "{name}: at risk at landmark {l}"
            );
        }

        let options = TuneOptions {
            objective: serde_json::from_value::<Objective>(case["options"]["objective"].clone())
                .unwrap(),
            holdout: case["options"]["holdout"].as_f64().unwrap(),
            bootstrap: 0,
            cluster: dealsim::stats::bootstrap::Cluster::Deal,
            seed: 1,
            signals: serde_json::from_value(case["options"]["signals"].clone()).unwrap(),
            min_lead_days: case["options"]["min_lead_days"].as_f64().unwrap(),
            significance: case["options"]["significance"].as_f64().unwrap(),
        };
        let review = strings(&case["review"]);
        let clock = RuleClock::new(&log, &holidays(case), &panel.landmarks);
        let tuning = tune(&log, &panel, &clock, &review, &options);

        // The split.
        let by_row = |key: &str| -> Vec<bool> {
            let v = expected[key].as_array().unwrap();
            row.iter().map(|&r| v[r].as_bool().unwrap()).collect()
        };
        let (tuned, held_out) = (by_row("tune"), by_row("holdout"));
        assert_eq!(tuning.tuned, tuned, "{name}: tuning deals");

        // Every cell of every sweep on the tuning deals.
        let n_seg = panel.segments.len();
        for cell in expected["cells"].as_array().unwrap() {
            let j = cell["indicator"].as_u64().unwrap() as usize;
            let s = cell["segment"].as_u64().unwrap() as usize;
            let grids = threshold_grid(&panel, j, &tuned, n_seg);
            let curve = &sweep(&panel, &clock, j, &tuned, &grids)[s];
            let what = format!("{name}: indicator {j} segment {s}");
            let grid: Vec<f64> = curve.grid.iter().map(|&x| x as f64).collect();
            assert_eq!(grid, fixtures::floats(&cell["grid"]), "{what}: grid");
            for g in 0..grid.len() {
                for d in 0..panel.landmarks.len() {
                    let c = curve.cell(g, d);
                    let at = |k: &str| &cell[k][g][d];
                    let want_lead = at("median_lead").as_f64();
                    assert_eq!(
                        (c.flagged_lost as u64, c.flagged_won as u64, c.median_lead),
                        (
                            at("flagged_lost").as_u64().unwrap(),
                            at("flagged_won").as_u64().unwrap(),
                            want_lead
                        ),
                        "{what}: cell ({}, day {})",
                        grid[g],
                        panel.landmarks[d]
                    );
                }
            }
        }

        // Per segment: the volume, the chosen rule and its figures on both parts.
        let per_rep_week = fixtures::floats(&expected["per_rep_week"]);
        for (s, want) in expected["chosen"].as_array().unwrap().iter().enumerate() {
            let segment = &panel.segments[s];
            let Some(plan) = tuning.segments.iter().find(|p| &p.segment == segment) else {
                assert!(review.contains(segment), "{name}: {segment} is tuned");
                assert!(want.is_null());
                continue;
            };
            let what = format!("{name}: {segment}");
            assert!(
                close(plan.deals_per_rep_week, per_rep_week[s]),
                "{what}: volume"
            );
            let lost_value = expected["lost_value"][s].as_f64().unwrap();
            assert!(close(plan.lost_value, lost_value), "{what}: value at risk");
            let members = |set: &[bool]| {
                (0..set.len())
                    .filter(|&i| set[i] && panel.deal_segment[i] as usize == s)
                    .count()
            };
            assert_eq!(
                (plan.tune_deals, plan.holdout_deals),
                (members(&tuned), members(&held_out)),
                "{what}: deals"
            );
            // Each indicator's own best rule, marked in the trade-off rows.
            for (j, info) in panel.indicators.iter().enumerate() {
                let marked: Vec<_> = tuning
                    .tradeoffs
                    .iter()
                    .filter(|r| &r.segment == segment && r.indicator == info.name)
                    .filter(|r| r.indicator_best)
                    .collect();
                let reference = &expected["indicator_best"][s][j];
                let got: Option<(f64, u64)> = marked.first().map(|r| {
                    let sign = if info.direction == Direction::HigherIsSafer {
                        -1.0
                    } else {
                        1.0
                    };
                    (sign * r.threshold + 0.0, u64::from(r.landmark_day))
                });
                let want = (!reference.is_null()).then(|| {
                    (
                        reference["oriented"].as_f64().unwrap(),
                        reference["by_day"].as_u64().unwrap(),
                    )
                });
                assert!(marked.len() <= 1, "{what}: one best rule per indicator");
                assert_eq!(got, want, "{what}: {}'s best rule", info.name);
            }
            match (&plan.chosen, want.is_null()) {
                (None, true) => {}
                (Some(c), false) => {
                    chosen_rules += 1;
                    assert_eq!(
                        (c.indicator.as_str(), c.threshold, c.by_day),
                        (
                            want["indicator"].as_str().unwrap(),
                            want["threshold"].as_f64().unwrap(),
                            want["by_day"].as_u64().unwrap() as u32
                        ),
                        "{what}: chosen rule"
                    );
                    assert_eq!(c.rule.oriented as f64, want["oriented"].as_f64().unwrap());
                    check_figures(
                        &format!("{what} in-sample"),
                        &c.in_sample,
                        &want["in_sample"],
                    );
                    check_risk_by_age(&what, &c.risk_by_age, &want["risk_by_age"]);
                    match (&c.holdout, want["holdout"].is_null()) {
                        (Some(h), false) => {
                            check_figures(&format!("{what} holdout"), h, &want["holdout"]);
                            // SciPy's one-sided Fisher exact test of the held-out table.
                            let p = h.confirmation_p_value();
                            match want["holdout_p_value"].as_f64() {
                                Some(q) => assert!(
                                    p.is_some_and(|p| (p - q).abs() <= 1e-12 * q),
                                    "{what}: held-out p {p:?}, SciPy {q}"
                                ),
                                None => assert_eq!(p, None, "{what}: held-out p"),
                            }
                        }
                        (None, true) => {}
                        (h, _) => panic!("{what}: holdout {h:?}, reference {}", want["holdout"]),
                    }
                }
                (got, _) => panic!("{what}: chose {got:?}, reference {want}"),
            }
        }
    }
    assert!(chosen_rules >= 12, "the cases choose rules: {chosen_rules}");
}

/// The chosen rule's risk by age: the counts exactly, the share and its Clopper–Pearson
/// interval to SciPy's `binomtest(...).proportion_ci(method="exact")` within 1e-9 (both
/// invert the beta distribution numerically).
fn check_risk_by_age(
    what: &str,
    got: &[dealsim::tuning::risk::RiskAtAge],
    want: &serde_json::Value,
) {
    let want = want.as_array().expect("risk_by_age rows");
    assert_eq!(got.len(), want.len(), "{what}: risk by age");
    for (g, w) in got.iter().zip(want) {
        let count = |k: &str| w[k].as_u64().unwrap() as usize;
        assert_eq!(
            (g.age_days as usize, g.flagged_open, g.lost),
            (count("age_days"), count("flagged_open"), count("lost")),
            "{what}: risk by age"
        );
        match (g.ci, w["ci"].as_array()) {
            (Some([lo, hi]), Some(ci)) => {
                let (a, b) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
                assert!(
                    (lo - a).abs() < 1e-9 && (hi - b).abs() < 1e-9,
                    "{what}: day {} interval {lo}, {hi}; SciPy {a}, {b}",
                    g.age_days
                );
                assert_eq!(g.risk, g.lost as f64 / g.flagged_open as f64);
            }
            (None, None) => assert!(g.risk.is_nan() && g.flagged_open == 0),
            (ci, _) => panic!(
                "{what}: day {} interval {ci:?}, SciPy {}",
                g.age_days, w["ci"]
            ),
        }
    }
}

//! A synthetic log with one proposal per deal, for tests of the tuner on a known signal.
#![allow(dead_code)] // not every test binary that includes `common` uses it

use std::fs;

use dealsim::indicators::{self, Signal};
use dealsim::log::read::read_log;
use dealsim::log::Log;
use dealsim::scenario::Scenario;
use dealsim::stats::bootstrap::Cluster;
use dealsim::time::DayNum;
use dealsim::tuning::run::tune_log;
use dealsim::tuning::{Objective, TuneOptions, Tuning};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The first deal's creation day.
pub fn start() -> DayNum {
    DayNum::from_ymd(2025, 1, 6)
}

/// `segments` (named `s0`, `s1`, ...) of `deals` deals each, deal `k` created `k` days after
/// [`start`] by `rep(segment, k)` and closed 120 days later, lost with probability ½, with its
/// proposal sent `delay(k, lost, rng)` days after creation (drawn after the outcome, from the
/// same seeded stream).
pub fn proposal_log(
    segments: usize,
    deals: i32,
    seed: u64,
    rep: impl Fn(usize, i32) -> String,
    mut delay: impl FnMut(i32, bool, &mut ChaCha8Rng) -> i32,
) -> Log {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut deal_rows = vec![
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step".to_string(),
    ];
    let mut events = vec![
        "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close"
            .to_string(),
    ];
    let at = |d: DayNum| format!("{}T09:00:00", d.iso());
    for s in 0..segments {
        for k in 0..deals {
            let id = format!("s{s}-{k}");
            let rep = rep(s, k);
            let created = DayNum(start().0 + k);
            let lost = rng.random_bool(0.5);
            let delay = delay(k, lost, &mut rng);
            deal_rows.push(format!(
                "{id},s{s},{rep},inbound,100,{},{},{},,",
                at(created),
                at(DayNum(created.0 + 120)),
                if lost { "lost" } else { "won" }
            ));
            events.push(format!(
                "{id},proposal_sent,{},{rep},s{s},pre_sale,proposal_sent,complete,,,",
                at(DayNum(created.0 + delay))
            ));
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("d.csv"), deal_rows.join("\n") + "\n").expect("write");
    fs::write(dir.path().join("e.csv"), events.join("\n") + "\n").expect("write");
    read_log(&dir.path().join("e.csv"), &dir.path().join("d.csv")).expect("valid log")
}

/// The tuner on a [`proposal_log`] of `deals` a segment, on the proposal delay alone:
/// landmarks 7–35, a budget of 2 alerts per rep per week, 30% held out, deals independent.
pub fn tune_proposals(
    log: &Log,
    deals: i32,
    significance: f64,
    bootstrap: usize,
    min_lead_days: f64,
) -> Tuning {
    let specs: Vec<_> = indicators::default_set()
        .into_iter()
        .filter(|s| s.name == "proposal_delay_days")
        .collect();
    let end = DayNum(start().0 + deals + 121).start();
    tune_log(
        log,
        &specs,
        &Scenario::embedded_default(),
        &[7, 14, 21, 28, 35],
        end,
        &TuneOptions {
            objective: Objective::Budget {
                alerts_per_rep_week: 2.0,
            },
            holdout: 0.3,
            bootstrap,
            cluster: Cluster::Deal,
            seed: 1,
            signals: vec![Signal::Rep],
            min_lead_days,
            significance,
        },
    )
}

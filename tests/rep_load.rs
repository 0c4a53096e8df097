//! The alerts a rep gets from every segment's chosen rule together (`tuning::rep_load`): a
//! warning when reps work several segments and the sum goes well past one segment's figure,
//! none when each rep keeps to one segment.

use std::fs;

use dealsim::indicators;
use dealsim::log::read::read_log;
use dealsim::log::Log;
use dealsim::scenario::Scenario;
use dealsim::time::DayNum;
use dealsim::tuning::run::tune_log;
use dealsim::tuning::{Objective, TuneOptions, Tuning};
use rand::{Rng, SeedableRng};

const SEGMENTS: usize = 3;
const REPS: usize = 4;
const DEALS: i32 = 300;

/// 300 deals a segment over 300 days; lost deals send their proposal 10 days later, so a
/// late-proposal rule is chosen in each. `shared`: every rep works every segment (rep `k % 4`),
/// else each segment has its own four reps.
fn log(shared: bool) -> Log {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let start = DayNum::from_ymd(2025, 1, 6);
    let mut deals = vec![
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step".to_string(),
    ];
    let mut events = vec![
        "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close"
            .to_string(),
    ];
    let at = |d: DayNum| format!("{}T09:00:00", d.iso());
    for s in 0..SEGMENTS {
        for k in 0..DEALS {
            let id = format!("s{s}-{k}");
            let rep = if shared {
                format!("rep{}", k as usize % REPS)
            } else {
                format!("rep{s}-{}", k as usize % REPS)
            };
            let created = DayNum(start.0 + k);
            let lost = rng.random_bool(0.5);
            let delay = rng.random_range(1..=20) + if lost { 10 } else { 0 };
            deals.push(format!(
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
    fs::write(dir.path().join("d.csv"), deals.join("\n") + "\n").expect("write");
    fs::write(dir.path().join("e.csv"), events.join("\n") + "\n").expect("write");
    read_log(&dir.path().join("e.csv"), &dir.path().join("d.csv")).expect("valid log")
}

fn tune(log: &Log) -> Tuning {
    let specs: Vec<_> = indicators::default_set()
        .into_iter()
        .filter(|s| s.name == "proposal_delay_days")
        .collect();
    let end = DayNum(DayNum::from_ymd(2025, 1, 6).0 + DEALS + 121).start();
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
            bootstrap: 0,
            cluster: dealsim::stats::bootstrap::Cluster::Deal,
            seed: 1,
            signals: vec![indicators::Signal::Rep],
            min_lead_days: 0.0,
            significance: 0.05,
        },
    )
}

fn load_warnings(t: &Tuning) -> Vec<&String> {
    t.warnings
        .iter()
        .filter(|w| w.starts_with("reps work in several segments"))
        .collect()
}

/// Four reps share three segments' deals evenly: each has a quarter of every segment's deals,
/// so a rep's weekly alerts are the sum of the three segments' alerts per rep per week
/// (each segment's flags over its 4 reps). Computed here from the plans' figures.
#[test]
fn reps_across_segments_get_the_sum_of_the_segments_alerts() {
    let t = tune(&log(true));
    let rates: Vec<f64> = t
        .segments
        .iter()
        .map(|s| {
            s.chosen
                .as_ref()
                .expect("a rule in every segment")
                .in_sample
                .alerts_per_rep_week
                .value
        })
        .collect();
    assert_eq!(rates.len(), SEGMENTS);
    let warnings = load_warnings(&t);
    assert_eq!(warnings.len(), 1, "{:?}", t.warnings);
    // rep0 has deals 0, 4, 8, ... of each segment: 75 of 300, as every rep.
    let sum: f64 = rates.iter().sum();
    let said = format!("would get about {sum:.1} alerts per week");
    assert!(
        warnings[0].contains(&said),
        "{} (segments {rates:?})",
        warnings[0]
    );
    assert!(
        warnings[0].contains("(deals in 3 segments: s0, s1, s2)")
            && warnings[0]
                .contains("the budget of 2 alerts per rep per week holds in each segment"),
        "{}",
        warnings[0]
    );
}

/// Each rep in one segment: a rep's alerts are the segment's figure, no warning.
#[test]
fn reps_within_one_segment_get_no_warning() {
    let t = tune(&log(false));
    assert!(t.segments.iter().all(|s| s.chosen.is_some()));
    assert!(load_warnings(&t).is_empty(), "{:?}", t.warnings);
}

//! The alerts a rep gets from every segment's chosen rule together (`tuning::rep_load`): a
//! warning when reps work several segments and the sum goes well past one segment's figure,
//! none when each rep keeps to one segment.

use dealsim::log::Log;
use dealsim::tuning::Tuning;
use rand::Rng;

#[allow(dead_code)]
mod common;
use common::proposal_log::{proposal_log, tune_proposals};

const SEGMENTS: usize = 3;
const REPS: usize = 4;
const DEALS: i32 = 300;

/// 300 deals a segment over 300 days; lost deals send their proposal 10 days later, so a
/// late-proposal rule is chosen in each. `shared`: every rep works every segment (rep `k % 4`),
/// else each segment has its own four reps.
fn log(shared: bool) -> Log {
    let rep = move |s: usize, k: i32| {
        if shared {
            format!("rep{}", k as usize % REPS)
        } else {
            format!("rep{s}-{}", k as usize % REPS)
        }
    };
    proposal_log(SEGMENTS, DEALS, 7, rep, |_, lost, rng| {
        rng.random_range(1..=20) + if lost { 10 } else { 0 }
    })
}

fn tune(log: &Log) -> Tuning {
    tune_proposals(log, DEALS, 0.05, 0, 0.0)
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
    let busiest = rates.iter().copied().fold(0.0, f64::max);
    let said = format!(
        "would get about {sum:.1} alerts per week, {busiest:.1} of them from the busiest segment"
    );
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

/// Each rep in one segment: a rep's alerts are the segment's figure, no warning; nor when
/// one rep of a segment has half its deals (three times a colleague's alerts, all from one
/// segment: the budget is an average over the segment's reps, no sum over segments).
#[test]
fn reps_within_one_segment_get_no_warning() {
    let t = tune(&log(false));
    assert!(t.segments.iter().all(|s| s.chosen.is_some()));
    assert!(load_warnings(&t).is_empty(), "{:?}", t.warnings);
    let uneven = proposal_log(
        SEGMENTS,
        DEALS,
        7,
        |s, k| format!("rep{s}-{}", (k as usize % 6).min(3)),
        |_, lost, rng| rng.random_range(1..=20) + if lost { 10 } else { 0 },
    );
    let t = tune(&uneven);
    assert!(t.segments.iter().all(|s| s.chosen.is_some()));
    assert!(load_warnings(&t).is_empty(), "{:?}", t.warnings);
}

//! Every default indicator, at every landmark, on a small simulated log, against the
//! independent pandas/numpy implementation in `benches/whole_job_python.py`
//! (`tests/oracle/gen_indicators.py` wrote the log and the expected values into
//! `tests/oracle/indicator_log/`). The deals at risk and every value must be equal to the last
//! bit (NaN = NaN): what the benchmark script checks on a million deals, here in `cargo test`.
//! The same log with closes and events exactly at landmark moments
//! (`tests/oracle/gen_indicator_ties.py`, `tests/oracle/indicator_ties/`) checks the risk set's
//! and the history's boundary: a deal closing at the moment is at risk, an event then unknown.

use std::fs;
use std::io::Read;
use std::path::Path;

use dealsim::indicators::{self, stage_map::StageMaps};
use dealsim::log::read::read_log;
use dealsim::scenario::Scenario;
use dealsim::time::DayNum;
use serde_json::Value;

/// The fixture directory `fixture`'s `name.gz`, decompressed.
fn gunzip(fixture: &str, name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracle")
        .join(fixture)
        .join(format!("{name}.gz"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(fs::File::open(&path).expect("fixture exists"))
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[test]
fn every_indicator_value_equals_the_python_reference() {
    equals_the_python_reference("indicator_log");
}

#[test]
fn closes_and_events_at_landmark_moments_equal_the_python_reference() {
    let expected: Value =
        serde_json::from_slice(&gunzip("indicator_ties", "expected.json")).expect("valid JSON");
    assert!(expected["closes_at_a_landmark"].as_u64().unwrap() >= 10);
    assert!(expected["events_at_a_landmark"].as_u64().unwrap() >= 100);
    equals_the_python_reference("indicator_ties");
}

/// The deals at risk and every default indicator's value at landmarks 7 ... 168 on the log of
/// `fixture`, bit for bit against its `expected.json.gz`.
fn equals_the_python_reference(fixture: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["events.csv", "deals.csv"] {
        fs::write(dir.path().join(name), gunzip(fixture, name)).expect("write");
    }
    let log = read_log(
        &dir.path().join("events.csv"),
        &dir.path().join("deals.csv"),
    )
    .expect("valid log");
    let expected: Value =
        serde_json::from_slice(&gunzip(fixture, "expected.json")).expect("valid JSON");
    assert_eq!(log.deals.len() as u64, expected["deals"].as_u64().unwrap());
    assert_eq!(
        log.events.len() as u64,
        expected["events"].as_u64().unwrap()
    );

    let scenario = Scenario::embedded_default();
    let maps = StageMaps::new(&scenario, &log);
    let landmarks: Vec<u32> = (7..=168).step_by(7).collect();
    let window_end = DayNum(scenario.end.0 + 1).start();
    let panel = indicators::evaluate(
        &log,
        &indicators::default_set(),
        None,
        &maps,
        &landmarks,
        window_end,
    );
    let names: Vec<&str> = expected["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = panel.indicators.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(ours, names, "the default set, in order");

    let mut compared = 0usize;
    let mut present = vec![0usize; names.len()];
    for (l, want) in expected["landmarks"].as_array().unwrap().iter().enumerate() {
        let day = want["day"].as_u64().unwrap();
        assert_eq!(u64::from(landmarks[l]), day);
        let at = &panel.at[l];
        let case_ids: Vec<String> = at
            .deals
            .iter()
            .map(|&i| log.case_ids[i as usize].clone())
            .collect();
        let want_ids: Vec<String> = want["case_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap().to_string())
            .collect();
        assert_eq!(case_ids, want_ids, "deals at risk on day {day}");
        for (j, name) in names.iter().enumerate() {
            let bits = want["values"][name].as_array().unwrap();
            for (r, (&got, w)) in at.values[j].iter().zip(bits).enumerate() {
                let w = f32::from_bits(w.as_u64().unwrap() as u32);
                assert!(
                    got.to_bits() == w.to_bits() || (got.is_nan() && w.is_nan()),
                    "{name} of deal {} on day {day}: dealsim {got}, reference {w}",
                    case_ids[r]
                );
                present[j] += usize::from(!got.is_nan());
                compared += 1;
            }
        }
    }
    assert!(compared > 40_000, "{compared} values compared");
    for (name, n) in names.iter().zip(&present) {
        // legal_wait_days has a value only while a deal waits on legal review.
        assert!(*n >= 20, "{name}: only {n} values present");
    }
}

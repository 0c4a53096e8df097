//! The paired difference of two AUCs on the same deals against an independent reference
//! (tests/oracle/gen_paired.py, paired_cases.json): DeLong's paired variance written from the
//! paper's 2 × 2 covariance matrices (checked there against the two-sample jackknife of
//! scikit-learn's AUC difference and a 40,000-replicate paired bootstrap), Obuchowski's over
//! reps, per segment and pooled, and the Wald intervals on them: held to 1e-9.

#[allow(dead_code)] // `floats` is for the other fixtures
mod fixtures;

use dealsim::stats::paired::paired_aucs;
use dealsim::stats::ranked::{class_word, NEGATIVE, POSITIVE};
use fixtures::load;
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn values(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().map_or(f32::NAN, |x| x as f32))
        .collect()
}

fn ints(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn close(got: f64, want: &Value, what: &str) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no reference"));
    assert!(
        (got - want).abs() <= TOLERANCE * want.abs().max(1.0),
        "{what}: {got} vs {want}"
    );
}

#[test]
fn paired_differences_match_the_reference() {
    let fixture = load("paired_cases.json");
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (a, b) = (values(&case["a"]), values(&case["b"]));
        let lost = ints(&case["lost"]);
        let segment = ints(&case["segment"]);
        let rep = ints(&case["rep"]);
        let class: Vec<u32> = lost
            .iter()
            .zip(&segment)
            .map(|(&l, &s)| class_word(s as u16, if l == 1 { POSITIVE } else { NEGATIVE }))
            .collect();
        let want_groups = case["groups"].as_array().unwrap();
        let groups = want_groups.len() - 1;
        let over_deals = paired_aucs(&a, &b, &class, None, groups);
        let over_reps = paired_aucs(&a, &b, &class, Some(&rep), groups);
        for (s, want) in want_groups.iter().enumerate() {
            let what = format!("{name}, group {s}");
            let (Some(p), Some(r)) = (over_deals[s], over_reps[s]) else {
                assert!(want.get("difference").is_none(), "{what}: no difference");
                continue;
            };
            assert_eq!(p.positives, want["lost"].as_u64().unwrap(), "{what}");
            assert_eq!(p.negatives, want["won"].as_u64().unwrap(), "{what}");
            close(p.auc_a, &want["auc_a"], &format!("{what}: AUC A"));
            close(p.auc_b, &want["auc_b"], &format!("{what}: AUC B"));
            close(
                p.difference,
                &want["difference"],
                &format!("{what}: difference"),
            );
            assert_eq!(r.difference, p.difference, "{what}");
            assert_eq!(r.clusters, Some(want["reps"].as_u64().unwrap()), "{what}");
            for (got, variance, interval, how) in [
                (p, &want["variance"], &want["interval"], "over deals"),
                (
                    r,
                    &want["variance_reps"],
                    &want["interval_reps"],
                    "over reps",
                ),
            ] {
                let what = format!("{what}, {how}");
                if variance.is_null() {
                    assert!(got.variance.is_nan(), "{what}: {got:?}");
                } else {
                    close(got.variance, variance, &format!("{what}: variance"));
                }
                match (got.interval(0.025), interval.as_array()) {
                    (Some([lo, hi]), Some(want)) => {
                        close(lo, &want[0], &format!("{what}: lower bound"));
                        close(hi, &want[1], &format!("{what}: upper bound"));
                    }
                    // The reference gives none at zero variance; dealsim gives [0, 0] when
                    // the two indicators place every deal alike (the same one twice).
                    (Some([lo, hi]), None) => {
                        assert!(got.alike && lo == 0.0 && hi == 0.0, "{what}: {got:?}")
                    }
                    (None, want) => assert!(want.is_none(), "{what}: no interval, {got:?}"),
                }
            }
        }
    }
}

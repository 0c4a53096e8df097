//! `dealsim run` tunes on the indicators its scoring step evaluated (one evaluation instead of
//! two): its policy must be the one `dealsim tune` computes from the run's files, and a run
//! with the research-only truth column (whose panel the tuner cannot use) must tune the same.

use std::fs;
use std::path::Path;

mod common;
use common::{dealsim, listing};

/// The embedded default scenario's seed and last day (`scenarios/default.toml`).
const SEED: &str = "20261126";
const END: &str = "2026-08-31";
const TUNED: [&str; 4] = [
    "policy.toml",
    "tradeoffs.csv",
    "deadlines.csv",
    "review.csv",
];

fn run(out: &Path, extra: &[&str]) {
    dealsim()
        .args([
            "run",
            "--quiet",
            "--deals",
            "1500",
            "--bootstrap",
            "30",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn same_files(a: &Path, b: &Path) {
    for name in TUNED {
        let (x, y) = (
            fs::read(a.join(name)).unwrap(),
            fs::read(b.join(name)).unwrap(),
        );
        assert!(
            x == y,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn run_tunes_as_tune_does_on_its_files_with_or_without_the_truth_column() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ran = tmp.path().join("run");
    run(&ran, &[]);
    let tuned = tmp.path().join("tune");
    dealsim()
        .arg("tune")
        .arg("--events")
        .arg(ran.join("events.csv"))
        .arg("--deals")
        .arg(ran.join("deals.csv"))
        .args([
            "--window-end",
            END,
            "--seed",
            SEED,
            "--bootstrap",
            "30",
            "--out",
        ])
        .arg(&tuned)
        .assert()
        .success();
    same_files(&ran, &tuned);

    let with_truth = tmp.path().join("truth");
    run(&with_truth, &["--with-truth"]);
    assert_eq!(listing(&with_truth), listing(&ran));
    same_files(&ran, &with_truth);
}

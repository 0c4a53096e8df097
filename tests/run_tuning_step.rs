//! `dealsim run` scores the log its simulation kept (instead of reading back the files it wrote)
//! and tunes on the indicators its scoring step evaluated (one evaluation instead of two): its
//! scores must be the ones `dealsim score` computes from the run's files, its policy the one
//! `dealsim tune` computes from them, and a run with the research-only truth column (whose
//! panel the tuner cannot use) must tune the same.

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

const SCORED: [&str; 3] = ["scores.csv", "indicator_summary.csv", "scores.json"];

fn same_files(a: &Path, b: &Path, names: &[&str]) {
    for &name in names {
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

/// `dealsim COMMAND` on the events and deals of run directory `ran`, with the run's window end,
/// seed and bootstrap size, writing into `out`.
fn on_run_files(command: &str, ran: &Path, out: &Path) {
    dealsim()
        .arg(command)
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
        .arg(out)
        .assert()
        .success();
}

#[test]
fn run_scores_and_tunes_as_score_and_tune_do_on_its_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ran = tmp.path().join("run");
    run(&ran, &[]);
    let tuned = tmp.path().join("tune");
    on_run_files("tune", &ran, &tuned);
    same_files(&ran, &tuned, &TUNED);
    let scored = tmp.path().join("score");
    on_run_files("score", &ran, &scored);
    same_files(&ran, &scored, &SCORED);

    let with_truth = tmp.path().join("truth");
    run(&with_truth, &["--with-truth"]);
    assert_eq!(listing(&with_truth), listing(&ran));
    same_files(&ran, &with_truth, &TUNED);
}

//! `dealsim run` scores the log its simulation kept (instead of reading back the files it wrote)
//! and tunes on the indicators its scoring step evaluated (one evaluation instead of two): its
//! scores must be the ones `dealsim score` computes from the run's files, its policy the one
//! `dealsim tune` computes from them, and a run with the research-only truth column (whose
//! panel the tuner cannot use) must tune the same.

use std::fs;
use std::path::Path;

mod common;
use common::{dealsim, listing, simulate};
use dealsim::output::WRITTEN_LIST;

/// The embedded default scenario's seed and last day (`scenarios/default.toml`).
const SEED: &str = "20261126";
const END: &str = "2026-08-31";
const TUNED: [&str; 4] = [
    "policy.toml",
    "tradeoffs.csv",
    "deadlines.csv",
    "review.csv",
];

/// `dealsim run` of about `deals` deals into `out`, plus `extra`; returns its output.
fn run(out: &Path, deals: &str, extra: &[&str]) -> std::process::Output {
    dealsim()
        .args([
            "run",
            "--quiet",
            "--deals",
            deals,
            "--bootstrap",
            "30",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success()
        .get_output()
        .clone()
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
/// seed and bootstrap size, writing into `out`; returns its stdout.
fn on_run_files(command: &str, ran: &Path, out: &Path) -> String {
    let output = dealsim()
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
        .success()
        .get_output()
        .clone();
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// `dir`'s manifest.json names exactly the files in `dir` (the hidden list of what dealsim
/// wrote aside); returns them.
fn manifest_lists_its_directory(dir: &Path) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let files: Vec<String> = manifest["files"]
        .as_array()
        .expect("a list of files")
        .iter()
        .map(|f| f.as_str().expect("a file name").to_string())
        .collect();
    let mut on_disk = listing(dir);
    on_disk.retain(|name| name != WRITTEN_LIST);
    assert_eq!(files, on_disk, "{}", dir.display());
    files
}

/// A simulation's manifest lists its five files; a run's lists its scores, policy and report
/// too (checked in the test below).
#[test]
fn a_simulations_manifest_lists_its_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("sim");
    simulate(&dir, "300");
    let files = manifest_lists_its_directory(&dir);
    assert_eq!(
        files,
        [
            "deals.csv",
            "events.csv",
            "manifest.json",
            "scenario.toml",
            "truth.csv"
        ]
    );
}

/// The manifest's `command` runs again when pasted into a shell: its arguments are quoted
/// where needed (an `--out` path with spaces and a quote used to come back as three words).
#[test]
fn the_manifests_command_runs_again_in_a_shell() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("my runs").join("Q1 'draft'");
    simulate(&dir, "300");
    let command = |dir: &Path| -> String {
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        manifest["command"].as_str().expect("a command").to_string()
    };
    let first = command(&dir);
    // Plain arguments stay bare; the path is one quoted word, its quotes written '\''.
    let quoted = format!(
        " simulate --deals 300 --quiet --out '{}/my runs/Q1 '\\''draft'\\'''",
        tmp.path().display()
    );
    assert!(first.ends_with(&quoted), "{first}");
    let events = fs::read(dir.join("events.csv")).unwrap();
    fs::remove_dir_all(&dir).unwrap();
    let again = std::process::Command::new("sh")
        .arg("-c")
        .arg(&first)
        .output()
        .expect("sh runs");
    assert!(
        again.status.success(),
        "{first}\n{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(fs::read(dir.join("events.csv")).unwrap() == events);
    assert_eq!(command(&dir), first);
}

#[test]
fn run_scores_and_tunes_as_score_and_tune_do_on_its_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ran = tmp.path().join("run");
    run(&ran, "1500", &[]);
    // The policy names the scenario it was tuned under.
    let toml = fs::read_to_string(ran.join("policy.toml")).unwrap();
    let policy = dealsim::policy::Policy::parse(&toml, "policy.toml").expect("a policy");
    assert_eq!(
        policy.tuning.and_then(|t| t.scenario).as_deref(),
        Some("default")
    );
    let policy_md = fs::read_to_string(ran.join("policy.md")).unwrap();
    assert!(
        policy_md.contains("\nTuned under scenario `default`.\n"),
        "{policy_md}"
    );
    // Each chosen rule's caught losses against the client's last activity (a simulated log
    // has the client's events).
    let rules = policy_md.matches("**Flag the deal if").count();
    assert!(rules > 0, "{policy_md}");
    let row = "| flagged lost deals flagged before the client's last activity |";
    assert_eq!(policy_md.matches(row).count(), rules, "{policy_md}");
    // Which deals are held out, as the tuner splits them: a share of the followed deals'
    // creation span (it once read as a share of the whole span), in both files people read.
    let held_out = "(the last 30% of the creation span of the deals created at least 168 days \
                    before the end of the data; younger deals, not yet followed to the last \
                    landmark, are in neither part)";
    let html = fs::read_to_string(ran.join("index.html")).unwrap();
    for (file, text) in [("policy.md", &policy_md), ("index.html", &html)] {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(held_out), "{file}: {flat}");
    }
    manifest_lists_its_directory(&ran);
    let tuned = tmp.path().join("tune");
    on_run_files("tune", &ran, &tuned);
    same_files(&ran, &tuned, &TUNED);
    let scored = tmp.path().join("score");
    on_run_files("score", &ran, &scored);
    same_files(&ran, &scored, &SCORED);

    let with_truth = tmp.path().join("truth");
    run(&with_truth, "1500", &["--with-truth"]);
    assert_eq!(listing(&with_truth), listing(&ran));
    same_files(&ran, &with_truth, &TUNED);
}

/// Each command's stdout starts with content (`score` and `tune` used to start with a blank
/// line), and `run`'s sections (segment table, rankings, tuned rules: what `score` and `tune`
/// print) are set apart by one blank line each.
#[test]
fn stdout_starts_with_content_and_sections_are_one_blank_line_apart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ran = tmp.path().join("run");
    let run_out = String::from_utf8(run(&ran, "1500", &[]).stdout).expect("UTF-8");
    let scored = on_run_files("score", &ran, &tmp.path().join("score"));
    let tuned = on_run_files("tune", &ran, &tmp.path().join("tune"));
    for (what, text) in [("run", &run_out), ("score", &scored), ("tune", &tuned)] {
        assert!(
            text.lines().next().is_some_and(|l| !l.trim().is_empty()),
            "{what}'s stdout starts with a blank line:\n{text}"
        );
        assert!(!text.contains("\n\n\n"), "{what}: two blank lines:\n{text}");
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{what}:\n{text}"
        );
    }
    assert!(
        scored.starts_with("segment smb: indicators ranked"),
        "{scored}"
    );
    assert!(tuned.starts_with("Tuned rules "), "{tuned}");
    // The run prints its segment table, then what score and tune print, one blank line apart.
    let (table, rest) = run_out.split_once("\n\n").expect("sections");
    assert!(
        table.starts_with("segment ") && table.contains("\nall "),
        "{table}"
    );
    assert_eq!(rest, format!("{scored}\n{tuned}"));
}

/// A run too short to have both won and lost tuning deals in a segment says so, in the
/// terminal and in policy.md, instead of blaming the alert budget and the minimum lead.
#[test]
fn a_segment_without_won_or_lost_tuning_deals_is_told_why_it_has_no_rule() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("run");
    let output = run(&out, "10", &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let policy_md = fs::read_to_string(out.join("policy.md")).unwrap();
    for (what, text) in [("terminal", stdout.as_ref()), ("policy.md", &policy_md)] {
        let reasons: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("no rule") || l.contains("No rule"))
            .collect();
        assert_eq!(reasons.len(), 3, "{what}: one per typical segment:\n{text}");
        for r in reasons {
            assert!(
                r.contains("too few decided deals to tune on: the segment's tuning deals")
                    && r.contains("a rule needs both outcomes")
                    && !r.contains("alert budget"),
                "{what}: {r}"
            );
        }
    }
}

/// Under `--objective cost`, money may say "review every deal"; when the chosen rule flags
/// nearly every won deal (90% or more), the plan says so and which flags make it selective.
#[test]
fn a_cost_rule_flagging_nearly_every_deal_is_warned_about() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = tmp.path().join("log");
    simulate(&log, "3000");
    let tune = |review_cost: &str, out: &str| -> String {
        let out = tmp.path().join(out);
        dealsim()
            .arg("tune")
            .arg("--events")
            .arg(log.join("events.csv"))
            .arg("--deals")
            .arg(log.join("deals.csv"))
            .args(["--objective", "cost", "--review-cost", review_cost])
            .args(["--bootstrap", "10", "--out"])
            .arg(&out)
            .assert()
            .success();
        fs::read_to_string(out.join("policy.md")).unwrap()
    };
    let said = "of won deals: at a review cost of 1 per alert";
    let cheap = tune("1", "cheap");
    assert!(cheap.contains(said), "{cheap}");
    assert!(cheap.contains("a higher --review-cost or a lower --save-probability"));
    let dear = tune("100000", "dear");
    assert!(!dear.contains("reviewing nearly every deal pays"), "{dear}");
}

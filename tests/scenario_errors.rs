//! Bad input, as a user meets it (issue 3, "Bad input"): one test per class of mistake.
//!
//! Every bad scenario is the embedded default with one edit, written into a fresh temporary
//! directory. Both `dealsim simulate` and `dealsim scenario check` must reject it with exit
//! code 2 and a message naming the file, the line (and column), the field path and what was
//! expected; and nothing may be written: no output directory and no leftover
//! `.out.partial-*` directory beside it. The expected line is computed from where the edit
//! landed, so the tests follow the default scenario if its layout changes.

use std::fs;
use std::path::{Path, PathBuf};

use dealsim::scenario::Scenario;
use proptest::prelude::*;
use tempfile::TempDir;

mod common;
use common::{dealsim, listing};

const DEFAULT: &str = include_str!("../scenarios/default.toml");

/// 1-based line of byte offset `at` in `text`.
fn line_at(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// The default scenario with the one occurrence of `from` replaced by `to`, and the line the
/// replacement is on.
fn edit(from: &str, to: &str) -> (String, usize) {
    edit_text(DEFAULT, from, to)
}

fn edit_text(text: &str, from: &str, to: &str) -> (String, usize) {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the default scenario should contain {from:?} exactly once (update this test)"
    );
    let at = text.find(from).expect("counted above");
    (text.replacen(from, to, 1), line_at(text, at))
}

/// A temporary directory holding only the scenario `bad.toml`.
struct Case {
    dir: TempDir,
}

impl Case {
    fn new(text: &str) -> Case {
        let dir = tempfile::tempdir().expect("temporary directory");
        fs::write(dir.path().join("bad.toml"), text).expect("write scenario");
        Case { dir }
    }

    fn scenario(&self) -> PathBuf {
        self.dir.path().join("bad.toml")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Names of everything in the directory, sorted.
    fn listing(&self) -> Vec<String> {
        listing(self.dir.path())
    }

    /// `simulate` and `scenario check` both fail with exit code 2, a message containing every
    /// one of `expected`, on stderr only, and nothing is written.
    fn assert_rejected(&self, expected: &[&str]) {
        let scenario = self.scenario();
        let file = scenario.display().to_string();
        let out = self.out();
        let runs = [
            (
                "simulate",
                dealsim()
                    .args(["simulate", "--scenario", &file, "--out"])
                    .arg(&out)
                    .args(["--quiet", "--deals", "300"])
                    .output(),
            ),
            (
                "scenario check",
                dealsim().args(["scenario", "check", &file]).output(),
            ),
        ];
        for (what, output) in runs {
            let output = output.expect("the binary runs");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(
                output.status.code(),
                Some(2),
                "`dealsim {what}` should exit 2\nstdout:\n{stdout}\nstderr:\n{stderr}"
            );
            assert!(
                stdout.is_empty(),
                "`dealsim {what}` printed to stdout:\n{stdout}"
            );
            assert!(
                stderr.starts_with("error: "),
                "`dealsim {what}` stderr:\n{stderr}"
            );
            assert!(
                stderr.contains(&file),
                "`dealsim {what}` should name the file {file}:\n{stderr}"
            );
            for e in expected {
                assert!(
                    stderr.contains(e),
                    "`dealsim {what}` should say {e:?}:\n{stderr}"
                );
            }
            assert_eq!(
                self.listing(),
                ["bad.toml"],
                "`dealsim {what}` wrote something"
            );
        }
    }
}

fn at_line(line: usize) -> String {
    format!(": line {line}, column ")
}

/// The harness itself: the unedited default passes, so each failure below is its edit's doing.
#[test]
fn unedited_default_is_accepted_and_written_whole() {
    let case = Case::new(DEFAULT);
    dealsim()
        .args(["scenario", "check"])
        .arg(case.scenario())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("valid scenario \"default\""));
    dealsim()
        .args(["simulate", "--scenario"])
        .arg(case.scenario())
        .arg("--out")
        .arg(case.out())
        .args(["--quiet", "--deals", "300"])
        .assert()
        .code(0);
    assert_eq!(case.listing(), ["bad.toml", "out"]);
    assert_eq!(
        listing(&case.out()),
        [
            ".dealsim-files",
            "deals.csv",
            "events.csv",
            "manifest.json",
            "scenario.toml",
            "truth.csv"
        ]
    );
}

#[test]
fn toml_syntax_error() {
    let (text, line) = edit("\nseed = 20261126\n", "\nseed = = 20261126\n");
    // The edit starts on the newline before the `seed` line.
    let line = line + 1;
    Case::new(&text).assert_rejected(&[&format!("{}8: ", at_line(line)), "expected"]);

    // An unterminated table header: a different parser error, same shape of message.
    let (text, line) = edit("\n[card]\n", "\n[card\n");
    Case::new(&text).assert_rejected(&[&at_line(line + 1), "expected"]);
}

#[test]
fn unknown_field_with_did_you_mean() {
    let (text, line) = edit("\npace = 1.15\n", "\npase = 1.15\n");
    Case::new(&text).assert_rejected(&[
        &at_line(line + 1),
        ": segments[0].pase: ",
        "unknown field `pase`",
        "expected one of",
        "(did you mean `pace`?)",
    ]);

    // Inside an inline distribution table.
    let (text, line) = edit(
        "dist = \"gamma\", shape = 3.0, scale = 1.2",
        "dist = \"gamma\", shape = 3.0, scael = 1.2",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": stage_maps[0].stages[0].steps[1].duration: ",
        "unknown field `scael`",
        "(did you mean `scale`?)",
    ]);

    // Nothing close: no hint, but the list of what is expected.
    let (text, line) = edit("\n[window]\n", "\nxyzzy_qwerty = 1\n\n[window]\n");
    let case = Case::new(&text);
    case.assert_rejected(&[
        &at_line(line + 1),
        "unknown field `xyzzy_qwerty`",
        "expected one of",
    ]);
    let stderr = dealsim()
        .args(["scenario", "check"])
        .arg(case.scenario())
        .output()
        .expect("runs")
        .stderr;
    assert!(!String::from_utf8_lossy(&stderr).contains("did you mean"));
}

#[test]
fn missing_field() {
    let (text, _) = edit("fill_within = 8.0\n", "");
    let card_line = line_at(&text, text.find("[card]").expect("card table"));
    Case::new(&text).assert_rejected(&[
        &at_line(card_line),
        ": card: ",
        "missing field `fill_within`",
    ]);

    // A missing distribution parameter.
    let (text, line) = edit(
        "dist = \"gamma\", shape = 3.0, scale = 1.2 }",
        "dist = \"gamma\", shape = 3.0 }",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": stage_maps[0].stages[0].steps[1].duration: ",
        "missing field `scale`",
    ]);
}

#[test]
fn negative_or_zero_durations() {
    let step = "stage_maps[0].stages[0].steps";
    let cases = [
        (
            "dist = \"lognormal\", mu = 1.6, sigma = 0.6",
            "dist = \"lognormal\", mu = 1.6, sigma = -1",
            format!(": {step}[3].duration: "),
            "`sigma` must be > 0, got -1",
        ),
        (
            "duration = { dist = \"gamma\", shape = 3.0, scale = 1.2 }",
            "duration = { dist = \"constant\", value = 0 }",
            format!(": {step}[1].duration: "),
            "values must be > 0",
        ),
        (
            "duration = { dist = \"gamma\", shape = 3.0, scale = 1.2 }",
            "duration = { dist = \"uniform\", low = -2.0, high = 3.0 }",
            format!(": {step}[1].duration: "),
            "values must be > 0 (a duration or an amount), but this distribution reaches -2",
        ),
        (
            "deadline_days = 5, deadline_from = \"created\", loss_probability = 0.05",
            "deadline_days = -3, deadline_from = \"created\", loss_probability = 0.05",
            format!(": {step}[0].deadline_days: "),
            "must be a finite number > 0, got -3",
        ),
        (
            "\npace = 1.15\n",
            "\npace = 0\n",
            ": segments[0].pace: ".to_string(),
            "must be a finite number > 0, got 0",
        ),
        (
            "interval = { dist = \"exponential\", mean = 4.0 }",
            "interval = { dist = \"exponential\", mean = 0.0 }",
            ": contacts.interval: ".to_string(),
            "`mean` must be > 0, got 0",
        ),
    ];
    for (from, to, field, message) in cases {
        let (text, line) = edit(from, to);
        let line = line + usize::from(from.starts_with('\n'));
        Case::new(&text).assert_rejected(&[&at_line(line), &field, message]);
    }
}

#[test]
fn probability_outside_unit_interval() {
    let step = "stage_maps[0].stages[0].steps";
    let cases = [
        (
            "reply_probability = 0.7",
            "reply_probability = 1.5",
            ": contacts.reply_probability: ".to_string(),
            "a probability must lie in [0, 1], got 1.5",
        ),
        (
            "loss_probability = 0.05",
            "loss_probability = -0.1",
            format!(": {step}[0].loss_probability: "),
            "a probability must lie in [0, 1], got -0.1",
        ),
        (
            "skip_probability = 0.2, loss_probability = 0.12",
            "skip_probability = 1.2, loss_probability = 0.12",
            format!(": {step}[3].skip_probability: "),
            "a probability must lie in [0, 1], got 1.2",
        ),
        (
            "documents = 0.8",
            "documents = 2",
            ": forecast.stage_probability.documents: ".to_string(),
            "a probability must lie in [0, 1], got 2",
        ),
    ];
    for (from, to, field, message) in cases {
        let (text, line) = edit(from, to);
        Case::new(&text).assert_rejected(&[&at_line(line), &field, message]);
    }
}

#[test]
fn unknown_distribution_or_bad_parameters() {
    let field = ": stage_maps[0].stages[0].steps[3].duration";
    let (text, line) = edit(
        "dist = \"lognormal\", mu = 1.6",
        "dist = \"lognormall\", mu = 1.6",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        &format!("{field}.dist: "),
        "unknown variant `lognormall`",
        "expected one of `lognormal`, `gamma`",
        "(did you mean `lognormal`?)",
    ]);

    let (text, line) = edit(
        "dist = \"lognormal\", mu = 1.6",
        "dist = \"poisson\", mu = 1.6",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        &format!("{field}.dist: "),
        "unknown variant `poisson`",
        "expected one of",
    ]);

    // Parameters of the wrong kind for the distribution.
    let (text, line) = edit(
        "dist = \"lognormal\", mu = 1.6, sigma = 0.6",
        "dist = \"lognormal\", mean = 1.6, sigma = 0.6",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        &format!("{field}: "),
        "unknown field `mean`",
        "expected `mu` or `sigma`",
    ]);

    let (text, line) = edit(
        "interval = { dist = \"exponential\", mean = 4.0 }",
        "interval = { dist = \"uniform\", low = 5.0, high = 2.0 }",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": contacts.interval: ",
        "`high` must be > `low`, got low=5, high=2",
    ]);

    let (text, line) = edit(
        "dist = \"triangular\", min = 5.0, max = 20.0, mode = 10.0",
        "dist = \"triangular\", min = 5.0, max = 20.0, mode = 30.0",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": stage_maps[1].stages[1].steps[0].duration: ",
        "need min <= mode <= max",
    ]);

    // A discipline must lie in [0, 1]: a gamma can exceed 1.
    let (text, line) = edit(
        "discipline = { dist = \"beta\", alpha = 3.0, beta = 1.5 }",
        "discipline = { dist = \"gamma\", shape = 5.0, scale = 2.0 }",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": segments[2].reps.discipline: ",
        "values must lie in [0, 1]",
    ]);

    // Parameters each finite whose mean overflows: `run` once wrote deal values `inf`.
    let (text, line) = edit(
        "value = { dist = \"lognormal\", mu = 9.2, sigma = 0.5 }",
        "value = { dist = \"lognormal\", mu = 800, sigma = 2 }",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": segments[0].value: ",
        "the mean exp(mu + sigma²/2) is not a finite number with mu = 800, sigma = 2",
    ]);
    let (text, line) = edit(
        "interval = { dist = \"exponential\", mean = 4.0 }",
        "interval = { dist = \"gamma\", shape = 1e200, scale = 1e200 }",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": contacts.interval: ",
        "the mean shape·scale is not a finite number with shape = 1e200, scale = 1e200",
    ]);

    // A parameter of the wrong type.
    let (text, line) = edit(
        "dist = \"lognormal\", mu = 1.6, sigma = 0.6",
        "dist = \"lognormal\", mu = 1.6, sigma = \"wide\"",
    );
    Case::new(&text).assert_rejected(&[&at_line(line), "invalid type", "expected f64"]);
}

#[test]
fn step_refers_to_unknown_step() {
    let field = ": stage_maps[1].stages[2].steps[1].deadline_from: ";
    let (text, line) = edit(
        "deadline_from = \"contract_draft\"",
        "deadline_from = \"nonexistent\"",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        field,
        "refers to unknown step \"nonexistent\"",
        "expected \"created\" or an earlier step's name",
    ]);

    let (text, line) = edit(
        "deadline_from = \"contract_draft\"",
        "deadline_from = \"contract_drafts\"",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        field,
        "(did you mean \"contract_draft\"?)",
    ]);

    // A step that exists but comes later: the SLA clock cannot start in the future.
    let (text, line) = edit(
        "deadline_from = \"contract_draft\"",
        "deadline_from = \"signed\"",
    );
    Case::new(&text).assert_rejected(&[&at_line(line), field, "comes later in the map"]);

    // A segment that refers to an unknown stage map.
    let (text, line) = edit("stage_map = \"enterprise\"", "stage_map = \"enterprize\"");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": segments[2].stage_map: ",
        "no stage map named \"enterprize\"",
        "(did you mean \"enterprise\"?)",
    ]);
}

#[test]
fn empty_segment_list() {
    // Drop every [[segments]] table and say `segments = []` at the top level instead.
    let without = &DEFAULT[..DEFAULT.find("[[segments]]").expect("segments")];
    let (text, line) = edit_text(without, "\n[window]\n", "\nsegments = []\n\n[window]\n");
    Case::new(&text).assert_rejected(&[
        &at_line(line + 1),
        ": segments: ",
        "at least one segment is needed, got an empty list",
    ]);

    // No segments at all: a missing field.
    Case::new(without).assert_rejected(&["missing field `segments`"]);
}

#[test]
fn window_ends_before_it_starts() {
    let (text, line) = edit(
        "last_created = \"2026-06-30\"",
        "last_created = \"2024-06-30\"",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": window.last_created: ",
        "the window ends before it starts: 2024-06-30 is before first_created 2025-01-01",
    ]);

    let (text, line) = edit("end = \"2026-08-31\"", "end = \"2026-05-31\"");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": window.end: ",
        "must not be before last_created 2026-06-30, got 2026-05-31",
    ]);

    let (text, line) = edit("end = \"2026-08-31\"", "end = \"2026-02-30\"");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": window.end: ",
        "expected a date YYYY-MM-DD, got \"2026-02-30\"",
    ]);
}

/// A `window.end` years after the last creation (`9999-08-31`) was accepted by `scenario
/// check` and refused by `run` only after simulating; a date in a year no log can write
/// (`+12025-01-01`, which chrono's `%Y` reads) reached the clamp of the date formatting.
/// Both are refused up front.
#[test]
fn a_window_end_years_after_the_last_creation_is_refused_up_front() {
    let (text, line) = edit("end = \"2026-08-31\"", "end = \"9999-08-31\"");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": window.end: ",
        "expected a day up to 2031-06-30, at most five years after last_created 2026-06-30",
        "got 9999-08-31",
    ]);
    let (text, line) = edit(
        "last_created = \"2026-06-30\"",
        "last_created = \"9999-12-01\"",
    );
    let text = text.replace("end = \"2026-08-31\"", "end = \"9999-12-31\"");
    Case::new(&text).assert_rejected(&[
        &at_line(line + 3),
        ": window.end: ",
        "expected a day up to 9999-12-24",
    ]);
    let (text, line) = edit("end = \"2026-08-31\"", "end = \"+12025-01-01\"");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": window.end: ",
        "expected a date YYYY-MM-DD, got \"+12025-01-01\"",
    ]);
}

/// `--deals 0` and `--deals -5` (which clap once took for an unknown flag, "unexpected
/// argument '-5'") both say what `--deals` expects.
#[test]
fn zero_or_negative_deals() {
    let case = Case::new(DEFAULT);
    for (deals, expected) in [
        ("0", "must be at least 1, got 0"),
        ("-5", "expected a whole number ≥ 1, got -5"),
    ] {
        for command in ["simulate", "run"] {
            for scenario in [Some(case.scenario()), None] {
                let mut cmd = dealsim();
                cmd.arg(command);
                if let Some(s) = &scenario {
                    cmd.arg("--scenario").arg(s);
                }
                let output = cmd
                    .arg("--out")
                    .arg(case.out())
                    .args(["--quiet", "--deals", deals])
                    .output()
                    .expect("runs");
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert_eq!(output.status.code(), Some(2), "{stderr}");
                assert!(
                    stderr.contains("--deals") && stderr.contains(expected),
                    "{stderr}"
                );
                assert!(output.stdout.is_empty());
                assert_eq!(case.listing(), ["bad.toml"], "{command} wrote something");
            }
        }
    }
}

/// `scenario check` counts in words: "1 rep", not "1 reps". `simulate --help` does not
/// mention bootstraps it does not run; `run --help` says its seed seeds them.
#[test]
fn check_and_help_say_what_is_so() {
    let (text, _) = edit("reps = { count = 2,", "reps = { count = 1,");
    let case = Case::new(&text);
    let output = dealsim()
        .args(["scenario", "check"])
        .arg(case.scenario())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("segment atypical: "), "{stdout}");
    assert!(stdout.contains(", 1 rep, atypical"), "{stdout}");
    assert!(!stdout.contains(" 1 reps"), "{stdout}");
    let help = dealsim()
        .args(["simulate", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("of the simulation. Same scenario"), "{help}");
    assert!(!help.contains("bootstrap"), "{help}");
    let help = dealsim().args(["run", "--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("of the simulation and of the bootstraps"),
        "{help}"
    );
}

/// More deals than a run can index (32-bit deal indices) is a clear error, not an abort on
/// memory: from `--deals` and from a scenario's inflow, which `scenario check` judges too.
#[test]
fn too_many_deals() {
    let case = Case::new(DEFAULT);
    for command in ["simulate", "run"] {
        let output = dealsim()
            .args([command, "--quiet", "--deals", "100000000000", "--out"])
            .arg(case.out())
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("--deals: must be at most 2147483648 (deals are indexed with 32 bits), got 100000000000"),
            "{stderr}"
        );
        assert_eq!(case.listing(), ["bad.toml"], "{command} wrote something");
    }
    let (text, line) = edit("per_month = 600", "per_month = 1e12");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": segments[0].inflow.per_month: the scenario would create about ",
        "more than the 2147483648 one run can index",
    ]);
}

/// A scenario that can create no deal (its creation window all holidays, or no inflow) is
/// refused, rather than checked as "about -0 deals" and run into empty tables.
#[test]
fn a_scenario_that_creates_no_deal() {
    let (text, _) = edit(
        "first_created = \"2025-01-01\"",
        "first_created = \"2025-05-02\"",
    );
    let (text, line) = edit_text(
        &text,
        "last_created = \"2026-06-30\"",
        "last_created = \"2025-05-03\"",
    );
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": window.last_created: the creation window 2025-05-02 to 2025-05-03 has no working day",
        "so the scenario creates no deal",
    ]);
}

/// `run` checks its scoring flags before it simulates: a bad one leaves nothing behind.
#[test]
fn run_rejects_bad_scoring_flags_before_simulating() {
    let case = Case::new(DEFAULT);
    let rejected: [(&[&str], &str); 12] = [
        (
            &["--bootstrap", "0"],
            "--bootstrap: must be at least 1, got 0",
        ),
        (
            &["--censoring", "ipcw", "--horizon", "0"],
            "--horizon: expected a finite number of days > 0, got 0",
        ),
        (
            &["--censoring", "ipcw", "--horizon", "inf"],
            "--horizon: expected a finite number of days > 0, got inf",
        ),
        (
            &["--target", "1.5"],
            "--target: expected a finite number in [0, 1] (an AUC), got 1.5",
        ),
        (
            &["--target", "nan"],
            "--target: expected a finite number in [0, 1] (an AUC), got NaN",
        ),
        // An infinite budget passed `> 0`, and the run never finished drawing its report.
        (
            &["--budget", "inf"],
            "--budget: expected a finite number > 0, got inf",
        ),
        // A negative value after a space reaches the range check (clap took it for an
        // unknown flag), also for a flag the chosen mode ignores (known censoring, budget
        // objective).
        (
            &["--budget", "-1"],
            "--budget: expected a finite number > 0, got -1",
        ),
        (
            &["--budget", "-inf"],
            "--budget: expected a finite number > 0, got -inf",
        ),
        (
            &["--horizon", "-3"],
            "--horizon: expected a finite number of days > 0, got -3",
        ),
        (
            &["--review-cost", "-5"],
            "--review-cost: expected a finite number ≥ 0, got -5",
        ),
        (
            &["--min-lead", "-1"],
            "--min-lead: expected a finite number ≥ 0, got -1",
        ),
        (
            &["--bootstrap", "-2"],
            "'--bootstrap <B>': expected a whole number ≥ 1, got -2",
        ),
    ];
    for (flags, expected) in rejected {
        let output = dealsim()
            .args(["run", "--scenario"])
            .arg(case.scenario())
            .arg("--out")
            .arg(case.out())
            .args(["--quiet", "--deals", "300"])
            .args(flags)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(expected), "{flags:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{flags:?} simulated first");
        assert_eq!(case.listing(), ["bad.toml"], "{flags:?} wrote something");
    }
}

#[test]
fn output_directory_cannot_be_written() {
    let case = Case::new(DEFAULT);
    let blocker = case.dir.path().join("blocker");
    fs::write(&blocker, "not a directory\n").expect("write");
    let expect_rejected = |out: &Path, expected: &[String]| {
        let output = dealsim()
            .args(["simulate", "--scenario"])
            .arg(case.scenario())
            .arg("--out")
            .arg(out)
            .args(["--quiet", "--deals", "300"])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(output.stdout.is_empty());
        assert!(
            stderr.contains(&format!("--out {}", out.display())),
            "{stderr}"
        );
        for e in expected {
            assert!(stderr.contains(e.as_str()), "expected {e:?} in:\n{stderr}");
        }
        assert_eq!(case.listing(), ["bad.toml", "blocker"]);
        assert_eq!(fs::read_to_string(&blocker).unwrap(), "not a directory\n");
    };
    // Under a regular file, directly and deeper down.
    for out in [blocker.join("out"), blocker.join("a").join("b").join("out")] {
        expect_rejected(
            &out,
            &[
                "cannot write the output directory".into(),
                format!("{} is a file, expected a directory", blocker.display()),
            ],
        );
    }
    // The output path itself is a regular file.
    expect_rejected(&blocker, &["exists and is not a directory".into()]);
}

#[test]
fn unreadable_scenario_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.toml");
    let file = missing.display().to_string();
    let out = dir.path().join("out");
    let mut simulate = dealsim();
    simulate
        .args(["simulate", "--quiet", "--scenario", &file, "--out"])
        .arg(&out);
    let mut check = dealsim();
    check.args(["scenario", "check", &file]);
    for mut cmd in [simulate, check] {
        let output = cmd.output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&file) && stderr.contains("cannot read the scenario"),
            "{stderr}"
        );
        assert!(listing(dir.path()).is_empty());
    }
}

proptest! {
    // Parsing only (no simulation), so many cases are cheap.
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any probability outside [0, 1] is rejected at its field and line; any inside is accepted.
    #[test]
    fn reply_probability_bounds(p in prop_oneof![
        -1e6..-1e-9f64,
        0.0..=1.0f64,
        1.0 + 1e-9..1e6f64,
    ]) {
        let (text, line) = edit("reply_probability = 0.7", &format!("reply_probability = {p:?}"));
        let result = Scenario::parse(&text, "p.toml");
        if (0.0..=1.0).contains(&p) {
            prop_assert!(result.is_ok(), "{p} rejected: {:?}", result.err());
        } else {
            let e = result.expect_err("outside [0, 1]");
            prop_assert_eq!(e.origin.as_str(), "p.toml");
            prop_assert_eq!(e.field.as_deref(), Some("contacts.reply_probability"));
            prop_assert_eq!(e.position.map(|p| p.0), Some(line));
            prop_assert!(e.message.contains("a probability must lie in [0, 1]"), "{}", e.message);
        }
    }
}

/// A seed beyond a TOML integer could not be written into the scenario.toml beside the log,
/// so `--seed` refuses it before anything is simulated; the largest one that fits is taken.
#[test]
fn a_seed_must_fit_a_scenario_file() {
    let case = Case::new(DEFAULT);
    for command in ["simulate", "run"] {
        let output = dealsim()
            .arg(command)
            .arg("--out")
            .arg(case.out())
            .args(["--quiet", "--seed", "9223372036854775808"])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("--seed")
                && stderr.contains(
                    "expected a whole number from 0 to 9223372036854775807, got 9223372036854775808"
                ),
            "{stderr}"
        );
        assert_eq!(case.listing(), ["bad.toml"], "{command} wrote something");
    }
    let output = dealsim()
        .arg("simulate")
        .arg("--out")
        .arg(case.out())
        .args(["--quiet", "--deals", "50", "--seed", "9223372036854775807"])
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = Scenario::load(&case.out().join("scenario.toml")).unwrap();
    assert_eq!(written.seed, 9223372036854775807);
}

/// `--deals 1` expects about one deal, and this seed's arrivals come to none: `simulate`, `run`
/// and `sweep` say so (exit 2, nothing written) instead of writing an empty log or failing
/// later in the scoring.
#[test]
fn arrivals_that_come_to_no_deal() {
    let case = Case::new(DEFAULT);
    let commands: [&[&str]; 3] = [
        &["simulate"],
        &["run"],
        &["sweep", "--set", "model.health_weight=0,1"],
    ];
    for command in commands {
        let output = dealsim()
            .args(command)
            .arg("--out")
            .arg(case.out())
            .args(["--quiet", "--deals", "1"])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(
            stderr.contains("its arrivals came to no deal (about 1.0 expected over the window")
                && stderr.contains("--deals N"),
            "{command:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(case.listing(), ["bad.toml"], "{command:?} wrote something");
    }
}

/// A loss shift or a source's health that is NaN, infinite or beyond ±20 is refused: NaN made
/// a segment all won, and an infinite health made durations infinite (deals closing before
/// they were created, in a run that exited 0).
#[test]
fn non_finite_or_huge_shifts() {
    for (from, to, field, got) in [
        (
            "loss_shift = -0.8",
            "loss_shift = nan",
            "segments[2].loss_shift",
            "NaN",
        ),
        (
            "loss_shift = -0.8",
            "loss_shift = inf",
            "segments[2].loss_shift",
            "inf",
        ),
        (
            "{ name = \"inbound\", share = 0.5, health = 0.3 }",
            "{ name = \"inbound\", share = 0.5, health = nan }",
            "segments[0].sources[0].health",
            "NaN",
        ),
        (
            "{ name = \"outbound\", share = 0.45, health = -0.3 }",
            "{ name = \"outbound\", share = 0.45, health = -1e300 }",
            "segments[2].sources[1].health",
            "-1000000000",
        ),
    ] {
        let (text, line) = edit(from, to);
        Case::new(&text).assert_rejected(&[
            &at_line(line),
            &format!(": {field}: "),
            "expected a finite number within ±20, got ",
            got,
        ]);
    }
}

/// A step named like a contact channel or an event the engine logs itself would have its
/// events counted as those (a `meeting` step as a touch): refused. So is a close date pushed
/// by 0 days, once silently taken as 1.
#[test]
fn step_names_that_clash_and_a_zero_push() {
    let step = "stage_maps[0].stages[0].steps";
    for (to, what) in [
        ("meeting", "a contact channel (contacts.channels)"),
        ("won", "an activity the engine logs itself"),
    ] {
        // In both stage maps (a deadline may start at it).
        let text = DEFAULT.replace("\"first_meeting\"", &format!("\"{to}\""));
        let line = line_at(&text, text.find(&format!("{{ name = \"{to}\"")).unwrap());
        Case::new(&text).assert_rejected(&[
            &at_line(line),
            &format!(": {step}[0].name: "),
            &format!("step name \"{to}\" is {what}"),
        ]);
    }
    let (text, line) = edit("push_days = 14", "push_days = 0");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": forecast.push_days: ",
        "must be at least 1",
    ]);
}

/// Stakeholders join in the stage `model.stakeholder_stage` names (`sale` unless set): a map
/// whose `sale` stage is renamed once silently had none, now it is refused unless the setting
/// names the new stage, which then brings them in.
#[test]
fn the_stakeholder_stage_must_exist() {
    let renamed = DEFAULT
        .replace("name = \"sale\"", "name = \"selling\"")
        .replace(" sale = 0.5,", " selling = 0.5,");
    assert_eq!(
        renamed.matches("selling").count(),
        3,
        "both maps and the forecast"
    );
    let case = Case::new(&renamed);
    case.assert_rejected(&[
        ": model.stakeholder_stage: ",
        "no stage map has a stage named \"sale\", so stakeholders_mean = 1.5 would bring in no \
         stakeholder",
    ]);
    let named = renamed.replacen(
        "stakeholders_mean = 1.5\n",
        "stakeholders_mean = 1.5\nstakeholder_stage = \"selling\"\n",
        1,
    );
    let case = Case::new(&named);
    dealsim()
        .args(["simulate", "--quiet", "--deals", "300", "--scenario"])
        .arg(case.scenario())
        .arg("--out")
        .arg(case.out())
        .assert()
        .code(0);
    let events = fs::read_to_string(case.out().join("events.csv")).unwrap();
    let engaged = events.matches(",stakeholder_engaged,").count();
    assert!(engaged > 100, "{engaged} stakeholders joined in 300 deals");
    // The setting is written back when it is not the default, and read again alike.
    let written = fs::read_to_string(case.out().join("scenario.toml")).unwrap();
    assert!(
        written.contains("stakeholder_stage = \"selling\""),
        "{written}"
    );
}

/// An infinite model weight is refused with a message that says why: "must be >= 0, got inf"
/// read as a contradiction.
#[test]
fn an_infinite_weight_is_not_a_finite_number() {
    let (text, line) = edit("rep_lateness = 1.5", "rep_lateness = inf");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": model.rep_lateness: ",
        "must be a finite number >= 0, got inf",
    ]);
}

/// A step typically taking decades (a lognormal `mu = 15`, meant as days, has a median of 3.3
/// million working days) passed `scenario check` and `simulate` panicked writing the rep's
/// planned close date in the year 24655 (with `mu = 25` the day number overflowed). A pace
/// stretching a step so far, and a close date pushed by decades, are refused alike. A heavy
/// tail whose mean is past the bound while its median is a month (a fit to a messy history)
/// is a valid scenario.
#[test]
fn durations_and_pushes_that_leave_the_calendar_are_refused() {
    let legal = "mu = 2.5, sigma = 1.0 }, deadline_days = 15, loss_probability = 0.04,";
    for (mu, median) in [("15", "3269017"), ("25", "72004899337")] {
        let (text, line) = edit(legal, &legal.replace("2.5", mu));
        Case::new(&text).assert_rejected(&[
            &at_line(line),
            ": stage_maps[0].stages[2].steps[1].duration: ",
            &format!("expected a median duration of at most 2610 working days (ten years of five-day weeks), got {median}"),
        ]);
    }
    // Median e^3.4 = 30 days, sigma 3: a mean of 2,700 days, past the bound, is accepted.
    let heavy = legal.replace("mu = 2.5, sigma = 1.0", "mu = 3.4, sigma = 3.0");
    let (text, _) = edit(legal, &heavy);
    let case = Case::new(&text);
    let output = dealsim()
        .args(["scenario", "check"])
        .arg(case.scenario())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (text, line) = edit("\npace = 1.15\n", "\npace = 1e6\n");
    Case::new(&text).assert_rejected(&[
        &at_line(line + 1),
        ": segments[0].pace: ",
        "step \"first_meeting\" of stage map \"standard\" has a median of 2.2 working days, \
         2225541 at pace 1000000",
    ]);
    let (text, line) = edit("push_days = 14", "push_days = 1000000000");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": forecast.push_days: ",
        "expected at most 3653 calendar days (ten years), got 1000000000",
    ]);
}

/// `all` names the rows of all segments pooled in every output: a segment so named passed
/// `scenario check` and `simulate`, then `run` failed reading its own log back.
#[test]
fn a_segment_named_all_is_refused() {
    let (text, line) = edit("name = \"smb\"", "name = \"all\"");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": segments[0].name: ",
        "the name \"all\" is reserved for the rows of all segments pooled",
    ]);
}

/// A hundred million reps in a segment passed validation and needed about 23 GB.
#[test]
fn an_absurd_number_of_reps_is_refused() {
    let (text, line) = edit("reps = { count = 12,", "reps = { count = 100000000,");
    Case::new(&text).assert_rejected(&[
        &at_line(line),
        ": segments[0].reps.count: ",
        "expected at most 1000000 reps in a segment, got 100000000",
    ]);
}

/// A segment's lead-source shares split its inflow: shares summing to 1.4 were silently
/// divided by 1.4.
#[test]
fn source_shares_must_sum_to_one() {
    let (text, line) = edit(
        "{ name = \"partner\", share = 0.15, health = 0.1 }",
        "{ name = \"partner\", share = 0.55, health = 0.1 }",
    );
    Case::new(&text).assert_rejected(&[
        &format!(": line {}, column ", line - 3),
        ": segments[0].sources: ",
        "the shares must sum to 1 (each is its source's part of the segment's inflow), got 1.4 \
         (inbound 0.5 + outbound 0.35 + partner 0.55)",
    ]);
}

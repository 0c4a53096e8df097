//! `dealsim score` as a user runs it (issue 4, "Outputs and CLI" and "Bad input").
//!
//! Bad input: each case is a tiny hand-written log (or flag) in a fresh temporary directory.
//! The command must exit with code 2 and a message naming the file or flag, the line and
//! column (or field) where that is known, and what was expected; and it must write nothing:
//! the output directory is never created and no output file appears anywhere. A name that
//! never occurs in the log is only a warning: exit 0, outputs written.
//!
//! Happy path: a simulated log of about 1,500 deals is scored; the score files have the
//! documented columns, and `scores.csv` is byte-identical with one and with two threads.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

mod common;
use common::{dealsim, listing, on_log, simulate, succeeded};

const OUTPUTS: [&str; 9] = [
    "scores.csv",
    "indicator_summary.csv",
    "scores.json",
    // The report's tables and pages (issue 5).
    "funnel.csv",
    "cycle_lengths.csv",
    "inflow.csv",
    "cohort_win_rate.csv",
    "index.html",
    "summary.md",
];
const EVENTS_HEADER: &str = "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close";
const DEALS_HEADER: &str =
    "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step";

/// A small valid log: three smb deals (lost, won, open) with a few events each.
fn deals_csv() -> String {
    [
        DEALS_HEADER,
        "1,smb,smb-rep-01,inbound,1000,2025-03-03T09:00:00,2025-04-01T10:00:00,lost,pre_sale,proposal_sent",
        "2,smb,smb-rep-01,outbound,2000,2025-03-04T09:00:00,2025-05-02T10:00:00,won,,",
        "3,smb,smb-rep-02,partner,3000,2025-03-05T09:00:00,,open,,",
    ]
    .join("\n")
        + "\n"
}

fn events_csv() -> String {
    [
        EVENTS_HEADER,
        "1,deal_created,2025-03-03T09:00:00,smb-rep-01,smb,pre_sale,,complete,,,",
        "1,first_meeting,2025-03-03T09:00:00,smb-rep-01,smb,pre_sale,first_meeting,start,,,",
        "1,call,2025-03-04T10:00:00,smb-rep-01,smb,pre_sale,first_meeting,complete,,,",
        "2,deal_created,2025-03-04T09:00:00,smb-rep-01,smb,pre_sale,,complete,,,",
        "2,forecast_update,2025-03-04T09:00:00,smb-rep-01,smb,pre_sale,,complete,,0.40,2025-05-01",
        "2,client_reply,2025-03-06T11:00:00,client,smb,pre_sale,first_meeting,complete,,,",
        "3,deal_created,2025-03-05T09:00:00,smb-rep-02,smb,pre_sale,,complete,,,",
        "3,card_update,2025-03-06T09:00:00,smb-rep-02,smb,pre_sale,,complete,budget,,",
    ]
    .join("\n")
        + "\n"
}

/// One indicator in the TOML format of `scenarios/indicators.toml`.
fn indicator(measure: &str) -> String {
    format!(
        "# my indicators\n[[indicator]]\nname = \"mine\"\ndescription = \"a test indicator\"\n\
         direction = \"higher_is_riskier\"\nsignal = \"rep\"\nmeasure = {measure}\n"
    )
}

/// A temporary directory with `events.csv`, `deals.csv` and (optionally) `ind.toml`.
struct Case {
    dir: TempDir,
}

impl Case {
    fn new(events: &str, deals: &str) -> Case {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("events.csv"), events).expect("write");
        fs::write(dir.path().join("deals.csv"), deals).expect("write");
        Case { dir }
    }

    fn valid() -> Case {
        Case::new(&events_csv(), &deals_csv())
    }

    fn with_indicators(self, toml: &str) -> Case {
        fs::write(self.path("ind.toml"), toml).expect("write");
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn out(&self) -> PathBuf {
        self.path("out")
    }

    /// `dealsim score` on this case's files, `--out out`, quiet, few replicates, plus `extra`.
    fn score(&self, extra: &[&str]) -> Output {
        let mut cmd = dealsim();
        cmd.arg("score")
            .arg("--events")
            .arg(self.path("events.csv"))
            .arg("--deals")
            .arg(self.path("deals.csv"))
            .arg("--out")
            .arg(self.out())
            .arg("--quiet")
            .args(extra);
        if !extra.contains(&"--bootstrap") {
            cmd.args(["--bootstrap", "5"]);
        }
        cmd.output().expect("the binary runs")
    }

    /// Runs `score`, checks that it succeeded, and returns its stderr (notes and warnings).
    #[track_caller]
    fn scored_saying(&self, extra: &[&str]) -> String {
        let output = self.score(extra);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        stderr
    }

    /// Runs `score` and checks: exit 2, every `expected` piece in stderr, nothing written.
    #[track_caller]
    fn assert_rejected(&self, extra: &[&str], expected: &[&str]) -> String {
        let before = listing(self.dir.path());
        let output = self.score(extra);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        // After the notes on what was read (the default scenario here), one error.
        let said: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.starts_with("note: "))
            .collect();
        assert!(
            said.first().is_some_and(|l| l.starts_with("error: ")),
            "one error message expected:\n{stderr}"
        );
        for e in expected {
            assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
        }
        assert!(output.stdout.is_empty(), "no table on a rejected run");
        assert!(!self.out().exists(), "the output directory was created");
        assert_eq!(listing(self.dir.path()), before, "something was written");
        for f in OUTPUTS {
            assert!(!self.path(f).exists(), "{f} written beside the log");
        }
        stderr
    }

    fn events(&self) -> String {
        self.path("events.csv").display().to_string()
    }

    fn deals(&self) -> String {
        self.path("deals.csv").display().to_string()
    }
}

/// The output files, in directory-listing order.
/// The outputs, sorted, with the list of what dealsim wrote (what a later run may replace).
fn sorted_outputs() -> Vec<String> {
    let mut v = OUTPUTS.map(String::from).to_vec();
    v.push(".dealsim-files".into());
    v.sort();
    v
}

/// The harness: the valid tiny log is scored (AUCs omitted for lack of deals) and written.
#[test]
fn tiny_valid_log_is_scored() {
    let case = Case::valid();
    let output = case.score(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(listing(&case.out()), sorted_outputs());
}

#[test]
fn unknown_indicator_primitive() {
    let case = Case::valid().with_indicators(&indicator("{ kind = \"step_don\", step = \"x\" }"));
    let file = case.path("ind.toml").display().to_string();
    case.assert_rejected(
        &["--indicators", &file],
        &[
            &format!("{file}: line 7, column "),
            "indicator[0].measure",
            "unknown variant `step_don`",
            "expected one of",
            "`days_between`",
            "(did you mean `step_done`?)",
        ],
    );
}

#[test]
fn unknown_field_in_an_indicator_file() {
    // At the indicator level.
    let text =
        indicator("{ kind = \"step_done\", step = \"x\" }").replace("direction =", "directon =");
    let case = Case::valid().with_indicators(&text);
    let file = case.path("ind.toml").display().to_string();
    case.assert_rejected(
        &["--indicators", &file],
        &[
            &format!("{file}: line 5, column 1: "),
            "indicator[0].directon",
            "unknown field `directon`",
            "expected one of",
            "`direction`",
        ],
    );
    // Inside a primitive's parameters.
    let case = Case::valid().with_indicators(&indicator("{ kind = \"step_done\", stepp = \"x\" }"));
    case.assert_rejected(
        &["--indicators", &case.path("ind.toml").display().to_string()],
        &[
            ": line 7, column ",
            "indicator[0].measure",
            "unknown field `stepp`",
            "expected `step`",
        ],
    );
}

/// "line L, column C" of byte offset `at` in `text` (1-based, as error messages count).
fn line_column(text: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    format!(
        "line {}, column {}",
        text[..at].matches('\n').count() + 1,
        text[line_start..at].chars().count() + 1
    )
}

/// The checks made after parsing (a card completeness out of 0 fields, a name used twice, a
/// name unfit for a CSV cell) point at the value's line and column, as serde's errors do.
#[test]
fn indicator_file_checks_name_line_and_column() {
    let out_of_zero = indicator("{ kind = \"card_completeness\", out_of = 0 }");
    let twice = indicator("{ kind = \"deal_value\" }").repeat(2);
    let bad_name = indicator("{ kind = \"deal_value\" }").replace("\"mine\"", "\"my value\"");
    for (text, at, expected) in [
        (
            &out_of_zero,
            out_of_zero.find("0 }").unwrap(),
            "indicator[0].measure.out_of: must be at least 1, got 0",
        ),
        (
            &twice,
            twice.rfind("\"mine\"").unwrap(),
            "indicator[1].name: duplicate indicator name \"mine\"",
        ),
        (
            &bad_name,
            bad_name.find("\"my value\"").unwrap(),
            "indicator[0].name: expected a name of letters, digits and '_'",
        ),
    ] {
        let case = Case::valid().with_indicators(text);
        let file = case.path("ind.toml").display().to_string();
        case.assert_rejected(
            &["--indicators", &file],
            &[&format!("{file}: {}: {expected}", line_column(text, at))],
        );
    }
}

/// An indicator file holds no floating-point setting (counts are integers), so `inf` and
/// `nan`, valid TOML floats, are refused by type, located like any other mistake.
#[test]
fn infinity_or_nan_in_an_indicator_file_is_refused_by_type() {
    for (measure, got) in [
        (
            "{ kind = \"card_completeness\", out_of = inf }",
            "floating point `inf`, expected u32",
        ),
        (
            "{ kind = \"prior_win_rate\", by = \"rep\", min_closed = nan }",
            "floating point `NaN`, expected u32",
        ),
        (
            "{ kind = \"count\", activities = [-inf] }",
            "floating point `-inf`, expected a string",
        ),
    ] {
        let case = Case::valid().with_indicators(&indicator(measure));
        let file = case.path("ind.toml").display().to_string();
        case.assert_rejected(
            &["--indicators", &file],
            &[
                &format!("{file}: line 7, column 11: indicator[0].measure: invalid type: "),
                got,
            ],
        );
    }
}

#[test]
fn a_name_that_never_occurs_in_the_log_is_a_warning() {
    let case = Case::valid().with_indicators(&indicator(
        "{ kind = \"step_done\", step = \"objection_folowup\" }",
    ));
    let output = case.score(&["--indicators", &case.path("ind.toml").display().to_string()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: indicator mine: \"objection_folowup\" never occurs in the log\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
    assert_eq!(listing(&case.out()), sorted_outputs());
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(case.out().join("scores.json")).unwrap()).unwrap();
    let warnings = json["warnings"]
        .as_array()
        .expect("warnings in scores.json");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("objection_folowup")),
        "{warnings:?}"
    );

    // A resource filter no event carries.
    let case = case.with_indicators(&indicator(
        "{ kind = \"days_since_last\", resource = \"cliet\" }",
    ));
    let output = case.score(&["--indicators", &case.path("ind.toml").display().to_string()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "warning: indicator mine: resource \"cliet\" never occurs in the log \
             (did you mean \"client\"?)"
        ),
        "{stderr}"
    );

    // A misspelt step gets the log's closest activity; a name nothing resembles gets no hint
    // (`objection_folowup` above).
    let case = case.with_indicators(&indicator(
        "{ kind = \"step_done\", step = \"first_meting\" }",
    ));
    let output = case.score(&["--indicators", &case.path("ind.toml").display().to_string()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("\"first_meting\" never occurs in the log (did you mean \"first_meeting\"?)"),
        "{stderr}"
    );

    // The default set on a log without, e.g., a legal review: one warning per missing name,
    // also for `proposal_sent`, which the log names only as deal 1's `lost_step`.
    let output = case.score(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for name in ["legal_review", "proposal_sent", "stakeholder_engaged"] {
        assert!(
            stderr.contains(&format!("\"{name}\" never occurs in the log")),
            "{name}: {stderr}"
        );
    }
}

/// An explicit card-completeness `out_of` that differs from the scenario's card is a warning,
/// on stderr and in scores.json; leaving it out (as the default set does) counts the
/// scenario's fields, without a warning.
#[test]
fn a_card_out_of_other_than_the_scenarios_card_is_a_warning() {
    let six =
        "[\"budget\", \"decision_maker\", \"timeline\", \"pain\", \"competitors\", \"next_step\"]";
    let three = dealsim::scenario::DEFAULT_TOML.replacen(
        &format!("fields = {six}"),
        "fields = [\"budget\", \"decision_maker\", \"timeline\"]",
        1,
    );
    assert_ne!(three, dealsim::scenario::DEFAULT_TOML, "update this test");
    let case =
        Case::valid().with_indicators(&indicator("{ kind = \"card_completeness\", out_of = 6 }"));
    fs::write(case.path("three.toml"), three).unwrap();
    let scenario = case.path("three.toml").display().to_string();
    let expected = "warning: indicator mine: out_of = 6, but the scenario's client card has 3 \
                    fields (card.fields), so a full card reads 50%";
    let ind = case.path("ind.toml").display().to_string();
    let output = case.score(&["--indicators", &ind, "--scenario", &scenario]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(case.out().join("scores.json")).unwrap()).unwrap();
    assert!(
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("out_of = 6")),
        "{json}"
    );
    let output = case.score(&["--scenario", &scenario]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("out_of"), "{stderr}");
}

#[test]
fn bad_landmark_specs() {
    let case = Case::valid();
    // A negative start reaches the landmarks' own message, not clap's "unexpected argument".
    case.assert_rejected(
        &["--landmarks", "-7:168:7"],
        &[
            "--landmarks: \"-7\" is not a whole number of days",
            "\"-7:168:7\"",
        ],
    );
    case.assert_rejected(
        &["--landmarks", "7:0:7"],
        &[
            "--landmarks",
            "END must not be before START",
            "expected START:END:STEP",
            "\"7:0:7\"",
        ],
    );
    case.assert_rejected(
        &["--landmarks", "7:x:7"],
        &[
            "--landmarks",
            "\"x\" is not a whole number of days",
            "expected START:END:STEP",
        ],
    );
    case.assert_rejected(
        &["--landmarks", "7:168:0"],
        &["--landmarks", "STEP must be at least 1"],
    );
    // Day 0 is the creation itself; a policy tuned on it would be refused by `flag`.
    case.assert_rejected(
        &["--landmarks", "0:70:7"],
        &["--landmarks", "START must be at least 1 day"],
    );
    // A deal age of billions of days: the rule clock's tables would take gigabytes.
    case.assert_rejected(
        &["--landmarks", "1:4000000000:3999999999"],
        &["--landmarks", "END must be at most 3650 days"],
    );
    case.assert_rejected(
        &["--landmarks", "7:168"],
        &["--landmarks", "three numbers are needed"],
    );
}

#[test]
fn zero_bootstrap_replicates() {
    Case::valid().assert_rejected(
        &["--bootstrap", "0"],
        &["--bootstrap", "must be at least 1, got 0"],
    );
}

#[test]
fn events_file_missing_required_columns() {
    let events = events_csv().replacen("timestamp", "time", 1);
    let case = Case::new(&events, &deals_csv());
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 1, column 1: ", case.events()),
            "missing required column `timestamp`",
            "the header has: case_id, activity, time, resource, segment",
        ],
    );
    // The deals file likewise.
    let case = Case::new(&events_csv(), "case_id,segment,created\n1,smb,2025-03-03\n");
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 1, column 1: ", case.deals()),
            "missing required column `outcome`",
            "the header has: case_id, segment, created",
        ],
    );
    // The deals file re-saved by a spreadsheet with semicolons: the message says so.
    let case = Case::new(&events_csv(), &deals_csv().replace(',', ";"));
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 1, column 1: ", case.deals()),
            "missing required column `case_id`",
            "the file is separated by semicolons or tabs, but dealsim's own event log is \
             comma-separated (`dealsim import csv` reads other separators)",
        ],
    );
}

/// A header naming a column twice is refused at the second: the first was taken and the
/// other dropped without a word (a `resource` column renamed `activity` left every event's
/// resource unread). In either file.
#[test]
fn a_column_named_twice_is_refused() {
    let events = events_csv().replacen(",resource,", ",activity,", 1);
    let case = Case::new(&events, &deals_csv());
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 1, column 4: ", case.events()),
            "column `activity` appears twice in the header (columns 2 and 4)",
        ],
    );
    let deals = deals_csv().replacen(",source,", ",segment,", 1);
    let case = Case::new(&events_csv(), &deals);
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 1, column 4: ", case.deals()),
            "column `segment` appears twice in the header (columns 2 and 4)",
        ],
    );
}

/// Deals without a single event (an events file cut short) are scored with a warning that
/// counts them and names the first; a log where every deal has its events gets none.
#[test]
fn deals_without_any_event_are_a_warning() {
    let events: String = events_csv()
        .lines()
        .filter(|l| !l.starts_with("3,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let stderr = Case::new(&events, &deals_csv()).scored_saying(&[]);
    assert!(
        stderr.contains(
            "warning: 1 of 3 deals have no event at all, not even their creation (the first: \
             case \"3\"): an events file cut short or from another export?"
        ),
        "{stderr}"
    );
    let output = Case::valid().score(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("no event at all"), "{stderr}");
    assert!(!stderr.contains("after their deal's close"), "{stderr}");
}

/// An event dated after its deal's close (deal 1 lost on 2025-04-01) is a warning naming the
/// first.
#[test]
fn events_after_the_close_are_a_warning() {
    let events = events_csv() + "1,call,2026-07-04T10:00:00,smb-rep-01,smb,pre_sale,,complete,,,\n";
    let stderr = Case::new(&events, &deals_csv()).scored_saying(&[]);
    assert!(
        stderr.contains(
            "warning: 1 events are dated after their deal's close (the first: case \"1\", \
             \"call\" at 2026-07-04T10:00:00, closed 2025-04-01T10:00:00)"
        ),
        "{stderr}"
    );
}

/// A won deal that names the step it was lost at contradicts itself: a warning naming it (the
/// valid log's lost deal 1 names its own, and draws none).
#[test]
fn a_deal_not_lost_with_a_lost_step_is_a_warning() {
    let deals = deals_csv().replace(
        "2025-05-02T10:00:00,won,,",
        "2025-05-02T10:00:00,won,pre_sale,proposal_sent",
    );
    let stderr = Case::new(&events_csv(), &deals).scored_saying(&[]);
    assert!(
        stderr.contains(
            "warning: 1 deals not lost name a lost_stage or lost_step (the first: case \"2\", \
             won): an outcome typed wrong?"
        ),
        "{stderr}"
    );
    let output = Case::valid().score(&[]);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("lost_stage"));
}

#[test]
fn deal_in_events_missing_from_deals() {
    let events =
        events_csv() + "99,call,2025-03-07T09:00:00,smb-rep-01,smb,pre_sale,,complete,,,\n";
    let case = Case::new(&events, &deals_csv());
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 10, column 1: ", case.events()),
            "column `case_id`",
            &format!("expected a case id listed in {}", case.deals()),
            "got \"99\"",
        ],
    );
}

/// A log saved with Windows line endings: its errors name the same lines as in the Unix file
/// (they were one short, the csv crate's position of a record after a CR LF), and a gzipped
/// events file is named as such instead of "invalid UTF-8 at byte 2".
#[test]
fn a_crlf_log_names_the_right_line_and_a_gzipped_one_is_named_gzip() {
    let events = events_csv().replace("2025-03-04T10:00:00", "2025-03-4T10:00:00");
    let case = Case::new(
        &events.replace('\n', "\r\n"),
        &deals_csv().replace('\n', "\r\n"),
    );
    case.assert_rejected(&[], &[&format!("{}: line 4, column 3: ", case.events())]);
    let crlf = Case::new(
        &events_csv().replace('\n', "\r\n"),
        &deals_csv().replace('\n', "\r\n"),
    );
    succeeded(&crlf.score(&[]));
    let case = Case::valid();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, events_csv().as_bytes()).unwrap();
    fs::write(case.path("events.csv"), gz.finish().unwrap()).unwrap();
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 1, column 1: ", case.events()),
            "gzip-compressed",
            "dealsim import csv",
        ],
    );
}

#[test]
fn unparseable_timestamp() {
    // Line 4 of events.csv (the header is line 1): a day without its leading zero.
    let events = events_csv().replace("2025-03-04T10:00:00", "2025-03-4T10:00:00");
    let case = Case::new(&events, &deals_csv());
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 4, column 3: ", case.events()),
            "column `timestamp`",
            "expected an ISO 8601 timestamp",
            "got \"2025-03-4T10:00:00\"",
        ],
    );
    // In deals.csv: an impossible date in `created` (column 6) of line 3.
    let deals = deals_csv().replace("2025-03-04T09:00:00", "2025-02-30T09:00:00");
    let case = Case::new(&events_csv(), &deals);
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 3, column 6: ", case.deals()),
            "column `created`",
            "got \"2025-02-30T09:00:00\"",
        ],
    );
    // And the --window-end flag.
    Case::valid().assert_rejected(
        &["--window-end", "31.08.2026"],
        &[
            "--window-end",
            "expected a date YYYY-MM-DD",
            "\"31.08.2026\"",
        ],
    );
}

/// A window ending before the first deal was created was scored (exit 0, every AUC missing):
/// the same range check as `flag --as-of`, open-ended after the data.
#[test]
fn window_end_before_the_data() {
    Case::valid().assert_rejected(
        &["--window-end", "2020-01-01"],
        &[
            "--window-end: 2020-01-01 is before the data",
            "expected a day from 2025-03-03 (first deal created) on",
        ],
    );
}

/// A window ending years after the data took every deal still open as seen open until then
/// (and, past a score's horizon, as not lost). The data's recorded days are 2025-03-03 … 03-06,
/// 04-01 (deal 1 lost) and 05-02 (deal 2 won): the longest quiet spell is the 30 days between
/// the last two, so the window may end up to 30 days after 2025-05-02, and not a day later.
#[test]
fn window_end_after_the_data_by_more_than_its_longest_quiet_spell() {
    let case = Case::valid();
    case.assert_rejected(
        &["--window-end", "2025-06-02"],
        &[
            "--window-end: 2025-06-02 is 31 days after the last recorded day 2025-05-02, \
             longer than any quiet spell in the data (30 days): expected a day up to 2025-06-01",
        ],
    );
    let out = dealsim()
        .args(["score", "--events"])
        .arg(case.path("events.csv"))
        .arg("--deals")
        .arg(case.path("deals.csv"))
        .args(["--window-end", "2025-06-01", "--min-class", "1", "--out"])
        .arg(case.out())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn duplicate_case_ids_in_deals() {
    let deals = deals_csv() + "2,smb,smb-rep-02,inbound,500,2025-03-09T09:00:00,,open,,\n";
    let case = Case::new(&events_csv(), &deals);
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 5, column 1: ", case.deals()),
            "column `case_id`",
            "duplicate",
            "got \"2\"",
        ],
    );
}

/// Values no deal can have: each names its line, column and what was expected.
#[test]
fn impossible_deal_and_event_values() {
    // Deal 1 (line 2) closed before it was created.
    let deals = deals_csv().replace("2025-04-01T10:00:00", "2024-01-01T10:00:00");
    Case::new(&events_csv(), &deals).assert_rejected(
        &[],
        &[
            ": line 2, column 7: column `closed`",
            "expected a close timestamp not before `created` (2025-03-03T09:00:00)",
        ],
    );
    // A negative value (line 3, column 5).
    let deals = deals_csv().replace(",2000,", ",-100,");
    Case::new(&events_csv(), &deals).assert_rejected(
        &[],
        &[
            ": line 3, column 5: column `value`",
            "expected a deal value ≥ 0, got \"-100\"",
        ],
    );
    // A segment named as the pooled rows of every output.
    let deals = deals_csv().replace("3,smb,", "3,all,");
    Case::new(&events_csv(), &deals).assert_rejected(
        &[],
        &[
            ": line 4, column 2: column `segment`",
            "other than `all`, which names all segments pooled",
        ],
    );
    // An event of deal 2 (line 6 of events.csv) a year before the deal was created.
    let events = events_csv().replace(
        "2,forecast_update,2025-03-04T09:00:00",
        "2,forecast_update,2024-03-04T09:00:00",
    );
    let case = Case::new(&events, &deals_csv());
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 6, column 3: ", case.events()),
            "expected a time not before the deal's creation (2025-03-04T09:00:00)",
        ],
    );
}

/// A header-only deal table would score into an empty ranking and exit 0. (Deals without
/// events are a log the library reads, as its property tests cut logs down to that, but
/// score, tune and flag refuse it: `tests/flag_cli.rs`.)
#[test]
fn a_log_without_deals() {
    let case = Case::new(&format!("{EVENTS_HEADER}\n"), &format!("{DEALS_HEADER}\n"));
    case.assert_rejected(
        &[],
        &[&format!(
            "{}: line 2: no deals in the file: expected a row per deal after the header",
            case.deals()
        )],
    );
}

/// `tune --bootstrap 0` is refused as `score` and `run` refuse it (the library takes 0).
#[test]
fn tune_refuses_zero_bootstrap_replicates() {
    let case = Case::valid();
    let output = dealsim()
        .arg("tune")
        .arg("--events")
        .arg(case.path("events.csv"))
        .arg("--deals")
        .arg(case.path("deals.csv"))
        .arg("--out")
        .arg(case.out())
        .args(["--bootstrap", "0"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--bootstrap: must be at least 1, got 0"),
        "{stderr}"
    );
    assert!(!case.out().exists());
}

/// Events and deals of different logs (two runs' files, say) share case ids but not segments:
/// the first event that contradicts its deal is named, with both segments.
#[test]
fn an_event_in_another_segment_than_its_deal() {
    let events = events_csv().replace(
        "2,client_reply,2025-03-06T11:00:00,client,smb,",
        "2,client_reply,2025-03-06T11:00:00,client,enterprise,",
    );
    let case = Case::new(&events, &deals_csv());
    case.assert_rejected(
        &[],
        &[
            &format!("{}: line 7, column 5: column `segment`: ", case.events()),
            &format!(
                "expected the segment of case \"2\" in {} (\"smb\"",
                case.deals()
            ),
            "different logs?), got \"enterprise\"",
        ],
    );
}

/// A `--truth` file must hold one row per deal of the log, each in the deal's segment.
#[test]
fn a_truth_file_of_another_log() {
    const HEADER: &str = "case_id,segment,health_logit,process_logit";
    let case = Case::valid();
    let truth = case.path("truth.csv");
    let t = truth.display().to_string();
    let rejected = |rows: &[&str], expected: &[&str]| {
        fs::write(&truth, [&[HEADER], rows].concat().join("\n") + "\n").expect("write");
        case.assert_rejected(&["--with-truth", "--truth", &t], expected);
    };
    rejected(
        &["1,smb,0.1,0.2", "7,smb,0.1,0.2"],
        &[&format!(
            "{t}: line 3, column 1: case \"7\" is not in {}",
            case.deals()
        )],
    );
    rejected(
        &["1,smb,0.1,0.2", "1,smb,0.1,0.2"],
        &[&format!(
            "{t}: line 3, column 1: case \"1\" has a row already"
        )],
    );
    rejected(
        &["1,smb,0.1,0.2", "2,enterprise,0.1,0.2"],
        &[&format!(
            "{t}: line 3, column 2: case \"2\" is in segment \"enterprise\" here but \"smb\" in {}",
            case.deals()
        )],
    );
    rejected(
        &["1,smb,0.1,0.2", "3,smb,0.1,0.2"],
        &[&format!(
            "{t}: has 2 rows for the 3 deals of {}: expected one per deal, and case \"2\" has none",
            case.deals()
        )],
    );
    // One row per deal, in any order, is read.
    fs::write(
        &truth,
        format!("{HEADER}\n3,smb,0,0\n1,smb,0.1,0.2\n2,smb,1,1\n"),
    )
    .expect("write");
    common::succeeded(&case.score(&["--with-truth", "--truth", &t]));
}

// ---------------------------------------------------------------------------------------------
// A simulated log, scored.

fn score_sim(sim: &Path, out: &Path, threads: &str) {
    let output = on_log("score", sim)
        .env("RAYON_NUM_THREADS", threads)
        .args([
            "--bootstrap",
            "20",
            "--quiet",
            "--window-end",
            "2026-08-31",
            "--out",
        ])
        .arg(out)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("segment smb: indicators ranked"),
        "{stdout}"
    );
    // The default landmarks are weekly: the AUC columns say which they show, as the report's
    // column heads do.
    assert!(
        stdout.contains(
            "\nAUC30, AUC60, AUC90: at landmarks 28, 63, 91 (the nearest to days 30, 60, 90)\n"
        ),
        "{stdout}"
    );
}

/// Landmarks on the days themselves need no note on the AUC columns.
#[test]
fn auc_columns_on_their_own_days_need_no_note() {
    let output = Case::valid().score(&["--landmarks", "30:90:30"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("indicators ranked") && !stdout.contains("at landmarks"),
        "{stdout}"
    );
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("readable CSV");
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn simulated_log_is_scored_into_documented_files_identically_on_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = dir.path().join("sim");
    simulate(&sim, "1500");
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    score_sim(&sim, &one, "1");
    score_sim(&sim, &two, "2");
    for f in OUTPUTS {
        let (a, b) = (
            fs::read(one.join(f)).unwrap(),
            fs::read(two.join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    // Writing into the simulation's directory leaves its files alone.
    assert_eq!(
        listing(&sim),
        [
            ".dealsim-files",
            "deals.csv",
            "events.csv",
            "manifest.json",
            "scenario.toml",
            "truth.csv"
        ]
    );

    let default_set = dealsim::indicators::default_set();
    let indicators: Vec<&str> = default_set.iter().map(|i| i.name.as_str()).collect();
    let segments = ["smb", "mid_market", "enterprise", "atypical", "all"];
    let landmarks: Vec<u32> = (7..=168).step_by(7).collect();

    let (header, rows) = read_csv(&one.join("scores.csv"));
    assert_eq!(
        header,
        [
            "indicator",
            "segment",
            "landmark_day",
            "n_at_risk",
            "n_lost",
            "n_won",
            "n_censored",
            "auc",
            "ci_lo",
            "ci_hi",
            "note",
            "vs_baseline",
            "vs_baseline_ci_lo",
            "vs_baseline_ci_hi",
            "vs_baseline_note"
        ]
    );
    assert_eq!(
        rows.len(),
        indicators.len() * segments.len() * landmarks.len()
    );
    let mut k = 0;
    let mut reported = 0;
    for ind in &indicators {
        for seg in segments {
            for &day in &landmarks {
                let r = &rows[k];
                k += 1;
                assert_eq!(
                    (r[0].as_str(), r[1].as_str(), r[2].parse::<u32>().unwrap()),
                    (*ind, seg, day)
                );
                let n: Vec<u64> = r[3..7].iter().map(|x| x.parse().unwrap()).collect();
                assert!(n[1] + n[2] + n[3] <= n[0], "{r:?}");
                if r[7].is_empty() {
                    assert!(
                        r[8].is_empty() && r[9].is_empty() && !r[10].is_empty(),
                        "{r:?}"
                    );
                } else if r[8].is_empty() {
                    // An AUC without an interval: every deal ties (½) in this file.
                    assert_eq!(
                        (r[7].as_str(), r[10].as_str()),
                        ("0.5", "no interval: every deal has the same value"),
                        "{r:?}"
                    );
                } else {
                    reported += 1;
                    let [auc, lo, hi] = [&r[7], &r[8], &r[9]].map(|x| x.parse::<f64>().unwrap());
                    assert!(
                        (0.0..=1.0).contains(&auc) && 0.0 <= lo && lo <= hi && hi <= 1.0,
                        "{r:?}"
                    );
                    assert!(n[1] >= 20 && n[2] >= 20, "min-class 20: {r:?}");
                    assert!(r[10].is_empty(), "{r:?}");
                }
            }
        }
    }
    assert!(reported > rows.len() / 4, "only {reported} AUCs reported");

    let (header, rows) = read_csv(&one.join("indicator_summary.csv"));
    assert_eq!(
        header,
        [
            "indicator",
            "segment",
            "earliest_reliable_day",
            "auc_30",
            "auc_60",
            "auc_90",
            "rank",
            "reliability_judged"
        ]
    );
    assert_eq!(rows.len(), indicators.len() * segments.len());
    for seg in segments {
        let mut ranks: Vec<u32> = rows
            .iter()
            .filter(|r| r[1] == seg)
            .map(|r| r[6].parse().unwrap())
            .collect();
        ranks.sort();
        assert_eq!(
            ranks,
            (1..=indicators.len() as u32).collect::<Vec<_>>(),
            "{seg}"
        );
    }
    for r in &rows {
        assert!(indicators.contains(&r[0].as_str()), "{r:?}");
        // Empty = never reliable; otherwise one of the landmarks.
        if !r[2].is_empty() {
            assert!(landmarks.contains(&r[2].parse().unwrap()), "{r:?}");
        }
    }

    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(one.join("scores.json")).unwrap()).unwrap();
    assert_eq!(json["with_truth"], false);
    assert_eq!(json["window_end"], "2026-08-31");
    assert_eq!(
        json["scores"].as_array().unwrap().len(),
        indicators.len() * segments.len() * landmarks.len()
    );
    assert_eq!(
        json["summary"].as_array().unwrap().len(),
        indicators.len() * segments.len()
    );
    assert_eq!(
        json["indicators"].as_array().unwrap().len(),
        indicators.len()
    );
}

/// `score`, `tune` and `calibrate` see nothing after `--window-end`: scoring a log with a
/// window end before its last day gives byte for byte what scoring the log `cut` at that day
/// gives (deals open then are censored, not scored with their later outcome; deals created
/// later are left out of every table; `--with-truth` keeps the window's rows of the whole log's
/// truth file), and so does tuning. With a quarter of the deals at risk
/// open, `score` warns about `known` censoring, and not under `ipcw`, whose horizon the
/// reports state.
#[test]
fn a_window_end_before_the_data_ends_sees_the_log_as_cut_there() {
    let tmp = TempDir::new().unwrap();
    let at = |name: &str| tmp.path().join(name);
    let run = |args: &[&str]| {
        let out = dealsim().args(args).output().expect("runs");
        common::succeeded(&out);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let path = |p: PathBuf| p.to_str().expect("a UTF-8 path").to_string();
    let (sim, cut) = (path(at("sim")), path(at("cut")));
    run(&["simulate", "--deals", "2000", "--quiet", "--out", &sim]);
    let log_of = |dir: &str| {
        vec![
            "--events".to_string(),
            format!("{dir}/events.csv"),
            "--deals".to_string(),
            format!("{dir}/deals.csv"),
        ]
    };
    let day = "2025-09-30";
    let mut args: Vec<String> = vec!["cut".into(), "--as-of".into(), day.into(), "--out".into()];
    args.push(cut.clone());
    args.extend(log_of(&sim));
    run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // The window end matters here: deals closed after it and deals created after it.
    let deals = fs::read_to_string(at("sim").join("deals.csv")).unwrap();
    let cut_deals = fs::read_to_string(at("cut").join("deals.csv")).unwrap();
    assert!(deals.lines().count() > cut_deals.lines().count() + 100);
    // The hidden truth of the cut log's deals, beside it: `score --with-truth` on the full
    // log with a window end reads the whole log's truth file and keeps the window's rows.
    let kept: std::collections::HashSet<&str> = cut_deals
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let truth = fs::read_to_string(at("sim").join("truth.csv")).unwrap();
    let mut lines = truth.lines();
    let mut cut_truth = format!("{}\n", lines.next().unwrap());
    for line in lines.filter(|l| kept.contains(l.split(',').next().unwrap())) {
        cut_truth.push_str(line);
        cut_truth.push('\n');
    }
    fs::write(at("cut").join("truth.csv"), cut_truth).unwrap();
    for command in ["score", "tune"] {
        let outputs = [("on-cut", &cut, None), ("window-end", &sim, Some(day))];
        for (name, log, end) in outputs {
            let mut args: Vec<String> = vec![command.into(), "--bootstrap".into(), "20".into()];
            args.push("--out".into());
            args.push(path(at(&format!("{command}-{name}"))));
            args.extend(log_of(log));
            if let Some(day) = end {
                args.extend(["--window-end".into(), day.into()]);
            }
            if command == "score" {
                args.push("--with-truth".into());
            }
            let stderr = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
            // A quarter of the deals at risk are open on the cut day: `known` censoring (the
            // default) leaves them out, and `score` says what that does.
            if command == "score" {
                assert!(
                    stderr.contains("% of the deals at risk (over all landmarks")
                        && stderr.contains("--censoring ipcw weights for them")
                        && stderr.contains(
                            "with a --horizon at least as long as the longest sales cycle"
                        ),
                    "{stderr}"
                );
            }
        }
        if command == "score" {
            let mut args: Vec<String> = vec!["score".into(), "--bootstrap".into(), "20".into()];
            args.extend(["--censoring".into(), "ipcw".into(), "--horizon".into()]);
            args.extend(["45".into(), "--out".into(), path(at("ipcw"))]);
            args.extend(log_of(&cut));
            let stderr = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(!stderr.contains("over all landmarks"), "{stderr}");
            // The horizon decides what counts as a loss: both reports name it.
            for (file, said) in [
                ("summary.md", "censoring `ipcw` (horizon 45 calendar days)"),
                ("index.html", "ipcw (horizon 45 calendar days)"),
            ] {
                let text = fs::read_to_string(at("ipcw").join(file)).unwrap();
                assert!(text.contains(said), "{file} does not say {said}");
            }
        }
        let (a, b) = (
            at(&format!("{command}-on-cut")),
            at(&format!("{command}-window-end")),
        );
        assert_eq!(listing(&a), listing(&b));
        for file in listing(&a) {
            assert!(
                fs::read(a.join(&file)).unwrap() == fs::read(b.join(&file)).unwrap(),
                "{command}: {file} differs"
            );
        }
    }
}

/// Scores the simulated log in `sim` into `out` with `flags`; returns stderr.
fn score_with(sim: &Path, out: &Path, flags: &[&std::ffi::OsStr]) -> String {
    let output = on_log("score", sim)
        .args(["--bootstrap", "20", "--quiet", "--out"])
        .arg(out)
        .args(flags)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

#[test]
fn a_simulated_log_is_scored_against_the_scenario_beside_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| dir.path().join(name);
    // smb at a slower pace: its step deadlines differ from the embedded default's.
    let mine = dealsim::scenario::DEFAULT_TOML
        .replacen("name = \"default\"", "name = \"mine\"", 1)
        .replacen("pace = 1.15", "pace = 2.5", 1);
    assert_ne!(mine, dealsim::scenario::DEFAULT_TOML);
    fs::write(p("mine.toml"), &mine).unwrap();
    fs::write(p("default.toml"), dealsim::scenario::DEFAULT_TOML).unwrap();
    let sim = p("sim");
    let output = dealsim()
        .args(["simulate", "--deals", "1500", "--quiet", "--scenario"])
        .arg(p("mine.toml"))
        .arg("--out")
        .arg(&sim)
        .output()
        .expect("runs");
    succeeded(&output);
    // The scenario as resolved: --deals rescaled the inflow, the rest is mine.toml.
    let beside = dealsim::scenario::Scenario::load(&sim.join("scenario.toml")).unwrap();
    assert_eq!(beside.name, "mine");

    let stderr = score_with(&sim, &p("beside"), &[]);
    assert!(
        stderr.contains(&format!(
            "note: scenario from {} (beside the events file; --scenario FILE for another)",
            sim.join("scenario.toml").display()
        )),
        "{stderr}"
    );
    let stderr = score_with(
        &sim,
        &p("mine"),
        &["--scenario".as_ref(), p("mine.toml").as_os_str()],
    );
    assert!(!stderr.contains("note: scenario"), "{stderr}");
    score_with(
        &sim,
        &p("default"),
        &["--scenario".as_ref(), p("default.toml").as_os_str()],
    );
    let read = |d: &str| fs::read(p(d).join("scores.csv")).unwrap();
    assert!(
        read("beside") == read("mine"),
        "scored against another scenario"
    );
    // The default's deadlines give other scores (what `score` used before it read the file).
    assert!(read("beside") != read("default"));

    // `cut` takes the scenario along.
    let output = dealsim()
        .arg("cut")
        .arg("--events")
        .arg(sim.join("events.csv"))
        .arg("--deals")
        .arg(sim.join("deals.csv"))
        .args(["--as-of", "2026-02-15", "--out"])
        .arg(p("cut"))
        .output()
        .expect("runs");
    succeeded(&output);
    assert_eq!(
        fs::read(p("cut/scenario.toml")).unwrap(),
        fs::read(sim.join("scenario.toml")).unwrap()
    );
}

/// A directory given as `--events` or `--deals` (the run directory instead of a file in it)
/// was reported as "Is a directory (os error 21)", without the flag: every command reading a
/// log names the flag, says a file is expected and which one the directory holds.
#[test]
fn a_directory_given_for_a_log_file_is_named_by_its_flag() {
    let case = Case::valid();
    let dir = case.dir.path().display().to_string();
    let out = case.path("out").display().to_string();
    let log = ["--events", &dir, "--deals", &dir];
    let commands: [&[&str]; 6] = [
        &["score"],
        &["tune"],
        &["flag", "--policy", "policy.toml", "--as-of", "2025-06-30"],
        &["cut", "--as-of", "2025-06-30", "--out", &out],
        &["calibrate"],
        &["export", "--format", "csv", "--out", &out],
    ];
    for command in commands {
        let output = dealsim().args(command).args(log).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        let said = format!(
            "error: --events {dir}: is a directory: expected a file, the event log as CSV; \
             did you mean --events {}?",
            case.events()
        );
        assert!(stderr.contains(&said), "{command:?}: {stderr}");
        assert!(!case.out().exists(), "{command:?}");
    }
    // A directory without the file: no suggestion.
    let empty = case.path("empty");
    fs::create_dir(&empty).unwrap();
    let empty = empty.display().to_string();
    let output = dealsim()
        .args(["score", "--events", &case.events(), "--deals", &empty])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let said =
        format!("error: --deals {empty}: is a directory: expected a file, the deal table as CSV\n");
    assert!(stderr.contains(&said), "{stderr}");
}

/// `tune` takes `--quiet` as `score` does (its progress line, on stderr, is hidden); the files
/// are the same either way.
#[test]
fn tune_takes_quiet_and_writes_the_same_files() {
    let case = Case::valid();
    let tuned = |name: &str, extra: &[&str]| {
        let out = case.path(name);
        let output = on_log("tune", case.dir.path())
            .arg("--out")
            .arg(&out)
            .args(["--bootstrap", "5"])
            .args(extra)
            .output()
            .expect("runs");
        succeeded(&output);
        listing(&out)
            .into_iter()
            .map(|n| (fs::read(out.join(&n)).unwrap(), n))
            .collect::<Vec<_>>()
    };
    assert_eq!(tuned("quiet", &["--quiet"]), tuned("shown", &[]));
}

/// Reliability takes three landmarks in a row above the target, so with fewer every indicator
/// reads "never reliable": a warning says why (stderr and scores.json), and three landmarks
/// get none.
#[test]
fn fewer_landmarks_than_reliability_needs_is_a_warning() {
    let case = Case::valid();
    let warning = "only 2 landmark(s): no indicator can be called reliable, which takes 3 \
                   landmarks in a row";
    let output = case.score(&["--landmarks", "7:14:7"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains(warning), "{stderr}");
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(case.out().join("scores.json")).unwrap()).unwrap();
    assert!(
        json["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("only 2 landmark(s)")),
        "{json}"
    );
    let output = case.score(&["--landmarks", "7:21:7"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("landmark(s)"), "{stderr}");
}

/// An indicator whose events never occur in the log is not scored: without a single
/// `proposal_sent`, proposal_delay_days is every deal's age in working days, whose AUC is the
/// calendar's (0.54 on a CRM log, ranked second). Its rows say why, it is not ranked, and the
/// indicators the log does carry score as before.
#[test]
fn an_indicator_whose_events_never_occur_is_not_scored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = dir.path().join("sim");
    simulate(&sim, "1500");
    let events = fs::read_to_string(sim.join("events.csv")).unwrap();
    let without: String = events
        .lines()
        .filter(|l| l.split(',').nth(1) != Some("proposal_sent"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(without.len() < events.len(), "the log had proposals");
    fs::write(sim.join("events.csv"), without).unwrap();
    let out = dir.path().join("scored");
    let run = on_log("score", &sim)
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    succeeded(&run);
    let (header, rows) = read_csv(&out.join("scores.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (indicator, auc, note) = (col("indicator"), col("auc"), col("note"));
    let proposal: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[indicator] == "proposal_delay_days")
        .collect();
    assert!(!proposal.is_empty());
    for r in proposal {
        assert_eq!(r[auc], "", "{r:?}");
        assert_eq!(
            r[note],
            "not scored: \"proposal_sent\" never occurs in the log, so the indicator reads the \
             same for every deal of an age"
        );
    }
    let scored = |name: &str| {
        rows.iter()
            .any(|r| r[indicator] == name && !r[auc].is_empty())
    };
    assert!(scored("steps_on_time_ratio") && scored("days_since_last_touch"));
    let (header, summary) = read_csv(&out.join("indicator_summary.csv"));
    let (name, auc_60) = (
        header.iter().position(|h| h == "indicator").unwrap(),
        header.iter().position(|h| h == "auc_60").unwrap(),
    );
    for r in summary.iter().filter(|r| r[name] == "proposal_delay_days") {
        assert_eq!(r[auc_60], "", "no AUC at 60 days to rank it by: {r:?}");
    }
}

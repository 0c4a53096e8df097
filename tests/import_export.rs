//! Import and export through the binary (issue 7): round trips, the CRM sample, bad input.
//!
//! Round trips simulate a small log, export it (XES, gzipped XES, PM4Py CSV), import it back
//! and compare `events.csv` and `deals.csv` byte for byte, then score both logs and compare
//! `scores.csv` byte for byte; the imported CRM sample, whose `deals.csv` has extra columns
//! (account, sector, ...), makes the same round trip. Every bad input class of the issue has a test: exit code 2, a
//! message naming the place and what was expected, and no output directory.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::dealsim;

/// A simulated log shared by the round-trip tests (simulated once).
fn simulated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep().join("sim");
        dealsim()
            .args([
                "simulate", "--deals", "600", "--seed", "7", "--quiet", "--out",
            ])
            .arg(&dir)
            .assert()
            .success();
        dir
    })
}

fn read(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `dealsim score` on a log with fixed options; returns scores.csv.
fn score(events: &Path, deals: &Path, out: &Path) -> Vec<u8> {
    dealsim()
        .args([
            "score",
            "--quiet",
            "--bootstrap",
            "20",
            "--window-end",
            "2025-12-31",
        ])
        .arg("--events")
        .arg(events)
        .arg("--deals")
        .arg(deals)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    read(&out.join("scores.csv"))
}

/// Exports the log in `dir` to `tmp/file` in `format`, imports that with `importer` into
/// `tmp/imported`, checks that `events.csv` and `deals.csv` came back byte for byte, and
/// returns the export's `--json` counts.
fn export_and_import(
    dir: &Path,
    tmp: &Path,
    (format, file, importer): (&str, &str, &str),
) -> serde_json::Value {
    let exported = tmp.join(file);
    let out = dealsim()
        .args(["export", "--json", "--format", format, "--events"])
        .arg(dir.join("events.csv"))
        .arg("--deals")
        .arg(dir.join("deals.csv"))
        .arg("--out")
        .arg(&exported)
        .assert()
        .success();
    let stats: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let events_in = read(&dir.join("events.csv"));
    let n_events = events_in.iter().filter(|&&b| b == b'\n').count() - 1;
    assert_eq!(stats["events"], n_events as u64);
    let imported = tmp.join("imported");
    import_ok(importer, &exported, &imported, &[]);
    assert!(
        read(&imported.join("events.csv")) == events_in,
        "{format}: events differ after the round trip"
    );
    assert!(
        read(&imported.join("deals.csv")) == read(&dir.join("deals.csv")),
        "{format}: deals differ after the round trip"
    );
    stats
}

fn round_trip(format: &str, file: &str, importer: &str) {
    let sim = simulated();
    let tmp = tempfile::tempdir().unwrap();
    let stats = export_and_import(sim, tmp.path(), (format, file, importer));
    let imported = tmp.path().join("imported");
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&imported.join("import_summary.json"))).unwrap();
    for key in [
        "cases",
        "events",
        "open",
        "start_activities",
        "end_activities",
    ] {
        assert_eq!(summary[key], stats[key], "{format}: {key}");
    }
    let original = score(
        &sim.join("events.csv"),
        &sim.join("deals.csv"),
        &tmp.path().join("s1"),
    );
    let again = score(
        &imported.join("events.csv"),
        &imported.join("deals.csv"),
        &tmp.path().join("s2"),
    );
    assert!(original == again, "{format}: scores differ");
    assert!(original.len() > 1000);
}

#[test]
fn xes_round_trip_gives_the_same_log_and_scores() {
    round_trip("xes", "log.xes", "xes");
}

#[test]
fn gzipped_xes_round_trip() {
    round_trip("xes", "log.xes.gz", "xes");
}

#[test]
fn pm4py_csv_round_trip_gives_the_same_log_and_scores() {
    round_trip("csv", "log.csv", "csv");
}

fn crm_sample() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/crm_sample");
    assert!(
        p.join("sales_pipeline.csv").exists(),
        "the CRM sample is expected at {} (shared/ beside the repository)",
        p.display()
    );
    p
}

/// The CRM sample in `dir` with its row of opportunity Z063OYW0 (won, engaged 10/25/2016,
/// closed 3/11/2017 at 4514) passed through `edit`.
fn crm_sample_edited(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let copy = copy_of_crm_sample(dir);
    let pipeline = copy.join("sales_pipeline.csv");
    let text = fs::read_to_string(&pipeline).unwrap();
    let row = "Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Won,10/25/2016,3/11/2017,4514\n";
    assert!(text.contains(row), "the row to edit is in the sample");
    fs::write(&pipeline, text.replacen(row, &edit(row), 1)).unwrap();
    copy
}

/// `dealsim import crm SOURCE --out OUT` refused with exit code 2 and nothing written: its
/// stderr.
fn crm_import_refused(source: &Path, out: &Path) -> String {
    let refused = dealsim()
        .args(["import", "crm"])
        .arg(source)
        .arg("--out")
        .arg(out)
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(!out.exists(), "nothing written");
    String::from_utf8_lossy(&refused.stderr).into_owned()
}

/// A copy of the CRM sample's files in `dir` (created), to edit.
fn copy_of_crm_sample(dir: &Path) -> PathBuf {
    fs::create_dir(dir).unwrap();
    for f in fs::read_dir(crm_sample()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
    }
    dir.to_path_buf()
}

/// A close date with its year typed wrong (2027 for 2017) becomes the log's last day, which
/// score and tune end the window at: the import takes it but says so, naming the deal. The
/// sample as it is has no such date.
#[test]
fn a_year_typed_wrong_is_pointed_out() {
    let tmp = tempfile::tempdir().unwrap();
    let stray = "stray date";
    let notes = |source: &Path, out: &str| {
        let output = import_ok("crm", source, &tmp.path().join(out), &[]);
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    let as_is = notes(&crm_sample(), "as-is");
    assert!(!as_is.contains("a year typed wrong"), "{stray}");
    // But it is cut on the left: the first close 132 days after the first engagement, half
    // the cycles within 45 days (pandas on sales_pipeline.csv: 6,711 closed deals).
    assert!(
        as_is.contains(
            "note: no deal closes in the first 132 days of the data (2016-10-20 to 2017-03-01), \
             though half the closed deals close within 45 days"
        ),
        "{as_is}"
    );
    let copy = crm_sample_edited(&tmp.path().join("typo"), |row| {
        row.replace("3/11/2017,", "3/11/2027,")
    });
    let said = notes(&copy, "typo-log");
    assert!(
        said.contains("note: 1 date lies after a gap of")
            && said.contains("to 2027-03-11): a year typed wrong? The last of them, 2027-03-11 (case \"Z063OYW0\")"),
        "{said}"
    );
    let summary = fs::read_to_string(tmp.path().join("typo-log/import_summary.json")).unwrap();
    assert!(
        summary.contains("a year typed wrong"),
        "recorded with the import"
    );
}

/// A close before the engage date is refused at its line with both dates: either may be the
/// typo (the message once named only the close date's column, with neither value).
#[test]
fn a_crm_close_before_its_engage_date_is_refused_with_both_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = crm_sample_edited(&tmp.path().join("typo"), |row| {
        row.replace("10/25/2016,", "10/25/2071,")
    });
    let said = crm_import_refused(&copy, &tmp.path().join("refused"));
    assert!(
        said.contains(
            "sales_pipeline.csv: line 3, column 7: column `close_date`: the close date \
             \"3/11/2017\" is before the engage date \"10/25/2071\" (column `engage_date`)"
        ),
        "{said}"
    );
}

/// A row with one field more than the header (an unquoted decimal comma: `4.514,00`) is
/// refused at its line, not read with the last value dropped; `--lenient` skips it.
#[test]
fn a_crm_row_longer_than_its_header_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = crm_sample_edited(&tmp.path().join("comma"), |row| {
        row.replace(",4514", ",4.514,00")
    });
    let said = crm_import_refused(&copy, &tmp.path().join("refused"));
    assert!(
        said.contains(
            "sales_pipeline.csv: line 3, column 1: a row has 9 fields but the header has 8"
        ),
        "{said}"
    );
    let lenient = import_ok("crm", &copy, &tmp.path().join("lenient"), &["--lenient"]);
    let said = String::from_utf8_lossy(&lenient.stderr);
    assert!(
        said.contains("skipped 1 bad rows or cases (--lenient)"),
        "{said}"
    );
}

/// An import's header naming a column twice is refused (the second would be dropped): in an
/// event CSV, and in a CRM export's table, which the same header reader reads.
#[test]
fn a_column_named_twice_is_refused_on_import() {
    let b = Bad::new();
    let events = b.file(
        "events.csv",
        b"case_id,activity,timestamp,activity\nA,deal_created,2025-01-02T09:00:00,rep\n",
    );
    b.rejected(
        &["csv", events.to_str().unwrap()],
        &["events.csv: line 1, column 4: column `activity` appears twice in the header (columns 2 and 4)"],
    );
    let tmp = tempfile::tempdir().unwrap();
    let copy = copy_of_crm_sample(&tmp.path().join("twice"));
    let pipeline = copy.join("sales_pipeline.csv");
    let text = fs::read_to_string(&pipeline).unwrap();
    fs::write(&pipeline, text.replacen(",close_date,", ",engage_date,", 1)).unwrap();
    let said = crm_import_refused(&copy, &tmp.path().join("refused"));
    assert!(
        said.contains("column `engage_date` appears twice"),
        "{said}"
    );
}

/// A European export writes D/M/YYYY: read as the sample's M/D/YYYY it stops at the first
/// date with a day above 12, naming `--date-format`; with `--date-format %d/%m/%Y` it is the
/// sample's log exactly; with `--lenient` and the wrong format, most rows are skipped and the
/// summary says the rest may be misread.
#[test]
fn a_day_first_export_reads_with_date_format() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = copy_of_crm_sample(&tmp.path().join("dmy"));
    // Every M/D/YYYY field of the pipeline written D/M/YYYY.
    let pipeline = copy.join("sales_pipeline.csv");
    let swapped: Vec<String> = fs::read_to_string(&pipeline)
        .unwrap()
        .lines()
        .map(|line| {
            line.split(',')
                .map(|field| match field.split('/').collect::<Vec<_>>()[..] {
                    [m, d, y] if y.len() == 4 => format!("{d}/{m}/{y}"),
                    _ => field.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    fs::write(&pipeline, swapped.join("\n") + "\n").unwrap();
    let said = crm_import_refused(&copy, &tmp.path().join("refused"));
    assert!(
        said.contains(
            "line 2, column 6: column `engage_date`: cannot read the date \"20/10/2016\""
        ) && said.contains("(--date-format for another)"),
        "{said}"
    );
    import_ok("crm", &crm_sample(), &tmp.path().join("mdy"), &[]);
    import_ok(
        "crm",
        &copy,
        &tmp.path().join("read"),
        &["--date-format", "%d/%m/%Y"],
    );
    for f in ["events.csv", "deals.csv"] {
        assert_eq!(
            fs::read(tmp.path().join("read").join(f)).unwrap(),
            fs::read(tmp.path().join("mdy").join(f)).unwrap(),
            "{f}"
        );
    }
    let lenient = import_ok("crm", &copy, &tmp.path().join("lenient"), &["--lenient"]);
    let said = String::from_utf8_lossy(&lenient.stderr);
    assert!(said.contains("more rows or cases were skipped ("), "{said}");
}

/// The CRM import's extra deal columns go out as case attributes (XES string trace
/// attributes, PM4Py CSV `case:` columns) and come back as the same columns of `deals.csv`.
#[test]
fn crm_import_round_trips_with_its_extra_deal_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let crm = tmp.path().join("crm");
    import_ok("crm", &crm_sample(), &crm, &[]);
    let deals = String::from_utf8(read(&crm.join("deals.csv"))).unwrap();
    assert!(
        deals.starts_with("case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step,account,sector,product,series,regional_office,manager,close_value\n"),
        "{}",
        &deals[..200]
    );
    for (format, file, importer) in [
        ("xes", "log.xes", "xes"),
        ("xes", "log.xes.gz", "xes"),
        ("csv", "log.csv", "csv"),
        ("csv", "log.csv.gz", "csv"),
    ] {
        let dir = tmp.path().join(file);
        fs::create_dir(&dir).unwrap();
        export_and_import(&crm, &dir, (format, file, importer));
        if file.ends_with(".gz") {
            continue;
        }
        // What a process-mining tool sees of deal Z063OYW0 (an empty lost_stage is left out
        // of XES; an empty extra value is not, so every trace lists the same attributes).
        let exported = String::from_utf8(read(&dir.join(file))).unwrap();
        let expected = if format == "xes" {
            "\t\t<string key=\"outcome\" value=\"won\"/>\n\
             \t\t<string key=\"account\" value=\"Isdom\"/>\n\
             \t\t<string key=\"sector\" value=\"medical\"/>\n\
             \t\t<string key=\"product\" value=\"GTX Pro\"/>\n\
             \t\t<string key=\"series\" value=\"GTX\"/>\n\
             \t\t<string key=\"regional_office\" value=\"Central\"/>\n\
             \t\t<string key=\"manager\" value=\"Melvin Marxen\"/>\n\
             \t\t<string key=\"close_value\" value=\"4514\"/>\n\
             \t\t<event>\n"
        } else {
            ",won,,,Isdom,medical,GTX Pro,GTX,Central,Melvin Marxen,4514,,,,,\n"
        };
        let at = exported.find("Z063OYW0").unwrap();
        assert!(exported[at..].contains(expected), "{format}: {expected}");
        if format == "csv" {
            let header = exported.lines().next().unwrap();
            assert!(
                header.contains(",case:lost_step,case:account,case:sector,case:product,case:series,case:regional_office,case:manager,case:close_value,stage,"),
                "{header}"
            );
        }
    }
}

#[test]
fn crm_sample_imports_reports_what_did_not_join_and_scores() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("crm");
    let run = import_ok("crm", &crm_sample(), &out, &[]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    // 8,800 opportunities: 4,238 Won, 2,473 Lost, 1,589 Engaging, 500 Prospecting without any
    // date (left out, with a note).
    assert!(
        stderr.contains("4238 won, 2473 lost, 1589 open (censored)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("500 open deals without an engage date"),
        "{stderr}"
    );
    // All of the deals without an account are open (pandas on sales_pipeline.csv: 1,425
    // without one, 1,088 Engaging and 337 Prospecting, which have no engage date and are left
    // out), which leaves the sector segments few open deals.
    assert!(
        stderr.contains("1088 deals have no account (all of them open)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"unmatched product "GTXPro""#)
            && stderr.contains(r#"joined as "GTX Pro""#),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"unmatched sector "technolgy""#),
        "{stderr}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&out.join("import_summary.json"))).unwrap();
    assert_eq!(summary["open"], 1589);
    assert_eq!(summary["cases"], 8300);
    let deals = String::from_utf8(read(&out.join("deals.csv"))).unwrap();
    // Joined attributes: GTXPro got GTX Pro's list price and name, the sector is corrected.
    let row = deals.lines().find(|l| l.starts_with("Z063OYW0,")).unwrap();
    assert_eq!(
        row,
        "Z063OYW0,medical,Darcel Schlecht,unknown,4821,2016-10-25T00:00:00,2017-03-11T00:00:00,won,,,Isdom,medical,GTX Pro,GTX,Central,Melvin Marxen,4514"
    );
    // The CRM indicator set lies beside the imported log, and `score` reads it from there.
    let crm_set = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/crm_indicators.toml");
    assert_eq!(read(&out.join("indicators.toml")), read(&crm_set));
    // `dealsim ARGS --events .. --deals .. --out DIR` on the imported log.
    let on_import = |args: &[&str], dir: &Path| {
        dealsim()
            .args(args)
            .arg("--events")
            .arg(out.join("events.csv"))
            .arg("--deals")
            .arg(out.join("deals.csv"))
            .arg("--out")
            .arg(dir)
            .assert()
            .success()
    };
    let scored = tmp.path().join("scores");
    let run = on_import(&["score", "--quiet", "--bootstrap", "20"], &scored);
    // No sector has a stage map, and no indicator of this set needs one: nothing to warn of.
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("note: indicators from"), "{stderr}");
    // No scenario.toml beside an imported log: the default's holidays and stages, said.
    assert!(
        stderr.contains(
            "note: no scenario.toml beside the events file: the embedded default scenario applies"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("stage map"), "{stderr}");
    // A deal-level export has no step events: its funnel has no rows, and its file still has
    // the header (an empty file is no CSV to pandas).
    assert_eq!(
        read(&scored.join("funnel.csv")),
        b"segment,order,stage,step,entered,lost_here,won,open\n"
    );
    let scores = String::from_utf8(read(&scored.join("scores.csv"))).unwrap();
    let owner_all_day7 = scores
        .lines()
        .find(|l| l.starts_with("owner_win_rate,all,7,"))
        .unwrap();
    let auc: f64 = owner_all_day7.split(',').nth(7).unwrap().parse().unwrap();
    assert!((0.0..=1.0).contains(&auc), "{owner_all_day7}");
    // `score` renders the report on imported data too: every section, one answer per sector,
    // and no claim about a rep forecast the indicator set does not have.
    let html = String::from_utf8(read(&scored.join("index.html"))).unwrap();
    for (id, _) in dealsim::report::html::SECTIONS {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "no section {id}"
        );
    }
    let summary = String::from_utf8(read(&scored.join("summary.md"))).unwrap();
    for sector in [
        "In retail,",
        "In technology,",
        "In unknown,",
        "Across all segments,",
    ] {
        assert!(summary.contains(sector), "{sector} missing from summary.md");
    }
    assert!(summary.contains("the indicator set has no rep forecast to compare with"));
    assert!(!summary.contains("nor does the rep's own forecast"));
    // Nor do the plots' captions and legends, or an always-empty comparison column.
    assert!(html.contains("no forecast indicator was scored, so there is no baseline"));
    for page in [&html, &summary] {
        assert!(!page.contains("is the rep's own forecast"));
        assert!(!page.contains("vs rep forecast"));
        assert!(!page.contains("(baseline, top 3)"));
    }

    // Tuning on the export: its indicators do not predict the outcome. In most sectors no
    // rule flags lost deals more often beyond chance; the held-out deals refute every rule
    // the others get (README, "The held-out check").
    let tuned = tmp.path().join("tuned");
    let run = on_import(&["tune", "--bootstrap", "20"], &tuned);
    let plans = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    // A share is never above 100%: "owner_win_rate <= 100%" flags the deals whose owner has a
    // win rate at all, and each such rule is said to (a user review met two unsaid).
    let vacuous = plans.matches("owner_win_rate <= 100% by day").count();
    assert!(vacuous >= 1, "{plans}");
    assert_eq!(
        plans
            .matches(
                "every value owner_win_rate takes on the tuning deals crosses the chosen threshold"
            )
            .count(),
        vacuous,
        "{plans}"
    );
    let held_out = plans.matches("holdout: recall").count();
    let by_chance = plans
        .matches("beyond chance (one-sided Fisher p < 0.05")
        .count();
    assert!(held_out >= 3 && held_out + by_chance >= 9, "{plans}");
    assert_eq!(
        plans.matches("not confirmed (p = ").count(),
        held_out,
        "{plans}"
    );
    assert_eq!(plans.matches("warning, not confirmed").count(), held_out);
    // Its owner win-rate rules fire on the pipeline of a past day: the rates come from the
    // deals closed before then (they once came out missing for every open deal, 0 flagged).
    let policy = tuned.join("policy.toml");
    let policy = policy.to_str().expect("a UTF-8 path");
    let flag = ["flag", "--policy", policy, "--as-of", "2017-09-30"];
    let run = on_import(&flag, &tmp.path().join("flags"));
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    let counts = stdout
        .strip_prefix("As of 2017-09-30: 2409 open deals, ")
        .unwrap_or_else(|| panic!("{stdout}"));
    let flagged: usize = counts.split(' ').next().unwrap().parse().unwrap();
    assert!((500..2409).contains(&flagged), "{stdout}");
    let stderr = String::from_utf8_lossy(&run.get_output().stderr);
    assert!(!stderr.contains("cannot flag anything"), "{stderr}");
    // The default indicators read step and touch events this export does not have: `tune`
    // says so on stderr and in policy.md, as `score` does.
    let tuned = tmp.path().join("tuned-default");
    let default_set = crm_set.with_file_name("indicators.toml");
    let default_set = default_set.to_str().expect("a UTF-8 path");
    let run = on_import(
        &["tune", "--bootstrap", "1", "--indicators", default_set],
        &tuned,
    );
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    let missing = r#"indicator proposal_delay_days: "proposal_sent" never occurs in the log"#;
    assert!(stderr.contains(&format!("warning: {missing}")), "{stderr}");
    let md = String::from_utf8(read(&tuned.join("policy.md"))).unwrap();
    assert!(md.contains(&format!("- {missing}\n")), "{md}");
}

// ---------------------------------------------------------------------------------------------
// Bad input: one test per class. Each checks exit code 2, the message, and that nothing was
// written.

struct Bad {
    dir: tempfile::TempDir,
}

impl Bad {
    fn new() -> Bad {
        Bad {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        fs::write(&p, bytes).unwrap();
        p
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Runs `dealsim import ARGS --out OUT`, expects exit 2 and no output; returns stderr.
    fn rejected(&self, args: &[&str], expected: &[&str]) -> String {
        let out = dealsim()
            .arg("import")
            .args(args)
            .arg("--out")
            .arg(self.out())
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        for e in expected {
            assert!(stderr.contains(e), "expected {e:?} in: {stderr}");
        }
        assert!(!self.out().exists(), "nothing may be written");
        let strays: Vec<_> = common::listing(self.dir.path())
            .into_iter()
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(strays.is_empty(), "temporary files left: {strays:?}");
        stderr
    }

    /// Runs the import with `--lenient --json`; returns the summary.
    fn lenient(&self, args: &[&str]) -> serde_json::Value {
        let out = dealsim()
            .arg("import")
            .args(args)
            .args(["--lenient", "--json", "--out"])
            .arg(self.out())
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }
}

const GOOD_ROWS: &str = "case_id,activity,timestamp,resource\n\
    a,deal_created,2025-01-02T09:00:00,rep-1\n\
    a,won,2025-03-02T10:00:00,rep-1\n";

#[test]
fn missing_column_lists_the_available_ones() {
    let b = Bad::new();
    let f = b.file("e.csv", b"id,activity,when\na,call,2025-01-02\n");
    b.rejected(
        &["csv", f.to_str().unwrap()],
        &[
            "e.csv: line 1",
            "missing the case_id column",
            "the header has: id, activity, when",
        ],
    );
    // A column named in the mapping flags must exist too.
    b.rejected(
        &[
            "csv",
            f.to_str().unwrap(),
            "--case-id",
            "id",
            "--timestamp",
            "time",
        ],
        &[
            "missing column `time`",
            "the header has: id, activity, when",
        ],
    );
}

#[test]
fn unparseable_timestamp_names_line_value_and_format() {
    let b = Bad::new();
    let text =
        format!("{GOOD_ROWS}b,call,2025-13-45 10:00,rep-2\nb,won,2025-03-04T09:00:00,rep-2\n");
    let f = b.file("e.csv", text.as_bytes());
    b.rejected(
        &["csv", f.to_str().unwrap()],
        &[
            "e.csv: line 4, column 3",
            "column `timestamp`",
            "\"2025-13-45 10:00\"",
            "expected an ISO 8601",
        ],
    );
    let g = b.file("d.csv", b"case_id,activity,timestamp\na,call,04.03.2025\n");
    b.rejected(
        &["csv", g.to_str().unwrap(), "--timestamp-format", "%d/%m/%Y"],
        &[
            "line 2, column 3",
            "\"04.03.2025\"",
            "matching the pattern \"%d/%m/%Y\"",
        ],
    );
    // A pattern chrono cannot read is named as such, not every row's timestamp.
    b.rejected(
        &["csv", g.to_str().unwrap(), "--timestamp-format", "%d.%Q.%Y"],
        &[
            "--timestamp-format: the strftime pattern \"%d.%Q.%Y\" has a specifier chrono \
             does not know",
        ],
    );
    // --lenient: the bad row is skipped and counted.
    let s = b.lenient(&["csv", f.to_str().unwrap()]);
    assert_eq!(
        (s["skipped"].as_u64(), s["events"].as_u64()),
        (Some(1), Some(3))
    );
    assert!(s["skipped_examples"][0]
        .as_str()
        .unwrap()
        .contains("line 4"));
}

/// A row with fewer (or more) fields than the header was cut or edited by hand: its missing
/// fields are not known to be empty. Refused naming the line, as `score` refuses it; skipped
/// and counted with --lenient.
#[test]
fn csv_row_with_another_number_of_fields_is_refused() {
    let b = Bad::new();
    let text = format!("{GOOD_ROWS}b,call\nb,won,2025-03-04T09:00:00,rep-2\n");
    let f = b.file("e.csv", text.as_bytes());
    b.rejected(
        &["csv", f.to_str().unwrap()],
        &[
            "e.csv: line 4, column 1",
            "a row has 2 fields but the header has 4 (a truncated or hand-edited file?)",
        ],
    );
    let s = b.lenient(&["csv", f.to_str().unwrap()]);
    assert_eq!(
        (s["skipped"].as_u64(), s["events"].as_u64()),
        (Some(1), Some(3))
    );
}

#[test]
fn unparseable_xes_timestamp_names_line_value_and_format() {
    let b = Bad::new();
    let text = String::from_utf8(small_xes(&b)).unwrap();
    let broken = text.replacen(
        r#"key="time:timestamp" value="2025-03-02T10:00:00.000+00:00""#,
        r#"key="time:timestamp" value="2025-03-02 at ten""#,
        1,
    );
    let at = broken.lines().position(|l| l.contains("at ten")).unwrap();
    let line = broken
        .lines()
        .take(at)
        .collect::<Vec<_>>()
        .iter()
        .rposition(|l| l.contains("<event>"))
        .unwrap()
        + 1;
    let f = b.file("t.xes", broken.as_bytes());
    let stderr = b.rejected(
        &["xes", f.to_str().unwrap()],
        &[
            "t.xes: line ",
            "\"2025-03-02 at ten\"",
            "expected an xs:dateTime",
        ],
    );
    // The position is where the event starts (its <event> tag, after two tabs).
    assert!(
        stderr.contains(&format!("line {line}, column 3")),
        "{stderr}"
    );
    let s = b.lenient(&["xes", f.to_str().unwrap()]);
    assert_eq!(
        (s["skipped"].as_u64(), s["events"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn non_utf8_bytes_are_named() {
    let b = Bad::new();
    let mut bytes = GOOD_ROWS.as_bytes().to_vec();
    bytes.extend_from_slice(b"b,r\xe9union,2025-01-03T09:00:00,rep-2\n");
    let f = b.file("latin1.csv", &bytes);
    b.rejected(
        &["csv", f.to_str().unwrap()],
        &[
            "latin1.csv: line 4, column 2",
            "column `activity`",
            "invalid UTF-8 (byte 0xe9",
        ],
    );
    let s = b.lenient(&["csv", f.to_str().unwrap()]);
    assert_eq!(s["skipped"], 1);
    fs::remove_dir_all(b.out()).unwrap();
    let x = b.file(
        "bad.xes",
        b"<log>\n<trace><string key=\"concept:name\" value=\"r\xe9\"/></trace>\n</log>\n",
    );
    b.rejected(&["xes", x.to_str().unwrap()], &["bad.xes: line 2", "UTF-8"]);
}

#[test]
fn empty_files() {
    let b = Bad::new();
    let f = b.file("empty.csv", b"");
    b.rejected(&["csv", f.to_str().unwrap()], &["empty.csv", "empty file"]);
    let x = b.file("empty.xes", b"  \n");
    b.rejected(&["xes", x.to_str().unwrap()], &["empty.xes", "empty file"]);
    // A CSV handed to the XES importer is not empty: say what it lacks and what reads it.
    let c = b.file("log.csv", b"case_id,activity,timestamp\n1,won,2025-01-01\n");
    b.rejected(
        &["xes", c.to_str().unwrap()],
        &["log.csv", "no <log> element", "dealsim import csv"],
    );
    let h = b.file("header.csv", b"case_id,activity,timestamp\n");
    b.rejected(
        &["csv", h.to_str().unwrap()],
        &["header.csv", "no cases to import"],
    );
}

/// A small XES log from the exporter, as bytes.
fn small_xes(b: &Bad) -> Vec<u8> {
    let e = b.file("events.csv", GOOD_ROWS.as_bytes());
    let d = b.file(
        "deals.csv",
        b"case_id,segment,created,closed,outcome\na,smb,2025-01-02T09:00:00,2025-03-02T10:00:00,won\n",
    );
    let x = b.dir.path().join("small.xes");
    dealsim()
        .args(["export", "--format", "xes", "--events"])
        .arg(&e)
        .arg("--deals")
        .arg(&d)
        .arg("--out")
        .arg(&x)
        .assert()
        .success();
    read(&x)
}

#[test]
fn truncated_gzip() {
    let b = Bad::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&small_xes(&b)).unwrap();
    let bytes = gz.finish().unwrap();
    let f = b.file("cut.xes.gz", &bytes[..bytes.len() / 2]);
    b.rejected(
        &["xes", f.to_str().unwrap()],
        &["cut.xes.gz", "truncated gzip"],
    );
}

#[test]
fn malformed_xml_names_line_and_column() {
    let b = Bad::new();
    let text = String::from_utf8(small_xes(&b)).unwrap();
    // Break the closing tag of the first event on its own line.
    let broken = text.replacen("\t\t</event>", "\t\t</evnt>", 1);
    let line = broken.lines().position(|l| l.contains("</evnt>")).unwrap() + 1;
    let f = b.file("broken.xes", broken.as_bytes());
    let stderr = b.rejected(
        &["xes", f.to_str().unwrap()],
        &["broken.xes: line ", "malformed XML"],
    );
    assert!(
        stderr.contains(&format!("line {line}, column ")),
        "{stderr}"
    );
    // An <event> tag without its '>' runs into the next tag: malformed, at the event's line
    // (it was reported as an event without a concept:name).
    let open = text.replacen("<event>", "<event", 1);
    let line = open.lines().position(|l| l.ends_with("<event")).unwrap() + 1;
    let f = b.file("open.xes", open.as_bytes());
    b.rejected(
        &["xes", f.to_str().unwrap()],
        &[&format!(
            "open.xes: line {line}, column 3: malformed XML: a '<' inside the <event> tag"
        )],
    );
    // A file cut in the middle is incomplete, not silently shorter.
    let cut = b.file("cut.xes", &text.as_bytes()[..text.len() - "</log>\n".len()]);
    b.rejected(
        &["xes", cut.to_str().unwrap()],
        &["cut.xes", "truncated or incomplete"],
    );
}

#[test]
fn events_out_of_order_are_sorted_with_a_note() {
    let b = Bad::new();
    let f = b.file(
        "e.csv",
        b"case_id,activity,timestamp\na,won,2025-03-02T10:00:00\na,deal_created,2025-01-02T09:00:00\nb,deal_created,2025-01-05\n",
    );
    let out = import_ok("csv", &f, &b.out(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("note: 1 cases had events out of time order; they were sorted"),
        "{stderr}"
    );
    let events = String::from_utf8(read(&b.out().join("events.csv"))).unwrap();
    let a: Vec<&str> = events.lines().filter(|l| l.starts_with("a,")).collect();
    assert!(
        a[0].starts_with("a,deal_created,2025-01-02T09:00:00"),
        "{events}"
    );
    let deals = String::from_utf8(read(&b.out().join("deals.csv"))).unwrap();
    assert!(
        deals.contains(
            "a,unsegmented,unknown,unknown,,2025-01-02T09:00:00,2025-03-02T10:00:00,won,,"
        ),
        "{deals}"
    );
}

/// A price that is not an amount ≥ 0 is an error, not a deal without a value.
#[test]
fn a_negative_list_price_is_rejected() {
    let b = Bad::new();
    let crm = b.dir.path().join("crm");
    fs::create_dir(&crm).unwrap();
    for name in ["accounts.csv", "sales_teams.csv", "sales_pipeline.csv"] {
        fs::copy(crm_sample().join(name), crm.join(name)).unwrap();
    }
    let products = fs::read_to_string(crm_sample().join("products.csv")).unwrap();
    fs::write(
        crm.join("products.csv"),
        products.replacen("GTX Basic,GTX,550", "GTX Basic,GTX,-550", 1),
    )
    .unwrap();
    b.rejected(
        &["crm", crm.to_str().unwrap()],
        &[
            "products.csv: line 2, column 3",
            "column `sales_price`: expected an amount ≥ 0, got \"-550\"",
        ],
    );
}

#[test]
fn duplicate_case_ids_in_a_deal_table() {
    let b = Bad::new();
    // The CRM export's opportunity table is the deal table.
    let crm = b.dir.path().join("crm");
    fs::create_dir(&crm).unwrap();
    for name in ["accounts.csv", "products.csv", "sales_teams.csv"] {
        fs::copy(crm_sample().join(name), crm.join(name)).unwrap();
    }
    fs::write(
        crm.join("sales_pipeline.csv"),
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n\
         X1,Moses Frase,GTX Basic,Cancity,Won,10/20/2016,3/1/2017,1054\n\
         X2,Moses Frase,GTX Basic,Cancity,Lost,10/21/2016,3/2/2017,0\n\
         X1,Moses Frase,GTX Basic,Cancity,Won,10/22/2016,3/3/2017,1054\n",
    )
    .unwrap();
    b.rejected(
        &["crm", crm.to_str().unwrap()],
        &[
            "sales_pipeline.csv: line 4",
            "case id \"X1\" appears twice (duplicate)",
        ],
    );
    let s = b.lenient(&["crm", crm.to_str().unwrap()]);
    assert_eq!(
        (s["skipped"].as_u64(), s["cases"].as_u64()),
        (Some(1), Some(2))
    );
    fs::remove_dir_all(b.out()).unwrap();
    // A deal table beside an event CSV (outcome from a column).
    let e = b.file("events.csv", GOOD_ROWS.as_bytes());
    b.file(
        "outcomes.csv",
        b"id,stage\na,Closed Won\nb,Open\na,Closed Lost\n",
    );
    let m = b.file(
        "mapping.toml",
        b"[deal_table]\nfile = \"outcomes.csv\"\ncase_id = \"id\"\noutcome = \"stage\"\nwon = [\"Closed Won\"]\nlost = [\"Closed Lost\"]\nopen = [\"Open\"]\n",
    );
    b.rejected(
        &["csv", e.to_str().unwrap(), "--mapping", m.to_str().unwrap()],
        &[
            "outcomes.csv: line 4, column 1",
            "duplicate case id \"a\" (first on line 2)",
        ],
    );
}

/// A deal table's columns named like a close that the mapping does not read (a close date it
/// does not name as `closed`, a close value) are noted as ignored, with how to map the date: they
/// were dropped without a word, and the deal closed at its last event instead.
#[test]
fn a_deal_tables_unread_close_columns_are_noted() {
    let b = Bad::new();
    let e = b.file("events.csv", GOOD_ROWS.as_bytes());
    b.file(
        "outcomes.csv",
        b"id,stage,Close Date,close_value,Closing Date,expectedCloseDate,Disclosed,Enclosure\n\
          a,Closed Won,2025-05-01,900,2025-05-01,2025-05-01,no,none\n",
    );
    let import = |closed: &str| -> (String, String) {
        let m = b.file(
            "mapping.toml",
            format!(
                "[deal_table]\nfile = \"outcomes.csv\"\ncase_id = \"id\"\noutcome = \"stage\"\n\
                 won = [\"Closed Won\"]\n{closed}"
            )
            .as_bytes(),
        );
        let run = import_ok("csv", &e, &b.out(), &["--mapping", m.to_str().unwrap()]);
        let deals = String::from_utf8(read(&b.out().join("deals.csv"))).unwrap();
        (String::from_utf8_lossy(&run.stderr).into_owned(), deals)
    };
    let ignored =
        |column: &str| format!("outcomes.csv: column `{column}` of the deal table is ignored: ");
    let (said, deals) = import("");
    assert!(
        said.contains(&format!(
            "{}a deal table gives only the outcome and the close date; if this is the close \
             date, name it with `closed = \"Close Date\"` under [deal_table] in the mapping",
            ignored("Close Date")
        )),
        "{said}"
    );
    for named_like_a_close in ["close_value", "Closing Date", "expectedCloseDate"] {
        assert!(said.contains(&ignored(named_like_a_close)), "{said}");
    }
    for other in ["Disclosed", "Enclosure"] {
        assert!(!said.contains(&format!("`{other}`")), "{said}");
    }
    assert!(deals.contains(",2025-03-02T10:00:00,won,"), "{deals}");
    let (said, deals) = import("closed = \"Close Date\"\n");
    assert!(!said.contains(&ignored("Close Date")), "{said}");
    assert!(
        said.contains(&format!(
            "{}a deal table gives only the outcome and the close date (`closed`, here `Close Date`)",
            ignored("close_value")
        )),
        "{said}"
    );
    assert!(deals.contains(",2025-05-01T00:00:00,won,"), "{deals}");
}

/// A mapping file names columns and values (strings only), so `inf` and `nan`, valid TOML
/// floats, are refused by type, with the line, column and field.
#[test]
fn infinity_or_nan_in_a_mapping_file_is_refused_by_type() {
    let b = Bad::new();
    let e = b.file("events.csv", GOOD_ROWS.as_bytes());
    for (mapping, expected) in [
        (
            "case_id = inf\n",
            "line 1, column 11: case_id: invalid type: floating point `inf`",
        ),
        (
            "lost_activities = [\"lost\", nan]\n",
            "line 1, column 28: lost_activities[1]: invalid type: floating point `NaN`",
        ),
        (
            "[steps]\nproposal = -inf\n",
            "line 2, column 12: steps.proposal: invalid type: floating point `-inf`",
        ),
    ] {
        let m = b.file("mapping.toml", mapping.as_bytes());
        b.rejected(
            &["csv", e.to_str().unwrap(), "--mapping", m.to_str().unwrap()],
            &[&format!("mapping.toml: {expected}"), "expected a string"],
        );
    }
}

#[test]
fn mapping_flags_formats_time_zone_steps_and_deal_table() {
    let b = Bad::new();
    let e = b.file(
        "crm.csv",
        "Deal;Action;When;Who;Tier\n\
         D-1;Created;04.03.2025 09:30;Ann;gold\n\
         D-1;Sent proposal;06.03.2025 17:00;Ann;gold\n\
         D-2;Created;05.03.2025 08:00;Bob;silver\n\
         D-2;Closed Lost;09.04.2025 12:00;Bob;silver\n"
            .replace(';', ",")
            .as_bytes(),
    );
    b.file(
        "deals.csv",
        b"Deal,Stage,Closed\nD-1,Closed Won,01.05.2025\n",
    );
    let m = b.file(
        "map.toml",
        b"case_id = \"Deal\"\nactivity = \"Action\"\ntimestamp = \"When\"\nresource = \"Who\"\nsegment = \"Tier\"\n\
          timestamp_format = \"dd.mm.yyyy\"\nlost_activities = [\"Closed Lost\"]\n\
          [steps]\n\"Sent proposal\" = \"proposal_sent\"\n\
          [deal_table]\nfile = \"deals.csv\"\ncase_id = \"Deal\"\noutcome = \"Stage\"\nwon = [\"Closed Won\"]\nclosed = \"Closed\"\n",
    );
    import_ok("csv", &e, &b.out(), &["--mapping", m.to_str().unwrap()]);
    let deals = String::from_utf8(read(&b.out().join("deals.csv"))).unwrap();
    // D-1's outcome comes from the deal table; D-2 is not in it, so its lost activity counts.
    assert_eq!(
        deals,
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n\
         D-1,gold,Ann,unknown,,2025-03-04T09:30:00,2025-05-01T00:00:00,won,,\n\
         D-2,silver,Bob,unknown,,2025-03-05T08:00:00,2025-04-09T12:00:00,lost,,\n"
    );
    let events = String::from_utf8(read(&b.out().join("events.csv"))).unwrap();
    assert!(
        events.contains(
            "D-1,proposal_sent,2025-03-06T17:00:00,Ann,gold,,proposal_sent,complete,,,\n"
        ),
        "{events}"
    );
    // An RFC 3339 time with an offset, kept in the zone given by --time-zone.
    let z = b.file(
        "z.csv",
        b"case_id,activity,timestamp\nq,deal_created,2025-03-04T23:30:00-02:00\n",
    );
    let out2 = b.dir.path().join("out2");
    import_ok("csv", &z, &out2, &["--time-zone", "+01:00"]);
    let events = String::from_utf8(read(&out2.join("events.csv"))).unwrap();
    assert!(
        events.contains("q,deal_created,2025-03-05T02:30:00,"),
        "{events}"
    );
}

#[test]
fn a_foreign_xes_log_with_offsets_other_lifecycles_and_nested_attributes() {
    let b = Bad::new();
    // Shaped like public XES logs: globals, a log-level attribute, a nested list, offsets,
    // `schedule` transitions, an escaped name, outcomes named by the user's activities.
    let f = b.file(
        "foreign.xes",
        br#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="x"/></global>
  <string key="concept:name" value="some public log"/>
  <trace>
    <string key="concept:name" value="T1"/>
    <list key="tags"><string key="concept:name" value="not a case id"/></list>
    <event>
      <string key="concept:name" value="Create &amp; assign"/>
      <date key="time:timestamp" value="2011-10-01T00:38:44.546+02:00"/>
      <string key="lifecycle:transition" value="schedule"/>
      <string key="org:resource" value="Sara"/>
    </event>
    <event>
      <string key="concept:name" value="Decline"/>
      <date key="time:timestamp" value="2011-10-03T12:00:00Z"/>
      <string key="org:resource" value="Bo"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="T2"/>
    <event>
      <date key="time:timestamp" value="2011-10-02T09:00:00"/>
      <string key="concept:name" value="Create &amp; assign"/>
    </event>
  </trace>
</log>
"#,
    );
    let out = import_ok("xes", &f, &b.out(), &["--lost", "Decline,Cancel"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("1 events with a lifecycle:transition other than start/complete"),
        "{stderr}"
    );
    assert_eq!(
        String::from_utf8(read(&b.out().join("deals.csv"))).unwrap(),
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n\
         T1,unsegmented,Sara,unknown,,2011-09-30T22:38:44,2011-10-03T12:00:00,lost,,\n\
         T2,unsegmented,unknown,unknown,,2011-10-02T09:00:00,,open,,\n"
    );
    let events = String::from_utf8(read(&b.out().join("events.csv"))).unwrap();
    assert!(
        events.contains("T1,Create & assign,2011-09-30T22:38:44,Sara,unsegmented,,,complete,,,\n"),
        "{events}"
    );
}

/// An XES that PM4Py wrote (through pandas) has `nan` and `NaT` for attributes a trace or an
/// event lacks: they are missing values, as an empty CSV field is, with a note counting them
/// (they were refused, and `--lenient` dropped 92% of a log's events). Times all written at
/// one offset other than the zone the log is kept in get a note naming `--time-zone`: a
/// +03:00 export came back three hours early without a word.
#[test]
fn pandas_missing_values_and_a_shared_offset_in_xes() {
    let b = Bad::new();
    let f = b.file(
        "pm4py.xes",
        br#"<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="T1"/>
    <string key="outcome" value="open"/>
    <date key="closed" value="NaT"/>
    <float key="value" value="nan"/>
    <event>
      <string key="concept:name" value="deal_created"/>
      <date key="time:timestamp" value="2024-05-01T00:00:00+03:00"/>
      <float key="forecast_probability" value="nan"/>
      <string key="stage" value="NaN"/>
      <date key="expected_close" value="NaT"/>
    </event>
    <event>
      <string key="concept:name" value="call"/>
      <date key="time:timestamp" value="2024-05-02T10:00:00+03:00"/>
      <float key="forecast_probability" value="0.4"/>
    </event>
  </trace>
</log>
"#,
    );
    let out = import_ok("xes", &f, &b.out(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("5 attribute values were nan, NaN or NaT (pandas' missing value"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "every event time is written at UTC+03:00 and was converted to +00:00 (the time \
             zone the imported log is kept in); --time-zone +03:00 keeps the times as written"
        ),
        "{stderr}"
    );
    assert_eq!(
        String::from_utf8(read(&b.out().join("deals.csv"))).unwrap(),
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n\
         T1,unsegmented,unknown,unknown,,2024-04-30T21:00:00,,open,,\n"
    );
    assert_eq!(
        String::from_utf8(read(&b.out().join("events.csv"))).unwrap(),
        "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close\n\
         T1,deal_created,2024-04-30T21:00:00,,unsegmented,,,complete,,,\n\
         T1,call,2024-05-02T07:00:00,,unsegmented,,,complete,,0.40,\n"
    );
    // Kept in the offset it is written in, the log says nothing of it.
    let kept = b.out().with_file_name("kept");
    let out = import_ok("xes", &f, &kept, &["--time-zone", "+03:00"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("every event time"), "{stderr}");
    let deals = String::from_utf8(read(&kept.join("deals.csv"))).unwrap();
    assert!(deals.contains(",2024-05-01T00:00:00,,open,"), "{deals}");
}

/// A foreign log's case attributes dealsim does not know become extra columns of
/// `deals.csv`, as text, in the order first met: a column first met in a later trace is
/// filled in, empty, for the deals before it.
#[test]
fn unknown_case_attributes_become_extra_deal_columns() {
    let b = Bad::new();
    let x = b.file(
        "cases.xes",
        br#"<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="T1"/>
    <string key="region" value="north"/>
    <event><string key="concept:name" value="open"/><date key="time:timestamp" value="2024-05-01T10:00:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="T2"/>
    <int key="amount" value="2000"/>
    <string key="region" value="south &amp; east"/>
    <string key="case_id" value="not a column twice"/>
    <list key="tags"><string key="tag" value="nested, ignored"/></list>
    <event><string key="concept:name" value="open"/><date key="time:timestamp" value="2024-05-02T10:00:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="T3"/>
    <event><string key="concept:name" value="open"/><date key="time:timestamp" value="2024-05-03T10:00:00"/></event>
  </trace>
</log>
"#,
    );
    import_ok("xes", &x, &b.out(), &[]);
    assert_eq!(
        String::from_utf8(read(&b.out().join("deals.csv"))).unwrap(),
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step,region,amount\n\
         T1,unsegmented,unknown,unknown,,2024-05-01T10:00:00,,open,,,north,\n\
         T2,unsegmented,unknown,unknown,,2024-05-02T10:00:00,,open,,,south & east,2000\n\
         T3,unsegmented,unknown,unknown,,2024-05-03T10:00:00,,open,,,,\n"
    );
    // A CSV's `case:` columns, in header order, the first non-empty value of each case; a
    // `case:` column named in the mapping is that field, not an extra one.
    let c = b.file(
        "cases.csv",
        b"case:concept:name,concept:name,time:timestamp,case:amount,case:tier,case:region,note\n\
          T1,open,2024-05-01T10:00:00,,gold,,x\n\
          T1,call,2024-05-02T10:00:00,,,north,y\n\
          T2,open,2024-05-02T10:00:00,2000,silver,south,z\n",
    );
    let out2 = b.dir.path().join("out2");
    import_ok("csv", &c, &out2, &["--segment", "case:tier"]);
    assert_eq!(
        String::from_utf8(read(&out2.join("deals.csv"))).unwrap(),
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step,amount,region\n\
         T1,gold,unknown,unknown,,2024-05-01T10:00:00,,open,,,,north\n\
         T2,silver,unknown,unknown,,2024-05-02T10:00:00,,open,,,2000,south\n"
    );
}

/// An extra deal column becomes an attribute key of the export: a name XES cannot take, or
/// one given twice, is refused with the column, and nothing is written.
#[test]
fn extra_deal_columns_that_cannot_be_attribute_keys_are_refused() {
    let b = Bad::new();
    let events = b.file("events.csv", GOOD_ROWS.as_bytes());
    let header = "case_id,segment,created,closed,outcome";
    let row = "a,smb,2025-01-02T09:00:00,2025-03-02T10:00:00,won";
    let export = |deals: &str, format: &str| {
        let d = b.file("deals.csv", deals.as_bytes());
        let out = b.dir.path().join(format!("log.{format}"));
        let run = dealsim()
            .args(["export", "--format", format, "--events"])
            .arg(&events)
            .arg("--deals")
            .arg(&d)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        (run.status.code(), stderr, fs::read_to_string(&out).ok())
    };
    let spaced = format!("{header},close value\n{row},12\n");
    let (code, stderr, written) = export(&spaced, "xes");
    assert_eq!((code, written), (Some(2), None), "{stderr}");
    assert!(
        stderr.contains("deals.csv: line 1, column 6: column `close value`")
            && stderr.contains("XML name"),
        "{stderr}"
    );
    // PM4Py's CSV takes it.
    let (code, stderr, written) = export(&spaced, "csv");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(written
        .unwrap()
        .contains(",case:lost_step,case:close value,stage,"));
    fs::remove_file(b.dir.path().join("log.csv")).unwrap();
    for (deals, expected) in [
        (
            format!("{header},sector,x,sector\n{row},a,b,c\n"),
            "line 1, column 8: column `sector` appears twice in the header (columns 6 and 8)",
        ),
        (
            format!("{header},concept:name\n{row},a\n"),
            "line 1, column 6: column `concept:name`: the export names the case id so",
        ),
        (
            format!("{header},\n{row},\n"),
            "line 1, column 6: a deal column without a name",
        ),
    ] {
        let (code, stderr, written) = export(&deals, "csv");
        assert_eq!((code, written), (Some(2), None), "{stderr}");
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }
    assert!(common::listing(b.dir.path())
        .iter()
        .all(|n| !n.starts_with('.')));
}

/// `dealsim cut` keeps an imported deal table as it was: cut at the last day, the CRM import
/// comes back byte for byte (its extra columns included); cut earlier, a deal value with
/// decimals, a missing value and an extra value holding a comma survive, and only the deal
/// closed after the cut is reopened. (Cut once wrote values as whole numbers, a missing one as
/// 0, and dropped the extra columns.)
#[test]
fn cut_keeps_values_and_extra_deal_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let cut = |log: &Path, as_of: &str, out: &Path| {
        common::succeeded(
            &dealsim()
                .arg("cut")
                .arg("--events")
                .arg(log.join("events.csv"))
                .arg("--deals")
                .arg(log.join("deals.csv"))
                .args(["--as-of", as_of, "--out"])
                .arg(out)
                .output()
                .unwrap(),
        )
    };
    let crm = tmp.path().join("crm");
    import_ok("crm", &crm_sample(), &crm, &[]);
    let whole = tmp.path().join("crm-cut");
    cut(&crm, "2017-12-31", &whole);
    for f in ["events.csv", "deals.csv"] {
        assert!(read(&crm.join(f)) == read(&whole.join(f)), "{f} changed");
    }

    let csv = tmp.path().join("log.csv");
    fs::write(
        &csv,
        "case_id,activity,timestamp,case:value,case:sector\n\
         \"Acme, Inc\",deal_created,2024-01-02T09:00:00,1234.56,\"tech, hard\"\n\
         \"Acme, Inc\",won,2024-02-01T10:00:00,,\n\
         \"B \"\"best\"\"\",deal_created,2024-01-03T09:00:00,,\n\
         \"B \"\"best\"\"\",lost,2024-01-09T10:00:00,,\n",
    )
    .unwrap();
    let log = tmp.path().join("log");
    import_ok("csv", &csv, &log, &[]);
    let early = tmp.path().join("early");
    cut(&log, "2024-01-20", &early);
    // Case ids holding a comma or a quote are quoted, as the importer writes them (the cut
    // once wrote them bare, and its own files could not be read back).
    assert_eq!(
        String::from_utf8(read(&early.join("deals.csv"))).unwrap(),
        "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step,sector\n\
         \"Acme, Inc\",unsegmented,unknown,unknown,1234.56,2024-01-02T09:00:00,,open,,,\"tech, hard\"\n\
         \"B \"\"best\"\"\",unsegmented,unknown,unknown,,2024-01-03T09:00:00,2024-01-09T10:00:00,lost,,,\n"
    );
    let events = String::from_utf8(read(&early.join("events.csv"))).unwrap();
    assert!(events.contains("\n\"Acme, Inc\",") && events.contains("\n\"B \"\"best\"\"\","));
    // The cut reads back: cut again at the same day, the same files.
    let again = tmp.path().join("again");
    cut(&early, "2024-01-20", &again);
    for f in ["events.csv", "deals.csv"] {
        assert!(read(&early.join(f)) == read(&again.join(f)), "{f} changed");
    }
}

/// `close_value` (0 = lost, > 0 = won) is known only once a CRM deal closes: the import says
/// so in deal_columns.json, and a deal the cut reopens has it blanked, in the cut deal table
/// and so in what `export` passes on; the deals still closed keep it. (The cut once kept it,
/// leaking the outcome of 970 reopened deals into the replayed pipeline.)
#[test]
fn cut_blanks_what_only_the_close_made_known() {
    let tmp = tempfile::tempdir().unwrap();
    let crm = tmp.path().join("crm");
    import_ok("crm", &crm_sample(), &crm, &[]);
    assert_eq!(
        String::from_utf8(read(&crm.join("deal_columns.json"))).unwrap(),
        "{\n  \"known_at_close\": [\n    \"close_value\"\n  ]\n}\n"
    );
    let cut = tmp.path().join("cut");
    common::succeeded(&cut_mid_2017(&crm, &cut));
    assert!(read(&crm.join("deal_columns.json")) == read(&cut.join("deal_columns.json")));
    let rows = |p: &Path| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(p.join("deals.csv"))
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let before: std::collections::HashMap<String, csv::StringRecord> = rows(&crm)
        .into_iter()
        .map(|r| (r[0].to_string(), r))
        .collect();
    let (outcome, close_value) = (7, 16);
    let (mut reopened, mut closed) = (0, 0);
    for r in rows(&cut) {
        let was = &before[&r[0]];
        if r[outcome] == *"open" && was[outcome] != *"open" {
            reopened += 1;
            assert_eq!(&r[close_value], "", "{r:?}");
            // The other extra columns were known before the close.
            assert_eq!(
                r.iter().skip(10).take(6).collect::<Vec<_>>(),
                was.iter().skip(10).take(6).collect::<Vec<_>>()
            );
        } else {
            closed += usize::from(r[outcome] != *"open");
            assert_eq!(r, *was, "a deal not reopened is unchanged");
        }
    }
    assert_eq!(reopened, 970);
    assert!(closed > 1000, "{closed}");
    // What `export` passes on of a reopened deal.
    let out = tmp.path().join("log.csv");
    common::succeeded(
        &dealsim()
            .args(["export", "--format", "csv", "--events"])
            .arg(cut.join("events.csv"))
            .arg("--deals")
            .arg(cut.join("deals.csv"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap(),
    );
    let mut r = csv::Reader::from_path(&out).unwrap();
    let at = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "case:close_value")
        .unwrap();
    let outcome = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "case:outcome")
        .unwrap();
    for e in r.records().map(Result::unwrap) {
        if e[outcome] == *"open" {
            assert_eq!(&e[at], "", "{e:?}");
        }
    }
}

/// Without deal_columns.json (a log exported and imported again loses it) a column named like
/// a close stays for the reopened deals, and `cut` warns, naming it, the count and the fix;
/// with it, and for a column not named so, nothing is said.
#[test]
fn cut_warns_of_a_close_column_nothing_marks() {
    let tmp = tempfile::tempdir().unwrap();
    let crm = tmp.path().join("crm");
    import_ok("crm", &crm_sample(), &crm, &[]);
    let said = |out: &str| {
        let output = cut_mid_2017(&crm, &tmp.path().join(out));
        common::succeeded(&output);
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(!said("marked").contains("warning"));
    fs::remove_file(crm.join("deal_columns.json")).unwrap();
    let stderr = said("unmarked");
    assert!(
        stderr
            .contains("deals.csv: column `close_value` is kept for the 970 deals the cut reopened")
            && stderr.contains(
                r#"({"known_at_close": ["close_value"]}, as `dealsim import crm` writes)"#
            ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning: ").count(), 1, "{stderr}");
}

/// A deal_columns.json that names a column the deal table lacks is bad input: `cut` exits 2,
/// naming the file, the entry and the columns there are, and writes nothing.
#[test]
fn a_column_known_at_close_must_be_an_extra_column() {
    let tmp = tempfile::tempdir().unwrap();
    let crm = tmp.path().join("crm");
    import_ok("crm", &crm_sample(), &crm, &[]);
    fs::write(
        crm.join("deal_columns.json"),
        r#"{"known_at_close": ["revenue"]}"#,
    )
    .unwrap();
    let out = tmp.path().join("cut");
    let output = cut_mid_2017(&crm, &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("deal_columns.json: known_at_close[0]: expected an extra column of the deal table (account, sector, product, series, regional_office, manager, close_value), got \"revenue\""),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// Every output reserves the segment name `all` for the pooled rows and the log reader
/// refuses it, so an import must not write a log with it (it once did, and every later
/// command failed on the imported log).
#[test]
fn a_segment_named_all_is_refused_at_import() {
    let b = Bad::new();
    let f = b.file(
        "seg.csv",
        b"case_id,activity,timestamp,segment\nA,deal_created,2024-01-02T09:00:00,all\nA,won,2024-02-01T10:00:00,all\n",
    );
    b.rejected(
        &["csv", f.to_str().unwrap(), "--segment", "segment"],
        &[
            "seg.csv: line 2, column 1",
            "case \"A\" is in a segment named `all`, a name every output reserves",
        ],
    );
}

/// A CSV whose header has no comma but semicolons (or tabs), as spreadsheets in many European
/// locales export, is read with that separator, with a note, into the same log as the comma
/// version (it once failed with "missing column `case_id`" while quoting `case_id;activity;...`).
#[test]
fn a_semicolon_or_tab_separated_csv_reads_like_a_comma_separated_one() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = [
        "case_id,activity,timestamp,case:value",
        "A,deal_created,2024-01-02T09:00:00,100",
        "A,won,2024-02-01T10:00:00,",
        "B,deal_created,2024-01-03T09:00:00,",
        "B,lost,2024-01-09T10:00:00,",
    ];
    let import = |separator: &str, name: &str| {
        let file = tmp.path().join(format!("{name}.csv"));
        let text: String = rows
            .iter()
            .map(|r| r.replace(',', separator) + "\n")
            .collect();
        fs::write(&file, text).unwrap();
        let out = tmp.path().join(name);
        let run = import_ok("csv", &file, &out, &[]);
        (out, String::from_utf8_lossy(&run.stderr).into_owned())
    };
    let (comma, said) = import(",", "comma");
    assert!(!said.contains("separated by"), "{said}");
    for (separator, name, word) in [(";", "semicolon", "semicolons"), ("\t", "tab", "tabs")] {
        let (other, said) = import(separator, name);
        assert!(
            said.contains(&format!("{name}.csv: read as separated by {word}")),
            "{said}"
        );
        for f in ["events.csv", "deals.csv"] {
            assert!(read(&comma.join(f)) == read(&other.join(f)), "{name}: {f}");
        }
    }
}

/// A CSV saved with Windows line endings (Excel, most CRM exports) reads into the same log as
/// the Unix one, and an error in it is reported on its own line: the csv crate's positions were
/// one line short after a CR LF, so a bad timestamp on line 4 was reported on line 3, and one
/// on line 2 "on line 1", the header.
#[test]
fn a_crlf_csv_reads_like_the_lf_one_and_errors_name_the_right_line() {
    let b = Bad::new();
    let rows = [
        "case_id,activity,timestamp",
        "A,deal_created,2024-01-02T09:00:00",
        "A,won,2024-02-01T10:00:00",
        "B,deal_created,2024-01-03T09:00:00",
        "B,lost,2024-01-09T10:00:00",
    ];
    let lf = b.file("lf.csv", (rows.join("\n") + "\n").as_bytes());
    let crlf = b.file("crlf.csv", (rows.join("\r\n") + "\r\n").as_bytes());
    let (lf_out, crlf_out) = (b.dir.path().join("lf"), b.dir.path().join("crlf"));
    import_ok("csv", &lf, &lf_out, &[]);
    import_ok("csv", &crlf, &crlf_out, &[]);
    for f in ["events.csv", "deals.csv"] {
        assert!(read(&lf_out.join(f)) == read(&crlf_out.join(f)), "{f}");
    }
    for line in [2, 4] {
        let mut bad = rows.map(String::from);
        bad[line - 1] = bad[line - 1].replace("2024-0", "2024/0");
        let file = b.file("bad.csv", (bad.join("\r\n") + "\r\n").as_bytes());
        b.rejected(
            &["csv", file.to_str().unwrap()],
            &[&format!(
                "bad.csv: line {line}, column 3: column `timestamp`"
            )],
        );
    }
}

/// The CRM export as a spreadsheet in many European locales saves it: every file separated by
/// semicolons (or tabs). It once failed with "missing column `account`" while quoting the
/// whole header line; it is read with a note per file, into the same log as the comma version.
#[test]
fn a_semicolon_or_tab_separated_crm_export_imports_like_the_comma_one() {
    let tmp = tempfile::tempdir().unwrap();
    let comma = tmp.path().join("comma");
    import_ok("crm", &crm_sample(), &comma, &[]);
    let files = [
        "sales_pipeline.csv",
        "accounts.csv",
        "products.csv",
        "sales_teams.csv",
    ];
    for (separator, word) in [(b';', "semicolons"), (b'\t', "tabs")] {
        let export = tmp.path().join(word).join("export");
        fs::create_dir_all(&export).unwrap();
        for name in files {
            resave(&crm_sample().join(name), &export.join(name), separator);
        }
        let out = tmp.path().join(word).join("log");
        let said =
            String::from_utf8_lossy(&import_ok("crm", &export, &out, &[]).stderr).into_owned();
        for name in files {
            assert!(
                said.contains(&format!("{name}: read as separated by {word}")),
                "{word}: {name}: {said}"
            );
        }
        for f in [
            "events.csv",
            "deals.csv",
            "indicators.toml",
            "deal_columns.json",
        ] {
            assert!(read(&comma.join(f)) == read(&out.join(f)), "{word}: {f}");
        }
    }
}

/// The comma-separated CSV `from` written to `to` with `separator` between fields (quoted as
/// needed for it).
fn resave(from: &Path, to: &Path, separator: u8) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(from)
        .unwrap();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .from_path(to)
        .unwrap();
    for record in reader.byte_records() {
        writer.write_byte_record(&record.unwrap()).unwrap();
    }
    writer.flush().unwrap();
}

/// A case with both a won and a lost activity (and no outcome column) takes the first in time,
/// and the import says so instead of deciding silently.
#[test]
fn a_case_both_won_and_lost_is_noted() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("both.csv");
    fs::write(
        &csv,
        "case_id,activity,timestamp\n\
         A,deal_created,2024-01-02T09:00:00\nA,won,2024-02-01T10:00:00\nA,lost,2024-02-05T10:00:00\n\
         B,deal_created,2024-01-03T09:00:00\nB,lost,2024-01-09T10:00:00\n",
    )
    .unwrap();
    let out = tmp.path().join("log");
    let run = import_ok("csv", &csv, &out, &[]);
    let note = "1 cases have both a won and a lost activity: the first of them in time decides \
                the outcome and the close (e.g. case \"A\")";
    assert!(String::from_utf8_lossy(&run.stderr).contains(note));
    let deals = String::from_utf8(read(&out.join("deals.csv"))).unwrap();
    assert!(
        deals.contains(
            "\nA,unsegmented,unknown,unknown,,2024-01-02T09:00:00,2024-02-01T10:00:00,won,"
        ),
        "{deals}"
    );
}

/// `dealsim import KIND SOURCE --out OUT` with `extra` flags, which must succeed; its output
/// (the notes are on stderr).
fn import_ok(kind: &str, source: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    dealsim()
        .args(["import", kind])
        .arg(source)
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
        .success()
        .get_output()
        .clone()
}

/// `dealsim cut` of the log in `dir` as of 2017-06-30 into `out`.
fn cut_mid_2017(dir: &Path, out: &Path) -> std::process::Output {
    dealsim()
        .arg("cut")
        .arg("--events")
        .arg(dir.join("events.csv"))
        .arg("--deals")
        .arg(dir.join("deals.csv"))
        .args(["--as-of", "2017-06-30", "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// `--out`'s help says what the directory receives and that it has no default; `import csv`
/// and `import xes` once promised crm's indicator set there, and no importer named its
/// deal_columns.json.
#[test]
fn import_help_says_what_out_receives() {
    for format in ["csv", "xes", "crm"] {
        let output = dealsim()
            .args(["import", format, "--help"])
            .output()
            .expect("runs");
        assert!(output.status.success());
        let help = String::from_utf8_lossy(&output.stdout);
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for said in [
            "--out <DIR> Output directory, required (there is no default)",
            "events.csv (one row per event)",
            "deals.csv (one row per deal",
            "import_summary.json",
        ] {
            assert!(help.contains(said), "import {format}: {said:?} in\n{help}");
        }
        let crm_only = ["indicators.toml", "deal_columns.json"].map(|f| help.contains(f));
        assert_eq!(crm_only, [format == "crm"; 2], "import {format}:\n{help}");
    }
}

/// What the log reader refuses (an event or the close before the deal's creation, a negative
/// value, a probability outside [0, 1]) is refused at import, naming the source's line and
/// column, instead of being written into a log that `score`, `tune` and `flag` then refuse;
/// with --lenient the case (or, for a bad field, its row) is skipped and counted.
#[test]
fn what_the_log_reader_refuses_is_refused_at_import() {
    let b = Bad::new();
    let cases = [
        (
            "before_created.csv",
            "case_id,activity,timestamp,case:created\n\
             A,call,2025-01-01T10:00:00,2025-01-10\n\
             A,won,2025-02-01T10:00:00,\n",
            "before_created.csv: line 2, column 3: case \"A\", event \"call\": expected a time \
             not before the deal's creation (2025-01-10T00:00:00), got 2025-01-01T10:00:00",
        ),
        (
            "closed_before.csv",
            "case_id,activity,timestamp,case:closed,case:outcome\n\
             A,deal_created,2025-03-01T10:00:00,2025-01-01,lost\n\
             A,call,2025-03-05T10:00:00,,\n",
            "closed_before.csv: line 2, column 4: case \"A\": column `case:closed`: expected a \
             close timestamp not before `created` (2025-03-01T10:00:00), got 2025-01-01T00:00:00",
        ),
        (
            "negvalue.csv",
            "case_id,activity,timestamp,case:value\n\
             A,deal_created,2025-01-01T10:00:00,-500\n\
             A,won,2025-02-01T10:00:00,\n",
            "negvalue.csv: line 2, column 4: column `case:value`: expected a deal value ≥ 0, got \"-500\"",
        ),
        (
            "prob.csv",
            "case_id,activity,timestamp,forecast_probability\n\
             A,deal_created,2025-01-01T10:00:00,1.7\n\
             A,won,2025-02-01T10:00:00,\n",
            "prob.csv: line 2, column 4: column `forecast_probability`: expected a probability in \
             [0, 1], got \"1.7\"",
        ),
    ];
    for (name, text, message) in cases {
        let f = b.file(name, text.as_bytes());
        b.rejected(&["csv", f.to_str().unwrap()], &[message]);
    }
    let xes = |trace: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><log xes.version=\"1849-2016\">\n<trace>\
             <string key=\"concept:name\" value=\"A\"/>{trace}<event><string key=\"concept:name\" \
             value=\"deal_created\"/><date key=\"time:timestamp\" value=\"2025-01-01T10:00:00Z\"/>\
             </event></trace>\n</log>\n"
        )
    };
    let created = "<date key=\"created\" value=\"2025-01-10T00:00:00Z\"/>";
    let f = b.file("before.xes", xes(created).as_bytes());
    let stderr = b.rejected(
        &["xes", f.to_str().unwrap()],
        &["before.xes: line 2, column ", "case \"A\", event \"deal_created\": expected a time not before the deal's creation (2025-01-10T00:00:00)"],
    );
    assert!(
        stderr.contains(&format!(
            "line 2, column {}",
            xes(created)
                .lines()
                .nth(1)
                .unwrap()
                .find("<event>")
                .unwrap()
                + 1
        )),
        "{stderr}"
    );
    let f = b.file(
        "neg.xes",
        xes("<float key=\"value\" value=\"-3\"/>").as_bytes(),
    );
    b.rejected(
        &["xes", f.to_str().unwrap()],
        &[
            "neg.xes: line 2",
            "trace attribute `value`: expected a deal value ≥ 0, got \"-3\"",
        ],
    );
    let closed = "<date key=\"closed\" value=\"2024-12-01T00:00:00Z\"/><string key=\"outcome\" value=\"lost\"/>";
    let f = b.file("closed.xes", xes(closed).as_bytes());
    b.rejected(
        &["xes", f.to_str().unwrap()],
        &["closed.xes: line 2, column 1: case \"A\": trace attribute `closed`: expected a close timestamp not before `created` (2025-01-01T10:00:00)"],
    );
    // --lenient skips the case before its creation and keeps the good one; the log reads.
    let f = b.file(
        "mixed.csv",
        b"case_id,activity,timestamp,case:created\n\
          A,call,2025-01-01T10:00:00,2025-01-10\n\
          B,deal_created,2025-01-02T10:00:00,\n\
          B,won,2025-02-01T10:00:00,\n",
    );
    let s = b.lenient(&["csv", f.to_str().unwrap()]);
    assert_eq!(
        (s["skipped"].as_u64(), s["cases"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(s["skipped_examples"][0]
        .as_str()
        .unwrap()
        .contains("line 2, column 3: case \"A\""));
    // The log reader takes what was written (export reads the log as score does).
    dealsim()
        .args(["export", "--format", "csv", "--events"])
        .arg(b.out().join("events.csv"))
        .arg("--deals")
        .arg(b.out().join("deals.csv"))
        .arg("--out")
        .arg(b.dir.path().join("read.csv"))
        .assert()
        .success();
}

/// A deal table's outcome value that no list of [deal_table] names (a CRM's `Closed Won`
/// under the default lists) is refused with its line and the accepted values, as the
/// `case:outcome` column is, instead of becoming an open deal without a word.
#[test]
fn a_deal_tables_unknown_outcome_value_is_refused() {
    let b = Bad::new();
    let e = b.file(
        "ev.csv",
        b"case_id,activity,timestamp\nA,deal_created,2025-01-01T10:00:00\nA,call,2025-01-05T10:00:00\n\
          B,deal_created,2025-01-02T10:00:00\nB,call,2025-01-09T10:00:00\n",
    );
    b.file("deals_tab.csv", b"case_id,stage\nA,Closed Won\nB,\n");
    let m = b.file(
        "m.toml",
        b"[deal_table]\nfile = \"deals_tab.csv\"\noutcome = \"stage\"\n",
    );
    let args = ["csv", e.to_str().unwrap(), "--mapping", m.to_str().unwrap()];
    b.rejected(
        &args,
        &[
            "deals_tab.csv: line 2, column 2: column `stage`: expected a won value (\"won\"), a \
           lost value (\"lost\") or an open one (\"open\", or empty), got \"Closed Won\": add it \
           to `won`, `lost` or `open` under [deal_table] in the mapping",
        ],
    );
    // Named in the lists, the values read; an empty one is open.
    fs::write(
        &m,
        "[deal_table]\nfile = \"deals_tab.csv\"\noutcome = \"stage\"\nwon = [\"Closed Won\"]\nopen = [\"Open\"]\n",
    )
    .unwrap();
    import_ok("csv", &e, &b.out(), &["--mapping", m.to_str().unwrap()]);
    let deals = String::from_utf8(read(&b.out().join("deals.csv"))).unwrap();
    assert!(
        deals.contains(
            "\nA,unsegmented,unknown,unknown,,2025-01-01T10:00:00,2025-01-05T10:00:00,won,"
        ),
        "{deals}"
    );
    assert!(
        deals.contains("\nB,unsegmented,unknown,unknown,,2025-01-02T10:00:00,,open,"),
        "{deals}"
    );
}

/// A time the time zone moves out of the years 0000 to 9999 (a CRM's "never" placeholder
/// `9999-12-31T23:59:59Z` at +01:00) is refused naming its line, not written as
/// 9999-01-01T00:59:59 by a clamp of the year.
#[test]
fn times_outside_the_years_a_log_holds_are_refused() {
    let b = Bad::new();
    let f = b.file(
        "sentinel.csv",
        b"case_id,activity,timestamp,case:closed,case:outcome\n\
          A,deal_created,2025-01-01T10:00:00Z,9999-12-31T23:59:59Z,won\n\
          A,call,2025-01-05T10:00:00Z,,\n",
    );
    b.rejected(
        &["csv", f.to_str().unwrap(), "--time-zone", "+01:00"],
        &[
            "sentinel.csv: line 2, column 4: column `case:closed`: the time \
           \"9999-12-31T23:59:59Z\" falls in the year 10000 in the import's time zone: \
           expected a time in the years 0000 to 9999 a log holds",
        ],
    );
    let f = b.file(
        "year0.csv",
        b"case_id,activity,timestamp\nA,deal_created,0000-01-01T00:30:00+01:00\nA,won,0001-01-01\n",
    );
    b.rejected(
        &["csv", f.to_str().unwrap()],
        &["year0.csv: line 2, column 3", "falls in the year -1"],
    );
    let x = String::from_utf8(small_xes(&b)).unwrap().replacen(
        "2025-03-02T10:00:00.000+00:00",
        "9999-12-31T23:30:00.000-02:00",
        1,
    );
    let f = b.file("far.xes", x.as_bytes());
    b.rejected(
        &["xes", f.to_str().unwrap()],
        &["far.xes: line ", "falls in the year 10000"],
    );
}

/// Newlines, carriage returns and tabs in a log's text (a CRM's pasted note) are exported as
/// character references, which a parser does not normalise to spaces, and the control
/// characters XML 1.0 forbids as U+FFFD: the XES is well-formed (PM4Py's parser refused it)
/// and `import xes` reads the text back as written.
#[test]
fn xes_export_escapes_line_breaks_tabs_and_control_characters() {
    let b = Bad::new();
    let e = b.file(
        "events.csv",
        "case_id,activity,timestamp,resource\n\
         a,deal_created,2025-01-02T09:00:00,\"Ann\tLee\"\n\
         a,won,2025-03-02T10:00:00,rep-1\n"
            .as_bytes(),
    );
    let d = b.file(
        "deals.csv",
        "case_id,segment,created,closed,outcome,note\n\
         a,smb,2025-01-02T09:00:00,2025-03-02T10:00:00,won,\"multi\nline\rend\u{1}x\"\n"
            .as_bytes(),
    );
    let x = b.dir.path().join("log.xes");
    dealsim()
        .args(["export", "--format", "xes", "--events"])
        .arg(&e)
        .arg("--deals")
        .arg(&d)
        .arg("--out")
        .arg(&x)
        .assert()
        .success();
    let bytes = read(&x);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("value=\"multi&#10;line&#13;end\u{fffd}x\"")
            && text.contains("value=\"Ann&#9;Lee\""),
        "{text}"
    );
    // Well-formed: every event of a checking reader, to the end.
    let mut reader = quick_xml::Reader::from_reader(&bytes[..]);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Empty(el) | quick_xml::events::Event::Start(el)) => {
                for a in el.attributes() {
                    a.unwrap().unescape_value().unwrap();
                }
            }
            Ok(_) => {}
            Err(err) => panic!("not well-formed: {err}"),
        }
        buf.clear();
    }
    import_ok("xes", &x, &b.out(), &[]);
    let deals = String::from_utf8(read(&b.out().join("deals.csv"))).unwrap();
    assert!(
        deals.contains(",\"multi\nline\rend\u{fffd}x\"\n"),
        "{deals:?}"
    );
    let events = String::from_utf8(read(&b.out().join("events.csv"))).unwrap();
    assert!(events.contains(",Ann\tLee,"), "{events:?}");
}

/// The mapping's deal table is an input like the imported file: an --out that holds it (the
/// directory of an earlier import, whose deals.csv is the table) is refused before the
/// import replaced the directory and, with it, the table.
#[test]
fn an_out_that_holds_the_deal_table_is_refused() {
    let b = Bad::new();
    let e = b.file("ev.csv", GOOD_ROWS.as_bytes());
    import_ok("csv", &e, &b.out(), &[]);
    let table = b.out().join("deals.csv");
    let before = read(&table);
    let m = b.file(
        "m.toml",
        b"[deal_table]\nfile = \"out/deals.csv\"\noutcome = \"outcome\"\nclosed = \"closed\"\n",
    );
    let out = dealsim()
        .args(["import", "csv"])
        .arg(&e)
        .arg("--mapping")
        .arg(&m)
        .arg("--out")
        .arg(b.out())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("holds the deal table ")
            && stderr.contains("choose an output that is not an input"),
        "{stderr}"
    );
    assert_eq!(read(&table), before, "the deal table changed");
}

/// The XES export writes the instants the source meant: times imported with `--time-zone
/// +03:00` are local at +03:00, which `import_summary.json` records and `export` writes as
/// their offset (UTC, the old behaviour, shifted them by three hours for a tool that honours
/// offsets, as PM4Py does). Importing the export back at the same zone gives the same log; an
/// explicit `--time-zone` wins; a recorded zone that is not one is refused, naming the file
/// and the field.
#[test]
fn an_xes_export_writes_the_imports_time_zone() {
    let b = Bad::new();
    let src = b.file(
        "tz.csv",
        b"case_id,activity,timestamp,resource\n\
          A,deal_created,2025-03-03T10:00:00+03:00,r1\n\
          A,proposal_sent,2025-03-05T08:00:00Z,r1\n",
    );
    let imp = b.dir.path().join("imp");
    import_ok("csv", &src, &imp, &["--time-zone", "+03:00"]);
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&imp.join("import_summary.json"))).unwrap();
    assert_eq!(summary["time_zone"], "+03:00");
    let export = |name: &str, extra: &[&str]| -> std::process::Output {
        let out = b.dir.path().join(name);
        dealsim()
            .args(["export", "--format", "xes", "--events"])
            .arg(imp.join("events.csv"))
            .arg("--deals")
            .arg(imp.join("deals.csv"))
            .args(extra)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    assert!(export("tz.xes", &[]).status.success());
    let xes = String::from_utf8(read(&b.dir.path().join("tz.xes"))).unwrap();
    for t in [
        "2025-03-03T10:00:00.000+03:00",
        "2025-03-05T11:00:00.000+03:00",
    ] {
        assert!(
            xes.contains(&format!("key=\"time:timestamp\" value=\"{t}\"")),
            "{t} in {xes}"
        );
    }
    let back = b.dir.path().join("back");
    import_ok(
        "xes",
        &b.dir.path().join("tz.xes"),
        &back,
        &["--time-zone", "+03:00"],
    );
    assert_eq!(
        read(&back.join("events.csv")),
        read(&imp.join("events.csv"))
    );
    assert!(export("utc.xes", &["--time-zone", "UTC"]).status.success());
    let utc = String::from_utf8(read(&b.dir.path().join("utc.xes"))).unwrap();
    assert!(
        utc.contains("value=\"2025-03-03T10:00:00.000+00:00\""),
        "{utc}"
    );

    fs::write(imp.join("import_summary.json"), br#"{"time_zone": "3h"}"#).unwrap();
    let refused = export("bad.xes", &[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("import_summary.json: time_zone: expected UTC or a fixed offset"),
        "{stderr}"
    );
    assert!(!b.dir.path().join("bad.xes").exists());
}

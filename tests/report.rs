//! The report (issue 5): `index.html` and `summary.md` rendered from a run directory's saved
//! tables, the descriptive tables computed from the log, and `dealsim report --from DIR`.
//!
//! The shared small run (2,000 deals of the default scenario with `--with-truth`, so 15
//! indicators and 5 segments) is simulated once per test binary under Cargo's target tmpdir.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dealsim::indicators::unit::bound_text;
use dealsim::log::read::read_log;
use dealsim::report::plots::tradeoffs::Against;
use dealsim::report::tables::{CohortRow, CycleRow, FunnelRow, InflowRow, ReportTables};
use dealsim::tuning::rule::lead_days_text;

mod common;
use common::{dealsim, listing};

/// Runs `dealsim ARGS PATH` and checks that it succeeded.
fn dealsim_ok(args: &[&str], path: &Path) -> std::process::Output {
    let output = dealsim().args(args).arg(path).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "dealsim {args:?}: {stderr}");
    output
}

/// A small default run, made once.
fn small_run() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-small-run");
        let output = dealsim_ok(
            &["run", "--deals", "2000", "--with-truth", "--quiet", "--out"],
            &dir,
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("report: "));
        dir
    })
}

/// A copy of the small run's saved tables (without the bulky logs) in a fresh directory.
fn copy_of_run() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in listing(small_run()) {
        if !name.ends_with(".html") && !name.ends_with(".md") && name != "events.csv" {
            fs::copy(small_run().join(&name), tmp.path().join(&name)).expect("copy");
        }
    }
    tmp
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `start` and the next `end` after each occurrence of `start`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    text.split(start)
        .skip(1)
        .map(|s| s.split(end).next().unwrap_or(""))
        .collect()
}

/// Ranking cells of the HTML: (segment, indicator, column, text of the cell).
fn ranking_cells(html: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for table in between(html, "<table class=\"ranking\" data-segment=\"", "</table>") {
        let segment = table.split('"').next().unwrap().to_string();
        for row in between(table, "data-indicator=\"", "</tr>") {
            let indicator = row.split('"').next().unwrap().to_string();
            for cell in between(row, "data-col=\"", "</td>") {
                let (col, text) = cell.split_once("\">").unwrap();
                out.push((
                    segment.clone(),
                    indicator.clone(),
                    col.to_string(),
                    text.to_string(),
                ));
            }
        }
    }
    out
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).expect("readable CSV");
    r.records().map(|x| x.expect("record")).collect()
}

/// Acceptance 1: every number of the HTML ranking is the one in `indicator_summary.csv`
/// (AUCs to three decimals), and every interval the one in `scores.csv` at the same landmark.
#[test]
fn every_number_in_the_html_ranking_equals_the_saved_tables() {
    let dir = small_run();
    let cells = ranking_cells(&read(&dir.join("index.html")));
    let summary = csv_rows(&dir.join("indicator_summary.csv"));
    let scores = csv_rows(&dir.join("scores.csv"));
    let landmarks: Vec<u32> = (7..=168).step_by(7).collect();
    assert_eq!(summary.len(), 15 * 5, "15 indicators x 5 segments");
    assert_eq!(
        cells.len(),
        summary.len() * 6,
        "every summary row shown, 6 cells each"
    );
    let cell = |seg: &str, ind: &str, col: &str| -> &str {
        &cells
            .iter()
            .find(|c| c.0 == seg && c.1 == ind && c.2 == col)
            .unwrap_or_else(|| panic!("no cell {seg}/{ind}/{col}"))
            .3
    };
    let (mut checked_ci, mut checked_paired, mut checked_chance) = (0, 0, 0);
    for r in &summary {
        let (ind, seg) = (&r[0], &r[1]);
        // A row never reliable and without an AUC at day 60 is not placed by the ranking.
        let rank = if r[2].is_empty() && r[4].is_empty() {
            "–"
        } else {
            &r[6]
        };
        assert_eq!(cell(seg, ind, "rank"), rank, "{r:?}");
        // A segment without an AUC at any landmark cannot tell "never", nor an indicator
        // without an AUC interval at any (legal_wait_days where few deals reach legal review).
        let unscored = scores.iter().all(|s| &s[1] != seg || s[7].is_empty());
        let untold = scores
            .iter()
            .all(|s| (&s[0], &s[1]) != (ind, seg) || s[8].is_empty());
        assert_eq!(r[7], (!untold).to_string(), "reliability_judged of {r:?}");
        // Every interval of the row covering one half: "never (chance)".
        let chance = scores
            .iter()
            .filter(|s| (&s[0], &s[1]) == (ind, seg) && !s[8].is_empty())
            .all(|s| s[8].parse::<f64>().unwrap() <= 0.5 && s[9].parse::<f64>().unwrap() >= 0.5);
        let day = if unscored || untold {
            "–".to_string()
        } else if r[2].is_empty() && chance {
            checked_chance += 1;
            "never (chance)".to_string()
        } else if r[2].is_empty() {
            "never".to_string()
        } else {
            format!("day {}", &r[2])
        };
        assert_eq!(cell(seg, ind, "earliest_reliable_day"), day);
        for (k, d) in [30u32, 60, 90].into_iter().enumerate() {
            let text = cell(seg, ind, &format!("auc_{d}"));
            let (shown, ci) = text
                .split_once(" <span class=\"ci\">")
                .unwrap_or((text, ""));
            let csv = &r[3 + k];
            let expected = if csv.is_empty() {
                "–".to_string()
            } else {
                format!("{:.3}", csv.parse::<f64>().unwrap())
            };
            assert_eq!(shown, expected, "{seg}/{ind} auc_{d}");
            let landmark = dealsim::scoring::summary::landmark_near(&landmarks, d)
                .unwrap()
                .to_string();
            let row = scores
                .iter()
                .find(|s| &s[0] == ind && &s[1] == seg && s[2] == *landmark)
                .expect("scores row");
            let expected_ci = if row[8].is_empty() {
                String::new()
            } else {
                let f = |s: &str| format!("{:.3}", s.parse::<f64>().unwrap());
                checked_ci += 1;
                format!("[{}, {}]</span>", f(&row[8]), f(&row[9]))
            };
            assert_eq!(ci, expected_ci, "{seg}/{ind} CI at day {d}");
        }
        let paired = cell(seg, ind, "vs_baseline");
        if ind == "rep_forecast_probability" {
            assert_eq!(paired, "", "the baseline is not compared with itself");
            continue;
        }
        let (higher, lower) = paired_days_shown(paired, &landmarks);
        let rows = || scores.iter().filter(|s| (&s[0], &s[1]) == (ind, seg));
        let days = |side: fn(f64, f64) -> bool| -> Vec<u32> {
            rows()
                .filter(|s| {
                    !s[12].is_empty() && side(s[12].parse().unwrap(), s[13].parse().unwrap())
                })
                .map(|s| s[2].parse().unwrap())
                .collect()
        };
        assert_eq!(higher, days(|lo, _| lo > 0.0), "{seg}/{ind}: {paired}");
        assert_eq!(lower, days(|_, hi| hi < 0.0), "{seg}/{ind}: {paired}");
        let untold = rows().all(|s| s[12].is_empty());
        assert_eq!(paired == "–", untold, "{seg}/{ind}: {paired}");
        assert_eq!(
            paired == "no clear difference",
            !untold && higher.is_empty() && lower.is_empty(),
            "{seg}/{ind}: {paired}"
        );
        checked_paired += usize::from(!higher.is_empty() || !lower.is_empty());
    }
    assert!(checked_ci > 100, "only {checked_ci} intervals checked");
    assert!(checked_chance > 0, "no row at chance everywhere");
    assert!(
        checked_paired > 30,
        "only {checked_paired} paired cells with a difference"
    );
}

/// The landmarks a paired cell ("higher days 14–28; lower days 7, 35–112") names as higher
/// and as lower, each run "a–b" expanded to the landmarks between (the page keeps a run on one
/// line with word joiners around its dash).
fn paired_days_shown(cell: &str, landmarks: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let cell = cell.replace('\u{2060}', "");
    let mut sides = (Vec::new(), Vec::new());
    for part in cell
        .split("<br>")
        .filter(|p| p.starts_with("higher") || p.starts_with("lower"))
    {
        let (word, runs) = part.split_once(' ').unwrap();
        let runs = runs.trim_start_matches("days ").trim_start_matches("day ");
        let days = if word == "higher" {
            &mut sides.0
        } else {
            &mut sides.1
        };
        for run in runs.split(", ") {
            let (a, b) = run.split_once('–').unwrap_or((run, run));
            let (a, b): (u32, u32) = (a.parse().unwrap(), b.parse().unwrap());
            days.extend(landmarks.iter().filter(|&&l| a <= l && l <= b));
        }
    }
    sides
}

/// The page needs nothing from the network: no scripts, stylesheets or fonts to fetch, no
/// external links or sources; every section is there, every plot is an inline SVG with a
/// link to the CSV behind it.
#[test]
fn html_is_self_contained_with_every_section_and_a_plot_per_figure() {
    let dir = small_run();
    let html = read(&dir.join("index.html"));
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "<link",
        "@import",
        "url(",
        "<img",
        "<iframe",
        "@font-face",
    ] {
        assert!(!lower.contains(bad), "index.html contains {bad}");
    }
    for attr in ["src=", "href="] {
        for value in between(&lower, attr, ">") {
            let v = value.trim_start_matches(['"', '\'']);
            assert!(
                !v.starts_with("http:") && !v.starts_with("https:") && !v.starts_with("//"),
                "external {attr}{value}"
            );
        }
    }
    let mut at = 0;
    for (id, _) in dealsim::report::html::SECTIONS {
        let pos = html
            .find(&format!("<section id=\"{id}\">"))
            .unwrap_or_else(|| panic!("no section {id}"));
        assert!(pos > at, "section {id} out of order");
        at = pos;
    }
    let figures = between(&html, "<figure>", "</figure>");
    // 5 discrimination + 4 funnels + 4 cycle lengths + 4 inflows + 1 cohort plot, and two
    // trade-off plots (against alerts, against false alarms) per segment in which `run`'s
    // tuning step chose a rule.
    let tradeoffs = read(&dir.join("tradeoffs.csv"));
    let mut tuned: Vec<&str> = tradeoffs
        .lines()
        .skip(1)
        .filter(|line| line.ends_with(",1"))
        .filter_map(|line| line.split(',').next())
        .collect();
    tuned.dedup();
    assert!(!tuned.is_empty(), "run chose no rule at all");
    assert_eq!(figures.len(), 18 + 2 * tuned.len());
    for f in &figures {
        assert!(
            f.starts_with("<svg") && f.contains("</svg>"),
            "a figure without an inline SVG"
        );
        let csv = between(f, "Data: <a href=\"", "\"");
        assert_eq!(csv.len(), 1);
        assert!(
            dir.join(csv[0]).is_file(),
            "the plot's data {} is not in the run directory",
            csv[0]
        );
    }
    // Text is left to the browser's fonts: plotters drew <text>, no embedded glyph paths.
    assert!(html.contains("<text"));
    assert!(fs::metadata(dir.join("index.html")).unwrap().len() <= 2_000_000);
    let md = read(&dir.join("summary.md"));
    assert!(md.contains("## The answer") && md.contains("### mid_market"));
}

/// The answer in words agrees with the table: the earliest observable indicator and the gap
/// to the rep's forecast, or "never"; in a segment without an AUC at any landmark (the small
/// run's atypical one), that nothing can be ranked and why.
#[test]
fn plain_words_answer_quotes_the_summary() {
    let dir = small_run();
    let md = read(&dir.join("summary.md"));
    let summary = csv_rows(&dir.join("indicator_summary.csv"));
    let scores = csv_rows(&dir.join("scores.csv"));
    let mut unscored = 0;
    for seg in ["smb", "mid_market", "enterprise", "atypical"] {
        let line = md
            .lines()
            .find(|l| l.starts_with(&format!("- In {seg},")))
            .unwrap_or_else(|| panic!("no answer for {seg}"));
        let mut rows: Vec<&csv::StringRecord> = summary.iter().filter(|r| &r[1] == seg).collect();
        rows.sort_by_key(|r| r[6].parse::<u32>().unwrap());
        let best = rows.iter().find(|r| {
            !r[2].is_empty() && &r[0] != "rep_forecast_probability" && &r[0] != "TRUTH_hidden_risk"
        });
        let base = rows
            .iter()
            .find(|r| &r[0] == "rep_forecast_probability")
            .unwrap();
        match best {
            Some(b) => {
                assert!(
                    line.contains(&format!("{} warns of a loss from day {}", &b[0], &b[2])),
                    "{line}"
                );
                let d: u32 = b[2].parse().unwrap();
                match base[2].parse::<u32>() {
                    Ok(bd) if bd > d && (bd - d).is_multiple_of(7) => {
                        let weeks = (bd - d) / 7;
                        let gap = if weeks == 1 {
                            "1 week".into()
                        } else {
                            format!("{weeks} weeks")
                        };
                        assert!(
                            line.contains(&format!("{gap} before the rep's own forecast")),
                            "{line}"
                        );
                    }
                    Err(_) => assert!(line.contains("never does"), "{line}"),
                    _ => {}
                }
            }
            None if scores.iter().all(|s| &s[1] != seg || s[7].is_empty()) => {
                unscored += 1;
                let first = scores.iter().find(|s| &s[1] == seg).unwrap();
                let said = format!(
                    "no indicator has an AUC at any landmark, so none can be ranked: at day {}, \
                     {}.",
                    &first[2], &first[10]
                );
                assert!(line.contains(&said), "{line}");
            }
            None => assert!(line.contains("no observable indicator reaches"), "{line}"),
        }
    }
    assert_eq!(unscored, 1, "the small run's atypical segment has no AUC");
    // Its omitted AUCs are among summary.md's warnings, as on the page.
    let warnings = md
        .split("\n## Warnings\n")
        .nth(1)
        .expect("a Warnings section");
    assert!(
        warnings.contains(
            "AUCs were omitted (fewer than 20 lost or won deals at risk at that landmark) in: "
        ) && warnings.contains("atypical"),
        "{warnings}"
    );
}

/// Re-rendering reads only saved tables: without the event log, the same page comes out,
/// byte for byte; the same run on one or two threads gives the same page.
#[test]
fn report_from_saved_tables_is_identical_and_needs_no_events() {
    let copy = copy_of_run();
    assert!(!copy.path().join("events.csv").exists());
    let output = dealsim_ok(&["report", "--from"], copy.path());
    assert!(String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .ends_with("index.html"));
    for f in ["index.html", "summary.md"] {
        assert!(
            fs::read(copy.path().join(f)).unwrap() == fs::read(small_run().join(f)).unwrap(),
            "{f} differs when re-rendered"
        );
    }
    let threads = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for n in ["1", "2"] {
        let out = threads.path().join("run");
        let output = dealsim()
            .env("RAYON_NUM_THREADS", n)
            .args([
                "run",
                "--deals",
                "600",
                "--bootstrap",
                "20",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .output()
            .expect("runs");
        assert!(output.status.success());
        pages.push(fs::read(out.join("index.html")).unwrap());
    }
    assert!(
        pages[0] == pages[1],
        "index.html differs between 1 and 2 threads"
    );
}

/// Section 5 with a hand-written `tradeoffs.csv`: a plot for the segment with chosen rules
/// (only those indicators, the chosen points ringed, the alert budget of `policy.toml` as a
/// line), the tuned rule quoted in the answer; without the file the section says how to
/// produce it.
#[test]
fn tradeoff_section_from_a_fixture_and_without_one() {
    let copy = copy_of_run();
    let html = |dir: &Path| {
        dealsim::report::render_dir(dir).expect("renders");
        let page = read(&dir.join("index.html"));
        let start = page.find("<section id=\"tradeoffs\">").unwrap();
        let end = start + page[start..].find("</section>").unwrap();
        page[start..end].to_string()
    };
    // The run's own trade-offs: every plot draws the chosen rule's indicator and the
    // runners-up, each at the landmark of its own best rule (marked in tradeoffs.csv).
    let own = html(copy.path());
    // The answer quotes each chosen rule as policy.toml records it, in its unit.
    let md = read(&copy.path().join("summary.md"));
    let policy = dealsim::policy::Policy::load(&copy.path().join("policy.toml")).unwrap();
    for rule in policy.segment.iter().flat_map(|s| &s.rule) {
        let quoted = format!("Tuned alert: {} catches", rule.text(&[], false));
        assert!(md.contains(&quoted), "{quoted} not in\n{md}");
        // With its false alarms and the held-out verdict, as policy.toml has them.
        let line = md.lines().find(|l| l.contains(&quoted)).unwrap();
        let far = rule.expected.as_ref().unwrap().false_alarm_rate;
        let p = rule.holdout.as_ref().unwrap().confirmation_p_value.unwrap();
        let rest = format!(
            "with false alarms on {:.1}% of won deals; held-out check: {}.",
            far * 100.0,
            dealsim::tuning::rule::confirmation_text(p)
        );
        assert!(line.contains(&rest), "{rest} not in\n{line}");
        // A rule with 90% or more false alarms is called what it is.
        assert_eq!(
            line.contains(
                "It flags nearly every deal, so it does not single out the deals at risk"
            ),
            far >= dealsim::tuning::NEARLY_ALL,
            "{line}"
        );
    }
    // This small run's rule flags nearly every deal and its held-out deals refute it: the
    // answer says so where it recommends the rule.
    assert!(md.contains("held-out check: not confirmed (p = "), "{md}");
    assert!(md.contains("It flags nearly every deal"), "{md}");
    let rows = csv_rows(&copy.path().join("tradeoffs.csv"));
    let plots: Vec<&str> = own.split("<svg").skip(1).collect();
    assert!(!plots.is_empty());
    let against = [Against::Alerts, Against::FalseAlarms];
    for (i, plot) in plots.iter().enumerate() {
        // Each segment's plot against alerts, then the same curves against false alarms.
        let axis = against[i % 2];
        let title = between(plot, axis.title(), "<")[0].trim();
        assert_eq!(
            plot.contains("flagging at random"),
            axis == Against::FalseAlarms
        );
        let curves: Vec<&str> = rows
            .iter()
            .filter(|r| &r[0] == title && &r[10] == "1")
            .map(|r| &r[1])
            .collect();
        assert!(curves.len() >= 2, "{title}: {curves:?}");
        let drawn = curves
            .iter()
            .filter(|name| plot.contains(&format!("\n{name} (day ")))
            .count();
        assert_eq!(
            drawn,
            curves.len().min(dealsim::report::plots::tradeoffs::CURVES)
        );
        assert!(plot.contains("best rule of each indicator") && plot.contains("chosen rule"));
    }
    fs::remove_file(copy.path().join("tradeoffs.csv")).expect("the run tuned");
    let without = html(copy.path());
    assert!(without.contains("No tuning results exist") && without.contains("dealsim tune"));
    assert!(!without.contains("<svg"));

    fs::copy(
        "tests/fixtures/report/tradeoffs.csv",
        copy.path().join("tradeoffs.csv"),
    )
    .unwrap();
    let with = html(copy.path());
    assert_eq!(
        with.matches("<svg").count(),
        2,
        "one plot of each kind: only smb has chosen rules"
    );
    for axis in against {
        assert!(with.contains(&format!("{}smb", axis.title())));
    }
    assert!(
        with.contains("proposal_delay_days (day 21)")
            && with.contains("steps_on_time_ratio (day 28)")
    );
    assert!(
        !with.contains("card_completeness"),
        "an indicator without a chosen rule is drawn"
    );
    assert!(with.contains("href=\"tradeoffs.csv\""));
    // Two chosen points, each ringed by a black circle of radius 8, in both plots.
    assert_eq!(with.matches("r=\"8\"").count(), 4);
    // The run's policy.toml was tuned to the default alert budget: a dashed line at it, named
    // in the legend (of the alerts plot only). Another budget moves it; without a policy there
    // is none.
    assert_eq!(with.matches("alert budget: 2 per rep per week").count(), 1);
    let policy = copy.path().join("policy.toml");
    let text = read(&policy).replacen("alerts_per_rep_week = 2.0", "alerts_per_rep_week = 1.5", 1);
    fs::write(&policy, text).unwrap();
    assert!(html(copy.path()).contains("alert budget: 1.5 per rep per week"));
    fs::remove_file(&policy).unwrap();
    assert!(!html(copy.path()).contains("alert budget"));
    let md = read(&copy.path().join("summary.md"));
    let smb = md.lines().find(|l| l.starts_with("- In smb,")).unwrap();
    for expected in [
        // Without policy.toml, no measure says the unit: the direction is from scores.json.
        "Tuned alert: proposal_delay_days ≥ 10 by day 21 catches 70% of losses at 1.60 alerts",
        "Tuned alert: steps_on_time_ratio ≤ 0.5 by day 28 catches 60% of losses at 1.20 alerts",
    ] {
        assert!(smb.contains(expected), "{smb}");
    }
    let mid = md
        .lines()
        .find(|l| l.starts_with("- In mid_market,"))
        .unwrap();
    assert!(!mid.contains("Tuned alert"), "{mid}");
}

/// A broken saved table is bad input: exit 2, the file, line and column named, and the
/// existing report left as it was.
#[test]
fn a_broken_table_is_an_input_error_and_nothing_is_rewritten() {
    let copy = copy_of_run();
    dealsim::report::render_dir(copy.path()).unwrap();
    let before = fs::read(copy.path().join("index.html")).unwrap();
    let path = copy.path().join("indicator_summary.csv");
    let text = read(&path);
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fields: Vec<&str> = lines[3].split(',').collect();
    fields[6] = "first";
    lines[3] = fields.join(",");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let output = dealsim()
        .args(["report", "--from"])
        .arg(copy.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("indicator_summary.csv: line 4, column 7")
            && stderr.contains("column `rank`"),
        "{stderr}"
    );
    assert!(fs::read(copy.path().join("index.html")).unwrap() == before);

    let empty = tempfile::tempdir().unwrap();
    let output = dealsim()
        .args(["report", "--from"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("indicator_summary.csv: missing"));
    assert!(listing(empty.path()).is_empty());
}

/// Runs `dealsim report --from DIR` on a run directory expected to be bad input: exit 2 and
/// the report left as it was. Returns stderr.
fn report_rejected(dir: &Path, before: &[u8]) -> String {
    let output = dealsim()
        .args(["report", "--from"])
        .arg(dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        fs::read(dir.join("index.html")).unwrap() == before,
        "rewritten"
    );
    stderr
}

/// A `scores.csv` written before the comparison with the baseline (its first 11 columns, up
/// to `note`) still renders, and reads back with the comparison empty: `report --from` on an
/// older run directory keeps working.
#[test]
fn scores_without_the_baseline_columns_still_render() {
    let copy = copy_of_run();
    let path = copy.path().join("scores.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[10], "note");
    assert_eq!(&header[11], "vs_baseline");
    writer.write_record(header.iter().take(11)).unwrap();
    let mut compared = 0;
    for record in reader.records() {
        let record = record.unwrap();
        compared += usize::from(!record[11].is_empty());
        writer.write_record(record.iter().take(11)).unwrap();
    }
    assert!(
        compared > 0,
        "the new run compares indicators with the baseline"
    );
    fs::write(&path, writer.into_inner().unwrap()).unwrap();
    let data = dealsim::report::load::RunData::load(copy.path()).unwrap();
    assert!(data.scores.iter().all(|r| r.vs_baseline.is_none()
        && r.vs_baseline_ci_lo.is_none()
        && r.vs_baseline_note.is_empty()));
    dealsim::report::render_dir(copy.path()).unwrap();
}

/// A truncated `scores.csv` (a copy cut short) is named by its line once: the csv crate's own
/// "record 47 (line: 48, byte: 4951)" used to repeat it inside the message.
#[test]
fn a_truncated_table_names_its_line_once() {
    let copy = copy_of_run();
    dealsim::report::render_dir(copy.path()).unwrap();
    let before = fs::read(copy.path().join("index.html")).unwrap();
    let path = copy.path().join("scores.csv");
    let text = read(&path);
    let cut = text.lines().take(5).map(|l| l.len() + 1).sum::<usize>() + 20;
    fs::write(&path, &text[..cut]).unwrap();
    let stderr = report_rejected(copy.path(), &before);
    assert!(
        stderr.contains("scores.csv: line 6, column 1: a row has ")
            && stderr.contains(" fields but the header has 15"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("line").count(), 1, "{stderr}");
    assert!(!stderr.contains("byte"), "{stderr}");
}

/// A table cut at a line break, or emptied, parses cleanly: the row counts that the scoring
/// run's indicators, segments and landmarks call for catch it (both once rendered a report
/// without intervals, exit 0).
#[test]
fn a_table_cut_at_a_line_break_or_emptied_is_refused() {
    let copy = copy_of_run();
    dealsim::report::render_dir(copy.path()).unwrap();
    let before = fs::read(copy.path().join("index.html")).unwrap();
    for (name, keep) in [("scores.csv", 100), ("indicator_summary.csv", 30)] {
        let path = copy.path().join(name);
        let text = read(&path);
        let rows = text.lines().count() - 1;
        let cut: String = text
            .lines()
            .take(keep + 1)
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(&path, cut).unwrap();
        let stderr = report_rejected(copy.path(), &before);
        assert!(
            stderr.contains(&format!("{name}: line {}: has {keep} rows, but ", keep + 1))
                && stderr.contains(&format!("call for {rows}: a file cut short")),
            "{stderr}"
        );
        fs::write(&path, text).unwrap();
    }
    fs::write(copy.path().join("scores.csv"), "").unwrap();
    let stderr = report_rejected(copy.path(), &before);
    assert!(
        stderr.contains("scores.csv: line 1: has 0 rows"),
        "{stderr}"
    );
}

/// Which row of a table to edit: the first whose cell in the named column passes the test.
type Pick = (&'static str, fn(&str) -> bool);

const CHOSEN: Pick = ("chosen", |v| v == "1");
const WITH_AUC: Pick = ("auc", |v| !v.is_empty());
const FIRST: Pick = ("segment", |_| true);

/// Sets `column` of the row of the CSV file `path` that `pick` picks to `value`; returns
/// its "line L, column C".
fn edit_cell(path: &Path, (by, pick): Pick, column: &str, value: &str) -> String {
    let text = read(path);
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let index = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (c, b) = (index(column), index(by));
    let l = (1..lines.len())
        .find(|&l| pick(lines[l].split(',').nth(b).unwrap()))
        .expect("a row to edit");
    let mut cells: Vec<&str> = lines[l].split(',').collect();
    cells[c] = value;
    lines[l] = cells.join(",");
    fs::write(path, lines.join("\n") + "\n").unwrap();
    format!("line {}, column {}", l + 1, c + 1)
}

/// A hand-edited infinity (or a NaN where a missing value is written empty, or a share
/// outside [0, 1]: an AUC of 1.7 was drawn) in a saved table is bad input, located on load: an infinite alert count used to fail the chart builder
/// late (exit 1, no line), and the other tables printed "inf" as an AUC. What dealsim writes
/// itself stays accepted: an empty AUC, a NaN (undefined) figure of the tuner.
#[test]
fn a_non_finite_number_in_a_saved_table_is_located_on_load() {
    let undefined_ok = "expected a finite number (or NaN: undefined), got";
    let missing_ok = "expected a finite number (or empty: missing), got";
    let share_ok = "expected a finite number in [0, 1] (or empty: missing), got";
    let figure_share_ok = "expected a finite number in [0, 1] (or NaN: undefined), got";
    for (file, pick, column, value, expected) in [
        (
            "tradeoffs.csv",
            CHOSEN,
            "alerts_per_rep_week",
            "inf",
            undefined_ok,
        ),
        ("tradeoffs.csv", CHOSEN, "threshold", "-inf", undefined_ok),
        ("scores.csv", WITH_AUC, "auc", "NaN", share_ok),
        ("indicator_summary.csv", FIRST, "auc_60", "inf", share_ok),
        // A share outside [0, 1] is no value dealsim wrote either.
        ("scores.csv", WITH_AUC, "auc", "1.7", share_ok),
        ("scores.csv", WITH_AUC, "ci_lo", "-0.2", share_ok),
        ("tradeoffs.csv", CHOSEN, "recall", "1.5", figure_share_ok),
        (
            "deadlines.csv",
            FIRST,
            "separation_p_value",
            "2",
            figure_share_ok,
        ),
        (
            "deadlines.csv",
            FIRST,
            "lost_median_days",
            "infinity",
            missing_ok,
        ),
        ("deadlines.csv", FIRST, "proposed_days", "inf", undefined_ok),
    ] {
        let copy = copy_of_run();
        dealsim::report::render_dir(copy.path()).unwrap();
        let before = fs::read(copy.path().join("index.html")).unwrap();
        let at = edit_cell(&copy.path().join(file), pick, column, value);
        let stderr = report_rejected(copy.path(), &before);
        let shown = if value == "infinity" { "inf" } else { value };
        let want = format!("{file}: {at}: column `{column}`: {expected} {shown}");
        assert!(stderr.contains(&want), "{want:?} expected in:\n{stderr}");
    }

    // Accepted: NaN for an undefined figure, empty for a missing AUC.
    let copy = copy_of_run();
    edit_cell(
        &copy.path().join("tradeoffs.csv"),
        CHOSEN,
        "median_lead_days",
        "NaN",
    );
    edit_cell(&copy.path().join("scores.csv"), WITH_AUC, "auc", "");
    dealsim::report::render_dir(copy.path()).unwrap();
}

/// A value that does not parse in a saved table names the file, line, column, what the
/// column expects and the value: it used to say only "invalid digit found in string".
#[test]
fn a_value_that_does_not_parse_says_what_its_column_expects() {
    for (file, pick, column, value, expected) in [
        (
            "indicator_summary.csv",
            FIRST,
            "rank",
            "first",
            "expected a whole number, got \"first\"",
        ),
        (
            "indicator_summary.csv",
            FIRST,
            "earliest_reliable_day",
            "-7",
            "expected a whole number ≥ 0, got \"-7\"",
        ),
        (
            "scores.csv",
            WITH_AUC,
            "auc",
            "high",
            "expected a number, got \"high\"",
        ),
        (
            "tradeoffs.csv",
            CHOSEN,
            "landmark_day",
            "day 28",
            "expected a whole number, got \"day 28\"",
        ),
    ] {
        let copy = copy_of_run();
        dealsim::report::render_dir(copy.path()).unwrap();
        let before = fs::read(copy.path().join("index.html")).unwrap();
        let at = edit_cell(&copy.path().join(file), pick, column, value);
        let stderr = report_rejected(copy.path(), &before);
        let want = format!("{file}: {at}: column `{column}`: {expected}");
        assert!(stderr.contains(&want), "{want:?} expected in:\n{stderr}");
        assert!(!stderr.contains("invalid digit"), "{stderr}");
    }
}

/// `scores.json` cannot hold an infinite number (JSON has none; `1e999` overflows), and the
/// JSON parser's refusal is named by path, line and column, once.
#[test]
fn an_overflowing_number_in_scores_json_is_located() {
    let copy = copy_of_run();
    dealsim::report::render_dir(copy.path()).unwrap();
    let before = fs::read(copy.path().join("index.html")).unwrap();
    let path = copy.path().join("scores.json");
    let text = read(&path);
    let at = text.find("\"target\": ").unwrap() + "\"target\": ".len();
    let end = at + text[at..].find(',').unwrap();
    let line = text[..at].lines().count();
    fs::write(&path, format!("{}1e999{}", &text[..at], &text[end..])).unwrap();
    let stderr = report_rejected(copy.path(), &before);
    assert!(
        stderr.contains(&format!("scores.json: line {line}, column "))
            && stderr.contains("options.target: number out of range"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("line").count(), 1, "{stderr}");
}

/// An infinite number in `policy.toml` (an alert budget, a rule's expected alerts) became the
/// trade-off plot's axis, and plotters' tick search never ended: `report` hung. It is bad
/// input, named by line and field, and the report is left as it was.
#[test]
fn an_infinite_number_in_the_policy_is_an_input_error_not_a_hang() {
    let copy = copy_of_run();
    dealsim::report::render_dir(copy.path()).unwrap();
    let before = fs::read(copy.path().join("index.html")).unwrap();
    let path = copy.path().join("policy.toml");
    let policy = read(&path);
    let budget = policy
        .find("alerts_per_rep_week = 2.0")
        .expect("tuned to the default budget");
    let expected = policy
        .find("[segment.rule.expected]")
        .expect("a chosen rule");
    let figure = expected + policy[expected..].find("alerts_per_rep_week = ").unwrap();
    let line = |at: usize| policy[..at].lines().count() + 1;
    for (at, value, field) in [
        (budget, "inf", "tuning.objective.alerts_per_rep_week"),
        (budget, "nan", "tuning.objective.alerts_per_rep_week"),
        (
            figure,
            "inf",
            "segment[0].rule[0].expected.alerts_per_rep_week",
        ),
    ] {
        let end = at + policy[at..].find('\n').unwrap();
        let mut edited = policy.clone();
        edited.replace_range(at..end, &format!("alerts_per_rep_week = {value}"));
        fs::write(&path, edited).unwrap();
        let output = dealsim()
            .args(["report", "--from"])
            .arg(copy.path())
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{field} = {value}: {stderr}");
        assert!(
            stderr.contains(&format!("policy.toml: line {}, column ", line(at)))
                && stderr.contains(field)
                && stderr.contains("expected a finite number"),
            "{stderr}"
        );
        assert!(fs::read(copy.path().join("index.html")).unwrap() == before);
    }
}

/// The descriptive tables of a hand-made log, counted by hand.
#[test]
fn tables_of_a_hand_made_log() {
    let tmp = tempfile::tempdir().unwrap();
    let deals = "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n\
        1,smb,r1,inbound,100,2025-01-06T09:00:00,2025-01-20T09:00:00,lost,pre_sale,proposal_sent\n\
        2,smb,r1,outbound,100,2025-01-10T09:00:00,2025-03-01T09:00:00,won,,\n\
        3,smb,r2,inbound,100,2025-02-03T09:00:00,,open,,\n\
        4,mid,r3,inbound,100,2025-02-05T09:00:00,2025-02-11T12:00:00,lost,pre_sale,first_meeting\n";
    let events = "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close\n\
        1,deal_created,2025-01-06T09:00:00,r1,smb,pre_sale,,complete,,,\n\
        1,first_meeting,2025-01-06T09:00:00,r1,smb,pre_sale,first_meeting,start,,,\n\
        1,first_meeting,2025-01-07T09:00:00,r1,smb,pre_sale,first_meeting,complete,,,\n\
        1,call,2025-01-08T09:00:00,r1,smb,pre_sale,first_meeting,complete,,,\n\
        1,proposal_sent,2025-01-09T09:00:00,r1,smb,pre_sale,proposal_sent,start,,,\n\
        1,lost,2025-01-20T09:00:00,r1,smb,pre_sale,proposal_sent,complete,,,\n\
        2,first_meeting,2025-01-10T09:00:00,r1,smb,pre_sale,first_meeting,start,,,\n\
        2,proposal_sent,2025-01-13T09:00:00,r1,smb,pre_sale,proposal_sent,start,,,\n\
        2,signed,2025-02-27T09:00:00,r1,smb,documents,signed,start,,,\n\
        2,won,2025-03-01T09:00:00,r1,smb,documents,signed,complete,,,\n\
        3,first_meeting,2025-02-03T09:00:00,r2,smb,pre_sale,first_meeting,start,,,\n\
        4,deal_created,2025-02-05T09:00:00,r3,mid,pre_sale,,complete,,,\n";
    fs::write(tmp.path().join("deals.csv"), deals).unwrap();
    fs::write(tmp.path().join("events.csv"), events).unwrap();
    let log = read_log(
        &tmp.path().join("events.csv"),
        &tmp.path().join("deals.csv"),
    )
    .unwrap();
    let t = ReportTables::from_log(&log);
    let f = |segment: &str,
             order,
             stage: &str,
             step: &str,
             [entered, lost_here, won, open]: [u64; 4]| FunnelRow {
        segment: segment.into(),
        order,
        stage: stage.into(),
        step: step.into(),
        entered,
        lost_here,
        won,
        open,
    };
    assert_eq!(
        t.funnel,
        [
            f("mid", 1, "pre_sale", "first_meeting", [1, 1, 0, 0]),
            f("smb", 1, "pre_sale", "first_meeting", [3, 0, 1, 1]),
            f("smb", 2, "pre_sale", "proposal_sent", [2, 1, 1, 0]),
            f("smb", 3, "documents", "signed", [1, 0, 1, 0]),
        ]
    );
    // Cycle lengths: 6.125 days (bin 0-7), 14 days (bin 14-21), 50 days (bin 49-56).
    let c = |segment: &str, outcome: &str, bin: u32| CycleRow {
        segment: segment.into(),
        outcome: outcome.into(),
        bin_start_days: bin,
        bin_end_days: bin + 7,
        deals: 1,
    };
    assert_eq!(
        t.cycles,
        [
            c("mid", "lost", 0),
            c("smb", "lost", 14),
            c("smb", "won", 49)
        ]
    );
    let i = |month: &str, segment: &str, source: &str| InflowRow {
        month: month.into(),
        segment: segment.into(),
        source: source.into(),
        deals: 1,
    };
    assert_eq!(
        t.inflow,
        [
            i("2025-01", "smb", "inbound"),
            i("2025-01", "smb", "outbound"),
            i("2025-02", "mid", "inbound"),
            i("2025-02", "smb", "inbound"),
        ]
    );
    let h = |m: &str, segment: &str, [won, lost, open]: [u64; 3], win_rate| CohortRow {
        cohort_month: m.into(),
        segment: segment.into(),
        won,
        lost,
        open,
        win_rate,
    };
    assert_eq!(
        t.cohorts,
        [
            h("2025-01", "smb", [1, 1, 0], Some(0.5)),
            h("2025-02", "mid", [0, 1, 0], Some(0.0)),
            h("2025-02", "smb", [0, 0, 1], None),
        ]
    );
    // Written and read back unchanged.
    dealsim::output::write_files(tmp.path(), t.files()).unwrap();
    let back: Vec<FunnelRow> = csv::Reader::from_path(tmp.path().join("funnel.csv"))
        .unwrap()
        .deserialize()
        .map(Result::unwrap)
        .collect();
    assert_eq!(back, t.funnel);
}

/// The descriptive tables of the simulated run add up to its deal table, counted
/// independently from `deals.csv`: inflow and cohorts to every deal, cycle lengths to every
/// closed deal, losses at a step to every lost deal; a step's entrants are at least its
/// losses plus the won and open deals that passed it.
#[test]
fn descriptive_tables_add_up_to_the_deal_table() {
    use std::collections::HashMap;
    let dir = small_run();
    let mut deals: HashMap<(String, String), u64> = HashMap::new();
    let mut lost_with_step: HashMap<String, u64> = HashMap::new();
    for r in csv_rows(&dir.join("deals.csv")) {
        *deals
            .entry((r[1].to_string(), r[7].to_string()))
            .or_default() += 1;
        if &r[7] == "lost" && !r[9].is_empty() {
            *lost_with_step.entry(r[1].to_string()).or_default() += 1;
        }
    }
    let count = |seg: &str, outcome: &str| {
        deals
            .get(&(seg.into(), outcome.into()))
            .copied()
            .unwrap_or(0)
    };
    let segments: Vec<String> = {
        let mut s: Vec<String> = deals.keys().map(|k| k.0.clone()).collect();
        s.sort();
        s.dedup();
        s
    };
    assert_eq!(segments.len(), 4);
    let read = |name: &str| csv_rows(&dir.join(name));
    let (inflow, cohorts, cycles, funnel) = (
        read("inflow.csv"),
        read("cohort_win_rate.csv"),
        read("cycle_lengths.csv"),
        read("funnel.csv"),
    );
    let sum = |rows: &[csv::StringRecord],
               seg_col: usize,
               seg: &str,
               col: usize,
               filter: &dyn Fn(&csv::StringRecord) -> bool|
     -> u64 {
        rows.iter()
            .filter(|r| &r[seg_col] == seg && filter(r))
            .map(|r| r[col].parse::<u64>().unwrap())
            .sum()
    };
    for seg in &segments {
        let all = count(seg, "won") + count(seg, "lost") + count(seg, "open");
        assert_eq!(sum(&inflow, 1, seg, 3, &|_| true), all, "inflow of {seg}");
        for (col, outcome) in [(2, "won"), (3, "lost"), (4, "open")] {
            assert_eq!(
                sum(&cohorts, 1, seg, col, &|_| true),
                count(seg, outcome),
                "cohort {outcome} of {seg}"
            );
        }
        for outcome in ["won", "lost"] {
            assert_eq!(
                sum(&cycles, 0, seg, 4, &|r| &r[1] == outcome),
                count(seg, outcome),
                "cycles {outcome} of {seg}"
            );
        }
        assert_eq!(
            sum(&funnel, 0, seg, 5, &|_| true),
            lost_with_step[seg],
            "losses by step of {seg}"
        );
        let steps: Vec<&csv::StringRecord> = funnel.iter().filter(|r| &r[0] == seg).collect();
        for (k, r) in steps.iter().enumerate() {
            assert_eq!(r[1].parse::<usize>().unwrap(), k + 1, "step order of {seg}");
            let n = |c: usize| r[c].parse::<u64>().unwrap();
            assert!(
                n(4) >= n(5) + n(6) + n(7),
                "{seg} {}: entered < lost + won + open",
                &r[3]
            );
            assert!(n(6) <= count(seg, "won") && n(7) <= count(seg, "open"));
        }
    }
    // Cohort win rates are won / (won + lost), empty without closed deals.
    for r in &cohorts {
        let (won, lost): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        match r[5].parse::<f64>() {
            Ok(rate) => assert!((rate - won / (won + lost)).abs() < 1e-12),
            Err(_) => assert_eq!(won + lost, 0.0),
        }
    }
}

/// Below the rankings, the page and `summary.md` say what every scored indicator measures
/// (its description, which names its units: working or calendar days, shares, counts), who
/// controls it and which of its values are the risky ones — as `scores.json` records them.
#[test]
fn every_indicator_is_described_below_the_rankings() {
    let dir = small_run();
    let html = read(&dir.join("index.html"));
    let md = read(&dir.join("summary.md"));
    let meta: serde_json::Value =
        serde_json::from_str(&read(&dir.join("scores.json"))).expect("scores.json");
    let indicators = meta["indicators"].as_array().expect("indicators");
    assert_eq!(indicators.len(), 15, "14 defaults and the truth ceiling");
    let glossary = between(&html, "<table class=\"glossary\"", "</table>");
    assert_eq!(glossary.len(), 1);
    let rows = between(glossary[0], "<tr><td>", "</tr>");
    assert_eq!(rows.len(), indicators.len());
    for (i, row) in indicators.iter().zip(rows) {
        let field = |k: &str| i[k].as_str().expect("a string field");
        let risky = match field("direction") {
            "higher_is_riskier" => "higher",
            "higher_is_safer" => "lower",
            other => panic!("direction {other}"),
        };
        let escaped = field("description").replace('\'', "&#39;");
        assert_eq!(
            row,
            format!(
                "{}</td><td>{}</td><td>{risky}</td><td>{escaped}</td>",
                field("name"),
                field("signal")
            )
        );
        let line = format!(
            "| `{}` | {} | {risky} | {} |",
            field("name"),
            field("signal"),
            field("description")
        );
        assert!(md.lines().any(|l| l == line), "summary.md lacks {line}");
    }
    assert!(html.contains("Working days since the client last did anything"));
}

/// The small run's policy and the rows of its report's `<table class="{class}">` (one of the
/// policy's tables in section 5), each from after `<tr data-segment="`.
fn policy_table(class: &str) -> (dealsim::policy::Policy, Vec<String>) {
    let dir = small_run();
    let html = read(&dir.join("index.html"));
    let policy = dealsim::policy::Policy::load(&dir.join("policy.toml")).expect("policy.toml");
    let tables = between(&html, &format!("<table class=\"{class}\">"), "</table>");
    assert_eq!(tables.len(), 1, "one {class} table");
    let rows = between(tables[0], "<tr data-segment=\"", "</tr>");
    (policy, rows.into_iter().map(String::from).collect())
}

/// Every segment's rules in `policy`, with the segment's name.
fn rules_of(
    policy: &dealsim::policy::Policy,
) -> impl Iterator<Item = (&String, &dealsim::policy::RulePolicy)> {
    (policy.segment.iter()).flat_map(|s| s.rule.iter().map(move |r| (&s.name, r)))
}

/// Section 5 sets each chosen rule's figures on the tuning and the held-out deals side by
/// side, as `policy.toml` holds them, with the held-out minus tuning recall in standard errors
/// of sampling alone (binomial, unpooled), recomputed here from the policy's counts, and the
/// held-out check's verdict.
#[test]
fn chosen_rules_table_matches_the_policy() {
    let (policy, rows) = policy_table("rules");
    let rules: Vec<_> = rules_of(&policy)
        .filter(|(_, r)| r.expected.is_some())
        .collect();
    assert!(!rules.is_empty(), "the small run tunes at least one rule");
    assert_eq!(rows.len(), rules.len());
    let mut shifts = 0;
    for (row, (segment, rule)) in rows.iter().zip(rules) {
        let tune = rule.expected.as_ref().expect("filtered");
        assert!(row.starts_with(&format!("{segment}\"")), "{row}");
        let bound = bound_text(rule.direction, rule.threshold, rule.unit(&[]), false);
        for part in [
            format!(
                "<code>{}</code> {bound} by day {}<",
                rule.indicator, rule.by_day
            ),
            format!("{:.1}%", 100.0 * tune.recall),
            format!(
                "<td class=\"num\">{} / ",
                lead_days_text(tune.median_lead_days)
            ),
        ] {
            assert!(row.contains(&part), "{part} not in {row}");
        }
        let Some(held) = &rule.holdout else { continue };
        let var = |r: f64, lost: usize| r * (1.0 - r) / lost as f64;
        let shift = held.recall - tune.recall;
        let se = (var(tune.recall, tune.lost_deals) + var(held.recall, held.lost_deals)).sqrt();
        let mut parts = vec![
            format!("{:.1}%", 100.0 * held.recall),
            format!(
                "{:.2} / {:.2}",
                tune.alerts_per_rep_week, held.alerts_per_rep_week
            ),
        ];
        if se > 0.0 {
            parts.push(format!("{:+.1} pt ({:+.1} SE)", 100.0 * shift, shift / se));
            shifts += 1;
        }
        // The held-out check, from the policy's p-value.
        let p = held
            .confirmation_p_value
            .expect("tune writes the held-out p-value");
        parts.push(if p < 0.05 {
            "<span class=\"yes\">confirmed</span>".to_string()
        } else {
            "<span class=\"no\">not confirmed</span>".to_string()
        });
        for part in parts {
            assert!(row.contains(&part), "{part} not in {row}");
        }
    }
    assert!(shifts > 0, "no held-out comparison checked");
}

/// A `policy.toml` written before the held-out check (no `confirmation_p_value`) still
/// renders, with the check shown as "–".
#[test]
fn a_policy_without_the_held_out_check_renders_a_dash() {
    let copy = copy_of_run();
    let policy = copy.path().join("policy.toml");
    let old: String = read(&policy)
        .lines()
        .filter(|l| !l.starts_with("confirmation_p_value"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(old, read(&policy), "the small run's policy has p-values");
    fs::write(&policy, old).expect("write");
    dealsim_ok(&["report", "--from"], copy.path());
    let html = read(&copy.path().join("index.html"));
    let table = between(&html, "<table class=\"rules\">", "</table>");
    let rows = between(table[0], "<tr data-segment=\"", "</tr>");
    assert!(!rows.is_empty());
    for row in rows {
        assert!(row.contains("<td class=\"check\">–</td>"), "{row}");
    }
}

/// The report's deadline table is `deadlines.csv`, row by row: a deadline is proposed exactly
/// where lost deals take significantly longer than won ones (p < 0.05) and it differs from
/// the current one, "keep" elsewhere.
#[test]
fn deadlines_table_matches_deadlines_csv() {
    let dir = small_run();
    let html = read(&dir.join("index.html"));
    let tables = between(&html, "<table class=\"deadlines\">", "</table>");
    assert_eq!(tables.len(), 1);
    let rows: Vec<Vec<&str>> = between(tables[0], "<tr><td>", "</tr>")
        .into_iter()
        .map(|row| {
            row.split("</td>")
                .filter(|c| !c.is_empty())
                .map(|c| c.rsplit('>').next().unwrap_or(c))
                .collect()
        })
        .collect();
    let csv = csv_rows(&dir.join("deadlines.csv"));
    assert!(!csv.is_empty());
    assert_eq!(rows.len(), csv.len());
    // Each segment's steps are one family: its Holm column is Holm's adjustment of its raw
    // p-values (dealsim::stats::holm, itself held to statsmodels' in holm_cases.json).
    for segment in csv
        .iter()
        .map(|r| r[0].to_string())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let family: Vec<&csv::StringRecord> = csv.iter().filter(|r| r[0] == *segment).collect();
        let raw: Vec<f64> = family.iter().map(|r| r[12].parse().unwrap()).collect();
        let adjusted: Vec<f64> = family.iter().map(|r| r[13].parse().unwrap()).collect();
        let want = dealsim::stats::holm::holm(&raw);
        for (a, w) in adjusted.iter().zip(&want) {
            assert!(
                (a - w).abs() <= 1e-12 * w.max(1e-300),
                "{segment}: {adjusted:?} vs {want:?}"
            );
        }
    }
    let (mut proposed, mut kept) = (0, 0);
    for (cells, rec) in rows.iter().zip(&csv) {
        let field = |k: usize| rec.get(k).expect("a field");
        let number = |k: usize| field(k).parse::<f64>().expect("a number");
        let what = format!("{cells:?} vs {rec:?}");
        // segment, step, current_days; then the proposal and its p-value.
        assert_eq!((cells[0], cells[1]), (field(0), field(1)), "{what}");
        assert_eq!(cells[4], format!("{:.1}", number(2)), "{what}");
        // The medians with the number of deals behind them.
        let median = |m: usize, n: usize| {
            let days = if field(m).is_empty() {
                "–".to_string()
            } else {
                format!("{:.1}", number(m))
            };
            format!("{days} ({})", field(n))
        };
        assert_eq!(
            (cells[2].to_string(), cells[3].to_string()),
            (median(5, 3), median(6, 4)),
            "{what}"
        );
        // The proposal is decided by the Holm-adjusted p-value (checked against the raw ones
        // of the segment below).
        let p = number(13);
        if p < 0.05 && number(9) != number(2) {
            proposed += 1;
            assert_eq!(cells[6], format!("{:.1}", number(9)), "{what}");
            let pct = |k: usize| format!("{:.0}%", 100.0 * number(k));
            assert_eq!(cells[7], format!("{} / {}", pct(10), pct(11)), "{what}");
        } else {
            kept += 1;
            assert_eq!((cells[6], cells[7]), ("keep", "–"), "{what}");
            // The file itself proposes the current deadline, with its rates.
            assert_eq!(
                (number(9), number(10), number(11)),
                (number(2), number(7), number(8)),
                "{what}"
            );
        }
        let p_cell = if p < 0.001 {
            "&lt; 0.001".to_string()
        } else {
            format!("{p:.3}")
        };
        assert_eq!(cells[8], p_cell, "{what}");
    }
    assert!(proposed > 0, "some step separates won from lost deals");
    assert!(kept > 0, "legal review separates nothing");
}

/// A policy tuned at other landmarks than the scores (`score --landmarks` into a directory
/// an earlier `tune` wrote) is pointed out on both pages; the run's own policy is not.
#[test]
fn a_policy_tuned_at_other_landmarks_is_pointed_out() {
    let copy = copy_of_run();
    let render = |dir: &Path| {
        dealsim::report::render_dir(dir).expect("renders");
        (read(&dir.join("index.html")), read(&dir.join("summary.md")))
    };
    let said = "were tuned at other landmarks";
    let (page, md) = render(copy.path());
    assert!(!page.contains(said) && !md.contains(said));
    let policy = copy.path().join("policy.toml");
    let text = read(&policy);
    let start = text.find("\nlandmarks = [").expect("the landmarks line") + 1;
    let end = start + text[start..].find(']').unwrap() + 1;
    fs::write(
        &policy,
        format!("{}landmarks = [14, 28]{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let (page, md) = render(copy.path());
    let expected =
        "The tuned rules (policy.toml) were tuned at other landmarks (2 landmarks, days \
                    14–28) than the scores use (24 landmarks, days 7–168)";
    assert!(page.contains(expected), "{page}");
    assert!(md.contains(expected), "{md}");
    // It bears on the answer's "Tuned alert" sentences: the answer points to it.
    assert!(
        page.contains("6. Run details</a>: The tuned rules (policy.toml) were tuned at other"),
        "{page}"
    );
}

/// A warning of the scoring run is pointed to from the answer itself, not only listed under
/// the run details at the end of the page.
#[test]
fn the_answer_points_to_the_warnings() {
    let copy = copy_of_run();
    let html = |dir: &Path| {
        dealsim::report::render_dir(dir).expect("renders");
        read(&dir.join("index.html"))
    };
    assert!(!html(copy.path()).contains("Read with the"));
    let scores = copy.path().join("scores.json");
    let warned = read(&scores).replacen(
        "\"warnings\": []",
        "\"warnings\": [\"many open deals\", \"another\"]",
        1,
    );
    fs::write(&scores, warned).unwrap();
    let page = html(copy.path());
    let section = |id: &str| {
        let s = &page[page.find(&format!("<section id=\"{id}\">")).unwrap()..];
        s[..s.find("</section>").unwrap()].to_string()
    };
    let answer = section("answer");
    // As many as the run details list: the two, and the note on omitted AUCs.
    let listed = section("run-details").matches("<li>").count();
    assert_eq!(listed, 3, "{}", section("run-details"));
    assert!(
        answer.contains(&format!(
            "Read with the {listed} warnings under <a href=\"#run-details\">6. Run details</a>: many open deals"
        )),
        "{answer}"
    );
}

/// `dealsim score` of a simulated log, into the simulation's directory: the run details name
/// the manifest's command as what simulated the log (it did not score it), and summary.md
/// gives the bootstrap seed the scores were drawn with, as the page does.
#[test]
fn a_scored_simulation_says_which_command_simulated_and_which_seed_resampled() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = tmp.path().join("log");
    common::simulate(&log, "300");
    let out = common::on_log("score", &log)
        .args([
            "--interval",
            "bootstrap",
            "--bootstrap",
            "20",
            "--seed",
            "5",
            "--quiet",
        ])
        .output()
        .expect("the binary runs");
    common::succeeded(&out);
    let html = read(&log.join("index.html"));
    assert!(
        html.contains("<tr><th>log simulated by</th><td>")
            && html.contains("dealsim simulate --deals 300"),
        "{}",
        between(&html, "Run details", "</table>").join("")
    );
    assert!(html.contains("<tr><th>bootstrap seed</th><td>5</td></tr>"));
    let md = read(&log.join("summary.md"));
    assert!(
        md.contains("20 bootstrap replicates of the deals (bootstrap seed 5)."),
        "{}",
        md.lines().take(4).collect::<Vec<_>>().join("\n")
    );
}

/// Section 5's risk table is each chosen rule's `risk_by_age` from `policy.toml`, at the
/// four-week landmarks: the share later lost (whole percent) and the number of flagged deals
/// still open, "–" where there is none.
#[test]
fn risk_table_matches_the_policy() {
    let (policy, rows) = policy_table("risk");
    let rules: Vec<_> = rules_of(&policy)
        .filter_map(|(s, r)| r.risk_by_age.as_ref().map(|k| (s, k.rows())))
        .collect();
    assert!(!rules.is_empty(), "the small run tunes at least one rule");
    assert_eq!(rows.len(), rules.len());
    let ages: Vec<u32> = (1..=6).map(|w| 28 * w).collect();
    let mut figures = 0;
    for (row, (segment, risk)) in rows.iter().zip(rules) {
        assert!(row.starts_with(&format!("{segment}\"")), "{row}");
        let cells = between(row, "<td class=\"num\" data-age=\"", "</td>");
        assert_eq!(cells.len(), ages.len(), "{row}");
        for (cell, age) in cells.iter().zip(&ages) {
            let at = risk
                .iter()
                .find(|x| x.age_days == *age)
                .expect("every landmark");
            let expected = if at.flagged_open == 0 {
                format!("{age}\">–")
            } else {
                figures += 1;
                format!("{age}\">{:.0}%<br>", 100.0 * at.risk)
            };
            assert!(cell.starts_with(&expected), "{expected} vs {cell}");
            if at.flagged_open > 0 {
                assert!(
                    cell.contains(&format!(" n = {}", at.flagged_open)),
                    "{cell}"
                );
            }
        }
    }
    assert!(figures > 0, "no figure checked");
}

/// The pooled rows' legend (`POOLED_LEGEND`) is under the rankings of the terminal, summary.md
/// and index.html, and what it says of the default run holds: deal_value is at chance in
/// every segment (each interval covers 0.5) while its pooled interval lies above 0.5 at days
/// 42 to 112 and at no other landmark, since the segments differ in loss rate and value.
#[test]
fn the_pooled_legend_is_shown_and_its_default_run_example_holds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("default");
    let output = dealsim_ok(&["run", "--quiet", "--out"], &dir);
    let legend = "all: every segment's deals pooled, so lost and won deals of different \
                  segments are compared too.";
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(legend), "{stdout}");
    assert!(read(&dir.join("summary.md")).contains(legend));
    assert!(read(&dir.join("index.html")).contains(&legend.replace('\'', "&#39;")));
    let mut above: Vec<u32> = Vec::new();
    for row in csv_rows(&dir.join("scores.csv")) {
        if &row[0] != "deal_value" || row[8].is_empty() {
            continue;
        }
        let (lo, hi): (f64, f64) = (row[8].parse().unwrap(), row[9].parse().unwrap());
        if &row[1] == "all" {
            if lo > 0.5 {
                above.push(row[2].parse().unwrap());
            }
        } else {
            assert!(lo <= 0.5 && 0.5 <= hi, "{row:?}");
        }
    }
    assert_eq!(above, (42..=112).step_by(7).collect::<Vec<u32>>());
}

//! The planted truth (issue 4, "Planted truth: the test bench works").
//!
//! The default scenario with its fixed seed is simulated and scored once per test process
//! (`dealsim run --with-truth --quiet --out DIR`, default landmarks 7:168:7, known
//! censoring, B = 200, target 0.70; a few seconds in release). From `indicator_summary.csv`,
//! `scores.csv` and `scores.json`, for every typical segment (smb, mid_market, enterprise)
//! and pooled (`all`):
//! - (a) the research-only truth ceiling `TRUTH_hidden_risk` ranks first;
//! - (b) at least two rep-controlled indicators (signal `rep`) become reliable strictly
//!   earlier than the rep's own forecast `rep_forecast_probability` ("never" is later than
//!   any day; two "never"s are not earlier than each other);
//! - (c) `legal_wait_days` (an external distractor) has a CI containing 0.5 at every landmark
//!   after the legal step typically starts, i.e. after the median deal age at the start of
//!   `legal_review`, computed here from `events.csv` and `deals.csv`.
//!
//! If (b) or (c) fails, the causal model is to be fixed, not this test.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;

const TYPICAL: [&str; 3] = ["smb", "mid_market", "enterprise"];
const POOLED: &str = "all";
const TRUTH: &str = "TRUTH_hidden_risk";
const FORECAST: &str = "rep_forecast_probability";
const LEGAL: &str = "legal_wait_days";

struct Summary {
    indicator: String,
    segment: String,
    /// `None` = never reliable.
    earliest: Option<u32>,
    rank: u32,
}

struct Score {
    indicator: String,
    segment: String,
    day: u32,
    auc: Option<f64>,
    ci_lo: Option<f64>,
    ci_hi: Option<f64>,
}

struct Fixture {
    summary: Vec<Summary>,
    scores: Vec<Score>,
    /// Indicator name → signal, from scores.json.
    signal: HashMap<String, String>,
    /// Segment (and "all") → median deal age in days at the start of legal_review.
    legal_start: HashMap<String, f64>,
    seconds: f64,
}

fn opt_f64(s: &str) -> Option<f64> {
    (!s.is_empty()).then(|| s.parse().expect("a number"))
}

/// Seconds since 1970-01-01 of `YYYY-MM-DDTHH:MM:SS` (Hinnant's days_from_civil).
fn seconds(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().expect("digits");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let time = if s.len() >= 19 {
        n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
    } else {
        0
    };
    days * 86_400 + time
}

fn median(v: &mut [f64]) -> f64 {
    assert!(!v.is_empty(), "median of nothing");
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median age (days since creation) at which legal review starts, per segment and pooled.
fn legal_start_ages(dir: &Path) -> HashMap<String, f64> {
    let mut r = csv::Reader::from_path(dir.join("deals.csv")).expect("deals.csv");
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).expect(n);
    let (c_id, c_seg, c_created) = (col("case_id"), col("segment"), col("created"));
    let mut deals: HashMap<String, (String, i64)> = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        deals.insert(
            rec[c_id].to_string(),
            (rec[c_seg].to_string(), seconds(&rec[c_created])),
        );
    }
    let file = BufReader::new(File::open(dir.join("events.csv")).expect("events.csv"));
    let mut lines = file.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let col = |n: &str| header.iter().position(|x| x == n).expect(n);
    let (e_id, e_act, e_time, e_life) = (
        col("case_id"),
        col("activity"),
        col("timestamp"),
        col("lifecycle"),
    );
    let mut ages: HashMap<String, Vec<f64>> = HashMap::new();
    for line in lines {
        let line = line.unwrap();
        if !line.contains(",legal_review,") {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f[e_act] != "legal_review" || f[e_life] != "start" {
            continue;
        }
        let (segment, created) = &deals[f[e_id]];
        let age = (seconds(f[e_time]) - created) as f64 / 86_400.0;
        ages.entry(segment.clone()).or_default().push(age);
        ages.entry(POOLED.to_string()).or_default().push(age);
    }
    ages.into_iter()
        .map(|(s, mut v)| (s, median(&mut v)))
        .collect()
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("run");
        let started = std::time::Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_dealsim"))
            .args(["run", "--with-truth", "--quiet", "--out"])
            .arg(&out)
            .output()
            .expect("the binary runs");
        let seconds = started.elapsed().as_secs_f64();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("RESEARCH ONLY"),
            "the truth ceiling is labelled: {stdout}"
        );

        let mut r = csv::Reader::from_path(out.join("indicator_summary.csv")).unwrap();
        let summary = r
            .records()
            .map(|rec| {
                let rec = rec.unwrap();
                Summary {
                    indicator: rec[0].to_string(),
                    segment: rec[1].to_string(),
                    earliest: (!rec[2].is_empty()).then(|| rec[2].parse().unwrap()),
                    rank: rec[6].parse().unwrap(),
                }
            })
            .collect();
        let mut r = csv::Reader::from_path(out.join("scores.csv")).unwrap();
        let scores = r
            .records()
            .map(|rec| {
                let rec = rec.unwrap();
                Score {
                    indicator: rec[0].to_string(),
                    segment: rec[1].to_string(),
                    day: rec[2].parse().unwrap(),
                    auc: opt_f64(&rec[7]),
                    ci_lo: opt_f64(&rec[8]),
                    ci_hi: opt_f64(&rec[9]),
                }
            })
            .collect();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("scores.json")).unwrap()).unwrap();
        assert_eq!(json["with_truth"], true);
        assert_eq!(json["options"]["bootstrap"], 200);
        let signal = json["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["name"].as_str().unwrap().to_string(),
                    i["signal"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        Fixture {
            summary,
            scores,
            signal,
            legal_start: legal_start_ages(&out),
            seconds,
        }
    })
}

fn summary<'a>(f: &'a Fixture, indicator: &str, segment: &str) -> &'a Summary {
    f.summary
        .iter()
        .find(|s| s.indicator == indicator && s.segment == segment)
        .unwrap_or_else(|| panic!("no summary row {indicator}/{segment}"))
}

fn day(d: Option<u32>) -> String {
    d.map_or("never".into(), |d| format!("day {d}"))
}

#[test]
fn a_truth_ceiling_ranks_first() {
    let f = fixture();
    eprintln!("dealsim run --with-truth took {:.1} s", f.seconds);
    for seg in TYPICAL.iter().chain([&POOLED]) {
        let mut ranking: Vec<&Summary> = f.summary.iter().filter(|s| s.segment == *seg).collect();
        ranking.sort_by_key(|s| s.rank);
        let table: Vec<String> = ranking
            .iter()
            .map(|s| format!("{} {} ({})", s.rank, s.indicator, day(s.earliest)))
            .collect();
        assert_eq!(
            summary(f, TRUTH, seg).rank,
            1,
            "segment {seg}: {}",
            table.join(", ")
        );
    }
}

#[test]
fn b_rep_indicators_warn_earlier_than_the_forecast() {
    let f = fixture();
    let rep: Vec<&str> = f
        .signal
        .iter()
        .filter(|(_, s)| s.as_str() == "rep")
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(rep.len() >= 2, "rep indicators: {rep:?}");
    let mut failures = Vec::new();
    for seg in TYPICAL.iter().chain([&POOLED]) {
        let forecast = summary(f, FORECAST, seg).earliest.unwrap_or(u32::MAX);
        let mut all = Vec::new();
        let mut earlier = Vec::new();
        for name in &rep {
            let e = summary(f, name, seg).earliest;
            all.push(format!("{name} {}", day(e)));
            if e.unwrap_or(u32::MAX) < forecast {
                earlier.push(*name);
            }
        }
        if earlier.len() < 2 {
            failures.push(format!(
                "segment {seg}: forecast reliable from {}, rep indicators: {}",
                day(summary(f, FORECAST, seg).earliest),
                all.join(", ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn c_legal_wait_is_no_better_than_chance_after_legal_starts() {
    let f = fixture();
    let mut failures = Vec::new();
    let mut checked = 0;
    for seg in TYPICAL.iter().chain([&POOLED]) {
        let start = f.legal_start[*seg];
        let rows: Vec<&Score> = f
            .scores
            .iter()
            .filter(|s| s.indicator == LEGAL && s.segment == *seg && f64::from(s.day) > start)
            .collect();
        assert!(!rows.is_empty(), "segment {seg}: no landmark after {start}");
        for s in rows {
            let Some(auc) = s.auc else { continue };
            checked += 1;
            let (lo, hi) = (s.ci_lo.unwrap(), s.ci_hi.unwrap());
            if !(lo <= 0.5 && 0.5 <= hi) {
                failures.push(format!(
                    "segment {seg} (legal starts at a median age of {start:.1} days), day {}: \
                     AUC {auc:.3}, CI [{lo:.3}, {hi:.3}]",
                    s.day
                ));
            }
        }
    }
    assert!(
        checked > 0,
        "no legal_wait_days AUC reported after legal starts"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! The simulator as a user runs it: the default scenario end to end, read back from the files.
//!
//! The full default scenario (about 24,000 deals, about a million events) is simulated once per
//! test process, twice in fact: with `RAYON_NUM_THREADS=1` and `=2`. The files are compared
//! byte for byte, the first run's files are parsed into compact per-deal facts, and the
//! output directories are deleted before any test looks at the facts. Every statistic below
//! is computed here from `deals.csv`, `events.csv` and `truth.csv`, independently of the
//! summary code; the manifest's summary is only cross-checked against it.
//! (In a debug build the two runs and the parse take a few seconds in all.)

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

const DEFAULT: &str = include_str!("../scenarios/default.toml");
const FILES: [&str; 3] = ["events.csv", "deals.csv", "truth.csv"];
const SECONDS_PER_DAY: i64 = 86_400;

fn dealsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dealsim"))
}

fn run_ok(cmd: &mut Command) -> Output {
    let output = cmd.output().expect("the binary runs");
    assert!(
        output.status.success(),
        "dealsim failed ({:?}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

// ---------------------------------------------------------------------------------------------
// Dates, written here rather than borrowed from the crate so the test checks the crate.

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SS` of seconds since 1970-01-01 (Hinnant's civil_from_days), for messages.
fn iso(t: i64) -> String {
    let z = t.div_euclid(SECONDS_PER_DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let s = t.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn digits(s: &[u8]) -> i64 {
    s.iter().fold(0, |n, &c| {
        assert!(
            c.is_ascii_digit(),
            "not a digit in {:?}",
            String::from_utf8_lossy(s)
        );
        n * 10 + i64::from(c - b'0')
    })
}

/// Seconds since 1970-01-01T00:00:00 of `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
fn seconds(s: &[u8]) -> i64 {
    let text = || String::from_utf8_lossy(s).into_owned();
    assert!(
        (s.len() == 10 || s.len() == 19) && s[4] == b'-' && s[7] == b'-',
        "not an ISO 8601 date or timestamp: {:?}",
        text()
    );
    let (m, d) = (digits(&s[5..7]), digits(&s[8..10]));
    assert!((1..=12).contains(&m) && (1..=31).contains(&d), "{}", text());
    let day = days_from_civil(digits(&s[..4]), m, d);
    let time = if s.len() == 19 {
        assert!(
            s[10] == b'T' && s[13] == b':' && s[16] == b':',
            "{}",
            text()
        );
        let (h, mi, se) = (digits(&s[11..13]), digits(&s[14..16]), digits(&s[17..19]));
        assert!(h < 24 && mi < 60 && se < 60, "{}", text());
        h * 3600 + mi * 60 + se
    } else {
        0
    };
    day * SECONDS_PER_DAY + time
}

fn median(values: &mut [f64]) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Standard error of the difference of two sample means.
fn se_of_difference(a: &[f64], b: &[f64]) -> f64 {
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    (var(a) / a.len() as f64 + var(b) / b.len() as f64).sqrt()
}

// ---------------------------------------------------------------------------------------------
// The default scenario, read as plain TOML.

struct SegmentInfo {
    name: String,
    review: bool,
    /// Step names of the segment's stage map, in order.
    steps: Vec<String>,
}

struct Spec {
    seed: u64,
    /// The first second after the observation window.
    window_end: i64,
    segments: Vec<SegmentInfo>,
}

fn default_spec() -> Spec {
    let v: toml::Value = toml::from_str(DEFAULT).expect("the default parses as TOML");
    let maps = v["stage_maps"].as_array().expect("stage_maps");
    let segments = v["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| {
            let map_name = s["stage_map"].as_str().expect("stage_map");
            let map = maps
                .iter()
                .find(|m| m["name"].as_str() == Some(map_name))
                .expect("the stage map exists");
            let steps = map["stages"]
                .as_array()
                .expect("stages")
                .iter()
                .flat_map(|st| st["steps"].as_array().expect("steps").iter())
                .map(|st| st["name"].as_str().expect("step name").to_string())
                .collect();
            SegmentInfo {
                name: s["name"].as_str().expect("name").to_string(),
                review: s.get("review").and_then(|r| r.as_bool()).unwrap_or(false),
                steps,
            }
        })
        .collect();
    let end = v["window"]["end"].as_str().expect("window.end");
    Spec {
        seed: v["seed"].as_integer().expect("seed") as u64,
        window_end: seconds(end.as_bytes()) + SECONDS_PER_DAY,
        segments,
    }
}

// ---------------------------------------------------------------------------------------------
// The files, parsed.

struct DealRow {
    id: u64,
    segment: String,
    rep: String,
    created: i64,
    closed: Option<i64>,
    outcome: String,
    lost_stage: String,
    lost_step: String,
}

struct TruthRow {
    id: u64,
    rep: String,
    health: f64,
    discipline: f64,
    late_rep_steps: f64,
}

/// What the events of one deal look like, gathered in one pass over `events.csv`.
#[derive(Default)]
struct CaseEvents {
    count: u64,
    first_activity: String,
    first_time: i64,
    last_time: i64,
    /// Events with an earlier timestamp than the event before them in the same case.
    out_of_order: u64,
    created_events: u64,
    /// (activity, timestamp) of every `won` or `lost` event.
    closing: Vec<(String, i64)>,
    /// Events whose segment column differs from the deal's segment.
    wrong_segment: u64,
}

/// Column indices of `names` in a CSV header, failing loudly if one is missing.
fn columns<const N: usize>(header: &str, names: [&str; N]) -> [usize; N] {
    let cols: Vec<&str> = header.trim_end().split(',').collect();
    names.map(|n| {
        cols.iter()
            .position(|c| *c == n)
            .unwrap_or_else(|| panic!("no column {n:?} in header {header:?}"))
    })
}

/// Rows of a small CSV file as string fields, with the header's column indices for `names`.
/// Names in the simulator's files never need quoting, so a plain split is exact.
fn read_rows<const N: usize>(path: &Path, names: [&str; N]) -> (Vec<Vec<String>>, [usize; N]) {
    let text = fs::read_to_string(path).expect("read CSV");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let cols = columns(header, names);
    let width = header.split(',').count();
    let rows = lines
        .map(|l| {
            let row: Vec<String> = l.split(',').map(str::to_string).collect();
            assert_eq!(row.len(), width, "ragged row in {}: {l}", path.display());
            row
        })
        .collect();
    (rows, cols)
}

fn read_deals(path: &Path) -> Vec<DealRow> {
    let (rows, [id, segment, rep, created, closed, outcome, lost_stage, lost_step]) = read_rows(
        path,
        [
            "case_id",
            "segment",
            "rep",
            "created",
            "closed",
            "outcome",
            "lost_stage",
            "lost_step",
        ],
    );
    rows.into_iter()
        .map(|r| DealRow {
            id: r[id].parse().expect("case_id"),
            segment: r[segment].clone(),
            rep: r[rep].clone(),
            created: seconds(r[created].as_bytes()),
            closed: (!r[closed].is_empty()).then(|| seconds(r[closed].as_bytes())),
            outcome: r[outcome].clone(),
            lost_stage: r[lost_stage].clone(),
            lost_step: r[lost_step].clone(),
        })
        .collect()
}

fn read_truth(path: &Path) -> Vec<TruthRow> {
    let (rows, [id, rep, health, discipline, late]) = read_rows(
        path,
        [
            "case_id",
            "rep",
            "health",
            "rep_discipline",
            "late_rep_steps",
        ],
    );
    rows.into_iter()
        .map(|r| TruthRow {
            id: r[id].parse().expect("case_id"),
            rep: r[rep].clone(),
            health: r[health].parse().expect("health"),
            discipline: r[discipline].parse().expect("rep_discipline"),
            late_rep_steps: r[late].parse().expect("late_rep_steps"),
        })
        .collect()
}

/// One streaming pass over `events.csv`: per-deal facts (parallel to `deals`) and the row count.
fn read_events(path: &Path, deals: &[DealRow]) -> (Vec<CaseEvents>, u64) {
    let index: HashMap<u64, usize> = deals.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    let mut cases: Vec<CaseEvents> = deals.iter().map(|_| CaseEvents::default()).collect();
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path).expect("events.csv"));
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).expect("read header");
    let header = String::from_utf8(line.clone()).expect("UTF-8 header");
    let width = header.split(',').count();
    let [c_id, c_activity, c_time, c_segment] =
        columns(&header, ["case_id", "activity", "timestamp", "segment"]);
    let mut rows = 0u64;
    let mut last: Option<(u64, usize)> = None;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).expect("read events") == 0 {
            break;
        }
        assert_eq!(line.pop(), Some(b'\n'), "unterminated last line");
        rows += 1;
        let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        assert_eq!(
            fields.len(),
            width,
            "ragged event row: {}",
            String::from_utf8_lossy(&line)
        );
        let id = digits(fields[c_id]) as u64;
        let i = match last {
            Some((last_id, i)) if last_id == id => i,
            _ => *index
                .get(&id)
                .unwrap_or_else(|| panic!("event of unknown case_id {id}")),
        };
        last = Some((id, i));
        let time = seconds(fields[c_time]);
        let activity = fields[c_activity];
        let c = &mut cases[i];
        if c.count == 0 {
            c.first_activity = String::from_utf8_lossy(activity).into_owned();
            c.first_time = time;
        } else if time < c.last_time {
            c.out_of_order += 1;
        }
        c.count += 1;
        c.last_time = c.last_time.max(time);
        c.first_time = c.first_time.min(time);
        match activity {
            b"deal_created" => c.created_events += 1,
            b"won" | b"lost" => c
                .closing
                .push((String::from_utf8_lossy(activity).into_owned(), time)),
            _ => {}
        }
        if fields[c_segment] != deals[i].segment.as_bytes() {
            c.wrong_segment += 1;
        }
    }
    (cases, rows)
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    let (mut fa, mut fb) = (File::open(a).expect("open"), File::open(b).expect("open"));
    if fa.metadata().expect("len").len() != fb.metadata().expect("len").len() {
        return false;
    }
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = fa.read(&mut ba).expect("read");
        if n == 0 {
            return true;
        }
        fb.read_exact(&mut bb[..n]).expect("read");
        if ba[..n] != bb[..n] {
            return false;
        }
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).expect("read manifest")).expect("manifest is JSON")
}

// ---------------------------------------------------------------------------------------------
// The shared runs of the default scenario.

struct Fixture {
    spec: Spec,
    /// The summary table printed by the single-threaded run.
    stdout: String,
    stdout_2threads: String,
    manifest: Value,
    manifest_2threads: Value,
    /// Per file: byte-identical between the two thread counts?
    identical: BTreeMap<&'static str, bool>,
    deals: Vec<DealRow>,
    truth: Vec<TruthRow>,
    /// Parallel to `deals`.
    events: Vec<CaseEvents>,
    event_rows: u64,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut stdouts = Vec::new();
        for threads in ["1", "2"] {
            // Same working-directory-relative `--out`, so the manifests' `command` agree.
            let cwd = tmp.path().join(format!("threads{threads}"));
            fs::create_dir(&cwd).expect("mkdir");
            let output = run_ok(
                dealsim()
                    .current_dir(&cwd)
                    .env("RAYON_NUM_THREADS", threads)
                    .args(["simulate", "--out", "out", "--quiet"]),
            );
            stdouts.push(String::from_utf8(output.stdout).expect("UTF-8 stdout"));
        }
        let one = tmp.path().join("threads1/out");
        let two = tmp.path().join("threads2/out");
        let identical = FILES
            .iter()
            .map(|f| (*f, same_bytes(&one.join(f), &two.join(f))))
            .collect();
        let deals = read_deals(&one.join("deals.csv"));
        let truth = read_truth(&one.join("truth.csv"));
        let (events, event_rows) = read_events(&one.join("events.csv"), &deals);
        let stdout_2threads = stdouts.pop().expect("two runs");
        Fixture {
            spec: default_spec(),
            stdout: stdouts.pop().expect("two runs"),
            stdout_2threads,
            manifest: read_json(&one.join("manifest.json")),
            manifest_2threads: read_json(&two.join("manifest.json")),
            identical,
            deals,
            truth,
            events,
            event_rows,
        }
        // `tmp` (about 200 MB of CSV) is deleted here.
    })
}

fn manifest_segment<'a>(manifest: &'a Value, name: &str) -> &'a Value {
    manifest["segments"]
        .as_array()
        .expect("manifest.segments is a list")
        .iter()
        .find(|s| s["segment"] == name)
        .unwrap_or_else(|| panic!("no segment {name:?} in manifest.json"))
}

// ---------------------------------------------------------------------------------------------
// Acceptance 2: the default scenario has the documented shape.

#[test]
fn acceptance_2_default_scenario_has_the_documented_shape() {
    let f = fixture();
    let typical: Vec<&SegmentInfo> = f.spec.segments.iter().filter(|s| !s.review).collect();
    assert_eq!(typical.len(), 3, "the default has three typical segments");
    let mut report = String::new();
    let mut failures = Vec::new();
    let (mut all_lost, mut all_after) = (0usize, 0usize);
    for seg in &f.spec.segments {
        let mine: Vec<&DealRow> = f.deals.iter().filter(|d| d.segment == seg.name).collect();
        let with = |o: &str| mine.iter().filter(|d| d.outcome == o).count();
        let (won, lost, open) = (with("won"), with("lost"), with("open"));
        assert_eq!(
            won + lost + open,
            mine.len(),
            "unknown outcomes in {}",
            seg.name
        );
        assert!(won > 0 && lost > 0, "{}: no won or no lost deals", seg.name);
        let mut days_to_won: Vec<f64> = mine
            .iter()
            .filter(|d| d.outcome == "won")
            .map(|d| (d.closed.expect("won deals are closed") - d.created) as f64 / 86_400.0)
            .collect();
        let median_won = median(&mut days_to_won);
        let win_rate = won as f64 / (won + lost) as f64;
        let proposal = seg
            .steps
            .iter()
            .position(|s| s == "proposal_sent")
            .expect("every default map has proposal_sent");
        let after = mine
            .iter()
            .filter(|d| d.outcome == "lost")
            .filter(|d| {
                let at = seg
                    .steps
                    .iter()
                    .position(|s| *s == d.lost_step)
                    .unwrap_or_else(|| panic!("lost at unknown step {:?}", d.lost_step));
                at > proposal
            })
            .count();
        let after_share = after as f64 / lost as f64;
        all_lost += lost;
        all_after += after;
        report.push_str(&format!(
            "{:<12} review={:<5} deals={:>6} won={:>5} lost={:>5} open={:>4} \
             median days→won={median_won:>6.1} win rate={:>5.1}% lost after proposal={:>5.1}%\n",
            seg.name,
            seg.review,
            mine.len(),
            won,
            lost,
            open,
            win_rate * 100.0,
            after_share * 100.0
        ));
        if !seg.review {
            if !(90.0..=150.0).contains(&median_won) {
                failures.push(format!("{}: median days→won {median_won:.1}", seg.name));
            }
            if !(0.15..=0.35).contains(&win_rate) {
                failures.push(format!("{}: win rate {win_rate:.3}", seg.name));
            }
            if after_share < 0.4 {
                failures.push(format!(
                    "{}: lost after proposal {after_share:.3}",
                    seg.name
                ));
            }
        }

        // The summary (manifest.json) agrees with the files.
        let m = manifest_segment(&f.manifest, &seg.name);
        assert_eq!(m["review"], seg.review, "{}: review flag", seg.name);
        for (key, n) in [
            ("deals", mine.len()),
            ("won", won),
            ("lost", lost),
            ("open", open),
        ] {
            assert_eq!(m[key], n as u64, "{}: manifest {key}", seg.name);
        }
        let m_median = m["median_days_to_won"].as_f64().expect("median");
        assert!(
            (m_median - median_won).abs() < 0.01,
            "{}: manifest median {m_median} vs {median_won} from deals.csv",
            seg.name
        );
    }
    eprintln!("{report}");
    assert!(
        failures.is_empty(),
        "outside the documented ranges: {failures:?}\n{report}"
    );
    let overall_after = all_after as f64 / all_lost as f64;
    assert!(
        overall_after >= 0.4,
        "only {overall_after:.3} of losses after the proposal\n{report}"
    );

    // Some deals are still open at the window end.
    let open = f.deals.iter().filter(|d| d.outcome == "open").count();
    assert!(open > 0, "no open deals at the window end");

    // The atypical segment is present and marked for review, in the files and the summary.
    let review: Vec<&str> = f
        .spec
        .segments
        .iter()
        .filter(|s| s.review)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(review, ["atypical"]);
    assert!(f.deals.iter().any(|d| d.segment == "atypical"));
    assert_eq!(manifest_segment(&f.manifest, "atypical")["review"], true);
    let scenario_atypical = f.manifest["scenario"]["segments"]
        .as_array()
        .expect("manifest.scenario.segments")
        .iter()
        .find(|s| s["name"] == "atypical")
        .expect("atypical in the resolved scenario");
    assert_eq!(scenario_atypical["review"], true);
    assert!(
        f.stdout.lines().any(|l| l.starts_with("atypical (review)")),
        "the summary table marks the atypical segment:\n{}",
        f.stdout
    );
    for seg in typical {
        assert!(
            f.stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(seg.name.as_str())),
            "{} missing from the summary table:\n{}",
            seg.name,
            f.stdout
        );
    }

    // Whole-run counts.
    assert_eq!(f.manifest["seed"], f.spec.seed);
    assert_eq!(f.manifest["deals"], f.deals.len() as u64);
    assert_eq!(f.manifest["events"], f.event_rows);
    assert!(
        f.deals.len() >= 20_000,
        "the default has >= 20,000 deals, got {}",
        f.deals.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Acceptance 3: reproducible whatever the thread count; a different seed, different outputs.

#[test]
fn acceptance_3_identical_outputs_with_one_and_two_threads() {
    let f = fixture();
    for (file, same) in &f.identical {
        assert!(
            same,
            "{file} differs between RAYON_NUM_THREADS=1 and =2 (same seed)"
        );
    }
    assert_eq!(f.identical.len(), FILES.len());
    let without_timings = |m: &Value| {
        let mut m = m.clone();
        let obj = m.as_object_mut().expect("manifest is an object");
        assert!(obj.remove("timings").is_some(), "manifest has timings");
        m
    };
    assert_eq!(
        without_timings(&f.manifest),
        without_timings(&f.manifest_2threads),
        "manifest.json differs beyond `timings`"
    );
    assert_eq!(f.stdout, f.stdout_2threads, "the summary table differs");
}

#[test]
fn a_different_seed_gives_different_outputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = |name: &str, extra: &[&str]| {
        run_ok(
            dealsim()
                .args(["simulate", "--quiet", "--deals", "2000", "--out"])
                .arg(tmp.path().join(name))
                .args(extra),
        );
        tmp.path().join(name)
    };
    let seed = default_spec().seed.to_string();
    let default_seed = run("default", &[]);
    let same_seed = run("same", &["--seed", &seed]);
    let other_seed = run("other", &["--seed", "1"]);
    for file in FILES {
        assert!(
            same_bytes(&default_seed.join(file), &same_seed.join(file)),
            "{file}: --seed {seed} (the scenario's own seed) changed the output"
        );
    }
    for file in ["events.csv", "deals.csv", "truth.csv"] {
        assert!(
            !same_bytes(&default_seed.join(file), &other_seed.join(file)),
            "{file} is the same for seeds {seed} and 1"
        );
    }
    let manifest = read_json(&other_seed.join("manifest.json"));
    assert_eq!(manifest["seed"], 1);
    assert_eq!(manifest["scenario"]["seed"], 1);
}

// ---------------------------------------------------------------------------------------------
// Censoring and event order.

#[test]
fn open_deals_are_censored_and_events_are_ordered() {
    let f = fixture();
    let end = f.spec.window_end;
    // Kind of problem -> (how many deals, a few examples).
    let mut problems: BTreeMap<&str, (usize, Vec<String>)> = BTreeMap::new();
    let mut complain = |id: u64, kind: &'static str, detail: String| {
        let entry = problems.entry(kind).or_default();
        entry.0 += 1;
        if entry.1.len() < 3 {
            entry.1.push(format!("deal {id}: {detail}"));
        }
    };
    let time = iso;
    let closing = |c: &[(String, i64)]| -> Vec<String> {
        c.iter()
            .map(|(a, t)| format!("{a} at {}", iso(*t)))
            .collect()
    };
    for (d, e) in f.deals.iter().zip(&f.events) {
        let id = d.id;
        if e.count == 0 {
            complain(id, "a deal without events", String::new());
            continue;
        }
        if e.first_activity != "deal_created" || e.first_time != d.created {
            complain(
                id,
                "the first event is not deal_created at `created`",
                format!(
                    "{} at {}, created {}",
                    e.first_activity,
                    time(e.first_time),
                    time(d.created)
                ),
            );
        }
        if e.created_events != 1 {
            complain(
                id,
                "not exactly one deal_created event",
                e.created_events.to_string(),
            );
        }
        if e.out_of_order > 0 {
            complain(
                id,
                "events out of timestamp order",
                format!("{} times", e.out_of_order),
            );
        }
        if e.first_time < d.created {
            complain(
                id,
                "an event precedes the deal's creation",
                time(e.first_time),
            );
        }
        if e.last_time >= end {
            complain(id, "an event after the window end", time(e.last_time));
        }
        if e.wrong_segment > 0 {
            complain(
                id,
                "events carry another segment",
                e.wrong_segment.to_string(),
            );
        }
        match d.outcome.as_str() {
            "open" => {
                if let Some(closed) = d.closed {
                    complain(id, "open with a `closed` timestamp", time(closed));
                }
                if !e.closing.is_empty() {
                    complain(
                        id,
                        "open with won/lost events",
                        format!("{:?}", closing(&e.closing)),
                    );
                }
                if !d.lost_stage.is_empty() || !d.lost_step.is_empty() {
                    complain(id, "open with a lost stage or step", d.lost_step.clone());
                }
            }
            outcome @ ("won" | "lost") => {
                let Some(closed) = d.closed else {
                    complain(id, "won/lost without a `closed` timestamp", outcome.into());
                    continue;
                };
                if e.closing.len() != 1 || e.closing[0] != (outcome.to_string(), closed) {
                    complain(
                        id,
                        "not exactly one closing event, matching outcome and `closed`",
                        format!(
                            "{outcome} at {}, events {:?}",
                            time(closed),
                            closing(&e.closing)
                        ),
                    );
                }
                if e.last_time != closed {
                    complain(id, "events after the deal closed", time(e.last_time));
                }
                if closed >= end {
                    complain(id, "closed after the window end", time(closed));
                }
                let has_lost_at = !d.lost_stage.is_empty() && !d.lost_step.is_empty();
                if has_lost_at != (outcome == "lost") {
                    complain(
                        id,
                        "lost stage/step filled iff lost",
                        format!("{outcome}, {:?}/{:?}", d.lost_stage, d.lost_step),
                    );
                }
            }
            other => complain(id, "an unknown outcome", other.into()),
        }
    }
    assert!(
        problems.is_empty(),
        "{}",
        problems
            .iter()
            .map(|(kind, (n, examples))| format!("{kind}: {n} deals, e.g. {examples:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let open = f.deals.iter().filter(|d| d.outcome == "open").count();
    assert!(open > 0, "no open deals to check the censoring on");
}

// ---------------------------------------------------------------------------------------------
// The hidden causal model shows in the ground truth.
//
// Tolerances: each comparison must clear five standard errors of the difference of means,
// computed from the data. With the default's ~6,000 won and ~17,000 lost deals (health sd
// about 0.9) the standard error of the health gap is about 0.015, against a gap of about 1.1;
// the two discipline halves hold ~10,000 deals each (late_rep_steps sd about 0.8), a standard
// error of about 0.011 against a gap of about 0.3. Both clear the bar by a factor of ~15, so
// neither the seed nor small changes to the default can flip them by chance, while a broken
// causal link (gap near zero) fails them.

#[test]
fn lost_deals_are_less_healthy_than_won_deals() {
    let f = fixture();
    let outcome: HashMap<u64, &str> = f.deals.iter().map(|d| (d.id, d.outcome.as_str())).collect();
    assert_eq!(f.truth.len(), f.deals.len(), "one truth row per deal");
    let health = |o: &str| -> Vec<f64> {
        f.truth
            .iter()
            .filter(|t| outcome[&t.id] == o)
            .map(|t| t.health)
            .collect()
    };
    let (won, lost) = (health("won"), health("lost"));
    let gap = mean(&won) - mean(&lost);
    let se = se_of_difference(&won, &lost);
    eprintln!(
        "mean health: won {:.3} (n={}), lost {:.3} (n={}), gap {gap:.3}, se {se:.4}",
        mean(&won),
        won.len(),
        mean(&lost),
        lost.len()
    );
    assert!(
        gap > 5.0 * se,
        "lost deals should be less healthy: gap {gap:.3}, se {se:.4}"
    );
}

#[test]
fn undisciplined_reps_have_more_late_steps() {
    let f = fixture();
    let mut discipline: BTreeMap<&str, f64> = BTreeMap::new();
    for t in &f.truth {
        let d = *discipline.entry(&t.rep).or_insert(t.discipline);
        assert_eq!(d, t.discipline, "rep {} has one discipline", t.rep);
    }
    let deal_rep: HashMap<u64, &str> = f.deals.iter().map(|d| (d.id, d.rep.as_str())).collect();
    for t in &f.truth {
        assert_eq!(
            deal_rep[&t.id], t.rep,
            "truth.csv and deals.csv agree on the rep"
        );
    }
    let mut per_rep: Vec<f64> = discipline.values().copied().collect();
    let median_discipline = median(&mut per_rep);
    let late = |below: bool| -> Vec<f64> {
        f.truth
            .iter()
            .filter(|t| (discipline[t.rep.as_str()] < median_discipline) == below)
            .map(|t| t.late_rep_steps)
            .collect()
    };
    let (low, high) = (late(true), late(false));
    let gap = mean(&low) - mean(&high);
    let se = se_of_difference(&low, &high);
    eprintln!(
        "{} reps, median discipline {median_discipline:.3}: late rep steps {:.3} (n={}) below, \
         {:.3} (n={}) at or above; gap {gap:.3}, se {se:.4}",
        discipline.len(),
        mean(&low),
        low.len(),
        mean(&high),
        high.len()
    );
    assert!(
        gap > 5.0 * se,
        "reps below the median discipline should be late more often: gap {gap:.3}, se {se:.4}"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line.

#[test]
fn scenario_show_prints_a_scenario_that_check_accepts() {
    let output = run_ok(dealsim().args(["scenario", "show"]));
    let shown = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(
        shown, DEFAULT,
        "`scenario show` prints the embedded default"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("my.toml");
    fs::write(&file, &shown).expect("write");
    dealsim()
        .args(["scenario", "check"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("valid scenario \"default\""))
        .stdout(predicates::str::contains("atypical: manual review"));
}

#[test]
fn help_of_every_subcommand_mentions_its_flags() {
    let sim_flags: &[&str] = &["--scenario", "--deals", "--seed", "--out", "--quiet"];
    let cases: [(&[&str], &[&str]); 6] = [
        (&[], &["run", "simulate", "scenario"]),
        (&["run"], sim_flags),
        (&["simulate"], sim_flags),
        (&["scenario"], &["show", "check"]),
        (&["scenario", "show"], &["--help"]),
        (&["scenario", "check"], &["FILE"]),
    ];
    for (command, mentions) in cases {
        let output = run_ok(dealsim().args(command).arg("--help"));
        let help = String::from_utf8(output.stdout).expect("UTF-8");
        for m in mentions {
            assert!(
                help.contains(m),
                "`dealsim {} --help` should mention {m}:\n{help}",
                command.join(" ")
            );
        }
    }
    run_ok(dealsim().arg("--version"));
}

#[test]
fn date_helpers_round_trip() {
    for t in [
        "1970-01-01T00:00:00",
        "2024-02-29T23:59:59",
        "2026-08-31T12:34:56",
    ] {
        assert_eq!(iso(seconds(t.as_bytes())), t);
    }
    assert_eq!(seconds(b"1970-01-02"), SECONDS_PER_DAY);
    assert_eq!(seconds(b"2000-03-01") / SECONDS_PER_DAY, 11_017);
}

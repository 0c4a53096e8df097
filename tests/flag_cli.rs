//! Issue 6: `tune`, `cut` and `flag` as a user runs them.
//!
//! - Acceptance 3: a run's log cut at a date, tuned on what was known then, and flagged as of
//!   that date: the flagged deals were later lost more often than the open deals overall.
//! - Acceptance 5: bad input (a policy for a segment or indicator the data lacks, an
//!   `--as-of` outside the data, a budget ≤ 0) exits with code 2, names the field and writes
//!   nothing.
//! - Happy path: the documented files, the `tradeoffs.csv` header, and byte-identical
//!   outputs with one and with two threads.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use dealsim::indicators;
use dealsim::log::Outcome;
use dealsim::policy::Policy;
use dealsim::scenario::Scenario;
use dealsim::sim::{collect_log, Engine};
use dealsim::time::DayNum;
use dealsim::tuning::run::tune_log;
use dealsim::tuning::{Objective, TuneOptions};
use dealsim::{flag, log::cut::cut};

mod common;
use common::{dealsim, listing};

use dealsim::export::tuning::TRADEOFFS_HEADER;

#[test]
fn flagged_deals_are_later_lost_more_often_than_the_base_rate() {
    let scenario = Scenario::embedded_default();
    let (log, _) = collect_log(&Engine::new(&scenario));
    let as_of = DayNum::from_ymd(2026, 2, 15);
    // Tune on what was known at the end of that day.
    let known = cut(&log, as_of);
    let specs = indicators::default_set();
    let tuning = tune_log(
        &known,
        &specs,
        &scenario,
        &(7..=168).step_by(7).collect::<Vec<u32>>(),
        DayNum(as_of.0 + 1).start(),
        &TuneOptions {
            objective: Objective::Budget {
                alerts_per_rep_week: 2.0,
            },
            holdout: 0.3,
            bootstrap: 50,
            seed: 1,
            signals: vec![
                indicators::Signal::Rep,
                indicators::Signal::Process,
                indicators::Signal::Client,
            ],
            min_lead_days: 21.0,
        },
    );
    let policy = Policy::from_tuning(&tuning, &specs);
    let report = flag::flag_log(&log, &policy, &specs, &scenario, as_of);
    // Later outcomes from the full log, over the typical deals open on that day.
    let outcome: std::collections::HashMap<&str, Outcome> = log
        .case_ids
        .iter()
        .zip(&log.deals)
        .map(|(c, d)| (c.as_str(), d.outcome))
        .collect();
    let rate = |ids: &mut dyn Iterator<Item = &str>| {
        let (mut lost, mut decided) = (0usize, 0usize);
        for id in ids {
            match outcome[id] {
                Outcome::Lost => (lost, decided) = (lost + 1, decided + 1),
                Outcome::Won => decided += 1,
                Outcome::Open => {}
            }
        }
        (lost as f64 / decided as f64, decided)
    };
    let open_ids: Vec<&str> = known
        .deals
        .iter()
        .zip(&known.case_ids)
        .filter(|(d, _)| {
            d.outcome == Outcome::Open
                && !policy
                    .review_segments
                    .iter()
                    .any(|s| s == known.symbols.name(d.segment))
        })
        .map(|(_, c)| c.as_str())
        .collect();
    let (base, n_base) = rate(&mut open_ids.iter().copied());
    let (flagged, n_flagged) = rate(&mut report.flagged.iter().map(|f| f.case_id.as_str()));
    let msg = format!(
        "as of {}: flagged deals later lost {:.1}% ({n_flagged} decided of {} flagged) vs base loss rate {:.1}% ({n_base} decided of {} open typical deals)",
        as_of.iso(),
        100.0 * flagged,
        report.flagged.len(),
        100.0 * base,
        open_ids.len()
    );
    eprintln!("{msg}");
    assert!(n_flagged >= 50, "{msg}");
    assert!(flagged > base, "{msg}");
    // Every flagged deal was open on that day and is in a typical segment.
    assert!(report
        .flagged
        .iter()
        .all(|f| open_ids.contains(&f.case_id.as_str())));
}

fn simulate(dir: &Path) {
    let out = dealsim()
        .args(["simulate", "--deals", "3000", "--quiet", "--out"])
        .arg(dir)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("tempdir");
        simulate(&dir.path().join("sim"));
        Case { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn run(&self, args: &[&str], threads: &str) -> Output {
        dealsim()
            .env("RAYON_NUM_THREADS", threads)
            .args(args)
            .output()
            .expect("runs")
    }

    fn tune(&self, out: &str, extra: &[&str], threads: &str) -> Output {
        let mut args: Vec<String> = vec!["tune".into()];
        args.extend(self.log_args("sim"));
        args.extend(["--bootstrap", "20", "--out"].map(String::from));
        args.push(self.path(out).display().to_string());
        args.extend(extra.iter().map(|x| x.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args, threads)
    }

    /// `--events` and `--deals` of the log in directory `log`.
    fn log_args(&self, log: &str) -> Vec<String> {
        let p = |f: &str| self.path(&format!("{log}/{f}")).display().to_string();
        vec![
            "--events".into(),
            p("events.csv"),
            "--deals".into(),
            p("deals.csv"),
        ]
    }

    /// `dealsim COMMAND` on the log in `log` as of `as_of` into `out`, plus `extra`.
    fn as_of(&self, command: &str, log: &str, as_of: &str, out: &str, extra: &[&str]) -> Output {
        self.as_of_threads(command, log, as_of, out, extra, "2")
    }

    fn as_of_threads(
        &self,
        command: &str,
        log: &str,
        as_of: &str,
        out: &str,
        extra: &[&str],
        threads: &str,
    ) -> Output {
        let mut args: Vec<String> = vec![command.into()];
        args.extend(self.log_args(log));
        args.extend(["--as-of".into(), as_of.into(), "--out".into()]);
        args.push(self.path(out).display().to_string());
        args.extend(extra.iter().map(|x| x.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args, threads)
    }

    fn flag(&self, policy: &Path, as_of: &str, out: &str) -> Output {
        let policy = policy.display().to_string();
        self.as_of("flag", "sim", as_of, out, &["--policy", &policy])
    }

    /// Exit 2, every `expected` piece in stderr, and nothing new in the directory.
    #[track_caller]
    fn rejected(&self, before: &[String], output: &Output, expected: &[&str]) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        for e in expected {
            assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
        }
        assert!(output.stdout.is_empty());
        assert_eq!(listing(self.dir.path()), before, "something was written");
    }
}

#[test]
fn tune_cut_flag_write_documented_files_identically_on_any_thread_count() {
    let case = Case::new();
    let a = case.tune("t1", &[], "1");
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    let b = case.tune("t2", &[], "2");
    assert_eq!(b.status.code(), Some(0));
    // A simulated log has every activity the default indicators read.
    let stderr = String::from_utf8_lossy(&a.stderr);
    assert!(!stderr.contains("never occurs"), "{stderr}");
    let files = [
        "deadlines.csv",
        "policy.md",
        "policy.toml",
        "review.csv",
        "tradeoffs.csv",
    ];
    assert_eq!(listing(&case.path("t1")), files.map(String::from).to_vec());
    for f in files {
        assert_eq!(
            fs::read(case.path("t1").join(f)).unwrap(),
            fs::read(case.path("t2").join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    // 3,000 deals over the default window: smb has fewer new deals per rep per week than
    // the budget of 2 alerts, which the terminal and policy.md say.
    let warning = "the alert budget (2 per rep per week) is at least the segment's";
    let stdout = String::from_utf8_lossy(&a.stdout);
    assert!(
        stdout.contains(&format!("smb          warning: {warning}")),
        "{stdout}"
    );
    let md = fs::read_to_string(case.path("t1/policy.md")).unwrap();
    assert!(md.contains(&format!("**Warning:** {warning}")));
    let tradeoffs = fs::read_to_string(case.path("t1/tradeoffs.csv")).unwrap();
    assert_eq!(tradeoffs.lines().next(), Some(TRADEOFFS_HEADER));
    // Columns 9 and 10: chosen, indicator_best (the chosen rule is its indicator's best).
    let flags = |l: &str| {
        let f: Vec<&str> = l.split(',').collect();
        (f[9] == "1", f[10] == "1")
    };
    let chosen = tradeoffs.lines().skip(1).filter(|l| flags(l).0);
    assert!(chosen.clone().count() >= 1);
    assert!(
        chosen.clone().all(|l| flags(l).1),
        "a chosen rule is not its indicator's best"
    );
    let policy = Policy::load(&case.path("t1/policy.toml")).expect("a valid policy");
    // policy.md puts each held-out recall against the tuning recall with the standard error
    // of the difference (binomial, from the lost-deal counts policy.toml records).
    let md = fs::read_to_string(case.path("t1/policy.md")).unwrap();
    let mut shifts = 0;
    for rule in policy.segment.iter().flat_map(|s| &s.rule) {
        let (Some(tune), Some(held)) = (&rule.expected, &rule.holdout) else {
            continue;
        };
        let var = |r: f64, lost: usize| r * (1.0 - r) / lost as f64;
        let shift = held.recall - tune.recall;
        let se = (var(tune.recall, tune.lost_deals) + var(held.recall, held.lost_deals)).sqrt();
        if se == 0.0 {
            continue; // both recalls 0 or 1: no sampling yardstick, no sentence
        }
        let line = format!(
            "Held-out minus tuning recall: {:+.1} points, {:.1} standard errors",
            100.0 * shift,
            shift / se
        );
        assert!(md.contains(&line), "policy.md lacks {line:?}");
        // The terminal plan says it too.
        let terminal = format!("(recall {:+.1} pt, {:+.1} SE)", 100.0 * shift, shift / se);
        let stdout = String::from_utf8_lossy(&a.stdout);
        assert!(stdout.contains(&terminal), "{terminal} not in:\n{stdout}");
        shifts += 1;
    }
    assert!(shifts >= 1, "no rule with held-out figures");
    // policy.md's runners-up per segment: the other indicators' best rules from
    // tradeoffs.csv, best first (the budget objective: recall, then lead, then fewer false
    // alarms), at most three.
    let mut records = csv::Reader::from_reader(tradeoffs.as_bytes());
    let rows: Vec<csv::StringRecord> = records.records().map(|r| r.unwrap()).collect();
    let mut runners = 0;
    for segment in policy.segment.iter().map(|s| &s.name) {
        let number = |r: &csv::StringRecord, k: usize| r[k].parse::<f64>().unwrap();
        let mut others: Vec<&csv::StringRecord> = rows
            .iter()
            .filter(|r| &r[0] == segment && &r[10] == "1" && &r[9] == "0")
            .collect();
        others.sort_by(|a, b| {
            (number(b, 4), number(b, 8), -number(b, 5))
                .partial_cmp(&(number(a, 4), number(a, 8), -number(a, 5)))
                .unwrap()
        });
        let section = md
            .split(&format!("## Segment `{segment}`"))
            .nth(1)
            .unwrap()
            .split("## ")
            .next()
            .unwrap();
        let listed: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
        assert_eq!(listed.len(), others.len().min(3), "{segment}: {listed:?}");
        // The terminal plan names the best runner-up.
        if let Some(r) = others.first() {
            let terminal = format!(
                "runner-up: {} {} {} by day {} (recall {:.1}%",
                &r[1],
                if section.contains(&format!("`{}` ≤", &r[1])) {
                    "<="
                } else {
                    ">="
                },
                dealsim::tuning::display_threshold(r[3].parse().unwrap()),
                &r[2],
                100.0 * number(r, 4)
            );
            let stdout = String::from_utf8_lossy(&a.stdout);
            assert!(stdout.contains(&terminal), "{terminal} not in:\n{stdout}");
            // ... with its paired difference from the chosen rule, as policy.md gives it:
            // "-0.8 pt (-1.4 to -0.4)" there, "-0.8 pt vs chosen [-1.4, -0.4]" here.
            let cell = listed[0].split(" | ").nth(2).unwrap();
            let (d, ci) = cell.split_once(" pt (").unwrap();
            let (lo, hi) = ci.trim_end_matches(')').split_once(" to ").unwrap();
            let versus = format!("{terminal}, {d} pt vs chosen [{lo}, {hi}]");
            assert!(stdout.contains(&versus), "{versus} not in:\n{stdout}");
        }
        for (line, r) in listed.iter().zip(&others) {
            let threshold: f64 = r[3].parse().unwrap();
            let cells: Vec<&str> = line.split(" | ").collect();
            assert_eq!(cells.len(), 8, "{line}");
            assert!(
                cells[0].starts_with(&format!("| `{}` ", &r[1]))
                    && cells[0].ends_with(&format!(
                        " {} by day {}",
                        dealsim::tuning::display_threshold(threshold),
                        &r[2]
                    )),
                "{line} vs {r:?}"
            );
            // Recall and false alarms with their intervals, then alerts and lead.
            let with_ci =
                |cell: &str, k: usize| cell.starts_with(&format!("{:.1}% (", 100.0 * number(r, k)));
            assert!(
                with_ci(cells[1], 4) && with_ci(cells[3], 5),
                "{line} vs {r:?}"
            );
            // The paired difference from the chosen rule, at most 0: under the budget the chosen
            // rule has the highest recall.
            let versus: f64 = cells[2].split(" pt").next().unwrap().parse().unwrap();
            assert!(versus <= 0.0, "{line}");
            assert_eq!(cells[4], format!("{:.2}", number(r, 7)), "{line}");
            assert_eq!(cells[5], format!("{:.0}", number(r, 8)), "{line}");
            // Then the held-out recall and check.
            assert!(
                line.ends_with(" |") && cells[7].contains("confirmed (p "),
                "{line}"
            );
            runners += 1;
        }
    }
    assert!(runners >= 1, "no runner-up listed");

    // Cut, then flag the cut log with the policy.
    let out = case.as_of("cut", "sim", "2026-01-15", "cut", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deals = fs::read_to_string(case.path("cut/deals.csv")).unwrap();
    assert!(deals
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(5).unwrap() < "2026-01-16"));
    assert!(deals
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(6).unwrap() < "2026-01-16"));
    let flagged = case.flag(&case.path("t1/policy.toml"), "2026-01-15", "f");
    let stdout = String::from_utf8_lossy(&flagged.stdout);
    assert_eq!(
        flagged.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&flagged.stderr)
    );
    assert!(
        stdout.contains("As of 2026-01-15:") && stdout.contains("forecast flagged"),
        "{stdout}"
    );
    assert_eq!(
        listing(&case.path("f")),
        ["flags.csv", "flags.json", "reps.csv"]
            .map(String::from)
            .to_vec()
    );
    let policy = case.path("t1/policy.toml").display().to_string();
    // The same flags from the cut log, on one thread.
    let again = case.as_of_threads(
        "flag",
        "cut",
        "2026-01-15",
        "f2",
        &["--policy", &policy],
        "1",
    );
    assert_eq!(again.status.code(), Some(0));
    for f in ["flags.csv", "reps.csv", "flags.json"] {
        assert_eq!(
            fs::read(case.path("f").join(f)).unwrap(),
            fs::read(case.path("f2").join(f)).unwrap(),
            "{f}: full log on 2 threads vs cut log on 1 thread"
        );
    }
}

#[test]
fn bad_input_exits_2_names_the_field_and_writes_nothing() {
    let case = Case::new();
    let ok = case.tune("pol", &[], "2");
    assert_eq!(ok.status.code(), Some(0));
    let policy = fs::read_to_string(case.path("pol/policy.toml")).unwrap();
    let before = listing(case.dir.path());

    // A budget ≤ 0, infinite or NaN (an infinite one was written into policy.toml, and the
    // report drawn from it never finished); the same for every other number of the tuner.
    for b in ["--budget=0", "--budget=-1", "--budget=inf", "--budget=nan"] {
        let out = case.tune("bad", &[b], "2");
        case.rejected(
            &before,
            &out,
            &["--budget: expected a finite number > 0, got "],
        );
    }
    for (flags, expected) in [
        (
            &["--objective", "cost", "--review-cost=inf"][..],
            "--review-cost: expected a finite number ≥ 0, got inf",
        ),
        (
            &["--objective", "cost", "--save-probability=nan"],
            "--save-probability: expected a finite number in [0, 1], got NaN",
        ),
        (
            &["--min-lead=inf"],
            "--min-lead: expected a finite number ≥ 0, got inf",
        ),
        (
            &["--holdout=nan"],
            "--holdout: expected a finite number in [0, 1), got NaN",
        ),
    ] {
        let out = case.tune("bad", flags, "2");
        case.rejected(&before, &out, &[expected]);
    }

    // A window ending before the data (it was tuned on no deals).
    let out = case.tune("bad", &["--window-end", "2020-01-01"], "2");
    case.rejected(
        &before,
        &out,
        &["--window-end: 2020-01-01 is before the data"],
    );

    // A policy for a segment the data lacks.
    let p = case.path("seg.toml");
    fs::write(&p, policy.replacen("name = \"smb\"", "name = \"smbx\"", 1)).unwrap();
    let before_p = listing(case.dir.path());
    let out = case.flag(&p, "2026-01-15", "f");
    case.rejected(
        &before_p,
        &out,
        &[
            "seg.toml",
            "segment[0].name",
            "\"smbx\"",
            "did you mean `smb`",
        ],
    );

    // A policy for an indicator the data lacks.
    fs::write(
        &p,
        policy.replacen("indicator = \"", "indicator = \"zz_", 1),
    )
    .unwrap();
    let out = case.flag(&p, "2026-01-15", "f");
    case.rejected(
        &before_p,
        &out,
        &[
            "seg.toml",
            "segment[0].rule[0].indicator",
            "unknown indicator",
        ],
    );

    // A rule tuned on another definition of its indicator: the policy's first rule in
    // calendar days (the proposal delay or the client's silence), the default set's in
    // working days.
    let calendar = policy.replacen("working_days = true\n", "", 1);
    assert_ne!(
        calendar, policy,
        "the tuned rule records its working-day measure"
    );
    fs::write(&p, &calendar).unwrap();
    let out = case.flag(&p, "2026-01-15", "f");
    case.rejected(
        &before_p,
        &out,
        &[
            "seg.toml",
            "segment[0].rule[0].measure",
            "was tuned as {",
            "} but the indicator set defines it as {",
            "working_days = true",
            "--indicators",
        ],
    );
    // ... which the definitions it was tuned with accept: every rule and every indicator in
    // calendar days.
    fs::write(&p, policy.replace("working_days = true\n", "")).unwrap();
    let defs = case.path("calendar.toml");
    let calendar_set = indicators::DEFAULT_TOML.replace(", working_days = true }", " }");
    assert!(calendar_set
        .lines()
        .filter(|l| l.starts_with("measure"))
        .all(|l| !l.contains("working_days")));
    fs::write(&defs, calendar_set).unwrap();
    let defs = defs.display().to_string();
    let out = case.as_of(
        "flag",
        "sim",
        "2026-01-15",
        "f_calendar",
        &["--policy", &p.display().to_string(), "--indicators", &defs],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::remove_dir_all(case.path("f_calendar")).unwrap();
    fs::remove_file(case.path("calendar.toml")).unwrap();

    // A malformed policy: a field path and position.
    fs::write(&p, policy.replacen("by_day = ", "by_dya = ", 1)).unwrap();
    let out = case.flag(&p, "2026-01-15", "f");
    case.rejected(
        &before_p,
        &out,
        &[
            "seg.toml: line ",
            "unknown field `by_dya`",
            "did you mean `by_day`",
        ],
    );

    // A hand-edited share outside [0, 1]: flag ranks by the precision and warns by the
    // held-out p-value.
    let at = policy
        .find("confirmation_p_value = ")
        .expect("tune writes the p-value");
    let end = at + policy[at..].find('\n').unwrap();
    let mut edited = policy.clone();
    edited.replace_range(at..end, "confirmation_p_value = 5.0");
    fs::write(&p, edited).unwrap();
    let out = case.flag(&p, "2026-01-15", "f");
    case.rejected(
        &before_p,
        &out,
        &[
            "seg.toml: line ",
            "segment[0].rule[0].holdout.confirmation_p_value",
            "expected a share in [0, 1], got 5",
        ],
    );

    // A hand-edited infinite tuning setting: the check of the flags, located in the file.
    let at = policy
        .find("min_lead_days = ")
        .expect("tune writes its settings");
    let end = at + policy[at..].find('\n').unwrap();
    let mut edited = policy.clone();
    edited.replace_range(at..end, "min_lead_days = inf");
    fs::write(&p, edited).unwrap();
    let out = case.flag(&p, "2026-01-15", "f");
    case.rejected(
        &before_p,
        &out,
        &[
            "seg.toml: line ",
            "tuning.min_lead_days",
            "expected a finite number ≥ 0, got inf",
        ],
    );

    // --as-of outside the data, or not a date.
    let good = case.path("pol/policy.toml");
    let out = case.flag(&good, "2030-01-01", "f");
    case.rejected(
        &before_p,
        &out,
        &[
            "--as-of",
            "2030-01-01 is outside the data",
            "expected a day from",
        ],
    );
    let out = case.flag(&good, "2020-01-01", "f");
    case.rejected(&before_p, &out, &["--as-of", "outside the data"]);
    let out = case.flag(&good, "15.01.2026", "f");
    case.rejected(&before_p, &out, &["--as-of", "expected a date YYYY-MM-DD"]);
    let out = case.as_of("cut", "sim", "2030-01-01", "c", &[]);
    case.rejected(&before_p, &out, &["--as-of", "outside the data"]);
}

//! `--cluster deal|rep` as a user runs it on `score`, `tune`, `flag` (old policies) and
//! `sweep`.
//!
//! `rep` resamples reps with all their deals instead of deals: the point figures, and so the
//! rules the tuner chooses, stay the same; the intervals describe another team working the
//! same way, and segments with too few reps are warned about (under 10) or get no interval
//! (under 5). The shared log is the default scenario at about 4,000 deals, whose reps are
//! smb 12, mid_market 9, enterprise 6 and atypical 2 (the default run's).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use dealsim::policy::Policy;
use dealsim::scoring::SCORES_OVER_FEW_REPS;
use dealsim::stats::bootstrap::Cluster;
use dealsim::tuning::rule::intervals_text;
use dealsim::tuning::run::TUNED_OVER_FEW_REPS;

mod common;
use common::{dealsim, listing, on_log, simulate, succeeded};

/// The shared log: large enough for 5 won atypical deals at risk at most landmarks (14 won in
/// all), small enough to simulate in a blink.
fn shared_log() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cluster-cli-sim");
        simulate(&dir, "4000");
        dir
    })
}

/// The note of a score row whose segment has too few reps to resample …
const TWO_REPS: &str = "no interval: 2 reps in the segment, too few to resample";
/// … and, with DeLong's intervals over reps, whose deals come from too few reps.
const TWO_REPS_DELONG: &str = "no interval: 2 reps among these deals, fewer than 5";

/// `dealsim score` of the shared log into `out` with 200 replicates of seed 1 and AUCs from 5
/// deals per class (atypical has no AUC at the default 20), plus `extra`; on `threads` rayon
/// threads (`None`: rayon's default, one per core). Checks exit 0.
fn score(out: &Path, extra: &[&str], threads: Option<&str>) -> Output {
    let mut cmd = on_log("score", shared_log());
    cmd.args(["--bootstrap", "200", "--min-class", "5", "--quiet", "--out"])
        .arg(out)
        .args(extra);
    match threads {
        Some(n) => cmd.env("RAYON_NUM_THREADS", n),
        None => cmd.env_remove("RAYON_NUM_THREADS"),
    };
    let output = cmd.output().expect("the binary runs");
    succeeded(&output);
    output
}

/// `dealsim tune` of the shared log into `out` with 200 replicates, plus `extra`. The budget
/// is 0.5 alerts per rep per week: at about 1 new deal per rep per week in this small log, the
/// default 2 would let every segment's rule flag nearly every deal. Checks exit 0.
fn tune(out: &Path, extra: &[&str]) -> Output {
    let output = on_log("tune", shared_log())
        .args(["--budget", "0.5", "--bootstrap", "200", "--out"])
        .arg(out)
        .args(extra)
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("the binary runs");
    succeeded(&output);
    output
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One row of scores.csv.
#[derive(Debug, PartialEq)]
struct Row {
    indicator: String,
    segment: String,
    day: u32,
    /// n_at_risk, n_lost, n_won, n_censored and the AUC, as written.
    point: Vec<String>,
    auc: Option<f64>,
    ci: Option<[f64; 2]>,
    note: String,
}

fn scores(dir: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(dir.join("scores.csv")).expect("scores.csv");
    let number = |x: &str| (!x.is_empty()).then(|| x.parse::<f64>().expect("a number"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV row");
            let ci = match (number(&r[8]), number(&r[9])) {
                (Some(lo), Some(hi)) => Some([lo, hi]),
                (None, None) => None,
                _ => panic!("half an interval: {r:?}"),
            };
            Row {
                indicator: r[0].to_string(),
                segment: r[1].to_string(),
                day: r[2].parse().expect("a landmark"),
                point: r.iter().skip(3).take(5).map(String::from).collect(),
                auc: number(&r[7]),
                ci,
                note: r[10].to_string(),
            }
        })
        .collect()
}

/// The `warning: ` lines of `output`'s stderr, without the prefix.
fn warnings(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .map(String::from)
        .collect()
}

/// The few-reps warning's two parts: the segments named as too few to trust (under 30 reps)
/// and those left without intervals (under 5), each as "name (reps)", sorted.
fn few_reps(warning: &str) -> (Vec<&str>, Vec<&str>) {
    let rest = warning
        .strip_prefix("--cluster rep: fewer than 30 reps in ")
        .unwrap_or_else(|| panic!("not the few-reps warning: {warning}"));
    let (narrow, rest) = rest
        .split_once(": ")
        .filter(|(_, why)| {
            [SCORES_OVER_FEW_REPS, TUNED_OVER_FEW_REPS]
                .iter()
                .any(|w| why.starts_with(w))
        })
        .unwrap_or_else(|| panic!("the too-narrow part expected: {warning}"));
    let none = rest.split_once("; fewer than 5 reps in ").map(|(_, none)| {
        none.strip_suffix(": no intervals there")
            .unwrap_or_else(|| panic!("{warning}"))
    });
    let mut parts = (
        narrow.split(", ").collect::<Vec<_>>(),
        none.map_or(Vec::new(), |n| n.split(", ").collect()),
    );
    parts.0.sort();
    parts.1.sort();
    parts
}

#[test]
fn rep_clusters_keep_the_scores_widen_rep_driven_intervals_and_warn_about_few_reps() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (deal_dir, rep_dir) = (tmp.path().join("deal"), tmp.path().join("rep"));
    // Both resample (the default is DeLong's interval): the widths compare.
    let by_deal = score(&deal_dir, &["--interval", "bootstrap"], None);
    let rep_args = ["--cluster", "rep", "--interval", "bootstrap"];
    let by_rep = score(&rep_dir, &rep_args, None);
    // DeLong's over reps, the default with --cluster rep.
    let delong_dir = tmp.path().join("rep-delong");
    let by_rep_delong = score(&delong_dir, &["--cluster", "rep"], None);
    assert_eq!(warnings(&by_rep_delong), warnings(&by_rep));

    // The warning: smb, mid_market and enterprise too few to trust, atypical without
    // intervals; on stderr and in scores.json. None with deals resampled.
    assert_eq!(warnings(&by_deal), Vec::<String>::new());
    let said = warnings(&by_rep);
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(
        few_reps(&said[0]),
        (
            vec!["enterprise (6)", "mid_market (9)", "smb (12)"],
            vec!["atypical (2)"]
        )
    );
    let json = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&read(&dir.join("scores.json"))).expect("JSON")
    };
    let (deal_json, rep_json) = (json(&deal_dir), json(&rep_dir));
    assert_eq!(deal_json["options"]["cluster"], "deal");
    assert_eq!(rep_json["options"]["cluster"], "rep");
    assert_eq!(deal_json["options"]["interval"], "bootstrap");
    assert_eq!(rep_json["options"]["interval"], "bootstrap");
    assert_eq!(json(&delong_dir)["options"]["interval"], "delong");
    assert_eq!(rep_json["warnings"], serde_json::json!(said));
    assert_eq!(deal_json["warnings"], serde_json::json!([]));
    // The report says what was resampled.
    for (dir, unit) in [(&deal_dir, "deals"), (&rep_dir, "reps")] {
        let summary = read(&dir.join("summary.md"));
        assert!(
            summary.contains(&format!(
                ", 200 bootstrap replicates of the {unit} (bootstrap seed 1). "
            )),
            "{summary}"
        );
        let html = read(&dir.join("index.html"));
        assert!(
            html.contains(&format!(
                "<th>intervals</th><td>200 bootstrap replicates of the {unit}</td>"
            )),
            "{unit}"
        );
    }

    // Over reps the intervals (and the notes) change, never the counts or the AUC.
    let (deal, rep, rep_delong) = (scores(&deal_dir), scores(&rep_dir), scores(&delong_dir));
    assert_eq!(deal.len(), rep.len());
    assert_eq!(deal.len(), rep_delong.len());
    let mut atypical = 0;
    let methods = [TWO_REPS, TWO_REPS_DELONG];
    let rep_rows = rep.iter().map(|r| (r, 0));
    let delong_rows = rep_delong.iter().map(|r| (r, 1));
    for (d, (r, method)) in deal.iter().cycle().zip(rep_rows.chain(delong_rows)) {
        assert_eq!(
            (&d.indicator, &d.segment, d.day, &d.point),
            (&r.indicator, &r.segment, r.day, &r.point)
        );
        if r.auc.is_none() {
            assert_eq!(d.note, r.note);
            continue;
        }
        // Segments of 2 reps get no interval where deals would have given one; the others
        // (the pooled `all` too) keep theirs. Where every deal ties (no follow-up due yet at
        // day 7) no unit gives one: too few reps is said first.
        if d.note == "no interval: every deal has the same value" {
            let over_reps = if r.segment == "atypical" {
                methods[method]
            } else {
                d.note.as_str()
            };
            assert_eq!((d.ci, r.ci, r.note.as_str()), (None, None, over_reps));
            continue;
        }
        assert!(d.ci.is_some(), "{d:?}");
        if r.segment == "atypical" {
            atypical += 1;
            assert_eq!((r.ci, r.note.as_str()), (None, methods[method]), "{r:?}");
        } else {
            assert!(r.ci.is_some() && r.note.is_empty(), "{r:?}");
        }
    }
    // 156 measured per method.
    assert!(atypical > 200, "only {atypical} atypical rows with an AUC");

    // A rep-driven indicator: how complete a rep keeps client cards is the rep's habit, so
    // its AUC moves with the team drawn. Measured widths of the smb intervals, deals -> reps
    // (bootstrap; DeLong's over reps): day 21 0.062 -> 0.095; 0.092, day 28 0.063 -> 0.092;
    // 0.088, day 42 0.065 -> 0.089; 0.089. (On this small
    // log proposal_delay_days widens less, 1.1-1.5x over days 21-56, and narrows at day 14,
    // 0.052 -> 0.040: a habit that shifts a rep's won and lost deals alike drops out of the
    // AUC. On the default run card_completeness widens 3-4x, proposal_delay_days 2-3x.)
    let width = |rows: &[Row], day: u32| {
        let r = rows
            .iter()
            .find(|r| {
                (r.indicator.as_str(), r.segment.as_str(), r.day)
                    == ("card_completeness", "smb", day)
            })
            .expect("the row");
        let [lo, hi] = r.ci.expect("an interval");
        hi - lo
    };
    for day in [21, 28, 42] {
        let (d, r, t) = (width(&deal, day), width(&rep, day), width(&rep_delong, day));
        assert!(r > 1.3 * d, "day {day}: {d:.3} by deals, {r:.3} by reps");
        assert!(
            t > 1.3 * d,
            "day {day}: {d:.3} by deals, {t:.3} by reps (DeLong)"
        );
    }
}

#[test]
fn cluster_deal_is_the_default() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (implicit, explicit) = (tmp.path().join("implicit"), tmp.path().join("explicit"));
    score(&implicit, &[], None);
    score(&explicit, &["--cluster", "deal"], None);
    for f in [
        "scores.csv",
        "indicator_summary.csv",
        "scores.json",
        "summary.md",
    ] {
        assert!(
            fs::read(implicit.join(f)).unwrap() == fs::read(explicit.join(f)).unwrap(),
            "{f} differs with --cluster deal"
        );
    }
}

#[test]
fn rep_clusters_are_drawn_alike_on_any_thread_count() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (one, all) = (tmp.path().join("one"), tmp.path().join("all"));
    score(&one, &["--cluster", "rep"], Some("1"));
    score(&all, &["--cluster", "rep"], None);
    for f in ["scores.csv", "scores.json"] {
        assert!(
            fs::read(one.join(f)).unwrap() == fs::read(all.join(f)).unwrap(),
            "{f} differs between 1 thread and rayon's default"
        );
    }
}

/// Lines of `policy.toml` with the intervals and the cluster line left out.
fn without_intervals(policy: &str) -> String {
    policy
        .lines()
        .filter(|l| !l.contains("_ci = ") && !l.starts_with("cluster = "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `[segment.rule.expected] recall_ci` of segment `name`.
fn recall_ci(policy: &Policy, name: &str) -> [f64; 2] {
    let seg = policy.segment.iter().find(|s| s.name == name).expect(name);
    let expected = seg.rule[0].expected.as_ref().expect("tuning figures");
    expected.recall_ci.expect("an interval")
}

#[test]
fn tune_by_reps_chooses_the_same_rules_with_wider_intervals() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (deal_dir, rep_dir) = (tmp.path().join("deal"), tmp.path().join("rep"));
    let by_deal = tune(&deal_dir, &[]);
    let by_rep = tune(&rep_dir, &["--cluster", "rep"]);
    // The terminal summary says which figures the reps do not enter.
    let said = "(--cluster rep: intervals are over reps; the SE and p-values above treat deals \
                as independent)";
    assert!(String::from_utf8_lossy(&by_rep.stdout).contains(said));
    assert!(!String::from_utf8_lossy(&by_deal.stdout).contains("--cluster rep"));

    let deal_toml = read(&deal_dir.join("policy.toml"));
    let rep_toml = read(&rep_dir.join("policy.toml"));
    assert!(deal_toml.contains("\ncluster = \"deal\"\n"), "{deal_toml}");
    assert!(rep_toml.contains("\ncluster = \"rep\"\n"), "{rep_toml}");
    // The rule choice does not depend on the bootstrap: the same rules, thresholds, point
    // figures and held-out checks; so are the other files.
    assert_eq!(without_intervals(&deal_toml), without_intervals(&rep_toml));
    for f in ["tradeoffs.csv", "deadlines.csv", "review.csv"] {
        assert!(
            fs::read(deal_dir.join(f)).unwrap() == fs::read(rep_dir.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // smb's recall interval: measured [25.2%, 31.6%] by deals, [21.8%, 35.8%] over reps (on
    // the default run [18.3%, 20.3%] and [14.1%, 25.8%]).
    let policy = |text: &str| Policy::parse(text, "policy.toml").expect("a policy");
    let (deal, rep) = (policy(&deal_toml), policy(&rep_toml));
    let ([dl, dh], [rl, rh]) = (recall_ci(&deal, "smb"), recall_ci(&rep, "smb"));
    assert!(
        rl < dl && dh < rh && rh - rl > 1.5 * (dh - dl),
        "by deals [{dl:.3}, {dh:.3}], by reps [{rl:.3}, {rh:.3}]"
    );

    // policy.md says how the intervals were computed and warns about the tuned segments with few
    // reps (atypical is not tuned, so not named).
    let deal_md = read(&deal_dir.join("policy.md"));
    let rep_md = read(&rep_dir.join("policy.md"));
    assert!(
        deal_md.contains(&format!(
            "Intervals are {}.",
            intervals_text(Cluster::Deal, 200)
        )),
        "{deal_md}"
    );
    assert!(
        rep_md.contains(&format!(
            "Intervals are {}; the Fisher p-values, of the choice and of the held-out check, \
             still treat deals as independent.",
            intervals_text(Cluster::Rep, 200)
        )),
        "{rep_md}"
    );
    assert!(rep_md.contains("cluster-robust variance of a ratio of rep totals"));
    assert!(!deal_md.contains("**Warnings**"), "{deal_md}");
    let said = warnings(&by_rep);
    assert_eq!(warnings(&by_deal), Vec::<String>::new());
    assert_eq!(said.len(), 1, "{said:?}");
    let expected = &said[0];
    assert_eq!(
        few_reps(expected),
        (
            vec!["enterprise (6)", "mid_market (9)", "smb (12)"],
            Vec::new()
        )
    );
    assert!(
        rep_md.contains(&format!(
            "**Warnings** (read the figures below with them):\n\n- {expected}\n"
        )),
        "{rep_md}"
    );
}

#[test]
fn a_policy_tuned_before_the_cluster_option_still_flags() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| tmp.path().join(name);
    // Rules with few replicates: flag reads the rules, not their intervals.
    for (dir, cluster) in [("deal", "deal"), ("rep", "rep")] {
        let output = on_log("tune", shared_log())
            .args([
                "--budget",
                "0.5",
                "--bootstrap",
                "20",
                "--cluster",
                cluster,
                "--out",
            ])
            .arg(at(dir))
            .output()
            .expect("the binary runs");
        succeeded(&output);
    }
    let tuned = read(&at("deal/policy.toml"));
    // Policies of that time had neither the cluster nor the scenario.
    let old = tuned
        .replace("\ncluster = \"deal\"\n", "\n")
        .replace("\nscenario = \"default\"\n", "\n");
    assert_eq!(
        old.len(),
        tuned.len() - "cluster = \"deal\"\nscenario = \"default\"\n".len()
    );
    fs::write(at("old.toml"), &old).unwrap();
    assert_eq!(
        Policy::parse(&old, "old.toml")
            .expect("an old policy")
            .tuning
            .map(|t| t.cluster),
        Some(Cluster::Deal)
    );

    let flag = |policy: &Path, out: &str| {
        let output = on_log("flag", shared_log())
            .arg("--policy")
            .arg(policy)
            .args(["--as-of", "2026-02-15", "--out"])
            .arg(at(out))
            .output()
            .expect("the binary runs");
        succeeded(&output);
        read(&at(&format!("{out}/flags.csv")))
    };
    let flagged = flag(&at("deal/policy.toml"), "flags-new");
    assert!(flagged.lines().count() > 50, "{flagged}");
    assert_eq!(flag(&at("old.toml"), "flags-old"), flagged);
    // The same rules tuned with reps resampled flag the same deals.
    assert_eq!(flag(&at("rep/policy.toml"), "flags-rep"), flagged);
}

#[test]
fn an_unknown_cluster_is_a_usage_error_that_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let commands = [
        on_log("score", shared_log()),
        on_log("tune", shared_log()),
        {
            let mut run = dealsim();
            run.arg("run");
            run
        },
        {
            let mut sweep = dealsim();
            sweep.args(["sweep", "--set", "segments[smb].reps.count=4"]);
            sweep
        },
    ];
    let log_before = listing(shared_log());
    for mut cmd in commands {
        let output = cmd
            .args(["--cluster", "bogus", "--out"])
            .arg(&out)
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with("error: invalid value 'bogus' for '--cluster <UNIT>'\n")
                && stderr.contains("[possible values: deal, rep]"),
            "{stderr}"
        );
        assert!(output.stdout.is_empty());
        assert_eq!(listing(tmp.path()), Vec::<String>::new(), "{stderr}");
    }
    assert_eq!(listing(shared_log()), log_before);
}

/// DeLong's variance needs every label: asked for with IPCW, score, run and sweep refuse it
/// before doing anything.
#[test]
fn delong_intervals_with_ipcw_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let log_before = listing(shared_log());
    for (extra, why) in [(
        ["--censoring", "ipcw"],
        "DeLong's variance needs every label known; with --censoring ipcw use --interval bootstrap",
    )] {
        let commands = [
            on_log("score", shared_log()),
            {
                let mut run = dealsim();
                run.args(["run", "--deals", "300"]);
                run
            },
            {
                let mut sweep = dealsim();
                sweep.args([
                    "sweep",
                    "--set",
                    "segments[smb].reps.count=4",
                    "--deals",
                    "300",
                ]);
                sweep
            },
        ];
        for mut cmd in commands {
            let output = cmd
                .args(["--interval", "delong", "--quiet", "--out"])
                .arg(&out)
                .args(extra)
                .output()
                .expect("the binary runs");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{stderr}");
            assert!(
                stderr.contains(&format!("--interval delong: {why}")),
                "{stderr}"
            );
            assert_eq!(listing(tmp.path()), Vec::<String>::new(), "{stderr}");
        }
    }
    assert_eq!(listing(shared_log()), log_before);
}

#[test]
fn a_sweep_by_reps_records_it_and_warns_where_a_point_has_too_few_reps() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let sweep = |cluster: &str| {
        let out = tmp.path().join(cluster);
        let output = dealsim()
            .args([
                "sweep",
                "--set",
                "segments[smb].reps.count=4,12",
                "--deals",
                "1500",
            ])
            .args([
                "--bootstrap",
                "20",
                "--quiet",
                "--cluster",
                cluster,
                "--out",
            ])
            .arg(&out)
            .output()
            .expect("the binary runs");
        succeeded(&output);
        (out, output)
    };
    let (deal_dir, by_deal) = sweep("deal");
    let (rep_dir, by_rep) = sweep("rep");
    assert_eq!(warnings(&by_deal), Vec::<String>::new());
    let said = warnings(&by_rep);
    assert_eq!(said.len(), 2, "one per point: {said:?}");
    let point = |k: usize, reps: &str| {
        let prefix = format!("point {k} (segments[smb].reps.count={reps}): ");
        let w = said[k - 1]
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{prefix} expected: {said:?}"));
        few_reps(w)
    };
    assert_eq!(
        point(1, "4"),
        (
            vec!["enterprise (6)", "mid_market (9)"],
            vec!["atypical (2)", "smb (4)"]
        )
    );
    assert_eq!(
        point(2, "12"),
        (
            vec!["enterprise (6)", "mid_market (9)", "smb (12)"],
            vec!["atypical (2)"]
        )
    );

    for (dir, cluster) in [(&deal_dir, "deal"), (&rep_dir, "rep")] {
        let record: serde_json::Value =
            serde_json::from_str(&read(&dir.join("sweep.json"))).expect("JSON");
        assert_eq!(record["scoring"]["cluster"], cluster);
        // DeLong's intervals unless asked otherwise, over deals or over reps.
        let text = if cluster == "deal" {
            "logit-DeLong intervals (deals independent), "
        } else {
            "logit-DeLong intervals over reps (Obuchowski variance, t with reps − 1 df), "
        };
        assert_eq!(record["scoring"]["interval"], "delong");
        let page = read(&dir.join("index.html"));
        assert!(page.contains(text), "{text:?} not on the sweep page");
    }
    // Without intervals, no smb indicator becomes reliable at 4 reps (hence the warning);
    // with deals resampled some do.
    let reliable = |dir: &Path| -> usize {
        let mut reader = csv::Reader::from_path(dir.join("sweep.csv")).expect("sweep.csv");
        reader
            .records()
            .map(|r| r.expect("a row"))
            .filter(|r| &r[0] == "1" && &r[3] == "smb" && !r[7].is_empty())
            .count()
    };
    assert_eq!(reliable(&rep_dir), 0);
    assert!(reliable(&deal_dir) > 0);
}

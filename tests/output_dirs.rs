//! `--out` directories are replaced as a whole, so dealsim replaces only what it wrote: a
//! directory holding anything else is refused before any work, and nothing in it changes.

use std::fs;
use std::path::Path;

mod common;
use common::{dealsim, listing};

/// Runs `dealsim ARGS` in `cwd`; returns (exit code, stderr).
fn run_in(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = dealsim()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const SMALL_RUN: [&str; 4] = ["run", "--deals", "300", "--quiet"];

fn small_run(cwd: &Path, out: &str) -> (Option<i32>, String) {
    run_in(cwd, &[&SMALL_RUN[..], &["--out", out]].concat())
}

#[test]
fn a_directory_holding_a_users_file_is_refused_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("thesis.docx"), b"keep").unwrap();

    let (code, stderr) = small_run(tmp.path(), "mine");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--out mine: holds files dealsim did not write (thesis.docx)"),
        "{stderr}"
    );
    assert_eq!(listing(&mine), ["thesis.docx"]);
    assert_eq!(fs::read(mine.join("thesis.docx")).unwrap(), b"keep");
    // No temporary directory is left beside it.
    assert_eq!(listing(tmp.path()), ["mine"]);

    // The same for a command that writes another kind of directory.
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    let (code, stderr) = run_in(
        tmp.path(),
        &[
            "cut",
            "--events",
            "run/events.csv",
            "--deals",
            "run/deals.csv",
            "--as-of",
            "2025-06-30",
            "--out",
            "mine",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("thesis.docx"), "{stderr}");
    assert_eq!(listing(&mine), ["thesis.docx"]);
}

#[test]
fn a_directory_dealsim_wrote_is_replaced_with_what_other_commands_added() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    let first = listing(&tmp.path().join("run"));
    // `score` adds its files to a directory it is given, and lists them there.
    let (code, stderr) = run_in(
        tmp.path(),
        &[
            "score",
            "--events",
            "run/events.csv",
            "--deals",
            "run/deals.csv",
            "--bootstrap",
            "20",
            "--out",
            "run",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = small_run(tmp.path(), "run");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(listing(&tmp.path().join("run")), first);
    let written = fs::read_to_string(tmp.path().join("run/.dealsim-files")).unwrap();
    let listed: Vec<&str> = written.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(listed, first[1..], "the list names every other file");
}

/// A directory a command puts inside one dealsim wrote (`flag`'s default `flags-DATE` beside the
/// log) is listed there, so that a later run into the outer directory replaces it rather than
/// refusing it as a user's file.
#[test]
fn a_directory_written_inside_a_dealsim_directory_is_listed_there() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    let (code, stderr) = run_in(
        tmp.path(),
        &[
            "flag",
            "--policy",
            "run/policy.toml",
            "--events",
            "run/events.csv",
            "--deals",
            "run/deals.csv",
            "--as-of",
            "2026-02-15",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let written = fs::read_to_string(tmp.path().join("run/.dealsim-files")).unwrap();
    assert!(
        written.lines().any(|l| l == "flags-2026-02-15"),
        "{written}"
    );
    let (code, stderr) = small_run(tmp.path(), "run");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!tmp.path().join("run/flags-2026-02-15").exists());
}

#[test]
fn an_older_run_directory_is_replaced_unless_it_holds_a_users_file() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    // As a dealsim from before the list wrote it (nor scenario.toml, which came later).
    fs::remove_file(tmp.path().join("run/.dealsim-files")).unwrap();
    fs::remove_file(tmp.path().join("run/scenario.toml")).unwrap();
    fs::write(tmp.path().join("run/notes.txt"), b"mine").unwrap();
    let (code, stderr) = small_run(tmp.path(), "run");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("(notes.txt) (it has no .dealsim-files list"),
        "{stderr}"
    );
    fs::remove_file(tmp.path().join("run/notes.txt")).unwrap();
    let (code, stderr) = small_run(tmp.path(), "run");
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn the_working_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stderr) = small_run(tmp.path(), ".");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--out .: is the working directory"),
        "{stderr}"
    );
    assert!(listing(tmp.path()).is_empty(), "something was written");
}

/// No command writes over what it reads: an output directory that is or holds an input, or an
/// output file that is one (however spelled), is refused before any work, and nothing in the
/// run directory changes.
#[test]
fn an_output_that_is_or_holds_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    let run = tmp.path().join("run");
    let snapshot = || -> Vec<(String, Vec<u8>)> {
        listing(&run)
            .into_iter()
            .map(|n| (n.clone(), fs::read(run.join(&n)).unwrap()))
            .collect()
    };
    fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/indicators.toml"),
        run.join("indicators.toml"),
    )
    .unwrap();
    let before = snapshot();
    let log = ["--events", "run/events.csv", "--deals", "run/deals.csv"];
    let refused = |args: &[&str], expected: &str| {
        let (code, stderr) = run_in(tmp.path(), args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            stderr.contains("choose an output that is not an input"),
            "{stderr}"
        );
        assert!(snapshot() == before, "{args:?} changed the run directory");
        assert_eq!(listing(tmp.path()), ["run"], "{args:?} left something");
    };
    refused(
        &[
            &["cut"],
            &log[..],
            &["--as-of", "2025-06-30", "--out", "run"],
        ]
        .concat(),
        "--out run: holds the --events file run/events.csv, and this command replaces its \
         output directory as a whole",
    );
    refused(
        &[
            &["export", "--format", "csv"],
            &log[..],
            &["--out", "run/deals.csv"],
        ]
        .concat(),
        "--out run/deals.csv: is the --deals file run/deals.csv",
    );
    refused(
        &[
            &["export", "--format", "xes"],
            &log[..],
            &["--out", "run/../run/events.csv"],
        ]
        .concat(),
        "is the --events file run/events.csv",
    );
    refused(
        &[&["calibrate"], &log[..], &["--out", "run/deals.csv"]].concat(),
        "is the --deals file run/deals.csv",
    );
    refused(
        &[
            &["flag", "--policy", "run/policy.toml"],
            &log[..],
            &["--as-of", "2025-06-30", "--out", "run"],
        ]
        .concat(),
        "holds the --policy file run/policy.toml",
    );
    refused(
        &["import", "csv", "run/events.csv", "--out", "run"],
        "holds the imported file run/events.csv",
    );
    // run's own inputs: the indicator set beside an imported log, say.
    refused(
        &[
            &SMALL_RUN[..],
            &["--indicators", "run/indicators.toml", "--out", "run"],
        ]
        .concat(),
        "holds the --indicators file run/indicators.toml",
    );
    // score and tune add files to a directory: refused only when one they write is an input.
    refused(
        &[
            "score",
            "--events",
            "run/events.csv",
            "--deals",
            "run/scores.csv",
            "--quiet",
        ],
        "--out run: its scores.csv, which this command writes, is the --deals file run/scores.csv",
    );
    refused(
        &[&["tune"], &log[..], &["--scenario", "run/policy.md"]].concat(),
        "its policy.md, which this command writes, is the --scenario file run/policy.md",
    );
}

/// Runs `dealsim ARGS` in `cwd` unable to write a file longer than `max_bytes` (the write fails
/// with EFBIG, as on a full disk; SIGXFSZ, which would kill it instead, is ignored).
#[cfg(unix)]
fn run_with_file_limit(cwd: &Path, args: &[&str], max_bytes: u64) -> (Option<i32>, String) {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dealsim"));
    command.current_dir(cwd).args(args);
    // SAFETY: between fork and exec the closure calls only setrlimit and signal, both
    // async-signal-safe, and allocates nothing.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: max_bytes,
                rlim_max: max_bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let output = command.output().expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `run` puts its directory in place only when every step has written: a step after the
/// simulation that fails leaves neither a run directory without its report nor a staging
/// directory, and an earlier run stays whole. The failure: no file may grow past 400 kB, which
/// a 30-deal log (about 120 kB of events) stays under and the scores (about 750 kB of
/// scores.json, 14 indicators × 24 landmarks × 5 segments whatever the deal count) do not.
/// (This test used a scenario whose window ends years after its deals, which `run` refused
/// after simulating; a simulated window's end is known, and `run` now scores up to it.)
#[cfg(unix)]
#[test]
fn a_run_failing_after_the_simulation_leaves_no_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let tiny = ["run", "--deals", "30", "--quiet"];
    let limited = |out: &str| {
        run_with_file_limit(tmp.path(), &[&tiny[..], &["--out", out]].concat(), 400_000)
    };
    // Into new parents, which go too (`new/deep/` stayed).
    let (code, stderr) = limited("new/deep/run");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("simulated ") && stderr.contains("File too large"),
        "a failure after the simulation: {stderr}"
    );
    // Nothing claims to have been written (it used to say "scores written to" first).
    assert!(
        !stderr.contains("written to") && !stderr.contains("report: "),
        "{stderr}"
    );
    assert!(listing(tmp.path()).is_empty(), "{:?}", listing(tmp.path()));

    let (code, stderr) = run_in(tmp.path(), &[&tiny[..], &["--out", "run"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    let before = listing(&tmp.path().join("run"));
    let index = fs::read(tmp.path().join("run/index.html")).unwrap();
    let (code, stderr) = limited("run");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(listing(tmp.path()), ["run"]);
    assert_eq!(listing(&tmp.path().join("run")), before);
    assert_eq!(fs::read(tmp.path().join("run/index.html")).unwrap(), index);
}

/// `run` scores its simulation up to the scenario's window end, however quiet its last weeks
/// were: a 60-deal run (a CI smoke test's size), whose last
/// deal closes some 40 days before the default window ends, was refused after simulating
/// ("window.end ... longer than any quiet spell in the data"), as was a scenario whose window
/// ends a year after its last deal. A `--window-end` flag is still held to the quiet spells
/// (`score_cli.rs`).
#[test]
fn a_run_scores_up_to_its_window_end_however_quiet_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let show = dealsim().args(["scenario", "show"]).output().unwrap();
    let default = String::from_utf8(show.stdout).unwrap();
    let end = "\nend = \"2026-08-31\"\n";
    assert!(
        default.contains(end),
        "the default scenario's window end moved"
    );
    let late = tmp.path().join("late-end.toml");
    fs::write(&late, default.replace(end, "\nend = \"2027-08-31\"\n")).unwrap();
    for (args, out) in [
        (vec!["run", "--deals", "60", "--quiet"], "r60"),
        (
            vec![
                "run",
                "--deals",
                "300",
                "--quiet",
                "--scenario",
                late.to_str().unwrap(),
            ],
            "late",
        ),
    ] {
        let (code, stderr) = run_in(tmp.path(), &[&args[..], &["--out", out]].concat());
        assert_eq!(code, Some(0), "{out}: {stderr}");
        assert!(tmp.path().join(out).join("index.html").exists());
    }
}

/// The tuner takes at most 255 landmarks: `run` says so before it simulates (it used to
/// simulate every deal first), with exit 2 and nothing written.
#[test]
fn too_many_landmarks_are_refused_before_the_simulation() {
    let tmp = tempfile::tempdir().unwrap();
    let too_many = [&SMALL_RUN[..], &["--landmarks", "1:400:1", "--out", "run"]].concat();
    let (code, stderr) = run_in(tmp.path(), &too_many);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "error: --landmarks: at most 255 landmarks can be tuned\n"
    );
    assert!(listing(tmp.path()).is_empty(), "{:?}", listing(tmp.path()));
}

/// A failed import leaves no directory behind, the parents it created for `--out` included:
/// `import csv bad.csv --out new/deep/imp` left `new/deep/`.
#[test]
fn a_failed_import_leaves_no_parent_it_created() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("bad.csv"), "case_id,activity\n").unwrap();
    fs::create_dir(tmp.path().join("had")).unwrap();
    for out in ["new/deep/imp", "had/new/imp"] {
        let (code, stderr) = run_in(tmp.path(), &["import", "csv", "bad.csv", "--out", out]);
        assert_eq!(code, Some(2), "{stderr}");
        assert_eq!(listing(tmp.path()), ["bad.csv", "had"], "{out}");
        assert!(listing(&tmp.path().join("had")).is_empty(), "{out}");
    }
}

/// `score` and `tune` add their files to `--out` after all the work. An `--out` they cannot
/// write is refused first, as the commands that replace their directory refuse it, with exit 2:
/// here the log is not even readable, and its error would mean the work had started.
#[test]
fn score_and_tune_check_their_out_before_reading_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("events.csv"), "case_id\n").unwrap();
    fs::write(tmp.path().join("deals.csv"), "case_id\n").unwrap();
    fs::write(tmp.path().join("file"), "").unwrap();
    for command in ["score", "tune"] {
        let (code, stderr) = run_in(
            tmp.path(),
            &[
                command,
                "--events",
                "events.csv",
                "--deals",
                "deals.csv",
                "--quiet",
                "--out",
                "file/out",
            ],
        );
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.starts_with(
                "error: --out file/out: cannot write the output directory: file is a file, \
                 expected a directory"
            ),
            "{command}: {stderr}"
        );
    }
    assert_eq!(listing(tmp.path()), ["deals.csv", "events.csv", "file"]);
}

/// A directory that refuses new files (read-only) gave exit 1 after all the scoring; now 2,
/// before it. (Skipped where permissions do not bite, as for root.)
#[cfg(unix)]
#[test]
fn a_read_only_out_is_refused_up_front_by_score_and_tune() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let locked = tmp.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    if tempfile::tempfile_in(&locked).is_ok() {
        eprintln!("skipped: permissions do not apply to this user");
        return;
    }
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    let log = ["--events", "run/events.csv", "--deals", "run/deals.csv"];
    for (command, out) in [("score", "locked"), ("tune", "locked/sub")] {
        let args = [&[command, "--quiet"][..], &log, &["--out", out]].concat();
        let (code, stderr) = run_in(tmp.path(), &args);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "--out {out}: cannot write into locked: permission denied"
            )),
            "{stderr}"
        );
    }
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(listing(&locked).is_empty());
}

/// The bytes of every file in `dir`, by name.
fn contents(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let bytes = fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// A `score` or `tune` whose writing fails partway (a file-size limit here, as a full disk
/// would) leaves every file of the run directory as it was: scores, tables, policy and report
/// go to temporary files before any is renamed into place. `score` used to replace the scores
/// and stop at the report, leaving new scores beside the old report.
#[cfg(unix)]
#[test]
fn a_command_that_cannot_write_every_file_changes_none() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    let log = ["--events", "run/events.csv", "--deals", "run/deals.csv"];
    let rescore = [
        &["score"],
        &log[..],
        &["--landmarks", "14:84:14", "--quiet"],
    ]
    .concat();
    let retune = [&["tune"], &log[..], &["--budget", "1", "--quiet"]].concat();
    for args in [rescore, retune] {
        changes_none_when_a_write_fails(tmp.path(), &args);
    }
}

/// Runs `args` (on `run/` in `cwd`, writing into it) on a copy of `run/` to see what it
/// changes, then on `run/` itself with a file-size limit below the largest of those files:
/// the command fails and `run/` is as it was.
#[cfg(unix)]
fn changes_none_when_a_write_fails(cwd: &Path, args: &[&str]) {
    let copy = cwd.join("copy");
    let _ = fs::remove_dir_all(&copy);
    fs::create_dir(&copy).unwrap();
    let before = contents(&cwd.join("run"));
    for (name, bytes) in &before {
        fs::write(copy.join(name), bytes).unwrap();
    }
    let copy_args: Vec<String> = args.iter().map(|a| a.replacen("run", "copy", 1)).collect();
    let copy_args: Vec<&str> = copy_args.iter().map(String::as_str).collect();
    let (code, stderr) = run_in(cwd, &copy_args);
    assert_eq!(code, Some(0), "{stderr}");
    let after = contents(&copy);
    let changed: Vec<&String> = after.keys().filter(|n| before[*n] != after[*n]).collect();
    assert!(changed.len() >= 3, "{args:?} changes files: {changed:?}");
    let largest = changed.iter().map(|n| after[*n].len()).max().unwrap();
    let smallest = changed.iter().map(|n| after[*n].len()).min().unwrap();
    // bash's `ulimit -f` counts 1024-byte blocks: the largest changed file cannot be written,
    // the smallest can.
    let blocks = (largest - 1) / 1024;
    assert!(smallest <= blocks * 1024, "sizes {smallest}..{largest}");

    let limited = dealsim_under_file_size_limit(cwd, blocks, args);
    assert_eq!(limited.status.code(), Some(1), "{args:?}: {limited:?}");
    assert!(
        String::from_utf8_lossy(&limited.stderr).contains("writing"),
        "{limited:?}"
    );
    let now = contents(&cwd.join("run"));
    assert_eq!(
        now.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    let replaced: Vec<&String> = now.keys().filter(|n| now[*n] != before[*n]).collect();
    assert!(replaced.is_empty(), "{args:?} replaced {replaced:?}");
}

/// `dealsim ARGS` run in `cwd` with files limited to `blocks` KiB, the limit's signal ignored
/// so that a write past it fails with an error, as on a full disk.
#[cfg(unix)]
fn dealsim_under_file_size_limit(cwd: &Path, blocks: usize, args: &[&str]) -> std::process::Output {
    std::process::Command::new("bash")
        .current_dir(cwd)
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_dealsim"))
        .args(args)
        .output()
        .expect("bash runs")
}

/// `calibrate --out` of the log's own `scenario.toml` replaced the scenario it had just read as
/// its base (the one `score` and `tune` read beside the log, so later scores of the log
/// changed): a file read implicitly beside the log is an input as much as `--base FILE`, and
/// so is the cut record a cut log's window end comes from. Refused, nothing written.
#[test]
fn calibrate_keeps_the_files_it_reads_beside_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    // Enough closed deals per segment for calibrate to fit (and so to write) without the check.
    let (code, stderr) = run_in(
        tmp.path(),
        &["simulate", "--deals", "8000", "--quiet", "--out", "sim"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = run_in(
        tmp.path(),
        &[
            "cut",
            "--events",
            "sim/events.csv",
            "--deals",
            "sim/deals.csv",
            "--as-of",
            "2026-06-30",
            "--out",
            "cut",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let scenario_beside = "error: --out sim/scenario.toml: is the scenario beside the --events \
                           file (score and tune read the log with it) sim/scenario.toml: choose \
                           an output that is not an input";
    for (dir, out, base, expected) in [
        ("sim", "sim/scenario.toml", None, scenario_beside),
        // Not read with another --base, but still the scenario the log is read with.
        (
            "sim",
            "sim/scenario.toml",
            Some("cut/scenario.toml"),
            scenario_beside,
        ),
        (
            "cut",
            "cut/cut.json",
            None,
            "error: --out cut/cut.json: is the window end recorded beside the --events file \
             cut/cut.json: choose an output that is not an input",
        ),
    ] {
        let before = contents(&tmp.path().join(dir));
        let events = format!("{dir}/events.csv");
        let deals = format!("{dir}/deals.csv");
        let mut args = vec![
            "calibrate",
            "--events",
            &events,
            "--deals",
            &deals,
            "--iterations",
            "0",
            "--quiet",
            "--out",
            out,
        ];
        args.extend(base.iter().flat_map(|b| ["--base", b]));
        let (code, stderr) = run_in(tmp.path(), &args);
        assert_eq!(code, Some(2), "{out}: {stderr}");
        assert!(stderr.starts_with(expected), "{out}: {stderr}");
        assert!(contents(&tmp.path().join(dir)) == before, "{out} changed");
    }
    assert_eq!(listing(tmp.path()), ["cut", "sim"]);
}

/// `score` and `tune` add files to `--out`: one of those files that is already there and that
/// dealsim did not write (it is not in the directory's `.dealsim-files`) is a user's, refused
/// before any work; they were replaced, then listed as dealsim's. The directory's other files
/// are no concern of theirs, and files dealsim wrote are replaced as before.
#[test]
fn score_and_tune_refuse_to_replace_a_users_file() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(small_run(tmp.path(), "run").0, Some(0));
    let log = ["--events", "run/events.csv", "--deals", "run/deals.csv"];
    let user = tmp.path().join("user");
    fs::create_dir(&user).unwrap();
    for name in ["index.html", "summary.md", "notes.txt", "policy.md"] {
        fs::write(user.join(name), b"mine").unwrap();
    }
    let before = contents(&user);
    for (command, expected) in [
        (
            "score",
            "error: --out user: holds index.html, summary.md, which this command writes, and \
             dealsim did not write them (they are not in its .dealsim-files): choose another \
             directory, or move them away\n",
        ),
        (
            "tune",
            "error: --out user: holds policy.md, which this command writes, and dealsim did not \
             write it (it is not in its .dealsim-files): choose another directory, or move it away\n",
        ),
    ] {
        let args = [&[command, "--quiet"][..], &log, &["--out", "user"]].concat();
        let (code, stderr) = run_in(tmp.path(), &args);
        assert_eq!(code, Some(2), "{command}: {stderr}");
        assert_eq!(stderr, expected, "{command}");
        assert!(contents(&user) == before, "{command} changed the directory");
    }

    // A user's file the command does not write stays, untouched and unlisted; what dealsim
    // wrote there is replaced by the next score; `report` re-renders it.
    fs::remove_file(user.join("index.html")).unwrap();
    fs::remove_file(user.join("summary.md")).unwrap();
    for args in [
        [&["score", "--quiet"][..], &log, &["--out", "user"]].concat(),
        [&["score", "--quiet"][..], &log, &["--out", "user"]].concat(),
        vec!["report", "--from", "user"],
    ] {
        let (code, stderr) = run_in(tmp.path(), &args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    }
    for name in ["notes.txt", "policy.md"] {
        assert_eq!(fs::read(user.join(name)).unwrap(), b"mine");
    }
    let listed = fs::read_to_string(user.join(".dealsim-files")).unwrap();
    assert!(listed.contains("index.html\n"), "{listed}");
    assert!(!listed.contains("notes.txt") && !listed.contains("policy.md"));

    // `report --from` writes the same way: a page it did not write is refused there too.
    let hand = tmp.path().join("hand");
    fs::create_dir(&hand).unwrap();
    for name in ["scores.csv", "indicator_summary.csv", "scores.json"] {
        fs::copy(user.join(name), hand.join(name)).unwrap();
    }
    fs::write(hand.join("summary.md"), b"mine").unwrap();
    let (code, stderr) = run_in(tmp.path(), &["report", "--from", "hand"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("hand: holds summary.md"), "{stderr}");
    assert_eq!(fs::read(hand.join("summary.md")).unwrap(), b"mine");
    assert!(!hand.join("index.html").exists());
}

/// Scoring (or tuning) one log into the directory of another run mixed the two: the report
/// named the directory's run (its manifest) above the scores of the log given. Refused, nothing
/// written; the log's own directory, or one without a log, is fine.
#[test]
fn score_and_tune_refuse_a_directory_holding_another_log() {
    let tmp = tempfile::tempdir().unwrap();
    for (out, seed) in [("sim1", "7"), ("sim6", "11")] {
        let args = [
            "simulate", "--deals", "300", "--seed", seed, "--quiet", "--out", out,
        ];
        assert_eq!(run_in(tmp.path(), &args).0, Some(0));
    }
    let sim1 = tmp.path().join("sim1");
    let before = contents(&sim1);
    let log = ["--events", "sim6/events.csv", "--deals", "sim6/deals.csv"];
    for command in ["score", "tune"] {
        let args = [&[command, "--quiet"][..], &log, &["--out", "sim1"]].concat();
        let (code, stderr) = run_in(tmp.path(), &args);
        assert_eq!(code, Some(2), "{command}: {stderr}");
        assert_eq!(
            stderr,
            "error: --out sim1: holds another log (sim1/events.csv) than the --events file \
             sim6/events.csv, and its report would describe that log's run beside these \
             results: choose an --out without a log, or omit --out to write beside the --events \
             file\n",
            "{command}"
        );
        assert!(contents(&sim1) == before, "{command} changed sim1");
    }
    // Into the log's own directory, spelled another way.
    let args = [
        &["score", "--quiet", "--bootstrap", "20"][..],
        &log,
        &["--out", "sim1/../sim6"],
    ]
    .concat();
    let (code, stderr) = run_in(tmp.path(), &args);
    assert_eq!(code, Some(0), "{stderr}");
    let summary = fs::read_to_string(tmp.path().join("sim6/summary.md")).unwrap();
    assert!(summary.contains("(seed 11)"), "{summary}");
}

/// Ctrl-C, or the SIGTERM a CI timeout sends, during a long simulation removes its unfinished
/// output and the parents made for it, and exits 130: a hidden `.big.partial-*` directory of
/// 237 MB stayed, and no later run removed it.
#[cfg(unix)]
#[test]
fn an_interrupted_simulation_leaves_nothing_behind() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let tmp = tempfile::tempdir().unwrap();
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let child = Command::new(env!("CARGO_BIN_EXE_dealsim"))
            .current_dir(tmp.path())
            .args([
                "simulate", "--deals", "1000000", "--quiet", "--out", "new/big",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Under way once the staging directory is there (the handler is set up before).
        let started = Instant::now();
        while !tmp.path().join("new").is_dir() || listing(&tmp.path().join("new")).is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no staging directory"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // SAFETY: kill only sends a signal to the child's process id.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(130), "signal {signal}: {stderr}");
        assert!(
            stderr.contains("interrupted: the unfinished output was removed"),
            "{stderr}"
        );
        assert!(listing(tmp.path()).is_empty(), "{:?}", listing(tmp.path()));
    }
}

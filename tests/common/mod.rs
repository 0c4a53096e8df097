//! Helpers shared by the integration tests that run the `dealsim` binary.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// The binary under test, as a user would run it.
pub fn dealsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dealsim"))
}

/// Sorted names of the entries of `dir` (to check that nothing stray was written).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Asserts that `out` is a success (exit 0), showing its stderr if not.
#[track_caller]
#[allow(dead_code)] // not every test binary that includes `common` uses it
pub fn succeeded(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `dealsim simulate` of the embedded default scenario, its inflow rescaled to about `deals`
/// deals (the reps stay: smb 12, mid_market 9, enterprise 6, atypical 2), into `dir`.
#[allow(dead_code)]
pub fn simulate(dir: &Path, deals: &str) {
    let output = dealsim()
        .args(["simulate", "--deals", deals, "--quiet", "--out"])
        .arg(dir)
        .output()
        .expect("the binary runs");
    succeeded(&output);
}

/// `dealsim COMMAND --events LOG/events.csv --deals LOG/deals.csv`: a command on the log a
/// simulation wrote into `log`, for the caller to add options to.
#[allow(dead_code)]
pub fn on_log(command: &str, log: &Path) -> Command {
    let mut cmd = dealsim();
    cmd.arg(command)
        .arg("--events")
        .arg(log.join("events.csv"))
        .arg("--deals")
        .arg(log.join("deals.csv"));
    cmd
}

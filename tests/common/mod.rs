//! Helpers shared by the integration tests that run the `dealsim` binary.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

pub mod proposal_log;

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

/// The default scenario's log, cut at the end of 2026-02-15 and flagged that day by the
/// budget policy (2 alerts per rep per week, 30% held out, rep, process and client signals,
/// leads of at least 21 days) tuned on what was known then, as the README's reproduction does
/// (`run`, `cut`, `tune`, `flag`).
#[allow(dead_code)]
pub struct FlaggedDefault {
    /// The whole log, whose outcomes tell what became of the flagged deals.
    pub log: dealsim::log::Log,
    /// The log as known at the end of the day.
    pub known: dealsim::log::Log,
    pub policy: dealsim::policy::Policy,
    pub report: dealsim::flag::FlagReport,
    pub as_of: dealsim::time::DayNum,
}

/// [`FlaggedDefault`], its rules' intervals from `bootstrap` replicates.
#[allow(dead_code)]
pub fn default_flagged_on_2026_02_15(bootstrap: usize) -> FlaggedDefault {
    use dealsim::indicators::{self, Signal};
    use dealsim::tuning::{Objective, TuneOptions};
    let scenario = dealsim::scenario::Scenario::embedded_default();
    let (log, _) = dealsim::sim::collect_log(&dealsim::sim::Engine::new(&scenario));
    let as_of = dealsim::time::DayNum::from_ymd(2026, 2, 15);
    let known = dealsim::log::cut::cut(&log, as_of);
    let specs = indicators::default_set();
    let tuning = dealsim::tuning::run::tune_log(
        &known,
        &specs,
        &scenario,
        &(7..=168).step_by(7).collect::<Vec<u32>>(),
        dealsim::time::DayNum(as_of.0 + 1).start(),
        &TuneOptions {
            objective: Objective::Budget {
                alerts_per_rep_week: 2.0,
            },
            holdout: 0.3,
            bootstrap,
            cluster: dealsim::stats::bootstrap::Cluster::Deal,
            seed: 1,
            signals: vec![Signal::Rep, Signal::Process, Signal::Client],
            min_lead_days: 21.0,
            significance: 0.05,
        },
    );
    let policy = dealsim::policy::Policy::from_tuning(&tuning, &specs);
    let report = dealsim::flag::flag_log(&log, &policy, &specs, &scenario, as_of);
    FlaggedDefault {
        log,
        known,
        policy,
        report,
        as_of,
    }
}

//! Command-line definitions (clap). Parsing only: every command calls one library function.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "dealsim",
    version,
    about = "Simulate B2B deal histories and find which leading indicators warn of a lost deal earliest",
    long_about = "Simulate B2B deal histories and find which leading indicators warn of a lost deal earliest.\n\n\
        Start with `dealsim run`: it simulates the embedded default scenario (three typical client \
        segments and one atypical one) and writes events.csv, deals.csv, truth.csv and manifest.json \
        under reports/<scenario>-seed<seed>/. Copy the scenario with `dealsim scenario show > my.toml`, \
        describe your own funnel, and run `dealsim run --scenario my.toml`.\n\n\
        Exit codes: 0 success, 1 runtime failure, 2 bad input or usage."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario, score the indicators and print the rankings (the main job).
    Run {
        #[command(flatten)]
        sim: SimArgs,
        #[command(flatten)]
        score: ScoreArgs,
    },
    /// Simulate a scenario and write the event log, deals, ground truth and manifest.
    Simulate(SimArgs),
    /// Score leading indicators on an event log (events.csv + deals.csv), simulated or real.
    Score {
        /// The event log (columns case_id, activity, timestamp, ...; see README).
        #[arg(long, value_name = "FILE")]
        events: PathBuf,
        /// The deal table (columns case_id, segment, created, closed, outcome, ...).
        #[arg(long, value_name = "FILE")]
        deals: PathBuf,
        /// Scenario whose stage maps (deadlines) and calendar apply [default: the embedded one].
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Last day of the observation window [default: the last day in the log].
        #[arg(long, value_name = "YYYY-MM-DD")]
        window_end: Option<String>,
        /// Ground truth for --with-truth [default: truth.csv next to the events file].
        #[arg(long, value_name = "FILE")]
        truth: Option<PathBuf>,
        /// Output directory [default: the directory of the events file].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Seed of the bootstrap.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// No progress bars.
        #[arg(long)]
        quiet: bool,
        #[command(flatten)]
        score: ScoreArgs,
    },
    /// Show or check scenario files.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Fit a scenario to a deal history and print how well a re-simulation reproduces it.
    Calibrate(CalibrateArgs),
}

/// `dealsim calibrate`: see the README, "Calibrate".
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The event log (dealsim's format: case_id, activity, timestamp, lifecycle, resource,
    /// stage, step, ...); step events give the stage maps.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// The deal table (case_id, segment, created, closed, outcome, lost_step, ...).
    #[arg(long, value_name = "FILE")]
    pub deals: PathBuf,
    /// Where to write the fitted scenario (TOML, written atomically).
    #[arg(long, value_name = "FILE", default_value = "calibrated.toml")]
    pub out: PathBuf,
    /// Scenario supplying what a history cannot show (hidden causal model, contacts, card,
    /// forecast, calendar, rep traits, late penalties) [default: the embedded one].
    #[arg(long, value_name = "FILE")]
    pub base: Option<PathBuf>,
    /// Seed of the re-simulations, written into the scenario. Same log and seed give the same file.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Rounds of the calibration loop (re-simulate, correct loss/skip probabilities and
    /// durations); 0 writes the direct fit, which the engine does not reproduce (see README).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub iterations: usize,
    /// Deals per re-simulation of the loop [default: twice the history, at least 40,000].
    #[arg(long, value_name = "N")]
    pub resimulate_deals: Option<u64>,
    /// Last day of the observation window [default: the last day in the log].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub window_end: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Print the embedded default scenario (every field commented); a template for your own.
    Show,
    /// Validate a scenario file and print what it describes; exit code 2 if it is invalid.
    Check {
        /// The scenario TOML file to check.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Scenario TOML file [default: the embedded default scenario, see `dealsim scenario show`].
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Rescale every segment's inflow so that about N deals are created over the window.
    #[arg(long, value_name = "N")]
    pub deals: Option<u64>,
    /// Random seed [default: the scenario's `seed`]. Same scenario and seed give identical files.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Output directory [default: reports/<scenario name>-seed<seed>]. Replaced atomically.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bars; only errors and the final summary.
    #[arg(long)]
    pub quiet: bool,
}

/// Scoring settings shared by `run` and `score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Indicator definitions (TOML) [default: the embedded set, scenarios/indicators.toml].
    #[arg(long, value_name = "FILE")]
    pub indicators: Option<PathBuf>,
    /// Landmark deal ages in days, START:END:STEP.
    #[arg(long, value_name = "START:END:STEP", default_value = "7:168:7")]
    pub landmarks: String,
    /// `known`: leave out deals still open at the window end; `ipcw`: time-dependent AUC
    /// with inverse-probability-of-censoring weights at --horizon days after the landmark.
    #[arg(long, value_enum, default_value = "known")]
    pub censoring: CensoringArg,
    /// Horizon in days after the landmark for --censoring ipcw.
    #[arg(long, value_name = "DAYS", default_value_t = 60.0)]
    pub horizon: f64,
    /// Bootstrap replicates for the confidence intervals (stratified over deals).
    #[arg(long, value_name = "B", default_value_t = 200)]
    pub bootstrap: usize,
    /// Omit an AUC when either class has fewer deals than this.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub min_class: usize,
    /// An indicator is reliable from the first landmark whose CI lower bound reaches this
    /// (there and at the next two landmarks).
    #[arg(long, value_name = "AUC", default_value_t = 0.70)]
    pub target: f64,
    /// RESEARCH ONLY: add the hidden loss log-odds from truth.csv (deal health plus process
    /// lapses) as the ceiling indicator TRUTH_hidden_risk.
    #[arg(long)]
    pub with_truth: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CensoringArg {
    Known,
    Ipcw,
}

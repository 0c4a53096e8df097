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
    /// Simulate a scenario and print the per-segment summary (the main job).
    Run(SimArgs),
    /// Simulate a scenario and write the event log, deals, ground truth and manifest.
    Simulate(SimArgs),
    /// Show or check scenario files.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
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

//! The `dealsim` binary: parses the command line, calls the library, maps errors to exit codes.

mod cli;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use cli::{Cli, Command, ScenarioCommand, SimArgs};
use dealsim::error::Error;
use dealsim::scenario::{Scenario, DEFAULT_TOML};
use dealsim::simulate::{default_out_dir, simulate_to_dir};
use dealsim::summary::render_table;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Input(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn execute(command: Command) -> Result<(), Error> {
    match command {
        Command::Run(args) | Command::Simulate(args) => simulate(&args),
        Command::Scenario(ScenarioCommand::Show) => {
            print!("{DEFAULT_TOML}");
            Ok(())
        }
        Command::Scenario(ScenarioCommand::Check { file }) => {
            let s = Scenario::load(&file)?;
            println!(
                "{}: valid scenario {:?}, seed {}",
                file.display(),
                s.name,
                s.seed
            );
            for seg in &s.segments {
                let review = if seg.review {
                    ", atypical: manual review"
                } else {
                    ""
                };
                println!(
                    "  segment {}: {} steps in {} stages, {:.0} deals/month, {} reps{review}",
                    seg.name,
                    seg.steps.len(),
                    seg.stages.len(),
                    seg.per_month,
                    seg.rep_count
                );
            }
            println!(
                "  about {:.0} deals over the window",
                dealsim::sim::expected_deals(&s)
            );
            Ok(())
        }
    }
}

fn load_scenario(args: &SimArgs) -> Result<Scenario, Error> {
    let mut s = match &args.scenario {
        Some(path) => Scenario::load(path)?,
        None => Scenario::embedded_default(),
    };
    if let Some(seed) = args.seed {
        s = s.with_seed(seed);
    }
    if let Some(n) = args.deals {
        s = s.with_target_deals(n, "--deals")?;
    }
    Ok(s)
}

fn progress_bar(quiet: bool, what: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>10} [{bar:40}] {pos}/{len} deals ({per_sec}, eta {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn simulate(args: &SimArgs) -> Result<(), Error> {
    let scenario = load_scenario(args)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&scenario));
    let command: Vec<String> = std::env::args().collect();
    let bar = progress_bar(args.quiet, "simulate");
    let result = simulate_to_dir(&scenario, &out, &command.join(" "), &bar);
    bar.finish_and_clear();
    let sim = result?;
    eprintln!(
        "simulated {} deals, {} events in {:.2} s -> {}",
        sim.deals,
        sim.events,
        sim.seconds,
        sim.dir.display()
    );
    print!("{}", render_table(&sim.summary));
    Ok(())
}

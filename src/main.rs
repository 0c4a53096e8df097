//! The `dealsim` binary: parses the command line, calls the library, maps errors to exit codes.

mod cli;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use std::path::{Path, PathBuf};

use cli::{CalibrateArgs, CensoringArg, Cli, Command, ScenarioCommand, ScoreArgs, SimArgs};
use dealsim::calibrate::{calibrate_files, CalibrateOptions};
use dealsim::error::{Error, InputError};
use dealsim::indicators::{self, IndicatorSpec};
use dealsim::scenario::{Scenario, DEFAULT_TOML};
use dealsim::score::{parse_landmarks, score_to_dir, ScoreJob};
use dealsim::scoring::{Censoring, ScoreOptions};
use dealsim::simulate::{default_out_dir, simulate_to_dir};
use dealsim::simulate::{DEALS_FILE, EVENTS_FILE, TRUTH_FILE};
use dealsim::summary::render_table;
use dealsim::time::DayNum;

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
        Command::Simulate(args) => simulate(&args).map(|_| ()),
        Command::Run { sim, score } => run(&sim, &score),
        Command::Score {
            events,
            deals,
            scenario,
            window_end,
            truth,
            out,
            seed,
            quiet,
            score,
        } => {
            let scenario = match scenario {
                Some(p) => Scenario::load(&p)?,
                None => Scenario::embedded_default(),
            };
            let window_end = parse_window_end(window_end)?;
            let dir = events.parent().map(Path::to_path_buf).unwrap_or_default();
            let truth = truth.unwrap_or_else(|| dir.join(TRUTH_FILE));
            let out = out.unwrap_or(dir);
            let job = score_job(&score, &events, &deals, &truth, &scenario, window_end, seed)?;
            run_score(&job, &out, quiet)
        }
        Command::Calibrate(args) => calibrate(&args),
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

fn simulate(args: &SimArgs) -> Result<(Scenario, PathBuf), Error> {
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
    Ok((scenario, sim.dir))
}

fn run(sim: &SimArgs, score: &ScoreArgs) -> Result<(), Error> {
    // Check the scoring flags before spending time on the simulation.
    parse_landmarks(&score.landmarks)?;
    load_indicators(score)?;
    let (scenario, dir) = simulate(sim)?;
    let (events, deals, truth) = (
        dir.join(EVENTS_FILE),
        dir.join(DEALS_FILE),
        dir.join(TRUTH_FILE),
    );
    let job = score_job(
        score,
        &events,
        &deals,
        &truth,
        &scenario,
        Some(scenario.end),
        scenario.seed,
    )?;
    run_score(&job, &dir, sim.quiet)
}

fn load_indicators(args: &ScoreArgs) -> Result<Vec<IndicatorSpec>, Error> {
    Ok(match &args.indicators {
        Some(p) => indicators::load(p)?,
        None => indicators::default_set(),
    })
}

fn score_job<'a>(
    args: &ScoreArgs,
    events: &'a Path,
    deals: &'a Path,
    truth: &'a Path,
    scenario: &'a Scenario,
    window_end: Option<DayNum>,
    seed: u64,
) -> Result<ScoreJob<'a>, Error> {
    let censoring = match args.censoring {
        CensoringArg::Known => Censoring::Known,
        CensoringArg::Ipcw => Censoring::Ipcw {
            horizon: args.horizon,
        },
    };
    if !(0.0..=1.0).contains(&args.target) {
        return Err(InputError::new(
            "--target",
            format!("an AUC target must lie in [0, 1], got {}", args.target),
        )
        .into());
    }
    Ok(ScoreJob {
        events,
        deals,
        truth: args.with_truth.then_some(truth),
        indicators: load_indicators(args)?,
        scenario,
        landmarks: parse_landmarks(&args.landmarks)?,
        window_end,
        options: ScoreOptions {
            censoring,
            bootstrap: args.bootstrap,
            min_class: args.min_class,
            target: args.target,
            confidence: 0.95,
            seed,
        },
    })
}

fn run_score(job: &ScoreJob<'_>, out: &Path, quiet: bool) -> Result<(), Error> {
    let bar = spinner(quiet);
    let result = score_to_dir(job, out, &bar);
    bar.finish_and_clear();
    let report = result?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    print!("{}", report.ranking_table());
    eprintln!("scores written to {}", out.display());
    Ok(())
}

fn spinner(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} scoring: {msg} ({elapsed})")
            .expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn parse_window_end(w: Option<String>) -> Result<Option<DayNum>, InputError> {
    w.map(|w| {
        dealsim::log::read::parse_timestamp(&w)
            .map(|t| t.day())
            .ok_or_else(|| {
                InputError::new(
                    "--window-end",
                    format!("expected a date YYYY-MM-DD, got {w:?}"),
                )
            })
    })
    .transpose()
}

fn calibrate(args: &CalibrateArgs) -> Result<(), Error> {
    let base = match &args.base {
        Some(p) => Scenario::load(p)?,
        None => Scenario::embedded_default(),
    };
    let options = CalibrateOptions {
        seed: args.seed,
        iterations: args.iterations,
        resimulate_deals: args.resimulate_deals,
        window_end: parse_window_end(args.window_end.clone())?,
    };
    let c = calibrate_files(&args.events, &args.deals, &base, &args.out, &options)?;
    for n in &c.notes {
        eprintln!("note: {n}");
    }
    print!("{}", dealsim::calibrate::gof::render(&c.fit));
    eprintln!("scenario written to {}", args.out.display());
    Ok(())
}

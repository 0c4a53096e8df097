//! The `dealsim` binary: parses the command line, calls the library, maps errors to exit codes.

mod bars;
mod cli;

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use clap::Parser;

use std::path::{Path, PathBuf};

use cli::{CalibrateArgs, CensoringArg, Cli, Command, ScenarioCommand, ScoreArgs, SimArgs};
use cli::{CutCommand, FlagCommand, ReportCommand, ScoreCommand, TuneCommand};
use cli::{ExportArgs, ExportFormatArg, HistoryArgs, ImportCommand, ObjectiveArg};
use cli::{SegmentByArg, SweepArgs, TuneArgs};
use dealsim::calibrate::{calibrate_files, CalibrateOptions};
use dealsim::error::IoContext;
use dealsim::error::{Error, InputError};
use dealsim::indicators::{self, IndicatorSpec, Panel};
use dealsim::log::cut::{self, WindowEnd};
use dealsim::log::Log;
use dealsim::output::WRITTEN_LIST;
use dealsim::output::{
    check_inputs_kept, check_no_other_log, check_output_dir, entry_names, FileSet, OutputDir,
    Writes,
};
use dealsim::scenario::{Scenario, DEFAULT_ORIGIN, DEFAULT_TOML};
use dealsim::score::{check_horizon, check_options as check_score_options, parse_landmarks};
use dealsim::score::{score_into, score_log_into, ScoreJob};
use dealsim::scoring::{Censoring, IntervalMethod, ScoreOptions};
use dealsim::simulate::{default_out_dir, simulate_into, write_manifest, Simulated};
use dealsim::simulate::{DEALS_FILE, EVENTS_FILE, TRUTH_FILE};
use dealsim::stats::bootstrap::Cluster;
use dealsim::summary::render_table;
use dealsim::time::DayNum;
use dealsim::tuning::run::{bad_setting, check_landmarks, tune_into, tune_log_into, TuneJob};
use dealsim::tuning::{render_plans, Objective, TuneOptions};

fn main() -> ExitCode {
    // Ctrl-C, or the SIGTERM a CI timeout sends, ends the process without the guards that
    // remove an unfinished output directory: the handler removes them, and exits as a shell
    // reports an interrupted command.
    let _ = ctrlc::set_handler(|| {
        let removed = dealsim::output::remove_unfinished();
        eprintln!(
            "\ninterrupted{}",
            match removed {
                0 => String::new(),
                _ => ": the unfinished output was removed".to_string(),
            }
        );
        std::process::exit(130);
    });
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => {
            say_written();
            ExitCode::SUCCESS
        }
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
        Command::Simulate(args) => {
            let (_, staged, _, _) = simulate(&args, None, false)?;
            commit(staged).map(|_| ())
        }
        Command::Run { sim, score, tune } => run(&sim, &score, &tune),
        Command::Score(args) => score_command(args),
        Command::Report(ReportCommand { from, open }) => {
            let index = dealsim::report::render_dir(&from)?;
            say(format_args!("{}\n", index.display()));
            if open {
                open_in_browser(&index);
            }
            Ok(())
        }
        Command::Tune(args) => tune_command(args),
        Command::Flag(args) => flag_command(args),
        Command::Cut(args) => cut_command(args),
        Command::Import(cmd) => import(cmd),
        Command::Export(args) => export(&args),
        Command::Calibrate(args) => calibrate(&args),
        Command::Sweep(args) => sweep(&args),
        Command::Scenario(ScenarioCommand::Show) => {
            say(DEFAULT_TOML);
            Ok(())
        }
        Command::Scenario(ScenarioCommand::Check { file }) => check_scenario(&file),
    }
}

/// `dealsim scenario check`: validates a scenario file and says what it describes.
fn check_scenario(file: &Path) -> Result<(), Error> {
    let s = Scenario::load(file)?;
    say(format_args!(
        "{}: valid scenario {:?}, seed {}\n",
        file.display(),
        s.name,
        s.seed
    ));
    for seg in &s.segments {
        let review = if seg.review {
            ", atypical: manual review"
        } else {
            ""
        };
        say(format_args!(
            "  segment {}: {} in {}, {:.0} deals/month, {}{review}\n",
            seg.name,
            counted(seg.steps.len(), "step"),
            counted(seg.stages.len(), "stage"),
            seg.per_month,
            counted(seg.rep_count as usize, "rep")
        ));
    }
    say(format_args!(
        "  about {:.0} deals over the window\n",
        dealsim::sim::expected_deals(&s)
    ));
    Ok(())
}

/// `dealsim score`: scores the log's indicators into `out` (scores, summary, report), after
/// checking that no input would be overwritten.
fn score_command(args: ScoreCommand) -> Result<(), Error> {
    let ScoreCommand {
        history:
            HistoryArgs {
                events,
                deals,
                scenario: scenario_path,
                window_end,
            },
        truth,
        out,
        seed,
        quiet,
        score,
    } = args;
    let dir = events.parent().map(Path::to_path_buf).unwrap_or_default();
    let truth = truth.unwrap_or_else(|| dir.join(TRUTH_FILE));
    let out = out.unwrap_or(dir);
    let written = [
        &dealsim::export::scores::FILES[..],
        &dealsim::report::tables::FILES,
        &dealsim::report::FILES,
    ]
    .concat();
    let inputs = log_inputs(
        &events,
        &deals,
        scenario_path.as_deref(),
        score.indicators.as_deref(),
    );
    let truth_input = [("--truth file", score.with_truth.then_some(&*truth))];
    check_log_files(&events, &deals)?;
    check_inputs_kept(
        &out,
        Writes::FilesIn(&written),
        &[&inputs[..2], &truth_input, &inputs[2..]].concat(),
    )?;
    check_output_dir(&out, &written)?;
    check_no_other_log(&out, &events)?;
    let scenario = scenario_for(scenario_path.as_deref(), &events, "--scenario")?;
    let window_end = window_end_for(window_end.as_deref(), &events)?;
    let job = score_job(&score, &events, &deals, &truth, &scenario, window_end, seed)?;
    let mut set = FileSet::new(&out);
    run_score(&job, None, &mut set, &out, quiet)?;
    render_report(&mut set, &out)?;
    set.write()
}

/// `dealsim tune`: tunes the rules on the log into `out`, and re-renders the report of a run
/// directory so that it gains the trade-off plots.
fn tune_command(args: TuneCommand) -> Result<(), Error> {
    let TuneCommand {
        history:
            HistoryArgs {
                events,
                deals,
                scenario: scenario_path,
                window_end,
            },
        out,
        indicators,
        landmarks,
        bootstrap,
        cluster,
        seed,
        quiet,
        tune,
    } = args;
    check_tune_flags(&tune)?;
    // The library takes 0 (no intervals, for tests); a user asking for none would get
    // a policy.md promising "95% bootstrap percentile intervals (0 replicates)".
    if bootstrap == 0 {
        return Err(InputError::new("--bootstrap", "must be at least 1, got 0").into());
    }
    let out = out.unwrap_or_else(|| events.parent().map(Path::to_path_buf).unwrap_or_default());
    // A run directory's report gains the trade-off plots; elsewhere no report is written, and
    // a user's own index.html there is none of tune's business.
    let rerender = out.join(dealsim::export::scores::SCORES_CSV).exists();
    let report: &[&str] = if rerender {
        &dealsim::report::FILES
    } else {
        &[]
    };
    let written = [&dealsim::export::tuning::FILES[..], report].concat();
    check_log_files(&events, &deals)?;
    check_inputs_kept(
        &out,
        Writes::FilesIn(&written),
        &log_inputs(
            &events,
            &deals,
            scenario_path.as_deref(),
            indicators.as_deref(),
        ),
    )?;
    check_output_dir(&out, &written)?;
    check_no_other_log(&out, &events)?;
    let scenario = scenario_for(scenario_path.as_deref(), &events, "--scenario")?;
    let job = TuneJob {
        events: &events,
        deals: &deals,
        indicators: indicators_for(indicators.as_deref(), &events)?,
        scenario: &scenario,
        landmarks: parse_landmarks(&landmarks)?,
        window_end: window_end_for(window_end.as_deref(), &events)?,
        options: tune_options(&tune, (bootstrap, cluster), seed),
    };
    let bar = bars::phases(quiet, "tuning");
    let mut set = FileSet::new(&out);
    let tuning = tune_into(&job, &mut set, &bar);
    bar.finish_and_clear();
    let tuning = tuning?;
    for w in &tuning.warnings {
        eprintln!("warning: {w}");
    }
    say_tuning(&tuning, &out);
    if rerender {
        render_report(&mut set, &out)?;
    }
    set.write()
}

/// `dealsim flag`: lists the deals open on `--as-of` that break the policy's rules, on the
/// terminal and into `out`.
fn flag_command(args: FlagCommand) -> Result<(), Error> {
    let FlagCommand {
        policy,
        events,
        deals,
        as_of,
        scenario: scenario_path,
        indicators,
        out,
    } = args;
    let as_of = dealsim::flag::parse_as_of(&as_of)?;
    let out = out.unwrap_or_else(|| {
        events
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join(format!("flags-{}", as_of.iso()))
    });
    let inputs = log_inputs(
        &events,
        &deals,
        scenario_path.as_deref(),
        indicators.as_deref(),
    );
    check_log_files(&events, &deals)?;
    check_inputs_kept(
        &out,
        Writes::Directory,
        &[&[("--policy file", Some(&*policy))][..], &inputs].concat(),
    )?;
    let scenario = scenario_for(scenario_path.as_deref(), &events, "--scenario")?;
    let job = dealsim::flag::FlagJob {
        events: &events,
        deals: &deals,
        policy: &policy,
        indicators: indicators_for(indicators.as_deref(), &events)?,
        scenario: &scenario,
        as_of,
    };
    let report = dealsim::flag::flag_to_dir(&job, &out)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    say(dealsim::flag::table(&report));
    eprintln!("flags written to {}", out.display());
    Ok(())
}

/// `dealsim cut`: the log as known at the end of `--as-of`, into `out`.
fn cut_command(args: CutCommand) -> Result<(), Error> {
    let CutCommand {
        events,
        deals,
        as_of,
        out,
    } = args;
    let as_of = dealsim::flag::parse_as_of(&as_of)?;
    check_log_files(&events, &deals)?;
    check_inputs_kept(
        &out,
        Writes::Directory,
        &[
            ("--events file", Some(&events)),
            ("--deals file", Some(&deals)),
        ],
    )?;
    let (kept, open, warnings) = dealsim::log::cut::cut_to_dir(&events, &deals, as_of, &out)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "{kept} deals created by {} ({open} open then) -> {}",
        as_of.iso(),
        out.display()
    );
    Ok(())
}

/// Refuses a directory given as `--events` or `--deals` (a run directory, say), which the
/// reader would report only as "Is a directory (os error 21)"; points to the file in it when
/// it holds one of the expected name.
fn check_log_files(events: &Path, deals: &Path) -> Result<(), InputError> {
    for (flag, path, what, name) in [
        ("--events", events, "the event log", EVENTS_FILE),
        ("--deals", deals, "the deal table", DEALS_FILE),
    ] {
        if !path.is_dir() {
            continue;
        }
        let inside = path.join(name);
        let hint = if inside.is_file() {
            format!("; did you mean {flag} {}?", inside.display())
        } else {
            String::new()
        };
        return Err(InputError::new(
            format!("{flag} {}", path.display()),
            format!("is a directory: expected a file, {what} as CSV{hint}"),
        ));
    }
    Ok(())
}

/// The files score, tune and flag read a log with, named as [`check_inputs_kept`] names them.
fn log_inputs<'a>(
    events: &'a Path,
    deals: &'a Path,
    scenario: Option<&'a Path>,
    indicators: Option<&'a Path>,
) -> [(&'static str, Option<&'a Path>); 4] {
    [
        ("--events file", Some(events)),
        ("--deals file", Some(deals)),
        ("--scenario file", scenario),
        ("--indicators file", indicators),
    ]
}

/// "1 rep", "3 reps".
fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// The scenario at `path`, or the embedded default.
fn scenario_or_default(path: Option<&Path>) -> Result<Scenario, Error> {
    Ok(match path {
        Some(p) => Scenario::load(p)?,
        None => Scenario::embedded_default(),
    })
}

/// The scenario to read the log at `events` against ([`dealsim::scenario::for_log`]), saying
/// so when it is the file a simulation left beside the log; `flag` names the option that
/// chooses another.
fn scenario_for(chosen: Option<&Path>, events: &Path, flag: &str) -> Result<Scenario, Error> {
    let (scenario, beside) = dealsim::scenario::for_log(chosen, events)?;
    match (chosen, beside) {
        (_, Some(p)) => eprintln!(
            "note: scenario from {} (beside the events file; {flag} FILE for another)",
            p.display()
        ),
        // A real log read against the default's holidays and stage maps should be a choice.
        (None, None) => eprintln!(
            "note: no {} beside the events file: the embedded default scenario applies (its \
             holidays, stages and review segments; {flag} FILE for another)",
            dealsim::scenario::BESIDE_LOG
        ),
        (Some(_), None) => {}
    }
    Ok(scenario)
}

/// The indicator set to read the log at `events` with ([`indicators::for_log`]), saying so
/// when it is the file an importer left beside the log.
fn indicators_for(chosen: Option<&Path>, events: &Path) -> Result<Vec<IndicatorSpec>, Error> {
    let (specs, beside) = indicators::for_log(chosen, events)?;
    if let Some(p) = beside {
        eprintln!(
            "note: indicators from {} (beside the events file; --indicators FILE for others)",
            p.display()
        );
    }
    Ok(specs)
}

/// `--window-end` (if given) checked against the log at `events` ([`cut::window_end`]).
fn window_end_for(arg: Option<&str>, events: &Path) -> Result<Option<WindowEnd>, Error> {
    let chosen = arg.map(parse_window_end).transpose()?;
    Ok(cut::window_end(chosen, events, "--window-end")?)
}

fn load_scenario(args: &SimArgs) -> Result<Scenario, Error> {
    let mut s = scenario_or_default(args.scenario.as_deref())?;
    if let Some(seed) = args.seed {
        s = s.with_seed(seed);
    }
    if let Some(n) = args.deals {
        s = s.with_target_deals(n, "--deals")?;
    }
    Ok(s)
}

/// Simulates into the run directory, not yet committed ([`commit`]); with `keep_log`, also
/// returns the log the files hold. `indicators`: `run`'s `--indicators` file, which the run
/// directory must not hold.
fn simulate(
    args: &SimArgs,
    indicators: Option<&Path>,
    keep_log: bool,
) -> Result<(Scenario, OutputDir, Simulated, String), Error> {
    let scenario = load_scenario(args)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&scenario));
    check_inputs_kept(
        &out,
        Writes::Directory,
        &[
            ("--scenario file", args.scenario.as_deref()),
            ("--indicators file", indicators),
        ],
    )?;
    let command = dealsim::shell::command_line(std::env::args_os());
    let bar = bars::counting(args.quiet, "simulate", "deals");
    let staged = OutputDir::create(&out)?;
    let result = simulate_into(&scenario, &staged, &command, &bar, keep_log);
    bar.finish_and_clear();
    let sim = result?;
    eprintln!(
        "simulated {}, {} in {:.2} s",
        counted(sim.deals as usize, "deal"),
        counted(sim.events as usize, "event"),
        sim.seconds,
    );
    once_written(format!("log written to {}", sim.dir.display()));
    say_section(render_table(&sim.summary));
    Ok((scenario, staged, sim, command))
}

/// Moves a finished run directory into place.
fn commit(staged: OutputDir) -> Result<PathBuf, Error> {
    let out = staged.target().to_path_buf();
    staged
        .commit()
        .context(|| format!("moving the finished run into {}", out.display()))
}

fn run(sim: &SimArgs, score: &ScoreArgs, tune: &TuneArgs) -> Result<(), Error> {
    // Check the scoring and tuning flags before spending time on the simulation.
    check_landmarks(&parse_landmarks(&score.landmarks)?)?;
    indicators::chosen_or_default(score.indicators.as_deref())?;
    check_tune_flags(tune)?;
    let tune_opts = tune_options(tune, (score.bootstrap, score.cluster), 1);
    check_score_options(&score_options(score, 1)?)?;
    // The simulation keeps the log it writes: equal to reading the files back (tested), which
    // at a million deals would take seconds.
    // Scores, policy and report join the log in the staging directory, which appears as the
    // run directory only when all are written: a failing step leaves no half-made run.
    let (scenario, staged, mut simulated, command) =
        simulate(sim, score.indicators.as_deref(), true)?;
    let log = simulated
        .log
        .take()
        .expect("simulate returns the log it was asked to keep");
    let (dir, shown) = (staged.staging(), staged.target());
    let (events, deals, truth) = (
        dir.join(EVENTS_FILE),
        dir.join(DEALS_FILE),
        dir.join(TRUTH_FILE),
    );
    // The window ends where the scenario's does: a day that does not fit the simulated data
    // is the scenario's `window.end` to change.
    let origin = sim
        .scenario
        .as_ref()
        .map_or(DEFAULT_ORIGIN.to_string(), |p| p.display().to_string());
    let window_end = WindowEnd::field(scenario.end, origin, "window.end");
    let job = score_job(
        score,
        &events,
        &deals,
        &truth,
        &scenario,
        Some(window_end),
        scenario.seed,
    )?;
    let mut set = FileSet::new(dir);
    let panel = run_score(&job, Some(&log), &mut set, shown, sim.quiet)?;
    // The scoring job's indicators and landmarks, so that its panel serves the tuner too.
    let job = TuneJob {
        events: &events,
        deals: &deals,
        indicators: job.indicators,
        scenario: &scenario,
        landmarks: job.landmarks,
        window_end: job.window_end,
        options: TuneOptions {
            seed: scenario.seed,
            ..tune_opts
        },
    };
    run_tune(&job, &log, panel.as_ref(), (&mut set, shown), sim.quiet)?;
    render_report(&mut set, shown)?;
    set.write()?;
    // The manifest again, now listing the scores, policy and report too.
    let mut files = entry_names(dir).context(|| format!("listing {}", dir.display()))?;
    files.sort();
    let files: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|&name| name != WRITTEN_LIST)
        .collect();
    write_manifest(dir, &scenario, &command, &simulated, &files)?;
    commit(staged).map(|_| ())
}

/// Checks every numeric tuning flag, those the chosen objective ignores too: `--review-cost -5`
/// under the budget objective is still a mistake worth saying.
fn check_tune_flags(args: &TuneArgs) -> Result<(), InputError> {
    let objectives = [
        Objective::Budget {
            alerts_per_rep_week: args.budget,
        },
        Objective::Cost {
            review_cost: args.review_cost,
            save_probability: args.save_probability,
        },
    ];
    objectives
        .iter()
        .find_map(|o| bad_setting(o, args.holdout, args.min_lead, args.significance))
        .map_or(Ok(()), |bad| Err(bad.into()))
}

/// The tuning options of `args`, with the bootstrap's replicates and what they resample.
fn tune_options(args: &TuneArgs, (bootstrap, cluster): (usize, Cluster), seed: u64) -> TuneOptions {
    TuneOptions {
        objective: match args.objective {
            ObjectiveArg::Budget => Objective::Budget {
                alerts_per_rep_week: args.budget,
            },
            ObjectiveArg::Cost => Objective::Cost {
                review_cost: args.review_cost,
                save_probability: args.save_probability,
            },
            ObjectiveArg::Youden => Objective::Youden,
        },
        holdout: args.holdout,
        min_lead_days: args.min_lead,
        significance: args.significance,
        bootstrap,
        cluster,
        seed,
        signals: args.signals.clone(),
    }
}

/// `run`'s tuning step: tunes `job` on `log` (and the indicators `evaluated` on it, if any);
/// adds its files to `out`, said to be in `shown` (where the staged run directory will be).
/// The tuner's warnings are not printed: `run` has printed the same in its scoring step.
fn run_tune(
    job: &TuneJob<'_>,
    log: &Log,
    evaluated: Option<&Panel>,
    (out, shown): (&mut FileSet, &Path),
    quiet: bool,
) -> Result<(), Error> {
    // The tuner says nothing of its progress: the line shows the time it takes.
    let bar = bars::phases(quiet, "tuning");
    bar.set_message("tune");
    let tuning = tune_log_into(job, log, evaluated, out);
    bar.finish_and_clear();
    say_tuning(&tuning?, shown);
    Ok(())
}

/// The tuned plans on stdout and where the policy went, said to be in `shown`.
fn say_tuning(tuning: &dealsim::tuning::Tuning, shown: &Path) {
    say_section(render_plans(tuning));
    once_written(format!(
        "policy written to {}",
        shown.join("policy.toml").display()
    ));
}

fn parse_window_end(w: &str) -> Result<DayNum, Error> {
    Ok(dealsim::log::read::parse_timestamp(w)
        .map(|t| t.day())
        .ok_or_else(|| {
            InputError::new(
                "--window-end",
                format!("expected a date YYYY-MM-DD, got {w:?}"),
            )
        })?)
}

fn score_job<'a>(
    args: &ScoreArgs,
    events: &'a Path,
    deals: &'a Path,
    truth: &'a Path,
    scenario: &'a Scenario,
    window_end: Option<WindowEnd>,
    seed: u64,
) -> Result<ScoreJob<'a>, Error> {
    Ok(ScoreJob {
        events,
        deals,
        truth: args.with_truth.then_some(truth),
        indicators: indicators_for(args.indicators.as_deref(), events)?,
        scenario,
        landmarks: parse_landmarks(&args.landmarks)?,
        window_end,
        options: score_options(args, seed)?,
    })
}

fn score_options(args: &ScoreArgs, seed: u64) -> Result<ScoreOptions, Error> {
    // A mistyped horizon is a mistake worth saying even when the censoring mode ignores it.
    check_horizon(args.horizon)?;
    let censoring = match args.censoring {
        CensoringArg::Known => Censoring::Known,
        CensoringArg::Ipcw => Censoring::Ipcw {
            horizon: args.horizon,
        },
    };
    Ok(ScoreOptions {
        censoring,
        interval: args
            .interval
            .unwrap_or_else(|| IntervalMethod::default_for(censoring)),
        bootstrap: args.bootstrap,
        cluster: args.cluster,
        min_class: args.min_class,
        target: args.target,
        confidence: 0.95,
        seed,
    })
}

/// Scores `job`, on `log` when the caller has it in memory (and then returns the evaluated
/// indicators, for the tuner), else on the job's files; adds its files to `out`, said to be
/// in `shown`.
fn run_score(
    job: &ScoreJob<'_>,
    log: Option<&Log>,
    out: &mut FileSet,
    shown: &Path,
    quiet: bool,
) -> Result<Option<Panel>, Error> {
    let bar = bars::phases(quiet, "scoring");
    let result = match log {
        Some(log) => score_log_into(job, log, out, &bar).map(|(r, p)| (r, Some(p))),
        None => score_into(job, out, &bar).map(|r| (r, None)),
    };
    bar.finish_and_clear();
    let (report, panel) = result?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    say_section(report.ranking_table());
    once_written(format!("scores written to {}", shown.display()));
    Ok(panel)
}

/// (Re-)renders index.html and summary.md into `set` from the tables it will hold; its
/// directory is to be `shown` (a staged run directory's target).
fn render_report(set: &mut FileSet, shown: &Path) -> Result<(), Error> {
    dealsim::report::render_into(set)?;
    once_written(format!(
        "report: {}",
        shown.join(dealsim::report::INDEX_HTML).display()
    ));
    Ok(())
}

/// Lines saying where a command's outputs went, held back until the command has succeeded:
/// `run`, `score` and `tune` stage their files and put them in place last, so a line printed
/// as a step finished ("report: DIR/index.html") was a false claim when a later step, or the
/// final write, failed (a CI log grepping for it passed on a failed run).
static WRITTEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Holds `line` until the command has succeeded (see [`WRITTEN`]).
fn once_written(line: String) {
    WRITTEN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(line);
}

/// Prints the lines [`once_written`] held back, on stderr.
fn say_written() {
    let lines = std::mem::take(&mut *WRITTEN.lock().unwrap_or_else(PoisonError::into_inner));
    for line in lines {
        eprintln!("{line}");
    }
}

/// Whether anything has been printed to stdout yet (see [`say_section`]).
static SAID: AtomicBool = AtomicBool::new(false);

/// Prints a section of the job's summary (the segment table, the rankings, the tuned rules):
/// set apart by a blank line from a section printed before it, as in `run`, which prints all
/// three; a command printing one (`score`, `tune`) starts its stdout with content.
fn say_section(text: impl std::fmt::Display) {
    let text = text.to_string();
    if text.is_empty() {
        return;
    }
    let gap = if SAID.load(Ordering::Relaxed) {
        "\n"
    } else {
        ""
    };
    say(format_args!("{gap}{text}"));
}

/// Prints the job's summary to stdout. A closed stdout (`dealsim run | head`) does not stop
/// the job: its files are the product, so it goes on and writes them all; another write
/// error (a full disk behind a redirect) is reported, and the job goes on too.
fn say(text: impl std::fmt::Display) {
    SAID.store(true, Ordering::Relaxed);
    if let Err(e) = write!(std::io::stdout().lock(), "{text}") {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("warning: cannot write to standard output: {e}");
        }
    }
}

/// Best effort: a missing browser is not an error, the path has been printed.
fn open_in_browser(path: &Path) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(path).spawn() {
        eprintln!(
            "could not open a browser ({opener}: {e}); open {} yourself",
            path.display()
        );
    }
}

fn import(cmd: ImportCommand) -> Result<(), Error> {
    use dealsim::import::{self, case::OutcomeRule, crm_deals, event_csv, xes};
    let rule = |won: Option<Vec<String>>, lost: Option<Vec<String>>| {
        let d = OutcomeRule::default();
        OutcomeRule {
            won: won.unwrap_or(d.won),
            lost: lost.unwrap_or(d.lost),
        }
    };
    // The files the import reads, which --out may not be or hold (it replaces the directory):
    // the deal table too, which only the mapping names.
    let mut inputs: Vec<(&str, PathBuf)> = Vec::new();
    let (importer, origin, common): (Box<dyn import::Importer>, String, cli::ImportCommon) =
        match cmd {
            ImportCommand::Csv {
                file,
                mapping,
                case_id,
                activity,
                timestamp,
                resource,
                segment,
                value,
                timestamp_format,
                events,
                common,
            } => {
                let mut m = match &mapping {
                    Some(p) => event_csv::Mapping::load(p)?,
                    None => event_csv::Mapping::default(),
                };
                let flags = [
                    (&mut m.case_id, case_id),
                    (&mut m.activity, activity),
                    (&mut m.timestamp, timestamp),
                    (&mut m.resource, resource),
                    (&mut m.segment, segment),
                    (&mut m.value, value),
                    (&mut m.timestamp_format, timestamp_format),
                    (&mut m.time_zone, events.time_zone),
                ];
                for (slot, flag) in flags {
                    if flag.is_some() {
                        *slot = flag;
                    }
                }
                m.won_activities = events.won.or(m.won_activities);
                m.lost_activities = events.lost.or(m.lost_activities);
                inputs.push(("imported file", file.clone()));
                inputs.extend(mapping.map(|p| ("--mapping file", p)));
                inputs.extend(
                    m.deal_table
                        .as_ref()
                        .map(|t| ("deal table", t.file.clone())),
                );
                let origin = file.display().to_string();
                let csv = event_csv::EventCsv {
                    path: file,
                    mapping: m,
                };
                (Box::new(csv), origin, common)
            }
            ImportCommand::Xes {
                file,
                events,
                common,
            } => {
                let zone = import::timestamp::Zone::from_flag(events.time_zone.as_deref())?;
                inputs.push(("imported file", file.clone()));
                let origin = file.display().to_string();
                let x = xes::Xes {
                    path: file,
                    zone,
                    rule: rule(events.won, events.lost),
                };
                (Box::new(x), origin, common)
            }
            ImportCommand::Crm {
                dir,
                segment_by,
                date_format,
                common,
            } => {
                let date_format = dealsim::import::timestamp::TimeFormat::parse(&date_format)
                    .map_err(|e| InputError::new("--date-format", e))?;
                let segment_by = match segment_by {
                    SegmentByArg::Sector => crm_deals::SegmentBy::Sector,
                    SegmentByArg::Office => crm_deals::SegmentBy::Office,
                    SegmentByArg::Series => crm_deals::SegmentBy::Series,
                    SegmentByArg::None => crm_deals::SegmentBy::None,
                };
                let origin = dir.join("sales_pipeline.csv").display().to_string();
                inputs.push(("imported directory", dir.clone()));
                (
                    Box::new(crm_deals::CrmDeals {
                        dir,
                        segment_by,
                        date_format,
                    }),
                    origin,
                    common,
                )
            }
        };
    let kept: Vec<(&str, Option<&Path>)> = (inputs.iter())
        .map(|(what, p)| (*what, Some(p.as_path())))
        .collect();
    check_inputs_kept(&common.out, Writes::Directory, &kept)?;
    let summary = import::import_to_dir(importer.as_ref(), &origin, &common.out, common.lenient)?;
    eprint!("{}", summary.render());
    eprintln!("written to {}", common.out.display());
    if common.json {
        print_json(&summary);
    }
    Ok(())
}

/// The zone of the log's local times for an XES export: `--time-zone`, else the one an
/// import recorded beside the events file, else UTC (a simulated log's).
fn export_zone(args: &ExportArgs) -> Result<dealsim::import::timestamp::Zone, InputError> {
    use dealsim::import::timestamp::Zone;
    match &args.time_zone {
        Some(_) => Zone::from_flag(args.time_zone.as_deref()),
        None => Ok(Zone::beside(&args.events)?.unwrap_or_default()),
    }
}

fn export(args: &ExportArgs) -> Result<(), Error> {
    use dealsim::export::event_log::{export_log, LogFormat};
    check_log_files(&args.events, &args.deals)?;
    let format = match args.format {
        ExportFormatArg::Xes => LogFormat::Xes(export_zone(args)?),
        ExportFormatArg::Csv => LogFormat::Pm4pyCsv,
    };
    check_inputs_kept(
        &args.out,
        Writes::File,
        &[
            ("--events file", Some(&args.events)),
            ("--deals file", Some(&args.deals)),
        ],
    )?;
    let stats = export_log(&args.events, &args.deals, format, &args.out)?;
    eprintln!(
        "exported {} cases, {} events -> {}",
        stats.cases,
        stats.events,
        args.out.display()
    );
    if args.json {
        print_json(&stats);
    }
    Ok(())
}

/// Machine output on stdout (see [`say`] for a closed pipe).
fn print_json(value: &impl serde::Serialize) {
    let text = serde_json::to_string_pretty(value).expect("plain data serialises");
    say(format_args!("{text}\n"));
}

fn sweep(args: &SweepArgs) -> Result<(), Error> {
    use dealsim::sweep::{self, Setting, SweepJob};
    let settings = args
        .set
        .iter()
        .map(|s| Setting::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let (base, origin) = match &args.scenario {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| {
                InputError::new(
                    p.display().to_string(),
                    format!("cannot read the scenario: {e}"),
                )
            })?,
            p.display().to_string(),
        ),
        None => (DEFAULT_TOML.to_string(), DEFAULT_ORIGIN.to_string()),
    };
    // The base must be valid by itself: its own errors, located in its own lines.
    Scenario::parse(&base, &origin)?;
    let indicators = indicators::chosen_or_default(args.score.indicators.as_deref())?;
    let landmarks = parse_landmarks(&args.score.landmarks)?;
    let options = score_options(&args.score, 0)?;
    check_score_options(&options)?;
    let job = SweepJob {
        base: &base,
        origin: &origin,
        settings: &settings,
        replicates: args.replicates,
        first_seed: args.seed,
        deals: args.deals,
        indicators: &indicators,
        landmarks: &landmarks,
        options,
        with_truth: args.score.with_truth,
    };
    let points = sweep::points(&job)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(format!("{}-sweep", points[0].scenario.name)));
    check_inputs_kept(
        &out,
        Writes::Directory,
        &[
            ("--scenario file", args.scenario.as_deref()),
            ("--indicators file", args.score.indicators.as_deref()),
        ],
    )?;
    let dir = dealsim::output::OutputDir::create(&out)?;
    let bar = bars::counting(args.quiet, "sweep", "runs");
    bar.set_length(points.len() as u64 * args.replicates);
    let started = std::time::Instant::now();
    let runs = sweep::sweep(&job, &points, || bar.inc(1));
    bar.finish_and_clear();
    let command = dealsim::shell::command_line(std::env::args_os());
    sweep::write(&job, &points, &runs, &command, dir, &out)?;
    // Once per point: its seeds share its reps (their warnings may name the segments in
    // another order, the order in which each log first meets them).
    let mut warned = std::collections::BTreeSet::new();
    for run in &runs {
        if let Some(w) = run
            .cluster_warning
            .as_ref()
            .filter(|_| warned.insert(run.point))
        {
            let values: Vec<String> = settings
                .iter()
                .zip(&points[run.point].values)
                .map(|(s, v)| format!("{}={v}", s.path))
                .collect();
            eprintln!(
                "warning: point {} ({}): {w}",
                run.point + 1,
                values.join(", ")
            );
        }
    }
    say(sweep::table(&job, &points, &runs));
    eprintln!(
        "{} × {} simulated and scored in {:.1} s -> {}",
        counted(points.len(), "point"),
        counted(args.replicates as usize, "seed"),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

fn calibrate(args: &CalibrateArgs) -> Result<(), Error> {
    check_log_files(&args.events, &args.deals)?;
    // The files beside the log that tell how to read it are inputs as much as those named:
    // `--out` of the log's own scenario.toml replaced the scenario `score` and `tune` read the
    // log with (and calibrate's default --base), whether or not --base names another.
    let beside = |name| args.events.with_file_name(name);
    check_inputs_kept(
        &args.out,
        Writes::File,
        &[
            ("--events file", Some(&args.events)),
            ("--deals file", Some(&args.deals)),
            ("--base file", args.base.as_deref()),
            (
                "scenario beside the --events file (score and tune read the log with it)",
                Some(&beside(dealsim::scenario::BESIDE_LOG)),
            ),
            (
                "window end recorded beside the --events file",
                Some(&beside(cut::CUT_JSON)),
            ),
        ],
    )?;
    let base = scenario_for(args.base.as_deref(), &args.events, "--base")?;
    let options = CalibrateOptions {
        seed: args.seed,
        iterations: args.iterations,
        resimulate_deals: args.resimulate_deals,
        window_end: window_end_for(args.window_end.as_deref(), &args.events)?,
    };
    let bar = bars::phases(args.quiet, "calibrating");
    let c = calibrate_files(&args.events, &args.deals, &base, &args.out, &options, &bar);
    bar.finish_and_clear();
    let c = c?;
    for n in &c.notes {
        eprintln!("note: {n}");
    }
    say(dealsim::calibrate::gof::render(&c.fit));
    eprintln!("scenario written to {}", args.out.display());
    Ok(())
}

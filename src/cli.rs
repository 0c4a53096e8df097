//! Command-line definitions (clap). Parsing only: every command calls one library function.
//!
//! Numeric options take a value with a leading hyphen (`--budget -1`, `--deals -5`): by
//! default clap reads it as an unknown flag and says "unexpected argument '-1'", which hides
//! the range check that explains what is allowed. Floats allow any hyphen value, so that
//! `-inf` too reaches that check; whole numbers allow negative numbers and say what they
//! expect ([`whole_number`]).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use dealsim::scoring::IntervalMethod;
use dealsim::stats::bootstrap::Cluster;

/// `--cluster`'s help: the intervals it applies to on the command (`$variance`) and, where the
/// command tunes rules, what it leaves alone (`rules`). It names both values itself, so the
/// arguments hide clap's list of them: that list would repeat it from [`Cluster`]'s rustdoc,
/// links and all. Clap's error for a bad value still lists them.
macro_rules! cluster_help {
    (@ $variance:literal, $tail:literal) => {
        concat!(
            "What the intervals take as independent draws: what a bootstrap replicate \
resamples, and what the variance of ",
            $variance,
            " sums over. `deal`: deals (resampled within segment × outcome): intervals for these \
reps' deals, the team taken as given. `rep`: reps with all their deals (within segment): \
intervals for the figure over all reps working the same way, usually wider where reps' habits \
drive an indicator. Under 30 reps in a segment they can still be too narrow and sit too high \
(warned); under 5 there are none",
            $tail
        )
    };
    ($variance:literal) => {
        cluster_help!(@ $variance, "")
    };
    ($variance:literal, rules) => {
        cluster_help!(@ $variance, ". Rule choice and the Fisher p-values do not change: they \
treat deals as independent")
    };
}

/// `score` and `sweep` score indicators, `tune` tunes rules, `run` does both.
const CLUSTER_HELP_SCORE: &str = cluster_help!("scores' DeLong intervals");
const CLUSTER_HELP_TUNE: &str = cluster_help!("tuned rules' shares", rules);
const CLUSTER_HELP_RUN: &str =
    cluster_help!("scores' DeLong intervals and of tuned rules' shares", rules);

/// `--indicators` of the commands that read a log (`score`, `tune`).
const INDICATORS_BESIDE_LOG_HELP: &str = "Indicator definitions (TOML) [default: indicators.toml \
beside the events file (which `import crm` writes), else the embedded set]";

/// `--out` of `import`: what the directory receives, every importer's files plus `$more` (what
/// `import crm` writes besides), and that it has no default (the flag is required).
macro_rules! import_out_help {
    ($more:literal) => {
        concat!(
            "Output directory, required (there is no default). It receives the imported log as \
events.csv (one row per event) and deals.csv (one row per deal: segment, outcome, close), laid \
out as `simulate` writes them, and import_summary.json (counts, open deals, rows skipped, names \
not joined)",
            $more,
            ". Replaced atomically as a whole, refused if it holds files dealsim did not write; \
nothing is written if the input is bad. Score it with `dealsim score --events DIR/events.csv \
--deals DIR/deals.csv`"
        )
    };
}

/// `import csv` and `import xes` write the log and its summary; `import crm` more.
const IMPORT_OUT_HELP: &str = import_out_help!("");
const IMPORT_OUT_HELP_CRM: &str = import_out_help!(
    "; also indicators.toml, the indicator set that suits a deal export (score, tune and flag \
read it from beside the log), and deal_columns.json, which names close_value as known only at \
close (cut blanks it for a deal it reopens)"
);

/// A count or a seed: a whole number ≥ 0 of type `T`. Clap's own parser says "invalid digit
/// found in string" for `-5`.
fn whole_number<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("expected a whole number ≥ 0, got {s}"))
}

/// A simulation's seed: a whole number that fits the `seed` of a scenario file (a TOML integer,
/// at most 2^63 - 1), since the run writes the scenario it simulated beside its log.
fn scenario_seed(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .ok()
        .filter(|&n| i64::try_from(n).is_ok())
        .ok_or_else(|| format!("expected a whole number from 0 to {}, got {s}", i64::MAX))
}

/// A count that must be at least 1 (deals, bootstrap replicates, seeds): a whole number ≥ 1
/// in the message (0 parses, for the program to refuse with its reason).
fn count<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("expected a whole number ≥ 1, got {s}"))
}

#[derive(Debug, Parser)]
#[command(
    name = "dealsim",
    version,
    about = "Simulate B2B deal histories and find which leading indicators warn of a lost deal earliest",
    long_about = "Simulate B2B deal histories and find which leading indicators warn of a lost deal earliest.\n\n\
        Start with `dealsim run`: it simulates the embedded default scenario (three typical client \
        segments and one atypical one), scores every indicator at every deal age, tunes a KPI rule \
        per segment and writes the log, the tables, policy.toml and an HTML report (index.html) \
        under reports/<scenario>-seed<seed>/. Copy the scenario with `dealsim scenario show > my.toml`, \
        describe your own funnel, and run `dealsim run --scenario my.toml`. Real histories: \
        `dealsim import`, then `dealsim score`, `tune` and `flag` on the imported log.\n\n\
        Exit codes: 0 success, 1 runtime failure, 2 bad input or usage, 130 interrupted (Ctrl-C or SIGTERM: the unfinished output directory is removed)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario, score the indicators and print the rankings (the main job); then
    /// tune a KPI rule per segment (policy.toml, policy.md, tradeoffs.csv, deadlines.csv,
    /// review.csv in the same directory).
    #[command(
        mut_arg("seed", |a| a.help("Random seed [default: the scenario's `seed`] of the \
simulation and of the bootstraps. Same scenario and seed give identical files (manifest.json \
apart: it records timings)")),
        mut_arg("bootstrap", |a| a.help("Bootstrap replicates for the confidence intervals (of \
scores under `--interval bootstrap`, and of the tuned rules' figures; with `--cluster rep`, of \
their median lead times only)")),
        mut_arg("cluster", |a| a.help(CLUSTER_HELP_RUN))
    )]
    Run {
        #[command(flatten)]
        sim: SimArgs,
        #[command(flatten)]
        score: ScoreArgs,
        #[command(flatten)]
        tune: TuneArgs,
    },
    /// Simulate a scenario and write the event log, deals, ground truth, the scenario as resolved
    /// (scenario.toml, which `score`, `tune` and `flag` read from beside the log) and manifest.
    Simulate(SimArgs),
    /// Score leading indicators on an event log (events.csv + deals.csv), simulated or real.
    #[command(mut_arg("indicators", |a| a.help(INDICATORS_BESIDE_LOG_HELP)))]
    Score(ScoreCommand),
    /// Tune KPI rules per segment ("flag the deal once INDICATOR crosses τ by day d", holidays
    /// not counted in the day) on an event log and write policy.toml, policy.md,
    /// tradeoffs.csv, deadlines.csv, review.csv.
    Tune(TuneCommand),
    /// List the deals open on a date that break a policy's rules, with the reasons, sorted by
    /// risk (the share of the tuning deals the broken rule flagged and that were still open at
    /// the deal's age later lost: a flag long ago that the deal has outlived means less than a
    /// fresh one), then by more rules broken, then by shorter since the first one fired (the
    /// fresher flag), then by the lower deal id;
    /// and per rep (of the policed segments) the on-time step share (the mean share of due
    /// steps done by their deadline, over the open deals with a deadline passed; a deal too
    /// young for any is left out of it, though counted open), flags and own forecast
    /// (terminal table, flags.csv, reps.csv, flags.json); warns about rules the tuner's
    /// held-out deals did not confirm.
    Flag(FlagCommand),
    /// Cut an event log as of a date: later events dropped, deals closed later become open
    /// (to replay a finished log as a past pipeline). Writes events.csv, deals.csv, cut.json
    /// (the --as-of day, up to which `flag` accepts the cut log and at which `score` and `tune`
    /// end its window) and a copy of the indicators.toml, scenario.toml and deal_columns.json
    /// beside the log, if there are; extra deal columns deal_columns.json names as known only
    /// at close (a CRM's close_value) are blanked for a reopened deal.
    Cut(CutCommand),
    /// Show or check scenario files.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Re-render index.html and summary.md of a run directory from its saved tables (no recomputing).
    Report(ReportCommand),
    /// Import a real history (event CSV, XES, CRM deal export) as events.csv + deals.csv.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export an event log as XES or PM4Py-style CSV for process-mining tools.
    Export(ExportArgs),
    /// Fit a scenario to a deal history and print how well a re-simulation reproduces it.
    Calibrate(CalibrateArgs),
    /// Simulate a grid of scenario variants (each --set gives a field its values; several
    /// multiply) with --replicates seeds each, score every indicator on each log as `run`
    /// does, and write sweep.csv (per point, seed, segment and indicator: rank, earliest
    /// reliable day, AUC at 30/60/90 days), sweep_segments.csv (deal counts, win rate) and
    /// sweep.json; the terminal shows, per segment, the indicator that warns earliest at each
    /// point.
    Sweep(SweepArgs),
}

/// The arguments of `dealsim score` (see [`Command::Score`]).
#[derive(Args, Debug)]
pub struct ScoreCommand {
    #[command(flatten)]
    pub history: HistoryArgs,
    /// Ground truth for --with-truth [default: truth.csv next to the events file].
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Output directory [default: the directory of the events file].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Seed of the bootstrap, which only `--interval bootstrap` (the default with
    /// `--censoring ipcw`) draws; DeLong's intervals draw nothing.
    /// `dealsim run` seeds it with the scenario's seed: pass that seed (manifest.json) to
    /// reproduce a run's bootstrap scores exactly. Another seed moves each bootstrap
    /// interval by its Monte Carlo error, which can move a "reliable from" day whose lower
    /// bound sits at the target.
    #[arg(long, allow_negative_numbers = true, value_parser = whole_number::<u64>, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// No progress bars.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub score: ScoreArgs,
}

/// The arguments of `dealsim tune` (see [`Command::Tune`]).
#[derive(Args, Debug)]
pub struct TuneCommand {
    #[command(flatten)]
    pub history: HistoryArgs,
    /// Output directory [default: the directory of the events file].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, value_name = "FILE", help = INDICATORS_BESIDE_LOG_HELP)]
    pub indicators: Option<PathBuf>,
    /// Deal ages (days) at which rules are checked, START:END:STEP (END at most 3650).
    #[arg(
        long,
        value_name = "START:END:STEP",
        default_value = "7:168:7",
        allow_hyphen_values = true
    )]
    pub landmarks: String,
    /// Bootstrap replicates for the chosen rules' confidence intervals (with `--cluster
    /// rep`, for their median lead times only).
    #[arg(long, allow_negative_numbers = true, value_parser = count::<usize>, value_name = "B", default_value_t = 200)]
    pub bootstrap: usize,
    #[arg(long, value_enum, value_name = "UNIT", default_value = "deal", hide_possible_values = true, help = CLUSTER_HELP_TUNE)]
    pub cluster: Cluster,
    /// Seed of the bootstrap (and of nothing else: the rule choice does not depend on it).
    /// `dealsim run` seeds it with the scenario's seed.
    #[arg(long, allow_negative_numbers = true, value_parser = whole_number::<u64>, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// No progress bars.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub tune: TuneArgs,
}

/// The arguments of `dealsim flag` (see [`Command::Flag`]).
#[derive(Args, Debug)]
pub struct FlagCommand {
    /// The policy (policy.toml from `dealsim tune` or `dealsim run`).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// The event log; events after --as-of are ignored.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// The deal table; deals closed after --as-of count as open.
    #[arg(long, value_name = "FILE")]
    pub deals: PathBuf,
    /// The day to evaluate the pipeline at (its end), within the data: up to the last
    /// recorded day, or to the day a log from `dealsim cut` was cut (its cut.json).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: String,
    /// Scenario whose stage maps and calendar apply [default: scenario.toml beside the
    /// events file (which `simulate` and `run` write and `cut` copies), else the embedded
    /// one].
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Indicator definitions (TOML) the policy's rules refer to [default: indicators.toml
    /// beside the events file (which `import crm` writes and `cut` copies), else the
    /// embedded set].
    #[arg(long, value_name = "FILE")]
    pub indicators: Option<PathBuf>,
    /// Output directory [default: flags-<as-of> next to the events file]. Replaced atomically
    /// as a whole; refused if it holds files dealsim did not write.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The arguments of `dealsim cut` (see [`Command::Cut`]).
#[derive(Args, Debug)]
pub struct CutCommand {
    /// The event log.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// The deal table.
    #[arg(long, value_name = "FILE")]
    pub deals: PathBuf,
    /// Keep what was known at the end of this day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: String,
    /// Output directory for the cut log. Replaced atomically as a whole; refused if it holds
    /// files dealsim did not write.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The arguments of `dealsim report` (see [`Command::Report`]).
#[derive(Args, Debug)]
pub struct ReportCommand {
    /// Run directory written by `dealsim run` or `dealsim score` (scores.csv,
    /// indicator_summary.csv, scores.json; funnel/inflow tables, tradeoffs.csv and policy.toml if present).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Open index.html in the desktop's browser afterwards (xdg-open, open or explorer), if there is one.
    #[arg(long)]
    pub open: bool,
}

/// Flags every importer shares.
#[derive(Debug, Args)]
pub struct ImportCommon {
    // `import crm` says what more it writes (its `mut_arg`).
    #[arg(long, value_name = "DIR", help = IMPORT_OUT_HELP)]
    pub out: PathBuf,
    /// Skip bad rows (or events, or cases) instead of stopping at the first; the summary says
    /// how many were skipped and why.
    #[arg(long)]
    pub lenient: bool,
    /// Print the import summary as JSON on stdout (it is always written to the output directory).
    #[arg(long)]
    pub json: bool,
}

/// How event-level sources are read (CSV and XES).
#[derive(Debug, Args)]
pub struct EventLogArgs {
    /// Zone the log's local times are kept in: UTC (default) or +HH:MM. Timestamps with an
    /// offset are converted into it; those without are taken as already in it.
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    /// Activities meaning the deal was won, comma-separated [default: won].
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub won: Option<Vec<String>>,
    /// Activities meaning the deal was lost, comma-separated [default: lost].
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub lost: Option<Vec<String>>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// An event-level CSV (one row per event). Columns are found by dealsim's or PM4Py's
    /// names unless a mapping file or the flags below name them.
    Csv {
        /// The event CSV.
        file: PathBuf,
        /// Mapping TOML: column names, timestamp format, time zone, won/lost activities,
        /// [steps] (activity -> stage-map step) and [deal_table] (outcome per deal). Flags
        /// override it.
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Column with the case (deal) id [default: case_id or case:concept:name].
        #[arg(long, value_name = "COLUMN")]
        case_id: Option<String>,
        /// Column with the activity name [default: activity or concept:name].
        #[arg(long, value_name = "COLUMN")]
        activity: Option<String>,
        /// Column with the event time [default: timestamp or time:timestamp].
        #[arg(long, value_name = "COLUMN")]
        timestamp: Option<String>,
        /// Column with who did it [default: resource or org:resource, if present].
        #[arg(long, value_name = "COLUMN")]
        resource: Option<String>,
        /// Column with the client segment [default: segment or case:segment; else `unsegmented`].
        #[arg(long, value_name = "COLUMN")]
        segment: Option<String>,
        /// Column with the deal value [default: case:value, if present].
        #[arg(long, value_name = "COLUMN")]
        value: Option<String>,
        /// iso (also RFC 3339, the default), dd.mm.yyyy, m/d/yyyy, or a strftime pattern such
        /// as "%d/%m/%Y %H:%M".
        #[arg(long, value_name = "FORMAT")]
        timestamp_format: Option<String>,
        #[command(flatten)]
        events: EventLogArgs,
        #[command(flatten)]
        common: ImportCommon,
    },
    /// An XES event log (IEEE 1849), plain or gzipped (.xes.gz), read as a stream.
    Xes {
        /// The .xes or .xes.gz file.
        file: PathBuf,
        #[command(flatten)]
        events: EventLogArgs,
        #[command(flatten)]
        common: ImportCommon,
    },
    /// A deal-level CRM export: DIR/sales_pipeline.csv joined with accounts.csv,
    /// products.csv and sales_teams.csv (the shape of the Maven "CRM Sales Opportunities" sample).
    #[command(mut_arg("out", |a| a.help(IMPORT_OUT_HELP_CRM)))]
    Crm {
        /// The directory holding the four CSV files.
        #[arg(value_name = "CRM_DIR")]
        dir: PathBuf,
        /// What becomes the deal's segment (scores are reported per segment).
        #[arg(long, value_enum, default_value = "sector")]
        segment_by: SegmentByArg,
        /// How the export writes engage_date and close_date: m/d/yyyy (the Maven sample's),
        /// dd.mm.yyyy, iso, or a strftime pattern such as "%d/%m/%Y" (a European export).
        #[arg(long, value_name = "FORMAT", default_value = "m/d/yyyy")]
        date_format: String,
        #[command(flatten)]
        common: ImportCommon,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SegmentByArg {
    /// The account's sector.
    Sector,
    /// The sales agent's regional office.
    Office,
    /// The product series.
    Series,
    /// One segment, `unsegmented`.
    None,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// xes: IEEE 1849 XES with the standard extensions; csv: PM4Py column names.
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// The event log (events.csv).
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// The deal table (deals.csv).
    #[arg(long, value_name = "FILE")]
    pub deals: PathBuf,
    /// The file to write (gzipped if it ends in .gz), replaced atomically.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Print the numbers of cases and events and the start/end activity counts as JSON on
    /// stdout (what a process-mining tool should report for the file).
    #[arg(long)]
    pub json: bool,
    /// The zone the log's local times are in, written with each XES timestamp: UTC or a fixed
    /// offset such as +03:00 [default: the `time_zone` of import_summary.json beside the
    /// events file (an import's --time-zone), else UTC]. The CSV keeps the local times as
    /// they are, without an offset.
    #[arg(long, value_name = "OFFSET")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormatArg {
    Xes,
    Csv,
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
    /// forecast, calendar, rep traits, late penalties) [default: scenario.toml beside the events
    /// file (a simulated log's own scenario), else the embedded one].
    #[arg(long, value_name = "FILE")]
    pub base: Option<PathBuf>,
    /// Seed of the re-simulations, written into the scenario. Same log and seed give the same file.
    #[arg(long, allow_negative_numbers = true, value_parser = scenario_seed, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Rounds of the calibration loop (re-simulate, correct loss/skip probabilities and
    /// durations); 0 writes the direct fit, which the engine does not reproduce (see README).
    #[arg(long, allow_negative_numbers = true, value_parser = whole_number::<usize>, value_name = "N", default_value_t = 8)]
    pub iterations: usize,
    /// Deals per re-simulation of the loop [default: twice the history, at least 40,000].
    #[arg(long, allow_negative_numbers = true, value_parser = whole_number::<u64>, value_name = "N")]
    pub resimulate_deals: Option<u64>,
    /// Last day of the observation window [default: the day a log from `dealsim cut` was cut
    /// at (its cut.json), else the last day in the log]. What the log holds after it is not
    /// seen, as if cut there: deals open on that day are open (censored), not won or lost. It
    /// may lie past the last recorded day by the data's longest quiet spell (at least 7 days).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub window_end: Option<String>,
    /// No progress bars.
    #[arg(long)]
    pub quiet: bool,
}

/// The history `score` and `tune` read: an event log, its deal table, the scenario that gives
/// its stage maps and calendar, and where its observation window ends.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The event log (columns case_id, activity, timestamp, ...; see README).
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// The deal table (columns case_id, segment, created, closed, outcome, ...).
    #[arg(long, value_name = "FILE")]
    pub deals: PathBuf,
    /// Scenario whose stage maps (deadlines), calendar and review (atypical) segments apply
    /// [default: scenario.toml beside the events file (the scenario `simulate` or `run` wrote
    /// the log from; `cut` copies it), else the embedded one].
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Last day of the observation window [default: the day a log from `dealsim cut` was cut
    /// at (its cut.json), else the last day in the log]. What the log holds after it is not
    /// seen, as if cut there: deals open on that day are open (censored), not won or lost. It
    /// may lie past the last recorded day by the data's longest quiet spell (at least 7 days).
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
    #[arg(long, allow_negative_numbers = true, value_parser = count::<u64>, value_name = "N")]
    pub deals: Option<u64>,
    // `run` says it seeds its bootstraps too (its `mut_arg`).
    /// Random seed [default: the scenario's `seed`] of the simulation. Same scenario and seed
    /// give identical files (manifest.json apart: it records timings).
    #[arg(long, allow_negative_numbers = true, value_parser = scenario_seed, value_name = "S")]
    pub seed: Option<u64>,
    /// Output directory [default: reports/<scenario name>-seed<seed>]. Replaced atomically as a
    /// whole; refused if it holds files dealsim did not write.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bars; only errors and the final summary.
    #[arg(long)]
    pub quiet: bool,
}

/// What `dealsim sweep` varies and how it scores each variant.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// A scenario field and the values to give it, PATH=V1, V2, ...: the path as error messages
    /// write it (model.health_weight, segments[0].loss_shift), an array element also by name
    /// (segments[smb].reps.count) or all (segments[*].pace); the values are TOML (strings in
    /// quotes, a distribution as { dist = "gamma", shape = 2, scale = 3 }). Repeat for a grid.
    #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
    pub set: Vec<String>,
    /// Scenario TOML file the variants start from [default: the embedded default scenario].
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Simulations per point: the scenario's seed (or --seed) and the seeds after it.
    #[arg(long, allow_negative_numbers = true, value_parser = count::<u64>, value_name = "N", default_value_t = 1)]
    pub replicates: u64,
    /// First seed of every point [default: the scenario's `seed`]; it seeds the bootstrap too.
    /// At most 2^63 − 1, as `run --seed`, and so are the seeds of the replicates after it.
    #[arg(long, allow_negative_numbers = true, value_parser = scenario_seed, value_name = "S")]
    pub seed: Option<u64>,
    /// Rescale every variant's inflow so that about N deals are created over the window.
    #[arg(long, allow_negative_numbers = true, value_parser = count::<u64>, value_name = "N")]
    pub deals: Option<u64>,
    /// Output directory [default: reports/<scenario name>-sweep]. Replaced atomically as a
    /// whole; refused if it holds files dealsim did not write.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar; only errors and the final table.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub score: ScoreArgs,
}

/// Scoring settings shared by `run`, `score` and `sweep`; the help is theirs where they agree,
/// and `run` and `score` set their own where they differ (their `mut_arg`s).
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Indicator definitions (TOML) [default: the embedded set, scenarios/indicators.toml].
    #[arg(long, value_name = "FILE")]
    pub indicators: Option<PathBuf>,
    /// Landmark deal ages in days, START:END:STEP (END at most 3650).
    #[arg(
        long,
        value_name = "START:END:STEP",
        default_value = "7:168:7",
        allow_hyphen_values = true
    )]
    pub landmarks: String,
    /// `known`: leave out deals still open at the window end; `ipcw`: time-dependent AUC
    /// with inverse-probability-of-censoring weights at --horizon days after the landmark.
    #[arg(long, value_enum, default_value = "known")]
    pub censoring: CensoringArg,
    /// Horizon in calendar days after the landmark for --censoring ipcw: a loss counts if it
    /// comes within this many days of the landmark.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "DAYS",
        default_value_t = 60.0
    )]
    pub horizon: f64,
    /// How the AUC's 95% intervals are computed. `delong`: DeLong's variance on the logit
    /// scale, no resampling (the default with `--censoring known`); with `--cluster rep`
    /// Obuchowski's variance over reps and Student's t. `bootstrap`: percentiles of
    /// --bootstrap replicates (the only method with `--censoring ipcw`, and its default); at
    /// small classes or few reps it is too narrow and calls indicators reliable too soon.
    #[arg(long, value_enum, value_name = "METHOD", hide_possible_values = true)]
    pub interval: Option<IntervalMethod>,
    /// Bootstrap replicates for the scores' confidence intervals under `--interval bootstrap`.
    #[arg(long, allow_negative_numbers = true, value_parser = count::<usize>, value_name = "B", default_value_t = 200)]
    pub bootstrap: usize,
    #[arg(long, value_enum, value_name = "UNIT", default_value = "deal", hide_possible_values = true, help = CLUSTER_HELP_SCORE)]
    pub cluster: Cluster,
    /// Omit an AUC when either class has fewer deals than this.
    #[arg(long, allow_negative_numbers = true, value_parser = whole_number::<usize>, value_name = "N", default_value_t = 20)]
    pub min_class: usize,
    /// An indicator is reliable from the first landmark whose CI lower bound reaches this
    /// (there and at the next two landmarks).
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "AUC",
        default_value_t = 0.70
    )]
    pub target: f64,
    /// RESEARCH ONLY: add the hidden loss log-odds (deal health plus process lapses, from
    /// truth.csv; `sweep` takes them from each simulation, unrounded) as the ceiling indicator
    /// TRUTH_hidden_risk.
    #[arg(long)]
    pub with_truth: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CensoringArg {
    Known,
    Ipcw,
}

/// How `tune` (and the tuning step of `run`) chooses a rule per segment.
#[derive(Debug, Args)]
pub struct TuneArgs {
    /// `budget`: highest recall within --budget alerts per rep per week; `cost`: lowest
    /// expected cost (--review-cost vs --save-probability × value at risk); `youden`:
    /// largest recall − false-alarm rate. `budget` and `youden` choose only rules that flag
    /// lost deals more often than won ones.
    #[arg(long, value_enum, default_value = "budget")]
    pub objective: ObjectiveArg,
    /// Alert budget for --objective budget: alerts per rep per week (> 0).
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "ALERTS",
        default_value_t = 2.0
    )]
    pub budget: f64,
    /// Cost of reviewing one alert (same currency as deal values), for --objective cost.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "COST",
        default_value_t = 200.0
    )]
    pub review_cost: f64,
    /// Chance that a flagged deal which would be lost is saved, for --objective cost.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "P",
        default_value_t = 0.1
    )]
    pub save_probability: f64,
    /// Share of the creation span (its end) held out, of the deals created at least the last
    /// landmark's age before the window end (younger ones are used by neither part): rules are
    /// tuned on earlier deals and
    /// their figures shown on the later ones too, with a check that the deals a rule flags
    /// there were lost more often than the others (one-sided Fisher exact test, p < 0.05:
    /// "confirmed"; otherwise the rule may fit noise and every output warns).
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "SHARE",
        default_value_t = 0.3
    )]
    pub holdout: f64,
    /// Signals whose indicators the tuner may choose (all are swept and shown in
    /// tradeoffs.csv): rep, process, client, external, forecast, static.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "rep,process,client"
    )]
    pub signals: Vec<dealsim::indicators::Signal>,
    /// Choose only rules whose median lead time (first flag to loss) is at least this many
    /// calendar days: an alert must come early enough to act on.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "DAYS",
        default_value_t = 21.0
    )]
    pub min_lead: f64,
    /// Under the budget and youden objectives, choose only rules whose flagged tuning deals
    /// were lost more often than the others beyond chance: one-sided Fisher exact p below this.
    /// Keeps a small segment from getting a rule out of a handful of deals; 1 turns it off.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "P",
        default_value_t = 0.05
    )]
    pub significance: f64,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ObjectiveArg {
    Budget,
    Cost,
    Youden,
}

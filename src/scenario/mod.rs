//! Scenarios: the user's description of a funnel (segments, stage maps, calendar, causal model).
//!
//! A [`Scenario`] that exists is valid: it is only made by [`Scenario::parse`], which reads
//! TOML ([`spec`]), checks every field once (`validate`) and reports problems with the file,
//! line, field path and what was expected. The engine never re-checks.
//! Not for: simulation itself ([`crate::sim`]) or reading event logs ([`crate::log`]).

pub mod dist;
pub mod spec;
mod validate;

use std::path::{Path, PathBuf};

pub use dist::{Sampler, Support};
pub use spec::{Owner, ScenarioSpec};
pub use validate::{name_problem, step_name_problem};

use crate::calendar::CalendarRules;
use crate::error::InputError;
use crate::time::DayNum;

/// The documented default scenario, embedded so `dealsim run` works with no files at all.
pub const DEFAULT_TOML: &str = include_str!("../../scenarios/default.toml");

/// How errors name [`DEFAULT_TOML`], the scenario of a command given none.
pub const DEFAULT_ORIGIN: &str = "<embedded default scenario>";

/// The scenario file beside a simulated log's events file. `simulate` and `run` write the
/// scenario they ran there, as resolved (after `--seed` and `--deals`), and `cut` carries it
/// along, so that `score`, `tune`, `flag` and `calibrate` read that log against its own step
/// deadlines, stage norms, calendar, card and review segments without a `--scenario` flag
/// (as they read the indicator set an importer leaves there, [`crate::indicators::BESIDE_LOG`]).
pub const BESIDE_LOG: &str = "scenario.toml";

/// The most deals a scenario may be expected to create (and `--deals` may ask for): the log
/// reader and the indicator panel index deals with `u32`, and a Poisson draw around 2^31 stays
/// far below 2^32 (its standard deviation is about 46,000). Memory is the tighter limit on
/// most machines (the engine holds every arrival, 16 bytes, before simulating the first).
pub const MAX_DEALS: u64 = 1 << 31;

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario as resolved (after command-line overrides); recorded in manifests.
    pub spec: ScenarioSpec,
    pub name: String,
    pub seed: u64,
    pub first_created: DayNum,
    pub last_created: DayNum,
    /// Deals still open at the end of this day are censored.
    pub end: DayNum,
    pub calendar: CalendarRules,
    pub model: Model,
    pub contacts: Contacts,
    pub card: Card,
    pub forecast: Forecast,
    pub segments: Vec<Segment>,
}

/// Parameters of the hidden causal model (see README, "The causal model").
#[derive(Debug, Clone)]
pub struct Model {
    /// Log-odds of loss per unit of missing health (health ~ N(source shift, 1)).
    pub health_weight: f64,
    /// Client steps take `exp(-client_speed * health)` times their nominal time.
    pub client_speed: f64,
    /// Log-odds shift per unit of missing health for a client skipping an optional step.
    pub client_skip: f64,
    /// A rep with discipline `q` stretches own steps by `1 + rep_lateness * (1 - q) * Exp(1)`.
    pub rep_lateness: f64,
    /// Extra skip probability of rep steps at discipline 0 (scaled by `1 - q`).
    pub rep_skip: f64,
    /// Mean number of extra stakeholders a deal of health 0 brings in during the
    /// `stakeholder_stage`.
    pub stakeholders_mean: f64,
    /// The stage (by name, in every stage map that has it) where stakeholders join.
    pub stakeholder_stage: String,
    /// Working days from the client's silent decision to drop until the loss is recorded.
    pub silence_before_loss: Sampler,
}

#[derive(Debug, Clone)]
pub struct Contacts {
    pub interval: Sampler,
    /// (channel name, cumulative share) for sampling a touch's channel.
    pub channels: Vec<(String, f64)>,
    pub reply_probability: f64,
    pub reply_health: f64,
    pub reply_latency: Sampler,
    /// Reply latencies are multiplied by `exp(-latency_health * health)`.
    pub latency_health: f64,
}

#[derive(Debug, Clone)]
pub struct Card {
    pub fields: Vec<String>,
    /// Working days within which a fully disciplined rep fills the card.
    pub fill_within: f64,
    /// Loss log-odds added (at every step) per share of card fields left empty.
    pub empty_penalty: f64,
}

#[derive(Debug, Clone)]
pub struct Forecast {
    /// Indexed like [`Segment::stages`] of each segment via [`Forecast::probability`].
    pub stage_probability: Vec<(String, f64)>,
    pub push_days: u32,
    pub reacts_before_loss: Sampler,
}

impl Forecast {
    pub fn probability(&self, stage: &str) -> f64 {
        self.stage_probability
            .iter()
            .find(|(s, _)| s == stage)
            .map_or(0.5, |(_, p)| *p)
    }
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub name: String,
    /// Atypical segment: its deals go to manual review, not to typical deadlines.
    pub review: bool,
    pub pace: f64,
    pub loss_shift: f64,
    pub per_month: f64,
    pub trend_per_year: f64,
    pub sources: Vec<Source>,
    pub value: Sampler,
    pub rep_count: u32,
    pub discipline: Sampler,
    pub optimism: Sampler,
    pub stages: Vec<String>,
    pub steps: Vec<Step>,
    /// Index of the step named `proposal_sent`, if the map has one (for "lost after proposal").
    pub proposal_step: Option<usize>,
    /// `nominal_working_days_from[i]`: nominal working days from the start of step `i` to
    /// signing (sum of mean durations × pace × chance the step is done); element 0 is the
    /// whole cycle. The rep's close-date plans start from these.
    pub nominal_working_days_from: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    /// Cumulative share, for sampling.
    pub cumulative: f64,
    pub health: f64,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub stage: usize,
    pub owner: Owner,
    pub duration: Sampler,
    /// SLA in working days (already multiplied by the segment's pace).
    pub deadline_days: f64,
    /// The step whose completion starts the SLA clock; `None` = deal creation.
    pub deadline_from: Option<usize>,
    pub skip_probability: f64,
    pub loss_logit: f64,
    pub late_penalty: f64,
    /// A loss at this step is an outside shock (budget freeze, reorganisation): its odds
    /// ignore the deal's health and the rep's lapses.
    pub exogenous_loss: bool,
}

impl Scenario {
    /// Parses and validates TOML. `origin` names the source in errors (a path or `"<default>"`).
    pub fn parse(source: &str, origin: &str) -> Result<Scenario, InputError> {
        let spec: ScenarioSpec = crate::toml_input::parse_toml(source, origin)?;
        validate::validate(spec).map_err(|(field, message)| {
            crate::toml_input::locate::error_at(source, origin, field, message)
        })
    }

    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(&origin, format!("cannot read the scenario: {e}")))?;
        Scenario::parse(&text, &origin)
    }

    pub fn embedded_default() -> Scenario {
        Scenario::parse(DEFAULT_TOML, DEFAULT_ORIGIN)
            .expect("the embedded default scenario is valid (tested)")
    }

    /// The scenario file of this scenario as resolved, for [`BESIDE_LOG`]: it parses back into
    /// the same scenario (tested), so the file reproduces the run it sits beside.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(&self.spec)
            .expect("a validated scenario serialises: its seed fits a TOML integer (tested)");
        format!(
            "# The scenario this log was simulated from, as resolved (after --seed and --deals).\n\
             # score, tune, flag and calibrate read it when given no --scenario.\n\n{body}"
        )
    }

    /// Re-validates with a different seed.
    pub fn with_seed(&self, seed: u64) -> Scenario {
        let mut spec = self.spec.clone();
        spec.seed = seed;
        validate::validate(spec).expect("changing the seed keeps a scenario valid")
    }

    /// Rescales every segment's inflow so that about `deals` deals arrive over the window.
    pub fn with_target_deals(&self, deals: u64, origin: &str) -> Result<Scenario, InputError> {
        if deals == 0 {
            return Err(InputError::new(origin, "must be at least 1, got 0"));
        }
        if deals > MAX_DEALS {
            return Err(InputError::new(
                origin,
                format!(
                    "must be at most {MAX_DEALS} (deals are indexed with 32 bits), got {deals}"
                ),
            ));
        }
        // Positive: a valid scenario creates deals.
        let expected = crate::sim::expected_deals(self);
        let factor = deals as f64 / expected;
        let mut spec = self.spec.clone();
        for s in &mut spec.segments {
            s.inflow.per_month *= factor;
        }
        validate::validate(spec).map_err(|(f, m)| InputError::new(origin, m).at_field(f))
    }
}

/// The scenario to read the log whose events file is `events` against: the file `chosen` on
/// the command line, else the file [`BESIDE_LOG`] next to the events file (the scenario the log
/// was simulated from), else the embedded default. The second value names the file beside the
/// log when that one was read, so the caller can say where the scenario came from.
pub fn for_log(
    chosen: Option<&Path>,
    events: &Path,
) -> Result<(Scenario, Option<PathBuf>), InputError> {
    let beside = events.with_file_name(BESIDE_LOG);
    match chosen {
        Some(p) => Ok((Scenario::load(p)?, None)),
        None if beside.is_file() => Ok((Scenario::load(&beside)?, Some(beside))),
        None => Ok((Scenario::embedded_default(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_beside_a_log_parses_back_into_the_scenario_it_records() {
        let resolved = Scenario::embedded_default()
            .with_seed(i64::MAX as u64)
            .with_target_deals(777, "--deals")
            .unwrap();
        let text = resolved.to_toml();
        let back = Scenario::parse(&text, "scenario.toml").unwrap();
        assert_eq!(back.to_toml(), text);
        assert_eq!(back.seed, resolved.seed);
        let per_month = |s: &Scenario| s.segments.iter().map(|g| g.per_month).collect::<Vec<_>>();
        assert_eq!(per_month(&back), per_month(&resolved));
    }

    #[test]
    fn for_log_reads_the_scenario_beside_the_events_file_unless_one_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.csv");
        let (s, beside) = for_log(None, &events).unwrap();
        assert_eq!((s.name.as_str(), beside), ("default", None));
        let mine = DEFAULT_TOML.replacen("name = \"default\"", "name = \"mine\"", 1);
        std::fs::write(dir.path().join(BESIDE_LOG), &mine).unwrap();
        let (s, beside) = for_log(None, &events).unwrap();
        assert_eq!(s.name, "mine");
        assert_eq!(beside, Some(dir.path().join(BESIDE_LOG)));
        let chosen = dir.path().join("other.toml");
        std::fs::write(&chosen, DEFAULT_TOML).unwrap();
        let (s, beside) = for_log(Some(&chosen), &events).unwrap();
        assert_eq!((s.name.as_str(), beside), ("default", None));
        // A broken file beside the log is an error naming it, not a silent fallback.
        std::fs::write(dir.path().join(BESIDE_LOG), "name = 3").unwrap();
        let e = for_log(None, &events).unwrap_err().to_string();
        assert!(e.contains("scenario.toml"), "{e}");
    }

    #[test]
    fn embedded_default_is_valid() {
        let s = Scenario::embedded_default();
        assert_eq!(s.segments.len(), 4);
        assert!(s.segments.iter().any(|s| s.review));
    }
}

//! Leading indicators: numbers computed from a deal's history *as of* a deal age.
//!
//! An indicator sees only the events with `time ≤ created + age` plus what was known at
//! creation (segment, rep, source, value) — never later events, never `truth.csv` (except the
//! research-only truth ceiling, which is labelled as such everywhere). Indicators are declared
//! as data ([`spec`]) and compiled against a log's names and the scenario's stage maps
//! ([`stage_map`]). [`evaluate()`] makes one pass over each deal's events for all landmarks.
//! Not for: deciding what predicts what (that is [`crate::scoring`]).

pub mod evaluate;
pub mod history;
pub mod spec;
pub mod stage_map;
pub mod unit;

use std::path::Path;

pub use evaluate::{evaluate, evaluate_with_progress, Panel};
pub use spec::{Direction, IndicatorSpec, Measure, Signal};
pub use unit::Unit;

use crate::error::InputError;
use crate::log::{Log, Sym, Symbols};

/// The default indicator set, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../../scenarios/indicators.toml");

/// Name of the research-only indicator read from `truth.csv` (`--with-truth`).
pub const TRUTH_INDICATOR: &str = "TRUTH_hidden_risk";

/// What reports need to know about an indicator.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorInfo {
    pub name: String,
    pub description: String,
    pub direction: Direction,
    pub signal: Signal,
    /// What the value counts ([`Measure::unit`]), for the texts that show rules on it. Not an
    /// output.
    #[serde(skip)]
    pub unit: Unit,
    /// The value is known when the deal is created and never changes (the deal's value, the
    /// truth ceiling): a deal has the same value at every landmark it is at risk, so the
    /// scoring core can order the deals by it once for all landmarks. Not an output.
    #[serde(skip)]
    pub fixed_at_creation: bool,
}

/// Parses and checks an indicator file; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<IndicatorSpec>, InputError> {
    let file: spec::IndicatorFile = crate::toml_input::parse_toml(text, origin)?;
    if file.indicator.is_empty() {
        return Err(InputError::new(origin, "no [[indicator]] entries").at_field("indicator"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, ind) in file.indicator.iter().enumerate() {
        let ok = !ind.name.is_empty()
            && ind
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok || ind.name == TRUTH_INDICATOR {
            return Err(InputError::new(
                origin,
                format!(
                    "expected a name of letters, digits and '_' (not {TRUTH_INDICATOR}), got {:?}",
                    ind.name
                ),
            )
            .at_field(format!("indicator[{i}].name")));
        }
        if !seen.insert(ind.name.as_str()) {
            return Err(InputError::new(
                origin,
                format!("duplicate indicator name {:?}", ind.name),
            )
            .at_field(format!("indicator[{i}].name")));
        }
        if let Measure::CardCompleteness { out_of: 0 } = ind.measure {
            return Err(InputError::new(origin, "must be at least 1")
                .at_field(format!("indicator[{i}].measure.out_of")));
        }
    }
    Ok(file.indicator)
}

pub fn load(path: &Path) -> Result<Vec<IndicatorSpec>, InputError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(&origin, format!("cannot read the indicator file: {e}")))?;
    parse(&text, &origin)
}

pub fn default_set() -> Vec<IndicatorSpec> {
    parse(DEFAULT_TOML, "<embedded default indicators>")
        .expect("the embedded indicator set is valid (tested)")
}

/// Names an indicator matches events on (activities, steps, resources) that no event of the
/// log carries: worth a warning, since the indicator is then constant (a typo in an activity
/// or step name is the usual cause). A name seen only elsewhere in the log (a `lost_step`, the
/// `step` column, a segment) still never matches, so it is reported too.
pub fn unknown_names(specs: &[IndicatorSpec], log: &Log) -> Vec<String> {
    let mut activities: Vec<bool> = Vec::new();
    let mut resources: Vec<bool> = Vec::new();
    for e in &log.events {
        for (seen, s) in [(&mut activities, e.activity), (&mut resources, e.resource)] {
            let s = s as usize;
            if seen.len() <= s {
                seen.resize(s + 1, false);
            }
            seen[s] = true;
        }
    }
    let occurs = |seen: &[bool], name: &str| {
        log.symbols
            .get(name)
            .is_some_and(|s| seen.get(s as usize).copied().unwrap_or(false))
    };
    let mut out = Vec::new();
    for s in specs {
        let (names, resource): (Vec<&str>, Option<&str>) = match &s.measure {
            Measure::Count {
                activities,
                resource,
            }
            | Measure::DaysSinceLast {
                activities,
                resource,
                ..
            } => (
                activities.iter().map(String::as_str).collect(),
                resource.as_deref(),
            ),
            Measure::StepDone { step }
            | Measure::StepDuration { step }
            | Measure::StepWait { step } => (vec![step.as_str()], None),
            Measure::DaysBetween { from, to, .. } => (
                [from.as_str(), to.as_str()]
                    .into_iter()
                    .filter(|n| *n != "created")
                    .collect(),
                None,
            ),
            Measure::ReplyLatency { touches, reply, .. } => (
                touches
                    .iter()
                    .map(String::as_str)
                    .chain([reply.as_str()])
                    .collect(),
                None,
            ),
            _ => (vec![], None),
        };
        for n in names {
            if !occurs(&activities, n) {
                out.push(format!(
                    "indicator {}: {n:?} never occurs in the log",
                    s.name
                ));
            }
        }
        if let Some(r) = resource {
            if !occurs(&resources, r) {
                out.push(format!(
                    "indicator {}: resource {r:?} never occurs in the log",
                    s.name
                ));
            }
        }
    }
    out
}

/// A symbol that matches nothing (for names absent from the log).
pub(crate) const NO_SYM: Sym = Sym::MAX;

pub(crate) fn sym(symbols: &Symbols, name: &str) -> Sym {
    symbols.get(name).unwrap_or(NO_SYM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_set_parses_and_has_the_required_indicators() {
        let set = default_set();
        for name in [
            "proposal_delay_days",
            "card_completeness",
            "sla_breaches",
            "steps_on_time_ratio",
            "days_since_last_touch",
            "client_response_latency",
            "stage_age_vs_norm",
            "objection_followup_done",
            "materials_feedback_received",
            "stakeholders_engaged",
            "close_date_pushes",
            "rep_forecast_probability",
            "legal_wait_days",
            "deal_value",
        ] {
            assert!(set.iter().any(|i| i.name == name), "{name}");
        }
    }

    #[test]
    fn unknown_primitive_is_named_with_a_hint() {
        let text = "[[indicator]]\nname = \"x\"\ndescription = \"d\"\ndirection = \"higher_is_riskier\"\nsignal = \"rep\"\nmeasure = { kind = \"step_don\", step = \"a\" }\n";
        let e = parse(text, "f.toml").unwrap_err().to_string();
        assert!(
            e.contains("f.toml") && e.contains("line 6") && e.contains("did you mean `step_done`"),
            "{e}"
        );
    }
}

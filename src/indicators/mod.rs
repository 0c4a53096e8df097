//! Leading indicators: numbers computed from a deal's history *as of* a deal age.
//!
//! An indicator sees only the events with `time < created + age` plus what was known at
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

use std::path::{Path, PathBuf};

pub use evaluate::{evaluate, evaluate_at, evaluate_with_progress, steps_due_at, Panel};
pub use spec::{Direction, IndicatorSpec, Measure, Signal};
pub use unit::Unit;

use crate::error::InputError;
use crate::log::{Log, Sym, Symbols};
use crate::scenario::Scenario;

/// The default indicator set, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../../scenarios/indicators.toml");

/// The indicator set for a CRM deal export (`import crm`), embedded so that an installed
/// binary has it too: a deal table without step or touch events can express only what is
/// known at creation and the history of closed deals, which most default indicators do not
/// read.
pub const CRM_TOML: &str = include_str!("../../scenarios/crm_indicators.toml");

/// An indicator file beside a log's events file. `import` writes the set that suits its
/// source there and `cut` carries it along, so that `score`, `tune` and `flag` on an imported
/// log use that set without an `--indicators` flag, as they read `truth.csv` beside a
/// simulated log.
pub const BESIDE_LOG: &str = "indicators.toml";

/// The default set's name for the rep's stated win probability.
pub const BASELINE_INDICATOR: &str = "rep_forecast_probability";

/// The rep's own forecast among the names of the `forecast`-signal indicators, the baseline
/// every indicator is compared with: [`BASELINE_INDICATOR`] when there, else the first (a
/// custom indicator file may name it differently; the default set's `close_date_pushes` is a
/// forecast signal too, but not the forecast).
pub fn baseline<'a>(forecast: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    forecast
        .clone()
        .find(|&n| n == BASELINE_INDICATOR)
        .or_else(|| forecast.clone().next())
}

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

/// Parses and checks an indicator file; `origin` names it in errors, with the line and
/// column of the offending value, as for the errors serde finds.
pub fn parse(text: &str, origin: &str) -> Result<Vec<IndicatorSpec>, InputError> {
    let file: spec::IndicatorFile = crate::toml_input::parse_toml(text, origin)?;
    check(&file).map_err(|(field, message)| {
        crate::toml_input::locate::error_at(text, origin, field, message)
    })?;
    Ok(file.indicator)
}

/// What serde cannot check: at least one indicator, names fit for CSV cells and unique, a
/// card completeness out of at least 1 field. The first problem as `(field path, message)`.
fn check(file: &spec::IndicatorFile) -> Result<(), (String, String)> {
    if file.indicator.is_empty() {
        return Err(("indicator".into(), "no [[indicator]] entries".into()));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, ind) in file.indicator.iter().enumerate() {
        let name = || format!("indicator[{i}].name");
        let ok = !ind.name.is_empty()
            && ind
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok || ind.name == TRUTH_INDICATOR {
            return Err((
                name(),
                format!(
                    "expected a name of letters, digits and '_' (not {TRUTH_INDICATOR}), got {:?}",
                    ind.name
                ),
            ));
        }
        if !seen.insert(ind.name.as_str()) {
            return Err((name(), format!("duplicate indicator name {:?}", ind.name)));
        }
        if let Measure::CardCompleteness { out_of: Some(0) } = ind.measure {
            return Err((
                format!("indicator[{i}].measure.out_of"),
                "must be at least 1, got 0".into(),
            ));
        }
    }
    Ok(())
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

/// The indicator file `chosen` on the command line, or the embedded default set.
pub fn chosen_or_default(chosen: Option<&Path>) -> Result<Vec<IndicatorSpec>, InputError> {
    chosen.map_or_else(|| Ok(default_set()), load)
}

/// The indicators to read the log whose events file is `events` with: the file `chosen` on
/// the command line, else the file [`BESIDE_LOG`] next to the events file, else the embedded
/// default set. The second value names the file beside the log when that one was read, so the
/// caller can say where the indicators came from.
pub fn for_log(
    chosen: Option<&Path>,
    events: &Path,
) -> Result<(Vec<IndicatorSpec>, Option<PathBuf>), InputError> {
    let beside = events.with_file_name(BESIDE_LOG);
    if chosen.is_none() && beside.is_file() {
        return Ok((load(&beside)?, Some(beside)));
    }
    Ok((chosen_or_default(chosen)?, None))
}

/// Names an indicator matches events on (activities, steps, resources) that no event of the
/// log carries: worth a warning, since the indicator is then constant (a typo in an activity
/// or step name is the usual cause). A name seen only elsewhere in the log (a `lost_step`, the
/// `step` column, a segment) still never matches, so it is reported too.
pub fn unknown_names(specs: &[IndicatorSpec], log: &Log) -> Vec<String> {
    // (indicator, name, whether it names a resource) for each name an indicator matches on,
    // in the order of the warnings.
    let mut names: Vec<(&str, &str, bool)> = Vec::new();
    for s in specs {
        let (activities, resource): (Vec<&str>, Option<&str>) = match &s.measure {
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
        names.extend(activities.into_iter().map(|n| (s.name.as_str(), n, false)));
        names.extend(resource.map(|r| (s.name.as_str(), r, true)));
    }
    // Per symbol, whether it is looked for as an activity ([0]) or a resource ([1]) and not
    // seen yet. The events are read until every name looked for has been seen: with names
    // that all occur that is within the first deals, not after the tens of millions of events
    // of a large log (a full pass took 0.2 s at a million deals, and scoring and tuning both
    // ask).
    let n = log.symbols.len();
    let mut unseen = [vec![false; n], vec![false; n]];
    let mut left = 0;
    for &(_, name, resource) in &names {
        if let Some(s) = log.symbols.get(name) {
            left += usize::from(!std::mem::replace(
                &mut unseen[usize::from(resource)][s as usize],
                true,
            ));
        }
    }
    for e in &log.events {
        if left == 0 {
            break;
        }
        for (kind, s) in [(0, e.activity), (1, e.resource)] {
            if let Some(u) = unseen[kind].get_mut(s as usize) {
                left -= usize::from(std::mem::take(u));
            }
        }
    }
    let occurs = |name: &str, resource: bool| {
        log.symbols
            .get(name)
            .is_some_and(|s| !unseen[usize::from(resource)][s as usize])
    };
    let missing: Vec<(&str, &str, bool)> = names
        .into_iter()
        .filter(|&(_, name, resource)| !occurs(name, resource))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    // A typo is the usual cause: the names that do occur (every event has been read above to
    // look for the missing one) are the ones to suggest.
    let present = names_in_events(log);
    missing
        .into_iter()
        .map(|(indicator, name, resource)| {
            let what = if resource { "resource " } else { "" };
            let hint =
                crate::error::did_you_mean(name, present[usize::from(resource)].iter().copied())
                    .map_or(String::new(), |m| format!(" (did you mean {m:?}?)"));
            format!("indicator {indicator}: {what}{name:?} never occurs in the log{hint}")
        })
        .collect()
}

/// The activity ([0]) and resource ([1]) names the log's events carry, in name order.
fn names_in_events(log: &Log) -> [Vec<&str>; 2] {
    let mut seen = [
        vec![false; log.symbols.len()],
        vec![false; log.symbols.len()],
    ];
    for e in &log.events {
        seen[0][e.activity as usize] = true;
        seen[1][e.resource as usize] = true;
    }
    seen.map(|kind| {
        let mut names: Vec<&str> = (kind.iter().enumerate())
            .filter(|&(_, &s)| s)
            .map(|(i, _)| log.symbols.name(i as u32))
            .collect();
        names.sort_unstable();
        names
    })
}

/// What is worth a warning before indicators are evaluated on `log`: names no event carries
/// ([`unknown_names`]), a card size the scenario contradicts ([`card_mismatches`]) and deals
/// without any event ([`eventless_deals`]).
pub fn log_warnings(specs: &[IndicatorSpec], log: &Log, scenario: &Scenario) -> Vec<String> {
    let mut warnings = unknown_names(specs, log);
    warnings.extend(card_mismatches(specs, scenario));
    warnings.extend(eventless_deals(log));
    warnings.extend(events_after_close(log));
    warnings
}

/// Events dated after their deal's close: no indicator reads them (a landmark after the close
/// finds the deal closed), but neither the simulator nor an importer writes one, so they point
/// at a close typed too early or events of another deal, which the scores would not show. (The
/// latest event still marks where the data ends, when no window end is given.)
pub fn events_after_close(log: &Log) -> Option<String> {
    let mut late = (0..log.deals.len()).flat_map(|d| {
        let closed = log.deals[d].closed;
        log.events_of(d)
            .iter()
            .filter(move |e| closed.is_some_and(|c| e.time > c))
            .map(move |e| (d, e))
    });
    let (deal, first) = late.next()?;
    let count = 1 + late.count();
    Some(format!(
        "{count} events are dated after their deal's close (the first: case {:?}, {:?} at {}, \
         closed {}): no indicator reads them, but a close typed too early or events of another \
         deal would not show in the scores, and the latest still marks where the data ends \
         unless --window-end says",
        log.case_ids[deal],
        log.symbols.name(first.activity),
        first.time.iso(),
        log.deals[deal].closed.map_or_else(String::new, |c| c.iso())
    ))
}

/// Deals without a single event, not even their creation: every importer and the simulator
/// write one, so such deals point at an events file cut short (a download or a query that
/// stopped half-way) or taken from another export, and each would read as a deal where
/// nothing happened ("no proposal yet"), ranking the indicators on nonsense. Only a log with
/// no events at all is refused (see `read_log_with_events`).
pub fn eventless_deals(log: &Log) -> Option<String> {
    let mut without = (0..log.deals.len()).filter(|&d| log.events_of(d).is_empty());
    let first = without.next()?;
    let count = 1 + without.count();
    Some(format!(
        "{count} of {} deals have no event at all, not even their creation (the first: case \
         {:?}): an events file cut short or from another export? Their indicators read as if \
         nothing had happened",
        log.deals.len(),
        log.case_ids[first]
    ))
}

/// Card-completeness indicators whose explicit `out_of` differs from the number of fields of
/// the scenario's client card: worth a warning, since a full card then reads below or above
/// 100% (the usual cause: the scenario's card was edited, the indicator file was not).
pub fn card_mismatches(specs: &[IndicatorSpec], scenario: &Scenario) -> Vec<String> {
    let fields = scenario.card.fields.len();
    specs
        .iter()
        .filter_map(|s| match s.measure {
            Measure::CardCompleteness { out_of: Some(n) } if n as usize != fields => Some(format!(
                "indicator {}: out_of = {n}, but the scenario's client card has {fields} fields \
                 (card.fields), so a full card reads {:.0}%; leave out out_of to count the \
                 scenario's fields",
                s.name,
                (100.0 * fields as f64 / n as f64).min(100.0)
            )),
            _ => None,
        })
        .collect()
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

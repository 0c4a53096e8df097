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
    /// Why the indicator is set aside in this log, when it is: the events it reads never occur
    /// ([`set_aside_inert`]). Its scores then say so instead of ranking a value that is the
    /// same function of age for every deal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_scored: Option<String>,
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
    let names: Vec<(&str, &str, bool)> = specs
        .iter()
        .flat_map(|s| {
            needed_names(&s.measure)
                .into_iter()
                .flatten()
                .map(|(name, resource)| (s.name.as_str(), name, resource))
        })
        .collect();
    let occurs = occurrence(
        names.iter().map(|&(_, name, resource)| (name, resource)),
        log,
    );
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

/// The names an indicator's `measure` matches events on, in groups of (name, whether it is a
/// resource): the indicator reads something only if some name of every group occurs. A count
/// of any of several activities needs one of them; a span needs its end and, unless it starts
/// at creation, its start.
fn needed_names(measure: &Measure) -> Vec<Vec<(&str, bool)>> {
    fn activities(v: &[String]) -> Vec<(&str, bool)> {
        v.iter().map(|n| (n.as_str(), false)).collect()
    }
    fn resource(r: &Option<String>) -> Option<Vec<(&str, bool)>> {
        r.as_deref().map(|r| vec![(r, true)])
    }
    match measure {
        Measure::Count {
            activities: a,
            resource: r,
        }
        | Measure::DaysSinceLast {
            activities: a,
            resource: r,
            ..
        } => {
            // No activity listed counts every event: only the resource can be missing.
            let any = (!a.is_empty()).then(|| activities(a));
            any.into_iter().chain(resource(r)).collect()
        }
        Measure::StepDone { step }
        | Measure::StepDuration { step }
        | Measure::StepWait { step } => vec![vec![(step.as_str(), false)]],
        Measure::DaysBetween { from, to, .. } => [from.as_str(), to.as_str()]
            .into_iter()
            .filter(|n| *n != "created")
            .map(|n| vec![(n, false)])
            .collect(),
        Measure::ReplyLatency { touches, reply, .. } => {
            vec![activities(touches), vec![(reply.as_str(), false)]]
        }
        _ => Vec::new(),
    }
}

/// Whether each of `names` (name, whether it is a resource) occurs in an event of `log`.
/// The events are read until every name looked for has been seen: with names that all occur
/// that is within the first deals, not after the tens of millions of events of a large log (a
/// full pass took 0.2 s at a million deals, and scoring and tuning both ask).
fn occurrence<'n>(
    names: impl IntoIterator<Item = (&'n str, bool)>,
    log: &Log,
) -> impl Fn(&str, bool) -> bool + '_ {
    // Per symbol, whether it is looked for as an activity ([0]) or a resource ([1]) and not
    // seen yet.
    let n = log.symbols.len();
    let mut unseen = [vec![false; n], vec![false; n]];
    let mut left = 0;
    for (name, resource) in names {
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
    move |name: &str, resource: bool| {
        log.symbols
            .get(name)
            .is_some_and(|s| !unseen[usize::from(resource)][s as usize])
    }
}

/// Per indicator of `specs`, why it cannot tell deals apart in `log`, if it cannot: every
/// name of a group it needs (a span's end, one of several counted activities) is missing from
/// the events, so it reads the same for every deal of an age (`proposal_delay_days` without a
/// `proposal_sent` is the deal's age in working days, whose AUC is the calendar's, 0.54 on a
/// CRM log whose default indicators lost their indicators.toml in an XES round trip, and
/// ranked second).
pub fn inert(specs: &[IndicatorSpec], log: &Log) -> Vec<Option<String>> {
    let groups: Vec<Vec<Vec<(&str, bool)>>> =
        specs.iter().map(|s| needed_names(&s.measure)).collect();
    let occurs = occurrence(groups.iter().flatten().flatten().copied(), log);
    groups
        .iter()
        .map(|groups| {
            let missing = groups
                .iter()
                .find(|g| !g.iter().any(|&(name, resource)| occurs(name, resource)))?;
            let names: Vec<String> = missing
                .iter()
                .map(|&(name, resource)| {
                    let what = if resource { "resource " } else { "" };
                    format!("{what}{name:?}")
                })
                .collect();
            Some(format!(
                "{} never occurs in the log, so the indicator reads the same for \
                 every deal of an age",
                names.join(" or ")
            ))
        })
        .collect()
}

/// Sets aside the indicators of `panel` (evaluated on `log` with `specs`) that are [`inert`]
/// there: their values become missing and [`IndicatorInfo::not_scored`] says why, so that
/// scoring, tuning and flagging pass them by. A decision on the log as a source (it does not
/// record such events), taken on the whole log before any of them: [`evaluate()`] itself reads
/// each deal's history up to the landmark and nothing else.
pub fn set_aside_inert(panel: &mut Panel, specs: &[IndicatorSpec], log: &Log) {
    for (j, why) in inert(specs, log).into_iter().enumerate() {
        let Some(why) = why else { continue };
        for at in &mut panel.at {
            at.values[j].fill(f32::NAN);
        }
        panel.indicators[j].not_scored = Some(why);
    }
}

/// What is worth a warning before indicators are evaluated on `log`: names no event carries
/// ([`unknown_names`]), a card size the scenario contradicts ([`card_mismatches`]), deals
/// without any event ([`eventless_deals`]), events after their deal's close
/// ([`events_after_close`]) and deals not lost that say where they were lost
/// ([`lost_where_not_lost`]).
pub fn log_warnings(specs: &[IndicatorSpec], log: &Log, scenario: &Scenario) -> Vec<String> {
    let mut warnings = unknown_names(specs, log);
    warnings.extend(card_mismatches(specs, scenario));
    warnings.extend(eventless_deals(log));
    warnings.extend(events_after_close(log));
    warnings.extend(lost_where_not_lost(log));
    warnings
}

/// Deals won or open that name the stage or step they were lost at: the deal table
/// contradicts itself (an outcome typed wrong, or columns of another export), and the scores
/// count each deal as its outcome says, which a reader of the table would not guess.
pub fn lost_where_not_lost(log: &Log) -> Option<String> {
    let mut contradicting = (0..log.deals.len()).filter(|&d| {
        let deal = &log.deals[d];
        deal.outcome != crate::log::Outcome::Lost
            && (deal.lost_stage.is_some() || deal.lost_step.is_some())
    });
    let first = contradicting.next()?;
    let count = 1 + contradicting.count();
    Some(format!(
        "{count} deals not lost name a lost_stage or lost_step (the first: case {:?}, {}): an \
         outcome typed wrong? They are scored as their outcome says",
        log.case_ids[first],
        log.deals[first].outcome.as_str()
    ))
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

    /// An indicator is inert only when a whole group of the names it needs is missing: one of
    /// several counted activities is enough, a missing span end or reply is not.
    #[test]
    fn an_indicator_is_inert_when_every_name_of_a_needed_group_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("deals.csv"),
            "case_id,segment,created,outcome,closed\na,smb,2025-01-01T08:00:00,open,\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("events.csv"),
            "case_id,activity,timestamp,resource\na,call,2025-01-02T08:00:00,rep-1\n",
        )
        .unwrap();
        let log = crate::log::read::read_log(
            &dir.path().join("events.csv"),
            &dir.path().join("deals.csv"),
        )
        .unwrap();
        let measures = [
            r#"{ kind = "count", activities = ["email", "call"] }"#,
            r#"{ kind = "count", activities = ["email", "meeting"] }"#,
            r#"{ kind = "count", resource = "rep-1" }"#,
            r#"{ kind = "days_since_last", resource = "client" }"#,
            r#"{ kind = "days_between", from = "created", to = "proposal_sent" }"#,
            r#"{ kind = "reply_latency", touches = ["call"], reply = "client_reply" }"#,
            r#"{ kind = "card_completeness" }"#,
        ];
        let text: String = measures
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!(
                    "[[indicator]]\nname = \"i{i}\"\ndescription = \"d\"\n\
                     direction = \"higher_is_riskier\"\nsignal = \"rep\"\nmeasure = {m}\n"
                )
            })
            .collect();
        let specs = parse(&text, "test.toml").unwrap();
        let missing: Vec<Option<String>> = inert(&specs, &log)
            .into_iter()
            .map(|why| {
                let why = why?;
                Some(why.split(" never occurs").next().unwrap().to_string())
            })
            .collect();
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            missing,
            [
                None,
                some(r#""email" or "meeting""#),
                None,
                some(r#"resource "client""#),
                some(r#""proposal_sent""#),
                some(r#""client_reply""#),
                None,
            ]
        );
    }

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

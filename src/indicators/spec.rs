//! Indicators declared as data: the TOML shape of `scenarios/indicators.toml`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFile {
    pub indicator: Vec<IndicatorSpec>,
}

/// Whether a higher value means the deal is more or less likely to be lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsRiskier,
    HigherIsSafer,
}

impl Direction {
    /// The name files and help give it: `higher_is_riskier` or `higher_is_safer`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::HigherIsRiskier => "higher_is_riskier",
            Direction::HigherIsSafer => "higher_is_safer",
        }
    }

    /// How a rule on such an indicator compares its value with the threshold, as text: a
    /// deal is flagged at `value ≥ τ` (`higher_is_riskier`) or `value ≤ τ`. `ascii` for the
    /// terminal and CSV, else the mathematical sign (Markdown, HTML).
    pub fn crossing(self, ascii: bool) -> &'static str {
        match (self, ascii) {
            (Direction::HigherIsRiskier, true) => ">=",
            (Direction::HigherIsSafer, true) => "<=",
            (Direction::HigherIsRiskier, false) => "≥",
            (Direction::HigherIsSafer, false) => "≤",
        }
    }
}

/// Who controls the signal; reports group by it and the tuner prefers controllable ones
/// (`tune --signals` takes these names, except `truth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Under the rep's control (proposal turnaround, follow-ups, card hygiene).
    Rep,
    /// Step deadlines of the whole map (rep, client and external steps together).
    Process,
    /// The client's behaviour (replies, feedback, stakeholders).
    Client,
    /// Outside anyone's control (legal backlog, holidays).
    External,
    /// The rep's own forecast: the baseline every indicator is compared with.
    Forecast,
    /// Known at creation.
    Static,
    /// Hidden ground truth (research only, `--with-truth`).
    #[value(skip)]
    Truth,
}

impl Signal {
    /// The name files and tables use (as in indicator files).
    pub fn name(self) -> &'static str {
        match self {
            Signal::Rep => "rep",
            Signal::Process => "process",
            Signal::Client => "client",
            Signal::External => "external",
            Signal::Forecast => "forecast",
            Signal::Static => "static",
            Signal::Truth => "truth",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    pub name: String,
    pub description: String,
    pub direction: Direction,
    pub signal: Signal,
    pub measure: Measure,
}

/// The primitives an indicator is built from. Times are in calendar days, except with
/// `working_days = true` (`days_between`, `days_since_last`, `reply_latency`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    /// Number of events so far whose activity is listed (any, if empty) and, if given,
    /// whose resource is `resource`.
    Count {
        #[serde(default)]
        activities: Vec<String>,
        #[serde(default)]
        resource: Option<String>,
    },
    /// 1 once the step has completed, else 0.
    StepDone { step: String },
    /// Days since the last matching event (since creation if none yet).
    DaysSinceLast {
        #[serde(default)]
        activities: Vec<String>,
        #[serde(default)]
        resource: Option<String>,
        /// Count working days, as [`Measure::DaysBetween`] can: the client's silence over the
        /// new-year holidays is the holidays', not the client's.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        working_days: bool,
    },
    /// Days from `from` ("created" or a step's completion) to `to`'s completion; while `to` is
    /// pending, the days elapsed so far. Missing while `from` has not happened.
    DaysBetween {
        from: String,
        to: String,
        /// Count working days on the scenario's calendar (the one deadlines use: weekends and
        /// holidays do not count, a working day is 09:00–18:00) instead of calendar days.
        /// A KPI such as "proposal within N days" is a working-day KPI: in calendar days the
        /// same turnaround reads longer for deals that happen to span the new-year holidays,
        /// so a threshold tuned on one season misfires on another. Off by default, so
        /// existing indicator files keep their meaning.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        working_days: bool,
    },
    /// Days a step has been running (completion − start, or elapsed while running); missing
    /// before the step starts, so deals are compared only with others that reached it.
    StepDuration { step: String },
    /// Days a step has been running while it runs; missing before it starts and after it
    /// completes, so only deals waiting on that step right now are compared.
    StepWait { step: String },
    /// Steps whose deadline (segment SLA, working days) has passed without completion on time.
    OverdueSteps {},
    /// Share of the steps due so far that were completed by their deadline (1 if none due).
    OnTimeRatio {},
    /// Days in the current stage divided by the segment's nominal stage length (calendar days
    /// over the nominal working days × 7/5, at least 1).
    StageAgeVsNorm {
        /// Working days in the stage over its nominal working days (at least 1): the norm is a
        /// sum of step durations in working days, so the age is counted in the same unit, and
        /// a stage that spans the new-year or May holidays is not late for it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        working_days: bool,
    },
    /// Mean days from the rep's first unanswered touch to the client's reply, counting the
    /// current wait if the last touch is unanswered (0 before any touch).
    ReplyLatency {
        touches: Vec<String>,
        reply: String,
        /// Count working days, as [`Measure::DaysBetween`] can: a reply that waits out the
        /// holidays is not a slow client.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        working_days: bool,
    },
    /// How often the rep pushed the expected close date later.
    CloseDatePushes {},
    /// The latest value of an event attribute (missing before the first).
    LastValue { attribute: Attribute },
    /// Distinct client-card fields filled so far, divided by `out_of`: by default the number of
    /// fields the scenario's client card has (`card.fields`), so that a user who edits only the
    /// scenario's card still reads a full card as 100%; an explicit count for a log whose card
    /// the scenario does not describe (a warning says when the two differ).
    CardCompleteness {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_of: Option<u32>,
    },
    /// The deal's value (known at creation).
    DealValue {},
    /// Share won among the deals of the same group (`by`: rep, segment or source) that closed
    /// on a date strictly before the landmark's date; missing while fewer than `min_closed`
    /// (default 10) have. Works without step events (deal-level CRM exports).
    PriorWinRate {
        by: GroupBy,
        #[serde(default = "default_min_closed")]
        min_closed: u32,
    },
}

impl Measure {
    /// Whether the measure reads the segment's stage map (step deadlines, stage norms), so
    /// that a segment without one leaves it missing.
    pub fn needs_stage_map(&self) -> bool {
        matches!(
            self,
            Measure::OverdueSteps {} | Measure::OnTimeRatio {} | Measure::StageAgeVsNorm { .. }
        )
    }
}

fn default_min_closed() -> u32 {
    10
}

/// Which deals share a history for [`Measure::PriorWinRate`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The deal's owner.
    Rep,
    Segment,
    /// The lead source.
    Source,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    ForecastProbability,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names_are_the_ones_indicator_files_use() {
        use Signal::*;
        for s in [Rep, Process, Client, External, Forecast, Static, Truth] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }
}

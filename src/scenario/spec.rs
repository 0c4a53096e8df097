//! The scenario file as written by a user: plain serde structs mirroring the TOML.
//!
//! Nothing here is checked beyond what serde checks (types, unknown and missing fields);
//! `super::validate` turns a [`ScenarioSpec`] into a [`super::Scenario`] the engine can trust.
//! The spec is also what `manifest.json` records as "the scenario as resolved".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole scenario file. See `scenarios/default.toml` for every field with a comment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub name: String,
    pub seed: u64,
    pub window: WindowSpec,
    pub calendar: CalendarSpec,
    pub model: ModelSpec,
    pub contacts: ContactSpec,
    pub card: CardSpec,
    pub forecast: ForecastSpec,
    pub stage_maps: Vec<StageMapSpec>,
    pub segments: Vec<SegmentSpec>,
}

/// Dates are ISO `YYYY-MM-DD` strings; parsed in validation so errors can name the field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    pub first_created: String,
    pub last_created: String,
    pub end: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    pub working_days: Vec<String>,
    #[serde(default)]
    pub holidays: Vec<PeriodSpec>,
    #[serde(default)]
    pub slowdowns: Vec<SlowdownSpec>,
}

/// A period that recurs every year, given as `MM-DD` bounds (inclusive; may wrap the new year).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodSpec {
    pub name: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowdownSpec {
    pub name: String,
    pub from: String,
    pub to: String,
    /// Multiplies client and external step durations and reply latencies starting in the period.
    pub factor: f64,
}

/// The hidden causal model: how health and discipline drive what is observed and the outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    pub health_weight: f64,
    pub client_speed: f64,
    pub client_skip: f64,
    pub rep_lateness: f64,
    pub rep_skip: f64,
    pub stakeholders_mean: f64,
    /// The stage whose steps clients bring stakeholders into; files without it mean `sale`
    /// (and are written without it then, as they were).
    #[serde(default = "sale_stage", skip_serializing_if = "is_sale_stage")]
    pub stakeholder_stage: String,
    pub silence_before_loss: DistSpec,
}

fn sale_stage() -> String {
    "sale".to_string()
}

fn is_sale_stage(stage: &str) -> bool {
    stage == "sale"
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactSpec {
    pub interval: DistSpec,
    pub channels: BTreeMap<String, f64>,
    pub reply_probability: f64,
    pub reply_health: f64,
    pub reply_latency: DistSpec,
    #[serde(default)]
    pub latency_health: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSpec {
    pub fields: Vec<String>,
    pub fill_within: f64,
    #[serde(default)]
    pub empty_penalty: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastSpec {
    pub stage_probability: BTreeMap<String, f64>,
    pub push_days: u32,
    pub reacts_before_loss: DistSpec,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageMapSpec {
    pub name: String,
    pub stages: Vec<StageSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSpec {
    pub name: String,
    pub steps: Vec<StepSpec>,
}

/// Who controls a step: the rep, the client, or neither (legal backlog, procurement, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    Rep,
    Client,
    External,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Rep => "rep",
            Owner::Client => "client",
            Owner::External => "external",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub name: String,
    pub owner: Owner,
    pub duration: DistSpec,
    pub deadline_days: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_from: Option<String>,
    #[serde(default)]
    pub skip_probability: f64,
    pub loss_probability: f64,
    #[serde(default)]
    pub late_penalty: f64,
    #[serde(default)]
    pub exogenous_loss: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    pub name: String,
    #[serde(default)]
    pub review: bool,
    pub stage_map: String,
    #[serde(default = "one")]
    pub pace: f64,
    #[serde(default)]
    pub loss_shift: f64,
    pub inflow: InflowSpec,
    pub sources: Vec<SourceSpec>,
    pub value: DistSpec,
    pub reps: RepSpec,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InflowSpec {
    pub per_month: f64,
    #[serde(default)]
    pub trend_per_year: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub name: String,
    pub share: f64,
    #[serde(default)]
    pub health: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepSpec {
    pub count: u32,
    pub discipline: DistSpec,
    pub optimism: DistSpec,
}

/// A distribution named as in `rand_distr`, with that crate's parameter names.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum DistSpec {
    Lognormal { mu: f64, sigma: f64 },
    Gamma { shape: f64, scale: f64 },
    Normal { mean: f64, std_dev: f64 },
    Uniform { low: f64, high: f64 },
    Exponential { mean: f64 },
    Triangular { min: f64, max: f64, mode: f64 },
    Beta { alpha: f64, beta: f64 },
    Constant { value: f64 },
}

//! `manifest.json`: what produced a run directory, so a result can be traced and repeated.

use serde::Serialize;

use crate::scenario::ScenarioSpec;
use crate::summary::SegmentSummary;

#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    /// The command line, quoted for a POSIX shell ([`crate::shell::command_line`]) so that
    /// it runs again when pasted.
    pub command: &'a str,
    pub seed: u64,
    pub deals: u64,
    pub events: u64,
    /// The files of the directory, this one included, sorted.
    pub files: &'a [&'a str],
    pub segments: &'a [SegmentSummary],
    /// Wall-clock seconds per phase. The only field that differs between identical runs.
    pub timings: Timings,
    /// The scenario as resolved (after `--seed`/`--deals` overrides).
    pub scenario: &'a ScenarioSpec,
}

#[derive(Debug, Serialize)]
pub struct Timings {
    pub simulate_seconds: f64,
    pub deals_per_second: f64,
    pub events_per_second: f64,
}

impl Manifest<'_> {
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        v.push(b'\n');
        v
    }
}

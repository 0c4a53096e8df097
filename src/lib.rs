//! dealsim: simulate B2B deal histories and measure which leading indicators warn of a lost
//! deal earliest.
//!
//! Data flows one way, one module per step:
//! [`scenario`] (a validated funnel description) → [`sim`] (the Monte Carlo engine) →
//! [`log`] (the event log every history takes, simulated or imported) → indicators →
//! scoring → reports. [`export`] writes logs and results; [`output`] makes run directories
//! appear atomically; [`calendar`] and [`time`] handle working days and dates.

pub mod calendar;
pub mod calibrate;
pub mod columns;
pub mod error;
pub mod export;
pub mod flag;
pub mod import;
pub mod indicators;
pub mod line_endings;
pub mod log;
pub mod output;
pub mod policy;
pub mod progress;
pub mod report;
pub mod scenario;
pub mod score;
pub mod scoring;
pub mod shell;
pub mod sim;
pub mod simulate;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod time;
pub mod toml_input;
pub mod tuning;

//! Event-log CSV with PM4Py's column conventions, one row per event.
//!
//! `case:concept:name`, `concept:name`, `time:timestamp`, `org:resource`,
//! `lifecycle:transition` (what `pm4py.format_dataframe` expects), then the deal table's
//! columns as case attributes (`case:segment`, `case:rep`, ..., PM4Py's prefix for trace
//! attributes; extra columns such as an imported CRM's `case:sector` after the standard ones,
//! in the table's order) and dealsim's own event columns. `dealsim import csv` recognises all of these
//! names, so an export imports back into the same log. Rows are in case order, events in time
//! order within a case; values are quoted only when they need it.

use super::event_log::LogExporter;
use crate::log::extras::DealExtras;
use crate::log::Log;

/// Writes a log as a PM4Py-style CSV.
pub struct Pm4pyCsvExporter;

/// The leading columns: PM4Py's core ones, then the standard case attributes. The deal
/// table's extra columns follow as `case:<name>`, then [`EVENT_COLUMNS`].
pub const CASE_COLUMNS: [&str; 14] = [
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "org:resource",
    "lifecycle:transition",
    "case:segment",
    "case:rep",
    "case:source",
    "case:value",
    "case:created",
    "case:closed",
    "case:outcome",
    "case:lost_stage",
    "case:lost_step",
];

/// dealsim's own event columns, last.
pub const EVENT_COLUMNS: [&str; 5] = [
    "stage",
    "step",
    "card_field",
    "forecast_probability",
    "expected_close",
];

impl LogExporter for Pm4pyCsvExporter {
    fn serialize(&self, log: &Log, extras: &DealExtras, out: &mut Vec<u8>) {
        let sy = &log.symbols;
        let mut w = csv::WriterBuilder::new().from_writer(out);
        let name = |s: Option<u32>| s.map_or("", |s| sy.name(s));
        let extra_columns: Vec<String> =
            extras.names().iter().map(|n| format!("case:{n}")).collect();
        w.write_record(
            CASE_COLUMNS
                .iter()
                .copied()
                .chain(extra_columns.iter().map(String::as_str))
                .chain(EVENT_COLUMNS),
        )
        .expect("writing to memory");
        for (i, d) in log.deals.iter().enumerate() {
            let value = if d.value.is_finite() {
                format!("{}", d.value)
            } else {
                String::new()
            };
            let created = d.created.iso();
            let closed = d.closed.map(|c| c.iso()).unwrap_or_default();
            for e in log.events_of(i) {
                let time = e.time.iso();
                let p = e
                    .forecast_probability
                    .get()
                    .map(|p| format!("{p:.2}"))
                    .unwrap_or_default();
                let close = e.expected_close.get().map(|c| c.iso()).unwrap_or_default();
                let case = [
                    log.case_ids[i].as_str(),
                    sy.name(e.activity),
                    &time,
                    sy.name(e.resource),
                    e.lifecycle.as_str(),
                    sy.name(d.segment),
                    sy.name(d.rep),
                    sy.name(d.source),
                    &value,
                    &created,
                    &closed,
                    d.outcome.as_str(),
                    name(d.lost_stage),
                    name(d.lost_step),
                ];
                let event = [
                    name(e.stage.get()),
                    name(e.step.get()),
                    name(e.card_field.get()),
                    &p,
                    &close,
                ];
                w.write_record(case.into_iter().chain(extras.values(i)).chain(event))
                    .expect("writing to memory");
            }
        }
        w.flush().expect("writing to memory");
    }
}

//! Event-log CSV with PM4Py's column conventions, one row per event.
//!
//! `case:concept:name`, `concept:name`, `time:timestamp`, `org:resource`,
//! `lifecycle:transition` (what `pm4py.format_dataframe` expects), then the deal table's
//! columns as case attributes (`case:segment`, `case:rep`, ..., PM4Py's prefix for trace
//! attributes) and dealsim's own event columns. `dealsim import csv` recognises all of these
//! names, so an export imports back into the same log. Rows are in case order, events in time
//! order within a case; values are quoted only when they need it.

use super::event_log::LogExporter;
use crate::log::Log;

/// Writes a log as a PM4Py-style CSV.
pub struct Pm4pyCsvExporter;

/// The header, in column order.
pub const COLUMNS: [&str; 19] = [
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
    "stage",
    "step",
    "card_field",
    "forecast_probability",
    "expected_close",
];

impl LogExporter for Pm4pyCsvExporter {
    fn serialize(&self, log: &Log, out: &mut Vec<u8>) {
        let sy = &log.symbols;
        let mut w = csv::WriterBuilder::new().from_writer(out);
        let name = |s: Option<u32>| s.map_or("", |s| sy.name(s));
        w.write_record(COLUMNS).expect("writing to memory");
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
                w.write_record([
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
                    name(e.stage.get()),
                    name(e.step.get()),
                    name(e.card_field.get()),
                    &p,
                    &close,
                ])
                .expect("writing to memory");
            }
        }
        w.flush().expect("writing to memory");
    }
}

//! XES (IEEE 1849-2016) that PM4Py, ProM and other process-mining tools read.
//!
//! The standard extensions are declared (Concept, Time, Lifecycle, Organizational) with
//! `<global>` defaults for the attributes every event carries, and two classifiers. A trace
//! is a deal (`concept:name` = case id) with the deal table's columns as trace attributes
//! (extra columns as string attributes, after the standard ones, in the table's order; all of
//! them on every trace, empty or not, so that an import finds them in that order);
//! an event carries `concept:name`, `time:timestamp`, `lifecycle:transition`,
//! `org:resource` and dealsim's own event columns, so `dealsim import xes` reads an export
//! back into the same log. The log's local times are written with offset `+00:00`.

use super::event_log::LogExporter;
use crate::log::extras::DealExtras;
use crate::log::{Log, Outcome};
use crate::time::Timestamp;

/// Writes a log as XES.
pub struct XesExporter;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
	<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
	<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
	<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
	<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
	<global scope="trace">
		<string key="concept:name" value="__INVALID__"/>
	</global>
	<global scope="event">
		<string key="concept:name" value="__INVALID__"/>
		<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
		<string key="lifecycle:transition" value="complete"/>
		<string key="org:resource" value="__INVALID__"/>
	</global>
	<classifier name="Activity" keys="concept:name"/>
	<classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>
	<string key="concept:name" value="dealsim"/>
"#;

/// Appends `s` with the five XML special characters escaped.
fn escape(out: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\'' => out.extend_from_slice(b"&apos;"),
            _ => out.push(b),
        }
    }
}

fn attr(out: &mut Vec<u8>, indent: &[u8], kind: &str, key: &str, value: &str) {
    out.extend_from_slice(indent);
    out.push(b'<');
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b" key=\"");
    escape(out, key);
    out.extend_from_slice(b"\" value=\"");
    escape(out, value);
    out.extend_from_slice(b"\"/>\n");
}

fn date(out: &mut Vec<u8>, indent: &[u8], key: &str, t: Timestamp) {
    out.extend_from_slice(indent);
    out.extend_from_slice(b"<date key=\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\" value=\"");
    t.write_iso(out);
    out.extend_from_slice(b".000+00:00\"/>\n");
}

impl LogExporter for XesExporter {
    fn serialize(&self, log: &Log, extras: &DealExtras, out: &mut Vec<u8>) {
        let sy = &log.symbols;
        out.extend_from_slice(HEAD.as_bytes());
        let (t2, t3): (&[u8], &[u8]) = (b"\t\t", b"\t\t\t");
        for (i, d) in log.deals.iter().enumerate() {
            out.extend_from_slice(b"\t<trace>\n");
            attr(out, t2, "string", "concept:name", &log.case_ids[i]);
            attr(out, t2, "string", "segment", sy.name(d.segment));
            attr(out, t2, "string", "rep", sy.name(d.rep));
            attr(out, t2, "string", "source", sy.name(d.source));
            if d.value.is_finite() {
                attr(out, t2, "float", "value", &format!("{}", d.value));
            }
            date(out, t2, "created", d.created);
            if let Some(c) = d.closed {
                date(out, t2, "closed", c);
            }
            attr(out, t2, "string", "outcome", d.outcome.as_str());
            if d.outcome == Outcome::Lost {
                for (k, v) in [("lost_stage", d.lost_stage), ("lost_step", d.lost_step)] {
                    if let Some(v) = v {
                        attr(out, t2, "string", k, sy.name(v));
                    }
                }
            }
            for (k, v) in extras.names().iter().zip(extras.values(i)) {
                attr(out, t2, "string", k, v);
            }
            for e in log.events_of(i) {
                out.extend_from_slice(b"\t\t<event>\n");
                attr(out, t3, "string", "concept:name", sy.name(e.activity));
                date(out, t3, "time:timestamp", e.time);
                attr(
                    out,
                    t3,
                    "string",
                    "lifecycle:transition",
                    e.lifecycle.as_str(),
                );
                attr(out, t3, "string", "org:resource", sy.name(e.resource));
                for (k, v) in [
                    ("stage", e.stage.get()),
                    ("step", e.step.get()),
                    ("card_field", e.card_field.get()),
                ] {
                    if let Some(v) = v {
                        attr(out, t3, "string", k, sy.name(v));
                    }
                }
                if let Some(p) = e.forecast_probability.get() {
                    attr(out, t3, "float", "forecast_probability", &format!("{p:.2}"));
                }
                if let Some(c) = e.expected_close.get() {
                    date(out, t3, "expected_close", c.start());
                }
                out.extend_from_slice(b"\t\t</event>\n");
            }
            out.extend_from_slice(b"\t</trace>\n");
        }
        out.extend_from_slice(b"</log>\n");
    }
}

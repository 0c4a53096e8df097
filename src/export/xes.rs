//! XES (IEEE 1849-2016) that PM4Py, ProM and other process-mining tools read.
//!
//! The standard extensions are declared (Concept, Time, Lifecycle, Organizational) with
//! `<global>` defaults for the attributes every event carries, and two classifiers. A trace
//! is a deal (`concept:name` = case id) with the deal table's columns as trace attributes
//! (extra columns as string attributes, after the standard ones, in the table's order; all of
//! them on every trace, empty or not, so that an import finds them in that order);
//! an event carries `concept:name`, `time:timestamp`, `lifecycle:transition`,
//! `org:resource` and dealsim's own event columns, so `dealsim import xes` reads an export
//! back into the same log. The log's local times are written with the offset of the zone they
//! are in (`+00:00` for a simulated log, an import's `--time-zone`). Text
//! is escaped so that the file is well-formed XML whatever a log holds (see `escape`).

use super::event_log::LogExporter;
use crate::log::extras::DealExtras;
use crate::log::{Log, Outcome};
use crate::time::Timestamp;

/// Writes a log as XES.
pub struct XesExporter {
    /// The offset of the log's local times (`+03:00`), written after each of them.
    pub offset: String,
}

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

/// Appends `s` as the text of an attribute value: the five XML special characters escaped;
/// newline, carriage return and tab as character references, since a parser normalises them,
/// written raw, to spaces (XML 1.0, 3.3.3), so that `dealsim import xes` reads them back; and
/// the other control characters, which XML 1.0 forbids even as references (U+0000 to U+001F
/// but those three, U+FFFE, U+FFFF), replaced by U+FFFD: a log can hold them (a CRM's pasted
/// text), but a file with them is not XML and PM4Py refuses it whole.
fn escape(out: &mut Vec<u8>, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\'' => out.extend_from_slice(b"&apos;"),
            '\n' => out.extend_from_slice(b"&#10;"),
            '\r' => out.extend_from_slice(b"&#13;"),
            '\t' => out.extend_from_slice(b"&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.extend_from_slice(
                char::REPLACEMENT_CHARACTER
                    .encode_utf8(&mut [0; 4])
                    .as_bytes(),
            ),
            _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
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

fn date(out: &mut Vec<u8>, indent: &[u8], key: &str, t: Timestamp, offset: &str) {
    out.extend_from_slice(indent);
    out.extend_from_slice(b"<date key=\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\" value=\"");
    t.write_iso(out);
    out.extend_from_slice(b".000");
    out.extend_from_slice(offset.as_bytes());
    out.extend_from_slice(b"\"/>\n");
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
            date(out, t2, "created", d.created, &self.offset);
            if let Some(c) = d.closed {
                date(out, t2, "closed", c, &self.offset);
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
                date(out, t3, "time:timestamp", e.time, &self.offset);
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
                    date(out, t3, "expected_close", c.start(), &self.offset);
                }
                out.extend_from_slice(b"\t\t</event>\n");
            }
            out.extend_from_slice(b"\t</trace>\n");
        }
        out.extend_from_slice(b"</log>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    /// Every escaped value is well-formed XML that a parser reads back as written, but for
    /// the characters XML forbids, which become U+FFFD.
    #[test]
    fn escaped_values_read_back_through_an_xml_parser() {
        for (value, read_back) in [
            ("a\nb\r\nc\td", "a\nb\r\nc\td"),
            ("<&>\"'", "<&>\"'"),
            (
                "x\u{0}\u{8}\u{b}\u{1f}y\u{fffe}",
                "x\u{fffd}\u{fffd}\u{fffd}\u{fffd}y\u{fffd}",
            ),
            ("Müller ✓", "Müller ✓"),
        ] {
            let mut doc = b"<a v=\"".to_vec();
            escape(&mut doc, value);
            doc.extend_from_slice(b"\"/>");
            let mut reader = quick_xml::Reader::from_reader(&doc[..]);
            let mut buf = Vec::new();
            let quick_xml::events::Event::Empty(e) = reader.read_event_into(&mut buf).unwrap()
            else {
                panic!("one empty element")
            };
            let a = e.attributes().next().unwrap().unwrap();
            assert_eq!(a.unescape_value().unwrap(), read_back, "{value:?}");
            // No raw control character left for a stricter parser (Python's expat) to refuse.
            assert!(!doc.iter().any(|&b| b < 0x20), "{value:?}");
        }
    }
}

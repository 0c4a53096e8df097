//! XES event logs (IEEE 1849-2016), plain `.xes` or gzipped `.xes.gz`, streamed.
//!
//! The file is read with a pull parser (`quick-xml`) through a gzip decoder when the file
//! starts with the gzip magic bytes, and each `<trace>` is handed to the sink as soon as it
//! closes: memory holds one trace, not the log. Standard attributes are read from the
//! Concept, Time, Lifecycle and Organizational extensions (`concept:name`,
//! `time:timestamp`, `lifecycle:transition`, `org:resource`); dealsim's own exports add
//! trace attributes (`segment`, `rep`, `source`, `value`, `created`, `closed`, `outcome`,
//! `lost_stage`, `lost_step`) and event attributes (`stage`, `step`, `card_field`,
//! `forecast_probability`, `expected_close`) that are read back, so an export imports to the
//! same log. Any other trace attribute with a value (string, date, int, ...: an export's
//! extra deal columns, a foreign log's case attributes) becomes an extra column of
//! `deals.csv`, its value kept as text, the columns in the order first met. Other event
//! attributes, `<global>` defaults and nested attributes are ignored.
//! `lifecycle:transition` values other than `start` and `complete` (e.g. `schedule`,
//! `suspend`) are kept as instantaneous `complete` events, with a note.
//!
//! A hand-written reader rather than the `process_mining` crate: that crate's non-optional
//! dependencies (petgraph, schemars, serde_with, uuid, ...) would double this crate's
//! dependency tree for one function, and its reader builds its own event structures that
//! would be converted again; this one writes dealsim's rows directly and reports errors by
//! line and column. (It uses the same XML and gzip crates.)

use std::io::Read;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};

use super::case::{Case, OutcomeRule, Place, RawEvent};
use super::timestamp::{self, TimeFormat, Zone};
use super::{open, Importer, Sink};
use crate::error::{Error, InputError};
use crate::log::read::{deal_value, forecast_probability, DEAL_VALUE, PROBABILITY};
use crate::log::{Lifecycle, Outcome};

/// An XES file and how to read it.
pub struct Xes {
    pub path: PathBuf,
    /// The zone the log's local times are kept in (timestamps are converted into it).
    pub zone: Zone,
    pub rule: OutcomeRule,
}

/// Line and column (1-based) of byte `offset` of the (decompressed) file: read again, only
/// on the way to an error.
fn line_col(path: &Path, offset: u64) -> Option<(usize, usize)> {
    let mut r = open(path).ok()?;
    let (mut line, mut col, mut seen) = (1usize, 1usize, 0u64);
    let mut buf = [0u8; 1 << 16];
    while seen < offset {
        let n = r.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n.min((offset - seen) as usize)] {
            if b == b'\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        seen += n as u64;
    }
    Some((line, col))
}

/// Where the reader is in the document.
#[derive(Default)]
struct State {
    in_log: bool,
    log_closed: bool,
    trace: Option<Case>,
    /// A trace attribute was rejected (`--lenient`): skip the trace.
    trace_rejected: bool,
    /// Line of the current `<trace>` (for case-level errors).
    trace_line: usize,
    event: Option<PartialEvent>,
    /// Depth inside elements whose content is ignored (globals, nested attributes, ...).
    skip: u32,
    /// Lines counted so far, and the byte offset where the current line starts.
    line: usize,
    line_start: u64,
    other_lifecycles: u64,
    /// Attribute values read as missing ([`PANDAS_MISSING`]).
    pandas_missing: u64,
    /// The UTC offset every timestamp so far was written with (`Some(None)` once two differ).
    offsets: Option<Option<String>>,
}

impl State {
    /// Tallies the offset timestamp `v` is written with (see [`State::offsets`]).
    fn saw_time(&mut self, v: &str) {
        let written = timestamp::written_offset(v);
        self.offsets = match self.offsets.take() {
            None => Some(written),
            Some(same) => Some(same.filter(|o| Some(o) == written.as_ref())),
        };
    }
}

/// Attribute values pandas writes for a missing one (and PM4Py with it, into XES).
const PANDAS_MISSING: [&str; 3] = ["nan", "NaN", "NaT"];

/// An event while its attributes are read; checked when `</event>` closes it.
#[derive(Default)]
struct PartialEvent {
    /// An attribute was rejected (`--lenient`): skip the event.
    rejected: bool,
    line: usize,
    column: usize,
    activity: Option<String>,
    time: Option<Result<crate::time::Timestamp, String>>,
    lifecycle: Transition,
    resource: String,
    stage: Option<String>,
    step: Option<String>,
    card_field: Option<String>,
    forecast_probability: Option<Result<f32, String>>,
    expected_close: Option<Result<crate::time::DayNum, String>>,
}

/// `lifecycle:transition` as read: XES has more states than dealsim's start/complete.
#[derive(Default, Clone, Copy, PartialEq)]
enum Transition {
    #[default]
    Complete,
    Start,
    Other,
}

impl Xes {
    fn err(&self, line: usize, column: usize, msg: impl Into<String>) -> InputError {
        InputError::new(self.path.display().to_string(), msg).at_position(line, column)
    }

    /// A fatal parse error, with the exact line and column of `offset`.
    fn fatal(&self, offset: u64, msg: String) -> InputError {
        let e = InputError::new(self.path.display().to_string(), msg);
        match line_col(&self.path, offset) {
            Some((l, c)) => e.at_position(l, c),
            None => e,
        }
    }

    fn time(&self, v: &str) -> Result<crate::time::Timestamp, String> {
        timestamp::parse(v, &TimeFormat::Iso, self.zone).map_err(|bad| {
            bad.message(v, || format!("cannot read the timestamp {v:?}: expected an xs:dateTime such as 2025-03-04T09:30:00.000+01:00"))
        })
    }

    /// Applies one attribute element (`<string key=.. value=..>`, `<date ...>`, ...).
    fn attribute(&self, st: &mut State, e: &BytesStart<'_>) -> Result<(), InputError> {
        let (mut key, mut value) = (None, None);
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|x| self.err(st.line, 1, format!("malformed attribute: {x}")))?;
            let v = || {
                a.unescape_value().map_err(|x| match x {
                    quick_xml::Error::Encoding(_) => self.err(
                        st.line,
                        1,
                        "invalid UTF-8 in an attribute value: the file must be UTF-8 text",
                    ),
                    _ => self.err(st.line, 1, format!("cannot read an attribute value: {x}")),
                })
            };
            match a.key.as_ref() {
                b"key" => key = Some(v()?),
                b"value" => value = Some(v()?),
                _ => {}
            }
        }
        let (Some(key), Some(value)) = (key, value) else {
            return Ok(());
        };
        // pandas' empty values, which PM4Py writes for an attribute a trace or event lacks
        // (`<float key="forecast_probability" value="nan"/>`, a `NaT` close of an open
        // deal): missing, as an empty CSV field is. The required names and times are not
        // optional, and stay errors.
        if PANDAS_MISSING.contains(&value.as_ref())
            && !matches!(key.as_ref(), "concept:name" | "time:timestamp")
        {
            st.pandas_missing += 1;
            return Ok(());
        }
        if let Some(ev) = &mut st.event {
            match key.as_ref() {
                "concept:name" => ev.activity = Some(value.into_owned()),
                "time:timestamp" => {
                    ev.time = Some(self.time(&value));
                    st.saw_time(&value);
                }
                "lifecycle:transition" => {
                    ev.lifecycle = match value.to_ascii_lowercase().as_str() {
                        "start" => Transition::Start,
                        "complete" => Transition::Complete,
                        _ => Transition::Other,
                    }
                }
                "org:resource" => ev.resource = value.into_owned(),
                "stage" => ev.stage = Some(value.into_owned()),
                "step" => ev.step = Some(value.into_owned()),
                "card_field" => ev.card_field = Some(value.into_owned()),
                "forecast_probability" => {
                    ev.forecast_probability = Some(forecast_probability(&value).ok_or(format!(
                        "forecast_probability: expected {PROBABILITY}, got {value:?}"
                    )))
                }
                "expected_close" => ev.expected_close = Some(self.time(&value).map(|t| t.day())),
                _ => {}
            }
        } else if let Some(case) = &mut st.trace {
            let d = &mut case.deal;
            let bad = |what: &str| {
                self.err(
                    st.line,
                    1,
                    format!("trace attribute `{key}`: expected {what}, got {value:?}"),
                )
            };
            let date = |m: String| self.err(st.line, 1, format!("trace attribute `{key}`: {m}"));
            match key.as_ref() {
                "concept:name" => case.id = value.into_owned(),
                "segment" => d.segment = Some(value.into_owned()),
                "rep" => d.rep = Some(value.into_owned()),
                "source" => d.source = Some(value.into_owned()),
                "lost_stage" => d.lost_stage = Some(value.into_owned()),
                "lost_step" => d.lost_step = Some(value.into_owned()),
                "value" => d.value = Some(deal_value(&value).ok_or_else(|| bad(DEAL_VALUE))?),
                "created" => d.created = Some(self.time(&value).map_err(date)?),
                "closed" => {
                    d.closed = Some(self.time(&value).map_err(date)?);
                    d.closed_at = Some(Place {
                        file: None,
                        line: st.line,
                        column: 1,
                        name: "trace attribute `closed`".into(),
                    });
                }
                "outcome" => {
                    d.outcome = Some(match value.as_ref() {
                        "won" => Outcome::Won,
                        "lost" => Outcome::Lost,
                        "open" => Outcome::Open,
                        _ => return Err(bad("won, lost or open")),
                    })
                }
                _ => d.extra.push((key.into_owned(), value.into_owned())),
            }
        }
        Ok(())
    }

    /// Closes an event: checks it has a name and a time, or says what is missing and where.
    fn finish_event(&self, st: &mut State, ev: PartialEvent) -> Result<RawEvent, InputError> {
        let at = |msg: String| self.err(ev.line, ev.column, msg);
        let activity = ev
            .activity
            .ok_or_else(|| at("event without a concept:name (activity)".into()))?;
        let time = match ev.time {
            Some(Ok(t)) => t,
            Some(Err(m)) => return Err(at(format!("time:timestamp: {m}"))),
            None => return Err(at(format!("event {activity:?} without a time:timestamp"))),
        };
        let mut e = RawEvent::new(time, &activity, &ev.resource);
        e.at = (ev.line, ev.column);
        e.lifecycle = match ev.lifecycle {
            Transition::Start => Lifecycle::Start,
            Transition::Complete => Lifecycle::Complete,
            Transition::Other => {
                st.other_lifecycles += 1;
                Lifecycle::Complete
            }
        };
        e.stage = ev.stage;
        e.step = ev.step;
        e.card_field = ev.card_field;
        e.forecast_probability = ev.forecast_probability.transpose().map_err(at)?;
        e.expected_close = ev
            .expected_close
            .transpose()
            .map_err(|m| at(format!("expected_close: {m}")))?;
        Ok(e)
    }

    fn start(
        &self,
        st: &mut State,
        e: &BytesStart<'_>,
        empty: bool,
        pos: u64,
        sink: &mut Sink<'_>,
    ) -> Result<(), Error> {
        let column = (pos.saturating_sub(st.line_start) + 1) as usize;
        // XML allows no '<' inside a tag, not even in an attribute value: the parser reads
        // `<event` missing its '>' up to the next tag's '>' as one tag, and the event was
        // reported as lacking a concept:name instead of as malformed.
        if e.contains(&b'<') {
            let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
            return Err(self
                .err(
                    st.line,
                    column,
                    format!(
                        "malformed XML: a '<' inside the <{name}> tag (is its closing '>' \
                         missing?)"
                    ),
                )
                .into());
        }
        if st.skip > 0 {
            st.skip += u32::from(!empty);
            return Ok(());
        }
        match e.local_name().as_ref() {
            b"log" if !st.in_log => st.in_log = true,
            _ if !st.in_log => {
                return Err(self
                    .err(
                        st.line,
                        column,
                        "expected an XES <log> element first: is this an XES file?",
                    )
                    .into())
            }
            b"trace" if st.trace.is_none() => {
                st.trace = Some(Case::default());
                st.trace_line = st.line;
                if empty {
                    self.end_trace(st, sink)?;
                }
            }
            b"event" if st.trace.is_some() && st.event.is_none() => {
                st.event = Some(PartialEvent {
                    line: st.line,
                    column,
                    ..PartialEvent::default()
                });
                if empty {
                    self.end_event(st, sink)?;
                }
            }
            _ if st.trace.is_some() => {
                if let Err(err) = self.attribute(st, e) {
                    self.drop_current(st);
                    sink.reject(err)?;
                }
                // Children of an attribute (meta-attributes, list items) are not ours.
                st.skip += u32::from(!empty);
            }
            // extension, global, classifier, log-level attributes
            _ => st.skip += u32::from(!empty),
        }
        Ok(())
    }

    /// After a rejected attribute (with `--lenient`): drop the event, or the whole trace for
    /// a trace attribute, when it closes.
    fn drop_current(&self, st: &mut State) {
        if let Some(ev) = &mut st.event {
            ev.rejected = true;
        } else {
            st.trace_rejected = true;
        }
    }

    fn end_event(&self, st: &mut State, sink: &mut Sink<'_>) -> Result<(), Error> {
        let ev = st.event.take().expect("inside an event");
        if ev.rejected {
            return Ok(());
        }
        match self.finish_event(st, ev) {
            Ok(e) => st.trace.as_mut().expect("inside a trace").events.push(e),
            Err(err) => sink.reject(err)?,
        }
        Ok(())
    }

    fn end_trace(&self, st: &mut State, sink: &mut Sink<'_>) -> Result<(), Error> {
        let mut case = st.trace.take().expect("inside a trace");
        if std::mem::take(&mut st.trace_rejected) {
            return Ok(());
        }
        if case.id.is_empty() {
            return sink.reject(self.err(
                st.trace_line,
                1,
                "trace without a concept:name (case id)",
            ));
        }
        sink.case(&mut case, Some(st.trace_line))
    }
}

impl Importer for Xes {
    fn outcome_rule(&self) -> OutcomeRule {
        self.rule.clone()
    }

    fn import(&self, sink: &mut Sink<'_>) -> Result<(), Error> {
        sink.summary.format = "XES".into();
        sink.summary.time_zone = self.zone.offset();
        sink.summary.inputs.push(self.path.display().to_string());
        let mut reader = quick_xml::Reader::from_reader(open(&self.path)?);
        reader.config_mut().check_end_names = true;
        let mut buf = Vec::with_capacity(4096);
        // Anything but whitespace: a file without a <log> is then not empty but not XES.
        let mut saw_content = false;
        let mut st = State {
            line: 1,
            ..State::default()
        };
        loop {
            let pos = reader.buffer_position();
            let ev = match reader.read_event_into(&mut buf) {
                Ok(ev) => ev,
                Err(e) => return Err(self.xml_error(&e, reader.error_position()).into()),
            };
            match &ev {
                Event::Start(e) => self.start(&mut st, e, false, pos, sink)?,
                Event::Empty(e) => self.start(&mut st, e, true, pos, sink)?,
                Event::End(e) => {
                    if st.skip > 0 {
                        st.skip -= 1;
                    } else {
                        match e.local_name().as_ref() {
                            b"event" if st.event.is_some() => self.end_event(&mut st, sink)?,
                            b"trace" if st.trace.is_some() => self.end_trace(&mut st, sink)?,
                            b"log" => st.log_closed = true,
                            _ => {}
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            saw_content |= match &ev {
                Event::Text(t) => !t.iter().all(u8::is_ascii_whitespace),
                _ => true,
            };
            // Count lines through every piece of the document (text between tags included).
            let raw: &[u8] = match &ev {
                Event::Start(e) | Event::Empty(e) => e,
                Event::End(e) => e,
                Event::Text(e) => e,
                Event::Comment(e) => e,
                Event::CData(e) => e,
                _ => &[],
            };
            if let Some(last) = raw.iter().rposition(|&b| b == b'\n') {
                st.line += raw.iter().filter(|&&b| b == b'\n').count();
                let end = reader.buffer_position();
                st.line_start = end - (raw.len() - last - 1) as u64;
            }
            buf.clear();
        }
        let end = reader.buffer_position();
        if !st.in_log {
            let what = if !saw_content {
                "empty file: expected an XES document with a <log> element"
            } else {
                "no <log> element: expected an XES document (IEEE 1849); an event CSV is read by \
                 `dealsim import csv`"
            };
            return Err(InputError::new(self.path.display().to_string(), what).into());
        }
        if !st.log_closed || st.trace.is_some() {
            return Err(self
                .fatal(
                    end,
                    "the file ends before </log>: truncated or incomplete XES".into(),
                )
                .into());
        }
        if let Some(Some(written)) = &st.offsets {
            if *written != self.zone.offset() {
                sink.summary.notes.push(format!(
                    "every event time is written at UTC{written} and was converted to \
                     {} (the time zone the imported log is kept in); --time-zone {written} keeps \
                     the times as written (a CRM's dates at midnight stay on their days)",
                    self.zone.offset()
                ));
            }
        }
        if st.pandas_missing > 0 {
            sink.summary.notes.push(format!(
                "{} attribute values were nan, NaN or NaT (pandas' missing value, as PM4Py \
                 writes it) and were read as missing",
                st.pandas_missing
            ));
        }
        if st.other_lifecycles > 0 {
            sink.summary.notes.push(format!(
                "{} events with a lifecycle:transition other than start/complete were imported as complete",
                st.other_lifecycles
            ));
        }
        Ok(())
    }
}

impl Xes {
    fn xml_error(&self, e: &quick_xml::Error, offset: u64) -> InputError {
        match e {
            quick_xml::Error::Io(io) => {
                let msg = if io.kind() == std::io::ErrorKind::UnexpectedEof {
                    format!("truncated gzip: the compressed data ends early ({io})")
                } else if io.kind() == std::io::ErrorKind::InvalidData
                    || io.kind() == std::io::ErrorKind::InvalidInput
                {
                    format!("corrupt gzip data: {io}")
                } else {
                    format!("cannot read: {io}")
                };
                InputError::new(self.path.display().to_string(), msg)
            }
            quick_xml::Error::Encoding(_) => self.fatal(
                offset,
                format!("invalid UTF-8: the file must be UTF-8 text ({e})"),
            ),
            _ => self.fatal(offset, format!("malformed XML: {e}")),
        }
    }
}

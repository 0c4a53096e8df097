//! Event-level CSV from any CRM or process-mining tool: one row per event.
//!
//! A [`Mapping`] (a TOML file and/or command-line flags) names the columns. Columns it does
//! not name are found by their conventional names, dealsim's (`case_id`, `activity`,
//! `timestamp`, `resource`, `segment`, ...) or PM4Py's (`case:concept:name`,
//! `concept:name`, `time:timestamp`, `org:resource`, `lifecycle:transition`, `case:segment`,
//! ...), so dealsim's own `events.csv` and a PM4Py CSV import without a mapping. Any other
//! `case:` column (PM4Py's prefix for case attributes: an export's extra deal columns such
//! as `case:sector`) becomes an extra column of `deals.csv` without its prefix, in header
//! order, with the first non-empty value of the case's rows. The outcome
//! comes from activity names (`won_activities`, `lost_activities`) or from a deal table
//! column (`[deal_table]`); a deal with neither is open (censored). `[steps]` maps activity
//! names onto the steps of a stage map: such an event is renamed to its step, since the
//! step-based indicators (deadlines, on-time share) recognise steps by activity.
//! Rows of a case need not be adjacent (they are grouped in memory, in first-seen order,
//! compactly: see [`super::grouped`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::case::{Case, OutcomeRule, Place, RawEvent};
use super::grouped::GroupedCases;
use super::timestamp::{self, TimeFormat, Zone};
use super::{utf8_field, Importer, Sink};
use crate::error::{check_columns_named_once, unequal_fields, Error, InputError};
use crate::log::extras::{is_standard_deal_column, named_like_a_close};
use crate::log::read::{deal_value, forecast_probability, DEAL_VALUE, PROBABILITY};
use crate::log::{Lifecycle, Outcome};

/// Which column holds what, and how to read it. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub case_id: Option<String>,
    pub activity: Option<String>,
    pub timestamp: Option<String>,
    pub resource: Option<String>,
    pub lifecycle: Option<String>,
    pub segment: Option<String>,
    /// The deal owner (rep); default: the resource of the case's first event.
    pub owner: Option<String>,
    pub source: Option<String>,
    pub value: Option<String>,
    pub created: Option<String>,
    pub closed: Option<String>,
    /// A column with `won` / `lost` / `open` per row (first non-empty value of the case).
    pub outcome: Option<String>,
    pub stage: Option<String>,
    pub step: Option<String>,
    /// `iso` (default, also RFC 3339), `dd.mm.yyyy`, `m/d/yyyy` or a strftime pattern.
    pub timestamp_format: Option<String>,
    /// `UTC` (default) or a fixed offset `+HH:MM`.
    pub time_zone: Option<String>,
    /// Activities meaning the deal was won [default: `won`].
    pub won_activities: Option<Vec<String>>,
    /// Activities meaning the deal was lost [default: `lost`].
    pub lost_activities: Option<Vec<String>>,
    /// Activity name in the source → step name of the stage map.
    #[serde(default)]
    pub steps: BTreeMap<String, String>,
    pub deal_table: Option<DealTable>,
}

/// A table with one row per deal that states the outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealTable {
    /// The CSV file (relative to the mapping file when given there).
    pub file: PathBuf,
    #[serde(default = "default_case_id")]
    pub case_id: String,
    pub outcome: String,
    /// Values of `outcome` meaning won [default: `won`]; likewise lost and open [`open`; an
    /// empty value is open too]. Any other value is refused, naming the accepted ones: a CRM
    /// stage such as `Closed Won` that no list names would otherwise make a won deal an
    /// open one without a word.
    #[serde(default = "default_won")]
    pub won: Vec<String>,
    #[serde(default = "default_lost")]
    pub lost: Vec<String>,
    #[serde(default = "default_open")]
    pub open: Vec<String>,
    /// Close date column; default: the time of the case's last event.
    pub closed: Option<String>,
}

fn default_case_id() -> String {
    "case_id".into()
}
fn default_won() -> Vec<String> {
    vec!["won".into()]
}
fn default_lost() -> Vec<String> {
    vec!["lost".into()]
}
fn default_open() -> Vec<String> {
    vec!["open".into()]
}

impl DealTable {
    /// The outcome a value of the `outcome` column means; `Err(what was expected)` for a
    /// value none of the lists names.
    fn outcome(&self, value: &str) -> Result<Outcome, String> {
        let named = |list: &[String]| list.iter().any(|v| v == value);
        if named(&self.won) {
            Ok(Outcome::Won)
        } else if named(&self.lost) {
            Ok(Outcome::Lost)
        } else if value.is_empty() || named(&self.open) {
            Ok(Outcome::Open)
        } else {
            let list = |l: &[String]| format!("{l:?}").trim_matches(['[', ']']).to_string();
            Err(format!(
                "expected a won value ({}), a lost value ({}) or an open one ({}, or empty), \
                 got {value:?}: add it to `won`, `lost` or `open` under [deal_table] in the \
                 mapping",
                list(&self.won),
                list(&self.lost),
                list(&self.open)
            ))
        }
    }
}

impl Mapping {
    /// Reads a mapping TOML file; a relative deal-table path is taken from its directory.
    pub fn load(path: &Path) -> Result<Mapping, InputError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(&origin, format!("cannot read the mapping: {e}")))?;
        let mut m: Mapping = crate::toml_input::parse_toml(&text, &origin)?;
        if let (Some(t), Some(dir)) = (&mut m.deal_table, path.parent()) {
            if t.file.is_relative() {
                t.file = dir.join(&t.file);
            }
        }
        Ok(m)
    }
}

/// An event CSV and how to read it.
pub struct EventCsv {
    pub path: PathBuf,
    pub mapping: Mapping,
}

/// Conventional names per field: dealsim's first, then PM4Py's.
const CONVENTIONS: &[(&str, &[&str])] = &[
    ("case_id", &["case_id", "case:concept:name"]),
    ("activity", &["activity", "concept:name"]),
    ("timestamp", &["timestamp", "time:timestamp"]),
    ("resource", &["resource", "org:resource"]),
    ("lifecycle", &["lifecycle", "lifecycle:transition"]),
    ("segment", &["segment", "case:segment"]),
    ("owner", &["owner", "case:rep"]),
    ("source", &["case:source"]),
    ("value", &["case:value"]),
    ("created", &["case:created"]),
    ("closed", &["case:closed"]),
    ("outcome", &["case:outcome"]),
    ("stage", &["stage"]),
    ("step", &["step"]),
    ("card_field", &["card_field"]),
    ("forecast_probability", &["forecast_probability"]),
    ("expected_close", &["expected_close"]),
    ("lost_stage", &["case:lost_stage"]),
    ("lost_step", &["case:lost_step"]),
];

/// A CSV header, with errors that list what is there.
pub(crate) struct Header {
    pub origin: String,
    pub names: Vec<String>,
}

impl Header {
    /// Reads the header line of `reader`: an empty file or a non-UTF-8 header is an error.
    pub fn read<R: std::io::Read>(
        reader: &mut csv::Reader<R>,
        origin: &str,
    ) -> Result<Header, InputError> {
        let raw = reader
            .byte_headers()
            .map_err(|e| InputError::new(origin, format!("cannot read the header: {e}")))?
            .clone();
        if raw.iter().all(|h| h.iter().all(u8::is_ascii_whitespace)) {
            return Err(InputError::new(
                origin,
                "empty file: expected a header line naming the columns",
            ));
        }
        let names = raw
            .iter()
            .enumerate()
            .map(|(i, h)| utf8_field(h, origin, 1, "(header)", i).map(|s| s.trim().to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        check_columns_named_once(origin, names.iter().map(String::as_str))?;
        Ok(Header {
            origin: origin.to_string(),
            names,
        })
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The column named `name`, or an error listing the available ones.
    pub fn require(&self, name: &str, what: &str) -> Result<usize, InputError> {
        self.find(name).ok_or_else(|| {
            InputError::new(
                &self.origin,
                format!(
                    "missing column `{name}` ({what}); the header has: {}",
                    self.names.join(", ")
                ),
            )
            .at_position(1, 1)
        })
    }
}

/// Column positions of the fields, in the order of [`CONVENTIONS`].
struct Resolved {
    cols: HashMap<&'static str, usize>,
    /// The other `case:` columns: position and name without the prefix, in header order.
    extras: Vec<(usize, String)>,
}

impl Resolved {
    fn new(header: &Header, mapping: &Mapping) -> Result<Resolved, InputError> {
        let explicit: HashMap<&str, &Option<String>> = [
            ("case_id", &mapping.case_id),
            ("activity", &mapping.activity),
            ("timestamp", &mapping.timestamp),
            ("resource", &mapping.resource),
            ("lifecycle", &mapping.lifecycle),
            ("segment", &mapping.segment),
            ("owner", &mapping.owner),
            ("source", &mapping.source),
            ("value", &mapping.value),
            ("created", &mapping.created),
            ("closed", &mapping.closed),
            ("outcome", &mapping.outcome),
            ("stage", &mapping.stage),
            ("step", &mapping.step),
        ]
        .into_iter()
        .collect();
        let mut cols = HashMap::new();
        for &(field, names) in CONVENTIONS {
            let found = match explicit.get(field).copied().and_then(Option::as_ref) {
                Some(name) => Some(header.require(name, &format!("mapped as {field}"))?),
                None => names.iter().find_map(|n| header.find(n)),
            };
            match found {
                Some(c) => {
                    cols.insert(field, c);
                }
                None if matches!(field, "case_id" | "activity" | "timestamp") => {
                    return Err(InputError::new(
                        &header.origin,
                        format!(
                            "missing the {field} column (looked for {}; name it with --{} or in a mapping file); the header has: {}",
                            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or "),
                            field.replace('_', "-"),
                            header.names.join(", ")
                        ),
                    )
                    .at_position(1, 1));
                }
                None => {}
            }
        }
        let extras = (header.names.iter().enumerate())
            .filter(|(i, _)| !cols.values().any(|c| c == i))
            .filter_map(|(i, n)| Some((i, n.strip_prefix("case:")?.to_string())))
            .filter(|(_, n)| !n.is_empty() && n != "concept:name" && !is_standard_deal_column(n))
            .collect();
        Ok(Resolved { cols, extras })
    }

    fn get(&self, field: &str) -> Option<usize> {
        self.cols.get(field).copied()
    }
}

/// One row's text fields, with what error messages need.
struct Row<'a> {
    origin: &'a str,
    header: &'a Header,
    record: &'a csv::ByteRecord,
    line: usize,
}

impl<'a> Row<'a> {
    fn new(origin: &'a str, header: &'a Header, record: &'a csv::ByteRecord) -> Row<'a> {
        Row {
            origin,
            header,
            record,
            line: record.position().map_or(0, |p| p.line() as usize),
        }
    }

    /// Whether the row has as many fields as the header: a shorter one was cut or edited by
    /// hand (its missing fields are not known to be empty), as `score`'s reader says too.
    fn complete(&self) -> Result<(), InputError> {
        let (len, expected) = (self.record.len(), self.header.names.len());
        if len == expected {
            return Ok(());
        }
        Err(InputError::new(self.origin, unequal_fields(len, expected)).at_position(self.line, 1))
    }

    fn text(&self, col: usize) -> Result<&'a str, InputError> {
        let bytes = self.record.get(col).unwrap_or(b"");
        utf8_field(bytes, self.origin, self.line, &self.header.names[col], col).map(str::trim)
    }

    fn opt(&self, col: Option<usize>) -> Result<Option<&'a str>, InputError> {
        Ok(match col {
            Some(c) => Some(self.text(c)?).filter(|s| !s.is_empty()),
            None => None,
        })
    }

    /// Where column `col` of this row is, for a problem found once the case is whole.
    fn place(&self, col: usize) -> Place {
        Place {
            file: None,
            line: self.line,
            column: col + 1,
            name: format!("column `{}`", self.header.names[col]),
        }
    }

    fn error(&self, col: usize, msg: String) -> InputError {
        InputError::new(
            self.origin,
            format!("column `{}`: {msg}", self.header.names[col]),
        )
        .at_position(self.line, col + 1)
    }
}

/// A deal table's row: the outcome, and the close with where it was read.
struct TableRow {
    outcome: Outcome,
    closed: Option<(crate::time::Timestamp, Place)>,
}

/// Reads a timestamp with the row's context: line, column, value and the expected format.
fn timestamp_at(
    row: &Row<'_>,
    col: usize,
    format: &TimeFormat,
    zone: Zone,
) -> Result<crate::time::Timestamp, InputError> {
    let value = row.text(col)?;
    timestamp::parse(value, format, zone).map_err(|bad| {
        let message = bad.message(value, || {
            format!(
                "cannot read the timestamp {value:?}: expected {} (set --timestamp-format)",
                format.describe()
            )
        });
        row.error(col, message)
    })
}

pub(crate) fn parse_format_and_zone(
    format: Option<&str>,
    zone: Option<&str>,
) -> Result<(TimeFormat, Zone), InputError> {
    let format = match format {
        None => TimeFormat::Iso,
        Some(f) => TimeFormat::parse(f).map_err(|e| InputError::new("--timestamp-format", e))?,
    };
    let zone = Zone::from_flag(zone)?;
    Ok((format, zone))
}

impl EventCsv {
    fn rule(&self) -> OutcomeRule {
        let d = OutcomeRule::default();
        OutcomeRule {
            won: self.mapping.won_activities.clone().unwrap_or(d.won),
            lost: self.mapping.lost_activities.clone().unwrap_or(d.lost),
        }
    }

    /// Reads one event row: its case id, its event (names borrowed from the row or the
    /// mapping) and the deal fields it states.
    fn row<'r>(
        &'r self,
        row: &Row<'r>,
        r: &Resolved,
        (format, zone): (&TimeFormat, Zone),
    ) -> Result<(&'r str, RawEvent<&'r str>, Case), InputError> {
        row.complete()?;
        let req = |f: &str| r.get(f).expect("required columns are resolved");
        let id = row.text(req("case_id"))?;
        if id.is_empty() {
            return Err(row.error(
                req("case_id"),
                "expected a case id, got an empty value".into(),
            ));
        }
        let activity = row.text(req("activity"))?;
        if activity.is_empty() {
            return Err(row.error(
                req("activity"),
                "expected an activity name, got an empty value".into(),
            ));
        }
        let time = timestamp_at(row, req("timestamp"), format, zone)?;
        let mut e: RawEvent<&str> =
            RawEvent::new(time, activity, row.opt(r.get("resource"))?.unwrap_or(""));
        e.at = (row.line, req("timestamp") + 1);
        if let Some(step) = self.mapping.steps.get(activity) {
            e.activity = step.as_str();
            e.step = Some(step.as_str());
        }
        e.lifecycle = match row.opt(r.get("lifecycle"))? {
            Some(l) if l.eq_ignore_ascii_case("start") => Lifecycle::Start,
            _ => Lifecycle::Complete,
        };
        e.stage = row.opt(r.get("stage"))?;
        if let Some(s) = row.opt(r.get("step"))? {
            e.step = Some(s);
        }
        e.card_field = row.opt(r.get("card_field"))?;
        if let (Some(c), Some(v)) = (
            r.get("forecast_probability"),
            row.opt(r.get("forecast_probability"))?,
        ) {
            e.forecast_probability = Some(
                forecast_probability(v)
                    .ok_or_else(|| row.error(c, format!("expected {PROBABILITY}, got {v:?}")))?,
            );
        }
        if let (Some(c), Some(_)) = (r.get("expected_close"), row.opt(r.get("expected_close"))?) {
            e.expected_close = Some(timestamp_at(row, c, format, zone)?.day());
        }
        let mut case = Case::default();
        let d = &mut case.deal;
        d.segment = row.opt(r.get("segment"))?.map(str::to_string);
        d.rep = row.opt(r.get("owner"))?.map(str::to_string);
        d.source = row.opt(r.get("source"))?.map(str::to_string);
        d.lost_stage = row.opt(r.get("lost_stage"))?.map(str::to_string);
        d.lost_step = row.opt(r.get("lost_step"))?.map(str::to_string);
        if let (Some(c), Some(v)) = (r.get("value"), row.opt(r.get("value"))?) {
            d.value = Some(
                deal_value(v)
                    .ok_or_else(|| row.error(c, format!("expected {DEAL_VALUE}, got {v:?}")))?,
            );
        }
        for (field, slot) in [("created", &mut d.created), ("closed", &mut d.closed)] {
            if let (Some(c), Some(_)) = (r.get(field), row.opt(r.get(field))?) {
                *slot = Some(timestamp_at(row, c, format, zone)?);
            }
        }
        if let (Some(c), Some(_)) = (r.get("closed"), d.closed) {
            d.closed_at = Some(row.place(c));
        }
        if let (Some(c), Some(v)) = (r.get("outcome"), row.opt(r.get("outcome"))?) {
            d.outcome = Some(match v {
                "won" => Outcome::Won,
                "lost" => Outcome::Lost,
                "open" => Outcome::Open,
                _ => return Err(row.error(c, format!("expected won, lost or open, got {v:?}"))),
            });
        }
        for (c, name) in &r.extras {
            if let Some(v) = row.opt(Some(*c))? {
                d.extra.push((name.clone(), v.to_string()));
            }
        }
        Ok((id, e, case))
    }

    /// Reads the deal table: outcome (and close date) per case id.
    fn deal_table(
        &self,
        t: &DealTable,
        sink: &mut Sink<'_>,
        (format, zone): (&TimeFormat, Zone),
    ) -> Result<HashMap<String, TableRow>, Error> {
        let origin = t.file.display().to_string();
        let mut reader = super::delimited_reader(&t.file, sink)?;
        let header = Header::read(&mut reader, &origin)?;
        let c_id = header.require(&t.case_id, "the deal table's case id")?;
        let c_outcome = header.require(&t.outcome, "the deal table's outcome")?;
        let c_closed = t
            .closed
            .as_ref()
            .map(|c| header.require(c, "the deal table's close date"))
            .transpose()?;
        let unread = unread_close_columns(&header, [c_id, c_outcome], c_closed);
        sink.summary.notes.extend(unread);
        let mut out: HashMap<String, TableRow> = HashMap::new();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut record = csv::ByteRecord::new();
        while read_record(&mut reader, &mut record, &origin)? {
            let row = Row::new(&origin, &header, &record);
            let parsed = (|| -> Result<_, InputError> {
                row.complete()?;
                let id = row.text(c_id)?;
                if let Some(first) = first_line.get(id) {
                    return Err(row.error(
                        c_id,
                        format!("duplicate case id {id:?} (first on line {first}): the deal table needs one row per deal"),
                    ));
                }
                let outcome = (t.outcome(row.text(c_outcome)?))
                    .map_err(|expected| row.error(c_outcome, expected))?;
                let closed = match c_closed {
                    Some(c) if !row.text(c)?.is_empty() => {
                        let place = Place {
                            file: Some(origin.clone()),
                            ..row.place(c)
                        };
                        Some((timestamp_at(&row, c, format, zone)?, place))
                    }
                    _ => None,
                };
                Ok((id.to_string(), TableRow { outcome, closed }))
            })();
            match parsed {
                Ok((id, t)) => {
                    first_line.insert(id.clone(), row.line);
                    out.insert(id, t);
                }
                Err(e) => sink.reject(e)?,
            }
        }
        Ok(out)
    }
}

/// Notes on the deal table's columns named like a close (`close_date`, `close_value`) that the
/// mapping leaves unread (`read`, and `closed`, the close date's): a deal table gives only the
/// outcome and the close date, so such a column is ignored, and a close date in a column the
/// mapping does not name would yield to the case's last event without a word.
fn unread_close_columns(header: &Header, read: [usize; 2], closed: Option<usize>) -> Vec<String> {
    let how = |name: &str| match closed {
        Some(c) => format!(
            "a deal table gives only the outcome and the close date (`closed`, here `{}`)",
            header.names[c]
        ),
        None => format!(
            "a deal table gives only the outcome and the close date; if this is the close date, \
             name it with `closed = \"{name}\"` under [deal_table] in the mapping (without one a \
             deal closes at its last event)"
        ),
    };
    header
        .names
        .iter()
        .enumerate()
        .filter(|&(i, n)| named_like_a_close(n) && !read.contains(&i) && closed != Some(i))
        .map(|(_, n)| {
            format!(
                "{}: column `{n}` of the deal table is ignored: {}",
                header.origin,
                how(n)
            )
        })
        .collect()
}

/// Reads the next record; a malformed CSV row (e.g. an unclosed quote) is an error.
fn read_record<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    origin: &str,
) -> Result<bool, InputError> {
    reader.read_byte_record(record).map_err(|e| {
        let err = InputError::new(origin, format!("malformed CSV: {e}"));
        match e.position() {
            Some(p) => err.at_position(p.line() as usize, 1),
            None => err,
        }
    })
}

impl Importer for EventCsv {
    fn outcome_rule(&self) -> OutcomeRule {
        self.rule()
    }

    fn import(&self, sink: &mut Sink<'_>) -> Result<(), Error> {
        let origin = self.path.display().to_string();
        let (format, zone) = parse_format_and_zone(
            self.mapping.timestamp_format.as_deref(),
            self.mapping.time_zone.as_deref(),
        )?;
        sink.summary.format = "event CSV".into();
        sink.summary.inputs.push(origin.clone());
        sink.summary.time_zone = zone.offset();
        let outcomes = match &self.mapping.deal_table {
            Some(t) => {
                sink.summary.inputs.push(t.file.display().to_string());
                Some(self.deal_table(t, sink, (&format, zone))?)
            }
            None => None,
        };
        let mut reader = super::delimited_reader(&self.path, sink)?;
        let header = Header::read(&mut reader, &origin)?;
        let resolved = Resolved::new(&header, &self.mapping)?;
        sink.extra_columns(resolved.extras.iter().map(|(_, n)| n.as_str()));
        let mut grouped = GroupedCases::default();
        let mut record = csv::ByteRecord::new();
        while read_record(&mut reader, &mut record, &origin)? {
            let row = Row::new(&origin, &header, &record);
            let (id, event, fields) = match self.row(&row, &resolved, (&format, zone)) {
                Ok(x) => x,
                Err(e) => {
                    sink.reject(e)?;
                    continue;
                }
            };
            let (case, events) = grouped.entry(id, row.line);
            merge_first(&mut case.deal, fields.deal);
            events.push(&event);
        }
        let mut unknown = 0u64;
        grouped.for_each_case(|case, line| {
            if let Some(outcomes) = &outcomes {
                match outcomes.get(&case.id) {
                    Some(t) => {
                        case.deal.outcome = Some(t.outcome);
                        case.deal.closed = t.closed.as_ref().map(|c| c.0);
                        case.deal.closed_at = t.closed.as_ref().map(|c| c.1.clone());
                    }
                    None => unknown += 1,
                }
            }
            sink.case(case, Some(line))
        })?;
        if unknown > 0 {
            sink.summary.notes.push(format!(
                "{unknown} cases are not in the deal table: their outcome comes from the won/lost activities"
            ));
        }
        Ok(())
    }
}

/// Keeps the first non-empty value of each deal field over a case's rows.
fn merge_first(into: &mut super::case::DealFields, from: super::case::DealFields) {
    into.segment = into.segment.take().or(from.segment);
    into.rep = into.rep.take().or(from.rep);
    into.source = into.source.take().or(from.source);
    into.value = into.value.or(from.value);
    into.created = into.created.or(from.created);
    if into.closed.is_none() {
        (into.closed, into.closed_at) = (from.closed, from.closed_at);
    }
    into.outcome = into.outcome.or(from.outcome);
    into.lost_stage = into.lost_stage.take().or(from.lost_stage);
    into.lost_step = into.lost_step.take().or(from.lost_step);
    for (name, value) in from.extra {
        if !into.extra.iter().any(|(n, _)| *n == name) {
            into.extra.push((name, value));
        }
    }
}

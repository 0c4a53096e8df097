//! One imported case (deal) at a time, turned into rows of dealsim's `events.csv` and
//! `deals.csv`.
//!
//! Every importer hands over whole cases: the events it read plus whatever deal attributes
//! the source states (segment, owner, value, dates, outcome). What the source does not state
//! is derived from the events the same way for every format: created = the first event,
//! outcome and close = the first event whose activity is in the won or lost list (open,
//! i.e. censored, if none), owner = the first event's resource, lost stage and step = those
//! of the losing event. Events are sorted by time within the case (stably, with a note when
//! the source was out of order), which is the order `events.csv` promises. Deal attributes
//! dealsim does not know become extra columns of `deals.csv`, in the order they are declared
//! or first met (see [`CaseWriter::add_extra_columns`]).
//! Not for: parsing sources (the format files do that) or scoring.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use crate::export::csv_log::{DEALS_HEADER, EVENTS_HEADER};
use crate::log::extras::is_standard_deal_column;
use crate::log::read::AfterCreation;
use crate::log::{Lifecycle, Outcome};
use crate::time::{DayNum, Timestamp};

/// One event as read from a source; its names are owned (`String`) or, while a row is read,
/// borrowed from it (`&str`), so that grouping a CSV's rows allocates nothing per event.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent<S = String> {
    pub time: Timestamp,
    pub activity: S,
    pub lifecycle: Lifecycle,
    pub resource: S,
    pub stage: Option<S>,
    pub step: Option<S>,
    pub card_field: Option<S>,
    pub forecast_probability: Option<f32>,
    pub expected_close: Option<DayNum>,
    /// Line and column (1-based, 0 = unknown) of its time in the source, for a problem found
    /// only once the whole case is in (an event before the deal's creation).
    pub at: (usize, usize),
}

impl<S> RawEvent<S> {
    /// An event with only the core attributes.
    pub fn new<'a>(time: Timestamp, activity: &'a str, resource: &'a str) -> RawEvent<S>
    where
        S: From<&'a str>,
    {
        RawEvent {
            time,
            activity: activity.into(),
            lifecycle: Lifecycle::Complete,
            resource: resource.into(),
            stage: None,
            step: None,
            card_field: None,
            forecast_probability: None,
            expected_close: None,
            at: (0, 0),
        }
    }
}

/// Where in its source a deal attribute was read, for a problem found only once the whole
/// case is in (a close before the creation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The file, when not the importer's main input (a deal table).
    pub file: Option<String>,
    pub line: usize,
    /// 1-based; 0 when only the line is known.
    pub column: usize,
    /// How the source names it (`column `case:closed``, `trace attribute `closed``).
    pub name: String,
}

/// Deal attributes a source states explicitly (`None` = derive from the events).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealFields {
    pub segment: Option<String>,
    pub rep: Option<String>,
    pub source: Option<String>,
    pub value: Option<f64>,
    pub created: Option<Timestamp>,
    pub closed: Option<Timestamp>,
    /// Where `closed` was read, when the importer knows.
    pub closed_at: Option<Place>,
    pub outcome: Option<Outcome>,
    pub lost_stage: Option<String>,
    pub lost_step: Option<String>,
    /// Other attributes, `(name, value)`, kept as text in extra columns of `deals.csv`.
    /// A standard column's name or an empty one is ignored; of a name given twice, the
    /// last value counts.
    pub extra: Vec<(String, String)>,
}

/// A whole case as handed over by an importer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Case {
    pub id: String,
    pub deal: DealFields,
    pub events: Vec<RawEvent>,
}

/// Activities that close a deal, for sources that do not state the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRule {
    pub won: Vec<String>,
    pub lost: Vec<String>,
}

impl Default for OutcomeRule {
    fn default() -> OutcomeRule {
        OutcomeRule {
            won: vec!["won".into()],
            lost: vec!["lost".into()],
        }
    }
}

/// Counts that the import summary and the PM4Py comparison need.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LogStats {
    pub cases: u64,
    pub events: u64,
    pub won: u64,
    pub lost: u64,
    /// Deals still open at the end of the log: censored, neither won nor lost.
    pub open: u64,
    /// Number of cases per first activity (events in time order).
    pub start_activities: BTreeMap<String, u64>,
    /// Number of cases per last activity.
    pub end_activities: BTreeMap<String, u64>,
}

impl LogStats {
    /// Counts one case whose events are in time order.
    pub fn add(&mut self, outcome: Outcome, activities: &[&str]) {
        self.cases += 1;
        self.events += activities.len() as u64;
        match outcome {
            Outcome::Won => self.won += 1,
            Outcome::Lost => self.lost += 1,
            Outcome::Open => self.open += 1,
        }
        if let (Some(first), Some(last)) = (activities.first(), activities.last()) {
            *self.start_activities.entry(first.to_string()).or_default() += 1;
            *self.end_activities.entry(last.to_string()).or_default() += 1;
        }
    }
}

/// Why a case could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseProblem {
    Duplicate,
    NoCreation,
    /// Won or lost with no close time.
    NoClose,
    /// In the segment named `all`, which every output reserves for the pooled rows (and the
    /// log reader refuses).
    ReservedSegment,
    /// An event (at the source's line and column) before the deal's stated creation, which
    /// the log reader refuses ([`AfterCreation`] says what it expects).
    EventBeforeCreation {
        activity: String,
        time: Timestamp,
        expected: String,
        at: (usize, usize),
    },
    /// A stated close before the deal's creation (stated or its first event's).
    ClosedBeforeCreation {
        closed: Timestamp,
        expected: String,
        at: Option<Place>,
    },
}

impl CaseProblem {
    pub fn describe(&self, id: &str) -> String {
        match self {
            CaseProblem::Duplicate => format!("case id {id:?} appears twice (duplicate)"),
            CaseProblem::NoCreation => {
                format!("case {id:?} has no events and no creation date")
            }
            CaseProblem::NoClose => {
                format!("case {id:?} is won or lost but has no close date and no events")
            }
            CaseProblem::ReservedSegment => format!(
                "case {id:?} is in a segment named `{}`, a name every output reserves for all \
                 segments pooled: rename that segment in the source",
                crate::log::POOLED
            ),
            CaseProblem::EventBeforeCreation {
                activity,
                time,
                expected,
                ..
            } => format!(
                "case {id:?}, event {activity:?}: expected {expected}, got {}",
                time.iso()
            ),
            CaseProblem::ClosedBeforeCreation {
                closed,
                expected,
                at,
            } => {
                let name = at.as_ref().map(|p| format!("{}: ", p.name));
                format!(
                    "case {id:?}: {}expected {expected}, got {}",
                    name.unwrap_or_default(),
                    closed.iso()
                )
            }
        }
    }

    /// Where in the source the problem is, when more precise than the case's first line:
    /// (file if not the main input, line, column).
    pub fn place(&self) -> Option<(Option<&str>, usize, usize)> {
        match self {
            CaseProblem::EventBeforeCreation { at, .. } if at.0 > 0 => Some((None, at.0, at.1)),
            CaseProblem::ClosedBeforeCreation { at: Some(p), .. } if p.line > 0 => {
                Some((p.file.as_deref(), p.line, p.column))
            }
            _ => None,
        }
    }
}

/// What [`CaseWriter::finish`] reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub stats: LogStats,
    /// Cases whose events were not in time order in the source (sorted on import).
    pub cases_sorted: u64,
    /// Cases with both a won and a lost activity whose outcome the source does not state
    /// (the first in time decides), and the first such case's id.
    pub both_outcomes: (u64, Option<String>),
    /// `deals.csv`'s full header when extra columns were first met after rows had been
    /// written: those rows (and the header) are short, and [`widen_deals`] completes them.
    pub widen_to: Option<Vec<String>>,
}

/// Streams cases into `events.csv` and `deals.csv` bytes (through any writers), so memory
/// holds one case at a time plus the set of case ids seen.
///
/// The header of `deals.csv` is written with the first deal, so extra columns declared or
/// met until then cost nothing; one met later makes the rows before it short (see
/// [`Written::widen_to`]), which a source that states its case attributes up front, as
/// dealsim's own exports do, never causes.
pub struct CaseWriter<E: Write, D: Write> {
    events: csv::Writer<E>,
    deals: csv::Writer<D>,
    rule: OutcomeRule,
    seen: HashSet<String>,
    pub stats: LogStats,
    /// Cases whose events were not in time order in the source (sorted on import).
    pub cases_sorted: u64,
    /// See [`Written::both_outcomes`].
    both_outcomes: (u64, Option<String>),
    /// Extra columns of `deals.csv`, in order, and the position of each name.
    extra_names: Vec<String>,
    extra_index: HashMap<String, usize>,
    /// Extra columns in the header of `deals.csv`, once it is written.
    header_extras: Option<usize>,
    row: Vec<String>,
}

impl<E: Write, D: Write> CaseWriter<E, D> {
    /// Writes the header of `events.csv`.
    pub fn new(events: E, deals: D, rule: OutcomeRule) -> std::io::Result<CaseWriter<E, D>> {
        let mut events = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(events);
        // Flexible: rows written before a late extra column are shorter than later ones.
        let deals = csv::WriterBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_writer(deals);
        events.write_record(EVENTS_HEADER.trim_end().split(','))?;
        Ok(CaseWriter {
            events,
            deals,
            rule,
            seen: HashSet::new(),
            stats: LogStats::default(),
            cases_sorted: 0,
            both_outcomes: (0, None),
            extra_names: Vec::new(),
            extra_index: HashMap::new(),
            header_extras: None,
            row: Vec::new(),
        })
    }

    /// Appends extra columns to `deals.csv`, after those already there; names already
    /// there, empty ones and those of standard columns are skipped. Declaring a source's
    /// columns before its first case fixes their order (else it is the order first met).
    pub fn add_extra_columns<'n>(&mut self, names: impl IntoIterator<Item = &'n str>) {
        for name in names {
            self.extra_column(name);
        }
    }

    /// The position of extra column `name` (added if new), or `None` if it cannot be one.
    fn extra_column(&mut self, name: &str) -> Option<usize> {
        if name.is_empty() || is_standard_deal_column(name) {
            return None;
        }
        if let Some(&i) = self.extra_index.get(name) {
            return Some(i);
        }
        self.extra_names.push(name.to_string());
        self.extra_index
            .insert(name.to_string(), self.extra_names.len() - 1);
        Some(self.extra_names.len() - 1)
    }

    /// Writes the header of `deals.csv` if it is not written yet.
    fn deals_header(&mut self) -> std::io::Result<()> {
        if self.header_extras.is_none() {
            self.deals.write_record(
                DEALS_HEADER
                    .trim_end()
                    .split(',')
                    .chain(self.extra_names.iter().map(String::as_str)),
            )?;
            self.header_extras = Some(self.extra_names.len());
        }
        Ok(())
    }

    /// Writes one case; a problem leaves the output untouched.
    pub fn write(&mut self, case: &mut Case) -> std::io::Result<Result<(), CaseProblem>> {
        if self.seen.contains(&case.id) {
            return Ok(Err(CaseProblem::Duplicate));
        }
        if !case.events.is_sorted_by_key(|e| e.time) {
            case.events.sort_by_key(|e| e.time);
            self.cases_sorted += 1;
        }
        let deal = match self.derive(case) {
            Ok(d) => d,
            Err(p) => return Ok(Err(p)),
        };
        let segment = deal.segment.as_deref().unwrap_or(crate::log::UNSEGMENTED);
        if segment == crate::log::POOLED {
            return Ok(Err(CaseProblem::ReservedSegment));
        }
        let has = |names: &[String]| case.events.iter().any(|e| names.contains(&e.activity));
        if case.deal.outcome.is_none() && has(&self.rule.won) && has(&self.rule.lost) {
            self.both_outcomes.0 += 1;
            self.both_outcomes.1.get_or_insert_with(|| case.id.clone());
        }
        self.seen.insert(case.id.clone());
        for e in &case.events {
            self.row.clear();
            self.row.extend([
                case.id.clone(),
                e.activity.clone(),
                e.time.iso(),
                e.resource.clone(),
                segment.to_string(),
                e.stage.clone().unwrap_or_default(),
                e.step.clone().unwrap_or_default(),
                e.lifecycle.as_str().to_string(),
                e.card_field.clone().unwrap_or_default(),
                e.forecast_probability
                    .map(|p| format!("{p:.2}"))
                    .unwrap_or_default(),
                e.expected_close.map(DayNum::iso).unwrap_or_default(),
            ]);
            self.events.write_record(&self.row)?;
        }
        let outcome = deal.outcome.unwrap_or(Outcome::Open);
        self.row.clear();
        self.row.extend([
            case.id.clone(),
            segment.to_string(),
            deal.rep.clone().unwrap_or_else(|| "unknown".into()),
            deal.source.clone().unwrap_or_else(|| "unknown".into()),
            deal.value
                .filter(|v| v.is_finite())
                .map(|v| format!("{v}"))
                .unwrap_or_default(),
            deal.created.map(Timestamp::iso).unwrap_or_default(),
            deal.closed.map(Timestamp::iso).unwrap_or_default(),
            outcome.as_str().to_string(),
            deal.lost_stage.clone().unwrap_or_default(),
            deal.lost_step.clone().unwrap_or_default(),
        ]);
        let standard = self.row.len();
        for (name, value) in &deal.extra {
            if let Some(i) = self.extra_column(name) {
                let width = self.row.len().max(standard + i + 1);
                self.row.resize(width, String::new());
                self.row[standard + i].clone_from(value);
            }
        }
        self.row
            .resize(standard + self.extra_names.len(), String::new());
        self.deals_header()?;
        self.deals.write_record(&self.row)?;
        let activities: Vec<&str> = case.events.iter().map(|e| e.activity.as_str()).collect();
        self.stats.add(outcome, &activities);
        Ok(Ok(()))
    }

    /// Fills in what the source left unstated (see the module comment).
    fn derive(&self, case: &Case) -> Result<DealFields, CaseProblem> {
        let mut d = case.deal.clone();
        let first = case.events.first();
        let Some(created) = d.created.or(first.map(|e| e.time)) else {
            return Err(CaseProblem::NoCreation);
        };
        d.created = Some(created);
        // The earliest event (they are sorted) against a stated creation: the log reader
        // refuses an event before it, so the import does.
        if let Some(e) = first {
            if let Err(expected) = AfterCreation::Event.check(e.time, created) {
                return Err(CaseProblem::EventBeforeCreation {
                    activity: e.activity.clone(),
                    time: e.time,
                    expected,
                    at: e.at,
                });
            }
        }
        if d.rep.is_none() {
            d.rep = first.map(|e| e.resource.clone()).filter(|r| !r.is_empty());
        }
        let closing = case.events.iter().find_map(|e| {
            if self.rule.won.contains(&e.activity) {
                Some((Outcome::Won, e))
            } else if self.rule.lost.contains(&e.activity) {
                Some((Outcome::Lost, e))
            } else {
                None
            }
        });
        let outcome = *d
            .outcome
            .get_or_insert(closing.map_or(Outcome::Open, |(o, _)| o));
        match outcome {
            Outcome::Open => d.closed = None,
            _ => {
                let event = closing.filter(|(o, _)| *o == outcome).map(|(_, e)| e);
                d.closed = d
                    .closed
                    .or(event.map(|e| e.time))
                    .or(case.events.last().map(|e| e.time));
                let Some(closed) = d.closed else {
                    return Err(CaseProblem::NoClose);
                };
                if let Err(expected) = AfterCreation::Close.check(closed, created) {
                    return Err(CaseProblem::ClosedBeforeCreation {
                        closed,
                        expected,
                        at: d.closed_at.clone(),
                    });
                }
                if outcome == Outcome::Lost {
                    if let Some(e) = event {
                        d.lost_stage = d.lost_stage.or(e.stage.clone());
                        d.lost_step = d.lost_step.or(e.step.clone());
                    }
                }
            }
        }
        Ok(d)
    }

    /// Writes the header of `deals.csv` if no case did, and flushes both tables.
    pub fn finish(mut self) -> std::io::Result<Written> {
        self.deals_header()?;
        self.events.flush()?;
        self.deals.flush()?;
        let late = self.header_extras != Some(self.extra_names.len());
        let widen_to = late.then(|| {
            DEALS_HEADER
                .trim_end()
                .split(',')
                .map(str::to_string)
                .chain(self.extra_names)
                .collect()
        });
        Ok(Written {
            stats: self.stats,
            cases_sorted: self.cases_sorted,
            both_outcomes: self.both_outcomes.clone(),
            widen_to,
        })
    }
}

/// Rewrites the `deals.csv` at `path` with `header` as its first line and every row padded
/// with empty values to the header's width: the rows written before a late extra column
/// (see [`Written::widen_to`]) gain it, empty. Goes through a temporary file beside it.
pub fn widen_deals(path: &Path, header: &[String]) -> std::io::Result<()> {
    let tmp = path.with_extension("csv.widening");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)?;
    let mut writer = csv::Writer::from_path(&tmp)?;
    writer.write_record(header)?;
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    while reader.read_byte_record(&mut record)? {
        if std::mem::take(&mut first) {
            continue;
        }
        let pad = header.len().saturating_sub(record.len());
        writer.write_record(record.iter().chain(std::iter::repeat_n(&b""[..], pad)))?;
    }
    writer.flush()?;
    drop(writer);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(day: i32, secs: i64) -> Timestamp {
        Timestamp(DayNum(day).start().0 + secs)
    }

    fn write(cases: Vec<Case>) -> (String, String, LogStats, u64, Vec<Option<CaseProblem>>) {
        let (mut ev, mut de) = (Vec::new(), Vec::new());
        let mut w = CaseWriter::new(&mut ev, &mut de, OutcomeRule::default()).unwrap();
        let problems = cases
            .into_iter()
            .map(|mut c| w.write(&mut c).unwrap().err())
            .collect();
        let Written {
            stats,
            cases_sorted: sorted,
            ..
        } = w.finish().unwrap();
        (
            String::from_utf8(ev).unwrap(),
            String::from_utf8(de).unwrap(),
            stats,
            sorted,
            problems,
        )
    }

    #[test]
    fn derives_deals_from_events_and_sorts() {
        let mut lost = RawEvent::new(t(20_000, 3600), "lost", "rep-a");
        lost.stage = Some("sale".into());
        lost.step = Some("terms".into());
        let a = Case {
            id: "A,1".into(),
            deal: DealFields::default(),
            // Out of order on purpose: the created event comes second in the source.
            events: vec![
                lost,
                RawEvent::new(t(19_990, 0), "deal_created", "rep-a"),
                RawEvent::new(t(19_995, 60), "call", "rep-b"),
            ],
        };
        let b = Case {
            id: "B".into(),
            deal: DealFields {
                segment: Some("smb".into()),
                value: Some(1500.0),
                ..DealFields::default()
            },
            events: vec![RawEvent::new(t(19_991, 0), "deal_created", "rep-c")],
        };
        let dup = Case {
            id: "B".into(),
            ..b.clone()
        };
        let empty = Case {
            id: "C".into(),
            ..Case::default()
        };
        let (ev, de, stats, sorted, problems) = write(vec![a, b, dup, empty]);
        assert_eq!(sorted, 1);
        assert_eq!(
            problems,
            vec![
                None,
                None,
                Some(CaseProblem::Duplicate),
                Some(CaseProblem::NoCreation)
            ]
        );
        // Day 19_990 is 2024-09-24 (2024-01-01 is day 19_723, plus 244 days to 1 September, plus 23).
        assert_eq!(
            de,
            "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n\
             \"A,1\",unsegmented,rep-a,unknown,,2024-09-24T00:00:00,2024-10-04T01:00:00,lost,sale,terms\n\
             B,smb,rep-c,unknown,1500,2024-09-25T00:00:00,,open,,\n"
        );
        let lines: Vec<&str> = ev.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[1].starts_with("\"A,1\",deal_created,2024-09-24T00:00:00,rep-a,unsegmented,"));
        assert!(lines[3]
            .starts_with("\"A,1\",lost,2024-10-04T01:00:00,rep-a,unsegmented,sale,terms,complete"));
        assert_eq!(
            (stats.cases, stats.events, stats.lost, stats.open),
            (2, 4, 1, 1)
        );
        assert_eq!(stats.start_activities["deal_created"], 2);
        assert_eq!(stats.end_activities["lost"], 1);
    }

    /// Extra columns: declared ones first, then in the order met; one met after the first
    /// row leaves the rows before it short until [`widen_deals`] fills them in.
    #[test]
    fn extra_columns_declared_met_and_met_late() {
        let case = |id: &str, extra: &[(&str, &str)]| Case {
            id: id.into(),
            deal: DealFields {
                extra: extra
                    .iter()
                    .map(|&(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                ..DealFields::default()
            },
            events: vec![RawEvent::new(t(19_990, 0), "deal_created", "r")],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deals.csv");
        let mut de = Vec::new();
        let mut w = CaseWriter::new(std::io::sink(), &mut de, OutcomeRule::default()).unwrap();
        w.add_extra_columns(["tier", "segment", ""]);
        // `segment` is a standard column, never an extra one; `note` comes last, met late.
        for mut c in [
            case("A", &[("region", "n"), ("segment", "x"), ("tier", "gold")]),
            case("B", &[("note", "a, b"), ("region", "s"), ("region", "e")]),
        ] {
            w.write(&mut c).unwrap().unwrap();
        }
        let written = w.finish().unwrap();
        let header = written.widen_to.expect("a column met late");
        assert_eq!(header[10..], ["tier", "region", "note"]);
        std::fs::write(&path, de).unwrap();
        widen_deals(&path, &header).unwrap();
        let row = "unsegmented,r,unknown,,2024-09-24T00:00:00,,open,,";
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step,tier,region,note\n\
                 A,{row},gold,n,\n\
                 B,{row},,e,\"a, b\"\n"
            )
        );
        // Met in the first case: the header has it, nothing to widen.
        let mut w = CaseWriter::new(std::io::sink(), Vec::new(), OutcomeRule::default()).unwrap();
        w.write(&mut case("A", &[("region", "n")]))
            .unwrap()
            .unwrap();
        assert_eq!(w.finish().unwrap().widen_to, None);
    }
}

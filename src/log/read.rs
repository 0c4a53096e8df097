//! Reading an event log in dealsim's CSV format (`events.csv` + `deals.csv`).
//!
//! Required columns: events `case_id, activity, timestamp`; deals `case_id, segment, created,
//! outcome` (and `closed` for won/lost deals). Other columns are optional; deal columns
//! beyond the standard ones (an import's extras) are read, as text, only by
//! [`read_log_with_extras`], for exports. An event's `segment`, where stated, must be its
//! deal's. Timestamps are ISO 8601 local times (`YYYY-MM-DDTHH:MM:SS`, a space instead of
//! `T`, or a date alone).
//! Every problem names the file, the line and the column, and what was expected.

use indicatif::ProgressBar;
use rustc_hash::FxHashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::extras::{is_standard_deal_column, DealExtras};
use super::{Deal, DealId, Event, Lifecycle, Log, Outcome, Symbols, POOLED, UNSEGMENTED};
use crate::error::{check_columns_named_once, csv_error, InputError};
use crate::line_endings::CrlfAsLf;
use crate::time::{DayNum, Timestamp};

/// Parses `YYYY-MM-DD[(T| )HH:MM[:SS]]`.
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0u32, |a, d| a * 10 + (d - b'0') as u32))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d)?;
    let day = DayNum::from_ymd(y as i32, m, d);
    let secs = match b.len() {
        10 => 0,
        16 | 19 if b[10] == b'T' || b[10] == b' ' => {
            let (hh, mm) = (num(11..13)?, num(14..16)?);
            let ss = if b.len() == 19 { num(17..19)? } else { 0 };
            if b[13] != b':' || (b.len() == 19 && b[16] != b':') || hh > 23 || mm > 59 || ss > 59 {
                return None;
            }
            hh * 3600 + mm * 60 + ss
        }
        _ => return None,
    };
    Some(Timestamp(day.start().0 + secs as i64))
}

/// Parses a date `YYYY-MM-DD` without a time of day: a day the user or a file names (`--as-of`,
/// `cut.json`, `policy.toml`), not a moment.
pub fn parse_day(s: &str) -> Option<DayNum> {
    parse_timestamp(s)
        .filter(|t| t.0 % crate::time::SECONDS_PER_DAY == 0)
        .map(|t| t.day())
}

/// What [`deal_value`] accepts, for messages: "expected {DEAL_VALUE}".
pub const DEAL_VALUE: &str = "a deal value ≥ 0";

/// A deal's value as the log holds it: a finite amount ≥ 0 (a negative one is a refund or a
/// typo, not the size of a deal). The reader and every importer take values through here, so
/// an import never writes a value the reader would refuse.
pub fn deal_value(text: &str) -> Option<f64> {
    (text.trim().parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0)
}

/// What [`forecast_probability`] accepts, for messages.
pub const PROBABILITY: &str = "a probability in [0, 1]";

/// A rep's forecast probability as the log holds it (shared with the importers, as
/// [`deal_value`] is).
pub fn forecast_probability(text: &str) -> Option<f32> {
    (text.trim().parse::<f32>().ok()).filter(|p| (0.0..=1.0).contains(p))
}

/// A time of a deal that may not come before the deal's creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterCreation {
    /// One of its events.
    Event,
    /// Its close (won or lost).
    Close,
}

impl AfterCreation {
    /// `Err(what was expected)` when `time` is before `created`: a deal's history starts at
    /// its creation, and the indicators measure ages from there (a negative age has no
    /// landmark). Shared with the importers, which refuse what the reader would.
    pub fn check(self, time: Timestamp, created: Timestamp) -> Result<(), String> {
        if time >= created {
            return Ok(());
        }
        Err(match self {
            AfterCreation::Event => {
                format!("a time not before the deal's creation ({})", created.iso())
            }
            AfterCreation::Close => {
                format!("a close timestamp not before `created` ({})", created.iso())
            }
        })
    }
}

/// Column positions of a CSV header, with errors that list what is there.
struct Columns {
    origin: String,
    names: Vec<String>,
}

impl Columns {
    fn required(&self, name: &str) -> Result<usize, InputError> {
        self.optional(name).ok_or_else(|| {
            // One column holding the whole header: a spreadsheet re-saved it with another
            // separator, which the message should say rather than only list that column.
            let resaved = match self.names.as_slice() {
                [only] if only.contains(';') || only.contains('\t') => {
                    "; the file is separated by semicolons or tabs, but dealsim's own event \
                     log is comma-separated (`dealsim import csv` reads other separators)"
                }
                _ => "",
            };
            InputError::new(
                &self.origin,
                format!(
                    "missing required column `{name}`; the header has: {}{resaved}",
                    self.names.join(", ")
                ),
            )
            .at_position(1, 1)
        })
    }

    fn optional(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// A log file as the csv crate reads it: its CR LF line endings as LFs, so that line numbers
/// are right ([`CrlfAsLf`]).
type LogReader = csv::Reader<CrlfAsLf<BufReader<File>>>;

fn open(path: &Path) -> Result<(LogReader, Columns), InputError> {
    let origin = path.display().to_string();
    let mut file = BufReader::with_capacity(
        1 << 16,
        File::open(path).map_err(|e| InputError::new(&origin, format!("cannot open: {e}")))?,
    );
    let head = file
        .fill_buf()
        .map_err(|e| InputError::new(&origin, format!("cannot read: {e}")))?;
    if crate::import::is_gzip(head) {
        return Err(InputError::new(
            &origin,
            "the file is gzip-compressed, but must be plain CSV: decompress it first (gunzip \
             -k FILE.gz), or bring it in with `dealsim import csv`, which reads gzip",
        )
        .at_position(1, 1));
    }
    crate::import::check_not_utf16(head, path)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(CrlfAsLf::new(file));
    let names = reader
        .headers()
        .map_err(|e| csv_error(&origin, None, &e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>();
    if names.iter().all(|n| n.is_empty()) {
        return Err(InputError::new(
            &origin,
            "empty file: expected a CSV header line",
        ));
    }
    check_columns_named_once(&origin, names.iter().map(String::as_str))?;
    Ok((reader, Columns { origin, names }))
}

/// Records per batch handed from the parsing thread to the converting one: large enough that
/// the hand-over costs nothing next to the records, small enough to stay in cache.
const BATCH: usize = 512;

/// Batches in flight between the two threads (the parser stays at most this far ahead).
const BATCHES_AHEAD: usize = 4;

/// Calls `each` on every record of `reader`, in file order, while a second thread splits the
/// next records out of the file: splitting CSV and converting its fields each take about half
/// of reading a large log, so the two halves overlap. The first error in file order stops
/// the read: a field error from `each`, or the parser's CSV error after the records before it.
/// After each batch, `done` hears the byte offset in the file of its last record: the work
/// converted so far, not the parser's read-ahead.
fn for_each_record(
    mut reader: LogReader,
    cols: &Columns,
    done: &dyn Fn(u64),
    mut each: impl FnMut(&csv::StringRecord) -> Result<(), InputError>,
) -> Result<(), InputError> {
    // For the parser's errors, which name a field by its index.
    let headers = csv::StringRecord::from(cols.names.clone());
    type Batch = Vec<csv::StringRecord>;
    let (full_tx, full_rx) =
        std::sync::mpsc::sync_channel::<Result<Batch, csv::Error>>(BATCHES_AHEAD);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        scope.spawn(move || loop {
            // Batches come back for reuse, so records keep their buffers.
            let mut batch = empty_rx.try_recv().unwrap_or_default();
            batch.resize_with(BATCH, csv::StringRecord::new);
            let mut n = 0;
            let mut failed = None;
            while n < BATCH {
                match reader.read_record(&mut batch[n]) {
                    Ok(true) => n += 1,
                    Ok(false) => break,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            batch.truncate(n);
            let last = n < BATCH;
            // A send fails only when the converting side stopped at an error of its own.
            if full_tx.send(Ok(batch)).is_err() {
                return;
            }
            if let Some(e) = failed {
                let _ = full_tx.send(Err(e));
                return;
            }
            if last {
                return;
            }
        });
        // Returning drops the receiver, which stops the parser if it is still going.
        let full_rx = full_rx;
        for batch in full_rx.iter() {
            let batch = batch.map_err(|e| csv_error(&cols.origin, Some(&headers), &e))?;
            batch.iter().try_for_each(&mut each)?;
            if let Some(p) = batch.last().and_then(csv::StringRecord::position) {
                done(p.byte());
            }
            let _ = empty_tx.send(batch);
        }
        Ok(())
    })
}

/// A field of a record, with its position for error messages.
struct Field<'r> {
    origin: &'r str,
    line: usize,
    column: &'r str,
    column_index: usize,
    value: &'r str,
}

impl Field<'_> {
    fn error(&self, expected: &str) -> InputError {
        InputError::new(
            self.origin,
            format!(
                "column `{}`: expected {expected}, got {:?}",
                self.column, self.value
            ),
        )
        .at_position(self.line, self.column_index + 1)
    }

    fn timestamp(&self) -> Result<Timestamp, InputError> {
        parse_timestamp(self.value.trim()).ok_or_else(|| {
            self.error("an ISO 8601 timestamp YYYY-MM-DDTHH:MM:SS or date YYYY-MM-DD")
        })
    }
}

fn field<'r>(cols: &'r Columns, rec: &'r csv::StringRecord, i: usize) -> Field<'r> {
    Field {
        origin: &cols.origin,
        line: rec.position().map_or(0, |p| p.line() as usize),
        column: &cols.names[i],
        column_index: i,
        value: rec.get(i).unwrap_or(""),
    }
}

fn opt_sym(sy: &mut Symbols, rec: &csv::StringRecord, col: Option<usize>) -> Option<u32> {
    let v = rec.get(col?)?.trim();
    (!v.is_empty()).then(|| sy.intern(v))
}

/// Reads `deals.csv` then `events.csv` into a [`Log`].
pub fn read_log(events_path: &Path, deals_path: &Path) -> Result<Log, InputError> {
    read_log_reporting(events_path, deals_path, &|_, _| {})
}

/// [`read_log`], calling `progress(read, total)` as it goes: the bytes of the two files read so
/// far, of their size together. The size is known before the first record, so `read / total`
/// is a true fraction of the work (parsing and converting cost about the same per byte).
pub fn read_log_reporting(
    events_path: &Path,
    deals_path: &Path,
    progress: &dyn Fn(u64, u64),
) -> Result<Log, InputError> {
    read(events_path, deals_path, false, progress).map(|(log, _)| log)
}

/// A `progress` for [`read_log_reporting`] that shows the read on `bar`, as "read log" with
/// the bytes read as its position and the files' size as its length.
pub fn shown_on(bar: &ProgressBar) -> impl Fn(u64, u64) + '_ {
    crate::progress::phase(bar, "read log", None);
    move |read, total| {
        if bar.length() != Some(total) {
            bar.set_length(total);
        }
        bar.set_position(read);
    }
}

/// Reads the log as [`read_log`] does, refusing an events file without any event beside a
/// deal table with deals: every indicator would be missing for every deal, and `score`,
/// `tune` and `flag` would exit 0 with empty rankings, rules or flags (a header saved alone, an
/// export cut before its first event, the wrong file). What those three read; exports and
/// tests may still read such a log.
pub fn read_log_with_events(events_path: &Path, deals_path: &Path) -> Result<Log, InputError> {
    read_log_with_events_reporting(events_path, deals_path, &|_, _| {})
}

/// [`read_log_with_events`], reporting its progress as [`read_log_reporting`] does.
pub fn read_log_with_events_reporting(
    events_path: &Path,
    deals_path: &Path,
    progress: &dyn Fn(u64, u64),
) -> Result<Log, InputError> {
    let log = read_log_reporting(events_path, deals_path, progress)?;
    if log.events.is_empty() {
        return Err(InputError::new(
            events_path.display().to_string(),
            format!(
                "no events in the file: expected a row per event after the header (its {} deals \
                 in {} need their histories)",
                log.deals.len(),
                deals_path.display()
            ),
        )
        .at_position(2, 0));
    }
    Ok(log)
}

/// Reads the log as [`read_log`] does, and the deal table's extra columns beside it (for
/// exports, which carry them along).
pub fn read_log_with_extras(
    events_path: &Path,
    deals_path: &Path,
) -> Result<(Log, DealExtras), InputError> {
    read(events_path, deals_path, true, &|_, _| {})
}

/// The size of the file `path` opened already, for progress only (0 if it cannot be known).
fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn read(
    events_path: &Path,
    deals_path: &Path,
    keep_extras: bool,
    progress: &dyn Fn(u64, u64),
) -> Result<(Log, DealExtras), InputError> {
    let mut symbols = Symbols::default();
    let (reader, cols) = open(deals_path)?;
    let deals_size = size(deals_path);
    let total = deals_size + size(events_path);
    progress(0, total);
    let mut extras = DealExtras::new(
        cols.names
            .iter()
            .enumerate()
            .filter(|(_, n)| keep_extras && !is_standard_deal_column(n))
            .map(|(i, n)| (n.clone(), i + 1)),
    );
    let extra_cols: Vec<usize> = extras.columns().map(|(_, c)| c - 1).collect();
    let c_id = cols.required("case_id")?;
    let c_segment = cols.required("segment")?;
    let c_created = cols.required("created")?;
    let c_outcome = cols.required("outcome")?;
    let (c_closed, c_rep, c_source, c_value) = (
        cols.optional("closed"),
        cols.optional("rep"),
        cols.optional("source"),
        cols.optional("value"),
    );
    let (c_lost_stage, c_lost_step) = (cols.optional("lost_stage"), cols.optional("lost_step"));
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut deals = Vec::new();
    let unknown = symbols.intern("unknown");
    for_each_record(reader, &cols, &|b| progress(b, total), |rec| {
        let id_field = field(&cols, rec, c_id);
        let id = id_field.value.trim().to_string();
        if id.is_empty() {
            return Err(id_field.error("a case id"));
        }
        if index.contains_key(&id) {
            return Err(id_field.error("a case id not seen before (duplicate)"));
        }
        let outcome_field = field(&cols, rec, c_outcome);
        let outcome = match outcome_field.value.trim() {
            "won" => Outcome::Won,
            "lost" => Outcome::Lost,
            "open" | "" => Outcome::Open,
            _ => return Err(outcome_field.error("won, lost or open")),
        };
        let created = field(&cols, rec, c_created).timestamp()?;
        let closed = match c_closed {
            Some(c) if !rec.get(c).unwrap_or("").trim().is_empty() => {
                Some(field(&cols, rec, c).timestamp()?)
            }
            _ => None,
        };
        if outcome != Outcome::Open && closed.is_none() {
            let f = field(&cols, rec, c_closed.unwrap_or(c_outcome));
            return Err(f.error("a close timestamp for a won or lost deal"));
        }
        if let (Some(c), Some(t)) = (c_closed, closed) {
            (AfterCreation::Close.check(t, created)).map_err(|e| field(&cols, rec, c).error(&e))?;
        }
        let value = match c_value {
            Some(c) if !rec.get(c).unwrap_or("").trim().is_empty() => {
                let f = field(&cols, rec, c);
                deal_value(f.value).ok_or_else(|| f.error(DEAL_VALUE))?
            }
            _ => f64::NAN,
        };
        let segment_field = field(&cols, rec, c_segment);
        if segment_field.value.trim().is_empty() {
            return Err(segment_field.error("a segment name"));
        }
        if segment_field.value.trim() == POOLED {
            return Err(segment_field.error(&format!(
                "a segment name other than `{POOLED}`, which names all segments pooled in every \
                 output (rename it, e.g. `{UNSEGMENTED}`)"
            )));
        }
        index.insert(id.clone(), deals.len());
        deals.push(Deal {
            id: DealId(deals.len() as u64),
            segment: symbols.intern(segment_field.value.trim()),
            rep: opt_sym(&mut symbols, rec, c_rep).unwrap_or(unknown),
            source: opt_sym(&mut symbols, rec, c_source).unwrap_or(unknown),
            value,
            created,
            closed: if outcome == Outcome::Open {
                None
            } else {
                closed
            },
            outcome,
            lost_stage: opt_sym(&mut symbols, rec, c_lost_stage),
            lost_step: opt_sym(&mut symbols, rec, c_lost_step),
        });
        extras.push_deal(extra_cols.iter().map(|&c| rec.get(c).unwrap_or("").trim()));
        Ok(())
    })?;
    // A header alone would score into an empty ranking and exit 0: say so instead.
    if deals.is_empty() {
        return Err(InputError::new(
            &cols.origin,
            "no deals in the file: expected a row per deal after the header",
        )
        .at_position(2, 0));
    }
    let case_ids: Vec<String> = {
        let mut v = vec![String::new(); deals.len()];
        for (k, &i) in &index {
            v[i].clone_from(k);
        }
        v
    };

    let (reader, cols) = open(events_path)?;
    let e_id = cols.required("case_id")?;
    let e_activity = cols.required("activity")?;
    let e_time = cols.required("timestamp")?;
    let e_segment = cols.optional("segment");
    let [e_resource, e_stage, e_step, e_lifecycle, e_card, e_prob, e_close] = [
        "resource",
        "stage",
        "step",
        "lifecycle",
        "card_field",
        "forecast_probability",
        "expected_close",
    ]
    .map(|c| cols.optional(c));
    // Each event and, alongside, its deal: the deal column is dropped once the events are in
    // (deal, time) order, so the events need not be copied out of (deal, event) pairs.
    let mut events: Vec<Event> = Vec::new();
    let mut owners: Vec<u32> = Vec::new();
    let mut last_id = String::new();
    let mut last_deal = 0u32;
    let nobody = symbols.intern("");
    let events_done = |b| progress(deals_size + b, total);
    for_each_record(reader, &cols, &events_done, |record| {
        let id = record.get(e_id).unwrap_or("").trim();
        if id != last_id {
            last_deal = match index.get(id) {
                Some(&d) => d as u32,
                None => {
                    return Err(field(&cols, record, e_id)
                        .error(&format!("a case id listed in {}", deals_path.display())));
                }
            };
            last_id = id.to_string();
        }
        // An event's segment, when the file states one, is its deal's: a different one means
        // events and deals from different logs (e.g. two runs' files), which would otherwise
        // score silently as deals without their events.
        if let Some(c) = e_segment {
            let stated = field(&cols, record, c);
            let segment = symbols.name(deals[last_deal as usize].segment);
            if !stated.value.trim().is_empty() && stated.value.trim() != segment {
                return Err(stated.error(&format!(
                    "the segment of case {id:?} in {} ({segment:?}; are the events and the deals \
                     from different logs?)",
                    deals_path.display()
                )));
            }
        }
        let activity_field = field(&cols, record, e_activity);
        if activity_field.value.trim().is_empty() {
            return Err(activity_field.error("an activity name"));
        }
        let activity = symbols.intern(activity_field.value.trim());
        let time_field = field(&cols, record, e_time);
        let time = time_field.timestamp()?;
        let created = deals[last_deal as usize].created;
        (AfterCreation::Event.check(time, created)).map_err(|e| time_field.error(&e))?;
        let lifecycle = match e_lifecycle.map(|c| record.get(c).unwrap_or("").trim()) {
            Some("start") => Lifecycle::Start,
            Some("complete") | Some("") | None => Lifecycle::Complete,
            Some(_) => {
                return Err(
                    field(&cols, record, e_lifecycle.unwrap_or(0)).error("start or complete")
                )
            }
        };
        let forecast_probability = match e_prob {
            Some(c) if !record.get(c).unwrap_or("").trim().is_empty() => {
                let f = field(&cols, record, c);
                Some(forecast_probability(f.value).ok_or_else(|| f.error(PROBABILITY))?)
            }
            _ => None,
        };
        let expected_close = match e_close {
            Some(c) if !record.get(c).unwrap_or("").trim().is_empty() => {
                Some(field(&cols, record, c).timestamp()?.day())
            }
            _ => None,
        };
        owners.push(last_deal);
        events.push(Event {
            time,
            activity,
            lifecycle,
            resource: opt_sym(&mut symbols, record, e_resource).unwrap_or(nobody),
            stage: opt_sym(&mut symbols, record, e_stage).into(),
            step: opt_sym(&mut symbols, record, e_step).into(),
            card_field: opt_sym(&mut symbols, record, e_card).into(),
            forecast_probability: forecast_probability.into(),
            expected_close: expected_close.into(),
        });
        Ok(())
    })?;
    // Stable: events of one deal at the same instant keep their file order. Logs written by
    // dealsim (and most exports) are already in this order: checking costs one pass.
    let key = |i: usize| (owners[i], events[i].time);
    if !(0..events.len()).is_sorted_by_key(key) {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| key(i));
        events = order.iter().map(|&i| events[i]).collect();
    }
    let mut offsets = vec![0usize; deals.len() + 1];
    for &d in &owners {
        offsets[d as usize + 1] += 1;
    }
    for i in 0..deals.len() {
        offsets[i + 1] += offsets[i];
    }
    let log = Log {
        symbols,
        deals,
        case_ids,
        events,
        offsets,
    };
    progress(total, total);
    Ok((log, extras))
}

/// The day after a [`DayNum`], as the timestamp where it begins.
pub fn end_of_day(d: DayNum) -> Timestamp {
    DayNum(d.0 + 1).start()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log of two deals with `n` (< 3,600) calls each, one second apart, spread over several batches;
    /// `edit(line, row)` may change any events.csv row (line 1 is the header).
    fn log_files(n: usize, edit: impl Fn(usize, String) -> String) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let deals = "case_id,segment,created,outcome,closed\n\
                     a,smb,2025-01-01T08:00:00,open,\n\
                     b,smb,2025-01-01T08:00:00,won,2025-03-01T00:00:00\n";
        std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
        let mut events = String::from("case_id,activity,timestamp\n");
        for deal in ["a", "b"] {
            for i in 0..n {
                let line = events.lines().count() + 1;
                let row = format!("{deal},call,2025-01-02T08:{:02}:{:02}", i / 60, i % 60);
                events.push_str(&edit(line, row));
                events.push('\n');
            }
        }
        std::fs::write(dir.path().join("events.csv"), events).unwrap();
        dir
    }

    fn read(dir: &tempfile::TempDir) -> Result<Log, InputError> {
        read_log(
            &dir.path().join("events.csv"),
            &dir.path().join("deals.csv"),
        )
    }

    #[test]
    fn records_from_the_parsing_thread_arrive_complete_and_in_order() {
        let n = 3 * BATCH + 7; // a partly filled last batch
        let log = read(&log_files(n, |_, row| row)).unwrap();
        for deal in 0..2 {
            let events = log.events_of(deal);
            assert_eq!(events.len(), n);
            let seconds: Vec<i64> = events.iter().map(|e| e.time.0).collect();
            assert!(seconds.windows(2).all(|w| w[1] == w[0] + 1), "{seconds:?}");
        }
    }

    /// `dealsim score` showed "read log 0% (eta 0s)" for the whole read: the reader now says
    /// how many bytes of the two files it has read, of their size, as it goes.
    #[test]
    fn the_read_reports_bytes_of_both_files_up_to_their_size() {
        let dir = log_files(3 * BATCH + 7, |_, row| row);
        let (events, deals) = (dir.path().join("events.csv"), dir.path().join("deals.csv"));
        let total = size(&events) + size(&deals);
        let heard = std::sync::Mutex::new(Vec::new());
        read_log_reporting(&events, &deals, &|read, all| {
            heard.lock().unwrap().push((read, all))
        })
        .unwrap();
        let heard = heard.into_inner().unwrap();
        assert!(heard.iter().all(|&(_, all)| all == total), "{heard:?}");
        let read: Vec<u64> = heard.iter().map(|&(r, _)| r).collect();
        assert_eq!((read[0], read[read.len() - 1]), (0, total));
        assert!(read.windows(2).all(|w| w[0] <= w[1]), "{read:?}");
        // One report per batch of events in between, past the deal table.
        let between = read.iter().filter(|&&r| r > size(&deals) && r < total);
        assert!(between.count() >= 3, "{read:?}");
    }

    #[test]
    fn events_out_of_order_are_sorted_by_deal_and_time_keeping_ties_in_file_order() {
        let in_order = log_files(3, |_, row| row);
        let lines: Vec<String> = std::fs::read_to_string(in_order.path().join("events.csv"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        // Deal b first, deal a's events reversed, and two of a's at one instant (kinds x, y).
        let shuffled = [
            &lines[0],
            &lines[4],
            &lines[6],
            &lines[5],
            &lines[3],
            &"a,y,2025-01-02T08:00:01".to_string(),
            &lines[2],
            &"a,x,2025-01-02T08:00:01".to_string(),
            &lines[1],
        ]
        .map(|l| format!("{l}\n"))
        .concat();
        std::fs::write(in_order.path().join("events.csv"), shuffled).unwrap();
        let log = read(&in_order).unwrap();
        let seen = |deal: usize| -> Vec<(i64, String)> {
            let t0 = log.events_of(deal)[0].time.0;
            log.events_of(deal)
                .iter()
                .map(|e| (e.time.0 - t0, log.symbols.name(e.activity).to_string()))
                .collect()
        };
        let call = |t: i64| (t, "call".to_string());
        let tie = |k: &str| (1, k.to_string());
        assert_eq!(seen(0), [call(0), tie("y"), call(1), tie("x"), call(2)]);
        assert_eq!(seen(1), [call(0), call(1), call(2)]);
    }

    #[test]
    fn the_first_error_in_file_order_is_reported_across_batches() {
        let n = 3 * BATCH;
        let bad_time = |at: usize| {
            move |line: usize, row: String| {
                if line == at {
                    row.replace("2025-01-02", "2025-13-02")
                } else {
                    row
                }
            }
        };
        let too_many =
            |at: usize| move |line: usize, row: String| if line == at { row + ",x" } else { row };
        let message = |dir: tempfile::TempDir| read(&dir).unwrap_err().to_string();
        // A field error in a late batch.
        let e = message(log_files(n, bad_time(2 * BATCH + 5)));
        assert!(
            e.contains(&format!("line {}, column 3", 2 * BATCH + 5)),
            "{e}"
        );
        // A CSV error (detected by the parsing thread) before a field error, and after one.
        let both = |csv_at: usize, field_at: usize| {
            log_files(n, move |line, row| {
                too_many(csv_at)(line, bad_time(field_at)(line, row))
            })
        };
        let e = message(both(BATCH + 3, 2 * BATCH));
        assert!(
            e.contains(&format!("line {}", BATCH + 3)) && e.contains("fields but the header has 3"),
            "{e}"
        );
        let e = message(both(2 * BATCH, BATCH + 3));
        assert!(
            e.contains(&format!("line {}, column 3", BATCH + 3)) && e.contains("timestamp"),
            "{e}"
        );
    }

    #[test]
    fn an_event_whose_segment_is_not_its_deals_is_refused_by_line_and_case() {
        let dir = log_files(0, |_, row| row);
        let events = "case_id,activity,timestamp,segment\n\
                      a,call,2025-01-02T08:00:00,smb\n\
                      b,call,2025-01-02T08:00:00,\n\
                      b,call,2025-01-03T08:00:00,enterprise\n";
        std::fs::write(dir.path().join("events.csv"), events).unwrap();
        let e = read(&dir).unwrap_err();
        assert_eq!(e.position, Some((4, 4)));
        let m = e.to_string();
        assert!(
            m.contains("column `segment`: expected the segment of case \"b\" in ")
                && m.contains("deals.csv (\"smb\"; are the events and the deals from different logs?), got \"enterprise\""),
            "{m}"
        );
    }

    /// Invalid UTF-8 is reported in the column that holds it (the csv crate says which field),
    /// not in column 1 whatever the field.
    #[test]
    fn invalid_utf8_names_its_column() {
        let dir = log_files(1, |_, row| row);
        let deals = b"case_id,segment,rep,created,outcome\n\
                      a,smb,ann,2025-01-01T08:00:00,open\n\
                      b,smb,M\xfcller,2025-01-01T08:00:00,open\n";
        std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
        let e = read(&dir).unwrap_err();
        assert_eq!(e.position, Some((3, 3)));
        assert!(
            e.to_string()
                .contains("column `rep`: invalid UTF-8 at byte 2 of the field"),
            "{e}"
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            parse_timestamp("2025-03-04T09:30:05").unwrap().iso(),
            "2025-03-04T09:30:05"
        );
        assert_eq!(
            parse_timestamp("2025-03-04 09:30").unwrap().iso(),
            "2025-03-04T09:30:00"
        );
        assert_eq!(
            parse_timestamp("2025-03-04").unwrap().iso(),
            "2025-03-04T00:00:00"
        );
        for bad in [
            "2025-02-30",
            "2025-3-4",
            "04.03.2025",
            "2025-03-04T25:00:00",
            "",
            "2025-03-04T09:30:05Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}

//! Reading an event log in dealsim's CSV format (`events.csv` + `deals.csv`).
//!
//! Required columns: events `case_id, activity, timestamp`; deals `case_id, segment, created,
//! outcome` (and `closed` for won/lost deals). Other columns are optional. Timestamps are ISO
//! 8601 local times (`YYYY-MM-DDTHH:MM:SS`, a space instead of `T`, or a date alone).
//! Every problem names the file, the line and the column, and what was expected.

use rustc_hash::FxHashMap;
use std::path::Path;

use super::{Deal, DealId, Event, Lifecycle, Log, Outcome, Symbols};
use crate::error::InputError;
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

/// Column positions of a CSV header, with errors that list what is there.
struct Columns {
    origin: String,
    names: Vec<String>,
}

impl Columns {
    fn required(&self, name: &str) -> Result<usize, InputError> {
        self.optional(name).ok_or_else(|| {
            InputError::new(
                &self.origin,
                format!(
                    "missing required column `{name}`; the header has: {}",
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

fn open(path: &Path) -> Result<(csv::Reader<std::fs::File>, Columns), InputError> {
    let origin = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| InputError::new(&origin, format!("cannot open: {e}")))?;
    let names = reader
        .headers()
        .map_err(|e| csv_error(&origin, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>();
    if names.iter().all(|n| n.is_empty()) {
        return Err(InputError::new(
            &origin,
            "empty file: expected a CSV header line",
        ));
    }
    Ok((reader, Columns { origin, names }))
}

fn csv_error(origin: &str, e: csv::Error) -> InputError {
    let line = e.position().map(|p| p.line() as usize);
    let msg = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8: the file must be UTF-8 text".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("a row has {len} fields but the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    let err = InputError::new(origin, msg);
    match line {
        Some(l) => err.at_position(l, 1),
        None => err,
    }
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
    let mut symbols = Symbols::default();
    let (mut reader, cols) = open(deals_path)?;
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
    for rec in reader.records() {
        let rec = rec.map_err(|e| csv_error(&cols.origin, e))?;
        let id_field = field(&cols, &rec, c_id);
        let id = id_field.value.trim().to_string();
        if id.is_empty() {
            return Err(id_field.error("a case id"));
        }
        if index.contains_key(&id) {
            return Err(id_field.error("a case id not seen before (duplicate)"));
        }
        let outcome_field = field(&cols, &rec, c_outcome);
        let outcome = match outcome_field.value.trim() {
            "won" => Outcome::Won,
            "lost" => Outcome::Lost,
            "open" | "" => Outcome::Open,
            _ => return Err(outcome_field.error("won, lost or open")),
        };
        let created = field(&cols, &rec, c_created).timestamp()?;
        let closed = match c_closed {
            Some(c) if !rec.get(c).unwrap_or("").trim().is_empty() => {
                Some(field(&cols, &rec, c).timestamp()?)
            }
            _ => None,
        };
        if outcome != Outcome::Open && closed.is_none() {
            let f = field(&cols, &rec, c_closed.unwrap_or(c_outcome));
            return Err(f.error("a close timestamp for a won or lost deal"));
        }
        let value = match c_value {
            Some(c) if !rec.get(c).unwrap_or("").trim().is_empty() => {
                let f = field(&cols, &rec, c);
                f.value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| f.error("a number"))?
            }
            _ => f64::NAN,
        };
        let segment_field = field(&cols, &rec, c_segment);
        if segment_field.value.trim().is_empty() {
            return Err(segment_field.error("a segment name"));
        }
        index.insert(id.clone(), deals.len());
        deals.push(Deal {
            id: DealId(deals.len() as u64),
            segment: symbols.intern(segment_field.value.trim()),
            rep: opt_sym(&mut symbols, &rec, c_rep).unwrap_or(unknown),
            source: opt_sym(&mut symbols, &rec, c_source).unwrap_or(unknown),
            value,
            created,
            closed: if outcome == Outcome::Open {
                None
            } else {
                closed
            },
            outcome,
            lost_stage: opt_sym(&mut symbols, &rec, c_lost_stage),
            lost_step: opt_sym(&mut symbols, &rec, c_lost_step),
        });
    }
    let case_ids: Vec<String> = {
        let mut v = vec![String::new(); deals.len()];
        for (k, &i) in &index {
            v[i].clone_from(k);
        }
        v
    };

    let (mut reader, cols) = open(events_path)?;
    let e_id = cols.required("case_id")?;
    let e_activity = cols.required("activity")?;
    let e_time = cols.required("timestamp")?;
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
    let mut keyed: Vec<(u32, Event)> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut last_id = String::new();
    let mut last_deal = 0u32;
    let nobody = symbols.intern("");
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(&cols.origin, e))?
    {
        let id = record.get(e_id).unwrap_or("").trim();
        if id != last_id {
            last_deal = match index.get(id) {
                Some(&d) => d as u32,
                None => {
                    return Err(field(&cols, &record, e_id)
                        .error(&format!("a case id listed in {}", deals_path.display())));
                }
            };
            last_id = id.to_string();
        }
        let activity_field = field(&cols, &record, e_activity);
        if activity_field.value.trim().is_empty() {
            return Err(activity_field.error("an activity name"));
        }
        let activity = symbols.intern(activity_field.value.trim());
        let time = field(&cols, &record, e_time).timestamp()?;
        let lifecycle = match e_lifecycle.map(|c| record.get(c).unwrap_or("").trim()) {
            Some("start") => Lifecycle::Start,
            Some("complete") | Some("") | None => Lifecycle::Complete,
            Some(_) => {
                return Err(
                    field(&cols, &record, e_lifecycle.unwrap_or(0)).error("start or complete")
                )
            }
        };
        let forecast_probability = match e_prob {
            Some(c) if !record.get(c).unwrap_or("").trim().is_empty() => {
                let f = field(&cols, &record, c);
                Some(
                    f.value
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|p| (0.0..=1.0).contains(p))
                        .ok_or_else(|| f.error("a probability in [0, 1]"))?,
                )
            }
            _ => None,
        };
        let expected_close = match e_close {
            Some(c) if !record.get(c).unwrap_or("").trim().is_empty() => {
                Some(field(&cols, &record, c).timestamp()?.day())
            }
            _ => None,
        };
        keyed.push((
            last_deal,
            Event {
                time,
                activity,
                lifecycle,
                resource: opt_sym(&mut symbols, &record, e_resource).unwrap_or(nobody),
                stage: opt_sym(&mut symbols, &record, e_stage),
                step: opt_sym(&mut symbols, &record, e_step),
                card_field: opt_sym(&mut symbols, &record, e_card),
                forecast_probability,
                expected_close,
            },
        ));
    }
    // Stable: events of one deal at the same instant keep their file order. Logs written by
    // dealsim (and most exports) are already in this order: checking costs one pass.
    if !keyed.is_sorted_by_key(|(d, e)| (*d, e.time)) {
        keyed.sort_by_key(|(d, e)| (*d, e.time));
    }
    let mut offsets = vec![0usize; deals.len() + 1];
    for (d, _) in &keyed {
        offsets[*d as usize + 1] += 1;
    }
    for i in 0..deals.len() {
        offsets[i + 1] += offsets[i];
    }
    let events = keyed.into_iter().map(|(_, e)| e).collect();
    Ok(Log {
        symbols,
        deals,
        case_ids,
        events,
        offsets,
    })
}

/// The day after a [`DayNum`], as the timestamp where it begins.
pub fn end_of_day(d: DayNum) -> Timestamp {
    DayNum(d.0 + 1).start()
}

#[cfg(test)]
mod tests {
    use super::*;

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

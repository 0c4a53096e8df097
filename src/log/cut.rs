//! A log as it looked at the end of a given day: what `dealsim flag` sees of today's
//! pipeline, and how a finished run is replayed "as of" a past date.
//!
//! Cutting at day `D` keeps the deals created by the end of `D` and their events up to then;
//! a deal closed after `D` becomes open again (its outcome and loss step are forgotten).
//! `dealsim cut` records `D` in `cut.json` beside the log it writes: the log is known to be
//! complete up to the end of `D` even when its last event is days earlier (a weekend, a quiet
//! day), so `flag` and `cut` accept `--as-of D` on it. Extra deal columns known only at close
//! (a CRM's `close_value`, named in [`DEAL_COLUMNS`]) are blanked for a reopened deal too.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::extras::{named_like_a_close, DealColumns, DealExtras, DEAL_COLUMNS};
use super::read::{end_of_day, read_log_with_extras};
use super::{Log, Outcome};
use crate::error::{json_beside, Error, InputError, IoContext};
use crate::export::csv_log::{write_deal, EventRows, DEALS_HEADER, EVENTS_HEADER};
use crate::indicators::BESIDE_LOG as INDICATORS;
use crate::output::OutputDir;
use crate::scenario::BESIDE_LOG as SCENARIO;
use crate::time::DayNum;

/// A log with the names of `log` and no deals.
fn empty_like(log: &Log) -> Log {
    Log {
        symbols: log.symbols.clone(),
        deals: Vec::new(),
        case_ids: Vec::new(),
        events: Vec::new(),
        offsets: vec![0],
    }
}

/// The deals of `log` created by the end of day `as_of` (indices into `log.deals`), in order:
/// the deals [`cut`] keeps.
pub fn kept(log: &Log, as_of: DayNum) -> impl Iterator<Item = usize> + '_ {
    let end = end_of_day(as_of);
    (0..log.deals.len()).filter(move |&i| log.deals[i].created < end)
}

/// The log as of the end of day `as_of`.
pub fn cut(log: &Log, as_of: DayNum) -> Log {
    let end = end_of_day(as_of);
    let mut out = empty_like(log);
    for i in kept(log, as_of) {
        let deal = &log.deals[i];
        let mut d = deal.clone();
        if d.closed.is_some_and(|c| c >= end) {
            d.closed = None;
            d.outcome = Outcome::Open;
            d.lost_stage = None;
            d.lost_step = None;
        }
        out.deals.push(d);
        out.case_ids.push(log.case_ids[i].clone());
        out.events
            .extend(log.events_of(i).iter().filter(|e| e.time < end).copied());
        out.offsets.push(out.events.len());
    }
    out
}

/// `log` as it was known at the end of its observation window's last day `end`: [`cut`] there
/// when anything in it happened later, else `log` itself. A window that ends before the data
/// does must not see what came after it: a deal still open on `end` is censored there, not
/// scored with the outcome it got weeks later, and a deal created after `end` is not in the
/// window at all. Scoring with `--window-end D` thus equals scoring the log `cut` at `D`.
pub fn within_window(log: &Log, end: Option<DayNum>) -> std::borrow::Cow<'_, Log> {
    match end {
        Some(day) if log.last_timestamp().is_some_and(|t| t >= end_of_day(day)) => {
            std::borrow::Cow::Owned(cut(log, day))
        }
        _ => std::borrow::Cow::Borrowed(log),
    }
}

/// The file `dealsim cut` writes beside the cut log, recording the day it was cut at.
pub const CUT_JSON: &str = "cut.json";

/// What `cut.json` holds: the `--as-of` day and, for the record, where the log came from.
#[derive(Debug, Serialize, Deserialize)]
struct CutRecord {
    as_of: String,
    #[serde(default)]
    events: String,
    #[serde(default)]
    deals: String,
}

/// The day the log whose events file is `events` was cut at: `cut.json` in the same
/// directory, if there is one (a log `dealsim cut` wrote); `None` for any other log.
pub fn cut_day(events: &Path) -> Result<Option<DayNum>, InputError> {
    let Some((record, origin)) =
        json_beside::<CutRecord>(events, CUT_JSON, "the JSON `dealsim cut` writes")?
    else {
        return Ok(None);
    };
    crate::log::read::parse_day(&record.as_of)
        .map(Some)
        .ok_or_else(|| {
            InputError::new(
                &origin,
                format!("expected a date YYYY-MM-DD, got {:?}", record.as_of),
            )
            .at_field("as_of")
        })
}

/// An observation window's last day and where it was set: a flag (`--window-end`), a scenario
/// file's `window.end` (`run` scores its simulation up to it) or a cut log's [`CUT_JSON`]. A
/// day that does not fit the data ([`check_window_end`]) is blamed on that place, so that the
/// message points at what to change. A flag's day is the user's estimate of when an export
/// was taken; a file's is when the log is known to end (the simulation ran, or the cut was
/// made, up to it), so only a flag's is held to the data's quiet spells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowEnd {
    pub day: DayNum,
    /// The flag or the file the day came from.
    pub origin: String,
    /// The field of that file holding the day; `None` for a flag.
    pub field: Option<&'static str>,
}

impl WindowEnd {
    /// `day`, given as the value of `flag`.
    pub fn flag(day: DayNum, flag: &str) -> WindowEnd {
        WindowEnd {
            day,
            origin: flag.to_string(),
            field: None,
        }
    }

    /// `day`, read from `field` of the file `origin`.
    pub fn field(day: DayNum, origin: impl Into<String>, field: &'static str) -> WindowEnd {
        WindowEnd {
            day,
            origin: origin.into(),
            field: Some(field),
        }
    }

    /// An error about the day, located where it was set.
    fn error(&self, message: String) -> InputError {
        let e = InputError::new(&self.origin, message);
        match self.field {
            Some(f) => e.at_field(f),
            None => e,
        }
    }
}

/// The observation window's last day for the log whose events file is `events`: `chosen` (a
/// flag's value, named by `flag` in errors), else the day a log from `dealsim cut` was cut at
/// (its [`CUT_JSON`]: the log is known up to then, even when its last event is days earlier),
/// else `None` (the last day in the log). A chosen day after the cut is refused: the log cannot
/// tell what happened after it, and its open deals would look stalled for the days between.
pub fn window_end(
    chosen: Option<DayNum>,
    events: &Path,
    flag: &str,
) -> Result<Option<WindowEnd>, InputError> {
    let cut = cut_day(events)?;
    match (chosen, cut) {
        (Some(w), Some(c)) if w > c => Err(InputError::new(
            flag,
            format!(
                "{} is after {}, the day the log was cut (cut.json): expected a day up to {}",
                w.iso(),
                c.iso(),
                c.iso()
            ),
        )),
        (Some(w), _) => Ok(Some(WindowEnd::flag(w, flag))),
        (None, c) => Ok(c.map(|c| {
            WindowEnd::field(
                c,
                events.with_file_name(CUT_JSON).display().to_string(),
                "as_of",
            )
        })),
    }
}

/// The days `log` covers: the first deal's creation day and the last day anything happened.
fn data_days(log: &Log) -> Option<(DayNum, DayNum)> {
    let first = log.deals.iter().map(|d| d.created.day()).min()?;
    let last = log.last_timestamp()?.day();
    Some((first, last))
}

/// Checks that `as_of` lies within the data: from the first creation day to the last day
/// anything happened, or to `cut_day` if the log was cut then ([`cut_day`]): a log cut on a
/// Sunday ends with Friday's events but is known up to Sunday. A later day is refused, since
/// the log cannot tell what happened after it was cut. `flag` is the option it came from, for
/// the message.
pub fn check_as_of(
    log: &Log,
    as_of: DayNum,
    flag: &str,
    cut_day: Option<DayNum>,
) -> Result<(), InputError> {
    let Some((f, recorded)) = data_days(log) else {
        return Err(InputError::new(flag, "the log has no deals to cut"));
    };
    let (l, what) = match cut_day {
        Some(c) if c > recorded => (c, "the day the log was cut, cut.json"),
        _ => (recorded, "last recorded day"),
    };
    if as_of >= f && as_of <= l {
        return Ok(());
    }
    Err(InputError::new(
        flag,
        format!(
            "{} is outside the data: expected a day from {} (first deal created) to {} ({what})",
            as_of.iso(),
            f.iso(),
            l.iso()
        ),
    ))
}

/// The day of `end`, once checked against the data of `log`; `None` when there is no `end`.
/// Not before the data: from there no deal has been seen, and every score would be empty.
/// A flag's day ([`WindowEnd::flag`]) may lie after the last recorded day, unlike
/// [`check_as_of`], by as much as the data's longest quiet spell ([`quiet_days`]), at least a
/// week: a real export is taken some days after the last activity. Not further: the deals
/// still open would count as seen open until then, and a deal open longer than a score's
/// horizon as one that was not lost (a window end years after the data made every open deal
/// a control). A file's day ([`WindowEnd::field`]) may lie any time after: the log is known
/// up to it, quiet or not (a small simulation whose deals have all closed weeks before its
/// window ends, a log cut on a Sunday). Errors name where `end` was set.
pub fn check_window_end(log: &Log, end: Option<&WindowEnd>) -> Result<Option<DayNum>, InputError> {
    let Some(end) = end else {
        return Ok(None);
    };
    let Some((f, l)) = data_days(log) else {
        return Ok(Some(end.day));
    };
    if end.day < f {
        return Err(end.error(format!(
            "{} is before the data: expected a day from {} (first deal created) on; the last recorded day is {}",
            end.day.iso(),
            f.iso(),
            l.iso()
        )));
    }
    // Up to a week after the last recorded day is always accepted: the quiet spells, a pass
    // over every event, are looked for only beyond that (`dealsim run`'s window end is
    // within a week of its last event).
    if end.field.is_none() && end.day > DayNum(l.0 + 7) {
        let quiet = quiet_days_within(log, (f, l));
        let latest = DayNum(l.0 + quiet.max(7));
        if end.day > latest {
            return Err(end.error(format!(
                "{} is {} days after the last recorded day {}, longer than any quiet spell in \
                 the data ({quiet} days): expected a day up to {} (a later end would take the \
                 deals still open as seen open, and not lost, until then)",
                end.day.iso(),
                end.day.0 - l.0,
                l.iso(),
                latest.iso()
            )));
        }
    }
    Ok(Some(end.day))
}

/// The longest run of days without any event, creation or close between two recorded days of
/// `log` (days between them: 0 for consecutive days).
pub fn quiet_days(log: &Log) -> i32 {
    data_days(log).map_or(0, |span| quiet_days_within(log, span))
}

/// [`quiet_days`] of `log`, whose [`data_days`] are `(first, last)`.
fn quiet_days_within(log: &Log, (first, last): (DayNum, DayNum)) -> i32 {
    // One flag per day of the data's span (creations start it), not a sorted copy of every
    // event's day: a log can hold a hundred million events.
    let mut seen = vec![false; (last.0 - first.0 + 1) as usize];
    let deals = log.deals.iter().flat_map(|d| [Some(d.created), d.closed]);
    for t in log
        .events
        .iter()
        .map(|e| Some(e.time))
        .chain(deals)
        .flatten()
    {
        if let Some(s) = seen.get_mut((t.day().0 - first.0) as usize) {
            *s = true;
        }
    }
    let mut longest = 0;
    let mut quiet = 0;
    for &s in &seen {
        quiet = if s { 0 } else { quiet + 1 };
        longest = longest.max(quiet);
    }
    longest
}

/// `fields` as the end of a CSV row, each after a comma (`,a,"b, c"`), quoted by the csv
/// crate as the importers' writer quotes them; nothing for no fields.
fn csv_tail<'f>(fields: impl IntoIterator<Item = &'f str>) -> Vec<u8> {
    let fields: Vec<&str> = fields.into_iter().collect();
    if fields.is_empty() {
        return Vec::new();
    }
    // An empty first field makes the comma before the first extra one (and a record of more
    // than one field, which the writer never quotes whole).
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(std::iter::once("").chain(fields))
        .expect("writing into memory cannot fail");
    let mut tail = w.into_inner().expect("writing into memory cannot fail");
    tail.pop();
    tail
}

/// Replaces each row's leading number (the row index the writers use) with `case_id`, a
/// CSV field as [`csv_field`] writes it.
fn with_case_id(rows: &[u8], case_id: &[u8], out: &mut Vec<u8>) {
    for line in rows.split_inclusive(|&b| b == b'\n') {
        let comma = line.iter().position(|&b| b == b',').unwrap_or(0);
        out.extend_from_slice(case_id);
        out.extend_from_slice(&line[comma..]);
    }
}

/// `field` as one CSV field, quoted as the importers' writer quotes it (`"Acme, Inc"`).
fn csv_field(field: &str) -> Vec<u8> {
    let mut tail = csv_tail([field]);
    tail.remove(0); // the comma before it
    tail
}

/// `dealsim cut`: reads a log, cuts it as of `as_of` and writes `events.csv`, `deals.csv`,
/// [`CUT_JSON`] and a copy of the files that tell how to read the log, if they lie beside it
/// (the indicator set an importer left, [`INDICATORS`], the scenario a simulation ran,
/// [`SCENARIO`], and the extra deal columns known only at close, [`DEAL_COLUMNS`], which a
/// reopened deal has blanked), into `out` (the directory appears whole or not at all). Returns
/// the number of deals kept, how many of them are open, and warnings.
pub fn cut_to_dir(
    events: &Path,
    deals: &Path,
    as_of: DayNum,
    out: &Path,
) -> Result<(usize, usize, Vec<String>), Error> {
    let known_until = cut_day(events)?;
    // The files that tell how to read the log go along: the indicator set and the scenario,
    // for `score`, `tune` and `flag`, and the columns known at close, for a later `cut`.
    let mut along = Vec::new();
    for name in [INDICATORS, SCENARIO, DEAL_COLUMNS] {
        let beside = events.with_file_name(name);
        if beside.is_file() {
            let bytes =
                std::fs::read(&beside).context(|| format!("reading {}", beside.display()))?;
            along.push((name, bytes));
        }
    }
    let (log, extras) = read_log_with_extras(events, deals)?;
    let known_at_close = DealColumns::beside(events, &extras)?;
    check_as_of(&log, as_of, "--as-of", known_until)?;
    let cut = cut(&log, as_of);
    let dir = OutputDir::create(out)?;
    // The deal table keeps an import's extra columns (account, sector, ...) as they were.
    let mut de = DEALS_HEADER.trim_end().as_bytes().to_vec();
    de.extend(csv_tail(extras.names().iter().map(String::as_str)));
    de.push(b'\n');
    let mut ev = EVENTS_HEADER.as_bytes().to_vec();
    let rows = EventRows::new(&cut.symbols);
    let mut buf = Vec::new();
    let mut reopened_count = 0;
    for ((i, d), original) in cut.deals.iter().enumerate().zip(kept(&log, as_of)) {
        buf.clear();
        rows.write(&mut buf, d, cut.events_of(i));
        let case_id = csv_field(&cut.case_ids[i]);
        with_case_id(&buf, &case_id, &mut ev);
        buf.clear();
        write_deal(&mut buf, &cut.symbols, d);
        buf.pop(); // the row's newline: the extra columns follow
                   // A deal reopened by the cut forgets what only its close made known.
        let reopened = d.outcome == Outcome::Open && log.deals[original].outcome != Outcome::Open;
        reopened_count += usize::from(reopened);
        let values = extras
            .values(original)
            .zip(&known_at_close)
            .map(|(v, &at_close)| if reopened && at_close { "" } else { v });
        buf.extend(csv_tail(values));
        buf.push(b'\n');
        with_case_id(&buf, &case_id, &mut de);
    }
    let mut record = serde_json::to_vec_pretty(&CutRecord {
        as_of: as_of.iso(),
        events: events.display().to_string(),
        deals: deals.display().to_string(),
    })
    .expect("a cut record always serialises");
    record.push(b'\n');
    let files = [("events.csv", ev), ("deals.csv", de), (CUT_JSON, record)];
    for (name, bytes) in files.into_iter().chain(along) {
        let path = dir.file(name);
        std::fs::write(&path, bytes).context(|| format!("writing {}", path.display()))?;
    }
    dir.commit()
        .context(|| format!("moving the cut log into {}", out.display()))?;
    let open = cut
        .deals
        .iter()
        .filter(|d| d.outcome == Outcome::Open)
        .count();
    let unmarked = unmarked_close_columns(&extras, &known_at_close, events, deals, reopened_count);
    Ok((cut.deals.len(), open, unmarked))
}

/// A warning for each extra deal column named like a close (`close_value`) that no
/// [`DEAL_COLUMNS`] beside the log marks as known only at close, when the cut reopened
/// deals: their values stay, and may give away how the deals ended. `dealsim import crm`
/// writes the marking; a log exported and imported again, or assembled by hand, has lost it
/// (a reviewer's re-imported CRM log kept the final close_value of 609 reopened deals).
fn unmarked_close_columns(
    extras: &DealExtras,
    known_at_close: &[bool],
    events: &Path,
    deals: &Path,
    reopened: usize,
) -> Vec<String> {
    if reopened == 0 {
        return Vec::new();
    }
    extras
        .names()
        .iter()
        .zip(known_at_close)
        .filter(|&(name, &marked)| !marked && named_like_a_close(name))
        .map(|(name, _)| {
            format!(
                "{}: column `{name}` is kept for the {reopened} deals the cut reopened, though its \
                 name says it may be known only at close: if it is, list it in {} beside {} \
                 ({{\"known_at_close\": [\"{name}\"]}}, as `dealsim import crm` writes) and \
                 cut again, and it is blanked for them",
                deals.display(),
                DEAL_COLUMNS,
                events.display()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Deal, DealId, Event, Lifecycle, Maybe, Symbols};
    use crate::time::Timestamp;

    fn at(day: i32, hour: i64) -> Timestamp {
        Timestamp(DayNum(day).start().0 + hour * 3600)
    }

    /// Deal 0: created day 10, lost day 20; deal 1: created day 12, won day 30; deal 2:
    /// created day 16 (after the cut). Events at days 11, 15 and 19 (deal 0), 13 and 29
    /// (deal 1), 17 (deal 2).
    fn log() -> Log {
        let mut symbols = Symbols::default();
        let (seg, rep, act) = (
            symbols.intern("s"),
            symbols.intern("r"),
            symbols.intern("a"),
        );
        let deal = |id: u64, created: i32, closed: i32, outcome: Outcome| Deal {
            id: DealId(id),
            segment: seg,
            rep,
            source: rep,
            value: 1.0,
            created: at(created, 9),
            closed: Some(at(closed, 9)),
            outcome,
            lost_stage: (outcome == Outcome::Lost).then_some(act),
            lost_step: None,
        };
        let event = |day: i32| Event {
            time: at(day, 12),
            activity: act,
            lifecycle: Lifecycle::Complete,
            resource: rep,
            stage: Maybe::NONE,
            step: Maybe::NONE,
            card_field: Maybe::NONE,
            forecast_probability: Maybe::NONE,
            expected_close: Maybe::NONE,
        };
        Log {
            symbols,
            deals: vec![
                deal(0, 10, 20, Outcome::Lost),
                deal(1, 12, 30, Outcome::Won),
                deal(2, 16, 40, Outcome::Won),
            ],
            case_ids: vec!["a".into(), "b".into(), "c".into()],
            events: [11, 15, 19, 13, 29, 17].map(event).to_vec(),
            offsets: vec![0, 3, 5, 6],
        }
    }

    #[test]
    fn cut_at_day_15_keeps_what_was_known_then() {
        let c = cut(&log(), DayNum(15));
        assert_eq!(c.case_ids, ["a", "b"]);
        // Both deals were still open at the end of day 15: outcomes forgotten.
        assert!(c
            .deals
            .iter()
            .all(|d| d.outcome == Outcome::Open && d.closed.is_none() && d.lost_stage.is_none()));
        // Day 15's event (12:00) is kept, day 19's dropped.
        let days: Vec<i32> = c.events.iter().map(|e| e.time.day().0).collect();
        assert_eq!(days, [11, 15, 13]);
        assert_eq!(c.offsets, [0, 2, 3]);
        // On the close day itself the deal is closed.
        let c = cut(&log(), DayNum(20));
        assert_eq!(c.deals[0].outcome, Outcome::Lost);
        assert_eq!(c.deals[1].outcome, Outcome::Open);
        assert_eq!(c.deals.len(), 3);
    }

    #[test]
    fn as_of_must_lie_within_the_data() {
        let l = log();
        assert!(check_as_of(&l, DayNum(10), "--as-of", None).is_ok());
        assert!(check_as_of(&l, DayNum(40), "--as-of", None).is_ok());
        let e = check_as_of(&l, DayNum(41), "--as-of", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--as-of: ") && e.contains("outside the data"),
            "{e}"
        );
        assert!(e.ends_with("(last recorded day)"), "{e}");
        assert!(check_as_of(&l, DayNum(9), "--as-of", None).is_err());
    }

    #[test]
    fn a_cut_log_is_known_up_to_the_day_it_was_cut() {
        // Cut at day 18: the last event is on day 17, yet day 18 is inside the data.
        let c = cut(&log(), DayNum(18));
        assert_eq!(c.last_timestamp().map(|t| t.day()), Some(DayNum(17)));
        assert!(check_as_of(&c, DayNum(18), "--as-of", None).is_err());
        assert!(check_as_of(&c, DayNum(18), "--as-of", Some(DayNum(18))).is_ok());
        let e = check_as_of(&c, DayNum(19), "--as-of", Some(DayNum(18)))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("outside the data") && e.contains("(the day the log was cut, cut.json)"),
            "{e}"
        );
        // A recorded day before the last event does not shrink the data.
        assert!(check_as_of(&log(), DayNum(40), "--as-of", Some(DayNum(18))).is_ok());
    }

    #[test]
    fn cut_json_is_read_beside_the_events_file() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.csv");
        assert_eq!(cut_day(&events), Ok(None));
        let json = dir.path().join(CUT_JSON);
        std::fs::write(&json, r#"{"as_of": "2026-02-15"}"#).unwrap();
        assert_eq!(cut_day(&events), Ok(Some(DayNum::from_ymd(2026, 2, 15))));
        std::fs::write(&json, r#"{"as_of": "15.02.2026"}"#).unwrap();
        let e = cut_day(&events).unwrap_err().to_string();
        assert!(
            e.contains("cut.json: as_of: expected a date YYYY-MM-DD, got \"15.02.2026\""),
            "{e}"
        );
        std::fs::write(&json, "{").unwrap();
        let e = cut_day(&events).unwrap_err().to_string();
        assert!(
            e.contains("cut.json: line 1") && e.contains("expected the JSON"),
            "{e}"
        );
    }

    #[test]
    fn a_cut_logs_window_ends_on_its_cut_day_and_not_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.csv");
        let day = |d| DayNum::from_ymd(2026, 2, d);
        // Any log: the chosen day, or none (the last day in the log).
        let flag = |d| Ok(Some(WindowEnd::flag(day(d), "--window-end")));
        assert_eq!(window_end(None, &events, "--window-end"), Ok(None));
        assert_eq!(window_end(Some(day(20)), &events, "--window-end"), flag(20));
        let json = dir.path().join(CUT_JSON);
        std::fs::write(&json, r#"{"as_of": "2026-02-15"}"#).unwrap();
        // The cut day, named after the file and field it came from.
        assert_eq!(
            window_end(None, &events, "--window-end"),
            Ok(Some(WindowEnd::field(
                day(15),
                json.display().to_string(),
                "as_of"
            )))
        );
        assert_eq!(window_end(Some(day(10)), &events, "--window-end"), flag(10));
        assert_eq!(window_end(Some(day(15)), &events, "--window-end"), flag(15));
        let e = window_end(Some(day(16)), &events, "--window-end").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--window-end: 2026-02-16 is after 2026-02-15, the day the log was cut (cut.json): \
             expected a day up to 2026-02-15"
        );
    }

    /// Recorded days 10-13, 15-17, 19, 20, 29, 30 and 40: the longest quiet spell is days 31 to
    /// 39, so a window may end up to 9 days after day 40.
    #[test]
    fn a_window_may_end_within_the_data_and_its_longest_quiet_spell_after_it() {
        let l = log();
        assert_eq!(quiet_days(&l), 9);
        let check = |end| check_window_end(&l, Some(&WindowEnd::flag(DayNum(end), "--window-end")));
        assert_eq!(check_window_end(&l, None), Ok(None));
        for end in [10, 29, 40, 49] {
            assert_eq!(check(end), Ok(Some(DayNum(end))));
        }
        let e = check(50).unwrap_err().to_string();
        assert!(
            e.contains("is 10 days after the last recorded day")
                && e.contains("(9 days): expected a day up to 1970-02-19"),
            "{e}"
        );
        let e = check(9).unwrap_err().to_string();
        assert!(
            e.starts_with("--window-end: ") && e.contains("is before the data"),
            "{e}"
        );
        // A scenario's or a cut's end is known, however quiet the days before it; one before
        // the data is blamed on its file and field.
        let end = |day| WindowEnd::field(DayNum(day), "s.toml", "window.end");
        assert_eq!(check_window_end(&l, Some(&end(500))), Ok(Some(DayNum(500))));
        let e = check_window_end(&l, Some(&end(9))).unwrap_err().to_string();
        assert!(
            e.starts_with("s.toml: window.end: 1970-01-10 is before the data"),
            "{e}"
        );
    }
}

//! A log as it looked at the end of a given day: what `dealsim flag` sees of today's
//! pipeline, and how a finished run is replayed "as of" a past date.
//!
//! Cutting at day `D` keeps the deals created by the end of `D` and their events up to then;
//! a deal closed after `D` becomes open again (its outcome and loss step are forgotten).

use std::path::Path;

use super::read::{end_of_day, read_log};
use super::{Log, Outcome};
use crate::error::{Error, InputError, IoContext};
use crate::export::csv_log::{write_deal, EventRows, DEALS_HEADER, EVENTS_HEADER};
use crate::output::OutputDir;
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

/// The log as of the end of day `as_of`.
pub fn cut(log: &Log, as_of: DayNum) -> Log {
    let end = end_of_day(as_of);
    let mut out = empty_like(log);
    for (i, deal) in log.deals.iter().enumerate() {
        if deal.created >= end {
            continue;
        }
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

/// The deals of `log` for which `keep(row)` holds, with their events.
pub fn subset(log: &Log, keep: impl Fn(usize) -> bool) -> Log {
    let mut out = empty_like(log);
    for i in (0..log.deals.len()).filter(|&i| keep(i)) {
        out.deals.push(log.deals[i].clone());
        out.case_ids.push(log.case_ids[i].clone());
        out.events.extend_from_slice(log.events_of(i));
        out.offsets.push(out.events.len());
    }
    out
}

/// The days `log` covers: the first deal's creation day and the last day anything happened.
fn data_days(log: &Log) -> Option<(DayNum, DayNum)> {
    let first = log.deals.iter().map(|d| d.created.day()).min()?;
    let last = log.last_timestamp()?.day();
    Some((first, last))
}

/// Checks that `as_of` lies within the data: from the first creation day to the last day
/// anything happened. `flag` is the option it came from, for the message.
pub fn check_as_of(log: &Log, as_of: DayNum, flag: &str) -> Result<(), InputError> {
    match data_days(log) {
        Some((f, l)) if as_of >= f && as_of <= l => Ok(()),
        Some((f, l)) => Err(InputError::new(
            flag,
            format!(
                "{} is outside the data: expected a day from {} (first deal created) to {} (last recorded day)",
                as_of.iso(),
                f.iso(),
                l.iso()
            ),
        )),
        None => Err(InputError::new(flag, "the log has no deals to cut")),
    }
}

/// Checks that an observation window's last day (`score` and `tune --window-end`) does not
/// come before the data: from there no deal has been seen, and every score would be empty.
/// A later day than the last recorded one is allowed, unlike [`check_as_of`]: a simulated
/// window runs on past its last event (`run` scores up to the scenario's end), and a real
/// export is taken some days after the last activity.
pub fn check_window_end(log: &Log, end: DayNum, flag: &str) -> Result<(), InputError> {
    match data_days(log) {
        Some((f, l)) if end < f => Err(InputError::new(
            flag,
            format!(
                "{} is before the data: expected a day from {} (first deal created) on; the last recorded day is {}",
                end.iso(),
                f.iso(),
                l.iso()
            ),
        )),
        _ => Ok(()),
    }
}

/// Replaces each row's leading number (the row index the writers use) with the case id.
fn with_case_id(rows: &[u8], case_id: &str, out: &mut Vec<u8>) {
    for line in rows.split_inclusive(|&b| b == b'\n') {
        let comma = line.iter().position(|&b| b == b',').unwrap_or(0);
        out.extend_from_slice(case_id.as_bytes());
        out.extend_from_slice(&line[comma..]);
    }
}

/// `dealsim cut`: reads a log, cuts it as of `as_of` and writes `events.csv` and `deals.csv`
/// into `out` (the directory appears whole or not at all). Returns the number of deals kept
/// and how many of them are open.
pub fn cut_to_dir(
    events: &Path,
    deals: &Path,
    as_of: DayNum,
    out: &Path,
) -> Result<(usize, usize), Error> {
    let log = read_log(events, deals)?;
    check_as_of(&log, as_of, "--as-of")?;
    let cut = cut(&log, as_of);
    let dir = OutputDir::create(out)?;
    let (mut ev, mut de) = (
        EVENTS_HEADER.as_bytes().to_vec(),
        DEALS_HEADER.as_bytes().to_vec(),
    );
    let rows = EventRows::new(&cut.symbols);
    let mut buf = Vec::new();
    for (i, d) in cut.deals.iter().enumerate() {
        buf.clear();
        rows.write(&mut buf, d, cut.events_of(i));
        with_case_id(&buf, &cut.case_ids[i], &mut ev);
        buf.clear();
        write_deal(&mut buf, &cut.symbols, d);
        with_case_id(&buf, &cut.case_ids[i], &mut de);
    }
    for (name, bytes) in [("events.csv", &ev), ("deals.csv", &de)] {
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
    Ok((cut.deals.len(), open))
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
        assert!(check_as_of(&l, DayNum(10), "--as-of").is_ok());
        assert!(check_as_of(&l, DayNum(40), "--as-of").is_ok());
        let e = check_as_of(&l, DayNum(41), "--as-of")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--as-of: ") && e.contains("outside the data"),
            "{e}"
        );
        assert!(check_as_of(&l, DayNum(9), "--as-of").is_err());
    }

    #[test]
    fn a_window_may_end_after_the_data_but_not_before_it() {
        let l = log();
        for end in [10, 29, 40, 400] {
            assert!(check_window_end(&l, DayNum(end), "--window-end").is_ok());
        }
        let e = check_window_end(&l, DayNum(9), "--window-end")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--window-end: ") && e.contains("is before the data"),
            "{e}"
        );
    }

    #[test]
    fn subset_keeps_the_chosen_deals_with_their_events() {
        let s = subset(&log(), |i| i != 0);
        assert_eq!(s.case_ids, ["b", "c"]);
        assert_eq!(s.offsets, [0, 2, 3]);
        assert_eq!(s.events_of(1)[0].time.day().0, 17);
    }
}

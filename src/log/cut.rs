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

/// Checks that `as_of` lies within the data: from the first creation day to the last day
/// anything happened. `flag` is the option it came from, for the message.
pub fn check_as_of(log: &Log, as_of: DayNum, flag: &str) -> Result<(), InputError> {
    let first = log.deals.iter().map(|d| d.created.day()).min();
    let last = log.last_timestamp().map(|t| t.day());
    match (first, last) {
        (Some(f), Some(l)) if as_of >= f && as_of <= l => Ok(()),
        (Some(f), Some(l)) => Err(InputError::new(
            flag,
            format!(
                "{} is outside the data: expected a day from {} (first deal created) to {} (last recorded day)",
                as_of.iso(),
                f.iso(),
                l.iso()
            ),
        )),
        _ => Err(InputError::new(flag, "the log has no deals to cut")),
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

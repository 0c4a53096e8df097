//! Dates far from the rest of an import: a year typed wrong (2027 for 2017) becomes the log's
//! last day, which `score` and `tune` take as the window's end unless told otherwise. Every
//! deal then looks followed for years, the tuner's temporal split moves, and `flag` accepts
//! an `--as-of` a decade on. The import still takes such a date (it may be right), but says
//! so, naming a case to look at.

use std::collections::BTreeMap;

use super::case::Case;
use crate::time::DayNum;

/// A stretch without any date this long, with few dates beyond it, sets those dates apart:
/// longer than any seasonal lull of a 3–5 month sales cycle.
pub const STRAY_GAP_DAYS: i32 = 180;

/// At most this share of an import's dates beyond such a gap are called stray: a handful of
/// typos, not a second period of data.
pub const STRAY_SHARE: f64 = 0.01;

/// How many cases have a date (an event, the creation, the close) on each day, with the first
/// case seen there.
#[derive(Debug, Default)]
pub struct DateSpread {
    days: BTreeMap<i32, (u64, String)>,
    total: u64,
}

/// The days `case` has a date on (events, creation, close), each once, ascending: a close and
/// the event recording it are one date.
pub fn days_of(case: &Case) -> Vec<i32> {
    let times = case.events.iter().map(|e| e.time);
    let deal = [case.deal.created, case.deal.closed].into_iter().flatten();
    let mut days: Vec<i32> = times.chain(deal).map(|t| t.day().0).collect();
    days.sort_unstable();
    days.dedup();
    days
}

impl DateSpread {
    /// Counts the `days` of the case `case_id` ([`days_of`]), once it is written.
    pub fn add(&mut self, days: &[i32], case_id: &str) {
        for &day in days {
            self.total += 1;
            let entry = self
                .days
                .entry(day)
                .or_insert_with(|| (0, case_id.to_string()));
            entry.0 += 1;
        }
    }

    /// One sentence per end of the data with stray dates, if any.
    pub fn notes(&self) -> Vec<String> {
        let late = self.stray(self.days.iter().rev().map(|(&d, v)| (d, v)));
        let early = self.stray(self.days.iter().map(|(&d, v)| (d, v)));
        let mut out = Vec::new();
        if let Some(s) = early {
            out.push(s.sentence("before", "first", "the first day of the data"));
        }
        if let Some(s) = late {
            out.push(s.sentence(
                "after",
                "last",
                "the last day of the data, where `score` and `tune` end the window unless \
                 `--window-end` says otherwise",
            ));
        }
        out
    }

    /// Walking from one end inwards (`days`), the stray dates beyond the gap nearest the rest
    /// of the data that still leaves at most [`STRAY_SHARE`] of the dates beyond it.
    fn stray<'a>(&self, days: impl Iterator<Item = (i32, &'a (u64, String))>) -> Option<Stray> {
        let most = (self.total as f64 * STRAY_SHARE).floor() as u64;
        let mut beyond = 0;
        let mut found = None;
        let mut outermost: Option<(i32, &str)> = None;
        let mut previous: Option<i32> = None;
        for (day, (count, case)) in days {
            if let Some(p) = previous {
                if (p - day).abs() > STRAY_GAP_DAYS {
                    let (extreme, case) = outermost.expect("a day before this one");
                    found = Some(Stray {
                        dates: beyond,
                        extreme: DayNum(extreme),
                        case: case.to_string(),
                        gap: ((p - day).abs(), DayNum(day), DayNum(p)),
                    });
                }
            }
            beyond += count;
            if beyond > most {
                break;
            }
            outermost.get_or_insert((day, case));
            previous = Some(day);
        }
        found
    }
}

/// Dates beyond a long gap at one end of the data.
#[derive(Debug)]
struct Stray {
    dates: u64,
    /// The outermost stray day and the first case seen on it.
    extreme: DayNum,
    case: String,
    /// The gap's length in days and the dates on its two sides (the rest's, the stray's).
    gap: (i32, DayNum, DayNum),
}

impl Stray {
    fn sentence(&self, side: &str, which: &str, role: &str) -> String {
        let (days, rest, stray) = self.gap;
        format!(
            "{} {side} a gap of {days} days without any ({} to {}): a year typed wrong? \
             The {which} of them, {} (case {:?}), is {role}",
            if self.dates == 1 {
                "1 date lies".to_string()
            } else {
                format!("{} dates lie", self.dates)
            },
            rest.min(stray).iso(),
            rest.max(stray).iso(),
            self.extreme.iso(),
            self.case,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::case::{DealFields, RawEvent};

    /// A case created on `created` with one event a day later and a close, if any.
    fn case(id: &str, created: DayNum, closed: Option<DayNum>) -> Case {
        Case {
            id: id.into(),
            deal: DealFields {
                created: Some(created.start()),
                closed: closed.map(DayNum::start),
                ..DealFields::default()
            },
            events: vec![RawEvent::new(DayNum(created.0 + 1).start(), "call", "")],
        }
    }

    fn spread(cases: &[Case]) -> DateSpread {
        let mut s = DateSpread::default();
        cases.iter().for_each(|c| s.add(&days_of(c), &c.id));
        s
    }

    /// 200 deals through 2017, one closed in 2027: its close is the one stray date.
    #[test]
    fn a_close_years_after_the_rest_is_named() {
        let start = DayNum::from_ymd(2017, 1, 2);
        let mut cases: Vec<Case> = (0..200)
            .map(|k| {
                case(
                    &format!("d{k}"),
                    DayNum(start.0 + k),
                    Some(DayNum(start.0 + k + 60)),
                )
            })
            .collect();
        assert_eq!(spread(&cases).notes(), Vec::<String>::new());
        cases[7] = case(
            "typo",
            DayNum(start.0 + 7),
            Some(DayNum::from_ymd(2027, 3, 11)),
        );
        let notes = spread(&cases).notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with(
                "1 date lies after a gap of 3461 days without any (2017-09-18 to 2027-03-11): a \
                 year typed wrong? The last of them, 2027-03-11 (case \"typo\"), is the last day"
            ),
            "{}",
            notes[0]
        );
    }

    /// At the start too; and dates beyond a gap are not stray when they are more than 1% of
    /// all: a second period of data, not typos.
    #[test]
    fn early_strays_and_a_second_period() {
        let start = DayNum::from_ymd(2017, 1, 2);
        let mut cases: Vec<Case> = (0..200)
            .map(|k| case(&format!("d{k}"), DayNum(start.0 + k), None))
            .collect();
        cases.push(case("old", DayNum::from_ymd(2007, 5, 1), None));
        let notes = spread(&cases).notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("2 dates lie before a gap of"),
            "{}",
            notes[0]
        );
        assert!(notes[0].contains("The first of them, 2007-05-01 (case \"old\")"));
        // 5 of 205 cases (10 of 410 dates, 2.4%) a year later: kept as data.
        let later = DayNum(start.0 + 600);
        let second: Vec<Case> = (0..5)
            .map(|k| case(&format!("n{k}"), DayNum(later.0 + k), None))
            .collect();
        let all = [&cases[..200], &second[..]].concat();
        assert_eq!(spread(&all).notes(), Vec::<String>::new());
    }
}

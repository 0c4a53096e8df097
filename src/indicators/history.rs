//! Win rates from other deals' past outcomes: the `prior_win_rate` primitive.
//!
//! A deal-level CRM export has no step events, but it does say how each owner (or segment, or
//! lead source) has fared before. At landmark `d` of a deal, the win rate of its group counts
//! only deals that closed on a calendar date strictly before the landmark's date
//! (`closed.day() < (created + d).day()`): what was known that morning. Later closes, same-day
//! closes and the deal itself (still open at `d`) never enter, so the value cannot leak the
//! outcome. Not for: outcome-free indicators, which live in [`super::evaluate`].

use super::spec::GroupBy;
use crate::log::{Deal, Log, Outcome, Sym};
use crate::time::DayNum;

/// Per group, cumulative (close day, won so far, closed so far), sorted by day.
#[derive(Debug, Clone)]
pub struct History {
    by: GroupBy,
    min_closed: u32,
    groups: Vec<Vec<(DayNum, u32, u32)>>,
}

fn group(by: GroupBy, d: &Deal) -> Sym {
    match by {
        GroupBy::Rep => d.rep,
        GroupBy::Segment => d.segment,
        GroupBy::Source => d.source,
    }
}

impl History {
    /// Indexes the closed deals of `log` by group and close date.
    pub fn new(log: &Log, by: GroupBy, min_closed: u32) -> History {
        let mut closes: Vec<(Sym, DayNum, bool)> = log
            .deals
            .iter()
            .filter_map(|d| {
                let won = match d.outcome {
                    Outcome::Won => true,
                    Outcome::Lost => false,
                    Outcome::Open => return None,
                };
                Some((group(by, d), d.closed?.day(), won))
            })
            .collect();
        closes.sort_unstable_by_key(|&(g, day, _)| (g, day));
        let mut groups = vec![Vec::new(); log.symbols.len()];
        for (g, day, won) in closes {
            let list: &mut Vec<(DayNum, u32, u32)> = &mut groups[g as usize];
            let (w, n) = list.last().map_or((0, 0), |&(_, w, n)| (w, n));
            let entry = (day, w + won as u32, n + 1);
            match list.last_mut() {
                Some(last) if last.0 == day => *last = entry,
                _ => list.push(entry),
            }
        }
        History {
            by,
            min_closed,
            groups,
        }
    }

    /// Win rate of `deal`'s group among deals closed before `date`; NaN (missing) while
    /// fewer than `min_closed` have closed.
    pub fn win_rate(&self, deal: &Deal, date: DayNum) -> f32 {
        let list = &self.groups[group(self.by, deal) as usize];
        let k = list.partition_point(|&(day, ..)| day < date);
        match k.checked_sub(1).map(|i| list[i]) {
            Some((_, won, closed)) if closed >= self.min_closed.max(1) => {
                won as f32 / closed as f32
            }
            _ => f32::NAN,
        }
    }
}

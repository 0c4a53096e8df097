//! Win rates from other deals' past outcomes: the `prior_win_rate` primitive.
//!
//! A deal-level CRM export has no step events, but it does say how each owner (or segment, or
//! lead source) has fared before. At landmark `d` of a deal, the win rate of its group counts
//! only deals that closed on a calendar date strictly before the landmark's date
//! (`closed.day() < (created + d).day()`): what was known that morning. Later closes, same-day
//! closes and the deal itself (still open at `d`) never enter, so the value cannot leak the
//! outcome. Not for: outcome-free indicators, which live in [`mod@super::evaluate`].

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{DealId, Symbols};
    use crate::time::Timestamp;
    use proptest::prelude::*;

    /// (rep, created day, closed day, outcome) → a log without events.
    fn log(deals: &[(&str, i32, Option<i32>, Outcome)]) -> Log {
        let mut symbols = Symbols::default();
        let seg = symbols.intern("smb");
        let deals: Vec<Deal> = deals
            .iter()
            .enumerate()
            .map(|(i, &(rep, created, closed, outcome))| Deal {
                id: DealId(i as u64),
                segment: seg,
                rep: symbols.intern(rep),
                source: seg,
                value: 1.0,
                created: Timestamp(DayNum(created).start().0 + 3600),
                closed: closed.map(|c| Timestamp(DayNum(c).start().0 + 7200)),
                outcome,
                lost_stage: None,
                lost_step: None,
            })
            .collect();
        Log {
            symbols,
            case_ids: (0..deals.len()).map(|i| i.to_string()).collect(),
            offsets: vec![0; deals.len() + 1],
            events: Vec::new(),
            deals,
        }
    }

    #[test]
    fn hand_computed_owner_win_rates() {
        use Outcome::*;
        let l = log(&[
            ("ann", 0, Some(10), Won),
            ("ann", 0, Some(20), Lost),
            ("ann", 0, Some(20), Won),
            ("ann", 0, Some(30), Lost),
            ("bob", 0, Some(15), Won),
            ("ann", 5, None, Open),
            ("ann", 25, Some(40), Lost),
        ]);
        let h = History::new(&l, GroupBy::Rep, 1);
        let ann = &l.deals[5];
        // Before day 10 nothing has closed: missing.
        assert!(h.win_rate(ann, DayNum(10)).is_nan());
        // Day 11: only the day-10 win. Bob's deal never counts for Ann.
        assert_eq!(h.win_rate(ann, DayNum(11)), 1.0);
        assert_eq!(h.win_rate(ann, DayNum(20)), 1.0);
        // Day 21: won 2 of 3 (the two day-20 closes enter together, the next day).
        assert_eq!(h.win_rate(ann, DayNum(21)), 2.0 / 3.0);
        assert_eq!(h.win_rate(ann, DayNum(31)), 0.5);
        assert_eq!(h.win_rate(ann, DayNum(41)), 0.4);
        assert_eq!(h.win_rate(&l.deals[4], DayNum(31)), 1.0);
        // min_closed: missing until that many have closed.
        let h3 = History::new(&l, GroupBy::Rep, 3);
        assert!(h3.win_rate(ann, DayNum(20)).is_nan());
        assert_eq!(h3.win_rate(ann, DayNum(21)), 2.0 / 3.0);
    }

    #[test]
    fn evaluated_at_the_landmark_date_through_the_indicator_engine() {
        use Outcome::*;
        // Deal 2 (ann, created day 15) at landmark 6 is on day 21 (2 of 3 won before it) and
        // at landmark 5 on day 20 (only the day-10 win is known).
        let l = log(&[
            ("ann", 0, Some(10), Won),
            ("ann", 0, Some(20), Lost),
            ("ann", 15, None, Open),
            ("ann", 0, Some(20), Won),
        ]);
        let spec: Vec<crate::indicators::IndicatorSpec> = crate::indicators::parse(
            "[[indicator]]\nname = \"owner_win_rate\"\ndescription = \"d\"\ndirection = \"higher_is_safer\"\nsignal = \"rep\"\nmeasure = { kind = \"prior_win_rate\", by = \"rep\", min_closed = 1 }\n",
            "test",
        )
        .unwrap();
        let scenario = crate::scenario::Scenario::embedded_default();
        let maps = crate::indicators::stage_map::StageMaps::new(&scenario, &l);
        let panel =
            crate::indicators::evaluate(&l, &spec, None, &maps, &[5, 6], DayNum(100).start());
        let value = |k: usize| {
            let rows = &panel.at[k];
            let r = rows.deals.iter().position(|&d| d == 2).unwrap();
            rows.values[0][r]
        };
        assert_eq!(value(0), 1.0);
        assert_eq!(value(1), 2.0 / 3.0);
    }

    proptest! {
        /// No leakage: changing the outcome or close date of any deal that closes on or after
        /// the landmark date never changes the value there.
        #[test]
        fn later_closes_never_change_the_value(
            deals in proptest::collection::vec((0u8..3, 0i32..60, 0i32..60, any::<bool>()), 1..40),
            date in 0i32..130,
            flip in any::<u64>(),
        ) {
            let reps = ["a", "b", "c"];
            let rows: Vec<(&str, i32, Option<i32>, Outcome)> = deals
                .iter()
                .map(|&(r, c, len, won)| {
                    (reps[r as usize], c, Some(c + len), if won { Outcome::Won } else { Outcome::Lost })
                })
                .collect();
            let mut later = rows.clone();
            for (i, row) in later.iter_mut().enumerate() {
                if row.2.unwrap() >= date && (flip >> (i % 64)) & 1 == 1 {
                    row.3 = if row.3 == Outcome::Won { Outcome::Lost } else { Outcome::Won };
                    row.2 = Some(row.2.unwrap() + 7);
                }
                if row.2.unwrap() >= date && (flip >> ((i + 7) % 64)) & 1 == 1 {
                    row.3 = Outcome::Open;
                    row.2 = None;
                }
            }
            let (l1, l2) = (log(&rows), log(&later));
            let (h1, h2) = (History::new(&l1, GroupBy::Rep, 1), History::new(&l2, GroupBy::Rep, 1));
            for i in 0..rows.len() {
                let (a, b) = (h1.win_rate(&l1.deals[i], DayNum(date)), h2.win_rate(&l2.deals[i], DayNum(date)));
                prop_assert!(a == b || (a.is_nan() && b.is_nan()), "deal {i}: {a} vs {b}");
                // And the value is the share won among those closed before the date.
                let before: Vec<bool> = rows
                    .iter()
                    .filter(|r| r.0 == rows[i].0 && r.2.unwrap() < date)
                    .map(|r| r.3 == Outcome::Won)
                    .collect();
                let want = before.iter().filter(|&&w| w).count() as f32 / before.len() as f32;
                prop_assert!(a == want || (a.is_nan() && before.is_empty()));
            }
        }
    }
}

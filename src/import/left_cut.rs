//! An export that starts with deals but not with their closes: cut on the left.
//!
//! A CRM export of "deals open on 1 March, and those created since" lists deals created
//! months before that date, but only those still open on it: the early deals that closed
//! quickly are missing. The oldest cohorts are then the slow survivors, with other win
//! rates and cycle lengths, and they are the tuner's training deals. The sign in the data: no
//! deal closes for months after the first one was created, where half the closed deals close
//! within weeks. The import says so; the data stays as it is.

use super::case::Case;
use crate::time::DayNum;

/// Below this many days between the first creation and the first close nothing is said,
/// whatever the cycle: a month's quiet start is common.
pub const QUIET_START_DAYS: i32 = 30;

/// The earlier of two days, either of which may be unknown.
fn earlier(a: Option<i32>, b: Option<i32>) -> Option<i32> {
    a.into_iter().chain(b).min()
}

/// The first creation and close days and the closed deals' cycle lengths (days).
#[derive(Debug, Default)]
pub struct CloseSpread {
    first_created: Option<i32>,
    first_closed: Option<i32>,
    cycles: Vec<i32>,
}

/// The creation and close days of `case`, if it has them.
pub fn deal_days(case: &Case) -> (Option<i32>, Option<i32>) {
    let day = |t: Option<crate::time::Timestamp>| t.map(|t| t.day().0);
    (day(case.deal.created), day(case.deal.closed))
}

impl CloseSpread {
    /// Counts a written case's creation and close days ([`deal_days`]).
    pub fn add(&mut self, (created, closed): (Option<i32>, Option<i32>)) {
        self.first_created = earlier(self.first_created, created);
        self.first_closed = earlier(self.first_closed, closed);
        if let (Some(a), Some(b)) = (created, closed) {
            self.cycles.push(b - a);
        }
    }

    /// The note, when the first close comes later after the first creation than both
    /// [`QUIET_START_DAYS`] and the median closed deal's cycle.
    pub fn note(&self) -> Option<String> {
        let (created, closed) = (self.first_created?, self.first_closed?);
        let mut cycles = self.cycles.clone();
        cycles.sort_unstable();
        let median = *cycles.get(cycles.len() / 2)?;
        let quiet = closed - created;
        (quiet > QUIET_START_DAYS && quiet > median).then(|| {
            format!(
                "no deal closes in the first {quiet} days of the data ({} to {}), though half \
                 the closed deals close within {median} days: the export may leave out the \
                 deals that closed before {}, so the deals created before then are the slow \
                 ones that stayed open, with their own win rate and cycle (the tuner trains on \
                 the oldest deals)",
                DayNum(created).iso(),
                DayNum(closed).iso(),
                DayNum(closed).iso()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::case::DealFields;

    fn case(created: DayNum, closed: Option<DayNum>) -> Case {
        Case {
            id: String::new(),
            deal: DealFields {
                created: Some(created.start()),
                closed: closed.map(DayNum::start),
                ..DealFields::default()
            },
            events: Vec::new(),
        }
    }

    fn spread(cases: &[Case]) -> CloseSpread {
        let mut s = CloseSpread::default();
        cases.iter().for_each(|c| s.add(deal_days(c)));
        s
    }

    /// Deals created from day 0, each closing 40 days later: the first close on day 40 is
    /// the cycle, nothing to say. Drop the closes before day 130 (an export of the deals open
    /// then) and keep 5 slow early deals: the first close comes 130 days in, past the median.
    #[test]
    fn a_late_first_close_is_pointed_out() {
        let start = DayNum::from_ymd(2016, 10, 20);
        let at = |k: i32| DayNum(start.0 + k);
        let whole: Vec<Case> = (0..300).map(|k| case(at(k), Some(at(k + 40)))).collect();
        assert_eq!(spread(&whole).note(), None);
        let cut: Vec<Case> = (0..5)
            .map(|k| case(at(k), Some(at(130 + k))))
            .chain((90..300).map(|k| case(at(k), Some(at(k + 40)))))
            .collect();
        let note = spread(&cut).note().expect("a note");
        assert!(
            note.starts_with(
                "no deal closes in the first 130 days of the data (2016-10-20 to 2017-02-27), \
                 though half the closed deals close within 40 days"
            ),
            "{note}"
        );
        // Open deals only, or no close at all: nothing to compare.
        assert_eq!(spread(&[case(at(0), None)]).note(), None);
    }
}

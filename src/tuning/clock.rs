//! The rule clock: the deal age by which a rule must fire does not run on holidays.
//!
//! Why: KPIs on rep work are working-day KPIs (a proposal within N working days), and on the
//! scenario's calendar nobody works on a holiday. A deal created just before the new-year
//! holidays has 7 fewer working days by calendar day 35 than one created in March, so a rule
//! "proposal delay ≥ 18.6 working days by day 35" could never fire on it. Tuned on a period
//! without such deals, the rule silently misses every deal that spans the holidays (found on
//! the default scenario's holdout, see `tests/tuning_default.rs`). Pausing the rule's clock
//! on holidays gives those deals the same working time to cross the threshold as any other
//! deal. Weekends need no pause: every 7-day landmark step holds the same number of them.
//!
//! A deal's **rule age** at landmark `l` is `landmarks[l]` minus the holidays among the days
//! after its creation day up to the landmark's day. The rule "by day d" checks the deal at
//! every landmark up to the first one at which its rule age reaches `d` — the weekly review at
//! or after the paused deadline; without holidays, exactly the landmarks `≤ d`. Lead times
//! are still measured from the landmark itself.

use crate::calendar::YearlyPeriod;
use crate::log::Log;
use crate::time::DayNum;

/// Rule ages of every deal of a log at every landmark.
#[derive(Debug, Clone)]
pub struct RuleClock {
    landmarks: Vec<u32>,
    /// Creation day of each deal, as an offset from the first creation day.
    created: Vec<u32>,
    /// `holidays_until[k]`: holidays among the first `k` days from the first creation day.
    holidays_until: Vec<u32>,
    /// Per landmark: the most holidays any creation day in the span pauses by it, so that
    /// `landmarks[l] − max_paused[l]` bounds every deal's rule age there from below.
    max_paused: Vec<u32>,
}

impl RuleClock {
    /// The clock of `log`'s deals on a calendar with `holidays`, at `landmarks` (ascending).
    pub fn new(log: &Log, holidays: &[YearlyPeriod], landmarks: &[u32]) -> RuleClock {
        let days: Vec<DayNum> = log.deals.iter().map(|d| d.created.day()).collect();
        RuleClock::from_created(&days, holidays, landmarks)
    }

    /// The clock of deals created on `created` (one day per deal).
    pub fn from_created(
        created: &[DayNum],
        holidays: &[YearlyPeriod],
        landmarks: &[u32],
    ) -> RuleClock {
        let days: Vec<i32> = created.iter().map(|d| d.0).collect();
        let first = days.iter().copied().min().unwrap_or(0);
        let last = days.iter().copied().max().unwrap_or(0);
        let span = (last - first) as usize + landmarks.last().copied().unwrap_or(0) as usize + 1;
        let mut holidays_until = Vec::with_capacity(span + 1);
        holidays_until.push(0);
        let mut count = 0;
        for k in 0..span {
            let day = DayNum(first + k as i32);
            count += u32::from(holidays.iter().any(|h| h.contains(day)));
            holidays_until.push(count);
        }
        let created_span = (last - first) as usize;
        let max_paused = landmarks
            .iter()
            .map(|&day| {
                (0..=created_span)
                    .map(|c| holidays_until[c + day as usize + 1] - holidays_until[c + 1])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        RuleClock {
            landmarks: landmarks.to_vec(),
            created: days.iter().map(|&d| (d - first) as u32).collect(),
            holidays_until,
            max_paused,
        }
    }

    /// A clock without holidays: rule age = deal age (hand-built logs, calendars without
    /// holidays).
    pub fn without_holidays(deals: usize, landmarks: &[u32]) -> RuleClock {
        RuleClock {
            landmarks: landmarks.to_vec(),
            created: vec![0; deals],
            holidays_until: vec![0; landmarks.last().copied().unwrap_or(0) as usize + 2],
            max_paused: vec![0; landmarks.len()],
        }
    }

    /// Deal `deal`'s rule age at landmark `l`: the landmark's age minus the holidays after the
    /// creation day, up to and including the landmark's day.
    #[inline]
    pub fn age(&self, deal: usize, l: usize) -> u32 {
        let day = self.landmarks[l];
        let c = self.created[deal] as usize;
        let paused = self.holidays_until[c + day as usize + 1] - self.holidays_until[c + 1];
        day - paused
    }

    /// Whether a rule "by day `by_day`" still checks `deal` at landmark `l`: the deal's rule
    /// age at the previous landmark (0 before the first) is below `by_day`. So the last check
    /// is the first landmark at or after the rule age reaches `by_day` — the weekly review at
    /// or after the deadline; without holidays, the landmarks `≤ by_day`.
    #[inline]
    pub fn checks(&self, deal: usize, l: usize, by_day: u32) -> bool {
        l == 0 || self.age(deal, l - 1) < by_day
    }

    /// The last landmark index at which a rule "by day `by_day`" may check any deal: beyond it
    /// even the deal with the most holidays has passed its deadline. Applying a rule stops
    /// there (a rule by day 28 reads 6 of the default 24 landmarks).
    pub fn last_checked(&self, by_day: u32) -> usize {
        // The bound `landmarks[l] − max_paused[l]` never decreases with `l`: a longer window
        // pauses at most the extra days.
        (1..self.landmarks.len())
            .take_while(|&l| self.landmarks[l - 1] - self.max_paused[l - 1] < by_day)
            .last()
            .unwrap_or(0)
    }

    /// The first landmark index `d` whose rule "by `landmarks[d]`" checks `deal` at `l`
    /// (every later one does too).
    #[inline]
    pub fn column(&self, deal: usize, l: usize) -> usize {
        if l == 0 {
            return 0;
        }
        let before = self.age(deal, l - 1);
        self.landmarks.partition_point(|&x| x <= before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_after_creation_pause_the_rule_age() {
        let new_year = YearlyPeriod {
            from: (12, 31),
            to: (1, 8),
        };
        let landmarks = [7, 14, 21, 28];
        let created = [
            DayNum::from_ymd(2025, 3, 3),
            DayNum::from_ymd(2025, 12, 28),
            DayNum::from_ymd(2025, 12, 31),
        ];
        let clock = RuleClock::from_created(&created, &[new_year], &landmarks);
        // March: no holiday, rule age = deal age.
        assert_eq!(
            (0..4).map(|l| clock.age(0, l)).collect::<Vec<_>>(),
            [7, 14, 21, 28]
        );
        // Created 28 Dec: day 7 is 4 Jan (5 holidays after creation: 31 Dec .. 4 Jan), day
        // 14 is 11 Jan (all 9 holidays).
        assert_eq!(
            (0..4).map(|l| clock.age(1, l)).collect::<Vec<_>>(),
            [2, 5, 12, 19]
        );
        // Created on the first holiday: the creation day itself does not count, 8 more do.
        assert_eq!(
            (0..4).map(|l| clock.age(2, l)).collect::<Vec<_>>(),
            [0, 6, 13, 20]
        );
        // A rule "by day 7" checks the deal of 28 Dec up to day 21 (rule age 12: the first
        // check at or after its paused deadline), "by day 14" up to day 28.
        let last_check = |deal: usize, by: u32| (0..4).filter(|&l| clock.checks(deal, l, by)).max();
        assert_eq!(last_check(1, 7), Some(2));
        assert_eq!(last_check(1, 14), Some(3));
        assert_eq!(last_check(0, 7), Some(0));
        assert_eq!(last_check(0, 14), Some(1));
        // Columns: the first rule (by landmark index) that checks the landmark.
        assert_eq!(
            (0..4).map(|l| clock.column(1, l)).collect::<Vec<_>>(),
            [0, 0, 0, 1]
        );
        for deal in 0..3 {
            for l in 0..4 {
                for (d, &by) in landmarks.iter().enumerate() {
                    assert_eq!(
                        clock.checks(deal, l, by),
                        clock.column(deal, l) <= d,
                        "deal {deal}, landmark {l}, rule by {d}"
                    );
                }
            }
        }
        let plain = RuleClock::without_holidays(3, &landmarks);
        assert_eq!(
            (0..4).map(|l| plain.column(2, l)).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
    }

    proptest::proptest! {
        /// No deal is checked after `last_checked`, whatever its creation day and the rule's
        /// deadline, and without holidays it is exactly the landmarks up to the deadline.
        #[test]
        fn nothing_is_checked_after_the_last_check(
            offsets in proptest::collection::vec(0i32..730, 1..40),
            by_day in 1u32..120,
        ) {
            let holidays = [
                YearlyPeriod { from: (12, 31), to: (1, 8) },
                YearlyPeriod { from: (5, 1), to: (5, 4) },
                YearlyPeriod { from: (5, 9), to: (5, 11) },
            ];
            let landmarks: Vec<u32> = (7..=168).step_by(7).collect();
            let start = DayNum::from_ymd(2025, 1, 1).0;
            let created: Vec<DayNum> = offsets.iter().map(|&o| DayNum(start + o)).collect();
            let clock = RuleClock::from_created(&created, &holidays, &landmarks);
            let last = clock.last_checked(by_day);
            for deal in 0..created.len() {
                for l in last + 1..landmarks.len() {
                    proptest::prop_assert!(!clock.checks(deal, l, by_day), "deal {deal}, l {l}");
                }
            }
            let plain = RuleClock::without_holidays(1, &landmarks);
            let want = landmarks.iter().filter(|&&x| x < by_day).count().min(landmarks.len() - 1);
            proptest::prop_assert_eq!(plain.last_checked(by_day), want);
        }
    }
}

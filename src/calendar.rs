//! The working-day calendar: which days work happens on, and how slow the world is then.
//!
//! Step durations in a scenario are in working days. The engine moves deals along a
//! continuous *working-time* axis: `w = k + f` means fraction `f` of the `k`-th working day
//! of the calendar. Weekends and holidays therefore stretch calendar time for free, and a
//! seasonal slowdown multiplies the durations of client and external work that starts in it.
//! Not for: deal ages (calendar days since creation), which indicators use.

use crate::time::{DayNum, Timestamp};

/// A yearly recurring period given by inclusive month-day bounds; may wrap the new year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearlyPeriod {
    pub from: (u32, u32),
    pub to: (u32, u32),
}

impl YearlyPeriod {
    /// The period in words: "Dec 31–Jan 8", "May 1–4", "May 1" for a single day.
    pub fn text(&self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let day = |(m, d): (u32, u32)| {
            let month = MONTHS
                .get(m.wrapping_sub(1) as usize)
                .copied()
                .unwrap_or("?");
            format!("{month} {d}")
        };
        if self.from == self.to {
            day(self.from)
        } else if self.from.0 == self.to.0 && self.from.1 < self.to.1 {
            format!("{}–{}", day(self.from), self.to.1)
        } else {
            format!("{}–{}", day(self.from), day(self.to))
        }
    }

    pub fn contains(&self, day: DayNum) -> bool {
        let (_, m, d) = day.ymd();
        let md = (m, d);
        if self.from <= self.to {
            self.from <= md && md <= self.to
        } else {
            md >= self.from || md <= self.to
        }
    }
}

/// Validated calendar rules from the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRules {
    /// Indexed Monday = 0 .. Sunday = 6.
    pub working_weekdays: [bool; 7],
    pub holidays: Vec<YearlyPeriod>,
    pub slowdowns: Vec<(YearlyPeriod, f64)>,
}

/// Working days of a date range, precomputed so that mapping working time to dates is O(1).
#[derive(Debug, Clone)]
pub struct Calendar {
    first: DayNum,
    working: Vec<DayNum>,
    /// For each calendar day from `first`: how many working days come strictly before it.
    before: Vec<u32>,
    /// For each calendar day from `first`: whether it is a working day (one lookup, where
    /// `working[before[day]] == day` takes two).
    works: Vec<bool>,
    /// For each working day: the slowdown factor in force (1.0 outside slowdowns).
    slowdown: Vec<f64>,
}

/// Working hours: a working day spans 09:00 to 18:00 local time.
const DAY_START_SECONDS: i64 = 9 * 3600;
/// Length of a working day in seconds.
pub const WORKDAY_SECONDS: i64 = 9 * 3600;

impl Calendar {
    /// Covers `first..=last`. The rules must leave at least one working weekday (validated).
    pub fn new(rules: &CalendarRules, first: DayNum, last: DayNum) -> Calendar {
        let mut working = Vec::new();
        let mut before = Vec::with_capacity((last.0 - first.0 + 1).max(0) as usize);
        let mut slowdown = Vec::new();
        let mut counted = Vec::with_capacity(before.capacity());
        for n in first.0..=last.0 {
            let day = DayNum(n);
            before.push(working.len() as u32);
            let works = rules.working_weekdays[day.weekday() as usize]
                && !rules.holidays.iter().any(|h| h.contains(day));
            counted.push(works);
            if works {
                working.push(day);
                let factor = rules
                    .slowdowns
                    .iter()
                    .filter(|(p, _)| p.contains(day))
                    .map(|(_, f)| *f)
                    .fold(1.0, f64::max);
                slowdown.push(factor);
            }
        }
        Calendar {
            first,
            working,
            before,
            works: counted,
            slowdown,
        }
    }

    /// Number of working days covered.
    pub fn working_days(&self) -> usize {
        self.working.len()
    }

    /// Working-time coordinate of the start of `day` (or of the next working day).
    pub fn work_start(&self, day: DayNum) -> f64 {
        let i = (day.0 - self.first.0).clamp(0, self.before.len() as i32 - 1) as usize;
        self.before[i] as f64
    }

    /// Whether `day` lies in the covered range.
    pub fn covers(&self, day: DayNum) -> bool {
        (0..self.before.len() as i64).contains(&i64::from(day.0 - self.first.0))
    }

    /// The `k`-th working day, if the calendar reaches it.
    pub fn working_day(&self, k: usize) -> Option<DayNum> {
        self.working.get(k).copied()
    }

    /// Working days of the calendar month containing `day`, within the covered range.
    pub fn working_days_in(&self, from: DayNum, to: DayNum) -> &[DayNum] {
        let lo = self.work_start(from) as usize;
        let hi = if to.0 - self.first.0 + 1 >= self.before.len() as i32 {
            self.working.len()
        } else {
            self.work_start(DayNum(to.0 + 1)) as usize
        };
        &self.working[lo..hi.max(lo)]
    }

    /// Slowdown factor for work starting at working time `w`.
    pub fn slowdown_at(&self, w: f64) -> f64 {
        self.slowdown.get(w as usize).copied().unwrap_or(1.0)
    }

    /// Working time of a timestamp: the inverse of [`Calendar::timestamp`] on working hours;
    /// times outside working hours snap to the nearest working moment.
    pub fn working_time(&self, t: Timestamp) -> f64 {
        let day = t.day();
        self.working_time_on(day, t.0 - day.start().0)
    }

    /// [`Calendar::working_time`] of the moment `seconds` (in `0..86400`) into `day`: a
    /// caller stepping one clock time over whole days skips the division by the day length.
    pub fn working_time_on(&self, day: DayNum, seconds: i64) -> f64 {
        let (before, works) = self.day_index(day);
        let k = f64::from(before);
        if !works {
            return k;
        }
        let secs = (seconds - DAY_START_SECONDS) as f64;
        k + (secs / WORKDAY_SECONDS as f64).clamp(0.0, 1.0)
    }

    /// [`Calendar::working_time`] in whole working seconds ([`WORKDAY_SECONDS`] per working
    /// day): integers, so that sums of many working-time differences are exact (and equal
    /// whatever the order they are added in).
    pub fn working_seconds(&self, t: Timestamp) -> i64 {
        let day = t.day();
        self.working_seconds_on(day, t.0 - day.start().0)
    }

    /// [`Calendar::working_seconds`] of the moment `seconds` (in `0..86400`) into `day`.
    pub fn working_seconds_on(&self, day: DayNum, seconds: i64) -> i64 {
        let (before, works) = self.day_index(day);
        let within = (seconds - DAY_START_SECONDS).clamp(0, WORKDAY_SECONDS);
        i64::from(before) * WORKDAY_SECONDS + i64::from(works) * within
    }

    /// Working days strictly before `day`, and whether `day` is one: what both working-time
    /// scales start from. Outside the covered range: the nearest covered day's count (as
    /// [`Calendar::work_start`]) and never a working day.
    fn day_index(&self, day: DayNum) -> (u32, bool) {
        let offset = day.0 - self.first.0;
        let i = offset.clamp(0, self.before.len() as i32 - 1);
        (
            self.before[i as usize],
            self.works[i as usize] && i == offset,
        )
    }

    /// Local timestamp of working time `w`, or `None` beyond the calendar.
    pub fn timestamp(&self, w: f64) -> Option<Timestamp> {
        let k = w.floor();
        let day = self.working_day(k as usize)?;
        let secs = ((w - k) * WORKDAY_SECONDS as f64) as i64;
        Some(Timestamp(day.start().0 + DAY_START_SECONDS + secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_words() {
        let p = |from, to| YearlyPeriod { from, to }.text();
        assert_eq!(p((12, 31), (1, 8)), "Dec 31–Jan 8");
        assert_eq!(p((5, 1), (5, 4)), "May 1–4");
        assert_eq!(p((5, 1), (5, 1)), "May 1");
        // Wrapping the year within one month: both ends named.
        assert_eq!(p((5, 20), (5, 3)), "May 20–May 3");
    }

    fn rules() -> CalendarRules {
        CalendarRules {
            working_weekdays: [true, true, true, true, true, false, false],
            holidays: vec![YearlyPeriod {
                from: (12, 30),
                to: (1, 2),
            }],
            slowdowns: vec![(
                YearlyPeriod {
                    from: (8, 1),
                    to: (8, 31),
                },
                1.5,
            )],
        }
    }

    #[test]
    fn skips_weekends_and_wrapping_holidays() {
        let first = DayNum::from_ymd(2025, 12, 29); // a Monday
        let cal = Calendar::new(&rules(), first, DayNum::from_ymd(2026, 1, 12));
        // 29 Dec works; 30 Dec..2 Jan are holidays; 3-4 Jan is a weekend; 5 Jan works.
        assert_eq!(cal.working_day(0), Some(first));
        assert_eq!(cal.working_day(1), Some(DayNum::from_ymd(2026, 1, 5)));
        assert_eq!(cal.work_start(DayNum::from_ymd(2025, 12, 31)), 1.0);
        let t = cal.timestamp(1.5).unwrap();
        assert_eq!(t.iso(), "2026-01-05T13:30:00");
        assert_eq!(cal.working_days(), 6 + 1);
        assert_eq!(cal.working_time(t), 1.5);
        // A holiday snaps to the next working day's start.
        assert_eq!(cal.working_time(DayNum::from_ymd(2026, 1, 1).start()), 1.0);
    }

    #[test]
    fn working_seconds_are_working_time_in_whole_seconds() {
        let first = DayNum::from_ymd(2025, 12, 29); // a Monday
        let cal = Calendar::new(&rules(), first, DayNum::from_ymd(2026, 1, 12));
        // Mon 5 Jan 13:30: working day 1 (after 29 Dec), 4.5 of its 9 hours.
        let monday = DayNum::from_ymd(2026, 1, 5).start().0;
        assert_eq!(
            cal.working_seconds(Timestamp(monday + 13 * 3600 + 1800)),
            WORKDAY_SECONDS + 4 * 3600 + 1800
        );
        // Every quarter of an hour from before the calendar to after it, through working
        // hours, nights, the weekend and the holidays: the same moment as `working_time`.
        let from = first.start().0 - 3 * 86_400;
        for q in 0..(20 * 96) {
            let t = Timestamp(from + q * 900);
            let w = cal.working_seconds(t) as f64 / WORKDAY_SECONDS as f64;
            assert!((w - cal.working_time(t)).abs() < 1e-12, "{} {w}", t.iso());
        }
    }

    #[test]
    fn slowdown_applies_inside_the_period_only() {
        let cal = Calendar::new(
            &rules(),
            DayNum::from_ymd(2025, 7, 28),
            DayNum::from_ymd(2025, 8, 8),
        );
        assert_eq!(cal.slowdown_at(0.2), 1.0); // Mon 28 Jul
        assert_eq!(
            cal.slowdown_at(cal.work_start(DayNum::from_ymd(2025, 8, 1))),
            1.5
        );
    }
}

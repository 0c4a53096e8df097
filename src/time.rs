//! Calendar dates and timestamps as plain integers, with fast ISO 8601 formatting.
//!
//! The engine writes tens of millions of timestamps; going through `chrono` formatting for
//! each would dominate the run. Dates are days since 1970-01-01 ([`DayNum`]) and timestamps
//! are seconds since 1970-01-01T00:00:00 in the log's local time ([`Timestamp`], no zone).
//! Conversions use Howard Hinnant's `civil_from_days` / `days_from_civil` algorithms
//! (<http://howardhinnant.github.io/date_algorithms.html>), exact over the proleptic Gregorian
//! calendar.

use chrono::{Datelike, NaiveDate};

/// A calendar date: days since 1970-01-01. Not a deal age (see [`crate::log::Day`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayNum(pub i32);

/// A local timestamp: seconds since 1970-01-01T00:00:00 (no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

pub const SECONDS_PER_DAY: i64 = 86_400;

impl DayNum {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> DayNum {
        let y = if m <= 2 { y - 1 } else { y } as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m as i64 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        DayNum((era * 146_097 + doe - 719_468) as i32)
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400) as i32 + i32::from(m <= 2);
        (y, m, d)
    }

    pub fn from_naive(d: NaiveDate) -> DayNum {
        DayNum::from_ymd(d.year(), d.month(), d.day())
    }

    /// Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u32 {
        (self.0 as i64 + 3).rem_euclid(7) as u32
    }

    pub fn start(self) -> Timestamp {
        Timestamp(self.0 as i64 * SECONDS_PER_DAY)
    }

    /// Appends `YYYY-MM-DD`.
    pub fn write_iso(self, out: &mut Vec<u8>) {
        let (y, m, d) = self.ymd();
        push_digits(out, y.clamp(0, 9999) as u32, 4);
        out.push(b'-');
        push_digits(out, m, 2);
        out.push(b'-');
        push_digits(out, d, 2);
    }

    pub fn iso(self) -> String {
        let mut v = Vec::with_capacity(10);
        self.write_iso(&mut v);
        String::from_utf8(v).expect("ASCII")
    }
}

impl Timestamp {
    pub fn day(self) -> DayNum {
        DayNum(self.0.div_euclid(SECONDS_PER_DAY) as i32)
    }

    /// Days elapsed since `earlier`, as a real number (deal ages are measured this way).
    pub fn days_since(self, earlier: Timestamp) -> f64 {
        (self.0 - earlier.0) as f64 / SECONDS_PER_DAY as f64
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS`.
    pub fn write_iso(self, out: &mut Vec<u8>) {
        self.day().write_iso(out);
        let s = self.0.rem_euclid(SECONDS_PER_DAY) as u32;
        out.push(b'T');
        push_digits(out, s / 3600, 2);
        out.push(b':');
        push_digits(out, s / 60 % 60, 2);
        out.push(b':');
        push_digits(out, s % 60, 2);
    }

    pub fn iso(self) -> String {
        let mut v = Vec::with_capacity(19);
        self.write_iso(&mut v);
        String::from_utf8(v).expect("ASCII")
    }
}

#[inline]
fn push_digits(out: &mut Vec<u8>, mut v: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    for i in (0..width).rev() {
        out[start + i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(DayNum::from_ymd(1970, 1, 1), DayNum(0));
        assert_eq!(DayNum::from_ymd(2026, 11, 26).iso(), "2026-11-26");
        assert_eq!(DayNum::from_ymd(2026, 11, 26).weekday(), 3); // a Thursday
        assert_eq!(DayNum::from_ymd(2024, 2, 29).ymd(), (2024, 2, 29));
        let t = Timestamp(DayNum::from_ymd(2025, 3, 4).start().0 + 9 * 3600 + 30 * 60 + 5);
        assert_eq!(t.iso(), "2025-03-04T09:30:05");
    }

    proptest! {
        #[test]
        fn agrees_with_chrono(days in -100_000i32..200_000) {
            let d = DayNum(days);
            let c = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days as i64);
            prop_assert_eq!(DayNum::from_naive(c), d);
            if (0..=9999).contains(&c.year()) {
                prop_assert_eq!(d.iso(), c.format("%Y-%m-%d").to_string());
            }
            prop_assert_eq!(d.weekday(), c.weekday().num_days_from_monday());
        }
    }
}

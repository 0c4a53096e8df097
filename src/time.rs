//! Calendar dates and timestamps as plain integers, with fast ISO 8601 formatting.
//!
//! The engine writes tens of millions of timestamps; going through `chrono` formatting for
//! each would dominate the run. Dates are days since 1970-01-01 ([`DayNum`]) and timestamps
//! are seconds since 1970-01-01T00:00:00 in the log's local time ([`Timestamp`], no zone).
//! Conversions use Howard Hinnant's `civil_from_days` / `days_from_civil` algorithms
//! (<http://howardhinnant.github.io/date_algorithms.html>), exact over the proleptic Gregorian
//! calendar.

use chrono::{Datelike, NaiveDate};

/// A calendar date: days since 1970-01-01. Not a deal age (days since a deal was created,
/// which the indicators count in plain integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayNum(pub i32);

/// A local timestamp: seconds since 1970-01-01T00:00:00 (no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

pub const SECONDS_PER_DAY: i64 = 86_400;

/// The years a log's dates can be written in (`YYYY`, four digits). Every way in checks its
/// dates against them (the log reader reads four digits, the importers check after the time
/// zone, a scenario checks its window), so that formatting never has to alter a date.
pub const LOG_YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

/// The last day a log can write, 9999-12-31 (the end of [`LOG_YEARS`]; tested).
pub const LAST_LOG_DAY: DayNum = DayNum(2_932_896);

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
    ///
    /// Neri and Schneider's algorithm ("Euclidean affine functions and their application to
    /// calendar algorithms", Softw. Pract. Exper. 53(4), 2023): the dates of Hinnant's
    /// `civil_from_days` with 32-bit multiplications instead of 64-bit divisions, which matters
    /// because every event timestamp goes through here. Days beyond its 32-bit range (about
    /// ±2.9 million years) take Hinnant's route.
    #[inline]
    pub fn ymd(self) -> (i32, u32, u32) {
        // Whole 400-year eras added to the day number so all arithmetic stays unsigned.
        const ERAS: u32 = 82;
        const K: i64 = 719_468 + 146_097 * ERAS as i64;
        const MAX: i64 = (u32::MAX as i64 - 3) / 4;
        let n = self.0 as i64 + K;
        if !(0..=MAX).contains(&n) {
            return self.ymd_hinnant();
        }
        let n1 = 4 * n as u32 + 3;
        let century = n1 / 146_097;
        let n2 = (n1 % 146_097) | 3;
        let p2 = 2_939_745u64 * n2 as u64;
        let year_of_century = (p2 >> 32) as u32;
        let day_of_year = (p2 as u32) / 2_939_745 / 4;
        let n3 = 2141 * day_of_year + 197_913;
        let (month, day) = (n3 / 65_536, n3 % 65_536 / 2141 + 1);
        let january_or_february = day_of_year >= 306;
        let year = (100 * century + year_of_century) as i32 - 400 * ERAS as i32
            + i32::from(january_or_february);
        let month = if january_or_february {
            month - 12
        } else {
            month
        };
        (year, month, day)
    }

    /// Hinnant's `civil_from_days`, for any day number.
    fn ymd_hinnant(self) -> (i32, u32, u32) {
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

    /// Whether the date can be written in a log ([`LOG_YEARS`]).
    pub fn in_log_years(self) -> bool {
        LOG_YEARS.contains(&self.ymd().0)
    }

    pub fn start(self) -> Timestamp {
        Timestamp(self.0 as i64 * SECONDS_PER_DAY)
    }

    /// `YYYY-MM-DD`. A year outside [`LOG_YEARS`] cannot be written so and panics: every
    /// input is checked against them, and a silently altered date (9999-01-01 for the year
    /// 10000, as a clamp wrote) would be worse than a crash pointing at the missed path.
    #[inline]
    pub fn iso_bytes(self) -> [u8; 10] {
        let (y, m, d) = self.ymd();
        assert!(
            LOG_YEARS.contains(&y),
            "year {y} cannot be written as YYYY: an input path let it through"
        );
        let y = y as usize;
        let mut b = *b"0000-00-00";
        b[0..2].copy_from_slice(two_digits(y / 100));
        b[2..4].copy_from_slice(two_digits(y % 100));
        b[5..7].copy_from_slice(two_digits(m as usize));
        b[8..10].copy_from_slice(two_digits(d as usize));
        b
    }

    /// Appends `YYYY-MM-DD`.
    #[inline]
    pub fn write_iso(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.iso_bytes());
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

    /// `YYYY-MM-DDTHH:MM:SS`.
    #[inline]
    pub fn iso_bytes(self) -> [u8; 19] {
        let mut b = *b"0000-00-00T00:00:00";
        b[..10].copy_from_slice(&self.day().iso_bytes());
        let s = self.0.rem_euclid(SECONDS_PER_DAY) as usize;
        b[11..13].copy_from_slice(two_digits(s / 3600));
        b[14..16].copy_from_slice(two_digits(s / 60 % 60));
        b[17..19].copy_from_slice(two_digits(s % 60));
        b
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS`.
    #[inline]
    pub fn write_iso(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.iso_bytes());
    }

    pub fn iso(self) -> String {
        let mut v = Vec::with_capacity(19);
        self.write_iso(&mut v);
        String::from_utf8(v).expect("ASCII")
    }
}

/// "00" to "99", so that dates are formatted with table look-ups instead of divisions.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two decimal digits of `v` (< 100).
#[inline]
fn two_digits(v: usize) -> &'static [u8] {
    &DIGIT_PAIRS[2 * v..2 * v + 2]
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
        assert_eq!(LAST_LOG_DAY, DayNum::from_ymd(9999, 12, 31));
        assert!(!DayNum(LAST_LOG_DAY.0 + 1).in_log_years());
    }

    #[test]
    fn fast_dates_match_hinnant_densely_and_at_the_range_ends() {
        // Every day from 1000 BC to AD 6000, then the edges of the 32-bit range.
        for n in -1_085_000..1_470_000 {
            assert_eq!(DayNum(n).ymd(), DayNum(n).ymd_hinnant(), "day {n}");
        }
        let k = 719_468 + 146_097 * 82;
        let max = (u32::MAX as i64 - 3) / 4 - k;
        for n in [
            -k - 1,
            -k,
            -k + 1,
            max - 1,
            max,
            max + 1,
            i32::MIN as i64,
            i32::MAX as i64,
        ] {
            let d = DayNum(n as i32);
            assert_eq!(d.ymd(), d.ymd_hinnant(), "day {n}");
        }
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

        #[test]
        fn both_date_algorithms_agree(days in any::<i32>()) {
            prop_assert_eq!(DayNum(days).ymd(), DayNum(days).ymd_hinnant());
        }

        #[test]
        fn timestamps_agree_with_chrono(secs in 0i64..(8000 * 365 * SECONDS_PER_DAY)) {
            let c = chrono::DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            prop_assert_eq!(Timestamp(secs).iso(), c.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
    }
}

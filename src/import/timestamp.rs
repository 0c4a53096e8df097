//! Timestamps of foreign logs: the formats CRMs export, and the time zone they are read in.
//!
//! dealsim's log keeps local times without a zone ([`Timestamp`]). A foreign timestamp with an
//! offset (RFC 3339, XES) is converted into the import's zone (`--time-zone`, default UTC);
//! one without an offset is taken as already being local time in that zone. Fractions of a
//! second are dropped (the log counts whole seconds). Named zones (`Europe/Berlin`) would
//! need the tz database (`chrono-tz`, a large dependency); fixed offsets cover the common
//! case of a CRM exporting in one zone.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime};

use crate::error::InputError;
use crate::log::read::parse_timestamp;
use crate::time::{DayNum, Timestamp, LOG_YEARS};

/// How timestamps of a column are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormat {
    /// RFC 3339 or ISO 8601, with or without offset, fraction or time (`2025-03-04`,
    /// `2025-03-04 09:30:00`, `2025-03-04T09:30:00.123+01:00`).
    Iso,
    /// `DD.MM.YYYY`, optionally followed by ` HH:MM[:SS]`.
    DayDotMonth,
    /// US `M/D/YYYY`, optionally followed by ` HH:MM[:SS]`.
    MonthSlashDay,
    /// A user's strftime pattern (chrono's syntax), e.g. `%d/%m/%Y %H:%M`.
    Pattern(String),
}

impl TimeFormat {
    /// Parses a `--timestamp-format` value: `iso`, `rfc3339`, `dd.mm.yyyy`, `m/d/yyyy` or a
    /// strftime pattern (anything containing `%`). The error says what was wrong: a pattern
    /// chrono cannot read (`%Q`) is named as such, where it would otherwise fail every row with
    /// "cannot read the timestamp".
    pub fn parse(s: &str) -> Result<TimeFormat, String> {
        match s.to_ascii_lowercase().as_str() {
            "iso" | "rfc3339" | "auto" => Ok(TimeFormat::Iso),
            "dd.mm.yyyy" => Ok(TimeFormat::DayDotMonth),
            "m/d/yyyy" => Ok(TimeFormat::MonthSlashDay),
            _ if s.contains('%') => {
                let invalid = chrono::format::StrftimeItems::new(s)
                    .any(|item| matches!(item, chrono::format::Item::Error));
                if invalid {
                    return Err(format!(
                        "the strftime pattern {s:?} has a specifier chrono does not know (a % \
                         not followed by one of chrono's letters, such as %Y, %m, %d, %H, %M, \
                         %S, %b or %z; %% for a percent sign)"
                    ));
                }
                Ok(TimeFormat::Pattern(s.to_string()))
            }
            _ => Err(format!(
                "expected iso, rfc3339, dd.mm.yyyy, m/d/yyyy or a strftime pattern with %, got \
                 {s:?}"
            )),
        }
    }

    /// What the format expects, for error messages.
    pub fn describe(&self) -> String {
        match self {
            TimeFormat::Iso => {
                "an ISO 8601 / RFC 3339 timestamp such as 2025-03-04T09:30:00 or 2025-03-04T09:30:00+01:00".into()
            }
            TimeFormat::DayDotMonth => "a date DD.MM.YYYY [HH:MM[:SS]]".into(),
            TimeFormat::MonthSlashDay => "a date M/D/YYYY [HH:MM[:SS]]".into(),
            TimeFormat::Pattern(p) => format!("a timestamp matching the pattern {p:?}"),
        }
    }
}

/// The zone local times are kept in: a fixed offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(pub FixedOffset);

impl Default for Zone {
    fn default() -> Zone {
        Zone(FixedOffset::east_opt(0).expect("zero offset"))
    }
}

/// The UTC offset an ISO 8601 / RFC 3339 timestamp is written with, as `+HH:MM` (`Z` is
/// `+00:00`); `None` for a local time without one.
pub fn written_offset(v: &str) -> Option<String> {
    let v = v.trim();
    if v.ends_with(['Z', 'z']) {
        return Some("+00:00".into());
    }
    let b = v.as_bytes();
    let n = b.len();
    // The date part holds '-' too: an offset is the last six characters, after the time.
    let tail = v.get(n.checked_sub(6)?..)?;
    let is_offset = matches!(b[n - 6], b'+' | b'-')
        && b[n - 3] == b':'
        && tail[1..3]
            .bytes()
            .chain(tail[4..].bytes())
            .all(|c| c.is_ascii_digit())
        && v[..n - 6].contains(['T', 't', ' ']);
    is_offset.then(|| tail.to_string())
}

impl Zone {
    /// `UTC`, `Z` or an offset `+HH:MM` / `-HH:MM`.
    pub fn parse(s: &str) -> Option<Zone> {
        if s.eq_ignore_ascii_case("utc") || s == "Z" {
            return Some(Zone::default());
        }
        let b = s.as_bytes();
        if b.len() != 6 || !matches!(b[0], b'+' | b'-') || b[3] != b':' {
            return None;
        }
        let h: i32 = s[1..3].parse().ok()?;
        let m: i32 = s[4..6].parse().ok()?;
        if h > 23 || m > 59 {
            return None;
        }
        let secs = (h * 3600 + m * 60) * if b[0] == b'-' { -1 } else { 1 };
        FixedOffset::east_opt(secs).map(Zone)
    }

    /// The `--time-zone` flag (or mapping field): UTC when absent.
    pub fn from_flag(flag: Option<&str>) -> Result<Zone, InputError> {
        match flag {
            None => Ok(Zone::default()),
            Some(z) => Zone::parse(z).ok_or_else(|| {
                InputError::new(
                    "--time-zone",
                    format!("expected UTC or a fixed offset such as +01:00, got {z:?}"),
                )
            }),
        }
    }

    /// The zone an import recorded for the log whose events file is `events` (`time_zone` of
    /// [`super::SUMMARY_FILE`] beside it), if it did: `None` for a simulated log, or an import
    /// from before the zone was recorded, which kept UTC. A value that is not a zone is an
    /// error naming the file and the field.
    pub fn beside(events: &std::path::Path) -> Result<Option<Zone>, InputError> {
        #[derive(serde::Deserialize)]
        struct Recorded {
            time_zone: Option<String>,
        }
        let Some((recorded, origin)) = crate::error::json_beside::<Recorded>(
            events,
            super::SUMMARY_FILE,
            "the JSON `dealsim import` writes",
        )?
        else {
            return Ok(None);
        };
        recorded
            .time_zone
            .map(|z| {
                Zone::parse(&z).ok_or_else(|| {
                    InputError::new(
                        &origin,
                        format!("expected UTC or a fixed offset such as \"+03:00\", got {z:?}"),
                    )
                    .at_field("time_zone")
                })
            })
            .transpose()
    }

    /// The zone as an offset for a process-mining tool to read with the local times: `+03:00`
    /// (`+00:00` for UTC).
    pub fn offset(self) -> String {
        self.0.to_string()
    }

    fn local(self, dt: chrono::DateTime<FixedOffset>) -> Timestamp {
        naive(dt.with_timezone(&self.0).naive_local())
    }
}

fn naive(dt: NaiveDateTime) -> Timestamp {
    let day = DayNum::from_naive(dt.date());
    let secs = dt.time().signed_duration_since(chrono::NaiveTime::MIN);
    Timestamp(day.start().0 + secs.num_seconds())
}

/// Why a foreign timestamp was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadTime {
    /// Not a time in the expected format.
    Unreadable,
    /// A time, but in this year once in the import's zone: outside [`LOG_YEARS`], which a log
    /// can hold (`9999-12-31T23:59:59Z`, a CRM's "never" placeholder, is in the year 10000
    /// at +01:00).
    OutsideYears(i32),
}

impl BadTime {
    /// What to say about `value`; `unreadable` says it for a value that is no time.
    pub fn message(self, value: &str, unreadable: impl FnOnce() -> String) -> String {
        match self {
            BadTime::Unreadable => unreadable(),
            BadTime::OutsideYears(y) => format!(
                "the time {value:?} falls in the year {y} in the import's time zone: expected \
                 a time in the years {:04} to {} a log holds (a placeholder date for \
                 \"never\"? leave the field empty)",
                LOG_YEARS.start(),
                LOG_YEARS.end()
            ),
        }
    }
}

/// Parses `s` in `format`, converting offsets into `zone`, into a time in the years a log
/// holds.
pub fn parse(s: &str, format: &TimeFormat, zone: Zone) -> Result<Timestamp, BadTime> {
    let t = read(s, format, zone).ok_or(BadTime::Unreadable)?;
    let year = t.day().ymd().0;
    if LOG_YEARS.contains(&year) {
        Ok(t)
    } else {
        Err(BadTime::OutsideYears(year))
    }
}

/// [`parse`] without the check of the year; `None` if `s` does not match.
fn read(s: &str, format: &TimeFormat, zone: Zone) -> Option<Timestamp> {
    let s = s.trim();
    match format {
        TimeFormat::Iso => parse_timestamp(s).or_else(|| parse_iso_full(s, zone)),
        TimeFormat::DayDotMonth => parse_numeric_date(s, b'.', [2, 1, 0]),
        TimeFormat::MonthSlashDay => parse_numeric_date(s, b'/', [2, 0, 1]),
        TimeFormat::Pattern(p) => {
            if let Ok(dt) = chrono::DateTime::parse_from_str(s, p) {
                return Some(zone.local(dt));
            }
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, p) {
                return Some(naive(dt));
            }
            NaiveDate::parse_from_str(s, p)
                .ok()
                .map(|d| DayNum::from_naive(d).start())
        }
    }
}

/// RFC 3339 with offset and/or fraction, or a naive ISO time with a fraction.
fn parse_iso_full(s: &str, zone: Zone) -> Option<Timestamp> {
    if let Some(t) = parse_rfc3339_fast(s, zone) {
        return Some(t);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(zone.local(dt));
    }
    for p in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, p) {
            return Some(naive(dt));
        }
    }
    None
}

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` without chrono: XES files have one per event.
fn parse_rfc3339_fast(s: &str, zone: Zone) -> Option<Timestamp> {
    let local = parse_timestamp(s.get(..19)?)?;
    let mut rest = &s.as_bytes()[19..];
    if let Some((b'.', tail)) = rest.split_first() {
        let digits = tail.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &tail[digits..];
    }
    let offset = match rest {
        [] => return Some(local),
        [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let d = |b: &u8| b.is_ascii_digit().then(|| (b - b'0') as i64);
            let (h, m) = (d(h1)? * 10 + d(h2)?, d(m1)? * 10 + d(m2)?);
            if h > 23 || m > 59 {
                return None;
            }
            (h * 3600 + m * 60) * if *sign == b'-' { -1 } else { 1 }
        }
        _ => return None,
    };
    Some(Timestamp(
        local.0 - offset + zone.0.local_minus_utc() as i64,
    ))
}

/// `a<sep>b<sep>c[ HH:MM[:SS]]` where `order` gives the positions of (year, month, day).
fn parse_numeric_date(s: &str, sep: u8, order: [usize; 3]) -> Option<Timestamp> {
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split(sep as char).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    let num = |i: usize| -> Option<u32> {
        let p = parts[order[i]];
        p.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(0)?, num(1)?, num(2)?);
    if parts[order[0]].len() != 4 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    let secs = match time {
        None => 0,
        Some(t) => {
            let t = chrono::NaiveTime::parse_from_str(t, "%H:%M:%S")
                .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M"))
                .ok()?;
            t.signed_duration_since(chrono::NaiveTime::MIN)
                .num_seconds()
        }
    };
    Some(Timestamp(DayNum::from_naive(date).start().0 + secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_a_timestamp_is_written_with() {
        let cases = [
            ("2024-05-01T10:00:00+03:00", Some("+03:00")),
            ("2024-05-01T10:00:00.123-05:30", Some("-05:30")),
            ("2024-05-01T10:00:00Z", Some("+00:00")),
            ("2024-05-01 10:00:00+00:00", Some("+00:00")),
            ("2024-05-01T10:00:00", None),
            // A date's own dashes are not an offset.
            ("2024-05-01", None),
            ("12-05-01", None),
            ("", None),
        ];
        for (v, expected) in cases {
            assert_eq!(written_offset(v).as_deref(), expected, "{v}");
        }
    }

    fn iso(s: &str, f: &TimeFormat, z: &str) -> Option<String> {
        parse(s, f, Zone::parse(z).unwrap()).ok().map(|t| t.iso())
    }

    /// A time the zone moves out of the years 0000 to 9999 (or a pattern reads there) is
    /// refused, not written with a clamped year (9999-01-01T00:59:59 for 10000-01-01).
    #[test]
    fn times_outside_the_years_a_log_holds_are_refused() {
        let at = |s: &str, f: &TimeFormat, z: &str| parse(s, f, Zone::parse(z).unwrap());
        let iso = TimeFormat::Iso;
        assert_eq!(
            at("9999-12-31T23:59:59Z", &iso, "+01:00"),
            Err(BadTime::OutsideYears(10000))
        );
        assert_eq!(
            at("0000-01-01T00:30:00+01:00", &iso, "UTC"),
            Err(BadTime::OutsideYears(-1))
        );
        assert_eq!(
            at("9999-12-31T23:00:00.5-02:00", &iso, "UTC"),
            Err(BadTime::OutsideYears(10000))
        );
        assert!(at("9999-12-31T23:59:59Z", &iso, "UTC").is_ok());
        assert!(at("0000-01-01T00:30:00+01:00", &iso, "+01:00").is_ok());
        let p = TimeFormat::parse("%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            at("+12025-01-01 10:00", &p, "UTC"),
            Err(BadTime::OutsideYears(12025))
        );
        assert_eq!(at("not a time", &iso, "UTC"), Err(BadTime::Unreadable));
    }

    #[test]
    fn formats_by_hand() {
        let f = TimeFormat::Iso;
        assert_eq!(
            iso("2025-03-04T09:30:05", &f, "UTC").unwrap(),
            "2025-03-04T09:30:05"
        );
        // 09:30 at +02:00 is 07:30 UTC, 08:30 at +01:00.
        assert_eq!(
            iso("2025-03-04T09:30:05.999+02:00", &f, "+01:00").unwrap(),
            "2025-03-04T08:30:05"
        );
        assert_eq!(
            iso("2025-03-04T00:30:00Z", &f, "-01:00").unwrap(),
            "2025-03-03T23:30:00"
        );
        assert_eq!(
            iso("2025-03-04 09:30:05.5", &f, "UTC").unwrap(),
            "2025-03-04T09:30:05"
        );
        let dot = TimeFormat::DayDotMonth;
        assert_eq!(
            iso("04.03.2025", &dot, "UTC").unwrap(),
            "2025-03-04T00:00:00"
        );
        assert_eq!(
            iso("04.03.2025 17:05", &dot, "UTC").unwrap(),
            "2025-03-04T17:05:00"
        );
        assert_eq!(iso("31.02.2025", &dot, "UTC"), None);
        let us = TimeFormat::MonthSlashDay;
        assert_eq!(iso("3/11/2017", &us, "UTC").unwrap(), "2017-03-11T00:00:00");
        assert_eq!(iso("13/1/2017", &us, "UTC"), None);
        assert_eq!(iso("3/11/17", &us, "UTC"), None);
        let p = TimeFormat::parse("%d/%m/%Y %H:%M").unwrap();
        assert_eq!(
            iso("11/03/2017 08:15", &p, "UTC").unwrap(),
            "2017-03-11T08:15:00"
        );
        let pz = TimeFormat::parse("%Y%m%d %H%M %z").unwrap();
        assert_eq!(
            iso("20170311 0815 +0100", &pz, "UTC").unwrap(),
            "2017-03-11T07:15:00"
        );
        assert_eq!(iso("2017-03-11", &p, "UTC"), None);
    }

    #[test]
    fn fast_rfc3339_agrees_with_chrono() {
        let z = Zone::parse("+05:30").unwrap();
        for s in [
            "2025-03-04T09:30:05.000+00:00",
            "2025-03-04T09:30:05Z",
            "2025-12-31T23:59:59.123456-08:00",
            "2024-02-29T00:00:00+14:00",
            "2025-03-04T09:30:05.+00:00",
            "2025-03-04T09:30:05+0100",
        ] {
            let chrono = chrono::DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|dt| z.local(dt));
            assert_eq!(parse_rfc3339_fast(s, z), chrono, "{s}");
        }
    }

    #[test]
    fn zones() {
        assert_eq!(Zone::parse("+05:30").unwrap().0.local_minus_utc(), 19_800);
        assert_eq!(Zone::parse("-03:00").unwrap().0.local_minus_utc(), -10_800);
        for bad in ["Europe/Berlin", "+5", "+24:00", ""] {
            assert_eq!(Zone::parse(bad), None, "{bad}");
        }
    }
}

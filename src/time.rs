//! Time as the AWS CLI handles it: the UTC wall clock (read through the C library, so that
//! `faketime` freezes it as it freezes the CLI's), the formats it prints, and instants
//! parsed from the strings services, helpers and cache files give (dateutil's ISO 8601
//! subset), compared with the clock and written back as botocore writes them. A leaf: it
//! reports failures as the Python exception's text.

use std::time::{SystemTime, UNIX_EPOCH};

/// Whole seconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcTime(pub i64);

impl UtcTime {
    pub fn now() -> UtcTime {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => UtcTime(d.as_secs() as i64),
            Err(e) => UtcTime(-(e.duration().as_secs_f64().ceil() as i64)),
        }
    }

    pub fn plus_seconds(self, s: i64) -> UtcTime {
        UtcTime(self.0 + s)
    }

    /// (year, month, day, hour, minute, second).
    fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (
            year,
            month,
            day,
            (secs / 3600) as u32,
            (secs / 60 % 60) as u32,
            (secs % 60) as u32,
        )
    }

    /// `%Y%m%dT%H%M%SZ` (SigV4's X-Amz-Date).
    pub fn amz_date(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
    }

    /// `%Y-%m-%dT%H:%M:%SZ` (the ExecCredential's expirationTimestamp).
    pub fn rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

/// A time that could not be parsed or compared: the text of Python's exception.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeError(pub String);

/// A point in time, or a wall-clock time without zone (Python's "naive" datetime, which
/// botocore cannot compare with its own aware clock).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timestamp {
    /// Seconds since the Unix epoch (UTC), of the local time as written when `naive`.
    pub secs: i64,
    pub micros: u32,
    pub naive: bool,
}

impl Timestamp {
    pub fn from_secs(secs: i64) -> Timestamp {
        Timestamp {
            secs,
            micros: 0,
            naive: false,
        }
    }

    /// dateutil's `parse` for the ISO 8601 forms AWS services and helpers write:
    /// `YYYY-MM-DD[T| ]HH:MM[:SS[.frac]][Z|UTC|GMT|±HH[:MM]]`, or a bare date.
    pub fn parse(s: &str) -> Result<Timestamp, TimeError> {
        parse_iso(s.trim()).ok_or_else(|| {
            TimeError(if s.trim().is_empty() {
                format!("String does not contain a date: {s}")
            } else {
                format!("Unknown string format: {s}")
            })
        })
    }

    /// `datetime.fromtimestamp(ms / 1000, tzutc())`: SSO's epoch milliseconds.
    pub fn from_millis(ms: f64) -> Option<Timestamp> {
        if !ms.is_finite() || ms.abs() > 1e17 {
            return None;
        }
        let total_micros = (ms * 1000.0).round() as i64;
        Some(Timestamp {
            secs: total_micros.div_euclid(1_000_000),
            micros: total_micros.rem_euclid(1_000_000) as u32,
            naive: false,
        })
    }

    /// Seconds from `now` until this instant (`expiry - now` in botocore). A naive
    /// timestamp fails the way Python's subtraction does.
    pub fn seconds_after(&self, now: UtcTime) -> Result<f64, TimeError> {
        if self.naive {
            return Err(TimeError(
                "can't subtract offset-naive and offset-aware datetimes".into(),
            ));
        }
        Ok((self.secs - now.0) as f64 + f64::from(self.micros) / 1e6)
    }

    /// `datetime.isoformat()` of an aware UTC datetime: how the AWS CLI's credential cache
    /// stores `Expiration` (`2024-01-02T04:04:05+00:00`).
    pub fn isoformat(&self) -> String {
        let base = UtcTime(self.secs).rfc3339();
        let base = base.trim_end_matches('Z');
        let frac = if self.micros > 0 {
            format!(".{:06}", self.micros)
        } else {
            String::new()
        };
        let zone = if self.naive { "" } else { "+00:00" };
        format!("{base}{frac}{zone}")
    }

    /// `strftime('%Y-%m-%dT%H:%M:%SZ')` (SSO role credentials and tokens).
    pub fn zulu(&self) -> String {
        UtcTime(self.secs).rfc3339()
    }
}

fn parse_iso(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (month, day) = (num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    let mut micros = 0u32;
    let mut i = 10;
    if i < b.len() {
        if !matches!(b[i], b'T' | b't' | b' ') {
            return None;
        }
        let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
        if b.get(i + 3) != Some(&b':') || h > 23 || m > 59 {
            return None;
        }
        secs += h * 3600 + m * 60;
        i += 6;
        if b.get(i) == Some(&b':') {
            let sec = num(i + 1, 2)?;
            if sec > 59 {
                return None;
            }
            secs += sec;
            i += 3;
            if matches!(b.get(i), Some(b'.' | b',')) {
                let start = i + 1;
                let mut end = start;
                while b.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
                if end == start {
                    return None;
                }
                let digits: String = s[start..end].chars().chain("000000".chars()).collect();
                micros = digits[..6].parse().ok()?;
                i = end;
            }
        }
    }
    let zone = s[i..].trim_start();
    let naive = zone.is_empty();
    let offset = match zone {
        "" | "Z" | "z" | "UTC" | "GMT" => 0,
        z => {
            let sign = match z.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m) = match digits.len() {
                2 => (digits.parse::<i64>().ok()?, 0),
                4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
                _ => return None,
            };
            sign * (h * 3600 + m * 60)
        }
    };
    Some(Timestamp {
        secs: secs - offset,
        micros,
        naive,
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil (the inverse of `clock::UtcTime`'s conversion).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod utc_tests {
    use super::UtcTime;

    #[test]
    fn formats() {
        let t = UtcTime(1704164645);
        assert_eq!(t.amz_date(), "20240102T030405Z");
        assert_eq!(t.rfc3339(), "2024-01-02T03:04:05Z");
        assert_eq!(
            UtcTime(1767225030).plus_seconds(840).rfc3339(),
            "2026-01-01T00:04:30Z"
        );
        assert_eq!(UtcTime(951782400).rfc3339(), "2000-02-29T00:00:00Z");
        assert_eq!(UtcTime(0).rfc3339(), "1970-01-01T00:00:00Z");
    }
}

#[cfg(test)]
mod timestamp_tests {
    use super::*;

    #[test]
    fn parses_service_forms() {
        let t = Timestamp::parse("2024-01-02T04:04:05Z").unwrap();
        assert_eq!(t, Timestamp::from_secs(1704168245));
        assert_eq!(t.isoformat(), "2024-01-02T04:04:05+00:00");
        assert_eq!(t.zulu(), "2024-01-02T04:04:05Z");
        let t = Timestamp::parse("2024-01-02T04:04:05.5+00:00").unwrap();
        assert_eq!((t.secs, t.micros), (1704168245, 500_000));
        assert_eq!(t.isoformat(), "2024-01-02T04:04:05.500000+00:00");
        let t = Timestamp::parse("2024-01-02T06:04:05+02:00").unwrap();
        assert_eq!(t.secs, 1704168245);
        let t = Timestamp::parse("2024-01-02 04:04:05").unwrap();
        assert!(t.naive);
        assert!(t.seconds_after(UtcTime(0)).is_err());
        assert_eq!(
            Timestamp::parse("2000-02-29").unwrap().secs,
            UtcTime(951782400).0
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "garbage",
            "2024-13-01T00:00:00Z",
            "2023-02-29",
            "2024-01-02T25:00",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Timestamp::parse("x"),
            Err(TimeError("Unknown string format: x".into()))
        );
    }

    #[test]
    fn never_panics() {
        for text in crate::testing::mutations(
            "2024-01-02T04:04:05.123+02:00",
            "0123456789-:T.+Z zé",
            20_000,
        ) {
            let _ = Timestamp::parse(&text);
        }
    }

    #[test]
    fn millis() {
        let t = Timestamp::from_millis(1704171845000.0).unwrap();
        assert_eq!(t.zulu(), "2024-01-02T05:04:05Z");
        assert!(Timestamp::from_millis(f64::NAN).is_none());
    }
}

//! UTC wall-clock instants and the two formats get-token prints. The clock is read through
//! the C library (`SystemTime`), so `faketime` freezes it as it freezes the AWS CLI's.

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

#[cfg(test)]
mod tests {
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

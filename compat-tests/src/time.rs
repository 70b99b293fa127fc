//! RFC 3339 timestamps as instants, for comparing credential-cache expirations.

/// `2024-01-02T04:04:05Z`, `2024-01-02T04:04:05+00:00`, `2024-01-02T04:04:05.123-05:00`
/// → nanoseconds since the Unix epoch. `None` for anything else.
pub fn parse_instant(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    // Optional fraction.
    let mut rest = &s[19..];
    let mut nanos: i128 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (k, c) in frac[..digits].bytes().enumerate().take(9) {
            nanos += i128::from(c - b'0') * 10i128.pow(8 - k as u32);
        }
        rest = &frac[digits..];
    }

    let offset_secs: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || rb[3] != b':' || !matches!(rb[0], b'+' | b'-') {
                return None;
            }
            let h: i64 = rest[1..3].parse().ok()?;
            let m: i64 = rest[4..6].parse().ok()?;
            let sign = if rb[0] == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
    };

    let days = days_from_civil(year, month, day);
    let secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(i128::from(secs) * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        let z = parse_instant("2024-01-02T04:04:05Z").unwrap();
        assert_eq!(z, 1_704_168_245 * 1_000_000_000);
        assert_eq!(parse_instant("2024-01-02T04:04:05+00:00"), Some(z));
        assert_eq!(parse_instant("2024-01-02T06:04:05+02:00"), Some(z));
        assert_eq!(parse_instant("2024-01-02T04:04:05.000Z"), Some(z));
        assert_eq!(
            parse_instant("2024-01-02T04:04:05.5Z"),
            Some(z + 500_000_000)
        );
        assert_eq!(parse_instant("2024-01-02T04:04:05"), None);
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Some(0));
    }
}

//! Python's `int()` and `float()` of a str, which the AWS CLI applies to option values
//! (`--cli-read-timeout`), config values (`max_attempts`) and JMESPath's `to_number`.

use crate::text::is_space;

/// A Python number; ints beyond 128 bits are approximated by floats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    /// The int clamped to `i64` (a timeout or count beyond it means "forever" anyway).
    pub fn saturating_i64(self) -> i64 {
        match self {
            Number::Int(i) => i.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            Number::Float(f) if f < 0.0 => i64::MIN,
            Number::Float(_) => i64::MAX,
        }
    }
}

/// Python's `ValueError`, with its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError(pub String);

/// `int(s)` where the CLI wants a count or a number of seconds: clamped to `i64`.
pub fn int_i64(s: &str) -> Result<i64, ValueError> {
    int(s).map(Number::saturating_i64).ok_or_else(|| {
        ValueError(format!(
            "invalid literal for int() with base 10: {}",
            crate::repr::str_repr(s)
        ))
    })
}

/// Zero code points of the Unicode decimal-digit (Nd) runs: Python's `int()` and
/// `float()` accept digits of every script (`int('١٢')` is 12).
const DECIMAL_ZEROS: &[u32] = &[
    0x0030, 0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6,
    0x0d66, 0x0de6, 0x0e50, 0x0ed0, 0x0f20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80,
    0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0,
    0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
    0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x11f50, 0x16a60,
    0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e4f0,
    0x1e950, 0x1fbf0,
];

fn decimal_value(c: char) -> Option<u32> {
    let u = c as u32;
    DECIMAL_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&u))
        .map(|zero| u - zero)
}

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII` followed by `strip()`: digits of
/// any script become ASCII digits, whitespace becomes a space, other non-ASCII characters
/// become `?` (which no number syntax accepts).
fn number_text(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii() {
                if is_space(c) {
                    ' '
                } else {
                    c
                }
            } else if is_space(c) {
                ' '
            } else if let Some(d) = decimal_value(c) {
                char::from(b'0' + d as u8)
            } else {
                '?'
            }
        })
        .collect();
    mapped.trim_matches(|c: char| is_space(c)).to_string()
}

/// Removes the underscores Python allows between two digits (`1_000`); `None` if an
/// underscore is anywhere else.
fn strip_digit_underscores(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = i + 1 < b.len() && b[i + 1].is_ascii_digit();
            if !(before && after) {
                return None;
            }
        } else {
            out.push(c as char);
        }
    }
    Some(out)
}

/// `int(s)` for a str (base 10); `None` is the ValueError. Integers too large for 128 bits come back as floats
/// (a documented approximation of Python's unbounded ints).
pub fn int(s: &str) -> Option<Number> {
    let t = number_text(s);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, &t[..]),
    };
    if digits.is_empty() || !digits.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let clean = strip_digit_underscores(digits)?;
    if !clean.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let signed = if neg { format!("-{clean}") } else { clean };
    match signed.parse::<i128>() {
        Ok(i) => Some(Number::Int(i)),
        Err(_) => signed.parse::<f64>().ok().map(Number::Float),
    }
}

/// `float(s)` for a str: decimal literals with optional underscores between digits,
/// `inf`, `infinity`, `nan` (any case, optional sign).
pub fn float(s: &str) -> Option<f64> {
    let t = number_text(s);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, &t[..]),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Some(f64::NAN);
    }
    let clean = strip_digit_underscores(body)?;
    if !is_decimal_float(&clean) {
        return None;
    }
    clean.parse::<f64>().ok().map(|f| sign * f)
}

/// `digits [. [digits]] | . digits`, then an optional exponent.
fn is_decimal_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_like_python() {
        assert_eq!(int(" 5 "), Some(Number::Int(5)));
        assert_eq!(int("-1_0"), Some(Number::Int(-10)));
        assert_eq!(int("+0"), Some(Number::Int(0)));
        assert_eq!(int("\u{661}\u{662}"), Some(Number::Int(12)));
        for bad in ["abc", "1.5", "", "_1", "1__0", "1_", "- 1"] {
            assert_eq!(int(bad), None, "{bad}");
        }
        assert_eq!(
            int_i64("1.5"),
            Err(ValueError(
                "invalid literal for int() with base 10: '1.5'".into()
            ))
        );
        assert_eq!(int_i64(&"9".repeat(50)), Ok(i64::MAX));
    }

    #[test]
    fn float_like_python() {
        assert_eq!(float(" 1_0.5e1 "), Some(105.0));
        assert_eq!(float("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(float(".5"), Some(0.5));
        for bad in ["1e", "e1", ".", "1_.0", "nanx"] {
            assert_eq!(float(bad), None, "{bad}");
        }
    }
}

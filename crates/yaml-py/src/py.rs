//! The few pieces of Python's own behaviour that ruamel's texts contain: `repr()` of a str
//! (error messages quote characters and tags with it), `repr()` of a float (the safe
//! representer writes `repr(f).lower()`), and `str.isprintable()`.

pub use crate::printable::is_printable;

/// Python's `repr()` of a str: single quotes unless the text has `'` and no `"`; escapes for
/// the quote, the backslash, `\t\n\r`, other controls and every non-printable code point.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c < ' ' || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_ascii() || is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// `repr()` of a one-character str (ruamel's `{ch!r}`).
pub fn char_repr(c: char) -> String {
    let mut buf = [0u8; 4];
    str_repr(c.encode_utf8(&mut buf))
}

/// `repr(f)` as Python 3 prints it: `1.5`, `1.0`, `1e+20`, `1.5e-07`, `inf`, `nan`, `-0.0`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (digits, exp) = shortest_digits(f.abs());
    // Python (float_repr_style 'short', format code 'r') uses scientific notation when the
    // decimal point position is < -4 or > 16 (decpt = exp + 1).
    let decpt = exp + 1;
    if !(-4 < decpt && decpt <= 16) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{esign}{:02}", exp.abs());
    }
    let n = digits.len() as i32;
    let body = if decpt <= 0 {
        format!("0.{}{}", "0".repeat((-decpt) as usize), digits)
    } else if decpt >= n {
        format!("{}{}.0", digits, "0".repeat((decpt - n) as usize))
    } else {
        format!(
            "{}.{}",
            &digits[..decpt as usize],
            &digits[decpt as usize..]
        )
    };
    format!("{sign}{body}")
}

/// The shortest digits that read back as `f` (>= 0, finite) and the decimal exponent of the
/// first. Ryu picks the same digits as Python's repr (dtoa mode 0), including the even digit
/// on exact ties.
fn shortest_digits(f: f64) -> (String, i32) {
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(f);
    let (mantissa, e) = text.split_once('e').unwrap_or((text, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{int}{frac}");
    let mut decpt = int.len() as i32 + e;
    let trimmed = all.trim_start_matches('0');
    decpt -= (all.len() - trimmed.len()) as i32;
    let digits = trimmed.trim_end_matches('0');
    if digits.is_empty() {
        return ("0".into(), 0);
    }
    (digits.to_string(), decpt - 1)
}

/// Python's `float(s)` for the strings ruamel passes it (already lower-cased, `_` removed,
/// sign stripped): `None` where Python raises `ValueError`.
pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_whitespace());
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = body.to_ascii_lowercase();
    let v = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            // Python accepts digits with an optional point and exponent, nothing else.
            let b = lower.as_bytes();
            let mut i = 0;
            let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            i += int_digits;
            let mut frac_digits = 0;
            if b.get(i) == Some(&b'.') {
                i += 1;
                frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                i += frac_digits;
            }
            if int_digits + frac_digits == 0 {
                return None;
            }
            if b.get(i) == Some(&b'e') {
                i += 1;
                if matches!(b.get(i), Some(b'+') | Some(b'-')) {
                    i += 1;
                }
                let exp_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if exp_digits == 0 {
                    return None;
                }
                i += exp_digits;
            }
            if i != b.len() {
                return None;
            }
            lower.parse::<f64>().ok()?
        }
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::excessive_precision)]
    fn float_repr_matches_python() {
        for (f, want) in [
            (1.5, "1.5"),
            (1.0, "1.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (5e-324, "5e-324"),
            (175065454711103.625, "175065454711103.62"),
        ] {
            assert_eq!(float_repr(f), want, "{f:?}");
        }
    }

    #[test]
    fn str_repr_matches_python() {
        assert_eq!(str_repr("a"), "'a'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("'\""), "'\\'\"'");
        assert_eq!(char_repr('\t'), "'\\t'");
        assert_eq!(char_repr('\u{85}'), "'\\x85'");
        assert_eq!(char_repr('\u{feff}'), "'\\ufeff'");
        assert_eq!(char_repr('\u{2028}'), "'\\u2028'");
        assert_eq!(char_repr('é'), "'é'");
        assert_eq!(char_repr('\0'), "'\\x00'");
    }

    #[test]
    fn python_float_parsing() {
        assert_eq!(parse_float("1."), Some(1.0));
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("1e"), None);
        assert_eq!(parse_float("."), None);
        assert_eq!(parse_float(" 2 "), Some(2.0));
        assert!(parse_float("nan").unwrap().is_nan());
        assert_eq!(parse_float("abc"), None);
    }
}

//! Python's `repr()` / `str()` of a float, which the AWS CLI's formatters print
//! (json.dumps, text's `str()`, table cells). Rust's shortest round-trip digits
//! are the same digits Python uses; only the layout differs.

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

/// The shortest digits that read back as `f` (>= 0) and the decimal exponent of the first,
/// as Python's `repr` chooses them: Rust's `{:e}` gives shortest round-trip digits too, but
/// when the exact value lies half-way between two shortest candidates Rust may round up
/// where Python (dtoa) takes the even digit.
fn shortest_digits(f: f64) -> (String, i32) {
    let split = |s: String| -> (String, i32) {
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        (m.replace('.', ""), e.parse().unwrap_or(0))
    };
    let (digits, exp) = split(format!("{f:e}"));
    let n = digits.len();
    // The exact binary value, in decimal (767 significant digits always suffice).
    let (exact, exact_exp) = split(format!("{f:.800e}"));
    if exact_exp != exp || !exact[n..].starts_with('5') || exact[n + 1..].bytes().any(|b| b != b'0')
    {
        return (digits, exp);
    }
    // A tie: the candidates are the truncation and the truncation plus one.
    let truncated = &exact[..n];
    let last = truncated.as_bytes()[n - 1] - b'0';
    let even = if last % 2 == 0 {
        truncated.to_string()
    } else if last < 9 {
        format!("{}{}", &truncated[..n - 1], last + 1)
    } else {
        return (digits, exp);
    };
    let reads_back = format!("{}.{}e{exp}", &even[..1], &even[1..])
        .parse::<f64>()
        .is_ok_and(|g| g == f);
    if reads_back {
        (even.trim_end_matches('0').to_string().max("0".into()), exp)
    } else {
        (digits, exp)
    }
}

#[cfg(test)]
mod tests {
    use super::float_repr;

    #[test]
    fn matches_python_repr() {
        for (f, want) in [
            (1.5, "1.5"),
            (1.0, "1.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (123456789.125, "123456789.125"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-2.5, "-2.5"),
            (175065454711103.625, "175065454711103.62"),
            (1934619779916744.25, "1934619779916744.2"),
        ] {
            assert_eq!(float_repr(f), want, "{f:?}");
        }
    }
}

/// `repr(s)` of a Python `str`: single quotes unless the text has `'` and no `"`;
/// backslash escapes for the quote, `\\`, `\t`, `\n`, `\r`, and `\x..`/`\u....`/`\U........`
/// for characters Python does not consider printable.
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
            c if !is_printable(c) => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character: false for the Unicode categories
/// Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs (except the ASCII space). Covers the control,
/// format, separator and private-use ranges; unassigned code points are treated as
/// printable (a rare edge the AWS CLI would escape).
fn is_printable(c: char) -> bool {
    let n = c as u32;
    !matches!(n,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f
        | 0x890..=0x891 | 0x8e2 | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f
        | 0x205f..=0x2064 | 0x2066..=0x206f | 0x3000 | 0xd800..=0xf8ff | 0xfeff
        | 0xfff9..=0xfffb | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff)
}

/// Python's `str()` of a JSON value: strings as they are, `None`/`True`/`False`, numbers,
/// and `repr()` of lists and dicts (`['a', 1]`, `{'k': None}`).
pub fn py_str(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr()` of a JSON value.
pub fn py_repr(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => float_repr(f),
            _ => n.to_string(),
        },
        Value::String(s) => str_repr(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", str_repr(k), py_repr(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

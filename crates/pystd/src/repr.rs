//! Python's `repr()` of the objects the AWS CLI prints: floats (shortest round-trip
//! digits in Python's layout), str (its quoting and escapes), bytes, and the Python objects
//! `json.loads` makes of a JSON value (`str()`, `repr()`, type names).

use serde_json::Value;

use crate::unicode::is_printable;

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

/// The shortest digits that read back as `f` (>= 0, finite) and the decimal exponent of
/// the first. Ryu picks the same digits as Python's repr (dtoa mode 0), including the even
/// digit on exact ties, where Rust's `{:e}` may round up.
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

/// Python's `repr()` of a str: single quotes unless the text has `'` and no `"`; escapes for
/// the quote, backslash, `\t\n\r`, other ASCII controls and non-printable code points.
pub fn push_str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
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
}

/// Python's `repr()` of a str.
pub fn str_repr(s: &str) -> String {
    let mut out = String::new();
    push_str_repr(s, &mut out);
    out
}

/// Python's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = bytes_repr_quote(b.contains(&b'\''), b.contains(&b'"'));
    let mut out = vec![b'b', quote];
    bytes_repr_piece(b, quote, &mut out);
    out.push(quote);
    String::from_utf8(out).unwrap_or_default()
}

/// The quote `repr(bytes)` puts around a value that contains single / double quotes
/// (`"` only when it has `'` and no `"`), for writing a long value's repr in pieces.
pub fn bytes_repr_quote(has_single: bool, has_double: bool) -> u8 {
    if has_single && !has_double {
        b'"'
    } else {
        b'\''
    }
}

/// The escaped form of `piece` inside `repr(bytes)` quoted with `quote`, appended to
/// `out` (ASCII only).
pub fn bytes_repr_piece(piece: &[u8], quote: u8, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &c in piece {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            c if c == quote => out.extend_from_slice(&[b'\\', quote]),
            0x20..=0x7e => out.push(c),
            c => out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]),
        }
    }
}

/// Deepest nesting `value_repr` walks before writing `...`.
const MAX_DEPTH: usize = 400;

/// The Python type name of a JSON value, as it appears in `AttributeError` messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python's `str(v)`: strings verbatim, containers as their `repr`.
pub fn value_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            push_repr(other, &mut out, 0);
            out
        }
    }
}

/// Python's `repr(v)`, appended to `out`. Nesting deeper than [`MAX_DEPTH`] cannot reach here
/// (the formatters stop first), but is cut short as `...` rather than risking the stack.
fn push_repr(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => out.push_str(&float_repr(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => push_str_repr(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_repr(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_str_repr(k, out);
                out.push_str(": ");
                push_repr(item, out, depth + 1);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // The tie cases are exact binary values half-way between two shortest decimals.
    #[allow(clippy::excessive_precision)]
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

    #[test]
    fn str_and_bytes() {
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a\tb\u{7f}é\u{200b}"), "'a\\tb\\x7fé\\u200b'");
        assert_eq!(bytes_repr(b"a'b\n\xff\\"), r#"b"a'b\n\xff\\""#);
        assert_eq!(bytes_repr(b"x\"'"), r#"b'x"\''"#);
    }
}

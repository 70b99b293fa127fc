//! Python's text conversions that show through python-jmespath: `str()`/`repr()` of
//! values (error messages print them with `%s`), `json.dumps` (the `to_string` function),
//! `int()`/`float()` of a string (the `to_number` function) and the Unicode character
//! classes these depend on. `repr()` of a str and float come from `output::pyrepr`,
//! shared with the formatters.

use super::value::Val;
use crate::output::pyrepr::{float_repr, str_repr as repr_str};

/// `str(v)`: strings print raw, everything else as `repr(v)`.
pub(crate) fn py_str(v: &Val) -> String {
    match v {
        Val::Str(s) => s.to_string(),
        other => py_repr(other),
    }
}

/// `repr(v)` of the Python object: `None`, `True`, `{'a': [1, 2.5]}`, ...
pub(crate) fn py_repr(v: &Val) -> String {
    let mut out = String::new();
    write_repr(v, &mut out);
    out
}

fn write_repr(v: &Val, out: &mut String) {
    match v {
        Val::Null => out.push_str("None"),
        Val::Bool(true) => out.push_str("True"),
        Val::Bool(false) => out.push_str("False"),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Float(f) => out.push_str(&float_repr(*f)),
        Val::Str(s) => out.push_str(&repr_str(s)),
        Val::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(x, out);
            }
            out.push(']');
        }
        Val::Object(obj) => {
            out.push('{');
            for (i, (k, x)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&repr_str(k));
                out.push_str(": ");
                write_repr(x, out);
            }
            out.push('}');
        }
        Val::Expref(e) => out.push_str(&expref_str(e.id)),
    }
}

/// `str()` of a `_Expression` object. Python shows its memory address, which no
/// reimplementation can reproduce; this keeps the shape with a made-up address.
pub(crate) fn expref_str(id: u64) -> String {
    format!(
        "<jmespath.visitor._Expression object at 0x{:x}>",
        0x7f00_0000_0000u64.wrapping_add(id.wrapping_mul(0x30))
    )
}

/// `json.dumps(v, separators=(',', ':'), default=str)` — python-jmespath's `to_string`.
/// `ensure_ascii` is on (the default), so everything outside printable ASCII is escaped.
pub(crate) fn json_dumps_compact(v: &Val) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Val, out: &mut String) {
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(true) => out.push_str("true"),
        Val::Bool(false) => out.push_str("false"),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Float(f) => out.push_str(&crate::output::json::float_json(*f)),
        Val::Str(s) => write_json_str(s, out),
        Val::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        Val::Object(obj) => {
            out.push('{');
            for (i, (k, x)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(k, out);
                out.push(':');
                write_json(x, out);
            }
            out.push('}');
        }
        // default=str turns the unknown object into its str().
        Val::Expref(e) => write_json_str(&expref_str(e.id), out),
    }
}

/// `json.encoder.py_encode_basestring_ascii` (`ensure_ascii` is on).
fn write_json_str(s: &str, out: &mut String) {
    crate::output::json::write_string(out, s, true);
}

/// `str.isspace()` for one character (the characters CPython's `Py_UNICODE_ISSPACE`
/// accepts), used by `str.strip()`/`lstrip()`, `int()` and `float()`.
pub(crate) fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
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

/// `int(s)` for a str (base 10). Integers too large for 128 bits come back as floats
/// (a documented approximation of Python's unbounded ints).
pub(crate) fn py_int(s: &str) -> Option<Val> {
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
        Ok(i) => Some(Val::Int(i)),
        Err(_) => signed.parse::<f64>().ok().map(Val::Float),
    }
}

/// `float(s)` for a str: decimal literals with optional underscores between digits,
/// `inf`, `infinity`, `nan` (any case, optional sign).
pub(crate) fn py_float(s: &str) -> Option<f64> {
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
    use crate::output::query::value::Obj;
    use std::sync::Arc;

    #[test]
    fn repr_matches_python() {
        let mut o = Obj::new();
        o.insert(
            Arc::from("k"),
            Val::array(vec![Val::Null, Val::Bool(true), Val::Float(1.0)]),
        );
        assert_eq!(py_repr(&Val::object(o)), "{'k': [None, True, 1.0]}");
    }

    #[test]
    fn json_dumps_is_ascii_and_compact() {
        let mut o = Obj::new();
        o.insert(
            Arc::from("é"),
            Val::array(vec![Val::str("😀\u{7f}\""), Val::Float(1e20)]),
        );
        assert_eq!(
            json_dumps_compact(&Val::object(o)),
            r#"{"\u00e9":["\ud83d\ude00\u007f\"",1e+20]}"#
        );
        assert_eq!(
            json_dumps_compact(&Val::Float(f64::NEG_INFINITY)),
            "-Infinity"
        );
    }

    #[test]
    fn int_and_float_of_strings() {
        assert!(matches!(py_int(" 1_000 "), Some(Val::Int(1000))));
        assert!(matches!(py_int("-007"), Some(Val::Int(-7))));
        assert!(matches!(py_int("١٢"), Some(Val::Int(12))));
        assert!(py_int("1.5").is_none());
        assert!(py_int("_1").is_none());
        assert!(py_int("1__0").is_none());
        assert_eq!(py_float("1.5"), Some(1.5));
        assert_eq!(py_float(" .5e1\n"), Some(5.0));
        assert_eq!(py_float("5."), Some(5.0));
        assert_eq!(py_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(py_float("nan").is_some_and(f64::is_nan));
        assert!(py_float("1e").is_none());
        assert!(py_float(".").is_none());
        assert!(py_float("0x10").is_none());
        assert!(py_float("1_0._5").is_none());
    }
}

//! Python's text conversions that show through python-jmespath: `str()`/`repr()` of
//! values (error messages print them with `%s`), `json.dumps` (the `to_string` function),
//! `int()`/`float()` of a string (the `to_number` function), over pystd's shared
//! pieces (str and float `repr()`, JSON string escaping).

use pystd::number::Number;
use pystd::repr::{float_repr, str_repr as repr_str};

use crate::value::Val;

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
        Val::Float(f) => out.push_str(&pystd::json::float_str(*f)),
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
    pystd::json::write_string(out, s, true);
}

/// `int(s)` for a str (python-jmespath's `to_number`).
pub(crate) fn py_int(s: &str) -> Option<Val> {
    pystd::number::int(s).map(|n| match n {
        Number::Int(i) => Val::Int(i),
        Number::Float(f) => Val::Float(f),
    })
}

/// `float(s)` for a str.
pub(crate) fn py_float(s: &str) -> Option<f64> {
    pystd::number::float(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Obj;
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

//! Python's `json.dumps`: `indent=4, ensure_ascii=False` for the CLI's json output,
//! the one-line `ensure_ascii=False` form for top-level scalars of the yaml output, and the
//! `ensure_ascii=True` forms botocore uses for its cache files and cache keys.

use serde_json::Value;

use super::pyrepr::float_repr;

/// The arguments `json.dumps` was called with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// `indent=n`; `None` for the one-line form.
    pub indent: Option<usize>,
    /// `ensure_ascii=True`: everything outside U+0020..U+007E as `\uXXXX`.
    pub ensure_ascii: bool,
    pub sort_keys: bool,
    /// `separators=(',', ':')` instead of `(', ', ': ')`.
    pub compact: bool,
}

/// `json.dumps(value, ensure_ascii=False[, indent=n])`.
pub fn dumps(value: &Value, indent: Option<usize>) -> String {
    dumps_with(
        value,
        Style {
            indent,
            ..Style::default()
        },
    )
}

pub fn dumps_with(value: &Value, style: Style) -> String {
    let mut out = String::new();
    write_value(&mut out, value, &style, 0);
    out
}

fn write_value(out: &mut String, value: &Value, style: &Style, level: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => out.push_str(&float_json(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_string(out, s, style.ensure_ascii),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                separator(out, i, style, level + 1);
                write_value(out, item, style, level + 1);
            }
            close(out, style, level);
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if style.sort_keys {
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                separator(out, i, style, level + 1);
                write_string(out, k, style.ensure_ascii);
                out.push_str(if style.compact { ":" } else { ": " });
                write_value(out, v, style, level + 1);
            }
            close(out, style, level);
            out.push('}');
        }
    }
}

fn separator(out: &mut String, i: usize, style: &Style, level: usize) {
    match style.indent {
        Some(n) => {
            if i > 0 {
                out.push(',');
            }
            out.push('\n');
            out.push_str(&" ".repeat(n * level));
        }
        None if i > 0 => out.push_str(if style.compact { "," } else { ", " }),
        None => {}
    }
}

fn close(out: &mut String, style: &Style, level: usize) {
    if let Some(n) = style.indent {
        out.push('\n');
        out.push_str(&" ".repeat(n * level));
    }
}

/// Python's float in JSON: `repr()`, with `NaN`/`Infinity`/`-Infinity` as bare words.
pub(crate) fn float_json(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        float_repr(f)
    }
}

/// `"`, `\\` and C0 controls are always escaped; with `ensure_ascii` also everything
/// outside U+0020..U+007E, as `\\uXXXX` (UTF-16 surrogate pairs beyond the BMP).
pub(crate) fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ensure_ascii && (c as u32) > 0x7e) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::dumps;
    use serde_json::json;

    #[test]
    fn like_python() {
        let v =
            json!({"a": [1, 1.5, null, true, "é\u{1}\"\\\n"], "b": {}, "c": [], "d": {"e": 1e20}});
        assert_eq!(
            dumps(&v, Some(4)),
            "{\n    \"a\": [\n        1,\n        1.5,\n        null,\n        true,\n        \"é\\u0001\\\"\\\\\\n\"\n    ],\n    \"b\": {},\n    \"c\": [],\n    \"d\": {\n        \"e\": 1e+20\n    }\n}"
        );
        assert_eq!(dumps(&json!([1, {"a": "b"}]), None), "[1, {\"a\": \"b\"}]");
        assert_eq!(dumps(&json!("x"), None), "\"x\"");
    }
}

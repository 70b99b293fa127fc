//! Python's `json.dumps(value, indent=4, ensure_ascii=False)` (the CLI's json output) and
//! `json.dumps(value, ensure_ascii=False)` (top-level scalars of the yaml output).

use serde_json::Value;

use super::pyrepr::float_repr;

/// `indent`: `Some(4)` for the json output, `None` for the one-line form.
pub fn dumps(value: &Value, indent: Option<usize>) -> String {
    let mut out = String::new();
    write_value(&mut out, value, indent, 0);
    out
}

fn write_value(out: &mut String, value: &Value, indent: Option<usize>, level: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => out.push_str(&float_json(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                separator(out, i, indent, level + 1);
                write_value(out, item, indent, level + 1);
            }
            close(out, indent, level);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                separator(out, i, indent, level + 1);
                write_string(out, k);
                out.push_str(": ");
                write_value(out, v, indent, level + 1);
            }
            close(out, indent, level);
            out.push('}');
        }
    }
}

fn separator(out: &mut String, i: usize, indent: Option<usize>, level: usize) {
    match indent {
        Some(n) => {
            if i > 0 {
                out.push(',');
            }
            out.push('\n');
            out.push_str(&" ".repeat(n * level));
        }
        None if i > 0 => out.push_str(", "),
        None => {}
    }
}

fn close(out: &mut String, indent: Option<usize>, level: usize) {
    if let Some(n) = indent {
        out.push('\n');
        out.push_str(&" ".repeat(n * level));
    }
}

/// Python's float in JSON: `repr()`, with `NaN`/`Infinity`/`-Infinity` as bare words.
fn float_json(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        float_repr(f)
    }
}

/// ensure_ascii=False: only `"`, `\` and C0 controls are escaped.
fn write_string(out: &mut String, s: &str) {
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
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
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

//! The AWS CLI's output formatters (awscli/formatter.py), applied after `--query`.

mod east_asian_width;
pub mod json;
pub mod pyrepr;
pub mod query;
pub mod table;
pub mod text;
pub mod yaml;

use serde_json::Value;

/// How one formatter call ended: the bytes it wrote, and the Python exception it died
/// with, if any (rc 255; the bytes written before the crash still reach the stream).
pub struct Rendered {
    pub text: String,
    pub error: Option<String>,
}

/// Render `value` with the formatter `format` (one of `cli::OUTPUT_FORMATS`); `title` is the
/// table title (`get-token`, or `error` for error tables); `color` is whether table cells
/// are styled (`--color`, resolved against the terminal); `width` the terminal width.
pub fn render(format: &str, title: &str, value: &Value, color: bool, width: usize) -> Rendered {
    let done = |text: String| Rendered { text, error: None };
    let is_empty_dict = matches!(value, Value::Object(m) if m.is_empty());
    match format {
        "json" if is_empty_dict => done(String::new()),
        "json" => done(json::dumps(value, Some(4)) + "\n"),
        "text" => {
            let mut out = String::new();
            let error = text::write_text(value, &mut out).err();
            Rendered { text: out, error }
        }
        "table" => match table::format_table(value, title, width, color) {
            Ok(t) => done(t),
            Err(e) => Rendered {
                text: String::new(),
                error: Some(e),
            },
        },
        "yaml" if is_empty_dict => done(String::new()),
        "yaml" if !matches!(value, Value::Array(_) | Value::Object(_)) => {
            // Top-level scalars are written as JSON, not YAML (awscli YAMLFormatter).
            done(json::dumps(value, None) + "\n")
        }
        "yaml" => done(yaml::dump(value)),
        "yaml-stream" if is_empty_dict => done(String::new()),
        "yaml-stream" => done(yaml::dump(&Value::Array(vec![value.clone()]))),
        _ => done(String::new()), // off
    }
}

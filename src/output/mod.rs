//! The AWS CLI's output formatters (awscli/formatter.py), applied after `--query`.

pub mod format;
pub mod table;
pub mod text;
pub mod yaml;

use pystd::json::{self, Value};

use format::OutputFormat;

/// How one formatter call ended: the bytes it wrote, and the Python exception it died
/// with, if any (rc 255; the bytes written before the crash still reach the stream).
pub struct Rendered {
    pub text: String,
    pub error: Option<String>,
}

/// Render `value` with the formatter `format`; `title` is the table title (the operation,
/// or `error` for error tables); `color` is whether table cells are styled (`--color`,
/// resolved against the terminal); `width` the terminal width.
pub fn render(
    format: OutputFormat,
    title: &str,
    value: &Value,
    color: bool,
    width: usize,
) -> Rendered {
    let done = |text: String| Rendered { text, error: None };
    let is_empty_dict = matches!(value, Value::Dict(m) if m.is_empty());
    match format {
        OutputFormat::Json if is_empty_dict => done(String::new()),
        OutputFormat::Json => done(json::dumps(value, Some(4)) + "\n"),
        OutputFormat::Text => {
            let mut out = String::new();
            let error = text::write_text(value, &mut out).err();
            Rendered { text: out, error }
        }
        OutputFormat::Table => match table::format_table(value, title, width, color) {
            Ok(t) => done(t),
            Err(e) => Rendered {
                text: String::new(),
                error: Some(e),
            },
        },
        OutputFormat::Yaml if is_empty_dict => done(String::new()),
        OutputFormat::Yaml if value.is_scalar() => {
            // Top-level scalars are written as JSON, not YAML (awscli YAMLFormatter).
            done(json::dumps(value, None) + "\n")
        }
        OutputFormat::Yaml => done(yaml::dump(value)),
        OutputFormat::YamlStream if is_empty_dict => done(String::new()),
        OutputFormat::YamlStream => done(yaml::dump(&Value::List(vec![value.clone()]))),
        OutputFormat::Off => done(String::new()),
    }
}

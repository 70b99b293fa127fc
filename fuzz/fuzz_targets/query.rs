//! `--query`: `Query::compile`, `Query::search`, then every output formatter on the result.
//!
//! Input: the expression, a NUL, then the JSON document to search. Without a NUL, or when
//! the document is not JSON, the ExecCredential document get-token prints is searched.

#![no_main]

use aws_eks_token::exec_credential::{document, BETA_API};
use aws_eks_token::output::{render, table};
use aws_eks_token::settings::OutputFormat;
use jmespath_py::Query;
use libfuzzer_sys::fuzz_target;
use pystd::json::Value;

const FORMATS: [OutputFormat; 6] = [
    OutputFormat::Json,
    OutputFormat::Text,
    OutputFormat::Table,
    OutputFormat::Yaml,
    OutputFormat::YamlStream,
    OutputFormat::Off,
];
/// Terminal widths: the narrowest, a few odd ones, the default 80, a wide one.
const WIDTHS: [usize; 5] = [1, 7, 33, 80, 250];

fn render_all(value: &Value) {
    for format in FORMATS {
        for color in [false, true] {
            let widths: &[usize] = if format == OutputFormat::Table {
                &WIDTHS
            } else {
                &[80]
            };
            for &width in widths {
                let r = render(format, "get-token", value, color, width);
                if format == OutputFormat::Json && !r.text.is_empty() {
                    // Python's JSON, Infinity and NaN included.
                    if let Err(e) = pystd::json::loads(&r.text) {
                        panic!(
                            "--output json printed something json.loads refuses ({e}): {:?}",
                            r.text
                        );
                    }
                }
            }
        }
    }
    // Error tables: styled without colorama's resets.
    for &width in &WIDTHS {
        let _ =
            table::format_table_with(value, "error", width, table::TableColor::OnWithoutAutoreset);
    }
}

fuzz_target!(|data: &[u8]| {
    let (expr, doc) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    // argv is read lossily, so any bytes can arrive as `--query`.
    let expr = String::from_utf8_lossy(expr);
    let default_doc = || {
        Value::from_serde(&document(
            BETA_API,
            "2024-01-02T03:18:05Z",
            "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eQ",
        ))
    };
    let doc: Value = doc
        .and_then(|d| std::str::from_utf8(d).ok())
        .and_then(|d| pystd::json::loads(d).ok())
        .unwrap_or_else(default_doc);

    let query = match Query::compile(&expr) {
        Ok(q) => q,
        Err(e) => {
            assert!(!e.is_empty(), "an empty compile error for {expr:?}");
            return;
        }
    };
    match query.search(&doc) {
        Ok(result) => render_all(&result),
        Err(e) => assert!(!e.is_empty(), "an empty search error for {expr:?}"),
    }
});

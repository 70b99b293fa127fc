//! `--output text`: a port of the AWS CLI's `awscli/text.py` (spec §2.2), plus the Python
//! `str()`/`repr()` of JSON values that both the text and the table formatter print.
//!
//! The CLI writes straight to stdout while it walks the value, so a crash half-way (a list
//! mixing dicts and non-dicts) leaves the lines written so far on stdout: [`write_text`] keeps
//! them for callers that need the exact bytes.

use std::collections::BTreeSet;

use pystd::json::Value;

/// Not a list or dict: what the CLI calls a scalar.
pub(crate) fn is_scalar(v: &Value) -> bool {
    v.is_scalar()
}

/// Python's `str(v)`.
pub(crate) fn py_str(v: &Value) -> String {
    v.py_str()
}

/// Deepest nesting the formatters walk. Python gives up near depth 500 (its recursion limit of
/// 1000 frames, two frames per level); stopping earlier keeps Rust's stack safe on any thread.
pub(crate) const MAX_DEPTH: usize = 400;

/// The error for values nested deeper than [`MAX_DEPTH`] (Python's `RecursionError`).
pub(crate) fn too_deep() -> String {
    "maximum recursion depth exceeded".to_string()
}

/// The CLI's text output of `value` (the value after `--query`).
/// `Err` is the message of the Python exception the CLI dies with (rc 255).
pub fn format_text(value: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_text(value, &mut out)?;
    Ok(out)
}

/// Like [`format_text`], appending to `out`. On `Err`, `out` holds what the CLI had already
/// written to stdout before it crashed (it flushes that before printing the error).
pub fn write_text(value: &Value, out: &mut String) -> Result<(), String> {
    format_item(value, None, None, out, 0)
}

fn format_item(
    item: &Value,
    identifier: Option<&str>,
    scalar_keys: Option<&[&str]>,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    match item {
        Value::Dict(map) => format_dict(map, identifier, scalar_keys, out, depth),
        Value::List(items) => format_list(items, identifier, out, depth),
        scalar => {
            out.push_str(&py_str(scalar));
            out.push('\n');
            Ok(())
        }
    }
}

fn format_list(
    items: &[Value],
    identifier: Option<&str>,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    if items.is_empty() {
        return Ok(());
    }
    if items.iter().any(Value::is_dict) {
        // One column per key that holds a scalar in any element, sorted. Collecting them calls
        // `.items()` on every element, so any non-dict element crashes the CLI here.
        let mut keys = BTreeSet::new();
        for element in items {
            let Value::Dict(map) = element else {
                return Err(format!(
                    "'{}' object has no attribute 'items'",
                    element.type_name()
                ));
            };
            keys.extend(
                map.iter()
                    .filter(|(_, v)| is_scalar(v))
                    .map(|(k, _)| k.as_str()),
            );
        }
        let keys: Vec<&str> = keys.into_iter().collect();
        for element in items {
            format_item(element, identifier, Some(&keys), out, depth + 1)?;
        }
    } else if items.iter().any(Value::is_list) {
        // Scalars first on one line, then each nested list, as the CLI partitions them.
        let scalars: Vec<&Value> = items.iter().filter(|v| is_scalar(v)).collect();
        if !scalars.is_empty() {
            format_scalar_list(&scalars, identifier, out);
        }
        for nested in items.iter().filter(|v| !is_scalar(v)) {
            format_item(nested, identifier, None, out, depth + 1)?;
        }
    } else {
        let scalars: Vec<&Value> = items.iter().collect();
        format_scalar_list(&scalars, identifier, out);
    }
    Ok(())
}

fn format_scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        // Under a key, one `KEY\tvalue` line per element.
        Some(id) => {
            let id = id.to_uppercase();
            for item in items {
                out.push_str(&id);
                out.push('\t');
                out.push_str(&py_str(item));
                out.push('\n');
            }
        }
        None => {
            let cells: Vec<String> = items.iter().map(|v| py_str(v)).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
    }
}

fn format_dict(
    map: &[(String, Value)],
    identifier: Option<&str>,
    scalar_keys: Option<&[&str]>,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    let mut scalars: Vec<String> = Vec::new();
    let mut nested: Vec<(&str, &Value)> = Vec::new();
    match scalar_keys {
        None => {
            let mut entries: Vec<(&String, &Value)> = map.iter().map(|(k, v)| (k, v)).collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (k, v) in entries {
                if is_scalar(v) {
                    scalars.push(py_str(v));
                } else {
                    nested.push((k, v));
                }
            }
        }
        // Inside a list of dicts every element prints the shared columns, '' where a key is
        // missing; a shared key holding a list/dict here prints as its Python repr (spec §2.2).
        Some(keys) => {
            scalars.extend(keys.iter().map(|k| {
                map.iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| py_str(v))
                    .unwrap_or_default()
            }));
            let mut rest: Vec<(&String, &Value)> = map
                .iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k, v))
                .collect();
            rest.sort_by(|a, b| a.0.cmp(b.0));
            nested.extend(rest.into_iter().map(|(k, v)| (k.as_str(), v)));
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = identifier {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (key, value) in nested {
        format_item(value, Some(key), None, out, depth + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(v: serde_json::Value) -> Result<String, String> {
        format_text(&Value::from_serde(&v))
    }

    #[test]
    fn scalars_print_like_python_str() {
        assert_eq!(text(json!("ExecCredential")).unwrap(), "ExecCredential\n");
        assert_eq!(text(json!(null)).unwrap(), "None\n");
        assert_eq!(text(json!(true)).unwrap(), "True\n");
        assert_eq!(text(json!(false)).unwrap(), "False\n");
        assert_eq!(text(json!(14)).unwrap(), "14\n");
        assert_eq!(text(json!("")).unwrap(), "\n");
        assert_eq!(text(json!("a\tb\nc")).unwrap(), "a\tb\nc\n");
        assert_eq!(text(json!([1.0, 1e20, 0.5])).unwrap(), "1.0\t1e+20\t0.5\n");
    }

    #[test]
    fn empty_containers_print_nothing() {
        assert_eq!(text(json!([])).unwrap(), "");
        assert_eq!(text(json!({})).unwrap(), "");
    }

    #[test]
    fn get_token_document() {
        let doc = json!({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1",
            "spec": {}, "status": {"expirationTimestamp": "2024-01-02T03:18:05Z", "token": "k8s-aws-v1.x"}});
        assert_eq!(
            text(doc).unwrap(),
            "client.authentication.k8s.io/v1beta1\tExecCredential\n\
             STATUS\t2024-01-02T03:18:05Z\tk8s-aws-v1.x\n"
        );
    }

    #[test]
    fn spec_examples() {
        let v = json!({"k": "ExecCredential", "s": {}, "n": null, "l": ["ExecCredential", 1]});
        assert_eq!(
            text(v).unwrap(),
            "ExecCredential\tNone\nL\tExecCredential\nL\t1\n"
        );
        let v = json!([{"n": "a", "v": 1, "w": "x"}, {"n": "b", "v": 2}]);
        assert_eq!(text(v).unwrap(), "a\t1\tx\nb\t2\t\n");
        let v = json!([[1, 2], [3, [4, 5]], "s"]);
        assert_eq!(text(v).unwrap(), "s\n1\t2\n3\n4\t5\n");
    }

    #[test]
    fn list_of_dicts_with_non_dict_crashes() {
        assert_eq!(
            text(json!([{"a": 1}, 2])),
            Err("'int' object has no attribute 'items'".into())
        );
        assert_eq!(
            text(json!([null, {"a": 1}])),
            Err("'NoneType' object has no attribute 'items'".into())
        );
        // Lines written before the crash stay on stdout.
        let mut out = String::new();
        let r = write_text(
            &Value::from_serde(&json!({"a": 1, "b": [{"x": 1}, [2]]})),
            &mut out,
        );
        assert_eq!(r, Err("'list' object has no attribute 'items'".into()));
        assert_eq!(out, "1\n");
    }

    #[test]
    fn shared_key_holding_a_list_prints_its_repr() {
        let v = json!([{"a": 1}, {"a": ["x", 1, null, {"k": true}], "b": "it's"}]);
        assert_eq!(text(v).unwrap(), "1\t\n['x', 1, None, {'k': True}]\tit's\n");
    }

    #[test]
    fn identifiers_are_uppercased_fully() {
        assert_eq!(text(json!({"straße": [1]})).unwrap(), "STRASSE\t1\n");
    }

    #[test]
    fn python_repr_of_strings() {
        let r = pystd::repr::str_repr;
        assert_eq!(r("a"), "'a'");
        assert_eq!(r("it's"), "\"it's\"");
        assert_eq!(r("'\""), "'\\'\"'");
        assert_eq!(r("a\nb\t\r\\"), "'a\\nb\\t\\r\\\\'");
        assert_eq!(r("\x07\x7f"), "'\\x07\\x7f'");
        assert_eq!(r("é日本"), "'é日本'");
        assert_eq!(
            r("\u{a0}\u{ad}\u{200b}\u{2028}"),
            "'\\xa0\\xad\\u200b\\u2028'"
        );
        assert_eq!(r("\u{e000}\u{f0000}"), "'\\ue000\\U000f0000'");
        assert_eq!(r("😀"), "'😀'");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut v = json!(1);
        for _ in 0..(MAX_DEPTH + 10) {
            v = json!([v]);
        }
        assert_eq!(text(v), Err(too_deep()));
    }
}

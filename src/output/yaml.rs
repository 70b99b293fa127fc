//! The YAML text the AWS CLI writes for `--output yaml`, `--output yaml-stream` and
//! `--cli-error-format yaml` (spec §2.4).
//!
//! The CLI dumps with ruamel.yaml 0.19.1 `YAML(typ='safe')`, `default_flow_style=False`,
//! `allow_unicode` on, width 80, and — because ruamel.yaml.clib 0.2.15 is installed — the
//! C emitter, a copy of libyaml 0.1.7's `emitter.c`. The `yaml-py` crate reproduces that
//! combination ([`yaml_py::Flavor::Libyaml`]); this module only turns a JSON value into the
//! Python objects ruamel's safe representer sees:
//!
//! * objects are plain `dict`s, so the representer sorts their keys;
//! * numbers are `int` (`str(int)`) or `float` (`repr(f).lower()`, `.inf`, `.nan`);
//! * every non-empty container is block style; the resolver decides which strings need
//!   quotes, libyaml's emitter everything else (styles, escapes, folding at 80 columns).
//!
//! What the caller handles (not this module): top-level scalars for `--output yaml` (the CLI
//! prints them as JSON), `{}` printing nothing, and get-token's extra `\n`. Given a top-level
//! scalar anyway, [`dump`] writes what ruamel would (e.g. `abc\n...\n`).
//!
//! Not reproducible from a document: ruamel writes anchors/aliases (`&id001`, `*id001`)
//! when the *same Python object* appears twice, which a JMESPath query like `[status,
//! status]` produces in the CLI. A `Value` has no object identity, so we always write the
//! structure out in full.

use pystd::json::Value;
use yaml_py::{Doc, Flavor, Int, Map, Obj};

/// Dump `value` exactly as the AWS CLI's ruamel.yaml dumper does (spec §2.4).
///
/// For `--output yaml` pass the (post-query) response; for yaml-stream pass `[response]`;
/// for `--cli-error-format yaml` pass the error dict. The text ends with one `\n` and has
/// neither `---` nor `...` (except after a plain top-level scalar, as ruamel does).
pub fn dump(value: &Value) -> String {
    let (doc, root) = to_python(value);
    // The libyaml flavor has no recursion limit; the only other error, an int over 4300
    // digits, cannot come from a 128-bit int either.
    yaml_py::dump(&doc, &root, Flavor::Libyaml).unwrap_or_else(|e| e.0)
}

/// The Python objects `json.loads` would give: dicts, lists, str, int, float, bool, None
/// (built without recursion: a `Value` may be nested deeper than the stack allows).
fn to_python(value: &Value) -> (Doc, yaml_py::Value) {
    enum Todo<'a> {
        Visit(&'a Value),
        Seq(usize),
        Dict(Vec<&'a str>),
    }
    let mut doc = Doc::new();
    let mut todo = vec![Todo::Visit(value)];
    let mut done: Vec<yaml_py::Value> = Vec::new();
    while let Some(t) = todo.pop() {
        match t {
            Todo::Visit(v) => match v {
                Value::Null => done.push(yaml_py::Value::Null),
                Value::Bool(b) => done.push(yaml_py::Value::Bool(*b)),
                Value::Int(i) => done.push(int(*i)),
                Value::Float(f) => done.push(yaml_py::Value::Float(*f, 1)),
                Value::Str(s) => done.push(yaml_py::Value::Str(s.clone())),
                Value::List(items) => {
                    todo.push(Todo::Seq(items.len()));
                    todo.extend(items.iter().rev().map(Todo::Visit));
                }
                Value::Dict(map) => {
                    todo.push(Todo::Dict(map.iter().map(|(k, _)| k.as_str()).collect()));
                    todo.extend(map.iter().rev().map(|(_, v)| Todo::Visit(v)));
                }
            },
            Todo::Seq(n) => {
                let items = done.split_off(done.len() - n);
                done.push(doc.add(Obj::Seq(items)));
            }
            Todo::Dict(keys) => {
                let values = done.split_off(done.len() - keys.len());
                let mut m = Map::default();
                for (k, v) in keys.into_iter().zip(values) {
                    m.set(k, v);
                }
                done.push(doc.add(Obj::Dict(m)));
            }
        }
    }
    let root = done.pop().unwrap_or(yaml_py::Value::Null);
    (doc, root)
}

/// A Python int for ruamel's representer.
fn int(i: i128) -> yaml_py::Value {
    let digits = i.unsigned_abs().to_string();
    let n = Int::from_digits(&digits, 10);
    yaml_py::Value::Int(if i < 0 { n.negate() } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The dump of a JSON value (as `json.loads` would give it).
    fn dump(v: &serde_json::Value) -> String {
        super::dump(&Value::from_serde(v))
    }

    /// The text one string gets as a list item (`- <scalar>`), without `- ` and the newline.
    fn item(s: &str) -> String {
        let out = dump(&json!([s]));
        out.strip_prefix("- ")
            .and_then(|o| o.strip_suffix('\n'))
            .unwrap_or(&out)
            .to_string()
    }

    #[test]
    fn spec_block_layout() {
        assert_eq!(dump(&json!({"b": 1, "a": {}})), "a: {}\nb: 1\n");
        assert_eq!(dump(&json!({"l": ["a", 1]})), "l:\n- a\n- 1\n");
        assert_eq!(dump(&json!([[3, 4]])), "- - 3\n  - 4\n");
        assert_eq!(dump(&json!([{"x": 1, "a": 2}])), "- a: 2\n  x: 1\n");
        assert_eq!(
            dump(&json!({"a": {"b": {"c": []}}})),
            "a:\n  b:\n    c: []\n"
        );
        assert_eq!(dump(&json!([])), "[]\n");
        assert_eq!(dump(&json!({})), "{}\n");
        assert_eq!(
            dump(&json!({"z": [1, {"y": null}], "a": {}})),
            "a: {}\nz:\n- 1\n- y: null\n"
        );
    }

    #[test]
    fn spec_scalars() {
        assert_eq!(
            dump(&json!([
                null, true, false, 14, -3, 1.5, 1.0, 1e20, 1.5e-7, -0.0
            ])),
            "- null\n- true\n- false\n- 14\n- -3\n- 1.5\n- 1.0\n- 1e+20\n- 1.5e-07\n- -0.0\n"
        );
        let special = |f: f64| {
            let (doc, root) = (Doc::new(), yaml_py::Value::Float(f, 1));
            yaml_py::dump(&doc, &root, Flavor::Libyaml).unwrap()
        };
        assert_eq!(special(f64::INFINITY), ".inf\n...\n");
        assert_eq!(special(f64::NEG_INFINITY), "-.inf\n...\n");
        assert_eq!(special(f64::NAN), ".nan\n...\n");
    }

    #[test]
    fn spec_single_quoted() {
        for s in [
            "",
            " ",
            "true",
            "True",
            "null",
            "~",
            "123",
            "1.5",
            "0x1F",
            "1e3",
            ".inf",
            "+1",
            "0777",
            "1_000",
            "-",
            "- a",
            ":",
            "a: b",
            "#x",
            "a #b",
            "@x",
            "`x",
            "!x",
            "&x",
            "*x",
            "%x",
            "|x",
            ">x",
            "?",
            "[x",
            "{x",
            ",x",
            "=",
            "<<",
            " x",
            "x ",
            "2024-01-02T03:18:05Z",
            "2024-01-02",
        ] {
            assert_eq!(item(s), format!("'{s}'"), "{s:?}");
        }
        assert_eq!(item("it's 'x"), "it's 'x");
        assert_eq!(item("'x"), "'''x'");
    }

    #[test]
    fn spec_plain() {
        for s in [
            "yes",
            "no",
            "on",
            "off",
            "Yes",
            "Y",
            "n",
            "a:b",
            "a#b",
            "x,y",
            "it's",
            "say \"hi\"",
            "12:30:00",
            "1:20",
            "2024-1-2",
            "é",
            "日本語",
            "a\u{a0}b",
            "_",
            "_1",
            ".5e3",
            "?x",
            ".",
        ] {
            assert_eq!(item(s), s, "{s:?}");
        }
    }

    #[test]
    fn spec_double_quoted() {
        assert_eq!(item("tab\there"), "\"tab\\there\"");
        assert_eq!(item("\u{7}bell"), "\"\\abell\"");
        assert_eq!(item("\u{feff}bom"), "\"\\uFEFFbom\"");
        assert_eq!(item("emoji\u{1F600}"), "\"emoji\\U0001F600\"");
        assert_eq!(item("\u{85}"), "\"\\N\"");
        assert_eq!(item("a\rb"), "\"a\\rb\"");
        assert_eq!(item("\u{0}\u{1b}\u{7f}\u{9f}"), "\"\\0\\e\\x7F\\x9F\"");
        assert_eq!(item("\u{fffe}\"\\"), "\"\\uFFFE\\\"\\\\\"");
        // A line break next to a space rules out single quotes too.
        assert_eq!(item("a \nb"), "\"a \\nb\"");
    }

    #[test]
    fn spec_newlines_in_single_quotes() {
        assert_eq!(item("nl\nline"), "'nl\n\n  line'");
        assert_eq!(item("a\n"), "'a\n\n  '");
        assert_eq!(item("a\n\nb\n"), "'a\n\n\n  b\n\n  '");
        assert_eq!(item("a\u{2028}b"), "'a\u{2028}  b'");
    }

    #[test]
    fn folding_at_80_columns() {
        let msg = "word word word word word word word word word more words to make this \
                   longer than eighty columns ExecCredential";
        assert_eq!(
            dump(&json!({ "msg": msg })),
            "msg: word word word word word word word word word more words to make this longer than\n  eighty columns ExecCredential\n"
        );
        // No spaces: never folded.
        let token = "k".repeat(200);
        assert_eq!(dump(&json!({ "t": token })), format!("t: {token}\n"));
        // Double-quoted: the folding space is the line break.
        let s = format!("{}\t", "x ".repeat(50));
        assert_eq!(
            dump(&json!({ "a": s })),
            "a: \"x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x\n  x x x x x x x x x x x \\t\"\n"
        );
    }

    /// 175065454711103.625 is exactly representable, so `…103.62` and `…103.63` are both
    /// shortest round-trip texts; Python's `repr` (hence ruamel) takes the even digit, where
    /// Rust's `{:e}` would round up (found by the differential test; fixed in pyrepr).
    #[test]
    fn float_ties_round_half_even() {
        assert_eq!(
            dump(&json!([175_065_454_711_103.62, 1_934_619_779_916_744.2])),
            "- 175065454711103.62\n- 1934619779916744.2\n"
        );
    }

    #[test]
    fn error_dicts() {
        assert_eq!(
            dump(&json!({"Code": "ParamValidation", "Message": "Unknown options: --bogus"})),
            "Code: ParamValidation\nMessage: 'Unknown options: --bogus'\n"
        );
        assert_eq!(
            dump(&json!({"Code": "NoCredentials", "Message": "Unable to locate credentials. You can configure credentials by running \"aws login\"."})),
            "Code: NoCredentials\nMessage: Unable to locate credentials. You can configure credentials by running \"aws\n  login\".\n"
        );
    }

    #[test]
    fn complex_keys() {
        let k = "k".repeat(129);
        assert_eq!(
            dump(&json!({ k.clone(): [1, 2] })),
            format!("? {k}\n: - 1\n  - 2\n")
        );
        assert_eq!(
            dump(&json!({"z": { k.clone(): {"b": 1} }})),
            format!("z:\n  ? {k}\n  : b: 1\n")
        );
        assert_eq!(dump(&json!({"a\rb": 1})), "? \"a\\rb\"\n: 1\n");
        // 128 bytes is still simple.
        let k = "é".repeat(64);
        assert_eq!(dump(&json!({ k.clone(): 1 })), format!("{k}: 1\n"));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let mut v = json!(1);
        // Deeper than serde_json parses (128), shallow enough for serde_json's recursive drop.
        for _ in 0..400 {
            v = json!([v]);
        }
        let out = dump(&v);
        assert!(out.starts_with("- - - "));
        assert!(out.ends_with("- 1\n"));
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn top_level_scalars() {
        assert_eq!(dump(&json!("abc")), "abc\n...\n");
        assert_eq!(dump(&json!("true")), "'true'\n");
        assert_eq!(dump(&json!(null)), "null\n...\n");
    }

    /// Whether ruamel's YAML 1.2 resolver reads `s`, written plain, as something else than a
    /// string (so that the emitter must quote it).
    fn resolves_to_non_string(s: &str) -> bool {
        yaml_py::resolver::resolve_plain(s, false) != yaml_py::resolver::STR
    }

    #[test]
    fn resolver_patterns() {
        for s in [
            "1.",
            "1.e5",
            "._",
            "+.5e+3",
            "-.inf",
            ".NaN",
            "0b1_0",
            "0o17",
            "0x_F",
            "+_",
            "-0",
            "2024-1-2t1:00:00",
            "2024-01-02 03:04:05.5 +01:00",
            "2024-01-02\t\t3:04:05Z",
        ] {
            assert!(resolves_to_non_string(s), "{s:?}");
        }
        for s in [
            "0o",
            "0x",
            "0b",
            "0b2",
            "1e",
            "1.e",
            ".5e3",
            "+.inf.",
            "2024-01-02T03:04:05+1:5",
            "2024-01-0",
            "2024-01-02T03:04",
            ".nan5",
            "-.nan",
            "_",
            "++1",
        ] {
            assert!(!resolves_to_non_string(s), "{s:?}");
        }
    }

    /// A known gap: the CLI's YAML dumper writes anchors and aliases when a `--query` result
    /// holds the same Python object twice (`--query '[status, status]' --output yaml`);
    /// a `serde_json::Value` carries no object identity, so we write both copies in full.
    #[test]
    #[ignore = "YAML aliases for repeated objects need object identity from the query layer"]
    fn repeated_objects_become_aliases() {
        let status = json!({"expirationTimestamp": "2024-01-02T03:18:05Z"});
        assert_eq!(
            dump(&json!([status.clone(), status])),
            "- &id001\n  expirationTimestamp: '2024-01-02T03:18:05Z'\n- *id001\n"
        );
    }
}

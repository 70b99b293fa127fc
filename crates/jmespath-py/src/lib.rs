//! `--query`: JMESPath exactly as the AWS CLI v2.36.7 evaluates it, i.e. with the
//! semantics of python-jmespath 1.0.1 (the version its installers pin) running on the
//! CLI's Python: object key order is kept, ints stay ints, and every error message
//! (syntax errors with their caret line, function arity/type errors, Python's own
//! TypeErrors) reads as the CLI prints it. See AWSCLI-SPEC.md §2 and §7 items 17 and 38.
//!
//! Layout: `lexer` and `parser` turn the text into an [`ast::Node`] tree (compile
//! time); `interpreter` and `functions` evaluate it over [`value::Val`], a model of the
//! Python objects python-jmespath works on; `pytext` reproduces the Python behaviour that
//! shows through (`repr()`, `json.dumps`, `int()`/`float()` of strings) with the pystd
//! crate, which also gives `json.loads` for literals; `limits` models Python's stack.
//!
//! Known approximations (inputs no get-token query meets in practice): integers beyond
//! 128 bits (Python has big ints) become floats, and beyond 64 bits print as floats;
//! NaN/±infinity results print as `null` (Python prints `NaN`/`Infinity`); lone UTF-16
//! surrogates in literals become U+FFFD; the address in `<..._Expression object at 0x…>`
//! is made up; recursion limits follow a model of the CLI's Python stack (below).

mod ast;
mod functions;
mod interpreter;
mod lexer;
mod limits;
mod parser;
mod pytext;
mod value;

pub use limits::{COMPILE_FIRST_FRAME, SEARCH_FIRST_FRAME};

/// What a query searches and returns: the Python objects `json.loads` makes.
pub type Document = pystd::json::Value;

/// A compiled `--query` expression.
#[derive(Debug)]
pub struct Query {
    ast: ast::Node,
}

impl Query {
    /// Compile; `Err(text)` is what follows `Bad value for --query <expr>: ` in the CLI's
    /// message, e.g. `Invalid jmespath expression: Incomplete expression:\n"status.["\n         ^`
    /// and, for the empty expression, `Invalid JMESPath expression: cannot be empty.`
    pub fn compile(expr: &str) -> Result<Query, String> {
        Self::compile_at(expr, COMPILE_FIRST_FRAME)
    }

    /// [`Query::compile`] as if python-jmespath's parser started at this Python stack
    /// depth (for comparing recursion limits with a reference run outside the CLI).
    pub fn compile_at(expr: &str, first_frame: usize) -> Result<Query, String> {
        if expr.is_empty() {
            return Err("Invalid JMESPath expression: cannot be empty.".to_string());
        }
        parser::parse(expr, first_frame.max(1))
            .map(|ast| Query { ast })
            .map_err(|e| e.render(expr))
    }

    /// Evaluate; `Err(text)` is the message the CLI prints (rc 255) for runtime errors,
    /// e.g. `Unknown function: nofn()`,
    /// `Expected 1 argument for function length(), received 2`, or
    /// `In function length(), invalid type for value: 1, expected one of: ['string', 'array', 'object'], received: "number"`.
    pub fn search(&self, value: &Document) -> Result<Document, String> {
        self.search_at(value, SEARCH_FIRST_FRAME)
    }

    /// [`Query::search`] as if the first `visit` ran at this Python stack depth.
    pub fn search_at(&self, value: &Document, first_frame: usize) -> Result<Document, String> {
        let input = value::Val::from_py(value, 0)?;
        let mut interp = interpreter::Interpreter::new(first_frame);
        let result = interp.visit(&self.ast, &input)?;
        result.to_py()
    }
}

#[cfg(test)]
mod tests {
    use super::{Document, Query};
    use serde_json::{json, Value};

    const TOKEN: &str = "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjQwMTAyJTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMDJUMDMwNDA1WiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9NTYwNGZkYzVjN2Q3NTE0YTUxMjllODU1ZmM0Yjg3MzY5NzkzODMwYzFlMDYxNjk1M2UwOTZkZmM1YWU4MzdjNw";

    /// The document `aws eks get-token` prints (golden case output/query-at).
    fn doc() -> Document {
        Document::from_serde(&json!({
            "kind": "ExecCredential",
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "spec": {},
            "status": {"expirationTimestamp": "2024-01-02T03:18:05Z", "token": TOKEN}
        }))
    }

    fn run(expr: &str) -> Result<Value, String> {
        Ok(Query::compile(expr)?.search(&doc())?.to_serde())
    }

    /// Compares values and key order (via the serialised text).
    fn assert_query(expr: &str, want: Value) {
        let got = run(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&want).unwrap(),
            "{expr}"
        );
    }

    fn compile_error(expr: &str) -> String {
        Query::compile(expr)
            .err()
            .unwrap_or_else(|| panic!("{expr} compiled"))
    }

    fn search_error(expr: &str) -> String {
        run(expr)
            .err()
            .unwrap_or_else(|| panic!("{expr} succeeded"))
    }

    #[test]
    fn golden_case_results() {
        assert_query("kind", json!("ExecCredential"));
        assert_query("@", doc().to_serde());
        assert_query("kind == 'ExecCredential'", json!(true));
        assert_query("contains(status.token, 'k8s-aws-v1.')", json!(true));
        assert_query(r#"`"tab\there\u0001"`"#, json!("tab\there\u{1}"));
        assert_query("`[]`", json!([]));
        assert_query("spec", json!({}));
        assert_query("''", json!(""));
        assert_query("`false`", json!(false));
        assert_query(
            "values(@)[?type(@) == 'string']",
            json!(["ExecCredential", "client.authentication.k8s.io/v1beta1"]),
        );
        assert_query(
            "join('/', [kind, apiVersion])",
            json!("ExecCredential/client.authentication.k8s.io/v1beta1"),
        );
        assert_query("keys(@)", json!(["kind", "apiVersion", "spec", "status"]));
        assert_query(
            "[kind, apiVersion]",
            json!(["ExecCredential", "client.authentication.k8s.io/v1beta1"]),
        );
        assert_query("`1.5`", json!(1.5));
        assert_query(
            r#"`{"b": 1, "a": [true, null]}`"#,
            json!({"b": 1, "a": [true, null]}),
        );
        assert_query(
            r#"max_by(`[{"a":1},{"a":3},{"a":2}]`, &a)"#,
            json!({"a": 3}),
        );
        assert_query(
            "{kind: kind, expires: status.expirationTimestamp}",
            json!({"kind": "ExecCredential", "expires": "2024-01-02T03:18:05Z"}),
        );
        assert_query(
            "status",
            json!({"expirationTimestamp": "2024-01-02T03:18:05Z", "token": TOKEN}),
        );
        assert_query("not_null(nosuch, kind)", json!("ExecCredential"));
        assert_query("nosuchkey", json!(null));
        assert_query("length(status.token)", json!(481));
        assert_query(
            "status | keys(@) | sort(@)",
            json!(["expirationTimestamp", "token"]),
        );
        assert_query(
            "[kind, apiVersion, spec][1:]",
            json!(["client.authentication.k8s.io/v1beta1", {}]),
        );
        assert_query(
            r#"sort_by(`[{"n":"b","v":2},{"n":"a","v":1}]`, &n)"#,
            json!([{"n": "a", "v": 1}, {"n": "b", "v": 2}]),
        );
        assert_query(
            r#"sort_by(`[{"n":"b","v":2},{"n":"a","v":1,"w":"x"}]`, &n)"#,
            json!([{"n": "a", "v": 1, "w": "x"}, {"n": "b", "v": 2}]),
        );
        assert_query("starts_with(apiVersion, 'client')", json!(true));
        assert_query("to_string(spec)", json!("{}"));
        assert_query("['日本語', 'é']", json!(["日本語", "é"]));
        assert_query("`0`", json!(0));
        assert_query("`[1.0, 1e20, 0.5]`", json!([1.0, 1e20, 0.5]));
        assert_query(
            "{k: kind, s: spec, n: `null`, l: [kind, `1`]}",
            json!({"k": "ExecCredential", "s": {}, "n": null, "l": ["ExecCredential", 1]}),
        );
        assert_query(r#"`[{"a": 1}, 2]`"#, json!([{"a": 1}, 2]));
        assert_query(
            r#"`[[1, 2], [3, [4, 5]], "s"]`"#,
            json!([[1, 2], [3, [4, 5]], "s"]),
        );
        assert_query(
            r#"{"名前": 'クラスター', k: kind, w: 'ünï'}"#,
            json!({"名前": "クラスター", "k": "ExecCredential", "w": "ünï"}),
        );
        assert_query(
            "['日本語', 'é', 'plain', kind]",
            json!(["日本語", "é", "plain", "ExecCredential"]),
        );
        assert_query(
            r#"`{"a": {"b": [1, 2], "c": "d"}, "e": "f"}`"#,
            json!({"a": {"b": [1, 2], "c": "d"}, "e": "f"}),
        );
        assert_query(
            r#"`{"z": [1, {"y": null}], "a": {}}`"#,
            json!({"z": [1, {"y": null}], "a": {}}),
        );
        assert_query("[kind, `null`, `3`]", json!(["ExecCredential", null, 3]));
        assert_query("{only: kind}", json!({"only": "ExecCredential"}));
        assert_query(
            "[kind,apiVersion]",
            json!(["ExecCredential", "client.authentication.k8s.io/v1beta1"]),
        );
        assert_query(
            "{k: kind, v: apiVersion}",
            json!({"k": "ExecCredential", "v": "client.authentication.k8s.io/v1beta1"}),
        );
        assert_query("`[1, [1, 2]]`", json!([1, [1, 2]]));
        assert_query(
            "{msg: join(' ', ['word word word word word word word word word', 'more words to make this longer than eighty columns', kind])}",
            json!({"msg": "word word word word word word word word word more words to make this longer than eighty columns ExecCredential"}),
        );
        assert_query(
            "['true', '123', 'a: b', '', ' x', 'null', '1.5', '#x', 'yes', '2024-01-02']",
            json!([
                "true",
                "123",
                "a: b",
                "",
                " x",
                "null",
                "1.5",
                "#x",
                "yes",
                "2024-01-02"
            ]),
        );
    }

    #[test]
    fn golden_case_syntax_errors() {
        assert_eq!(
            compile_error(""),
            "Invalid JMESPath expression: cannot be empty."
        );
        assert_eq!(
            compile_error("[?"),
            "Invalid jmespath expression: Incomplete expression:\n\"[?\"\n   ^"
        );
        assert_eq!(
            compile_error("status.["),
            "Invalid jmespath expression: Incomplete expression:\n\"status.[\"\n         ^"
        );
        assert_eq!(
            compile_error("`abc"),
            "Bad jmespath expression: Unclosed ` delimiter:\n`abc\n^"
        );
        assert_eq!(
            compile_error("a b"),
            "Unexpected token: b: Parse error at column 2, token \"b\" (UNQUOTED_IDENTIFIER), for expression:\n\"a b\"\n   ^"
        );
        assert_eq!(
            compile_error("a ^ b"),
            "Bad jmespath expression: Unknown token ^:\na ^ b\n  ^"
        );
    }

    #[test]
    fn other_syntax_errors() {
        assert_eq!(
            compile_error("foo."),
            "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: eof: Parse error at column 4, token \"\" (EOF), for expression:\n\"foo.\"\n     ^"
        );
        assert_eq!(
            compile_error("a[b]"),
            "Expecting: star, got: unquoted_identifier: Parse error at column 2, token \"b\" (UNQUOTED_IDENTIFIER), for expression:\n\"a[b]\"\n   ^"
        );
        assert_eq!(
            compile_error("\"f\"(a)"),
            "Quoted identifier not allowed for function names.: Parse error at column 0, token \"(\" (LPAREN), for expression:\n\"\"f\"(a)\"\n ^"
        );
        assert_eq!(
            compile_error("@(a)"),
            "Invalid function name '@': Parse error at column 0, token \"@\" (CURRENT), for expression:\n\"@(a)\"\n ^"
        );
        assert_eq!(
            compile_error("a = b"),
            "Bad jmespath expression: Unknown token '=':\na = b\n  ^"
        );
        assert_eq!(
            compile_error("a - b"),
            "Bad jmespath expression: Unknown token '-':\na - b\n  ^"
        );
        assert_eq!(
            compile_error("`{\"a\": `"),
            "Bad jmespath expression: Bad token {\"a\": :\n`{\"a\": `\n^"
        );
        assert_eq!(
            compile_error("\"a\\qb\""),
            "Bad jmespath expression: Invalid \\escape:\n\"a\\qb\"\n^"
        );
        assert_eq!(
            compile_error("[1:2:3:4]"),
            "syntax error: Parse error at column 6, token \":\" (COLON), for expression:\n\"[1:2:3:4]\"\n       ^"
        );
        assert_eq!(
            compile_error("a `{\"k\": [1, true]}`"),
            "Unexpected token: {'k': [1, True]}: Parse error at column 2, token \"{'k': [1, True]}\" (LITERAL), for expression:\n\"a `{\"k\": [1, true]}`\"\n   ^"
        );
        assert_eq!(
            compile_error("'abc"),
            "Bad jmespath expression: Unclosed ' delimiter:\n'abc\n^"
        );
    }

    #[test]
    fn golden_case_runtime_errors() {
        assert_eq!(search_error("nofn(@)"), "Unknown function: nofn()");
        assert_eq!(
            search_error("length(kind, kind)"),
            "Expected 1 argument for function length(), received 2"
        );
        assert_eq!(
            search_error("length(`1`)"),
            "In function length(), invalid type for value: 1, expected one of: ['string', 'array', 'object'], received: \"number\""
        );
        assert_eq!(
            search_error("sort_by(@, &kind)"),
            format!("In function sort_by(), invalid type for value: {{'kind': 'ExecCredential', 'apiVersion': 'client.authentication.k8s.io/v1beta1', 'spec': {{}}, 'status': {{'expirationTimestamp': '2024-01-02T03:18:05Z', 'token': '{TOKEN}'}}}}, expected one of: ['array'], received: \"object\"")
        );
    }

    #[test]
    fn python_numbers() {
        assert_query("sum(`[1, 2, 3]`)", json!(6));
        assert_query("sum(`[1, 2.5]`)", json!(3.5));
        assert_query("sum(`[]`)", json!(0));
        assert_query("avg(`[]`)", json!(null));
        assert_query("avg(`[1, 2]`)", json!(1.5));
        assert_query("abs(`-3`)", json!(3));
        assert_query("floor(`1.5`)", json!(1));
        assert_query("ceil(`1.5`)", json!(2));
        assert_query("to_number('1')", json!(1));
        assert_query("to_number('1.5')", json!(1.5));
        assert_query("max(`[1, 3.0, 3]`)", json!(3.0));
        assert_query("`1` == `1.0`", json!(true));
        assert_query("`1` == `true`", json!(false));
        assert_query("`[1]` == `[true]`", json!(true));
        assert_query("`0` || 'x'", json!(0));
        assert_query("!`0`", json!(false));
        assert_query(
            "to_string(`{\"é\": [1.0, null]}`)",
            json!("{\"\\u00e9\":[1.0,null]}"),
        );
    }

    #[test]
    fn python_runtime_errors() {
        assert_eq!(
            search_error("`1` < 'a'"),
            "'<' not supported between instances of 'int' and 'str'"
        );
        assert_eq!(search_error("`[1]`[::0]"), "slice step cannot be zero");
        assert_eq!(
            search_error("contains('abc', `1`)"),
            "'in <string>' requires string as left operand, not int"
        );
        assert_eq!(
            search_error("sum(`[1, \"a\"]`)"),
            "In function sum(), invalid type for value: a, expected one of: ['array-number'], received: \"str\""
        );
        assert_eq!(
            search_error("max_by(`[{\"a\": 1}, {\"a\": \"b\"}]`, &a)"),
            "'>' not supported between instances of 'str' and 'int'"
        );
        assert_eq!(
            search_error("not_null()"),
            "Expected at least 1 argument for function not_null(), received 0"
        );
        assert_eq!(
            search_error("&kind"),
            "Encountered unrecognized type in JSON encoder."
        );
    }

    /// Runs on a thread with the 8 MiB stack a program's main thread gets (test threads
    /// get 2 MiB, which unoptimised builds can exhaust just before Python's limit).
    #[test]
    fn hostile_nesting_fails_cleanly() {
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(hostile_nesting)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn query_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Query>();
    }

    fn hostile_nesting() {
        for n in [100usize, 2000, 100_000] {
            for (open, close) in [
                ("(", ")"),
                ("[", "]"),
                ("!", ""),
                ("{a:", "}"),
                ("`[", "]`"),
            ] {
                let expr = format!("{}a{}", open.repeat(n), close.repeat(n));
                let _ = Query::compile(&expr).map(|q| q.search(&doc()));
            }
            let chain = format!("a{}", "||a".repeat(n));
            let _ = Query::compile(&chain).map(|q| q.search(&doc()));
        }
        assert_eq!(
            compile_error(&format!("{}a{}", "(".repeat(600), ")".repeat(600))),
            "maximum recursion depth exceeded"
        );
    }
}

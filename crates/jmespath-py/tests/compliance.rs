//! The official JMESPath compliance suite against this crate.
//!
//! The suite is not vendored: `scripts/fetch-jmespath-compliance` puts its JSON files in
//! `target/jmespath-compliance` (or set `JMESPATH_COMPLIANCE_DIR`). A missing suite is a
//! failure, never a skip.
//!
//! `result` cases must give the expected value (objects compared without regard to key
//! order and numbers by value, as the suite's Python runner compares; bools are never
//! numbers here). `error` cases must fail: `syntax` when compiling, the others
//! (`invalid-type`, `invalid-arity`, `unknown-function`, `invalid-value`) when compiling
//! or searching, which is where python-jmespath raises them. `bench` cases are timing
//! benchmarks with no expected outcome (some are not even valid JMESPath): like the
//! suite's own runners, this test counts and reports them but does not run them.

use std::fs;
use std::path::{Path, PathBuf};

use jmespath_py::{Document, Query};
use serde_json::Value;

fn suite_dir() -> PathBuf {
    match std::env::var_os("JMESPATH_COMPLIANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/jmespath-compliance"),
    }
}

fn load_suite() -> Vec<(String, Value)> {
    let dir = suite_dir();
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !files.is_empty(),
        "no JMESPath compliance suite in {}: run scripts/fetch-jmespath-compliance \
         (or set JMESPATH_COMPLIANCE_DIR)",
        dir.display()
    );
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let suite: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, suite)
        })
        .collect()
}

/// Equality as the suite's runner sees it: numbers by value (1 == 1.0), objects without
/// regard to key order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Runs one case; `Err` describes a failure.
fn run_case(given: &Value, case: &Value) -> Result<(), String> {
    let expression = case
        .get("expression")
        .and_then(Value::as_str)
        .ok_or("case without an expression")?;
    if let Some(expected) = case.get("result") {
        let query = Query::compile(expression).map_err(|e| format!("compile error: {e}"))?;
        let got = query
            .search(&Document::from_serde(given))
            .map_err(|e| format!("search error: {e}"))?
            .to_serde();
        if same(&got, expected) {
            return Ok(());
        }
        return Err(format!("expected {expected}, got {got}"));
    }
    if let Some(kind) = case.get("error").and_then(Value::as_str) {
        let outcome = Query::compile(expression);
        return match (kind, outcome) {
            ("syntax", Err(_)) => Ok(()),
            ("syntax", Ok(_)) => Err("expected a syntax error, but it compiled".into()),
            (_, Err(_)) => Ok(()),
            (_, Ok(query)) => match query.search(&Document::from_serde(given)) {
                Err(_) => Ok(()),
                Ok(v) => Err(format!("expected a {kind} error, got {}", v.to_serde())),
            },
        };
    }
    Err(format!("unknown case type: {case}"))
}

#[test]
#[ignore = "needs the downloaded suite: scripts/fetch-jmespath-compliance (scripts/test runs it)"]
fn jmespath_compliance_suite() {
    let mut passed = 0;
    let mut benchmarks = 0;
    let mut failures = Vec::new();
    for (file, suite) in load_suite() {
        let groups = suite.as_array().cloned().unwrap_or_default();
        for (g, group) in groups.iter().enumerate() {
            let given = group.get("given").cloned().unwrap_or(Value::Null);
            let cases = group
                .get("cases")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (c, case) in cases.iter().enumerate() {
                if case.get("bench").is_some() {
                    benchmarks += 1;
                    continue;
                }
                match run_case(&given, case) {
                    Ok(()) => passed += 1,
                    Err(why) => failures.push(format!(
                        "{file} group {g} case {c}: {}: {why}",
                        case.get("expression").unwrap_or(&Value::Null)
                    )),
                }
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!("({benchmarks} benchmark-only cases have no expected outcome; not run)");
    println!("compliance: {passed} passed, {} failed", failures.len());
    assert!(passed > 0, "the compliance suite had no cases");
    assert!(
        failures.is_empty(),
        "{} compliance cases failed",
        failures.len()
    );
}

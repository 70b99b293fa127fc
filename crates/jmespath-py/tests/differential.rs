//! Differential test of this crate against python-jmespath itself.
//!
//! A few hundred expressions (hand-picked edge cases, generated expressions over random
//! documents, random token soup for syntax errors, nesting around Python's recursion
//! limit) are evaluated here and by `scripts/py/ref_jmespath.py` with the project's
//! Python (`AWS_EKS_TOKEN_PY`, else `<repo>/.venv/bin/python`, made by `scripts/setup`).
//! Results must match as values *and* as text: `json.dumps(result, separators=(",", ":"),
//! ensure_ascii=False)` keeps key order and the int/float distinction. Error messages must
//! match exactly (the address in `<..._Expression object at 0x…>` aside).
//!
//! The seed of the generated part is fixed; `AWS_EKS_TOKEN_DIFF_SEED` explores others and
//! `AWS_EKS_TOKEN_DIFF_CASES` changes how many are generated.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use jmespath_py::{Query, COMPILE_FIRST_FRAME, SEARCH_FIRST_FRAME};
use pystd::repr::float_repr;
use serde_json::{json, Value};

/// The repository root.
fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn python() -> PathBuf {
    let py = match std::env::var_os("AWS_EKS_TOKEN_PY") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join(".venv/bin/python"),
    };
    assert!(
        py.exists(),
        "no reference Python at {}: run scripts/setup (it makes .venv with jmespath==1.0.1), \
         or set AWS_EKS_TOKEN_PY",
        py.display()
    );
    py
}

// ---------------------------------------------------------------------------------------
// Python-compatible JSON text

/// `json.dumps(v, ensure_ascii=False, separators=(",", ":"))`.
fn py_dumps(v: &Value) -> String {
    let mut out = String::new();
    write_py(v, &mut out);
    out
}

fn write_py(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&float_repr(n.as_f64().unwrap_or(f64::NAN)));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_py_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_py(x, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, x)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_py_str(k, out);
                out.push(':');
                write_py(x, out);
            }
            out.push('}');
        }
    }
}

fn write_py_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.dumps(result, ensure_ascii=False, separators=(",", ":"))`.
fn result_dumps(v: &pystd::json::Value) -> String {
    let style = pystd::json::Style {
        compact: true,
        ..Default::default()
    };
    pystd::json::dumps_with(v, style)
}

/// Python shows an object's address; ours is made up.
fn normalize(text: &str) -> String {
    let marker = "object at 0x";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        out.push('?');
        rest = rest[i + marker.len()..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------
// Cases

struct Case {
    expression: String,
    document: String,
}

/// The document `aws eks get-token` prints.
fn get_token_document() -> Value {
    json!({
        "kind": "ExecCredential",
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "spec": {},
        "status": {"expirationTimestamp": "2024-01-02T03:18:05Z", "token": "k8s-aws-v1.aHR0cHM6Ly9zdHM"}
    })
}

fn sample_document() -> Value {
    json!({
        "a": 1, "b": [1, 2.5, "x", null, true, [3, 4], {"a": 5}], "c": "text",
        "foo": {"bar": [{"baz": 1, "n": "b"}, {"baz": 2, "n": "a"}, {"baz": 1.5, "n": "c"}], "s": "é日本"},
        "n": null, "t": true, "f": false, "z": 0, "e": [], "o": {}, "s": ["b", "a", "C"],
        "nums": [3, 1.5, -2, 0, 1e20, 9_007_199_254_740_993_i64]
    })
}

const CURATED: &[&str] = &[
    // syntax error texts
    "foo.",
    "a[b]",
    "@(a)",
    "\"f\"(a)",
    "a = b",
    "a=",
    "=",
    "a - b",
    "-",
    "a ^ b",
    "a ~ b",
    "é",
    "a é",
    "[?",
    "[",
    "a[",
    "a.[",
    "a.{",
    "{",
    "{a",
    "{a:",
    "{a: b,",
    "{a: b",
    "{`1`: a}",
    "f(",
    "f(a,",
    "f(,)",
    "a ||",
    "a |",
    "!",
    "&",
    "(a",
    "a)",
    "a]",
    "a}",
    "a,",
    "a:",
    "[1:2:3:4]",
    "a[1:2:3",
    "a[::]",
    "a[*",
    "a[?b]",
    "a[?b]]",
    "a[-]",
    "a[1 2]",
    "a[a:b]",
    "`abc",
    "'abc",
    "\"abc",
    "`[1, 2`",
    "`{\"a\": `",
    "\"a\\qb\"",
    "\"a\tb\"",
    "\"\\u12\"",
    "a.\"b\"(c)",
    "`1`()",
    "'x'.length(@)",
    "a.`1`",
    "a.'x'",
    "a.@",
    "a.[*]",
    "a.-1",
    "5",
    "a[5",
    "!=",
    "<",
    "a <",
    "a < <",
    "a b c",
    "a `1`",
    "a `{\"k\": [1, true, null, 1.5]}`",
    "a 'x'",
    "a \"q\"",
    "a 5",
    "a [1]",
    "a {b: c}",
    "a *",
    "a !b",
    "a &b",
    "a (b)",
    "&&",
    "a && && b",
    "[,]",
    "[a,]",
    "{a: b,}",
    "f(a b)",
    "length(kind kind)",
    "{a: b c: d}",
    "[1:2 3]",
    "a[0][1:2].b",
    " ",
    "\t\n",
    // tolerated oddities and tree shapes
    "b[5:0:-1]",
    "b[::-2]",
    "b[-10:10]",
    "b[::0]",
    "b[99999999999999999999999:]",
    "b[-99999999999999999999]",
    "b[0][0]",
    "b[5][0]",
    "b[5][0:1]",
    "b[5][0:1].a",
    "b[5:6][0]",
    "b[*]",
    "b[]",
    "b[][]",
    "b[*][*]",
    "b[].a",
    "b[*].a",
    "foo.bar[*].baz",
    "foo.bar[].n",
    "foo.*",
    "foo.*.s",
    "*",
    "*.bar",
    "*[0]",
    "[*]",
    "[]",
    "[].a",
    "@.@",
    "@[0]",
    "@.foo.bar[0].n",
    "foo.bar[?baz > `1`].n",
    "foo.bar[?baz == `1`]",
    "foo.bar[?baz == `1.0`].n",
    "foo.bar[?n < 'b']",
    "foo.bar[?baz]",
    "foo.bar[?!baz]",
    "b[?@]",
    "b[?@ == `1`]",
    "foo.bar[?baz > `1`] | [0]",
    "foo.bar[?baz > `1`][]",
    "foo.bar[].[n, baz]",
    "foo.bar[].{n: n, b: baz}",
    "foo.bar | [*].n",
    "foo.{s: s, x: x}",
    "`null`.{a: a}",
    "`null`.[a]",
    "c.{a: a}",
    "c[0]",
    "c[*]",
    "c.*",
    "o.*",
    "e[]",
    "e[*].a",
    "{a: a, a: b}",
    // comparisons and truthiness
    "`1` < 'a'",
    "'a' < `1`",
    "'a' < 'b'",
    "'B' < 'a'",
    "`1` < `1.5`",
    "`[1]` < `2`",
    "n < `1`",
    "t < `1`",
    "`1` == `true`",
    "`0` == `false`",
    "`[0]` == `[false]`",
    "`1.0` == `1`",
    "`{\"a\":1,\"b\":2}` == `{\"b\":2,\"a\":1}`",
    "`9007199254740993` == `9007199254740992.0`",
    "`9007199254740993` > `9007199254740992.0`",
    "&a == &a",
    "[&a] | [0] == [0]",
    "&a != &a",
    "!`0`",
    "!`[]`",
    "!`{}`",
    "!''",
    "!&a",
    "!`0.0`",
    "`0` && 'x'",
    "'' || `false` || `null`",
    "e || o || n || f || 'last'",
    "z || 'x'",
    "t && 'yes'",
    "`[]` && a",
    // literals
    "`foo`",
    "` foo `",
    "`\"a\"`",
    "`{\"a\": 1, \"a\": 2}`",
    "`{\"b\": 1, \"a\": 2, \"b\": 3}`",
    "`-0`",
    "`1E2`",
    "`1.`",
    "`01`",
    "`1.5e-07`",
    "`1e16`",
    "`123456789012345678`",
    "`18446744073709551615`",
    "`-9223372036854775808`",
    "`\\``",
    "`a\\`b`",
    "'a\\'b'",
    "'a\\\\b'",
    "'a\\nb'",
    "\"a\\\"b\"",
    "\"\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "`\"\\ud83d\\ude00\"`",
    "`[1, 2,]`",
    "`tru`",
    "`{\"a\" 1}`",
    "`\"\\u00e9\"`",
    "`\"\\/\"`",
    "`[]`",
    "`{}`",
    // functions
    "abs(`-3`)",
    "abs(`-0.0`)",
    "abs(`-2.5`)",
    "abs('x')",
    "abs(`true`)",
    "avg(`[1, 2, 2]`)",
    "avg(`[0.1, 0.2, 0.3]`)",
    "avg(`[]`)",
    "avg(`[1, \"a\"]`)",
    "avg('x')",
    "ceil(`-0.5`)",
    "ceil(`1.5`)",
    "ceil(`2`)",
    "floor(`-1.5`)",
    "floor(`1e18`)",
    "ceil(`-1e18`)",
    "contains('abc', `1`)",
    "contains('abc', 'b')",
    "contains('abc', '')",
    "contains(`[1]`, `true`)",
    "contains(`[true]`, `1`)",
    "contains(`[1.0]`, `1`)",
    "contains(`[[1]]`, `[1]`)",
    "contains(`{}`, 'a')",
    "contains('abc', `null`)",
    "contains('abc', &a)",
    "ends_with('abc', 'bc')",
    "ends_with('abc', `1`)",
    "starts_with(`1`, 'a')",
    "join(',', `[\"a\", \"b\"]`)",
    "join(',', `[\"a\", 1]`)",
    "join(`1`, `[]`)",
    "join(',', `[]`)",
    "keys(`{\"b\":1,\"a\":2}`)",
    "keys(`[]`)",
    "values(`{\"b\":1,\"a\":2}`)",
    "values(@)",
    "keys(@)",
    "length(`1`)",
    "length('日本')",
    "length(@)",
    "length(b)",
    "length(`null`)",
    "length(kind, kind)",
    "length()",
    "map(&a, `[{\"a\":1}, 2]`)",
    "map(&[a], `[]`)",
    "map(&a, `{}`)",
    "map('a', b)",
    "map(&foo.bar, `[1]`)",
    "max(`[1, 1.0]`)",
    "min(`[1.0, 1]`)",
    "max(`[]`)",
    "max(`[\"b\", \"a\"]`)",
    "max(`[1, \"a\"]`)",
    "max(`[\"a\", 1]`)",
    "max(`[null]`)",
    "min(nums)",
    "max(nums)",
    "merge(`{}`, `1`)",
    "merge(`{}`, `[[\"a\", 1]]`)",
    "merge(`{}`, `[\"ab\"]`)",
    "merge(`{}`, 'ab')",
    "merge(`{}`, '')",
    "merge(`{}`, `[[1, 2, 3]]`)",
    "merge(`{}`, `[1]`)",
    "merge(`{}`, `[[[1], 2]]`)",
    "merge(`{}`, `null`)",
    "merge(`{\"a\":1,\"b\":2}`, `{\"a\":3, \"c\": 4}`)",
    "merge()",
    "merge(`1`)",
    "merge(@, `{\"kind\": 1}`)",
    "not_null()",
    "not_null(`null`, &a)",
    "not_null(n, z)",
    "not_null(n)",
    "reverse('abc')",
    "reverse('日本é')",
    "reverse(b)",
    "reverse(`1`)",
    "sort(nums)",
    "sort(`[3, 1.5, 2, 1]`)",
    "sort(`[1, \"a\"]`)",
    "sort(`[\"b\", \"a\", \"B\", \"é\"]`)",
    "sort(`[]`)",
    "sort(`[true]`)",
    "sort(s)",
    "sort_by(`[{\"a\":2},{\"a\":1}]`, &a)",
    "sort_by(`[{\"a\":2},{\"a\":\"x\"}]`, &a)",
    "sort_by(`[{\"a\":null}]`, &a)",
    "sort_by(`[]`, &a)",
    "sort_by(`[{\"a\":1,\"i\":0},{\"a\":1.0,\"i\":1},{\"a\":0,\"i\":2}]`, &a)",
    "sort_by(foo.bar, &n)",
    "sort_by(foo.bar, &baz)",
    "sort_by(foo.bar, &baz)[].n",
    "sort_by(b, &@)",
    "sort_by(s, &@)",
    "sort_by(foo.bar, 'n')",
    "min_by(`[{\"a\":2},{\"a\":1}]`, &a)",
    "max_by(`[{\"a\":1},{\"a\":\"x\"}]`, &a)",
    "min_by(`[{\"a\":\"x\"},{\"a\":1}]`, &a)",
    "min_by(`[{\"a\":1},{\"a\":null}]`, &a)",
    "min_by(`[{\"a\":[1]}]`, &a)",
    "max_by(`[]`, &a)",
    "max_by(foo.bar, &baz)",
    "min_by(foo.bar, &n)",
    "max_by(`[{\"a\":1},{\"a\":1.0}]`, &a)",
    "sum(`[1, 2, 3]`)",
    "sum(`[]`)",
    "sum(`[1, 2.5]`)",
    "sum(`[1e16, 1, 1]`)",
    "sum(`[1e16, 1.0, 1.0]`)",
    "sum(`[0.1, 0.2, 0.3]`)",
    "sum(`[1, 1e100, 1, -1e100]`)",
    "sum(`[9223372036854775807, 1]`)",
    "sum(`[9223372036854775807, 1, 0.5]`)",
    "sum(`[0.5, 9223372036854775808, 0.25]`)",
    "sum(`[-0.0]`)",
    "sum(nums)",
    "sum(`[\"a\"]`)",
    "sum(`[true]`)",
    "to_array(`1`)",
    "to_array(b)",
    "to_array(`null`)",
    "to_number('1_000')",
    "to_number(' 12 ')",
    "to_number('1e3')",
    "to_number('.5')",
    "to_number('5.')",
    "to_number('x')",
    "to_number('١٢')",
    "to_number('-0')",
    "to_number('+7')",
    "to_number('1__0')",
    "to_number('0x10')",
    "to_number('')",
    "to_number(`true`)",
    "to_number(`[1]`)",
    "to_number(`1.5`)",
    "to_number(&a)",
    "to_number('9999999999999999999')",
    "to_string(`1.0`)",
    "to_string('é')",
    "to_string(`\"é\"`)",
    "to_string(`[1, {\"a\": null}]`)",
    "to_string(&a)",
    "to_string(`1e20`)",
    "to_string(`\"\\u007f\\u0001 \\ud83d\\ude00\"`)",
    "to_string(`NaN`)",
    "to_string(`-Infinity`)",
    "to_string(@)",
    "type(&a)",
    "type(`1.5`)",
    "type(`null`)",
    "type(@)",
    "type(b)",
    "type('x')",
    "type(t)",
    "nofn(@)",
    "nofn(length(`1`))",
    "length(nofn(@))",
    "foo.bar(@)",
    "length(@)(a)",
    "(length)(@)",
    "(\"length\")(@)",
    "a.length(@)",
    "[kind, apiVersion][?@ == 'x']",
    "values(@)[?type(@) == 'string']",
    "status | keys(@) | sort(@)",
    "{k: kind, s: spec, n: `null`, l: [kind, `1`]}",
    "sort_by(@, &kind)",
    "length(status.token)",
    "&kind",
    "[&kind]",
    "{a: &kind}",
    "`[1, [1, 2]]`",
];

/// Python has unbounded ints; we hold integers of up to 128 bits exactly and a bigger one
/// as the nearest float. These cases print Python's integer, or, beyond 128 bits, the float
/// of the same value.
const KNOWN_BIG_INT_DIFFERENCES: &[&str] = &[
    "floor(`1e20`)",
    "floor(`1e300`)",
    "to_number('99999999999999999999')",
    "`123456789012345678901234567890`",
    "sum(`[18446744073709551615, 1]`)",
];

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const KEYS: &[&str] = &["a", "b", "c", "foo", "bar", "n", "s", "x"];
const STRINGS: &[&str] = &[
    "", "a", "abc", "b", "ABC", "foo", "é", "日本", "1", "1.5", " 2 ", "-3", "1e3", "true", "k8s",
    "a b",
];

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 | 3 => json!(rng.below(12) as i64 - 3),
        4 => json!(*rng.pick(&[0.5, -1.25, 1e16, 3.0, 1e-7, 2.5, 0.1, -0.0])),
        5 => json!(*rng.pick(&[9_007_199_254_740_993i64, 1_000_000_000_000_000_000, -7])),
        _ => json!(*rng.pick(STRINGS)),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    if depth == 0 || rng.chance(45) {
        return random_scalar(rng);
    }
    if rng.chance(50) {
        let len = rng.below(5);
        Value::Array((0..len).map(|_| random_value(rng, depth - 1)).collect())
    } else {
        let mut map = serde_json::Map::new();
        for _ in 0..rng.below(5) {
            map.insert(rng.pick(KEYS).to_string(), random_value(rng, depth - 1));
        }
        Value::Object(map)
    }
}

fn random_document(rng: &mut Rng) -> Value {
    let mut map = serde_json::Map::new();
    for key in KEYS {
        if rng.chance(70) {
            map.insert(key.to_string(), random_value(rng, 3));
        }
    }
    Value::Object(map)
}

const FUNCTIONS: &[(&str, usize)] = &[
    ("abs", 1),
    ("avg", 1),
    ("ceil", 1),
    ("contains", 2),
    ("ends_with", 2),
    ("floor", 1),
    ("join", 2),
    ("keys", 1),
    ("length", 1),
    ("map", 2),
    ("max", 1),
    ("max_by", 2),
    ("merge", 2),
    ("min", 1),
    ("min_by", 2),
    ("not_null", 2),
    ("reverse", 1),
    ("sort", 1),
    ("sort_by", 2),
    ("starts_with", 2),
    ("sum", 1),
    ("to_array", 1),
    ("to_number", 1),
    ("to_string", 1),
    ("type", 1),
    ("values", 1),
];

fn random_literal(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("'{}'", rng.pick(STRINGS)),
        _ => format!("`{}`", py_dumps(&random_value(rng, 2))),
    }
}

fn identifier(rng: &mut Rng) -> String {
    let key = rng.pick(KEYS);
    if rng.chance(10) {
        format!("\"{key}\"")
    } else {
        key.to_string()
    }
}

fn random_expression(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 {
        return match rng.below(6) {
            0 => "@".to_string(),
            1 => random_literal(rng),
            _ => identifier(rng),
        };
    }
    let d = depth - 1;
    match rng.below(22) {
        0 | 1 => format!("{}.{}", random_expression(rng, d), identifier(rng)),
        2 => format!("{}[{}]", random_expression(rng, d), rng.below(7) as i64 - 3),
        3 => {
            let part = |rng: &mut Rng| {
                if rng.chance(40) {
                    String::new()
                } else {
                    (rng.below(9) as i64 - 4).to_string()
                }
            };
            let (a, b, c) = (part(rng), part(rng), part(rng));
            if rng.chance(50) {
                format!("{}[{a}:{b}]", random_expression(rng, d))
            } else {
                format!("{}[{a}:{b}:{c}]", random_expression(rng, d))
            }
        }
        4 => format!("{}[*].{}", random_expression(rng, d), identifier(rng)),
        5 => format!(
            "{}[].{}",
            random_expression(rng, d),
            random_expression(rng, d)
        ),
        6 => format!("{}.*", random_expression(rng, d)),
        7 => format!(
            "{}[?{}]",
            random_expression(rng, d),
            random_expression(rng, d)
        ),
        8 | 9 => format!(
            "{} {} {}",
            random_expression(rng, d),
            rng.pick(&["==", "!=", "<", "<=", ">", ">="]),
            random_expression(rng, d)
        ),
        10 => format!(
            "{} || {}",
            random_expression(rng, d),
            random_expression(rng, d)
        ),
        11 => format!(
            "{} && {}",
            random_expression(rng, d),
            random_expression(rng, d)
        ),
        12 => format!("!{}", random_expression(rng, d)),
        13 => format!(
            "{} | {}",
            random_expression(rng, d),
            random_expression(rng, d)
        ),
        14 => format!("({})", random_expression(rng, d)),
        15 => {
            let n = 1 + rng.below(3);
            let items: Vec<String> = (0..n).map(|_| random_expression(rng, d)).collect();
            format!("[{}]", items.join(", "))
        }
        16 => {
            let n = 1 + rng.below(3);
            let items: Vec<String> = (0..n)
                .map(|_| format!("{}: {}", rng.pick(KEYS), random_expression(rng, d)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        17 => format!("{}[]", random_expression(rng, d)),
        _ => {
            let (name, arity) = *rng.pick(FUNCTIONS);
            // Mostly the right arity, sometimes not.
            let n = if rng.chance(90) { arity } else { rng.below(4) };
            let args: Vec<String> = (0..n)
                .map(|_| {
                    if rng.chance(25) {
                        format!("&{}", random_expression(rng, d))
                    } else {
                        random_expression(rng, d)
                    }
                })
                .collect();
            format!("{name}({})", args.join(", "))
        }
    }
}

const SOUP: &[&str] = &[
    "a",
    "b",
    "foo",
    "\"q\"",
    "'r'",
    "`1`",
    "`[1,2]`",
    "@",
    ".",
    "*",
    "[",
    "]",
    "[]",
    "[?",
    "(",
    ")",
    "{",
    "}",
    ":",
    ",",
    "|",
    "||",
    "&&",
    "&",
    "!",
    "==",
    "!=",
    "<",
    ">=",
    "0",
    "-1",
    "5",
    "`",
    "'",
    "=",
    "-",
    "^",
    " ",
    "`{\"a\":`",
    "length",
    "é",
];

fn token_soup(rng: &mut Rng) -> String {
    let n = 1 + rng.below(6);
    (0..n).map(|_| *rng.pick(SOUP)).collect::<Vec<_>>().join("")
}

/// Nesting around the depth where Python's recursion limit strikes (at the CLI's
/// modelled stack depths).
fn deep_expressions() -> Vec<String> {
    let mut out = Vec::new();
    for n in 484..=490 {
        out.push(format!("{}a{}", "(".repeat(n), ")".repeat(n)));
        out.push(format!("{}a", "!".repeat(n)));
        out.push(format!("a{}", " || a".repeat(n)));
        out.push(format!("a{}", " | a".repeat(n)));
    }
    for n in 318..=328 {
        out.push(format!("{}a{}", "[".repeat(n), "]".repeat(n)));
        out.push(format!("{}a{}", "{a: ".repeat(n), "}".repeat(n)));
    }
    for n in 238..=246 {
        out.push(format!("{}a{}", "{a: ".repeat(n), "}".repeat(n)));
        out.push(format!("{}@{}", "length(".repeat(n), ")".repeat(n)));
        out.push(format!("{}a{}", "a[?".repeat(n), "]".repeat(n)));
    }
    out
}

fn build_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let fixed = [get_token_document(), sample_document()];
    for expression in CURATED {
        for doc in &fixed {
            cases.push(Case {
                expression: expression.to_string(),
                document: py_dumps(doc),
            });
        }
    }
    for expression in deep_expressions() {
        cases.push(Case {
            expression,
            document: py_dumps(&json!({"a": {"a": [1]}})),
        });
    }
    for expression in KNOWN_BIG_INT_DIFFERENCES {
        cases.push(Case {
            expression: expression.to_string(),
            document: "{}".to_string(),
        });
    }
    let seed = std::env::var("AWS_EKS_TOKEN_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_u64);
    let generated = std::env::var("AWS_EKS_TOKEN_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400usize);
    let mut rng = Rng(seed | 1);
    // Sums and averages of number mixes that exercise CPython's sum(): exact ints while
    // they fit a C long, compensated floats, the fallback after an overflow.
    let pool = [
        "0.1",
        "0.2",
        "0.3",
        "1e16",
        "1.0",
        "-1e16",
        "1e100",
        "-1e100",
        "1",
        "2",
        "4611686018427387904",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "3.5",
        "-0.0",
        "1e-300",
        "9007199254740993",
    ];
    for _ in 0..generated / 4 {
        let n = rng.below(7);
        let items: Vec<&str> = (0..n).map(|_| *rng.pick(&pool)).collect();
        let function = if rng.chance(50) { "sum" } else { "avg" };
        cases.push(Case {
            expression: format!("{function}(`[{}]`)", items.join(", ")),
            document: "{}".to_string(),
        });
    }
    for i in 0..generated {
        let doc = random_document(&mut rng);
        let expression = if i % 4 == 3 {
            token_soup(&mut rng)
        } else {
            let depth = 1 + rng.below(4);
            random_expression(&mut rng, depth)
        };
        cases.push(Case {
            expression,
            document: py_dumps(&doc),
        });
    }
    cases
}

// ---------------------------------------------------------------------------------------
// Running both sides

fn ours(case: &Case) -> Value {
    // json.loads, as the reference script reads it.
    let document = match pystd::json::loads(&case.document) {
        Ok(v) => v,
        Err(e) => return json!({"test_error": e.to_string()}),
    };
    match Query::compile(&case.expression) {
        Err(e) => json!({ "compile_error": e }),
        Ok(query) => match query.search(&document) {
            Ok(v) => json!({ "ok": result_dumps(&v) }),
            Err(e) => json!({ "search_error": e }),
        },
    }
}

fn reference(cases: &[Case]) -> Vec<Value> {
    let script = repo_root().join("scripts/py/ref_jmespath.py");
    let py = python();
    let version = Command::new(&py)
        .arg(&script)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", py.display()));
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    println!("reference: {version}");
    assert!(
        version.starts_with("jmespath 1.0.1,"),
        "the reference must be python jmespath 1.0.1 (what AWS CLI 2.36.7 pins), got {version:?}: \
         run scripts/setup"
    );
    let input: Vec<Value> = cases
        .iter()
        .map(|c| json!({"expression": c.expression, "document": c.document}))
        .collect();
    let mut child = Command::new(&py)
        .arg(&script)
        .arg("--compile-first-frame")
        .arg(COMPILE_FIRST_FRAME.to_string())
        .arg("--search-first-frame")
        .arg(SEARCH_FIRST_FRAME.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {}: {e}", py.display()));
    let payload = serde_json::to_vec(&input).unwrap_or_default();
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&payload).expect("writing to the reference");
    }
    let output = child.wait_with_output().expect("waiting for the reference");
    assert!(output.status.success(), "the reference script failed");
    let results: Vec<Value> =
        serde_json::from_slice(&output.stdout).expect("the reference's output is JSON");
    assert_eq!(results.len(), cases.len(), "one reference result per case");
    results
}

/// Same kind of outcome and the same text.
fn same_outcome(mine: &Value, theirs: &Value) -> bool {
    match (mine, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            a.keys().eq(b.keys())
                && a.values().zip(b.values()).all(|(x, y)| {
                    normalize(x.as_str().unwrap_or_default())
                        == normalize(y.as_str().unwrap_or_default())
                })
        }
        _ => false,
    }
}

/// Python's result is an integer beyond 64 bits (see [`KNOWN_BIG_INT_DIFFERENCES`]).
fn is_big_int_result(theirs: &Value) -> bool {
    theirs.get("ok").and_then(Value::as_str).is_some_and(|t| {
        let digits = t.strip_prefix('-').unwrap_or(t);
        !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && t.parse::<i64>().is_err()
            && t.parse::<u64>().is_err()
    })
}

/// Python printed an integer too big for 64 bits; we printed the float nearest to it.
fn same_number_as_float(mine: &Value, theirs: &Value) -> bool {
    let text = |v: &Value| v.get("ok").and_then(Value::as_str).map(str::to_string);
    match (text(mine), text(theirs)) {
        (Some(m), Some(t)) => {
            t.bytes().all(|b| b.is_ascii_digit() || b == b'-')
                && m.parse::<f64>().ok() == t.parse::<f64>().ok()
                && m.contains(['.', 'e'])
        }
        _ => false,
    }
}

#[test]
#[ignore = "needs python-jmespath in the venv scripts/setup makes (scripts/test runs it)"]
fn matches_python_jmespath() {
    let cases = build_cases();
    let expected = reference(&cases);
    // Deep expressions need the stack of a program's main thread in unoptimised builds.
    let got = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let results: Vec<Value> = cases.iter().map(ours).collect();
            (cases, results)
        })
        .expect("spawning the evaluation thread")
        .join()
        .expect("evaluation thread");
    let (cases, results) = got;
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeMap::new();
    for ((case, mine), theirs) in cases.iter().zip(&results).zip(&expected) {
        let kind = theirs
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_default();
        *kinds.entry(kind).or_insert(0) += 1;
        let same = same_outcome(mine, theirs)
            || ((KNOWN_BIG_INT_DIFFERENCES.contains(&case.expression.as_str())
                || is_big_int_result(theirs))
                && same_number_as_float(mine, theirs));
        if !same {
            failures.push(format!(
                "expression: {:?}\n  document: {}\n  python:   {}\n  ours:     {}",
                case.expression, case.document, theirs, mine
            ));
        }
    }
    for f in failures.iter().take(60) {
        println!("MISMATCH {f}");
    }
    println!("reference outcomes: {kinds:?}");
    println!(
        "differential: {} passed, {} failed",
        cases.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases differ from python-jmespath",
        failures.len()
    );
}

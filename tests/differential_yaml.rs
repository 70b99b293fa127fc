//! Differential test of `output::yaml::dump` against the real ruamel.yaml (spec §2.4).
//!
//! Generates thousands of random JSON documents from a seed, dumps them with our emitter and
//! with `scripts/py/ref_yaml.py` (ruamel.yaml 0.19.1 + ruamel.yaml.clib 0.2.15, the AWS CLI's
//! exact settings) in one batch, and requires byte-identical output.
//!
//! Environment:
//! * `AWS_EKS_TOKEN_PY` — the Python to run (default `<repo>/.venv/bin/python`, made by
//!   `scripts/setup`). Without either the test fails: it never skips silently.
//! * `DIFF_SEED` — the seed (decimal or `0x` hex); default time-based. Always printed.
//! * `DIFF_COUNT` — how many random documents (default 5000).

use aws_eks_token::output::yaml::dump;
use serde_json::{Map, Number, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// splitmix64: small, fast and good enough to drive a generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability `num/den`.
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings that YAML resolvers or the emitter treat specially.
#[rustfmt::skip]
const TRICKY: &[&str] = &[
    "", " ", "  ", "true", "True", "TRUE", "false", "False", "FALSE", "tRue", "yes", "no", "on",
    "off", "Yes", "Y", "n", "N", "y", "null", "Null", "NULL", "nULL", "~", "~x", "123", "-1", "+1",
    "0", "-0", "00", "0777", "0o17", "0o", "0x1F", "0x", "0b101", "0b", "0b2", "1_000", "_", "_1",
    "+_", "1.5", "1.", ".5", "._", ".", "..", "...", "....", "---", "----", "--", "-", "- a", "-a",
    "1e3", "1e", "1.e5", ".5e3", ".5e+3", "+.5e-3", "1E+3", ".inf", "-.inf", "+.Inf", ".INF",
    ".nan", ".NaN", "-.nan", "nan", "inf", "=", "==", "<<", "<", "!", "&", "*", "!x", "&x", "*x",
    "|", "|x", ">", ">x", "%x", "@x", "`x", "'", "'x", "x'", "''", "\"", "\"x\"", "#", "#x", "a#b",
    "a #b", "a# b", "?", "?x", "? x", ":", ":x", ": x", "a:", "a:b", "a: b", "a:  b", ",", ",x",
    "x,y", "[", "[x", "]", "{", "{x", "}", "x]", "x}", "x[y", "x{y", "2024-1-2", "12:30:00", "1:20",
    "it's", "é", "日本語", "a\u{a0}b", "\u{a0}", "a\\b", "\\", "x\ty", "\t", "\n", "\r", "\r\n", "a\n",
    "\na", "a\nb", "a\n\nb", "a \nb", "a\n b", "a\u{85}b", "\u{2029}", "\u{feff}", "\u{fffe}",
    "\u{ffff}", "\u{fffd}", "\u{e000}", "\u{d7ff}", "\u{0}", "a\u{0}b", "\u{7f}", "\u{80}",
    "\u{9f}", "e\u{301}", "\u{200d}", "\u{3000}", "±…", "2024-01-02", "2024-01-02T03:18:05Z",
    "2024-01-02 03:04:05", "2024-01-02t3:04:05", "2024-01-02T03:04:05.123+01:00",
    "2024-01-02T03:04:05 Z", "2024-01-02T03:04:05 +1", "2024-01-02T03:04:05+01:", "2024-01-2",
    "say \"hi\"", "a\u{2028}b", "a\u{2028}", "\u{feff}bom", "\u{1f600}", "emoji\u{1f600}",
    "\u{10000}", "\u{10ffff}", "\u{7}bell", "\u{1b}[0m",
];

/// Characters to build random strings from, grouped so that ordinary text dominates.
const PLAIN_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const PUNCT_CHARS: &[u8] = b"-?:,[]{}#&*!|>'\"%@`._+~=<\\/()$^;";
#[rustfmt::skip]
const SPECIAL_CHARS: &[char] = &[
    '\t', '\n', '\n', '\r', '\0', '\u{1}', '\u{7}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}',
    '\u{7f}', '\u{80}', '\u{85}', '\u{9f}', '\u{a0}', 'é', 'ß', 'Ω', '±', '…', '日', '本', '語', '한',
    '\u{301}', '\u{200d}', '\u{2028}', '\u{2029}', '\u{3000}', '\u{d7ff}', '\u{e000}', '\u{feff}',
    '\u{fffd}', '\u{fffe}', '\u{ffff}', '\u{10000}', '\u{1f600}', '\u{10ffff}',
];

fn random_char(rng: &mut Rng) -> char {
    match rng.below(20) {
        0..=12 => char::from(*rng.pick(PLAIN_CHARS)),
        13..=14 => ' ',
        15..=17 => char::from(*rng.pick(PUNCT_CHARS)),
        _ => *rng.pick(SPECIAL_CHARS),
    }
}

/// Text of words, mostly long enough to reach the 80-column fold at any nesting depth.
fn words(rng: &mut Rng, max_len: usize) -> String {
    let target = 40 + rng.below(max_len);
    let mut s = String::new();
    while s.chars().count() < target {
        if !s.is_empty() {
            s.push_str(match rng.below(30) {
                0 => "  ",
                1 => "   ",
                2 => "\n",
                3 => " \n",
                4 => "\n\n",
                5 => "\t",
                _ => " ",
            });
        }
        let len = 1 + rng.below(12);
        for _ in 0..len {
            let c = if rng.chance(1, 25) {
                random_char(rng)
            } else {
                char::from(*rng.pick(PLAIN_CHARS))
            };
            s.push(c);
        }
    }
    s
}

fn random_string(rng: &mut Rng) -> String {
    let mut s = match rng.below(12) {
        0..=2 => rng.pick(TRICKY).to_string(),
        3..=5 => (0..rng.below(12)).map(|_| random_char(rng)).collect(),
        6..=7 => words(rng, 260),
        // One long word: never folded.
        8 => (0..60 + rng.below(120))
            .map(|_| char::from(*rng.pick(PLAIN_CHARS)))
            .collect(),
        // Number-like text.
        9 => {
            let parts = [
                "", "-", "+", "0", "1", "9", "_", ".", "e", "E", "e+", "e-", "0x", "0o",
            ];
            (0..1 + rng.below(5)).map(|_| *rng.pick(&parts)).collect()
        }
        // Timestamp-like text.
        10 => {
            let fields = [
                format!("{:04}", rng.below(10000)),
                format!("-{}", 1 + rng.below(12)),
                format!("-{:02}", 1 + rng.below(28)),
                (*rng.pick(&["T", "t", " ", "  ", "\t", "x"])).to_string(),
                format!(
                    "{}:{:02}:{:02}",
                    rng.below(24),
                    rng.below(60),
                    rng.below(60)
                ),
                (*rng.pick(&["", ".", ".5", ".123"])).to_string(),
                (*rng.pick(&["", "Z", " Z", "+1", "-01:00", "+01:", " +5"])).to_string(),
            ];
            let keep = 1 + rng.below(fields.len());
            fields[..keep].concat()
        }
        // A tricky token glued to text.
        _ => {
            let t = rng.pick(TRICKY).to_string();
            let w: String = (0..1 + rng.below(4)).map(|_| random_char(rng)).collect();
            if rng.chance(1, 2) {
                format!("{t}{w}")
            } else {
                format!("{w}{t}")
            }
        }
    };
    if rng.chance(1, 30) {
        s.insert(0, ' ');
    }
    if rng.chance(1, 30) {
        s.push(' ');
    }
    s
}

fn random_key(rng: &mut Rng) -> String {
    match rng.below(10) {
        // Short identifiers, like API fields.
        0..=4 => (0..1 + rng.below(10))
            .map(|_| char::from(*rng.pick(PLAIN_CHARS)))
            .collect(),
        // Around libyaml's 128-byte limit for simple keys (multi-byte characters count as
        // several bytes).
        5 => {
            let unit = *rng.pick(&["k", "é", "日", "a b ", "\u{1f600}"]);
            let n = 120 / unit.len() + rng.below(24);
            unit.repeat(n / unit.chars().count().max(1))
        }
        _ => random_string(rng),
    }
}

fn random_float(rng: &mut Rng) -> f64 {
    let f = match rng.below(10) {
        0 => *rng.pick(&[
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1.5,
            1e15,
            1e16,
            1e17,
            1e20,
            1e-4,
            1e-5,
            1.5e-7,
            5e-324,
            2.2250738585072014e-308,
            1.7976931348623157e308,
            123456789.125,
            9_007_199_254_740_992.0,
            // Exact decimal ties between two shortest texts: Python rounds half to even.
            175_065_454_711_103.62,
            1_934_619_779_916_744.2,
        ]),
        1..=3 => f64::from_bits(rng.next()),
        4..=6 => (rng.next() as i64 as f64) / 10f64.powi(rng.below(20) as i32),
        _ => (rng.below(2000) as f64 - 1000.0) / 8.0,
    };
    if f.is_finite() {
        f
    } else {
        0.5
    }
}

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(1, 2)),
        2 => Value::from(rng.below(1000) as i64 - 500),
        3 => Value::from(rng.next() as i64),
        4 => Value::from(*rng.pick(&[u64::MAX, i64::MAX as u64 + 1, 0])),
        5..=6 => Number::from_f64(random_float(rng)).map_or(Value::Null, Value::Number),
        _ => Value::String(random_string(rng)),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let container = depth < 7 && rng.chance(if depth == 0 { 9 } else { 4 }, 10);
    if !container {
        return random_scalar(rng);
    }
    let len = match rng.below(8) {
        0 => 0,
        1 => 1,
        _ => 1 + rng.below(5),
    };
    if rng.chance(3, 5) {
        let mut map = Map::new();
        for _ in 0..len {
            map.insert(random_key(rng), random_value(rng, depth + 1));
        }
        Value::Object(map)
    } else {
        Value::Array((0..len).map(|_| random_value(rng, depth + 1)).collect())
    }
}

/// Fixed documents covering the spec's examples and known corners, run before the random ones.
fn fixed_documents() -> Vec<Value> {
    let mut docs: Vec<Value> = TRICKY
        .iter()
        .map(|s| serde_json::json!({ "k": s, "l": [s], *s: 1 }))
        .collect();
    docs.push(serde_json::json!({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1",
        "spec": {}, "status": {"expirationTimestamp": "2024-01-02T03:18:05Z", "token": "k8s-aws-v1.abc"}}));
    docs.push(serde_json::json!({"z": [1, {"y": null}], "a": {}, "n": [[3, [4, []]], {}]}));
    // Folding near the boundary at several depths and in every quoting style.
    for width in 70..95 {
        for prefix in ["", "'", "\t", "#"] {
            let s = format!("{prefix}{} tail words here", "x".repeat(width));
            docs.push(serde_json::json!({"a": s, "b": {"c": [s]}, "d": [[{"e": s}]]}));
        }
    }
    // Top-level scalars (ruamel adds `...` after a plain one).
    for v in [
        Value::Null,
        Value::from(1),
        Value::from("abc"),
        Value::from("true"),
        Value::from(""),
    ] {
        docs.push(v);
    }
    docs
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AWS_EKS_TOKEN_PY") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if venv.exists() {
        return venv;
    }
    panic!(
        "differential_yaml needs Python with ruamel.yaml 0.19.1 and ruamel.yaml.clib 0.2.15: \
         run scripts/setup (creates .venv) or set AWS_EKS_TOKEN_PY"
    );
}

/// Dump every document with ruamel.yaml, in one Python process.
fn reference_dumps(docs: &[Value]) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/py/ref_yaml.py");
    let input = std::env::temp_dir().join(format!(
        "differential_yaml_{}_{}.json",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::write(
        &input,
        serde_json::to_vec(docs).expect("documents serialize"),
    )
    .expect("write the documents for ref_yaml.py");
    let py = python();
    let output = Command::new(&py)
        .arg(&script)
        .arg(&input)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; run scripts/setup", py.display()));
    let _ = std::fs::remove_file(&input);
    assert!(
        output.status.success(),
        "ref_yaml.py failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("ref_yaml.py writes a JSON array of strings")
}

fn seed() -> u64 {
    match std::env::var("DIFF_SEED") {
        Ok(s) => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("DIFF_SEED={s:?} is not a number"))
        }
        Err(_) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            now ^ (u64::from(std::process::id()) << 32)
        }
    }
}

#[test]
#[ignore = "needs the Python references in the venv scripts/setup makes (scripts/test runs it)"]
fn yaml_dump_matches_ruamel() {
    let seed = seed();
    let count: usize = std::env::var("DIFF_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    println!("differential_yaml: DIFF_SEED={seed} DIFF_COUNT={count}");

    let mut rng = Rng(seed);
    let mut docs = fixed_documents();
    let fixed = docs.len();
    docs.extend((0..count).map(|_| random_value(&mut rng, 0)));

    let expected = reference_dumps(&docs);
    assert_eq!(
        expected.len(),
        docs.len(),
        "ref_yaml.py answered for every document"
    );

    let mut differences = 0;
    for (i, (doc, want)) in docs.iter().zip(&expected).enumerate() {
        let got = dump(&pystd::json::Value::from_serde(doc));
        if &got == want {
            continue;
        }
        differences += 1;
        if differences <= 5 {
            let which = if i < fixed {
                format!("fixed document {i}")
            } else {
                format!("random document {}", i - fixed)
            };
            println!(
                "\nDIFFERENCE (DIFF_SEED={seed}, {which}):\ndocument: {}\nruamel: {want:?}\nours:   {got:?}",
                serde_json::to_string(doc).unwrap_or_default()
            );
            for (n, (a, b)) in want.lines().zip(got.lines()).enumerate() {
                if a != b {
                    println!(
                        "first differing line {}:\nruamel: {a:?}\nours:   {b:?}",
                        n + 1
                    );
                    break;
                }
            }
        }
    }
    println!(
        "differential_yaml: {} documents ({fixed} fixed, {count} random), {differences} differences",
        docs.len()
    );
    assert_eq!(
        differences, 0,
        "our YAML differs from ruamel.yaml (DIFF_SEED={seed} reproduces)"
    );
}

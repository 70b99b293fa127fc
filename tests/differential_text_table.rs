//! Differential test of the text and table formatters against the AWS CLI's own Python code.
//!
//! Random JSON documents (seeded; `DIFF_SEED` to replay, `DIFF_DOCS` for how many, default
//! 5000) go through `format_text`/`format_table` and, in one batch, through
//! `scripts/py/ref_text_table.py`, which runs awscli's `text.format_text` and `TableFormatter`.
//! Tables are compared at widths 20, 40, 80, 120 and 1000, with colour off and on.
//!
//! Python comes from `AWS_EKS_TOKEN_PY`, else `<repo>/.venv/bin/python` (made by
//! `scripts/setup`, with the `awscli` package installed).
//!
//! The character pool only holds assigned code points whose East_Asian_Width, printability and
//! uppercase mapping are the same in Unicode 14 (the host's Python 3.11) and 15.1 (the CLI's
//! Python, which our tables follow), so the host's Python can judge them.

use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_eks_token::output::{table::format_table, text::write_text};
use serde_json::{json, Map, Value};

const WIDTHS: [usize; 5] = [20, 40, 80, 120, 1000];
const COLORS: [bool; 2] = [false, true];

/// splitmix64: a small, well-mixed PRNG, enough to explore shapes reproducibly.
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

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Inclusive code point ranges to draw characters from (see the module comment).
const CHAR_RANGES: &[(u32, u32)] = &[
    (0x20, 0x7E),   // ASCII
    (0x00, 0x1F),   // C0 controls: raw in text, escaped in repr
    (0x7F, 0x7F),   // DEL
    (0xA0, 0xFF),   // Latin-1: NBSP, soft hyphen, many Ambiguous (é, ü, ×)
    (0x100, 0x17F), // Latin Extended-A (some Ambiguous)
    (0x1C4, 0x1CC), // DŽ Dž dž ... titlecase letters
    (0x300, 0x36F), // combining marks (Ambiguous)
    (0x391, 0x3A1), // Greek (Ambiguous; U+03A2 is unassigned)
    (0x3A3, 0x3C9),
    (0x390, 0x390),     // ΐ: uppercases to three code points
    (0x401, 0x451),     // Cyrillic
    (0x10D0, 0x10FA),   // Georgian (uppercase to Mtavruli)
    (0x2010, 0x2030),   // punctuation, ZW spaces, U+2028/2029
    (0x2500, 0x257F),   // box drawing (Ambiguous)
    (0x3041, 0x3096),   // Hiragana (Wide)
    (0x30A1, 0x30FA),   // Katakana (Wide)
    (0x4E00, 0x4F00),   // CJK (Wide)
    (0xAC00, 0xAC80),   // Hangul (Wide)
    (0xE000, 0xE010),   // private use (Ambiguous, not printable)
    (0xFB00, 0xFB06),   // ligatures ﬀ ﬁ: uppercase to several letters
    (0xFE00, 0xFE0F),   // variation selectors
    (0xFEFF, 0xFEFF),   // BOM (format char)
    (0xFF01, 0xFF5E),   // Fullwidth forms
    (0xFF61, 0xFF9F),   // Halfwidth katakana (width 1)
    (0xFFFD, 0xFFFD),   // replacement character (Ambiguous)
    (0x1F600, 0x1F64F), // emoji (Wide, astral)
    (0x20000, 0x20100), // CJK extension B (Wide, astral)
    (0xF0000, 0xF0010), // supplementary private use (Ambiguous, \U escapes)
];

fn random_char(rng: &mut Rng) -> char {
    // Mostly ASCII letters, so that keys and cells look like real data.
    if rng.chance(60) {
        return *rng.pick(&[
            'a', 'b', 'c', 'x', 'y', 'z', 'A', 'Z', '0', '1', ' ', '_', '-', '.',
        ]);
    }
    let (lo, hi) = *rng.pick(CHAR_RANGES);
    let cp = lo + rng.below((hi - lo + 1) as usize) as u32;
    char::from_u32(cp).unwrap_or('?')
}

fn random_string(rng: &mut Rng) -> String {
    let fixed = [
        "",
        " ",
        "ExecCredential",
        "a b",
        "it's",
        "say \"hi\"",
        "'\"",
        "tab\there",
        "line\nbreak",
        "é",
        "日本語",
        "ünï",
        "クラスター",
        "e\u{301}",
        "k8s-aws-v1.aHR0cHM6Ly9zdHM",
        "None",
        "True",
        "\\",
        "\x07bell",
        "\u{a0}",
        "\u{200b}",
    ];
    if rng.chance(35) {
        return rng.pick(&fixed).to_string();
    }
    let len = match rng.below(10) {
        0 => 40 + rng.below(200), // long strings push tables past the terminal width
        1..=3 => rng.below(3),
        _ => 1 + rng.below(12),
    };
    (0..len).map(|_| random_char(rng)).collect()
}

fn random_key(rng: &mut Rng) -> String {
    let keys = [
        "a", "b", "c", "kind", "name", "Name", "value", "status", "token", "Code", "Message",
        "x y", "", "_", "10", "9", "é", "名前", "straße", "ǆ", "ﬁle",
    ];
    if rng.chance(75) {
        rng.pick(&keys).to_string()
    } else {
        random_string(rng)
    }
}

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(12) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(*rng.pick(&[0, 1, -1, 2, 7, 42, 100, -12345, 1 << 40, i64::MAX, i64::MIN])),
        3 => json!(u64::MAX - rng.below(3) as u64),
        4 => json!(rng.below(1000) as i64 - 500),
        5 => {
            json!(*rng.pick(&[0.0, -0.0, 1.0, 1.5, 0.1, 1e16, 1e20, 1.5e-7, 1e-5, 123456.789, -2.5]))
        }
        6 => {
            // Any finite double (shortest repr digits, exponents).
            let f = f64::from_bits(rng.next());
            if f.is_finite() {
                json!(f)
            } else {
                json!(0.5)
            }
        }
        _ => Value::String(random_string(rng)),
    }
}

fn random_object(rng: &mut Rng, depth: usize) -> Value {
    let mut map = Map::new();
    for _ in 0..rng.below(6) {
        map.insert(random_key(rng), random_value(rng, depth + 1));
    }
    Value::Object(map)
}

/// A list of dicts that mostly share keys, as API responses do; now and then a key changes
/// type or an element is not a dict at all.
fn random_records(rng: &mut Rng, depth: usize) -> Value {
    let keys: Vec<String> = (0..1 + rng.below(4)).map(|_| random_key(rng)).collect();
    let nested = rng.chance(30);
    let mut items = Vec::new();
    for _ in 0..1 + rng.below(4) {
        if rng.chance(4) {
            items.push(random_value(rng, depth + 1));
            continue;
        }
        let mut map = Map::new();
        for k in &keys {
            if rng.chance(85) {
                let v = if rng.chance(8) {
                    random_value(rng, depth + 1)
                } else {
                    random_scalar(rng)
                };
                map.insert(k.clone(), v);
            }
        }
        if nested {
            map.insert(random_key(rng), random_value(rng, depth + 1));
        }
        items.push(Value::Object(map));
    }
    Value::Array(items)
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    if depth >= 4 {
        return random_scalar(rng);
    }
    match rng.below(10) {
        0..=3 => random_scalar(rng),
        4 | 5 => random_object(rng, depth),
        6 => random_records(rng, depth),
        7 => Value::Array((0..rng.below(5)).map(|_| random_scalar(rng)).collect()),
        _ => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
    }
}

/// Shapes that random generation reaches rarely: the CLI's crash paths and oddities.
const EDGE_DOCUMENTS: &[&str] = &[
    r#"[{"a": 1}, ""]"#,
    r#"[{"": [1]}, ""]"#,
    r#"[{"a": [1]}, [], ""]"#,
    r#"[{"a": 1}, [0]]"#,
    r#"[{"a": [1]}, [0, 1]]"#,
    r#"[{"a": [1]}, [true]]"#,
    r#"[{"a": [1]}, [-1]]"#,
    r#"[{"a": [1]}, [5]]"#,
    r#"[{"a": [1]}, [1.5]]"#,
    r#"[{"a": [1]}, [null]]"#,
    r#"[{"a": [1]}, [[1]]]"#,
    r#"[{"a": [1]}, [{"b": 1}]]"#,
    r#"[{"a": [1]}, ["x"]]"#,
    r#"[{"a": [1]}, [18446744073709551615]]"#,
    r#"[{"a": 1}, 1]"#,
    r#"[{"a": 1}, null]"#,
    r#"[{"a": 1}, true]"#,
    r#"[{"a": 1}, 1.5]"#,
    r#"[1, [1, 2]]"#,
    r#"[[], [1]]"#,
    r#"[[], []]"#,
    r#"[{}, {"a": 1}]"#,
    r#"[{}]"#,
    r#"[1, {"a": 1, "b": 2}]"#,
    r#"["x", {}]"#,
    r#"[[{"a": 1}], [{"b": 2}]]"#,
    r#"[[{"a": 1, "b": 2}], 5]"#,
    r#"{"a": [[{"x": [1]}, {"x": [2]}]]}"#,
    r#"{"": "x"}"#,
    r#"{"": {"": 1}}"#,
    r#"{"a": 0, "b": false, "c": null, "d": ""}"#,
    r#"{"a": [], "b": {}}"#,
    r#"{"a": [{"x": 1}, 2]}"#,
    r#"{"b": 1, "a": [{"x": 1}, [2]]}"#,
    r#"[[{"a": 1}], 2]"#,
    r#"{"a": [[1, [2]], 3]}"#,
    r#"[{"a": 1}, {"a": [1, "x"], "b": {"k": null}}]"#,
    r#"{"k": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "v": "y"}"#,
    r#"{"k": "é日本", "v": [{"p": "ünï", "q": 1}, {"p": "ｘ", "r": [1]}]}"#,
    r#""x""#,
    r#"0"#,
    r#"-0.0"#,
    r#"1e-7"#,
    r#"[null]"#,
    r#"[false]"#,
    r#"[0]"#,
    r#"[""]"#,
    r#"{"straße": [1, "a"], "ǆ": {"ﬁ": 1}}"#,
];

fn random_document(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => random_scalar(rng),
        1 | 2 => random_records(rng, 0),
        3 => random_value(rng, 0),
        _ => random_object(rng, 0),
    }
}

/// One formatter result, in the reference script's shape: the output, or
/// `{"error": message, "partial": text written before it}` (`partial` for text only).
fn text_result(value: &Value) -> Value {
    let mut out = String::new();
    match write_text(&pystd::json::Value::from_serde(value), &mut out) {
        Ok(()) => Value::String(out),
        Err(e) => json!({"error": e, "partial": out}),
    }
}

fn table_result(value: &Value, title: &str, width: usize, color: bool) -> Value {
    match format_table(&pystd::json::Value::from_serde(value), title, width, color) {
        Ok(s) => Value::String(s),
        Err(e) => json!({"error": e}),
    }
}

/// Python names the two types of a failed `sorted()` comparison in an order that depends on
/// its per-process string hashing, so only the start of that message is compared.
fn normalize(v: &Value) -> Value {
    const UNORDERABLE: &str = "'<' not supported between instances of";
    match v.get("error").and_then(Value::as_str) {
        Some(e) if e.starts_with(UNORDERABLE) => {
            let mut v = v.clone();
            v["error"] = json!(UNORDERABLE);
            v
        }
        _ => v.clone(),
    }
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AWS_EKS_TOKEN_PY") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if !venv.exists() {
        panic!(
            "no Python for the reference formatters: run scripts/setup (it creates .venv with \
             awscli), or set AWS_EKS_TOKEN_PY to a python that has the awscli package"
        );
    }
    venv
}

/// Runs awscli's formatters on every item in one process.
fn reference(items: &[Value]) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/py/ref_text_table.py");
    let python = python();
    let input = std::env::temp_dir().join(format!("ref_text_table-{}.json", std::process::id()));
    std::fs::write(&input, serde_json::to_vec(items).expect("serialisable")).expect("write input");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&input)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (run scripts/setup)", python.display()));
    let _ = std::fs::remove_file(&input);
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("reference output is a JSON array")
}

#[test]
#[ignore = "needs the Python references in the venv scripts/setup makes (scripts/test runs it)"]
fn text_and_table_match_the_aws_cli() {
    let seed = match std::env::var("DIFF_SEED") {
        Ok(s) => s.parse().expect("DIFF_SEED is a u64"),
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1),
    };
    let docs: usize = std::env::var("DIFF_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    println!("differential text/table: DIFF_SEED={seed} DIFF_DOCS={docs}");

    let mut rng = Rng(seed);
    let mut documents = Vec::new();
    let mut items = Vec::new();
    for d in 0..docs {
        let doc = match EDGE_DOCUMENTS.get(d) {
            Some(text) => serde_json::from_str(text).expect("edge documents are JSON"),
            None => random_document(&mut rng),
        };
        let title = if rng.chance(10) { "error" } else { "get-token" };
        for width in WIDTHS {
            for color in COLORS {
                items.push(json!({"value": doc, "width": width, "color": color, "title": title}));
            }
        }
        documents.push((doc, title));
    }
    let expected = reference(&items);
    assert_eq!(expected.len(), items.len(), "one reference result per item");

    let per_doc = WIDTHS.len() * COLORS.len();
    let (mut compared, mut failures) = (0usize, 0usize);
    let (mut text_crashes, mut table_crashes) = (0usize, 0usize);
    let mut report = |what: String, doc: &Value, ours: &Value, theirs: &Value| {
        failures += 1;
        if failures <= 10 {
            println!(
                "DIFFERENCE (DIFF_SEED={seed}) in {what}\ndocument: {doc}\nours:   {ours:?}\npython: {theirs:?}\n"
            );
        }
    };
    for (d, (doc, title)) in documents.iter().enumerate() {
        let ours = text_result(doc);
        let theirs = &expected[d * per_doc]["text"];
        compared += 1;
        text_crashes += usize::from(ours.get("error").is_some());
        if ours != *theirs {
            report("text".into(), doc, &ours, theirs);
        }
        let mut k = d * per_doc;
        for width in WIDTHS {
            for color in COLORS {
                let ours = table_result(doc, title, width, color);
                let theirs = &expected[k]["table"];
                k += 1;
                compared += 1;
                table_crashes += usize::from(ours.get("error").is_some());
                if normalize(&ours) != normalize(theirs) {
                    report(
                        format!("table width={width} color={color}"),
                        doc,
                        &ours,
                        theirs,
                    );
                }
            }
        }
    }
    println!(
        "{docs} documents, {compared} outputs compared (CLI crashes: {text_crashes} text, \
         {table_crashes} table), {failures} differences"
    );
    assert_eq!(
        failures, 0,
        "formatters differ from the AWS CLI (DIFF_SEED={seed})"
    );
}

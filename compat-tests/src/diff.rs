//! Short, readable differences for failure reports.

use serde_json::Value;

/// Outputs up to this length are shown whole; longer ones as a window around the first
/// difference.
const SHOW_WHOLE: usize = 160;
/// Bytes of context on each side of the first difference.
const CONTEXT: usize = 48;
/// At most this many differing JSON members are listed.
const MAX_JSON_DIFFS: usize = 8;

/// Expected vs actual with escapes visible (`{:?}`) and a caret under the first differing
/// byte.
pub fn text_diff(label: &str, want: &[u8], got: &[u8]) -> Vec<String> {
    let i = want
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    let line = want[..i].iter().filter(|&&b| b == b'\n').count() + 1;
    let col = i - want[..i]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1)
        + 1;
    let mut out = vec![format!(
        "  {label}: first difference at byte {i} (line {line}, column {col}); \
         expected {} bytes, got {} bytes",
        want.len(),
        got.len()
    )];

    let whole = want.len() <= SHOW_WHOLE && got.len() <= SHOW_WHOLE;
    let start = if whole {
        0
    } else {
        char_start(want, i.saturating_sub(CONTEXT))
    };
    let (w, caret) = window(want, start, i, whole);
    let (g, _) = window(got, start, i, whole);
    out.push(format!("    expected: {w}"));
    out.push(format!("    actual:   {g}"));
    out.push(format!("    {}^", " ".repeat("expected: ".len() + caret)));
    out
}

/// The bytes from `start` (to the end, or `CONTEXT` past `i`) as a Rust string literal,
/// with `…` where cut; also the display column of byte `i` within it.
fn window(b: &[u8], start: usize, i: usize, whole: bool) -> (String, usize) {
    let start = start.min(b.len());
    let end = if whole {
        b.len()
    } else {
        char_start(b, (i + CONTEXT).min(b.len()))
    };
    let end = end.max(start);
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < b.len() { "…" } else { "" };
    let shown = format!("{:?}", String::from_utf8_lossy(&b[start..end]));
    // Column of byte i: the escaped prefix without its closing quote.
    let prefix = format!(
        "{:?}",
        String::from_utf8_lossy(&b[start..i.clamp(start, end)])
    );
    let caret = lead.chars().count() + prefix.chars().count() - 1;
    (format!("{lead}{shown}{tail}"), caret)
}

/// Moves `i` back to the start of a UTF-8 character.
fn char_start(b: &[u8], mut i: usize) -> usize {
    while i > 0 && i < b.len() && (b[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// Lists the members that differ between two JSON values (e.g. two request lists);
/// `root` names the whole value in the report.
pub fn json_diff(root: &str, want: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_at(root, want, got, &mut out);
    if out.len() > MAX_JSON_DIFFS {
        let more = out.len() - MAX_JSON_DIFFS;
        out.truncate(MAX_JSON_DIFFS);
        out.push(format!("  … and {more} more differences"));
    }
    out
}

fn diff_at(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff_at(&join(path, k), va, vb, out),
                    None => out.push(format!(
                        "  {}: missing, expected {}",
                        join(path, k),
                        brief(va)
                    )),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("  {}: unexpected {}", join(path, k), brief(vb)));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "  {path}: expected {} items, got {}",
                    a.len(),
                    b.len()
                ));
            }
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff_at(&format!("{path}[{i}]"), va, vb, out);
            }
            for (i, v) in a.iter().enumerate().skip(b.len()) {
                out.push(format!("  {path}[{i}]: missing, expected {}", brief(v)));
            }
            for (i, v) in b.iter().enumerate().skip(a.len()) {
                out.push(format!("  {path}[{i}]: unexpected {}", brief(v)));
            }
        }
        _ if want != got => {
            out.push(format!(
                "  {path}: expected {}, got {}",
                brief(want),
                brief(got)
            ));
        }
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Compact JSON, cut to a readable length.
fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 {
        let cut: String = s.chars().take(200).collect();
        format!("{cut}…")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_difference() {
        let d = text_diff("stdout", b"ab\ncd", b"ab\nce");
        assert_eq!(d[0], "  stdout: first difference at byte 4 (line 2, column 2); expected 5 bytes, got 5 bytes");
        assert_eq!(d[1], r#"    expected: "ab\ncd""#);
        // `"ab\nc` is 6 columns; the caret sits under `d`.
        assert_eq!(d[3], format!("    {}^", " ".repeat(10 + 6)));
    }

    #[test]
    fn long_text_is_windowed() {
        let a = "x".repeat(500) + "A" + &"y".repeat(500);
        let b = "x".repeat(500) + "B" + &"y".repeat(500);
        let d = text_diff("stdout", a.as_bytes(), b.as_bytes());
        assert!(d[1].starts_with("    expected: …\"xxx"));
        assert!(d[1].ends_with("yyy\"…"));
        let caret = d[3].find('^').unwrap();
        assert_eq!(d[1].chars().nth(caret), Some('A'));
    }

    #[test]
    fn json_members() {
        let a: Value = serde_json::json!([{"method": "POST", "form": {"A": "1"}}]);
        let b: Value =
            serde_json::json!([{"method": "POST", "form": {"A": "2"}}, {"method": "GET"}]);
        assert_eq!(
            json_diff("requests", &a, &b),
            vec![
                "  requests: expected 1 items, got 2",
                "  requests[0].form.A: expected \"1\", got \"2\"",
                "  requests[1]: unexpected {\"method\":\"GET\"}",
            ]
        );
    }
}

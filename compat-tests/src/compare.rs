//! Compares an [`Outcome`] with a case's expectations (FORMAT.md, "Expected outcome").

use crate::case::{Case, FileSpec};
use crate::diff::{json_diff, text_diff};
use crate::run::Outcome;
use crate::time::parse_instant;
use serde_json::Value;
use std::collections::BTreeSet;

/// One aspect that differs: a short name for the `FAIL` line and readable detail lines.
pub struct Mismatch {
    pub what: String,
    pub detail: Vec<String>,
}

/// Files the program may create or change without being compared.
pub fn is_excluded(path: &str) -> bool {
    // The AWS CLI's telemetry database (with -wal/-shm/-journal) and our own cache (on
    // Windows under %LOCALAPPDATA%, which Windows runs put in the home directory).
    path.starts_with(".aws/cli/cache/session.db")
        || path.starts_with(".cache/aws-eks-token/")
        || path.starts_with("AppData/Local/aws-eks-token/")
}

pub fn compare(case: &Case, out: &Outcome) -> Vec<Mismatch> {
    let mut m = Vec::new();
    let e = &case.expect;

    if out.hung {
        m.push(Mismatch {
            what: format!("hung (killed after the {:?} timeout)", case.timeout),
            detail: Vec::new(),
        });
    } else if out.rc != Some(e.rc) {
        let got = match (out.rc, out.signal) {
            (Some(rc), _) => rc.to_string(),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            _ => "unknown status".into(),
        };
        m.push(Mismatch {
            what: format!("rc (expected {}, got {got})", e.rc),
            detail: Vec::new(),
        });
    }
    if out.pipes_held {
        m.push(Mismatch {
            what: "output pipes held open after exit (leftover child killed)".into(),
            detail: Vec::new(),
        });
    }

    for (name, regex, want, got) in [
        ("stdout", case.stdout_regex, &e.stdout, &out.stdout),
        ("stderr", case.stderr_regex, &e.stderr, &out.stderr),
    ] {
        if regex {
            if let Some(d) = regex_mismatch(want, got) {
                m.push(Mismatch {
                    what: name.into(),
                    detail: d,
                });
            }
        } else if want != got {
            m.push(Mismatch {
                what: name.into(),
                detail: text_diff(name, want, got),
            });
        }
    }

    if let Some(expected) = &e.requests {
        let kinds: BTreeSet<&String> = expected.keys().chain(out.requests.keys()).collect();
        for kind in kinds {
            let want = expected
                .get(kind.as_str())
                .cloned()
                .unwrap_or(Value::Array(vec![]));
            let got = Value::Array(out.requests.get(kind.as_str()).cloned().unwrap_or_default());
            if want != got {
                m.push(Mismatch {
                    what: format!("requests to `{kind}`"),
                    detail: json_diff("requests", &want, &got),
                });
            }
        }
    }

    compare_files(&e.files, out, &mut m);
    m
}

fn regex_mismatch(pattern: &[u8], got: &[u8]) -> Option<Vec<String>> {
    let pattern = String::from_utf8_lossy(pattern);
    // Python's re.fullmatch with DOTALL.
    let re = match regex::bytes::Regex::new(&format!(r"(?s)\A(?:{pattern})\z")) {
        Ok(re) => re,
        Err(e) => return Some(vec![format!("  invalid expected regex: {e}")]),
    };
    if re.is_match(got) {
        return None;
    }
    let mut d = vec![format!("  does not fully match the regex {pattern:?}")];
    d.push(format!("  actual: {:?}", String::from_utf8_lossy(got)));
    Some(d)
}

fn compare_files(expected: &[FileSpec], out: &Outcome, m: &mut Vec<Mismatch>) {
    let got: Vec<(&String, &(Vec<u8>, u32))> = out
        .changed_files
        .iter()
        .filter(|(p, _)| !is_excluded(p))
        .collect();
    let want_paths: BTreeSet<&str> = expected.iter().map(|f| f.path.as_str()).collect();
    let got_paths: BTreeSet<&str> = got.iter().map(|(p, _)| p.as_str()).collect();

    let missing: Vec<&&str> = want_paths.difference(&got_paths).collect();
    let extra: Vec<&&str> = got_paths.difference(&want_paths).collect();
    if !missing.is_empty() || !extra.is_empty() {
        let mut detail = Vec::new();
        for p in missing {
            detail.push(format!("  expected to be written, was not: {p}"));
        }
        for p in extra {
            detail.push(format!("  written but not expected: {p}"));
        }
        m.push(Mismatch {
            what: "set of written files".into(),
            detail,
        });
    }

    for f in expected {
        let Some((_, (content, mode))) = got.iter().find(|(p, _)| **p == f.path) else {
            continue;
        };
        // Windows has no Unix modes (Wine makes every file 0644).
        if out.modes_compared && *mode != f.mode {
            m.push(Mismatch {
                what: format!(
                    "mode of {} (expected {:04o}, got {:04o})",
                    f.path, f.mode, mode
                ),
                detail: Vec::new(),
            });
        }
        let detail = if f.path.starts_with(".aws/cli/cache/") {
            credential_cache_diff(&f.content, content)
        } else if f.path.starts_with(".aws/sso/cache/") {
            json_file_diff(&f.content, content)
        } else if f.content != *content {
            Some(text_diff("content", &f.content, content))
        } else {
            None
        };
        if let Some(detail) = detail {
            m.push(Mismatch {
                what: format!("content of {}", f.path),
                detail,
            });
        }
    }
}

/// Files under `.aws/sso/cache/`: equal JSON values.
fn json_file_diff(want: &[u8], got: &[u8]) -> Option<Vec<String>> {
    let want: Value = match serde_json::from_slice(want) {
        Ok(v) => v,
        Err(e) => return Some(vec![format!("  expected content is not JSON: {e}")]),
    };
    match serde_json::from_slice::<Value>(got) {
        Ok(got) if got == want => None,
        Ok(got) => Some(json_diff("json", &want, &got)),
        Err(e) => Some(vec![
            format!("  not JSON: {e}"),
            format!("  actual: {:?}", String::from_utf8_lossy(got)),
        ]),
    }
}

/// Files under `.aws/cli/cache/`: only `ProviderType` (when the expected file has one) and
/// `Credentials.{AccessKeyId,SecretAccessKey,SessionToken,Expiration}` matter; the
/// expiration is compared as an instant (`Z` and `+00:00` are the same).
fn credential_cache_diff(want: &[u8], got: &[u8]) -> Option<Vec<String>> {
    let want: Value = match serde_json::from_slice(want) {
        Ok(v) => v,
        Err(e) => return Some(vec![format!("  expected content is not JSON: {e}")]),
    };
    let got: Value = match serde_json::from_slice(got) {
        Ok(v) => v,
        Err(e) => {
            return Some(vec![
                format!("  not JSON: {e}"),
                format!("  actual: {:?}", String::from_utf8_lossy(got)),
            ])
        }
    };
    let mut d = Vec::new();
    if let Some(p) = want.get("ProviderType") {
        if got.get("ProviderType") != Some(p) {
            d.push(format!(
                "  ProviderType: expected {p}, got {}",
                show(got.get("ProviderType"))
            ));
        }
    }
    for key in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        let w = want.get("Credentials").and_then(|c| c.get(key));
        let g = got.get("Credentials").and_then(|c| c.get(key));
        let same = match (key, w, g) {
            ("Expiration", Some(Value::String(a)), Some(Value::String(b))) => {
                match (parse_instant(a), parse_instant(b)) {
                    (Some(a), Some(b)) => a == b,
                    _ => a == b,
                }
            }
            _ => w == g,
        };
        if !same {
            d.push(format!(
                "  Credentials.{key}: expected {}, got {}",
                show(w),
                show(g)
            ));
        }
    }
    (!d.is_empty()).then_some(d)
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(missing)".into(), Value::to_string)
}

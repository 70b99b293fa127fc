//! Compares an [`Outcome`] with a case's expectations (FORMAT.md, "Expected outcome").

use crate::case::{Case, FileSpec};
use crate::diff::{json_diff, text_diff};
use crate::run::Outcome;
use crate::time::parse_instant;
use regex::Regex;
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

    let deleted: Vec<&String> = out.deleted.iter().filter(|p| !is_excluded(p)).collect();
    if deleted
        .iter()
        .map(|p| p.as_str())
        .ne(e.deleted.iter().map(String::as_str))
    {
        m.push(Mismatch {
            what: "deleted files".into(),
            detail: vec![
                format!("  expected: {:?}", e.deleted),
                format!("  actual:   {deleted:?}"),
            ],
        });
    }

    compare_files(&e.files, out, &mut m);
    m
}

/// FORMAT.md `normalize: pkce`. A PKCE login picks a free port, a random state and a
/// random code verifier on every run: first check what must hold between them (every code
/// verifier sent is 43–128 characters of `[A-Za-z0-9._~-]` whose unpadded base64url
/// SHA-256 is a `code_challenge` the run showed; every `127.0.0.1:<port>/oauth/callback`
/// names the same port), then replace them with `{PORT}`, `{STATE}`, `{CHALLENGE}` and
/// `{VERIFIER}` in stdout, stderr, the requests and the files. Returns the problems found.
pub fn normalize_pkce(out: &mut Outcome) -> Vec<Mismatch> {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let callback =
        Regex::new(r"127\.0\.0\.1(:|%3A)(\d+)((?:/|%2F)oauth(?:/|%2F)callback)").unwrap();
    let state = Regex::new(r#"([?&]state=)[^&\s"\\]+"#).unwrap();
    let challenge = Regex::new(r"([?&]code_challenge=)[A-Za-z0-9_-]+").unwrap();
    let challenge_value = Regex::new(r"[?&]code_challenge=([A-Za-z0-9_-]+)").unwrap();
    let verifier_shape = Regex::new(r"^[A-Za-z0-9._~-]{43,128}$").unwrap();

    // Every text of the outcome, found and then rewritten.
    let mut texts: Vec<String> = Vec::new();
    let mut verifiers: Vec<String> = Vec::new();
    for v in out.requests.values().flatten() {
        collect_strings(v, &mut texts, &mut verifiers);
    }
    for b in [&out.stdout, &out.stderr] {
        texts.push(String::from_utf8_lossy(b).into_owned());
    }
    for (content, _) in out.changed_files.values() {
        texts.push(String::from_utf8_lossy(content).into_owned());
    }
    let challenges: BTreeSet<String> = texts
        .iter()
        .flat_map(|t| challenge_value.captures_iter(t).map(|c| c[1].to_string()))
        .collect();
    let ports: BTreeSet<String> = texts
        .iter()
        .flat_map(|t| callback.captures_iter(t).map(|c| c[2].to_string()))
        .collect();
    let mut problems = Vec::new();
    for v in &verifiers {
        if !verifier_shape.is_match(v) {
            problems.push(format!("  bad code verifier {v:?}"));
        }
        let s256 =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()));
        if !challenges.is_empty() && !challenges.contains(&s256) {
            problems.push("  code_challenge is not S256(codeVerifier)".into());
        }
    }
    if ports.len() > 1 {
        problems.push(format!("  redirect URIs name different ports: {ports:?}"));
    }

    let rewrite = |t: &str| -> String {
        let t = callback.replace_all(t, "127.0.0.1${1}{PORT}${3}");
        let t = state.replace_all(&t, "${1}{STATE}");
        challenge.replace_all(&t, "${1}{CHALLENGE}").into_owned()
    };
    let rewrite_bytes = |b: &mut Vec<u8>| {
        if let Ok(t) = std::str::from_utf8(b) {
            *b = rewrite(t).into_bytes();
        }
    };
    rewrite_bytes(&mut out.stdout);
    rewrite_bytes(&mut out.stderr);
    for (content, _) in out.changed_files.values_mut() {
        rewrite_bytes(content);
    }
    for v in out.requests.values_mut().flatten() {
        rewrite_strings(v, &rewrite);
    }
    if problems.is_empty() {
        vec![]
    } else {
        vec![Mismatch {
            what: "PKCE".into(),
            detail: problems,
        }]
    }
}

/// Every string of a recorded request, and the `codeVerifier` values apart.
fn collect_strings(v: &Value, texts: &mut Vec<String>, verifiers: &mut Vec<String>) {
    match v {
        Value::String(s) => texts.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, texts, verifiers)),
        Value::Object(o) => {
            for (k, x) in o {
                match (k.as_str(), x) {
                    ("codeVerifier", Value::String(s)) => verifiers.push(s.clone()),
                    _ => collect_strings(x, texts, verifiers),
                }
            }
        }
        _ => {}
    }
}

fn rewrite_strings(v: &mut Value, rewrite: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = rewrite(s),
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_strings(x, rewrite)),
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "codeVerifier" && x.is_string() {
                    *x = Value::String("{VERIFIER}".into());
                } else {
                    rewrite_strings(x, rewrite);
                }
            }
        }
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn outcome(verifier: &str, challenge: &str, ports: (u16, u16)) -> Outcome {
        let url = format!(
            "http://127.0.0.1:28794/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A{}%2Foauth%2Fcallback&state=0b1c-4d&code_challenge_method=S256&scopes=s&code_challenge={challenge}",
            ports.0
        );
        let request = serde_json::json!({"method": "POST", "path": "/token", "json": {
            "redirectUri": format!("http://127.0.0.1:{}/oauth/callback", ports.1),
            "codeVerifier": verifier, "code": "authcode-123"}});
        Outcome {
            rc: Some(0),
            signal: None,
            hung: false,
            pipes_held: false,
            stdout: format!("open:\n\n{url}\n\n").into_bytes(),
            stderr: vec![],
            requests: BTreeMap::from([("oidc".to_string(), vec![request])]),
            changed_files: BTreeMap::from([(
                "browser-opened.txt".to_string(),
                (format!("{url}\n").into_bytes(), 0o644),
            )]),
            deleted: vec![],
            modes_compared: true,
            elapsed: Duration::ZERO,
        }
    }

    // RFC 7636, appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn pkce_parts_checked_then_replaced() {
        let mut out = outcome(VERIFIER, CHALLENGE, (41234, 41234));
        assert!(normalize_pkce(&mut out).is_empty());
        let want = "http://127.0.0.1:28794/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A{PORT}%2Foauth%2Fcallback&state={STATE}&code_challenge_method=S256&scopes=s&code_challenge={CHALLENGE}";
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("open:\n\n{want}\n\n")
        );
        assert_eq!(
            out.changed_files["browser-opened.txt"].0,
            format!("{want}\n").into_bytes()
        );
        assert_eq!(
            out.requests["oidc"][0]["json"],
            serde_json::json!({"redirectUri": "http://127.0.0.1:{PORT}/oauth/callback",
                "codeVerifier": "{VERIFIER}", "code": "authcode-123"})
        );
    }

    #[test]
    fn pkce_problems_are_mismatches() {
        let detail = |mut out: Outcome| -> Vec<String> {
            normalize_pkce(&mut out)
                .into_iter()
                .flat_map(|m| m.detail)
                .collect()
        };
        assert_eq!(
            detail(outcome("x".repeat(43).as_str(), CHALLENGE, (1, 1))),
            ["  code_challenge is not S256(codeVerifier)"]
        );
        assert_eq!(
            detail(outcome("short", CHALLENGE, (1, 1)))[0],
            "  bad code verifier \"short\""
        );
        assert_eq!(
            detail(outcome(VERIFIER, CHALLENGE, (1, 2))),
            ["  redirect URIs name different ports: {\"1\", \"2\"}"]
        );
    }
}

//! Golden case files: `fixtures/cases/<category>/<name>.json`.
//!
//! The format is described in FORMAT.md (shipped with the cases); this module turns one
//! file into a [`Case`] and reports malformed files with a precise message.

use base64::Engine as _;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The literal placeholder for the temporary home directory.
pub const HOME_PLACEHOLDER: &str = "$HOME";

/// Per-case limit when the case gives no `timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Case {
    /// `category/name`, the name used in reports, filters and the known-failing list.
    pub id: String,
    pub args: Vec<String>,
    /// The case's environment on top of the base environment; `None` removes a variable.
    pub env: Vec<(String, Option<String>)>,
    pub files: Vec<FileSpec>,
    /// `FAKETIME` value (`YYYY-MM-DD HH:MM:SS`) derived from the case's `time`.
    pub faketime: String,
    pub servers: Vec<ServerSpec>,
    pub stdin: Vec<u8>,
    pub timeout: Duration,
    pub stdout_regex: bool,
    pub stderr_regex: bool,
    /// `browser`: what the stand-in browser does with the authorization request.
    pub browser: Option<BrowserMode>,
    /// `normalize: pkce`: the PKCE login's random parts are checked, then replaced.
    pub normalize_pkce: bool,
    pub expect: Expect,
}

/// The stand-in browser's part (FORMAT.md `browser`), passed to it as `BROWSER_MODE`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BrowserMode {
    /// The identity provider sends the code and the request's state back.
    Approve,
    /// It sends `error=access_denied`.
    Deny,
    /// It sends the code with another state.
    WrongState,
}

impl BrowserMode {
    pub fn parse(s: &str) -> Option<BrowserMode> {
        match s {
            "approve" => Some(BrowserMode::Approve),
            "deny" => Some(BrowserMode::Deny),
            "wrong-state" => Some(BrowserMode::WrongState),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BrowserMode::Approve => "approve",
            BrowserMode::Deny => "deny",
            BrowserMode::WrongState => "wrong-state",
        }
    }
}

/// A file below HOME: an input (`files`) or an expected result (`expect.files`).
#[derive(Clone)]
pub struct FileSpec {
    /// Relative to HOME, `/`-separated.
    pub path: String,
    pub content: Vec<u8>,
    pub mode: u32,
}

pub struct ServerSpec {
    /// The label of the server in the case (`sts`, `sso`, `imds`, ...).
    pub kind: String,
    pub port: u16,
    pub responses: Vec<ResponseSpec>,
}

#[derive(Clone)]
pub struct ResponseSpec {
    /// Conditions: `method`, `path`, or the name of a form/query parameter.
    pub conditions: Map<String, Value>,
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

pub struct Expect {
    pub rc: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Per server kind, the ordered list of recorded requests.
    pub requests: Option<Map<String, Value>>,
    pub files: Vec<FileSpec>,
    /// Files below HOME that existed before the run and must be gone after it, sorted.
    pub deleted: Vec<String>,
}

impl Case {
    /// Why the case cannot run against a Windows build, if it cannot: it prints a path in
    /// the home directory (a Unix path in the recording), or runs a Unix program (an
    /// executable input file: a `credential_process` script).
    pub fn unix_only(&self) -> Option<&'static str> {
        let home = HOME_PLACEHOLDER.as_bytes();
        let mentions = |b: &[u8]| b.windows(home.len()).any(|w| w == home);
        if mentions(&self.expect.stdout) || mentions(&self.expect.stderr) {
            return Some("prints a Unix path");
        }
        if self.files.iter().any(|f| f.mode & 0o111 != 0) {
            return Some("runs a Unix program");
        }
        // A path list split on ':' (Windows splits on ';').
        let path_list = self
            .env
            .iter()
            .any(|(k, v)| k == "KUBECONFIG" && v.as_deref().is_some_and(|v| v.contains(':')));
        if path_list {
            return Some("gives a Unix path list");
        }
        None
    }

    /// Why the case must not run outside a private network namespace: it expects a host
    /// beyond loopback not to resolve, so where it does the binary would reach it.
    pub fn needs_isolation(&self) -> Option<&'static str> {
        const UNREACHED: &[u8] = b"Could not connect to the endpoint URL: \"";
        let stderr = &self.expect.stderr;
        let beyond_loopback = stderr.windows(UNREACHED.len()).enumerate().any(|(i, w)| {
            let url = &stderr[i + UNREACHED.len()..];
            w == UNREACHED
                && !url.starts_with(b"http://127.0.0.1")
                && !url.starts_with(b"http://localhost")
        });
        beyond_loopback.then_some("expects a real AWS host not to resolve")
    }
}

/// Every `<category>/<name>.json` below `dir`, sorted by id.
pub fn case_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut found = Vec::new();
    let categories =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for category in categories {
        let category = category.map_err(|e| e.to_string())?;
        if !category.path().is_dir() {
            continue;
        }
        let cat_name = category.file_name().to_string_lossy().into_owned();
        let entries = std::fs::read_dir(category.path()).map_err(|e| e.to_string())?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            found.push((format!("{cat_name}/{stem}"), path));
        }
    }
    found.sort();
    Ok(found)
}

/// Reads and validates one case file.
pub fn load(id: &str, path: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read case: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    parse(id, &v)
}

/// A case from its JSON value (as in a case file); `id` is `category/name`.
pub fn parse(id: &str, v: &Value) -> Result<Case, String> {
    let o = v.as_object().ok_or("case is not a JSON object")?;
    let file_name = id.rsplit('/').next().unwrap_or(id);
    if o.get("name").and_then(Value::as_str) != Some(file_name) {
        return Err(format!("`name` must equal the file name `{file_name}`"));
    }

    let args = o
        .get("args")
        .and_then(Value::as_array)
        .ok_or("`args` must be an array")?
        .iter()
        .map(|a| {
            a.as_str()
                .map(str::to_owned)
                .ok_or("`args` must hold strings")
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut env = Vec::new();
    for (k, val) in object(o, "env")?.into_iter().flatten() {
        match val {
            Value::Null => env.push((k.clone(), None)),
            Value::String(s) => env.push((k.clone(), Some(s.clone()))),
            _ => return Err(format!("env `{k}` must be a string or null")),
        }
    }

    let files = match object(o, "files")? {
        Some(map) => file_specs(map, "files")?,
        None => Vec::new(),
    };

    let time = o
        .get("time")
        .and_then(Value::as_str)
        .ok_or("`time` missing")?;
    let faketime = faketime_of(time)?;

    let mut servers = Vec::new();
    for (kind, s) in object(o, "servers")?.into_iter().flatten() {
        servers.push(server_spec(kind, s).map_err(|e| format!("servers.{kind}: {e}"))?);
    }

    let stdin = match o.get("stdin") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        Some(_) => return Err("`stdin` must be a string".into()),
    };
    let timeout = match o.get("timeout") {
        None | Some(Value::Null) => DEFAULT_TIMEOUT,
        Some(t) => seconds(t).ok_or("`timeout` must be a positive number")?,
    };

    let e = o
        .get("expect")
        .and_then(Value::as_object)
        .ok_or("`expect` missing")?;
    let rc = e
        .get("rc")
        .and_then(Value::as_i64)
        .ok_or("`expect.rc` missing")? as i32;
    let expect = Expect {
        rc,
        stdout: text_or_b64(e, "stdout")?,
        stderr: text_or_b64(e, "stderr")?,
        requests: object(e, "requests")?.cloned(),
        files: match object(e, "files")? {
            Some(map) => file_specs(map, "expect.files")?,
            None => Vec::new(),
        },
        deleted: match e.get("deleted") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|p| p.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or("`expect.deleted` must hold paths")?,
            Some(_) => return Err("`expect.deleted` must be an array".into()),
        },
    };
    let browser =
        match o.get("browser") {
            None | Some(Value::Null) => None,
            Some(Value::String(m)) => Some(BrowserMode::parse(m).ok_or_else(|| {
                format!("`browser` must be approve, deny or wrong-state, not {m:?}")
            })?),
            Some(_) => return Err("`browser` must be a string".into()),
        };
    let normalize_pkce = match o.get("normalize") {
        None | Some(Value::Null) => false,
        Some(Value::String(n)) if n == "pkce" => true,
        Some(other) => return Err(format!("`normalize` must be \"pkce\", not {other}")),
    };

    Ok(Case {
        id: id.to_owned(),
        args,
        env,
        files,
        faketime,
        servers,
        stdin,
        timeout,
        stdout_regex: is_regex(o, "stdout_match")?,
        stderr_regex: is_regex(o, "stderr_match")?,
        browser,
        normalize_pkce,
        expect,
    })
}

/// `2024-01-02T03:04:05Z` → `2024-01-02 03:04:05`, libfaketime's absolute (frozen) form.
/// (With a leading `@` libfaketime would only *start* the clock there and let it run.)
fn faketime_of(time: &str) -> Result<String, String> {
    let b = time.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    let ok = b.len() == 20
        && digits.iter().all(|&i| b[i].is_ascii_digit())
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !ok {
        return Err(format!(
            "`time` must look like 2024-01-02T03:04:05Z, not {time:?}"
        ));
    }
    Ok(format!("{} {}", &time[..10], &time[11..19]))
}

fn server_spec(kind: &str, s: &Value) -> Result<ServerSpec, String> {
    let s = s.as_object().ok_or("must be an object")?;
    let port = s
        .get("port")
        .and_then(Value::as_u64)
        .filter(|p| (1..=65535).contains(p))
        .ok_or("`port` must be a port number")? as u16;
    let mut responses = Vec::new();
    let list = s.get("responses").and_then(Value::as_array);
    for (i, r) in list.into_iter().flatten().enumerate() {
        let r = r
            .as_object()
            .ok_or_else(|| format!("responses[{i}] must be an object"))?;
        let conditions = match r.get("match") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(format!("responses[{i}].match must be an object")),
        };
        let status = match r.get("status") {
            None => 200,
            Some(v) => v
                .as_u64()
                .filter(|s| (100..=999).contains(s))
                .ok_or_else(|| format!("responses[{i}].status must be an HTTP status"))?
                as u16,
        };
        let mut headers = Vec::new();
        for (k, v) in object(r, "headers")?.into_iter().flatten() {
            let v = v.as_str().ok_or("header values must be strings")?;
            headers.push((k.clone(), v.to_owned()));
        }
        let delay = match r.get("delay") {
            None | Some(Value::Null) => Duration::ZERO,
            Some(d) => seconds(d).ok_or_else(|| format!("responses[{i}].delay must be seconds"))?,
        };
        responses.push(ResponseSpec {
            conditions,
            status,
            content_type: r
                .get("content_type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            headers,
            body: r
                .get("body")
                .and_then(Value::as_str)
                .unwrap_or("")
                .as_bytes()
                .to_vec(),
            delay,
        });
    }
    Ok(ServerSpec {
        kind: kind.to_owned(),
        port,
        responses,
    })
}

/// `files` / `expect.files`: a string (content, mode 0644) or `{content|content_b64, mode}`.
fn file_specs(map: &Map<String, Value>, what: &str) -> Result<Vec<FileSpec>, String> {
    let mut out = Vec::new();
    for (path, v) in map {
        if path.starts_with('/') || path.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(format!("{what}: path {path:?} must be relative to HOME"));
        }
        let (content, mode) = match v {
            Value::String(s) => (s.as_bytes().to_vec(), 0o644),
            Value::Object(o) => {
                let content =
                    text_or_b64(o, "content").map_err(|e| format!("{what}.{path}: {e}"))?;
                let mode = match o.get("mode") {
                    None => 0o644,
                    Some(Value::String(m)) => u32::from_str_radix(m, 8)
                        .map_err(|_| format!("{what}.{path}: mode {m:?} is not octal"))?,
                    Some(_) => return Err(format!("{what}.{path}: mode must be a string")),
                };
                (content, mode)
            }
            _ => return Err(format!("{what}.{path}: must be a string or an object")),
        };
        out.push(FileSpec {
            path: path.clone(),
            content,
            mode,
        });
    }
    Ok(out)
}

/// `key` as text, or `key_b64` as base64-encoded bytes.
fn text_or_b64(o: &Map<String, Value>, key: &str) -> Result<Vec<u8>, String> {
    if let Some(v) = o.get(key) {
        return v
            .as_str()
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| format!("`{key}` must be a string"));
    }
    let b64 = format!("{key}_b64");
    match o.get(&b64) {
        Some(Value::String(s)) => base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| format!("`{b64}`: {e}")),
        Some(_) => Err(format!("`{b64}` must be a string")),
        None => Err(format!("`{key}` missing")),
    }
}

fn object<'a>(
    o: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(format!("`{key}` must be an object")),
    }
}

fn is_regex(o: &Map<String, Value>, key: &str) -> Result<bool, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(s)) if s == "regex" => Ok(true),
        Some(other) => Err(format!("`{key}` must be \"regex\", not {other}")),
    }
}

fn seconds(v: &Value) -> Option<Duration> {
    v.as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Replaces the `$HOME` placeholder by the run's home directory.
pub fn with_home(s: &str, home: &str) -> String {
    s.replace(HOME_PLACEHOLDER, home)
}

/// Byte-level [`str::replace`], for file contents and program output.
pub fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faketime_format() {
        assert_eq!(
            faketime_of("2024-01-02T03:04:05Z").unwrap(),
            "2024-01-02 03:04:05"
        );
        assert!(faketime_of("2024-01-02 03:04:05").is_err());
    }

    #[test]
    fn replaces_bytes() {
        assert_eq!(replace_bytes(b"a/h/b/h", b"/h", b"$HOME"), b"a$HOME/b$HOME");
    }
}

//! `--debug`: log lines on stderr in the AWS CLI's format
//! (`%(asctime)s - %(threadName)s - %(name)s - %(levelname)s - %(message)s`, local time with
//! milliseconds), at the milestones the CLI logs. Unlike the CLI, which logs session tokens
//! and response bodies, nothing secret is ever written: values that may carry a secret go
//! through `Secret`, whose Display and Debug print `(redacted)`.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// `--debug` seen by the first-pass parser but not by the main one (the CLI removes its
/// handlers again).
pub fn disable() {
    ENABLED.store(false, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Write one log record (only under `--debug`). `logger` is the CLI's logger name
/// (`awscli.clidriver`, `botocore.credentials`, ...), `level` DEBUG or INFO.
pub fn log(logger: &str, level: &str, message: fmt::Arguments) {
    if !enabled() {
        return;
    }
    let line = format!(
        "{} - MainThread - {logger} - {level} - {message}\n",
        asctime()
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// `log!("botocore.credentials", "INFO", "Found credentials in {}", source)`.
#[macro_export]
macro_rules! debug_log {
    ($logger:expr, $level:expr, $($arg:tt)*) => {
        if $crate::log::enabled() {
            $crate::log::log($logger, $level, format_args!($($arg)*));
        }
    };
}

/// A value that must never be printed: secret keys, session tokens, SSO tokens, web identity
/// tokens, container authorization tokens, and the signed token URL itself.
pub struct Secret<'a>(pub &'a str);

impl fmt::Display for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "" } else { "(redacted)" })
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An owned secret (a secret key, a session or bearer token): its `Debug` and `Display`
/// print `(redacted)`, so that no struct holding one can leak it through formatting; the
/// value is read only with `expose`, where it is used.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(String);

impl SecretString {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> SecretString {
        SecretString(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> SecretString {
        SecretString(s.to_string())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Secret(&self.0), f)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Secret(&self.0), f)
    }
}

/// botocore.auth's records for one SigV4 signature. The caller passes the canonical
/// request with the session token's value already replaced; the signature is never
/// logged.
pub fn log_sigv4(canonical_request: &str, string_to_sign: &str) {
    const AUTH: &str = "botocore.auth";
    log(
        AUTH,
        "DEBUG",
        format_args!("Calculating signature using v4 auth."),
    );
    log(
        AUTH,
        "DEBUG",
        format_args!("CanonicalRequest:\n{canonical_request}"),
    );
    log(
        AUTH,
        "DEBUG",
        format_args!("StringToSign:\n{string_to_sign}"),
    );
    log(AUTH, "DEBUG", format_args!("Signature:\n{}", Secret("-")));
}

/// A header's value, by case-insensitive name.
pub fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A URL for the log: user information (`user:password@`) masked.
pub fn url(u: &str) -> String {
    let Some((scheme, rest)) = u.split_once("://") else {
        return u.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[end..]),
        None => u.to_string(),
    }
}

/// Headers whose values are logged as they are; every other value is redacted (the
/// SigV4 `Authorization` keeps its credential scope and signed headers).
const SHOWN_HEADERS: &[&str] = &[
    "accept",
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "date",
    "host",
    "server",
    "transfer-encoding",
    "user-agent",
    "x-amz-date",
    "x-amz-id-2",
    "x-amz-request-id",
    "x-amz-retry-after",
    "x-amzn-errortype",
    "x-amzn-requestid",
    "x-aws-ec2-metadata-token-ttl-seconds",
];

/// The value of a header as the log shows it.
pub fn header_value(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if SHOWN_HEADERS.contains(&lower.as_str()) {
        return value.to_string();
    }
    if lower == "authorization" && value.starts_with("AWS4-HMAC-SHA256 ") {
        if let Some(i) = value.find("Signature=") {
            return format!("{}{}", &value[..i + "Signature=".len()], Secret("-"));
        }
    }
    Secret(value).to_string()
}

/// Headers as a Python dict, values redacted as `header_value` says.
pub fn headers_repr(headers: &[(String, String)]) -> String {
    let items: Vec<String> = headers
        .iter()
        .map(|(k, v)| {
            format!(
                "{}: {}",
                pystd::repr::str_repr(k),
                pystd::repr::str_repr(&header_value(k, v))
            )
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// Whether a field or element of this name holds a secret (`SecretAccessKey`,
/// `SessionToken`, `Token`, `accessToken`, `refreshToken`, `clientSecret`, ...).
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "signature",
        "assertion",
        "verifier",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Form fields (STS query protocol) whose values are logged; all others are redacted
/// (`WebIdentityToken`, `TokenCode`, ...).
const SHOWN_FORM_FIELDS: &[&str] = &[
    "Action",
    "Version",
    "RoleArn",
    "RoleSessionName",
    "DurationSeconds",
    "ExternalId",
    "SerialNumber",
    "ProviderId",
];

/// A request or response body for the log, as Python bytes: form fields, JSON members
/// and XML elements that may hold a secret are redacted; a body of any other kind (plain
/// text, such as an IMDS session token) is not shown at all.
pub fn body_repr(content_type: Option<&str>, body: &[u8]) -> String {
    if body.is_empty() {
        return "b''".into();
    }
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let shown = if content_type.is_some_and(|c| c.contains("x-www-form-urlencoded")) {
        Some(redact_form(&text))
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .map(|mut v| {
                redact_json(&mut v);
                v.to_string()
            })
    } else if trimmed.starts_with('<') {
        Some(String::from_utf8_lossy(&redact_xml(body)).into_owned())
    } else {
        None
    };
    match shown {
        Some(s) => pystd::repr::bytes_repr(s.as_bytes()),
        None => format!("({} bytes, not shown)", body.len()),
    }
}

fn redact_form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if SHOWN_FORM_FIELDS.contains(&k) => format!("{k}={v}"),
            Some((k, v)) => format!("{k}={}", Secret(v)),
            None => Secret(pair).to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// JSON members that are secrets without saying so: SSO OIDC's one-time authorization
/// code and device code (each, with the client's secret, buys a session token).
const SECRET_JSON_MEMBERS: &[&str] = &["code", "deviceCode"];

fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let secret = is_secret_name(k) || SECRET_JSON_MEMBERS.contains(&k.as_str());
                if secret && !v.is_null() {
                    *v = serde_json::Value::String(Secret("-").to_string());
                } else {
                    redact_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// The content of every element whose name holds a secret (`SecretAccessKey`,
/// `SessionToken`, also with attributes, whitespace or a namespace prefix in its tags) up
/// to its closing tag, and the value of every attribute whose name holds one, replaced by
/// `(redacted)`. CDATA sections and comments inside are skipped whole (a `</SessionToken>`
/// in them does not end the element), so are nested elements of the same name; an unclosed
/// element is redacted to the end. Bytes that are not UTF-8 stay as they are.
pub fn redact_xml(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    redact_xml_with(body, &mut |piece| out.extend_from_slice(piece));
    out
}

/// `redact_xml`, handing the result to `emit` piece by piece (each byte of the body is
/// looked at a bounded number of times: linear in the body's length, nothing copied).
pub fn redact_xml_with(body: &[u8], emit: &mut dyn FnMut(&[u8])) {
    const REDACTED: &[u8] = b"(redacted)";
    let mut pos = 0;
    while let Some(i) = body[pos..].iter().position(|&b| b == b'<') {
        let at = pos + i;
        emit(&body[pos..at]);
        let rest = &body[at..];
        let end = if rest.starts_with(b"<!--") {
            after(body, at + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            after(body, at + 9, b"]]>")
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") || rest.starts_with(b"</") {
            after(body, at + 1, b">")
        } else {
            let (end, self_closing) = start_tag(body, at, emit);
            let name = xml_name(body, at + 1);
            if !self_closing && !name.is_empty() && is_secret_name(&local_name(name)) {
                let close = secret_end(body, end, name);
                if close > end {
                    emit(REDACTED);
                }
                pos = close;
                continue;
            }
            pos = end;
            continue;
        };
        emit(&body[at..end]);
        pos = end;
    }
    emit(&body[pos..]);
}

/// Past the first `needle` at or after `from` (the end of `hay` when there is none).
fn after(hay: &[u8], from: usize, needle: &[u8]) -> usize {
    let mut at = from.min(hay.len());
    while let Some(i) = hay[at..].iter().position(|&b| b == needle[0]) {
        if hay[at + i..].starts_with(needle) {
            return at + i + needle.len();
        }
        at += i + 1;
    }
    hay.len()
}

/// The XML name starting at `at` (maximal run of name bytes; empty if none).
fn xml_name(body: &[u8], at: usize) -> &[u8] {
    let len = body[at.min(body.len())..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b"_:.-".contains(&b) || b >= 0x80)
        .count();
    &body[at..at + len]
}

fn local_name(qname: &[u8]) -> String {
    let local = qname.rsplit(|&b| b == b':').next().unwrap_or(qname);
    String::from_utf8_lossy(local).into_owned()
}

/// Emit the start tag at `at` with the values of secret attributes redacted; returns
/// where it ends (after its `>`, or the end of the body) and whether it closes itself.
fn start_tag(body: &[u8], at: usize, emit: &mut dyn FnMut(&[u8])) -> (usize, bool) {
    let mut pos = at + 1;
    let mut shown = at;
    let mut attribute: &[u8] = &[];
    while pos < body.len() {
        match body[pos] {
            b'>' => {
                emit(&body[shown..=pos]);
                return (pos + 1, body[pos - 1] == b'/');
            }
            q @ (b'"' | b'\'') => {
                let close = body[pos + 1..]
                    .iter()
                    .position(|&b| b == q)
                    .map_or(body.len(), |i| pos + 1 + i);
                if is_secret_name(&local_name(attribute)) && close > pos + 1 {
                    emit(&body[shown..=pos]);
                    emit(b"(redacted)");
                    shown = close;
                }
                pos = close + 1;
            }
            b if b.is_ascii_whitespace() || b == b'=' => pos += 1,
            _ => {
                attribute = xml_name(body, pos);
                pos += attribute.len().max(1);
            }
        }
    }
    emit(&body[shown.min(body.len())..]);
    (body.len(), false)
}

/// Where the content of the secret element `name` that starts at `from` ends: the `<` of
/// its closing tag, or the end of the body. CDATA, comments and nested elements of the
/// same name are skipped.
fn secret_end(body: &[u8], from: usize, name: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut pos = from;
    while let Some(i) = body[pos..].iter().position(|&b| b == b'<') {
        let at = pos + i;
        let rest = &body[at..];
        if rest.starts_with(b"<![CDATA[") {
            pos = after(body, at + 9, b"]]>");
        } else if rest.starts_with(b"<!--") {
            pos = after(body, at + 4, b"-->");
        } else if rest.starts_with(b"</") && xml_name(body, at + 2) == name {
            if depth == 0 {
                return at;
            }
            depth -= 1;
            pos = at + 2;
        } else if xml_name(body, at + 1) == name {
            let mut sink = |_: &[u8]| {};
            let (end, self_closing) = start_tag(body, at, &mut sink);
            if !self_closing {
                depth += 1;
            }
            pos = end;
        } else {
            pos = at + 1;
        }
    }
    body.len()
}

/// Local time as Python's logging `asctime`: `2026-11-22 19:29:06,987`.
fn asctime() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let millis = now.subsec_millis();
    let secs = now.as_secs() as i64;
    match local_time(secs) {
        Some((y, mo, d, h, mi, s)) => {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{millis:03}")
        }
        None => {
            let t = crate::time::UtcTime(secs).rfc3339();
            format!("{} {},{millis:03}", &t[..10], &t[11..19])
        }
    }
}

#[cfg(unix)]
fn local_time(secs: i64) -> Option<(i32, u32, u32, u32, u32, u32)> {
    let t = secs as libc::time_t;
    // SAFETY: localtime_r writes only into the struct we pass.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    ok.then(|| {
        (
            tm.tm_year + 1900,
            (tm.tm_mon + 1) as u32,
            tm.tm_mday as u32,
            tm.tm_hour as u32,
            tm.tm_min as u32,
            tm.tm_sec as u32,
        )
    })
}

#[cfg(not(unix))]
fn local_time(_secs: i64) -> Option<(i32, u32, u32, u32, u32, u32)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert_eq!(format!("{s}"), "(redacted)");
        assert_eq!(format!("{s:?}"), "(redacted)");
        let owned = SecretString::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert_eq!(
            format!("{owned} {owned:?} {:?}", Some(&owned)),
            "(redacted) (redacted) Some((redacted))"
        );
        assert_eq!(owned.expose(), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert!(super::asctime().contains(','));
    }

    #[test]
    fn headers_are_shown_only_when_harmless() {
        let auth = "AWS4-HMAC-SHA256 Credential=ASIAX/20240102/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=0123abcd";
        assert_eq!(
            header_value("Authorization", auth),
            "AWS4-HMAC-SHA256 Credential=ASIAX/20240102/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=(redacted)"
        );
        for (name, value) in [
            ("Authorization", "container-auth-SECRET"),
            ("X-Amz-Security-Token", "tokSECRET"),
            ("x-amz-sso_bearer_token", "ssoSECRET"),
            ("x-aws-ec2-metadata-token", "imdsSECRET"),
            ("X-Something-New", "unknownSECRET"),
        ] {
            assert_eq!(header_value(name, value), "(redacted)", "{name}");
        }
        assert_eq!(header_value("Content-Type", "text/xml"), "text/xml");
        assert_eq!(
            headers_repr(&[
                ("Content-Type".into(), "application/json".into()),
                ("x-amz-sso_bearer_token".into(), "ssoSECRET".into()),
            ]),
            "{'Content-Type': 'application/json', 'x-amz-sso_bearer_token': '(redacted)'}"
        );
    }

    #[test]
    fn bodies_lose_their_secrets() {
        let form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s&WebIdentityToken=eyJ.SECRET";
        assert_eq!(
            body_repr(Some("application/x-www-form-urlencoded; charset=utf-8"), form.as_bytes()),
            "b'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s&WebIdentityToken=(redacted)'"
        );
        let oidc = br#"{"grantType": "authorization_code", "clientId": "cid", "redirectUri": "http://127.0.0.1:1/oauth/callback", "codeVerifier": "cvSECRET", "code": "acSECRET", "deviceCode": "dcSECRET", "userCode": "ABCD-EFGH"}"#;
        assert_eq!(
            body_repr(Some("application/json"), oidc),
            r#"b'{"grantType":"authorization_code","clientId":"cid","redirectUri":"http://127.0.0.1:1/oauth/callback","codeVerifier":"(redacted)","code":"(redacted)","deviceCode":"(redacted)","userCode":"ABCD-EFGH"}'"#
        );
        let json = br#"{"grantType": "refresh_token", "clientId": "cid", "clientSecret": "csSECRET", "refreshToken": "rtSECRET", "nested": {"sessionToken": "stSECRET", "expiration": 1}}"#;
        let shown = body_repr(Some("application/json"), json);
        assert_eq!(
            shown,
            r#"b'{"grantType":"refresh_token","clientId":"cid","clientSecret":"(redacted)","refreshToken":"(redacted)","nested":{"sessionToken":"(redacted)","expiration":1}}'"#
        );
        let xml = b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>skSECRET</SecretAccessKey><SessionToken><![CDATA[st</x>SECRET]]></SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
        assert_eq!(
            body_repr(Some("text/xml"), xml),
            "b'<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>(redacted)</SecretAccessKey><SessionToken>(redacted)</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>'"
        );
        // Cut off inside a secret: redacted to the end.
        assert_eq!(
            body_repr(None, b"<a><s:SessionToken>partSECRET"),
            "b'<a><s:SessionToken>(redacted)'"
        );
        // Plain text (an IMDS session token) and unparsable JSON are not shown.
        assert_eq!(
            body_repr(Some("text/plain"), b"imdsSECRET"),
            "(10 bytes, not shown)"
        );
        assert_eq!(
            body_repr(None, br#"{"accessToken": "cut"#),
            "(20 bytes, not shown)"
        );
        assert_eq!(body_repr(None, b""), "b''");
    }

    #[test]
    fn urls_lose_user_information() {
        assert_eq!(url("https://u:pw@host:1/p?q"), "https://***@host:1/p?q");
        assert_eq!(url("http://127.0.0.1:80/x@y"), "http://127.0.0.1:80/x@y");
    }
}

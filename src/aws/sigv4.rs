//! AWS Signature Version 4 as botocore computes it: the keys (`Credentials`), the
//! primitives (canonical request, string to sign, signing key), header signing
//! (`SigV4Auth`, for the form and JSON requests the commands send) and query presigning
//! (`SigV4QueryAuth`, for get-token's URL). Pure: credentials, request parts and time in;
//! a leaf apart from the `--debug` log.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::log::SecretString;
use crate::time::UtcTime;
use pystd::url::quote;

/// Keys that sign requests. `Debug` never shows the secret or the session token.
#[derive(Clone, PartialEq, Debug)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub session_token: Option<SecretString>,
    /// Why these keys cannot sign: a `credential_process` key that is not a str, which
    /// botocore holds and fails on only when it joins the key into the signing scope.
    pub unusable: Option<String>,
}

impl Credentials {
    pub fn check_usable(&self) -> Result<(), crate::error::Error> {
        match &self.unusable {
            Some(e) => Err(crate::error::Error::General(e.clone())),
            None => Ok(()),
        }
    }
}

/// The parts of a request that are signed. `headers` are the request's own signed
/// headers (botocore signs every header but `User-Agent` and a few others; ours are
/// `Content-Type` and the like), `host` the `host` header value.
pub struct Request<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub path: &'a str,
    /// The canonical query string (already encoded and sorted); empty for none.
    pub query: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// Where and when a signature applies.
pub struct Scope<'a> {
    pub region: &'a str,
    pub service: &'a str,
    pub now: UtcTime,
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The headers to add to a request: `X-Amz-Date`, `X-Amz-Security-Token` (with session
/// credentials) and `Authorization`.
pub fn sign(creds: &Credentials, req: &Request, scope: &Scope) -> Vec<(String, String)> {
    let amz_date = scope.now.amz_date();
    let mut added = vec![("X-Amz-Date".to_string(), amz_date)];
    if let Some(t) = &creds.session_token {
        added.push(("X-Amz-Security-Token".to_string(), t.expose().to_string()));
    }
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain(added.iter().cloned())
        .collect();
    headers.push(("host".into(), req.host.into()));
    let (signature, signed_headers) = signature(creds, req, &headers, scope);
    added.push((
        "Authorization".to_string(),
        format!(
            "{ALGORITHM} Credential={}/{}, SignedHeaders={signed_headers}, Signature={signature}",
            creds.access_key_id,
            credential_scope(scope)
        ),
    ));
    added
}

/// A presigned URL (botocore `SigV4QueryAuth`): `params` are the operation's query
/// parameters in request order; the auth parameters follow in botocore's order, with the
/// session token last, then the signature. `headers` are signed but not sent (the host is
/// always signed).
pub fn presign(
    creds: &Credentials,
    url: &str,
    req: &Request,
    params: &[(&str, &str)],
    expires: u32,
    scope: &Scope,
) -> String {
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    headers.push(("host".into(), req.host.into()));
    let mut signed: Vec<String> = headers.iter().map(|(k, _)| k.to_lowercase()).collect();
    signed.sort();
    let credential = format!("{}/{}", creds.access_key_id, credential_scope(scope));
    let expires = expires.to_string();
    let amz_date = scope.now.amz_date();
    let signed_headers = signed.join(";");
    let mut query: Vec<(&str, &str)> = params.to_vec();
    query.extend([
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", &amz_date),
        ("X-Amz-Expires", &expires),
        ("X-Amz-SignedHeaders", &signed_headers),
    ]);
    if let Some(t) = &creds.session_token {
        query.push(("X-Amz-Security-Token", t.expose()));
    }
    let encoded: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (quote(k, ""), quote(v, "")))
        .collect();
    // A query string of the URL itself is signed too, as it is written
    // (`_canonical_query_string_url`), and the parameters follow it.
    let (url, own_query) = match url.split_once('?') {
        Some((base, q)) => (base, Some(q)),
        None => (url, None),
    };
    let mut sorted = encoded.clone();
    for pair in own_query.into_iter().flat_map(|q| q.split('&')) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        sorted.push((k.to_string(), v.to_string()));
    }
    sorted.sort();
    let canonical_query = join_query(&sorted);
    let (signature, _) = signature(
        creds,
        &Request {
            query: &canonical_query,
            ..*req
        },
        &headers,
        scope,
    );
    let own_query = own_query.map_or(String::new(), |q| format!("{q}&"));
    format!(
        "{url}?{own_query}{}&X-Amz-Signature={signature}",
        join_query(&encoded)
    )
}

fn join_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn credential_scope(scope: &Scope) -> String {
    format!(
        "{}/{}/{}/aws4_request",
        &scope.now.amz_date()[..8],
        scope.region,
        scope.service
    )
}

/// The signature of a request whose every signed header is in `headers`, and the signed
/// header list.
fn signature(
    creds: &Credentials,
    req: &Request,
    headers: &[(String, String)],
    scope: &Scope,
) -> (String, String) {
    let mut canonical: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_lowercase(), pystd::text::collapse_whitespace(v)))
        .collect();
    canonical.sort();
    let signed_headers = canonical
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    // `shown`: the form for the debug log, without the session token's value.
    let canonical_request = |shown: bool| {
        let mut query = req.query.to_string();
        let mut lines = String::new();
        for (k, v) in &canonical {
            let secret = shown && k == "x-amz-security-token";
            lines.push_str(&format!("{k}:{}\n", if secret { "(redacted)" } else { v }));
        }
        if shown {
            query = redact_token_param(&query);
        }
        let path = if req.path.is_empty() { "/" } else { req.path };
        format!(
            "{}\n{}\n{query}\n{lines}\n{signed_headers}\n{}",
            req.method,
            quote(path, "/"),
            sha256_hex(req.body)
        )
    };
    let amz_date = scope.now.amz_date();
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{}\n{}",
        credential_scope(scope),
        sha256_hex(canonical_request(false).as_bytes())
    );
    let mut key = hmac(
        format!("AWS4{}", creds.secret_access_key.expose()).as_bytes(),
        &amz_date.as_bytes()[..8],
    );
    for part in [scope.region, scope.service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    if crate::log::enabled() {
        crate::log::log_sigv4(&canonical_request(true), &string_to_sign);
    }
    (signature, signed_headers)
}

/// The canonical query with the session token's value hidden, for the log.
fn redact_token_param(query: &str) -> String {
    query
        .split('&')
        .map(|p| match p.starts_with("X-Amz-Security-Token=") {
            true => "X-Amz-Security-Token=(redacted)",
            false => p,
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(session_token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: session_token.map(SecretString::from),
            unusable: None,
        }
    }

    /// The "post-x-www-form-urlencoded" case of the AWS SigV4 test suite (same secret,
    /// scope and date; botocore computes this signature for that request).
    #[test]
    fn aws_test_suite_form_post() {
        let req = Request {
            method: "POST",
            host: "example.amazonaws.com",
            path: "/",
            query: "",
            headers: &[("Content-Type", "application/x-www-form-urlencoded")],
            body: b"Param1=value1",
        };
        let scope = Scope {
            region: "us-east-1",
            service: "service",
            now: UtcTime(1440938160), // 20150830T123600Z
        };
        let headers = sign(&keys(None), &req, &scope);
        assert_eq!(headers[0], ("X-Amz-Date".into(), "20150830T123600Z".into()));
        assert_eq!(
            headers[1].1,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        );
    }

    #[test]
    fn session_token_is_signed_and_shown_nowhere() {
        let req = Request {
            method: "POST",
            host: "h",
            path: "/",
            query: "",
            headers: &[],
            body: b"",
        };
        let scope = Scope {
            region: "r",
            service: "sts",
            now: UtcTime(0),
        };
        let creds = keys(Some("tokSECRET"));
        let headers = sign(&creds, &req, &scope);
        assert_eq!(
            headers[1],
            ("X-Amz-Security-Token".into(), "tokSECRET".into())
        );
        assert!(headers[2]
            .1
            .contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
        let shown = format!("{creds:?}");
        assert!(
            !shown.contains("tokSECRET") && !shown.contains("EXAMPLEKEY"),
            "{shown}"
        );
    }
}

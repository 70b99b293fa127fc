//! SigV4 header signing (botocore `SigV4Auth`) for the query-protocol POSTs the credential
//! chain sends to STS; the token's query presign stays in `token.rs`, whose helpers this
//! reuses. Pure: credentials, request parts and time in, headers out.

use sha2::{Digest, Sha256};

use crate::clock::UtcTime;
use crate::token::{hex, hmac, quote, trim_all, Credentials};

/// The parts of a request that are signed. `headers` are the request's own signed
/// headers (botocore signs every header but `User-Agent` and a few others; ours are
/// `Content-Type`), `host` the `host` header value.
pub struct Request<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub path: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// The headers to add to a request: `X-Amz-Date`, `X-Amz-Security-Token` (with session
/// credentials) and `Authorization`.
pub fn sign(
    creds: &Credentials,
    req: &Request,
    region: &str,
    service: &str,
    now: UtcTime,
) -> Vec<(String, String)> {
    let amz_date = now.amz_date();
    let date = &amz_date[..8];
    let mut added = vec![("X-Amz-Date".to_string(), amz_date.clone())];
    if let Some(t) = &creds.session_token {
        added.push(("X-Amz-Security-Token".to_string(), t.clone()));
    }
    let mut canonical: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.to_lowercase(), trim_all(v)))
        .chain(std::iter::once(("host".to_string(), req.host.to_string())))
        .chain(added.iter().map(|(k, v)| (k.to_lowercase(), trim_all(v))))
        .collect();
    canonical.sort();
    let signed_headers = canonical
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    // `shown`: the form for the debug log, without the session token's value.
    let canonical_request_with = |shown: bool| {
        let canonical_headers: String = canonical
            .iter()
            .map(|(k, v)| match shown && k == "x-amz-security-token" {
                true => format!("{k}:(redacted)\n"),
                false => format!("{k}:{v}\n"),
            })
            .collect();
        let path = if req.path.is_empty() { "/" } else { req.path };
        format!(
            "{}\n{}\n\n{canonical_headers}\n{signed_headers}\n{}",
            req.method,
            quote(path, "/"),
            hex(&Sha256::digest(req.body))
        )
    };
    let canonical_request = canonical_request_with(false);
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(
        format!("AWS4{}", creds.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    if crate::debug::enabled() {
        crate::debug::log_sigv4(&canonical_request_with(true), &string_to_sign);
    }
    added.push((
        "Authorization".to_string(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            creds.access_key_id
        ),
    ));
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The "post-x-www-form-urlencoded" case of the AWS SigV4 test suite (same secret,
    /// scope and date; botocore computes this signature for that request).
    #[test]
    fn aws_test_suite_form_post() {
        let creds = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let req = Request {
            method: "POST",
            host: "example.amazonaws.com",
            path: "/",
            headers: &[("Content-Type", "application/x-www-form-urlencoded")],
            body: b"Param1=value1",
        };
        let headers = sign(&creds, &req, "us-east-1", "service", UtcTime(1440938160)); // 20150830T123600Z
        assert_eq!(headers[0], ("X-Amz-Date".into(), "20150830T123600Z".into()));
        assert_eq!(
            headers[1].1,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        );
    }

    #[test]
    fn session_token_is_signed() {
        let creds = Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: "s".into(),
            session_token: Some("tok".into()),
        };
        let req = Request {
            method: "POST",
            host: "h",
            path: "/",
            headers: &[],
            body: b"",
        };
        let headers = sign(&creds, &req, "r", "sts", UtcTime(0));
        assert_eq!(headers[1], ("X-Amz-Security-Token".into(), "tok".into()));
        assert!(headers[2]
            .1
            .contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
    }
}

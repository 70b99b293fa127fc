//! SigV4 query-string signatures checked the way STS checks a presigned `GetCallerIdentity`
//! URL: the canonical request is rebuilt from what the server actually receives (the URL's
//! decoded query parameters and the headers it sends), signed with the secret of the access
//! key named in `X-Amz-Credential`, and compared with `X-Amz-Signature`.
//!
//! Written from the SigV4 specification (AWS General Reference, "Create a signed AWS API
//! request" / "Authenticating requests: using query parameters") independently of the
//! product's signer (src/token.rs), so that a token accepted here is a real check of it.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// SHA-256 of the empty body of a GET.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A key pair STS knows, with the session token that belongs to it (temporary keys).
#[derive(Clone, Debug)]
pub struct Key {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// What STS receives for a presigned URL: its host (the `Host` header), path, the decoded
/// query parameters in URL order, and the request headers (names lower-case).
pub struct ReceivedRequest<'a> {
    pub host: &'a str,
    pub path: &'a str,
    pub params: &'a [(String, String)],
    pub headers: &'a [(&'a str, &'a str)],
}

/// STS' answer to a bad signature, by its error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StsRejection {
    /// A SigV4 query parameter is missing or malformed (`IncompleteSignature`).
    Incomplete(String),
    /// The access key is not known (`InvalidClientTokenId`).
    UnknownAccessKey(String),
    /// The session token does not belong to the key (`InvalidClientTokenId`).
    SessionToken,
    /// The credential scope is not this endpoint's (`SignatureDoesNotMatch` / scope errors).
    Scope(String),
    /// The recomputed signature differs (`SignatureDoesNotMatch`).
    SignatureDoesNotMatch,
}

impl std::fmt::Display for StsRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StsRejection::Incomplete(m) => write!(f, "IncompleteSignature: {m}"),
            StsRejection::UnknownAccessKey(k) => {
                write!(f, "InvalidClientTokenId: unknown access key {k}")
            }
            StsRejection::SessionToken => {
                write!(f, "InvalidClientTokenId: the security token is invalid")
            }
            StsRejection::Scope(m) => write!(f, "SignatureDoesNotMatch: credential scope: {m}"),
            StsRejection::SignatureDoesNotMatch => write!(
                f,
                "SignatureDoesNotMatch: the request signature we calculated does not match"
            ),
        }
    }
}

/// RFC 3986 percent-encoding: unreserved characters (`A-Z a-z 0-9 - _ . ~`) stay, every
/// other byte of the UTF-8 form becomes `%XX` (upper-case hex), `/` included.
pub fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical query string: every parameter but `X-Amz-Signature`, names and values
/// encoded, sorted by encoded name then encoded value, joined with `&`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "X-Amz-Signature")
        .map(|(k, v)| (uri_encode(k), uri_encode(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A header value as SigV4 canonicalizes it: leading and trailing whitespace removed,
/// inner runs of whitespace collapsed to one space.
pub fn canonical_header_value(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical request of a GET with an empty body. `headers` are (lower-case name,
/// value) pairs, exactly those listed in `signed_headers` (already lower-case, sorted).
pub fn canonical_request(
    path: &str,
    params: &[(String, String)],
    headers: &[(String, String)],
    signed_headers: &str,
) -> String {
    let mut canonical_headers = String::new();
    for (name, value) in headers {
        canonical_headers.push_str(&format!("{name}:{}\n", canonical_header_value(value)));
    }
    let canonical_path = path
        .split('/')
        .map(uri_encode)
        .collect::<Vec<_>>()
        .join("/");
    format!(
        "GET\n{canonical_path}\n{}\n{canonical_headers}\n{signed_headers}\n{EMPTY_PAYLOAD_SHA256}",
        canonical_query(params)
    )
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// `AWS4-HMAC-SHA256 \n amz-date \n scope \n hex(sha256(canonical request))`.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The signature of `string_to_sign` with the key derived from `secret` for the scope
/// `date/region/service/aws4_request`.
pub fn signature(secret: &str, date: &str, region: &str, service: &str, sts: &str) -> String {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"aws4_request");
    hex(&hmac_sha256(&k_signing, sts.as_bytes()))
}

/// `X-Amz-Credential` = `AKID/YYYYMMDD/region/service/aws4_request`.
#[derive(Debug, PartialEq, Eq)]
pub struct CredentialScope<'a> {
    pub access_key_id: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

impl<'a> CredentialScope<'a> {
    pub fn parse(credential: &'a str) -> Option<CredentialScope<'a>> {
        let parts: Vec<&str> = credential.split('/').collect();
        match parts[..] {
            [akid, date, region, service, "aws4_request"]
                if !akid.is_empty() && !region.is_empty() =>
            {
                Some(CredentialScope {
                    access_key_id: akid,
                    date,
                    region,
                    service,
                })
            }
            _ => None,
        }
    }

    pub fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// STS' signature check of a presigned query request whose endpoint signs for
/// `endpoint_region` (the host's region; `us-east-1` for `sts.amazonaws.com`). Returns the
/// key that signed it.
pub fn verify<'k>(
    req: &ReceivedRequest<'_>,
    endpoint_region: &str,
    keys: &'k [Key],
) -> Result<&'k Key, StsRejection> {
    let get = |name: &str| {
        req.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let need = |name: &str| {
        get(name).ok_or_else(|| StsRejection::Incomplete(format!("{name} is missing")))
    };

    if need("X-Amz-Algorithm")? != ALGORITHM {
        return Err(StsRejection::Incomplete(
            "unsupported X-Amz-Algorithm".into(),
        ));
    }
    let credential = need("X-Amz-Credential")?;
    let scope = CredentialScope::parse(credential).ok_or_else(|| {
        StsRejection::Incomplete(format!("malformed X-Amz-Credential {credential:?}"))
    })?;
    let amz_date = need("X-Amz-Date")?;
    let signed_headers = need("X-Amz-SignedHeaders")?;
    let given_signature = need("X-Amz-Signature")?;

    let key = keys
        .iter()
        .find(|k| k.access_key_id == scope.access_key_id)
        .ok_or_else(|| StsRejection::UnknownAccessKey(scope.access_key_id.to_owned()))?;
    if get("X-Amz-Security-Token") != key.session_token.as_deref() {
        return Err(StsRejection::SessionToken);
    }
    if amz_date.get(..8) != Some(scope.date) {
        return Err(StsRejection::Scope(format!(
            "date {} is not the date of X-Amz-Date {amz_date}",
            scope.date
        )));
    }
    if scope.region != endpoint_region {
        return Err(StsRejection::Scope(format!(
            "region {} is not this endpoint's region {endpoint_region}",
            scope.region
        )));
    }
    if scope.service != "sts" {
        return Err(StsRejection::Scope(format!(
            "service {} is not sts",
            scope.service
        )));
    }

    // The signed headers must be sent; their values are what the server sends (for
    // `x-k8s-aws-id`: its own cluster id, whatever the client signed).
    let mut headers = Vec::new();
    for name in signed_headers.split(';') {
        let value = if name == "host" {
            Some(req.host)
        } else {
            req.headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
        };
        match value {
            Some(v) => headers.push((name.to_owned(), v.to_owned())),
            None => return Err(StsRejection::SignatureDoesNotMatch),
        }
    }

    let creq = canonical_request(req.path, req.params, &headers, signed_headers);
    let sts = string_to_sign(amz_date, &scope.scope(), &creq);
    let expected = signature(
        &key.secret_access_key,
        scope.date,
        scope.region,
        scope.service,
        &sts,
    );
    if expected == given_signature {
        Ok(key)
    } else {
        Err(StsRejection::SignatureDoesNotMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn encoding_keeps_only_unreserved() {
        assert_eq!(uri_encode("aZ09-_.~"), "aZ09-_.~");
        assert_eq!(uri_encode("a/b+c=d;e f"), "a%2Fb%2Bc%3Dd%3Be%20f");
        assert_eq!(uri_encode("ü"), "%C3%BC");
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed() {
        assert_eq!(canonical_header_value("  my   cluster  "), "my cluster");
        assert_eq!(canonical_header_value("a\tb"), "a b");
    }

    /// The canonical request the AWS CLI printed with `--debug` (AWSCLI-SPEC §6).
    #[test]
    fn canonical_request_matches_the_cli() {
        let p = params(&[
            ("Action", "GetCallerIdentity"),
            ("Version", "2011-06-15"),
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            (
                "X-Amz-Credential",
                "AKIDEXAMPLE/20261122/us-west-2/sts/aws4_request",
            ),
            ("X-Amz-Date", "20261122T192907Z"),
            ("X-Amz-Expires", "60"),
            ("X-Amz-SignedHeaders", "host;x-k8s-aws-id"),
            ("X-Amz-Signature", "ignored"),
        ]);
        let headers = vec![
            (
                "host".to_string(),
                "sts.us-west-2.amazonaws.com".to_string(),
            ),
            ("x-k8s-aws-id".to_string(), "x".to_string()),
        ];
        assert_eq!(
            canonical_request("/", &p, &headers, "host;x-k8s-aws-id"),
            "GET\n/\nAction=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIDEXAMPLE%2F20261122%2Fus-west-2%2Fsts%2Faws4_request\
             &X-Amz-Date=20261122T192907Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id\n\
             host:sts.us-west-2.amazonaws.com\nx-k8s-aws-id:x\n\nhost;x-k8s-aws-id\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    /// aws-iam-authenticator's TestGetWithSTS vector (PEERS.md §1).
    #[test]
    fn known_answer_aws_iam_authenticator() {
        let p = params(&[
            ("Action", "GetCallerIdentity"),
            ("Version", "2011-06-15"),
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            (
                "X-Amz-Credential",
                "ASIAR2TG44V6AS3ZZE7C/20230428/us-west-2/sts/aws4_request",
            ),
            ("X-Amz-Date", "20230428T000000Z"),
            ("X-Amz-Expires", "60"),
            ("X-Amz-SignedHeaders", "host;x-k8s-aws-id"),
            (
                "X-Amz-Signature",
                "e211dba77aba9dc44b0b6be38b8eaad092599c5157f6314444c5b9d85747f5ce",
            ),
        ]);
        let key = Key {
            access_key_id: "ASIAR2TG44V6AS3ZZE7C".into(),
            secret_access_key: "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/Q".into(),
            session_token: None,
        };
        let keys = [key];
        let check = |cluster: &str, region: &str, keys: &[Key]| {
            let headers = [("x-k8s-aws-id", cluster), ("accept", "application/json")];
            let req = ReceivedRequest {
                host: "sts.us-west-2.amazonaws.com",
                path: "/",
                params: &p,
                headers: &headers,
            };
            verify(&req, region, keys).map(|k| k.access_key_id.clone())
        };
        assert_eq!(
            check("test-cluster", "us-west-2", &keys),
            Ok("ASIAR2TG44V6AS3ZZE7C".to_string())
        );
        assert_eq!(
            check("other-cluster", "us-west-2", &keys),
            Err(StsRejection::SignatureDoesNotMatch)
        );
        assert!(matches!(
            check("test-cluster", "us-east-1", &keys),
            Err(StsRejection::Scope(_))
        ));
        let wrong_secret = [Key {
            secret_access_key: "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/R".into(),
            ..keys[0].clone()
        }];
        assert_eq!(
            check("test-cluster", "us-west-2", &wrong_secret),
            Err(StsRejection::SignatureDoesNotMatch)
        );
    }

    #[test]
    fn scope_parsing() {
        let s = CredentialScope::parse("AKID/20240102/us-west-2/sts/aws4_request").unwrap();
        assert_eq!(s.access_key_id, "AKID");
        assert_eq!(s.scope(), "20240102/us-west-2/sts/aws4_request");
        assert!(CredentialScope::parse("AKID/20240102/us-west-2/sts").is_none());
        assert!(CredentialScope::parse("AKID/20240102/us-west-2/sts/aws4_requestx").is_none());
    }
}

//! A hostile SSO portal answer to `GetRoleCredentials` (issue 16): the body read as the
//! SSO provider reads it (`sso::read_role_credentials`), or as an error
//! (`rest_json::error`) for an error status; never a panic.
//!
//! Input: byte 0 picks the status (low 3 bits: 200, 200, 400, 401, 403, 404, 429, 500) and
//! whether an `x-amzn-errortype` header is sent (bit 3); the rest is the body.

#![no_main]

use aws_eks_token::aws::http::Response;
use aws_eks_token::aws::{self, rest_json};
use aws_eks_token::credentials::sso;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status = [200, 200, 400, 401, 403, 404, 429, 500][(first & 7) as usize];
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    if first & 8 != 0 {
        headers.push((
            "x-amzn-errortype".into(),
            "UnauthorizedException:http://internal.amazon.com/coral/".into(),
        ));
    }
    let response = Response {
        status,
        headers,
        body: body.to_vec(),
    };
    let body = rest_json::json_body(&response);
    if status >= 300 {
        let error = rest_json::error(&response, aws::sso::MODELED);
        assert!(error.contains_key("Code"));
        return;
    }
    if let Ok((entry, creds, expiry)) = sso::read_role_credentials(&body, "123456789012") {
        assert_eq!(entry["ProviderType"], "sso");
        assert_eq!(
            entry["Credentials"]["AccessKeyId"],
            creds.access_key_id.as_str()
        );
        assert!(!expiry.zulu().is_empty());
        let _ = aws_eks_token::credentials::cache::py_dumps(&entry, false, false);
    }
});

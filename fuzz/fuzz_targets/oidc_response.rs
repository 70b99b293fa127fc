//! A hostile SSO OIDC answer to `CreateToken` (a session token's refresh, issue 16): the
//! body read as the token provider reads it (`sso::read_created_token`) into the token
//! file it writes; never a panic, whatever `expiresIn` says.
//!
//! Input: the body.

#![no_main]

use aws_eks_token::aws::http::Response;
use aws_eks_token::aws::rest_json;
use aws_eks_token::credentials::sso;
use aws_eks_token::time::UtcTime;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

fuzz_target!(|data: &[u8]| {
    let response = Response {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: data.to_vec(),
    };
    let Value::Object(token) = json!({
        "startUrl": "https://x.awsapps.com/start", "region": "us-east-1",
        "accessToken": "old", "expiresAt": "2024-01-02T03:10:00Z",
        "clientId": "cid", "clientSecret": "secret",
        "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "rt",
    }) else {
        unreachable!()
    };
    let token: Map<String, Value> = token;
    for now in [UtcTime(0), UtcTime(1_704_164_645), UtcTime(i64::MAX / 2)] {
        if let Ok(new) = sso::read_created_token(
            &rest_json::json_body(&response),
            &token,
            "https://x.awsapps.com/start",
            "us-east-1",
            now,
        ) {
            assert!(new.get("expiresAt").and_then(Value::as_str).is_some());
            let _ = aws_eks_token::credentials::cache::py_dumps(&new, false, false);
        }
    }
});

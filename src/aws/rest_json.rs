//! botocore's rest-json protocol as the EKS, SSO portal and SSO OIDC clients use it:
//! calls with the CLI's retries, JSON bodies, and error responses with their modeled
//! fields (botocore/parsers.py `RestJSONParser`, client.py `_make_api_call`).

use serde_json::{Map, Value};

use super::http::{self, Client, Request, Response, RetryPolicy};
use crate::error::Error;

/// A service's modeled error shapes: the error code and the shape's members, in model
/// order (botocore adds those present in the body to the error the CLI shows).
pub type Modeled = &'static [(&'static str, &'static [&'static str])];

/// Send `req` with the CLI's retries. Transport failures end the call with botocore's
/// text; otherwise the last response, and the retry note of a final error
/// (`Some(retries)` when the last allowed attempt was made).
pub fn send(
    http: &Client,
    retry: RetryPolicy,
    req: &Request,
) -> Result<(Response, Option<u32>), Error> {
    let outcome = http::send_with_retries(http, retry, req, false, &|r| {
        Ok(error(r, &[])
            .get("Code")
            .and_then(Value::as_str)
            .map(String::from))
    })?;
    let max_retries = outcome.max_attempts_reached.then_some(outcome.retries);
    let response = outcome
        .result
        .map_err(|e| Error::General(e.message(&req.url)))?;
    Ok((response, max_retries))
}

/// `send`, then a response of 300 or more as the `ClientError` of `operation`.
pub fn call(
    http: &Client,
    retry: RetryPolicy,
    req: &Request,
    operation: &str,
    modeled: Modeled,
) -> Result<Value, Error> {
    let (response, max_retries) = send(http, retry, req)?;
    if response.status >= 300 {
        return Err(Error::Client {
            operation: operation.into(),
            error: error(&response, modeled),
            max_retries,
        });
    }
    Ok(json_body(&response))
}

/// The code of a service error (`ClientError.response['Error']['Code']`).
pub fn error_code(e: &Error) -> Option<&str> {
    match e {
        Error::Client { error, .. } => error.get("Code").and_then(Value::as_str),
        _ => None,
    }
}

/// botocore's `_parse_body_as_json`: an empty body is `{}`, one that is not JSON
/// `{"message": <text>}`.
pub fn json_body(r: &Response) -> Value {
    if r.body.is_empty() {
        return Value::Object(Map::new());
    }
    let text = String::from_utf8_lossy(&r.body);
    match pystd::json::loads(&text) {
        Ok(v) => v.to_serde(),
        Err(_) => serde_json::json!({ "message": text }),
    }
}

/// botocore's rest-json error parsing: `Message` from the body's `message`/`Message`,
/// `Code` from `x-amzn-errortype`, the body's `code`/`Code`/`__type`, else the status; a
/// 5xx with an empty or HTML body is the generic error. The members of a modeled error
/// shape found in the body follow, in model order (awscli's errorhandler shows Code,
/// Message and those; a member `message` is kept apart from `Message`).
pub fn error(r: &Response, modeled: Modeled) -> Map<String, Value> {
    let mut error = Map::new();
    let trimmed = r.body.trim_ascii();
    if r.status >= 500 && (trimmed.is_empty() || trimmed.starts_with(b"<html>")) {
        error.insert("Code".into(), r.status.to_string().into());
        error.insert(
            "Message".into(),
            pystd::http::reason(r.status).unwrap_or_default().into(),
        );
        return error;
    }
    let body = json_body(r);
    let field = |k: &str| body.get(k).cloned();
    let message = field("message")
        .or_else(|| field("Message"))
        .unwrap_or_else(|| "".into());
    error.insert("Message".into(), message);
    let clean = |code: &str| -> String {
        let code = code.split(':').next().unwrap_or(code);
        code.rsplit('#').next().unwrap_or(code).to_string()
    };
    let code = match r.header("x-amzn-errortype") {
        Some(h) => Value::from(clean(h)),
        None => match field("code").or_else(|| field("Code")) {
            Some(Value::String(c)) => Value::from(clean(&c)),
            Some(other) => other,
            None => match field("__type") {
                Some(Value::String(t)) => Value::from(clean(&t)),
                Some(other) => other,
                None => Value::from(r.status.to_string()),
            },
        },
    };
    let members = code
        .as_str()
        .and_then(|c| modeled.iter().find(|(name, _)| *name == c))
        .map_or(&[][..], |(_, members)| *members);
    error.insert("Code".into(), code);
    for member in members {
        match body.get(*member) {
            Some(v) if !v.is_null() && !error.contains_key(*member) => {
                error.insert((*member).into(), v.clone());
            }
            _ => {}
        }
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    const MODELED: Modeled = &[
        ("ResourceNotFoundException", &["message"]),
        (
            "AccessDeniedException",
            &["error", "reason", "error_description"],
        ),
    ];

    #[test]
    fn codes_messages_and_modeled_members() {
        let e = error(
            &response(
                401,
                &[("x-amzn-errortype", "UnauthorizedException:http://x")],
                r#"{"message": "no"}"#,
            ),
            MODELED,
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Message":"no","Code":"UnauthorizedException"}"#
        );
        let e = error(
            &response(400, &[], r#"{"__type": "com.amazon#Foo", "Message": "m"}"#),
            MODELED,
        );
        assert_eq!(e["Code"], "Foo");
        let e = error(&response(404, &[], "not json"), MODELED);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Message":"not json","Code":"404"}"#
        );
        let e = error(
            &response(
                404,
                &[("x-amzn-errortype", "ResourceNotFoundException")],
                r#"{"message": "gone"}"#,
            ),
            MODELED,
        );
        assert_eq!(e["message"], "gone");
        // Model order, unmodeled members left out (the recorded `--cli-error-format json`).
        let e = error(
            &response(
                400,
                &[("x-amzn-errortype", "AccessDeniedException")],
                r#"{"error_description": "d", "extra": "x", "reason": "r", "error": "access_denied"}"#,
            ),
            MODELED,
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Message":"","Code":"AccessDeniedException","error":"access_denied","reason":"r","error_description":"d"}"#
        );
        let e = error(&response(503, &[], ""), MODELED);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Code":"503","Message":"Service Unavailable"}"#
        );
    }
}

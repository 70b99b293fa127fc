//! botocore's rest-json protocol as the CLI's REST services use it (EKS, SSO, SSO OIDC):
//! the call with retries, the JSON body, and the error dict of an error response.

use serde_json::{Map, Value};

use super::http::{self, Client, Request, Response, RetryPolicy};
use crate::error::Error;

/// A rest-json call with the CLI's retries; connection failures end the command with
/// botocore's text. Also the retry note of a final error (`Some(retries)` when the call
/// ended at its last allowed attempt).
pub fn call(
    http: &Client,
    retry: RetryPolicy,
    req: &Request,
) -> Result<(Response, Option<u32>), Error> {
    let outcome = http::send_with_retries(http, retry, req, false, &|r| {
        Ok(error_dict(r, &[])
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
/// 5xx with an empty or HTML body is the generic error. A modeled error's own `message`
/// member is kept too (the CLI's error dict shows both).
pub fn error_dict(r: &Response, modeled_with_message: &[&str]) -> Map<String, Value> {
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
    let modeled = code
        .as_str()
        .is_some_and(|c| modeled_with_message.contains(&c));
    error.insert("Code".into(), code);
    if modeled {
        if let Some(m) = field("message") {
            error.insert("message".into(), m);
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

    #[test]
    fn error_codes() {
        let e = error_dict(
            &response(
                401,
                &[("x-amzn-errortype", "UnauthorizedException:http://x")],
                r#"{"message": "no"}"#,
            ),
            &[],
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Message":"no","Code":"UnauthorizedException"}"#
        );
        let e = error_dict(
            &response(400, &[], r#"{"__type": "com.amazon#Foo", "Message": "m"}"#),
            &[],
        );
        assert_eq!(e["Code"], "Foo");
        let e = error_dict(
            &response(404, &[], "not json"),
            &["ResourceNotFoundException"],
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Message":"not json","Code":"404"}"#
        );
        let e = error_dict(
            &response(
                404,
                &[("x-amzn-errortype", "ResourceNotFoundException")],
                r#"{"message": "gone"}"#,
            ),
            &["ResourceNotFoundException"],
        );
        assert_eq!(e["message"], "gone");
        let e = error_dict(&response(503, &[], ""), &[]);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Code":"503","Message":"Service Unavailable"}"#
        );
    }
}

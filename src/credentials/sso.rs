//! IAM Identity Center (botocore `SSOProvider`): `sso_session` profiles and legacy ones
//! (`sso_start_url` in the profile). The token comes from the files `aws sso login`
//! writes under `~/.aws/sso/cache/`; a session token with less than 15 minutes left is
//! refreshed through SSO OIDC `CreateToken` and its file rewritten (botocore
//! `SSOTokenProvider`); `GetRoleCredentials` gives the role credentials, cached in
//! `~/.aws/cli/cache/` as the CLI does.

use serde_json::{Map, Value};

use super::{cache, profile_text, single_flight, Ctx, Deferred, Source};
use crate::aws::endpoint::{self, Endpoint, EndpointConfig};
use crate::aws::http::{self, Request, Response};
use crate::aws::sigv4::Credentials;
use crate::error::Error;
use crate::time::Timestamp;
use pystd::url::quote;

pub struct Plan {
    profile: String,
    start_url: String,
    sso_region: String,
    role_name: String,
    account_id: String,
    session: Option<String>,
}

/// `SSOProvider._load_sso_config`: the profile is SSO's when it names a role or an
/// account; its settings (merged with its sso-session) must then be complete.
pub fn load(ctx: &Ctx, profile: &str) -> Result<Option<Source>, Error> {
    let settings = ctx.settings;
    let Some(section) = settings.files.profiles.get(profile) else {
        return Ok(None);
    };
    let text = |k: &str| profile_text(section, k);
    if text("sso_role_name").is_none() && text("sso_account_id").is_none() {
        return Ok(None);
    }
    let mut merged: Vec<(String, String)> = section
        .iter()
        .map(|(k, _)| (k.clone(), text(k).unwrap_or_default()))
        .collect();
    let session = text("sso_session");
    if let Some(name) = &session {
        let Some(sso_section) = settings.files.sso_sessions.get(name) else {
            return Err(Error::General(format!(
                "The specified sso-session does not exist: \"{name}\""
            )));
        };
        for (k, _) in sso_section {
            let val = profile_text(sso_section, k).unwrap_or_default();
            match merged.iter_mut().find(|(key, _)| key == k) {
                Some((_, existing)) if *existing != val => {
                    return Err(Error::General(format!(
                        "The value for {k} is inconsistent between profile ({existing}) and sso-session ({val})."
                    )))
                }
                Some(_) => {}
                None => merged.push((k.clone(), val)),
            }
        }
    }
    let mut required = vec![
        "sso_role_name",
        "sso_account_id",
        "sso_start_url",
        "sso_region",
    ];
    if session.is_some() {
        required.push("sso_session");
    }
    let get = |k: &str| {
        merged
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let missing: Vec<&str> = required.into_iter().filter(|k| get(k).is_none()).collect();
    if !missing.is_empty() {
        return Err(Error::General(format!(
            "The profile \"{profile}\" is configured to use SSO but is missing required configuration: {}",
            missing.join(", ")
        )));
    }
    Ok(Some(Source::Deferred(Deferred::Sso(Plan {
        profile: profile.to_string(),
        start_url: get("sso_start_url").unwrap_or_default(),
        sso_region: get("sso_region").unwrap_or_default(),
        role_name: get("sso_role_name").unwrap_or_default(),
        account_id: get("sso_account_id").unwrap_or_default(),
        session,
    }))))
}

impl Plan {
    /// `SSOCredentialFetcher.fetch_credentials`.
    pub fn fetch(&self, ctx: &Ctx) -> Result<(Credentials, Timestamp), Error> {
        let key = match &self.session {
            Some(s) => cache::sso_key(&self.role_name, &self.account_id, ("sessionName", s)),
            None => cache::sso_key(
                &self.role_name,
                &self.account_id,
                ("startUrl", &self.start_url),
            ),
        };
        // One GetRoleCredentials for many processes (see single_flight).
        let creds_cache = cache::JsonFileCache::credentials(&ctx.settings.env);
        let lock = format!("cli-cache-{key}");
        single_flight::cached_or_fetch(&ctx.settings.env, &creds_cache, &key, &lock, || {
            self.call(ctx, &creds_cache, &key)
        })
    }

    fn call(
        &self,
        ctx: &Ctx,
        creds_cache: &cache::JsonFileCache,
        key: &str,
    ) -> Result<(Credentials, Timestamp), Error> {
        // The SSO client (made before the token is read), then the token.
        crate::aws::endpoint::validate_region_name(&self.sso_region)?;
        let token = match &self.session {
            Some(session) => self.session_token(ctx, session)?,
            None => self.legacy_token(ctx)?,
        };
        let endpoint = service_endpoint(ctx, &self.sso_region, "SSO", "sso", "portal.sso")?;
        let url = format!(
            "{}/federation/credentials?role_name={}&account_id={}",
            endpoint.url.trim_end_matches('/'),
            quote(&self.role_name, ""),
            quote(&self.account_id, "")
        );
        let req = Request {
            method: "GET",
            url,
            headers: vec![("x-amz-sso_bearer_token".into(), token)],
            body: vec![],
        };
        let (response, max_retries) = call(ctx, &req)?;
        if response.status >= 300 {
            let error = rest_json_error(
                &response,
                &[
                    "InvalidRequestException",
                    "ResourceNotFoundException",
                    "TooManyRequestsException",
                ],
            );
            if error.get("Code").and_then(Value::as_str) == Some("UnauthorizedException") {
                return Err(unauthorized());
            }
            return Err(Error::Client {
                operation: "GetRoleCredentials".into(),
                error,
                max_retries,
            });
        }
        let (entry, creds, expiry) = read_role_credentials(&response, &self.account_id)?;
        creds_cache.set(key, &entry);
        Ok((creds, expiry))
    }

    /// The legacy flow: the token file named after the start URL; an expired token ends
    /// here, without a call.
    fn legacy_token(&self, ctx: &Ctx) -> Result<String, Error> {
        let token = load_token(ctx, &self.start_url, &self.start_url)?;
        let expires = cache::parse_time_value(cache::py_index(&token, "expiresAt")?)?;
        if expires.seconds_after(ctx.now())? <= 0.0 {
            return Err(unauthorized());
        }
        access_token(&token)
    }

    /// botocore `SSOTokenProvider`: the session's token, refreshed when it has less than
    /// 15 minutes left and the refresh is possible.
    fn session_token(&self, ctx: &Ctx, session: &str) -> Result<String, Error> {
        let section = ctx.settings.files.sso_sessions.get(session);
        let get = |k: &str| section.and_then(|s| profile_text(s, k));
        let missing: Vec<String> = ["sso_start_url", "sso_region"]
            .iter()
            .filter(|k| get(k).is_none())
            .map(|k| pystd::repr::str_repr(k))
            .collect();
        if !missing.is_empty() {
            return Err(Error::General(format!(
                "The profile \"{}\" is configured to use the SSO token provider but is missing the following configuration: [{}].",
                self.profile,
                missing.join(", ")
            )));
        }
        let (start_url, region) = (
            get("sso_start_url").unwrap_or_default(),
            get("sso_region").unwrap_or_default(),
        );
        let mut token = load_token(ctx, session, &start_url)?;
        let now = ctx.now();
        let mut expires = cache::parse_time_value(cache::py_index(&token, "expiresAt")?)?;
        if expires.seconds_after(now)? < 15.0 * 60.0 {
            if let Some(new) = refresh_token(ctx, &token, &start_url, &region)? {
                expires = cache::parse_time_value(cache::py_index(&new, "expiresAt")?)?;
                cache::JsonFileCache::sso_tokens(&ctx.settings.env)
                    .set(&cache::sso_token_key(session), &new);
                token = new;
            }
        }
        if expires.seconds_after(now)? <= 0.0 {
            return Err(Error::General(
                "Error when retrieving token from sso: Token has expired and refresh failed".into(),
            ));
        }
        access_token(&token)
    }
}

/// A `GetRoleCredentials` answer: the cache entry the CLI writes for it
/// (`{"ProviderType": "sso", "Credentials": {...}}`), the credentials and their expiry.
pub fn read_role_credentials(
    response: &Response,
    account_id: &str,
) -> Result<(Value, Credentials, Timestamp), Error> {
    let body = json_body(response);
    let role = cache::py_index(&body, "roleCredentials")?;
    let text = |k: &str| -> Result<String, Error> {
        Ok(match cache::py_index(role, k)? {
            Value::String(s) => s.clone(),
            other => pystd::repr::value_str(other),
        })
    };
    let (access_key_id, secret, session_token) = (
        text("accessKeyId")?,
        text("secretAccessKey")?,
        text("sessionToken")?,
    );
    let expiration = cache::py_index(role, "expiration")?
        .as_f64()
        .and_then(Timestamp::from_millis)
        .ok_or_else(|| {
            Error::General("invalid expiration in GetRoleCredentials response".into())
        })?;
    let mut creds = Map::new();
    creds.insert("AccessKeyId".into(), access_key_id.clone().into());
    creds.insert("SecretAccessKey".into(), secret.clone().into());
    creds.insert("SessionToken".into(), session_token.clone().into());
    creds.insert("Expiration".into(), expiration.zulu().into());
    creds.insert("AccountId".into(), account_id.into());
    let mut entry = Map::new();
    entry.insert("ProviderType".into(), "sso".into());
    entry.insert("Credentials".into(), Value::Object(creds));
    // The cache keeps whole seconds; so do the credentials (botocore re-parses them).
    let expiry = Timestamp::from_secs(expiration.secs);
    Ok((
        Value::Object(entry),
        Credentials {
            access_key_id,
            secret_access_key: secret.into(),
            session_token: Some(session_token.into()),
        },
        expiry,
    ))
}

fn unauthorized() -> Error {
    Error::General("The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.".into())
}

/// `SSOTokenLoader`: the token file of a session name or start URL.
fn load_token(ctx: &Ctx, name: &str, start_url: &str) -> Result<Value, Error> {
    let tokens = cache::JsonFileCache::sso_tokens(&ctx.settings.env);
    let Some(token) = tokens.get(&cache::sso_token_key(name)) else {
        return Err(Error::General(format!(
            "Error loading SSO Token: Token for {name} does not exist"
        )));
    };
    let has = |k: &str| token.as_object().is_some_and(|m| m.contains_key(k));
    if !has("accessToken") || !has("expiresAt") {
        return Err(Error::General(format!(
            "Error loading SSO Token: Token for {start_url} is invalid"
        )));
    }
    Ok(token)
}

fn access_token(token: &Value) -> Result<String, Error> {
    Ok(match cache::py_index(token, "accessToken")? {
        Value::String(s) => s.clone(),
        other => pystd::repr::value_str(other),
    })
}

/// `SSOTokenProvider._refresh_access_token`: `None` when the token cannot be refreshed
/// (missing registration, expired registration, a service error); connection and
/// parsing failures end the command.
fn refresh_token(
    ctx: &Ctx,
    token: &Value,
    start_url: &str,
    region: &str,
) -> Result<Option<Value>, Error> {
    let keys = [
        "refreshToken",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
    ];
    let Some(map) = token.as_object() else {
        return Ok(None);
    };
    if keys.iter().any(|k| !map.contains_key(*k)) {
        return Ok(None);
    }
    let registration = cache::parse_time_value(&map["registrationExpiresAt"])?;
    if registration.seconds_after(ctx.now())? <= 0.0 {
        return Ok(None);
    }
    crate::aws::endpoint::validate_region_name(region)?;
    let endpoint = service_endpoint(ctx, region, "SSO_OIDC", "sso_oidc", "oidc")?;
    let mut body = Map::new();
    body.insert("grantType".into(), "refresh_token".into());
    body.insert("clientId".into(), map["clientId"].clone());
    body.insert("clientSecret".into(), map["clientSecret"].clone());
    body.insert("refreshToken".into(), map["refreshToken"].clone());
    let req = Request {
        method: "POST",
        url: format!("{}/token", endpoint.url.trim_end_matches('/')),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: serde_json::to_vec(&Value::Object(body)).unwrap_or_default(),
    };
    let (response, _) = call(ctx, &req)?;
    if response.status >= 300 {
        return Ok(None); // a ClientError: botocore logs it and keeps the old token
    }
    read_created_token(&response, map, start_url, region, ctx.now()).map(Some)
}

/// A `CreateToken` answer (a refreshed session token) as the token file the CLI writes
/// for it, from the old token's registration.
pub fn read_created_token(
    response: &Response,
    map: &Map<String, Value>,
    start_url: &str,
    region: &str,
    now: crate::time::UtcTime,
) -> Result<Value, Error> {
    let parsed = json_body(response);
    let expires_in = match cache::py_index(&parsed, "expiresIn")? {
        Value::Number(n) => n.as_f64().unwrap_or_default() as i64,
        other => {
            return Err(Error::General(format!(
                "unsupported type for timedelta seconds component: {}",
                pystd::repr::type_name(other)
            )))
        }
    };
    let access = cache::py_index(&parsed, "accessToken")?.clone();
    let mut new = Map::new();
    new.insert("startUrl".into(), start_url.into());
    new.insert("region".into(), region.into());
    new.insert("accessToken".into(), access);
    new.insert(
        "expiresAt".into(),
        Timestamp::from_secs(now.0.saturating_add(expires_in))
            .zulu()
            .into(),
    );
    let field = |k: &str| map.get(k).cloned().unwrap_or(Value::Null);
    new.insert("clientId".into(), field("clientId"));
    new.insert("clientSecret".into(), field("clientSecret"));
    new.insert(
        "registrationExpiresAt".into(),
        field("registrationExpiresAt"),
    );
    if let Some(r) = parsed.get("refreshToken") {
        new.insert("refreshToken".into(), r.clone());
    }
    Ok(Value::Object(new))
}

/// The endpoint of SSO or SSO OIDC in `region`: configured URLs, FIPS, dual-stack.
fn service_endpoint(
    ctx: &Ctx,
    region: &str,
    env_suffix: &str,
    service_key: &str,
    host: &str,
) -> Result<Endpoint, Error> {
    let s = ctx.settings;
    endpoint::regional_endpoint(
        host,
        &format!("{host}-fips"),
        &EndpointConfig {
            region: Some(region.to_string()),
            use_fips: s.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?,
            use_dualstack: s.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?,
            configured_url: s.configured_endpoint(env_suffix, service_key)?,
        },
    )
}

/// An unsigned rest-json call with the CLI's timeouts and retries; connection failures
/// end the command with botocore's text. Also the retry note of a final error.
fn call(ctx: &Ctx, req: &Request) -> Result<(Response, Option<u32>), Error> {
    let outcome = http::send_with_retries(ctx.aws_http()?, ctx.retry, req, false, &|r| {
        Ok(rest_json_error(r, &[])
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
    serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({ "message": text }))
}

/// botocore's rest-json error parsing: `Message` from the body's `message`/`Message`,
/// `Code` from `x-amzn-errortype`, the body's `code`/`Code`/`__type`, else the status; a
/// 5xx with an empty or HTML body is the generic error. A modeled error's own `message`
/// member is kept too (the CLI's error dict shows both).
pub fn rest_json_error(r: &Response, modeled_with_message: &[&str]) -> Map<String, Value> {
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
    fn rest_json_error_codes() {
        let e = rest_json_error(
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
        let e = rest_json_error(
            &response(400, &[], r#"{"__type": "com.amazon#Foo", "Message": "m"}"#),
            &[],
        );
        assert_eq!(e["Code"], "Foo");
        let e = rest_json_error(
            &response(404, &[], "not json"),
            &["ResourceNotFoundException"],
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Message":"not json","Code":"404"}"#
        );
        let e = rest_json_error(
            &response(
                404,
                &[("x-amzn-errortype", "ResourceNotFoundException")],
                r#"{"message": "gone"}"#,
            ),
            &["ResourceNotFoundException"],
        );
        assert_eq!(e["message"], "gone");
        let e = rest_json_error(&response(503, &[], ""), &[]);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"Code":"503","Message":"Service Unavailable"}"#
        );
    }
}

//! IAM Identity Center (botocore `SSOProvider`): `sso_session` profiles and legacy ones
//! (`sso_start_url` in the profile). The token comes from the files `aws sso login`
//! writes under `~/.aws/sso/cache/`; a session token with less than 15 minutes left is
//! refreshed through SSO OIDC `CreateToken` and its file rewritten (botocore
//! `SSOTokenProvider`), under the session's lock, which `aws sso login` and `logout` take
//! too; `GetRoleCredentials` gives the role credentials, cached in `~/.aws/cli/cache/` as
//! the CLI does.

use serde_json::{Map, Value};

use super::{cache, profile_text, single_flight, Ctx, Deferred, Source};
use crate::aws::endpoint::{self, Endpoint, EndpointConfig};
use crate::aws::rest_json;
use crate::aws::sigv4::Credentials;
use crate::aws::sso::Portal;
use crate::aws::sso_oidc::Oidc;
use crate::error::Error;
use crate::time::Timestamp;

/// botocore `SSOTokenProvider._REFRESH_WINDOW`: a token with less left is refreshed.
const REFRESH_WINDOW: f64 = 15.0 * 60.0;

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
        let endpoint = portal_endpoint(ctx, &self.sso_region)?;
        let portal = Portal {
            http: ctx.aws_http()?,
            retry: ctx.retry,
            endpoint: &endpoint,
        };
        let body = match portal.get_role_credentials(&self.role_name, &self.account_id, &token) {
            Err(e) if rest_json::error_code(&e) == Some("UnauthorizedException") => {
                return Err(unauthorized())
            }
            other => other?,
        };
        let (entry, creds, expiry) = read_role_credentials(&body, &self.account_id)?;
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
        if expires.seconds_after(now)? < REFRESH_WINDOW {
            // Under the session's lock, and from the file as it is now: another process
            // may have refreshed it, or `aws sso login` written a new session, while this
            // one waited; refreshing the old token then would overwrite that (a refresh
            // token is good for one refresh: aws-cli#10628).
            let key = cache::sso_token_key(session);
            let env = &ctx.settings.env;
            (token, expires) = single_flight::with_lock(env, &token_lock(&key), || {
                let current = load_token(ctx, session, &start_url)?;
                let expires = cache::parse_time_value(cache::py_index(&current, "expiresAt")?)?;
                if expires.seconds_after(ctx.now())? >= REFRESH_WINDOW {
                    return Ok::<_, Error>((current, expires));
                }
                match refresh_token(ctx, &current, &start_url, &region)? {
                    Some(new) => {
                        let expires = cache::parse_time_value(cache::py_index(&new, "expiresAt")?)?;
                        cache::JsonFileCache::sso_tokens(env).set(&key, &new);
                        Ok((new, expires))
                    }
                    None => Ok((current, expires)),
                }
            })?;
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
    body: &Value,
    account_id: &str,
) -> Result<(Value, Credentials, Timestamp), Error> {
    let role = cache::py_index(body, "roleCredentials")?;
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
            unusable: None,
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
    let endpoint = oidc_endpoint(ctx, region)?;
    let oidc = Oidc {
        http: ctx.aws_http()?,
        retry: ctx.retry,
        endpoint: &endpoint,
    };
    let mut body = Map::new();
    body.insert("grantType".into(), "refresh_token".into());
    body.insert("clientId".into(), map["clientId"].clone());
    body.insert("clientSecret".into(), map["clientSecret"].clone());
    body.insert("refreshToken".into(), map["refreshToken"].clone());
    let parsed = match oidc.create_token(&Value::Object(body)) {
        // A ClientError: botocore logs it and keeps the old token.
        Err(Error::Client { .. }) => return Ok(None),
        other => other?,
    };
    read_created_token(&parsed, map, start_url, region, ctx.now()).map(Some)
}

/// A `CreateToken` answer (a refreshed session token) as the token file the CLI writes
/// for it, from the old token's registration.
pub fn read_created_token(
    parsed: &Value,
    map: &Map<String, Value>,
    start_url: &str,
    region: &str,
    now: crate::time::UtcTime,
) -> Result<Value, Error> {
    let expires_in = match cache::py_index(parsed, "expiresIn")? {
        Value::Number(n) => n.as_f64().unwrap_or_default() as i64,
        other => {
            return Err(Error::General(format!(
                "unsupported type for timedelta seconds component: {}",
                pystd::repr::type_name(other)
            )))
        }
    };
    let access = cache::py_index(parsed, "accessToken")?.clone();
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

/// The lock taken by every writer of a session's token file (a refresh, `aws sso login`,
/// `aws sso logout`); `key` is the file's name (`sso_token_key`).
pub fn token_lock(key: &str) -> String {
    format!("sso-token-{key}")
}

/// The SSO OIDC endpoint of `region` (its name checked first, as botocore does when it
/// makes the client).
pub fn oidc_endpoint(ctx: &Ctx, region: &str) -> Result<Endpoint, Error> {
    service_endpoint(ctx, region, "SSO_OIDC", "sso_oidc", "oidc")
}

/// The SSO portal endpoint of `region`.
pub fn portal_endpoint(ctx: &Ctx, region: &str) -> Result<Endpoint, Error> {
    service_endpoint(ctx, region, "SSO", "sso", "portal.sso")
}

/// The endpoint of SSO or SSO OIDC in `region`: configured URLs, FIPS, dual-stack.
fn service_endpoint(
    ctx: &Ctx,
    region: &str,
    env_suffix: &str,
    service_key: &str,
    host: &str,
) -> Result<Endpoint, Error> {
    crate::aws::endpoint::validate_region_name(region)?;
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

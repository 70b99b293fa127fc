//! Web identity (botocore `AssumeRoleWithWebIdentityProvider`): a token file and a role,
//! from `AWS_WEB_IDENTITY_TOKEN_FILE` / `AWS_ROLE_ARN` / `AWS_ROLE_SESSION_NAME` (unless
//! `--profile` was given) or the profile's `web_identity_token_file` / `role_arn` /
//! `role_session_name`; an unsigned `AssumeRoleWithWebIdentity`, cached like
//! assume-role.

use serde_json::{Map, Value};

use super::{cache, profile_text, single_flight, Ctx, Deferred, Source};
use crate::aws::sigv4::Credentials;
use crate::aws::sts::{Param, Sts};
use crate::error::Error;
use crate::time::Timestamp;

pub struct Plan {
    token_file: String,
    /// `AssumeRoleWithWebIdentity` arguments in botocore's order (the token is added when
    /// the call is made).
    args: Map<String, Value>,
    cache_key: String,
}

pub fn load(ctx: &Ctx, profile: &str, disable_env: bool) -> Result<Option<Source>, Error> {
    let settings = ctx.settings;
    let section = settings.files.profiles.get(profile);
    // Environment first (present, even empty), then the profile.
    let get = |env_name: &str, key: &str| -> Option<String> {
        if !disable_env {
            if let Some(v) = settings.env.get(env_name) {
                return Some(v.to_string());
            }
        }
        section.and_then(|s| profile_text(s, key))
    };
    let Some(token_file) =
        get("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file").filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let Some(role_arn) = get("AWS_ROLE_ARN", "role_arn").filter(|r| !r.is_empty()) else {
        return Err(Error::General(
            "The provided profile or the current environment is configured to assume role with web identity but has no role ARN configured. Ensure that the profile has the role_arnconfiguration set or the AWS_ROLE_ARN env var is set.".into(),
        ));
    };
    let session_name = get("AWS_ROLE_SESSION_NAME", "role_session_name");
    let mut args = Map::new();
    if let Some(name) = session_name {
        args.insert("RoleSessionName".into(), name.into());
    }
    let (args, cache_args) = cache::role_args(args, role_arn, ctx.now().0);
    Ok(Some(Source::Deferred(Deferred::WebIdentity(Plan {
        token_file,
        cache_key: cache::assume_role_key(&cache_args),
        args,
    }))))
}

impl Plan {
    pub fn fetch(&self, ctx: &Ctx) -> Result<(Credentials, Timestamp), Error> {
        // One AssumeRoleWithWebIdentity for many processes (see single_flight).
        let cache = cache::JsonFileCache::credentials(&ctx.settings.env);
        let lock = format!("cli-cache-{}", self.cache_key);
        single_flight::cached_or_fetch(&ctx.settings.env, &cache, &self.cache_key, &lock, || {
            self.call(ctx, &cache)
        })
    }

    fn call(
        &self,
        ctx: &Ctx,
        cache: &cache::JsonFileCache,
    ) -> Result<(Credentials, Timestamp), Error> {
        let token = super::read_text_file(&self.token_file)?;
        // An unsigned client: a configured endpoint works without a region.
        let region = ctx.client_region()?;
        let endpoint = ctx.sts_endpoint(region, false)?.ok_or(Error::NoRegion)?;
        let mut params: Vec<(&str, Param)> = vec![];
        for (k, v) in &self.args {
            let (name, min) = match k.as_str() {
                "RoleSessionName" => ("RoleSessionName", 2),
                _ => ("RoleArn", 20),
            };
            params.push((name, Param::Str(v.as_str().unwrap_or_default(), min)));
        }
        params.push(("WebIdentityToken", Param::Str(&token, 4)));
        let sts = Sts {
            http: ctx.aws_http()?,
            retry: ctx.retry,
            endpoint: &endpoint,
            signer: None,
        };
        let response = sts.call("AssumeRoleWithWebIdentity", &params)?;
        super::assume_role::cache_and_extract(cache, &self.cache_key, response)
    }
}

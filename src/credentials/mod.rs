//! The credential chain, in botocore's order and with its precedence rules
//! (botocore/credentials.py `create_credential_resolver`): environment, assume-role
//! profile, web identity, SSO, shared credentials file, `credential_process`, config
//! file, the legacy EC2 and boto files, container, instance metadata.
//!
//! As in botocore, loading the chain (`resolve`, when the STS client is made) finds the
//! first source that applies and does what that source does at load time (runs the
//! credential process, asks the container or IMDS endpoint); assume-role, web identity and
//! SSO only plan their calls then, and make them when the credentials are first used
//! (`Source::frozen`, at signing). Nothing here builds an HTTP client unless a source
//! needs the network.

pub mod assume_role;
pub mod cache;
pub mod container;
pub mod imds;
pub mod process;
pub mod single_flight;
pub mod sso;
pub mod trust;
pub mod web_identity;

use std::cell::OnceCell;
use std::time::Duration;

use crate::aws::endpoint::{self, Endpoint, EndpointConfig};
use crate::aws::http::{self, RetryPolicy};
use crate::aws::sigv4::Credentials;
use crate::config::{self, Section, Value};
use crate::error::Error;
use crate::settings::Settings;
use crate::time::Timestamp;
use crate::time::UtcTime;

/// What the chain and the calls it makes need to know, and the HTTP client they share
/// (made on first use).
pub struct Ctx<'a> {
    pub settings: &'a Settings,
    /// `--cli-connect-timeout` / `--cli-read-timeout` as given.
    cli_timeouts: (Option<i64>, Option<i64>),
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    /// The region of the client that loaded the chain (botocore's
    /// `_last_client_region_used`): the chain's own STS clients use it; when it is
    /// `None` each new client resolves the region again, as botocore does.
    client_region: Option<String>,
    pub retry: RetryPolicy,
    aws_http: OnceCell<http::Client>,
    command_http: OnceCell<http::Client>,
}

impl<'a> Ctx<'a> {
    /// `cli_*_timeout`: the `--cli-connect-timeout` / `--cli-read-timeout` values (the
    /// CLI's default is 60 s; 0 means none).
    pub fn new(
        settings: &'a Settings,
        cli_connect_timeout: Option<i64>,
        cli_read_timeout: Option<i64>,
        client_region: Option<String>,
    ) -> Ctx<'a> {
        let seconds = |v: Option<i64>| match v.unwrap_or(60) {
            n if n <= 0 => None,
            n => Some(Duration::from_secs(n as u64)),
        };
        Ctx {
            settings,
            cli_timeouts: (cli_connect_timeout, cli_read_timeout),
            connect_timeout: seconds(cli_connect_timeout),
            read_timeout: seconds(cli_read_timeout),
            client_region,
            retry: RetryPolicy {
                max_attempts: 3,
                new_retries: false,
            },
            aws_http: OnceCell::new(),
            command_http: OnceCell::new(),
        }
    }

    /// What botocore checks when it makes a client, after loading the credential chain,
    /// in its order (`ClientArgsCreator.compute_client_args`): the profile's `s3` section,
    /// the client's endpoint (`endpoint`), the retry settings, the endpoint's URL, then the
    /// timeouts (urllib3's
    /// `Timeout` refuses a negative one; the CLI turns 0 into "none").
    pub fn make_client<T>(
        &mut self,
        endpoint: impl FnOnce(&Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        // An empty `s3 =` passes botocore's "is it a dict" test and fails the lookups
        // after it (botocore `SectionConfigProvider`).
        let s3 = self.settings.scoped()?.and_then(|s| config::get(s, "s3"));
        if matches!(s3, Some(Value::Text(t)) if t.is_empty()) {
            return Err(Error::General("'str' object has no attribute 'get'".into()));
        }
        let endpoint = endpoint(self);
        if matches!(&endpoint, Err(e) if !endpoint::is_invalid_url(e)) {
            return endpoint;
        }
        self.configure_retries()?;
        // `EndpointCreator.create_endpoint` refuses the URL after the retry settings.
        let endpoint = endpoint?;
        for (name, value) in [
            ("connect", self.cli_timeouts.0),
            ("read", self.cli_timeouts.1),
        ] {
            if let Some(n) = value.filter(|n| *n < 0) {
                return Err(Error::General(format!(
                    "Attempted to set {name} timeout to {n}, but the timeout cannot be set to a value less than or equal to 0."
                )));
            }
        }
        Ok(endpoint)
    }

    fn configure_retries(&mut self) -> Result<(), Error> {
        self.retry = RetryPolicy::from_config(
            self.settings.var(&["AWS_MAX_ATTEMPTS"], "max_attempts")?,
            self.settings.var(&["AWS_RETRY_MODE"], "retry_mode")?,
            self.settings.env.get("AWS_NEW_RETRIES_2026"),
        )?;
        Ok(())
    }

    pub fn now(&self) -> UtcTime {
        UtcTime::now()
    }

    /// The HTTP client of the AWS service clients (STS, SSO, SSO OIDC): the CLI's
    /// timeouts, `AWS_CA_BUNDLE` / `ca_bundle`, proxies.
    pub fn aws_http(&self) -> Result<&http::Client, Error> {
        if let Some(c) = self.aws_http.get() {
            return Ok(c);
        }
        let opts = self.http_options(None)?;
        Ok(self.aws_http.get_or_init(|| http::Client::new(opts)))
    }

    /// The HTTP client of a command's own client: the global `--no-verify-ssl` and
    /// `--ca-bundle` apply to it (awscli `resolve_verify_ssl`), not to the chain's.
    pub fn command_http(&self, globals: &crate::cli::Globals) -> Result<&http::Client, Error> {
        if let Some(c) = self.command_http.get() {
            return Ok(c);
        }
        let mut opts = self.http_options(globals.ca_bundle.clone())?;
        opts.no_verify = globals.no_verify_ssl;
        Ok(self.command_http.get_or_init(|| http::Client::new(opts)))
    }

    fn http_options(&self, ca_bundle_flag: Option<String>) -> Result<http::Options, Error> {
        // botocore's `verify`: `ca_bundle`, else `REQUESTS_CA_BUNDLE` (botocore/endpoint.py
        // `_get_verify_value`). An empty value would turn verification off in botocore;
        // we keep verifying with the default roots.
        let ca_bundle = match ca_bundle_flag {
            Some(v) => Some(v),
            None => match self.settings.var(&["AWS_CA_BUNDLE"], "ca_bundle")? {
                Some(v) => Some(v),
                None => self
                    .settings
                    .env
                    .get("REQUESTS_CA_BUNDLE")
                    .map(String::from),
            },
        };
        Ok(http::Options {
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            ca_bundle: ca_bundle.filter(|v| !v.is_empty()),
            proxies: Some(http::Proxies::from_env(&self.settings.env)),
            no_verify: false,
        })
    }

    /// The region a new client of the chain gets (botocore `_resolve_region_name`).
    pub fn client_region(&self) -> Result<Option<String>, Error> {
        match self.client_region.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => Ok(Some(r.to_string())),
            None => resolve_region(self.settings, None),
        }
    }

    /// The STS endpoint of a client in `region`; `Ok(None)` when a configured endpoint
    /// has no region, which botocore only reports when it signs (`NoRegionError`), so
    /// unsigned calls go ahead.
    pub fn sts_endpoint(
        &self,
        region: Option<String>,
        signed: bool,
    ) -> Result<Option<Endpoint>, Error> {
        self.sts_endpoint_at(region, signed, None)
    }

    /// [`Ctx::sts_endpoint`] for a command's own client, where `--endpoint-url` (given
    /// here) wins over the configured endpoint.
    pub fn sts_endpoint_at(
        &self,
        region: Option<String>,
        signed: bool,
        endpoint_url: Option<&str>,
    ) -> Result<Option<Endpoint>, Error> {
        let configured_url = match endpoint_url {
            Some(url) => Some(url.to_string()),
            None => self.settings.configured_sts_endpoint()?,
        };
        let cfg = EndpointConfig {
            region,
            use_fips: self
                .settings
                .flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?,
            use_dualstack: self
                .settings
                .flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?,
            configured_url,
        };
        match endpoint::sts_endpoint(&cfg) {
            Err(Error::NoRegion) if !signed => Ok(Some(endpoint::sts_endpoint(&EndpointConfig {
                region: Some("us-east-1".into()),
                ..cfg
            })?)),
            Err(Error::NoRegion) => Ok(None),
            other => other.map(Some),
        }
    }
}

/// The CLI's region chain: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's
/// `region`, then the instance metadata service (spec §3.4); checked as botocore checks
/// it when it makes a client with it.
pub fn resolve_region(settings: &Settings, flag: Option<&str>) -> Result<Option<String>, Error> {
    let region = match settings.region(flag)? {
        Some(r) => Some(r),
        None => imds::region(settings)?,
    };
    if let Some(r) = &region {
        crate::aws::endpoint::validate_region_name(r)?;
    }
    Ok(region)
}

/// Credentials found by the chain, as botocore holds them until they are used.
pub enum Source {
    /// Keys that never expire.
    Static(Credentials),
    /// Credentials with an expiry and the way to fetch them again (botocore
    /// `RefreshableCredentials`).
    Refreshable {
        creds: Credentials,
        expiry: Timestamp,
        refresh: Refresh,
    },
    /// A call planned at load time and made at first use (botocore
    /// `DeferredRefreshableCredentials`).
    Deferred(Deferred),
}

/// How refreshable credentials are fetched again.
pub enum Refresh {
    /// The environment, read again (`AWS_CREDENTIAL_EXPIRATION`).
    Env,
    Process(process::Command),
    Container(container::Fetch),
    Imds,
}

pub enum Deferred {
    AssumeRole(Box<assume_role::Plan>),
    WebIdentity(web_identity::Plan),
    Sso(sso::Plan),
}

/// botocore's advisory and mandatory refresh windows.
const ADVISORY_REFRESH: f64 = 15.0 * 60.0;
const MANDATORY_REFRESH: f64 = 10.0 * 60.0;

impl Source {
    /// botocore's `get_frozen_credentials`: make the deferred call, or refresh credentials
    /// that expire within 15 minutes (a failed refresh only matters within 10).
    pub fn frozen(self, ctx: &Ctx) -> Result<Credentials, Error> {
        let (creds, expiry) = match self {
            Source::Static(c) => return Ok(c),
            Source::Deferred(d) => match d {
                Deferred::AssumeRole(plan) => plan.fetch(ctx)?,
                Deferred::WebIdentity(plan) => plan.fetch(ctx)?,
                Deferred::Sso(plan) => plan.fetch(ctx)?,
            },
            Source::Refreshable {
                creds,
                expiry,
                refresh,
            } => {
                let remaining = expiry.seconds_after(ctx.now())?;
                if remaining >= ADVISORY_REFRESH {
                    return Ok(creds);
                }
                let fetched = match &refresh {
                    // The environment does not change while we run.
                    Refresh::Env => Ok((creds.clone(), expiry)),
                    Refresh::Process(cmd) => cmd.refresh().and_then(|(c, e)| {
                        let e = e.ok_or_else(|| {
                            Error::General(
                                "Parser must be a string or character stream, not NoneType".into(),
                            )
                        })?;
                        Ok((c, e))
                    }),
                    Refresh::Container(fetch) => fetch.fetch(),
                    Refresh::Imds => imds::refetch(ctx.settings, ctx.now()),
                };
                match fetched {
                    Ok(pair) => pair,
                    Err(e) if remaining < MANDATORY_REFRESH => return Err(e),
                    Err(_) => return Ok(creds),
                }
            }
        };
        crate::debug_log!(
            "botocore.credentials",
            "DEBUG",
            "Retrieved credentials will expire at: {}",
            expiry.isoformat().replacen('T', " ", 1)
        );
        if expiry.seconds_after(ctx.now())? < 0.0 {
            return Err(Error::General(
                "Credentials were refreshed, but the refreshed credentials are still expired."
                    .into(),
            ));
        }
        Ok(creds)
    }
}

/// Load the chain (botocore's resolver, when the STS client is created). `Ok(None)`:
/// nothing answered (the CLI fails later, at signing, with NoCredentials).
pub fn resolve(ctx: &Ctx) -> Result<Option<Source>, Error> {
    let settings = ctx.settings;
    // Built with the resolver, before any provider runs: a bad IMDS setting fails every
    // call (botocore `create_credential_resolver`).
    let imds = imds::Config::load(settings)?;
    // An explicit --profile removes the environment provider; AWS_PROFILE does not.
    let disable_env = settings.profile_flag.is_some();
    if disable_env {
        crate::debug_log!(
            "botocore.credentials",
            "DEBUG",
            "Skipping environment variable credential check because profile name was explicitly set."
        );
    } else {
        looking("env");
        if let Some(s) = from_env(settings)? {
            found(format_args!("Found credentials in environment variables."));
            return Ok(Some(s));
        }
    }
    let profile = settings.profile_name().unwrap_or("default");
    looking("assume-role");
    if let Some(s) = assume_role::load(ctx, profile, &imds)? {
        found(format_args!(
            "Found credentials via assume-role: profile {profile}"
        ));
        return Ok(Some(s));
    }
    if let Some(s) = profile_providers(ctx, profile, disable_env)? {
        return Ok(Some(s));
    }
    looking("ec2-credentials-file");
    if let Some(s) = original_ec2_file(settings)? {
        found(format_args!("Found credentials in AWS_CREDENTIAL_FILE."));
        return Ok(Some(s));
    }
    looking("boto-config");
    if let Some(s) = boto_config(settings)? {
        return Ok(Some(s));
    }
    looking("container-role");
    if let Some(s) = container::load(settings)? {
        found(format_args!("Found credentials via container-role."));
        return Ok(Some(s));
    }
    looking("iam-role");
    imds::load(&imds, ctx.now())
}

/// `--debug`: botocore's `Looking for credentials via: <method>`.
fn looking(method: &str) {
    crate::debug_log!(
        "botocore.credentials",
        "DEBUG",
        "Looking for credentials via: {method}"
    );
}

/// `--debug`: where the credentials were found (botocore's own INFO texts where it has
/// one, the same form where it has none).
fn found(message: std::fmt::Arguments) {
    crate::debug_log!("botocore.credentials", "INFO", "{message}");
}

/// botocore's `ProfileProviderBuilder.providers`: the sources configured in one profile,
/// shared by the default chain and assume-role's `source_profile`.
pub(crate) fn profile_providers(
    ctx: &Ctx,
    profile: &str,
    disable_env: bool,
) -> Result<Option<Source>, Error> {
    let settings = ctx.settings;
    looking("assume-role-with-web-identity");
    if let Some(s) = web_identity::load(ctx, profile, disable_env)? {
        found(format_args!(
            "Found credentials via assume-role-with-web-identity."
        ));
        return Ok(Some(s));
    }
    looking("sso");
    if let Some(s) = sso::load(ctx, profile)? {
        found(format_args!("Found credentials via sso: profile {profile}"));
        return Ok(Some(s));
    }
    looking("shared-credentials-file");
    if let Some(section) = settings.files.credentials_file.get(profile) {
        if let Some(c) = from_section(section, "shared-credentials-file")? {
            found(format_args!(
                "Found credentials in shared credentials file: {}",
                settings
                    .env
                    .get("AWS_SHARED_CREDENTIALS_FILE")
                    .unwrap_or("~/.aws/credentials")
            ));
            return Ok(Some(Source::Static(c)));
        }
    }
    looking("login");
    let merged = settings.files.profiles.get(profile);
    if merged.is_some_and(|s| config::get(s, "login_session").is_some()) {
        return Err(Error::General(
            "aws-eks-token does not support `aws login` sessions (login_session) yet; use the AWS CLI for this profile".into(),
        ));
    }
    looking("custom-process");
    if let Some(cmd) = merged.and_then(|s| profile_text(s, "credential_process")) {
        let source = process::load(&cmd)?;
        found(format_args!(
            "Found credentials via custom-process: profile {profile}"
        ));
        return Ok(Some(source));
    }
    looking("config-file");
    if let Some(section) = settings.files.config_file_profile(profile) {
        if let Some(c) = from_section(section, "config-file")? {
            found(format_args!(
                "Credentials found in config file: {}",
                settings
                    .env
                    .get("AWS_CONFIG_FILE")
                    .unwrap_or("~/.aws/config")
            ));
            return Ok(Some(Source::Static(c)));
        }
    }
    Ok(None)
}

/// botocore `EnvProvider`; `AWS_CREDENTIAL_EXPIRATION` makes the keys refreshable.
fn from_env(settings: &Settings) -> Result<Option<Source>, Error> {
    let env = &settings.env;
    let Some(access_key_id) = env.non_empty("AWS_ACCESS_KEY_ID") else {
        return Ok(None);
    };
    let Some(secret) = env.non_empty("AWS_SECRET_ACCESS_KEY") else {
        return Err(Error::General(
            "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY".into(),
        ));
    };
    let session_token = env
        .non_empty("AWS_SECURITY_TOKEN")
        .or_else(|| env.non_empty("AWS_SESSION_TOKEN"))
        .map(String::from);
    let creds = Credentials {
        access_key_id: access_key_id.into(),
        secret_access_key: secret.into(),
        session_token: session_token.map(Into::into),
        unusable: None,
    };
    Ok(Some(match env.non_empty("AWS_CREDENTIAL_EXPIRATION") {
        None => Source::Static(creds),
        Some(e) => Source::Refreshable {
            creds,
            expiry: Timestamp::parse(e)?,
            refresh: Refresh::Env,
        },
    }))
}

/// botocore `SharedCredentialProvider` / `ConfigProvider`: keys in one file's profile.
fn from_section(section: &Section, method: &str) -> Result<Option<Credentials>, Error> {
    let text = |k: &str| config::get(section, k).map(value_text);
    let Some(access_key_id) = text("aws_access_key_id") else {
        return Ok(None);
    };
    let Some(secret) = text("aws_secret_access_key") else {
        return Err(Error::General(format!(
            "Partial credentials found in {method}, missing: aws_secret_access_key"
        )));
    };
    let session_token = text("aws_security_token").or_else(|| text("aws_session_token"));
    Ok(Some(Credentials {
        access_key_id,
        secret_access_key: secret.into(),
        session_token: session_token.map(Into::into),
        unusable: None,
    }))
}

/// botocore `OriginalEC2Provider`: `AWS_CREDENTIAL_FILE`, the EC2 tools' key=value file.
fn original_ec2_file(settings: &Settings) -> Result<Option<Source>, Error> {
    let Some(path) = settings.env.get("AWS_CREDENTIAL_FILE") else {
        return Ok(None);
    };
    let full = settings.env.expand_path(path);
    let text = std::fs::read(&full).map_err(|_| {
        Error::General(format!(
            "The specified config file ({}) could not be found.",
            full.display()
        ))
    })?;
    let text = String::from_utf8_lossy(&text);
    let mut values: Vec<(&str, &str)> = vec![];
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            values.retain(|(key, _)| *key != k.trim());
            values.push((k.trim(), v.trim()));
        }
    }
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.to_string())
    };
    let Some(access_key_id) = get("AWSAccessKeyId") else {
        return Ok(None);
    };
    let secret = get("AWSSecretKey").ok_or_else(|| crate::aws::sts::key_error("AWSSecretKey"))?;
    Ok(Some(Source::Static(Credentials {
        access_key_id,
        secret_access_key: secret.into(),
        session_token: None,
        unusable: None,
    })))
}

/// botocore `BotoProvider`: `[Credentials]` in `BOTO_CONFIG`, else `/etc/boto.cfg` and
/// `~/.boto`.
fn boto_config(settings: &Settings) -> Result<Option<Source>, Error> {
    let paths: Vec<String> = match settings.env.get("BOTO_CONFIG") {
        Some(p) => vec![p.to_string()],
        None => vec!["/etc/boto.cfg".into(), "~/.boto".into()],
    };
    for path in paths {
        let full = settings.env.expand_path(&path);
        if !full.is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(&full) else {
            continue;
        };
        let parse_error =
            || Error::General(format!("Unable to parse config file: {}", full.display()));
        let text = String::from_utf8(bytes).map_err(|_| parse_error())?;
        let sections = config::parse_ini(&text).map_err(|_| parse_error())?;
        if let Some((_, section)) = sections.iter().find(|(n, _)| n == "Credentials") {
            let text = |k: &str| config::get(section, k).map(value_text);
            if let Some(access_key_id) = text("aws_access_key_id") {
                found(format_args!(
                    "Found credentials in boto config file: {path}"
                ));
                let secret = text("aws_secret_access_key").ok_or_else(|| {
                    Error::General(
                        "Partial credentials found in boto-config, missing: aws_secret_access_key"
                            .into(),
                    )
                })?;
                return Ok(Some(Source::Static(Credentials {
                    access_key_id,
                    secret_access_key: secret.into(),
                    session_token: None,
                    unusable: None,
                })));
            }
        }
    }
    Ok(None)
}

/// A profile's value as text (`None` when absent).
pub(crate) fn profile_text(section: &Section, key: &str) -> Option<String> {
    config::get(section, key).map(value_text)
}

/// A nested block where a key was expected is used as Python would print it; keys are
/// plain text in practice.
fn value_text(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Nested(items) => {
            let inner: Vec<String> = items.iter().map(|(k, v)| format!("'{k}': '{v}'")).collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// `str(OSError)` for a failed file or process operation on `path`:
/// `[Errno 2] No such file or directory: '/x'`.
pub(crate) fn os_error(e: &std::io::Error, path: &str) -> Error {
    Error::General(pystd::os_error::os_error_with_path(e, path))
}

/// A text file as Python's `open(path).read()` gives it: universal newlines.
pub(crate) fn read_text_file(path: &str) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| os_error(&e, path))?;
    Ok(pystd::text::universal_newlines(&String::from_utf8_lossy(
        &bytes,
    )))
}

//! `aws sso login` (awscli/customizations/sso/login.py, utils.py `do_sso_login`; botocore
//! utils.py `SSOTokenFetcher`, `SSOTokenFetcherAuth`): a new session token for the
//! profile's sso-session (or legacy start URL), through the authorization code flow with
//! PKCE in a browser, or the device code flow (`--use-device-code`, legacy profiles).
//! The client registration and the token are written where the SSO credential provider
//! reads them, in the CLI's layout, whole or not at all and under the session's lock.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::callback::{self, Redirect};
use super::start_url::{self, Resolved};
use super::{browser, SsoConfig};
use crate::aws::rest_json;
use crate::aws::sso_oidc::Oidc;
use crate::cli::options::Opt;
use crate::commands::{Command, Invocation};
use crate::credentials::cache::{self, JsonFileCache};
use crate::credentials::{single_flight, sso, Ctx};
use crate::error::Error;
use crate::io::Io;
use crate::time::{Timestamp, UtcTime};
use pystd::repr::value_str;
use pystd::url::quote;

/// LoginCommand's ARG_TABLE, in order.
const OPTIONS: &[Opt] = &[
    Opt::flag("--no-browser"),
    Opt::flag("--use-device-code"),
    Opt::value("--sso-session"),
];

pub const COMMAND: Command = Command {
    service: "sso",
    operation: "login",
    options: OPTIONS,
    generic: false,
    run,
};

/// botocore's expiry window for registrations: renewed with less than 15 minutes left.
const EXPIRY_WINDOW: f64 = 15.0 * 60.0;
/// `SSOTokenFetcherAuth._AUTH_GRANT_DEFAULT_SCOPE`.
const DEFAULT_SCOPE: &str = "sso:account:access";
/// The redirect URI registered for the authorization code flow (the port is added when
/// the browser is sent there).
const REGISTERED_REDIRECT: &str = "http://127.0.0.1/oauth/callback";

fn run(inv: &Invocation, io: &mut Io) -> Result<(), Error> {
    let sso_session = inv.param("--sso-session")?;
    let no_browser = inv.args.flag("--no-browser");
    let use_device_code = inv.args.flag("--use-device-code");
    crate::cli::reject_leftovers(&inv.args.extras, ",")?;

    let settings = &inv.settings;
    let config = SsoConfig::load(settings, sso_session.as_deref())?;
    // `verify`: off with --no-verify-ssl, else --ca-bundle, else the `ca_bundle` setting.
    let ca_bundle = match &inv.globals.ca_bundle {
        Some(b) => Some(b.clone()),
        None => settings.var(&["AWS_CA_BUNDLE"], "ca_bundle")?,
    };
    let resolved = start_url::resolve(
        &config.start_url,
        &config.region,
        &settings.env,
        &start_url::Fetch {
            timeout: inv.connect_timeout,
            ca_bundle,
            no_verify: inv.globals.no_verify_ssl,
        },
    )?;

    let mut ctx = Ctx::new(settings, inv.connect_timeout, inv.read_timeout, None);
    // The authorization code flow needs an sso-session; the device code flow is the
    // fallback (and the only flow of legacy profiles).
    let pkce = config.session_name.is_some() && !use_device_code;
    let server = if pkce {
        Some(callback::Server::bind()?)
    } else {
        None
    };
    let endpoint = ctx.make_client(|ctx| sso::oidc_endpoint(ctx, &resolved.region))?;
    let login = Login {
        oidc: Oidc {
            // The sso-oidc client gets `verify=verify_ssl`, as the command's own client.
            http: ctx.command_http(&inv.globals)?,
            retry: ctx.retry,
            endpoint: &endpoint,
        },
        ctx: &ctx,
        config: &config,
        resolved: &resolved,
        no_browser,
    };
    let token = match server {
        Some(server) => login.authorization_code(server, io)?,
        None => login.device_code(io)?,
    };
    login.save_token(&token)?;

    // A region learnt from the start URL's redirect is written back, after success.
    if config.region != resolved.region {
        write_region(inv, &config, &resolved.region)?;
        io.out(&format!("SSO region updated to {}\n", resolved.region))?;
    }
    io.out(&format!(
        "Successfully logged into Start URL: {}\n",
        config.start_url
    ))?;
    io.flush()
}

struct Login<'a> {
    oidc: Oidc<'a>,
    ctx: &'a Ctx<'a>,
    config: &'a SsoConfig,
    resolved: &'a Resolved,
    no_browser: bool,
}

/// What the user is shown (botocore's pending-authorization arguments).
struct Prompt<'a> {
    user_code: Option<String>,
    verification_uri: String,
    verification_uri_complete: String,
    /// The option to try when this device cannot open the page (`None` prints as Python's
    /// `None`, as the CLI's device flow does).
    cross_device_flag: Option<&'a str>,
}

impl Login<'_> {
    /// `SSOTokenFetcherAuth._get_new_token`: registration, the browser sent to
    /// `/authorize` with the challenge and state, the redirect received on 127.0.0.1, the
    /// code exchanged with the verifier.
    fn authorization_code(&self, server: callback::Server, io: &mut Io) -> Result<Value, Error> {
        let verifier = callback::code_verifier()?;
        let challenge = callback::code_challenge(&verifier);
        let registration =
            self.registration(Some((REGISTERED_REDIRECT, self.resolved.url.as_str())))?;
        let state = callback::state()?;
        let redirect_uri = server.redirect_uri();
        let scopes = match &self.config.registration_scopes {
            Some(s) if !s.is_empty() => s.join(" "),
            _ => DEFAULT_SCOPE.to_string(),
        };
        let client_id = text(cache::py_index(&registration, "clientId")?);
        // botocore's `percent_encode_sequence`, then the challenge as it is.
        let query: Vec<String> = [
            ("response_type", "code"),
            ("client_id", client_id.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("state", state.as_str()),
            ("code_challenge_method", "S256"),
            ("scopes", scopes.as_str()),
        ]
        .iter()
        .map(|(k, v)| format!("{}={}", quote(k, ""), quote(v, "")))
        .collect();
        let uri = format!(
            "{}/authorize?{}&code_challenge={challenge}",
            self.oidc.base_url(),
            query.join("&")
        );
        self.prompt(
            io,
            Prompt {
                user_code: None,
                verification_uri: uri.clone(),
                verification_uri_complete: uri,
                cross_device_flag: Some("--use-device-code"),
            },
        )?;
        crate::debug_log!(
            "awscli.customizations.sso.utils",
            "DEBUG",
            "Waiting for auth code at {redirect_uri}"
        );
        let code = match server.wait(callback::WAIT) {
            None => return Err(pending_expired()),
            Some(Redirect::Error) => {
                return Err(code_error("Failed to retrieve an authorization code."))
            }
            Some(Redirect::Code { code, state: got }) if got == state => code,
            Some(Redirect::Code { .. }) => {
                return Err(code_error("State parameter does not match expected value."))
            }
        };
        let mut body = Map::new();
        body.insert("grantType".into(), "authorization_code".into());
        body.insert("clientId".into(), member(&registration, "clientId")?);
        body.insert(
            "clientSecret".into(),
            member(&registration, "clientSecret")?,
        );
        body.insert("redirectUri".into(), redirect_uri.into());
        body.insert("codeVerifier".into(), verifier.into());
        body.insert("code".into(), code.into());
        match self.oidc.create_token(&Value::Object(body)) {
            Err(e) if rest_json::error_code(&e) == Some("ExpiredTokenException") => {
                Err(pending_expired())
            }
            other => self.token(&other?, &registration),
        }
    }

    /// `SSOTokenFetcher._poll_for_token`: registration, StartDeviceAuthorization, one
    /// CreateToken before the user is asked (the client may be authorized already), then
    /// CreateToken every `interval` seconds (5 more after a `slow_down`) until the service
    /// gives the token or says the authorization expired.
    fn device_code(&self, io: &mut Io) -> Result<Value, Error> {
        let registration = self.registration(None)?;
        let mut body = Map::new();
        body.insert("clientId".into(), member(&registration, "clientId")?);
        body.insert(
            "clientSecret".into(),
            member(&registration, "clientSecret")?,
        );
        body.insert("startUrl".into(), self.resolved.url.clone().into());
        let auth = self.oidc.start_device_authorization(&Value::Object(body))?;
        let device_code = required(&auth, "deviceCode")?;
        let prompt = Prompt {
            user_code: Some(text(&required(&auth, "userCode")?)),
            verification_uri: text(&required(&auth, "verificationUri")?),
            verification_uri_complete: text(&required(&auth, "verificationUriComplete")?),
            cross_device_flag: None,
        };
        let expires_in = seconds(&required(&auth, "expiresIn")?)?;
        let mut interval = match optional(&auth, "interval") {
            Some(v) => seconds(&v)?,
            None => 5.0,
        };
        // The CLI polls until the service says the authorization expired; we also stop,
        // with its message, once the authorization's own lifetime has passed twice over
        // (at most a minute later).
        let lifetime = expires_in.clamp(0.0, 86_400.0);
        let deadline = Instant::now() + Duration::from_secs_f64(lifetime + lifetime.min(60.0));

        let mut grant = Map::new();
        grant.insert(
            "grantType".into(),
            "urn:ietf:params:oauth:grant-type:device_code".into(),
        );
        grant.insert("clientId".into(), member(&registration, "clientId")?);
        grant.insert(
            "clientSecret".into(),
            member(&registration, "clientSecret")?,
        );
        grant.insert("deviceCode".into(), device_code);
        let grant = Value::Object(grant);
        let attempt = |interval: &mut f64| -> Result<Option<Value>, Error> {
            match self.oidc.create_token(&grant) {
                Ok(response) => Ok(Some(self.token(&response, &registration)?)),
                Err(e) => match rest_json::error_code(&e) {
                    // RFC 8628 §3.5: five seconds more.
                    Some("SlowDownException") => {
                        *interval += 5.0;
                        Ok(None)
                    }
                    Some("AuthorizationPendingException") => Ok(None),
                    Some("ExpiredTokenException") => Err(pending_expired()),
                    _ => Err(e),
                },
            }
        };
        if let Some(token) = attempt(&mut interval)? {
            return Ok(token);
        }
        self.prompt(io, prompt)?;
        loop {
            if let Some(token) = attempt(&mut interval)? {
                return Ok(token);
            }
            if Instant::now() >= deadline {
                return Err(pending_expired());
            }
            std::thread::sleep(Duration::from_secs_f64(interval.clamp(0.0, 3600.0)));
        }
    }

    /// The client registration: the cached one while it has 15 minutes left and is for
    /// this flow (`auth`: the authorization code flow's redirect URI and issuer), else a
    /// new one (RegisterClient), cached at once.
    fn registration(&self, auth: Option<(&str, &str)>) -> Result<Value, Error> {
        let config = self.config;
        let scopes = config.registration_scopes.as_deref();
        let key = cache::sso_registration_key(
            &config.start_url,
            &self.resolved.region,
            scopes,
            config.session_name.as_deref(),
        );
        let files = JsonFileCache::sso_tokens(&self.ctx.settings.env);
        // A file that cannot be read or parsed is registered anew (the CLI fails on it).
        if let Some(cached) = files.get(&key) {
            let expires = cache::parse_time_value(cache::py_index(&cached, "expiresAt")?)?;
            if expires.seconds_after(UtcTime::now())? >= EXPIRY_WINDOW
                && for_authorization_code(&cached) == auth.is_some()
            {
                return Ok(cached);
            }
        }
        let client_name = match &config.session_name {
            Some(name) => format!("botocore-client-{name}"),
            // Legacy profiles: the time stands for the session's name.
            None => format!("botocore-client-{}", UtcTime::now().0),
        };
        let scopes: Vec<Value> = match (scopes.filter(|s| !s.is_empty()), auth) {
            (Some(s), _) => s.iter().map(|x| Value::from(x.as_str())).collect(),
            (None, Some(_)) => vec![DEFAULT_SCOPE.into()],
            (None, None) => vec![],
        };
        let grant_types: Value = vec!["authorization_code", "refresh_token"].into();
        let mut body = Map::new();
        body.insert("clientName".into(), client_name.into());
        body.insert("clientType".into(), "public".into());
        if let Some((redirect, issuer)) = auth {
            body.insert("grantTypes".into(), grant_types.clone());
            body.insert("redirectUris".into(), vec![redirect].into());
            body.insert("issuerUrl".into(), issuer.into());
        }
        if !scopes.is_empty() {
            body.insert("scopes".into(), scopes.clone().into());
        }
        let response = self.oidc.register_client(&Value::Object(body))?;
        let expires_at = epoch_seconds(&required(&response, "clientSecretExpiresAt")?)?;
        let mut registration = Map::new();
        registration.insert("clientId".into(), required(&response, "clientId")?);
        registration.insert("clientSecret".into(), required(&response, "clientSecret")?);
        registration.insert("expiresAt".into(), expires_at.zulu().into());
        if !scopes.is_empty() {
            registration.insert("scopes".into(), scopes.into());
        }
        if auth.is_some() {
            registration.insert("grantTypes".into(), grant_types);
        }
        let registration = Value::Object(registration);
        let env = &self.ctx.settings.env;
        single_flight::with_lock(env, &format!("sso-registration-{key}"), || {
            files.store(&key, &registration)
        })?;
        Ok(registration)
    }

    /// The token file's content for a CreateToken response.
    fn token(&self, response: &Value, registration: &Value) -> Result<Value, Error> {
        let expires_in = seconds(&required(response, "expiresIn")?)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let expires_at = Timestamp::from_secs((now + expires_in).floor() as i64);
        let mut token = Map::new();
        token.insert("startUrl".into(), self.config.start_url.clone().into());
        token.insert("region".into(), self.resolved.region.clone().into());
        token.insert("accessToken".into(), required(response, "accessToken")?);
        token.insert("expiresAt".into(), expires_at.zulu().into());
        token.insert("clientId".into(), member(registration, "clientId")?);
        token.insert("clientSecret".into(), member(registration, "clientSecret")?);
        token.insert(
            "registrationExpiresAt".into(),
            member(registration, "expiresAt")?,
        );
        if let Some(refresh) = optional(response, "refreshToken") {
            token.insert("refreshToken".into(), refresh);
        }
        Ok(Value::Object(token))
    }

    /// The token file (named after the session, or the start URL of a legacy profile),
    /// written under the session's lock: a refresh by another process waits for it, then
    /// reads the new session instead of overwriting it with the old one.
    fn save_token(&self, token: &Value) -> Result<(), Error> {
        let name = self
            .config
            .session_name
            .as_deref()
            .unwrap_or(&self.config.start_url);
        let key = cache::sso_token_key(name);
        let env = &self.ctx.settings.env;
        single_flight::with_lock(env, &sso::token_lock(&key), || {
            JsonFileCache::sso_tokens(env).store(&key, token)
        })
    }

    /// `PrintOnlyHandler` (`--no-browser`) or `OpenBrowserHandler`: the page to visit (and
    /// the code), then the browser opened.
    fn prompt(&self, io: &mut Io, p: Prompt) -> Result<(), Error> {
        let code = p.user_code.filter(|c| !c.is_empty());
        if self.no_browser {
            io.out(&format!(
                "Browser will not be automatically opened.\nPlease visit the following URL:\n\n{}\n",
                p.verification_uri
            ))?;
            if let Some(code) = code {
                io.out(&format!(
                    "\nThen enter the code:\n\n{code}\n\nAlternatively, you may visit the following URL which will autofill the code upon loading:\n{}\n",
                    p.verification_uri_complete
                ))?;
            }
            return io.flush();
        }
        match &code {
            Some(_) => io.out(&format!(
                "Attempting to open your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\n{}\n",
                p.verification_uri
            ))?,
            None => io.out(&format!(
                "Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '{}' option.\n\n{}\n\n",
                p.cross_device_flag.unwrap_or("None"),
                p.verification_uri
            ))?,
        }
        if let Some(code) = code {
            io.out(&format!("\nThen enter the code:\n\n{code}\n"))?;
        }
        io.flush()?;
        if !browser::open(&self.ctx.settings.env, &p.verification_uri_complete) {
            crate::debug_log!(
                "awscli.customizations.sso.utils",
                "DEBUG",
                "Failed to open browser:"
            );
        }
        Ok(())
    }
}

/// `LoginCommand._write_sso_region`: the sso-session's section, or the profile's.
fn write_region(inv: &Invocation, config: &SsoConfig, region: &str) -> Result<(), Error> {
    let settings = &inv.settings;
    let path = settings.env.expand_path(
        settings
            .env
            .get("AWS_CONFIG_FILE")
            .unwrap_or("~/.aws/config"),
    );
    let section = match &config.session_name {
        Some(name) => format!("sso-session {name}"),
        None => format!("profile {}", settings.profile_name().unwrap_or("default")),
    };
    start_url::update_config(&path, &section, "sso_region", region).map_err(|e| {
        Error::General(pystd::os_error::os_error_with_path(
            &e,
            &path.to_string_lossy(),
        ))
    })
}

/// `_is_registration_for_auth_code`: `'authorization_code' in registration['grantTypes']`
/// (the CLI did not always cache grant types: without them it is a device registration).
fn for_authorization_code(registration: &Value) -> bool {
    match registration.get("grantTypes") {
        Some(Value::Array(items)) => items.iter().any(|v| v == "authorization_code"),
        Some(Value::String(s)) => s.contains("authorization_code"),
        Some(Value::Object(m)) => m.contains_key("authorization_code"),
        _ => false,
    }
}

/// A response member botocore parsed (`None` when absent or null).
fn optional(v: &Value, key: &str) -> Option<Value> {
    v.get(key).filter(|x| !x.is_null()).cloned()
}

/// `response[key]`: Python's `KeyError` when botocore did not parse it.
fn required(v: &Value, key: &str) -> Result<Value, Error> {
    optional(v, key).ok_or_else(|| crate::aws::sts::key_error(key))
}

/// `value[key]` of a registration as it was cached (or made).
fn member(v: &Value, key: &str) -> Result<Value, Error> {
    cache::py_index(v, key).cloned()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => value_str(other),
    }
}

/// `timedelta(seconds=value)`.
fn seconds(v: &Value) -> Result<f64, Error> {
    v.as_f64().filter(|f| f.is_finite()).ok_or_else(|| {
        Error::General(format!(
            "unsupported type for timedelta seconds component: {}",
            pystd::repr::type_name(v)
        ))
    })
}

/// `datetime.fromtimestamp(value, tzutc())`, whole seconds (as it is written).
fn epoch_seconds(v: &Value) -> Result<Timestamp, Error> {
    match v.as_f64().filter(|f| f.is_finite() && f.abs() < 1e11) {
        Some(f) => Ok(Timestamp::from_secs(f.floor() as i64)),
        None => Err(Error::General(format!(
            "'{}' object cannot be interpreted as an integer",
            pystd::repr::type_name(v)
        ))),
    }
}

/// botocore's `PendingAuthorizationExpiredError`.
fn pending_expired() -> Error {
    Error::General("The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted.".into())
}

/// botocore's `AuthorizationCodeLoadError`.
fn code_error(message: &str) -> Error {
    Error::General(format!("Error loading authorization code: {message}"))
}

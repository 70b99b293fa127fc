//! `aws sso logout` (awscli/customizations/sso/logout.py): every cached session token is
//! logged out at the portal (when it names its region) and removed, then every SSO role
//! credential in the CLI's cache. A portal that refuses the Logout changes nothing: the
//! files go all the same, silently; a portal that cannot be reached ends the command.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::aws::sso::Portal;
use crate::cli::options::Opt;
use crate::commands::{Command, Invocation};
use crate::credentials::cache::JsonFileCache;
use crate::credentials::{single_flight, sso, Ctx};
use crate::error::Error;
use crate::io::Io;
use pystd::repr::{type_name, value_str};

pub const COMMAND: Command = Command {
    service: "sso",
    operation: "logout",
    options: &[] as &[Opt],
    generic: false,
    run,
};

fn run(inv: &Invocation, _io: &mut Io) -> Result<(), Error> {
    crate::cli::reject_leftovers(&inv.args.extras, ",")?;
    let settings = &inv.settings;
    let env = &settings.env;
    let mut ctx = Ctx::new(settings, inv.connect_timeout, inv.read_timeout, None);
    let mut client_ready = false;

    // SSOTokenSweeper: each file is read and removed under its session's lock, so that a
    // refresh running meanwhile cannot write the session back.
    let tokens = JsonFileCache::sso_tokens(env);
    for path in entries(tokens.dir()) {
        single_flight::with_lock(env, &sso::token_lock(&stem(&path)), || {
            let Some(contents) = read_json(&path) else {
                return Ok(());
            };
            if !contains(&contents, "accessToken")? {
                return Ok(());
            }
            let region = attribute(&contents, "region")?;
            if let Some(region) = region.filter(truthy) {
                if !client_ready {
                    // The client's configuration: the profile, retries.
                    settings.scoped()?;
                    ctx.make_client(|_| Ok(()))?;
                    client_ready = true;
                }
                logout(&ctx, &inv.globals, &value_str_or_text(&region), &contents)?;
            }
            JsonFileCache::remove(&path)
        })?;
    }

    // SSOCredentialSweeper: role credentials the SSO provider cached.
    for path in entries(JsonFileCache::credentials(env).dir()) {
        single_flight::with_lock(env, &format!("cli-cache-{}", stem(&path)), || {
            let Some(contents) = read_json(&path) else {
                return Ok(());
            };
            if attribute(&contents, "ProviderType")?.is_some_and(|p| p == "sso") {
                JsonFileCache::remove(&path)?;
            }
            Ok::<_, Error>(())
        })?;
    }
    Ok(())
}

/// The portal's Logout for this token; a service error is logged (under `--debug`) and
/// otherwise ignored, as the token may have expired already.
fn logout(
    ctx: &Ctx,
    globals: &crate::cli::Globals,
    region: &str,
    contents: &Value,
) -> Result<(), Error> {
    let access_token = match contents.get("accessToken") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(Error::ParamValidation(format!(
                "Parameter validation failed:\nInvalid type for parameter accessToken, value: {}, type: <class '{}'>, valid types: <class 'str'>",
                value_str(other),
                type_name(other)
            )))
        }
        None => String::new(),
    };
    let endpoint = sso::portal_endpoint(ctx, region)?;
    let portal = Portal {
        // The sso client gets `verify=verify_ssl`: --no-verify-ssl and --ca-bundle apply.
        http: ctx.command_http(globals)?,
        retry: ctx.retry,
        endpoint: &endpoint,
    };
    match portal.logout(&access_token) {
        Err(Error::Client { .. }) => {
            crate::debug_log!(
                "awscli.customizations.sso.logout",
                "DEBUG",
                "Failed to call logout API:"
            );
            Ok(())
        }
        other => other,
    }
}

/// The directory's entries in `os.listdir` order (none when it is not a directory).
fn entries(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(_) => vec![],
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `json.load(open(path))`; `None` for anything that cannot be read or parsed (a
/// directory, another kind of file), which the CLI skips.
fn read_json(path: &Path) -> Option<Value> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Python's `key in contents` for what `json.load` returned.
fn contains(contents: &Value, key: &str) -> Result<bool, Error> {
    match contents {
        Value::Object(m) => Ok(m.contains_key(key)),
        Value::Array(items) => Ok(items.iter().any(|v| v == key)),
        Value::String(s) => Ok(s.contains(key)),
        other => Err(Error::General(format!(
            "argument of type '{}' is not iterable",
            type_name(other)
        ))),
    }
}

/// Python's `contents.get(key)` (only a dict has `get`).
fn attribute(contents: &Value, key: &str) -> Result<Option<Value>, Error> {
    match contents {
        Value::Object(m) => Ok(m.get(key).cloned()),
        other => Err(Error::General(format!(
            "'{}' object has no attribute 'get'",
            type_name(other)
        ))),
    }
}

/// Python's truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

fn value_str_or_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => value_str(other),
    }
}

//! Assume-role profiles (botocore `AssumeRoleProvider`): `role_arn` with `source_profile`
//! (chains of any depth) or `credential_source` (`Environment`, `Ec2InstanceMetadata`,
//! `EcsContainer`), `external_id`, `role_session_name`, `duration_seconds`, `mfa_serial`
//! (the code is asked for on the terminal, as Python's `getpass` does). The source is
//! resolved when the chain loads; `AssumeRole` is called at first use, unless the CLI's
//! cache has the credentials.

use serde_json::{Map, Value};

use super::{cache, imds, profile_text, single_flight, Ctx, Deferred, Source};
use crate::aws::sigv4::Credentials;
use crate::aws::sts::{self, Param, Sts, StsResponse};
use crate::config::Section;
use crate::error::Error;
use crate::time::Timestamp;

pub struct Plan {
    /// `AssumeRole` arguments, in botocore's order.
    args: Map<String, Value>,
    mfa_serial: Option<String>,
    source: Source,
    cache_key: String,
}

/// `AssumeRoleProvider.load` for the chain's profile.
pub fn load(ctx: &Ctx, profile: &str, imds: &imds::Config) -> Result<Option<Source>, Error> {
    let Some(section) = ctx.settings.files.profiles.get(profile) else {
        return Ok(None);
    };
    if !is_assume_role(section) {
        return Ok(None);
    }
    let mut resolver = Resolver {
        ctx,
        imds,
        visited: vec![profile.to_string()],
    };
    resolver.via_assume_role(profile).map(Some)
}

/// `role_arn` without `web_identity_token_file` (that one is web identity's).
fn is_assume_role(section: &Section) -> bool {
    crate::config::get(section, "role_arn").is_some()
        && crate::config::get(section, "web_identity_token_file").is_none()
}

fn has_static_keys(section: &Section) -> bool {
    crate::config::get(section, "aws_access_key_id").is_some()
        || crate::config::get(section, "aws_secret_access_key").is_some()
}

struct Resolver<'c, 'a> {
    ctx: &'c Ctx<'a>,
    imds: &'c imds::Config,
    /// botocore's `_visited_profiles`, for its infinite-loop check.
    visited: Vec<String>,
}

impl Resolver<'_, '_> {
    fn profile(&self, name: &str) -> &Section {
        static EMPTY: Section = Vec::new();
        self.ctx.settings.files.profiles.get(name).unwrap_or(&EMPTY)
    }

    /// `_load_creds_via_assume_role`.
    fn via_assume_role(&mut self, name: &str) -> Result<Source, Error> {
        let section = self.profile(name).clone();
        let text = |k: &str| profile_text(&section, k);
        let source_profile = text("source_profile");
        let credential_source = text("credential_source");
        let source = match (&credential_source, &source_profile) {
            (Some(_), Some(_)) => {
                return Err(Error::General(format!(
                    "The profile \"{name}\" contains both source_profile and credential_source."
                )))
            }
            (None, None) => {
                return Err(Error::General(
                    "Partial credentials found in assume-role, missing: source_profile or credential_source".into(),
                ))
            }
            (Some(cs), None) => {
                if !["Environment", "Ec2InstanceMetadata", "EcsContainer"].contains(&cs.as_str()) {
                    return Err(Error::General(format!(
                        "The credential source \"{cs}\" referenced in profile \"{name}\" is not valid."
                    )));
                }
                self.source_from_credential_source(cs, name)?
            }
            (None, Some(sp)) => {
                self.check_source_profile(name, sp)?;
                self.visited.push(sp.clone());
                self.source_from_profile(sp)?
            }
        };
        let role_arn = text("role_arn").unwrap_or_default();
        let mut args = Map::new();
        if let Some(v) = text("role_session_name") {
            args.insert("RoleSessionName".into(), v.into());
        }
        if let Some(v) = text("external_id") {
            args.insert("ExternalId".into(), v.into());
        }
        let mfa_serial = text("mfa_serial");
        if let Some(v) = &mfa_serial {
            args.insert("SerialNumber".into(), v.clone().into());
        }
        // int(duration_seconds); a value Python cannot read is left out.
        if let Some(n) = text("duration_seconds").and_then(|v| pystd::number::int_i64(&v).ok()) {
            args.insert("DurationSeconds".into(), n.into());
        }
        let (args, cache_args) = cache::role_args(args, role_arn, self.ctx.now().0);
        Ok(Source::Deferred(Deferred::AssumeRole(Box::new(Plan {
            cache_key: cache::assume_role_key(&cache_args),
            args,
            mfa_serial,
            source,
        }))))
    }

    /// `_validate_source_profile`.
    fn check_source_profile(&self, parent: &str, source: &str) -> Result<(), Error> {
        let Some(section) = self.ctx.settings.files.profiles.get(source) else {
            return Err(Error::General(format!(
                "The source_profile \"{source}\" referenced in the profile \"{parent}\" does not exist."
            )));
        };
        if !self.visited.iter().any(|v| v == source) {
            return Ok(());
        }
        // A profile may name itself to use its own keys (at the top of the chain only).
        if source != parent || !has_static_keys(section) {
            let visited: Vec<String> = self
                .visited
                .iter()
                .map(|v| pystd::repr::str_repr(v))
                .collect();
            return Err(Error::General(format!(
                "Infinite loop in credential configuration detected. Attempting to load from profile {source} which has already been visited. Visited profiles: [{}]",
                visited.join(", ")
            )));
        }
        Ok(())
    }

    /// `_resolve_credentials_from_profile`.
    fn source_from_profile(&mut self, name: &str) -> Result<Source, Error> {
        let section = self.profile(name);
        if has_static_keys(section) || !is_assume_role(section) {
            return super::profile_providers(self.ctx, name, true)?.ok_or_else(|| {
                Error::General(format!(
                    "The source profile \"{name}\" must have credentials."
                ))
            });
        }
        self.via_assume_role(name)
    }

    /// `_resolve_credentials_from_source`: the named provider, loaded now.
    fn source_from_credential_source(&self, source: &str, profile: &str) -> Result<Source, Error> {
        let found = match source {
            "Environment" => super::from_env(self.ctx.settings)?,
            "EcsContainer" => super::container::load(self.ctx.settings)?,
            _ => imds::load(self.imds, self.ctx.now())?,
        };
        found.ok_or_else(|| {
            Error::General(format!(
                "Error when retrieving credentials from {source}: No credentials found in credential_source referenced in profile {profile}"
            ))
        })
    }
}

impl Plan {
    /// `AssumeRoleCredentialFetcher.fetch_credentials`: the cache, else the MFA code, the
    /// source credentials, `AssumeRole`, and a new cache entry.
    pub fn fetch(self, ctx: &Ctx) -> Result<(Credentials, Timestamp), Error> {
        // One AssumeRole for many processes: the others wait, then find the cache warm.
        let cache = cache::JsonFileCache::credentials(&ctx.settings.env);
        let (key, lock) = (
            self.cache_key.clone(),
            format!("cli-cache-{}", self.cache_key),
        );
        single_flight::cached_or_fetch(&ctx.settings.env, &cache, &key, &lock, || {
            self.call(ctx, &cache)
        })
    }

    fn call(
        self,
        ctx: &Ctx,
        cache: &cache::JsonFileCache,
    ) -> Result<(Credentials, Timestamp), Error> {
        let mut args = self.args;
        if let Some(serial) = &self.mfa_serial {
            let code = getpass(&format!("Enter MFA code for {serial}: "))?;
            args.insert("TokenCode".into(), code.into());
        }
        let source = self.source.frozen(ctx)?;
        let region = ctx.client_region()?;
        let endpoint = ctx.sts_endpoint(region, true)?;
        let params: Vec<(&str, Param)> = args
            .iter()
            .map(|(k, v)| {
                let p = match (k.as_str(), v) {
                    ("DurationSeconds", v) => Param::Int(v.as_i64().unwrap_or_default(), 900),
                    (name, v) => Param::Str(v.as_str().unwrap_or_default(), min_length(name)),
                };
                (k.as_str(), p)
            })
            .collect();
        sts::validate(&params)?;
        let endpoint = endpoint.ok_or(Error::NoRegion)?;
        let response = Sts {
            http: ctx.aws_http()?,
            retry: ctx.retry,
            endpoint: &endpoint,
            signer: Some(&source),
        }
        .call("AssumeRole", &params)?;
        cache_and_extract(cache, &self.cache_key, response)
    }
}

/// The STS model's minimum lengths of AssumeRole's string parameters.
fn min_length(name: &str) -> usize {
    match name {
        "RoleArn" => 20,
        "SerialNumber" => 9,
        "TokenCode" => 6,
        _ => 2, // RoleSessionName, ExternalId
    }
}

/// Write the response to the cache, then read the credentials as botocore does
/// (`Expiration` first).
pub(crate) fn cache_and_extract(
    cache: &cache::JsonFileCache,
    key: &str,
    response: StsResponse,
) -> Result<(Credentials, Timestamp), Error> {
    cache.set(key, &Value::Object(response.dict.clone()));
    let creds = response
        .dict
        .get("Credentials")
        .ok_or_else(|| sts::key_error("Credentials"))?;
    let expiry = cache::parse_time_value(cache::py_index(creds, "Expiration")?)?;
    Ok((cache::credentials_from(creds)?, expiry))
}

/// Python's `getpass.getpass(prompt)`: prompt and read on the controlling terminal with
/// echo off; without one, warn and prompt on stderr and read stdin. End of input is
/// Python's `EOFError` (printed with an empty message).
fn getpass(prompt: &str) -> Result<String, Error> {
    use std::io::{BufRead, Write};
    #[cfg(unix)]
    if let Ok(tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    {
        return tty_getpass(tty, prompt);
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "Warning: Password input may be echoed.\n{prompt}");
    let _ = err.flush();
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::General(e.to_string()))?;
    if n == 0 {
        return Err(Error::General(String::new()));
    }
    let _ = writeln!(err);
    // Windows' text-mode stdin (Python's universal newlines) ends lines with `\r\n`.
    let line = if cfg!(windows) {
        line.strip_suffix("\r\n").unwrap_or(&line)
    } else {
        &line
    };
    Ok(line.strip_suffix('\n').unwrap_or(line).to_string())
}

#[cfg(unix)]
fn tty_getpass(tty: std::fs::File, prompt: &str) -> Result<String, Error> {
    use std::io::{BufRead, Write};
    use std::os::unix::io::AsRawFd;
    let fd = tty.as_raw_fd();
    // SAFETY: tcgetattr/tcsetattr only read and write the termios struct we pass.
    let mut old: libc::termios = unsafe { std::mem::zeroed() };
    let have_termios = unsafe { libc::tcgetattr(fd, &mut old) } == 0;
    if have_termios {
        let mut quiet = old;
        quiet.c_lflag &= !libc::ECHO;
        unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &quiet) };
    }
    let mut out = &tty;
    let _ = out.write_all(prompt.as_bytes());
    let _ = out.flush();
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    if have_termios {
        unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &old) };
    }
    let _ = out.write_all(b"\n");
    match read {
        Ok(0) => Err(Error::General(String::new())),
        Ok(_) => Ok(line.strip_suffix('\n').unwrap_or(&line).to_string()),
        Err(e) => Err(Error::General(e.to_string())),
    }
}

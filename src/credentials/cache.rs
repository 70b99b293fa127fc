//! The AWS CLI's credential cache, shared with it: `~/.aws/cli/cache/<key>.json` for
//! assume-role, web-identity and SSO role credentials, and the SSO token files under
//! `~/.aws/sso/cache/` (botocore `JSONFileCache`).
//!
//! File names: the SHA-1 (hex) of the call's arguments as botocore serialises them.
//! - assume role and web identity (`BaseAssumeRoleCredentialFetcher._create_cache_key`):
//!   `json.dumps(args, sort_keys=True)` of the AssumeRole arguments (`RoleArn`, and
//!   `RoleSessionName`, `ExternalId`, `SerialNumber`, `DurationSeconds` when configured;
//!   a generated `botocore-session-<epoch>` session name is left out);
//! - SSO (`SSOCredentialFetcher._create_cache_key`): the same of
//!   `{"accountId", "roleName", "sessionName" | "startUrl"}` with `separators=(',', ':')`;
//! - SSO tokens (`SSOTokenLoader`): the SHA-1 of the sso-session name, or of the start URL
//!   for legacy profiles.
//!
//! Entries are used while they have at least 15 minutes left (botocore
//! `CachedCredentialFetcher`); writes keep botocore's layout (`json.dumps` of the
//! response dict) and mode (new files 0600, existing files keep theirs).

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use crate::aws::sigv4::Credentials;
use crate::error::Error;
use crate::settings::Env;
use crate::time::Timestamp;
use crate::time::UtcTime;

/// botocore `CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS`.
const EXPIRY_WINDOW: f64 = 15.0 * 60.0;

/// A directory of `<key>.json` files.
pub struct JsonFileCache {
    dir: PathBuf,
}

impl JsonFileCache {
    /// `~/.aws/cli/cache` (awscli/customizations/assumerole.py).
    pub fn credentials(env: &Env) -> JsonFileCache {
        JsonFileCache {
            dir: env.expand_path("~/.aws/cli/cache"),
        }
    }

    /// A directory of our own (the `--role-arn` cache).
    pub fn at(dir: PathBuf) -> JsonFileCache {
        JsonFileCache { dir }
    }

    /// `~/.aws/sso/cache` (botocore `SSOTokenProvider`).
    pub fn sso_tokens(env: &Env) -> JsonFileCache {
        JsonFileCache {
            dir: env.expand_path("~/.aws/sso/cache"),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// `key in cache` then `cache[key]`. botocore raises `KeyError` for a file it cannot
    /// read or parse; we treat such a file (corrupt, truncated, foreign) as missing, so it
    /// is fetched again and replaced: never a crash, never a wrong identity.
    /// Only a regular file of the user's is read, through the user's own symlinks only
    /// (see `trust`).
    pub fn get(&self, key: &str) -> Option<Value> {
        let mut file = super::trust::open_entry(&self.path(key))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// A cached response that is still good for at least 15 minutes, if any (a file of
    /// another layout counts as missing).
    pub fn fresh(&self, key: &str, now: UtcTime) -> Option<(Credentials, Timestamp)> {
        fresh_credentials(&self.get(key)?, now).ok().flatten()
    }

    /// `cache[key] = value`, in botocore's layout and mode (0600 for a new file; an
    /// existing file of the user's keeps its mode), written atomically: a temporary file
    /// created with that mode in the same directory, then renamed over the entry, so a
    /// concurrent reader sees the old file or the new one, never half of one. Anything
    /// else at the entry (a symlink, a FIFO, another user's file) is left alone, and
    /// temporary files that killed writes left behind are removed (see `trust`). A cache
    /// that cannot be written (read-only HOME, full disk) costs only speed: the error is
    /// dropped.
    pub fn set(&self, key: &str, value: &Value) {
        let _ = self.write(key, py_dumps(value, false, false).as_bytes());
    }

    /// `cache[key] = value` where a failure matters (`aws sso login` saving the session):
    /// written as `set` writes, a failure is Python's `OSError` text for the path.
    pub fn store(&self, key: &str, value: &Value) -> Result<(), Error> {
        self.write(key, py_dumps(value, false, false).as_bytes())
            .map_err(|(e, path)| {
                Error::General(pystd::os_error::os_error_with_path(
                    &e,
                    &path.to_string_lossy(),
                ))
            })
    }

    /// Remove the entry file at `path` (one of this cache's); a file already gone is fine.
    pub fn remove(path: &std::path::Path) -> Result<(), Error> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::General(
                pystd::os_error::os_error_with_path(&e, &path.to_string_lossy()),
            )),
            _ => Ok(()),
        }
    }

    /// The directory of the entries.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    fn write(&self, key: &str, content: &[u8]) -> Result<(), (std::io::Error, PathBuf)> {
        if !self.dir.is_dir() {
            std::fs::create_dir_all(&self.dir).map_err(|e| (e, self.dir.clone()))?;
        }
        let path = self.path(key);
        // Something that is not a regular file of the user's stays as it is (see trust).
        let Some((target, mode)) = super::trust::write_target(&path) else {
            return Err((refused(), path));
        };
        super::trust::remove_stale_temps(&self.dir);
        replace_file(&target, content, mode).map_err(|e| (e, path))
    }
}

/// Permission denied: what a write to a path we refuse reports.
fn refused() -> std::io::Error {
    #[cfg(unix)]
    return std::io::Error::from_raw_os_error(libc::EACCES);
    #[cfg(not(unix))]
    return std::io::Error::from(std::io::ErrorKind::PermissionDenied);
}

/// Replace the file at `path` (or, for a symbolic link, the file it leads to) with
/// `content`, whole or not at all: a temporary file in the same directory, created with
/// the file's mode (`new_mode` for a new file), renamed over it. A reader sees the old
/// file or the new one, never a part.
pub fn write_atomically(
    path: &std::path::Path,
    content: &[u8],
    new_mode: u32,
) -> std::io::Result<()> {
    let path = final_target(path.to_path_buf());
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(&path).map_or(new_mode, |m| m.permissions().mode() & 0o777)
    };
    #[cfg(not(unix))]
    let mode = new_mode;
    replace_file(&path, content, mode)
}

/// Replace `path` with `content` through a temporary file of `mode` next to it (a file
/// left by a process of this pid that died mid-write is replaced).
fn replace_file(path: &std::path::Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(super::trust::temp_name(&name));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let _ = std::fs::remove_file(&tmp);
    let result = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(content).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The file a write to `path` changes: `path`, or the file its symbolic links lead to
/// (also when that does not exist yet).
fn final_target(path: PathBuf) -> PathBuf {
    let mut path = path;
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(target) => {
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                }
            }
            Err(_) => return path,
        }
    }
    path
}

/// Python's `json.dumps(value, sort_keys=sort_keys)` (ASCII output), with
/// `separators=(',', ':')` when `compact`: botocore's cache files and cache keys.
pub fn py_dumps(value: &Value, sort_keys: bool, compact: bool) -> String {
    pystd::json::dumps_with(
        &pystd::json::Value::from_serde(value),
        pystd::json::Style {
            indent: None,
            ensure_ascii: true,
            sort_keys,
            compact,
        },
    )
}

fn sha1_hex(text: &str) -> String {
    crate::aws::sigv4::hex(&Sha1::digest(text.as_bytes()))
}

/// The assume-role / web-identity cache key of these AssumeRole arguments.
pub fn assume_role_key(args: &Map<String, Value>) -> String {
    sha1_hex(&py_dumps(&Value::Object(args.clone()), true, false))
}

/// The SSO role-credentials cache key.
pub fn sso_key(role_name: &str, account_id: &str, session_or_url: (&str, &str)) -> String {
    let mut args = Map::new();
    args.insert("roleName".into(), role_name.into());
    args.insert("accountId".into(), account_id.into());
    args.insert(session_or_url.0.into(), session_or_url.1.into());
    sha1_hex(&py_dumps(&Value::Object(args), true, true))
}

/// The client registration file name (botocore `BaseSSOTokenFetcher._registration_cache_key`):
/// the SHA-1 of `json.dumps({"tool": "botocore", "startUrl", "region", "scopes",
/// "session_name"}, sort_keys=True)`, `null` for absent scopes or session.
pub fn sso_registration_key(
    start_url: &str,
    region: &str,
    scopes: Option<&[String]>,
    session_name: Option<&str>,
) -> String {
    let mut args = Map::new();
    args.insert("tool".into(), "botocore".into());
    args.insert("startUrl".into(), start_url.into());
    args.insert("region".into(), region.into());
    args.insert(
        "scopes".into(),
        scopes.map_or(Value::Null, |s| {
            s.iter().map(|x| Value::from(x.as_str())).collect()
        }),
    );
    args.insert(
        "session_name".into(),
        session_name.map_or(Value::Null, Value::from),
    );
    sha1_hex(&py_dumps(&Value::Object(args), true, false))
}

/// The SSO token file name for an sso-session name or a legacy start URL.
pub fn sso_token_key(session_or_url: &str) -> String {
    sha1_hex(session_or_url)
}

/// Python's `value[key]` on a JSON value, with its error texts.
pub fn py_index<'v>(value: &'v Value, key: &str) -> Result<&'v Value, Error> {
    match value {
        Value::Object(m) => m.get(key).ok_or_else(|| crate::aws::sts::key_error(key)),
        Value::Array(_) => Err(Error::General(
            "list indices must be integers or slices, not str".into(),
        )),
        Value::String(_) => Err(Error::General(
            "string indices must be integers, not 'str'".into(),
        )),
        other => Err(Error::General(format!(
            "'{}' object is not subscriptable",
            pystd::repr::type_name(other)
        ))),
    }
}

/// botocore `BaseAssumeRoleCredentialFetcher`: `args` are the call's parameters before
/// `RoleArn`, in botocore's order; returns them with `RoleArn` and, when no non-empty
/// session name was configured, a generated one, and the arguments the cache key is made
/// of (without a generated name).
pub fn role_args(
    mut args: Map<String, Value>,
    role_arn: String,
    now: i64,
) -> (Map<String, Value>, Map<String, Value>) {
    let configured = args
        .get("RoleSessionName")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    args.insert("RoleArn".into(), role_arn.into());
    let mut cache_args = args.clone();
    if !configured {
        cache_args.remove("RoleSessionName");
        args.insert(
            "RoleSessionName".into(),
            format!("botocore-session-{now}").into(),
        );
    }
    (args, cache_args)
}

/// dateutil's `parse` of a JSON value (`TypeError` for a non-string).
pub fn parse_time_value(value: &Value) -> Result<Timestamp, Error> {
    match value {
        Value::String(s) => Ok(Timestamp::parse(s)?),
        other => Err(Error::General(format!(
            "Parser must be a string or character stream, not {}",
            pystd::repr::type_name(other)
        ))),
    }
}

/// A cached response that is still good: its `Credentials` and expiry, or `None` when
/// it expires within 15 minutes (botocore `_is_expired`).
pub fn fresh_credentials(
    cached: &Value,
    now: UtcTime,
) -> Result<Option<(Credentials, Timestamp)>, Error> {
    let creds = py_index(cached, "Credentials")?;
    let expiry = parse_time_value(py_index(creds, "Expiration")?)?;
    if expiry.seconds_after(now)? < EXPIRY_WINDOW {
        return Ok(None);
    }
    Ok(Some((credentials_from(creds)?, expiry)))
}

/// `AccessKeyId`, `SecretAccessKey`, `SessionToken` of a `Credentials` dict.
pub fn credentials_from(creds: &Value) -> Result<Credentials, Error> {
    let text = |k: &str| -> Result<String, Error> {
        Ok(match py_index(creds, k)? {
            Value::String(s) => s.clone(),
            other => pystd::repr::value_str(other),
        })
    };
    Ok(Credentials {
        access_key_id: text("AccessKeyId")?,
        secret_access_key: text("SecretAccessKey")?.into(),
        session_token: Some(text("SessionToken")?.into()),
        unusable: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_session_names_stay_out_of_the_key() {
        let arn = "arn:aws:iam::123456789012:role/eks-admin".to_string();
        let named = |name: &str| {
            let mut m = Map::new();
            m.insert("RoleSessionName".into(), name.into());
            m
        };
        let (args, key_args) = role_args(Map::new(), arn.clone(), 1704164645);
        assert_eq!(
            serde_json::to_string(&args).unwrap(),
            r#"{"RoleArn":"arn:aws:iam::123456789012:role/eks-admin","RoleSessionName":"botocore-session-1704164645"}"#
        );
        assert_eq!(
            assume_role_key(&key_args),
            "68cb027cd378aac40125a108c805a4794ec225e0"
        );
        let (args, _) = role_args(named(""), arn.clone(), 7);
        assert_eq!(args["RoleSessionName"], "botocore-session-7");
        let (args, key_args) = role_args(named("pod-session"), arn, 7);
        assert_eq!(args.keys().next().unwrap(), "RoleSessionName");
        assert_eq!(
            assume_role_key(&key_args),
            "93d7cd33ff00d140d26b3768e3f55cdde47750fb"
        );
    }

    fn args(pairs: &[(&str, Value)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// The file names the AWS CLI left in the golden cases.
    #[test]
    fn cache_keys_match_the_cli() {
        let arn = "arn:aws:iam::123456789012:role/eks-admin";
        assert_eq!(
            assume_role_key(&args(&[("RoleArn", arn.into())])),
            "68cb027cd378aac40125a108c805a4794ec225e0"
        );
        assert_eq!(
            assume_role_key(&args(&[
                ("RoleSessionName", "my-session".into()),
                ("ExternalId", "ext-123".into()),
                ("DurationSeconds", 1800.into()),
                ("RoleArn", arn.into()),
            ])),
            "c05c03d9fb7784fc35b01e3641d1c67049596efb"
        );
        assert_eq!(
            assume_role_key(&args(&[
                ("RoleSessionName", "pod-session".into()),
                ("RoleArn", arn.into())
            ])),
            "93d7cd33ff00d140d26b3768e3f55cdde47750fb"
        );
        assert_eq!(
            sso_key("ReadOnly", "123456789012", ("sessionName", "my-sso")),
            "31b260dab331b2af063485cea75f7b8b3cf54c71"
        );
        assert_eq!(
            sso_key(
                "Admin",
                "111122223333",
                ("startUrl", "https://legacy.awsapps.com/start")
            ),
            "0323b5728eb6fe5662628b839d868f1a1cf89249"
        );
        assert_eq!(
            sso_token_key("my-sso"),
            "0ad374308c5a4e22f723adf10145eafad7c4031c"
        );
        // The registration files `aws sso login` left in the golden cases.
        let access = ["sso:account:access".to_string()];
        let start = "https://my-sso-portal.awsapps.com/start";
        assert_eq!(
            sso_registration_key(start, "us-east-1", Some(&access), Some("my-sso")),
            "c5cfae6e3e4f067423a532368c8b514b6a4b0ace"
        );
        assert_eq!(
            sso_registration_key(start, "us-east-1", None, Some("my-sso")),
            "5d2ad48f7ce068c072924f44a42fb81ca0fd6b99"
        );
        assert_eq!(
            sso_registration_key(start, "us-east-1", None, None),
            "0e093f10f65cee6c5c1898a8e240f5726875bf08"
        );
    }

    #[test]
    fn python_json_dumps() {
        let v: Value =
            serde_json::from_str(r#"{"b": [1, 2.5, true, null], "a": "é\n\"😀"}"#).unwrap();
        assert_eq!(
            py_dumps(&v, false, false),
            r#"{"b": [1, 2.5, true, null], "a": "\u00e9\n\"\ud83d\ude00"}"#
        );
        assert_eq!(
            py_dumps(&v, true, true),
            r#"{"a":"\u00e9\n\"\ud83d\ude00","b":[1,2.5,true,null]}"#
        );
    }

    #[test]
    fn expiry_window() {
        let cached: Value = serde_json::from_str(
            r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2024-01-02T03:20:05+00:00"}}"#,
        )
        .unwrap();
        let now = UtcTime(1704164645); // 03:04:05, 16 minutes before
        assert!(fresh_credentials(&cached, now).unwrap().is_some());
        assert!(fresh_credentials(&cached, now.plus_seconds(61))
            .unwrap()
            .is_none());
        assert_eq!(
            fresh_credentials(&serde_json::json!({"x": 1}), now).err(),
            Some(Error::General("'Credentials'".into()))
        );
        assert_eq!(
            fresh_credentials(&serde_json::json!([]), now).err(),
            Some(Error::General(
                "list indices must be integers or slices, not str".into()
            ))
        );
    }
}

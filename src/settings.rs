//! Resolved settings and where they come from: flags > environment > the profile's config >
//! defaults, as the AWS CLI's config chains do (spec §3.4). The only module that reads the
//! environment and the shared config files for settings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::{self, FullConfig, Section, Value};
use crate::error::Error;
pub use crate::output::format::{Color, ErrorFormat, OutputFormat};

/// A snapshot of the process environment (non-UTF-8 values are read lossily). Its
/// `Debug` shows the names only: values include secret keys and tokens.
#[derive(Default, Clone)]
pub struct Env(pub BTreeMap<String, String>);

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Whether paths and the environment follow Windows' rules (Python's `ntpath`, and
/// `os.environ` with upper-cased names) rather than Unix's (`posixpath`), as the CLI's
/// Python does on each platform.
const WINDOWS: bool = cfg!(windows);

impl Env {
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Env {
        Env(pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }

    pub fn from_process() -> Env {
        Env(std::env::vars_os()
            .map(|(k, v)| {
                let k = k.to_string_lossy();
                // Windows names are case-insensitive; Python's `os.environ` upper-cases them.
                let k = if WINDOWS {
                    k.to_uppercase()
                } else {
                    k.into_owned()
                };
                (k, v.to_string_lossy().into_owned())
            })
            .collect())
    }

    /// Present (even if empty), as botocore's `EnvironmentProvider` sees it.
    pub fn get(&self, name: &str) -> Option<&str> {
        let value = if WINDOWS {
            self.0.get(&name.to_uppercase())
        } else {
            self.0.get(name)
        };
        value.map(String::as_str)
    }

    /// Present and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// `os.path.expandvars` then `expanduser` (botocore's order) for the file locations.
    pub fn expand_path(&self, path: &str) -> PathBuf {
        PathBuf::from(self.expand_user(&self.expand_vars(path)))
    }

    /// The home directory `~` stands for, as Python's `os.path.expanduser` finds it; `None`
    /// when there is none (then `~` stays as written).
    pub fn home_dir(&self) -> Option<String> {
        self.home_dir_for(WINDOWS)
    }

    fn home_dir_for(&self, windows: bool) -> Option<String> {
        if windows {
            // ntpath: `%USERPROFILE%` (even empty), else `%HOMEDRIVE%%HOMEPATH%`; never HOME.
            if let Some(profile) = self.get("USERPROFILE") {
                return Some(profile.to_string());
            }
            let homepath = self.get("HOMEPATH")?;
            Some(nt_join(self.get("HOMEDRIVE").unwrap_or(""), homepath))
        } else {
            // posixpath: `HOME`, else the password database.
            self.get("HOME").map(String::from).or_else(passwd_home)
        }
    }

    /// `os.path.expanduser` for `~` alone or followed by a separator (`/`; on Windows also
    /// `\`). Unix drops the home directory's trailing `/`; Windows keeps it as it is.
    pub fn expand_user(&self, path: &str) -> String {
        self.expand_user_for(path, WINDOWS)
    }

    fn expand_user_for(&self, path: &str, windows: bool) -> String {
        let seps: &[char] = if windows { &['/', '\\'] } else { &['/'] };
        let Some(rest) = path.strip_prefix('~') else {
            return path.to_string();
        };
        if !(rest.is_empty() || rest.starts_with(seps)) {
            return path.to_string();
        }
        let Some(home) = self.home_dir_for(windows) else {
            return path.to_string();
        };
        if windows {
            return format!("{home}{rest}");
        }
        let joined = format!("{}{rest}", home.trim_end_matches('/'));
        if joined.is_empty() {
            "/".to_string()
        } else {
            joined
        }
    }

    /// `os.path.expandvars`.
    pub fn expand_vars(&self, s: &str) -> String {
        self.expand_vars_for(s, WINDOWS)
    }

    fn expand_vars_for(&self, s: &str, windows: bool) -> String {
        if windows {
            self.expand_vars_nt(s)
        } else {
            self.expand_vars_posix(s)
        }
    }

    /// posixpath's: `$NAME` and `${NAME}` of set variables; others stay as written.
    fn expand_vars_posix(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, len) = if let Some(braced) = after.strip_prefix('{') {
                match braced.find('}') {
                    Some(end) => (&braced[..end], end + 2),
                    None => ("", 0),
                }
            } else {
                let end = after
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            };
            match self.get(name).filter(|_| !name.is_empty()) {
                Some(v) => {
                    out.push_str(v);
                    rest = &after[len..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// ntpath's (Python 3.13): `%NAME%`, `$NAME` (letters, digits, `_`, `-`) and `${NAME}`
    /// of set variables, `%%` and `$$` for one sign, nothing inside single quotes; unknown
    /// variables stay as written.
    fn expand_vars_nt(&self, path: &str) -> String {
        let var_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        let mut out = String::new();
        let mut rest = path;
        while let Some(c) = rest.chars().next() {
            let after = &rest[c.len_utf8()..];
            rest = match c {
                '\'' => match after.find('\'') {
                    Some(end) => {
                        out.push('\'');
                        out.push_str(&after[..=end]);
                        &after[end + 1..]
                    }
                    None => {
                        out.push_str(rest);
                        ""
                    }
                },
                '%' => {
                    if let Some(tail) = after.strip_prefix('%') {
                        out.push('%');
                        tail
                    } else if let Some(end) = after.find('%') {
                        let name = &after[..end];
                        match self.get(name) {
                            Some(v) => out.push_str(v),
                            None => out.push_str(&rest[..end + 2]),
                        }
                        &after[end + 1..]
                    } else {
                        out.push_str(rest);
                        ""
                    }
                }
                '$' => {
                    if let Some(tail) = after.strip_prefix('$') {
                        out.push('$');
                        tail
                    } else if let Some(braced) = after.strip_prefix('{') {
                        match braced.find('}') {
                            Some(end) => {
                                match self.get(&braced[..end]) {
                                    Some(v) => out.push_str(v),
                                    None => out.push_str(&rest[..end + 3]),
                                }
                                &braced[end + 1..]
                            }
                            None => {
                                out.push_str(rest);
                                ""
                            }
                        }
                    } else {
                        let end = after.find(|c| !var_char(c)).unwrap_or(after.len());
                        match self.get(&after[..end]).filter(|_| end > 0) {
                            Some(v) => out.push_str(v),
                            None => out.push_str(&rest[..end + 1]),
                        }
                        &after[end..]
                    }
                }
                _ => {
                    out.push(c);
                    after
                }
            };
        }
        out
    }
}

/// ntpath's `join(HOMEDRIVE, HOMEPATH)` for the shapes these take (`C:`, `\\server\share`;
/// `\Users\me`): a path with its own drive wins, a rooted one goes on the drive.
fn nt_join(drive: &str, path: &str) -> String {
    let is_sep = |c: char| c == '\\' || c == '/';
    let has_drive = |s: &str| {
        s.as_bytes().get(1) == Some(&b':') || (s.starts_with(is_sep) && s[1..].starts_with(is_sep))
    };
    if drive.is_empty() || has_drive(path) {
        return path.to_string();
    }
    if path.starts_with(is_sep) {
        // Only the drive letter of a `C:\dir` drive.
        let letter = if drive.as_bytes().get(1) == Some(&b':') {
            &drive[..2]
        } else {
            drive
        };
        return format!("{letter}{path}");
    }
    if path.is_empty() || drive.ends_with(|c: char| c == ':' || is_sep(c)) {
        format!("{drive}{path}")
    } else {
        format!("{drive}\\{path}")
    }
}

/// `pwd.getpwuid(os.getuid()).pw_dir`: the home directory when `HOME` is not set.
#[cfg(unix)]
fn passwd_home() -> Option<String> {
    let mut buf = vec![0u8; 16 * 1024];
    // SAFETY: getpwuid_r writes only into `pwd` and `buf` (whose length it is given), and
    // `result` points at `pwd` or is null; pw_dir points into `buf`, alive here.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        let dir = std::ffi::CStr::from_ptr(pwd.pw_dir);
        Some(dir.to_string_lossy().into_owned())
    }
}

#[cfg(not(unix))]
fn passwd_home() -> Option<String> {
    None
}

/// The environment and the shared files, read once at start-up.
#[derive(Debug)]
pub struct Settings {
    pub env: Env,
    pub files: FullConfig,
    /// The `--profile` flag, once the main parser has seen it (`with_profile`).
    pub profile_flag: Option<String>,
}

impl Settings {
    /// Read `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` (botocore's
    /// `Session.full_config`, which the CLI loads at start-up).
    pub fn load(env: Env) -> Result<Settings, Error> {
        let config_path = env.expand_path(env.get("AWS_CONFIG_FILE").unwrap_or("~/.aws/config"));
        let creds_path = env.expand_path(
            env.get("AWS_SHARED_CREDENTIALS_FILE")
                .unwrap_or("~/.aws/credentials"),
        );
        let config = config::read(&config_path)?;
        let credentials = config::read(&creds_path)?;
        Ok(Settings {
            env,
            files: FullConfig::build(config, credentials),
            profile_flag: None,
        })
    }

    /// The same settings once the main parser has seen `--profile`.
    pub fn with_profile(self, profile_flag: Option<String>) -> Settings {
        Settings {
            profile_flag,
            ..self
        }
    }

    /// The selected profile: `--profile` > `AWS_PROFILE` > `AWS_DEFAULT_PROFILE`; `None`
    /// means `default`, which (unlike a named profile) may be missing.
    pub fn profile_name(&self) -> Option<&str> {
        self.profile_flag
            .as_deref()
            .or_else(|| self.env.get("AWS_PROFILE"))
            .or_else(|| self.env.get("AWS_DEFAULT_PROFILE"))
    }

    /// The profile's merged section (botocore `get_scoped_config`).
    pub fn scoped(&self) -> Result<Option<&Section>, Error> {
        match self.profile_name() {
            None => Ok(self.files.profiles.get("default")),
            Some(name) => self
                .files
                .profiles
                .get(name)
                .map(Some)
                .ok_or_else(|| Error::profile_not_found(name)),
        }
    }

    /// A text value of the current profile.
    pub fn profile_value(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self
            .scoped()?
            .and_then(|s| config::get(s, key))
            .and_then(Value::text)
            .map(String::from))
    }

    /// A config variable: the first environment variable present, else the profile's key.
    pub fn var(&self, env_names: &[&str], key: &str) -> Result<Option<String>, Error> {
        if let Some(v) = env_names.iter().find_map(|n| self.env.get(n)) {
            return Ok(Some(v.to_string()));
        }
        self.profile_value(key)
    }

    /// botocore's `ensure_boolean` over a config variable.
    pub fn flag(&self, env_name: &str, key: &str) -> Result<bool, Error> {
        Ok(self
            .var(&[env_name], key)?
            .is_some_and(|v| v.eq_ignore_ascii_case("true")))
    }

    /// region: `--region` > `AWS_REGION` > `AWS_DEFAULT_REGION` > profile `region`.
    /// The last step of the CLI's chain, instance metadata, needs the network and is
    /// `credentials::imds::region`, asked only when this gives `None`.
    pub fn region(&self, flag: Option<&str>) -> Result<Option<String>, Error> {
        match flag {
            Some(r) => Ok(Some(r.to_string())),
            None => self.var(&["AWS_REGION", "AWS_DEFAULT_REGION"], "region"),
        }
    }

    /// output: `--output` > `AWS_DEFAULT_OUTPUT` > profile `output` > json; the CLI
    /// fails with `Unknown output type` when it makes the formatter.
    pub fn output(&self, flag: Option<&str>) -> Result<OutputFormat, Error> {
        let name = match flag {
            Some(f) => f.to_string(),
            None => self
                .var(&["AWS_DEFAULT_OUTPUT"], "output")?
                .unwrap_or_else(|| "json".into()),
        };
        OutputFormat::parse(&name)
            .ok_or_else(|| Error::General(format!("Unknown output type: {name}")))
    }

    /// cli_error_format: `--cli-error-format` > `AWS_CLI_ERROR_FORMAT` > profile >
    /// enhanced, lower-cased (an unknown name is enhanced too); `None` when the profile
    /// lookup itself fails (the CLI then prints the bare message).
    pub fn error_format(&self, flag: Option<&str>) -> Option<ErrorFormat> {
        let name = self.error_format_name(flag)?;
        Some(ErrorFormat::parse(&name).unwrap_or(ErrorFormat::Enhanced))
    }

    /// The lower-cased format name when it is one the CLI does not know (it then warns
    /// `Invalid cli_error_format: 'x'. Using 'enhanced' format.` in its early stages).
    pub fn invalid_error_format(&self, flag: Option<&str>) -> Option<String> {
        self.error_format_name(flag)
            .filter(|name| ErrorFormat::parse(name).is_none())
    }

    fn error_format_name(&self, flag: Option<&str>) -> Option<String> {
        Some(match flag.filter(|f| !f.is_empty()) {
            Some(f) => f.to_lowercase(),
            None => match self.var(&["AWS_CLI_ERROR_FORMAT"], "cli_error_format") {
                Ok(Some(f)) if !f.is_empty() => f.to_lowercase(),
                Ok(_) => "enhanced".into(),
                Err(_) => return None,
            },
        })
    }

    /// The home directory `~` stands for (`None` when there is none).
    pub fn home(&self) -> Option<String> {
        self.env.home_dir()
    }

    /// The configured STS endpoint URL, unless configured endpoints are ignored
    /// (botocore `ConfiguredEndpointProvider`).
    pub fn configured_sts_endpoint(&self) -> Result<Option<String>, Error> {
        self.configured_endpoint("STS", "sts")
    }

    /// A service's configured endpoint URL: `AWS_ENDPOINT_URL_<SERVICE>`, then
    /// `AWS_ENDPOINT_URL`, then the profile's `services` section entry `service_key`, then
    /// the profile's `endpoint_url` (e.g. `("SSO_OIDC", "sso_oidc")`).
    pub fn configured_endpoint(
        &self,
        env_suffix: &str,
        service_key: &str,
    ) -> Result<Option<String>, Error> {
        if self.flag(
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "ignore_configured_endpoint_urls",
        )? {
            return Ok(None);
        }
        if let Some(url) = self
            .env
            .non_empty(&format!("AWS_ENDPOINT_URL_{env_suffix}"))
        {
            return Ok(Some(url.into()));
        }
        if let Some(url) = self.env.non_empty("AWS_ENDPOINT_URL") {
            return Ok(Some(url.into()));
        }
        if let Some(name) = self.profile_value("services")? {
            let Some(section) = self.files.services.get(&name).filter(|s| !s.is_empty()) else {
                return Err(Error::General(format!(
                    "The profile is configured to use the services section but the \"{name}\" services configuration does not exist."
                )));
            };
            match config::get(section, service_key) {
                Some(Value::Nested(items)) => {
                    if let Some((_, url)) = items
                        .iter()
                        .find(|(k, v)| k == "endpoint_url" && !v.is_empty())
                    {
                        return Ok(Some(url.clone()));
                    }
                }
                Some(Value::Text(_)) => {
                    return Err(Error::General("'str' object has no attribute 'get'".into()))
                }
                None => {}
            }
        }
        Ok(self
            .profile_value("endpoint_url")?
            .filter(|u| !u.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs)
    }

    fn settings(pairs: &[(&str, &str)], config: &str) -> Settings {
        let files = FullConfig::build(config::parse_ini(config).unwrap(), Vec::new());
        Settings {
            env: env(pairs),
            files,
            profile_flag: None,
        }
    }

    #[test]
    fn region_precedence() {
        let s = settings(
            &[("AWS_REGION", "a"), ("AWS_DEFAULT_REGION", "b")],
            "[default]\nregion = c\n",
        );
        assert_eq!(s.region(Some("x")).unwrap().as_deref(), Some("x"));
        assert_eq!(s.region(None).unwrap().as_deref(), Some("a"));
        let s = settings(&[("AWS_DEFAULT_REGION", "b")], "[default]\nregion = c\n");
        assert_eq!(s.region(None).unwrap().as_deref(), Some("b"));
        let s = settings(&[], "[default]\nregion = c\n");
        assert_eq!(s.region(None).unwrap().as_deref(), Some("c"));
    }

    #[test]
    fn profile_precedence_and_not_found() {
        let mut s = settings(
            &[("AWS_PROFILE", "p"), ("AWS_DEFAULT_PROFILE", "q")],
            "[profile p]\nregion = pr\n",
        );
        assert_eq!(s.region(None).unwrap().as_deref(), Some("pr"));
        s.profile_flag = Some("nope".into());
        assert_eq!(s.region(None), Err(Error::profile_not_found("nope")));
        assert_eq!(s.error_format(Some("JSON")), Some(ErrorFormat::Json));
        assert_eq!(s.error_format(Some("bogus")), Some(ErrorFormat::Enhanced));
        assert_eq!(s.error_format(None), None);
    }

    #[test]
    fn expand_vars() {
        let e = env(&[("HOME", "/h"), ("X", "y"), ("T", "~/t")]);
        assert_eq!(
            e.expand_path("~/a/$X/${X}/$NOPE"),
            PathBuf::from("/h/a/y/y/$NOPE")
        );
        // Variables first, then `~` (botocore's `raw_config_parse`).
        assert_eq!(e.expand_path("$T"), PathBuf::from("/h/t"));
        // Python drops the home directory's trailing slash.
        let root = env(&[("HOME", "/")]);
        assert_eq!(
            root.expand_path("~/.aws/config"),
            PathBuf::from("/.aws/config")
        );
        assert_eq!(root.expand_path("~"), PathBuf::from("/"));
    }

    #[test]
    fn debug_shows_no_values() {
        let s = settings(
            &[
                ("AWS_SECRET_ACCESS_KEY", "envSECRET"),
                ("AWS_SESSION_TOKEN", "envTOKEN"),
            ],
            "[default]\naws_secret_access_key = fileSECRET\n",
        );
        let shown = format!("{s:?}");
        assert!(shown.contains("AWS_SECRET_ACCESS_KEY"), "{shown}");
        for secret in ["envSECRET", "envTOKEN", "fileSECRET"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn windows_home_is_the_user_profile() {
        // Python's ntpath.expanduser: USERPROFILE, else HOMEDRIVE + HOMEPATH; never HOME.
        let e = env(&[("USERPROFILE", r"C:\Users\me"), ("HOME", "/h")]);
        assert_eq!(
            e.expand_user_for("~/.aws/config", true),
            r"C:\Users\me/.aws/config"
        );
        assert_eq!(
            e.expand_user_for(r"~\.aws\cli\cache", true),
            r"C:\Users\me\.aws\cli\cache"
        );
        assert_eq!(e.expand_user_for("~", true), r"C:\Users\me");
        assert_eq!(e.expand_user_for("~me/x", true), "~me/x");
        // Unix takes `\` after `~` as part of a user name.
        assert_eq!(e.expand_user_for(r"~\x", false), r"~\x");
        let e = env(&[("HOMEDRIVE", "D:"), ("HOMEPATH", r"\Users\me")]);
        assert_eq!(e.expand_user_for("~/x", true), r"D:\Users\me/x");
        let e = env(&[("HOMEPATH", r"\Users\me")]);
        assert_eq!(e.home_dir_for(true).as_deref(), Some(r"\Users\me"));
        let e = env(&[("HOMEDRIVE", "D:"), ("HOME", "/h")]);
        assert_eq!(e.home_dir_for(true), None);
        assert_eq!(e.expand_user_for("~/x", true), "~/x");
        // Values of ntpath.join(HOMEDRIVE, HOMEPATH) from Python 3.13.
        for (drive, path, python) in [
            ("C:", r"\users\x", r"C:\users\x"),
            ("C:", "users", "C:users"),
            (r"C:\", "users", r"C:\users"),
            (r"C:\a", "b", r"C:\a\b"),
            (r"C:\a", r"\b", r"C:\b"),
            (r"\\srv\share", r"users\x", r"\\srv\share\users\x"),
            (r"\\srv\share", r"\users", r"\\srv\share\users"),
            ("C:", r"D:\x", r"D:\x"),
            ("D:", r"\\srv\s\x", r"\\srv\s\x"),
        ] {
            assert_eq!(nt_join(drive, path), python, "{drive} {path}");
        }
    }

    #[test]
    fn windows_expand_vars() {
        // Values of ntpath.expandvars from Python 3.13 with A=1, B_C-D=2 set.
        let e = env(&[("A", "1"), ("B_C-D", "2")]);
        for (input, python) in [
            ("%A%/$A/${A}/$B_C-D", "1/1/1/2"),
            ("%NOPE%/$NOPE/${NOPE}", "%NOPE%/$NOPE/${NOPE}"),
            ("100%% $$A", "100% $A"),
            ("'%A%' %A%", "'%A%' 1"),
            ("'%A%", "'%A%"),
            ("%A", "%A"),
            ("${A", "${A"),
            ("$ $/%", "$ $/%"),
            ("é%A%é", "é1é"),
        ] {
            assert_eq!(e.expand_vars_for(input, true), python, "{input}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn without_home_the_password_database_gives_it() {
        // Never a literal `~` directory under the working directory.
        let e = env(&[]);
        let path = e.expand_path("~/.aws/config");
        match passwd_home() {
            Some(home) => assert_eq!(
                path,
                PathBuf::from(format!("{}/.aws/config", home.trim_end_matches('/')))
            ),
            None => assert_eq!(path, PathBuf::from("~/.aws/config")),
        }
    }
}

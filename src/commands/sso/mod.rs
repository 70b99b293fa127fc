//! `aws sso login` and `aws sso logout` (awscli/customizations/sso/): signing in to IAM
//! Identity Center and leaving, with the token and client registration files the SSO
//! credential provider (`credentials::sso`) reads.

mod browser;
mod callback;
pub mod login;
pub mod logout;
mod start_url;

use crate::config::Section;
use crate::credentials::profile_text;
use crate::error::Error;
use crate::settings::Settings;

/// What `BaseSSOCommand._get_sso_config` finds for the profile or `--sso-session`.
#[derive(Debug, PartialEq)]
pub struct SsoConfig {
    pub start_url: String,
    /// `sso_region` as configured (present, but possibly empty).
    pub region: String,
    /// The sso-session's name; `None` for a legacy profile (`sso_start_url` in the
    /// profile), which always signs in with the device code.
    pub session_name: Option<String>,
    /// `sso_registration_scopes` of the sso-session, when it has the setting.
    pub registration_scopes: Option<Vec<String>>,
}

impl SsoConfig {
    /// The profile's sso-session (or `sso_session_flag`), else the profile's own legacy
    /// settings; awscli's `InvalidSSOConfigError` texts when something is missing.
    pub fn load(settings: &Settings, sso_session_flag: Option<&str>) -> Result<SsoConfig, Error> {
        // `get_scoped_config` first: an unknown profile fails even with --sso-session.
        let scoped = settings.scoped()?;
        let session = match sso_session_flag {
            Some(flag) => Some(flag.to_string()),
            None => scoped.and_then(|s| profile_text(s, "sso_session")),
        };
        let Some(name) = session.filter(|s| !s.is_empty()) else {
            let empty = Section::new();
            let (start_url, region) = required(scoped.unwrap_or(&empty)).map_err(|missing| {
                Error::Configuration(format!(
                    "Missing the following required SSO configuration values: {missing}. To make sure this profile is properly configured to use SSO, please run: aws configure sso"
                ))
            })?;
            return Ok(SsoConfig {
                start_url,
                region,
                session_name: None,
                registration_scopes: None,
            });
        };
        let Some(section) = settings.files.sso_sessions.get(&name) else {
            return Err(Error::Configuration(format!(
                "The specified sso-session does not exist: \"{name}\""
            )));
        };
        let (start_url, region) = required(section).map_err(|missing| {
            Error::Configuration(format!(
                "Missing the following required SSO configuration values: {missing}. "
            ))
        })?;
        Ok(SsoConfig {
            start_url,
            region,
            registration_scopes: profile_text(section, "sso_registration_scopes")
                .map(|raw| parse_scopes(&raw)),
            session_name: Some(name),
        })
    }
}

/// `sso_start_url` and `sso_region`, or the names of those missing (`, `-joined).
fn required(section: &Section) -> Result<(String, String), String> {
    let start_url = profile_text(section, "sso_start_url");
    let region = profile_text(section, "sso_region");
    match (start_url, region) {
        (Some(s), Some(r)) => Ok((s, r)),
        (s, r) => {
            let mut missing = vec![];
            if s.is_none() {
                missing.push("sso_start_url");
            }
            if r.is_none() {
                missing.push("sso_region");
            }
            Err(missing.join(", "))
        }
    }
}

/// `parse_sso_registration_scopes`: comma-separated, stripped, empty ones dropped.
fn parse_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(pystd::text::strip)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, FullConfig};
    use crate::settings::Env;

    fn settings(config: &str, profile: Option<&str>) -> Settings {
        Settings {
            env: Env::default(),
            files: FullConfig::build(config::parse_ini(config).unwrap(), Vec::new()),
            profile_flag: profile.map(String::from),
        }
    }

    const CONFIG: &str = "[profile dev]\nsso_session = my-sso\n[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = eu-west-1\n[sso-session my-sso]\nsso_start_url = https://my.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = a, b ,,\n[sso-session bare]\nsso_start_url = https://bare.awsapps.com/start\n";

    #[test]
    fn session_legacy_and_missing_settings() {
        let c = SsoConfig::load(&settings(CONFIG, Some("dev")), None).unwrap();
        assert_eq!(c.session_name.as_deref(), Some("my-sso"));
        assert_eq!(c.registration_scopes, Some(vec!["a".into(), "b".into()]));
        let c = SsoConfig::load(&settings(CONFIG, Some("old")), None).unwrap();
        assert_eq!((c.session_name, c.region.as_str()), (None, "eu-west-1"));
        let e = SsoConfig::load(&settings(CONFIG, Some("dev")), Some("bare")).unwrap_err();
        assert_eq!(
            e,
            Error::Configuration(
                "Missing the following required SSO configuration values: sso_region. ".into()
            )
        );
        let e = SsoConfig::load(&settings(CONFIG, None), Some("nope")).unwrap_err();
        assert_eq!(
            e,
            Error::Configuration("The specified sso-session does not exist: \"nope\"".into())
        );
        let e = SsoConfig::load(&settings(CONFIG, Some("nope")), Some("my-sso")).unwrap_err();
        assert_eq!(e, Error::profile_not_found("nope"));
        let e = SsoConfig::load(&settings("", None), None).unwrap_err();
        assert!(
            matches!(e, Error::Configuration(m) if m.starts_with("Missing the following required SSO configuration values: sso_start_url, sso_region. To make"))
        );
    }
}

//! The EC2 instance metadata service (botocore `InstanceMetadataFetcher`, the CLI's
//! `InstanceMetadataRegionFetcher`): IMDSv2 token first (falling back to IMDSv1 when the
//! token is refused), `metadata_service_timeout` (1 s) and `metadata_service_num_attempts`
//! (1) per request, `AWS_EC2_METADATA_DISABLED`, `AWS_EC2_METADATA_SERVICE_ENDPOINT` /
//! `ec2_metadata_service_endpoint`, the IPv6 endpoint mode, `ec2_metadata_v1_disabled`.
//! Used for the region when none is configured, and last in the credential chain.

use std::time::Duration;

use serde_json::Value;

use super::Source;
use crate::aws::http::{self, HttpError, Request, Response};
use crate::aws::sigv4::Credentials;
use crate::error::Error;
use crate::settings::Settings;
use crate::time::Timestamp;
use crate::time::UtcTime;

const CREDENTIALS_PATH: &str = "latest/meta-data/iam/security-credentials/";
const REGION_PATH: &str = "latest/meta-data/placement/availability-zone/";

/// The fetcher's settings, read (and checked) as botocore does when it builds one.
pub struct Config {
    base_url: String,
    timeout: i64,
    attempts: i64,
    disabled: bool,
    v1_disabled: bool,
    proxies: http::Proxies,
}

impl Config {
    pub fn load(settings: &Settings) -> Result<Config, Error> {
        let int = |env: &str, key: &str, default: i64| -> Result<i64, Error> {
            match settings.var(&[env], key)? {
                Some(v) => Ok(pystd::number::int_i64(&v)?),
                None => Ok(default),
            }
        };
        let timeout = int(
            "AWS_METADATA_SERVICE_TIMEOUT",
            "metadata_service_timeout",
            1,
        )?;
        let attempts = int(
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
            "metadata_service_num_attempts",
            1,
        )?;
        let endpoint = settings.var(
            &["AWS_EC2_METADATA_SERVICE_ENDPOINT"],
            "ec2_metadata_service_endpoint",
        )?;
        let ipv6 = match settings.var(
            &["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"],
            "ec2_metadata_service_endpoint_mode",
        )? {
            Some(mode) => match mode.to_lowercase().as_str() {
                "ipv4" => false,
                "ipv6" => true,
                _ => {
                    return Err(Error::General(format!(
                        "Invalid EC2 Instance Metadata endpoint mode: {mode} Valid endpoint modes (case-insensitive): ('ipv4', 'ipv6')."
                    )))
                }
            },
            None => settings.flag("AWS_IMDS_USE_IPV6", "imds_use_ipv6")?,
        };
        let v1_disabled =
            settings.flag("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")?;
        let base_url = match endpoint.filter(|e| !e.is_empty()) {
            Some(e) => e,
            None if ipv6 => "http://[fd00:ec2::254]/".into(),
            None => "http://169.254.169.254/".into(),
        };
        crate::debug_log!("botocore.utils", "DEBUG", "IMDS ENDPOINT: {base_url}");
        if !is_valid_uri(&base_url) {
            return Err(Error::General(format!(
                "Invalid endpoint EC2 Instance Metadata endpoint: {base_url}"
            )));
        }
        Ok(Config {
            base_url,
            timeout,
            attempts,
            disabled: settings
                .env
                .get("AWS_EC2_METADATA_DISABLED")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            v1_disabled,
            proxies: http::Proxies::from_env(&settings.env),
        })
    }
}

/// botocore's `is_valid_uri`: a host name of valid labels, or an IPv6 literal.
fn is_valid_uri(url: &str) -> bool {
    let Some(host) = pystd::url::UrlParts::split(url).and_then(|p| p.hostname()) else {
        return false;
    };
    if host.parse::<std::net::Ipv6Addr>().is_ok() {
        return true;
    }
    let host = host.strip_suffix('.').unwrap_or(&host);
    host.len() <= 255
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Why a fetch gave nothing.
enum Fail {
    /// Disabled, or every attempt failed: botocore's `_RetriesExceededError`.
    Exhausted,
    /// The token request was answered 400 (`BadIMDSRequestError`).
    BadRequest,
    /// An error botocore lets escape (a proxy or TLS failure, IMDSv1 disabled).
    Fatal(Error),
}

struct Fetcher<'a> {
    cfg: &'a Config,
    client: http::Client,
}

impl<'a> Fetcher<'a> {
    fn new(cfg: &'a Config) -> Fetcher<'a> {
        let timeout = Some(Duration::from_secs(cfg.timeout.max(0) as u64));
        Fetcher {
            cfg,
            client: http::Client::new(http::Options {
                connect_timeout: timeout,
                read_timeout: timeout,
                ca_bundle: None,
                proxies: Some(cfg.proxies.clone()),
                no_verify: false,
            }),
        }
    }

    fn url(&self, path: &str) -> String {
        let sep = if self.cfg.base_url.ends_with('/') {
            ""
        } else {
            "/"
        };
        format!("{}{sep}{path}", self.cfg.base_url)
    }

    fn send(&self, req: &Request) -> Result<Response, HttpError> {
        if self.cfg.timeout <= 0 {
            return Err(HttpError::Other(format!(
                "Attempted to set connect timeout to {}, but the timeout cannot be set to a value less than or equal to 0.",
                self.cfg.timeout
            )));
        }
        self.client.send(req)
    }

    /// `_fetch_metadata_token`: the IMDSv2 session token, `None` to go on without one.
    fn token(&self) -> Result<Option<String>, Fail> {
        if self.cfg.disabled {
            crate::debug_log!(
                "botocore.utils",
                "DEBUG",
                "Access to EC2 metadata has been disabled."
            );
            return Err(Fail::Exhausted);
        }
        let req = Request {
            method: "PUT",
            url: self.url("latest/api/token"),
            headers: vec![(
                "x-aws-ec2-metadata-token-ttl-seconds".into(),
                "21600".into(),
            )],
            body: vec![],
        };
        for _ in 0..self.cfg.attempts {
            match self.send(&req) {
                Ok(r) if r.status == 200 => return Ok(Some(text(&r))),
                Ok(r) if [404, 403, 405].contains(&r.status) => return Ok(None),
                Ok(r) if r.status == 400 => return Err(Fail::BadRequest),
                Ok(_) => {}
                Err(HttpError::ReadTimeout) => return Ok(None),
                Err(e) if e.is_retryable_fetch_error() => {}
                Err(e) => return Err(Fail::Fatal(Error::General(e.message(&req.url)))),
            }
        }
        Ok(None)
    }

    /// `_get_request`: the first answer `acceptable` accepts.
    fn get(
        &self,
        path: &str,
        token: Option<&str>,
        acceptable: fn(&Response) -> bool,
    ) -> Result<Response, Fail> {
        if self.cfg.disabled {
            return Err(Fail::Exhausted);
        }
        if token.is_none_or(str::is_empty) && self.cfg.v1_disabled {
            return Err(Fail::Fatal(Error::General(
                "Error retrieving metadata: Unable to retrieve token for use in IMDSv2 call and IMDSv1 has been disabled".into(),
            )));
        }
        let mut headers = vec![];
        if let Some(t) = token {
            headers.push(("x-aws-ec2-metadata-token".to_string(), t.to_string()));
        }
        let req = Request {
            method: "GET",
            url: self.url(path),
            headers,
            body: vec![],
        };
        for _ in 0..self.cfg.attempts {
            match self.send(&req) {
                Ok(r) if acceptable(&r) => return Ok(r),
                Ok(_) => {}
                Err(e) if e.is_retryable_fetch_error() => {}
                Err(e) => return Err(Fail::Fatal(Error::General(e.message(&req.url)))),
            }
        }
        Err(Fail::Exhausted)
    }

    /// `retrieve_iam_role_credentials`: role name, then its credentials.
    fn credentials(&self) -> Result<Option<Value>, Fail> {
        let token = self.token()?;
        let role = text(&self.get(CREDENTIALS_PATH, token.as_deref(), ok_and_not_empty)?);
        let creds = self.get(
            &format!("{CREDENTIALS_PATH}{role}"),
            token.as_deref(),
            |r| ok_and_not_empty(r) && serde_json::from_slice::<Value>(&r.body).is_ok(),
        )?;
        let value = credentials_document(&creds.body);
        if value.is_some() {
            crate::debug_log!(
                "botocore.credentials",
                "DEBUG",
                "Found credentials from IAM Role: {role}"
            );
        }
        Ok(value)
    }
}

/// The instance's credentials document, if it is JSON with every field botocore needs.
pub fn credentials_document(body: &[u8]) -> Option<Value> {
    let value: Value = serde_json::from_slice(body).unwrap_or_default();
    let complete = ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"]
        .iter()
        .all(|k| value.get(k).is_some());
    complete.then_some(value)
}

fn text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn ok_and_not_empty(r: &Response) -> bool {
    r.status == 200 && !r.body.is_empty()
}

/// `InstanceMetadataProvider.load`.
pub fn load(cfg: &Config, now: UtcTime) -> Result<Option<Source>, Error> {
    let value = match Fetcher::new(cfg).credentials() {
        Ok(Some(v)) => v,
        Ok(None) | Err(Fail::Exhausted | Fail::BadRequest) => return Ok(None),
        Err(Fail::Fatal(e)) => return Err(e),
    };
    let (creds, expiry) = credentials_of(&value, now)?;
    Ok(Some(Source::Refreshable {
        creds,
        expiry,
        refresh: super::Refresh::Imds,
    }))
}

/// The credentials of a complete document (`credentials_document`).
pub fn credentials_of(value: &Value, now: UtcTime) -> Result<(Credentials, Timestamp), Error> {
    let field = |k: &str| match &value[k] {
        Value::String(s) => s.clone(),
        other => pystd::repr::value_str(other),
    };
    let expiration = extend_expiration(&field("Expiration"), now, random_jitter());
    let creds = Credentials {
        access_key_id: field("AccessKeyId"),
        secret_access_key: field("SecretAccessKey").into(),
        session_token: Some(field("Token").into()),
        unusable: None,
    };
    Ok((creds, Timestamp::parse(&expiration)?))
}

/// Fetch the instance's credentials again (their refresh).
pub fn refetch(settings: &Settings, now: UtcTime) -> Result<(Credentials, Timestamp), Error> {
    let cfg = Config::load(settings)?;
    match Fetcher::new(&cfg).credentials() {
        Ok(Some(v)) => credentials_of(&v, now),
        Ok(None) | Err(Fail::Exhausted | Fail::BadRequest) => Err(Error::General(
            "Error when retrieving credentials from iam-role: Credential refresh failed, response did not contain: access_key, secret_key, token, expiry_time".into(),
        )),
        Err(Fail::Fatal(e)) => Err(e),
    }
}

fn random_jitter() -> i64 {
    120 + (crate::aws::http::random_unit() * 481.0) as i64
}

/// `_evaluate_expiration`: credentials that expire within the refresh window (15 min
/// plus 2–10 min of jitter) are used for that long instead, as botocore does while the
/// instance's credential service is unavailable.
fn extend_expiration(expiration: &str, now: UtcTime, jitter: i64) -> String {
    let strict =
        expiration.len() == 20 && expiration.ends_with('Z') && expiration.as_bytes()[10] == b'T';
    let Some(t) = strict.then(|| Timestamp::parse(expiration).ok()).flatten() else {
        return expiration.to_string();
    };
    let window = 900 + jitter;
    if now.0 >= t.secs - window {
        now.plus_seconds(window).rfc3339()
    } else {
        expiration.to_string()
    }
}

/// The CLI's `IMDSRegionProvider`: the availability zone minus its last letter.
pub fn region(settings: &Settings) -> Result<Option<String>, Error> {
    let cfg = Config::load(settings)?;
    let fetcher = Fetcher::new(&cfg);
    let az = fetcher
        .token()
        .and_then(|token| fetcher.get(REGION_PATH, token.as_deref(), ok_and_not_empty));
    match az {
        Ok(r) => {
            let mut az = text(&r);
            az.pop();
            Ok(Some(az))
        }
        Err(Fail::Exhausted | Fail::BadRequest) => Ok(None),
        Err(Fail::Fatal(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_validation() {
        for ok in [
            "http://169.254.169.254/",
            "http://[fd00:ec2::254]/",
            "http://127.0.0.1:28713/",
            "http://imds.local",
        ] {
            assert!(is_valid_uri(ok), "{ok}");
        }
        for bad in ["garbage", "http://", "http://bad_host/"] {
            assert!(!is_valid_uri(bad), "{bad}");
        }
    }

    #[test]
    fn expiring_credentials_are_extended() {
        let now = UtcTime(1704164645); // 2024-01-02T03:04:05Z
        assert_eq!(
            extend_expiration("2024-01-02T09:00:00Z", now, 300),
            "2024-01-02T09:00:00Z"
        );
        assert_eq!(
            extend_expiration("2024-01-02T03:10:00Z", now, 300),
            "2024-01-02T03:24:05Z"
        );
        assert_eq!(
            extend_expiration("2024-01-02T03:10:00.5Z", now, 300),
            "2024-01-02T03:10:00.5Z"
        );
    }
}

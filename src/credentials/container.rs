//! Container credentials (botocore `ContainerProvider` and `ContainerMetadataFetcher`):
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https, loopback or the ECS/EKS hosts), with
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`; a GET
//! with a 2 s timeout, no proxy, tried 3 times with a 1 s pause after each failure.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::Value;

use super::{cache, Refresh, Source};
use crate::aws::http::{self, Request};
use crate::aws::sigv4::Credentials;
use crate::error::Error;
use crate::settings::Settings;
use crate::time::Timestamp;

const ALLOWED_HOSTS: [&str; 4] = [
    "169.254.170.2",
    "169.254.170.23",
    "fd00:ec2::23",
    "localhost",
];

/// One container endpoint and its headers.
pub struct Fetch {
    url: String,
    authorization: Option<String>,
}

/// `ContainerProvider.load`: only when one of the URI variables is set (even empty).
pub fn load(settings: &Settings) -> Result<Option<Source>, Error> {
    let env = &settings.env;
    let url = match (
        env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    ) {
        (Some(relative), _) => format!("http://169.254.170.2{relative}"),
        (None, Some(full)) => full.to_string(),
        (None, None) => return Ok(None),
    };
    let authorization = match (
        env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
        env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    ) {
        (Some(path), _) => Some(super::read_text_file(path)?),
        (None, Some(token)) => Some(token.to_string()),
        (None, None) => None,
    };
    if authorization
        .as_deref()
        .is_some_and(|t| t.contains(['\r', '\n']))
    {
        return Err(Error::General(
            "Auth token value is not a legal header value".into(),
        ));
    }
    let fetch = Fetch { url, authorization };
    let (creds, expiry) = fetch.fetch()?;
    Ok(Some(Source::Refreshable {
        creds,
        expiry,
        refresh: Refresh::Container(fetch),
    }))
}

impl Fetch {
    /// `retrieve_full_uri` and the credentials in its answer.
    pub fn fetch(&self) -> Result<(Credentials, Timestamp), Error> {
        validate_url(&self.url)?;
        credentials_of(&self.retrieve()?)
    }

    /// `_retrieve_credentials`: up to 3 attempts, sleeping 1 s after each failure; the
    /// last failure becomes the provider's error.
    fn retrieve(&self) -> Result<Value, Error> {
        let client = http::Client::new(http::Options {
            connect_timeout: Some(Duration::from_secs(2)),
            read_timeout: Some(Duration::from_secs(2)),
            ca_bundle: None,
            proxies: None,
            no_verify: false,
        });
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some(token) = &self.authorization {
            headers.push(("Authorization".to_string(), token.clone()));
        }
        let req = Request {
            method: "GET",
            url: self.url.clone(),
            headers,
            body: vec![],
        };
        let mut attempts = 0;
        loop {
            match attempt(&client, &req)? {
                Ok(v) => return Ok(v),
                Err(msg) => {
                    std::thread::sleep(Duration::from_secs(1));
                    attempts += 1;
                    if attempts >= 3 {
                        return Err(Error::General(format!(
                            "Error when retrieving credentials from container-role: Error retrieving metadata: {msg}"
                        )));
                    }
                }
            }
        }
    }
}

/// One request: the JSON answer, or a failure botocore retries (`Ok(Err(text))`); other
/// failures (TLS, for an https URI) escape its loop as they are.
fn attempt(client: &http::Client, req: &Request) -> Result<Result<Value, String>, Error> {
    let response = match client.send(req) {
        Ok(r) => r,
        Err(e) if e.is_retryable_fetch_error() => {
            return Ok(Err(format!(
                "Received error when attempting to retrieve container metadata: {}",
                e.message(&req.url)
            )))
        }
        Err(e) => return Err(Error::General(e.message(&req.url))),
    };
    Ok(read_response(&response))
}

/// An answer of the container endpoint: its JSON, or the failure botocore retries.
pub fn read_response(response: &http::Response) -> Result<Value, String> {
    let text = String::from_utf8_lossy(&response.body);
    if response.status != 200 {
        return Err(format!(
            "Received non 200 response {} from container metadata: {text}",
            response.status
        ));
    }
    serde_json::from_str(&text)
        .map_err(|_| "Unable to parse JSON returned from container metadata services".into())
}

/// The credentials in the endpoint's JSON (`AccessKeyId`, `SecretAccessKey`, `Token`,
/// `Expiration`).
pub fn credentials_of(body: &Value) -> Result<(Credentials, Timestamp), Error> {
    let text = |k: &str| -> Result<String, Error> {
        Ok(match cache::py_index(body, k)? {
            Value::String(s) => s.clone(),
            other => pystd::repr::value_str(other),
        })
    };
    let creds = Credentials {
        access_key_id: text("AccessKeyId")?,
        secret_access_key: text("SecretAccessKey")?.into(),
        session_token: Some(text("Token")?.into()),
        unusable: None,
    };
    let expiry = cache::parse_time_value(cache::py_index(body, "Expiration")?)?;
    Ok((creds, expiry))
}

/// `_validate_allowed_url`: https anywhere; http only to a loopback address or the
/// container hosts.
fn validate_url(url: &str) -> Result<(), Error> {
    let parts = pystd::url::UrlParts::split(url);
    let scheme = parts.as_ref().map(|p| p.scheme.as_str()).unwrap_or("");
    if scheme == "https" {
        return Ok(());
    }
    let host = parts.and_then(|p| p.hostname());
    let loopback = host
        .as_deref()
        .and_then(|h| h.parse::<IpAddr>().ok())
        .is_some_and(|ip| ip.is_loopback());
    if loopback || host.as_deref().is_some_and(|h| ALLOWED_HOSTS.contains(&h)) {
        return Ok(());
    }
    let shown = host.as_deref().unwrap_or("None");
    Err(Error::General(format!(
        "Unsupported host '{shown}'.  Can only retrieve metadata from a loopback address or one of these hosts: {}",
        ALLOWED_HOSTS.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts() {
        for ok in [
            "http://127.0.0.1:28714/creds",
            "http://127.1.2.3/x",
            "http://[::1]:80/x",
            "http://localhost/x",
            "http://169.254.170.23/v1/credentials",
            "https://example.com/creds",
        ] {
            assert!(validate_url(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            validate_url("http://example.com/creds"),
            Err(Error::General("Unsupported host 'example.com'.  Can only retrieve metadata from a loopback address or one of these hosts: 169.254.170.2, 169.254.170.23, fd00:ec2::23, localhost".into()))
        );
    }
}

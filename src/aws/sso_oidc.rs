//! SSO OIDC (`sso-oidc`, botocore/data/sso-oidc/2019-06-10): the unsigned rest-json calls
//! `aws sso login` makes (RegisterClient, StartDeviceAuthorization, CreateToken) and the
//! SSO token provider's refresh (CreateToken with a refresh token).

use serde_json::Value;

use super::endpoint::Endpoint;
use super::http::{Client, Request, RetryPolicy};
use super::rest_json::{self, Modeled};
use crate::error::Error;

/// The service's error shapes and their members (service-2.json).
const MODELED: Modeled = &[
    (
        "AccessDeniedException",
        &["error", "reason", "error_description"],
    ),
    (
        "AuthorizationPendingException",
        &["error", "error_description"],
    ),
    ("ExpiredTokenException", &["error", "error_description"]),
    ("InternalServerException", &["error", "error_description"]),
    ("InvalidClientException", &["error", "error_description"]),
    (
        "InvalidClientMetadataException",
        &["error", "error_description"],
    ),
    ("InvalidGrantException", &["error", "error_description"]),
    (
        "InvalidRedirectUriException",
        &["error", "error_description"],
    ),
    (
        "InvalidRequestException",
        &["error", "reason", "error_description"],
    ),
    (
        "InvalidRequestRegionException",
        &["error", "error_description", "endpoint", "region"],
    ),
    ("InvalidScopeException", &["error", "error_description"]),
    ("SlowDownException", &["error", "error_description"]),
    (
        "UnauthorizedClientException",
        &["error", "error_description"],
    ),
    (
        "UnsupportedGrantTypeException",
        &["error", "error_description"],
    ),
];

/// An SSO OIDC client in one region.
pub struct Oidc<'a> {
    pub http: &'a Client,
    pub retry: RetryPolicy,
    pub endpoint: &'a Endpoint,
}

impl Oidc<'_> {
    /// `POST /client/register`.
    pub fn register_client(&self, body: &Value) -> Result<Value, Error> {
        self.call("RegisterClient", "/client/register", body)
    }

    /// `POST /device_authorization`.
    pub fn start_device_authorization(&self, body: &Value) -> Result<Value, Error> {
        self.call("StartDeviceAuthorization", "/device_authorization", body)
    }

    /// `POST /token`: every grant (device code, authorization code, refresh token).
    pub fn create_token(&self, body: &Value) -> Result<Value, Error> {
        self.call("CreateToken", "/token", body)
    }

    /// `scheme://netloc` of the endpoint: where the un-modeled `/authorize` page is
    /// (botocore `SSOTokenFetcherAuth._get_base_authorization_uri` keeps no path).
    pub fn base_url(&self) -> String {
        let parts = pystd::url::UrlParts::split(&self.endpoint.url);
        match parts {
            Some(p) => format!("{}://{}", p.scheme, p.netloc),
            None => self.endpoint.url.clone(),
        }
    }

    fn call(&self, operation: &str, path: &str, body: &Value) -> Result<Value, Error> {
        let req = Request {
            method: "POST",
            url: format!("{}{path}", self.endpoint.url.trim_end_matches('/')),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap_or_default(),
        };
        rest_json::call(self.http, self.retry, &req, operation, MODELED)
    }
}

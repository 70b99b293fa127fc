//! The SSO portal (`sso`, botocore/data/sso/2019-06-10): GetRoleCredentials for the SSO
//! credential provider and Logout for `aws sso logout`, unsigned rest-json calls that carry
//! the session's access token in `x-amz-sso_bearer_token`.

use serde_json::Value;

use super::endpoint::Endpoint;
use super::http::{Client, Request, RetryPolicy};
use super::rest_json::{self, Modeled};
use crate::error::Error;
use pystd::url::quote;

/// The service's error shapes and their members (service-2.json).
pub const MODELED: Modeled = &[
    ("InvalidRequestException", &["message"]),
    ("ResourceNotFoundException", &["message"]),
    ("TooManyRequestsException", &["message"]),
    ("UnauthorizedException", &["message"]),
];

/// An SSO portal client in one region.
pub struct Portal<'a> {
    pub http: &'a Client,
    pub retry: RetryPolicy,
    pub endpoint: &'a Endpoint,
}

impl Portal<'_> {
    /// `GET /federation/credentials?role_name=&account_id=`.
    pub fn get_role_credentials(
        &self,
        role_name: &str,
        account_id: &str,
        access_token: &str,
    ) -> Result<Value, Error> {
        let url = format!(
            "{}/federation/credentials?role_name={}&account_id={}",
            self.base(),
            quote(role_name, ""),
            quote(account_id, "")
        );
        self.call("GetRoleCredentials", "GET", url, access_token)
    }

    /// `POST /logout`: the portal forgets the session of this access token.
    pub fn logout(&self, access_token: &str) -> Result<(), Error> {
        let url = format!("{}/logout", self.base());
        self.call("Logout", "POST", url, access_token).map(drop)
    }

    fn base(&self) -> &str {
        self.endpoint.url.trim_end_matches('/')
    }

    fn call(
        &self,
        operation: &str,
        method: &'static str,
        url: String,
        access_token: &str,
    ) -> Result<Value, Error> {
        let req = Request {
            method,
            url,
            headers: vec![("x-amz-sso_bearer_token".into(), access_token.into())],
            body: vec![],
        };
        rest_json::call(self.http, self.retry, &req, operation, MODELED)
    }
}

//! EKS `DescribeCluster` as botocore sends it: a SigV4-signed rest-json `GET
//! /clusters/{name}` with the CLI's retries; errors as `Error::Client`.

use serde_json::Value;

use super::endpoint::Endpoint;
use super::http::{Client, Request, RetryPolicy};
use super::rest_json::{self, Modeled};
use super::sigv4::{self, Credentials};
use crate::error::Error;
use crate::time::UtcTime;

/// EKS's error shapes and their members, in model order (`eks/2017-11-01/service-2.json`):
/// botocore adds those present in an error body to the error the CLI shows.
pub const MODELED: Modeled = &[
    ("AccessDeniedException", &["message"]),
    ("BadRequestException", &["message"]),
    (
        "ClientException",
        &[
            "clusterName",
            "nodegroupName",
            "addonName",
            "subscriptionId",
            "message",
        ],
    ),
    (
        "InvalidParameterException",
        &[
            "clusterName",
            "nodegroupName",
            "fargateProfileName",
            "addonName",
            "subscriptionId",
            "message",
        ],
    ),
    (
        "InvalidRequestException",
        &[
            "clusterName",
            "nodegroupName",
            "addonName",
            "subscriptionId",
            "message",
        ],
    ),
    ("InvalidStateException", &["clusterName", "message"]),
    ("NotFoundException", &["message"]),
    (
        "ResourceInUseException",
        &["clusterName", "nodegroupName", "addonName", "message"],
    ),
    (
        "ResourceLimitExceededException",
        &["clusterName", "nodegroupName", "subscriptionId", "message"],
    ),
    (
        "ResourceNotFoundException",
        &[
            "clusterName",
            "nodegroupName",
            "fargateProfileName",
            "addonName",
            "subscriptionId",
            "message",
        ],
    ),
    ("ResourcePropagationDelayException", &["message"]),
    (
        "ServerException",
        &[
            "clusterName",
            "nodegroupName",
            "addonName",
            "subscriptionId",
            "message",
        ],
    ),
    ("ServiceUnavailableException", &["message"]),
    ("ThrottlingException", &["clusterName", "message"]),
    (
        "UnsupportedAvailabilityZoneException",
        &["message", "clusterName", "nodegroupName", "validZones"],
    ),
];

/// One EKS client: where it sends, how it signs (`None`: unsigned), its retries.
pub struct Eks<'a> {
    pub http: &'a Client,
    pub retry: RetryPolicy,
    pub endpoint: &'a Endpoint,
    pub signer: Option<&'a Credentials>,
}

impl Eks<'_> {
    /// The whole response document (`{"cluster": {...}}`), as `json.loads` reads it.
    pub fn describe_cluster(&self, name: &str) -> Result<Value, Error> {
        // botocore percent-encodes a URI label with `-._~` safe (so `/` too).
        let path = format!(
            "{}/clusters/{}",
            self.endpoint.path.trim_end_matches('/'),
            pystd::url::quote(name, "")
        );
        let url = format!(
            "{}/clusters/{}",
            self.endpoint.url.trim_end_matches('/'),
            pystd::url::quote(name, "")
        );
        let url = self.endpoint.request_url(&url);
        let query = self.endpoint.canonical_query();
        let mut headers = Vec::new();
        if let Some(creds) = self.signer {
            self.endpoint.check_signable()?;
            creds.check_usable()?;
            let request = sigv4::Request {
                method: "GET",
                host: &self.endpoint.host,
                path: &path,
                query: &query,
                headers: &[],
                body: b"",
            };
            let scope = sigv4::Scope {
                region: &self.endpoint.signing_region,
                service: "eks",
                now: UtcTime::now(),
            };
            headers.extend(sigv4::sign(creds, &request, &scope));
        }
        let req = Request {
            method: "GET",
            url,
            headers,
            body: Vec::new(),
        };
        rest_json::call(self.http, self.retry, &req, "DescribeCluster", MODELED)
    }
}

//! EKS `DescribeCluster` as botocore sends it: a SigV4-signed rest-json `GET
//! /clusters/{name}` with the CLI's retries; errors as `Error::Client`.

use serde_json::Value;

use super::endpoint::Endpoint;
use super::http::{Client, Request, RetryPolicy};
use super::rest_json::{self, Modeled};
use super::sigv4::{self, Credentials};
use crate::error::Error;
use crate::time::UtcTime;

/// The members of EKS's errors about a resource (ClientException and its kin).
const RESOURCE: &[&str] = &[
    "clusterName",
    "nodegroupName",
    "addonName",
    "subscriptionId",
    "message",
];
/// [`RESOURCE`] with `fargateProfileName`, in model order.
const FARGATE_RESOURCE: &[&str] = &[
    "clusterName",
    "nodegroupName",
    "fargateProfileName",
    "addonName",
    "subscriptionId",
    "message",
];

/// EKS's error shapes and their members, in model order (`eks/2017-11-01/service-2.json`):
/// botocore adds those present in an error body to the error the CLI shows.
pub const MODELED: Modeled = &[
    ("AccessDeniedException", &["message"]),
    ("BadRequestException", &["message"]),
    ("ClientException", RESOURCE),
    ("InvalidParameterException", FARGATE_RESOURCE),
    ("InvalidRequestException", RESOURCE),
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
    ("ResourceNotFoundException", FARGATE_RESOURCE),
    ("ResourcePropagationDelayException", &["message"]),
    ("ServerException", RESOURCE),
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

/// Members of botocore's `Cluster` shape, in the model's order, whose parser fails on a
/// value of the wrong type: structures (`value.get`) and the `tags` map (`value.items`).
/// Members of other types are taken as they are (timestamps and lists not modelled).
const CLUSTER_SHAPE: &[(&str, Shape)] = &[
    ("resourcesVpcConfig", Shape::Structure),
    ("kubernetesNetworkConfig", Shape::Structure),
    ("logging", Shape::Structure),
    ("identity", Shape::Structure),
    ("certificateAuthority", Shape::Structure),
    ("tags", Shape::Map),
    ("connectorConfig", Shape::Structure),
    ("health", Shape::Structure),
    ("outpostConfig", Shape::Structure),
    ("accessConfig", Shape::Structure),
    ("upgradePolicy", Shape::Structure),
    ("zonalShiftConfig", Shape::Structure),
    ("remoteNetworkConfig", Shape::Structure),
    ("computeConfig", Shape::Structure),
    ("storageConfig", Shape::Structure),
    ("controlPlaneScalingConfig", Shape::Structure),
];

#[derive(Clone, Copy)]
enum Shape {
    Structure,
    Map,
}

/// The description as botocore's parser leaves it (`DescribeClusterResponse`): a structure
/// that is not a JSON object fails as Python's `value.get` does, a map as `value.items`;
/// members whose value is `null` are dropped, so a null member reads as a missing one. A
/// body of `null` fails when it updates the parsed response.
pub fn parsed(mut document: Value) -> Result<Value, Error> {
    fn structure(
        v: &mut Value,
        shape: Shape,
    ) -> Result<&mut serde_json::Map<String, Value>, Error> {
        let attribute = match shape {
            Shape::Structure => "get",
            Shape::Map => "items",
        };
        let name = pystd::repr::type_name(v);
        let m = v.as_object_mut().ok_or_else(|| {
            Error::General(format!("'{name}' object has no attribute '{attribute}'"))
        })?;
        if let Shape::Structure = shape {
            m.retain(|_, v| !v.is_null());
        }
        Ok(m)
    }
    if document.is_null() {
        // The parsed body (None) updates the parsed response dict.
        return Err(Error::General("'NoneType' object is not iterable".into()));
    }
    if let Some(cluster) = structure(&mut document, Shape::Structure)?.get_mut("cluster") {
        let c = structure(cluster, Shape::Structure)?;
        for (key, shape) in CLUSTER_SHAPE {
            if let Some(v) = c.get_mut(*key) {
                structure(v, *shape)?;
            }
        }
    }
    Ok(document)
}

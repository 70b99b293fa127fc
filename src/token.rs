//! The token (spec §1.5): a SigV4 query-presigned `GET` of STS `GetCallerIdentity` with the
//! `x-k8s-aws-id` header signed but not sent, base64url-encoded without padding behind
//! `k8s-aws-v1.`. Pure: credentials, endpoint, cluster id and time in, token out.

use base64::Engine;

use crate::aws::endpoint::Endpoint;
use crate::aws::sigv4::{self, Credentials, Request, Scope};
use crate::time::UtcTime;

const TOKEN_PREFIX: &str = "k8s-aws-v1.";

/// The token for `cluster_id`. `None` credentials = `--no-sign-request`: the AWS CLI then
/// encodes the bare endpoint URL, without even the query string.
pub fn token(
    creds: Option<&Credentials>,
    endpoint: &Endpoint,
    cluster_id: &str,
    now: UtcTime,
) -> String {
    let url = match creds {
        Some(c) => presign_get_caller_identity(c, endpoint, cluster_id, now),
        None => endpoint.bare_url.clone(),
    };
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url.as_bytes())
    )
}

/// botocore's SigV4QueryAuth for the presigned GetCallerIdentity URL (60 s).
pub fn presign_get_caller_identity(
    creds: &Credentials,
    endpoint: &Endpoint,
    cluster_id: &str,
    now: UtcTime,
) -> String {
    let req = Request {
        method: "GET",
        host: &endpoint.host,
        path: &endpoint.path,
        query: "",
        headers: &[("x-k8s-aws-id", cluster_id)],
        body: b"",
    };
    let scope = Scope {
        region: &endpoint.signing_region,
        service: "sts",
        now,
    };
    let params = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];
    sigv4::presign(creds, &endpoint.bare_url, &req, &params, 60, &scope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::endpoint::{sts_endpoint, EndpointConfig};

    fn example() -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            unusable: None,
        }
    }

    fn endpoint(region: Option<&str>) -> Endpoint {
        sts_endpoint(&EndpointConfig {
            region: region.map(String::from),
            ..Default::default()
        })
        .unwrap()
    }

    fn signature(url: &str) -> &str {
        url.rsplit_once("X-Amz-Signature=").unwrap().1
    }

    const NOW: UtcTime = UtcTime(1704164645); // 2024-01-02T03:04:05Z

    #[test]
    fn aws_cli_vectors() {
        // Spec §6, observed on AWS CLI 2.36.7.
        let c = example();
        let sig = |region, id| presign_get_caller_identity(&c, &endpoint(region), id, NOW);
        assert_eq!(
            signature(&sig(Some("us-west-2"), "a")),
            "5604fdc5c7d7514a5129e855fc4b87369793830c1e0616953e096dfc5ae837c7"
        );
        assert_eq!(
            signature(&sig(Some("us-west-2"), "x")),
            "14b413c07f1f1d5328fb8e5178247bdc268c698e37eb3f0724ba63ef529e2cbe"
        );
        assert_eq!(
            signature(&sig(Some("us-west-2"), "abc")),
            "b0be7d9ef8344c01c04e02d3452c210edfa15f56a1c20bc49e817e906ac3cbd7"
        );
        assert_eq!(
            signature(&sig(None, "a")),
            "9e01852d629e832ffd20b5742d3af6a8e848685fe1577d36a8596edd4e718db7"
        );
        assert_eq!(
            signature(&sig(Some("us-east-1"), "a")),
            "dddcb73a25d067f1326ebf5d2321136a91df3697810c459ccd2216e55f09b4c0"
        );
        assert_eq!(
            signature(&sig(Some("eu-west-1"), "a")),
            "a125b886b4dd653ac6d6f474b6adf5277f9b1706f9bf9fa824c1fe2e2e278850"
        );
        assert_eq!(
            signature(&sig(Some("cn-north-1"), "a")),
            "25621aeba7e35be2fa64046cb65ace417bf5fabe08c648e6b12be96e6789ed6f"
        );
        assert_eq!(
            signature(&sig(Some("us-gov-west-1"), "a")),
            "0a5331f7cc2d7d5f9b6540b06af6f3ee748f397da600400522ed2396bf18e354"
        );
        assert_eq!(
            signature(&sig(Some("us-west-2"), "  my   cluster  ")),
            "8b707f73de6634499a3d3121d4a3e47400df23a14d262e7edf61085ac479984e"
        );
        assert_eq!(
            signature(&sig(Some("us-west-2"), "clüster")),
            "e380fdfd8fd6d9d42a8aa0f45d58218ce53346ba770a580cd9f49b2916d137f3"
        );
    }

    #[test]
    fn session_token_goes_before_the_signature() {
        let mut c = example();
        c.session_token = Some("FQoGZXIvYXdzEXAMPLE/+=".into());
        let url = presign_get_caller_identity(&c, &endpoint(Some("us-west-2")), "a", NOW);
        assert!(url.contains("&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2F%2B%3D&X-Amz-Signature="));
        assert_eq!(
            signature(&url),
            "63e83ffb19731e778a6fc35de492ff28f518b3b93540cce4ad1bd758bab65ce7"
        );
    }

    #[test]
    fn whole_default_token() {
        let t = token(Some(&example()), &endpoint(Some("us-west-2")), "a", NOW);
        assert_eq!(t, "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjQwMTAyJTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMDJUMDMwNDA1WiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9NTYwNGZkYzVjN2Q3NTE0YTUxMjllODU1ZmM0Yjg3MzY5NzkzODMwYzFlMDYxNjk1M2UwOTZkZmM1YWU4MzdjNw");
    }

    #[test]
    fn aws_iam_authenticator_vector() {
        // PEERS.md §1: aws-iam-authenticator's TestGetWithSTS.
        let c = Credentials {
            access_key_id: "ASIAR2TG44V6AS3ZZE7C".into(),
            secret_access_key: "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/Q".into(),
            session_token: None,
            unusable: None,
        };
        let t = token(
            Some(&c),
            &endpoint(Some("us-west-2")),
            "test-cluster",
            UtcTime(1682640000),
        );
        assert_eq!(t.len(), 493);
        let url = presign_get_caller_identity(
            &c,
            &endpoint(Some("us-west-2")),
            "test-cluster",
            UtcTime(1682640000),
        );
        assert_eq!(
            signature(&url),
            "e211dba77aba9dc44b0b6be38b8eaad092599c5157f6314444c5b9d85747f5ce"
        );
    }

    #[test]
    fn no_sign_request_is_the_bare_url() {
        assert_eq!(
            token(None, &endpoint(Some("us-west-2")), "a", NOW),
            "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20v"
        );
    }
}

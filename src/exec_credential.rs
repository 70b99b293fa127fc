//! The ExecCredential document kubectl reads (spec §1.9–1.10), and the apiVersion it asks
//! for through `KUBERNETES_EXEC_INFO`.

use serde_json::{json, Value};

use crate::error::Error;

pub const ALPHA_API: &str = "client.authentication.k8s.io/v1alpha1";
pub const BETA_API: &str = "client.authentication.k8s.io/v1beta1";
pub const V1_API: &str = "client.authentication.k8s.io/v1";

/// `{kind, apiVersion, spec: {}, status: {expirationTimestamp, token}}`, in that order.
pub fn document(api_version: &str, expiration: &str, token: &str) -> Value {
    json!({
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "spec": {},
        "status": {"expirationTimestamp": expiration, "token": token},
    })
}

/// The apiVersion to answer with, and the line the AWS CLI prints to stderr on the way
/// (`discover_api_version`). `raw` is `KUBERNETES_EXEC_INFO` (unset counts as empty).
pub fn discover_api_version(raw: &str) -> Result<(&'static str, Option<String>), Error> {
    if raw.is_empty() {
        return Ok((BETA_API, None));
    }
    // Only a JSONDecodeError is caught; a RecursionError ends the command.
    let parsed = match pystd::json::loads_nested(raw, EXEC_INFO_DEPTH) {
        Ok(v) => v,
        Err(e @ pystd::json::Error::TooDeep(_)) => return Err(Error::General(e.to_string())),
        Err(pystd::json::Error::Decode { .. }) => {
            return Ok((
                BETA_API,
                Some(format!("Error parsing KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely a bug in your Kubernetes client. Please update your Kubernetes client.\n")),
            ))
        }
    };
    let pystd::json::Value::Dict(_) = parsed else {
        // `exec_info.get(...)` on a list, str, int, float, bool or None.
        return Err(Error::General(format!(
            "'{}' object has no attribute 'get'",
            parsed.type_name()
        )));
    };
    match parsed.get("apiVersion").and_then(|v| v.as_str()) {
        Some(v @ (V1_API | BETA_API)) => Ok((if v == V1_API { V1_API } else { BETA_API }, None)),
        Some(ALPHA_API) => Ok((
            ALPHA_API,
            Some(format!("Kubeconfig user entry is using deprecated API version {ALPHA_API}. Run 'aws eks update-kubeconfig' to update.\n")),
        )),
        _ => Ok((
            BETA_API,
            Some(format!("Unrecognized API version in KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely due to an outdated AWS CLI. Please update your AWS CLI.\n")),
        )),
    }
}

/// The nesting `KUBERNETES_EXEC_INFO` may have before get-token's `json.loads` raises
/// RecursionError (measured on v2.36.7: 9992 levels decode, 9993 do not).
const EXEC_INFO_DEPTH: usize = 9992;

#[cfg(test)]
mod tests {
    use super::*;

    fn api(raw: &str) -> Result<(&'static str, bool), Error> {
        discover_api_version(raw).map(|(v, msg)| (v, msg.is_some()))
    }

    #[test]
    fn every_branch() {
        assert_eq!(api(""), Ok((BETA_API, false)));
        assert_eq!(api(" "), Ok((BETA_API, true)));
        assert_eq!(api("{"), Ok((BETA_API, true)));
        assert_eq!(
            api(r#"{"apiVersion": "client.authentication.k8s.io/v1"}"#),
            Ok((V1_API, false))
        );
        assert_eq!(
            api(r#" {"apiVersion": "client.authentication.k8s.io/v1beta1"} "#),
            Ok((BETA_API, false))
        );
        assert_eq!(
            api(r#"{"apiVersion": "client.authentication.k8s.io/v1alpha1"}"#),
            Ok((ALPHA_API, true))
        );
        assert_eq!(api(r#"{"apiVersion": null}"#), Ok((BETA_API, true)));
        assert_eq!(api(r#"{"apiVersion": NaN}"#), Ok((BETA_API, true)));
        assert_eq!(api("{}"), Ok((BETA_API, true)));
        assert_eq!(
            api(
                r#"{"apiVersion": "client.authentication.k8s.io/v1alpha1", "apiVersion": "client.authentication.k8s.io/v1"}"#
            ),
            Ok((V1_API, false))
        );
        let err = |raw: &str| match api(raw) {
            Err(Error::General(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(err("[]"), "'list' object has no attribute 'get'");
        assert_eq!(err("\"x\""), "'str' object has no attribute 'get'");
        assert_eq!(err("1"), "'int' object has no attribute 'get'");
        assert_eq!(err("1.5"), "'float' object has no attribute 'get'");
        assert_eq!(err("NaN"), "'float' object has no attribute 'get'");
        assert_eq!(err("-Infinity"), "'float' object has no attribute 'get'");
        assert_eq!(err("true"), "'bool' object has no attribute 'get'");
        assert_eq!(err("null"), "'NoneType' object has no attribute 'get'");
        assert_eq!(
            err("[NaN, \"NaN\"]"),
            "'list' object has no attribute 'get'"
        );
    }

    #[test]
    fn lone_surrogates_parse_like_python() {
        let err = |raw: &str| api(raw).err();
        assert_eq!(
            err(r#""\ud800""#),
            Some(Error::General("'str' object has no attribute 'get'".into()))
        );
    }

    #[test]
    fn deep_nesting_parses_like_python() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(
            api(&nested(9992)).err(),
            Some(Error::General(
                "'list' object has no attribute 'get'".into()
            ))
        );
        assert_eq!(
            api(&nested(9993)).err(),
            Some(Error::General(
                "maximum recursion depth exceeded while decoding a JSON array from a unicode string".into()
            ))
        );
    }
}

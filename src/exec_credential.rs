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
    let parsed = match python_json_loads(raw) {
        Some(v) => v,
        None => {
            return Ok((
                BETA_API,
                Some(format!("Error parsing KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely a bug in your Kubernetes client. Please update your Kubernetes client.\n")),
            ))
        }
    };
    let PyJson::Object(api_version) = parsed else {
        // `exec_info.get(...)` on a list, str, int, float, bool or None.
        return Err(Error::General(format!(
            "'{}' object has no attribute 'get'",
            parsed.type_name()
        )));
    };
    match api_version.as_deref() {
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

/// What Python's `json.loads` made of the text, as far as get-token looks at it.
#[derive(Debug, PartialEq)]
enum PyJson {
    /// A dict, with its `apiVersion` member if that is a string (last duplicate wins).
    Object(Option<String>),
    List,
    Str,
    Int,
    Float,
    Bool,
    None,
}

impl PyJson {
    fn type_name(&self) -> &'static str {
        match self {
            PyJson::Object(_) => "dict",
            PyJson::List => "list",
            PyJson::Str => "str",
            PyJson::Int => "int",
            PyJson::Float => "float",
            PyJson::Bool => "bool",
            PyJson::None => "NoneType",
        }
    }
}

/// Python's `json.loads`, which also accepts `NaN`, `Infinity` and `-Infinity` (as floats)
/// wherever a value may stand. `None` = JSONDecodeError.
fn python_json_loads(raw: &str) -> Option<PyJson> {
    let value: Value = match serde_json::from_str(raw) {
        Ok(v) => v,
        Err(_) => serde_json::from_str(&replace_non_finite(raw)?).ok()?,
    };
    let top_level_non_finite = matches!(
        raw.trim_matches([' ', '\t', '\n', '\r']),
        "NaN" | "Infinity" | "-Infinity"
    );
    Some(match value {
        Value::Object(m) => PyJson::Object(
            m.get("apiVersion")
                .and_then(Value::as_str)
                .map(String::from),
        ),
        Value::Array(_) => PyJson::List,
        Value::String(_) => PyJson::Str,
        Value::Number(n) if n.is_f64() => PyJson::Float,
        Value::Number(_) => PyJson::Int,
        Value::Bool(_) => PyJson::Bool,
        Value::Null if top_level_non_finite => PyJson::Float,
        Value::Null => PyJson::None,
    })
}

/// Replace the bare words `NaN`, `Infinity`, `-Infinity` outside strings by `null` (they
/// can only stand where a value does), so serde_json can check the rest of the syntax.
fn replace_non_finite(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let (mut in_string, mut escaped, mut replaced) = (false, false, false);
    let mut i = 0;
    while let Some(c) = raw[i..].chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(word) = ["-Infinity", "Infinity", "NaN"]
            .iter()
            .find(|w| raw[i..].starts_with(**w))
        {
            out.push_str("null");
            i += word.len();
            replaced = true;
            continue;
        }
        out.push(c);
        i += c.len_utf8();
    }
    replaced.then_some(out)
}

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

    // Known gaps (found by fuzzing): Python's json.loads accepts lone UTF-16 surrogates and
    // nesting deeper than serde_json's 128 levels, which serde_json rejects.
    #[test]
    #[ignore = "serde_json rejects lone surrogates that Python's json.loads accepts"]
    fn lone_surrogates_parse_like_python() {
        let err = |raw: &str| api(raw).err();
        assert_eq!(
            err(r#""\ud800""#),
            Some(Error::General("'str' object has no attribute 'get'".into()))
        );
    }

    #[test]
    #[ignore = "serde_json stops at 128 levels of nesting; Python's json.loads does not"]
    fn deep_nesting_parses_like_python() {
        let raw = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(
            api(&raw).err(),
            Some(Error::General(
                "'list' object has no attribute 'get'".into()
            ))
        );
    }
}

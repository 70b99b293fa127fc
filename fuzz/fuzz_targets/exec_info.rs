//! `KUBERNETES_EXEC_INFO` handling: `exec_credential::discover_api_version` on any UTF-8.

#![no_main]

use aws_eks_token::error::Error;
use aws_eks_token::exec_credential::{discover_api_version, ALPHA_API, BETA_API, V1_API};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The environment is read lossily (`Env::from_process`), so any bytes can arrive.
    let raw = String::from_utf8_lossy(data);
    match discover_api_version(&raw) {
        Ok((api, warning)) => {
            assert!(
                [V1_API, BETA_API, ALPHA_API].contains(&api),
                "unknown apiVersion {api:?}"
            );
            if let Some(w) = warning {
                assert!(w.ends_with('\n'), "a warning is one whole line: {w:?}");
            }
            // What serde_json reads as an object with a known apiVersion is answered with it.
            if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(&raw) {
                match m.get("apiVersion").and_then(|v| v.as_str()) {
                    Some(v @ (V1_API | BETA_API | ALPHA_API)) => assert_eq!(api, v),
                    _ => assert_eq!(api, BETA_API),
                }
            }
        }
        Err(e) => {
            assert!(
                matches!(&e, Error::General(m) if m.ends_with("' object has no attribute 'get'")),
                "only a JSON value that is not an object fails: {e:?}"
            );
            assert!(
                !matches!(serde_json::from_str(&raw), Ok(serde_json::Value::Object(_))),
                "a JSON object never fails: {e:?}"
            );
        }
    }
});

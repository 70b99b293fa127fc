//! `credential_process` (botocore `ProcessProvider`): the command, split as Python's
//! `shlex.split` does, runs when the chain loads (not through a shell; stdin and the
//! environment inherited); its JSON output (`Version` 1) gives the keys, and with an
//! `Expiration` they are refreshed by running it again near expiry.

use std::process::Stdio;

use super::{cache, Refresh, Source};
use crate::aws::sigv4::Credentials;
use crate::error::Error;
use crate::time::Timestamp;

pub struct Command {
    line: String,
}

pub fn load(line: &str) -> Result<Source, Error> {
    let cmd = Command {
        line: line.to_string(),
    };
    let Answer { creds, expiry } = cmd.run()?;
    Ok(match expiry {
        None => Source::Static(creds),
        Some(expiry) => Source::Refreshable {
            creds,
            expiry,
            refresh: Refresh::Process(cmd),
        },
    })
}

impl Command {
    /// Run the command and read its answer (`_retrieve_credentials_using`).
    fn run(&self) -> Result<Answer, Error> {
        // botocore's `compat_shell_split`: `shlex.split`, or `_windows_shell_split`.
        let argv = if cfg!(windows) {
            pystd::shlex::split_windows(&self.line).map_err(Error::General)?
        } else {
            pystd::shlex::split(&self.line).map_err(|e| Error::General(e.into()))?
        };
        let Some(program) = argv.first() else {
            return Err(Error::General("list index out of range".into()));
        };
        let mut command = std::process::Command::new(program);
        command
            .args(&argv[1..])
            .stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // botocore's `original_ld_library_path`: a PyInstaller helper starts afresh.
        if std::env::var_os("PYINSTALLER_RESET_ENVIRONMENT").is_none() {
            command.env("PYINSTALLER_RESET_ENVIRONMENT", "1");
        }
        let output = command.output().map_err(|e| super::os_error(&e, program))?;
        if !output.status.success() {
            return Err(Error::General(format!(
                "Error when retrieving credentials from custom-process: {}",
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        parse_output(&output.stdout)
    }

    /// Run it again for fresh keys.
    pub fn refresh(&self) -> Result<(Credentials, Option<Timestamp>), Error> {
        let answer = self.run()?;
        Ok((answer.creds, answer.expiry))
    }
}

/// The process's JSON answer, checked as botocore checks it. Keys that are not str pass
/// the checks and fail only when they sign (`'/'.join(...)` in SigV4): that error is kept
/// for then, in `Credentials::unusable`.
fn parse_output(stdout: &[u8]) -> Result<Answer, Error> {
    use pystd::json::Value as Json;
    let text = std::str::from_utf8(stdout)
        .map_err(|e| Error::General(pystd::text::utf8_error(stdout, &e)))?;
    let parsed = pystd::json::loads(text).map_err(|e| Error::General(e.to_string()))?;
    if !matches!(parsed, Json::Dict(_)) {
        return Err(Error::General(format!(
            "'{}' object has no attribute 'get'",
            parsed.type_name()
        )));
    }
    let version = parsed.get("Version");
    if !version.is_some_and(|v| v.equals_int(1)) {
        let shown = version.map_or("<Version key not provided>".to_string(), Json::py_str);
        return Err(retrieval_error(&format!(
            "Unsupported version '{shown}' for credential process provider, supported versions: 1"
        )));
    }
    let required = |k: &str| {
        parsed
            .get(k)
            .ok_or_else(|| retrieval_error(&format!("Missing required key in response: '{k}'")))
    };
    let access_key_id = required("AccessKeyId")?;
    let secret_access_key = required("SecretAccessKey")?;
    let session_token = parsed.get("SessionToken").filter(|v| **v != Json::Null);
    let expiry = match parsed.get("Expiration").filter(|v| **v != Json::Null) {
        Some(v) => Some(cache::parse_time_value(&v.to_serde())?),
        None => None,
    };
    let unusable = match access_key_id {
        Json::Str(_) => None,
        other => Some(format!(
            "sequence item 0: expected str instance, {} found",
            other.type_name()
        )),
    };
    Ok(Answer {
        creds: Credentials {
            access_key_id: access_key_id.py_str(),
            secret_access_key: secret_access_key.py_str().into(),
            session_token: session_token.map(|t| t.py_str().into()),
            unusable,
        },
        expiry,
    })
}

/// What a process answered.
struct Answer {
    creds: Credentials,
    expiry: Option<Timestamp>,
}

fn retrieval_error(msg: &str) -> Error {
    Error::General(format!(
        "Error when retrieving credentials from custom-process: {msg}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_their_errors() {
        let Answer {
            creds: c,
            expiry: e,
            ..
        } = parse_output(br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"}"#).unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.session_token, e),
            ("A", None, None)
        );
        let Answer { creds: c, expiry: e, .. } = parse_output(br#"{"Version": 1.0, "AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2024-01-02T05:00:00Z"}"#).unwrap();
        assert_eq!(c.session_token.as_ref().map(|t| t.expose()), Some("t"));
        assert_eq!(e, Some(Timestamp::from_secs(1704171600)));
        let err = |out: &[u8]| match parse_output(out) {
            Err(Error::General(m)) => m,
            other => panic!("{:?}", other.map(|_| ())),
        };
        assert_eq!(
            err(b"not json\n"),
            "Expecting value: line 1 column 1 (char 0)"
        );
        assert_eq!(err(b""), "Expecting value: line 1 column 1 (char 0)");
        assert_eq!(err(b"{} x"), "Extra data: line 1 column 4 (char 3)");
        // Python's texts for other malformed answers.
        for (input, python) in [
            ("{\"a\": nope}", "Expecting value: line 1 column 7 (char 6)"),
            (
                "{\"a\" 1}",
                "Expecting ':' delimiter: line 1 column 6 (char 5)",
            ),
            (
                "{\"a\": 1 \"b\"}",
                "Expecting ',' delimiter: line 1 column 9 (char 8)",
            ),
            (
                "[1,]",
                "Illegal trailing comma before end of array: line 1 column 3 (char 2)",
            ),
            (
                "{\"a\":\"x",
                "Unterminated string starting at: line 1 column 6 (char 5)",
            ),
            (
                "{a:1}",
                "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            ),
            ("  tru", "Expecting value: line 1 column 3 (char 2)"),
        ] {
            assert_eq!(err(input.as_bytes()), python, "{input}");
        }
        assert_eq!(err(b"[]"), "'list' object has no attribute 'get'");
        assert_eq!(
            err(br#"{"Version": 2}"#),
            "Error when retrieving credentials from custom-process: Unsupported version '2' for credential process provider, supported versions: 1"
        );
        assert_eq!(
            err(br#"{"AccessKeyId": "A"}"#),
            "Error when retrieving credentials from custom-process: Unsupported version '<Version key not provided>' for credential process provider, supported versions: 1"
        );
        assert_eq!(
            err(br#"{"Version": 1, "AccessKeyId": "A"}"#),
            "Error when retrieving credentials from custom-process: Missing required key in response: 'SecretAccessKey'"
        );
        assert_eq!(
            err(br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "soon"}"#),
            "Unknown string format: soon"
        );
        assert_eq!(
            err(b"\xff"),
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
        );
    }

    #[test]
    fn json_errors_never_panic() {
        let seed = r#"{"Version": 1, "AccessKeyId": "é", "x": [1.5e3, true, null]}"#;
        for text in crate::testing::mutations(seed, "{}[]\",:\\ 1e.-tnfé\n", 20_000) {
            let _ = parse_output(text.as_bytes());
        }
    }
}

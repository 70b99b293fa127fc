//! `credential_process` (botocore `ProcessProvider`): the command, split as botocore's
//! `compat_shell_split` does (Python's `shlex.split`; on Windows the C runtime's rules), runs when the chain loads (not through a shell; stdin and the
//! environment inherited); its JSON output (`Version` 1) gives the keys, and with an
//! `Expiration` they are refreshed by running it again near expiry.

use std::process::Stdio;

use serde_json::Value;

use super::{cache, Refresh, Source};
use crate::error::Error;
use crate::output::pyrepr::py_str;
use crate::timestamp::Timestamp;
use crate::token::Credentials;

pub struct Command {
    line: String,
}

pub fn load(line: &str) -> Result<Source, Error> {
    let cmd = Command {
        line: line.to_string(),
    };
    let (creds, expiry) = cmd.run()?;
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
    pub fn run(&self) -> Result<(Credentials, Option<Timestamp>), Error> {
        let argv = split_command(&self.line, cfg!(windows)).map_err(Error::General)?;
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
}

/// The process's JSON answer, checked as botocore checks it.
fn parse_output(stdout: &[u8]) -> Result<(Credentials, Option<Timestamp>), Error> {
    let text = std::str::from_utf8(stdout).map_err(|e| Error::General(utf8_error(stdout, &e)))?;
    let parsed: Value = serde_json::from_str(text).map_err(|_| Error::General(json_error(text)))?;
    let Value::Object(map) = &parsed else {
        return Err(Error::General(format!(
            "'{}' object has no attribute 'get'",
            crate::output::pyrepr::py_type_name(&parsed)
        )));
    };
    let version_ok = match map.get("Version") {
        Some(Value::Number(n)) => n.as_f64() == Some(1.0),
        Some(Value::Bool(b)) => *b, // Python: True == 1
        _ => false,
    };
    if !version_ok {
        let shown = map
            .get("Version")
            .map_or("<Version key not provided>".to_string(), py_str);
        return Err(retrieval_error(&format!(
            "Unsupported version '{shown}' for credential process provider, supported versions: 1"
        )));
    }
    let required = |k: &str| {
        map.get(k)
            .map(py_str)
            .ok_or_else(|| retrieval_error(&format!("Missing required key in response: '{k}'")))
    };
    let access_key_id = required("AccessKeyId")?;
    let secret_access_key = required("SecretAccessKey")?;
    let session_token = map.get("SessionToken").filter(|v| !v.is_null()).map(py_str);
    let expiry = match map.get("Expiration").filter(|v| !v.is_null()) {
        Some(v) => Some(cache::parse_time_value(v)?),
        None => None,
    };
    Ok((
        Credentials {
            access_key_id,
            secret_access_key,
            session_token,
        },
        expiry,
    ))
}

fn retrieval_error(msg: &str) -> Error {
    Error::General(format!(
        "Error when retrieving credentials from custom-process: {msg}"
    ))
}

/// botocore's `compat_shell_split`: `shlex.split`, or on Windows `_windows_shell_split`.
fn split_command(line: &str, windows: bool) -> Result<Vec<String>, String> {
    if windows {
        windows_split(line)
    } else {
        crate::config::shlex_split(line).ok_or_else(|| shlex_error(line).to_string())
    }
}

/// botocore's `_windows_shell_split`, the Microsoft C runtime's rules: only space and tab
/// separate, only `"` quotes (`""` gives an empty argument), backslashes are literal unless
/// they lead up to a `"` (then pairs become one, and an odd one escapes the quote).
fn windows_split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    // `None` until something (even an empty quoted string) starts a word.
    let mut word: Option<String> = None;
    let mut quoted = false;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                let w = word.get_or_insert_with(String::new);
                w.push_str(&"\\".repeat(backslashes / 2));
                if backslashes % 2 == 1 {
                    w.push('"');
                } else {
                    quoted = !quoted;
                }
                backslashes = 0;
            }
            ' ' | '\t' if !quoted => {
                if backslashes > 0 {
                    let w = word.get_or_insert_with(String::new);
                    w.push_str(&"\\".repeat(backslashes));
                    backslashes = 0;
                }
                words.extend(word.take());
            }
            _ => {
                let w = word.get_or_insert_with(String::new);
                w.push_str(&"\\".repeat(backslashes));
                backslashes = 0;
                w.push(c);
            }
        }
    }
    if quoted {
        return Err(format!("No closing quotation in string: {line}"));
    }
    if backslashes > 0 {
        let w = word.get_or_insert_with(String::new);
        w.push_str(&"\\".repeat(backslashes));
    }
    words.extend(word);
    Ok(words)
}

/// Python's `shlex.split` errors.
fn shlex_error(line: &str) -> &'static str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        match (quote, c) {
            (_, _) if escaped => escaped = false,
            (None, '\\') | (Some('"'), '\\') => escaped = true,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    if quote.is_some() {
        "No closing quotation"
    } else {
        "No escaped character"
    }
}

/// Python's `UnicodeDecodeError` text for invalid UTF-8.
fn utf8_error(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let pos = e.valid_up_to();
    let byte = bytes.get(pos).copied().unwrap_or_default();
    let reason = match e.error_len() {
        None => "unexpected end of data",
        Some(_) if (0x80..0xc2).contains(&byte) || byte > 0xf4 => "invalid start byte",
        Some(_) => "invalid continuation byte",
    };
    format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}")
}

/// Python's `JSONDecodeError` text: exact for the common failures (no value, extra data
/// after one), close for the rest. Works on byte offsets without copying the text (a
/// process may print a lot).
fn json_error(text: &str) -> String {
    let ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    // Python's position of a byte offset: line, column and offset in characters.
    let at = |byte: usize| {
        let before = &text[..byte];
        let line = 1 + before.bytes().filter(|b| *b == b'\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = 1 + before[line_start..].chars().count();
        format!("line {line} column {col} (char {})", before.chars().count())
    };
    let start = text.find(|c: char| !ws(c)).unwrap_or(text.len());
    let starts_value = text[start..]
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n'));
    if !starts_value {
        return format!("Expecting value: {}", at(start));
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    match stream.next() {
        Some(Ok(_)) => {
            let end = stream.byte_offset();
            let next = text[end..].find(|c: char| !ws(c)).map_or(end, |i| end + i);
            format!("Extra data: {}", at(next))
        }
        Some(Err(e)) => {
            let kind = e.to_string();
            let message = if kind.contains("expected `:`") {
                "Expecting ':' delimiter"
            } else if kind.contains("expected `,`") {
                "Expecting ',' delimiter"
            } else if kind.contains("key must be a string") {
                "Expecting property name enclosed in double quotes"
            } else if kind.contains("control character") {
                "Invalid control character at"
            } else if kind.contains("escape") {
                "Invalid \\escape"
            } else if kind.contains("EOF while parsing a string") {
                "Unterminated string starting at"
            } else {
                "Expecting value"
            };
            // serde reports a 1-based line and a column in bytes; turn them into an offset.
            let line_start = match e.line() {
                0 | 1 => 0,
                n => text
                    .match_indices('\n')
                    .nth(n - 2)
                    .map_or(text.len(), |(i, _)| i + 1),
            };
            let mut pos = (line_start + e.column().saturating_sub(1)).min(text.len());
            while !text.is_char_boundary(pos) {
                pos -= 1;
            }
            if message == "Unterminated string starting at" {
                pos = text[..pos].rfind('"').unwrap_or(pos);
            }
            if message == "Expecting value" {
                // Python points at the start of a word that is not a JSON literal.
                while pos > 0 && text.as_bytes()[pos - 1].is_ascii_alphabetic() {
                    pos -= 1;
                }
            }
            format!("{message}: {}", at(pos))
        }
        None => format!("Expecting value: {}", at(start)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_their_errors() {
        let (c, e) =
            parse_output(br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"}"#).unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.session_token, e),
            ("A", None, None)
        );
        let (c, e) = parse_output(br#"{"Version": 1.0, "AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2024-01-02T05:00:00Z"}"#).unwrap();
        assert_eq!(c.session_token.as_deref(), Some("t"));
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
            ("[1,]", "Expecting value: line 1 column 4 (char 3)"),
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
            assert_eq!(json_error(input), python, "{input}");
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
        let seed: Vec<char> = r#"{"Version": 1, "AccessKeyId": "é", "x": [1.5e3, true, null]}"#
            .chars()
            .collect();
        let alphabet: Vec<char> = "{}[]\",:\\ 1e.-tnfé\n".chars().collect();
        let mut state = 0x853c_49e6_748f_ea9bu64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        for _ in 0..20_000 {
            let mut input = seed.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = next() % (input.len() + 1);
                match next() % 3 {
                    0 => input.truncate(at),
                    1 if at < input.len() => input[at] = alphabet[next() % alphabet.len()],
                    _ => input.insert(at.min(input.len()), alphabet[next() % alphabet.len()]),
                }
            }
            let text: String = input.into_iter().collect();
            let _ = parse_output(text.as_bytes());
        }
    }

    #[test]
    fn windows_split_as_botocore() {
        // Values of botocore's `_windows_shell_split` (awscli 2.36.7's vendored botocore).
        for (line, python) in [
            (
                r#"C:\Program Files\x.exe --a b"#,
                &[r"C:\Program", r"Files\x.exe", "--a", "b"][..],
            ),
            (
                r#""C:\Program Files\x.exe" "a b" """#,
                &[r"C:\Program Files\x.exe", "a b", ""],
            ),
            (r#"a\\"b c" d\\\"e \\"#, &[r"a\b c", r#"d\"e"#, r"\\"]),
            ("  a\t\tb  ", &["a", "b"]),
            (r#"a"b"c 'd e'"#, &["abc", "'d", "e'"]),
            (r#"\" x\"#, &["\"", r"x\"]),
            ("", &[]),
            ("   ", &[]),
        ] {
            assert_eq!(windows_split(line).unwrap(), python, "{line}");
        }
        assert_eq!(
            split_command(r#"a "b"#, true),
            Err(r#"No closing quotation in string: a "b"#.to_string())
        );
        assert_eq!(
            split_command("a 'b", false),
            Err("No closing quotation".to_string())
        );
    }

    #[test]
    fn shlex_errors() {
        assert_eq!(shlex_error("a 'b"), "No closing quotation");
        assert_eq!(shlex_error("a \\"), "No escaped character");
    }
}

//! Every failure, with the AWS CLI's exit code and text (spec §4), and the CLI's error
//! formats (`--cli-error-format`, awscli/errorhandler.py).

use serde_json::{Map, Value};

use crate::output::format::ErrorFormat;

/// argparse's usage block of the main, service and operation parsers.
pub const USAGE: &str = "aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// argparse errors, `Unknown options`, parameter validation, bad `--query`: rc 252.
    ParamValidation(String),
    /// botocore `NoCredentialsError`: rc 253.
    NoCredentials,
    /// botocore `NoRegionError`: rc 253.
    NoRegion,
    /// awscli's `ConfigurationError` (a missing or invalid SSO setting): rc 253, code
    /// `Configuration`.
    Configuration(String),
    /// A service error response (e.g. AssumeRole AccessDenied): rc 254.
    Client {
        operation: String,
        /// The error dict: `Code`, `Message` and any modeled extra fields, in order.
        error: Map<String, Value>,
        /// botocore's retry note: `Some(n)` when the call ended at its last allowed
        /// attempt after `n` retries (`... operation (reached max retries: n): ...`).
        max_retries: Option<u32>,
    },
    /// Any other exception; printed as `str(exception)`: rc 255.
    General(String),
    /// botocore's `ResponseParserError` for a body expat rejects (`reason`: expat's text):
    /// rc 255. The CLI echoes the whole body as Python bytes; it is echoed with its secrets
    /// redacted (`log::redact_xml`), and written piece by piece: a body of many megabytes is
    /// never copied into a message.
    UnparsableResponse { reason: String, body: ResponseBody },
    /// get-token without a cluster: the command *returns* a ValueError, which Python's
    /// `sys.exit` prints bare: rc 1.
    MissingCluster,
    /// A generic operation's leftover arguments (`UnknownArgumentError`): argparse's usage
    /// block, then the message, in every error format: rc 252.
    UnknownOptions(String),
    /// An error written while colorama wraps stderr (`--output table` with colour made the
    /// formatter, which calls `colorama.init(autoreset=True)`): a reset after each write.
    Autoreset(Box<Error>),
    /// Writing to stdout failed with EPIPE (the reader went away): the CLI prints the
    /// error, then Python fails to flush stdout again at exit (rc 120).
    BrokenPipe(String),
}

/// A response body kept for an error message; its `Debug` shows only its length (it may
/// hold secrets).
#[derive(Clone, PartialEq)]
pub struct ResponseBody(pub Vec<u8>);

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({} bytes)", self.0.len())
    }
}

impl From<crate::time::TimeError> for Error {
    fn from(e: crate::time::TimeError) -> Error {
        Error::General(e.0)
    }
}

impl From<pystd::number::ValueError> for Error {
    fn from(e: pystd::number::ValueError) -> Error {
        Error::General(e.0)
    }
}

impl Error {
    pub fn profile_not_found(name: &str) -> Error {
        Error::General(format!("The config profile ({name}) could not be found"))
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::ParamValidation(_) | Error::UnknownOptions(_) => 252,
            Error::NoCredentials | Error::NoRegion | Error::Configuration(_) => 253,
            Error::Client { .. } => 254,
            Error::General(_) | Error::UnparsableResponse { .. } => 255,
            Error::MissingCluster => 1,
            Error::BrokenPipe(_) => 120,
            Error::Autoreset(e) => e.exit_code(),
        }
    }

    /// Whether the error format decides how this error is written.
    pub fn uses_error_format(&self) -> bool {
        match self {
            Error::Autoreset(e) => e.uses_error_format(),
            _ => self.error_info().is_some(),
        }
    }

    /// The error dict the structured formats render (`None` for unstructured errors).
    fn error_info(&self) -> Option<Map<String, Value>> {
        let pair = |code: &str, message: String| {
            let mut m = Map::new();
            m.insert("Code".into(), code.into());
            m.insert("Message".into(), message.into());
            m
        };
        match self {
            Error::ParamValidation(m) => Some(pair("ParamValidation", m.clone())),
            Error::NoCredentials => Some(pair(
                "NoCredentials",
                "Unable to locate credentials. You can configure credentials by running \"aws login\".".into(),
            )),
            Error::NoRegion => Some(pair(
                "NoRegion",
                "You must specify a region. You can also configure your region by running \"aws configure\".".into(),
            )),
            Error::Configuration(m) => Some(pair("Configuration", m.clone())),
            Error::Client { error, .. } => Some(error.clone()),
            Error::General(_)
            | Error::UnparsableResponse { .. }
            | Error::MissingCluster
            | Error::BrokenPipe(_)
            | Error::UnknownOptions(_)
            | Error::Autoreset(_) => None,
        }
    }

    /// `str(exception)` for a service error.
    fn client_message(
        operation: &str,
        error: &Map<String, Value>,
        max_retries: &Option<u32>,
    ) -> String {
        // `error.get(k, 'Unknown')` formatted with `str()`: a null member is `None`.
        let field = |k: &str| {
            error
                .get(k)
                .map_or("Unknown".to_string(), pystd::repr::value_str)
        };
        let retry_info = match max_retries {
            Some(n) => format!(" (reached max retries: {n})"),
            None => String::new(),
        };
        format!(
            "An error occurred ({}) when calling the {operation} operation{retry_info}: {}",
            field("Code"),
            field("Message")
        )
    }

    /// Write what the AWS CLI writes to stderr for this error (see `render`); an echoed
    /// response body goes out in pieces of a bounded size.
    pub fn write_to(
        &self,
        format: Option<ErrorFormat>,
        render: &dyn Fn(ErrorFormat, &Value) -> Result<String, String>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let Error::UnparsableResponse { reason, body } = self else {
            return out.write_all(self.render(format, render).as_bytes());
        };
        // botocore: "Unable to parse response (%s), invalid XML received. Further retries
        // may succeed:\n%s" % (e, xml_string), printed by `write_error` (whose strip()
        // changes nothing here: the text starts with a letter and ends with a quote).
        write!(
            out,
            "\naws: [ERROR]: Unable to parse response ({reason}), invalid XML received. Further retries may succeed:\n"
        )?;
        write_redacted_repr(&body.0, out)?;
        out.write_all(b"\n")
    }

    /// The bytes the AWS CLI writes to stderr for this error. `format` is the resolved
    /// `cli_error_format` (`None`: it could not be resolved, e.g. an unknown profile, and
    /// the CLI falls back to the bare message); `render` renders a value with one of the
    /// output formatters (json, yaml, text, table with title `error`).
    pub fn render(
        &self,
        format: Option<ErrorFormat>,
        render: &dyn Fn(ErrorFormat, &Value) -> Result<String, String>,
    ) -> String {
        let info = match self {
            // `write_error` writes "\n", the message, then "\n": three writes.
            Error::Autoreset(e) => {
                let text = e.render(format, render);
                return match text.strip_prefix('\n').and_then(|t| t.strip_suffix('\n')) {
                    Some(middle) => format!("\n\x1b[0m{middle}\x1b[0m\n\x1b[0m"),
                    None => format!("{text}\x1b[0m"),
                };
            }
            Error::MissingCluster => {
                return "Either parameter --cluster-name or --cluster-id must be specified.\n"
                    .into()
            }
            Error::General(msg) => return write_error(msg),
            Error::UnknownOptions(msg) => {
                return format!("\nusage: {}\n{}", USAGE, write_error(msg))
            }
            Error::UnparsableResponse { .. } => {
                let mut out = Vec::new();
                let _ = self.write_to(format, render, &mut out);
                return String::from_utf8_lossy(&out).into_owned();
            }
            Error::BrokenPipe(msg) => {
                return write_error(msg)
                    + "Exception ignored on flushing sys.stdout:\nBrokenPipeError: [Errno 32] Broken pipe\n"
            }
            _ => self.error_info().unwrap_or_default(),
        };
        let formatted = match self {
            Error::Client {
                operation,
                error,
                max_retries,
            } => Error::client_message(operation, error, max_retries),
            _ => format!(
                "An error occurred ({}): {}",
                info.get("Code")
                    .and_then(Value::as_str)
                    .unwrap_or("Unknown"),
                info.get("Message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ),
        };
        let bare = match self {
            Error::Client {
                operation,
                error,
                max_retries,
            } => Error::client_message(operation, error, max_retries),
            _ => info
                .get("Message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        };
        let format = match format {
            None | Some(ErrorFormat::Legacy) => return write_error(&bare),
            Some(f) => f,
        };
        if format == ErrorFormat::Enhanced {
            let mut out = write_error(&formatted);
            out.push_str(&additional_details(&info));
            return out;
        }
        match render(format, &Value::Object(info)) {
            Ok(text) => text,
            Err(_) => write_error(&bare),
        }
    }
}

/// Python's `repr(body)` of the body with its secrets redacted, written in pieces: the
/// redaction runs twice (the first pass only looks for quotes, which pick the repr's
/// quote), so nothing of the body's size is held besides the body.
fn write_redacted_repr(body: &[u8], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use pystd::repr::{bytes_repr_piece, bytes_repr_quote};
    const PIECE: usize = 16 * 1024;
    let (mut single, mut double) = (false, false);
    crate::log::redact_xml_with(body, &mut |p| {
        single |= p.contains(&b'\'');
        double |= p.contains(&b'"');
    });
    let quote = bytes_repr_quote(single, double);
    out.write_all(&[b'b', quote])?;
    let mut buf = Vec::with_capacity(4 * PIECE + 8);
    let mut result = Ok(());
    crate::log::redact_xml_with(body, &mut |p| {
        for chunk in p.chunks(PIECE) {
            bytes_repr_piece(chunk, quote, &mut buf);
            if buf.len() >= PIECE && result.is_ok() {
                result = out.write_all(&buf);
                buf.clear();
            }
        }
    });
    result?;
    buf.push(quote);
    out.write_all(&buf)
}

/// awscli/errorformat.py `write_error`.
pub fn write_error(message: &str) -> String {
    let message = pystd::text::strip(message);
    if message.is_empty() {
        "\naws: [ERROR]:\n".into()
    } else {
        format!("\naws: [ERROR]: {message}\n")
    }
}

/// `EnhancedErrorFormatter`: fields of the error dict other than Code and Message.
fn additional_details(info: &Map<String, Value>) -> String {
    use pystd::repr::value_str as py_str;
    let extra: Vec<(&String, &Value)> = info
        .iter()
        .filter(|(k, _)| !matches!(k.to_lowercase().as_str(), "code" | "message"))
        .collect();
    if extra.is_empty() {
        return String::new();
    }
    let simple = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
    let mut out = String::from("\nAdditional error details:\n");
    let mut complex = false;
    for (k, v) in extra {
        match v {
            v if simple(v) => out.push_str(&format!("{k}: {}\n", py_str(v))),
            Value::Array(items) if items.len() < 5 && items.iter().all(simple) => {
                let items: Vec<String> = items.iter().map(py_str).collect();
                out.push_str(&format!("{k}: [{}]\n", items.join(", ")));
            }
            Value::Object(m) if m.len() < 5 && m.values().all(simple) => {
                let items: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", py_str(v)))
                    .collect();
                out.push_str(&format!("{k}: {{{}}}\n", items.join(", ")));
            }
            _ => {
                out.push_str(&format!("{k}: <complex value>\n"));
                complex = true;
            }
        }
    }
    if complex {
        out.push_str(
            "Use \"--cli-error-format json\" or another error format to see the full details.\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_render(_: ErrorFormat, _: &Value) -> Result<String, String> {
        Err("unused".into())
    }

    #[test]
    fn enhanced_and_legacy() {
        let e = Error::ParamValidation("Unknown options: --foo".into());
        assert_eq!(
            e.render(Some(ErrorFormat::Enhanced), &no_render),
            "\naws: [ERROR]: An error occurred (ParamValidation): Unknown options: --foo\n"
        );
        assert_eq!(
            e.render(Some(ErrorFormat::Legacy), &no_render),
            "\naws: [ERROR]: Unknown options: --foo\n"
        );
        assert_eq!(e.exit_code(), 252);
    }

    #[test]
    fn general_errors_are_never_structured() {
        let e = Error::profile_not_found("nope");
        assert_eq!(
            e.render(Some(ErrorFormat::Json), &no_render),
            "\naws: [ERROR]: The config profile (nope) could not be found\n"
        );
        assert_eq!(e.exit_code(), 255);
    }

    #[test]
    fn client_error_with_details() {
        let mut error = Map::new();
        error.insert("Code".into(), "AccessDenied".into());
        error.insert("Message".into(), "no".into());
        error.insert("Reason".into(), "x".into());
        let e = Error::Client {
            operation: "AssumeRole".into(),
            error,
            max_retries: None,
        };
        assert_eq!(
            e.render(None, &no_render),
            "\naws: [ERROR]: An error occurred (AccessDenied) when calling the AssumeRole operation: no\n"
        );
        assert_eq!(
            e.render(Some(ErrorFormat::Enhanced), &no_render),
            "\naws: [ERROR]: An error occurred (AccessDenied) when calling the AssumeRole operation: no\n\nAdditional error details:\nReason: x\n"
        );
    }
}

//! The command line of `aws [globals] eks get-token [options]`.
//!
//! Conventions: every option is defined once, in the clap tree below (`command()`), with its
//! help text from the AWS CLI. The AWS CLI parses with Python argparse in four passes (a
//! first pass for `--profile`/`--debug`, the main parser over the whole argv for the global
//! options and the service, the service parser for the operation, and get-token's own
//! parser); `argparse.rs` reproduces those passes over the same definitions, so prefixes,
//! positions, `--opt=value`, repeats and every error text are the CLI's. The accepted
//! argv is then rewritten into canonical `--long=value` form and handed to clap, which
//! yields the typed `Invocation`.

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::argparse::{parse_known_args, OptSpec, ParserSpec};
use crate::error::{Error, USAGE};

pub const OUTPUT_FORMATS: [&str; 6] = ["json", "text", "table", "yaml", "yaml-stream", "off"];
pub const ERROR_FORMATS: [&str; 6] = ["legacy", "json", "yaml", "text", "table", "enhanced"];

/// The global options, in the AWS CLI's definition order (cli.json; `--version` last, as the
/// main parser re-adds it). (name, takes a value, choices, help)
const GLOBALS: &[(&str, bool, &[&str], &str)] = &[
    ("debug", false, &[], "Turn on debug logging."),
    (
        "endpoint-url",
        true,
        &[],
        "Override command's default URL with the given URL.",
    ),
    (
        "no-verify-ssl",
        false,
        &[],
        "Do not verify SSL certificates.",
    ),
    ("no-paginate", false, &[], "Disable automatic pagination."),
    (
        "output",
        true,
        &OUTPUT_FORMATS,
        "The formatting style for command output.",
    ),
    (
        "query",
        true,
        &[],
        "A JMESPath query to use in filtering the response data.",
    ),
    (
        "profile",
        true,
        &[],
        "Use a specific profile from your credential file.",
    ),
    (
        "region",
        true,
        &[],
        "The region to use. Overrides config/env settings.",
    ),
    (
        "color",
        true,
        &["on", "off", "auto"],
        "Turn on/off color output.",
    ),
    ("no-sign-request", false, &[], "Do not sign requests."),
    (
        "ca-bundle",
        true,
        &[],
        "The CA certificate bundle to use when verifying SSL certificates.",
    ),
    (
        "cli-read-timeout",
        true,
        &[],
        "The maximum socket read time in seconds (0 = blocking).",
    ),
    (
        "cli-connect-timeout",
        true,
        &[],
        "The maximum socket connect time in seconds (0 = blocking).",
    ),
    (
        "cli-binary-format",
        true,
        &["base64", "raw-in-base64-out"],
        "The formatting style to be used for binary blobs.",
    ),
    ("no-cli-pager", false, &[], "Disable cli pager for output."),
    (
        "cli-auto-prompt",
        false,
        &[],
        "Automatically prompt for CLI input parameters.",
    ),
    (
        "no-cli-auto-prompt",
        false,
        &[],
        "Disable automatically prompt for CLI input parameters.",
    ),
    (
        "cli-error-format",
        true,
        &ERROR_FORMATS,
        "The formatting style for error output.",
    ),
    ("version", false, &[], "Display the version of this tool."),
];

/// get-token's ARG_TABLE, in order (spec §1.2).
const GET_TOKEN_ARGS: &[(&str, &str)] = &[
    ("cluster-name", "Specify the name of the Amazon EKS cluster to create a token for. (Note: for local clusters on AWS Outposts, please use --cluster-id parameter)"),
    ("role-arn", "Assume this role for credentials when signing the token. Use this optional parameter when the credentials for signing the token differ from that of the current role session. Using this parameter results in new role session credentials that are used to sign the token."),
    ("cluster-id", "Specify the id of the Amazon EKS cluster to create a token for. (Note: for local clusters on AWS Outposts only)"),
];

/// The clap tree: `aws [globals] eks get-token [options]`.
pub fn command() -> Command {
    let mut aws = Command::new("aws")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
        .no_binary_name(true)
        .args_override_self(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true);
    for &(name, takes_value, choices, help) in GLOBALS {
        let mut arg = Arg::new(name).long(name).global(true).help(help);
        arg = if takes_value {
            arg.action(ArgAction::Set).allow_hyphen_values(true)
        } else if name == "version" {
            arg.action(ArgAction::Version)
        } else {
            arg.action(ArgAction::SetTrue)
        };
        if !choices.is_empty() {
            arg = arg.value_parser(choices.to_vec());
        }
        aws = aws.arg(arg);
    }
    let mut get_token = Command::new("get-token")
        .args_override_self(true)
        .about("Get a token for authentication with an Amazon EKS cluster. This can be used as an alternative to the aws-iam-authenticator.")
        .disable_help_flag(true);
    for &(name, help) in GET_TOKEN_ARGS {
        get_token = get_token.arg(
            Arg::new(name)
                .long(name)
                .help(help)
                .action(ArgAction::Set)
                .allow_hyphen_values(true),
        );
    }
    let eks = Command::new("eks")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .subcommand(get_token);
    aws.subcommand(eks)
}

/// argparse's view of one clap (sub)command: its options in order, and the positional
/// that chooses among its subcommands.
pub fn parser_spec(cmd: &Command, positional: Option<&str>) -> ParserSpec {
    let options = cmd
        .get_arguments()
        .filter_map(|a| {
            Some(OptSpec {
                long: format!("--{}", a.get_long()?),
                takes_value: a.get_action().takes_values(),
                choices: a
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect(),
                is_version: matches!(a.get_action(), ArgAction::Version),
            })
        })
        .collect();
    let positional = positional.map(|name| {
        let choices = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        (name.to_string(), choices)
    });
    ParserSpec {
        options,
        positional,
    }
}

/// The parsed global options (None = not given).
#[derive(Debug, Default, Clone)]
pub struct Globals {
    pub debug: bool,
    pub endpoint_url: Option<String>,
    pub no_verify_ssl: bool,
    pub output: Option<String>,
    pub query: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub color: Option<String>,
    pub no_sign_request: bool,
    pub ca_bundle: Option<String>,
    pub cli_read_timeout: Option<String>,
    pub cli_connect_timeout: Option<String>,
    pub cli_error_format: Option<String>,
}

/// The options of `get-token`, after `file://` expansion.
#[derive(Debug, Default, Clone)]
pub struct GetToken {
    pub cluster_name: Option<String>,
    pub role_arn: Option<String>,
    pub cluster_id: Option<String>,
}

/// The result of the main parser pass: the globals and the tokens left for the service
/// parser, or `None` when `--version` was consumed (argparse prints it and exits 0).
pub type MainParse = Option<(Globals, Vec<String>)>;

/// The first pass (`FirstPassGlobalArgParser`): only `--profile` and `--debug`; its errors
/// carry its own usage line. Returns whether `--debug` was given.
pub fn first_pass(args: &[String]) -> Result<bool, Error> {
    let spec = ParserSpec {
        options: vec![
            OptSpec {
                long: "--profile".into(),
                takes_value: true,
                choices: vec![],
                is_version: false,
            },
            OptSpec {
                long: "--debug".into(),
                takes_value: false,
                choices: vec![],
                is_version: false,
            },
        ],
        positional: None,
    };
    parse_known_args(&spec, args)
        .map(|p| p.get("--debug").is_some())
        .map_err(|m| {
            Error::ParamValidation(format!("{m}\n\nusage: aws [--profile PROFILE] [--debug]\n"))
        })
}

fn usage_error(msg: String) -> Error {
    Error::ParamValidation(format!("{msg}\n\nusage: {USAGE}"))
}

/// The main parser over the whole argv: global options anywhere, the service positional.
pub fn main_pass(cmd: &Command, args: &[String]) -> Result<MainParse, Error> {
    let parsed = parse_known_args(&parser_spec(cmd, Some("command")), args).map_err(usage_error)?;
    if parsed.version {
        return Ok(None);
    }
    // Rebuild a canonical argv and let clap produce the typed values.
    let mut canonical: Vec<String> = parsed
        .values
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect();
    canonical.push(parsed.positional.clone().unwrap_or_default());
    let m = cmd
        .clone()
        .ignore_errors(false)
        .try_get_matches_from(canonical)
        .map_err(clap_bug)?;
    let s = |k: &str| m.get_one::<String>(k).cloned();
    let b = |k: &str| m.get_flag(k);
    let globals = Globals {
        debug: b("debug"),
        endpoint_url: s("endpoint-url"),
        no_verify_ssl: b("no-verify-ssl"),
        output: s("output"),
        query: s("query"),
        profile: s("profile"),
        region: s("region"),
        color: s("color"),
        no_sign_request: b("no-sign-request"),
        ca_bundle: s("ca-bundle"),
        cli_read_timeout: s("cli-read-timeout"),
        cli_connect_timeout: s("cli-connect-timeout"),
        cli_error_format: s("cli-error-format"),
    };
    Ok(Some((globals, parsed.extras)))
}

/// The service parser (`operation`), then get-token's own parser. Returns get-token's
/// options (before `file://` expansion) and the leftover tokens (`Unknown options`).
pub fn operation_pass(cmd: &Command, rest: &[String]) -> Result<(GetToken, Vec<String>), Error> {
    let eks = cmd.find_subcommand("eks").expect("the clap tree has eks");
    let service =
        parse_known_args(&parser_spec(eks, Some("operation")), rest).map_err(usage_error)?;
    let get_token = eks
        .find_subcommand("get-token")
        .expect("the clap tree has get-token");
    let parsed =
        parse_known_args(&parser_spec(get_token, None), &service.extras).map_err(usage_error)?;
    let mut canonical = vec!["get-token".to_string()];
    canonical.extend(
        parsed
            .values
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}"))),
    );
    let m: ArgMatches = get_token
        .clone()
        .no_binary_name(false)
        .try_get_matches_from(canonical)
        .map_err(clap_bug)?;
    let s = |k: &str| m.get_one::<String>(k).cloned();
    Ok((
        GetToken {
            cluster_name: s("cluster-name"),
            role_arn: s("role-arn"),
            cluster_id: s("cluster-id"),
        },
        parsed.extras,
    ))
}

/// clap only ever sees argv that argparse already accepted and rewrote; an error here is a
/// bug in that rewrite, reported as a general error rather than a panic.
fn clap_bug(e: clap::Error) -> Error {
    Error::General(format!("internal argument error: {}", e.kind()))
}

/// The AWS CLI's `file://` / `fileb://` parameter files (awscli/paramfile.py), applied to
/// get-token's options. Relative paths are relative to the working directory.
pub fn load_param_file(option: &str, value: String) -> Result<String, Error> {
    let (path, binary) = if let Some(p) = value.strip_prefix("file://") {
        (p, false)
    } else if let Some(p) = value.strip_prefix("fileb://") {
        (p, true)
    } else {
        return Ok(value);
    };
    let expanded = expand_user(path);
    let fail = |detail: String| {
        Error::ParamValidation(format!(
            "Error parsing parameter '{option}': Unable to load paramfile {value}: {detail}"
        ))
    };
    let bytes = match std::fs::read(&expanded) {
        Ok(b) => b,
        Err(e) => return Err(fail(python_os_error(&e, &expanded))),
    };
    if binary {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    match String::from_utf8(bytes) {
        // Python's text mode translates \r\n and \r to \n.
        Ok(text) => Ok(text.replace("\r\n", "\n").replace('\r', "\n")),
        Err(_) => Err(Error::ParamValidation(format!(
            "Error parsing parameter '{option}': Unable to load paramfile ({path}), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix."
        ))),
    }
}

/// awscli's `get_file`: `os.path.expandvars(os.path.expanduser(path))`, with the
/// platform's rules (`%USERPROFILE%` on Windows).
fn expand_user(path: &str) -> String {
    let env = crate::settings::Env::from_process();
    env.expand_vars(&env.expand_user(path))
}

/// `str(OSError)` as Python prints it: `[Errno 2] No such file or directory: '/x'`.
pub fn python_os_error(e: &std::io::Error, path: &str) -> String {
    let repr = crate::output::pyrepr::str_repr(path);
    match e.raw_os_error() {
        Some(code) => {
            let text = std::io::Error::from_raw_os_error(code).to_string();
            // Rust appends " (os error N)"; Python prints strerror alone.
            let text = text
                .rsplit_once(" (os error")
                .map(|(t, _)| t.to_string())
                .unwrap_or(text);
            format!("[Errno {code}] {text}: {repr}")
        }
        None => format!("{e}: {repr}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn parse(v: &[&str]) -> Result<(Globals, GetToken, Vec<String>), Error> {
        let cmd = command();
        first_pass(&args(v))?;
        match main_pass(&cmd, &args(v))? {
            None => panic!("version"),
            Some((globals, rest)) => {
                let (gt, extras) = operation_pass(&cmd, &rest)?;
                Ok((globals, gt, extras))
            }
        }
    }

    #[test]
    fn clap_tree_is_valid() {
        command().debug_assert();
    }

    #[test]
    fn globals_anywhere_and_prefixes() {
        let (g, gt, extras) = parse(&[
            "--reg",
            "us-west-2",
            "eks",
            "--out=text",
            "get-token",
            "--role",
            "arn",
            "--cluster-n",
            "a",
            "--qu",
            "kind",
        ])
        .unwrap();
        assert_eq!(g.region.as_deref(), Some("us-west-2"));
        assert_eq!(g.output.as_deref(), Some("text"));
        assert_eq!(g.query.as_deref(), Some("kind"));
        assert_eq!(gt.role_arn.as_deref(), Some("arn"));
        assert_eq!(gt.cluster_name.as_deref(), Some("a"));
        assert!(extras.is_empty());
    }

    #[test]
    fn r_is_region_not_role_arn() {
        let (g, gt, _) = parse(&["eks", "get-token", "--r", "x"]).unwrap();
        assert_eq!(g.region.as_deref(), Some("x"));
        assert_eq!(gt.role_arn, None);
    }

    #[test]
    fn last_repeat_wins_and_dash_values() {
        let (g, gt, _) = parse(&[
            "eks",
            "get-token",
            "--cluster-name=-a",
            "--output",
            "text",
            "--output",
            "json",
            "--cli-read-timeout",
            "-5",
        ])
        .unwrap();
        assert_eq!(gt.cluster_name.as_deref(), Some("-a"));
        assert_eq!(g.output.as_deref(), Some("json"));
        assert_eq!(g.cli_read_timeout.as_deref(), Some("-5"));
    }

    #[test]
    fn unknown_tokens_are_left_over_in_order() {
        let (_, gt, extras) = parse(&[
            "eks",
            "get-token",
            "--foo",
            "--cluster-name",
            "a",
            "--bar",
            "baz",
        ])
        .unwrap();
        assert_eq!(gt.cluster_name.as_deref(), Some("a"));
        assert_eq!(extras, ["--foo", "--bar", "baz"]);
    }

    #[test]
    fn double_dash_after_operation_is_dropped() {
        let (_, gt, extras) = parse(&[
            "eks",
            "get-token",
            "--region",
            "x",
            "--",
            "--cluster-name",
            "a",
        ])
        .unwrap();
        assert_eq!(gt.cluster_name.as_deref(), Some("a"));
        assert!(extras.is_empty());
    }

    #[test]
    fn errors() {
        let msg = |v: &[&str]| match parse(v) {
            Err(Error::ParamValidation(m)) => m.lines().next().unwrap_or_default().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg(&["eks", "get-token", "--cluster", "a"]),
            "ambiguous option: --cluster could match --cluster-name, --cluster-id"
        );
        assert_eq!(
            msg(&["eks", "get-token", "--cluster-name"]),
            "argument --cluster-name: expected one argument"
        );
        assert_eq!(
            msg(&["eks", "get-token", "--cluster-name", "-a"]),
            "argument --cluster-name: expected one argument"
        );
        assert_eq!(msg(&[]), "the following arguments are required: command");
        assert_eq!(
            msg(&["eks"]),
            "the following arguments are required: operation"
        );
        assert_eq!(
            msg(&["ekz", "get-token"]),
            "argument command: Found invalid choice 'ekz'"
        );
        assert_eq!(
            msg(&["eks", "get-token", "--profile"]),
            "argument --profile: expected one argument"
        );
    }
}

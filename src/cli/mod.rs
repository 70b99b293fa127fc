//! The command line as the AWS CLI parses it, with Python's argparse in four passes: the
//! first pass (`--profile`, `--debug`, before the driver exists), the main parser over the
//! whole argv (global options anywhere, the service), the service parser (the operation)
//! and the operation's own parser. Each pass reads the option tables of `options.rs` and of
//! the commands; `argparse.rs` walks argv the way Python does, so that prefixes, positions,
//! `--opt=value`, repeats and every error text are the CLI's.

pub mod argparse;
pub mod options;
pub mod passthrough;

use argparse::{parse_known_args, Parsed, ParserSpec, Positional};
use options::{FIRST_PASS, GLOBALS};

use crate::error::{Error, USAGE};
use crate::settings::Env;

/// The global options as given (`None` = not given), before any is interpreted.
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

impl Globals {
    fn from_parsed(p: &Parsed) -> Globals {
        Globals {
            debug: p.flag("--debug"),
            endpoint_url: p.value("--endpoint-url"),
            no_verify_ssl: p.flag("--no-verify-ssl"),
            output: p.value("--output"),
            query: p.value("--query"),
            profile: p.value("--profile"),
            region: p.value("--region"),
            color: p.value("--color"),
            no_sign_request: p.flag("--no-sign-request"),
            ca_bundle: p.value("--ca-bundle"),
            cli_read_timeout: p.value("--cli-read-timeout"),
            cli_connect_timeout: p.value("--cli-connect-timeout"),
            cli_error_format: p.value("--cli-error-format"),
        }
    }
}

/// What the main parser found.
pub enum MainParse {
    /// `--version` was consumed: argparse prints the version and exits 0.
    Version,
    Command {
        globals: Box<Globals>,
        service: String,
        /// The tokens left for the service parser.
        rest: Vec<String>,
    },
}

/// The first pass (`FirstPassGlobalArgParser`); its errors carry its own usage line.
/// Returns whether `--debug` was given.
pub fn first_pass(args: &[String]) -> Result<bool, Error> {
    let spec = ParserSpec {
        options: FIRST_PASS,
        positional: None,
    };
    parse_known_args(&spec, args)
        .map(|p| p.flag("--debug"))
        .map_err(|m| {
            Error::ParamValidation(format!("{m}\n\nusage: aws [--profile PROFILE] [--debug]\n"))
        })
}

fn usage_error(msg: String) -> Error {
    Error::ParamValidation(format!("{msg}\n\nusage: {USAGE}"))
}

/// The main parser over the whole argv: global options anywhere, the service positional
/// (`None` choices: any service, for the passthrough's question).
pub fn main_pass(args: &[String], services: Option<&[&str]>) -> Result<MainParse, Error> {
    let spec = ParserSpec {
        options: GLOBALS,
        positional: Some(Positional {
            name: "command",
            choices: services,
            optional: false,
        }),
    };
    let parsed = parse_known_args(&spec, args).map_err(usage_error)?;
    if parsed.version {
        return Ok(MainParse::Version);
    }
    Ok(MainParse::Command {
        globals: Box::new(Globals::from_parsed(&parsed)),
        service: parsed.positional.clone().unwrap_or_default(),
        rest: parsed.extras,
    })
}

/// The service parser: the operation positional, and the tokens left for its parser.
pub fn service_pass(
    rest: &[String],
    operations: Option<&[&str]>,
) -> Result<(String, Vec<String>), Error> {
    let spec = ParserSpec {
        options: &[],
        positional: Some(Positional {
            name: "operation",
            choices: operations,
            optional: false,
        }),
    };
    let parsed = parse_known_args(&spec, rest).map_err(usage_error)?;
    Ok((parsed.positional.unwrap_or_default(), parsed.extras))
}

/// The operation's parser over its option table; leftover tokens are `Unknown options`,
/// which the CLI reports only after the top-level handlers ran. A generic operation's
/// parser (`ServiceOperation`) also has the positional `help` (`nargs='?'`): it takes the
/// first plain argument, which is then the last of the leftovers (`remaining.append`) if
/// it is not empty. (`help` itself shows the CLI's help page: `passthrough::is_ours`
/// leaves that to the real CLI.)
pub fn operation_pass(
    options: &'static [options::Opt],
    generic: bool,
    rest: &[String],
) -> Result<Parsed, Error> {
    let spec = ParserSpec {
        options,
        positional: generic.then_some(Positional {
            name: "help",
            choices: None,
            optional: true,
        }),
    };
    let mut parsed = parse_known_args(&spec, rest).map_err(usage_error)?;
    if let Some(help) = parsed.positional.as_ref().filter(|h| !h.is_empty()) {
        parsed.extras.push(help.clone());
    }
    Ok(parsed)
}

/// `Unknown options: a, b` for the tokens no parser took.
pub fn reject_leftovers(extras: &[String], separator: &str) -> Result<(), Error> {
    if extras.is_empty() {
        return Ok(());
    }
    Err(Error::ParamValidation(format!(
        "Unknown options: {}",
        extras.join(separator)
    )))
}

/// The AWS CLI's `file://` / `fileb://` parameter files (awscli/paramfile.py), for an
/// option's value. Relative paths are relative to the working directory; `get_file`
/// expands the path as `os.path.expandvars(os.path.expanduser(path))`, with the
/// platform's rules.
pub fn load_param_file(option: &str, value: String, env: &Env) -> Result<String, Error> {
    let (path, binary) = if let Some(p) = value.strip_prefix("file://") {
        (p, false)
    } else if let Some(p) = value.strip_prefix("fileb://") {
        (p, true)
    } else {
        return Ok(value);
    };
    let expanded = env.expand_vars(&env.expand_user(path));
    let bytes = std::fs::read(&expanded).map_err(|e| {
        Error::ParamValidation(format!(
            "Error parsing parameter '{option}': Unable to load paramfile {value}: {}",
            pystd::os_error::os_error_with_path(&e, &expanded)
        ))
    })?;
    if binary {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(pystd::text::universal_newlines(&text)),
        Err(_) => Err(Error::ParamValidation(format!(
            "Error parsing parameter '{option}': Unable to load paramfile ({path}), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET_TOKEN: &[options::Opt] = &[
        options::Opt::value("--cluster-name"),
        options::Opt::value("--role-arn"),
        options::Opt::value("--cluster-id"),
    ];

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    fn parse(line: &str) -> Result<(Globals, Parsed), Error> {
        let args = argv(line);
        first_pass(&args)?;
        let MainParse::Command { globals, rest, .. } = main_pass(&args, Some(&["eks"]))? else {
            panic!("version")
        };
        let (_, rest) = service_pass(&rest, Some(&["get-token"]))?;
        Ok((*globals, operation_pass(GET_TOKEN, false, &rest)?))
    }

    #[test]
    fn globals_anywhere_and_prefixes() {
        let (g, op) =
            parse("--reg us-west-2 eks --out=text get-token --role arn --cluster-n a --qu kind")
                .unwrap();
        assert_eq!(g.region.as_deref(), Some("us-west-2"));
        assert_eq!(g.output.as_deref(), Some("text"));
        assert_eq!(g.query.as_deref(), Some("kind"));
        assert_eq!(op.value("--role-arn").as_deref(), Some("arn"));
        assert_eq!(op.value("--cluster-name").as_deref(), Some("a"));
        assert!(op.extras.is_empty());
    }

    #[test]
    fn r_is_region_not_role_arn() {
        let (g, op) = parse("eks get-token --r x").unwrap();
        assert_eq!(g.region.as_deref(), Some("x"));
        assert_eq!(op.value("--role-arn"), None);
    }

    #[test]
    fn last_repeat_wins_and_dash_values() {
        let (g, op) = parse(
            "eks get-token --cluster-name=-a --output text --output json --cli-read-timeout -5",
        )
        .unwrap();
        assert_eq!(op.value("--cluster-name").as_deref(), Some("-a"));
        assert_eq!(g.output.as_deref(), Some("json"));
        assert_eq!(g.cli_read_timeout.as_deref(), Some("-5"));
    }

    #[test]
    fn unknown_tokens_are_left_over_in_order() {
        let (_, op) = parse("eks get-token --foo --cluster-name a --bar baz").unwrap();
        assert_eq!(op.value("--cluster-name").as_deref(), Some("a"));
        assert_eq!(op.extras, ["--foo", "--bar", "baz"]);
    }

    #[test]
    fn double_dash_after_operation_is_dropped() {
        let (_, op) = parse("eks get-token --region x -- --cluster-name a").unwrap();
        assert_eq!(op.value("--cluster-name").as_deref(), Some("a"));
        assert!(op.extras.is_empty());
    }

    #[test]
    fn required_and_optional_values() {
        const OPS: &[options::Opt] = &[
            options::Opt::value("--name").required(),
            options::Opt {
                name: "--generate-cli-skeleton",
                kind: options::Kind::OptionalValue { constant: "input" },
                choices: &["input", "output", "yaml-input"],
                required: false,
            },
        ];
        let missing = operation_pass(OPS, false, &argv("--generate-cli-skeleton"));
        assert!(matches!(missing, Err(Error::ParamValidation(m))
            if m.starts_with("the following arguments are required: --name\n")));
        let p = operation_pass(OPS, false, &argv("--name a --generate-cli-skeleton")).unwrap();
        assert_eq!(p.value("--generate-cli-skeleton").as_deref(), Some("input"));
        let p =
            operation_pass(OPS, false, &argv("--generate-cli-skeleton output --name a")).unwrap();
        assert_eq!(
            p.value("--generate-cli-skeleton").as_deref(),
            Some("output")
        );
    }

    #[test]
    fn errors() {
        let msg = |line: &str| match parse(line) {
            Err(Error::ParamValidation(m)) => m.lines().next().unwrap_or_default().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg("eks get-token --cluster a"),
            "ambiguous option: --cluster could match --cluster-name, --cluster-id"
        );
        assert_eq!(
            msg("eks get-token --cluster-name"),
            "argument --cluster-name: expected one argument"
        );
        assert_eq!(
            msg("eks get-token --cluster-name -a"),
            "argument --cluster-name: expected one argument"
        );
        assert_eq!(msg(""), "the following arguments are required: command");
        assert_eq!(
            msg("eks"),
            "the following arguments are required: operation"
        );
        assert_eq!(
            msg("ekz get-token"),
            "argument command: Found invalid choice 'ekz'"
        );
        assert_eq!(
            msg("eks get-token --profile"),
            "argument --profile: expected one argument"
        );
    }
}

//! aws-eks-token: the AWS CLI v2.36.7 commands of the EKS access path, byte for byte.
//!
//! `run` is the CLI's driver as a short sequence of phases, each returning typed data, in
//! the CLI's order (it decides which error wins): the first pass (`--debug`, `--profile`)
//! and the shared config files (`AWSCLIEntryPoint`), the main parser (global options, the
//! service), the top-level handlers (`--query`, `--endpoint-url`, timeouts), then the
//! service and operation parsers and the command (`commands/`). Every failure is an
//! `error::Error` that knows its exit code and the CLI's text; it is written in the error
//! format of the last phase reached.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod credentials;
pub mod error;
pub mod exec_credential;
pub mod io;
pub mod kubeconfig;
pub mod log;
pub mod newline;
pub mod output;
pub mod settings;
#[cfg(test)]
mod testing;
pub mod time;
pub mod token;
pub mod version;

use jmespath_py::Query;

use cli::{Globals, MainParse};
use commands::Invocation;
use error::Error;
use settings::{Color, Env, ErrorFormat, Settings};

pub use io::Io;

/// How the CLI would print an error at the phase reached: which format, which colour, and
/// which frame catches it.
struct ErrorStyle {
    /// `None`: the format could not be resolved (an unknown profile): the bare message.
    format: Option<ErrorFormat>,
    color: Color,
    /// Before `CLIDriver.main`: `AWSCLIEntryPoint` catches the exception.
    entry_point: bool,
    /// In the main parser and the top-level handlers, an unknown format name is warned
    /// about before a structured error (the format name).
    warn_invalid: Option<String>,
}

/// Run `aws <args>` and return the exit code.
pub fn run(args: &[String], env: Env, io: &mut Io) -> i32 {
    log::disable(); // until `--debug` is seen (a process may call this more than once)
    let mut style = ErrorStyle {
        format: Some(ErrorFormat::Enhanced),
        color: Color::Auto,
        entry_point: true,
        warn_invalid: None,
    };
    let Err(e) = drive(args, env, io, &mut style) else {
        return 0;
    };
    debug_log!(
        "awscli.clidriver",
        "DEBUG",
        "Exception caught in {}",
        if style.entry_point {
            "AWSCLIEntryPoint"
        } else {
            "main()"
        }
    );
    if let Some(name) = style
        .warn_invalid
        .as_ref()
        .filter(|_| e.uses_error_format())
    {
        let warning = format!("Invalid cli_error_format: '{name}'. Using 'enhanced' format.\n");
        let _ = io.stderr.write_all(warning.as_bytes());
    }
    write_error(&e, &style, io);
    let _ = io.stderr.flush();
    e.exit_code()
}

fn drive(args: &[String], env: Env, io: &mut Io, style: &mut ErrorStyle) -> Result<(), Error> {
    // AWSCLIEntryPoint: the first-pass parser, the session's config files, auto-prompt.
    let debug = cli::first_pass(args)?;
    let settings = Settings::load(env)?;
    // `create_clidriver` turns on logging as soon as the session exists (spec §3.5).
    if debug {
        start_logging(args);
    }
    check_auto_prompt(args)?;

    // CLIDriver.main: the main parser over the whole argv. Its errors see the error format
    // of the environment and profile, not the flag.
    style.entry_point = false;
    style.format = settings.error_format(None);
    style.warn_invalid = settings.invalid_error_format(None);
    let (globals, service, rest) = match cli::main_pass(args, Some(&commands::services()))? {
        MainParse::Version => {
            let _ = writeln!(io.stdout, "{}", version::line());
            return Ok(());
        }
        MainParse::Command {
            globals,
            service,
            rest,
        } => (*globals, service, rest),
    };
    // The top-level handlers: the error format is resolved with the flag, but with the
    // profile of the environment (the session does not have `--profile` yet).
    let flag = globals.cli_error_format.as_deref();
    style.format = settings.error_format(flag);
    style.warn_invalid = settings.invalid_error_format(flag);
    style.color = Color::parse(globals.color.as_deref());
    let handled = top_level_handlers(&settings, &globals, args)?;

    let settings = settings.with_profile(globals.profile.clone());
    style.format = settings.error_format(flag);
    style.warn_invalid = None;

    // The service's parser, the operation's parser, the command.
    let (operation, rest) = cli::service_pass(&rest, Some(&commands::operations(&service)))?;
    let command = commands::find(&service, &operation)
        .ok_or_else(|| Error::General(format!("no command {service} {operation}")))?;
    let invocation = Invocation {
        args: cli::operation_pass(command.options, command.generic, &rest)?,
        settings,
        globals,
        query: handled.query,
        connect_timeout: handled.connect_timeout,
        read_timeout: handled.read_timeout,
    };
    (command.run)(&invocation, io)
}

/// What the `top-level-args-parsed` handlers produce.
struct Handled {
    query: Option<Query>,
    connect_timeout: Option<i64>,
    read_timeout: Option<i64>,
}

/// The `top-level-args-parsed` handlers, in their registration order.
fn top_level_handlers(
    settings: &Settings,
    globals: &Globals,
    args: &[String],
) -> Result<Handled, Error> {
    let query = globals
        .query
        .as_deref()
        .map(|q| {
            Query::compile(q)
                .map_err(|e| Error::ParamValidation(format!("Bad value for --query {q}: {e}")))
        })
        .transpose()?;
    if let Some(url) = &globals.endpoint_url {
        let parts = pystd::url::UrlParts::split(url);
        if let Some(e) = parts.as_ref().and_then(|p| p.netloc_error()) {
            return Err(Error::General(e));
        }
        if parts.is_none_or(|p| p.scheme.is_empty()) {
            return Err(Error::ParamValidation(format!(
                "Bad value for --endpoint-url \"{url}\": scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/"
            )));
        }
    }
    let int = |v: &Option<String>| {
        v.as_deref()
            .map(pystd::number::int_i64)
            .transpose()
            .map_err(Error::from)
    };
    // globalargs.py registers the read timeout's handler before the connect timeout's.
    let read_timeout = int(&globals.cli_read_timeout)?;
    let connect_timeout = int(&globals.cli_connect_timeout)?;
    // `_handle_top_level_args` sets up logging again: the version and arguments twice
    // (or none, when only the first pass saw `--debug`).
    if globals.debug {
        start_logging(args);
    } else {
        log::disable();
    }
    validate_output_encoding(&settings.env)?;
    Ok(Handled {
        query,
        connect_timeout,
        read_timeout,
    })
}

/// `--cli-auto-prompt` and `--no-cli-auto-prompt` together (checked before the driver).
fn check_auto_prompt(args: &[String]) -> Result<(), Error> {
    if args.iter().any(|a| a == "--cli-auto-prompt")
        && args.iter().any(|a| a == "--no-cli-auto-prompt")
    {
        return Err(Error::ParamValidation(
            "Both --cli-auto-prompt and --no-cli-auto-prompt cannot be specified at the same time."
                .into(),
        ));
    }
    Ok(())
}

/// Write an error to stderr, in the format the CLI would pick at this phase.
fn write_error(e: &Error, style: &ErrorStyle, io: &mut Io) {
    let width = io.width();
    let stdout_is_tty = io.stdout_is_tty;
    let render = |format: ErrorFormat, value: &serde_json::Value| {
        let value = &pystd::json::Value::from_serde(value);
        let Some(output) = format.output() else {
            return Err("not a structured format".into());
        };
        if output == settings::OutputFormat::Table {
            // Error tables: `--color on` styles them, without colorama's resets on stderr.
            let mode = if style.color.enabled(stdout_is_tty) {
                output::table::TableColor::OnWithoutAutoreset
            } else {
                output::table::TableColor::Off
            };
            return output::table::format_table_with(value, "error", width, mode);
        }
        let r = output::render(output, "error", value, false, width);
        match r.error {
            Some(e) => Err(e),
            None => Ok(r.text),
        }
    };
    let _ = e.write_to(style.format, &render, &mut *io.stderr);
}

/// `CLIDriver._set_logging`: with `--debug`, log lines on stderr from here on, starting
/// with the version (ours, not aws-cli's) and the arguments as a Python list.
fn start_logging(args: &[String]) {
    log::enable();
    debug_log!(
        "awscli.clidriver",
        "DEBUG",
        "CLI version: {}",
        version::line()
    );
    debug_log!(
        "awscli.clidriver",
        "DEBUG",
        "Arguments entered to CLI: [{}]",
        args.iter()
            .map(|a| pystd::repr::str_repr(a))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// `AWS_CLI_OUTPUT_ENCODING` must name a Python codec. We write UTF-8 whatever it names;
/// the check keeps the CLI's error for names Python does not know.
fn validate_output_encoding(env: &Env) -> Result<(), Error> {
    let Some(name) = env.non_empty("AWS_CLI_OUTPUT_ENCODING") else {
        return Ok(());
    };
    let normalized = name.to_lowercase().replace(['-', ' '], "_");
    const KNOWN: &[&str] = &[
        "utf_8",
        "utf8",
        "u8",
        "utf",
        "utf_8_sig",
        "ascii",
        "us_ascii",
        "646",
        "latin_1",
        "latin1",
        "latin",
        "l1",
        "iso_8859_1",
        "iso8859_1",
        "8859",
        "cp819",
        "cp1252",
        "windows_1252",
        "utf_16",
        "utf16",
        "utf_32",
        "utf32",
        "utf_16_le",
        "utf_16_be",
        "utf_32_le",
        "utf_32_be",
    ];
    if KNOWN.contains(&normalized.as_str()) {
        Ok(())
    } else {
        Err(Error::General(format!(
            "Unknown codec `{name}` specified for AWS_CLI_OUTPUT_ENCODING."
        )))
    }
}

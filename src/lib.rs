//! aws-eks-token: `aws eks get-token`, byte-for-byte as AWS CLI v2.36.7 prints it.
//!
//! The path of one call (DESIGN.md): argv → `cli` → `settings` → `credentials` →
//! `endpoint` → `token` → `exec_credential` → `output`; every failure is an `error::Error`
//! that knows its exit code and the CLI's text. The order of the steps below is the AWS
//! CLI's (spec §1.3), because it decides which error wins.

pub mod argparse;
pub mod cli;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod debug;
pub mod endpoint;
pub mod error;
pub mod exec_credential;
pub mod http;
pub mod newline;
pub mod output;
pub mod passthrough;
pub mod settings;
pub mod sigv4;
pub mod sts;
pub mod terminal;
pub mod timestamp;
pub mod token;
pub mod xml;

use std::io::Write;

use cli::Globals;
use error::Error;
use settings::{Env, Settings};

/// The AWS CLI version whose behaviour this binary reproduces.
pub const COMPATIBLE_AWS_CLI: &str = "2.36.7";

/// Where output goes; stdout and stderr of the process in `main`, buffers in tests.
pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Whether stdout is a terminal (colour `auto`, table width).
    pub stdout_is_tty: bool,
    /// The terminal's width in columns when stdout is one.
    pub terminal_width: Option<usize>,
}

/// How far the AWS CLI got when an error happened; it decides the error format.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    /// Before the CLI driver exists (first-pass parser, auto-prompt check): enhanced.
    EntryPoint,
    /// In the main parser: `--cli-error-format` is not seen, env and profile are.
    MainParser,
    /// Later: the flag is seen too.
    Command,
}

/// Run `aws <args>` and return the exit code.
pub fn run(args: &[String], env: Env, io: &mut Io) -> i32 {
    debug::disable(); // until `--debug` is seen (a process may call this more than once)
    let mut state = State {
        stage: Stage::EntryPoint,
        settings: None,
        globals: Globals::default(),
        stdout_broken: false,
    };
    let result = state.run(args, env, io);
    match result {
        Ok(()) => 0,
        Err(e) => {
            crate::debug_log!(
                "awscli.clidriver",
                "DEBUG",
                "Exception caught in {}",
                if state.stage == Stage::EntryPoint {
                    "AWSCLIEntryPoint"
                } else {
                    "main()"
                }
            );
            let text = state.render_error(&e, io);
            let _ = io.stderr.write_all(text.as_bytes());
            if state.stdout_broken {
                // Python fails to flush stdout again at exit: its message, status 120
                // (spec §2.7).
                let _ = io.stderr.write_all(
                    b"Exception ignored on flushing sys.stdout:\nBrokenPipeError: [Errno 32] Broken pipe\n",
                );
                let _ = io.stderr.flush();
                return 120;
            }
            let _ = io.stderr.flush();
            e.exit_code()
        }
    }
}

struct State {
    stage: Stage,
    settings: Option<Settings>,
    globals: Globals,
    /// Writing to stdout failed with EPIPE (the reader went away).
    stdout_broken: bool,
}

impl State {
    fn run(&mut self, args: &[String], env: Env, io: &mut Io) -> Result<(), Error> {
        // AWSCLIEntryPoint: the first-pass parser, the session's config files, auto-prompt.
        let first_pass_debug = cli::first_pass(args)?;
        let settings = self.settings.insert(Settings::load(env)?);
        // `create_clidriver` turns on logging as soon as the session exists (spec §3.5).
        if first_pass_debug {
            set_logging(true, args);
        }
        if args.iter().any(|a| a == "--cli-auto-prompt")
            && args.iter().any(|a| a == "--no-cli-auto-prompt")
        {
            return Err(Error::ParamValidation(
                "Both --cli-auto-prompt and --no-cli-auto-prompt cannot be specified at the same time.".into(),
            ));
        }

        // CLIDriver.main: the main parser over the whole argv.
        self.stage = Stage::MainParser;
        let cmd = cli::command();
        let (globals, rest) = match cli::main_pass(&cmd, args)? {
            None => {
                let _ = writeln!(
                    io.stdout,
                    "aws-eks-token/{} (eks get-token compatible with AWS CLI v{COMPATIBLE_AWS_CLI})",
                    env!("CARGO_PKG_VERSION")
                );
                return Ok(());
            }
            Some(parsed) => parsed,
        };
        self.stage = Stage::Command;
        self.globals = globals.clone();
        settings.profile_flag = globals.profile.clone();

        // The `top-level-args-parsed` handlers, in their registration order.
        let query =
            match &globals.query {
                Some(q) => Some(output::query::Query::compile(q).map_err(|e| {
                    Error::ParamValidation(format!("Bad value for --query {q}: {e}"))
                })?),
                None => None,
            };
        if let Some(url) = &globals.endpoint_url {
            if endpoint::UrlParts::split(url).is_none_or(|p| p.scheme.is_empty()) {
                return Err(Error::ParamValidation(format!(
                    "Bad value for --endpoint-url \"{url}\": scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/"
                )));
            }
        }
        for value in [&globals.cli_read_timeout, &globals.cli_connect_timeout]
            .into_iter()
            .flatten()
        {
            python_int(value)?;
        }
        // `_handle_top_level_args` sets up logging again: the version and arguments twice.
        if globals.debug || debug::enabled() {
            set_logging(globals.debug, args);
        }
        validate_output_encoding(&settings.env)?;

        // The service parser, get-token's parser, its parameter files, leftovers.
        let (opts, leftovers) = cli::operation_pass(&cmd, &rest)?;
        let cluster_name = opts
            .cluster_name
            .map(|v| cli::load_param_file("--cluster-name", v))
            .transpose()?;
        let role_arn = opts
            .role_arn
            .map(|v| cli::load_param_file("--role-arn", v))
            .transpose()?;
        let cluster_id = opts
            .cluster_id
            .map(|v| cli::load_param_file("--cluster-id", v))
            .transpose()?;
        if !leftovers.is_empty() {
            return Err(Error::ParamValidation(format!(
                "Unknown options: {}",
                leftovers.join(",")
            )));
        }

        // get-token's _run_main (spec §1.3). 1: the STS client (region, profile, creds),
        // and with --role-arn the AssumeRole call made with it.
        let region_flag = globals.region.as_deref();
        let mut region = credentials::resolve_region(settings, region_flag)?;
        if let Some(r) = &region {
            validate_region_name(r)?;
        }
        settings.scoped()?; // every client config lookup needs the profile to exist
        let timeout = |v: &Option<String>| v.as_deref().map(python_int).transpose();
        let mut net = credentials::Ctx::new(
            settings,
            timeout(&globals.cli_connect_timeout)?,
            timeout(&globals.cli_read_timeout)?,
            region.clone(),
        );
        // With --no-sign-request the client is unsigned and loads no credentials.
        let mut chain = if globals.no_sign_request {
            None
        } else {
            credentials::resolve(&net)?
        };
        net.configure_retries()?;
        if let Some(arn) = &role_arn {
            let assumed =
                assume_role_for_token(&net, chain.take(), region, arn, globals.no_sign_request)?;
            // STSClientFactory makes a second client, which resolves the region again.
            region = credentials::resolve_region(settings, region_flag)?;
            if let Some(r) = &region {
                validate_region_name(r)?;
            }
            chain = assumed.map(credentials::Source::Static);
        }
        let endpoint = endpoint::sts_endpoint(&endpoint::EndpointConfig {
            region,
            use_fips: settings.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?,
            use_dualstack: settings.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?,
            configured_url: settings.configured_sts_endpoint()?,
        })?;

        // 2–3: the cluster flags.
        if cluster_name.is_some() && cluster_id.is_some() {
            return Err(Error::ParamValidation(
                "The key \"cluster_id\" cannot be specified when one of the following keys are also specified: cluster_name".into(),
            ));
        }
        let id = cluster_id
            .filter(|s| !s.is_empty())
            .or(cluster_name.filter(|s| !s.is_empty()))
            .ok_or(Error::MissingCluster)?;

        // 4–5: sign (deferred credentials are fetched now), then the expiration from a
        // second clock read.
        let creds = chain.map(|c| c.frozen(&net)).transpose()?;
        if creds.is_none() && !globals.no_sign_request {
            return Err(Error::NoCredentials);
        }
        let creds = creds.filter(|_| !globals.no_sign_request);
        let token = token::token(creds.as_ref(), &endpoint, &id, clock::UtcTime::now());
        let expiration = clock::UtcTime::now().plus_seconds(14 * 60).rfc3339();

        // 6: apiVersion (its warning goes out now, before any later error).
        let exec_info = settings.env.get("KUBERNETES_EXEC_INFO").unwrap_or("");
        let (api_version, warning) = exec_credential::discover_api_version(exec_info)?;
        if let Some(w) = warning {
            let _ = io.stderr.write_all(w.as_bytes());
        }

        // 7–8: the formatter, --query, the output and get-token's extra newline.
        let format = settings.output(globals.output.as_deref())?;
        if !cli::OUTPUT_FORMATS.contains(&format.as_str()) {
            return Err(Error::General(format!("Unknown output type: {format}")));
        }
        let mut document = exec_credential::document(api_version, &expiration, &token);
        if let Some(q) = &query {
            document = q.search(&document).map_err(Error::General)?;
        }
        let color = table_color(globals.color.as_deref(), io.stdout_is_tty);
        let width = io.terminal_width.unwrap_or(80);
        let rendered = output::render(&format, "get-token", &document, color, width);
        self.write_stdout(io, &rendered.text)?;
        if let Some(e) = rendered.error {
            return Err(Error::General(e));
        }
        // colorama's autoreset adds a reset after every write once a colour table was made,
        // and its exit handler one more when stdout is a terminal.
        let newline = match (format == "table" && color, io.stdout_is_tty) {
            (true, true) => "\n\x1b[0m\x1b[0m",
            (true, false) => "\n\x1b[0m",
            _ => "\n",
        };
        self.write_stdout(io, newline)?;
        io.stdout.flush().map_err(|e| self.stdout_error(&e))
    }

    fn write_stdout(&mut self, io: &mut Io, text: &str) -> Result<(), Error> {
        io.stdout
            .write_all(text.as_bytes())
            .map_err(|e| self.stdout_error(&e))
    }

    /// `str(OSError)` of a failed write to stdout, noting a broken pipe.
    fn stdout_error(&mut self, e: &std::io::Error) -> Error {
        self.stdout_broken = e.kind() == std::io::ErrorKind::BrokenPipe;
        Error::General(python_write_error(e))
    }

    /// The stderr bytes for an error, in the format the CLI would pick at this stage.
    fn render_error(&self, e: &Error, io: &Io) -> String {
        let format = match (self.stage, &self.settings) {
            (Stage::EntryPoint, _) | (_, None) => Some("enhanced".to_string()),
            (Stage::MainParser, Some(s)) => s.error_format(None),
            (Stage::Command, Some(s)) => s.error_format(self.globals.cli_error_format.as_deref()),
        };
        // Error tables: `--color on` styles them, without colorama's resets on stderr.
        let color = self.globals.color.as_deref();
        let width = io.terminal_width.unwrap_or(80);
        e.render(format.as_deref(), &|fmt, value| {
            if fmt == "table" {
                let mode = if table_color(color, io.stdout_is_tty) {
                    output::table::TableColor::OnWithoutAutoreset
                } else {
                    output::table::TableColor::Off
                };
                return output::table::format_table_with(value, "error", width, mode);
            }
            let r = output::render(fmt, "error", value, false, width);
            match r.error {
                Some(e) => Err(e),
                None => Ok(r.text),
            }
        })
    }
}

/// get-token's `STSClientFactory` with `--role-arn`: `AssumeRole` with the session name
/// `EKSGetTokenAuth` on a client in the command's region, signed with the chain's
/// credentials (or unsigned with `--no-sign-request`, whose token ignores them).
fn assume_role_for_token(
    net: &credentials::Ctx,
    chain: Option<credentials::Source>,
    region: Option<String>,
    role_arn: &str,
    unsigned: bool,
) -> Result<Option<token::Credentials>, Error> {
    // botocore's order: endpoint, parameter validation, then signing (the source
    // credentials, a region, credentials at all), then the request.
    let endpoint = net.sts_endpoint(region, !unsigned)?;
    let params = [
        ("RoleArn", sts::Param::Str(role_arn, 20)),
        ("RoleSessionName", sts::Param::Str("EKSGetTokenAuth", 2)),
    ];
    sts::validate(&params)?;
    let source = chain.map(|c| c.frozen(net)).transpose()?;
    let endpoint = endpoint.ok_or(Error::NoRegion)?;
    if source.is_none() && !unsigned {
        return Err(Error::NoCredentials);
    }
    let call = || {
        sts::Sts {
            http: net.aws_http()?,
            retry: net.retry,
            endpoint: &endpoint,
            signer: source.as_ref(),
        }
        .call("AssumeRole", &params)
    };
    let Some(source) = source.as_ref().filter(|_| !unsigned) else {
        call()?;
        return Ok(None);
    };
    // The CLI calls AssumeRole every time; we cache the result under our own directory,
    // keyed by everything that decides it, in the CLI's layout, and make one call for many
    // processes started together (see credentials::single_flight).
    let Some(dir) = credentials::single_flight::dir(&net.settings.env, "role-arn") else {
        return Ok(Some(call()?.credentials()?));
    };
    let cache = credentials::cache::JsonFileCache::at(dir);
    let mut identity = serde_json::Map::new();
    identity.insert(
        "SourceAccessKeyId".into(),
        source.access_key_id.clone().into(),
    );
    identity.insert("RoleArn".into(), role_arn.into());
    identity.insert("RoleSessionName".into(), "EKSGetTokenAuth".into());
    identity.insert("Endpoint".into(), endpoint.url.clone().into());
    identity.insert(
        "SigningRegion".into(),
        endpoint.signing_region.clone().into(),
    );
    let key = credentials::cache::assume_role_key(&identity);
    let lock = format!("role-arn-{key}");
    let (creds, _) = credentials::single_flight::cached_or_fetch(
        &net.settings.env,
        &cache,
        &key,
        &lock,
        || credentials::assume_role::cache_and_extract(&cache, &key, call()?),
    )?;
    Ok(Some(creds))
}

/// `CLIDriver._set_logging`: with `--debug`, log lines on stderr from here on, starting
/// with the version (ours, not aws-cli's) and the arguments as a Python list.
fn set_logging(on: bool, args: &[String]) {
    if !on {
        debug::disable();
        return;
    }
    debug::enable();
    crate::debug_log!(
        "awscli.clidriver",
        "DEBUG",
        "CLI version: aws-eks-token/{} (eks get-token compatible with AWS CLI v{COMPATIBLE_AWS_CLI})",
        env!("CARGO_PKG_VERSION")
    );
    crate::debug_log!(
        "awscli.clidriver",
        "DEBUG",
        "Arguments entered to CLI: [{}]",
        args.iter()
            .map(|a| output::pyrepr::str_repr(a))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// `--color`: on, off, or auto = on when stdout is a terminal.
fn table_color(flag: Option<&str>, stdout_is_tty: bool) -> bool {
    match flag.unwrap_or("auto") {
        "on" => true,
        "off" => false,
        _ => stdout_is_tty,
    }
}

/// `str(OSError)` for a failed write to stdout (e.g. `[Errno 32] Broken pipe`).
fn python_write_error(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            let text = std::io::Error::from_raw_os_error(code).to_string();
            let text = text
                .rsplit_once(" (os error")
                .map_or(text.as_str(), |(t, _)| t)
                .to_string();
            format!("[Errno {code}] {text}")
        }
        None => e.to_string(),
    }
}

/// Python's `int(value)` for `--cli-*-timeout`: optional whitespace and sign, digits with
/// single underscores between them.
pub(crate) fn python_int(value: &str) -> Result<i64, Error> {
    let invalid = || {
        Error::General(format!(
            "invalid literal for int() with base 10: {}",
            output::pyrepr::str_repr(value)
        ))
    };
    let s = config::py_strip(value);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let ok = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(invalid());
    }
    // Python ints have no limit; a timeout beyond i64 is "forever" anyway.
    let n: i64 = digits.replace('_', "").parse().unwrap_or(i64::MAX);
    Ok(if s.starts_with('-') { -n } else { n })
}

/// botocore `validate_region_name`: a valid host label, not all digits.
pub(crate) fn validate_region_name(region: &str) -> Result<(), Error> {
    let ok = region.len() <= 63
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && (region.is_empty() || !region.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::General(format!(
            "Provided region_name '{region}' doesn't match a supported format."
        )))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_rules() {
        assert_eq!(python_int(" 5 ").unwrap(), 5);
        assert_eq!(python_int("-1_0").unwrap(), -10);
        assert_eq!(python_int("+0").unwrap(), 0);
        for bad in ["abc", "1.5", "", "_1", "1__0", "1_"] {
            assert!(python_int(bad).is_err(), "{bad}");
        }
        assert_eq!(
            python_int("1.5"),
            Err(Error::General(
                "invalid literal for int() with base 10: '1.5'".into()
            ))
        );
    }

    #[test]
    fn region_names() {
        for ok in ["us-west-2", "", "aws-global", "a"] {
            assert!(validate_region_name(ok).is_ok(), "{ok}");
        }
        for bad in ["bad region!", "123", "-a", "a-", &"r".repeat(64)] {
            assert!(validate_region_name(bad).is_err(), "{bad}");
        }
    }
}

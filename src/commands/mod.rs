//! The commands this binary answers itself: each is a module with its option table and a
//! `run` function, listed in `COMMANDS`. Adding one means adding a module, its table, its
//! entry here and its golden cases; the driver does not change.

pub mod get_caller_identity;
pub mod get_token;
pub mod sso;
pub mod update_kubeconfig;

use jmespath_py::Query;

use crate::cli::argparse::Parsed;
use crate::cli::options::Opt;
use crate::cli::Globals;
use crate::error::Error;
use crate::io::Io;
use crate::output::{self, Rendered};
use crate::settings::{Color, OutputFormat, Settings};

/// One `aws <service> <operation>`.
pub struct Command {
    pub service: &'static str,
    pub operation: &'static str,
    /// The operation's own options (the global options are the driver's).
    pub options: &'static [Opt],
    /// A generic operation (the CLI's `ServiceOperation`, from the service model), not a
    /// customization: its parser has the positional `help`.
    pub generic: bool,
    pub run: fn(&Invocation, &mut Io) -> Result<(), Error>,
}

pub const COMMANDS: &[Command] = &[
    get_token::COMMAND,
    update_kubeconfig::COMMAND,
    get_caller_identity::COMMAND,
    sso::login::COMMAND,
    sso::logout::COMMAND,
];

/// The services with at least one command of ours, in table order.
pub fn services() -> Vec<&'static str> {
    let mut out: Vec<&str> = Vec::new();
    for c in COMMANDS {
        if !out.contains(&c.service) {
            out.push(c.service);
        }
    }
    out
}

/// The operations of ours in `service`.
pub fn operations(service: &str) -> Vec<&'static str> {
    COMMANDS
        .iter()
        .filter(|c| c.service == service)
        .map(|c| c.operation)
        .collect()
}

pub fn find(service: &str, operation: &str) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.service == service && c.operation == operation)
}

/// Everything the driver resolved before the command runs, in the CLI's order.
pub struct Invocation {
    pub settings: Settings,
    pub globals: Globals,
    /// `--query`, compiled by the top-level handlers.
    pub query: Option<Query>,
    /// `--cli-connect-timeout` / `--cli-read-timeout` as Python's `int()` read them.
    pub connect_timeout: Option<i64>,
    pub read_timeout: Option<i64>,
    /// The operation's options as its parser found them.
    pub args: Parsed,
}

impl Invocation {
    /// An option's value after `file://` / `fileb://` expansion.
    pub fn param(&self, name: &str) -> Result<Option<String>, Error> {
        self.args
            .value(name)
            .map(|v| crate::cli::load_param_file(name, v, &self.settings.env))
            .transpose()
    }

    /// `--output` and its fallbacks.
    pub fn output_format(&self) -> Result<OutputFormat, Error> {
        self.settings.output(self.globals.output.as_deref())
    }

    pub fn color(&self, io: &Io) -> bool {
        Color::parse(self.globals.color.as_deref()).enabled(io.stdout_is_tty)
    }

    /// The CLI's `_display_output`: `--query`, then the formatter, written to stdout (what
    /// a formatter wrote before it failed still goes out, then the failure).
    pub fn display(
        &self,
        io: &mut Io,
        format: OutputFormat,
        title: &str,
        document: &serde_json::Value,
    ) -> Result<(), Error> {
        // A coloured table formatter wraps stderr too (colorama): the errors from here on
        // are written with resets.
        let autoreset = format == OutputFormat::Table && self.color(io);
        let failed = |e: String| match autoreset {
            true => Error::Autoreset(Box::new(Error::General(e))),
            false => Error::General(e),
        };
        // The Python objects the CLI formats (ints, floats, inf and nan as Python has them).
        let mut document = pystd::json::Value::from_serde(document);
        match &self.query {
            // `--output off` has no formatter: the query never runs.
            Some(_) if format == OutputFormat::Off => {}
            Some(q) => document = q.search(&document).map_err(failed)?,
            None => {}
        }
        let document = &document;
        let Rendered { text, error } =
            output::render(format, title, document, self.color(io), io.width());
        io.out(&text)?;
        match error {
            Some(e) => Err(failed(e)),
            None => Ok(()),
        }
    }
}

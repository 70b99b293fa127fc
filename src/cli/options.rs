//! Every option of the command line, defined once: the global options (the AWS CLI's
//! `cli.json`), the first-pass parser's two, and each command's table (in its own module
//! under `commands/`). The argparse walk, the passthrough's "is this ours" test and the
//! commands' typed arguments all read these tables. Help texts are not kept: `help` is
//! the real CLI's business.

/// One option as argparse defines it. Order matters: it shows in ambiguity messages.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// The long form, with its dashes (`--region`).
    pub name: &'static str,
    pub kind: Kind,
    /// argparse `choices`; empty for any value.
    pub choices: &'static [&'static str],
    /// argparse `required=True`.
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `store_true`.
    Flag,
    /// One value (`--region us-west-2`, `--region=us-west-2`).
    Value,
    /// `nargs='?'`: a value if one follows, else `const`.
    OptionalValue { constant: &'static str },
    /// argparse's `version` action: print the version and stop, once consumed.
    Version,
}

impl Opt {
    pub const fn flag(name: &'static str) -> Opt {
        Opt {
            name,
            kind: Kind::Flag,
            choices: &[],
            required: false,
        }
    }

    pub const fn value(name: &'static str) -> Opt {
        Opt {
            name,
            kind: Kind::Value,
            choices: &[],
            required: false,
        }
    }

    pub const fn choice(name: &'static str, choices: &'static [&'static str]) -> Opt {
        Opt {
            name,
            kind: Kind::Value,
            choices,
            required: false,
        }
    }

    pub const fn required(self) -> Opt {
        Opt {
            required: true,
            ..self
        }
    }

    pub fn takes_value(&self) -> bool {
        matches!(self.kind, Kind::Value | Kind::OptionalValue { .. })
    }
}

pub const OUTPUT_FORMATS: &[&str] = &["json", "text", "table", "yaml", "yaml-stream", "off"];
pub const ERROR_FORMATS: &[&str] = &["legacy", "json", "yaml", "text", "table", "enhanced"];
pub const COLORS: &[&str] = &["on", "off", "auto"];

/// The global options, in the AWS CLI's definition order (`--version` last, as the main
/// parser re-adds it).
pub const GLOBALS: &[Opt] = &[
    Opt::flag("--debug"),
    Opt::value("--endpoint-url"),
    Opt::flag("--no-verify-ssl"),
    Opt::flag("--no-paginate"),
    Opt::choice("--output", OUTPUT_FORMATS),
    Opt::value("--query"),
    Opt::value("--profile"),
    Opt::value("--region"),
    Opt::choice("--color", COLORS),
    Opt::flag("--no-sign-request"),
    Opt::value("--ca-bundle"),
    Opt::value("--cli-read-timeout"),
    Opt::value("--cli-connect-timeout"),
    Opt::choice("--cli-binary-format", &["base64", "raw-in-base64-out"]),
    Opt::flag("--no-cli-pager"),
    Opt::flag("--cli-auto-prompt"),
    Opt::flag("--no-cli-auto-prompt"),
    Opt::choice("--cli-error-format", ERROR_FORMATS),
    Opt {
        name: "--version",
        kind: Kind::Version,
        choices: &[],
        required: false,
    },
];

/// `FirstPassGlobalArgParser`: what the CLI needs before it builds its driver.
pub const FIRST_PASS: &[Opt] = &[Opt::value("--profile"), Opt::flag("--debug")];

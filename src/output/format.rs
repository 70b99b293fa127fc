//! The names `--output`, `--cli-error-format` and `--color` take, as types.

use crate::cli::options::{COLORS, ERROR_FORMATS, OUTPUT_FORMATS};

/// `--output` and its fallbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Json,
    Text,
    Table,
    Yaml,
    YamlStream,
    Off,
}

impl OutputFormat {
    /// `None` for a name the CLI has no formatter for.
    pub fn parse(name: &str) -> Option<OutputFormat> {
        use OutputFormat::*;
        let i = OUTPUT_FORMATS.iter().position(|f| *f == name)?;
        Some([Json, Text, Table, Yaml, YamlStream, Off][i])
    }
}

/// `--cli-error-format` and its fallbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFormat {
    Legacy,
    Json,
    Yaml,
    Text,
    Table,
    Enhanced,
}

impl ErrorFormat {
    /// `None` for a name the CLI does not know (it then uses `enhanced`).
    pub fn parse(name: &str) -> Option<ErrorFormat> {
        use ErrorFormat::*;
        let i = ERROR_FORMATS.iter().position(|f| *f == name)?;
        Some([Legacy, Json, Yaml, Text, Table, Enhanced][i])
    }

    /// The output formatter a structured error format renders with.
    pub fn output(self) -> Option<OutputFormat> {
        match self {
            ErrorFormat::Json => Some(OutputFormat::Json),
            ErrorFormat::Yaml => Some(OutputFormat::Yaml),
            ErrorFormat::Text => Some(OutputFormat::Text),
            ErrorFormat::Table => Some(OutputFormat::Table),
            ErrorFormat::Legacy | ErrorFormat::Enhanced => None,
        }
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Color {
    On,
    Off,
    #[default]
    Auto,
}

impl Color {
    /// The flag's value (already one of the choices argparse allows).
    pub fn parse(flag: Option<&str>) -> Color {
        match flag.and_then(|f| COLORS.iter().position(|c| *c == f)) {
            Some(0) => Color::On,
            Some(1) => Color::Off,
            _ => Color::Auto,
        }
    }

    /// Whether tables are coloured: `auto` means when stdout is a terminal.
    pub fn enabled(self, stdout_is_tty: bool) -> bool {
        match self {
            Color::On => true,
            Color::Off => false,
            Color::Auto => stdout_is_tty,
        }
    }
}

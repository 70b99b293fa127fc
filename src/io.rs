//! Where output goes: stdout and stderr of the process in `main`, buffers in tests; whether
//! stdout is a terminal, and how wide it is (the table formatter's width: the AWS CLI asks
//! `ioctl(TIOCGWINSZ)` on stdout and uses 80 when that fails).

use std::io::{IsTerminal, Write};

use crate::error::Error;

pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Whether stdout is a terminal (colour `auto`, table width).
    pub stdout_is_tty: bool,
    /// The terminal's width in columns when stdout is one.
    pub terminal_width: Option<usize>,
}

impl Io<'_> {
    /// The table formatter's width.
    pub fn width(&self) -> usize {
        self.terminal_width.unwrap_or(80)
    }

    /// Write to stdout; a failure is the `OSError` Python's write raises.
    pub fn out(&mut self, text: &str) -> Result<(), Error> {
        self.stdout
            .write_all(text.as_bytes())
            .map_err(|e| stdout_error(&e))
    }

    pub fn flush(&mut self) -> Result<(), Error> {
        self.stdout.flush().map_err(|e| stdout_error(&e))
    }

    /// A line of warning on stderr (the CLI writes these as it goes).
    pub fn warn(&mut self, text: &str) {
        let _ = self.stderr.write_all(text.as_bytes());
    }
}

/// `str(OSError)` of a failed write to stdout; a broken pipe is its own error.
fn stdout_error(e: &std::io::Error) -> Error {
    let text = pystd::os_error::os_error(e);
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::BrokenPipe(text)
    } else {
        Error::General(text)
    }
}

pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

#[cfg(unix)]
pub fn stdout_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the winsize struct we pass; nothing else is touched.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_col > 0).then_some(ws.ws_col as usize)
}

#[cfg(not(unix))]
pub fn stdout_width() -> Option<usize> {
    None
}

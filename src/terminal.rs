//! Whether stdout is a terminal, and how wide it is (the table formatter's width; the AWS CLI
//! asks `ioctl(TIOCGWINSZ)` on stdout and uses 80 when that fails).

use std::io::IsTerminal;

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

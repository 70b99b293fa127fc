//! `--debug`: log lines on stderr in the AWS CLI's format
//! (`%(asctime)s - %(threadName)s - %(name)s - %(levelname)s - %(message)s`, local time with
//! milliseconds), at the milestones the CLI logs. Unlike the CLI, which logs session tokens
//! and response bodies, nothing secret is ever written: values that may carry a secret go
//! through `Secret`, whose Display and Debug print `(redacted)`.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Write one log record (only under `--debug`). `logger` is the CLI's logger name
/// (`awscli.clidriver`, `botocore.credentials`, ...), `level` DEBUG or INFO.
pub fn log(logger: &str, level: &str, message: fmt::Arguments) {
    if !enabled() {
        return;
    }
    let line = format!("{} - MainThread - {logger} - {level} - {message}\n", asctime());
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// `log!("botocore.credentials", "INFO", "Found credentials in {}", source)`.
#[macro_export]
macro_rules! debug_log {
    ($logger:expr, $level:expr, $($arg:tt)*) => {
        if $crate::debug::enabled() {
            $crate::debug::log($logger, $level, format_args!($($arg)*));
        }
    };
}

/// A value that must never be printed: secret keys, session tokens, SSO tokens, web identity
/// tokens, container authorization tokens, and the signed token URL itself.
pub struct Secret<'a>(pub &'a str);

impl fmt::Display for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "" } else { "(redacted)" })
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Local time as Python's logging `asctime`: `2026-11-22 19:29:06,987`.
fn asctime() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let millis = now.subsec_millis();
    let secs = now.as_secs() as i64;
    match local_time(secs) {
        Some((y, mo, d, h, mi, s)) => {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{millis:03}")
        }
        None => {
            let t = crate::clock::UtcTime(secs).rfc3339();
            format!("{} {},{millis:03}", &t[..10], &t[11..19])
        }
    }
}

#[cfg(unix)]
fn local_time(secs: i64) -> Option<(i32, u32, u32, u32, u32, u32)> {
    let t = secs as libc::time_t;
    // SAFETY: localtime_r writes only into the struct we pass.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    ok.then(|| {
        (
            tm.tm_year + 1900,
            (tm.tm_mon + 1) as u32,
            tm.tm_mday as u32,
            tm.tm_hour as u32,
            tm.tm_min as u32,
            tm.tm_sec as u32,
        )
    })
}

#[cfg(not(unix))]
fn local_time(_secs: i64) -> Option<(i32, u32, u32, u32, u32, u32)> {
    None
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn secrets_never_print() {
        let s = Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert_eq!(format!("{s}"), "(redacted)");
        assert_eq!(format!("{s:?}"), "(redacted)");
        assert!(super::asctime().contains(','));
    }
}

//! `str(OSError)` as Python prints it: `[Errno 2] No such file or directory`, with
//! `: '<path>'` when the error names a file.

/// `[Errno N] strerror` (or the error's own text when it carries no OS code).
pub fn os_error(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => format!("[Errno {code}] {}", strerror(code)),
        None => e.to_string(),
    }
}

/// `[Errno N] strerror: 'path'`.
pub fn os_error_with_path(e: &std::io::Error, path: &str) -> String {
    format!("{}: {}", os_error(e), crate::repr::str_repr(path))
}

/// The C library's message for an errno value (Rust appends " (os error N)"; Python
/// prints `strerror` alone).
pub fn strerror(code: i32) -> String {
    let text = std::io::Error::from_raw_os_error(code).to_string();
    match text.rsplit_once(" (os error") {
        Some((t, _)) => t.to_string(),
        None => text,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn like_python() {
        let e = std::fs::read("/nonexistent/x").unwrap_err();
        assert_eq!(os_error(&e), "[Errno 2] No such file or directory");
        assert_eq!(
            os_error_with_path(&e, "/nonexistent/x"),
            "[Errno 2] No such file or directory: '/nonexistent/x'"
        );
    }
}
